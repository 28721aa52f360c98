//! Boolean logic with SQL's three-valued semantics: `AND`, `OR`, `NOT`, and the tests
//! `IS [NOT] NULL`, `IS [NOT] TRUE`, `IS [NOT] FALSE` (which never return NULL).
//!
//! `AND` is FALSE if any side is FALSE, else NULL if any side is NULL, else TRUE; `OR` is TRUE
//! if any side is TRUE, else NULL if any is NULL, else FALSE. Both stop evaluating as soon as
//! the answer is known.

use std::sync::Arc;

use crate::types::{DataType, Row, Value};

use super::super::bound::{BoundExpr, Kernel, any_nullable};
use super::super::compile::CompiledExpr;
use super::super::error::EvalError;
use super::super::error::ExprError;
use super::super::native::NativeOp;
use super::{CallSite, FunctionDef, Param, unexpected};

/// The logical operators and truth tests.
pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["AND"], signature: "(BOOLEAN, BOOLEAN, ...)", bind: and },
    FunctionDef { names: &["OR"], signature: "(BOOLEAN, BOOLEAN, ...)", bind: or },
    FunctionDef { names: &["NOT"], signature: "(BOOLEAN)", bind: not },
    FunctionDef { names: &["IS NULL", "ISNULL"], signature: "(ANY)", bind: is_null },
    FunctionDef { names: &["IS NOT NULL", "ISNOTNULL"], signature: "(ANY)", bind: is_not_null },
    FunctionDef { names: &["IS TRUE"], signature: "(BOOLEAN)", bind: is_true },
    FunctionDef { names: &["IS FALSE"], signature: "(BOOLEAN)", bind: is_false },
    FunctionDef { names: &["IS NOT TRUE"], signature: "(BOOLEAN)", bind: is_not_true },
    FunctionDef { names: &["IS NOT FALSE"], signature: "(BOOLEAN)", bind: is_not_false },
];

/// Three-valued AND (`None` is NULL).
pub(crate) fn and3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// A BOOLEAN value as `Option<bool>` (`None` for NULL).
pub(crate) fn truth(v: &Value) -> Result<Option<bool>, EvalError> {
    match v {
        Value::Null => Ok(None),
        Value::Boolean(b) => Ok(Some(*b)),
        other => Err(unexpected(other)),
    }
}

fn boolean_args(site: CallSite, min: usize, max: usize) -> Result<(String, Vec<BoundExpr>, bool), ExprError> {
    if site.args.len() > max {
        return Err(site.mismatch());
    }
    let n = site.args.len().max(min);
    let name = site.name.clone();
    let nullable = any_nullable(&site.args);
    let args = site.expect(&vec![Param::Boolean; n], min)?;
    Ok((name, args, nullable))
}

fn and(site: CallSite) -> Result<BoundExpr, ExprError> {
    connective(site, false)
}
fn or(site: CallSite) -> Result<BoundExpr, ExprError> {
    connective(site, true)
}

/// AND (`decisive = false`: a FALSE decides) or OR (`decisive = true`).
fn connective(site: CallSite, decisive: bool) -> Result<BoundExpr, ExprError> {
    let (name, args, nullable) = boolean_args(site, 2, usize::MAX)?;
    let kernel = Kernel::Lazy(Arc::new(move |args: &[CompiledExpr], row: &Row| {
        let mut saw_null = false;
        for a in args {
            match truth(&a.eval(row)?)? {
                Some(b) if b == decisive => return Ok(Value::Boolean(decisive)),
                Some(_) => {}
                None => saw_null = true,
            }
        }
        Ok(if saw_null { Value::Null } else { Value::Boolean(!decisive) })
    }));
    Ok(BoundExpr::call(&name, args, kernel, DataType::Boolean, nullable).with_native(NativeOp::Connective(decisive)))
}

fn not(site: CallSite) -> Result<BoundExpr, ExprError> {
    let (name, args, nullable) = boolean_args(site, 1, 1)?;
    let kernel = super::strict1(|v| Ok(Value::Boolean(!truth(&v)?.unwrap_or(false))));
    Ok(BoundExpr::call(&name, args, kernel, DataType::Boolean, nullable).with_native(NativeOp::Not))
}

fn is_null(site: CallSite) -> Result<BoundExpr, ExprError> {
    null_test(site, true)
}
fn is_not_null(site: CallSite) -> Result<BoundExpr, ExprError> {
    null_test(site, false)
}

fn null_test(site: CallSite, want_null: bool) -> Result<BoundExpr, ExprError> {
    site.expect_count(1, 1)?;
    let kernel = Kernel::AllN(Arc::new(move |v: &[Value]| Ok(Value::Boolean(v.first().is_none_or(Value::is_null) == want_null))));
    Ok(BoundExpr::call(&site.name, site.args, kernel, DataType::Boolean, false).with_native(NativeOp::IsNull(want_null)))
}

fn is_true(site: CallSite) -> Result<BoundExpr, ExprError> {
    truth_test(site, |t| t == Some(true))
}
fn is_false(site: CallSite) -> Result<BoundExpr, ExprError> {
    truth_test(site, |t| t == Some(false))
}
fn is_not_true(site: CallSite) -> Result<BoundExpr, ExprError> {
    truth_test(site, |t| t != Some(true))
}
fn is_not_false(site: CallSite) -> Result<BoundExpr, ExprError> {
    truth_test(site, |t| t != Some(false))
}

fn truth_test(site: CallSite, test: fn(Option<bool>) -> bool) -> Result<BoundExpr, ExprError> {
    let (name, args, _) = boolean_args(site, 1, 1)?;
    let kernel = Kernel::AllN(Arc::new(move |v: &[Value]| {
        let t = match v.first() {
            Some(x) => truth(x)?,
            None => None,
        };
        Ok(Value::Boolean(test(t)))
    }));
    Ok(BoundExpr::call(&name, args, kernel, DataType::Boolean, false))
}
