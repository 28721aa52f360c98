//! Accumulators of plain scalars for the local combiner's arena ([`super::group_table`]):
//! COUNT, SUM of INT/BIGINT/DOUBLE, MIN and MAX of INT/BIGINT, each kept as one 64-bit word
//! (plus a "holds a value" bit) in its group's row of words, so that folding a value is one
//! integer or float operation on memory the group's lookup has already brought into cache —
//! instead of a 40-byte [`Accumulator`] reached through an enum and a `Value` comparison.
//!
//! They give exactly what [`Accumulator`] gives for the same values: the same partial result
//! values ([`Accumulator::partial`]), wrapping integer sums, a DOUBLE sum started at `0.0`,
//! NULLs ignored (COUNT(*)'s caller passes a non-NULL marker). Every other aggregate and type
//! keeps its [`Accumulator`].

use crate::plan::AggregateFunction;
use crate::types::{DataType, Value};

#[cfg(doc)]
use super::accumulate::Accumulator;

/// The plain-scalar form of one aggregate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarKind {
    /// COUNT of rows or of non-NULL values: the word is the count; never NULL.
    Count,
    /// SUM of INT or BIGINT: the sum as a wrapping `i64` (as Java adds).
    SumInt,
    /// SUM of DOUBLE: the bits of the `f64` sum.
    SumDouble,
    /// MIN of INT (`int32`) or BIGINT: the smallest value as an `i64`.
    Min {
        /// Whether the values are INT (else BIGINT).
        int32: bool,
    },
    /// MAX of INT (`int32`) or BIGINT: the largest value as an `i64`.
    Max {
        /// Whether the values are INT (else BIGINT).
        int32: bool,
    },
}

impl ScalarKind {
    /// The plain-scalar form of `function` with result type `output` (the argument's type for
    /// MIN and MAX), if it has one.
    pub fn of(function: AggregateFunction, output: DataType) -> Option<ScalarKind> {
        use AggregateFunction as F;
        let int32 = output == DataType::Int;
        match (function, output) {
            (F::Count, _) => Some(ScalarKind::Count),
            (F::Sum, DataType::Int | DataType::BigInt) => Some(ScalarKind::SumInt),
            (F::Sum, DataType::Double) => Some(ScalarKind::SumDouble),
            (F::Min, DataType::Int | DataType::BigInt) => Some(ScalarKind::Min { int32 }),
            (F::Max, DataType::Int | DataType::BigInt) => Some(ScalarKind::Max { int32 }),
            _ => None,
        }
    }

    /// Whether the state can be NULL (no value yet), so that it needs a "holds a value" bit.
    pub fn nullable(self) -> bool {
        self != ScalarKind::Count
    }

    /// Absorbs `copies` occurrences of `value` into `word`, which holds a value when `set`;
    /// returns whether it holds one afterwards. NULL changes nothing; so does, for MIN and
    /// MAX, a value that is not an integer (the plan types their argument).
    #[inline]
    pub fn add(self, word: &mut u64, set: bool, value: &Value, copies: isize) -> bool {
        if value.is_null() {
            return set;
        }
        let r = copies as i64;
        match self {
            ScalarKind::Count => *word = (*word as i64).wrapping_add(r) as u64,
            ScalarKind::SumInt => {
                let sum = if set { *word as i64 } else { 0 };
                *word = sum.wrapping_add(value.as_i64().unwrap_or(0).wrapping_mul(r)) as u64;
            }
            ScalarKind::SumDouble => {
                let sum = if set { f64::from_bits(*word) } else { 0.0 };
                *word = (sum + value.as_f64().unwrap_or(0.0) * r as f64).to_bits();
            }
            ScalarKind::Min { .. } | ScalarKind::Max { .. } => {
                let Some(v) = value.as_i64() else { return set };
                let current = *word as i64;
                let better = match self {
                    ScalarKind::Min { .. } => v < current,
                    _ => v > current,
                };
                if !set || better {
                    *word = v as u64;
                }
            }
        }
        true
    }

    /// The partial result of a state, as [`Accumulator::partial`] writes it (one value).
    pub fn partial(self, word: u64, set: bool) -> Value {
        match self {
            ScalarKind::Count => Value::BigInt(word as i64),
            _ if !set => Value::Null,
            ScalarKind::SumInt => Value::BigInt(word as i64),
            ScalarKind::SumDouble => Value::double(f64::from_bits(word)),
            ScalarKind::Min { int32 } | ScalarKind::Max { int32 } if int32 => Value::Int(word as i64 as i32),
            ScalarKind::Min { .. } | ScalarKind::Max { .. } => Value::BigInt(word as i64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::accumulate::Accumulator;

    /// Every scalar kind against the general accumulator over the same values, NULLs,
    /// extremes, wrapping sums and multiplicities included.
    #[test]
    fn scalar_accumulators_give_what_the_general_ones_give() {
        use AggregateFunction as F;
        let ints: Vec<Value> = [7, -3, i64::MAX, i64::MIN, 0, 42].into_iter().map(Value::BigInt).collect();
        let int32s: Vec<Value> = [7, -3, i32::MAX, i32::MIN, 0].into_iter().map(Value::Int).collect();
        let doubles: Vec<Value> = [-0.0, 1.5, -2.25, 1e300, 1e300].into_iter().map(Value::double).collect();
        let cases = [(DataType::BigInt, ints), (DataType::Int, int32s), (DataType::Double, doubles)];
        for (t, values) in cases {
            for f in [F::Count, F::Sum, F::Min, F::Max] {
                let Some(kind) = ScalarKind::of(f, t) else { continue };
                for prefix in 0..=values.len() {
                    let mut general = Accumulator::new(f, t);
                    let (mut word, mut set) = (0u64, false);
                    let input = values[..prefix].iter().chain([&Value::Null]).enumerate();
                    for (i, v) in input {
                        let copies = 1 + (i % 3) as isize;
                        general.add(v, copies);
                        set = kind.add(&mut word, set, v, copies);
                    }
                    let mut expected = Vec::new();
                    general.partial(&mut expected);
                    assert_eq!(vec![kind.partial(word, set)], expected, "{f:?} over {t} of {:?}", &values[..prefix]);
                }
            }
        }
        assert_eq!(ScalarKind::of(F::Sum, DataType::Float), None);
        assert_eq!(ScalarKind::of(F::Max, DataType::String), None);
    }
}
