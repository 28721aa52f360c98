//! Casts to types Weir stores wider, as the SQL planner writes them: `CAST(x AS TINYINT)` is
//! `CAST_TINYINT(x)` (an INT wrapped to -128..127, as Flink's Java cast wraps), `SMALLINT`
//! likewise (-32768..32767), and `CAST(x AS TIMESTAMP(p))` with p < 3 is
//! `TIMESTAMP_PRECISION(CAST(x AS TIMESTAMP(3)), p)`: the value truncated to p fraction digits,
//! and printed with p digits by a CAST to STRING of it. `TRY_CAST_..` give NULL where the
//! cast fails.

use std::sync::Arc;

use crate::types::{DataType, Value};

use super::super::bound::{BoundExpr, Kernel, Kind, any_nullable};
use super::super::error::{EvalError, ExprError};
use super::super::zone::SessionZone;
use super::cast::{bind_cast, parse_integer};
use super::{CallSite, FunctionDef, int_of, literal_int, unexpected};

/// The narrowing casts.
pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["CAST_TINYINT"], signature: "(NUMERIC|BOOLEAN|STRING)", bind: tinyint },
    FunctionDef { names: &["TRY_CAST_TINYINT"], signature: "(NUMERIC|BOOLEAN|STRING)", bind: try_tinyint },
    FunctionDef { names: &["CAST_SMALLINT"], signature: "(NUMERIC|BOOLEAN|STRING)", bind: smallint },
    FunctionDef { names: &["TRY_CAST_SMALLINT"], signature: "(NUMERIC|BOOLEAN|STRING)", bind: try_smallint },
    FunctionDef { names: &["TIMESTAMP_PRECISION"], signature: "(TIMESTAMP|TIMESTAMP_LTZ, precision 0..3)", bind: timestamp_precision },
];

fn tinyint(site: CallSite) -> Result<BoundExpr, ExprError> {
    narrow_integer(site, 8, false)
}
fn try_tinyint(site: CallSite) -> Result<BoundExpr, ExprError> {
    narrow_integer(site, 8, true)
}
fn smallint(site: CallSite) -> Result<BoundExpr, ExprError> {
    narrow_integer(site, 16, false)
}
fn try_smallint(site: CallSite) -> Result<BoundExpr, ExprError> {
    narrow_integer(site, 16, true)
}

/// `n` wrapped to a signed integer of `bits` bits, as Java's `(byte)` / `(short)` casts do.
fn wrap(n: i64, bits: u32) -> i32 {
    if bits == 8 { i32::from(n as i8) } else { i32::from(n as i16) }
}

/// A number (or BOOLEAN) converts to INT as CAST does and then wraps; a STRING must read as an
/// integer in range (`'300'` does not fit a TINYINT: an error, NULL for TRY_CAST).
fn narrow_integer(site: CallSite, bits: u32, try_cast: bool) -> Result<BoundExpr, ExprError> {
    site.expect_count(1, 1)?;
    let name = site.name.clone();
    let target = if bits == 8 { "TINYINT" } else { "SMALLINT" };
    let Some(arg) = site.args.into_iter().next() else { return Err(ExprError::new("", format!("{name} takes one argument"))) };
    let from = arg.data_type();
    let (arg, kernel): (BoundExpr, Kernel) = if from == DataType::String {
        let range = if bits == 8 { i64::from(i8::MIN)..=i64::from(i8::MAX) } else { i64::from(i16::MIN)..=i64::from(i16::MAX) };
        let read = move |v: Value| match v.as_str().and_then(parse_integer) {
            Some(n) if range.contains(&n) => Ok(Value::Int(n as i32)),
            _ => Err(EvalError::new(format!("cannot cast \"{}\" to {target}", v.as_str().unwrap_or_default()))),
        };
        (arg, Kernel::Strict1(Arc::new(move |v| if try_cast { Ok(read(v).unwrap_or(Value::Null)) } else { read(v) })))
    } else if from.is_numeric() || from == DataType::Boolean || from == DataType::Null {
        let as_int = bind_cast(arg, DataType::Int, false, &SessionZone::utc()).map_err(|e| e.under("args[0]"))?;
        (as_int, Kernel::Strict1(Arc::new(move |v| Ok(Value::Int(wrap(int_of(&v)?, bits))))))
    } else {
        return Err(ExprError::new("", format!("cannot cast {from} to {target}")));
    };
    let nullable = arg.nullable() || try_cast;
    Ok(BoundExpr::call(&name, vec![arg], kernel, DataType::Int, nullable))
}

/// `TIMESTAMP_PRECISION(ts, p)`: `ts` with its milliseconds cut to `p` digits (toward the past).
fn timestamp_precision(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(2, 2)?;
    let t = site.args[0].data_type();
    if !t.is_timestamp() {
        return Err(site.mismatch());
    }
    let precision = match site.args.get(1).and_then(literal_int) {
        Some(p @ 0..=3) => p as u32,
        _ => return Err(site.arg_error(1, "the precision must be a literal 0, 1, 2 or 3")),
    };
    let name = site.name.clone();
    let args = site.args;
    let nullable = any_nullable(&args[..1]);
    let step = 10_i64.pow(3 - precision);
    let kernel = Kernel::Strict2(Arc::new(move |v, _| match v {
        Value::Timestamp(ms) => Ok(Value::Timestamp(ms - ms.rem_euclid(step))),
        Value::TimestampLtz(ms) => Ok(Value::TimestampLtz(ms - ms.rem_euclid(step))),
        other => Err(unexpected(&other)),
    }));
    Ok(BoundExpr::call(&name, args, kernel, t, nullable))
}

/// The fraction digits a TIMESTAMP expression prints with: `p` for `TIMESTAMP_PRECISION(.., p)`,
/// else 3 (Weir's TIMESTAMP is TIMESTAMP(3)).
pub(crate) fn printed_precision(e: &BoundExpr) -> u8 {
    match &e.kind {
        Kind::Call(c) if c.name.as_ref() == "TIMESTAMP_PRECISION" => c.args.get(1).and_then(literal_int).map_or(3, |p| p.clamp(0, 3) as u8),
        _ => 3,
    }
}
