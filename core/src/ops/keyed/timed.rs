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
use crate::types::Row;

use super::super::{Rows, Time, frontier_epoch};
use super::checkpoint::KeyedCheckpoint;

/// The changes of each open time, with the capability their results go out under.
type Pending<C> = BTreeMap<Time, (Capability<Time>, Vec<(C, isize)>)>;

/// What a timed keyed operator does with the changes of one complete time.
pub(super) trait TimedLogic: 'static {
    /// One change of the input (with its multiplicity beside it).
    type Change: timely::ExchangeData;

    /// Applies one time's `changes` (all on this worker's keys, in arrival order) to `store`
    /// and appends the output rows that change, with their multiplicity.
    fn apply(&mut self, store: &mut KeyedStateStore, changes: &mut Vec<(Self::Change, isize)>, out: &mut Vec<(Row, isize)>) -> Result<(), StateError>;

    /// Deletes every expired entry of its states (with a time-to-live), returning how many.
    fn cleanup_expired(&mut self, store: &mut KeyedStateStore) -> Result<u64, StateError>;
}

/// Adds `delta` to the count of `entry` in `map` under (`key`, `namespace`), removing the
/// entry when the count reaches zero: the counts before and after. A count never goes below
/// zero: a retraction of more than the entry holds (its state expired, or never existed)
/// removes what there is, as Flink's record states do ("cnt == null means state may be
/// expired"), so the entry's later rows are counted from zero again.
pub(super) fn add_count<K: StateCodec, N: StateCodec>(
    map: &MapState<K, i64, N>,
    store: &mut KeyedStateStore,
    key: &[u8],
    namespace: &N,
    entry: &K,
    delta: i64,
) -> Result<(i64, i64), StateError> {
    let before = map.get(store, key, namespace, entry)?.unwrap_or(0);
    let after = before.saturating_add(delta).max(0);
    if after == before {
        return Ok((before, after));
    }
    if after == 0 {
        map.remove(store, key, namespace, entry)?;
    } else {
        map.put(store, key, namespace, entry, &after)?;
    }
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
        let mut out = Vec::new();
        // Expired state is dropped when read, and by a full scan once per time-to-live, so
        // keys never seen again do not stay (Flink's cleanup in the background).
        let (cleanup_every, mut cleaned) = (ctx.state_ttl.map(|t| t.max(Duration::from_millis(100))), Instant::now());
        move |(input, frontier), output| {
            input.for_each(|cap, data| {
                for (change, time, diff) in data.drain(..) {
                    pending.entry(time).or_insert_with(|| (cap.delayed(&time, output.output_index()), Vec::new())).1.push((change, diff));
                }
            });
            let Some(store) = store.as_mut() else {
                pending.clear();
                return;
            };
            while let Some((time, _)) = pending.first_key_value() {
                if frontier.less_equal(time) {
                    break;
                }
                let Some((time, (cap, mut changes))) = pending.pop_first() else { break };
                if let Err(e) = logic.apply(store, &mut changes, &mut out) {
                    ctx.fail(RuntimeError::State { operator: node.clone(), message: e.to_string() });
                }
                if !out.is_empty() {
                    output.session(&cap).give_iterator(out.drain(..).map(|(row, diff)| (row, time, diff)));
                }
            }
            if cleanup_every.is_some_and(|every| cleaned.elapsed() >= every) {
                cleaned = Instant::now();
                if let Err(e) = logic.cleanup_expired(store) {
                    ctx.fail(RuntimeError::State { operator: node.clone(), message: e.to_string() });
                }
            }
            if let Some((checkpoints, k)) = checkpoint.as_mut()
                && let Err(e) = k.maybe_snapshot_store(checkpoints, store, json!({}), frontier_epoch(frontier.frontier()))
            {
                ctx.fail(e);
            }
            // The memory backend counts its entries for free; RocksDB's count is a scan.
            if store.backend().kind() == BackendKind::Memory
                && let Ok(n) = store.backend().entry_count()
            {
                ctx.metrics.set_state_entries(index, worker, n);
            }
        }
    });
    output.as_collection()
}
