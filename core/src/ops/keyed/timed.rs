//! Keyed operators that apply their input one complete time at a time: the streaming group
//! aggregate and the streaming join. Their input may retract, and their output is a
//! differential collection like any other, so they do what differential's `reduce` and
//! `join` do — the changes of a time go out at that time, computed once every change of the
//! time has arrived — but with their state in the job's keyed state backend (memory or
//! RocksDB), where checkpoints take it.
//!
//! On each worker the changes of a time wait in memory until the input frontier has passed
//! the time, then are applied in time order (stopping at the first time still open). The cut
//! of a checkpoint is such a complete time, so changes waiting here are never part of one: an
//! operator hands in its store once its input has left the epoch before the cut.
//!
//! A batch job has one time, complete only at the end of its input, so waiting would hold
//! every row of the input in memory. There, whenever the waiting changes pass [`ABSORB_ROWS`]
//! (and twice what they were after the last time), the logic compacts them
//! ([`TimedLogic::compact`]: Top-N over an append-only input keeps each key's first ranks, as
//! the local ranking before it does), so they stay within a bound of the state's size and
//! each key is still applied once. A logic that cannot compact has them applied to its state
//! at once instead (no checkpoint can cut a batch job), keeping the output changes they make,
//! consolidated from time to time, until the time is complete: then they go out with those of
//! the last changes, consolidated. Since each apply emits the difference its changes make to
//! a key's output (the output before, retracted; after, inserted), the parts add up to the
//! difference of the whole, and the time's consolidated output is the one applying all of
//! its changes at once makes (at the cost of reading each key's state once per part).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use differential_dataflow::AsCollection;
use differential_dataflow::consolidation::consolidate;
use serde_json::json;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::StreamVec;
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::Capability;
use timely::dataflow::operators::generic::Operator;
use weir_state::{BackendKind, KeyedStateStore, MapState, StateCodec, StateError, StateTtlConfig};

use crate::error::RuntimeError;
use crate::job::JobContext;
use crate::plan::RuntimeMode;
use crate::types::Row;

use super::super::{Rows, Time, frontier_epoch};
use super::checkpoint::KeyedCheckpoint;

/// Changes of an open batch time an operator holds before it compacts them, or applies them
/// to its state when its logic cannot compact (see the module docs).
pub const ABSORB_ROWS: usize = 1 << 20;

/// The changes of each open time.
type Pending<C> = BTreeMap<Time, OpenTime<C>>;

/// One open time: the capability its results go out under, its changes not yet applied, and
/// (batch) the output of the changes applied already.
struct OpenTime<C> {
    cap: Capability<Time>,
    changes: Vec<(C, isize)>,
    /// Length of `changes` after they were last compacted.
    compacted: usize,
    /// Output of changes applied before the time completed, consolidated now and then.
    out: Vec<(Row, isize)>,
    /// Length of `out` after its last consolidation.
    settled: usize,
    /// Whether any change was applied before the time completed.
    absorbed: bool,
}

impl<C> OpenTime<C> {
    fn new(cap: Capability<Time>) -> OpenTime<C> {
        OpenTime { cap, changes: Vec::new(), compacted: 0, out: Vec::new(), settled: 0, absorbed: false }
    }

    /// Bounds the changes waiting (see the module docs): compacts them with `logic` when they
    /// have grown enough since the last time, or applies them when it cannot compact.
    fn absorb<L: TimedLogic<Change = C>>(&mut self, logic: &mut L, store: &mut KeyedStateStore) -> Result<(), StateError> {
        if self.changes.len() < ABSORB_ROWS.max(2 * self.compacted) {
            return Ok(());
        }
        if logic.compact(&mut self.changes) {
            self.compacted = self.changes.len();
            return Ok(());
        }
        self.absorbed = true;
        let applied = logic.apply(store, &mut self.changes, &mut self.out);
        self.changes.clear();
        if self.out.len() > 2 * self.settled.max(ABSORB_ROWS) {
            consolidate(&mut self.out);
            self.settled = self.out.len();
        }
        applied
    }
}

/// What a timed keyed operator does with the changes of one complete time.
pub(super) trait TimedLogic: 'static {
    /// One change of the input (with its multiplicity beside it).
    type Change: timely::ExchangeData;

    /// Applies `changes` of one time (all on this worker's keys, in arrival order) to `store`
    /// and appends the output rows that change, with their multiplicity: per key, its output
    /// before the changes retracted and after them inserted. All the changes of a time, or in
    /// a batch job some of them (see the module docs).
    fn apply(&mut self, store: &mut KeyedStateStore, changes: &mut Vec<(Self::Change, isize)>, out: &mut Vec<(Row, isize)>) -> Result<(), StateError>;

    /// Shrinks `changes`, waiting for their time to complete, to changes that applied together
    /// give the same output and state: `false` when the logic cannot (then they are applied
    /// in parts instead, see the module docs).
    fn compact(&self, _changes: &mut Vec<(Self::Change, isize)>) -> bool {
        false
    }

    /// Deletes every expired entry of its states (with a time-to-live), returning how many.
    fn cleanup_expired(&mut self, store: &mut KeyedStateStore) -> Result<u64, StateError>;

    /// Writes to `store` what the logic keeps of its state beside it (decoded, between times),
    /// so that `store` holds all of it: called before a checkpoint takes the store.
    fn write_back(&mut self, _store: &mut KeyedStateStore) -> Result<(), StateError> {
        Ok(())
    }

    /// Entries of its state the logic keeps beside `store` that `store` does not hold yet.
    fn unwritten(&self) -> u64 {
        0
    }
}

/// Adds `delta` to the count of `entry` in `map` under (`key`, `namespace`), removing the
/// entry when the count reaches zero: the counts before and after. A count never goes below
/// zero: a retraction of more than the entry holds (its state expired, or never existed)
/// removes what there is, as Flink's record states do ("cnt == null means state may be
/// expired"), so the entry's later rows are counted from zero again. One read-modify-write of
/// the entry ([`MapState::update`]).
pub(super) fn add_count<K: StateCodec, N: StateCodec>(
    map: &MapState<K, i64, N>,
    store: &mut KeyedStateStore,
    key: &[u8],
    namespace: &N,
    entry: &K,
    delta: i64,
) -> Result<(i64, i64), StateError> {
    let (mut before, mut after) = (0i64, 0i64);
    map.update(store, key, namespace, entry, |stored| {
        before = stored.unwrap_or(0);
        after = before.saturating_add(delta).max(0);
        (after != 0).then_some(after)
    })?;
    Ok((before, after))
}

/// `old` rows with `changes` applied: consolidated, rows whose count reaches zero dropped.
pub(super) fn merged(old: &[(Row, i64)], changes: &[(Row, i64)]) -> Vec<(Row, i64)> {
    let mut all: Vec<(Row, i64)> = old.iter().chain(changes).cloned().collect();
    consolidate(&mut all);
    all
}

/// The time-to-live of the states of a timed operator of a job whose keys expire.
pub(super) fn ttl(ctx: &JobContext) -> Option<StateTtlConfig> {
    ctx.state_ttl.map(StateTtlConfig::new)
}

/// Runs `logic` over `input`, whose changes go to the worker that owns their `key`'s group.
/// `node` and `index` name the plan node for errors and for its state.
pub(super) fn timed<'s, L: TimedLogic>(
    node: &str,
    index: usize,
    name: &str,
    input: StreamVec<'s, Time, (L::Change, Time, isize)>,
    key: fn(&L::Change) -> &Row,
    mut logic: L,
    ctx: JobContext,
) -> Rows<'s> {
    let scope = input.scope();
    let node = node.to_string();
    let (key_groups, peers) = (ctx.key_groups, scope.peers());
    let exchange = Exchange::new(move |(change, _, _): &(L::Change, Time, isize)| key_groups.route(key(change), peers));
    let output = input.unary_frontier::<CapacityContainerBuilder<Vec<(Row, Time, isize)>>, _, _, _>(exchange, name, move |_, _| {
        let worker = scope.index();
        let (mut checkpoint, mut store) = KeyedCheckpoint::open(&ctx, &node, index, worker, peers);
        let mut pending: Pending<L::Change> = BTreeMap::new();
        // Batch jobs take no checkpoint and have one time: its changes are bounded as they come.
        let absorb = ctx.mode == RuntimeMode::Batch && checkpoint.is_none();
        let fail = {
            let (ctx, node) = (ctx.clone(), node.clone());
            move |e: StateError| ctx.fail(RuntimeError::State { operator: node.clone(), message: e.to_string() })
        };
        // Expired state is dropped when read, and by a full scan once per time-to-live, so
        // keys never seen again do not stay (Flink's cleanup in the background).
        let (cleanup_every, mut cleaned) = (ctx.state_ttl.map(|t| t.max(Duration::from_millis(100))), Instant::now());
        move |(input, frontier), output| {
            let Some(store) = store.as_mut() else {
                input.for_each(|_, data| data.clear());
                pending.clear();
                return;
            };
            input.for_each(|cap, data| {
                for (change, time, diff) in data.drain(..) {
                    pending.entry(time).or_insert_with(|| OpenTime::new(cap.delayed(&time, output.output_index()))).changes.push((change, diff));
                }
                if absorb
                    && pending.len() == 1
                    && let Some(mut open) = pending.first_entry()
                    && let Err(e) = open.get_mut().absorb(&mut logic, store)
                {
                    fail(e);
                }
            });
            while let Some((time, _)) = pending.first_key_value() {
                if frontier.less_equal(time) {
                    break;
                }
                let Some((time, mut open)) = pending.pop_first() else { break };
                if let Err(e) = logic.apply(store, &mut open.changes, &mut open.out) {
                    fail(e);
                }
                if open.absorbed {
                    consolidate(&mut open.out);
                }
                if !open.out.is_empty() {
                    output.session(&open.cap).give_iterator(open.out.drain(..).map(|(row, diff)| (row, time, diff)));
                }
            }
            if cleanup_every.is_some_and(|every| cleaned.elapsed() >= every) {
                cleaned = Instant::now();
                if let Err(e) = logic.cleanup_expired(store) {
                    fail(e);
                }
            }
            if let Some((checkpoints, k)) = checkpoint.as_mut()
                && let Err(e) = k.maybe_snapshot_store(checkpoints, store, json!({}), frontier_epoch(frontier.frontier()), &mut |store| logic.write_back(store))
            {
                ctx.fail(e);
            }
            // The memory backend counts its entries for free; RocksDB's count is a scan.
            if store.backend().kind() == BackendKind::Memory
                && let Ok(n) = store.backend().entry_count()
            {
                ctx.metrics.set_state_entries(index, worker, n + logic.unwritten());
            }
        }
    });
    output.as_collection()
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::sync::Arc;

    use differential_dataflow::consolidation::consolidate;
    use timely::container::CapacityContainerBuilder;
    use timely::dataflow::operators::core::UnorderedInput;
    use timely::dataflow::operators::probe::Handle as ProbeHandle;
    use timely::dataflow::operators::{Inspect, Probe};
    use weir_state::codec::encode_to_vec;
    use weir_state::{KeyedStateStore, StateError, ValueState};

    use super::{ABSORB_ROWS, TimedLogic, timed};
    use crate::connectors::SinkContext;
    use crate::job::{CancelToken, JobContext, JobMetrics};
    use crate::ops::{Time, at};
    use crate::plan::RuntimeMode;
    use crate::types::{Row, Value};

    /// `COUNT(*)` per key (its changes merging per key when it `compacts`), noting the most
    /// changes it was handed at once.
    struct Count {
        counts: ValueState<i64>,
        compacts: bool,
        most: Rc<RefCell<usize>>,
    }

    impl Count {
        fn saw(&self, changes: usize) {
            let most = (*self.most.borrow()).max(changes);
            *self.most.borrow_mut() = most;
        }
    }

    impl TimedLogic for Count {
        type Change = Row;

        fn compact(&self, changes: &mut Vec<(Row, isize)>) -> bool {
            self.saw(changes.len());
            if self.compacts {
                consolidate(changes);
            }
            self.compacts
        }

        fn apply(&mut self, store: &mut KeyedStateStore, changes: &mut Vec<(Row, isize)>, out: &mut Vec<(Row, isize)>) -> Result<(), StateError> {
            self.saw(changes.len());
            changes.sort_by(|a, b| a.0.cmp(&b.0));
            for group in changes.chunk_by(|a, b| a.0 == b.0) {
                let key = encode_to_vec(&group[0].0);
                let before = self.counts.get(store, &key, &())?.unwrap_or(0);
                let after = before + group.iter().map(|(_, d)| *d as i64).sum::<i64>();
                let row = |n: i64| group[0].0.concat(&Row::new(vec![Value::BigInt(n)]));
                if before != 0 {
                    out.push((row(before), -1));
                }
                out.push((row(after), 1));
                self.counts.update(store, &key, &(), &after)?;
            }
            Ok(())
        }

        fn cleanup_expired(&mut self, _: &mut KeyedStateStore) -> Result<u64, StateError> {
            Ok(0)
        }
    }

    /// The output of counting `rows` rows over `keys` keys, all at one time, in `mode`, and
    /// the most changes the logic was handed at once.
    fn count(mode: RuntimeMode, compacts: bool, rows: usize, keys: i64) -> (Vec<(Row, isize)>, usize) {
        timely::execute_directly(move |worker| {
            let (most, out) = (Rc::new(RefCell::new(0)), Rc::new(RefCell::new(Vec::new())));
            let (seen, collected) = (Rc::clone(&most), Rc::clone(&out));
            let ctx = JobContext::new(mode, CancelToken::new(), Arc::new(JobMetrics::new(std::iter::empty())), SinkContext::default(), 200);
            let probe = ProbeHandle::new();
            let (mut input, cap) = worker.dataflow::<Time, _, _>(|scope| {
                let (input, stream) = scope.new_unordered_input::<CapacityContainerBuilder<Vec<(Row, Time, isize)>>>();
                let logic = Count { counts: ValueState::new("count"), compacts, most: Rc::clone(&seen) };
                let counted = timed("count", 0, "Count", stream, |row: &Row| row, logic, ctx);
                let collected = Rc::clone(&collected);
                counted.inner.inspect(move |(row, _, diff)| collected.borrow_mut().push((row.clone(), *diff))).probe_with(&probe);
                input
            });
            for chunk in (0..rows).collect::<Vec<_>>().chunks(4096) {
                input.activate().session(&cap).give_iterator(chunk.iter().map(|i| (Row::new(vec![Value::BigInt(*i as i64 % keys)]), at(0, 0), 1)));
                worker.step();
            }
            drop(cap);
            while !probe.done() {
                worker.step();
            }
            let mut out = out.borrow().clone();
            consolidate(&mut out);
            let most = *most.borrow();
            (out, most)
        })
    }

    #[test]
    fn a_batch_operator_holds_a_bounded_part_of_its_one_time() {
        let (rows, keys) = (3 * ABSORB_ROWS, 1024);
        let (streaming, all) = count(RuntimeMode::Streaming, false, rows, keys);
        assert_eq!(all, rows, "streaming applies the complete time at once");
        let expected: Vec<(Row, isize)> = (0..keys).map(|k| (Row::new(vec![Value::BigInt(k), Value::BigInt(rows as i64 / keys)]), 1)).collect();
        let mut sorted = streaming.clone();
        sorted.sort();
        assert_eq!(sorted, expected);
        for compacts in [true, false] {
            let (batch, most) = count(RuntimeMode::Batch, compacts, rows, keys);
            assert!(most < 2 * ABSORB_ROWS, "changes waiting stay under the bound (compacting: {compacts}): {most} of {rows}");
            assert_eq!(batch, streaming, "the same output (compacting: {compacts})");
        }
    }
}
