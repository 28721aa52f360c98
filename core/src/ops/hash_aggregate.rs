//! `hash_aggregate`: the global phase of a two-phase aggregate in batch mode, as Flink's batch
//! `HashAggregate`: each worker merges the partial results of the local combiners into one
//! set of accumulators per group in a hash table, unsorted, and emits every group's final row
//! once its input has ended.
//!
//! Its input is append-only (the planner uses the two-phase plan only then): every partial
//! adds to its group, none retracts, so the merged accumulators are the aggregate of all of
//! them and need no consolidation. Like the batch hash join it holds a capability for each
//! time it saw until its input ends, so it is for bounded inputs only; a group's row goes out
//! at the least upper bound of its partials' times (in a batch job, all at one time), where
//! the accumulated output equals that of differential's `reduce` over the same partials.

use std::collections::{BTreeMap, HashMap};

use differential_dataflow::lattice::Lattice;
use differential_dataflow::{AsCollection, Hashable};
use foldhash::fast::RandomState;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::Capability;
use timely::dataflow::operators::generic::Operator;
use timely::order::PartialOrder;

use crate::types::{Row, Value};

use super::accumulate::{Accumulator, merge_partials};
use super::aggregate::AggregateSlot;
use super::keyed::GroupedRows;
use super::{Rows, Time};

/// One group being merged: its accumulators and the least upper bound of its partials' times.
type Group = (Vec<Accumulator>, Time);

/// The result rows (group key, then the aggregates' final values) of the partial aggregates
/// `partials` (`(key, partial)`, an empty partial marking a group with no rows: the global
/// aggregate's seed), one per group, emitted when `partials` has ended.
pub(super) fn hash_aggregate(partials: GroupedRows<'_>, slots: Vec<AggregateSlot>) -> Rows<'_> {
    let route = |((key, _), _, _): &((Row, Row), Time, isize)| key.hashed();
    partials
        .inner
        .unary_frontier::<CapacityContainerBuilder<Vec<(Row, Time, isize)>>, _, _, _>(Exchange::new(route), "HashAggregate", move |_cap, _info| {
            let mut held: BTreeMap<Time, Capability<Time>> = BTreeMap::new();
            let mut groups: HashMap<Row, Group, RandomState> = HashMap::default();
            move |(input, frontier), output| {
                input.for_each(|cap, data| {
                    for ((key, partial), time, copies) in data.drain(..) {
                        held.entry(time).or_insert_with(|| cap.delayed(&time, output.output_index()));
                        let (accs, at) = groups.entry(key).or_insert_with(|| (slots.iter().map(AggregateSlot::accumulator).collect(), time));
                        *at = at.join(&time);
                        if !partial.is_empty() && copies > 0 {
                            merge_partials(accs, partial.values(), copies);
                        }
                    }
                });
                if !frontier.frontier().is_empty() || held.is_empty() {
                    return;
                }
                let caps = std::mem::take(&mut held);
                let rows = std::mem::take(&mut groups).into_iter().map(|(key, (accs, time))| (final_row(&key, &accs, &slots), time, 1));
                match caps.first_key_value() {
                    // One time for every group (a batch job's): one session.
                    Some((_, cap)) if caps.len() == 1 => output.session(cap).give_iterator(rows),
                    _ => {
                        let mut staged: BTreeMap<Time, Vec<(Row, Time, isize)>> = BTreeMap::new();
                        rows.for_each(|update| staged.entry(update.1).or_default().push(update));
                        for (time, rows) in staged {
                            // The times of the group's partials are held, and all are at most `time`.
                            if let Some(cap) = caps.iter().rev().find(|(t, _)| t.less_equal(&time)).map(|(_, c)| c) {
                                output.session(&cap.delayed(&time)).give_iterator(rows.into_iter());
                            }
                        }
                    }
                }
            }
        })
        .as_collection()
}

/// The key's values followed by the final value of each accumulator.
fn final_row(key: &Row, accs: &[Accumulator], slots: &[AggregateSlot]) -> Row {
    let mut values: Vec<Value> = Vec::with_capacity(key.len() + accs.len());
    values.extend(key.values().iter().cloned());
    values.extend(accs.iter().zip(slots).map(|(acc, slot)| acc.finish(slot.output_type)));
    Row::new(values)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::BTreeMap;
    use std::rc::Rc;

    use differential_dataflow::lattice::Lattice;
    use timely::container::CapacityContainerBuilder;
    use timely::dataflow::operators::core::UnorderedInput;
    use timely::dataflow::operators::probe::Handle as ProbeHandle;
    use timely::dataflow::operators::{Inspect, Probe};

    use super::*;
    use crate::ops::accumulate::partials;
    use crate::ops::at;
    use crate::plan::AggregateFunction;
    use crate::types::DataType;

    fn slots() -> Vec<AggregateSlot> {
        vec![
            AggregateSlot::new(AggregateFunction::Count, None, false, DataType::BigInt, false),
            AggregateSlot::new(AggregateFunction::Max, Some(0), false, DataType::BigInt, false),
        ]
    }

    /// The partial of `values` as a local combiner sends it.
    fn partial(values: &[i64]) -> Row {
        let mut accs: Vec<Accumulator> = slots().iter().map(AggregateSlot::accumulator).collect();
        for v in values {
            for (acc, slot) in accs.iter_mut().zip(slots()) {
                acc.add(slot.input(&[Value::BigInt(*v)]), 1);
            }
        }
        partials(&accs)
    }

    /// Runs the operator over `updates` on one worker: its output rows with times and counts.
    fn run(updates: Vec<((Row, Row), Time, isize)>) -> Vec<(Row, Time, isize)> {
        timely::execute_directly(move |worker| {
            let out = Rc::new(RefCell::new(Vec::new()));
            let seen = Rc::clone(&out);
            let probe = ProbeHandle::new();
            let (mut input, cap) = worker.dataflow::<Time, _, _>(|scope| {
                let (input, stream) = scope.new_unordered_input::<CapacityContainerBuilder<Vec<((Row, Row), Time, isize)>>>();
                hash_aggregate(stream.as_collection(), slots()).inner.inspect(move |update| seen.borrow_mut().push(update.clone())).probe_with(&probe);
                input
            });
            for update in updates {
                let at_time = cap.delayed(&update.1);
                input.activate().session(&at_time).give(update);
                worker.step();
            }
            drop(cap);
            worker.step_while(|| !probe.done());
            let mut rows = out.borrow().clone();
            rows.sort();
            rows
        })
    }

    #[test]
    fn merges_each_groups_partials_at_the_bound_of_their_times() {
        let times = [at(0, 5), at(1, 3), at(0, 9)];
        let mut updates = Vec::new();
        let mut fold: BTreeMap<i64, (i64, i64, Time)> = BTreeMap::new();
        for i in 0..300_i64 {
            let (key, time) = (i * 7 % 23, times[i as usize % times.len()]);
            let values: Vec<i64> = (0..i % 4 + 1).map(|j| (i * 31 + j * 17) % 101).collect();
            let entry = fold.entry(key).or_insert((0, i64::MIN, time));
            entry.0 += values.len() as i64;
            entry.1 = entry.1.max(values.iter().copied().max().unwrap_or(i64::MIN));
            entry.2 = entry.2.join(&time);
            updates.push(((Row::new(vec![Value::BigInt(key)]), partial(&values)), time, 1));
        }
        // A group with no rows (the global aggregate's seed): COUNT 0, MAX NULL.
        updates.push(((Row::new(vec![Value::BigInt(-1)]), Row::empty()), at(0, 0), 1));
        let mut expected: Vec<(Row, Time, isize)> =
            fold.into_iter().map(|(k, (n, max, t))| (Row::new(vec![Value::BigInt(k), Value::BigInt(n), Value::BigInt(max)]), t, 1)).collect();
        expected.push((Row::new(vec![Value::BigInt(-1), Value::BigInt(0), Value::Null]), at(0, 0), 1));
        expected.sort();
        assert_eq!(run(updates), expected);
    }
}
