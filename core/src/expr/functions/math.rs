//! Numeric functions: `ABS`, `ROUND`, `TRUNCATE`, `FLOOR`, `CEIL`, `POWER`, `SQRT`, `LN`, `LOG10`, `LOG2`,
//! `LOG`, `EXP`, `SIGN`. Rounding is HALF_UP (ties away from zero) for every type, as Flink
//! does (a DOUBLE is rounded as the decimal it prints as, like Java's `BigDecimal.valueOf`).
//! Functions of DOUBLE follow Java's `Math` (`SQRT(-1)` is NaN, `LN(0)` is -Infinity). ABS,
//! SIGN, ROUND, TRUNCATE, FLOOR and CEIL of a FLOAT are FLOAT (ROUND through the DOUBLE the
//! FLOAT widens to, as Flink); the others take FLOAT as DOUBLE and return DOUBLE.

use std::sync::Arc;

use crate::types::{DataType, Decimal, Value};

use super::super::bound::{BoundExpr, Kernel, any_nullable};
use super::super::error::ExprError;
use super::super::types::round_decimal;
use super::cast::decimal_of_double;
use super::{CallSite, FunctionDef, Param, int_of, literal_int, strict1, unexpected};

/// The numeric functions.
pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["ABS"], signature: "(NUMERIC)", bind: abs },
    FunctionDef { names: &["SIGN"], signature: "(NUMERIC)", bind: sign },
    FunctionDef { names: &["ROUND"], signature: "(NUMERIC[, INT])", bind: round },
    FunctionDef { names: &["TRUNCATE"], signature: "(NUMERIC[, INT])", bind: truncate },
    FunctionDef { names: &["FLOOR"], signature: "(NUMERIC) or (DATE|TIMESTAMP|TIMESTAMP_LTZ, unit STRING)", bind: floor },
    FunctionDef { names: &["CEIL", "CEILING"], signature: "(NUMERIC) or (DATE|TIMESTAMP|TIMESTAMP_LTZ, unit STRING)", bind: ceil },
    FunctionDef { names: &["POWER", "POW"], signature: "(NUMERIC, NUMERIC)", bind: power },
    FunctionDef { names: &["SQRT"], signature: "(NUMERIC)", bind: sqrt },
    FunctionDef { names: &["LN"], signature: "(NUMERIC)", bind: ln },
    FunctionDef { names: &["LOG10"], signature: "(NUMERIC)", bind: log10 },
    FunctionDef { names: &["LOG2"], signature: "(NUMERIC)", bind: log2 },
    FunctionDef { names: &["LOG"], signature: "(NUMERIC) or (base NUMERIC, NUMERIC)", bind: log },
    FunctionDef { names: &["EXP"], signature: "(NUMERIC)", bind: exp },
];

fn numeric_arg(site: CallSite) -> Result<(String, BoundExpr), ExprError> {
    let name = site.name.clone();
    let mut args = site.expect(&[Param::Numeric], 1)?;
    Ok((name, args.remove(0)))
}

fn same_type(site: CallSite, f: fn(Value) -> Result<Value, super::EvalError>) -> Result<BoundExpr, ExprError> {
    let (name, x) = numeric_arg(site)?;
    let (t, nullable) = (x.data_type(), x.nullable());
    Ok(BoundExpr::call(&name, vec![x], strict1(f), t, nullable))
}

/// `ABS(x)`, same type; `ABS` of the smallest INT/BIGINT wraps to itself, as in Java.
fn abs(site: CallSite) -> Result<BoundExpr, ExprError> {
    same_type(site, |v| match v {
        Value::Int(x) => Ok(Value::Int(x.wrapping_abs())),
        Value::BigInt(x) => Ok(Value::BigInt(x.wrapping_abs())),
        Value::Double(x) => Ok(Value::double(x.get().abs())),
        Value::Float(x) => Ok(Value::float(x.get().abs())),
        Value::Decimal(d) => Ok(Value::Decimal(Decimal::new(d.mantissa.abs(), d.scale))),
        other => Err(unexpected(&other)),
    })
}

/// `SIGN(x)`: -1, 0 or 1 in the type of `x`.
fn sign(site: CallSite) -> Result<BoundExpr, ExprError> {
    same_type(site, |v| match v {
        Value::Int(x) => Ok(Value::Int(x.signum())),
        Value::BigInt(x) => Ok(Value::BigInt(x.signum())),
        Value::Double(x) => Ok(Value::double(if x.get() == 0.0 { 0.0 } else { x.get().signum() })),
        Value::Float(x) => Ok(Value::float(if x.get() == 0.0 { 0.0 } else { x.get().signum() })),
        Value::Decimal(d) => Ok(Value::Decimal(Decimal::new(d.mantissa.signum() * crate::types::pow10(d.scale), d.scale))),
        other => Err(unexpected(&other)),
    })
}

/// Rounds an integer HALF_UP (or toward zero with `cut`) to `digits` (only negative digits
/// change it).
fn round_integer(x: i64, digits: i64, cut: bool) -> i64 {
    if digits >= 0 {
        return x;
    }
    if digits < -18 {
        return 0;
    }
    let div = 10i64.pow(digits.unsigned_abs() as u32);
    let (q, r) = (x / div, x % div);
    let q = if !cut && r.unsigned_abs() >= div.unsigned_abs() - r.unsigned_abs() { q + x.signum() } else { q };
    q.wrapping_mul(div)
}

/// Rounds a double HALF_UP (or toward zero with `cut`) to `digits`, through its shortest
/// decimal form.
pub(crate) fn round_double(x: f64, digits: i64, cut: bool) -> f64 {
    if !x.is_finite() || x.abs() >= 1e17 {
        return x;
    }
    let digits = digits.clamp(-40, 40) as i32;
    match decimal_of_double(x, 0).and_then(|d| if cut { d.truncate_to(digits) } else { d.round_half_up(digits) }) {
        Some(d) => d.to_f64(),
        None => x,
    }
}

/// `ROUND(x[, d])`: HALF_UP to `d` digits after the point (default 0; negative rounds to tens,
/// hundreds...). Integers, FLOAT and DOUBLE keep their type; DECIMAL(p, s) becomes DECIMAL with `d`
/// digits of scale, which needs `d` to be a literal.
fn round(site: CallSite) -> Result<BoundExpr, ExprError> {
    round_or_cut(site, false)
}

/// `TRUNCATE(x[, d])`: as ROUND, but toward zero (`TRUNCATE(42.324, 2)` is 42.32).
fn truncate(site: CallSite) -> Result<BoundExpr, ExprError> {
    round_or_cut(site, true)
}

fn round_or_cut(site: CallSite, cut: bool) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::Numeric, Param::BigInt], 1)?;
    let t = args[0].data_type();
    let nullable = any_nullable(&args);
    if let DataType::Decimal { precision, scale } = t {
        let digits = match args.get(1) {
            None => 0,
            Some(d) => literal_int(d).ok_or_else(|| ExprError::new("args[1]", format!("{name} of a DECIMAL needs a literal number of digits")))?,
        };
        let digits = digits.clamp(-40, 40) as i32;
        let result = round_decimal(precision, scale, digits);
        let DataType::Decimal { precision: p, scale: s } = result else { return Err(ExprError::new("", "internal error: ROUND type")) };
        let kernel = strict1(move |v| match v {
            Value::Decimal(d) => Ok(match if cut { d.truncate_to(digits) } else { d.round_half_up(digits) }.and_then(|r| r.rescale(s)) {
                Some(r) if r.fits_precision(p) => Value::Decimal(r),
                _ => Value::Null,
            }),
            other => Err(unexpected(&other)),
        });
        return Ok(BoundExpr::call(&name, vec![args.into_iter().next().ok_or_else(|| ExprError::new("", "ROUND"))?], kernel, result, true));
    }
    let kernel = Kernel::AllN(Arc::new(move |v: &[Value]| {
        let digits = match v.get(1) {
            None => 0,
            Some(Value::Null) => return Ok(Value::Null),
            Some(d) => int_of(d)?,
        };
        match v.first() {
            Some(Value::Int(x)) => Ok(Value::Int(round_integer(i64::from(*x), digits, cut) as i32)),
            Some(Value::BigInt(x)) => Ok(Value::BigInt(round_integer(*x, digits, cut))),
            Some(Value::Double(x)) => Ok(Value::double(round_double(x.get(), digits, cut))),
            Some(Value::Float(x)) => Ok(Value::float(round_double(f64::from(x.get()), digits, cut) as f32)),
            Some(Value::Null) | None => Ok(Value::Null),
            Some(other) => Err(unexpected(other)),
        }
    }));
    let t = if t == DataType::Null { DataType::Int } else { t };
    Ok(BoundExpr::call(&name, args, kernel, t, nullable))
}

fn floor(site: CallSite) -> Result<BoundExpr, ExprError> {
    floor_or_ceil(site, false)
}

fn ceil(site: CallSite) -> Result<BoundExpr, ExprError> {
    floor_or_ceil(site, true)
}

/// `FLOOR(x)` / `CEIL(x)`: integers unchanged, FLOAT and DOUBLE keep their type, DECIMAL(p, s) becomes
/// DECIMAL(p - s + 1, 0).
fn floor_or_ceil(site: CallSite, up: bool) -> Result<BoundExpr, ExprError> {
    if site.args.len() == 2 {
        return super::time::floor_or_ceil_time(site, up);
    }
    let (name, x) = numeric_arg(site)?;
    let t = match x.data_type() {
        DataType::Decimal { precision, scale } => round_decimal(precision, scale, 0),
        other => other,
    };
    let nullable = x.nullable();
    let kernel = strict1(move |v| match v {
        Value::Int(_) | Value::BigInt(_) => Ok(v),
        Value::Double(x) => Ok(Value::double(if up { x.get().ceil() } else { x.get().floor() })),
        Value::Float(x) => Ok(Value::float(if up { x.get().ceil() } else { x.get().floor() })),
        Value::Decimal(d) => Ok(Value::Decimal(if up { d.ceil() } else { d.floor() })),
        other => Err(unexpected(&other)),
    });
    Ok(BoundExpr::call(&name, vec![x], kernel, t, nullable))
}

/// A function from DOUBLE arguments to a DOUBLE.
pub(super) type DoubleFn = Arc<dyn Fn(&[f64]) -> f64 + Send + Sync>;

/// A DOUBLE function of DOUBLE arguments.
pub(super) fn double_fn(site: CallSite, arity: usize, f: DoubleFn) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&vec![Param::Double; arity], arity)?;
    let nullable = any_nullable(&args);
    let kernel = Kernel::StrictN(Arc::new(move |v: &[Value]| {
        let mut xs = [0.0f64; 2];
        for (slot, x) in xs.iter_mut().zip(v) {
            *slot = x.as_f64().ok_or_else(|| unexpected(x))?;
        }
        Ok(Value::double(f(&xs[..v.len().min(2)])))
    }));
    Ok(BoundExpr::call(&name, args, kernel, DataType::Double, nullable))
}

pub(super) fn arg(xs: &[f64], i: usize) -> f64 {
    xs.get(i).copied().unwrap_or(f64::NAN)
}

fn power(site: CallSite) -> Result<BoundExpr, ExprError> {
    double_fn(site, 2, Arc::new(|x| arg(x, 0).powf(arg(x, 1))))
}
fn sqrt(site: CallSite) -> Result<BoundExpr, ExprError> {
    double_fn(site, 1, Arc::new(|x| arg(x, 0).sqrt()))
}
fn ln(site: CallSite) -> Result<BoundExpr, ExprError> {
    double_fn(site, 1, Arc::new(|x| arg(x, 0).ln()))
}
fn log10(site: CallSite) -> Result<BoundExpr, ExprError> {
    double_fn(site, 1, Arc::new(|x| arg(x, 0).log10()))
}
fn log2(site: CallSite) -> Result<BoundExpr, ExprError> {
    double_fn(site, 1, Arc::new(|x| arg(x, 0).log2()))
}
fn exp(site: CallSite) -> Result<BoundExpr, ExprError> {
    double_fn(site, 1, Arc::new(|x| arg(x, 0).exp()))
}

/// `LOG(x)` is the natural logarithm; `LOG(base, x)` the logarithm in `base`.
fn log(site: CallSite) -> Result<BoundExpr, ExprError> {
    if site.args.len() == 2 { double_fn(site, 2, Arc::new(|x| arg(x, 1).ln() / arg(x, 0).ln())) } else { double_fn(site, 1, Arc::new(|x| arg(x, 0).ln())) }
}
