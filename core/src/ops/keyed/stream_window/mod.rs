//! `stream_window` (`WindowOperator` in EXPLAIN): the DataStream API's keyed windows
//! (`KeyedStream.window(...).reduce / aggregate / apply / process`, `window_all`, count windows)
//! run as a [`KeyedLogic`], Flink's `WindowOperator` with the assigners' default triggers
//! (other triggers, evictors, global windows, dynamic gaps and user-written assigners:
//! [`triggered`]).
//!
//! Assignment is done here: tumbling and sliding windows (event or processing time), sessions
//! (merging overlapping or touching windows) and count windows. Event-time windows fire when
//! the watermark passes their end, processing-time windows when the clock does, count windows
//! when full (and are purged). An event-time window keeps its state `allowed_lateness` past its
//! end: an element arriving in that time fires it again at once; an element whose windows are
//! all past that time is late, and goes to the function ([`WindowInstance::late`]: its side
//! output, or counted as dropped).
//!
//! State layout (the operator's `weir-state` store, so it lives in RocksDB when configured):
//! `window/acc` is one accumulator per key and window (incremental reduce / aggregate: bytes
//! the function folds), `window/elements` the elements of a key's window (apply / process),
//! `window/sessions` a key's active sessions, `window/count` a key's element count (count
//! windows). Timers are the keyed operator's, one per key and timestamp: a timer at `t` is for
//! the window ending at `t + 1` (its firing) or at `t + 1 - allowed_lateness` (its cleanup).
//!
//! Elements are not handed to the function one by one: the operator gathers each window's
//! elements of a batch of rows and stores them when the batch is over ([`KeyedLogic::flush`]);
//! for an accumulator they wait in `window/pending` (appended to, not read) until the window
//! fires or merges, or [`FOLD_AT`] of them have gathered, and are folded in one call. (With
//! event time on each record, a batch is often a single row: folding per batch would call the
//! function per row.)

use std::collections::HashMap;
use std::sync::Arc;

use weir_state::codec::{DecodeError, StateCodec, read_bytes, write_bytes};
use weir_state::{ListState, StateError, ValueState};

use crate::expr::{CompiledExpr, EvalError};
use crate::job::JobContext;
use crate::types::{Row, Value};
use crate::udf::window::{Fired, UserWindowFunction, Window, WindowAssigner, WindowContents, WindowEvictor, WindowTrigger};

use super::super::{Evaluator, Rows};
use super::{KeyedContext, KeyedLogic, keyed};

mod evict;
mod function;
mod trigger;
mod triggered;

use function::FunctionCell;
use triggered::Triggered;

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
pub fn stream_window<'s>(node: &str, index: usize, input: Rows<'s>, spec: StreamWindowSpec, eval: Evaluator, ctx: JobContext) -> Option<Rows<'s>> {
    if spec.trigger.is_some()
        || spec.evictor.is_some()
        || matches!(spec.assigner, WindowAssigner::Global | WindowAssigner::DynamicSession { .. } | WindowAssigner::User { .. })
    {
        let f = FunctionCell::new(Arc::clone(&spec.function), spec.worker, eval.clone());
        let logic = Triggered::new(f, &spec);
        return keyed(node, index, vec![(input, spec.key)], logic, eval, ctx);
    }
    let logic = StreamWindow {
        contents: spec.function.contents(),
        f: FunctionCell::new(spec.function, spec.worker, eval.clone()),
        value: spec.value,
        timestamp: spec.timestamp,
        assigner: spec.assigner,
        lateness: spec.allowed_lateness_ms.max(0),
        event_time: spec.event_time,
        acc: ValueState::new("window/acc"),
        elements: ListState::new("window/elements"),
        unfolded: ListState::new("window/pending"),
        waiting: HashMap::new(),
        sessions: ValueState::new("window/sessions"),
        count: ValueState::new("window/count"),
        pending: HashMap::new(),
    };
    keyed(node, index, vec![(input, spec.key)], logic, eval, ctx)
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

/// What one key gathered in the current batch of rows: elements per window, not yet folded
/// into state, and the timers already registered (registering again would be a no-op).
#[derive(Default)]
struct KeyBatch {
    windows: Vec<(Window, Vec<Vec<u8>>)>,
    timers: Vec<(i64, bool)>,
    /// The key's element count (count windows), written back at the end of the batch.
    count: Option<i64>,
}

struct StreamWindow {
    f: FunctionCell,
    contents: WindowContents,
    value: usize,
    timestamp: Option<usize>,
    assigner: WindowAssigner,
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
    pending: HashMap<Vec<u8>, KeyBatch>,
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

impl StreamWindow {
    /// When `w`'s state is dropped: its end plus the allowed lateness (event time), its end
    /// (processing time), never (count windows).
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

    /// Registers a timer of the current key once per batch.
    fn timer(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64, processing: bool) -> Result<(), StateError> {
        if timestamp == i64::MAX {
            return Ok(());
        }
        let key = cx.key();
        let batch = match self.pending.get_mut(key) {
            Some(b) => b,
            None => self.pending.entry(key.to_vec()).or_default(),
        };
        if batch.timers.contains(&(timestamp, processing)) {
            return Ok(());
        }
        batch.timers.push((timestamp, processing));
        if processing { cx.register_processing_time_timer(timestamp) } else { cx.register_timer(timestamp) }
    }

    /// Adds an element to `w` (gathered until the batch ends or the contents are needed).
    fn add(&mut self, key: &[u8], w: Window, element: Vec<u8>) {
        let batch = match self.pending.get_mut(key) {
            Some(b) => b,
            None => self.pending.entry(key.to_vec()).or_default(),
        };
        match batch.windows.iter_mut().find(|(x, _)| *x == w) {
            Some((_, elements)) => elements.push(element),
            None => batch.windows.push((w, vec![element])),
        }
    }

    /// Folds the gathered elements of `w` into its state.
    fn settle(&mut self, store: &mut weir_state::KeyedStateStore, key: &[u8], w: Window) -> Result<(), StateError> {
        let Some(batch) = self.pending.get_mut(key) else { return Ok(()) };
        let Some(slot) = batch.windows.iter_mut().find(|(x, _)| *x == w) else { return Ok(()) };
        let elements = std::mem::take(&mut slot.1);
        self.store_elements(store, key, w, elements)
    }

    fn store_elements(&mut self, store: &mut weir_state::KeyedStateStore, key: &[u8], w: Window, elements: Vec<Vec<u8>>) -> Result<(), StateError> {
        if elements.is_empty() {
            return Ok(());
        }
        match self.contents {
            WindowContents::Elements => self.elements.add_all(store, key, &ns(w), &stored(elements)),
            WindowContents::Accumulator => {
                let count = elements.len();
                self.unfolded.add_all(store, key, &ns(w), &stored(elements))?;
                let waiting = self.waiting.entry((key.to_vec(), w)).or_default();
                *waiting += count;
                if *waiting >= FOLD_AT { self.fold(store, key, w) } else { Ok(()) }
            }
        }
    }

    /// Folds the elements waiting for `w`'s accumulator into it.
    fn fold(&mut self, store: &mut weir_state::KeyedStateStore, key: &[u8], w: Window) -> Result<(), StateError> {
        self.waiting.remove(&(key.to_vec(), w));
        let elements = elements(self.unfolded.get(store, key, &ns(w))?);
        if elements.is_empty() {
            return Ok(());
        }
        self.unfolded.clear(store, key, &ns(w))?;
        let current = self.acc.get(store, key, &ns(w))?;
        let Some(instance) = self.f.instance() else { return Ok(()) };
        match instance.accumulate(current.as_deref(), &elements) {
            Ok(acc) => self.acc.update(store, key, &ns(w), &acc),
            Err(e) => {
                self.f.fail(e);
                Ok(())
            }
        }
    }

    /// Evaluates `w` of the current key (nothing when it is empty).
    fn fire(&mut self, cx: &mut KeyedContext<'_>, w: Window, watermark: i64) -> Result<(), StateError> {
        let key = cx.key();
        self.settle(cx.store, key, w)?;
        match self.contents {
            WindowContents::Accumulator => {
                self.fold(cx.store, key, w)?;
                let Some(acc) = self.acc.get(cx.store, key, &ns(w))? else { return Ok(()) };
                self.f.with_scope(cx, watermark, |f, scope| f.fire(scope, w, Fired::Accumulator(&acc)))
            }
            WindowContents::Elements => {
                let elements = elements(self.elements.get(cx.store, key, &ns(w))?);
                if elements.is_empty() {
                    return Ok(());
                }
                self.f.with_scope(cx, watermark, |f, scope| f.fire(scope, w, Fired::Elements(&elements)))
            }
        }
    }

    /// Drops `w`'s contents; with `cleanup`, also tells the function (its state is gone).
    fn purge(&mut self, cx: &mut KeyedContext<'_>, w: Window, cleanup: bool, watermark: i64) -> Result<(), StateError> {
        let key = cx.key();
        if let Some(batch) = self.pending.get_mut(key)
            && let Some(slot) = batch.windows.iter_mut().find(|(x, _)| *x == w)
        {
            slot.1.clear();
        }
        let existed = match self.contents {
            WindowContents::Accumulator => {
                self.waiting.remove(&(key.to_vec(), w));
                let unfolded = !self.unfolded.get(cx.store, key, &ns(w))?.is_empty();
                self.unfolded.clear(cx.store, key, &ns(w))?;
                unfolded || self.acc.get(cx.store, key, &ns(w))?.is_some()
            }
            WindowContents::Elements => !self.elements.get(cx.store, key, &ns(w))?.is_empty(),
        };
        if !existed {
            return Ok(());
        }
        self.acc.clear(cx.store, key, &ns(w))?;
        self.elements.clear(cx.store, key, &ns(w))?;
        if cleanup && self.f.clears() {
            self.f.with_scope(cx, watermark, |f, scope| f.clear(scope, w))?;
        }
        Ok(())
    }

    /// The default trigger's reaction to an element added to `w`, and its cleanup timer.
    fn on_element(&mut self, cx: &mut KeyedContext<'_>, w: Window, watermark: i64) -> Result<(), StateError> {
        if !self.assigner.event_time() {
            return self.timer(cx, w.max_timestamp(), true);
        }
        if w.max_timestamp() <= watermark {
            // Late but within the allowed lateness: the window fires again with the element.
            self.fire(cx, w, watermark)?;
        } else {
            self.timer(cx, w.max_timestamp(), false)?;
        }
        if self.lateness > 0 {
            self.timer(cx, self.cleanup_time(w), false)?;
        }
        Ok(())
    }

    /// Tumbling and sliding windows.
    fn time_windows(&mut self, cx: &mut KeyedContext<'_>, t: i64, element: &[u8], watermark: i64) -> Result<bool, StateError> {
        let (size, slide, offset) = match self.assigner {
            WindowAssigner::Tumbling { size_ms, offset_ms, .. } => (size_ms, size_ms, offset_ms),
            WindowAssigner::Sliding { size_ms, slide_ms, offset_ms, .. } => (size_ms, slide_ms, offset_ms),
            _ => return Ok(false),
        };
        let mut added = false;
        for w in time_windows(t, size, slide, offset) {
            if self.is_late(w, watermark) {
                continue;
            }
            added = true;
            self.add(cx.key(), w, element.to_vec());
            self.on_element(cx, w, watermark)?;
        }
        Ok(added)
    }

    /// Session windows: the element's window merges with the key's sessions it overlaps.
    fn session(&mut self, cx: &mut KeyedContext<'_>, t: i64, gap: i64, element: &[u8], watermark: i64) -> Result<bool, StateError> {
        let key = cx.key();
        let new = Window { start: t, end: t.saturating_add(gap) };
        let sessions = self.sessions.get(cx.store, key, &())?.unwrap_or_default();
        let (mut merged, mut rest): (Vec<Ns>, Vec<Ns>) = sessions.into_iter().partition(|&(s, e)| s <= new.end && e >= new.start);
        merged.sort_unstable();
        let result = merged.iter().fold(new, |w, &(s, e)| Window { start: w.start.min(s), end: w.end.max(e) });
        if merged.is_empty() && self.is_late(result, watermark) {
            return Ok(false);
        }
        if merged != [ns(result)] {
            let parts: Vec<Window> = merged.iter().map(|&(start, end)| Window { start, end }).collect();
            self.merge_contents(cx, &parts, result)?;
            rest.push(ns(result));
            self.sessions.update(cx.store, key, &(), &rest)?;
        }
        self.add(key, result, element.to_vec());
        self.on_element(cx, result, watermark)?;
        Ok(true)
    }

    /// Moves the contents of `parts` (in window order) into `result`.
    fn merge_contents(&mut self, cx: &mut KeyedContext<'_>, parts: &[Window], result: Window) -> Result<(), StateError> {
        let key = cx.key();
        for &w in parts {
            self.settle(cx.store, key, w)?;
        }
        match self.contents {
            WindowContents::Elements => {
                let mut all = Vec::new();
                for &w in parts {
                    all.extend(self.elements.get(cx.store, key, &ns(w))?);
                    self.elements.clear(cx.store, key, &ns(w))?;
                }
                if !all.is_empty() {
                    self.elements.update(cx.store, key, &ns(result), &all)?;
                }
            }
            WindowContents::Accumulator => {
                let mut accs = Vec::new();
                for &w in parts {
                    self.fold(cx.store, key, w)?;
                    accs.extend(self.acc.get(cx.store, key, &ns(w))?);
                    self.acc.clear(cx.store, key, &ns(w))?;
                }
                let merged = match accs.len() {
                    0 => return Ok(()),
                    1 => accs.pop(),
                    _ => match self.f.instance().map(|i| i.merge(&accs)) {
                        Some(Ok(acc)) => Some(acc),
                        Some(Err(e)) => {
                            self.f.fail(e);
                            None
                        }
                        None => None,
                    },
                };
                if let Some(acc) = merged {
                    self.acc.update(cx.store, key, &ns(result), &acc)?;
                }
            }
        }
        Ok(())
    }

    /// Count windows: the key's `n`-th element belongs to windows `i` with
    /// `i * slide <= n < i * slide + size`; a window fires (and is purged) when full.
    fn count_windows(&mut self, cx: &mut KeyedContext<'_>, size: i64, slide: i64, element: &[u8], watermark: i64) -> Result<(), StateError> {
        let key = cx.key();
        let known = self.pending.get(key).and_then(|b| b.count);
        let n = match known {
            Some(n) => n,
            None => self.count.get(cx.store, key, &())?.unwrap_or(0),
        };
        self.pending.entry(key.to_vec()).or_default().count = Some(n + 1);
        let mut i = n / slide;
        while i >= 0 && i * slide + size > n {
            let w = Window { start: i, end: i64::MAX };
            self.add(key, w, element.to_vec());
            if n == i * slide + size - 1 {
                self.fire(cx, w, watermark)?;
                self.purge(cx, w, false, watermark)?;
            }
            i -= 1;
        }
        Ok(())
    }

    /// A timer of the current key fired (`processing`: a processing-time timer).
    fn timer_fired(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64, processing: bool, watermark: i64) -> Result<(), StateError> {
        if self.f.failed || processing == self.assigner.event_time() {
            return Ok(());
        }
        let lateness = if processing { 0 } else { self.lateness };
        match self.assigner {
            WindowAssigner::Tumbling { size_ms: size, .. } | WindowAssigner::Sliding { size_ms: size, .. } => {
                let end = timestamp.saturating_add(1);
                let w = Window { start: end - size, end };
                self.fire(cx, w, watermark)?;
                if lateness == 0 {
                    self.purge(cx, w, true, watermark)?;
                } else {
                    let end = end - lateness;
                    self.purge(cx, Window { start: end - size, end }, true, watermark)?;
                }
            }
            WindowAssigner::Session { .. } => {
                let key = cx.key();
                let mut sessions = self.sessions.get(cx.store, key, &())?.unwrap_or_default();
                let before = sessions.len();
                if let Some(&(start, end)) = sessions.iter().find(|&&(_, e)| e.saturating_sub(1) == timestamp) {
                    let w = Window { start, end };
                    self.fire(cx, w, watermark)?;
                    if lateness == 0 {
                        self.purge(cx, w, true, watermark)?;
                        sessions.retain(|&s| s != (start, end));
                    }
                }
                if lateness > 0
                    && let Some(&(start, end)) = sessions.iter().find(|&&(_, e)| e.saturating_sub(1).saturating_add(lateness) == timestamp)
                {
                    self.purge(cx, Window { start, end }, true, watermark)?;
                    sessions.retain(|&s| s != (start, end));
                }
                if sessions.len() != before {
                    if sessions.is_empty() {
                        self.sessions.clear(cx.store, key, &())?;
                    } else {
                        self.sessions.update(cx.store, key, &(), &sessions)?;
                    }
                }
            }
            // Run by the triggered operator.
            WindowAssigner::Count { .. } | WindowAssigner::DynamicSession { .. } | WindowAssigner::Global | WindowAssigner::User { .. } => {}
        }
        Ok(())
    }
}

impl KeyedLogic for StreamWindow {
    fn on_row(&mut self, cx: &mut KeyedContext<'_>, _input: usize, row: Row) -> Result<(), StateError> {
        if self.f.failed {
            return Ok(());
        }
        let timestamp = self.timestamp.and_then(|c| row.get(c).as_i64());
        let Value::Bytes(element) = row.get(self.value) else { return Ok(()) };
        // A row sent later than its event time was sent at its upstream's watermark (see
        // `process`): lateness is decided against that watermark.
        let (watermark, late_row) = row_watermark(cx, timestamp, self.event_time);
        // A late row: the key's timers that watermark has passed fire first, as they did
        // before the row where event time was assigned (a window fires without the row, then
        // again with it).
        if late_row && watermark > cx.fired_watermark() && self.assigner.event_time() {
            let due = cx.take_due_timers(watermark)?;
            // Those timers are gone: registering one of them again must not be skipped.
            if let Some(batch) = self.pending.get_mut(cx.key()) {
                batch.timers.retain(|(t, processing)| *processing || !due.contains(t));
            }
            for timestamp in due {
                self.timer_fired(cx, timestamp, false, watermark)?;
            }
        }
        let time = if self.assigner.event_time() { timestamp } else { Some(cx.current_processing_time()) };
        let added = match self.assigner {
            WindowAssigner::Count { size, slide } => {
                self.count_windows(cx, size, slide, element, watermark)?;
                true
            }
            _ if time.is_none() => {
                self.f.fail(EvalError::new(NO_TIMESTAMP));
                return Ok(());
            }
            WindowAssigner::Tumbling { .. } | WindowAssigner::Sliding { .. } => self.time_windows(cx, time.unwrap_or_default(), element, watermark)?,
            WindowAssigner::Session { gap_ms, .. } => self.session(cx, time.unwrap_or_default(), gap_ms, element, watermark)?,
            WindowAssigner::DynamicSession { .. } | WindowAssigner::Global | WindowAssigner::User { .. } => false,
        };
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
