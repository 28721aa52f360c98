//! Trigonometric functions and constants of DOUBLE, as Flink has them (Java's `Math`):
//! `SIN`, `COS`, `TAN`, `COT`, `ASIN`, `ACOS`, `ATAN`, `ATAN2`, `SINH`, `COSH`, `TANH`,
//! `DEGREES`, `RADIANS`, `PI()`, `E()`; and `BIN`, `STARTSWITH`, `ENDSWITH`.

use std::sync::Arc;

use crate::types::{DataType, Value};

use super::super::bound::{BoundExpr, Kernel, any_nullable};
use super::super::error::ExprError;
use super::math::{arg, double_fn};
use super::{CallSite, FunctionDef, Param, int_of, string_value, unexpected};

/// The trigonometric functions, constants and the small text functions of this module.
pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["SIN"], signature: "(NUMERIC)", bind: |s| double_fn(s, 1, Arc::new(|x| arg(x, 0).sin())) },
    FunctionDef { names: &["COS"], signature: "(NUMERIC)", bind: |s| double_fn(s, 1, Arc::new(|x| arg(x, 0).cos())) },
    FunctionDef { names: &["TAN"], signature: "(NUMERIC)", bind: |s| double_fn(s, 1, Arc::new(|x| arg(x, 0).tan())) },
    FunctionDef { names: &["COT"], signature: "(NUMERIC)", bind: |s| double_fn(s, 1, Arc::new(|x| 1.0 / arg(x, 0).tan())) },
    FunctionDef { names: &["ASIN"], signature: "(NUMERIC)", bind: |s| double_fn(s, 1, Arc::new(|x| arg(x, 0).asin())) },
    FunctionDef { names: &["ACOS"], signature: "(NUMERIC)", bind: |s| double_fn(s, 1, Arc::new(|x| arg(x, 0).acos())) },
    FunctionDef { names: &["ATAN"], signature: "(NUMERIC)", bind: |s| double_fn(s, 1, Arc::new(|x| arg(x, 0).atan())) },
    FunctionDef { names: &["ATAN2"], signature: "(NUMERIC, NUMERIC)", bind: |s| double_fn(s, 2, Arc::new(|x| arg(x, 0).atan2(arg(x, 1)))) },
    FunctionDef { names: &["SINH"], signature: "(NUMERIC)", bind: |s| double_fn(s, 1, Arc::new(|x| arg(x, 0).sinh())) },
    FunctionDef { names: &["COSH"], signature: "(NUMERIC)", bind: |s| double_fn(s, 1, Arc::new(|x| arg(x, 0).cosh())) },
    FunctionDef { names: &["TANH"], signature: "(NUMERIC)", bind: |s| double_fn(s, 1, Arc::new(|x| arg(x, 0).tanh())) },
    FunctionDef { names: &["DEGREES"], signature: "(NUMERIC)", bind: |s| double_fn(s, 1, Arc::new(|x| arg(x, 0).to_degrees())) },
    FunctionDef { names: &["RADIANS"], signature: "(NUMERIC)", bind: |s| double_fn(s, 1, Arc::new(|x| arg(x, 0).to_radians())) },
    FunctionDef { names: &["PI"], signature: "()", bind: |s| double_fn(s, 0, Arc::new(|_| std::f64::consts::PI)) },
    FunctionDef { names: &["E"], signature: "()", bind: |s| double_fn(s, 0, Arc::new(|_| std::f64::consts::E)) },
    FunctionDef { names: &["BIN"], signature: "(INT|BIGINT)", bind: bin },
    FunctionDef { names: &["STARTSWITH"], signature: "(STRING, STRING)", bind: |s| affix(s, true) },
    FunctionDef { names: &["ENDSWITH"], signature: "(STRING, STRING)", bind: |s| affix(s, false) },
];

/// `BIN(n)` → STRING: `n` in binary, as Java's `Long.toBinaryString` (a negative number in
/// 64-bit two's complement).
fn bin(site: CallSite) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::BigInt], 1)?;
    let nullable = any_nullable(&args);
    let kernel = Kernel::StrictN(Arc::new(|v: &[Value]| match v.first() {
        Some(x) => Ok(string_value(format!("{:b}", int_of(x)? as u64))),
        None => Ok(Value::Null),
    }));
    Ok(BoundExpr::call(&name, args, kernel, DataType::String, nullable))
}

/// `STARTSWITH(s, prefix)` / `ENDSWITH(s, suffix)` → BOOLEAN (an empty affix matches).
fn affix(site: CallSite, start: bool) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String, Param::String], 2)?;
    let nullable = any_nullable(&args);
    let kernel = Kernel::StrictN(Arc::new(move |v: &[Value]| match (v.first(), v.get(1)) {
        (Some(Value::String(s)), Some(Value::String(a))) => Ok(Value::Boolean(if start { s.starts_with(&**a) } else { s.ends_with(&**a) })),
        (Some(other), _) => Err(unexpected(other)),
        _ => Ok(Value::Null),
    }));
    Ok(BoundExpr::call(&name, args, kernel, DataType::Boolean, nullable))
}
