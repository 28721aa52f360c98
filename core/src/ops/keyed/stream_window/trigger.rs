//! Flink's built-in window triggers, run natively by the window operator when a program
//! gives one ([`super::firing`]): each decides on an element, on a timer of its window and when
//! windows merge whether the window fires (`FIRE`), is purged (`PURGE`), both or neither
//! (`CONTINUE`). A trigger's own state (a `CountTrigger`'s count, a continuous trigger's next
//! firing time) is one number per key and window in the operator's `weir-state` store; its
//! timers are the operator's window timers ([`WindowTimers`]).

use weir_state::{StateError, ValueState};

use crate::udf::window::{Window, WindowTrigger};

use super::super::KeyedContext;
use super::{Ns, ns};

/// A trigger's decision (`CONTINUE` is neither).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Decision {
    /// Evaluate the window.
    pub(super) fire: bool,
    /// Drop the window's contents.
    pub(super) purge: bool,
}

const CONTINUE: Decision = Decision { fire: false, purge: false };
const FIRE: Decision = Decision { fire: true, purge: false };

/// A trigger without its purging wrapper (`PurgingTrigger` of any of these purges on firing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Base {
    EventTime,
    ProcessingTime,
    Never,
    Count(i64),
    ContinuousEventTime(i64),
    ContinuousProcessingTime(i64),
    /// Written by the user: asked through the window function (see `WindowOperator::ask_user`);
    /// [`TriggerRun`] never sees it.
    User,
}

/// A built-in trigger: its base and whether its firings purge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Trigger {
    pub(super) base: Base,
    pub(super) purging: bool,
}

impl Trigger {
    /// The trigger of a plan (`PurgingTrigger`s nest into one flag).
    pub(super) fn of(spec: &WindowTrigger) -> Trigger {
        let base = match spec {
            WindowTrigger::EventTime => Base::EventTime,
            WindowTrigger::ProcessingTime => Base::ProcessingTime,
            WindowTrigger::Never => Base::Never,
            WindowTrigger::User => Base::User,
            WindowTrigger::Count { count } => Base::Count(*count),
            WindowTrigger::ContinuousEventTime { interval_ms } => Base::ContinuousEventTime(*interval_ms),
            WindowTrigger::ContinuousProcessingTime { interval_ms } => Base::ContinuousProcessingTime(*interval_ms),
            WindowTrigger::Purging { trigger } => return Trigger { purging: true, ..Trigger::of(trigger) },
        };
        Trigger { base, purging: false }
    }

    /// Whether the user wrote this trigger (asked through the window function).
    pub(super) fn is_user(&self) -> bool {
        self.base == Base::User
    }

    /// `d` with this trigger's purging.
    pub(super) fn decided(&self, d: Decision) -> Decision {
        Decision { fire: d.fire, purge: d.purge || (self.purging && d.fire) }
    }
}

/// The timers of a key's windows: the keyed timer service keeps one timer per key and time;
/// this list (per key) says which windows each is for, and whether it is for the window's
/// trigger or its cleanup alike (a window's timer at its cleanup time cleans it up after the
/// trigger has seen it, as in Flink).
pub(super) struct WindowTimers {
    list: ValueState<Vec<(i64, bool, i64, i64)>>,
}

impl WindowTimers {
    pub(super) fn new() -> Self {
        WindowTimers { list: ValueState::new("window/timers") }
    }

    /// A timer for `w` at `time` (`processing`: processing time).
    pub(super) fn register(&self, cx: &mut KeyedContext<'_>, time: i64, processing: bool, w: Window) -> Result<(), StateError> {
        if time == i64::MAX {
            return Ok(());
        }
        let key = cx.key();
        let mut list = self.list.get(cx.store, key, &())?.unwrap_or_default();
        let entry = (time, processing, w.start, w.end);
        if list.contains(&entry) {
            return Ok(());
        }
        let first = !list.iter().any(|e| e.0 == time && e.1 == processing);
        list.push(entry);
        self.list.update(cx.store, key, &(), &list)?;
        match (first, processing) {
            (false, _) => Ok(()),
            (true, true) => cx.register_processing_time_timer(time),
            (true, false) => cx.register_timer(time),
        }
    }

    /// Deletes `w`'s timer at `time`, if any.
    pub(super) fn delete(&self, cx: &mut KeyedContext<'_>, time: i64, processing: bool, w: Window) -> Result<(), StateError> {
        let key = cx.key();
        let Some(mut list) = self.list.get(cx.store, key, &())? else { return Ok(()) };
        let before = list.len();
        list.retain(|e| *e != (time, processing, w.start, w.end));
        if list.len() == before {
            return Ok(());
        }
        self.store(cx, &list)?;
        if list.iter().any(|e| e.0 == time && e.1 == processing) {
            return Ok(());
        }
        if processing { cx.delete_processing_time_timer(time) } else { cx.delete_timer(time) }
    }

    /// The windows whose timer at `time` fired, in the order they asked for it (forgotten).
    pub(super) fn take(&self, cx: &mut KeyedContext<'_>, time: i64, processing: bool) -> Result<Vec<Window>, StateError> {
        let Some(list) = self.list.get(cx.store, cx.key(), &())? else { return Ok(Vec::new()) };
        let (due, rest): (Vec<_>, Vec<_>) = list.into_iter().partition(|e| e.0 == time && e.1 == processing);
        if !due.is_empty() {
            self.store(cx, &rest)?;
        }
        Ok(due.into_iter().map(|(_, _, start, end)| Window { start, end }).collect())
    }

    fn store(&self, cx: &mut KeyedContext<'_>, list: &[(i64, bool, i64, i64)]) -> Result<(), StateError> {
        if list.is_empty() { self.list.clear(cx.store, cx.key(), &()) } else { self.list.update(cx.store, cx.key(), &(), &list.to_vec()) }
    }
}

/// A trigger at work on window `w` of the current key.
pub(super) struct TriggerRun<'a, 'c> {
    pub(super) trigger: Trigger,
    pub(super) timers: &'a WindowTimers,
    /// The trigger's number per key and window.
    pub(super) state: &'a ValueState<i64, Ns>,
    pub(super) cx: &'a mut KeyedContext<'c>,
    pub(super) w: Window,
    pub(super) watermark: i64,
}

impl TriggerRun<'_, '_> {
    fn get(&mut self) -> Result<Option<i64>, StateError> {
        self.state.get(self.cx.store, self.cx.key(), &ns(self.w))
    }

    fn set(&mut self, value: Option<i64>) -> Result<(), StateError> {
        let key = self.cx.key();
        match value {
            Some(v) => self.state.update(self.cx.store, key, &ns(self.w), &v),
            None => self.state.clear(self.cx.store, key, &ns(self.w)),
        }
    }

    fn register(&mut self, time: i64, processing: bool) -> Result<(), StateError> {
        self.timers.register(self.cx, time, processing, self.w)
    }

    fn delete(&mut self, time: i64, processing: bool) -> Result<(), StateError> {
        self.timers.delete(self.cx, time, processing, self.w)
    }

    /// A continuous trigger's next firing after `time` (at most the window's last moment).
    fn schedule(&mut self, time: i64, interval: i64, processing: bool) -> Result<(), StateError> {
        let next = time.saturating_add(interval).min(self.w.max_timestamp());
        self.set(Some(next))?;
        self.register(next, processing)
    }

    /// A continuous trigger's own timer at `time`: fires and schedules the next one.
    fn own_timer(&mut self, time: i64, interval: i64, processing: bool) -> Result<Decision, StateError> {
        if self.get()? != Some(time) {
            return Ok(CONTINUE);
        }
        self.schedule(time, interval, processing)?;
        Ok(FIRE)
    }

    /// An element with time `timestamp` was added to the window.
    pub(super) fn on_element(&mut self, timestamp: i64) -> Result<Decision, StateError> {
        let max = self.w.max_timestamp();
        let d = match self.trigger.base {
            Base::EventTime | Base::ContinuousEventTime(_) if max <= self.watermark => FIRE,
            Base::EventTime => {
                self.register(max, false)?;
                CONTINUE
            }
            Base::ProcessingTime => {
                self.register(max, true)?;
                CONTINUE
            }
            Base::Never | Base::User => CONTINUE,
            Base::Count(n) => {
                let count = self.get()?.unwrap_or(0) + 1;
                let fire = count >= n;
                self.set(if fire { None } else { Some(count) })?;
                if fire { FIRE } else { CONTINUE }
            }
            Base::ContinuousEventTime(interval) => {
                self.register(max, false)?;
                if self.get()?.is_none() {
                    self.schedule(timestamp - timestamp.rem_euclid(interval), interval, false)?;
                }
                CONTINUE
            }
            Base::ContinuousProcessingTime(interval) => {
                if self.get()?.is_none() {
                    let now = self.cx.current_processing_time();
                    self.schedule(now - now.rem_euclid(interval), interval, true)?;
                }
                CONTINUE
            }
        };
        Ok(self.trigger.decided(d))
    }

    /// The window's timer at `time` fired (`processing`: a processing-time timer).
    pub(super) fn on_timer(&mut self, time: i64, processing: bool) -> Result<Decision, StateError> {
        let d = match (self.trigger.base, processing) {
            (Base::EventTime, false) if time == self.w.max_timestamp() => FIRE,
            (Base::ProcessingTime, true) => FIRE,
            (Base::ContinuousEventTime(_), false) if time == self.w.max_timestamp() => FIRE,
            (Base::ContinuousEventTime(interval), false) => self.own_timer(time, interval, false)?,
            (Base::ContinuousProcessingTime(interval), true) => self.own_timer(time, interval, true)?,
            _ => CONTINUE,
        };
        Ok(self.trigger.decided(d))
    }

    /// Windows `merged` merged into this one: the trigger's state and timers move to it.
    pub(super) fn on_merge(&mut self, merged: &[Window]) -> Result<(), StateError> {
        let max = self.w.max_timestamp();
        let mut states = Vec::new();
        for &m in merged {
            states.extend(self.state.get(self.cx.store, self.cx.key(), &ns(m))?);
        }
        match self.trigger.base {
            Base::EventTime if max > self.watermark => self.register(max, false)?,
            Base::ProcessingTime if max > self.cx.current_processing_time() => self.register(max, true)?,
            Base::Count(_) => self.set(states.into_iter().reduce(|a, b| a + b))?,
            Base::ContinuousEventTime(_) | Base::ContinuousProcessingTime(_) => {
                let processing = matches!(self.trigger.base, Base::ContinuousProcessingTime(_));
                let next = states.into_iter().min();
                self.set(next)?;
                if let Some(t) = next {
                    self.register(t, processing)?;
                }
                if !processing && max > self.watermark {
                    self.register(max, false)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The window is cleaned up (or merged away): the trigger's state and timers go.
    pub(super) fn clear(&mut self) -> Result<(), StateError> {
        let max = self.w.max_timestamp();
        match self.trigger.base {
            Base::EventTime => self.delete(max, false)?,
            Base::ProcessingTime => self.delete(max, true)?,
            Base::Never | Base::User => {}
            Base::Count(_) => self.set(None)?,
            Base::ContinuousEventTime(_) | Base::ContinuousProcessingTime(_) => {
                let processing = matches!(self.trigger.base, Base::ContinuousProcessingTime(_));
                if let Some(t) = self.get()? {
                    self.delete(t, processing)?;
                    self.set(None)?;
                }
                if !processing {
                    self.delete(max, false)?;
                }
            }
        }
        Ok(())
    }
}
