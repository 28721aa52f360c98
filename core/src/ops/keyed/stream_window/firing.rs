//! When windows fire and are cleaned up: the assigners' default triggers, run by time alone
//! (one timer per key and window end, registered once per batch of rows, and no per-window
//! trigger state), and every other trigger ([`Trigger`]: Flink's built-in ones natively, a
//! user-written one asked through the window function), which decides per element, per timer
//! and per merge whether a window fires, is purged, both or neither, with its timers listed per
//! window ([`WindowTimers`]) and a timer at each window's cleanup time.

use weir_state::StateError;

use crate::udf::window::{TriggerCall, Window, WindowAssigner};

use super::super::KeyedContext;
use super::WindowOperator;
use super::trigger::{Decision, Trigger, TriggerRun};

impl WindowOperator {
    /// An element (`timestamp`, assigned at `time`) was added to `w`: the trigger's reaction.
    pub(super) fn on_element(
        &mut self,
        cx: &mut KeyedContext<'_>,
        w: Window,
        element: &[u8],
        timestamp: Option<i64>,
        time: i64,
        watermark: i64,
    ) -> Result<(), StateError> {
        let Some(trigger) = self.trigger else { return self.default_on_element(cx, w, watermark) };
        let d = if trigger.is_user() {
            self.ask_user(cx, w, watermark, TriggerCall::Element { element, timestamp })?
        } else {
            self.run(trigger, cx, w, watermark).on_element(timestamp.unwrap_or(time))?
        };
        self.decided(cx, w, d, watermark)?;
        let cleanup = self.cleanup_time(w);
        self.timers.register(cx, cleanup, !self.assigner.event_time(), w)
    }

    /// A timer of the current key fired (`processing`: a processing-time timer).
    pub(super) fn timer_fired(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64, processing: bool, watermark: i64) -> Result<(), StateError> {
        if self.trigger.is_none() {
            return self.default_timer(cx, timestamp, processing, watermark);
        }
        for w in self.timers.take(cx, timestamp, processing)? {
            self.window_timer(cx, timestamp, processing, w, watermark)?;
        }
        Ok(())
    }

    /// The default trigger's reaction to an element added to `w`, and its cleanup timer; a
    /// count window fires when full, and is purged.
    fn default_on_element(&mut self, cx: &mut KeyedContext<'_>, w: Window, watermark: i64) -> Result<(), StateError> {
        if let WindowAssigner::Count { size, slide } = self.assigner {
            if self.n == w.start * slide + size - 1 {
                self.fire(cx, w, watermark)?;
                self.purge(cx, w)?;
            }
            return Ok(());
        }
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

    /// Registers a timer of the current key once per batch (default trigger).
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

    /// Drops `w`'s contents at its cleanup time, telling the function if it had any.
    fn clean_up(&mut self, cx: &mut KeyedContext<'_>, w: Window, watermark: i64) -> Result<(), StateError> {
        if self.purge(cx, w)? && self.f.clears() {
            self.f.with_scope(cx, watermark, |f, scope| f.clear(scope, w))?;
        }
        Ok(())
    }

    /// The default trigger's timer at `timestamp`: fires the window ending just after it and
    /// cleans up the window whose cleanup time it is.
    fn default_timer(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64, processing: bool, watermark: i64) -> Result<(), StateError> {
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
                    self.clean_up(cx, w, watermark)?;
                } else {
                    let end = end - lateness;
                    self.clean_up(cx, Window { start: end - size, end }, watermark)?;
                }
            }
            WindowAssigner::Session { .. } => self.session_timer(cx, timestamp, lateness, watermark)?,
            // Count windows fire as they fill; the rest never run with the default trigger.
            WindowAssigner::Count { .. } | WindowAssigner::DynamicSession { .. } | WindowAssigner::Global | WindowAssigner::User { .. } => {}
        }
        Ok(())
    }

    /// The default trigger's timer at `timestamp` for sessions: fires the session ending just
    /// after it and cleans up the one whose cleanup time it is.
    fn session_timer(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64, lateness: i64, watermark: i64) -> Result<(), StateError> {
        let key = cx.key();
        let mut sessions = self.sessions.get(cx.store, key, &())?.unwrap_or_default();
        let before = sessions.len();
        if let Some(&(start, end)) = sessions.iter().find(|&&(_, e)| e.saturating_sub(1) == timestamp) {
            let w = Window { start, end };
            self.fire(cx, w, watermark)?;
            if lateness == 0 {
                self.clean_up(cx, w, watermark)?;
                sessions.retain(|&s| s != (start, end));
            }
        }
        if lateness > 0
            && let Some(&(start, end)) = sessions.iter().find(|&&(_, e)| e.saturating_sub(1).saturating_add(lateness) == timestamp)
        {
            self.clean_up(cx, Window { start, end }, watermark)?;
            sessions.retain(|&s| s != (start, end));
        }
        if sessions.len() != before {
            self.store_sessions(cx, &sessions)?;
        }
        Ok(())
    }

    /// Writes the current key's sessions (none: cleared).
    fn store_sessions(&mut self, cx: &mut KeyedContext<'_>, sessions: &[(i64, i64)]) -> Result<(), StateError> {
        if sessions.is_empty() { self.sessions.clear(cx.store, cx.key(), &()) } else { self.sessions.update(cx.store, cx.key(), &(), &sessions.to_vec()) }
    }

    /// A built-in trigger at work on `w`.
    pub(super) fn run<'a, 'c>(&'a self, trigger: Trigger, cx: &'a mut KeyedContext<'c>, w: Window, watermark: i64) -> TriggerRun<'a, 'c> {
        TriggerRun { trigger, timers: &self.timers, state: &self.trigger_state, cx, w, watermark }
    }

    /// The trigger's `clear` for `w` (cleaned up or merged away).
    pub(super) fn trigger_clear(&mut self, cx: &mut KeyedContext<'_>, w: Window, watermark: i64) -> Result<(), StateError> {
        match self.trigger {
            Some(t) if t.is_user() => self.ask_user(cx, w, watermark, TriggerCall::Clear).map(|_| ()),
            Some(t) => self.run(t, cx, w, watermark).clear(),
            None => Ok(()),
        }
    }

    /// Asks the user's trigger about `w` (through the window function, with the operator's
    /// scope for its state) and registers or deletes the timers it asked for.
    pub(super) fn ask_user(&mut self, cx: &mut KeyedContext<'_>, w: Window, watermark: i64, call: TriggerCall<'_>) -> Result<Decision, StateError> {
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
        let d = Decision { fire: reply.fire, purge: reply.purge };
        Ok(self.trigger.map_or(d, |t| t.decided(d)))
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

    /// `w`'s timer at `time` fired (a trigger other than the default): the trigger decides,
    /// and at `w`'s cleanup time its contents, the trigger's state and the function's go.
    fn window_timer(&mut self, cx: &mut KeyedContext<'_>, time: i64, processing: bool, w: Window, watermark: i64) -> Result<(), StateError> {
        if self.f.failed {
            return Ok(());
        }
        let mut sessions = Vec::new();
        if self.assigner.merging() {
            sessions = self.sessions.get(cx.store, cx.key(), &())?.unwrap_or_default();
            if !sessions.contains(&(w.start, w.end)) {
                return Ok(());
            }
        }
        let d = match self.trigger {
            Some(t) if t.is_user() => {
                let call = if processing { TriggerCall::ProcessingTime(time) } else { TriggerCall::EventTime(time) };
                self.ask_user(cx, w, watermark, call)?
            }
            Some(t) => self.run(t, cx, w, watermark).on_timer(time, processing)?,
            None => Decision::default(),
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
            sessions.retain(|&s| s != (w.start, w.end));
            self.store_sessions(cx, &sessions)?;
        }
        Ok(())
    }
}
