//! Streaming GROUP BY with user (Python) aggregate functions on keyed state (Flink's
//! `PythonGroupAggregate`): each group's user accumulators live in the job's state backend as
//! the bytes their function encodes them to (a Python accumulator pickled), beside the
//! built-in aggregates of the same GROUP BY, so they are checkpointed with the job, expire
//! with `table.exec.state.ttl` and can outgrow memory.
//!
//! A time's changes are applied as in the built-in group aggregate (`group_aggregate`, which
//! keeps the built-in aggregates and the group's row count here too): netted per row, a
//! retraction never taking more rows than the group holds. Then every user function is called
//! **once** for all the groups of the time that took rows
//! ([`UserAggregateFunction::update_encoded`]), with each group's accumulator and the changes
//! that counted since the group last started afresh: a group without rows has no accumulator
//! (its stored one is dropped, and a new one created with its next row), as Flink's
//! `GroupAggFunction` clears a group's state when its count drops to zero. A group that loses
//! its last row is never passed to the function, so a window's expiry (all its rows retracted)
//! needs no `retract`.
//!
//! Output: Flink's changelog per group, a retraction of the old row and the new row when its
//! result changed (`-U`/`+U`), only the retraction when it lost its last row (`-D`).

use std::sync::Arc;

use weir_state::codec::{DecodeError, encode_to_vec};
use weir_state::{KeyedStateStore, StateCodec, StateError, StateTtlConfig, ValueState};

use crate::expr::EvalError;
use crate::job::JobContext;
use crate::types::{Row, Value};
use crate::udf::{GroupUpdate, UserAggregateFunction};

use super::super::{Evaluator, Rows};
use super::group_aggregate::{Applied, GroupAggregateSpec, GroupedRows, Groups, netted};
use super::timed::{TimedLogic, timed, ttl};

/// A streaming group aggregate with user aggregate functions, ready to run.
pub struct UserGroupAggregateSpec {
    /// The built-in aggregates, whose slot values come first in each values row (their input
    /// is each row's arguments: user aggregates take no partial aggregates).
    pub builtins: GroupAggregateSpec,
    /// The user aggregates, in output order (after the built-in ones), each with its number
    /// of arguments: their arguments follow the built-in slot values, in this order.
    pub users: Vec<(Arc<dyn UserAggregateFunction>, usize)>,
    /// Where the first user aggregate's arguments start in a values row.
    pub offset: usize,
}

/// The rows of a streaming group aggregate with user aggregates over `input` (group key,
/// values: see [`UserGroupAggregateSpec`]): each group's key values, its built-in aggregates
/// and its user aggregates, updated as its input changes. A failing user function fails the
/// job through `eval`.
pub fn user_group_aggregate<'s>(node: &str, index: usize, input: GroupedRows<'s>, spec: UserGroupAggregateSpec, eval: Evaluator, ctx: JobContext) -> Rows<'s> {
    let groups = UserGroups::new(spec, ttl(&ctx), eval);
    timed(node, index, "PythonGroupAggregate", input.inner, |(key, _): &(Row, Row)| key, groups, ctx)
}

/// A group's user accumulators, as their functions encoded them, and the results they gave.
#[derive(Clone, Debug)]
struct Accumulators {
    encoded: Vec<Vec<u8>>,
    results: Row,
}

impl StateCodec for Accumulators {
    fn encode(&self, out: &mut Vec<u8>) {
        self.encoded.encode(out);
        self.results.encode(out);
    }

    fn decode(input: &mut &[u8]) -> Result<Self, DecodeError> {
        Ok(Accumulators { encoded: Vec::decode(input)?, results: Row::decode(input)? })
    }
}

/// A group a time changed, on its way through the user functions.
struct Touched {
    key: Vec<u8>,
    /// Its result before the time, with the user aggregates' results.
    before: Option<Row>,
    /// Its built-in result after the time (`None`: it has no rows left).
    after: Option<Row>,
}

/// One group's input to the user functions: its accumulators and the rows that change them.
pub(super) struct UserInput<'r> {
    /// Per user function, the accumulator to update (`None`: create one); the call leaves
    /// the updated one here.
    pub(super) accumulators: Vec<Option<Vec<u8>>>,
    /// Values rows (each function's arguments at its place) and their multiplicities.
    pub(super) changes: Vec<(&'r Row, isize)>,
}

/// The user aggregate functions of an operator, called with pickled accumulators.
pub(super) struct UserCalls {
    /// The functions, in output order, each with its number of arguments: their arguments
    /// follow each other in a values row, in this order.
    pub(super) users: Vec<(Arc<dyn UserAggregateFunction>, usize)>,
    /// Where the first function's arguments start in a values row.
    pub(super) offset: usize,
    /// Reports the functions' failures (failing the job).
    pub(super) eval: Evaluator,
}

impl UserCalls {
    /// Calls every user function once with all of `groups`' accumulators and changes; each
    /// group's results, in order (its new accumulators are left in `groups`). `None` after a
    /// reported failure.
    pub(super) fn call(&self, groups: &mut [UserInput<'_>]) -> Option<Vec<Row>> {
        let mut results: Vec<Vec<Value>> = vec![Vec::with_capacity(self.users.len()); groups.len()];
        let mut offset = self.offset;
        for (f, (function, width)) in self.users.iter().enumerate() {
            let args: Vec<Vec<(Vec<Value>, isize)>> = groups
                .iter()
                .map(|g| g.changes.iter().map(|(values, diff)| (values.values().get(offset..offset + width).unwrap_or_default().to_vec(), *diff)).collect())
                .collect();
            let mut updates: Vec<GroupUpdate<'_, Vec<u8>>> =
                groups.iter_mut().zip(&args).map(|(g, changes)| GroupUpdate { accumulator: &mut g.accumulators[f], changes }).collect();
            let values = match function.update_encoded(&mut updates) {
                Ok(values) if values.len() == groups.len() => values,
                Ok(values) => {
                    let message = format!("aggregate function {} returned {} results for {} groups", function.name(), values.len(), groups.len());
                    self.eval.report(EvalError::new(message));
                    return None;
                }
                Err(e) => {
                    self.eval.report(e);
                    return None;
                }
            };
            if let Some(i) = groups.iter().position(|g| g.accumulators[f].is_none()) {
                self.eval.report(EvalError::new(format!(
                    "aggregate function {} left group {} of {} without an accumulator",
                    function.name(),
                    i + 1,
                    groups.len()
                )));
                return None;
            }
            for (group, value) in results.iter_mut().zip(values) {
                group.push(value);
            }
            offset += width;
        }
        Some(results.into_iter().map(Row::new).collect())
    }
}

/// The built-in aggregates' states and the user accumulators of one operator.
pub(super) struct UserGroups {
    builtins: Groups,
    users: UserCalls,
    accumulators: ValueState<Accumulators>,
    /// A user function failed (the job is failing): later times are dropped.
    failed: bool,
}

impl UserGroups {
    /// The states of `spec`'s aggregates, expiring after `ttl` when given; `eval` reports the
    /// user functions' failures.
    pub(super) fn new(spec: UserGroupAggregateSpec, ttl: Option<StateTtlConfig>, eval: Evaluator) -> UserGroups {
        let mut accumulators = ValueState::new("user-accumulators");
        if let Some(ttl) = ttl {
            accumulators = accumulators.with_ttl(ttl);
        }
        let users = UserCalls { users: spec.users, offset: spec.offset, eval };
        UserGroups { builtins: Groups::new(spec.builtins, ttl), users, accumulators, failed: false }
    }
}

impl TimedLogic for UserGroups {
    type Change = (Row, Row);

    fn apply(&mut self, store: &mut KeyedStateStore, updates: &mut Vec<((Row, Row), isize)>, out: &mut Vec<(Row, isize)>) -> Result<(), StateError> {
        if self.failed {
            return Ok(());
        }
        self.builtins.sort_by_key(updates);
        let nulls = Row::new(vec![Value::Null; self.users.users.len()]);
        let (mut touched, mut inputs): (Vec<Touched>, Vec<UserInput<'_>>) = (Vec::new(), Vec::new());
        for group in updates.chunk_by(|a, b| a.0.0 == b.0.0) {
            let key_row = &group[0].0.0;
            let key = encode_to_vec(key_row);
            let (mut fresh, mut changes) = (false, Vec::new());
            let step = self.builtins.update_group(store, key_row, &key, &netted(group), |applied| match applied {
                Applied::Fresh => (fresh, changes) = (true, Vec::new()),
                Applied::Row(values, diff) => changes.push((values, diff)),
            })?;
            if changes.is_empty() && !fresh {
                continue;
            }
            // A group that had rows has its accumulators (unless their state expired alone).
            let stored = if step.before.is_some() { self.accumulators.get(store, &key, &())? } else { None };
            let before = step.before.map(|b| b.concat(stored.as_ref().map_or(&nulls, |s| &s.results)));
            let mut accumulators = vec![None; self.users.users.len()];
            if let Some(stored) = stored.filter(|s| !fresh && s.encoded.len() == self.users.users.len()) {
                accumulators = stored.encoded.into_iter().map(Some).collect();
            }
            if step.after.is_none() {
                self.accumulators.clear(store, &key, &())?;
                out.extend(before.map(|row| (row, -1)));
                continue;
            }
            touched.push(Touched { key, before, after: step.after });
            inputs.push(UserInput { accumulators, changes });
        }
        if touched.is_empty() {
            return Ok(());
        }
        let Some(results) = self.users.call(&mut inputs) else {
            self.failed = true;
            return Ok(());
        };
        for ((group, input), results) in touched.into_iter().zip(inputs).zip(results) {
            let Some(after) = group.after else { continue };
            let encoded: Vec<Vec<u8>> = input.accumulators.into_iter().map(Option::unwrap_or_default).collect();
            let after = after.concat(&results);
            self.accumulators.update(store, &group.key, &(), &Accumulators { encoded, results })?;
            if group.before.as_ref() != Some(&after) {
                out.extend(group.before.map(|row| (row, -1)));
                out.push((after, 1));
            }
        }
        Ok(())
    }

    fn cleanup_expired(&mut self, store: &mut KeyedStateStore) -> Result<u64, StateError> {
        Ok(self.builtins.cleanup_expired(store)? + self.accumulators.cleanup_expired(store)?)
    }
}
