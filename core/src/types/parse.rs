//! Reading a value of a given type from text (CSV fields, string casts, typed literals).

use std::sync::Arc;

use super::data_type::DataType;
use super::decimal::Decimal;
use super::temporal;
use super::value::Value;

/// Reads `text` as a value of type `data_type`, as Flink's CSV format and `CAST(s AS t)` do:
/// numbers in plain decimal notation (surrounding spaces ignored), booleans `true`/`false`
/// (any case), dates `yyyy-MM-dd`, timestamps `yyyy-MM-dd HH:mm:ss[.SSS]` (or with `T`).
/// Errors carry no place; the caller adds file/line/column.
pub fn parse_value(text: &str, data_type: &DataType) -> Result<Value, ParseValueError> {
    let t = text.trim();
    let fail = || ParseValueError { text: text.to_string(), data_type: *data_type };
    Ok(match data_type {
        DataType::Null => Value::Null,
        DataType::String => Value::String(Arc::from(text)),
        DataType::Bytes => Value::Bytes(Arc::from(text.as_bytes())),
        DataType::Boolean => match t.to_ascii_lowercase().as_str() {
            "true" => Value::Boolean(true),
            "false" => Value::Boolean(false),
            _ => return Err(fail()),
        },
        DataType::Int => Value::Int(t.parse().map_err(|_| fail())?),
        DataType::BigInt => Value::BigInt(t.parse().map_err(|_| fail())?),
        DataType::Float => Value::float(t.parse().map_err(|_| fail())?),
        DataType::Double => Value::double(t.parse().map_err(|_| fail())?),
        DataType::Decimal { precision, scale } => {
            let d = Decimal::parse(t).and_then(|d| d.rescale(*scale)).ok_or_else(fail)?;
            if d.precision() > *precision {
                return Err(fail());
            }
            Value::Decimal(d)
        }
        DataType::Date => Value::Date(temporal::parse_date(t).ok_or_else(fail)?),
        DataType::Timestamp => Value::Timestamp(temporal::parse_timestamp(t).ok_or_else(fail)?),
        DataType::TimestampLtz => Value::TimestampLtz(temporal::parse_timestamp(t).ok_or_else(fail)?),
        DataType::IntervalDayTime => Value::IntervalDayTime(t.parse().map_err(|_| fail())?),
        DataType::IntervalYearMonth => Value::IntervalYearMonth(t.parse().map_err(|_| fail())?),
        DataType::Time(p) => Value::Time(temporal::truncate_time(temporal::parse_time(t).ok_or_else(fail)?, *p)),
        DataType::Array(_) | DataType::Map(_) | DataType::Multiset(_) => return Err(fail()),
    })
}

/// A text that does not read as the wanted type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot parse \"{text}\" as {data_type}")]
pub struct ParseValueError {
    /// The text as found.
    pub text: String,
    /// The type it should have had.
    pub data_type: DataType,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_type() {
        assert_eq!(parse_value(" 42 ", &DataType::BigInt), Ok(Value::BigInt(42)));
        assert_eq!(parse_value("TRUE", &DataType::Boolean), Ok(Value::Boolean(true)));
        assert_eq!(parse_value("1.5", &DataType::Decimal { precision: 5, scale: 2 }).map(|v| v.to_string()), Ok("1.50".to_string()));
        assert_eq!(parse_value("2023-11-14", &DataType::Date).map(|v| v.to_string()), Ok("2023-11-14".into()));
        let err = parse_value("x1", &DataType::BigInt).unwrap_err();
        assert_eq!(err.to_string(), "cannot parse \"x1\" as BIGINT");
        assert!(parse_value("123.45", &DataType::Decimal { precision: 4, scale: 2 }).is_err());
        assert_eq!(parse_value("12:34:56.789", &DataType::Time(3)).map(|v| v.to_string()), Ok("12:34:56.789".into()));
        assert_eq!(parse_value("12:34:56.789", &DataType::Time(0)).map(|v| v.to_string()), Ok("12:34:56".into()));
        assert_eq!(parse_value("01:02", &DataType::Time(0)), Ok(Value::Time(3_720_000)));
        assert_eq!(parse_value("12:34:56.5", &DataType::Time(3)), Ok(Value::Time(45_296_500)));
        assert!(parse_value("24:00:00", &DataType::Time(0)).is_err());
        assert!(parse_value("12:3x", &DataType::Time(0)).is_err());
    }
}
