//! SESSION window aggregates: a GROUP BY over a SESSION window's bounds and its partition
//! keys, run as one keyed operator. Per partition key the state holds the open sessions, each
//! with its partial aggregates instead of its rows; a row that bridges sessions merges them
//! (their accumulators merge, as Flink's merging window aggregates do). A session's row goes
//! out once, when the watermark passes its end (batch: at the end of the input), and the
//! session is forgotten. A late row that would open a session already closed is dropped and
//! counted.
//!
//! The planner fuses a `window` node of kind session into the aggregate reading it when that
//! is its only reader, the group keys are the window bounds and the partition columns, and
//! no aggregate is DISTINCT or reads a window column (see `compile::fusion`).

use weir_state::{KeyedStateStore, StateError, ValueState};

use crate::expr::CompiledExpr;
use crate::job::JobContext;
use crate::types::{Row, Value};

use super::super::accumulate::{Accumulator, merge_partials, partials};
use super::super::{Evaluator, Rows};
use super::KeyMap;
use super::session::{merged_bounds, touches};
use super::window_aggregate::Calls;
use super::{KeyedContext, KeyedLogic, WindowAggregateCall, keyed};

/// One output column of a fused window aggregate's group keys (a SESSION aggregate's, or a
/// sliced HOP or CUMULATE aggregate's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowKey {
    /// `window_start`.
    Start,
    /// `window_end`.
    End,
    /// The `i`-th partition key: a SESSION window's `PARTITION BY` column, or a sliced
    /// aggregate's `i`-th group key other than the window's bounds.
    Partition(usize),
}

/// A SESSION window aggregate, ready to run.
pub struct SessionAggregateSpec {
    /// The partition keys over the input rows.
    pub partition_by: Vec<CompiledExpr>,
    /// The input's event-time column.
    pub time_column: usize,
    /// The inactivity gap that closes a session, in ms.
    pub gap_ms: u64,
    /// The group keys, in output order.
    pub keys: Vec<WindowKey>,
    /// The aggregates per session (none DISTINCT).
    pub aggregates: Vec<WindowAggregateCall>,
}

/// Per session of each partition key of `input`: the group keys, then the aggregates.
pub fn session_aggregate<'s>(node: &str, index: usize, input: Rows<'s>, spec: SessionAggregateSpec, eval: Evaluator, ctx: JobContext) -> Option<Rows<'s>> {
    let partition_by = spec.partition_by.clone();
    let logic = SessionAggregate {
        partition_by: spec.partition_by,
        time_column: spec.time_column,
        gap: i64::try_from(spec.gap_ms).unwrap_or(i64::MAX),
        keys: spec.keys,
        calls: Calls { calls: spec.aggregates, eval: eval.clone(), seen: weir_state::MapState::new("session-distinct") },
        sessions: ValueState::new("session-aggregates"),
        live: KeyMap::default(),
    };
    keyed(node, index, vec![(input, partition_by)], logic, eval, ctx)
}

/// One open session: start, end, and its aggregates.
struct Session {
    start: i64,
    end: i64,
    accs: Vec<Accumulator>,
}

/// A partition key's open sessions, decoded.
struct Partition {
    keys: Row,
    sessions: Vec<Session>,
}

/// A partition key's state: its key values and its sessions `(start, end, partials)`.
type Stored = (Row, Vec<(i64, i64, Row)>);

struct SessionAggregate {
    partition_by: Vec<CompiledExpr>,
    time_column: usize,
    gap: i64,
    keys: Vec<WindowKey>,
    calls: Calls,
    sessions: ValueState<Stored>,
    /// The partitions the current batch of rows has touched, by encoded key.
    live: KeyMap<Partition>,
}

impl SessionAggregate {
    fn decode(&self, (keys, sessions): Stored) -> Partition {
        let sessions = sessions.into_iter().map(|(start, end, partials)| Session { start, end, accs: self.calls.restore(&partials) }).collect();
        Partition { keys, sessions }
    }

    fn encode(partition: Partition) -> Stored {
        (partition.keys, partition.sessions.into_iter().map(|s| (s.start, s.end, partials(&s.accs))).collect())
    }

    fn output(&self, keys: &Row, session: &Session) -> Row {
        let key_values: Row = self
            .keys
            .iter()
            .map(|k| match k {
                WindowKey::Start => Value::Timestamp(session.start),
                WindowKey::End => Value::Timestamp(session.end),
                WindowKey::Partition(i) => keys.get(*i).clone(),
            })
            .collect();
        key_values.concat(&self.calls.finish(&session.accs))
    }
}

impl KeyedLogic for SessionAggregate {
    fn on_row(&mut self, cx: &mut KeyedContext<'_>, _input: usize, row: Row) -> Result<(), StateError> {
        let Some(ts) = row.get(self.time_column).as_i64() else { return Ok(()) };
        if !self.live.contains_key(cx.key()) {
            let partition = match self.sessions.get(cx.store, cx.key(), &())? {
                Some(stored) => self.decode(stored),
                None => {
                    let Some(keys) = self.calls.eval.eval_row(&self.partition_by, &row) else { return Ok(()) };
                    Partition { keys, sessions: Vec::new() }
                }
            };
            self.live.insert(cx.key().to_vec(), partition);
        }
        let Some(partition) = self.live.get_mut(cx.key()) else { return Ok(()) };
        let own = (ts, ts.saturating_add(self.gap));
        let overlaps = |s: &Session| touches(own, (s.start, s.end));
        let (start, end) = merged_bounds(own, partition.sessions.iter().filter(|s| overlaps(s)).map(|s| (s.start, s.end)));
        if cx.is_late_for(end - 1) {
            // A session of its own that has already closed: its row went out without it.
            cx.drop_late();
            return Ok(());
        }
        let (merged, kept): (Vec<Session>, Vec<Session>) = std::mem::take(&mut partition.sessions).into_iter().partition(overlaps);
        let mut accs = self.calls.fresh();
        for s in merged {
            if s.end != end {
                cx.delete_timer(s.end - 1)?;
            }
            merge_partials(&mut accs, partials(&s.accs).values(), 1);
        }
        partition.sessions = kept;
        // An evaluation error (reported, failing the job) leaves the row out, not the sessions.
        self.calls.accumulate(cx, &mut accs, &row)?;
        partition.sessions.push(Session { start, end, accs });
        partition.sessions.sort_unstable_by_key(|s| s.start);
        cx.register_timer(end - 1)
    }

    fn flush(&mut self, store: &mut KeyedStateStore) -> Result<(), StateError> {
        for (key, partition) in self.live.drain() {
            self.sessions.update(store, &key, &(), &Self::encode(partition))?;
        }
        Ok(())
    }

    fn on_timer(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64) -> Result<(), StateError> {
        let key = cx.key().to_vec();
        let Some(stored) = self.sessions.get(cx.store, &key, &())? else { return Ok(()) };
        let partition = self.decode(stored);
        let (closed, open): (Vec<Session>, Vec<Session>) = partition.sessions.into_iter().partition(|s| s.end - 1 <= timestamp);
        for session in &closed {
            cx.emit(self.output(&partition.keys, session));
        }
        if open.is_empty() {
            return self.sessions.clear(cx.store, &key, &());
        }
        self.sessions.update(cx.store, &key, &(), &Self::encode(Partition { keys: partition.keys, sessions: open }))
    }
}
