//! Native evaluation of the hot scalar operators: arithmetic, comparisons, AND / OR / NOT,
//! IS [NOT] NULL and numeric casts over BOOLEAN, INT, BIGINT, DOUBLE and the integer-backed
//! date-time types, compiled to closures over Rust scalars (`Option<i64>`, `Option<bool>`,
//! ...) instead of [`Value`]s.
//!
//! A call whose binder marked it with a [`NativeOp`] compiles here together with every marked
//! call below it, so a tree such as `(price * 3 + bidder % 7) > 5000 AND auction <> 1000`
//! reads its columns as integers, computes without building a `Value` per node, and makes one
//! `Value` at its root. Anything else below (a string function, a DECIMAL, a UDF) compiles as
//! usual and is read back as a scalar at the boundary. Results, NULL handling, errors and the
//! order of evaluation are those of the generic kernels the binders attach too (strict
//! operators evaluate their second argument only when the first is not NULL; AND / OR stop at
//! the first deciding argument); `tests/native.rs` checks that against the generic path.

use std::cmp::Ordering;

use crate::types::{DataType, F64, Row, Value};

use super::bound::{BoundCall, BoundExpr, Kind};
use super::compile::{CompiledExpr, Compiler};
use super::error::EvalError;
use super::functions::arithmetic::{bigint_op, double_op, int_op};
use super::functions::logic::and3;
use super::functions::unexpected;
use super::types::ArithOp;

/// What a call computes, for the native compiler; the binder that builds the call sets it
/// next to the call's generic kernel.
#[derive(Clone, Copy, Debug)]
pub(crate) enum NativeOp {
    /// `+ - * / %` with the result type of the call (INT, BIGINT or DOUBLE).
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
    /// `CAST` between INT, BIGINT and DOUBLE.
    Cast,
}

type Eval<T> = Box<dyn Fn(&Row) -> Result<Option<T>, EvalError> + Send + Sync>;

/// A native expression: read in place (a column, a constant) or computed by a closure. The
/// first two cost a branch instead of a call, which is most of what a leaf costs.
enum Operand<T> {
    Column(usize),
    Constant(Result<Option<T>, EvalError>),
    Computed(Eval<T>),
}

impl<T: Scalar> Operand<T> {
    #[inline]
    fn eval(&self, row: &Row) -> Result<Option<T>, EvalError> {
        match self {
            Operand::Column(i) => T::read(row.get(*i)),
            Operand::Constant(c) => c.clone(),
            Operand::Computed(f) => f(row),
        }
    }
}

/// A compiled expression producing one kind of scalar (`None` = NULL).
enum Native {
    Bool(Operand<bool>),
    I32(Operand<i32>),
    I64(Operand<i64>),
    F64(Operand<F64>),
}

/// How values of a SQL type are held natively, if they are.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Repr {
    Bool,
    I32,
    I64,
    F64,
}

fn repr(t: DataType) -> Option<Repr> {
    match t {
        DataType::Boolean => Some(Repr::Bool),
        DataType::Int | DataType::Date | DataType::Time(_) | DataType::IntervalYearMonth => Some(Repr::I32),
        DataType::BigInt | DataType::Timestamp | DataType::TimestampLtz | DataType::IntervalDayTime => Some(Repr::I64),
        DataType::Double => Some(Repr::F64),
        _ => None,
    }
}

/// A scalar with a native representation: how it is read from and written to a [`Value`] of
/// the SQL type `t`.
trait Scalar: Copy + Ord + Send + Sync + 'static {
    fn read(v: &Value) -> Result<Option<Self>, EvalError>;
    fn write(self, t: DataType) -> Value;
}

impl Scalar for bool {
    fn read(v: &Value) -> Result<Option<bool>, EvalError> {
        match v {
            Value::Null => Ok(None),
            Value::Boolean(b) => Ok(Some(*b)),
            other => Err(unexpected(other)),
        }
    }
    fn write(self, _: DataType) -> Value {
        Value::Boolean(self)
    }
}

impl Scalar for i32 {
    fn read(v: &Value) -> Result<Option<i32>, EvalError> {
        match v {
            Value::Null => Ok(None),
            Value::Int(x) | Value::Date(x) | Value::Time(x) | Value::IntervalYearMonth(x) => Ok(Some(*x)),
            other => Err(unexpected(other)),
        }
    }
    fn write(self, t: DataType) -> Value {
        match t {
            DataType::Date => Value::Date(self),
            DataType::Time(_) => Value::Time(self),
            DataType::IntervalYearMonth => Value::IntervalYearMonth(self),
            _ => Value::Int(self),
        }
    }
}

impl Scalar for i64 {
    fn read(v: &Value) -> Result<Option<i64>, EvalError> {
        match v {
            Value::Null => Ok(None),
            Value::BigInt(x) | Value::Timestamp(x) | Value::TimestampLtz(x) | Value::IntervalDayTime(x) => Ok(Some(*x)),
            other => Err(unexpected(other)),
        }
    }
    fn write(self, t: DataType) -> Value {
        match t {
            DataType::Timestamp => Value::Timestamp(self),
            DataType::TimestampLtz => Value::TimestampLtz(self),
            DataType::IntervalDayTime => Value::IntervalDayTime(self),
            _ => Value::BigInt(self),
        }
    }
}

impl Scalar for F64 {
    fn read(v: &Value) -> Result<Option<F64>, EvalError> {
        match v {
            Value::Null => Ok(None),
            Value::Double(x) => Ok(Some(*x)),
            other => Err(unexpected(other)),
        }
    }
    fn write(self, _: DataType) -> Value {
        Value::Double(self)
    }
}

/// The native compilation of `expr`, when it is a marked call that is not constant (constant
/// calls are folded by the generic compiler).
pub(super) fn compile(expr: &BoundExpr, cx: Compiler<'_>) -> Option<CompiledExpr> {
    let native = native_call(expr, cx)?;
    let t = expr.data_type();
    Some(match native {
        Native::Bool(f) => to_value(f, t),
        Native::I32(f) => to_value(f, t),
        Native::I64(f) => to_value(f, t),
        Native::F64(f) => to_value(f, t),
    })
}

fn to_value<T: Scalar>(f: Operand<T>, t: DataType) -> CompiledExpr {
    CompiledExpr::from_fn(move |row| Ok(f.eval(row)?.map_or(Value::Null, |x| x.write(t))))
}

fn native_call(expr: &BoundExpr, cx: Compiler<'_>) -> Option<Native> {
    let Kind::Call(call) = &expr.kind else { return None };
    let op = call.native?;
    if call.deterministic && call.args.iter().all(BoundExpr::is_constant) {
        return None;
    }
    stacker::maybe_grow(64 << 10, 1 << 20, || build(op, call, expr.data_type(), cx))
}

fn build(op: NativeOp, call: &BoundCall, t: DataType, cx: Compiler<'_>) -> Option<Native> {
    match op {
        NativeOp::Arith(op) => {
            let [a, b] = pair(call, cx)?;
            match (t, a, b) {
                (DataType::Int, Native::I32(a), Native::I32(b)) => Some(Native::I32(strict2(a, b, int_op(op)))),
                (DataType::BigInt, Native::I64(a), Native::I64(b)) => Some(Native::I64(strict2(a, b, bigint_op(op)))),
                (DataType::Double, Native::F64(a), Native::F64(b)) => Some(Native::F64(strict2(a, b, double_op(op)))),
                _ => None,
            }
        }
        NativeOp::Compare(test) => {
            if let [a, b] = &call.args[..]
                && repr(a.data_type()).is_none()
            {
                return Some(Native::Bool(compare_in_place(Borrowed::new(a, cx), Borrowed::new(b, cx), test)));
            }
            let [a, b] = pair(call, cx)?;
            let compare = move |x: Ordering| Ok(test(x));
            Some(Native::Bool(match (a, b) {
                (Native::Bool(a), Native::Bool(b)) => strict2(a, b, move |x, y| compare(x.cmp(&y))),
                (Native::I32(a), Native::I32(b)) => strict2(a, b, move |x, y| compare(x.cmp(&y))),
                (Native::I64(a), Native::I64(b)) => strict2(a, b, move |x, y| compare(x.cmp(&y))),
                (Native::F64(a), Native::F64(b)) => strict2(a, b, move |x, y| compare(x.cmp(&y))),
                _ => return None,
            }))
        }
        NativeOp::Connective(decisive) => {
            let args = call.args.iter().map(|a| booleans(a, cx)).collect::<Option<Vec<_>>>()?;
            Some(Native::Bool(Operand::Computed(Box::new(move |row| {
                let mut saw_null = false;
                for a in &args {
                    match a.eval(row)? {
                        Some(b) if b == decisive => return Ok(Some(decisive)),
                        Some(_) => {}
                        None => saw_null = true,
                    }
                }
                Ok(if saw_null { None } else { Some(!decisive) })
            }))))
        }
        NativeOp::Not => {
            let a = booleans(call.args.first()?, cx)?;
            Some(Native::Bool(Operand::Computed(Box::new(move |row| Ok(a.eval(row)?.map(|b| !b))))))
        }
        NativeOp::Between(negated) => {
            let [x, lo, hi] = &call.args[..] else { return None };
            Some(Native::Bool(match (operand(x, cx)?, operand(lo, cx)?, operand(hi, cx)?) {
                (Native::I32(x), Native::I32(lo), Native::I32(hi)) => between(x, lo, hi, negated),
                (Native::I64(x), Native::I64(lo), Native::I64(hi)) => between(x, lo, hi, negated),
                (Native::F64(x), Native::F64(lo), Native::F64(hi)) => between(x, lo, hi, negated),
                (Native::Bool(x), Native::Bool(lo), Native::Bool(hi)) => between(x, lo, hi, negated),
                _ => return None,
            }))
        }
        NativeOp::IsNull(want_null) => Some(Native::Bool(is_null(call.args.first()?, want_null, cx))),
        NativeOp::Cast => cast(operand(call.args.first()?, cx)?, t),
    }
}

fn pair(call: &BoundCall, cx: Compiler<'_>) -> Option<[Native; 2]> {
    match &call.args[..] {
        [a, b] => Some([operand(a, cx)?, operand(b, cx)?]),
        _ => None,
    }
}

fn booleans(expr: &BoundExpr, cx: Compiler<'_>) -> Option<Operand<bool>> {
    match operand(expr, cx)? {
        Native::Bool(f) => Some(f),
        _ => None,
    }
}

/// An argument of a native call: a column or literal read natively, a marked call compiled
/// natively, or anything else compiled as usual and read back.
fn operand(expr: &BoundExpr, cx: Compiler<'_>) -> Option<Native> {
    let t = expr.data_type();
    let kind = repr(t)?;
    if let Some(native) = native_call(expr, cx) {
        return Some(native);
    }
    Some(match kind {
        Repr::Bool => Native::Bool(read::<bool>(expr, cx)),
        Repr::I32 => Native::I32(read::<i32>(expr, cx)),
        Repr::I64 => Native::I64(read::<i64>(expr, cx)),
        Repr::F64 => Native::F64(read::<F64>(expr, cx)),
    })
}

/// `expr` (not a native call) read as a scalar: a column in place, a literal once, anything
/// else through its generic compilation.
fn read<T: Scalar>(expr: &BoundExpr, cx: Compiler<'_>) -> Operand<T> {
    match &expr.kind {
        Kind::Column(i) => Operand::Column(*i),
        Kind::Literal(v) => Operand::Constant(T::read(v)),
        Kind::Call(_) => {
            let generic = cx.generic_root(expr);
            Operand::Computed(Box::new(move |row| T::read(&generic.eval(row)?)))
        }
    }
}

fn is_null(expr: &BoundExpr, want_null: bool, cx: Compiler<'_>) -> Operand<bool> {
    fn test<T: Scalar>(a: Operand<T>, want_null: bool) -> Operand<bool> {
        Operand::Computed(Box::new(move |row| Ok(Some(a.eval(row)?.is_none() == want_null))))
    }
    if let Kind::Column(i) = expr.kind {
        return Operand::Computed(Box::new(move |row| Ok(Some(row.get(i).is_null() == want_null))));
    }
    match operand(expr, cx) {
        Some(Native::Bool(a)) => test(a, want_null),
        Some(Native::I32(a)) => test(a, want_null),
        Some(Native::I64(a)) => test(a, want_null),
        Some(Native::F64(a)) => test(a, want_null),
        None => {
            let generic = cx.generic_root(expr);
            Operand::Computed(Box::new(move |row| Ok(Some(generic.eval(row)?.is_null() == want_null))))
        }
    }
}

/// Numeric conversions as `CAST` performs them (Java's narrowing: truncation, wrap-around).
fn cast(from: Native, to: DataType) -> Option<Native> {
    Some(match (from, to) {
        (Native::I32(f), DataType::BigInt) => Native::I64(map(f, i64::from)),
        (Native::I32(f), DataType::Double) => Native::F64(map(f, |x| F64::new(f64::from(x)))),
        (Native::I64(f), DataType::Int) => Native::I32(map(f, |x| x as i32)),
        (Native::I64(f), DataType::Double) => Native::F64(map(f, |x| F64::new(x as f64))),
        (Native::F64(f), DataType::Int) => Native::I32(map(f, |x| x.get() as i32)),
        (Native::F64(f), DataType::BigInt) => Native::I64(map(f, |x| x.get() as i64)),
        _ => return None,
    })
}

fn map<A: Scalar, B: Scalar>(f: Operand<A>, g: fn(A) -> B) -> Operand<B> {
    Operand::Computed(Box::new(move |row| Ok(f.eval(row)?.map(g))))
}

/// A NULL-strict binary operator: NULL when `a` is (without evaluating `b`) or `b` is.
fn strict2<A: Scalar, B: Scalar, C: Scalar>(a: Operand<A>, b: Operand<B>, f: impl Fn(A, B) -> Result<C, EvalError> + Send + Sync + 'static) -> Operand<C> {
    Operand::Computed(Box::new(move |row| {
        let Some(x) = a.eval(row)? else { return Ok(None) };
        let Some(y) = b.eval(row)? else { return Ok(None) };
        f(x, y).map(Some)
    }))
}

/// `x BETWEEN lo AND hi` (`x >= lo AND x <= hi`, three-valued), every argument evaluated.
fn between<T: Scalar>(x: Operand<T>, lo: Operand<T>, hi: Operand<T>, negated: bool) -> Operand<bool> {
    Operand::Computed(Box::new(move |row| {
        let (x, lo, hi) = (x.eval(row)?, lo.eval(row)?, hi.eval(row)?);
        let above = x.zip(lo).map(|(x, lo)| x >= lo);
        let below = x.zip(hi).map(|(x, hi)| x <= hi);
        Ok(and3(above, below).map(|inside| inside != negated))
    }))
}

/// An argument of a type without a native form (STRING, DECIMAL, ...), for comparing: read
/// where it lies when it is a column or a literal, so that comparing costs no copy.
enum Borrowed {
    Column(usize),
    Constant(Value),
    Computed(CompiledExpr),
}

impl Borrowed {
    fn new(expr: &BoundExpr, cx: Compiler<'_>) -> Borrowed {
        match &expr.kind {
            Kind::Column(i) => Borrowed::Column(*i),
            Kind::Literal(v) => Borrowed::Constant(v.clone()),
            Kind::Call(_) => Borrowed::Computed(cx.generic_root(expr)),
        }
    }

    /// `f` of the value on `row`.
    #[inline]
    fn with<R>(&self, row: &Row, f: impl FnOnce(&Value) -> R) -> Result<R, EvalError> {
        Ok(match self {
            Borrowed::Column(i) => f(row.get(*i)),
            Borrowed::Constant(v) => f(v),
            Borrowed::Computed(c) => f(&c.eval(row)?),
        })
    }
}

/// A NULL-strict comparison of two borrowed arguments (the second is not evaluated when the
/// first is NULL).
fn compare_in_place(a: Borrowed, b: Borrowed, test: fn(Ordering) -> bool) -> Operand<bool> {
    Operand::Computed(Box::new(move |row| {
        a.with(row, |x| if x.is_null() { Ok(None) } else { b.with(row, |y| if y.is_null() { None } else { Some(test(x.cmp(y))) }) })?
    }))
}
