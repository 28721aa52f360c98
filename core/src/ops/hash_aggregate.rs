//! `hash_aggregate`: the global phase of a two-phase aggregate in batch mode, as Flink's batch
//! `HashAggregate`: each worker merges the partial results of the local combiners into one
//! set of accumulators per group in a hash table, unsorted, and emits a group's row when the
//! time of its partials is complete.
//!
//! Its input is append-only (the planner uses the two-phase plan only then): every partial
//! adds to its group, none retracts, so the merged accumulators are the aggregate of all of
//! them and need no consolidation. The partials of a time wait until the frontier passes it,
//! then the groups they touch are updated and emit their new row at that time, retracting the
//! row they emitted at an earlier time. A batch job has one time, so each group emits one row
//! when the input ends; over totally ordered times (one checkpoint epoch) the output is that
//! of differential's `reduce` over the same partials, time by time.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use differential_dataflow::{AsCollection, Hashable};
use foldhash::fast::RandomState;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::Capability;
use timely::dataflow::operators::generic::Operator;

use crate::types::{Row, Value};

use super::accumulate::{Accumulator, merge_partials};
use super::aggregate::AggregateSlot;
use super::keyed::GroupedRows;
use super::{Rows, Time};

/// One group: its accumulators, the row it last emitted, and whether the time being applied
/// has changed it.
struct Group {
    accs: Vec<Accumulator>,
    emitted: Option<Row>,
    touched: bool,
}

/// The partials of one time, waiting for it to complete: (key, partial, copies).
type Waiting = (Capability<Time>, Vec<(Row, Row, isize)>);

/// The result rows (group key, then the aggregates' final values) of the partial aggregates
/// `partials` (`(key, partial)`, an empty partial marking a group with no rows: the global
/// aggregate's seed), updated as the times of the partials complete.
pub(super) fn hash_aggregate(partials: GroupedRows<'_>, slots: Vec<AggregateSlot>) -> Rows<'_> {
    let route = |((key, _), _, _): &((Row, Row), Time, isize)| key.hashed();
    partials
        .inner
        .unary_frontier::<CapacityContainerBuilder<Vec<(Row, Time, isize)>>, _, _, _>(Exchange::new(route), "HashAggregate", move |_cap, _info| {
            let mut waiting: BTreeMap<Time, Waiting> = BTreeMap::new();
            let mut groups: HashMap<Row, Group, RandomState> = HashMap::default();
            let mut touched: Vec<Row> = Vec::new();
            move |(input, frontier), output| {
                input.for_each(|cap, data| {
                    for ((key, partial), time, copies) in data.drain(..) {
                        let (_, pending) = waiting.entry(time).or_insert_with(|| (cap.delayed(&time, output.output_index()), Vec::new()));
                        pending.push((key, partial, copies));
                    }
                });
                while let Some((&time, _)) = waiting.first_key_value() {
                    if frontier.less_equal(&time) {
                        break;
                    }
                    let Some((_, (cap, pending))) = waiting.pop_first() else { break };
                    for (key, partial, copies) in pending {
                        let group = match groups.entry(key) {
                            Entry::Occupied(entry) => {
                                let first_change = (!entry.get().touched).then(|| entry.key().clone());
                                let group = entry.into_mut();
                                if let Some(key) = first_change {
                                    group.touched = true;
                                    touched.push(key);
                                }
                                group
                            }
                            Entry::Vacant(entry) => {
                                touched.push(entry.key().clone());
                                entry.insert(Group { accs: slots.iter().map(AggregateSlot::accumulator).collect(), emitted: None, touched: true })
                            }
                        };
                        if !partial.is_empty() && copies > 0 {
                            merge_partials(&mut group.accs, partial.values(), copies);
                        }
                    }
                    let mut session = output.session(&cap);
                    for key in touched.drain(..) {
                        let Some(group) = groups.get_mut(&key) else { continue };
                        group.touched = false;
                        let row = final_row(&key, &group.accs, &slots);
                        if let Some(old) = group.emitted.replace(row.clone()) {
                            session.give((old, time, -1));
                        }
                        session.give((row, time, 1));
                    }
                }
                if frontier.frontier().is_empty() && waiting.is_empty() {
                    groups = HashMap::default();
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

    /// The rows `updates` accumulate to at times up to `time`, sorted.
    fn accumulated(updates: &[(Row, Time, isize)], time: Time) -> Vec<Row> {
        let mut counts: BTreeMap<Row, isize> = BTreeMap::new();
        for (row, _, diff) in updates.iter().filter(|(_, t, _)| *t <= time) {
            *counts.entry(row.clone()).or_default() += diff;
        }
        assert!(counts.values().all(|n| *n == 0 || *n == 1), "{counts:?}");
        counts.into_iter().filter(|(_, n)| *n == 1).map(|(row, _)| row).collect()
    }

    #[test]
    fn a_groups_row_follows_its_partials_time_by_time() {
        let times = [at(0, 5), at(0, 9), at(0, 7)];
        let mut updates = Vec::new();
        let mut values_by_time: Vec<(Time, i64, Vec<i64>)> = Vec::new();
        for i in 0..300_i64 {
            let (key, time) = (i * 7 % 23, times[i as usize % times.len()]);
            let values: Vec<i64> = (0..i % 4 + 1).map(|j| (i * 31 + j * 17) % 101).collect();
            updates.push(((Row::new(vec![Value::BigInt(key)]), partial(&values)), time, 1));
            values_by_time.push((time, key, values));
        }
        // A group with no rows (the global aggregate's seed): COUNT 0, MAX NULL.
        updates.push(((Row::new(vec![Value::BigInt(-1)]), Row::empty()), at(0, 5), 1));
        let out = run(updates);
        for time in [at(0, 5), at(0, 7), at(0, 9)] {
            let mut fold: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
            for (_, key, values) in values_by_time.iter().filter(|(t, _, _)| *t <= time) {
                let entry = fold.entry(*key).or_insert((0, i64::MIN));
                entry.0 += values.len() as i64;
                entry.1 = entry.1.max(values.iter().copied().max().unwrap_or(i64::MIN));
            }
            let mut expected: Vec<Row> = fold.into_iter().map(|(k, (n, max))| Row::new(vec![Value::BigInt(k), Value::BigInt(n), Value::BigInt(max)])).collect();
            expected.push(Row::new(vec![Value::BigInt(-1), Value::BigInt(0), Value::Null]));
            expected.sort();
            assert_eq!(accumulated(&out, time), expected, "at {time:?}");
        }
    }
}
