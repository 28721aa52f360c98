//! `aggregate` with user aggregate functions (Python `@udaf`s): an incremental GROUP BY whose
//! per-group state is the user functions' accumulators, which the engine keeps but never looks
//! inside.
//!
//! Rows are exchanged by group key. When the frontier passes a time, the changes of that time
//! are consolidated per group and every user function is called **once** with all the groups
//! that changed (`UserAggregateFunction::update`): additions accumulate, retractions retract.
//! Built-in aggregates of the same node (`COUNT`, `SUM`, ...) are kept beside them, retractable
//! (MIN, MAX and DISTINCT keep a multiset of their values). Each group whose result changed
//! emits a retraction of its old row and its new row; a group whose last row is retracted is
//! removed without a call (its accumulator goes with it, so a window's expiry needs no
//! `retract`), except a batch global aggregate's group, which its seed keeps (streaming mode, as
//! Flink's, has no seed: the global group comes with its first row and goes with its last).
//!
//! Streaming jobs whose state must be durable (checkpoints, a restore, RocksDB, a TTL) run
//! `keyed::user_group_aggregate` instead, which keeps the accumulators pickled in keyed state.

use std::collections::{BTreeMap, HashMap};

use differential_dataflow::{AsCollection, Hashable, VecCollection};
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::Capability;
use timely::dataflow::operators::generic::Operator;

use crate::expr::{CompiledExpr, EvalError};
use crate::plan::{AggregateFunction, BoundAggregate, BoundUserAggregate};
use crate::types::{DataType, Row, Value};
use crate::udf::{GroupUpdate, UserAccumulator, UserAggregateFunction};

use super::accumulate::Accumulator;
use super::{Evaluator, Rows, Time};

/// A group key with the row's aggregate inputs (`None`: the global aggregate's seed marker).
type Keyed = (Row, Option<Row>);

/// The changes buffered per time, with the capability to emit at that time.
type Pending = BTreeMap<Time, (Capability<Time>, Vec<(Keyed, isize)>)>;

/// A built-in aggregate that can take retractions.
#[derive(Clone, Debug)]
enum Builtin {
    /// COUNT, SUM, AVG: linear in their input, so a retraction is a negative multiplicity.
    /// The count of non-NULL values present makes a SUM whose values were all retracted NULL.
    Linear(Accumulator, i64),
    /// MIN, MAX and any DISTINCT aggregate: the multiset of non-NULL values.
    Multiset(BTreeMap<Value, isize>),
}

/// How a built-in aggregate of the node runs.
#[derive(Clone)]
struct BuiltinSpec {
    function: AggregateFunction,
    distinct: bool,
    output_type: DataType,
}

impl BuiltinSpec {
    fn fresh(&self) -> Builtin {
        if self.distinct || matches!(self.function, AggregateFunction::Min | AggregateFunction::Max) {
            Builtin::Multiset(BTreeMap::new())
        } else {
            Builtin::Linear(Accumulator::retracting(self.function, self.output_type), 0)
        }
    }

    fn result(&self, state: &Builtin) -> Value {
        match state {
            Builtin::Linear(_, 0) if self.function == AggregateFunction::Sum => Value::Null,
            Builtin::Linear(acc, _) => acc.finish(self.output_type),
            Builtin::Multiset(values) => {
                let mut acc = Accumulator::new(self.function, self.output_type);
                values.keys().for_each(|v| acc.add(v, 1));
                acc.finish(self.output_type)
            }
        }
    }
}

fn absorb(state: &mut Builtin, value: &Value, diff: isize) {
    match state {
        Builtin::Linear(acc, present) => {
            if !value.is_null() {
                *present += diff as i64;
            }
            acc.add(value, diff)
        }
        Builtin::Multiset(values) => {
            if value.is_null() {
                return;
            }
            let count = values.entry(value.clone()).or_insert(0);
            *count += diff;
            if *count <= 0 {
                values.remove(value);
            }
        }
    }
}

/// One group's state.
struct Group {
    /// Live input rows.
    rows: isize,
    /// A global aggregate's group, which exists even without rows.
    seeded: bool,
    builtins: Vec<Builtin>,
    accumulators: Vec<Option<UserAccumulator>>,
    /// The aggregate values last emitted.
    output: Option<Row>,
}

/// What the input rows are turned into before the exchange.
struct Inputs {
    group_by: Vec<CompiledExpr>,
    /// Per built-in aggregate: argument (`None`: COUNT(*)) and FILTER.
    builtins: Vec<(Option<CompiledExpr>, Option<CompiledExpr>)>,
    /// Per user aggregate: its arguments.
    users: Vec<Vec<CompiledExpr>>,
}

impl Inputs {
    /// `(key, values)`: the built-in aggregates' inputs (NULL when filtered out) followed by
    /// every user aggregate's arguments.
    fn eval(&self, row: &Row, eval: &Evaluator) -> Option<(Row, Row)> {
        let key = eval.eval_row(&self.group_by, row)?;
        let mut values = Vec::new();
        for (arg, filter) in &self.builtins {
            let passes = match filter {
                Some(f) => matches!(eval.eval(f, row)?, Value::Boolean(true)),
                None => true,
            };
            values.push(match (arg, passes) {
                (_, false) => Value::Null,
                (None, true) => Value::Boolean(true),
                (Some(a), true) => eval.eval(a, row)?,
            });
        }
        for args in &self.users {
            for a in args {
                values.push(eval.eval(a, row)?);
            }
        }
        Some((key, Row::new(values)))
    }
}

/// Groups `input` by `group_by`; output rows are the keys, the built-in `aggregates`, then the
/// `user` aggregates. `seed` (one row on one worker) gives a global aggregate its group.
pub fn user_aggregate<'s>(
    input: Rows<'s>,
    group_by: Vec<CompiledExpr>,
    aggregates: &[BoundAggregate],
    user: &[BoundUserAggregate],
    seed: Option<Rows<'s>>,
    eval: Evaluator,
) -> Rows<'s> {
    let inputs = Inputs {
        group_by,
        builtins: aggregates.iter().map(|a| (a.arg.as_ref().map(|e| e.compile()), a.filter.as_ref().map(|e| e.compile()))).collect(),
        users: user.iter().map(|u| u.args.iter().map(|e| e.compile()).collect()).collect(),
    };
    let specs: Vec<BuiltinSpec> = aggregates.iter().map(|a| BuiltinSpec { function: a.function, distinct: a.distinct, output_type: a.output_type }).collect();
    let functions: Vec<(std::sync::Arc<dyn UserAggregateFunction>, usize)> = user.iter().map(|u| (u.function.clone(), u.args.len())).collect();
    let row_eval = eval.clone();
    let keyed: VecCollection<'s, Time, Keyed, isize> = input.flat_map(move |row| {
        let (key, values) = inputs.eval(&row, &row_eval)?;
        Some((key, Some(values)))
    });
    let keyed = match seed {
        Some(seed) => keyed.concat(seed.map(|_| (Row::empty(), None))),
        None => keyed,
    };
    let exchange = Exchange::new(|((key, _), _, _): &(Keyed, Time, isize)| key.hashed());
    keyed
        .inner
        .unary_frontier::<timely::container::CapacityContainerBuilder<Vec<(Row, Time, isize)>>, _, _, _>(exchange, "UserAggregate", move |_cap, _info| {
            let mut pending: Pending = BTreeMap::new();
            let mut groups: HashMap<Row, Group> = HashMap::new();
            let mut failed = false;
            move |(input, frontier), output| {
                input.for_each(|cap, data| {
                    for (change, time, diff) in data.drain(..) {
                        pending.entry(time).or_insert_with(|| (cap.delayed(&time, output.output_index()), Vec::new())).1.push((change, diff));
                    }
                });
                while let Some((&time, _)) = pending.first_key_value() {
                    if frontier.less_equal(&time) {
                        break;
                    }
                    let Some((_, (cap, changes))) = pending.pop_first() else { break };
                    if failed {
                        continue;
                    }
                    let step = Step { specs: &specs, functions: &functions };
                    match step.apply(&mut groups, changes) {
                        Ok(out) => {
                            let mut session = output.session(&cap);
                            for (row, diff) in out {
                                session.give((row, time, diff));
                            }
                        }
                        Err(e) => {
                            failed = true;
                            groups.clear();
                            eval.report(e);
                        }
                    }
                }
            }
        })
        .as_collection()
}

/// One time's worth of work.
struct Step<'a> {
    specs: &'a [BuiltinSpec],
    functions: &'a [(std::sync::Arc<dyn UserAggregateFunction>, usize)],
}

impl Step<'_> {
    /// Applies `changes` to `groups`; the output changes.
    fn apply(&self, groups: &mut HashMap<Row, Group>, mut changes: Vec<(Keyed, isize)>) -> Result<Vec<(Row, isize)>, EvalError> {
        changes.sort();
        let mut by_key: BTreeMap<Row, Vec<(Option<Row>, isize)>> = BTreeMap::new();
        for ((key, values), diff) in consolidate(changes) {
            by_key.entry(key).or_default().push((values, diff));
        }
        // Retractions first, as Flink sends -U before +U.
        for changes in by_key.values_mut() {
            changes.sort_by_key(|(_, diff)| *diff > 0);
        }
        for (key, changes) in &by_key {
            let group = groups.entry(key.clone()).or_insert_with(|| Group {
                rows: 0,
                seeded: false,
                builtins: self.specs.iter().map(BuiltinSpec::fresh).collect(),
                accumulators: self.functions.iter().map(|_| None).collect(),
                output: None,
            });
            for (values, diff) in changes {
                let Some(values) = values else {
                    group.seeded = true;
                    continue;
                };
                group.rows += diff;
                for (i, state) in group.builtins.iter_mut().enumerate() {
                    absorb(state, values.get(i), *diff);
                }
            }
        }
        // A group that loses its last row is not passed to the functions (its accumulator goes
        // with it), as in Flink: a window's expiry, which retracts all its rows, needs no
        // `retract`.
        let keys: Vec<Row> = by_key.keys().filter(|k| groups.get(*k).is_some_and(|g| g.rows > 0 || g.seeded)).cloned().collect();
        let mut results: Vec<Vec<Value>> = Vec::with_capacity(self.functions.len());
        let mut offset = self.specs.len();
        for (f, (function, width)) in self.functions.iter().enumerate().filter(|_| !keys.is_empty()) {
            let args: Vec<Vec<(Vec<Value>, isize)>> = keys
                .iter()
                .filter_map(|k| by_key.get(k))
                .map(|changes| {
                    changes.iter().filter_map(|(v, d)| v.as_ref().map(|v| (v.values().get(offset..offset + width).unwrap_or_default().to_vec(), *d))).collect()
                })
                .collect();
            let mut slots: Vec<Option<UserAccumulator>> = keys.iter().map(|k| groups.get_mut(k).and_then(|g| g.accumulators[f].take())).collect();
            let mut updates: Vec<GroupUpdate<'_>> = slots.iter_mut().zip(&args).map(|(accumulator, changes)| GroupUpdate { accumulator, changes }).collect();
            let values = function.update(&mut updates)?;
            drop(updates);
            if values.len() != keys.len() {
                return Err(EvalError::new(format!("aggregate function {} returned {} results for {} groups", function.name(), values.len(), keys.len())));
            }
            for (k, slot) in keys.iter().zip(slots) {
                if let Some(g) = groups.get_mut(k) {
                    g.accumulators[f] = slot;
                }
            }
            results.push(values);
            offset += width;
        }
        let mut out = Vec::new();
        let mut live = 0;
        for key in by_key.keys() {
            let Some(group) = groups.get_mut(key) else { continue };
            let old = group.output.take().map(|o| key.concat(&o));
            if group.rows <= 0 && !group.seeded {
                groups.remove(key);
                out.extend(old.map(|o| (o, -1)));
                continue;
            }
            let i = live;
            live += 1;
            let mut values: Vec<Value> = self.specs.iter().zip(&group.builtins).map(|(s, b)| s.result(b)).collect();
            values.extend(results.iter().map(|r| r[i].clone()));
            let new = Row::new(values);
            let full = key.concat(&new);
            group.output = Some(new);
            if old.as_ref() != Some(&full) {
                out.extend(old.map(|o| (o, -1)));
                out.push((full, 1));
            }
        }
        Ok(out)
    }
}

/// Sorted changes with equal rows' multiplicities summed and zero sums dropped.
fn consolidate<T: PartialEq>(sorted: Vec<(T, isize)>) -> Vec<(T, isize)> {
    let mut out: Vec<(T, isize)> = Vec::with_capacity(sorted.len());
    for (item, diff) in sorted {
        match out.last_mut() {
            Some((last, d)) if *last == item => *d += diff,
            _ => out.push((item, diff)),
        }
    }
    out.retain(|(_, d)| *d != 0);
    out
}
