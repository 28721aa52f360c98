//! Inner equi-joins on hash tables, neither side sorted nor arranged:
//! * [`hash_join`], of two bounded inputs (batch mode), as Flink's batch `HashJoin`: each
//!   worker buffers the updates of both inputs, unsorted and encoded ([`log`]), until both
//!   have ended, then builds a hash table on the side with fewer updates and streams the other
//!   side through it;
//! * [`symmetric_hash_join`], of two unbounded inputs (streaming mode), as Flink's streaming
//!   `Join`: each worker keeps a hash table of each input's updates by key, and an update
//!   arriving on one side is joined with the other side's table at once, then added to its own.
//!
//! Join is bilinear in its inputs, so the updates need no consolidation: every pair of a left
//! update `(l, t_l, d_l)` and a right update `(r, t_r, d_r)` with equal keys whose concatenated
//! row satisfies the residual condition contributes `(l ++ r, lub(t_l, t_r), d_l * d_r)`, and
//! the sum over all pairs is the join of the two collections, retractions included. Rows whose
//! key has a NULL never match (SQL equality) and are dropped as they arrive.
//!
//! The batch operator holds a capability for each time it saw until both inputs end, so
//! nothing it emits is complete before then: it is for bounded inputs only, whose frontiers do
//! end. The streaming one emits each pair as its second update arrives, at the later of the two
//! times (the pair's time, no earlier than the arriving update's), and holds no capability.
//! It keeps every update it saw, unconsolidated and encoded ([`table`]): the planner picks it
//! for insert-only inputs, whose updates are their rows.

use std::collections::BTreeMap;

use differential_dataflow::{AsCollection, Hashable};
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use serde::{Deserialize, Serialize};
use timely::container::CapacityContainerBuilder;
use timely::dataflow::StreamVec;
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::generic::Operator;
use timely::dataflow::operators::{Capability, Concatenate};
use timely::order::PartialOrder;

use crate::expr::{CompiledExpr, EvalError};
use crate::types::{Row, Value};

use super::{Evaluator, JoinSpec, Rows, Time, filter_map_in_order};
use differential_dataflow::lattice::Lattice;

mod arena;
mod log;
mod table;

use log::UpdateLog;
use table::Table;

/// Which input an update came from (0 left, 1 right), its key's hash, its key and its row.
type Tagged = (u8, u64, JoinKey, Row);

/// The join key of a row: the values of the join's key expressions on it. A key of one value
/// (most joins') is held as that value, without a row of its own.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum JoinKey {
    /// A key of one expression.
    One(Value),
    /// A key of several expressions.
    Many(Row),
}

/// One key of the hashed input of a batch join: its hash, the key, and its updates.
type BuildKey = (u64, JoinKey, Vec<(Row, Time, isize)>);

/// Both inputs' tagged updates, in one stream.
type TaggedUpdates<'s> = StreamVec<'s, Time, (Tagged, Time, isize)>;

/// Joins `left` and `right` on `spec`'s keys and condition (an inner join: `spec.join_type`
/// is not read, the planner picks this operator for inner joins only). The result is emitted
/// once both inputs have ended, so the inputs must be bounded.
pub fn hash_join<'s>(left: Rows<'s>, right: Rows<'s>, spec: JoinSpec, eval: Evaluator) -> Rows<'s> {
    let (merged, condition) = tagged(left, right, spec, &eval);
    merged
        .unary_frontier::<CapacityContainerBuilder<Vec<(Row, Time, isize)>>, _, _, _>(Exchange::new(key_hash), "HashJoin", move |_cap, _info| {
            let mut held: BTreeMap<Time, Capability<Time>> = BTreeMap::new();
            let mut sides: [UpdateLog; 2] = [UpdateLog::default(), UpdateLog::default()];
            move |(input, frontier), output| {
                input.for_each(|cap, data| {
                    for ((side, hash, key, row), time, diff) in data.drain(..) {
                        held.entry(time).or_insert_with(|| cap.delayed(&time, output.output_index()));
                        if let Some(buffer) = sides.get_mut(usize::from(side)) {
                            buffer.push(hash, &key, &row, time, diff);
                        }
                    }
                });
                if !frontier.frontier().is_empty() || held.is_empty() {
                    return;
                }
                let [l, r] = std::mem::take(&mut sides);
                let satisfied = |joined: &Row| satisfies(&condition, &eval, joined);
                let caps = std::mem::take(&mut held);
                let paired = match caps.first_key_value() {
                    // One time for all updates (a batch job's): one session, no staging.
                    Some((_, cap)) if caps.len() == 1 => {
                        let mut session = output.session(cap);
                        for_each_pair(l, r, |joined, time, diff| {
                            if satisfied(&joined) {
                                session.give((joined, time, diff));
                            }
                        })
                    }
                    _ => {
                        let mut staged: BTreeMap<Time, Vec<(Row, Time, isize)>> = BTreeMap::new();
                        let paired = for_each_pair(l, r, |joined, time, diff| {
                            if satisfied(&joined) {
                                staged.entry(time).or_default().push((joined, time, diff));
                            }
                        });
                        for (time, rows) in staged {
                            // Some held time is at most `time`: the times of the pair's updates.
                            if let Some(cap) = caps.iter().rev().find(|(t, _)| t.less_equal(&time)).map(|(_, c)| c) {
                                output.session(&cap.delayed(&time)).give_iterator(rows.into_iter());
                            }
                        }
                        paired
                    }
                };
                if let Err(e) = paired {
                    eval.report(e);
                }
            }
        })
        .as_collection()
}

/// Joins `left` and `right` on `spec`'s keys and condition as their updates arrive (an inner
/// join, see [`hash_join`]): each update is joined with the other input's updates seen so far,
/// then kept. Every update stays in memory: meant for insert-only inputs.
pub fn symmetric_hash_join<'s>(left: Rows<'s>, right: Rows<'s>, spec: JoinSpec, eval: Evaluator) -> Rows<'s> {
    let (merged, condition) = tagged(left, right, spec, &eval);
    merged
        .unary::<CapacityContainerBuilder<Vec<(Row, Time, isize)>>, _, _, _>(Exchange::new(key_hash), "SymmetricHashJoin", move |_cap, _info| {
            let mut tables: [Table; 2] = [Table::default(), Table::default()];
            let mut scratch = Vec::new();
            move |input, output| {
                input.for_each(|cap, data| {
                    let mut session = output.session(&cap);
                    for ((side, hash, key, row), time, diff) in data.drain(..) {
                        let left = side == 0;
                        let [l, r] = &mut tables;
                        let (own, other) = if left { (l, r) } else { (r, l) };
                        let found = other.for_each_update(hash, &key, &mut scratch, |seen, seen_time, seen_diff| {
                            let joined: Row =
                                if left { row.values().iter().chain(seen).cloned().collect() } else { seen.iter().chain(row.values()).cloned().collect() };
                            if satisfies(&condition, &eval, &joined) {
                                session.give((joined, time.join(&seen_time), diff * seen_diff));
                            }
                        });
                        if let Err(e) = found {
                            eval.report(e);
                        }
                        own.insert(hash, key, &row, time, diff);
                    }
                });
            }
        })
        .as_collection()
}

/// Both inputs' updates with their join keys, tagged by side (rows whose key has a NULL
/// dropped), in one stream; and the residual condition.
fn tagged<'s>(left: Rows<'s>, right: Rows<'s>, spec: JoinSpec, eval: &Evaluator) -> (TaggedUpdates<'s>, Option<CompiledExpr>) {
    let tag = |side: u8, rows: Rows<'s>, keys: Vec<CompiledExpr>, eval: Evaluator| {
        filter_map_in_order(rows.inner, "HashJoinKey", move |(row, time, diff)| {
            let key = match keys.as_slice() {
                [one] => JoinKey::One(eval.eval(one, &row).filter(|v| !v.is_null())?),
                many => JoinKey::Many(eval.eval_row(many, &row).filter(|key| !key.values().iter().any(Value::is_null))?),
            };
            Some(((side, key.hashed(), key, row), time, diff))
        })
    };
    let left = tag(0, left, spec.left_keys, eval.clone());
    let right = tag(1, right, spec.right_keys, eval.clone());
    let scope = left.scope();
    (scope.concatenate(vec![left, right]), spec.condition)
}

/// The hash of a tagged update's join key: it picks the worker the update goes to.
fn key_hash(((_, hash, _, _), _, _): &(Tagged, Time, isize)) -> u64 {
    *hash
}

/// Whether the joined row satisfies the residual condition (TRUE; no condition: every row).
fn satisfies(condition: &Option<CompiledExpr>, eval: &Evaluator, joined: &Row) -> bool {
    condition.as_ref().is_none_or(|c| matches!(eval.eval(c, joined), Some(Value::Boolean(true))))
}

/// Calls `f` with each matching pair of `left` and `right` updates: its concatenated row (left
/// columns first), time and multiplicity. The input with fewer updates is hashed, the other
/// read through the table in arrival order (an update of it decoded only when a key of the
/// table has its key's hash); each update's matches in the order they arrived.
fn for_each_pair(left: UpdateLog, right: UpdateLog, mut f: impl FnMut(Row, Time, isize)) -> Result<(), EvalError> {
    let build_left = left.len() <= right.len();
    let (build, probe) = if build_left { (left, right) } else { (right, left) };
    if build.is_empty() {
        return Ok(());
    }
    let mut scratch = Vec::new();
    let mut table: HashTable<BuildKey> = HashTable::with_capacity(build.len());
    for (hash, at) in build.updates() {
        let (key, row, time, diff) = build.decode(at, &mut scratch)?;
        match table.entry(hash, |(h, k, _)| *h == hash && *k == key, |(h, _, _)| *h) {
            Entry::Occupied(mut rows) => rows.get_mut().2.push((row, time, diff)),
            Entry::Vacant(slot) => {
                slot.insert((hash, key, vec![(row, time, diff)]));
            }
        }
    }
    drop(build);
    for (hash, at) in probe.updates() {
        if table.find(hash, |(h, _, _)| *h == hash).is_none() {
            continue;
        }
        let (key, row, time, diff) = probe.decode(at, &mut scratch)?;
        let Some((_, _, matches)) = table.find(hash, |(h, k, _)| *h == hash && *k == key) else { continue };
        for (other, other_time, other_diff) in matches {
            let joined = if build_left { other.concat(&row) } else { row.concat(other) };
            f(joined, time.join(other_time), diff * other_diff);
        }
    }
    Ok(())
}
