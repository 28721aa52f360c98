//! Keyed event-time operators: timely operators that partition their input by a key, keep
//! per-key state in `weir-state` (memory or RocksDB) and fire event-time timers when the
//! watermark — the input frontier — passes them. Streaming window aggregates, SESSION windows,
//! window joins and Top-N, OVER aggregates and interval joins are [`KeyedLogic`]s run by
//! [`keyed`].
//!
//! Time: a row's timely time is at or before its event time (sources stamp rows with their
//! event time rounded down to the tick), so when the input frontier is `w` every row with an
//! event time before `w` has arrived: the event-time watermark is `w - 1` in Flink's terms and
//! a timer for `t` fires once `t < w`. Rows are handed to the logic as they arrive; results of
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
//! The inputs must be append-only (the planner checks it): an insertion cannot be undone in
//! state that has already fired.

mod interval_join;
mod over;
mod session;
mod session_aggregate;
mod window_aggregate;
mod window_join;
mod window_top_n;

pub use interval_join::{interval_join, IntervalJoinSpec};
pub use over::{over, OverAggregate, OverSpec};
pub use session::session_windows;
pub use session_aggregate::{session_aggregate, SessionAggregateSpec, SessionKey};
pub use window_aggregate::{window_aggregate, WindowAggregateCall, WindowAggregateSpec};
pub use window_join::{window_join, WindowJoinSpec};
pub use window_top_n::{window_top_n, WindowTopNSpec};


use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use differential_dataflow::{AsCollection, Hashable};
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::core::Map;
use timely::dataflow::operators::generic::{Operator, OutputBuilderSession};
use timely::dataflow::operators::{Capability, Concatenate};
use weir_state::codec::encode_to_vec;
use weir_state::{BackendKind, KeyedStateStore, StateError, TimeDomain, TimerService};

use crate::error::RuntimeError;
use crate::expr::CompiledExpr;
use crate::plan::RuntimeMode;
use crate::runtime::JobContext;
use crate::types::{Row, Value};

use super::{Evaluator, Rows, Time};

/// A row on its way to a keyed operator: its input, its key, the row.
type Keyed = (usize, Row, Row);

/// What a keyed operator does with the rows and timers of one key.
pub trait KeyedLogic: 'static {
    /// A row of input `input` for the context's key.
    fn on_row(&mut self, cx: &mut KeyedContext<'_>, input: usize, row: Row) -> Result<(), StateError>;

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

    /// The event-time timer `timestamp` of the context's key fired: the watermark passed it.
    fn on_timer(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64) -> Result<(), StateError>;
}

/// The view a [`KeyedLogic`] has of its operator while handling one row or timer.
pub struct KeyedContext<'a> {
    /// The operator's keyed state on this worker.
    pub store: &'a mut KeyedStateStore,
    key: &'a [u8],
    timers: &'a TimerService<()>,
    registered: &'a mut Vec<i64>,
    output: &'a mut Vec<(Row, isize)>,
    watermark: i64,
    arrival: i64,
    late: &'a mut u64,
}

impl<'a> KeyedContext<'a> {
    /// The current key, encoded (the address of its state).
    pub fn key(&self) -> &'a [u8] {
        self.key
    }

    /// The event-time watermark: every timer at or before it has fired (while handling a row:
    /// the watermark of the last timers fired, before any row of this batch).
    pub fn watermark(&self) -> i64 {
        self.watermark
    }

    /// Whether the row being handled comes too late for a timer at `timestamp`: the timer's
    /// results go out at an earlier time than the row's (never in batch mode).
    pub fn is_late_for(&self, timestamp: i64) -> bool {
        timestamp < self.arrival
    }

    /// The time the row being handled arrived at (its event time, or the watermark it arrived
    /// behind); `i64::MIN` in batch mode and for timers.
    pub fn arrival(&self) -> i64 {
        self.arrival
    }

    /// Counts the row being handled as late and dropped (its result has already gone out).
    pub fn drop_late(&mut self) {
        *self.late += 1;
    }

    /// Emits `row` as a result.
    pub fn emit(&mut self, row: Row) {
        self.output.push((row, 1));
    }

    /// Retracts `row`, a result emitted before (a window's result that late rows update).
    pub fn retract(&mut self, row: Row) {
        self.output.push((row, -1));
    }

    /// Asks for [`KeyedLogic::on_timer`] once the watermark reaches `timestamp` (deduplicated).
    pub fn register_timer(&mut self, timestamp: i64) -> Result<(), StateError> {
        self.timers.register_event_time_timer(self.store, self.key, &(), timestamp)?;
        self.registered.push(timestamp);
        Ok(())
    }

    /// Cancels the timer `timestamp` of the current key, if registered.
    pub fn delete_timer(&mut self, timestamp: i64) -> Result<(), StateError> {
        self.timers.delete_event_time_timer(self.store, self.key, &(), timestamp)
    }
}

/// Whether a join's residual `condition` (if any) is TRUE for the joined `row`.
fn condition_holds(eval: &Evaluator, condition: Option<&CompiledExpr>, row: &Row) -> bool {
    condition.is_none_or(|c| eval.eval(c, row).and_then(|v| v.as_bool()).unwrap_or(false))
}

/// Runs `logic` on `inputs`, each partitioned by its key expressions (the keys of all inputs
/// must have the same types: rows with equal keys meet on one worker). `node` names the plan
/// node for errors and for its state.
pub fn keyed<'s, L: KeyedLogic>(node: &str, index: usize, inputs: Vec<(Rows<'s>, Vec<CompiledExpr>)>, mut logic: L, eval: Evaluator, ctx: JobContext) -> Option<Rows<'s>> {
    let mut streams = Vec::with_capacity(inputs.len());
    let null_keys_match = logic.null_keys_match();
    for (index, (rows, key)) in inputs.into_iter().enumerate() {
        let eval = eval.clone();
        streams.push(rows.inner.flat_map::<Vec<(Keyed, Time, isize)>, _, _>(move |(row, time, diff)| {
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
    let exchange = Exchange::new(|((_, key, _), _, _): &(Keyed, Time, isize)| key.hashed());
    let output = merged.unary_frontier::<CapacityContainerBuilder<Vec<(Row, Time, isize)>>, _, _, _>(exchange, "Keyed", move |_cap, _info| {
        let worker = scope.index();
        let mut store = match ctx.open_state(&node, worker) {
            Ok(store) => Some(store),
            Err(e) => {
                ctx.fail(e);
                None
            }
        };
        let timers = TimerService::<()>::new(&node);
        // Capabilities for the results of timers, by the time those results go out.
        let mut held: BTreeMap<Time, Capability<Time>> = BTreeMap::new();
        let (mut registered, mut rows_out) = (Vec::new(), Vec::new());
        // The watermark through which timers have fired (Flink's operator watermark).
        let mut fired = i64::MIN;
        let mut late = 0;
        let mut reported = Instant::now();
        let fail = {
            let (ctx, node) = (ctx.clone(), node.clone());
            move |e: StateError| ctx.fail(RuntimeError::State { operator: node.clone(), message: e.to_string() })
        };
        let bug = {
            let ctx = ctx.clone();
            move |what: &str| ctx.fail(RuntimeError::Worker(format!("{what} (a bug in Weir: please report it)")))
        };
        move |(input, frontier), output| {
            let Some(store) = store.as_mut() else {
                input.for_each(|_, data| data.clear());
                return;
            };
            let watermark = match frontier.frontier().iter().min() {
                // Batch: all rows are at time 0, and complete only at the end.
                Some(_) if batch => i64::MIN,
                Some(&w) => i64::try_from(w).unwrap_or(i64::MAX).saturating_sub(1),
                None => i64::MAX,
            };
            input.for_each(|cap, data| {
                for ((index, key, row), time, diff) in data.drain(..) {
                    if diff <= 0 {
                        bug(&format!("a retraction reached {node}, which needs append-only input"));
                        continue;
                    }
                    let key = encode_to_vec(&key);
                    let arrival = if batch { i64::MIN } else { i64::try_from(time).unwrap_or(i64::MAX) };
                    for _ in 0..diff {
                        let mut cx = KeyedContext { store, key: &key, timers: &timers, registered: &mut registered, output: &mut rows_out, watermark: fired, arrival, late: &mut late };
                        if let Err(e) = logic.on_row(&mut cx, index, row.clone()) {
                            fail(e);
                        }
                    }
                    if !rows_out.is_empty() || !registered.is_empty() {
                        let at = cap.delayed(&time, output.output_index());
                        if !rows_out.is_empty() {
                            output.session(&at).give_iterator(rows_out.drain(..).map(|(r, d)| (r, time, d)));
                        }
                        hold_for_timers(&mut registered, &mut held, &at, time, batch);
                    }
                }
            });
            if late > 0 {
                ctx.metrics.add_late(index, std::mem::take(&mut late));
            }
            if let Err(e) = logic.flush(store) {
                fail(e);
            }
            fire_timers(store, &timers, &mut logic, &mut held, &mut registered, &mut rows_out, watermark, batch, output, &fail, &bug);
            fired = fired.max(watermark);
            // Timers still pending are at or after the watermark, and so are their capabilities.
            let done = watermark.saturating_add(1);
            held.retain(|&time, _| i64::try_from(time).map_or(true, |t| t >= done) && watermark != i64::MAX);
            // The memory backend counts its entries for free; RocksDB's count is a scan.
            let every = if store.backend().kind() == BackendKind::Memory { Duration::ZERO } else { Duration::from_secs(1) };
            if reported.elapsed() >= every || held.is_empty() {
                if let Ok(n) = store.backend().entry_count() {
                    ctx.metrics.set_state_entries(index, worker, n);
                }
                reported = Instant::now();
            }
        }
    });
    Some(output.as_collection())
}


/// Keeps a capability for the results of each timer just registered (in `registered`) by work
/// done at `time` under `cap`: at the timer's time (batch: at `time`), never before `time`.
fn hold_for_timers(registered: &mut Vec<i64>, held: &mut BTreeMap<Time, Capability<Time>>, cap: &Capability<Time>, time: Time, batch: bool) {
    for ts in registered.drain(..) {
        let out_time = if batch { time } else { time.max(u64::try_from(ts).unwrap_or(0)) };
        held.entry(out_time).or_insert_with(|| cap.delayed(&out_time));
    }
}

/// Fires every timer up to `watermark`, in timestamp order, sending each one's results at the
/// timer's time (batch: at the earliest held time).
#[allow(clippy::too_many_arguments)]
fn fire_timers<L: KeyedLogic>(
    store: &mut KeyedStateStore,
    timers: &TimerService<()>,
    logic: &mut L,
    held: &mut BTreeMap<Time, Capability<Time>>,
    registered: &mut Vec<i64>,
    rows_out: &mut Vec<(Row, isize)>,
    watermark: i64,
    batch: bool,
    output: &mut OutputBuilderSession<'_, Time, CapacityContainerBuilder<Vec<(Row, Time, isize)>>>,
    fail: &impl Fn(StateError),
    bug: &impl Fn(&str),
) {
    loop {
        let timer = match timers.pop_next(store, TimeDomain::EventTime, watermark) {
            Ok(Some(timer)) => timer,
            Ok(None) => break,
            Err(e) => {
                fail(e);
                break;
            }
        };
        let Some((&first, _)) = held.first_key_value() else {
            bug("a timer fired with no capability held");
            break;
        };
        let time = if batch { first } else { first.max(u64::try_from(timer.timestamp).unwrap_or(0)) };
        let mut late = 0;
        let mut cx = KeyedContext { store, key: &timer.key, timers, registered, output: rows_out, watermark, arrival: i64::MIN, late: &mut late };
        if let Err(e) = logic.on_timer(&mut cx, timer.timestamp) {
            fail(e);
        }
        let Some(cap) = held.get(&first).map(|c| c.delayed(&time)) else { break };
        hold_for_timers(registered, held, &cap, time, batch);
        if !rows_out.is_empty() {
            output.session(&cap).give_iterator(rows_out.drain(..).map(|(r, d)| (r, time, d)));
        }
    }
}
