//! Values without a native form (STRING, BYTES, ARRAY, ...) in native predicates: compared,
//! looked up in an IN list and matched by LIKE where they lie in the row, without a copy.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::types::{Row, Value};

use super::super::bound::{BoundExpr, Kind};
use super::super::compile::{CompiledExpr, Compiler};
use super::super::error::EvalError;
use super::super::functions::string::folded;
use super::super::like::LikePattern;
use super::choice::{Members, found};
use super::scalar::Operand;

/// An argument of a type without a native form: read where it lies when it is a column or a
/// literal, so that using it costs no copy.
pub(super) enum Borrowed {
    Column(usize),
    Constant(Value),
    Computed(CompiledExpr),
}

impl Borrowed {
    pub(super) fn new(expr: &BoundExpr, cx: Compiler<'_>) -> Borrowed {
        match &expr.kind {
            Kind::Column(i) => Borrowed::Column(*i),
            Kind::Literal(v) => Borrowed::Constant(v.clone()),
            Kind::Call(_) => Borrowed::Computed(cx.generic_root(expr)),
        }
    }

    /// `f` of the value on `row`.
    #[inline]
    pub(super) fn with<R>(&self, row: &Row, f: impl FnOnce(&Value) -> R) -> Result<R, EvalError> {
        Ok(match self {
            Borrowed::Column(i) => f(row.get(*i)),
            Borrowed::Constant(v) => f(v),
            Borrowed::Computed(c) => f(&c.eval(row)?),
        })
    }
}

/// A NULL-strict comparison of two borrowed arguments (the second is not evaluated when the
/// first is NULL).
pub(super) fn compare_in_place(a: Borrowed, b: Borrowed, test: fn(Ordering) -> bool) -> Operand<bool> {
    Operand::computed(move |row| {
        a.with(row, |x| if x.is_null() { Ok(None) } else { b.with(row, |y| if y.is_null() { None } else { Some(test(x.cmp(y))) }) })?
    })
}

/// `x [NOT] IN (literals)` for `x` without a native form; `members` are the non-NULL literals.
pub(super) fn in_set_in_place(x: Borrowed, members: Members<Value>, has_null: bool, negated: bool) -> Operand<bool> {
    Operand::computed(move |row| x.with(row, |v| if v.is_null() { None } else { found(members.contains(v), has_null, negated) }))
}

/// `s [NOT] LIKE pattern` (or ILIKE, folding case) with a pattern compiled at bind time; NULL
/// for NULL.
pub(super) fn like(s: Borrowed, pattern: Arc<LikePattern>, negated: bool, fold_case: bool) -> Operand<bool> {
    Operand::computed(move |row| {
        s.with(row, |v| match v {
            Value::String(s) => Some(pattern.matches(&folded(s, fold_case)) != negated),
            _ => None,
        })
    })
}
