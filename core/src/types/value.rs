//! A single SQL value: a small enum, numbers inline, strings and bytes shared.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::data_type::DataType;
use super::decimal::Decimal;
use super::temporal;

/// Defines a float wrapper with a total order (`-0.0 == 0.0`, all NaNs equal and greatest), so
/// that floats can be grouped, joined and sorted. `-0.0` keeps its sign for printing (`CEIL(-0.5)`
/// is `-0.0`, as in Java) but compares, hashes and serializes as `0.0`, so that it is one state
/// key with `0.0` (a value sent to another process or restored from state prints `0.0`).
macro_rules! total_float {
    ($(#[$doc:meta])* $name:ident, $float:ty) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Deserialize)]
        pub struct $name($float);

        impl $name {
            /// Wraps a float, folding every NaN into one NaN.
            pub fn new(v: $float) -> Self {
                if v.is_nan() { $name(<$float>::NAN) } else { $name(v) }
            }

            /// The float with `-0.0` folded into `0.0`: the value compared, hashed and stored.
            fn key(self) -> $float {
                if self.0 == 0.0 { 0.0 } else { self.0 }
            }

            /// The float.
            pub fn get(self) -> $float {
                self.0
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.cmp(other) == Ordering::Equal
            }
        }
        impl Eq for $name {}
        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for $name {
            fn cmp(&self, other: &Self) -> Ordering {
                $name::new(self.key()).0.total_cmp(&$name::new(other.key()).0)
            }
        }
        impl Hash for $name {
            fn hash<H: Hasher>(&self, state: &mut H) {
                $name::new(self.key()).0.to_bits().hash(state);
            }
        }
        impl Serialize for $name {
            /// Stored without the sign of zero, so that `-0.0` and `0.0` are one state key.
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_newtype_struct(stringify!($name), &self.key())
            }
        }
    };
}

total_float!(
    /// A DOUBLE: a 64-bit float with a total order (see `total_float!`).
    F64,
    f64
);
total_float!(
    /// A FLOAT: a 32-bit float with a total order (see `total_float!`), computed in 32 bits as
    /// Java's `float` is (Flink's FLOAT).
    F32,
    f32
);

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
    /// FLOAT (= REAL): 32-bit. After the older variants, so that state written before it
    /// existed still decodes.
    Float(F32),
    /// ARRAY: the elements in order (NULL elements allowed).
    Array(Arc<[Value]>),
    /// MAP: the entries with distinct keys, in the order their keys were first given.
    Map(Arc<[(Value, Value)]>),
    /// TIME(p): milliseconds since midnight (0..86 400 000).
    Time(i32),
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

    /// A FLOAT value.
    pub fn float(v: f32) -> Value {
        Value::Float(F32::new(v))
    }

    /// An ARRAY value.
    pub fn array(elements: Vec<Value>) -> Value {
        Value::Array(Arc::from(elements))
    }

    /// A MAP value from entries in order; a repeated key keeps its first place and its last
    /// value (Flink's `MAP['a', 1, 'a', 2]` is `{a=2}`).
    pub fn map(entries: Vec<(Value, Value)>) -> Value {
        let mut out: Vec<(Value, Value)> = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            match out.iter_mut().find(|(seen, _)| *seen == k) {
                Some(slot) => slot.1 = v,
                None => out.push((k, v)),
            }
        }
        Value::Map(Arc::from(out))
    }

    /// The elements of an ARRAY.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The entries of a MAP.
    pub fn as_map(&self) -> Option<&[(Value, Value)]> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
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

    /// A date-time as ISO text with its seconds and no zone (`2023-11-14T22:13:00`), a time
    /// of day with its shortest fraction (`12:34:56.5`): as JSON and SQL text write them, not
    /// as rows print them (see the display). `None` for other values.
    pub fn iso_temporal_text(&self) -> Option<String> {
        match self {
            Value::Timestamp(ms) | Value::TimestampLtz(ms) => Some(temporal::format_timestamp(*ms)),
            Value::Time(ms) => Some(temporal::format_time(*ms)),
            _ => None,
        }
    }

    /// The integer behind INT, BIGINT, DATE, TIME, TIMESTAMP*, INTERVAL values.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(v) | Value::Date(v) | Value::IntervalYearMonth(v) | Value::Time(v) => Some(i64::from(*v)),
            Value::BigInt(v) | Value::Timestamp(v) | Value::TimestampLtz(v) | Value::IntervalDayTime(v) => Some(*v),
            _ => None,
        }
    }

    /// The number as a double, for any numeric value.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(v) => Some(f64::from(*v)),
            Value::BigInt(v) => Some(*v as f64),
            Value::Float(v) => Some(f64::from(v.get())),
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
            Value::Float(_) => DataType::Float,
            Value::Double(_) => DataType::Double,
            Value::Decimal(d) => DataType::Decimal { precision: d.precision(), scale: d.scale },
            Value::String(_) => DataType::String,
            Value::Bytes(_) => DataType::Bytes,
            Value::Date(_) => DataType::Date,
            Value::Timestamp(_) => DataType::Timestamp,
            Value::TimestampLtz(_) => DataType::TimestampLtz,
            Value::IntervalDayTime(_) => DataType::IntervalDayTime,
            Value::IntervalYearMonth(_) => DataType::IntervalYearMonth,
            Value::Time(ms) => DataType::Time(if ms % 1000 == 0 { 0 } else { 3 }),
            Value::Array(a) => DataType::array(a.iter().map(Value::data_type).find(|t| *t != DataType::Null).unwrap_or(DataType::Null)),
            Value::Map(m) => {
                let first = |f: fn(&(Value, Value)) -> &Value| m.iter().map(|e| f(e).data_type()).find(|t| *t != DataType::Null).unwrap_or(DataType::Null);
                DataType::map(first(|e| &e.0), first(|e| &e.1))
            }
        }
    }
}

/// Java's `Double.toString`, which Flink uses to print DOUBLE: `1.0`, `0.1`, `1.0E7`, `1.0E-4`.
pub fn format_double(v: f64) -> String {
    java_float_text(v)
}

/// Java's `Float.toString`, which Flink uses to print FLOAT: the shortest digits that read back
/// as the same 32-bit float (`86.399994`, `130.1`, `1.0E-5`), as Java 19 and later print them
/// (Java 18 and earlier print one digit too many for some floats: `1.23456794E8`).
pub fn format_float(v: f32) -> String {
    java_float_text(v)
}

/// Java's text of a float (JDK 19's `Double.toString`/`Float.toString`): the shortest digits
/// that read back as `v`, or the closer of two digits when one would do (`Float.MIN_VALUE` is
/// `1.4E-45`); plain for magnitudes in `[1e-3, 1e7)` (and zero), computerized scientific
/// notation otherwise; always with a fraction digit.
fn java_float_text<T>(v: T) -> String
where
    T: Copy + PartialEq + fmt::Display + fmt::UpperExp + std::str::FromStr + Into<f64>,
{
    let wide: f64 = v.into();
    if wide.is_nan() {
        return "NaN".into();
    }
    if wide.is_infinite() {
        return if wide > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    let abs = wide.abs();
    let plain = format!("{v}");
    let mut sci = format!("{v:E}");
    if !sci.contains('.') && abs != 0.0 {
        let two = format!("{v:.1E}");
        if two.parse::<T>().ok() == Some(v) {
            sci = two;
        }
    }
    if abs == 0.0 || (1e-3..1e7).contains(&abs) {
        if plain.contains('.') { plain } else { format!("{plain}.0") }
    } else {
        let (mant, exp) = sci.split_once('E').unwrap_or((&sci, "0"));
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
            Value::Float(v) => f.write_str(&format_float(v.get())),
            Value::Double(v) => f.write_str(&format_double(v.get())),
            Value::Decimal(d) => write!(f, "{d}"),
            Value::String(s) => f.write_str(s),
            // As Flink prints a `byte[]`: Java's signed bytes in brackets, `[97, -1]`.
            Value::Bytes(b) => {
                f.write_str("[")?;
                for (i, byte) in b.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", *byte as i8)?;
                }
                f.write_str("]")
            }
            Value::Date(d) => f.write_str(&temporal::format_date(*d)),
            // As Flink prints rows: a local date-time as Java's `LocalDateTime`, an instant as
            // Java's `Instant` (seconds always, a `Z`), a time of day as `LocalTime`.
            Value::Timestamp(ms) => f.write_str(&temporal::java_local_date_time(*ms)),
            Value::TimestampLtz(ms) => write!(f, "{}Z", temporal::format_timestamp(*ms)),
            Value::IntervalDayTime(ms) => f.write_str(&temporal::format_interval_day_time(*ms)),
            Value::IntervalYearMonth(m) => f.write_str(&temporal::format_interval_year_month(*m)),
            Value::Time(ms) => f.write_str(&temporal::java_local_time(*ms)),
            Value::Array(_) | Value::Map(_) => f.write_str(&format_collection(self, "null")),
        }
    }
}

/// An ARRAY as `[1, null, 3]` and a MAP as `{a=1, b=null}`, as Flink prints them: elements in
/// their own printed form (strings unquoted), a NULL element as `null_text` (`null` in the
/// print connector's rows, `NULL` in `CAST(.. AS STRING)`), a MAP's entries in the order of
/// the Java hash map Flink prints it from (see `java_hash`). Other values print as usual.
pub fn format_collection(value: &Value, null_text: &str) -> String {
    let mut out = String::new();
    write_collection(value, null_text, &mut out);
    out
}

fn write_collection(value: &Value, null_text: &str, out: &mut String) {
    use std::fmt::Write;
    match value {
        Value::Null => out.push_str(null_text),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_collection(item, null_text, out);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            let order = super::java_hash::print_order(entries).unwrap_or_else(|| (0..entries.len()).collect());
            for (i, (k, v)) in order.into_iter().filter_map(|i| entries.get(i)).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_collection(k, null_text, out);
                out.push('=');
                write_collection(v, null_text, out);
            }
            out.push('}');
        }
        other => {
            let _ = write!(out, "{other}");
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
    fn floats_print_like_java() {
        assert_eq!(format_float(86.399994), "86.399994");
        assert_eq!(format_float(110.1 + 20.0), "130.1");
        assert_eq!(format_float(1e-5), "1.0E-5");
        assert_eq!(format_float(1e7), "1.0E7");
        assert_eq!(format_float(0.1), "0.1");
        assert_eq!(format_float(-0.0), "-0.0");
        assert_eq!(format_float(f32::INFINITY), "Infinity");
        assert_eq!(format_float(f32::NAN), "NaN");
        assert_eq!(format_float(f32::from_bits(1)), "1.4E-45", "Float.MIN_VALUE");
        assert_eq!(format_float(f32::MAX), "3.4028235E38");
        assert_eq!(format_float(123_456_789.0), "1.2345679E8");
        assert_eq!(format_double(f64::from_bits(1)), "4.9E-324", "Double.MIN_VALUE");
        assert_eq!(Value::float(0.1).to_string(), "0.1");
        assert_eq!(Value::float(-0.0), Value::float(0.0));
        assert!(Value::float(f32::NAN) > Value::float(f32::INFINITY));
    }

    #[test]
    fn collections_print_like_flink() {
        let a = Value::array(vec![Value::Int(1), Value::Null, Value::string("x")]);
        assert_eq!(a.to_string(), "[1, null, x]");
        assert_eq!(format_collection(&a, "NULL"), "[1, NULL, x]");
        let m = Value::map(vec![(Value::string("a"), Value::Int(1)), (Value::string("b"), Value::Null), (Value::string("a"), Value::Int(2))]);
        assert_eq!(m.to_string(), "{a=2, b=null}");
        assert_eq!(Value::array(vec![a.clone(), Value::array(vec![])]).to_string(), "[[1, null, x], []]");
        assert!(Value::array(vec![Value::Int(1)]) < Value::array(vec![Value::Int(1), Value::Int(0)]));
    }

    #[test]
    fn null_sorts_first_and_floats_are_total() {
        assert!(Value::Null < Value::Int(i32::MIN));
        assert_eq!(Value::double(-0.0), Value::double(0.0));
        assert_eq!(Value::double(-0.0).to_string(), "-0.0", "the sign of zero prints");
        assert!(Value::double(f64::NAN) > Value::double(f64::INFINITY));
    }
}
