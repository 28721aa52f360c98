//! How native code holds values: each SQL type with a native form is one Rust scalar
//! ([`Scalar`]), and a native expression is an [`Operand`] of it — read in place, constant, or
//! computed by a closure.

use crate::types::{DataType, Decimal, F64, Row, Value};

use super::super::error::EvalError;
use super::super::functions::unexpected;

/// A closure computing a native scalar from a row (`None` = NULL).
pub(super) type Eval<T> = Box<dyn Fn(&Row) -> Result<Option<T>, EvalError> + Send + Sync>;

/// A native expression: read in place (a column, a constant) or computed by a closure. The
/// first two cost a branch instead of a call, which is most of what a leaf costs.
pub(super) enum Operand<T> {
    /// Input column `i`, read as a `T`.
    Column(usize),
    /// A value computed once (a literal).
    Constant(Result<Option<T>, EvalError>),
    /// Anything else.
    Computed(Eval<T>),
}

impl<T: Scalar> Operand<T> {
    /// The value on `row`.
    #[inline]
    pub(super) fn eval(&self, row: &Row) -> Result<Option<T>, EvalError> {
        match self {
            Operand::Column(i) => T::read(row.get(*i)),
            Operand::Constant(c) => c.clone(),
            Operand::Computed(f) => f(row),
        }
    }

    /// A computed operand.
    pub(super) fn computed(f: impl Fn(&Row) -> Result<Option<T>, EvalError> + Send + Sync + 'static) -> Operand<T> {
        Operand::Computed(Box::new(f))
    }
}

/// A compiled expression producing one kind of scalar.
pub(super) enum Native {
    Bool(Operand<bool>),
    I32(Operand<i32>),
    I64(Operand<i64>),
    F64(Operand<F64>),
    Dec(Operand<Decimal>),
}

/// How values of a SQL type are held natively, if they are.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Repr {
    Bool,
    I32,
    I64,
    F64,
    Dec,
}

/// The native form of values of type `t`, if it has one.
pub(super) fn repr(t: DataType) -> Option<Repr> {
    match t {
        DataType::Boolean => Some(Repr::Bool),
        DataType::Int | DataType::Date | DataType::Time(_) | DataType::IntervalYearMonth => Some(Repr::I32),
        DataType::BigInt | DataType::Timestamp | DataType::TimestampLtz | DataType::IntervalDayTime => Some(Repr::I64),
        DataType::Double => Some(Repr::F64),
        DataType::Decimal { .. } => Some(Repr::Dec),
        _ => None,
    }
}

/// Runs `$body` with the type alias `$T` bound to the scalar of the representation `$repr`.
macro_rules! by_repr {
    ($repr:expr, $T:ident => $body:expr) => {
        match $repr {
            Repr::Bool => {
                type $T = bool;
                $body
            }
            Repr::I32 => {
                type $T = i32;
                $body
            }
            Repr::I64 => {
                type $T = i64;
                $body
            }
            Repr::F64 => {
                type $T = $crate::types::F64;
                $body
            }
            Repr::Dec => {
                type $T = $crate::types::Decimal;
                $body
            }
        }
    };
}
pub(super) use by_repr;

/// A scalar with a native representation: how it is read from and written to a [`Value`] of
/// the SQL type `t`, and how it sits in a [`Native`]. Its order and equality are those of the
/// [`Value`]s it stands for.
pub(super) trait Scalar: Copy + Ord + Send + Sync + 'static {
    fn read(v: &Value) -> Result<Option<Self>, EvalError>;
    fn write(self, t: DataType) -> Value;
    fn wrap(f: Operand<Self>) -> Native;
    fn unwrap(n: Native) -> Option<Operand<Self>>;
}

/// Implements the [`Native`] conversions of a [`Scalar`] held in the variant `$variant`.
macro_rules! native_variant {
    ($variant:ident) => {
        fn wrap(f: Operand<Self>) -> Native {
            Native::$variant(f)
        }
        fn unwrap(n: Native) -> Option<Operand<Self>> {
            match n {
                Native::$variant(f) => Some(f),
                _ => None,
            }
        }
    };
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
    native_variant!(Bool);
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
    native_variant!(I32);
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
    native_variant!(I64);
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
    native_variant!(F64);
}

/// A DECIMAL as the engine stores it (an `i128` mantissa and its scale), whatever the scale
/// of the value: the kernels it is computed with rescale as the generic ones do.
impl Scalar for Decimal {
    fn read(v: &Value) -> Result<Option<Decimal>, EvalError> {
        match v {
            Value::Null => Ok(None),
            Value::Decimal(d) => Ok(Some(*d)),
            other => Err(unexpected(other)),
        }
    }
    fn write(self, _: DataType) -> Value {
        Value::Decimal(self)
    }
    native_variant!(Dec);
}

/// Matches every [`Native`] variant, binding its operand to `$f` for `$body`.
macro_rules! each_native {
    ($native:expr, $f:ident => $body:expr) => {
        match $native {
            Native::Bool($f) => $body,
            Native::I32($f) => $body,
            Native::I64($f) => $body,
            Native::F64($f) => $body,
            Native::Dec($f) => $body,
        }
    };
}
pub(super) use each_native;
