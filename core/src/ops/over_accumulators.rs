//! The accumulators of one OVER frame: one [`Accumulator`] per aggregate, and for each
//! `DISTINCT` aggregate (`COUNT(DISTINCT x) OVER (..)`) the argument values it has taken, so
//! that it takes each value of the frame once, as Flink's distinct OVER aggregates do.

use std::collections::HashSet;

use crate::types::Value;

use super::accumulate::{Accumulator, merge_partials};
use super::keyed::OverAggregate;

/// The running aggregates of one frame.
pub struct FrameAccumulators<'a> {
    aggregates: &'a [OverAggregate],
    accs: Vec<Accumulator>,
    /// The values each DISTINCT aggregate has taken (empty for the others).
    seen: Vec<HashSet<Value>>,
}

impl<'a> FrameAccumulators<'a> {
    /// Empty accumulators for `aggregates`.
    pub fn new(aggregates: &'a [OverAggregate]) -> FrameAccumulators<'a> {
        let accs = aggregates.iter().map(|a| Accumulator::new(a.function, a.output_type)).collect();
        FrameAccumulators::resume(aggregates, accs)
    }

    /// Accumulators that go on from `accs`; which values their DISTINCT aggregates took before
    /// is the caller's to say ([`FrameAccumulators::add_checked`]).
    pub fn resume(aggregates: &'a [OverAggregate], accs: Vec<Accumulator>) -> FrameAccumulators<'a> {
        FrameAccumulators { aggregates, accs, seen: vec![HashSet::new(); aggregates.len()] }
    }

    /// Merges the saved partial results of accumulators of the same aggregates (see
    /// [`super::accumulate::partials`]).
    pub fn merge(&mut self, partials: &[Value]) {
        merge_partials(&mut self.accs, partials, 1);
    }

    /// Takes one row's arguments (one value per aggregate, in order); a DISTINCT aggregate
    /// skips a value it has taken before.
    pub fn add(&mut self, args: &[Value]) {
        for (i, value) in args.iter().enumerate().take(self.accs.len()) {
            if !self.aggregates[i].distinct || self.seen[i].insert(value.clone()) {
                self.accs[i].add(value, 1);
            }
        }
    }

    /// Takes one row's arguments, asking `is_new(i, value)` whether DISTINCT aggregate `i` has
    /// not taken `value` before (the caller keeps that, e.g. in keyed state).
    pub fn add_checked<E>(&mut self, args: &[Value], mut is_new: impl FnMut(usize, &Value) -> Result<bool, E>) -> Result<(), E> {
        for (i, value) in args.iter().enumerate().take(self.accs.len()) {
            if !self.aggregates[i].distinct || is_new(i, value)? {
                self.accs[i].add(value, 1);
            }
        }
        Ok(())
    }

    /// The aggregates' results, in order.
    pub fn results(&self) -> Vec<Value> {
        self.accs.iter().zip(self.aggregates).map(|(acc, a)| acc.finish(a.output_type)).collect()
    }

    /// The accumulators, to be saved.
    pub fn accumulators(&self) -> &[Accumulator] {
        &self.accs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::AggregateFunction;
    use crate::types::DataType;

    fn aggregate(function: AggregateFunction, distinct: bool) -> OverAggregate {
        OverAggregate { function, arg: None, distinct, output_type: DataType::BigInt }
    }

    #[test]
    fn distinct_aggregates_take_each_value_once_and_the_others_every_value() {
        let aggregates = [aggregate(AggregateFunction::Count, true), aggregate(AggregateFunction::Sum, true), aggregate(AggregateFunction::Sum, false)];
        let mut frame = FrameAccumulators::new(&aggregates);
        for v in [3, 5, 3, 3, 7] {
            frame.add(&[Value::BigInt(v), Value::BigInt(v), Value::BigInt(v)]);
        }
        frame.add(&[Value::Null, Value::Null, Value::Null]);
        assert_eq!(frame.results(), vec![Value::BigInt(3), Value::BigInt(15), Value::BigInt(21)]);
    }

    #[test]
    fn checked_adds_ask_the_caller_for_distinct_aggregates_only() {
        let aggregates = [aggregate(AggregateFunction::Count, true), aggregate(AggregateFunction::Count, false)];
        let mut frame = FrameAccumulators::resume(&aggregates, vec![Accumulator::Count(4), Accumulator::Count(4)]);
        let mut taken: HashSet<(usize, Value)> = [(0, Value::BigInt(1))].into_iter().collect();
        for v in [1, 1, 2] {
            let added = frame.add_checked::<()>(&[Value::BigInt(v), Value::BigInt(v)], |i, value| Ok(taken.insert((i, value.clone()))));
            assert_eq!(added, Ok(()));
        }
        assert_eq!(taken.len(), 2, "only the distinct aggregate was asked");
        assert_eq!(frame.results(), vec![Value::BigInt(5), Value::BigInt(7)]);
    }
}
