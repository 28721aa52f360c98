//! Which windows an element goes to: the assigners (tumbling, sliding, sessions with fixed or
//! dynamic gaps, count, global, user-written), and merging the key's windows of a merging
//! assigner (Flink's `MergingWindowSet.addWindow`).

use weir_state::StateError;

use crate::expr::EvalError;
use crate::udf::window::{TriggerCall, Window, WindowAssigner, WindowMerges};

use super::super::KeyedContext;
use super::{Ns, WindowOperator, ns, time_windows};

impl WindowOperator {
    /// The windows of an element at `t` with `timestamp` (sessions: before merging); nothing
    /// once the function failed.
    pub(super) fn assign(
        &mut self,
        cx: &mut KeyedContext<'_>,
        t: i64,
        element: &[u8],
        timestamp: Option<i64>,
        watermark: i64,
    ) -> Result<Vec<Window>, StateError> {
        let windows = match self.assigner {
            WindowAssigner::Tumbling { size_ms, offset_ms, .. } => time_windows(t, size_ms, size_ms, offset_ms),
            WindowAssigner::Sliding { size_ms, slide_ms, offset_ms, .. } => time_windows(t, size_ms, slide_ms, offset_ms),
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
                let n = self.next_count(cx)?;
                self.n = n;
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

    /// The current key's element count before this element (count windows), counted up; kept
    /// aside until the batch ends.
    fn next_count(&mut self, cx: &mut KeyedContext<'_>) -> Result<i64, StateError> {
        let key = cx.key();
        let known = self.pending.get(key).and_then(|b| b.count);
        let n = match known {
            Some(n) => n,
            None => self.count.get(cx.store, key, &())?.unwrap_or(0),
        };
        self.pending.entry(key.to_vec()).or_default().count = Some(n + 1);
        Ok(n)
    }

    /// The window an element assigned to `w` goes to: `w` itself, or the window it merged into
    /// (merging assigners); `None` when it is late (and, merging, alone) or the function failed.
    pub(super) fn place(&mut self, cx: &mut KeyedContext<'_>, w: Window, watermark: i64) -> Result<Option<Window>, StateError> {
        match self.assigner {
            WindowAssigner::User { merging: true, .. } => self.user_session(cx, w, watermark),
            _ if self.assigner.merging() => self.session(cx, w, watermark),
            _ if self.is_late(w, watermark) => Ok(None),
            _ => Ok(Some(w)),
        }
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
            self.merged(cx, &parts, result, watermark)?;
        }
        rest.push(ns(result));
        self.sessions.update(cx.store, key, &(), &rest)?;
        Ok(Some(result))
    }

    /// Windows `parts` (in window order) merged into `result`: their contents move to it, and
    /// a trigger other than the default merges its state and forgets theirs.
    fn merged(&mut self, cx: &mut KeyedContext<'_>, parts: &[Window], result: Window, watermark: i64) -> Result<(), StateError> {
        self.merge_contents(cx, parts, result)?;
        if self.trigger.is_none() {
            // The default trigger's timers of merged-away windows find no session and do nothing.
            return Ok(());
        }
        self.trigger_merge(cx, result, parts, watermark)?;
        for &m in parts.iter().filter(|&&m| m != result) {
            self.trigger_clear(cx, m, watermark)?;
            let (time, processing) = (self.cleanup_time(m), !self.assigner.event_time());
            self.timers.delete(cx, time, processing, m)?;
        }
        Ok(())
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
            self.merged(cx, &existing, result, watermark)?;
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

    /// The trigger's `on_merge` for `result`, merged from `parts`.
    fn trigger_merge(&mut self, cx: &mut KeyedContext<'_>, result: Window, parts: &[Window], watermark: i64) -> Result<(), StateError> {
        match self.trigger {
            Some(t) if t.is_user() => self.ask_user(cx, result, watermark, TriggerCall::Merge(parts)).map(|_| ()),
            Some(t) => self.run(t, cx, result, watermark).on_merge(parts),
            None => Ok(()),
        }
    }
}
