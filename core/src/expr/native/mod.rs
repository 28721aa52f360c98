//! Native evaluation of the hot scalar operators: arithmetic, unary minus, comparisons,
//! BETWEEN, IN, AND / OR / NOT, IS [NOT] NULL, CASE and numeric casts over BOOLEAN, INT,
//! BIGINT, DOUBLE, DECIMAL and the integer-backed date-time types, plus LIKE and IN over
//! strings read in place, compiled to closures over Rust scalars (`Option<i64>`,
//! `Option<Decimal>`, ...) instead of [`Value`]s.
//!
//! A call whose binder marked it with a [`NativeOp`] compiles here together with every marked
//! call below it, so a tree such as `(price * 3 + bidder % 7) > 5000 AND auction <> 1000`
//! reads its columns as integers, computes without building a `Value` per node, and makes one
//! `Value` at its root. Anything else below (a string function, a UDF) compiles as usual and
//! is read back as a scalar at the boundary. Results, NULL handling, errors and the order of
//! evaluation are those of the generic kernels the binders attach too (strict operators
//! evaluate their second argument only when the first is not NULL; AND / OR stop at the first
//! deciding argument, CASE at the first matching branch, IN at the first equal element); the
//! DECIMAL kernels are the generic ones' own ([`decimal_op`]); `tests/native.rs` checks all of
//! it against the generic path.
//!
//! [`decimal_op`]: super::functions::arithmetic::decimal_op

mod choice;
mod numeric;
mod scalar;
mod text;

use std::cmp::Ordering;
use std::sync::Arc;

use crate::types::{DataType, Value};

use super::bound::{BoundCall, BoundExpr, Kind};
use super::compile::{CompiledExpr, Compiler};
use super::error::EvalError;
use super::functions::logic::and3;
use super::like::LikePattern;
use super::types::ArithOp;
use scalar::{Native, Operand, Repr, Scalar, by_repr, each_native, repr};
use text::Borrowed;

/// What a call computes, for the native compiler; the binder that builds the call sets it
/// next to the call's generic kernel.
#[derive(Clone, Debug)]
pub(crate) enum NativeOp {
    /// `+ - * / %` with the result type of the call (INT, BIGINT, DOUBLE or DECIMAL).
    Arith(ArithOp),
    /// A comparison of two arguments of one type: true when the test holds for their order
    /// (values of types without a native form are compared where they lie, uncopied).
    Compare(fn(Ordering) -> bool),
    /// `AND` (`false`) or `OR` (`true`): the flag is the value that decides.
    Connective(bool),
    /// `NOT`.
    Not,
    /// `BETWEEN` (`false`) or `NOT BETWEEN` (`true`), asymmetric.
    Between(bool),
    /// `IS NULL` (`true`) or `IS NOT NULL` (`false`).
    IsNull(bool),
    /// `CAST` between INT, BIGINT, DOUBLE and DECIMAL.
    Cast,
    /// Unary minus (`NEGATE`).
    Negate,
    /// `CASE` over the arguments `[operand?, when0, then0, ..., else?]`: `simple` when the
    /// operand is there (`CASE x WHEN v THEN ..`), `has_else` when the ELSE is.
    Case { simple: bool, has_else: bool },
    /// `IN` (`false`) or `NOT IN` (`true`) over the arguments `[x, e0, e1, ...]`.
    In(bool),
    /// `LIKE` of the first argument against a pattern compiled at bind time (`negated` for
    /// NOT LIKE, `fold_case` for ILIKE).
    Like { pattern: Arc<LikePattern>, negated: bool, fold_case: bool },
}

/// The native compilation of `expr`, when it is a marked call that is not constant (constant
/// calls are folded by the generic compiler).
pub(super) fn compile(expr: &BoundExpr, cx: Compiler<'_>) -> Option<CompiledExpr> {
    let native = native_call(expr, cx)?;
    let t = expr.data_type();
    Some(each_native!(native, f => to_value(f, t)))
}

fn to_value<T: Scalar>(f: Operand<T>, t: DataType) -> CompiledExpr {
    CompiledExpr::from_fn(move |row| Ok(f.eval(row)?.map_or(Value::Null, |x| x.write(t))))
}

fn native_call(expr: &BoundExpr, cx: Compiler<'_>) -> Option<Native> {
    let Kind::Call(call) = &expr.kind else { return None };
    let op = call.native.as_ref()?;
    if call.deterministic && call.args.iter().all(BoundExpr::is_constant) {
        return None;
    }
    stacker::maybe_grow(64 << 10, 1 << 20, || build(op, call, expr.data_type(), cx))
}

fn build(op: &NativeOp, call: &BoundCall, t: DataType, cx: Compiler<'_>) -> Option<Native> {
    match op {
        NativeOp::Arith(op) => numeric::arithmetic(*op, pair(call, cx)?, t),
        NativeOp::Compare(test) => compare(call, *test, cx),
        NativeOp::Connective(decisive) => {
            let decisive = *decisive;
            let args = call.args.iter().map(|a| booleans(a, cx)).collect::<Option<Vec<_>>>()?;
            Some(Native::Bool(Operand::computed(move |row| {
                let mut saw_null = false;
                for a in &args {
                    match a.eval(row)? {
                        Some(b) if b == decisive => return Ok(Some(decisive)),
                        Some(_) => {}
                        None => saw_null = true,
                    }
                }
                Ok(if saw_null { None } else { Some(!decisive) })
            })))
        }
        NativeOp::Not => {
            let a = booleans(call.args.first()?, cx)?;
            Some(Native::Bool(Operand::computed(move |row| Ok(a.eval(row)?.map(|b| !b)))))
        }
        NativeOp::Between(negated) => {
            let [x, lo, hi] = &call.args[..] else { return None };
            let negated = *negated;
            let (x, lo, hi) = (operand(x, cx)?, operand(lo, cx)?, operand(hi, cx)?);
            by_repr!(repr(call.args[0].data_type())?, T => Some(Native::Bool(between::<T>(T::unwrap(x)?, T::unwrap(lo)?, T::unwrap(hi)?, negated))))
        }
        NativeOp::IsNull(want_null) => Some(Native::Bool(is_null(call.args.first()?, *want_null, cx))),
        NativeOp::Cast => numeric::cast(operand(call.args.first()?, cx)?, t),
        NativeOp::Negate => numeric::negate(operand(call.args.first()?, cx)?),
        NativeOp::Case { simple, has_else } => choice::case(call, t, *simple, *has_else, cx),
        NativeOp::In(negated) => choice::membership(call, *negated, cx),
        NativeOp::Like { pattern, negated, fold_case } => {
            Some(Native::Bool(text::like(Borrowed::new(call.args.first()?, cx), pattern.clone(), *negated, *fold_case)))
        }
    }
}

/// A comparison: natively when both sides have a native form, else in place.
fn compare(call: &BoundCall, test: fn(Ordering) -> bool, cx: Compiler<'_>) -> Option<Native> {
    let [a, b] = &call.args[..] else { return None };
    let Some(kind) = repr(a.data_type()) else {
        return Some(Native::Bool(text::compare_in_place(Borrowed::new(a, cx), Borrowed::new(b, cx), test)));
    };
    let (a, b) = (operand(a, cx)?, operand(b, cx)?);
    by_repr!(kind, T => Some(Native::Bool(strict2(T::unwrap(a)?, T::unwrap(b)?, move |x: T, y: T| Ok(test(x.cmp(&y)))))))
}

fn pair(call: &BoundCall, cx: Compiler<'_>) -> Option<[Native; 2]> {
    match &call.args[..] {
        [a, b] => Some([operand(a, cx)?, operand(b, cx)?]),
        _ => None,
    }
}

fn booleans(expr: &BoundExpr, cx: Compiler<'_>) -> Option<Operand<bool>> {
    bool::unwrap(operand(expr, cx)?)
}

/// An argument of a native call: a column or literal read natively, a marked call compiled
/// natively, or anything else compiled as usual and read back.
fn operand(expr: &BoundExpr, cx: Compiler<'_>) -> Option<Native> {
    let kind = repr(expr.data_type())?;
    if let Some(native) = native_call(expr, cx) {
        return Some(native);
    }
    by_repr!(kind, T => Some(T::wrap(read::<T>(expr, cx))))
}

/// `expr` (not a native call) read as a scalar: a column in place, a literal once, anything
/// else through its generic compilation.
fn read<T: Scalar>(expr: &BoundExpr, cx: Compiler<'_>) -> Operand<T> {
    match &expr.kind {
        Kind::Column(i) => Operand::Column(*i),
        Kind::Literal(v) => Operand::Constant(T::read(v)),
        Kind::Call(_) => {
            let generic = cx.generic_root(expr);
            Operand::computed(move |row| T::read(&generic.eval(row)?))
        }
    }
}

fn is_null(expr: &BoundExpr, want_null: bool, cx: Compiler<'_>) -> Operand<bool> {
    fn test<T: Scalar>(a: Operand<T>, want_null: bool) -> Operand<bool> {
        Operand::computed(move |row| Ok(Some(a.eval(row)?.is_none() == want_null)))
    }
    if let Kind::Column(i) = expr.kind {
        return Operand::computed(move |row| Ok(Some(row.get(i).is_null() == want_null)));
    }
    match operand(expr, cx) {
        Some(native) => each_native!(native, a => test(a, want_null)),
        None => {
            let generic = cx.generic_root(expr);
            Operand::computed(move |row| Ok(Some(generic.eval(row)?.is_null() == want_null)))
        }
    }
}

/// `g` of the value of `f`, NULL for NULL.
fn map<A: Scalar, B: Scalar>(f: Operand<A>, g: impl Fn(A) -> B + Send + Sync + 'static) -> Operand<B> {
    Operand::computed(move |row| Ok(f.eval(row)?.map(&g)))
}

/// `g` of the value of `f`, where `g` may give NULL; NULL for NULL.
fn map_nullable<A: Scalar, B: Scalar>(f: Operand<A>, g: impl Fn(A) -> Option<B> + Send + Sync + 'static) -> Operand<B> {
    Operand::computed(move |row| Ok(f.eval(row)?.and_then(&g)))
}

/// A NULL-strict binary operator: NULL when `a` is (without evaluating `b`) or `b` is.
fn strict2<A: Scalar, B: Scalar, C: Scalar>(a: Operand<A>, b: Operand<B>, f: impl Fn(A, B) -> Result<C, EvalError> + Send + Sync + 'static) -> Operand<C> {
    strict2_nullable(a, b, move |x, y| f(x, y).map(Some))
}

/// [`strict2`] with an operator that may give NULL itself (a DECIMAL that overflows).
fn strict2_nullable<A: Scalar, B: Scalar, C: Scalar>(
    a: Operand<A>,
    b: Operand<B>,
    f: impl Fn(A, B) -> Result<Option<C>, EvalError> + Send + Sync + 'static,
) -> Operand<C> {
    // A literal operand (`0.908 * price`) is read once here rather than copied out of its
    // `Result` on every row.
    match (a, b) {
        (Operand::Constant(Ok(Some(x))), b) => Operand::computed(move |row| match b.eval(row)? {
            Some(y) => f(x, y),
            None => Ok(None),
        }),
        (a, Operand::Constant(Ok(Some(y)))) => Operand::computed(move |row| match a.eval(row)? {
            Some(x) => f(x, y),
            None => Ok(None),
        }),
        (a, b) => Operand::computed(move |row| {
            let Some(x) = a.eval(row)? else { return Ok(None) };
            let Some(y) = b.eval(row)? else { return Ok(None) };
            f(x, y)
        }),
    }
}

/// `x BETWEEN lo AND hi` (`x >= lo AND x <= hi`, three-valued), every argument evaluated.
fn between<T: Scalar>(x: Operand<T>, lo: Operand<T>, hi: Operand<T>, negated: bool) -> Operand<bool> {
    Operand::computed(move |row| {
        let (x, lo, hi) = (x.eval(row)?, lo.eval(row)?, hi.eval(row)?);
        let above = x.zip(lo).map(|(x, lo)| x >= lo);
        let below = x.zip(hi).map(|(x, hi)| x <= hi);
        Ok(and3(above, below).map(|inside| inside != negated))
    })
}
