//! User window functions (the DataStream API's `WindowedStream.reduce / aggregate / apply /
//! process`, written in Python with the SDK): the traits the engine's keyed window operator
//! (`ops::keyed::stream_window`, `WindowOperator` in EXPLAIN) calls, and how a stream is cut
//! into windows.
//!
//! The operator assigns elements to windows, keeps each window's contents in its `weir-state`
//! store (memory or RocksDB) and runs the default triggers itself; the function is called
//! with a batch of elements per window to fold into the window's accumulator (incremental
//! `reduce` / `aggregate`: the accumulator is kept as bytes the function encodes), and once
//! per fired window with the accumulator or the window's elements.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::expr::EvalError;
use crate::types::Field;

use super::process::ProcessScope;

/// How a stream is cut into windows, per key (Flink's window assigners with their default
/// triggers: event-time windows fire when the watermark passes their end, processing-time
/// windows when the clock does, count windows when full, purging them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WindowAssigner {
    /// Consecutive windows of `size_ms`, starting at multiples of it shifted by `offset_ms`.
    Tumbling {
        /// Window length in milliseconds (positive).
        size_ms: i64,
        /// Shift of the window starts (`|offset_ms| < size_ms`).
        #[serde(default)]
        offset_ms: i64,
        /// Event time (watermarks) rather than processing time.
        event_time: bool,
    },
    /// Windows of `size_ms` starting every `slide_ms`.
    Sliding {
        /// Window length in milliseconds (positive).
        size_ms: i64,
        /// Distance between window starts (positive).
        slide_ms: i64,
        /// Shift of the window starts (`|offset_ms| < slide_ms`).
        #[serde(default)]
        offset_ms: i64,
        /// Event time (watermarks) rather than processing time.
        event_time: bool,
    },
    /// Sessions: an element opens `[t, t + gap_ms)`; overlapping or touching windows merge.
    Session {
        /// The gap in milliseconds (positive).
        gap_ms: i64,
        /// Event time (watermarks) rather than processing time.
        event_time: bool,
    },
    /// Sessions whose gap the function gives per element ([`WindowInstance::session_gap`]).
    DynamicSession {
        /// Event time (watermarks) rather than processing time.
        event_time: bool,
    },
    /// One window per key holding all its elements ([`Window::GLOBAL`]); it fires only by a
    /// trigger ([`WindowTrigger`]; the default never fires).
    Global,
    /// Windows of `size` elements of a key starting every `slide` elements.
    Count {
        /// Elements per window (positive).
        size: i64,
        /// Elements between window starts (positive; `size` for tumbling count windows).
        slide: i64,
    },
    /// An assigner written by the user, asked through the window function
    /// ([`WindowInstance::assign`], and [`WindowInstance::merge_windows`] when it merges).
    User {
        /// Event time (watermarks) rather than processing time.
        event_time: bool,
        /// Its windows merge (a `MergingWindowAssigner`).
        merging: bool,
    },
}

impl WindowAssigner {
    /// Whether windows follow event time.
    pub fn event_time(&self) -> bool {
        match self {
            WindowAssigner::Tumbling { event_time, .. }
            | WindowAssigner::Sliding { event_time, .. }
            | WindowAssigner::Session { event_time, .. }
            | WindowAssigner::DynamicSession { event_time }
            | WindowAssigner::User { event_time, .. } => *event_time,
            WindowAssigner::Count { .. } | WindowAssigner::Global => false,
        }
    }

    /// Whether windows merge (sessions).
    pub fn merging(&self) -> bool {
        matches!(self, WindowAssigner::Session { .. } | WindowAssigner::DynamicSession { .. } | WindowAssigner::User { merging: true, .. })
    }

    /// The parameters' problem, if any (a message naming the parameter).
    pub fn check(&self) -> Result<(), String> {
        match *self {
            WindowAssigner::Tumbling { size_ms, offset_ms, .. } if size_ms <= 0 || offset_ms.unsigned_abs() >= size_ms.unsigned_abs() => {
                Err(format!("size_ms must be positive and |offset_ms| smaller than it (size_ms {size_ms}, offset_ms {offset_ms})"))
            }
            WindowAssigner::Sliding { size_ms, slide_ms, offset_ms, .. }
                if size_ms <= 0 || slide_ms <= 0 || offset_ms.unsigned_abs() >= slide_ms.unsigned_abs() =>
            {
                Err(format!(
                    "size_ms and slide_ms must be positive and |offset_ms| smaller than slide_ms (size_ms {size_ms}, slide_ms {slide_ms}, offset_ms {offset_ms})"
                ))
            }
            WindowAssigner::Session { gap_ms, .. } if gap_ms <= 0 => Err(format!("gap_ms must be positive, got {gap_ms}")),
            WindowAssigner::Count { size, slide } if size <= 0 || slide <= 0 => Err(format!("size and slide must be positive (size {size}, slide {slide})")),
            _ => Ok(()),
        }
    }

    /// A short description for EXPLAIN.
    pub fn describe(&self) -> String {
        let clock = |e: bool| if e { "event time" } else { "processing time" };
        match self {
            WindowAssigner::Tumbling { size_ms, offset_ms, event_time } => format!("tumbling {size_ms} ms (offset {offset_ms} ms, {})", clock(*event_time)),
            WindowAssigner::Sliding { size_ms, slide_ms, offset_ms, event_time } => {
                format!("sliding {size_ms} ms every {slide_ms} ms (offset {offset_ms} ms, {})", clock(*event_time))
            }
            WindowAssigner::Session { gap_ms, event_time } => format!("session gap {gap_ms} ms ({})", clock(*event_time)),
            WindowAssigner::DynamicSession { event_time } => format!("session, dynamic gap ({})", clock(*event_time)),
            WindowAssigner::Global => "global".into(),
            WindowAssigner::Count { size, slide } => format!("count {size} every {slide}"),
            WindowAssigner::User { event_time, merging } => format!("user{} ({})", if *merging { ", merging" } else { "" }, clock(*event_time)),
        }
    }
}

/// When a window fires, when it is purged (Flink's built-in triggers); without one, the
/// assigner's default trigger runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WindowTrigger {
    /// Fires when the watermark passes the window's end (`EventTimeTrigger`).
    EventTime,
    /// Fires when the clock passes the window's end (`ProcessingTimeTrigger`).
    ProcessingTime,
    /// Never fires (the default of global windows).
    Never,
    /// Fires each time the window has received `count` more elements (`CountTrigger`).
    Count {
        /// Elements per firing (positive).
        count: i64,
    },
    /// Fires every `interval_ms` of event time and at the window's end
    /// (`ContinuousEventTimeTrigger`).
    ContinuousEventTime {
        /// Milliseconds between firings (positive).
        interval_ms: i64,
    },
    /// Fires every `interval_ms` of processing time (`ContinuousProcessingTimeTrigger`).
    ContinuousProcessingTime {
        /// Milliseconds between firings (positive).
        interval_ms: i64,
    },
    /// A trigger written by the user, asked through the window function
    /// ([`WindowInstance::trigger`]).
    User,
    /// `trigger`, purging the window's contents whenever it fires (`PurgingTrigger`).
    Purging {
        /// The trigger deciding when to fire.
        trigger: Box<WindowTrigger>,
    },
}

impl WindowTrigger {
    /// The parameters' problem, if any (a message naming the parameter).
    pub fn check(&self) -> Result<(), String> {
        match self {
            WindowTrigger::Count { count } if *count <= 0 => Err(format!("count must be positive, got {count}")),
            WindowTrigger::ContinuousEventTime { interval_ms } | WindowTrigger::ContinuousProcessingTime { interval_ms } if *interval_ms <= 0 => {
                Err(format!("interval_ms must be positive, got {interval_ms}"))
            }
            WindowTrigger::Purging { trigger } => trigger.check(),
            _ => Ok(()),
        }
    }

    /// A short description for EXPLAIN.
    pub fn describe(&self) -> String {
        match self {
            WindowTrigger::EventTime => "event time".into(),
            WindowTrigger::ProcessingTime => "processing time".into(),
            WindowTrigger::Never => "never".into(),
            WindowTrigger::User => "user".into(),
            WindowTrigger::Count { count } => format!("count {count}"),
            WindowTrigger::ContinuousEventTime { interval_ms } => format!("every {interval_ms} ms of event time"),
            WindowTrigger::ContinuousProcessingTime { interval_ms } => format!("every {interval_ms} ms of processing time"),
            WindowTrigger::Purging { trigger } => format!("purging {}", trigger.describe()),
        }
    }
}

/// What removes elements from a window's contents when it fires (Flink's evictors: before the
/// window function runs, or after it with `evict_after`). A window with an evictor keeps its
/// elements, with their timestamps, whatever its function (a reduce or aggregate folds them
/// when it fires).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WindowEvictor {
    /// Keeps the last `max_count` elements (`CountEvictor`).
    Count {
        /// Elements kept (positive).
        max_count: i64,
        /// Evict after the function ran (else before).
        #[serde(default)]
        evict_after: bool,
    },
    /// Keeps the elements within `window_ms` of the newest element's timestamp
    /// (`TimeEvictor`; contents without timestamps are kept whole).
    Time {
        /// Milliseconds kept (positive).
        window_ms: i64,
        /// Evict after the function ran (else before).
        #[serde(default)]
        evict_after: bool,
    },
    /// An evictor written in the function's language (`DeltaEvictor` among them), asked through
    /// the window function ([`WindowInstance::evict`]).
    User,
}

impl WindowEvictor {
    /// The parameters' problem, if any (a message naming the parameter).
    pub fn check(&self) -> Result<(), String> {
        match self {
            WindowEvictor::Count { max_count, .. } if *max_count <= 0 => Err(format!("max_count must be positive, got {max_count}")),
            WindowEvictor::Time { window_ms, .. } if *window_ms <= 0 => Err(format!("window_ms must be positive, got {window_ms}")),
            _ => Ok(()),
        }
    }

    /// A short description for EXPLAIN.
    pub fn describe(&self) -> String {
        let when = |after: bool| if after { "after" } else { "before" };
        match self {
            WindowEvictor::Count { max_count, evict_after } => format!("count {max_count} ({})", when(*evict_after)),
            WindowEvictor::Time { window_ms, evict_after } => format!("time {window_ms} ms ({})", when(*evict_after)),
            WindowEvictor::User => "user".into(),
        }
    }
}

/// What a user-written trigger ([`WindowTrigger::User`]) is asked about a window.
#[derive(Debug)]
pub enum TriggerCall<'a> {
    /// An element (record bytes) with its timestamp was added to the window.
    Element {
        /// The record.
        element: &'a [u8],
        /// Its event time, if any.
        timestamp: Option<i64>,
    },
    /// The window's event-time timer at this time fired.
    EventTime(i64),
    /// The window's processing-time timer at this time fired.
    ProcessingTime(i64),
    /// These windows merged into the window (sessions): their trigger state moves to it.
    Merge(&'a [Window]),
    /// The window is cleaned up or merged away: the trigger drops its state and timers.
    Clear,
}

/// A timer a user-written trigger registers or deletes for the window it was asked about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerRequest {
    /// Register (else delete).
    pub register: bool,
    /// A processing-time timer (else event time).
    pub processing: bool,
    /// When.
    pub time: i64,
}

/// A user-written trigger's answer: its decision (Flink's `TriggerResult`) and its timers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TriggerReply {
    /// Evaluate the window.
    pub fire: bool,
    /// Drop the window's contents.
    pub purge: bool,
    /// Timers to register or delete, in order.
    pub timers: Vec<TimerRequest>,
}

/// One window: a time interval `[start, end)` in epoch milliseconds, or for count windows the
/// window's number in `start` (and `end` `i64::MAX`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Window {
    /// Start (inclusive), or the count window's number.
    pub start: i64,
    /// End (exclusive).
    pub end: i64,
}

impl Window {
    /// The window of [`WindowAssigner::Global`].
    pub const GLOBAL: Window = Window { start: i64::MIN, end: i64::MAX };

    /// The largest timestamp an element of a time window can have (`end - 1`; the largest
    /// timestamp for [`Window::GLOBAL`] and count windows, which never end).
    pub fn max_timestamp(&self) -> i64 {
        if self.end == i64::MAX { i64::MAX } else { self.end.saturating_sub(1) }
    }
}

/// How a merging assigner merged windows: each merge as the windows merged and the window
/// they became.
pub type WindowMerges = Vec<(Vec<Window>, Window)>;

/// How a window function wants a window's contents kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowContents {
    /// One accumulator per window, folded by [`WindowInstance::accumulate`] (reduce, aggregate).
    Accumulator,
    /// Every element, in arrival order (apply, process).
    Elements,
}

/// A fired window's contents, as handed to [`WindowInstance::fire`].
#[derive(Debug)]
pub enum Fired<'a> {
    /// The accumulator.
    Accumulator(&'a [u8]),
    /// The elements, in arrival order.
    Elements(&'a [Vec<u8>]),
}

/// A window function as registered: it names its output columns and makes one instance per
/// worker. Implementations must be thread-safe.
pub trait UserWindowFunction: Send + Sync {
    /// The name it is registered under (matched case-insensitively).
    fn name(&self) -> &str;

    /// The columns of the rows it emits.
    fn output(&self) -> Vec<Field>;

    /// The output column holding each emitted row's event time, if any.
    fn output_timestamp(&self) -> Option<usize>;

    /// How the operator keeps a window's contents.
    fn contents(&self) -> WindowContents;

    /// A fresh, opened instance for worker `worker` of `workers`.
    fn instantiate(&self, worker: usize, workers: usize) -> Result<Box<dyn WindowInstance>, EvalError>;
}

/// One worker's instance of a window function. Called on that worker's thread only.
pub trait WindowInstance {
    /// Folds `elements` (record bytes, in arrival order) into `accumulator` (`None`: the window
    /// is empty) and returns the new accumulator.
    fn accumulate(&mut self, accumulator: Option<&[u8]>, elements: &[Vec<u8>]) -> Result<Vec<u8>, EvalError>;

    /// One accumulator combining `accumulators` (two or more, in window order: sessions merge).
    fn merge(&mut self, accumulators: &[Vec<u8>]) -> Result<Vec<u8>, EvalError>;

    /// `window` of the scope's key fired with `contents`: emits the window's results through
    /// the scope (whose state the function may use, as a `ProcessWindowFunction` does).
    fn fire(&mut self, scope: &mut dyn ProcessScope, window: Window, contents: Fired<'_>) -> Result<(), EvalError>;

    /// The windows of `element` (with its event time, if any) for [`WindowAssigner::User`],
    /// asked with the operator's scope for the current key (whose state the assigner may use).
    fn assign(&mut self, _scope: &mut dyn ProcessScope, _element: &[u8], _timestamp: Option<i64>) -> Result<Vec<Window>, EvalError> {
        Err(EvalError::new("this window function has no window assigner of its own"))
    }

    /// How a merging [`WindowAssigner::User`] merges `windows` (a key's windows): each merge
    /// as the windows merged and the window they become.
    fn merge_windows(&mut self, _scope: &mut dyn ProcessScope, _windows: &[Window]) -> Result<WindowMerges, EvalError> {
        Err(EvalError::new("this window function has no merging window assigner of its own"))
    }

    /// A user-written evictor ([`WindowEvictor::User`]) asked about `window` of the scope's key
    /// as it fires, `before` or after the function ran, with its `elements` and their
    /// `timestamps`: the indexes of the elements kept, in order.
    fn evict(
        &mut self,
        _scope: &mut dyn ProcessScope,
        _window: Window,
        _elements: &[Vec<u8>],
        _timestamps: &[Option<i64>],
        _before: bool,
    ) -> Result<Vec<usize>, EvalError> {
        Err(EvalError::new("this window function has no evictor of its own"))
    }

    /// The session gap (milliseconds, positive) of `element`, for [`WindowAssigner::DynamicSession`].
    fn session_gap(&mut self, _element: &[u8]) -> Result<i64, EvalError> {
        Err(EvalError::new("this window function gives no session gaps"))
    }

    /// A user-written trigger ([`WindowTrigger::User`]) asked about `window` of the scope's
    /// key (whose state it may keep, per window, through the scope).
    fn trigger(&mut self, _scope: &mut dyn ProcessScope, _window: Window, _call: TriggerCall<'_>) -> Result<TriggerReply, EvalError> {
        Err(EvalError::new("this window function has no trigger of its own"))
    }

    /// Whether [`WindowInstance::clear`] does anything (the operator skips the call if not).
    fn clears(&self) -> bool {
        false
    }

    /// `window`'s state is dropped (its cleanup time passed).
    fn clear(&mut self, _scope: &mut dyn ProcessScope, _window: Window) -> Result<(), EvalError> {
        Ok(())
    }

    /// An element arrived after every window it belongs to was cleaned up: the function sends
    /// it to its late-data side output, or counts it as dropped.
    fn late(&mut self, scope: &mut dyn ProcessScope, element: &[u8], timestamp: Option<i64>) -> Result<(), EvalError>;

    /// The input has ended.
    fn close(&mut self) -> Result<(), EvalError>;
}
