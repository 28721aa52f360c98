//! The window operator with a trigger ([`WindowTrigger`]: `WindowedStream.trigger(...)` with one
//! of Flink's built-in triggers or the user's), global windows, count windows given a trigger,
//! sessions with dynamic gaps and user-written assigners (asked through the window function,
//! merging ones too) and windows with an evictor — Flink's `WindowOperator` and
//! `EvictingWindowOperator` in general. Every element goes into its windows' contents at once and the
//! trigger decides per element and per timer of a window whether it fires, is purged, both or
//! neither; each window also has a timer at its cleanup time (event time: its end plus the
//! allowed lateness; processing time: its end; global windows: never), when its contents, its
//! trigger's state and the function's per-window state are dropped. Merging sessions move their
//! contents into the merged window and merge their triggers' state (`on_merge`).
//!
//! State (the operator's `weir-state` store): `window/acc`, `window/pending` and
//! `window/elements` as in [`super`] (elements wait for an accumulator until the window fires
//! or merges), `window/sessions` a key's
//! sessions, `window/trigger` the trigger's number per key and window, `window/timers` which
//! windows a key's timers are for ([`WindowTimers`]), `window/count` a key's element count
//! (count windows). A merging user assigner's windows are kept as sessions are. With an
//! evictor, `window/elements` holds every element with its timestamp ([`evict`]), whatever the
//! function: when the window fires, the evictor removes elements before the function sees
//! them, and after, and what remains is written back.

use std::collections::HashMap;

use weir_state::{ListState, StateError, ValueState};

use crate::expr::EvalError;
use crate::types::{Row, Value};
use crate::udf::window::{Fired, TriggerCall, Window, WindowAssigner, WindowContents, WindowMerges, WindowTrigger};

use super::super::{KeyedContext, KeyedLogic};
use super::evict::{self, Evictor};
use super::function::FunctionCell;
use super::trigger::{Base, Decision, Trigger, TriggerRun, WindowTimers};
use super::{Element, FOLD_AT, NO_TIMESTAMP, Ns, StreamWindowSpec, elements, ns, row_watermark};

/// The triggered window operator's logic (see the module).
pub(super) struct Triggered {
    f: FunctionCell,
    contents: WindowContents,
    value: usize,
    timestamp: Option<usize>,
    assigner: WindowAssigner,
    trigger: Trigger,
    lateness: i64,
    event_time: bool,
    acc: ValueState<Vec<u8>, Ns>,
    /// Elements not yet folded into `acc`.
    unfolded: ListState<Element, Ns>,
    /// How many elements wait in `unfolded`, per key and window (a hint).
    waiting: HashMap<(Vec<u8>, Window), usize>,
    elements: ListState<Element, Ns>,
    sessions: ValueState<Vec<Ns>>,
    count: ValueState<i64>,
    trigger_state: ValueState<i64, Ns>,
    timers: WindowTimers,
    evictor: Option<Evictor>,
}

impl Triggered {
    /// The logic of `spec` (without a trigger: the assigner's default).
    pub(super) fn new(f: FunctionCell, spec: &StreamWindowSpec) -> Self {
        let default = match &spec.assigner {
            WindowAssigner::Global => WindowTrigger::Never,
            a if a.event_time() => WindowTrigger::EventTime,
            _ => WindowTrigger::ProcessingTime,
        };
        Triggered {
            f,
            contents: if spec.evictor.is_some() { WindowContents::Elements } else { spec.function.contents() },
            value: spec.value,
            timestamp: spec.timestamp,
            trigger: Trigger::of(spec.trigger.as_ref().unwrap_or(&default)),
            assigner: spec.assigner.clone(),
            lateness: spec.allowed_lateness_ms.max(0),
            event_time: spec.event_time,
            acc: ValueState::new("window/acc"),
            unfolded: ListState::new("window/pending"),
            waiting: HashMap::new(),
            elements: ListState::new("window/elements"),
            sessions: ValueState::new("window/sessions"),
            count: ValueState::new("window/count"),
            trigger_state: ValueState::new("window/trigger"),
            timers: WindowTimers::new(),
            evictor: spec.evictor.clone().map(Evictor),
        }
    }

    /// When `w`'s state is dropped (`i64::MAX`: never).
    fn cleanup_time(&self, w: Window) -> i64 {
        match self.assigner {
            WindowAssigner::Global | WindowAssigner::Count { .. } => i64::MAX,
            _ if self.assigner.event_time() => w.max_timestamp().saturating_add(self.lateness),
            _ => w.max_timestamp(),
        }
    }

    fn is_late(&self, w: Window, watermark: i64) -> bool {
        self.assigner.event_time() && self.cleanup_time(w) <= watermark
    }

    fn run<'a, 'c>(&'a self, cx: &'a mut KeyedContext<'c>, w: Window, watermark: i64) -> TriggerRun<'a, 'c> {
        TriggerRun { trigger: self.trigger, timers: &self.timers, state: &self.trigger_state, cx, w, watermark }
    }

    /// The windows of an element at `t` with `timestamp` (sessions: before merging); nothing
    /// once the function failed.
    fn assign(&mut self, cx: &mut KeyedContext<'_>, t: i64, element: &[u8], timestamp: Option<i64>, watermark: i64) -> Result<Vec<Window>, StateError> {
        let windows = match self.assigner {
            WindowAssigner::Tumbling { size_ms, offset_ms, .. } => super::time_windows(t, size_ms, size_ms, offset_ms),
            WindowAssigner::Sliding { size_ms, slide_ms, offset_ms, .. } => super::time_windows(t, size_ms, slide_ms, offset_ms),
            WindowAssigner::Session { gap_ms, .. } => vec![Window { start: t, end: t.saturating_add(gap_ms) }],
            WindowAssigner::DynamicSession { .. } => {
                let Some(instance) = self.f.instance() else { return Ok(Vec::new()) };
                match instance.session_gap(element) {
                    Ok(gap) if gap > 0 => vec![Window { start: t, end: t.saturating_add(gap) }],
                    Ok(gap) => {
                        self.f.fail(EvalError::new(format!("a dynamic session gap must be a positive number of milliseconds, got {gap}")));
                        Vec::new()
                    }
                    Err(e) => {
                        self.f.fail(e);
                        Vec::new()
                    }
                }
            }
            WindowAssigner::Global => vec![Window::GLOBAL],
            WindowAssigner::Count { size, slide } => {
                // The key's `n`-th element belongs to windows `i` with `i * slide <= n < i * slide + size`.
                let n = self.count.get(cx.store, cx.key(), &())?.unwrap_or(0);
                self.count.update(cx.store, cx.key(), &(), &(n + 1))?;
                let mut windows = Vec::new();
                let mut i = n / slide;
                while i >= 0 && i * slide + size > n {
                    windows.push(Window { start: i, end: i64::MAX });
                    i -= 1;
                }
                windows
            }
            WindowAssigner::User { .. } => {
                let mut windows = Vec::new();
                self.f.with_scope(cx, watermark, |f, scope| {
                    windows = f.assign(scope, element, timestamp)?;
                    Ok(())
                })?;
                windows
            }
        };
        Ok(windows)
    }

    /// How the user's merging assigner merges the key's windows `sessions` and `new`: each
    /// merge as the windows merged and the result (`None`: the function failed).
    fn user_merges(&mut self, cx: &mut KeyedContext<'_>, sessions: &[Ns], new: Window, watermark: i64) -> Result<Option<WindowMerges>, StateError> {
        let mut all: Vec<Window> = sessions.iter().map(|&(start, end)| Window { start, end }).collect();
        if !all.contains(&new) {
            all.push(new);
        }
        let mut merges = None;
        self.f.with_scope(cx, watermark, |f, scope| {
            merges = Some(f.merge_windows(scope, &all)?);
            Ok(())
        })?;
        Ok(merges)
    }

    /// Puts `new` among the key's windows of a merging user assigner, merging them as it says
    /// (Flink's `MergingWindowSet.addWindow`), and returns the window the element goes to
    /// (`None`: it is late and alone, or the function failed).
    fn user_session(&mut self, cx: &mut KeyedContext<'_>, new: Window, watermark: i64) -> Result<Option<Window>, StateError> {
        let sessions = self.sessions.get(cx.store, cx.key(), &())?.unwrap_or_default();
        let Some(merges) = self.user_merges(cx, &sessions, new, watermark)? else { return Ok(None) };
        let mut set = sessions.clone();
        let mut actual = new;
        let mut changed = false;
        for (parts, result) in merges {
            if parts.contains(&new) {
                actual = result;
            }
            let existing: Vec<Window> = parts.iter().copied().filter(|&p| sessions.contains(&ns(p))).collect();
            set.retain(|s| !parts.iter().any(|&p| ns(p) == *s));
            set.push(ns(result));
            changed = true;
            if existing.is_empty() || existing == [result] {
                continue;
            }
            self.merge_contents(cx, &existing, result)?;
            self.trigger_merge(cx, result, &existing, watermark)?;
            for &m in existing.iter().filter(|&&m| m != result) {
                self.trigger_clear(cx, m, watermark)?;
                let (time, processing) = (self.cleanup_time(m), !self.assigner.event_time());
                self.timers.delete(cx, time, processing, m)?;
            }
        }
        if !set.contains(&ns(actual)) {
            if self.is_late(actual, watermark) {
                return Ok(None);
            }
            set.push(ns(actual));
            changed = true;
        }
        if changed {
            set.sort_unstable();
            set.dedup();
            self.sessions.update(cx.store, cx.key(), &(), &set)?;
        }
        Ok(Some(actual))
    }

    /// Puts session `new` among the key's sessions, merging those it overlaps or touches, and
    /// returns the session it ended in (`None`: it is late and alone).
    fn session(&mut self, cx: &mut KeyedContext<'_>, new: Window, watermark: i64) -> Result<Option<Window>, StateError> {
        let key = cx.key();
        let sessions = self.sessions.get(cx.store, key, &())?.unwrap_or_default();
        let (mut merged, mut rest): (Vec<Ns>, Vec<Ns>) = sessions.into_iter().partition(|&(s, e)| s <= new.end && e >= new.start);
        merged.sort_unstable();
        let result = merged.iter().fold(new, |w, &(s, e)| Window { start: w.start.min(s), end: w.end.max(e) });
        if merged.is_empty() && self.is_late(result, watermark) {
            return Ok(None);
        }
        if merged == [ns(result)] {
            return Ok(Some(result));
        }
        let parts: Vec<Window> = merged.iter().map(|&(start, end)| Window { start, end }).collect();
        if !parts.is_empty() {
            self.merge_contents(cx, &parts, result)?;
            self.trigger_merge(cx, result, &parts, watermark)?;
            for &m in parts.iter().filter(|&&m| m != result) {
                self.trigger_clear(cx, m, watermark)?;
                let (time, processing) = (self.cleanup_time(m), !self.assigner.event_time());
                self.timers.delete(cx, time, processing, m)?;
            }
        }
        rest.push(ns(result));
        self.sessions.update(cx.store, key, &(), &rest)?;
        Ok(Some(result))
    }

    /// The trigger's `on_merge` for `result`, merged from `parts`.
    fn trigger_merge(&mut self, cx: &mut KeyedContext<'_>, result: Window, parts: &[Window], watermark: i64) -> Result<(), StateError> {
        match self.trigger.base {
            Base::User => self.ask_user(cx, result, watermark, TriggerCall::Merge(parts)).map(|_| ()),
            _ => self.run(cx, result, watermark).on_merge(parts),
        }
    }

    /// The trigger's `clear` for `w`.
    fn trigger_clear(&mut self, cx: &mut KeyedContext<'_>, w: Window, watermark: i64) -> Result<(), StateError> {
        match self.trigger.base {
            Base::User => self.ask_user(cx, w, watermark, TriggerCall::Clear).map(|_| ()),
            _ => self.run(cx, w, watermark).clear(),
        }
    }

    /// Asks the user's trigger about `w` (through the window function, with the operator's
    /// scope for its state) and registers or deletes the timers it asked for.
    fn ask_user(&mut self, cx: &mut KeyedContext<'_>, w: Window, watermark: i64, call: TriggerCall<'_>) -> Result<Decision, StateError> {
        let mut reply = None;
        self.f.with_scope(cx, watermark, |f, scope| {
            reply = Some(f.trigger(scope, w, call)?);
            Ok(())
        })?;
        let Some(reply) = reply else { return Ok(Decision::default()) };
        for t in reply.timers {
            if t.register {
                self.timers.register(cx, t.time, t.processing, w)?;
            } else {
                self.timers.delete(cx, t.time, t.processing, w)?;
            }
        }
        Ok(self.trigger.decided(Decision { fire: reply.fire, purge: reply.purge }))
    }

    /// Moves the contents of `parts` (in window order) into `result`.
    fn merge_contents(&mut self, cx: &mut KeyedContext<'_>, parts: &[Window], result: Window) -> Result<(), StateError> {
        let key = cx.key();
        let mut all = Vec::new();
        let mut accs = Vec::new();
        for &w in parts {
            if self.contents == WindowContents::Accumulator {
                self.fold(cx, w)?;
            }
            all.extend(self.elements.get(cx.store, key, &ns(w))?);
            self.elements.clear(cx.store, key, &ns(w))?;
            accs.extend(self.acc.get(cx.store, key, &ns(w))?);
            self.acc.clear(cx.store, key, &ns(w))?;
        }
        if !all.is_empty() {
            self.elements.update(cx.store, key, &ns(result), &all)?;
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
        match merged {
            Some(acc) => self.acc.update(cx.store, key, &ns(result), &acc),
            None => Ok(()),
        }
    }

    /// Adds `element` to `w`'s contents (for an accumulator: to the elements waiting for it,
    /// folded in one call when the window fires or merges, or [`FOLD_AT`] of them wait).
    fn add(&mut self, cx: &mut KeyedContext<'_>, w: Window, element: &[u8], timestamp: Option<i64>) -> Result<(), StateError> {
        let key = cx.key();
        match self.contents {
            WindowContents::Elements if self.evictor.is_some() => self.elements.add(cx.store, key, &ns(w), &Element(evict::stamp(timestamp, element))),
            WindowContents::Elements => self.elements.add(cx.store, key, &ns(w), &Element(element.to_vec())),
            WindowContents::Accumulator => {
                self.unfolded.add(cx.store, key, &ns(w), &Element(element.to_vec()))?;
                let waiting = self.waiting.entry((key.to_vec(), w)).or_default();
                *waiting += 1;
                if *waiting >= FOLD_AT { self.fold(cx, w) } else { Ok(()) }
            }
        }
    }

    /// Folds the elements waiting for `w`'s accumulator into it.
    fn fold(&mut self, cx: &mut KeyedContext<'_>, w: Window) -> Result<(), StateError> {
        let key = cx.key();
        self.waiting.remove(&(key.to_vec(), w));
        let elements = elements(self.unfolded.get(cx.store, key, &ns(w))?);
        if elements.is_empty() {
            return Ok(());
        }
        self.unfolded.clear(cx.store, key, &ns(w))?;
        let current = self.acc.get(cx.store, key, &ns(w))?;
        let Some(instance) = self.f.instance() else { return Ok(()) };
        match instance.accumulate(current.as_deref(), &elements) {
            Ok(acc) => self.acc.update(cx.store, key, &ns(w), &acc),
            Err(e) => {
                self.f.fail(e);
                Ok(())
            }
        }
    }

    /// Acts on the trigger's decision for `w`.
    fn decided(&mut self, cx: &mut KeyedContext<'_>, w: Window, d: Decision, watermark: i64) -> Result<(), StateError> {
        if d.fire {
            self.fire(cx, w, watermark)?;
        }
        if d.purge {
            self.purge(cx, w)?;
        }
        Ok(())
    }

    /// Evaluates `w` of the current key (nothing when it is empty).
    fn fire(&mut self, cx: &mut KeyedContext<'_>, w: Window, watermark: i64) -> Result<(), StateError> {
        let key = cx.key();
        match self.contents {
            WindowContents::Accumulator => {
                self.fold(cx, w)?;
                let Some(acc) = self.acc.get(cx.store, key, &ns(w))? else { return Ok(()) };
                self.f.with_scope(cx, watermark, |f, scope| f.fire(scope, w, Fired::Accumulator(&acc)))
            }
            WindowContents::Elements => {
                let elements = elements(self.elements.get(cx.store, key, &ns(w))?);
                if elements.is_empty() {
                    return Ok(());
                }
                match self.evictor.clone() {
                    Some(evictor) => self.fire_evicting(cx, w, &evictor, &elements, watermark),
                    None => self.f.with_scope(cx, watermark, |f, scope| f.fire(scope, w, Fired::Elements(&elements))),
                }
            }
        }
    }

    /// Evaluates `w` of the current key whose `stored` elements (with their timestamps) the
    /// evictor thins before and after the function runs; writes back what remains.
    fn fire_evicting(&mut self, cx: &mut KeyedContext<'_>, w: Window, evictor: &Evictor, stored: &[Vec<u8>], watermark: i64) -> Result<(), StateError> {
        let mut items = match stored.iter().map(|s| evict::unstamp(s)).collect::<Result<Vec<_>, _>>() {
            Ok(items) => items,
            Err(e) => return Err(StateError::CorruptValue { state: "window/elements".into(), detail: e.to_string() }),
        };
        evictor.evict(&mut self.f, cx, w, &mut items, true, watermark)?;
        let values: Vec<Vec<u8>> = items.iter().map(|(_, e)| e.clone()).collect();
        if !values.is_empty() {
            self.f.with_scope(cx, watermark, |f, scope| f.fire(scope, w, Fired::Elements(&values)))?;
        }
        evictor.evict(&mut self.f, cx, w, &mut items, false, watermark)?;
        if items.len() != stored.len() {
            let kept: Vec<Element> = items.into_iter().map(|(t, e)| Element(evict::stamp(t, &e))).collect();
            if kept.is_empty() {
                self.elements.clear(cx.store, cx.key(), &ns(w))?;
            } else {
                self.elements.update(cx.store, cx.key(), &ns(w), &kept)?;
            }
        }
        Ok(())
    }

    /// Drops `w`'s contents.
    fn purge(&mut self, cx: &mut KeyedContext<'_>, w: Window) -> Result<(), StateError> {
        self.waiting.remove(&(cx.key().to_vec(), w));
        self.unfolded.clear(cx.store, cx.key(), &ns(w))?;
        self.acc.clear(cx.store, cx.key(), &ns(w))?;
        self.elements.clear(cx.store, cx.key(), &ns(w))
    }

    /// `w`'s timer at `time` fired.
    fn window_timer(&mut self, cx: &mut KeyedContext<'_>, time: i64, processing: bool, w: Window, watermark: i64) -> Result<(), StateError> {
        if self.f.failed {
            return Ok(());
        }
        let mut sessions = Vec::new();
        if self.assigner.merging() {
            sessions = self.sessions.get(cx.store, cx.key(), &())?.unwrap_or_default();
            if !sessions.contains(&ns(w)) {
                return Ok(());
            }
        }
        let d = match self.trigger.base {
            Base::User => self.ask_user(cx, w, watermark, if processing { TriggerCall::ProcessingTime(time) } else { TriggerCall::EventTime(time) })?,
            _ => self.run(cx, w, watermark).on_timer(time, processing)?,
        };
        self.decided(cx, w, d, watermark)?;
        if processing == self.assigner.event_time() || time != self.cleanup_time(w) {
            return Ok(());
        }
        self.purge(cx, w)?;
        self.trigger_clear(cx, w, watermark)?;
        if self.f.clears() {
            self.f.with_scope(cx, watermark, |f, scope| f.clear(scope, w))?;
        }
        if self.assigner.merging() {
            sessions.retain(|&s| s != ns(w));
            if sessions.is_empty() {
                self.sessions.clear(cx.store, cx.key(), &())?;
            } else {
                self.sessions.update(cx.store, cx.key(), &(), &sessions)?;
            }
        }
        Ok(())
    }

    /// The timers of the current key at `time` fired.
    fn timers_fired(&mut self, cx: &mut KeyedContext<'_>, time: i64, processing: bool, watermark: i64) -> Result<(), StateError> {
        for w in self.timers.take(cx, time, processing)? {
            self.window_timer(cx, time, processing, w, watermark)?;
        }
        Ok(())
    }
}

impl KeyedLogic for Triggered {
    fn on_row(&mut self, cx: &mut KeyedContext<'_>, _input: usize, row: Row) -> Result<(), StateError> {
        if self.f.failed {
            return Ok(());
        }
        let timestamp = self.timestamp.and_then(|c| row.get(c).as_i64());
        let Value::Bytes(element) = row.get(self.value) else { return Ok(()) };
        let (watermark, late_row) = row_watermark(cx, timestamp, self.event_time);
        if late_row && watermark > cx.fired_watermark() && self.assigner.event_time() {
            for time in cx.take_due_timers(watermark)? {
                self.timers_fired(cx, time, false, watermark)?;
            }
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
        let windows = self.assign(cx, time, element, timestamp, watermark)?;
        let mut added = false;
        for w in windows {
            let merged = match self.assigner {
                WindowAssigner::User { merging: true, .. } => Some(self.user_session(cx, w, watermark)?),
                _ if self.assigner.merging() => Some(self.session(cx, w, watermark)?),
                _ => None,
            };
            let w = if let Some(merged) = merged {
                match merged {
                    Some(w) => w,
                    None => continue,
                }
            } else if self.is_late(w, watermark) {
                continue;
            } else {
                w
            };
            added = true;
            self.add(cx, w, element, timestamp)?;
            let d = match self.trigger.base {
                Base::User => self.ask_user(cx, w, watermark, TriggerCall::Element { element, timestamp })?,
                _ => self.run(cx, w, watermark).on_element(timestamp.unwrap_or(time))?,
            };
            self.decided(cx, w, d, watermark)?;
            let cleanup = self.cleanup_time(w);
            self.timers.register(cx, cleanup, !self.assigner.event_time(), w)?;
        }
        let late = self.assigner.event_time() && timestamp.is_some_and(|t| t.saturating_add(self.lateness) <= watermark);
        if !added && late {
            let element = element.clone();
            self.f.with_scope(cx, watermark, |f, scope| f.late(scope, &element, timestamp))?;
        }
        Ok(())
    }

    fn on_timer(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64) -> Result<(), StateError> {
        let watermark = cx.watermark();
        self.timers_fired(cx, timestamp, false, watermark)
    }

    fn on_processing_time_timer(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64) -> Result<(), StateError> {
        let watermark = cx.watermark();
        self.timers_fired(cx, timestamp, true, watermark)
    }

    fn frontier_is_watermark(&self) -> bool {
        self.event_time
    }

    fn on_end(&mut self) {
        self.f.close();
    }
}
