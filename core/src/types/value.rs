//! A single SQL value: a small enum, numbers inline, strings and bytes shared.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::data_type::DataType;
use super::decimal::Decimal;
use super::temporal;

/// A 64-bit float with a total order (`-0.0 == 0.0`, all NaNs equal and greatest), so that
/// doubles can be grouped, joined and sorted. `-0.0` keeps its sign for printing (`CEIL(-0.5)`
/// is `-0.0`, as in Java) but compares, hashes and serializes as `0.0`, so that it is one state
/// key with `0.0` (a value sent to another process or restored from state prints `0.0`).
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct F64(f64);

impl F64 {
    /// Wraps a float, folding every NaN into one NaN.
    pub fn new(v: f64) -> Self {
        if v.is_nan() { F64(f64::NAN) } else { F64(v) }
    }

    /// The float with `-0.0` folded into `0.0`: the value compared, hashed and stored.
    fn key(self) -> f64 {
        if self.0 == 0.0 { 0.0 } else { self.0 }
    }

    /// The float.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl PartialEq for F64 {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for F64 {}
impl PartialOrd for F64 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for F64 {
    fn cmp(&self, other: &Self) -> Ordering {
        F64::new(self.key()).0.total_cmp(&F64::new(other.key()).0)
    }
}
impl Hash for F64 {
    fn hash<H: Hasher>(&self, state: &mut H) {
        F64::new(self.key()).0.to_bits().hash(state);
    }
}
impl Serialize for F64 {
    /// Stored without the sign of zero, so that `-0.0` and `0.0` are one state key.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct("F64", &self.key())
    }
}

/// One SQL value. `Null` sorts first. Numeric variants hold their number inline (no heap);
/// `String` and `Bytes` share their buffer, so cloning a value never copies text.
///
/// Values of different variants compare by variant order; the planner casts operands to a
/// common type before comparing, so that order is only seen between NULL and non-NULL.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub enum Value {
    /// SQL NULL.
    #[default]
    Null,
    /// BOOLEAN.
    Boolean(bool),
    /// INT.
    Int(i32),
    /// BIGINT.
    BigInt(i64),
    /// DOUBLE.
    Double(F64),
    /// DECIMAL(p, s).
    Decimal(Decimal),
    /// STRING.
    String(Arc<str>),
    /// BYTES.
    Bytes(Arc<[u8]>),
    /// DATE, as days since 1970-01-01.
    Date(i32),
    /// TIMESTAMP(3), as milliseconds since 1970-01-01T00:00:00 (wall clock, no zone).
    Timestamp(i64),
    /// TIMESTAMP_LTZ(3), as epoch milliseconds (an instant).
    TimestampLtz(i64),
    /// INTERVAL DAY TO SECOND, in milliseconds.
    IntervalDayTime(i64),
    /// INTERVAL YEAR TO MONTH, in months.
    IntervalYearMonth(i32),
}

impl Value {
    /// A STRING value.
    pub fn string(s: &str) -> Value {
        Value::String(Arc::from(s))
    }

    /// A DOUBLE value.
    pub fn double(v: f64) -> Value {
        Value::Double(F64::new(v))
    }

    /// True for SQL NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The boolean, or `None` for NULL and non-booleans.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// The integer behind INT, BIGINT, DATE, TIMESTAMP*, INTERVAL values.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(v) | Value::Date(v) | Value::IntervalYearMonth(v) => Some(i64::from(*v)),
            Value::BigInt(v) | Value::Timestamp(v) | Value::TimestampLtz(v) | Value::IntervalDayTime(v) => Some(*v),
            _ => None,
        }
    }

    /// The number as a double, for any numeric value.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(v) => Some(f64::from(*v)),
            Value::BigInt(v) => Some(*v as f64),
            Value::Double(v) => Some(v.get()),
            Value::Decimal(d) => Some(d.to_f64()),
            _ => None,
        }
    }

    /// The text of a STRING value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The type this value naturally has (DECIMAL reports its own digits and scale).
    pub fn data_type(&self) -> DataType {
        match self {
            Value::Null => DataType::Null,
            Value::Boolean(_) => DataType::Boolean,
            Value::Int(_) => DataType::Int,
            Value::BigInt(_) => DataType::BigInt,
            Value::Double(_) => DataType::Double,
            Value::Decimal(d) => DataType::Decimal { precision: d.precision(), scale: d.scale },
            Value::String(_) => DataType::String,
            Value::Bytes(_) => DataType::Bytes,
            Value::Date(_) => DataType::Date,
            Value::Timestamp(_) => DataType::Timestamp,
            Value::TimestampLtz(_) => DataType::TimestampLtz,
            Value::IntervalDayTime(_) => DataType::IntervalDayTime,
            Value::IntervalYearMonth(_) => DataType::IntervalYearMonth,
        }
    }
}

/// Java's `Double.toString`, which Flink uses to print DOUBLE: `1.0`, `0.1`, `1.0E7`, `1.0E-4`.
pub fn format_double(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    let abs = v.abs();
    if abs == 0.0 || (1e-3..1e7).contains(&abs) {
        let s = format!("{v}");
        if s.contains('.') { s } else { format!("{s}.0") }
    } else {
        let s = format!("{v:E}");
        let (mant, exp) = s.split_once('E').unwrap_or((&s, "0"));
        let mant = if mant.contains('.') { mant.to_string() } else { format!("{mant}.0") };
        format!("{mant}E{exp}")
    }
}

impl fmt::Display for Value {
    /// Flink's changelog rendering: NULL as `null`, DOUBLE as Java prints it, TIMESTAMP as
    /// `2023-11-14T22:13:20[.123]`, TIMESTAMP_LTZ in UTC (sinks render it in the session zone).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Boolean(b) => write!(f, "{b}"),
            Value::Int(v) => write!(f, "{v}"),
            Value::BigInt(v) => write!(f, "{v}"),
            Value::Double(v) => f.write_str(&format_double(v.get())),
            Value::Decimal(d) => write!(f, "{d}"),
            Value::String(s) => f.write_str(s),
            Value::Bytes(b) => {
                f.write_str("x'")?;
                for byte in b.iter() {
                    write!(f, "{byte:02x}")?;
                }
                f.write_str("'")
            }
            Value::Date(d) => f.write_str(&temporal::format_date(*d)),
            Value::Timestamp(ms) | Value::TimestampLtz(ms) => f.write_str(&temporal::format_timestamp(*ms)),
            Value::IntervalDayTime(ms) => f.write_str(&temporal::format_interval_day_time(*ms)),
            Value::IntervalYearMonth(m) => f.write_str(&temporal::format_interval_year_month(*m)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_small() {
        assert!(std::mem::size_of::<Value>() <= 32, "{}", std::mem::size_of::<Value>());
    }

    #[test]
    fn doubles_print_like_java() {
        assert_eq!(format_double(1.0), "1.0");
        assert_eq!(format_double(0.1), "0.1");
        assert_eq!(format_double(12345.5), "12345.5");
        assert_eq!(format_double(1e7), "1.0E7");
        assert_eq!(format_double(1.5e-4), "1.5E-4");
        assert_eq!(format_double(-0.0), "-0.0");
    }

    #[test]
    fn null_sorts_first_and_floats_are_total() {
        assert!(Value::Null < Value::Int(i32::MIN));
        assert_eq!(Value::double(-0.0), Value::double(0.0));
        assert_eq!(Value::double(-0.0).to_string(), "-0.0", "the sign of zero prints");
        assert!(Value::double(f64::NAN) > Value::double(f64::INFINITY));
    }
}
