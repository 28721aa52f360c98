//! `+ - * / %`, `MOD` and `NEGATE`, with Flink's result types, and date-time ± interval.
//!
//! INT op INT is INT (integer division truncates: `7 / 2 = 3`), INT op BIGINT is BIGINT, any
//! DOUBLE makes DOUBLE, FLOAT with FLOAT or an integer is FLOAT (computed in 32 bits, as Java's
//! `float`), FLOAT with DECIMAL is DOUBLE, and DECIMAL results take Flink's precision and scale
//! ([`decimal_result`]). INT and BIGINT overflow wraps around, as in Java (and Flink); a DECIMAL
//! result that does not fit its type is NULL, as in Flink. Integer and DECIMAL division or
//! remainder by zero is an error; FLOAT and DOUBLE division by zero gives ±Infinity or NaN (IEEE, as Java).
//! `%` and `MOD` take the type of their second argument when both are integers (Calcite).

use chrono::Months;

use crate::types::{DataType, Decimal, F64, Value, temporal};

use super::super::bound::{BoundExpr, Kernel, any_nullable};
use super::super::error::EvalError;
use super::super::error::ExprError;
use super::super::native::NativeOp;
use super::super::types::{ArithOp, common_type, decimal_result};
use super::{CallSite, FunctionDef, strict1, strict2, unexpected};

const NUMERIC_SIGNATURE: &str = "(NUMERIC, NUMERIC)";

/// The arithmetic operators.
pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["+", "PLUS"], signature: "(NUMERIC, NUMERIC) or (DATE/TIME/TIMESTAMP, INTERVAL)", bind: add },
    FunctionDef { names: &["-", "MINUS"], signature: "(NUMERIC, NUMERIC) or (DATE/TIME/TIMESTAMP, INTERVAL)", bind: sub },
    FunctionDef { names: &["*", "MULTIPLY"], signature: NUMERIC_SIGNATURE, bind: mul },
    FunctionDef { names: &["/", "DIVIDE"], signature: NUMERIC_SIGNATURE, bind: div },
    FunctionDef { names: &["%", "MOD"], signature: NUMERIC_SIGNATURE, bind: rem },
    FunctionDef { names: &["NEGATE", "NEG"], signature: "(NUMERIC) or (INTERVAL)", bind: negate },
];

fn add(site: CallSite) -> Result<BoundExpr, ExprError> {
    arithmetic(site, ArithOp::Add)
}
fn sub(site: CallSite) -> Result<BoundExpr, ExprError> {
    arithmetic(site, ArithOp::Sub)
}
fn mul(site: CallSite) -> Result<BoundExpr, ExprError> {
    arithmetic(site, ArithOp::Mul)
}
fn div(site: CallSite) -> Result<BoundExpr, ExprError> {
    arithmetic(site, ArithOp::Div)
}
fn rem(site: CallSite) -> Result<BoundExpr, ExprError> {
    arithmetic(site, ArithOp::Mod)
}

/// The error of an integer or DECIMAL division by zero.
pub(crate) fn division_by_zero() -> EvalError {
    EvalError::new("division by zero")
}

fn arithmetic(site: CallSite, op: ArithOp) -> Result<BoundExpr, ExprError> {
    site.expect_count(2, 2)?;
    let (ta, tb) = (site.args[0].data_type(), site.args[1].data_type());
    if matches!(op, ArithOp::Add | ArithOp::Sub) && (ta.is_interval() || tb.is_interval()) {
        return temporal_arithmetic(site, op);
    }
    // An untyped NULL takes the other side's type.
    let (ta, tb) = match (ta, tb) {
        (DataType::Null, DataType::Null) => (DataType::Int, DataType::Int),
        (DataType::Null, t) | (t, DataType::Null) => (t, t),
        pair => pair,
    };
    if !ta.is_numeric() || !tb.is_numeric() {
        return Err(site.mismatch());
    }
    let name = op.symbol();
    let nullable = any_nullable(&site.args);
    let [a, b] = two(site.args)?;
    match common_type(ta, tb) {
        Some(DataType::Double) => {
            let (a, b) = (a.cast_to(DataType::Double)?, b.cast_to(DataType::Double)?);
            return Ok(BoundExpr::call(name, vec![a, b], double_kernel(op), DataType::Double, nullable).with_native(NativeOp::Arith(op)));
        }
        Some(DataType::Float) => {
            let (a, b) = (a.cast_to(DataType::Float)?, b.cast_to(DataType::Float)?);
            return Ok(BoundExpr::call(name, vec![a, b], float_kernel(op), DataType::Float, nullable));
        }
        _ => {}
    }
    if let Some(result @ DataType::Decimal { precision, scale }) = decimal_result(op, ta, tb).filter(|_| !(ta.is_integer() && tb.is_integer())) {
        return Ok(BoundExpr::call(name, vec![a, b], decimal_kernel(op, precision, scale), result, true).with_native(NativeOp::Arith(op)));
    }
    let wide = if ta == DataType::BigInt || tb == DataType::BigInt { DataType::BigInt } else { DataType::Int };
    let (a, b) = (a.cast_to(wide)?, b.cast_to(wide)?);
    let kernel = if wide == DataType::Int { int_kernel(op) } else { bigint_kernel(op) };
    let call = BoundExpr::call(name, vec![a, b], kernel, wide, nullable).with_native(NativeOp::Arith(op));
    if op == ArithOp::Mod && tb != wide {
        // |a % b| < |b|, so narrowing to b's type is exact.
        return call.cast_to(tb);
    }
    Ok(call)
}

/// The two arguments of a binary operator (callers have checked the count).
pub(crate) fn two(args: Vec<BoundExpr>) -> Result<[BoundExpr; 2], ExprError> {
    args.try_into().map_err(|_| ExprError::new("", "expected two arguments"))
}

/// INT arithmetic as Java's `int` (wrapping), division and remainder by zero an error.
pub(crate) fn int_op(op: ArithOp) -> fn(i32, i32) -> Result<i32, EvalError> {
    match op {
        ArithOp::Add => |x, y| Ok(x.wrapping_add(y)),
        ArithOp::Sub => |x, y| Ok(x.wrapping_sub(y)),
        ArithOp::Mul => |x, y| Ok(x.wrapping_mul(y)),
        ArithOp::Div => |x, y| if y == 0 { Err(division_by_zero()) } else { Ok(x.wrapping_div(y)) },
        ArithOp::Mod => |x, y| if y == 0 { Err(division_by_zero()) } else { Ok(x.wrapping_rem(y)) },
    }
}

/// BIGINT arithmetic as Java's `long` (wrapping), division and remainder by zero an error.
pub(crate) fn bigint_op(op: ArithOp) -> fn(i64, i64) -> Result<i64, EvalError> {
    match op {
        ArithOp::Add => |x, y| Ok(x.wrapping_add(y)),
        ArithOp::Sub => |x, y| Ok(x.wrapping_sub(y)),
        ArithOp::Mul => |x, y| Ok(x.wrapping_mul(y)),
        ArithOp::Div => |x, y| if y == 0 { Err(division_by_zero()) } else { Ok(x.wrapping_div(y)) },
        ArithOp::Mod => |x, y| if y == 0 { Err(division_by_zero()) } else { Ok(x.wrapping_rem(y)) },
    }
}

/// DOUBLE arithmetic (IEEE: division by zero gives an infinity or NaN).
pub(crate) fn double_op(op: ArithOp) -> fn(F64, F64) -> Result<F64, EvalError> {
    match op {
        ArithOp::Add => |x, y| Ok(F64::new(x.get() + y.get())),
        ArithOp::Sub => |x, y| Ok(F64::new(x.get() - y.get())),
        ArithOp::Mul => |x, y| Ok(F64::new(x.get() * y.get())),
        ArithOp::Div => |x, y| Ok(F64::new(x.get() / y.get())),
        ArithOp::Mod => |x, y| Ok(F64::new(x.get() % y.get())),
    }
}

fn int_kernel(op: ArithOp) -> Kernel {
    let f = int_op(op);
    strict2(move |a, b| match (a, b) {
        (Value::Int(x), Value::Int(y)) => f(x, y).map(Value::Int),
        (a, _) => Err(unexpected(&a)),
    })
}

fn bigint_kernel(op: ArithOp) -> Kernel {
    let f = bigint_op(op);
    strict2(move |a, b| match (a, b) {
        (Value::BigInt(x), Value::BigInt(y)) => f(x, y).map(Value::BigInt),
        (a, _) => Err(unexpected(&a)),
    })
}

fn double_kernel(op: ArithOp) -> Kernel {
    let f = double_op(op);
    strict2(move |a, b| match (a, b) {
        (Value::Double(x), Value::Double(y)) => f(x, y).map(Value::Double),
        (a, _) => Err(unexpected(&a)),
    })
}

fn float_kernel(op: ArithOp) -> Kernel {
    let f: fn(f32, f32) -> f32 = match op {
        ArithOp::Add => |x, y| x + y,
        ArithOp::Sub => |x, y| x - y,
        ArithOp::Mul => |x, y| x * y,
        ArithOp::Div => |x, y| x / y,
        ArithOp::Mod => |x, y| x % y,
    };
    strict2(move |a, b| match (a, b) {
        (Value::Float(x), Value::Float(y)) => Ok(Value::float(f(x.get(), y.get()))),
        (a, _) => Err(unexpected(&a)),
    })
}

/// The exact value of an INT, BIGINT or DECIMAL.
pub(crate) fn decimal_of(v: &Value) -> Result<Decimal, EvalError> {
    match v {
        Value::Int(x) => Ok(Decimal::new(i128::from(*x), 0)),
        Value::BigInt(x) => Ok(Decimal::new(i128::from(*x), 0)),
        Value::Decimal(d) => Ok(*d),
        other => Err(unexpected(other)),
    }
}

fn decimal_kernel(op: ArithOp, precision: u8, scale: u8) -> Kernel {
    let f = decimal_op(op, precision, scale);
    strict2(move |a, b| Ok(f(decimal_of(&a)?, decimal_of(&b)?)?.map_or(Value::Null, Value::Decimal)))
}

/// DECIMAL arithmetic with the result type DECIMAL(precision, scale) (Flink's, from
/// [`decimal_result`]): rounded HALF_UP to `scale`, `None` (NULL) when the result does not fit
/// the type, division and remainder by zero an error.
pub(crate) fn decimal_op(op: ArithOp, precision: u8, scale: u8) -> impl Fn(Decimal, Decimal) -> Result<Option<Decimal>, EvalError> + Copy + Send + Sync {
    let f: fn(Decimal, Decimal, u8) -> Option<Decimal> = match op {
        ArithOp::Add => Decimal::checked_add_at,
        ArithOp::Sub => Decimal::checked_sub_at,
        ArithOp::Mul => Decimal::checked_mul_at,
        ArithOp::Div => Decimal::checked_div_at,
        ArithOp::Mod => Decimal::checked_rem_at,
    };
    let divides = matches!(op, ArithOp::Div | ArithOp::Mod);
    move |x, y| {
        if divides && y.mantissa == 0 {
            return Err(division_by_zero());
        }
        Ok(f(x, y, scale).filter(|d| fits_precision(*d, precision)))
    }
}

/// 10^i for i in 0..=38.
const POW10: [u128; 39] = {
    let mut table = [1u128; 39];
    let mut i = 1;
    while i < 39 {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// Whether `d` fits DECIMAL(precision, its scale): [`Decimal::fits_precision`]'s test (at most
/// `precision` digits, counting the scale) by one comparison with 10^precision instead of
/// counting digits by division, which is most of what a DECIMAL product costs.
pub(crate) fn fits_precision(d: Decimal, precision: u8) -> bool {
    precision > 0 && d.scale <= precision && POW10.get(usize::from(precision)).is_none_or(|limit| d.mantissa.unsigned_abs() < *limit)
}

/// `NEGATE(x)`: unary minus, same type (INT/BIGINT wrap at their minimum).
fn negate(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(1, 1)?;
    let t = site.args[0].data_type();
    if !(t.is_numeric() || t.is_interval() || t == DataType::Null) {
        return Err(site.mismatch());
    }
    let nullable = any_nullable(&site.args);
    let kernel = strict1(|v| match v {
        Value::Int(x) => Ok(Value::Int(x.wrapping_neg())),
        Value::BigInt(x) => Ok(Value::BigInt(x.wrapping_neg())),
        Value::Double(x) => Ok(Value::double(-x.get())),
        Value::Float(x) => Ok(Value::float(-x.get())),
        Value::Decimal(d) => Ok(Value::Decimal(Decimal::new(-d.mantissa, d.scale))),
        Value::IntervalDayTime(x) => Ok(Value::IntervalDayTime(x.wrapping_neg())),
        Value::IntervalYearMonth(x) => Ok(Value::IntervalYearMonth(x.wrapping_neg())),
        other => Err(unexpected(&other)),
    });
    Ok(BoundExpr::call("NEGATE", site.args, kernel, t, nullable).with_native(NativeOp::Negate))
}

/// DATE/TIME/TIMESTAMP/TIMESTAMP_LTZ ± INTERVAL (either order for `+`; a TIME only with a
/// day-time interval), and INTERVAL ± INTERVAL of the same kind. Months are added on the calendar (Jan 31 + 1 month = Feb 28/29).
fn temporal_arithmetic(site: CallSite, op: ArithOp) -> Result<BoundExpr, ExprError> {
    let (ta, tb) = (site.args[0].data_type(), site.args[1].data_type());
    let nullable = any_nullable(&site.args);
    let name = op.symbol();
    let mut args = site.args.clone();
    let negative = op == ArithOp::Sub;
    if ta.is_interval() && tb.is_interval() {
        if ta != tb {
            return Err(site.mismatch());
        }
        let kernel = strict2(move |a, b| match (a, b) {
            (Value::IntervalDayTime(x), Value::IntervalDayTime(y)) => Ok(Value::IntervalDayTime(if negative { x.wrapping_sub(y) } else { x.wrapping_add(y) })),
            (Value::IntervalYearMonth(x), Value::IntervalYearMonth(y)) => {
                Ok(Value::IntervalYearMonth(if negative { x.wrapping_sub(y) } else { x.wrapping_add(y) }))
            }
            (a, _) => Err(unexpected(&a)),
        });
        return Ok(BoundExpr::call(name, args, kernel, ta, nullable));
    }
    let datetime = |t: DataType| t == DataType::Date || t.is_timestamp() || matches!(t, DataType::Time(_));
    let (time_type, swapped) = match (ta, tb) {
        (t, i) if i.is_interval() && datetime(t) => (t, false),
        (i, t) if i.is_interval() && op == ArithOp::Add && datetime(t) => (t, true),
        _ => return Err(site.mismatch()),
    };
    if matches!(time_type, DataType::Time(_)) && (ta == DataType::IntervalYearMonth || tb == DataType::IntervalYearMonth) {
        return Err(ExprError::new("", format!("a TIME takes only a day-time INTERVAL (HOUR, MINUTE, SECOND ..) with {name}, got {}", site.arg_types())));
    }
    if swapped {
        args.swap(0, 1);
    }
    let kernel = strict2(move |t, i| shift(&t, &i, negative, time_type).ok_or_else(|| EvalError::new(format!("{t} {name} {i} is out of range"))));
    Ok(BoundExpr::call(name, args, kernel, time_type, nullable))
}

/// `t + i` (or `t - i`) for `t` of type `time_type`, `None` when out of range. A TIME wraps
/// around midnight and keeps its type's precision, as Flink's (`TIME '23:00:00' + INTERVAL '2'
/// HOUR` is `01:00:00`).
fn shift(t: &Value, i: &Value, negative: bool, time_type: DataType) -> Option<Value> {
    match i {
        Value::IntervalDayTime(ms) => {
            let ms = if negative { ms.checked_neg()? } else { *ms };
            match t {
                Value::Date(d) => {
                    let days = i64::from(*d).checked_add(ms.div_euclid(86_400_000))?;
                    Some(Value::Date(i32::try_from(days).ok()?))
                }
                Value::Timestamp(x) => Some(Value::Timestamp(x.checked_add(ms)?)),
                Value::TimestampLtz(x) => Some(Value::TimestampLtz(x.checked_add(ms)?)),
                Value::Time(x) => {
                    let precision = if let DataType::Time(p) = time_type { p } else { 3 };
                    let wrapped = (i64::from(*x) + ms.rem_euclid(86_400_000)).rem_euclid(86_400_000);
                    Some(Value::Time(temporal::truncate_time(wrapped as i32, precision)))
                }
                _ => None,
            }
        }
        Value::IntervalYearMonth(m) => {
            let m = if negative { m.checked_neg()? } else { *m };
            match t {
                Value::Date(d) => {
                    let date = add_months_date(temporal::date_from_days(*d)?, m)?;
                    Some(Value::Date(temporal::days_from_date(date)))
                }
                Value::Timestamp(x) => Some(Value::Timestamp(add_months_millis(*x, m)?)),
                Value::TimestampLtz(x) => Some(Value::TimestampLtz(add_months_millis(*x, m)?)),
                _ => None,
            }
        }
        _ => None,
    }
}

pub(crate) fn add_months_date(date: chrono::NaiveDate, months: i32) -> Option<chrono::NaiveDate> {
    if months >= 0 { date.checked_add_months(Months::new(months.unsigned_abs())) } else { date.checked_sub_months(Months::new(months.unsigned_abs())) }
}

pub(crate) fn add_months_millis(ms: i64, months: i32) -> Option<i64> {
    let dt = temporal::datetime_from_millis(ms)?;
    let shifted =
        if months >= 0 { dt.checked_add_months(Months::new(months.unsigned_abs())) } else { dt.checked_sub_months(Months::new(months.unsigned_abs())) }?;
    Some(temporal::millis_from_datetime(shifted))
}
