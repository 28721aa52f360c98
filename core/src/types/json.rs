//! Reading a value of a given type from a JSON scalar (VALUES rows, JSON records, typed
//! literals) and writing values as JSON.

use std::sync::Arc;

use super::data_type::DataType;
use super::parse::parse_value;
use super::value::Value;

/// Reads `json` as a value of type `data_type`: a JSON string is parsed as `CAST(s AS t)`
/// would (BYTES take its UTF-8 bytes), any other JSON in a STRING column is its JSON text,
/// numbers fill numeric, temporal (epoch days/ms) and interval columns, `null` is NULL.
/// Errors read `cannot parse "<text>" as BIGINT`; the caller adds the place.
pub fn value_from_json(json: &serde_json::Value, data_type: &DataType) -> Result<Value, String> {
    use serde_json::Value as J;
    let data_type = *data_type;
    let fail = || format!("cannot parse \"{}\" as {data_type}", json.as_str().map_or_else(|| json.to_string(), str::to_string));
    let from_text = |text: &str| parse_value(text, &data_type).map_err(|e| e.to_string());
    Ok(match (json, data_type) {
        (J::Null, _) => Value::Null,
        (J::Array(items), DataType::Array(element)) => Value::array(items.iter().map(|item| value_from_json(item, element)).collect::<Result<_, _>>()?),
        (J::Object(fields), DataType::Map((key, value))) => {
            let mut entries = Vec::with_capacity(fields.len());
            for (k, v) in fields {
                entries.push((value_from_json(&J::String(k.clone()), key)?, value_from_json(v, value)?));
            }
            Value::map(entries)
        }
        (J::Array(pairs), DataType::Map((key, value))) => {
            let mut entries = Vec::with_capacity(pairs.len());
            for pair in pairs {
                match pair.as_array().map(Vec::as_slice) {
                    Some([k, v]) => entries.push((value_from_json(k, key)?, value_from_json(v, value)?)),
                    _ => return Err(fail()),
                }
            }
            Value::map(entries)
        }
        (_, DataType::Array(_) | DataType::Map(_) | DataType::Multiset(_)) => return Err(fail()),
        (J::String(s), DataType::Bytes) => Value::Bytes(Arc::from(s.as_bytes())),
        (J::String(s), _) => from_text(s)?,
        (other, DataType::String) => Value::String(Arc::from(other.to_string())),
        (J::Bool(b), DataType::Boolean) => Value::Boolean(*b),
        (J::Number(n), DataType::Double) => Value::double(n.as_f64().ok_or_else(fail)?),
        (J::Number(n), DataType::Float) => Value::float(n.as_f64().ok_or_else(fail)? as f32),
        (J::Number(n), DataType::Decimal { .. }) => from_text(&n.to_string()).map_err(|_| fail())?,
        (J::Number(n), t) => {
            let v = n.as_i64().ok_or_else(fail)?;
            let small = || i32::try_from(v).map_err(|_| fail());
            match t {
                DataType::Int => Value::Int(small()?),
                DataType::BigInt => Value::BigInt(v),
                DataType::Date => Value::Date(small()?),
                DataType::Timestamp => Value::Timestamp(v),
                DataType::TimestampLtz => Value::TimestampLtz(v),
                DataType::IntervalDayTime => Value::IntervalDayTime(v),
                DataType::IntervalYearMonth => Value::IntervalYearMonth(small()?),
                DataType::Time(_) => Value::Time(small()?.rem_euclid(super::temporal::MILLIS_PER_DAY)),
                _ => return Err(fail()),
            }
        }
        _ => return Err(fail()),
    })
}

/// A value as JSON: numbers as numbers (DECIMAL as a string to keep its digits; FLOAT with the
/// digits Java prints for it, `86.399994`, as Flink's JSON format writes it), everything else
/// as its printed text (non-finite floats too), NULL as `null`.
pub fn value_to_json(value: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::Null => J::Null,
        Value::Boolean(b) => J::Bool(*b),
        Value::Int(v) => J::from(*v),
        Value::BigInt(v) => J::from(*v),
        Value::Double(v) => serde_json::Number::from_f64(v.get()).map(J::Number).unwrap_or_else(|| J::String(value.to_string())),
        Value::Float(v) => float_json_number(v.get()).map(J::Number).unwrap_or_else(|| J::String(value.to_string())),
        Value::Array(items) => J::Array(items.iter().map(value_to_json).collect()),
        Value::Map(entries) => J::Object(entries.iter().map(|(k, v)| (json_key(k), value_to_json(v))).collect()),
        other => J::String(json_text(other)),
    }
}

/// A MAP key as a JSON object key: its printed text (`null` for a NULL key).
fn json_key(key: &Value) -> String {
    match key {
        Value::Array(_) | Value::Map(_) => value_to_json(key).to_string(),
        other => json_text(other),
    }
}

/// The text of a scalar in JSON: its printed text, except that date-times always have their
/// seconds and TIMESTAMP_LTZ no zone suffix (`2023-11-14T22:13:00`), a time of day its
/// shortest fraction (`12:34:56.5`), and BYTES are hex (`x'01ff'`).
fn json_text(value: &Value) -> String {
    use std::fmt::Write;
    match value {
        Value::Bytes(b) => {
            let mut hex = String::from("x'");
            for byte in b.iter() {
                let _ = write!(hex, "{byte:02x}");
            }
            hex + "'"
        }
        other => other.iso_temporal_text().unwrap_or_else(|| other.to_string()),
    }
}

/// A FLOAT as a JSON number with its shortest 32-bit digits (`86.399994`, not the double
/// `86.39999389648438` it widens to); `None` when not finite.
pub fn float_json_number(v: f32) -> Option<serde_json::Number> {
    let shortest: f64 = format!("{v}").parse().ok()?;
    serde_json::Number::from_f64(shortest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_scalars_by_type() {
        assert_eq!(value_from_json(&json!(5), &DataType::Int), Ok(Value::Int(5)));
        assert_eq!(value_from_json(&json!("5"), &DataType::BigInt), Ok(Value::BigInt(5)));
        assert_eq!(value_from_json(&json!(null), &DataType::Date), Ok(Value::Null));
        assert!(value_from_json(&json!(5000000000i64), &DataType::Int).is_err());
        assert!(value_from_json(&json!(true), &DataType::BigInt).is_err());
        assert_eq!(value_from_json(&json!(86.399994), &DataType::Float), Ok(Value::float(86.399994)));
        assert_eq!(value_to_json(&Value::float(86.399994)).to_string(), "86.399994");
        assert_eq!(value_to_json(&Value::float(f32::NAN)), json!("NaN"));
        let ints = DataType::array(DataType::Int);
        assert_eq!(value_from_json(&json!([1, null]), &ints), Ok(Value::array(vec![Value::Int(1), Value::Null])));
        assert!(value_from_json(&json!([1, "x"]), &ints).is_err());
        assert!(value_from_json(&json!(1), &ints).is_err());
        let map = DataType::map(DataType::String, ints);
        let m = value_from_json(&json!({"a": [2], "b": null}), &map);
        assert_eq!(m.as_ref().map(ToString::to_string), Ok("{a=[2], b=null}".to_string()));
        assert_eq!(m.map(|m| value_to_json(&m)), Ok(json!({"a": [2], "b": null})));
        assert_eq!(value_from_json(&json!([[1, 2]]), &DataType::map(DataType::Int, DataType::Int)).map(|m| m.to_string()), Ok("{1=2}".into()));
        assert_eq!(value_from_json(&json!(1.5), &DataType::Decimal { precision: 4, scale: 2 }).map(|v| v.to_string()), Ok("1.50".into()));
    }
}
