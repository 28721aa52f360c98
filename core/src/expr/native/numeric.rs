//! Native arithmetic and numeric casts: INT, BIGINT and DOUBLE as Java computes them, DECIMAL
//! with the generic kernels' own functions (Flink's result type, HALF_UP rounding, NULL on
//! overflow), so that both paths give the same digits and the same scale.

use crate::types::{DataType, Decimal, F64};

use super::super::functions::arithmetic::{bigint_op, decimal_op, double_op, int_op};
use super::super::functions::cast::{decimal_of_double, fit_decimal};
use super::super::types::ArithOp;
use super::scalar::{Native, Operand};
use super::{map, map_nullable, strict2, strict2_nullable};

/// `a op b` with the result type `t`; DECIMAL arithmetic takes INT and BIGINT arguments as
/// they are (as exact numbers at scale 0), the others arguments of the result type.
pub(super) fn arithmetic(op: ArithOp, [a, b]: [Native; 2], t: DataType) -> Option<Native> {
    Some(match (t, a, b) {
        (DataType::Int, Native::I32(a), Native::I32(b)) => Native::I32(strict2(a, b, int_op(op))),
        (DataType::BigInt, Native::I64(a), Native::I64(b)) => Native::I64(strict2(a, b, bigint_op(op))),
        (DataType::Double, Native::F64(a), Native::F64(b)) => Native::F64(strict2(a, b, double_op(op))),
        (DataType::Decimal { precision, scale }, a, b) => Native::Dec(decimal(op, a, b, precision, scale)?),
        _ => return None,
    })
}

/// DECIMAL `a op b` at `DECIMAL(precision, scale)`. A literal times an integer at the literal's
/// own scale (`0.908 * price`) reads the integer where it lies and multiplies it by the
/// literal's mantissa: the generic kernel's first case, without a decimal made of the integer
/// on every row.
fn decimal(op: ArithOp, a: Native, b: Native, precision: u8, scale: u8) -> Option<Operand<Decimal>> {
    let kernel = decimal_op(op, precision, scale);
    let literal = |n: &Native| match n {
        Native::Dec(Operand::Constant(Ok(Some(c)))) if op == ArithOp::Mul && c.scale == scale => Some(*c),
        _ => None,
    };
    let (c, x) = match (literal(&a), literal(&b)) {
        (Some(c), None) => (c, b),
        (None, Some(c)) => (c, a),
        _ => return Some(strict2_nullable(exact(a)?, exact(b)?, kernel)),
    };
    let times = move |x: i128| kernel(c, Decimal::new(x, 0)).ok().flatten();
    match x {
        Native::I64(f) => Some(map_nullable(f, move |x| times(i128::from(x)))),
        Native::I32(f) => Some(map_nullable(f, move |x| times(i128::from(x)))),
        x => Some(strict2_nullable(Operand::Constant(Ok(Some(c))), exact(x)?, kernel)),
    }
}

/// An INT, BIGINT or DECIMAL operand as a decimal (integers at scale 0), as DECIMAL arithmetic
/// reads its arguments.
fn exact(n: Native) -> Option<Operand<Decimal>> {
    match n {
        Native::I32(f) => Some(integer(f, i128::from)),
        Native::I64(f) => Some(integer(f, i128::from)),
        Native::Dec(f) => Some(f),
        _ => None,
    }
}

/// An integer operand as a decimal at scale 0 (a literal converted once).
fn integer<T: super::Scalar>(f: Operand<T>, wide: fn(T) -> i128) -> Operand<Decimal> {
    match f {
        Operand::Constant(c) => Operand::Constant(c.map(|x| x.map(|x| Decimal::new(wide(x), 0)))),
        f => map(f, move |x| Decimal::new(wide(x), 0)),
    }
}

/// `-a` in `a`'s type: INT and BIGINT (and intervals) wrapping at their minimum, as Java.
pub(super) fn negate(a: Native) -> Option<Native> {
    Some(match a {
        Native::I32(f) => Native::I32(map(f, i32::wrapping_neg)),
        Native::I64(f) => Native::I64(map(f, i64::wrapping_neg)),
        Native::F64(f) => Native::F64(map(f, |x| F64::new(-x.get()))),
        Native::Dec(f) => Native::Dec(map(f, |d| Decimal::new(-d.mantissa, d.scale))),
        Native::Bool(_) => return None,
    })
}

/// Numeric conversions as `CAST` performs them: Java's narrowing between INT, BIGINT and
/// DOUBLE (truncation, wrap-around), DECIMAL to an integer truncated, to DOUBLE the nearest
/// double, and anything to DECIMAL(p, s) rounded HALF_UP to `s`, NULL when it does not fit.
pub(super) fn cast(from: Native, to: DataType) -> Option<Native> {
    Some(match (from, to) {
        (Native::I32(f), DataType::BigInt) => Native::I64(map(f, i64::from)),
        (Native::I32(f), DataType::Double) => Native::F64(map(f, |x| F64::new(f64::from(x)))),
        (Native::I64(f), DataType::Int) => Native::I32(map(f, |x| x as i32)),
        (Native::I64(f), DataType::Double) => Native::F64(map(f, |x| F64::new(x as f64))),
        (Native::F64(f), DataType::Int) => Native::I32(map(f, |x| x.get() as i32)),
        (Native::F64(f), DataType::BigInt) => Native::I64(map(f, |x| x.get() as i64)),
        (Native::Dec(f), DataType::Int) => Native::I32(map(f, |d| d.trunc_to_i128() as i64 as i32)),
        (Native::Dec(f), DataType::BigInt) => Native::I64(map(f, |d| d.trunc_to_i128() as i64)),
        (Native::Dec(f), DataType::Double) => Native::F64(map(f, |d| F64::new(d.to_f64()))),
        (from, DataType::Decimal { precision, scale }) => Native::Dec(match from {
            Native::I32(f) => map_nullable(f, move |x| fit_decimal(Some(Decimal::new(i128::from(x), 0)), precision, scale)),
            Native::I64(f) => map_nullable(f, move |x| fit_decimal(Some(Decimal::new(i128::from(x), 0)), precision, scale)),
            Native::F64(f) => map_nullable(f, move |x| fit_decimal(decimal_of_double(x.get(), scale), precision, scale)),
            Native::Dec(f) => map_nullable(f, move |d| fit_decimal(Some(d), precision, scale)),
            Native::Bool(_) => return None,
        }),
        _ => return None,
    })
}
