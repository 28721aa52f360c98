//! SQL data types and their text form (`BIGINT`, `DECIMAL(10, 2)`, `TIMESTAMP(3)`, ...).

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A SQL data type, as Flink names them. Nullability lives on [`crate::types::Field`].
///
/// In the JSON job spec a type is written as its SQL text: `"BIGINT"`, `"DECIMAL(10, 2)"`,
/// `"TIMESTAMP(3)"`, `"TIMESTAMP_LTZ(3)"`, `"INTERVAL DAY TO SECOND"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataType {
    /// The type of an untyped `NULL` literal; assignable to every type.
    Null,
    /// `BOOLEAN`.
    Boolean,
    /// `INT`: 32-bit signed integer.
    Int,
    /// `BIGINT`: 64-bit signed integer.
    BigInt,
    /// `FLOAT` (= `REAL`): 32-bit IEEE float.
    Float,
    /// `DOUBLE`: 64-bit IEEE float.
    Double,
    /// `DECIMAL(precision, scale)`: exact decimal, precision at most 38.
    Decimal {
        /// Total number of digits.
        precision: u8,
        /// Digits after the decimal point.
        scale: u8,
    },
    /// `STRING` (= `VARCHAR`): UTF-8 text.
    String,
    /// `BYTES` (= `VARBINARY`): a byte string.
    Bytes,
    /// `DATE`: days since 1970-01-01.
    Date,
    /// `TIMESTAMP(3)`: a wall-clock date-time without time zone, millisecond precision.
    Timestamp,
    /// `TIMESTAMP_LTZ(3)`: an instant (epoch milliseconds), rendered in the session time zone.
    TimestampLtz,
    /// `INTERVAL DAY TO SECOND`: a duration in milliseconds.
    IntervalDayTime,
    /// `INTERVAL YEAR TO MONTH`: a number of months.
    IntervalYearMonth,
    /// `TIME(p)`: a time of day without time zone, milliseconds since midnight, with `p` (0..3)
    /// fraction digits kept.
    Time(u8),
    /// `ARRAY<T>`: a list of values of the element type (elements may be NULL). The element
    /// type is interned (see [`DataType::array`]) so that `DataType` stays `Copy`.
    Array(&'static DataType),
    /// `MAP<K, V>`: key-value pairs with distinct keys (values may be NULL), interned as
    /// [`DataType::Array`] is (see [`DataType::map`]).
    Map(&'static (DataType, DataType)),
    /// `MULTISET<T>`: distinct values of the element type, each with how often it occurs
    /// (`COLLECT`'s result), interned as [`DataType::Array`] is. Its values are MAPs from
    /// element to INT count, printed as Flink prints them: `{a=2, b=1}`.
    Multiset(&'static DataType),
}

impl DataType {
    /// Largest precision a `DECIMAL` can have.
    pub const MAX_DECIMAL_PRECISION: u8 = 38;

    /// True for INT, BIGINT, FLOAT, DOUBLE and DECIMAL.
    pub fn is_numeric(&self) -> bool {
        matches!(self, DataType::Int | DataType::BigInt | DataType::Float | DataType::Double | DataType::Decimal { .. })
    }

    /// True for FLOAT and DOUBLE.
    pub fn is_approximate(&self) -> bool {
        matches!(self, DataType::Float | DataType::Double)
    }

    /// True for INT and BIGINT.
    pub fn is_integer(&self) -> bool {
        matches!(self, DataType::Int | DataType::BigInt)
    }

    /// True for TIMESTAMP and TIMESTAMP_LTZ.
    pub fn is_timestamp(&self) -> bool {
        matches!(self, DataType::Timestamp | DataType::TimestampLtz)
    }

    /// `ARRAY<element>`.
    pub fn array(element: DataType) -> DataType {
        DataType::Array(super::composite::intern_array(element))
    }

    /// `MAP<key, value>`.
    pub fn map(key: DataType, value: DataType) -> DataType {
        DataType::Map(super::composite::intern_map(key, value))
    }

    /// `MULTISET<element>`.
    pub fn multiset(element: DataType) -> DataType {
        DataType::Multiset(super::composite::intern_array(element))
    }

    /// The element type of an ARRAY.
    pub fn element(&self) -> Option<DataType> {
        match self {
            DataType::Array(e) => Some(**e),
            _ => None,
        }
    }

    /// The key and value types of a MAP.
    pub fn key_value(&self) -> Option<(DataType, DataType)> {
        match self {
            DataType::Map(kv) => Some(**kv),
            _ => None,
        }
    }

    /// True for ARRAY, MAP and MULTISET.
    pub fn is_collection(&self) -> bool {
        matches!(self, DataType::Array(_) | DataType::Map(_) | DataType::Multiset(_))
    }

    /// True for both interval types.
    pub fn is_interval(&self) -> bool {
        matches!(self, DataType::IntervalDayTime | DataType::IntervalYearMonth)
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataType::Null => f.write_str("NULL"),
            DataType::Boolean => f.write_str("BOOLEAN"),
            DataType::Int => f.write_str("INT"),
            DataType::BigInt => f.write_str("BIGINT"),
            DataType::Float => f.write_str("FLOAT"),
            DataType::Double => f.write_str("DOUBLE"),
            DataType::Decimal { precision, scale } => write!(f, "DECIMAL({precision}, {scale})"),
            DataType::String => f.write_str("STRING"),
            DataType::Bytes => f.write_str("BYTES"),
            DataType::Date => f.write_str("DATE"),
            DataType::Timestamp => f.write_str("TIMESTAMP(3)"),
            DataType::TimestampLtz => f.write_str("TIMESTAMP_LTZ(3)"),
            DataType::IntervalDayTime => f.write_str("INTERVAL DAY TO SECOND"),
            DataType::IntervalYearMonth => f.write_str("INTERVAL YEAR TO MONTH"),
            DataType::Time(p) => write!(f, "TIME({p})"),
            DataType::Array(e) => write!(f, "ARRAY<{e}>"),
            DataType::Map(kv) => write!(f, "MAP<{}, {}>", kv.0, kv.1),
            DataType::Multiset(e) => write!(f, "MULTISET<{e}>"),
        }
    }
}

/// The text of a type could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown data type \"{text}\"{hint}")]
pub struct ParseTypeError {
    /// The text as given.
    pub text: String,
    /// Extra explanation, starting with "; " when present.
    pub hint: String,
}

impl FromStr for DataType {
    type Err = ParseTypeError;

    /// Parses Flink's type names, case-insensitively, with their common aliases
    /// (`INTEGER`, `VARCHAR(n)`, `CHAR(n)`, `TINYINT`/`SMALLINT` widened to INT, `REAL` for FLOAT,
    /// `NUMERIC`/`DEC`, `TIMESTAMP(p)`/`TIMESTAMP_LTZ(p)` for any p up to 3,
    /// `TIMESTAMP WITH LOCAL TIME ZONE`), and `ARRAY<T>` / `MAP<K, V>` of those (an element's
    /// `NOT NULL` is accepted and not kept).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = |hint: &str| ParseTypeError { text: text.to_string(), hint: hint.to_string() };
        let norm: String = text.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_uppercase();
        if let Some(t) = super::composite::parse_composite(&norm) {
            return t.map_err(|hint| err(&hint));
        }
        let (base, args) = match norm.find('(') {
            Some(open) => {
                let close = norm.rfind(')').ok_or_else(|| err("; missing ')'"))?;
                if close < open || !norm[close + 1..].trim().is_empty() && !norm[close + 1..].trim().starts_with("WITH") {
                    return Err(err("; unexpected text after ')'"));
                }
                let args: Result<Vec<u32>, _> = norm[open + 1..close].split(',').map(|a| a.trim().parse::<u32>()).collect();
                let rest = norm[close + 1..].trim();
                let base = format!("{}{}{}", norm[..open].trim(), if rest.is_empty() { "" } else { " " }, rest);
                (base, args.map_err(|_| err("; type arguments must be integers"))?)
            }
            None => (norm.clone(), Vec::new()),
        };
        let no_args = |t: DataType| if args.is_empty() { Ok(t) } else { Err(err("; this type takes no arguments")) };
        match base.as_str() {
            "BOOLEAN" | "BOOL" => no_args(DataType::Boolean),
            "TINYINT" | "SMALLINT" | "INT" | "INTEGER" => no_args(DataType::Int),
            "BIGINT" => no_args(DataType::BigInt),
            "DOUBLE" | "DOUBLE PRECISION" => no_args(DataType::Double),
            "FLOAT" | "REAL" => no_args(DataType::Float),
            "STRING" | "VARCHAR" | "CHAR" | "CHARACTER VARYING" | "TEXT" => Ok(DataType::String),
            "BYTES" | "VARBINARY" | "BINARY" => Ok(DataType::Bytes),
            "DATE" => no_args(DataType::Date),
            "NULL" => no_args(DataType::Null),
            "DECIMAL" | "DEC" | "NUMERIC" => {
                let (precision, scale) = match args.as_slice() {
                    [] => (10, 0),
                    [p] => (*p, 0),
                    [p, s] => (*p, *s),
                    _ => return Err(err("; DECIMAL takes (precision[, scale])")),
                };
                if precision == 0 || precision > u32::from(Self::MAX_DECIMAL_PRECISION) || scale > precision {
                    return Err(err("; DECIMAL precision must be 1..38 and scale at most the precision"));
                }
                Ok(DataType::Decimal { precision: precision as u8, scale: scale as u8 })
            }
            "TIME" | "TIME WITHOUT TIME ZONE" => match args.as_slice() {
                [] => Ok(DataType::Time(0)),
                [p] if *p <= 3 => Ok(DataType::Time(*p as u8)),
                _ => Err(err("; TIME precision must be 0..3")),
            },
            "TIMESTAMP" | "TIMESTAMP WITHOUT TIME ZONE" => timestamp_precision(&args, DataType::Timestamp).ok_or_else(|| err("; precision must be 0..3")),
            "TIMESTAMP_LTZ" | "TIMESTAMP WITH LOCAL TIME ZONE" => {
                timestamp_precision(&args, DataType::TimestampLtz).ok_or_else(|| err("; precision must be 0..3"))
            }
            _ if base.starts_with("INTERVAL") => {
                if base.contains("YEAR") || base.contains("MONTH") {
                    Ok(DataType::IntervalYearMonth)
                } else {
                    Ok(DataType::IntervalDayTime)
                }
            }
            _ => Err(err("")),
        }
    }
}

fn timestamp_precision(args: &[u32], t: DataType) -> Option<DataType> {
    match args {
        [] => Some(t),
        [p] if *p <= 3 => Some(t),
        _ => None,
    }
}

impl Serialize for DataType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DataType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for DataType {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DataType".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A SQL type: BOOLEAN, INT, BIGINT, FLOAT, DOUBLE, DECIMAL(p, s), STRING, BYTES, DATE, TIMESTAMP(3), TIMESTAMP_LTZ(3), TIME(p), INTERVAL DAY TO SECOND, INTERVAL YEAR TO MONTH, ARRAY<T>, MAP<K, V>, MULTISET<T>",
            "examples": ["BIGINT", "DECIMAL(10, 2)", "TIMESTAMP(3)"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_types() {
        for (text, t) in [
            ("bigint", DataType::BigInt),
            ("real", DataType::Float),
            ("FLOAT", DataType::Float),
            ("DOUBLE PRECISION", DataType::Double),
            ("VARCHAR(10)", DataType::String),
            ("DECIMAL(10, 2)", DataType::Decimal { precision: 10, scale: 2 }),
            ("timestamp(3)", DataType::Timestamp),
            ("TIMESTAMP_LTZ(3)", DataType::TimestampLtz),
            ("TIMESTAMP(3) WITH LOCAL TIME ZONE", DataType::TimestampLtz),
            ("INTERVAL DAY TO SECOND", DataType::IntervalDayTime),
            ("ARRAY<INT>", DataType::array(DataType::Int)),
            ("TIME", DataType::Time(0)),
            ("time(3)", DataType::Time(3)),
            ("array < decimal(10, 2) not null >", DataType::array(DataType::Decimal { precision: 10, scale: 2 })),
            ("MAP<STRING, ARRAY<BIGINT>>", DataType::map(DataType::String, DataType::array(DataType::BigInt))),
            ("MAP < VARCHAR(3) , ARRAY < INT >>", DataType::map(DataType::String, DataType::array(DataType::Int))),
            ("MULTISET<STRING>", DataType::multiset(DataType::String)),
        ] {
            assert_eq!(text.parse::<DataType>(), Ok(t), "{text}");
            assert_eq!(t.to_string().parse::<DataType>(), Ok(t));
        }
        assert!("BIGNUM".parse::<DataType>().is_err());
        assert!("DECIMAL(40, 2)".parse::<DataType>().is_err());
        assert!("INT(3)".parse::<DataType>().is_err());
        assert!("ARRAY<INT".parse::<DataType>().is_err());
        assert!("MAP<INT>".parse::<DataType>().is_err());
        assert!("ARRAY<FOO>".parse::<DataType>().is_err());
        assert_eq!(DataType::array(DataType::Int).to_string(), "ARRAY<INT>");
    }
}
