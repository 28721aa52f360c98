//! Streaming GROUP BY and SELECT DISTINCT on keyed state (Flink's `GroupAggregate`): each
//! group's accumulators live in the job's state backend (memory or RocksDB), so they are
//! checkpointed with the job and can outgrow memory.
//!
//! Changes are applied per complete time (see `timed`): every group a time touches is read
//! once, updated with all of the time's changes, and its result goes out as a retraction of
//! the old row and the new row at that time — nothing when it did not change, only the
//! retraction when the group lost its last row.
//!
//! Input: per row, the group key and either the row's aggregate arguments (which may retract)
//! or the partial aggregates of a local combiner (append-only input: Flink's local-global
//! aggregation). With a retracting input, MIN and MAX keep a count per value (Flink's
//! `MinWithRetractAggFunction`), SUM counts its non-NULL values (NULL when none is left), and
//! DISTINCT aggregates count each value's rows, so that a value counts once while it has any.
//!
//! A group exists while it has rows, the global aggregate's (no GROUP BY: the empty key)
//! too, as in Flink's streaming `GroupAggFunction`: nothing goes out before its first row, and
//! a `-D` when its last row is retracted. (Batch mode's global aggregate, on arrangements,
//! gives one row for empty input.)
//!
//! Retractions after expiry: with a time-to-live, a retraction can arrive after its group's
//! state expired. As in Flink ("Don't create a new accumulator for a retraction message"), a
//! group without rows skips a retraction, one with fewer rows than retracted loses what it has,
//! and a group whose last row is retracted starts afresh: its rows never count below zero. A
//! time's changes of a group are netted per row first, so that a retraction is never taken
//! for one of a missing row because it arrived before the insertion it undoes.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use differential_dataflow::VecCollection;
use weir_state::codec::DecodeError;
use weir_state::{KeyedStateStore, MapState, StateCodec, StateError, StateTtlConfig, ValueState};

use crate::job::JobContext;
use crate::plan::AggregateFunction;
use crate::types::{Row, Value, decode_row_values, encode_row_values};

use super::super::accumulate::{Accumulator, merge_partials, partials};
use super::super::aggregate::AggregateSlot;
use super::super::{Rows, Time};
use super::group_cache::GroupCache;
use super::timed::{TimedLogic, add_count, timed, ttl};

/// What the values of a group aggregate's input rows are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupInput {
    /// A row's aggregate arguments (its slot values), with the row's multiplicity.
    Arguments,
    /// Partial aggregates of a local combiner, one run of values per aggregate.
    Partials,
}

/// A streaming group aggregate, ready to run.
pub struct GroupAggregateSpec {
    /// The aggregates, in output order.
    pub(in crate::ops) slots: Vec<AggregateSlot>,
    /// What the input's values are.
    pub input: GroupInput,
    /// Whether the input may retract rows.
    pub retracting: bool,
}

/// Per-key input of a group aggregate: (group key, values), see [`GroupInput`].
pub type GroupedRows<'s> = VecCollection<'s, Time, (Row, Row), isize>;

/// The rows of a streaming group aggregate over `input`: each group's key values followed by
/// its aggregates, updated as its input changes.
pub fn group_aggregate<'s>(node: &str, index: usize, input: GroupedRows<'s>, spec: GroupAggregateSpec, ctx: JobContext) -> Rows<'s> {
    let groups = Groups::new(spec, ttl(&ctx));
    timed(node, index, "GroupAggregate", input.inner, |(key, _): &(Row, Row)| key, groups, ctx)
}

/// A group's state.
#[derive(Clone, Debug)]
pub(super) struct Group {
    /// Rows (or partials) it holds, net of retractions (never below zero).
    pub rows: i64,
    /// The partial aggregates (empty before the first row).
    pub partials: Row,
    /// Non-NULL values per aggregate, net of retractions (argument input only).
    pub non_null: Vec<i64>,
}

impl Default for Group {
    fn default() -> Group {
        Group { rows: 0, partials: Row::empty(), non_null: Vec::new() }
    }
}

impl StateCodec for Group {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_group(self.rows, self.partials.values(), &self.non_null, out);
    }

    fn decode(input: &mut &[u8]) -> Result<Self, DecodeError> {
        let (mut partials, mut non_null) = (Vec::new(), Vec::new());
        let rows = decode_group(input, &mut partials, &mut non_null)?;
        Ok(Group { rows, partials: Row::new(partials), non_null })
    }
}

/// Appends the stored form of a group with `rows` rows, its `partials` and its `non_null`
/// counts: what [`Group`] encodes, for callers that hold the parts rather than a `Group`.
pub(super) fn encode_group(rows: i64, partials: &[Value], non_null: &[i64], out: &mut Vec<u8>) {
    rows.encode(out);
    // Once a flag of the global aggregate's group, which existed without rows: kept so that
    // checkpoints taken before still restore.
    false.encode(out);
    encode_row_values(partials, out);
    (non_null.len() as u64).encode(out);
    non_null.iter().for_each(|n| n.encode(out));
}

/// Reads a group stored by [`encode_group`] off `input`: its row count, with its partials and
/// non-NULL counts put into `partials` and `non_null` (emptied first).
fn decode_group(input: &mut &[u8], partials: &mut Vec<Value>, non_null: &mut Vec<i64>) -> Result<i64, DecodeError> {
    let (rows, _) = (i64::decode(input)?, bool::decode(input)?);
    decode_row_values(input, partials)?;
    non_null.clear();
    for _ in 0..u64::decode(input)? {
        non_null.push(i64::decode(input)?);
    }
    Ok(rows)
}

/// The aggregates of one operator and the states they keep.
pub(super) struct Groups {
    spec: GroupAggregateSpec,
    groups: ValueState<Group>,
    /// Rows per value of each DISTINCT aggregate (namespace: the aggregate's position).
    distinct: MapState<Value, i64, u32>,
    /// Rows per value of each MIN and MAX over a retracting input.
    extremes: MapState<Value, i64, u32>,
    /// Where [`TimedLogic::apply`] encodes each group key, kept from group to group.
    key_buffer: Vec<u8>,
    /// The empty accumulators of the aggregates, copied for each group of the partials path.
    empty: Vec<Accumulator>,
    /// Buffers of the partials path, kept from group to group.
    scratch: Scratch,
    /// The groups of the partials path, decoded, between times (`None` with a time-to-live).
    cache: Option<GroupCache>,
}

/// What [`Groups::apply_partials`] decodes a group's state into and encodes it from.
#[derive(Default)]
struct Scratch {
    /// The accumulators of the group at hand.
    accs: Vec<Accumulator>,
    /// Partial aggregates: the stored ones decoded, then the new ones to encode.
    partials: Vec<Value>,
    /// The stored counts of non-NULL values, written back as they were read.
    non_null: Vec<i64>,
}

impl TimedLogic for Groups {
    type Change = (Row, Row);

    /// Applies one time's `updates` (sorted here by key) and appends the changed results.
    fn apply(&mut self, store: &mut KeyedStateStore, updates: &mut Vec<((Row, Row), isize)>, changes: &mut Vec<(Row, isize)>) -> Result<(), StateError> {
        let inserts_partials = self.spec.input == GroupInput::Partials && updates.iter().all(|(_, diff)| *diff > 0);
        if inserts_partials && let Some(cache) = &mut self.cache {
            cache.apply(&self.spec, &self.groups, &self.empty, store, updates, changes)?;
            if cache.is_full(store.backend().kind()) {
                cache.write_back(&self.groups, store)?;
                cache.clear();
            }
            return Ok(());
        }
        self.sort_by_key(updates);
        let mut key = std::mem::take(&mut self.key_buffer);
        for group in updates.chunk_by(|a, b| a.0.0 == b.0.0) {
            let key_row = &group[0].0.0;
            key.clear();
            key_row.encode(&mut key);
            if let Some(cache) = &mut self.cache {
                cache.take_out(&self.groups, store, key_row)?;
            }
            let step = if self.spec.input == GroupInput::Partials && group.iter().all(|(_, diff)| *diff > 0) {
                self.apply_partials(store, key_row, &key, group)?
            } else {
                self.update_group(store, key_row, &key, &netted(group), |_| {})?
            };
            if step.before != step.after {
                changes.extend(step.before.map(|row| (row, -1)));
                changes.extend(step.after.map(|row| (row, 1)));
            }
        }
        self.key_buffer = key;
        Ok(())
    }

    fn write_back(&mut self, store: &mut KeyedStateStore) -> Result<(), StateError> {
        match &mut self.cache {
            Some(cache) => cache.write_back(&self.groups, store),
            None => Ok(()),
        }
    }

    fn unwritten(&self) -> u64 {
        self.cache.as_ref().map_or(0, GroupCache::unwritten)
    }

    fn cleanup_expired(&mut self, store: &mut KeyedStateStore) -> Result<u64, StateError> {
        Ok(self.groups.cleanup_expired(store)? + self.distinct.cleanup_expired(store)? + self.extremes.cleanup_expired(store)?)
    }
}

/// What one group's changes of a time did: its result before and after (key values and
/// aggregates; `None` while it has no rows).
pub(super) struct GroupStep {
    /// The result before the changes.
    pub before: Option<Row>,
    /// The result after them.
    pub after: Option<Row>,
}

/// One change of a group as [`Groups::update_group`] applied it.
pub(super) enum Applied<'r> {
    /// The values row with the multiplicity that counted (a retraction never takes more rows
    /// than the group holds).
    Row(&'r Row, isize),
    /// The group was empty before its next change: it starts afresh (it had no rows when the
    /// time began, or its last row was retracted).
    Fresh,
}

impl Groups {
    /// Sorts a time's `updates` by group key: stably when an aggregate depends on the order
    /// of a group's changes (FIRST_VALUE and the like), which then stay in arrival order.
    pub(super) fn sort_by_key(&self, updates: &mut [((Row, Row), isize)]) {
        if self.spec.slots.iter().any(|s| s.function.depends_on_order()) {
            updates.sort_by(|a, b| a.0.0.cmp(&b.0.0));
        } else {
            updates.sort_unstable_by(|a, b| a.0.0.cmp(&b.0.0));
        }
    }

    /// Applies one group's `changes` of a time (netted, see [`netted`]) to its state in
    /// `store` (`key`: `key_row` encoded), telling `applied` each change as it counted and
    /// each time the group starts afresh.
    pub(super) fn update_group<'r>(
        &mut self,
        store: &mut KeyedStateStore,
        key_row: &Row,
        key: &[u8],
        changes: &[(&'r Row, isize)],
        mut applied: impl FnMut(Applied<'r>),
    ) -> Result<GroupStep, StateError> {
        let mut state = self.groups.get(store, key, &())?.unwrap_or_default();
        // (A count below zero was stored by versions that let retractions of expired rows
        // count: it holds no rows.)
        state.rows = state.rows.max(0);
        if state.rows == 0 {
            applied(Applied::Fresh);
        }
        let mut accs = self.accumulators(&state.partials);
        let before = result(&self.spec, key_row, state.rows, &state.non_null, &accs);
        state.non_null.resize(self.spec.slots.len(), 0);
        let mut stale = vec![false; self.spec.slots.len()];
        for &(values, diff) in changes {
            // Never more retracted than the group holds (see the module docs).
            let diff = diff.max(-(state.rows as isize));
            if diff == 0 {
                continue;
            }
            state.rows += diff as i64;
            applied(Applied::Row(values, diff));
            match self.spec.input {
                GroupInput::Partials => merge_partials(&mut accs, values.values(), diff),
                GroupInput::Arguments => self.add_arguments(store, key, &mut state, &mut accs, &mut stale, values, diff)?,
            }
            if state.rows == 0 {
                // The group lost its last row: what is left of it (the values of expired
                // rows it still counted) goes, as Flink clears the group's state.
                self.forget(store, key)?;
                (state, accs, stale) = (Group::default(), self.accumulators(&Row::empty()), vec![false; stale.len()]);
                state.non_null.resize(self.spec.slots.len(), 0);
                applied(Applied::Fresh);
            }
        }
        for (i, _) in stale.iter().enumerate().filter(|(_, s)| **s) {
            self.recompute_extreme(store, key, i, &mut accs[i])?;
        }
        let after = result(&self.spec, key_row, state.rows, &state.non_null, &accs);
        // A group left without rows was cleared above (or never stored).
        if state.rows > 0 {
            state.partials = partials(&accs);
            self.groups.update(store, key, &(), &state)?;
        }
        Ok(GroupStep { before, after })
    }

    /// The states of `spec`'s aggregates, expiring after `ttl` when given.
    pub(super) fn new(spec: GroupAggregateSpec, ttl: Option<StateTtlConfig>) -> Groups {
        let (mut groups, mut distinct, mut extremes) = (ValueState::new("groups"), MapState::new("distinct-values"), MapState::new("extreme-values"));
        if let Some(ttl) = ttl {
            (groups, distinct, extremes) = (groups.with_ttl(ttl), distinct.with_ttl(ttl), extremes.with_ttl(ttl));
        }
        let empty: Vec<Accumulator> = spec.slots.iter().map(AggregateSlot::accumulator).collect();
        let cache = ttl.is_none().then(|| GroupCache::new(&empty));
        Groups { spec, groups, distinct, extremes, key_buffer: Vec::new(), empty, scratch: Scratch::default(), cache }
    }

    /// Applies one group's `changes` of a time when they are partials that all insert (the
    /// common case: a local combiner's output): what [`Groups::update_group`] does, with the
    /// same state bytes and results, in one read-modify-write of the group's state. The stored
    /// partials are decoded straight into the accumulators and the new ones encoded from them,
    /// through buffers kept from group to group: only the result rows are allocated.
    fn apply_partials(&mut self, store: &mut KeyedStateStore, key_row: &Row, key: &[u8], changes: &[((Row, Row), isize)]) -> Result<GroupStep, StateError> {
        let Groups { spec, groups, empty, scratch, .. } = self;
        let mut step = GroupStep { before: None, after: None };
        groups.rewrite(store, key, &(), |stored, out| {
            let Scratch { accs, partials, non_null } = &mut *scratch;
            accs.clone_from(empty);
            non_null.clear();
            let mut rows = 0;
            if let Some(mut input) = stored {
                rows = decode_group(&mut input, partials, non_null)?;
                if !input.is_empty() {
                    return Err(DecodeError(format!("{} trailing bytes after value", input.len())));
                }
                if !partials.is_empty() {
                    merge_partials(accs, partials, 1);
                }
            }
            // (A count below zero was stored by versions that let retractions count.)
            rows = rows.max(0);
            step.before = result(spec, key_row, rows, non_null, accs);
            for ((_, values), diff) in changes {
                rows += *diff as i64;
                merge_partials(accs, values.values(), *diff);
            }
            step.after = result(spec, key_row, rows, non_null, accs);
            non_null.resize(spec.slots.len(), 0);
            partials.clear();
            accs.iter().for_each(|acc| acc.partial(partials));
            encode_group(rows, partials, non_null, out);
            Ok(())
        })?;
        Ok(step)
    }

    /// Keeps the groups of the partials path decoded between times, or not (`bound`: how
    /// many groups the cache holds before it starts again), whatever the time-to-live says.
    #[cfg(test)]
    pub(super) fn set_cache(&mut self, cached: bool, bound: Option<usize>) {
        self.cache = cached.then(|| GroupCache::new(&self.empty));
        if let Some(cache) = self.cache.as_mut() {
            cache.bound = bound;
        }
    }

    fn accumulators(&self, partials: &Row) -> Vec<Accumulator> {
        let mut accs = self.empty.clone();
        if !partials.is_empty() {
            merge_partials(&mut accs, partials.values(), 1);
        }
        accs
    }

    /// Adds `copies` of a row whose aggregate arguments are `values`.
    #[allow(clippy::too_many_arguments)]
    fn add_arguments(
        &self,
        store: &mut KeyedStateStore,
        key: &[u8],
        state: &mut Group,
        accs: &mut [Accumulator],
        stale: &mut [bool],
        values: &Row,
        copies: isize,
    ) -> Result<(), StateError> {
        for (i, slot) in self.spec.slots.iter().enumerate() {
            let value = slot.input(values.values());
            if value.is_null() {
                continue;
            }
            let mut copies = copies;
            if slot.distinct {
                // A value counts once while any row has it.
                let (before, after) = add_count(&self.distinct, store, key, &(i as u32), value, copies as i64)?;
                copies = match (before > 0, after > 0) {
                    (false, true) => 1,
                    (true, false) => -1,
                    _ => continue,
                };
            }
            if self.spec.retracting && matches!(slot.function, AggregateFunction::Min | AggregateFunction::Max) {
                let (_, after) = add_count(&self.extremes, store, key, &(i as u32), value, copies as i64)?;
                if copies > 0 {
                    accs[i].add(value, copies);
                } else if after <= 0 && extreme(&accs[i]) == Some(value) {
                    stale[i] = true;
                }
                continue;
            }
            accs[i].add(value, copies);
            state.non_null[i] += copies as i64;
        }
        Ok(())
    }

    /// Finds the MIN or MAX of aggregate `i` again from its values' counts, after its old
    /// extreme lost its last row.
    fn recompute_extreme(&self, store: &mut KeyedStateStore, key: &[u8], i: usize, acc: &mut Accumulator) -> Result<(), StateError> {
        let values = self.extremes.entries(store, key, &(i as u32))?.into_iter().filter(|(_, n)| *n > 0).map(|(v, _)| v);
        *acc = match acc {
            Accumulator::Min(_) => Accumulator::Min(values.min()),
            _ => Accumulator::Max(values.max()),
        };
        Ok(())
    }

    /// Drops every state of the group at `key` (it has no rows left).
    fn forget(&self, store: &mut KeyedStateStore, key: &[u8]) -> Result<(), StateError> {
        self.groups.clear(store, key, &())?;
        for (i, slot) in self.spec.slots.iter().enumerate() {
            if slot.distinct {
                self.distinct.clear(store, key, &(i as u32))?;
            }
            if self.spec.retracting && matches!(slot.function, AggregateFunction::Min | AggregateFunction::Max) {
                self.extremes.clear(store, key, &(i as u32))?;
            }
        }
        Ok(())
    }
}

/// The output row of a group of `spec` with `rows` rows, if it has any: its `key` values and
/// the aggregates of `accs` (`non_null`: its non-NULL values per aggregate).
pub(super) fn result(spec: &GroupAggregateSpec, key: &Row, rows: i64, non_null: &[i64], accs: &[Accumulator]) -> Option<Row> {
    if rows <= 0 {
        return None;
    }
    let values = accs.iter().zip(&spec.slots).enumerate().map(|(i, (acc, slot))| {
        // A SUM whose values were all retracted is NULL again (its accumulator reads 0).
        let emptied = slot.function == AggregateFunction::Sum && spec.input == GroupInput::Arguments && non_null.get(i) == Some(&0);
        if emptied { Value::Null } else { acc.finish(slot.output_type) }
    });
    // One allocation: the chain's length is known, so the row is collected in place.
    Some(key.values().iter().cloned().chain(values).collect())
}

/// A group's changes of one time (`group`): as they are when none retracts; otherwise netted
/// per values row, in the order the rows first appear, so that a retraction never comes before
/// the insertion it undoes.
pub(super) fn netted(group: &[((Row, Row), isize)]) -> Vec<(&Row, isize)> {
    let changes = group.iter().map(|((_, values), diff)| (values, *diff));
    if !group.iter().any(|(_, diff)| *diff < 0) {
        return changes.collect();
    }
    let mut index: HashMap<&Row, usize> = HashMap::new();
    let mut netted: Vec<(&Row, isize)> = Vec::new();
    for (values, diff) in changes {
        match index.entry(values) {
            Entry::Occupied(at) => netted[*at.get()].1 += diff,
            Entry::Vacant(at) => {
                at.insert(netted.len());
                netted.push((values, diff));
            }
        }
    }
    netted.retain(|(_, diff)| *diff != 0);
    netted
}

/// The current value of a MIN or MAX accumulator.
fn extreme(acc: &Accumulator) -> Option<&Value> {
    match acc {
        Accumulator::Min(v) | Accumulator::Max(v) => v.as_ref(),
        _ => None,
    }
}
