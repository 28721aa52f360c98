//! Conditional expressions: `CASE` (simple and searched), `COALESCE`, `IFNULL`, `NULLIF`, `IF`.
//! Branch results are converted to their common type; only the chosen branch is evaluated.

use std::sync::Arc;

use crate::types::{DataType, Row, Value};

use super::super::bind::BindContext;
use super::super::bound::{BoundExpr, Kernel, any_nullable};
use super::super::compile::CompiledExpr;
use super::super::error::{EvalError, ExprError};
use super::super::native::NativeOp;
use super::super::types::common_type;
use super::logic::truth;
use super::{CallSite, FunctionDef, convert_all, unified_type};

/// The conditional functions (CASE is bound from its own syntax node).
pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["COALESCE"], signature: "(T, T, ...)", bind: coalesce },
    FunctionDef { names: &["IFNULL"], signature: "(T, T)", bind: ifnull },
    FunctionDef { names: &["NULLIF"], signature: "(T, T)", bind: nullif },
    FunctionDef { names: &["IF"], signature: "(BOOLEAN, T, T)", bind: if_then_else },
    FunctionDef { names: &["$SINGLE_VALUE"], signature: "(BIGINT, T)", bind: single_value },
];

/// Binds a CASE node; error paths are relative to it (`when[1].then`, `else`).
pub(crate) fn bind_case(
    operand: Option<BoundExpr>,
    branches: Vec<(BoundExpr, BoundExpr)>,
    else_result: Option<BoundExpr>,
    ctx: &BindContext,
) -> Result<BoundExpr, ExprError> {
    if branches.is_empty() {
        return Err(ExprError::new("when", "CASE needs at least one WHEN branch"));
    }
    // Conditions: compared to the operand, or BOOLEAN.
    let mut conditions = Vec::with_capacity(branches.len() + 1);
    let mut results = Vec::with_capacity(branches.len() + 1);
    for (w, t) in branches {
        conditions.push(w);
        results.push(t);
    }
    let has_operand = operand.is_some();
    let conditions = match operand {
        Some(op) => {
            let mut all = vec![op];
            all.extend(conditions);
            let mut t = all[0].data_type();
            for (i, c) in all.iter().enumerate().skip(1) {
                t = common_type(t, c.data_type()).ok_or_else(|| {
                    ExprError::new(
                        format!("when[{}].when", i - 1),
                        format!("CASE operand of type {} cannot be compared with {}", all[0].data_type(), c.data_type()),
                    )
                })?;
            }
            let t = unified_type(&all, true).unwrap_or(t);
            convert_all(all, t, ctx, true)?
        }
        None => {
            for (i, c) in conditions.iter().enumerate() {
                if !matches!(c.data_type(), DataType::Boolean | DataType::Null) {
                    return Err(ExprError::new(format!("when[{i}].when"), format!("a CASE condition must be BOOLEAN, got {}", c.data_type())));
                }
            }
            conditions
        }
    };
    // Results: unified.
    let mut t = DataType::Null;
    for (i, r) in results.iter().chain(else_result.iter()).enumerate() {
        t = common_type(t, r.data_type()).ok_or_else(|| {
            let path = if i < results.len() { format!("when[{i}].then") } else { "else".to_string() };
            ExprError::new(path, format!("CASE branches have incompatible types: {t} and {}", r.data_type()))
        })?;
    }
    let has_else = else_result.is_some();
    let nullable = !has_else || any_nullable(&results) || else_result.as_ref().is_some_and(BoundExpr::nullable);
    results.extend(else_result);
    let results = convert_all(results, t, ctx, false)?;
    let n = results.len() - usize::from(has_else);
    let (mut args, mut results) = (conditions, results.into_iter());
    let mut ordered: Vec<BoundExpr> = Vec::with_capacity(args.len() + n + 1);
    if has_operand {
        ordered.push(args.remove(0));
    }
    for c in args {
        ordered.push(c);
        ordered.extend(results.next());
    }
    ordered.extend(results);
    let kernel = case_kernel(has_operand, n, has_else);
    Ok(BoundExpr::call("CASE", ordered, kernel, t, nullable).with_native(NativeOp::Case { simple: has_operand, has_else }))
}

/// Arguments: `[operand?, when0, then0, when1, then1, ..., else?]`.
fn case_kernel(has_operand: bool, branches: usize, has_else: bool) -> Kernel {
    Kernel::Lazy(Arc::new(move |args: &[CompiledExpr], row: &Row| {
        let start = usize::from(has_operand);
        let operand = match (has_operand, args.first()) {
            (true, Some(a)) => Some(a.eval(row)?),
            _ => None,
        };
        for b in 0..branches {
            let (w, t) = (start + 2 * b, start + 2 * b + 1);
            let (Some(when), Some(then)) = (args.get(w), args.get(t)) else { break };
            let hit = match &operand {
                Some(Value::Null) => false,
                Some(op) => when.eval(row)? == *op,
                None => truth(&when.eval(row)?)? == Some(true),
            };
            if hit {
                return then.eval(row);
            }
        }
        match (has_else, args.last()) {
            (true, Some(e)) => e.eval(row),
            _ => Ok(Value::Null),
        }
    }))
}

fn coalesce(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(1, usize::MAX)?;
    first_non_null(site)
}

fn ifnull(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(2, 2)?;
    first_non_null(site)
}

fn first_non_null(site: CallSite) -> Result<BoundExpr, ExprError> {
    let t = unified_type(&site.args, false).ok_or_else(|| site.mismatch())?;
    let nullable = site.args.iter().all(BoundExpr::nullable);
    let args = convert_all(site.args, t, site.ctx, false)?;
    let kernel = Kernel::Lazy(Arc::new(|args: &[CompiledExpr], row: &Row| {
        for a in args {
            let v = a.eval(row)?;
            if !v.is_null() {
                return Ok(v);
            }
        }
        Ok(Value::Null)
    }));
    Ok(BoundExpr::call(&site.name, args, kernel, t, nullable))
}

/// `NULLIF(a, b)`: NULL when `a = b`, else `a`.
fn nullif(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(2, 2)?;
    let t = unified_type(&site.args, true).ok_or_else(|| site.mismatch())?;
    let args = convert_all(site.args, t, site.ctx, false)?;
    let kernel = Kernel::AllN(Arc::new(|v: &[Value]| match v {
        [a, b] if !a.is_null() && a == b => Ok(Value::Null),
        [a, _] => Ok(a.clone()),
        _ => Ok(Value::Null),
    }));
    Ok(BoundExpr::call("NULLIF", args, kernel, t, true))
}

/// `$SINGLE_VALUE(n, v)`: `v`, or an error when `n` — how many rows a scalar subquery
/// returned for this row — is more than one. The SQL planner's stand-in for Flink's
/// `SINGLE_VALUE` aggregate; not meant to be written by hand.
fn single_value(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(2, 2)?;
    if !matches!(site.args[0].data_type(), DataType::BigInt | DataType::Int | DataType::Null) {
        return Err(site.mismatch());
    }
    let t = site.args[1].data_type();
    let nullable = any_nullable(&site.args[1..]);
    let kernel = Kernel::AllN(Arc::new(|v: &[Value]| match v {
        [n, _] if matches!(n, Value::BigInt(k) if *k > 1) || matches!(n, Value::Int(k) if *k > 1) => {
            Err(EvalError::new("a scalar subquery returned more than one row (Flink: SingleValueAggFunction received more than one element)"))
        }
        [_, x] => Ok(x.clone()),
        _ => Ok(Value::Null),
    }));
    Ok(BoundExpr::call("$SINGLE_VALUE", site.args, kernel, t, nullable))
}

/// `IF(condition, a, b)`: `a` when the condition is TRUE, else (FALSE or NULL) `b`.
fn if_then_else(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(3, 3)?;
    if !matches!(site.args[0].data_type(), DataType::Boolean | DataType::Null) {
        return Err(site.mismatch());
    }
    let t = unified_type(&site.args[1..], false).ok_or_else(|| site.mismatch())?;
    let nullable = any_nullable(&site.args[1..]);
    let mut args = site.args;
    let branches = convert_all(args.split_off(1), t, site.ctx, false)?;
    args.extend(branches);
    let kernel = Kernel::Lazy(Arc::new(|args: &[CompiledExpr], row: &Row| {
        let (Some(c), Some(a), Some(b)) = (args.first(), args.get(1), args.get(2)) else { return Ok(Value::Null) };
        if truth(&c.eval(row)?)? == Some(true) { a.eval(row) } else { b.eval(row) }
    }));
    Ok(BoundExpr::call("IF", args, kernel, t, nullable))
}
