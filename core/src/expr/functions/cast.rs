//! `CAST` and `TRY_CAST`: the conversion between each sensible pair of types, chosen once at
//! bind time.
//!
//! Numbers convert as Java does (narrowing integers wraps, FLOAT and DOUBLE to integer truncate
//! and saturate, NaN becomes 0, integers and DOUBLE to FLOAT round to the nearest float, a FLOAT
//! widens exactly to DOUBLE and to DECIMAL through that DOUBLE's text, as Flink's
//! `BigDecimal.valueOf((double) f)`); a value that does not fit a DECIMAL becomes NULL (as in Flink);
//! anything converts to STRING; STRING converts to anything by parsing it; DATE, TIMESTAMP and
//! TIMESTAMP_LTZ convert among themselves (TIMESTAMP_LTZ in the session zone). BIGINT to
//! TIMESTAMP is refused, as in Flink: use `TO_TIMESTAMP_LTZ`. A failing CAST is an error naming
//! the value and the type; TRY_CAST gives NULL instead.

use std::sync::Arc;

use crate::types::{DataType, Decimal, Value, parse_value, temporal};

use super::super::bound::{BoundExpr, Fn1, Kernel};
use super::super::error::EvalError;
use super::super::error::ExprError;
use super::super::native::NativeOp;
use super::super::zone::SessionZone;
use super::arithmetic::fits_precision;
use super::{string_value, unexpected};

const MS_PER_DAY: i64 = 86_400_000;

/// Binds `CAST(expr AS target)` (or `TRY_CAST` when `try_cast`).
pub(crate) fn bind_cast(expr: BoundExpr, target: DataType, try_cast: bool, zone: &SessionZone) -> Result<BoundExpr, ExprError> {
    let from = expr.data_type();
    if from == target {
        return Ok(expr);
    }
    if from == DataType::Null {
        return Ok(BoundExpr::literal(Value::Null, target));
    }
    if target == DataType::Null {
        return Err(ExprError::new("", format!("cannot cast {from} to NULL")));
    }
    let precision = if target == DataType::String { super::narrow::printed_precision(&expr) } else { 3 };
    let (f, may_be_null) = conversion(from, target, *zone, precision).map_err(|m| ExprError::new("", m))?;
    let nullable = expr.nullable() || may_be_null || try_cast;
    // A literal that converts is converted now, so it stays a literal (e.g. ROUND's digits);
    // one that fails keeps failing per row (or gives NULL for TRY_CAST).
    if let Some(Ok(v)) = expr.as_literal().map(|v| f(v.clone())) {
        return Ok(BoundExpr::literal(v, target));
    }
    let (name, kernel) =
        if try_cast { ("TRY_CAST", Kernel::Strict1(Arc::new(move |v| Ok(f(v).unwrap_or(Value::Null))))) } else { ("CAST", Kernel::Strict1(f)) };
    let call = BoundExpr::call(name, vec![expr], kernel, target, nullable);
    let native_number = |t: DataType| matches!(t, DataType::Int | DataType::BigInt | DataType::Double | DataType::Decimal { .. });
    Ok(if !try_cast && native_number(from) && native_number(target) { call.with_native(NativeOp::Cast) } else { call })
}

/// The conversion function from `from` to `to`, and whether it can yield NULL from a value.
fn conversion(from: DataType, to: DataType, zone: SessionZone, precision: u8) -> Result<(Fn1, bool), String> {
    use DataType as T;
    Ok(match (from, to) {
        (_, T::String) => (to_string(from, zone, precision), false),
        (T::String, T::Array(_) | T::Map(_)) => return Err(format!("cannot cast {from} to {to}")),
        (T::String, _) => (from_string(to, zone), false),
        (a, b) if a.is_numeric() && b.is_numeric() => (numeric(b), matches!(b, T::Decimal { .. })),
        (T::Boolean, b) if b.is_numeric() => {
            let one = numeric(b);
            (
                Arc::new(move |v| match v {
                    Value::Boolean(x) => one(Value::Int(i32::from(x))),
                    other => Err(unexpected(&other)),
                }),
                false,
            )
        }
        (a, T::Boolean) if a.is_numeric() => (
            Arc::new(|v: Value| match v.as_f64() {
                Some(x) => Ok(Value::Boolean(x != 0.0)),
                None => Err(unexpected(&v)),
            }),
            false,
        ),
        (T::Date | T::Timestamp | T::TimestampLtz, T::Date | T::Timestamp | T::TimestampLtz) => (temporal_conversion(to, zone), false),
        (T::Time(_), T::Time(p)) => (time_precision(p), false),
        (T::Timestamp | T::TimestampLtz, T::Time(p)) => {
            let to_ts = temporal_conversion(T::Timestamp, zone);
            (
                Arc::new(move |v| match to_ts(v)? {
                    Value::Timestamp(ms) => Ok(Value::Time(temporal::truncate_time(ms.rem_euclid(MS_PER_DAY) as i32, p))),
                    other => Err(unexpected(&other)),
                }),
                false,
            )
        }
        (T::Time(_), T::Timestamp | T::TimestampLtz) => {
            let from_ts = temporal_conversion(to, zone);
            (
                Arc::new(move |v| match v {
                    Value::Time(ms) => from_ts(Value::Timestamp(i64::from(ms))),
                    other => Err(unexpected(&other)),
                }),
                false,
            )
        }
        (T::Array(a), T::Array(b)) => (elementwise(conversion_or_same(*a, *b, zone)?), false),
        (T::Map(a), T::Map(b)) => (entrywise(conversion_or_same(a.0, b.0, zone)?, conversion_or_same(a.1, b.1, zone)?), false),
        (a, b) if a.is_numeric() && b.is_timestamp() => {
            return Err(format!(
                "cannot cast {a} to {b}; use TO_TIMESTAMP_LTZ(value, 0) for epoch seconds or TO_TIMESTAMP_LTZ(value, 3) for epoch milliseconds"
            ));
        }
        (T::Bytes, _) | (_, T::Bytes) | (_, _) => return Err(format!("cannot cast {from} to {to}")),
    })
}

/// TIME(p) to TIME(q): the milliseconds cut to q fraction digits.
fn time_precision(p: u8) -> Fn1 {
    Arc::new(move |v| match v {
        Value::Time(ms) => Ok(Value::Time(temporal::truncate_time(ms, p))),
        other => Err(unexpected(&other)),
    })
}

/// The conversion from `from` to `to`, the identity when they are the same type.
fn conversion_or_same(from: DataType, to: DataType, zone: SessionZone) -> Result<Fn1, String> {
    if from == to || from == DataType::Null {
        return Ok(Arc::new(Ok));
    }
    Ok(conversion(from, to, zone, 3)?.0)
}

/// An ARRAY conversion: `f` applied to each non-NULL element.
fn elementwise(f: Fn1) -> Fn1 {
    Arc::new(move |v| match v {
        Value::Array(items) => {
            let out: Result<Vec<Value>, EvalError> = items.iter().map(|x| if x.is_null() { Ok(Value::Null) } else { f(x.clone()) }).collect();
            Ok(Value::array(out?))
        }
        other => Err(unexpected(&other)),
    })
}

/// A MAP conversion: `key` and `value` applied to each non-NULL key and value.
fn entrywise(key: Fn1, value: Fn1) -> Fn1 {
    let apply = |f: &Fn1, x: &Value| if x.is_null() { Ok(Value::Null) } else { f(x.clone()) };
    Arc::new(move |v| match v {
        Value::Map(entries) => {
            let out: Result<Vec<(Value, Value)>, EvalError> = entries.iter().map(|(k, x)| Ok((apply(&key, k)?, apply(&value, x)?))).collect();
            Ok(Value::map(out?))
        }
        other => Err(unexpected(&other)),
    })
}

/// `cannot cast "abc" to INT`.
pub(crate) fn cast_error(v: &Value, to: DataType) -> EvalError {
    match v {
        Value::String(s) => EvalError::new(format!("cannot cast \"{s}\" to {to}")),
        other => EvalError::new(format!("cannot cast {other} to {to}")),
    }
}

/// The SQL text of a value as CAST(.. AS STRING) gives it: TIMESTAMP as
/// `2023-11-14 22:13:20.123` with `precision` (0..=3) fraction digits, as Flink prints a
/// TIMESTAMP(p); TIMESTAMP_LTZ the same in the session zone; BOOLEAN as `TRUE`/`FALSE`; BYTES
/// decoded as UTF-8; everything else as [`Value`]'s display.
pub(crate) fn text_with_precision(v: &Value, zone: SessionZone, precision: u8) -> String {
    match v {
        Value::Timestamp(ms) => timestamp_text(*ms, precision),
        Value::TimestampLtz(ms) => timestamp_text(zone.to_local(*ms), precision),
        Value::Boolean(true) => "TRUE".to_string(),
        Value::Boolean(false) => "FALSE".to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Value::Time(ms) => temporal::format_time(*ms),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(|x| element_text(x, zone)).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Map(entries) => {
            let parts: Vec<String> = entries.iter().map(|(k, x)| format!("{}={}", element_text(k, zone), element_text(x, zone))).collect();
            format!("{{{}}}", parts.join(", "))
        }
        other => other.to_string(),
    }
}

/// An element of an ARRAY or MAP in `CAST(.. AS STRING)`: as the element itself casts, NULL
/// as `NULL` (Flink's `ArrayToStringCastRule`).
fn element_text(v: &Value, zone: SessionZone) -> String {
    if v.is_null() { "NULL".to_string() } else { text_with_precision(v, zone, 3) }
}

/// `2023-11-14 22:13:20.123` with exactly `precision` fraction digits.
fn timestamp_text(local_ms: i64, precision: u8) -> String {
    let Some(dt) = temporal::datetime_from_millis(local_ms) else { return format!("<timestamp {local_ms}>") };
    let text = dt.format("%Y-%m-%d %H:%M:%S%.3f").to_string();
    let cut = text.len() - usize::from(3 - precision.min(3)) - usize::from(precision == 0);
    text[..cut].to_string()
}

fn to_string(from: DataType, zone: SessionZone, precision: u8) -> Fn1 {
    if from == DataType::String {
        return Arc::new(Ok);
    }
    Arc::new(move |v| Ok(string_value(text_with_precision(&v, zone, precision))))
}

fn from_string(to: DataType, zone: SessionZone) -> Fn1 {
    Arc::new(move |v| {
        let Value::String(s) = &v else { return Err(unexpected(&v)) };
        let fail = || cast_error(&v, to);
        match to {
            DataType::Boolean => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "t" | "yes" | "y" | "1" => Ok(Value::Boolean(true)),
                "false" | "f" | "no" | "n" | "0" => Ok(Value::Boolean(false)),
                _ => Err(fail()),
            },
            // Flink reads `yyyy-MM-dd[ HH:mm[:ss[.SSS]]]`: ISO's `T` separator is not a SQL timestamp.
            DataType::Date | DataType::Timestamp | DataType::TimestampLtz if s.contains(['T', 't']) => Err(fail()),
            DataType::TimestampLtz => match parse_value(s, &DataType::Timestamp) {
                Ok(Value::Timestamp(local)) => Ok(Value::TimestampLtz(zone.to_instant(local))),
                _ => Err(fail()),
            },
            DataType::Int => parse_integer(s).and_then(|i| i32::try_from(i).ok()).map(Value::Int).ok_or_else(fail),
            DataType::BigInt => parse_integer(s).map(Value::BigInt).ok_or_else(fail),
            _ => parse_value(s, &to).map_err(|_| fail()),
        }
    })
}

/// Reads an integer as Flink's STRING to integer cast does: surrounding spaces, an optional
/// sign, digits, and an optional fraction of digits that is dropped (`'3.7'` is 3, `'-3.7'` is
/// -3). `None` when the text is not such a number or does not fit 64 bits.
pub(crate) fn parse_integer(text: &str) -> Option<i64> {
    let t = text.trim();
    let (whole, fraction) = t.split_once('.').unwrap_or((t, ""));
    let digits = whole.strip_prefix(['+', '-']).unwrap_or(whole);
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(digits) || !all_digits(fraction) || (digits.is_empty() && fraction.is_empty()) {
        return None;
    }
    if digits.is_empty() { Some(0) } else { whole.parse().ok() }
}

/// Conversion of any numeric value to the numeric type `to`.
fn numeric(to: DataType) -> Fn1 {
    match to {
        DataType::Int => Arc::new(|v| match v {
            Value::BigInt(x) => Ok(Value::Int(x as i32)),
            Value::Double(x) => Ok(Value::Int(x.get() as i32)),
            Value::Float(x) => Ok(Value::Int(x.get() as i32)),
            Value::Decimal(d) => Ok(Value::Int(d.trunc_to_i128() as i64 as i32)),
            Value::Int(_) => Ok(v),
            other => Err(unexpected(&other)),
        }),
        DataType::BigInt => Arc::new(|v| match v {
            Value::Int(x) => Ok(Value::BigInt(i64::from(x))),
            Value::Double(x) => Ok(Value::BigInt(x.get() as i64)),
            Value::Float(x) => Ok(Value::BigInt(x.get() as i64)),
            Value::Decimal(d) => Ok(Value::BigInt(d.trunc_to_i128() as i64)),
            Value::BigInt(_) => Ok(v),
            other => Err(unexpected(&other)),
        }),
        DataType::Double => Arc::new(|v| match v.as_f64() {
            Some(x) => Ok(Value::double(x)),
            None => Err(unexpected(&v)),
        }),
        DataType::Float => Arc::new(|v| match v {
            Value::Int(x) => Ok(Value::float(x as f32)),
            Value::BigInt(x) => Ok(Value::float(x as f32)),
            Value::Double(x) => Ok(Value::float(x.get() as f32)),
            Value::Decimal(d) => Ok(Value::float(d.to_f64() as f32)),
            Value::Float(_) => Ok(v),
            other => Err(unexpected(&other)),
        }),
        DataType::Decimal { precision, scale } => Arc::new(move |v| {
            let d = match &v {
                Value::Int(x) => Some(Decimal::new(i128::from(*x), 0)),
                Value::BigInt(x) => Some(Decimal::new(i128::from(*x), 0)),
                Value::Double(x) => decimal_of_double(x.get(), scale),
                Value::Float(x) => decimal_of_double(f64::from(x.get()), scale),
                Value::Decimal(d) => Some(*d),
                other => return Err(unexpected(other)),
            };
            Ok(to_decimal(d, precision, scale))
        }),
        _ => Arc::new(|v| Err(unexpected(&v))),
    }
}

/// `d` at `scale` if it fits DECIMAL(precision, scale), else NULL (Flink's overflow result).
pub(crate) fn to_decimal(d: Option<Decimal>, precision: u8, scale: u8) -> Value {
    fit_decimal(d, precision, scale).map_or(Value::Null, Value::Decimal)
}

/// `d` at `scale` if it fits DECIMAL(precision, scale), else `None`.
pub(crate) fn fit_decimal(d: Option<Decimal>, precision: u8, scale: u8) -> Option<Decimal> {
    d.and_then(|d| d.rescale(scale)).filter(|d| fits_precision(*d, precision))
}

/// The decimal a double prints as (Java's `BigDecimal.valueOf(double)`), or `None` when not
/// finite or too large.
pub(crate) fn decimal_of_double(x: f64, scale: u8) -> Option<Decimal> {
    if !x.is_finite() {
        return None;
    }
    if x.abs() < 1e-20 {
        return Decimal::from_f64(x, scale);
    }
    Decimal::parse(&format!("{x}"))
}

fn temporal_conversion(to: DataType, zone: SessionZone) -> Fn1 {
    Arc::new(move |v| {
        // Everything goes through wall-clock milliseconds.
        let local = match &v {
            Value::Date(d) => i64::from(*d) * MS_PER_DAY,
            Value::Timestamp(ms) => *ms,
            Value::TimestampLtz(ms) => zone.to_local(*ms),
            other => return Err(unexpected(other)),
        };
        Ok(match to {
            DataType::Date => Value::Date(i32::try_from(local.div_euclid(MS_PER_DAY)).map_err(|_| cast_error(&v, to))?),
            DataType::Timestamp => Value::Timestamp(local),
            _ => Value::TimestampLtz(zone.to_instant(local)),
        })
    })
}
