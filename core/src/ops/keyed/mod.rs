//! Keyed event-time operators: timely operators that partition their input by a key, keep
//! per-key state in `weir-state` (memory or RocksDB) and fire event-time timers when the
//! watermark — the input frontier — passes them. Streaming window aggregates (sliced for HOP
//! and CUMULATE windows; with Python aggregates too), SESSION windows,
//! window joins and Top-N, OVER aggregates, interval joins, user process functions and the
//! DataStream API's windows are
//! [`KeyedLogic`]s run by [`keyed`].
//!
//! Time: a row's timely time is at or before its event time (sources stamp rows with their
//! event time rounded down to the tick, never below the capability they hold at the exact
//! watermark; see `ops::watermark`), so when the input frontier is `w` every row with an
//! event time before `w` has arrived: the event-time watermark is `w - 1` in Flink's terms and
//! a timer for `t` fires once `t < w`. Window operators time a window `[start, end)` at its
//! last millisecond, `end - 1`: it fires when Flink's watermark reaches `end - 1`, as Flink's
//! windows do, whatever the tick. Rows are handed to the logic as they arrive; results of
//! a row go out at the row's time, results of a timer at the timer's time (never before a
//! capability the operator holds), so downstream event-time operators see them on time.
//! In batch mode everything is at time 0 and the frontier empties at the end of the input:
//! every timer fires then, in timestamp order.
//!
//! Late rows: a source sends a row that arrives behind its watermark at the watermark, so a
//! row's timely time tells whether it is late for a result due at some event time: a timer
//! before the row's time fires — its results go out — without the row
//! ([`KeyedContext::is_late_for`]). This depends only on the row's time, never on how rows
//! and frontier moves happen to be batched. A logic drops such a row with
//! [`KeyedContext::drop_late`], which counts it in the job's late-record metric.
//!
//! Processing-time timers follow the store's clock (the wall clock; the one state TTL reads).
//! The operator re-activates itself when the next one is due and sends their results under one
//! capability, the *tail*, kept at the input frontier (downgraded on every activation, dropped
//! when no timer needs it), so they never hold the output frontier back beyond what the input
//! already does. At the end of the input, as in Flink: in BATCH mode pending processing-time
//! timers fire (after the event-time ones); in STREAMING mode they are dropped with the job.
//!
//! A logic whose input is not timed by event time ([`KeyedLogic::frontier_is_watermark`] false:
//! a DataStream without timestamps and watermarks) sees the watermark at `i64::MIN` until the
//! input ends, then at `i64::MAX`, as Flink's operators do without watermarks: its event-time
//! timers fire at the end of the input, under the tail capability.
//!
//! The inputs must be append-only (the planner checks it): an insertion cannot be undone in
//! state that has already fired.

mod batch;
mod checkpoint;
#[cfg(test)]
mod expired_retractions;
mod first_row;
mod group_aggregate;
mod group_cache;
mod interval_join;
mod join;
mod over;
mod process;
mod rank;
mod session;
mod session_aggregate;
mod slice_cache;
mod sliced_aggregate;
mod stream_window;
mod timed;
mod timer_memo;
mod user_group_aggregate;
mod user_window_aggregate;
mod window_aggregate;
mod window_join;
mod window_top_n;

pub use batch::RowBatch;
pub use first_row::keyed_first_rows;
pub use group_aggregate::{GroupAggregateSpec, GroupInput, GroupedRows, group_aggregate};
pub use interval_join::{IntervalJoinSpec, interval_join};
pub use join::stream_join;
pub use over::{OverAggregate, OverSpec, over};
pub use process::{ProcessSpec, process};
pub use rank::keyed_top_n;
pub use session::session_windows;
pub use session_aggregate::{SessionAggregateSpec, WindowKey, session_aggregate};
pub use sliced_aggregate::{SlicedAggregateSpec, sliced_aggregate};
pub use stream_window::{StreamWindowSpec, stream_window};
pub use user_group_aggregate::{UserGroupAggregateSpec, user_group_aggregate};
pub use user_window_aggregate::{UserWindowAggregateSpec, user_window_aggregate};
pub use window_aggregate::{WindowAggregateCall, WindowAggregateSpec, window_aggregate};
pub use window_join::{WindowJoinSpec, window_join};
pub use window_top_n::{WindowTopNSpec, window_top_n};

/// The live (in-memory) part of a keyed operator's state, by encoded key: looked up for every
/// row, so hashed with foldhash rather than std's SipHash (per-map random seeds); hashbrown's
/// map, whose `entry_ref` finds or inserts a key from its bytes in one lookup.
type KeyMap<V> = hashbrown::HashMap<Vec<u8>, V, foldhash::fast::RandomState>;

/// How many keys (groups, slice sets) a keyed operator keeps decoded beside its state backend
/// before it writes them back and starts again: over the memory backend the bound only caps
/// the decoded copies; over RocksDB state may outgrow memory, the decoded copies must not.
fn decoded_keys_bound(kind: BackendKind) -> usize {
    match kind {
        BackendKind::Memory => 1 << 20,
        BackendKind::RocksDb => 1 << 16,
    }
}

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use differential_dataflow::AsCollection;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::generic::{Operator, OutputBuilderSession};
use timely::dataflow::operators::{Capability, Concatenate};
use weir_state::{BackendKind, KeyedStateStore, StateError, TimeDomain, TimerService};

use crate::error::RuntimeError;
use crate::expr::CompiledExpr;
use crate::job::JobContext;
use crate::plan::RuntimeMode;
use crate::types::{Row, Value};

use super::{Evaluator, Rows, Time, at, frontier_epoch, frontier_meet, with_ms};
use checkpoint::KeyedCheckpoint;
use timely::order::PartialOrder;
use timer_memo::TimerMemo;

/// A row on its way to a keyed operator: its input, its key, the row.
type Keyed = (usize, Row, Row);

/// What a keyed operator does with the rows and timers of one key.
pub trait KeyedLogic: 'static {
    /// A row of input `input` for the context's key.
    fn on_row(&mut self, cx: &mut KeyedContext<'_>, input: usize, row: Row) -> Result<(), StateError>;

    /// The rows of one input message, in arrival order, each for its own key: by default
    /// each goes to [`KeyedLogic::on_row`]. A logic that handles rows better together (a
    /// Python process function: one call for the message) walks them itself with
    /// [`RowBatch::advance`], each in its own [`RowBatch::context`], and must take every row.
    fn on_rows(&mut self, rows: &mut RowBatch<'_, '_>) {
        while let Some((input, row)) = rows.advance() {
            if let Err(e) = self.on_row(&mut rows.context(), input, row) {
                rows.fail(e);
            }
        }
    }

    /// Whether rows whose key has a NULL are processed (grouping) or dropped (joins, where a
    /// NULL key equals nothing).
    fn null_keys_match(&self) -> bool {
        true
    }

    /// The batch of rows handed to [`KeyedLogic::on_row`] is over: write back anything kept
    /// aside (timers fire, and state is read, only after this).
    fn flush(&mut self, _store: &mut KeyedStateStore) -> Result<(), StateError> {
        Ok(())
    }

    /// A checkpoint is about to take the store: write into it whatever state the logic keeps
    /// beside it between batches (decoded copies it has changed), so that the store alone is
    /// the operator's state.
    fn write_back(&mut self, _store: &mut KeyedStateStore) -> Result<(), StateError> {
        Ok(())
    }

    /// State entries the logic keeps beside the store and has not written back (counted in
    /// the operator's state-entry metric with the store's own).
    fn unwritten_entries(&self) -> u64 {
        0
    }

    /// The event-time timer `timestamp` of the context's key fired: the watermark passed it.
    fn on_timer(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64) -> Result<(), StateError>;

    /// The processing-time timer `timestamp` of the context's key fired: the clock reached it
    /// (batch mode: the input ended).
    fn on_processing_time_timer(&mut self, _cx: &mut KeyedContext<'_>, _timestamp: i64) -> Result<(), StateError> {
        Ok(())
    }

    /// Whether the input frontier is the event-time watermark (rows timed by event time).
    /// When false, the watermark is `i64::MIN` until the input ends (see the module docs).
    fn frontier_is_watermark(&self) -> bool {
        true
    }

    /// The input has ended and every timer that fires at the end has fired (once per worker).
    fn on_end(&mut self) {}
}

/// What the logic asked for while handling one row or timer, besides its state changes.
#[derive(Default)]
struct Requests {
    /// Event-time timers registered.
    timers: Vec<i64>,
    /// Rows emitted (+1) and retracted (-1).
    rows: Vec<(Row, isize)>,
    /// Rows emitted as results of a later timer of the same key, by its timestamp
    /// ([`KeyedContext::emit_at`]).
    later: Vec<(i64, Row)>,
    /// A processing-time timer was registered: the tail capability must be kept.
    processing: bool,
    /// Rows dropped as late.
    late: u64,
}

/// The view a [`KeyedLogic`] has of its operator while handling one row or timer.
pub struct KeyedContext<'a> {
    /// The operator's keyed state on this worker.
    pub store: &'a mut KeyedStateStore,
    key: &'a [u8],
    timers: &'a TimerService<()>,
    memo: &'a mut TimerMemo,
    requests: &'a mut Requests,
    watermark: i64,
    fired: i64,
    row_time: Option<u64>,
    arrival: i64,
    null_key: bool,
}

impl<'a> KeyedContext<'a> {
    /// The current key, encoded (the address of its state).
    pub fn key(&self) -> &'a [u8] {
        self.key
    }

    /// The event-time watermark: every row with an event time at or before it has arrived.
    pub fn watermark(&self) -> i64 {
        self.watermark
    }

    /// The watermark through which timers have fired before the current batch of rows: no
    /// row still to come in this batch has a time before it.
    pub fn fired_watermark(&self) -> i64 {
        self.fired
    }

    /// The dataflow timestamp of the row being handled (`None` in a timer): its event time,
    /// or later when it arrived behind the watermark (it was then sent at the watermark).
    pub fn row_time(&self) -> Option<u64> {
        self.row_time
    }

    /// Whether the row being handled comes too late for a timer at `timestamp`: the timer's
    /// results go out at an earlier time than the row's (never in batch mode).
    pub fn is_late_for(&self, timestamp: i64) -> bool {
        timestamp < self.arrival
    }

    /// Whether the key of the row being handled has a NULL (only ever for logics whose
    /// [`KeyedLogic::null_keys_match`]: the others never see such rows).
    pub fn key_has_null(&self) -> bool {
        self.null_key
    }

    /// Counts the row being handled as late and dropped (its result has already gone out).
    pub fn drop_late(&mut self) {
        self.drop_late_rows(1);
    }

    /// Counts `rows` input rows as late and dropped: the row being handled stands for them
    /// (the partial aggregates of a local combiner).
    pub fn drop_late_rows(&mut self, rows: u64) {
        self.requests.late += rows;
    }

    /// Emits `row` as a result.
    pub fn emit(&mut self, row: Row) {
        self.requests.rows.push((row, 1));
    }

    /// Emits `row` as a result of the current key's event-time timer at `timestamp`, a timer
    /// due now (at or before the watermark) whose work the logic does in the timer it is
    /// handling, having deleted it: `row` goes out at the time that timer's results would.
    pub fn emit_at(&mut self, timestamp: i64, row: Row) {
        self.requests.later.push((timestamp, row));
    }

    /// Whether no event-time timer of any key lies strictly between `after` and `before`: a
    /// logic handling its timer at `after` may then do the work of its due timer at `before`
    /// in the same call without passing over another timer.
    pub fn no_timers_between(&mut self, after: i64, before: i64) -> Result<bool, StateError> {
        Ok(!self.memo.any_between(self.timers, self.store, after, before)?)
    }

    /// Retracts `row`, a result emitted before (a window's result that late rows update).
    pub fn retract(&mut self, row: Row) {
        self.requests.rows.push((row, -1));
    }

    /// Puts the result `new` in the place of `before`, one emitted earlier (a window firing
    /// again for late rows): retracts the one and emits the other, unless they are equal.
    pub fn replace(&mut self, before: Option<Row>, new: Row) {
        if before.as_ref() != Some(&new) {
            if let Some(old) = before {
                self.retract(old);
            }
            self.emit(new);
        }
    }

    /// Asks for [`KeyedLogic::on_timer`] once the watermark reaches `timestamp` (deduplicated).
    pub fn register_timer(&mut self, timestamp: i64) -> Result<(), StateError> {
        self.memo.register(self.timers, self.store, self.key, timestamp)?;
        self.requests.timers.push(timestamp);
        Ok(())
    }

    /// Cancels the timer `timestamp` of the current key, if registered.
    pub fn delete_timer(&mut self, timestamp: i64) -> Result<(), StateError> {
        self.memo.delete(self.timers, self.store, self.key, timestamp)
    }

    /// Removes the current key's event-time timers at or before `up_to` and returns their
    /// timestamps, in order: a logic handling a row that arrived behind the watermark fires
    /// them itself first, as they would have fired before the row where event time was
    /// assigned. (Scans the pending timers: for late rows only.)
    pub fn take_due_timers(&mut self, up_to: i64) -> Result<Vec<i64>, StateError> {
        let pending = self.timers.pending(self.store, TimeDomain::EventTime)?;
        let due: Vec<i64> = pending.into_iter().take_while(|t| t.timestamp <= up_to).filter(|t| t.key == self.key).map(|t| t.timestamp).collect();
        for &timestamp in &due {
            self.memo.delete(self.timers, self.store, self.key, timestamp)?;
        }
        Ok(due)
    }

    /// The current processing time in epoch milliseconds (the store's clock).
    pub fn current_processing_time(&self) -> i64 {
        self.store.now_millis()
    }

    /// Asks for [`KeyedLogic::on_processing_time_timer`] once the clock reaches `timestamp`
    /// (deduplicated; a time already passed fires at the next activation).
    pub fn register_processing_time_timer(&mut self, timestamp: i64) -> Result<(), StateError> {
        self.timers.register_processing_time_timer(self.store, self.key, &(), timestamp)?;
        self.requests.processing = true;
        Ok(())
    }

    /// Cancels the processing-time timer `timestamp` of the current key, if registered.
    pub fn delete_processing_time_timer(&mut self, timestamp: i64) -> Result<(), StateError> {
        self.timers.delete_processing_time_timer(self.store, self.key, &(), timestamp)
    }
}

/// Whether a join's residual `condition` (if any) is TRUE for the joined `row`.
fn condition_holds(eval: &Evaluator, condition: Option<&CompiledExpr>, row: &Row) -> bool {
    condition.is_none_or(|c| eval.eval(c, row).and_then(|v| v.as_bool()).unwrap_or(false))
}

/// Runs `logic` on `inputs`, each partitioned by its key expressions (the keys of all inputs
/// must have the same types: rows with equal keys meet on one worker). `node` names the plan
/// node for errors and for its state.
pub fn keyed<'s, L: KeyedLogic>(
    node: &str,
    index: usize,
    inputs: Vec<(Rows<'s>, Vec<CompiledExpr>)>,
    mut logic: L,
    eval: Evaluator,
    ctx: JobContext,
) -> Option<Rows<'s>> {
    let mut streams = Vec::with_capacity(inputs.len());
    let null_keys_match = logic.null_keys_match();
    for (index, (rows, key)) in inputs.into_iter().enumerate() {
        let eval = eval.clone();
        // In arrival order: what a logic computes may depend on the order of a key's rows.
        streams.push(super::filter_map_in_order(rows.inner, "KeyBy", move |(row, time, diff)| {
            let key = eval.eval_row(&key, &row)?;
            if !null_keys_match && key.values().iter().any(Value::is_null) {
                return None;
            }
            Some(((index, key, row), time, diff))
        }));
    }
    let first = streams.first()?.clone();
    let scope = first.scope();
    let merged = if streams.len() == 1 { first } else { scope.concatenate(streams) };
    let (node, batch) = (node.to_string(), ctx.mode == RuntimeMode::Batch);
    let (key_groups, peers) = (ctx.key_groups, scope.peers());
    let exchange = Exchange::new(move |((_, key, _), _, _): &(Keyed, Time, isize)| key_groups.route(key, peers));
    let output = merged.unary_frontier::<CapacityContainerBuilder<Vec<(Row, Time, isize)>>, _, _, _>(exchange, "Keyed", move |initial, info| {
        let worker = scope.index();
        let activator = scope.activator_for(info.address);
        let (mut checkpoint, store) = KeyedCheckpoint::open(&ctx, &node, index, worker, peers);
        let fail = {
            let (ctx, node) = (ctx.clone(), node.clone());
            move |e: StateError| ctx.fail(RuntimeError::State { operator: node.clone(), message: e.to_string() })
        };
        let bug = {
            let ctx = ctx.clone();
            move |what: &str| ctx.fail(RuntimeError::Worker(format!("{what} (a bug in Weir: please report it)")))
        };
        let watermarked = logic.frontier_is_watermark();
        let mut op = store.map(|store| Timers {
            store,
            service: TimerService::new(&node),
            memo: TimerMemo::default(),
            held: BTreeMap::new(),
            tail: None,
            requests: Requests::default(),
            staged: BTreeMap::new(),
            batch,
            watermarked,
            fired: i64::MIN,
            firing: None,
        });
        if let (Some(op), Some((checkpoints, k))) = (op.as_mut(), checkpoint.as_ref())
            && let Err(e) = k.restore(checkpoints, op, &initial, key_groups)
        {
            fail(e);
        }
        drop(initial);
        let (mut reported, mut ended) = (Instant::now(), false);
        move |(input, frontier), output| {
            let Some(op) = op.as_mut() else {
                input.for_each(|_, data| data.clear());
                return;
            };
            let input_frontier = frontier_meet(frontier.frontier());
            let watermark = match input_frontier {
                // Batch: all rows are at time 0, and complete only at the end.
                Some(_) if batch || !watermarked => i64::MIN,
                Some(w) => i64::try_from(w.ms).unwrap_or(i64::MAX).saturating_sub(1),
                None => i64::MAX,
            };
            let retraction = || bug(&format!("a retraction reached {node}, which needs append-only input"));
            let mut fuel = TIMER_FUEL;
            // A firing that ran out of fuel finishes before new rows are taken: they come
            // after its timers, as they would have had it fired at once.
            if let Some(target) = op.firing
                && !op.fire_due_timers(&mut logic, target, &mut fuel, &fail, &bug)
            {
                op.flush_staged(output);
                activator.activate();
                return;
            }
            input.for_each(|cap, data| {
                logic.on_rows(&mut RowBatch::new(op, output, &cap, data, watermark, null_keys_match, &fail, &retraction));
            });
            if op.requests.late > 0 {
                ctx.metrics.add_late(index, std::mem::take(&mut op.requests.late));
            }
            if let Err(e) = logic.flush(&mut op.store) {
                fail(e);
            }
            if !op.fire_due_timers(&mut logic, watermark, &mut fuel, &fail, &bug) {
                op.flush_staged(output);
                activator.activate();
                return;
            }
            match input_frontier {
                Some(_) if !batch => op.fire_processing_timers(&mut logic, watermark, &fail),
                // At the end of a bounded input: BATCH fires processing-time timers (and the
                // event-time timers they set); STREAMING drops them, as Flink does.
                None if batch => {
                    op.fire_processing_timers(&mut logic, watermark, &fail);
                    op.fire_event_timers(&mut logic, watermark, &mut { usize::MAX }, &fail, &bug);
                }
                _ => {}
            }
            op.flush_staged(output);
            // Timers still pending are at or after the watermark, and so are their capabilities.
            let done = watermark.saturating_add(1);
            op.held.retain(|time, _| i64::try_from(time.ms).map_or(true, |t| t >= done) && watermark != i64::MAX);
            if let Some(meet) = input_frontier {
                op.advance_epoch(meet.epoch);
            }
            match op.keep_tail(input_frontier, &fail) {
                Some(due) if !batch => activator.activate_after(due),
                _ => {}
            }
            if input_frontier.is_none() && !ended {
                ended = true;
                logic.on_end();
            }
            if let Some((checkpoints, k)) = checkpoint.as_mut()
                && let Err(e) = k.maybe_snapshot(checkpoints, op, frontier_epoch(frontier.frontier()), &mut |store| logic.write_back(store))
            {
                ctx.fail(e);
            }
            // The memory backend counts its entries for free; RocksDB's count is a scan.
            let every = if op.store.backend().kind() == BackendKind::Memory { Duration::ZERO } else { Duration::from_secs(1) };
            if reported.elapsed() >= every || op.held.is_empty() {
                if let Ok(n) = op.store.backend().entry_count() {
                    ctx.metrics.set_state_entries(index, worker, n + logic.unwritten_entries());
                }
                reported = Instant::now();
            }
        }
    });
    Some(output.as_collection())
}

/// A result on its way out: a row, its time and its multiplicity.
type Update = (Row, Time, isize);

type Output<'a> = OutputBuilderSession<'a, Time, CapacityContainerBuilder<Vec<(Row, Time, isize)>>>;

/// One worker's keyed state and timers, with the capabilities their results go out under.
struct Timers {
    store: KeyedStateStore,
    service: TimerService<()>,
    /// What is known of the event-time timers without searching the store.
    memo: TimerMemo,
    /// Capabilities for the results of event-time timers, by the time those results go out.
    held: BTreeMap<Time, Capability<Time>>,
    /// The capability for results of processing-time timers (and of event-time timers when
    /// the frontier is no watermark): at the input frontier, kept while such timers pend.
    tail: Option<Capability<Time>>,
    requests: Requests,
    /// Results not yet sent, by their time, with a capability for it: one output session per
    /// time and activation, not one per row or timer (a session sends a buffer of its own,
    /// sized for a thousand rows, however few it holds).
    staged: BTreeMap<Time, (Capability<Time>, Vec<Update>)>,
    batch: bool,
    watermarked: bool,
    /// The watermark through which event-time timers have fired.
    fired: i64,
    /// The watermark a firing that ran out of fuel is still firing timers up to.
    firing: Option<i64>,
}

/// How many results (and timers) one activation's event-time timers may produce before the
/// operator yields to the operators downstream and asks to run again: a watermark passing
/// many windows at once then sends its results in bursts that are read while they are still
/// in the cache, and the whole firing's results are never in memory at once.
const TIMER_FUEL: usize = 2048;

impl Requests {
    fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.later.is_empty() && self.timers.is_empty() && !self.processing
    }
}

impl Timers {
    fn context<'a>(&'a mut self, key: &'a [u8], watermark: i64, row_time: Option<u64>, null_key: bool) -> KeyedContext<'a> {
        let arrival = match row_time {
            Some(t) if !self.batch => i64::try_from(t).unwrap_or(i64::MAX),
            _ => i64::MIN,
        };
        KeyedContext {
            store: &mut self.store,
            key,
            timers: &self.service,
            memo: &mut self.memo,
            requests: &mut self.requests,
            watermark,
            fired: self.fired,
            row_time,
            arrival,
            null_key,
        }
    }

    /// Stages the rows the logic emitted at `time` under `cap` (and those it emitted for
    /// later timers, at their times), and keeps the capabilities the timers it registered need.
    fn send(&mut self, cap: &Capability<Time>, time: Time) {
        if !self.requests.rows.is_empty() {
            let (_, rows) = self.staged.entry(time).or_insert_with(|| (cap.delayed(&time), Vec::new()));
            rows.extend(self.requests.rows.drain(..).map(|(r, d)| (r, time, d)));
        }
        for (ts, row) in std::mem::take(&mut self.requests.later) {
            let at = if self.batch || !self.watermarked { time } else { with_ms(&time, time.ms.max(u64::try_from(ts).unwrap_or(0))) };
            let (_, rows) = self.staged.entry(at).or_insert_with(|| (cap.delayed(&at), Vec::new()));
            rows.push((row, at, 1));
        }
        let needs_tail = self.requests.processing || (!self.watermarked && !self.requests.timers.is_empty());
        if needs_tail && self.tail.as_ref().is_none_or(|t| !t.time().less_equal(&time)) {
            self.tail = Some(cap.delayed(&time));
        }
        self.requests.processing = false;
        if !self.watermarked {
            self.requests.timers.clear();
        }
        for ts in self.requests.timers.drain(..) {
            let out_time = if self.batch { time } else { with_ms(&time, time.ms.max(u64::try_from(ts).unwrap_or(0))) };
            self.held.entry(out_time).or_insert_with(|| cap.delayed(&out_time));
        }
    }

    /// Sends the staged results.
    fn flush_staged(&mut self, output: &mut Output<'_>) {
        for (_, (cap, mut rows)) in std::mem::take(&mut self.staged) {
            output.session(&cap).give_container(&mut rows);
        }
    }

    /// Moves the capabilities held for pending timers into `epoch` (the input's least open
    /// epoch), keeping their timestamps: a timer pending across a checkpoint must not hold
    /// the checkpoint's epoch open downstream (see `ops::time`).
    fn advance_epoch(&mut self, epoch: u64) {
        if self.held.first_key_value().is_none_or(|(t, _)| t.epoch >= epoch) {
            return;
        }
        let mut moved = BTreeMap::new();
        for (time, cap) in std::mem::take(&mut self.held) {
            let later = if time.epoch < epoch { at(epoch, time.ms) } else { time };
            moved.entry(later).or_insert_with(|| cap.delayed(&later));
        }
        self.held = moved;
    }

    /// Fires the event-time timers up to `watermark` as [`Timers::fire_event_timers`] does,
    /// and keeps how far it came: `fired` once every due timer has fired, else `firing` for
    /// the next activation to finish. Whether every due timer fired.
    fn fire_due_timers<L: KeyedLogic>(&mut self, logic: &mut L, watermark: i64, fuel: &mut usize, fail: &impl Fn(StateError), bug: &impl Fn(&str)) -> bool {
        let done = self.fire_event_timers(logic, watermark, fuel, fail, bug);
        if done {
            self.firing = None;
            self.fired = self.fired.max(watermark);
        } else {
            self.firing = Some(watermark);
        }
        done
    }

    /// Fires the event-time timers up to `watermark`, in timestamp order, staging each one's
    /// results at the timer's time (batch: at the earliest held time; without a watermark:
    /// at the tail's time), until `fuel` (one per timer and per result) runs out: whether
    /// every timer due fired.
    fn fire_event_timers<L: KeyedLogic>(&mut self, logic: &mut L, watermark: i64, fuel: &mut usize, fail: &impl Fn(StateError), bug: &impl Fn(&str)) -> bool {
        loop {
            if *fuel == 0 {
                return false;
            }
            let timer = match self.service.pop_next(&mut self.store, TimeDomain::EventTime, watermark) {
                Ok(Some(timer)) => timer,
                Ok(None) => break,
                Err(e) => {
                    fail(e);
                    break;
                }
            };
            self.memo.popped(&timer.key, timer.timestamp);
            let first = self.held.first_key_value().map(|(t, c)| (*t, c)).or_else(|| self.tail.as_ref().map(|c| (*c.time(), c)));
            let Some((first, cap)) = first else {
                bug("a timer fired with no capability held");
                break;
            };
            let time = if self.batch || !self.watermarked { first } else { with_ms(&first, first.ms.max(u64::try_from(timer.timestamp).unwrap_or(0))) };
            let cap = cap.delayed(&time);
            let mut cx = self.context(&timer.key, watermark, None, false);
            if let Err(e) = logic.on_timer(&mut cx, timer.timestamp) {
                fail(e);
            }
            *fuel = fuel.saturating_sub(1 + self.requests.rows.len() + self.requests.later.len());
            self.send(&cap, time);
        }
        true
    }

    /// Fires the processing-time timers that are due (at the end of a batch input: all), under
    /// the tail capability.
    fn fire_processing_timers<L: KeyedLogic>(&mut self, logic: &mut L, watermark: i64, fail: &impl Fn(StateError)) {
        loop {
            let Some(cap) = self.tail.as_ref().map(|c| c.delayed(c.time())) else { return };
            let now = if watermark == i64::MAX { i64::MAX } else { self.store.now_millis() };
            let timer = match self.service.pop_next(&mut self.store, TimeDomain::ProcessingTime, now) {
                Ok(Some(timer)) => timer,
                Ok(None) => return,
                Err(e) => return fail(e),
            };
            let mut cx = self.context(&timer.key, watermark, None, false);
            if let Err(e) = logic.on_processing_time_timer(&mut cx, timer.timestamp) {
                fail(e);
            }
            let time = *cap.time();
            self.send(&cap, time);
        }
    }

    /// Moves the tail capability to the input frontier, or drops it when no pending timer
    /// needs it (or the input has ended); how long until the next processing-time timer is due.
    fn keep_tail(&mut self, input_frontier: Option<Time>, fail: &impl Fn(StateError)) -> Option<Duration> {
        let Some(frontier) = input_frontier else {
            self.tail = None;
            return None;
        };
        let next = self.service.next_timestamp(&self.store, TimeDomain::ProcessingTime).unwrap_or_else(|e| {
            fail(e);
            None
        });
        let event_pending = !self.watermarked && matches!(self.service.next_timestamp(&self.store, TimeDomain::EventTime), Ok(Some(_)));
        if next.is_none() && !event_pending {
            self.tail = None;
        }
        if let Some(tail) = self.tail.as_mut().filter(|t| t.time().less_than(&frontier)) {
            tail.downgrade(&frontier);
        }
        let wait = next?.saturating_sub(self.store.now_millis()).max(1);
        Some(Duration::from_millis(u64::try_from(wait).unwrap_or(1)))
    }
}
