//! Comparisons: `= <> < <= > >=`, `IS [NOT] DISTINCT FROM`, `[NOT] IN`, `[NOT] BETWEEN`,
//! `GREATEST`, `LEAST`.
//!
//! Operands are converted to their common type first; a STRING literal compared with a DATE,
//! TIMESTAMP, number or BOOLEAN is read as that type at bind time. NULL compares as unknown
//! (NULL result), except in `IS [NOT] DISTINCT FROM`.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::sync::Arc;

use crate::types::{DataType, Row, Value};

use super::super::bound::{BoundExpr, Kernel, any_nullable};
use super::super::compile::CompiledExpr;
use super::super::error::EvalError;
use super::super::error::ExprError;
use super::super::native::NativeOp;
use super::{CallSite, FunctionDef, convert_all, strict2, unified_type};

const PAIR: &str = "(T, T) for comparable types T";

/// The comparison operators.
pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["=", "==", "EQUALS"], signature: PAIR, bind: eq },
    FunctionDef { names: &["<>", "!=", "NOT_EQUALS"], signature: PAIR, bind: ne },
    FunctionDef { names: &["<", "LESS_THAN"], signature: PAIR, bind: lt },
    FunctionDef { names: &["<=", "LESS_THAN_OR_EQUAL"], signature: PAIR, bind: le },
    FunctionDef { names: &[">", "GREATER_THAN"], signature: PAIR, bind: gt },
    FunctionDef { names: &[">=", "GREATER_THAN_OR_EQUAL"], signature: PAIR, bind: ge },
    FunctionDef { names: &["IS DISTINCT FROM"], signature: PAIR, bind: distinct },
    FunctionDef { names: &["IS NOT DISTINCT FROM"], signature: PAIR, bind: not_distinct },
    FunctionDef { names: &["IN"], signature: "(T, T, ...)", bind: in_list },
    FunctionDef { names: &["NOT IN"], signature: "(T, T, ...)", bind: not_in_list },
    FunctionDef { names: &["BETWEEN"], signature: "(T, T, T)", bind: between },
    FunctionDef { names: &["NOT BETWEEN"], signature: "(T, T, T)", bind: not_between },
    FunctionDef { names: &["GREATEST"], signature: "(T, T, ...)", bind: greatest },
    FunctionDef { names: &["LEAST"], signature: "(T, T, ...)", bind: least },
];

fn greatest(site: CallSite) -> Result<BoundExpr, ExprError> {
    extreme(site, Ordering::Greater)
}
fn least(site: CallSite) -> Result<BoundExpr, ExprError> {
    extreme(site, Ordering::Less)
}

/// `GREATEST(a, b, ...)` / `LEAST(..)`: the largest (smallest) argument, in the arguments'
/// common type; NULL when any argument is NULL, as in Flink.
fn extreme(site: CallSite, wanted: Ordering) -> Result<BoundExpr, ExprError> {
    site.expect_count(1, usize::MAX)?;
    let t = unified_type(&site.args, false).ok_or_else(|| site.mismatch())?;
    let t = if t == DataType::Null { DataType::Int } else { t };
    let nullable = any_nullable(&site.args);
    let name = site.name.clone();
    let args = convert_all(site.args, t, site.ctx, false)?;
    let kernel = Kernel::StrictN(Arc::new(move |v: &[Value]| {
        let best = v.iter().reduce(|best, x| if x.cmp(best) == wanted { x } else { best });
        Ok(best.cloned().unwrap_or(Value::Null))
    }));
    Ok(BoundExpr::call(&name, args, kernel, t, nullable))
}

fn eq(site: CallSite) -> Result<BoundExpr, ExprError> {
    compare(site, |o| o == Ordering::Equal)
}
fn ne(site: CallSite) -> Result<BoundExpr, ExprError> {
    compare(site, |o| o != Ordering::Equal)
}
fn lt(site: CallSite) -> Result<BoundExpr, ExprError> {
    ordered(&site)?;
    compare(site, |o| o == Ordering::Less)
}
fn le(site: CallSite) -> Result<BoundExpr, ExprError> {
    ordered(&site)?;
    compare(site, |o| o != Ordering::Greater)
}
fn gt(site: CallSite) -> Result<BoundExpr, ExprError> {
    ordered(&site)?;
    compare(site, |o| o == Ordering::Greater)
}
fn ge(site: CallSite) -> Result<BoundExpr, ExprError> {
    ordered(&site)?;
    compare(site, |o| o != Ordering::Less)
}

/// An error when an argument is an ARRAY or a MAP: those compare only for (in)equality, as in
/// Flink.
fn ordered(site: &CallSite) -> Result<(), ExprError> {
    match site.args.iter().map(BoundExpr::data_type).find(DataType::is_collection) {
        Some(t) => Err(ExprError::new("", format!("{} cannot order {t} values (ARRAY and MAP compare only with = and <>)", site.name))),
        None => Ok(()),
    }
}

/// The arguments converted to their common type, for comparing.
fn comparable(site: CallSite, min: usize, max: usize) -> Result<(String, Vec<BoundExpr>, bool), ExprError> {
    site.expect_count(min, max)?;
    let t = unified_type(&site.args, true).ok_or_else(|| site.mismatch())?;
    let nullable = any_nullable(&site.args);
    let args = convert_all(site.args, t, site.ctx, true)?;
    Ok((site.name, args, nullable))
}

fn compare(site: CallSite, test: fn(Ordering) -> bool) -> Result<BoundExpr, ExprError> {
    let (name, args, nullable) = comparable(site, 2, 2)?;
    let kernel = strict2(move |a, b| Ok(Value::Boolean(test(a.cmp(&b)))));
    Ok(BoundExpr::call(&name, args, kernel, DataType::Boolean, nullable).with_native(NativeOp::Compare(test)))
}

fn distinct(site: CallSite) -> Result<BoundExpr, ExprError> {
    distinct_from(site, true)
}
fn not_distinct(site: CallSite) -> Result<BoundExpr, ExprError> {
    distinct_from(site, false)
}

fn distinct_from(site: CallSite, want_distinct: bool) -> Result<BoundExpr, ExprError> {
    let (name, args, _) = comparable(site, 2, 2)?;
    let kernel = Kernel::AllN(Arc::new(move |v| Ok(Value::Boolean((v.first() != v.get(1)) == want_distinct))));
    Ok(BoundExpr::call(&name, args, kernel, DataType::Boolean, false))
}

fn in_list(site: CallSite) -> Result<BoundExpr, ExprError> {
    membership(site, false)
}
fn not_in_list(site: CallSite) -> Result<BoundExpr, ExprError> {
    membership(site, true)
}

/// `x IN (a, b, ...)`: TRUE if x equals one of them; else NULL if x or any of them is NULL;
/// else FALSE. A list of literals is prepared once (a hash set when long).
fn membership(site: CallSite, negated: bool) -> Result<BoundExpr, ExprError> {
    let (name, args, nullable) = comparable(site, 2, usize::MAX)?;
    let literals: Option<Vec<Value>> = args[1..].iter().map(|a| a.as_literal().cloned()).collect();
    let finish = move |found: Option<bool>| Ok(found.map_or(Value::Null, |f| Value::Boolean(f != negated)));
    let kernel = match literals {
        Some(list) => {
            let has_null = list.iter().any(Value::is_null);
            let set: HashSet<Value> = list.into_iter().filter(|v| !v.is_null()).collect();
            Kernel::Lazy(Arc::new(move |args: &[CompiledExpr], row: &Row| {
                let x = eval_first(args, row)?;
                if x.is_null() {
                    return finish(None);
                }
                finish(if set.contains(&x) {
                    Some(true)
                } else if has_null {
                    None
                } else {
                    Some(false)
                })
            }))
        }
        None => Kernel::Lazy(Arc::new(move |args: &[CompiledExpr], row: &Row| {
            let x = eval_first(args, row)?;
            if x.is_null() {
                return finish(None);
            }
            let mut saw_null = false;
            for a in &args[1..] {
                match a.eval(row)? {
                    Value::Null => saw_null = true,
                    v if v == x => return finish(Some(true)),
                    _ => {}
                }
            }
            finish(if saw_null { None } else { Some(false) })
        })),
    };
    Ok(BoundExpr::call(&name, args, kernel, DataType::Boolean, nullable).with_native(NativeOp::In(negated)))
}

fn eval_first(args: &[CompiledExpr], row: &Row) -> Result<Value, EvalError> {
    args.first().map_or(Ok(Value::Null), |a| a.eval(row))
}

fn between(site: CallSite) -> Result<BoundExpr, ExprError> {
    range(site, false)
}
fn not_between(site: CallSite) -> Result<BoundExpr, ExprError> {
    range(site, true)
}

/// `x BETWEEN lo AND hi` = `x >= lo AND x <= hi` (asymmetric), with three-valued logic.
fn range(site: CallSite, negated: bool) -> Result<BoundExpr, ExprError> {
    let (name, args, nullable) = comparable(site, 3, 3)?;
    let kernel = Kernel::AllN(Arc::new(move |v: &[Value]| {
        let (x, lo, hi) = match v {
            [x, lo, hi] => (x, lo, hi),
            _ => return Ok(Value::Null),
        };
        let cmp = |a: &Value, b: &Value| if a.is_null() || b.is_null() { None } else { Some(a.cmp(b)) };
        let above = cmp(x, lo).map(|o| o != Ordering::Less);
        let below = cmp(x, hi).map(|o| o != Ordering::Greater);
        let inside = super::logic::and3(above, below);
        Ok(inside.map_or(Value::Null, |b| Value::Boolean(b != negated)))
    }));
    Ok(BoundExpr::call(&name, args, kernel, DataType::Boolean, nullable).with_native(NativeOp::Between(negated)))
}
