//! How `datagen` makes the value of one column for one row: a sequence or a random value drawn
//! from a generator seeded by the row index, so a row's values do not depend on which worker
//! makes it.

use std::sync::Arc;

use crate::connectors::options::{bad_value, parse_bool, parse_opt};
use crate::connectors::{ConnectorError, Options};
use crate::types::{DataType, Decimal, Field, Value, pow10};

/// The option suffixes of `fields.<f>.*` that `datagen` knows.
pub const FIELD_OPTIONS: &[&str] = &["kind", "start", "end", "min", "max", "length", "var-len", "null-rate", "max-past"];

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const MILLIS_PER_DAY: i64 = 86_400_000;

/// A small deterministic generator (SplitMix64). Owned here rather than taken from `rand`,
/// whose small generators may change between versions: datagen output must be reproducible.
pub struct ValueRng(u64);

impl ValueRng {
    /// The generator for column `field` of global row `row`.
    pub fn for_value(row: u64, field: usize) -> ValueRng {
        let mut seed = ValueRng(row.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ (field as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        ValueRng(seed.next_u64())
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `[0, n)`; any `u64` when `n` is 0 (the full range).
    pub fn below(&mut self, n: u64) -> u64 {
        let x = self.next_u64();
        if n == 0 { x } else { ((u128::from(x) * u128::from(n)) >> 64) as u64 }
    }

    /// A number in `[lo, hi]` (`lo <= hi`).
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (hi.wrapping_sub(lo) as u64).wrapping_add(1);
        lo.wrapping_add(self.below(span) as i64)
    }

    /// A float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// How one column is generated.
#[derive(Clone, Debug)]
pub struct FieldGen {
    data_type: DataType,
    null_rate: f64,
    kind: Kind,
}

#[derive(Clone, Debug)]
enum Kind {
    /// `start + row`, for `row` below `end - start + 1`.
    Sequence { start: i64, end: i64 },
    /// Integers (and intervals, dates as days) in `[min, max]`.
    Integer { min: i64, max: i64 },
    /// Doubles (and floats, and decimals rounded to their scale) in `[min, max]`.
    Float { min: f64, max: f64 },
    /// Strings or bytes of `length` characters (1..=length when `var_len`).
    Text { length: usize, var_len: bool },
    /// `TRUE` or `FALSE`.
    Boolean,
    /// Instants up to `max_past` ms before the source's reference time.
    Time { max_past: i64 },
    /// Always NULL (the NULL type).
    Null,
}

impl FieldGen {
    /// Reads the `fields.<name>.*` options of `field`.
    pub fn from_options(field: &Field, options: &Options) -> Result<FieldGen, ConnectorError> {
        let key = |suffix: &str| format!("fields.{}.{suffix}", field.name);
        let given: Vec<&str> = FIELD_OPTIONS.iter().copied().filter(|s| options.contains_key(&key(s))).collect();
        let kind_text = options.get(&key("kind")).map(|k| k.trim().to_ascii_lowercase());
        let (kind, applicable): (Kind, &[&str]) = match kind_text.as_deref() {
            Some("sequence") => (sequence(field, options, &key)?, &["kind", "start", "end", "null-rate"]),
            None | Some("random") => random(field, options, &key)?,
            Some(other) => return Err(bad_value(&key("kind"), other, "'sequence' or 'random'")),
        };
        if let Some(extra) = given.iter().find(|s| !applicable.contains(s)) {
            let kind_name = if matches!(kind, Kind::Sequence { .. }) { "sequence" } else { "random" };
            return Err(ConnectorError::option(
                &key(extra),
                format!(
                    "option '{}' does not apply to a {kind_name} {} column; options that do: {}",
                    key(extra),
                    field.data_type,
                    applicable.iter().map(|s| key(s)).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        let null_rate = parse_opt::<f64>(options, &key("null-rate"), "a number between 0 and 1")?.unwrap_or(0.0);
        if !(0.0..=1.0).contains(&null_rate) {
            return Err(bad_value(&key("null-rate"), &null_rate.to_string(), "a number between 0 and 1"));
        }
        if null_rate > 0.0 && !field.nullable {
            return Err(ConnectorError::option(&key("null-rate"), format!("column '{}' is NOT NULL; it cannot have a null-rate", field.name)));
        }
        Ok(FieldGen { data_type: field.data_type, null_rate, kind })
    }

    /// How many rows the sequence has, when this column is a sequence.
    pub fn sequence_len(&self) -> Option<u64> {
        match self.kind {
            Kind::Sequence { start, end } => Some((end.wrapping_sub(start) as u64).saturating_add(1)),
            _ => None,
        }
    }

    /// The value of this column (index `field`) in global row `row`; `now_ms` is the reference
    /// time of random timestamps.
    pub fn value(&self, row: u64, field: usize, now_ms: i64) -> Value {
        if let Kind::Sequence { start, .. } = self.kind {
            return self.sequence_value(start.wrapping_add(row as i64));
        }
        let mut rng = ValueRng::for_value(row, field);
        if self.null_rate > 0.0 && rng.unit() < self.null_rate {
            return Value::Null;
        }
        match (&self.kind, self.data_type) {
            (Kind::Integer { min, max }, t) => {
                let v = rng.between(*min, *max);
                match t {
                    DataType::Int => Value::Int(v as i32),
                    DataType::IntervalYearMonth => Value::IntervalYearMonth(v as i32),
                    DataType::IntervalDayTime => Value::IntervalDayTime(v),
                    _ => Value::BigInt(v),
                }
            }
            (Kind::Float { min, max }, t) => {
                let v = min + rng.unit() * (max - min);
                match t {
                    DataType::Decimal { precision, scale } => decimal_within(v, precision, scale),
                    DataType::Float => Value::float(v as f32),
                    _ => Value::double(v),
                }
            }
            (Kind::Text { length, var_len }, t) => {
                let len = if *var_len { 1 + rng.below(*length as u64) as usize } else { *length };
                if t == DataType::Bytes {
                    let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
                    Value::Bytes(Arc::from(bytes))
                } else {
                    let text: String = (0..len).map(|_| char::from(ALPHANUMERIC[rng.below(ALPHANUMERIC.len() as u64) as usize])).collect();
                    Value::String(Arc::from(text))
                }
            }
            (Kind::Boolean, _) => Value::Boolean(rng.next_u64() & 1 == 1),
            (Kind::Time { max_past }, t) => {
                let ms = now_ms.saturating_sub(rng.between(0, *max_past));
                match t {
                    DataType::Date => Value::Date(ms.div_euclid(MILLIS_PER_DAY) as i32),
                    DataType::TimestampLtz => Value::TimestampLtz(ms),
                    _ => Value::Timestamp(ms),
                }
            }
            (Kind::Null | Kind::Sequence { .. }, _) => Value::Null,
        }
    }

    fn sequence_value(&self, v: i64) -> Value {
        match self.data_type {
            DataType::Int => Value::Int(v as i32),
            DataType::Double => Value::double(v as f64),
            DataType::Float => Value::float(v as f32),
            DataType::Decimal { scale, .. } => i128::from(v).checked_mul(pow10(scale)).map_or(Value::Null, |m| Value::Decimal(Decimal::new(m, scale))),
            DataType::String => Value::String(Arc::from(v.to_string())),
            _ => Value::BigInt(v),
        }
    }
}

fn sequence(field: &Field, options: &Options, key: &dyn Fn(&str) -> String) -> Result<Kind, ConnectorError> {
    let (lo, hi) = match field.data_type {
        DataType::Int => (i64::from(i32::MIN), i64::from(i32::MAX)),
        DataType::BigInt | DataType::String | DataType::Float | DataType::Double => (i64::MIN, i64::MAX),
        DataType::Decimal { precision, scale } => {
            let limit = i64::try_from(pow10(precision.saturating_sub(scale)) - 1).unwrap_or(i64::MAX);
            (-limit, limit)
        }
        other => {
            return Err(ConnectorError::option(
                &key("kind"),
                format!("column '{}' has type {other}; kind 'sequence' supports INT, BIGINT, FLOAT, DOUBLE, DECIMAL and STRING", field.name),
            ));
        }
    };
    let what = format!("an integer between {lo} and {hi}");
    let bound = |suffix: &str| -> Result<i64, ConnectorError> {
        let v = parse_opt::<i64>(options, &key(suffix), &what)?
            .ok_or_else(|| ConnectorError::option(&key(suffix), format!("column '{}' is a sequence: option '{}' is required", field.name, key(suffix))))?;
        if v < lo || v > hi { Err(bad_value(&key(suffix), &v.to_string(), &what)) } else { Ok(v) }
    };
    let (start, end) = (bound("start")?, bound("end")?);
    if start > end {
        return Err(ConnectorError::option(&key("end"), format!("sequence of column '{}' ends ({end}) before it starts ({start})", field.name)));
    }
    Ok(Kind::Sequence { start, end })
}

type RandomKind = (Kind, &'static [&'static str]);

fn random(field: &Field, options: &Options, key: &dyn Fn(&str) -> String) -> Result<RandomKind, ConnectorError> {
    const NUMBER: &[&str] = &["kind", "min", "max", "null-rate"];
    Ok(match field.data_type {
        DataType::Int => (integer_range(options, key, i64::from(i32::MIN), i64::from(i32::MAX))?, NUMBER),
        DataType::BigInt => (integer_range(options, key, i64::MIN, i64::MAX)?, NUMBER),
        DataType::IntervalYearMonth => (integer_range(options, key, 0, 1200)?, NUMBER),
        DataType::IntervalDayTime => (integer_range(options, key, 0, MILLIS_PER_DAY)?, NUMBER),
        DataType::Float | DataType::Double => (float_range(options, key, 0.0, 1.0)?, NUMBER),
        DataType::Decimal { precision, scale } => {
            let limit = (pow10(precision.saturating_sub(scale)) as f64) - 1.0 / pow10(scale) as f64;
            (float_range(options, key, 0.0, limit)?, NUMBER)
        }
        DataType::String | DataType::Bytes => {
            let length = parse_opt::<usize>(options, &key("length"), "a positive integer")?.unwrap_or(100);
            if length == 0 || length > 1 << 20 {
                return Err(bad_value(&key("length"), &length.to_string(), "a positive integer up to 1048576"));
            }
            let var_len = parse_bool(options, &key("var-len"), false)?;
            (Kind::Text { length, var_len }, &["kind", "length", "var-len", "null-rate"])
        }
        DataType::Boolean => (Kind::Boolean, &["kind", "null-rate"]),
        DataType::Date | DataType::Timestamp | DataType::TimestampLtz => {
            let max_past = parse_opt::<i64>(options, &key("max-past"), "a non-negative number of milliseconds")?.unwrap_or(0);
            if max_past < 0 {
                return Err(bad_value(&key("max-past"), &max_past.to_string(), "a non-negative number of milliseconds"));
            }
            (Kind::Time { max_past }, &["kind", "max-past", "null-rate"])
        }
        DataType::Null => (Kind::Null, &["kind"]),
        DataType::Array(_) | DataType::Map(_) | DataType::Multiset(_) | DataType::Time(_) => {
            return Err(ConnectorError::option(&key("kind"), format!("column '{}': datagen does not generate {} values", field.name, field.data_type)));
        }
    })
}

fn integer_range(options: &Options, key: &dyn Fn(&str) -> String, lo: i64, hi: i64) -> Result<Kind, ConnectorError> {
    let what = format!("an integer between {lo} and {hi}");
    let get = |suffix: &str, default: i64| -> Result<i64, ConnectorError> {
        let v = parse_opt::<i64>(options, &key(suffix), &what)?.unwrap_or(default);
        if v < lo || v > hi { Err(bad_value(&key(suffix), &v.to_string(), &what)) } else { Ok(v) }
    };
    let (min, max) = (get("min", lo)?, get("max", hi)?);
    if min > max {
        return Err(ConnectorError::option(&key("max"), format!("'{}' ({max}) is below '{}' ({min})", key("max"), key("min"))));
    }
    Ok(Kind::Integer { min, max })
}

fn float_range(options: &Options, key: &dyn Fn(&str) -> String, lo: f64, hi: f64) -> Result<Kind, ConnectorError> {
    let get = |suffix: &str, default: f64| -> Result<f64, ConnectorError> {
        let v = parse_opt::<f64>(options, &key(suffix), "a finite number")?.unwrap_or(default);
        if v.is_finite() { Ok(v) } else { Err(bad_value(&key(suffix), &v.to_string(), "a finite number")) }
    };
    let (min, max) = (get("min", lo)?, get("max", hi)?);
    if min > max {
        return Err(ConnectorError::option(&key("max"), format!("'{}' ({max}) is below '{}' ({min})", key("max"), key("min"))));
    }
    Ok(Kind::Float { min, max })
}

/// `v` as a DECIMAL(precision, scale), clamped to the largest magnitude the type holds.
fn decimal_within(v: f64, precision: u8, scale: u8) -> Value {
    let limit = pow10(precision) - 1;
    match Decimal::from_f64(v, scale) {
        Some(d) if d.mantissa.abs() <= limit => Value::Decimal(d),
        _ => Value::Decimal(Decimal::new(if v < 0.0 { -limit } else { limit }, scale)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_ranges_hold() {
        let mut rng = ValueRng::for_value(7, 1);
        for _ in 0..1000 {
            let v = rng.between(-3, 5);
            assert!((-3..=5).contains(&v));
            let u = rng.unit();
            assert!((0.0..1.0).contains(&u));
        }
        let full = rng.between(i64::MIN, i64::MAX);
        let _ = full;
    }

    #[test]
    fn decimals_stay_within_precision() {
        assert_eq!(decimal_within(123.456, 5, 2).to_string(), "123.46");
        assert_eq!(decimal_within(1e9, 5, 2).to_string(), "999.99");
    }
}
