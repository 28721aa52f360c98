//! `stream_window` (`WindowOperator` in EXPLAIN): the DataStream API's keyed windows
//! (`KeyedStream.window(...).reduce / aggregate / apply / process`, `window_all`, count
//! windows) run as one [`KeyedLogic`], Flink's `WindowOperator` and `EvictingWindowOperator`:
//! every assigner (tumbling and sliding windows on event or processing time, sessions with
//! fixed or dynamic gaps, count windows, global windows, user-written assigners, merging ones
//! too), the assigners' default triggers, Flink's built-in triggers and user-written ones, and
//! evictors.
//!
//! **Assignment** ([`assign`]): each element goes to its windows; merging assigners merge the
//! key's windows it overlaps (sessions) or as the user's assigner says, moving their contents
//! into the merged window. A window is late when the watermark has passed its cleanup time
//! (event time: its end plus `allowed_lateness`; processing time: its end; count and global
//! windows: never); an element whose windows are all late goes to the function
//! ([`WindowInstance::late`](crate::udf::window::WindowInstance::late): its side output, or
//! counted as dropped).
//!
//! **Triggers** ([`firing`]): with the assigner's default trigger and no evictor (what most
//! programs use), the operator runs it by time alone, without per-window trigger state: an
//! event-time window fires when the watermark passes its end (again at once for an element
//! within the allowed lateness), a processing-time window when the clock does, a count window
//! when full (and is purged); a timer at `t` is for the windows ending at `t + 1` (firing) or at
//! `t + 1 - allowed_lateness` (cleanup), registered once per key and batch of rows. Any other
//! trigger ([`trigger`]: Flink's built-in ones natively, a user-written one asked through the
//! window function) decides per element, per timer and per merge whether a window fires, is
//! purged, both or neither; its timers are listed per window (`window/timers`), and each
//! window has a timer at its cleanup time, when its contents, its trigger's state and the
//! function's per-window state are dropped.
//!
//! **Contents** ([`contents`]): elements are not handed to the function one by one: the
//! operator gathers each window's elements of a batch of rows and stores them when the batch
//! is over ([`KeyedLogic::flush`]) or when the window's contents are needed (it fires, merges
//! or is purged); for an accumulator they wait in `window/pending` until the window fires or
//! merges, or [`FOLD_AT`] of them have gathered, and are folded in one call. With an evictor
//! ([`evict`]) a window keeps every element with its timestamp, and the evictor thins them
//! before and after the function runs.
//!
//! State layout (the operator's `weir-state` store, so it lives in RocksDB when configured):
//! `window/acc` one accumulator per key and window (reduce / aggregate: bytes the function
//! folds), `window/pending` the elements waiting for it, `window/elements` a window's elements
//! (apply / process, or any function with an evictor), `window/sessions` a key's windows of a
//! merging assigner, `window/count` a key's element count (count windows), `window/trigger` a
//! trigger's number per key and window and `window/timers` which windows a key's timers are
//! for (triggers other than the default).

use std::collections::HashMap;
use std::sync::Arc;

use weir_state::codec::{DecodeError, StateCodec, read_bytes, write_bytes};
use weir_state::{ListState, StateError, ValueState};

use crate::expr::{CompiledExpr, EvalError};
use crate::job::JobContext;
use crate::types::{Row, Value};
use crate::udf::window::{UserWindowFunction, Window, WindowAssigner, WindowContents, WindowEvictor, WindowTrigger};

use super::super::{Evaluator, Rows};
use super::{KeyedContext, KeyedLogic, keyed};

mod assign;
mod contents;
mod evict;
mod firing;
mod function;
mod trigger;

use contents::KeyBatch;
use evict::Evictor;
use function::FunctionCell;
use trigger::{Trigger, WindowTimers};

/// How a `stream_window` node runs.
pub struct StreamWindowSpec {
    /// The window function.
    pub function: Arc<dyn UserWindowFunction>,
    /// The key expressions.
    pub key: Vec<CompiledExpr>,
    /// The BYTES record column.
    pub value: usize,
    /// The BIGINT timestamp column, if any.
    pub timestamp: Option<usize>,
    /// How elements are put into windows.
    pub assigner: WindowAssigner,
    /// When windows fire (`None`: the assigner's default trigger).
    pub trigger: Option<WindowTrigger>,
    /// What removes elements from a window as it fires.
    pub evictor: Option<WindowEvictor>,
    /// How long an event-time window's state is kept past its end, in milliseconds.
    pub allowed_lateness_ms: i64,
    /// The input is timed by event time: its frontier is the watermark.
    pub event_time: bool,
    /// This worker and the number of workers (for the function's instance).
    pub worker: (usize, usize),
}

/// The rows `spec.function` emits for the windows of `input`.
pub fn stream_window<'s>(node: &str, index: usize, input: Rows<'s>, mut spec: StreamWindowSpec, eval: Evaluator, ctx: JobContext) -> Option<Rows<'s>> {
    let key = std::mem::take(&mut spec.key);
    let logic = WindowOperator::new(spec, eval.clone());
    keyed(node, index, vec![(input, key)], logic, eval, ctx)
}

/// How many elements of a window wait for their accumulator at most (about: the count is
/// kept in memory, and starts again after a restore).
pub const FOLD_AT: usize = 1024;

/// A record (pickled bytes) in a window's element lists: encoded as `Vec<u8>` is (its length,
/// then its bytes), written and read in one piece instead of byte by byte.
#[repr(transparent)]
struct Element(Vec<u8>);

impl StateCodec for Element {
    fn encode(&self, out: &mut Vec<u8>) {
        write_bytes(&self.0, out);
    }

    fn decode(input: &mut &[u8]) -> Result<Self, DecodeError> {
        Ok(Element(read_bytes(input)?.to_vec()))
    }
}

fn elements(list: Vec<Element>) -> Vec<Vec<u8>> {
    list.into_iter().map(|e| e.0).collect()
}

fn stored(list: Vec<Vec<u8>>) -> Vec<Element> {
    list.into_iter().map(Element).collect()
}

/// A window as a state namespace.
type Ns = (i64, i64);

fn ns(w: Window) -> Ns {
    (w.start, w.end)
}

/// The windows of a tumbling (`slide == size`) or sliding assigner holding time `t`, latest first.
fn time_windows(t: i64, size: i64, slide: i64, offset: i64) -> Vec<Window> {
    let mut start = t - (t - offset + slide).rem_euclid(slide);
    let mut windows = Vec::new();
    while start > t - size {
        windows.push(Window { start, end: start.saturating_add(size) });
        start -= slide;
    }
    windows
}

/// The watermark a row with `timestamp` is judged against, and whether it arrived late: a row
/// sent later than its event time was sent at its upstream's watermark (see `process`), and
/// lateness is decided against that watermark.
fn row_watermark(cx: &KeyedContext<'_>, timestamp: Option<i64>, event_time: bool) -> (i64, bool) {
    let sent_at = cx.row_time().and_then(|at| i64::try_from(at).ok()).filter(|_| event_time);
    let late_row = matches!((timestamp, sent_at), (Some(ts), Some(at)) if ts < at);
    let watermark = match sent_at {
        Some(at) if late_row => cx.watermark().max(at - 1),
        _ => cx.watermark(),
    };
    (watermark, late_row)
}

/// An element's timestamp is required by event-time windows.
const NO_TIMESTAMP: &str = "a record has no timestamp: event-time windows need 'data_stream.assign_timestamps_and_watermarks(...)' before them";

/// The window operator's logic (see the module).
struct WindowOperator {
    f: FunctionCell,
    contents: WindowContents,
    value: usize,
    timestamp: Option<usize>,
    assigner: WindowAssigner,
    /// `None`: the assigner's default trigger, run by time alone (see the module).
    trigger: Option<Trigger>,
    evictor: Option<Evictor>,
    lateness: i64,
    event_time: bool,
    acc: ValueState<Vec<u8>, Ns>,
    elements: ListState<Element, Ns>,
    /// Elements not yet folded into `acc`.
    unfolded: ListState<Element, Ns>,
    /// How many elements wait in `unfolded`, per key and window (a hint).
    waiting: HashMap<(Vec<u8>, Window), usize>,
    sessions: ValueState<Vec<Ns>>,
    count: ValueState<i64>,
    trigger_state: ValueState<i64, Ns>,
    timers: WindowTimers,
    /// What each key gathered in the current batch of rows.
    pending: HashMap<Vec<u8>, KeyBatch>,
    /// The current element's index among its key's elements (count windows).
    n: i64,
}

impl WindowOperator {
    fn new(spec: StreamWindowSpec, eval: Evaluator) -> Self {
        let default_trigger = spec.evictor.is_none()
            && matches!(
                spec.assigner,
                WindowAssigner::Tumbling { .. } | WindowAssigner::Sliding { .. } | WindowAssigner::Session { .. } | WindowAssigner::Count { .. }
            );
        let trigger = match (&spec.trigger, default_trigger) {
            (Some(t), _) => Some(Trigger::of(t)),
            (None, true) => None,
            (None, false) => Some(Trigger::of(&match &spec.assigner {
                WindowAssigner::Global => WindowTrigger::Never,
                a if a.event_time() => WindowTrigger::EventTime,
                _ => WindowTrigger::ProcessingTime,
            })),
        };
        WindowOperator {
            contents: if spec.evictor.is_some() { WindowContents::Elements } else { spec.function.contents() },
            f: FunctionCell::new(spec.function, spec.worker, eval),
            value: spec.value,
            timestamp: spec.timestamp,
            assigner: spec.assigner,
            trigger,
            evictor: spec.evictor.map(Evictor),
            lateness: spec.allowed_lateness_ms.max(0),
            event_time: spec.event_time,
            acc: ValueState::new("window/acc"),
            elements: ListState::new("window/elements"),
            unfolded: ListState::new("window/pending"),
            waiting: HashMap::new(),
            sessions: ValueState::new("window/sessions"),
            count: ValueState::new("window/count"),
            trigger_state: ValueState::new("window/trigger"),
            timers: WindowTimers::new(),
            pending: HashMap::new(),
            n: 0,
        }
    }

    /// When `w`'s state is dropped: its end plus the allowed lateness (event time), its end
    /// (processing time), never (`i64::MAX`: count and global windows).
    fn cleanup_time(&self, w: Window) -> i64 {
        match self.assigner {
            WindowAssigner::Count { .. } | WindowAssigner::Global => i64::MAX,
            _ if self.assigner.event_time() => w.max_timestamp().saturating_add(self.lateness),
            _ => w.max_timestamp(),
        }
    }

    fn is_late(&self, w: Window, watermark: i64) -> bool {
        self.assigner.event_time() && self.cleanup_time(w) <= watermark
    }

    /// A row sent late (behind its event time): the key's timers that `watermark` has passed
    /// fire first, as they did before the row where event time was assigned (a window fires
    /// without the row, then again with it).
    fn catch_up(&mut self, cx: &mut KeyedContext<'_>, watermark: i64) -> Result<(), StateError> {
        let due = cx.take_due_timers(watermark)?;
        // Those timers are gone: registering one of them again must not be skipped.
        if let Some(batch) = self.pending.get_mut(cx.key()) {
            batch.timers.retain(|(t, processing)| *processing || !due.contains(t));
        }
        for timestamp in due {
            self.timer_fired(cx, timestamp, false, watermark)?;
        }
        Ok(())
    }
}

impl KeyedLogic for WindowOperator {
    fn on_row(&mut self, cx: &mut KeyedContext<'_>, _input: usize, row: Row) -> Result<(), StateError> {
        if self.f.failed {
            return Ok(());
        }
        let timestamp = self.timestamp.and_then(|c| row.get(c).as_i64());
        let Value::Bytes(element) = row.get(self.value) else { return Ok(()) };
        let (watermark, late_row) = row_watermark(cx, timestamp, self.event_time);
        if late_row && watermark > cx.fired_watermark() && self.assigner.event_time() {
            self.catch_up(cx, watermark)?;
        }
        let time = match self.assigner {
            WindowAssigner::Global => timestamp.or(Some(i64::MIN)),
            _ if self.assigner.event_time() => timestamp,
            _ => Some(cx.current_processing_time()),
        };
        let Some(time) = time else {
            self.f.fail(EvalError::new(NO_TIMESTAMP));
            return Ok(());
        };
        let mut added = false;
        for w in self.assign(cx, time, element, timestamp, watermark)? {
            let Some(w) = self.place(cx, w, watermark)? else { continue };
            added = true;
            let stored = match self.evictor {
                Some(_) => evict::stamp(timestamp, element),
                None => element.to_vec(),
            };
            self.add(cx.key(), w, stored);
            self.on_element(cx, w, element, timestamp, time, watermark)?;
        }
        let late = self.assigner.event_time() && timestamp.is_some_and(|t| t.saturating_add(self.lateness) <= watermark);
        if !added && late {
            let element = element.clone();
            self.f.with_scope(cx, watermark, |f, scope| f.late(scope, &element, timestamp))?;
        }
        Ok(())
    }

    fn flush(&mut self, store: &mut weir_state::KeyedStateStore) -> Result<(), StateError> {
        for (key, batch) in std::mem::take(&mut self.pending) {
            if let Some(n) = batch.count {
                self.count.update(store, &key, &(), &n)?;
            }
            for (w, elements) in batch.windows {
                self.store_elements(store, &key, w, elements)?;
            }
        }
        Ok(())
    }

    fn on_timer(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64) -> Result<(), StateError> {
        let watermark = cx.watermark();
        self.timer_fired(cx, timestamp, false, watermark)
    }

    fn on_processing_time_timer(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64) -> Result<(), StateError> {
        let watermark = cx.watermark();
        self.timer_fired(cx, timestamp, true, watermark)
    }

    fn frontier_is_watermark(&self) -> bool {
        self.event_time
    }

    fn on_end(&mut self) {
        self.f.close();
    }
}
