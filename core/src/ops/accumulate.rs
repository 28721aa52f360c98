//! Aggregate accumulators: the running state of COUNT, SUM, MIN, MAX, AVG, FIRST_VALUE,
//! LAST_VALUE, ARRAY_AGG and COLLECT, which can absorb values (with multiplicities), be encoded
//! as a partial result (a few values), and absorb other partial results. The local combiner and
//! the final reduction share them.
//!
//! FIRST_VALUE, LAST_VALUE and ARRAY_AGG depend on the order values arrive in. Over an
//! append-only input FIRST_VALUE and LAST_VALUE keep one value, as Flink's `FirstValueAggFunction`
//! does; over a retracting input ([`Accumulator::retracting`]) they keep every value in arrival
//! order, as Flink's `FirstValueWithRetractAggFunction` keeps them with their order, and a
//! retraction removes the earliest occurrence of its value — so retracting the current first
//! or last value falls back to the one before it. ARRAY_AGG always keeps its list (Flink's
//! `ArrayAggFunction` retracts the same way) and COLLECT a count per value.

use std::collections::BTreeMap;

use crate::plan::AggregateFunction;
use crate::types::{DataType, Decimal, Row, Value};

/// An `i128` stored at 8-byte alignment, so that an [`Accumulator`] stays 40 bytes instead of
/// 48 (the local combiner keeps millions of them in an arena; size is cache misses).
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, packed(8))]
pub struct Wide(i128);

impl Wide {
    fn get(self) -> i128 {
        self.0
    }
}

/// The running state of one aggregate.
#[derive(Clone, Debug)]
pub enum Accumulator {
    /// Rows (or non-NULL values) counted.
    Count(i64),
    /// INT/BIGINT sum, wrapping as Java does; `None` until a value arrives.
    SumInt(Option<i64>),
    /// DOUBLE sum.
    SumDouble(Option<f64>),
    /// FLOAT sum, added in 32 bits as Flink's `FloatSumAggFunction` does.
    SumFloat(Option<f32>),
    /// DECIMAL sum as a mantissa at the output scale.
    SumDecimal(Option<Wide>, u8),
    /// Smallest value so far.
    Min(Option<Value>),
    /// Largest value so far.
    Max(Option<Value>),
    /// Exact sum (as a mantissa at `scale`; 0 for integers) and count, for AVG of INT, BIGINT
    /// or DECIMAL.
    AvgExact(Wide, i64, u8),
    /// Sum and count for AVG of DOUBLE, and of FLOAT (whose sum Flink keeps as a DOUBLE too).
    AvgDouble(f64, i64),
    /// FIRST_VALUE over an append-only input: the first non-NULL value.
    First(Option<Value>),
    /// LAST_VALUE over an append-only input: the last non-NULL value.
    Last(Option<Value>),
    /// The values in arrival order, net of retractions, and which of them is the result.
    Sequence(Pick, Vec<Value>),
    /// COLLECT: each distinct non-NULL value with its count, net of retractions.
    Counts(BTreeMap<Value, i64>),
}

/// What a [`Accumulator::Sequence`] gives: its first value, its last, or all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// FIRST_VALUE over a retracting input.
    First,
    /// LAST_VALUE over a retracting input.
    Last,
    /// ARRAY_AGG: every value. Its input values are one-element ARRAYs (the argument wrapped,
    /// so that a NULL element is kept while a row that a FILTER drops is NULL).
    Array,
}

impl Accumulator {
    /// The empty state of `function` with result type `output`, for an append-only input.
    pub fn new(function: AggregateFunction, output: DataType) -> Accumulator {
        use AggregateFunction::*;
        match (function, output) {
            (FirstValue, _) => Accumulator::First(None),
            (LastValue, _) => Accumulator::Last(None),
            (ArrayAgg, _) => Accumulator::Sequence(Pick::Array, Vec::new()),
            (Collect, _) => Accumulator::Counts(BTreeMap::new()),
            (Count, _) => Accumulator::Count(0),
            (Min, _) => Accumulator::Min(None),
            (Max, _) => Accumulator::Max(None),
            (Sum, DataType::Double) => Accumulator::SumDouble(None),
            (Sum, DataType::Float) => Accumulator::SumFloat(None),
            (Sum, DataType::Decimal { scale, .. }) => Accumulator::SumDecimal(None, scale),
            (Sum, _) => Accumulator::SumInt(None),
            (Avg, DataType::Double | DataType::Float) => Accumulator::AvgDouble(0.0, 0),
            (Avg, DataType::Decimal { scale, .. }) => Accumulator::AvgExact(Wide(0), 0, scale),
            (Avg, _) => Accumulator::AvgExact(Wide(0), 0, 0),
        }
    }

    /// The empty state of `function` with result type `output`, for an input that may retract:
    /// FIRST_VALUE and LAST_VALUE keep every value (see the module documentation).
    pub fn retracting(function: AggregateFunction, output: DataType) -> Accumulator {
        match function {
            AggregateFunction::FirstValue => Accumulator::Sequence(Pick::First, Vec::new()),
            AggregateFunction::LastValue => Accumulator::Sequence(Pick::Last, Vec::new()),
            _ => Accumulator::new(function, output),
        }
    }

    /// Absorbs `copies` occurrences of `value` (NULLs are ignored, except by COUNT(*), whose
    /// caller passes a non-NULL marker).
    pub fn add(&mut self, value: &Value, copies: isize) {
        if value.is_null() {
            return;
        }
        let r = copies as i64;
        match self {
            Accumulator::Count(n) => *n += r,
            Accumulator::SumInt(s) => *s = Some(s.unwrap_or(0).wrapping_add(value.as_i64().unwrap_or(0).wrapping_mul(r))),
            Accumulator::SumDouble(s) => *s = Some(s.unwrap_or(0.0) + value.as_f64().unwrap_or(0.0) * r as f64),
            Accumulator::SumFloat(s) => {
                // The first value is taken as it is (Flink's SUM), so that SUM(-0.0) is -0.0.
                let v = value.as_f64().unwrap_or(0.0) as f32 * r as f32;
                *s = Some(s.map_or(v, |s| s + v));
            }
            Accumulator::SumDecimal(s, scale) => {
                let m = mantissa_at(value, *scale).saturating_mul(i128::from(r));
                *s = Some(Wide(s.map_or(0, Wide::get).saturating_add(m)));
            }
            Accumulator::Min(m) => {
                if m.as_ref().is_none_or(|cur| value < cur) {
                    *m = Some(value.clone());
                }
            }
            Accumulator::Max(m) => {
                if m.as_ref().is_none_or(|cur| value > cur) {
                    *m = Some(value.clone());
                }
            }
            Accumulator::AvgExact(sum, count, scale) => {
                *sum = Wide(sum.get().saturating_add(mantissa_at(value, *scale).saturating_mul(i128::from(r))));
                *count += r;
            }
            Accumulator::AvgDouble(sum, count) => {
                *sum += value.as_f64().unwrap_or(0.0) * r as f64;
                *count += r;
            }
            Accumulator::First(first) => {
                if first.is_none() && copies > 0 {
                    *first = Some(value.clone());
                }
            }
            Accumulator::Last(last) => {
                if copies > 0 {
                    *last = Some(value.clone());
                }
            }
            Accumulator::Sequence(pick, values) => {
                let value = match (pick, value) {
                    (Pick::Array, Value::Array(one)) => one.first().unwrap_or(&Value::Null),
                    (_, value) => value,
                };
                absorb_sequence(values, std::slice::from_ref(value), copies);
            }
            Accumulator::Counts(counts) => add_counts(counts, value, r),
        }
    }

    /// The state as partial-result values (one for most, two for AVG).
    pub fn partial(&self, out: &mut Vec<Value>) {
        match self {
            Accumulator::Count(n) => out.push(Value::BigInt(*n)),
            Accumulator::SumInt(s) => out.push(s.map(Value::BigInt).unwrap_or(Value::Null)),
            Accumulator::SumDouble(s) => out.push(s.map(Value::double).unwrap_or(Value::Null)),
            Accumulator::SumFloat(s) => out.push(s.map(Value::float).unwrap_or(Value::Null)),
            Accumulator::SumDecimal(s, scale) => out.push(s.map(|m| Value::Decimal(Decimal::new(m.get(), *scale))).unwrap_or(Value::Null)),
            Accumulator::Min(m) | Accumulator::Max(m) => out.push(m.clone().unwrap_or(Value::Null)),
            Accumulator::AvgExact(sum, count, scale) => {
                out.push(Value::Decimal(Decimal::new(sum.get(), *scale)));
                out.push(Value::BigInt(*count));
            }
            Accumulator::AvgDouble(sum, count) => {
                out.push(Value::double(*sum));
                out.push(Value::BigInt(*count));
            }
            Accumulator::First(v) | Accumulator::Last(v) => out.push(v.clone().unwrap_or(Value::Null)),
            Accumulator::Sequence(_, values) => out.push(Value::array(values.clone())),
            Accumulator::Counts(counts) => out.push(counts_value(counts, Value::BigInt)),
        }
    }

    /// Number of values [`Accumulator::partial`] writes.
    pub fn partial_width(&self) -> usize {
        match self {
            Accumulator::AvgExact(..) | Accumulator::AvgDouble(..) => 2,
            _ => 1,
        }
    }

    /// Absorbs `copies` occurrences of a partial result written by [`Accumulator::partial`].
    pub fn merge(&mut self, partial: &[Value], copies: isize) {
        let r = copies as i64;
        match self {
            Accumulator::Count(n) => *n += partial.first().and_then(Value::as_i64).unwrap_or(0) * r,
            Accumulator::SumInt(_)
            | Accumulator::SumDouble(_)
            | Accumulator::SumFloat(_)
            | Accumulator::SumDecimal(..)
            | Accumulator::Min(_)
            | Accumulator::Max(_) => {
                if let Some(v) = partial.first() {
                    self.add(v, copies);
                }
            }
            Accumulator::AvgExact(sum, count, _) => {
                if let (Some(Value::Decimal(d)), Some(n)) = (partial.first(), partial.get(1).and_then(Value::as_i64)) {
                    *sum = Wide(sum.get().saturating_add(d.mantissa.saturating_mul(i128::from(r))));
                    *count += n * r;
                }
            }
            Accumulator::AvgDouble(sum, count) => {
                if let (Some(s), Some(n)) = (partial.first().and_then(Value::as_f64), partial.get(1).and_then(Value::as_i64)) {
                    *sum += s * r as f64;
                    *count += n * r;
                }
            }
            Accumulator::First(_) | Accumulator::Last(_) => {
                if let Some(v) = partial.first() {
                    self.add(v, copies);
                }
            }
            Accumulator::Sequence(_, values) => {
                if let Some(Value::Array(more)) = partial.first() {
                    absorb_sequence(values, more, copies);
                }
            }
            Accumulator::Counts(counts) => {
                if let Some(Value::Map(more)) = partial.first() {
                    more.iter().for_each(|(v, n)| add_counts(counts, v, n.as_i64().unwrap_or(0) * r));
                }
            }
        }
    }

    /// The aggregate's value, of type `output`.
    pub fn finish(&self, output: DataType) -> Value {
        match self {
            Accumulator::Count(n) => Value::BigInt(*n),
            Accumulator::SumInt(s) => match (s, output) {
                (Some(v), DataType::Int) => Value::Int(*v as i32),
                (Some(v), _) => Value::BigInt(*v),
                (None, _) => Value::Null,
            },
            Accumulator::SumDouble(s) => s.map(Value::double).unwrap_or(Value::Null),
            Accumulator::SumFloat(s) => s.map(Value::float).unwrap_or(Value::Null),
            Accumulator::SumDecimal(s, scale) => s.map(|m| Value::Decimal(Decimal::new(m.get(), *scale))).unwrap_or(Value::Null),
            Accumulator::Min(m) | Accumulator::Max(m) | Accumulator::First(m) | Accumulator::Last(m) => m.clone().unwrap_or(Value::Null),
            Accumulator::Sequence(Pick::First, values) => values.first().cloned().unwrap_or(Value::Null),
            Accumulator::Sequence(Pick::Last, values) => values.last().cloned().unwrap_or(Value::Null),
            Accumulator::Sequence(Pick::Array, values) if values.is_empty() => Value::Null,
            Accumulator::Sequence(Pick::Array, values) => Value::array(values.clone()),
            // A MULTISET value is a MAP from element to its INT count (Flink's `Map<T, Integer>`).
            Accumulator::Counts(counts) => counts_value(counts, |n| Value::Int(n as i32)),
            Accumulator::AvgDouble(sum, count) => match output {
                _ if *count <= 0 => Value::Null,
                DataType::Float => Value::float((sum / *count as f64) as f32),
                _ => Value::double(sum / *count as f64),
            },
            Accumulator::AvgExact(sum, count, scale) => {
                if *count <= 0 {
                    return Value::Null;
                }
                let sum = sum.get();
                let c = i128::from(*count);
                match output {
                    // Integer AVG is Flink's: the sum kept in a BIGINT (wrapping on overflow,
                    // the low 64 bits of the exact sum) divided toward zero by the count.
                    DataType::Int => Value::Int((sum as i64).wrapping_div(*count) as i32),
                    DataType::BigInt => Value::BigInt((sum as i64).wrapping_div(*count)),
                    _ => {
                        let (q, rem) = (sum / c, sum % c);
                        let q = if rem.abs() >= c - rem.abs() { q + sum.signum() } else { q };
                        Value::Decimal(Decimal::new(q, *scale))
                    }
                }
            }
        }
    }
}

/// Merges `copies` of `partial` — the partial aggregates of accumulators like `accs`, one run
/// of values each, as [`partials`] writes them — into `accs`.
pub fn merge_partials(accs: &mut [Accumulator], partial: &[Value], copies: isize) {
    let mut rest = partial;
    for acc in accs {
        let (mine, after) = rest.split_at(acc.partial_width().min(rest.len()));
        acc.merge(mine, copies);
        rest = after;
    }
}

/// The partial aggregates of `accs` as one row: one run of values per accumulator.
pub fn partials(accs: &[Accumulator]) -> Row {
    let mut values = Vec::new();
    accs.iter().for_each(|a| a.partial(&mut values));
    Row::new(values)
}

/// Appends `copies` copies of `more` to `values`, or for negative `copies` removes the
/// earliest occurrence of each of `more` that many times (a value not present is ignored).
fn absorb_sequence(values: &mut Vec<Value>, more: &[Value], copies: isize) {
    if copies > 0 {
        for _ in 0..copies {
            values.extend(more.iter().cloned());
        }
        return;
    }
    for _ in 0..copies.unsigned_abs() {
        for v in more {
            if let Some(i) = values.iter().position(|x| x == v) {
                values.remove(i);
            }
        }
    }
}

/// `counts` as a MAP value (its keys are distinct already), each count made by `count`.
fn counts_value(counts: &BTreeMap<Value, i64>, count: fn(i64) -> Value) -> Value {
    Value::Map(counts.iter().map(|(v, n)| (v.clone(), count(*n))).collect::<Vec<_>>().into())
}

/// Adds `delta` to the count of `value`, dropping it at zero.
fn add_counts(counts: &mut BTreeMap<Value, i64>, value: &Value, delta: i64) {
    let n = counts.entry(value.clone()).or_insert(0);
    *n += delta;
    if *n <= 0 {
        counts.remove(value);
    }
}

/// `value` as a mantissa at `scale` (integers and decimals; 0 otherwise).
fn mantissa_at(value: &Value, scale: u8) -> i128 {
    match value {
        Value::Decimal(d) => d.rescale(scale).map(|d| d.mantissa).unwrap_or(0),
        other => other.as_i64().map(|v| i128::from(v) * crate::types::pow10(scale)).unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accumulators_stay_small() {
        assert!(std::mem::size_of::<Accumulator>() <= 40, "{}", std::mem::size_of::<Accumulator>());
    }

    #[test]
    fn float_sums_add_in_32_bits_and_float_averages_in_64() {
        let (mut sum, mut avg) = (Accumulator::new(AggregateFunction::Sum, DataType::Float), Accumulator::new(AggregateFunction::Avg, DataType::Float));
        for _ in 0..10 {
            sum.add(&Value::float(0.1), 1);
            avg.add(&Value::float(0.1), 1);
        }
        // Java: float s = 0; for 10 times s += 0.1f; gives 1.0000001 (a double sum gives 1.0).
        assert_eq!(sum.finish(DataType::Float), Value::float(1.000_000_1));
        assert_eq!(avg.finish(DataType::Float), Value::float(0.1));
        sum.add(&Value::float(0.1), -1);
        assert_eq!(sum.finish(DataType::Float).to_string(), "0.9000001");
    }

    fn wrapped(v: Value) -> Value {
        Value::array(vec![v])
    }

    #[test]
    fn first_and_last_value_fall_back_when_their_value_is_retracted() {
        let (mut first, mut last) =
            (Accumulator::retracting(AggregateFunction::FirstValue, DataType::Int), Accumulator::retracting(AggregateFunction::LastValue, DataType::Int));
        // Flink's FirstValueWithRetractAggFunction: values keep their arrival order; a
        // retraction removes its value's earliest occurrence.
        let changes = [(1, 1), (2, 1), (1, 1), (3, 1), (1, -1), (3, -1), (2, -1)];
        let mut seen = Vec::new();
        for (v, diff) in changes {
            first.add(&Value::Int(v), diff);
            last.add(&Value::Int(v), diff);
            seen.push((first.finish(DataType::Int), last.finish(DataType::Int)));
        }
        let int = Value::Int;
        assert_eq!(seen, [(int(1), int(1)), (int(1), int(2)), (int(1), int(1)), (int(1), int(3)), (int(2), int(3)), (int(2), int(1)), (int(1), int(1))]);
        first.add(&Value::Int(1), -1);
        assert_eq!(first.finish(DataType::Int), Value::Null);
    }

    #[test]
    fn append_only_first_and_last_keep_one_value_and_skip_nulls() {
        let (mut first, mut last) =
            (Accumulator::new(AggregateFunction::FirstValue, DataType::Int), Accumulator::new(AggregateFunction::LastValue, DataType::Int));
        for v in [Value::Null, Value::Int(4), Value::Int(5), Value::Null] {
            first.add(&v, 1);
            last.add(&v, 1);
        }
        assert_eq!((first.finish(DataType::Int), last.finish(DataType::Int)), (Value::Int(4), Value::Int(5)));
        assert!(matches!(first, Accumulator::First(_)));
    }

    #[test]
    fn array_agg_keeps_nulls_and_order_and_retracts_the_earliest() {
        let t = DataType::array(DataType::Int);
        let mut acc = Accumulator::new(AggregateFunction::ArrayAgg, t);
        assert_eq!(acc.finish(t), Value::Null);
        for v in [Value::Int(2), Value::Null, Value::Int(1), Value::Int(2)] {
            acc.add(&wrapped(v), 1);
        }
        // A row a FILTER dropped arrives as NULL (not wrapped) and is skipped.
        acc.add(&Value::Null, 1);
        assert_eq!(acc.finish(t).to_string(), "[2, null, 1, 2]");
        acc.add(&wrapped(Value::Int(2)), -1);
        assert_eq!(acc.finish(t).to_string(), "[null, 1, 2]");
    }

    #[test]
    fn collect_counts_values_and_retracts_them() {
        let t = DataType::multiset(DataType::String);
        let mut acc = Accumulator::new(AggregateFunction::Collect, t);
        for (v, diff) in [("b", 1), ("a", 2), ("b", 1), ("a", -1), ("c", 1), ("c", -1)] {
            acc.add(&Value::string(v), diff);
        }
        acc.add(&Value::Null, 1);
        assert_eq!(acc.finish(t).to_string(), "{a=1, b=2}");
    }

    #[test]
    fn order_keeping_partials_merge_in_order() {
        let at = DataType::array(DataType::Int);
        for (f, t, retracting) in [
            (AggregateFunction::FirstValue, DataType::Int, false),
            (AggregateFunction::FirstValue, DataType::Int, true),
            (AggregateFunction::LastValue, DataType::Int, false),
            (AggregateFunction::LastValue, DataType::Int, true),
            (AggregateFunction::ArrayAgg, at, false),
            (AggregateFunction::Collect, DataType::multiset(DataType::Int), false),
        ] {
            let fresh = || if retracting { Accumulator::retracting(f, t) } else { Accumulator::new(f, t) };
            let input = |v: i64| if f == AggregateFunction::ArrayAgg { wrapped(Value::BigInt(v)) } else { Value::BigInt(v) };
            let mut whole = fresh();
            (1..=6).for_each(|v| whole.add(&input(v), 1));
            let (mut a, mut b, mut merged) = (fresh(), fresh(), fresh());
            (1..=2).for_each(|v| a.add(&input(v), 1));
            (3..=6).for_each(|v| b.add(&input(v), 1));
            for part in [a, b] {
                let mut p = Vec::new();
                part.partial(&mut p);
                merged.merge(&p, 1);
            }
            assert_eq!(merged.finish(t), whole.finish(t), "{f:?} retracting: {retracting}");
        }
    }

    #[test]
    fn partials_merge_to_the_same_result() {
        let values: Vec<Value> = (1..=10).map(Value::BigInt).chain([Value::Null]).collect();
        for (f, t) in [
            (AggregateFunction::Count, DataType::BigInt),
            (AggregateFunction::Sum, DataType::BigInt),
            (AggregateFunction::Min, DataType::BigInt),
            (AggregateFunction::Max, DataType::BigInt),
            (AggregateFunction::Avg, DataType::BigInt),
            (AggregateFunction::Avg, DataType::Decimal { precision: 38, scale: 6 }),
        ] {
            let mut whole = Accumulator::new(f, t);
            values.iter().for_each(|v| whole.add(v, 1));
            let (mut a, mut b, mut merged) = (Accumulator::new(f, t), Accumulator::new(f, t), Accumulator::new(f, t));
            values[..4].iter().for_each(|v| a.add(v, 1));
            values[4..].iter().for_each(|v| b.add(v, 1));
            for part in [a, b] {
                let mut p = Vec::new();
                part.partial(&mut p);
                merged.merge(&p, 1);
            }
            assert_eq!(merged.finish(t), whole.finish(t), "{f:?} {t}");
        }
    }
}
