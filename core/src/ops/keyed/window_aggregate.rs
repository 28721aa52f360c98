//! Window aggregates on keyed state (streaming, event time): a GROUP BY over a window's
//! bounds whose groups each lie in one window. Per group the state holds its key values and
//! the partial aggregates, updated as each row arrives (so a window costs one accumulator per
//! group, not its rows); a timer at the window's last millisecond emits the group's row once —
//! when the watermark reaches `end - 1`, Flink's rule, at that time — and forgets the group.
//!
//! Late rows: a row arriving after its window fired is dropped and counted, unless an allowed
//! lateness keeps the group a while longer (Flink's `table.exec.emit.allow-lateness`): then
//! the row updates the group and its result goes out again, as a retraction of the old row and
//! the new one; a second timer at `end - 1 + lateness` forgets the group.
//!
//! DISTINCT aggregates keep the values they have seen per group in a map state.
//!
//! The groups rows touch stay live (decoded accumulators in a hash map) from batch to batch
//! until their window is forgotten: the state backend gets them only when a checkpoint takes
//! the store ([`KeyedLogic::write_back`]) or the live groups outgrow their bound, which then
//! start empty again. A group whose window fires between two checkpoints is never encoded.
//!
//! Without DISTINCT aggregates the aggregate runs in two phases, as Flink's local-global
//! window aggregation does: before the exchange, each worker folds its rows into partial
//! aggregates per group and time (`aggregate::combine_window_rows`, the local combiner of the
//! differential aggregate), and the keyed phase merges those partials. Rows of one time share
//! their lateness, so a partial is late, or on time, exactly when its rows are; a dropped
//! partial counts its rows as late. Fused with the TUMBLE window it reads, the combiner reads
//! the window's input rows and computes their window bounds from the time column (Flink's
//! `LocalWindowAggregate(window=[TUMBLE(..)])`): the rows and their times are the window's.

use weir_state::codec::DecodeError;
use weir_state::{KeyedStateStore, ListState, MapState, StateCodec, StateError, ValueState};

use crate::expr::BoundExpr;
use crate::expr::CompiledExpr;
use crate::job::JobContext;
use crate::plan::AggregateFunction;
use crate::types::{DataType, Row, Value};

use super::super::accumulate::{Accumulator, merge_partials, partials};
use super::super::aggregate::combine_window_rows;
use super::super::window::{TumbleKeys, window};
use super::super::{Evaluator, Rows};
use super::{KeyMap, decoded_keys_bound};
use super::{KeyedContext, KeyedLogic, keyed};

/// One aggregate of a window aggregate, ready to run.
pub struct WindowAggregateCall {
    /// The function.
    pub function: AggregateFunction,
    /// Its argument (`None`: `COUNT(*)`).
    pub arg: Option<CompiledExpr>,
    /// Only distinct argument values count.
    pub distinct: bool,
    /// Only rows where this is TRUE count.
    pub filter: Option<CompiledExpr>,
    /// The result type.
    pub output_type: DataType,
}

/// A window aggregate, ready to run.
pub struct WindowAggregateSpec {
    /// The group keys (the window's start and end among them).
    pub group_by: Vec<CompiledExpr>,
    /// The types of the group keys.
    pub key_types: Vec<DataType>,
    /// The position of `window_end` among the group keys.
    pub end_key: usize,
    /// The aggregates per group.
    pub aggregates: Vec<WindowAggregateCall>,
    /// How long after its end a window still takes late rows, in ms.
    pub lateness_ms: u64,
    /// Fused with the TUMBLE window it reads: the input rows are the window's input rows, and
    /// the local combiner computes their group keys (`group_by` over the window rows) with this.
    pub tumble: Option<TumbleKeys>,
}

/// The rows of a window aggregate over `input`: the group keys followed by the aggregates.
pub fn window_aggregate<'s>(node: &str, index: usize, input: Rows<'s>, spec: WindowAggregateSpec, eval: Evaluator, ctx: JobContext) -> Option<Rows<'s>> {
    let width = spec.group_by.len();
    // Without a combiner (DISTINCT) the keyed phase reads window rows: a fused window builds them.
    let (input, tumble) = match spec.tumble {
        Some(t) if spec.aggregates.iter().any(|c| c.distinct) => (window(input, t.window, t.time_column), None),
        tumble => (input, tumble),
    };
    let combined = combine_window_rows(input.clone(), spec.group_by.clone(), tumble, spec.key_types.clone(), &spec.aggregates, eval.clone());
    // Pre-aggregated rows are the group keys followed by the partials (and the row count).
    let (input, group_by, input_kind) = match combined {
        Some(partials) => {
            let keys = spec.key_types.iter().enumerate().map(|(i, t)| BoundExpr::column(i, *t, true).compile()).collect();
            (partials.map(|(key, partials)| key.concat(&partials)), keys, Input::Partials { at: width })
        }
        None => (input, spec.group_by, Input::Rows),
    };
    let keys = group_by.clone();
    let logic = WindowAggregate {
        group_by,
        input: input_kind,
        end_key: spec.end_key,
        lateness: i64::try_from(spec.lateness_ms).unwrap_or(i64::MAX),
        calls: Calls { calls: spec.aggregates, eval: eval.clone(), seen: MapState::new("window-distinct") },
        groups: ValueState::new("window-groups"),
        late: ListState::new("window-late"),
        live: KeyMap::default(),
        unwritten: 0,
    };
    keyed(node, index, vec![(input, keys)], logic, eval, ctx)
}

/// A group's state.
#[derive(Clone, Debug)]
pub(super) struct Group {
    /// Its key values (the output row's first columns).
    pub(super) keys: Row,
    /// The partial aggregates (empty before the first row).
    pub(super) partials: Row,
    /// How many rows it has taken.
    pub(super) rows: u64,
    /// Whether its window has fired: its result has gone out (if it had rows).
    pub(super) fired: bool,
}

impl StateCodec for Group {
    fn encode(&self, out: &mut Vec<u8>) {
        self.keys.encode(out);
        self.partials.encode(out);
        self.rows.encode(out);
        self.fired.encode(out);
    }

    fn decode(input: &mut &[u8]) -> Result<Self, DecodeError> {
        Ok(Group { keys: Row::decode(input)?, partials: Row::decode(input)?, rows: u64::decode(input)?, fired: bool::decode(input)? })
    }
}

/// A group being updated: [`Group`] with its accumulators decoded.
struct Live {
    keys: Row,
    accs: Vec<Accumulator>,
    rows: u64,
    fired: bool,
    /// Changed since read or last written back.
    dirty: bool,
    /// The backend holds it (an older version, when dirty).
    stored: bool,
}

/// The aggregates of a window aggregate and how to evaluate them (shared with the session
/// aggregate).
pub(super) struct Calls {
    pub(super) calls: Vec<WindowAggregateCall>,
    pub(super) eval: Evaluator,
    /// DISTINCT aggregates' values seen, by aggregate.
    pub(super) seen: MapState<Value, (), u32>,
}

impl Calls {
    pub(super) fn fresh(&self) -> Vec<Accumulator> {
        self.calls.iter().map(|a| Accumulator::new(a.function, a.output_type)).collect()
    }

    /// The accumulators whose partial aggregates are `partials` (fresh ones when empty).
    pub(super) fn restore(&self, partials: &Row) -> Vec<Accumulator> {
        let mut accs = self.fresh();
        merge_partials(&mut accs, partials.values(), 1);
        accs
    }

    /// The aggregates' results.
    pub(super) fn finish(&self, accs: &[Accumulator]) -> Row {
        accs.iter().zip(&self.calls).map(|(acc, a)| acc.finish(a.output_type)).collect()
    }

    /// A group read from the backend, decoded.
    fn live(&self, group: Group) -> Live {
        Live { accs: self.restore(&group.partials), keys: group.keys, rows: group.rows, fired: group.fired, dirty: false, stored: true }
    }

    /// A group as the backend stores it.
    fn stored(live: &Live) -> Group {
        Group { partials: partials(&live.accs), keys: live.keys.clone(), rows: live.rows, fired: live.fired }
    }

    fn result(&self, live: &Live) -> Row {
        live.keys.concat(&self.finish(&live.accs))
    }

    /// Adds `rows` (of kind `input`) to `live`; once its window has fired, sends the changed
    /// result out again (a late firing: the old row retracted, the new one emitted).
    fn add(&self, cx: &mut KeyedContext<'_>, live: &mut Live, rows: &[Row], input: Input) -> Result<(), StateError> {
        let before = (live.fired && live.rows > 0).then(|| self.result(live));
        for row in rows {
            match input {
                Input::Rows => {
                    if self.accumulate(cx, &mut live.accs, row)?.is_some() {
                        live.rows += 1;
                    }
                }
                Input::Partials { at } => {
                    let values = row.values().get(at..).unwrap_or_default();
                    merge_partials(&mut live.accs, values, 1);
                    live.rows += input.rows(row);
                }
            }
        }
        if live.fired && live.rows > 0 {
            cx.replace(before, self.result(live));
        }
        Ok(())
    }

    /// Adds `row` to the accumulators; `None` after an evaluation error (reported).
    pub(super) fn accumulate(&self, cx: &mut KeyedContext<'_>, accs: &mut [Accumulator], row: &Row) -> Result<Option<()>, StateError> {
        for (i, (acc, a)) in accs.iter_mut().zip(&self.calls).enumerate() {
            if let Some(filter) = &a.filter {
                let Some(keep) = self.eval.eval(filter, row) else { return Ok(None) };
                if keep.as_bool() != Some(true) {
                    continue;
                }
            }
            let value = match &a.arg {
                Some(arg) => match self.eval.eval(arg, row) {
                    Some(v) => v,
                    None => return Ok(None),
                },
                None => Value::Boolean(true),
            };
            if a.distinct && !value.is_null() {
                let key = cx.key().to_vec();
                let namespace = i as u32;
                if self.seen.contains(cx.store, &key, &namespace, &value)? {
                    continue;
                }
                self.seen.put(cx.store, &key, &namespace, &value, &())?;
            }
            acc.add(&value, 1);
        }
        Ok(Some(()))
    }

    /// Forgets the DISTINCT values of the context's group.
    pub(super) fn clear(&self, cx: &mut KeyedContext<'_>) -> Result<(), StateError> {
        let key = cx.key().to_vec();
        for (i, a) in self.calls.iter().enumerate() {
            if a.distinct {
                self.seen.clear(cx.store, &key, &(i as u32))?;
            }
        }
        Ok(())
    }
}

/// The last millisecond of a window ending (exclusively) at `end`: its timer's time.
pub(super) fn last_ms(end: i64) -> i64 {
    end.saturating_sub(1)
}

/// What a window aggregate's input rows are.
#[derive(Clone, Copy)]
enum Input {
    /// Rows, each folded in by evaluating the aggregates' arguments.
    Rows,
    /// The group keys, then from column `at` the partial aggregates of a local combiner and
    /// the number of rows they hold.
    Partials { at: usize },
}

impl Input {
    /// How many input rows `row` stands for.
    fn rows(self, row: &Row) -> u64 {
        match self {
            Input::Rows => 1,
            Input::Partials { .. } => row.values().last().and_then(Value::as_i64).and_then(|n| u64::try_from(n).ok()).unwrap_or(0),
        }
    }
}

struct WindowAggregate {
    group_by: Vec<CompiledExpr>,
    input: Input,
    end_key: usize,
    lateness: i64,
    calls: Calls,
    groups: ValueState<Group>,
    /// Late rows waiting for their window to fire first, by the time they arrived at.
    late: ListState<Row, i64>,
    /// The groups rows have touched and whose windows are not forgotten yet, by encoded key
    /// (those the backend holds are read from it when not here).
    live: KeyMap<Live>,
    /// Live groups the backend does not hold yet.
    unwritten: u64,
}

impl WindowAggregate {
    /// Takes the group of `key` out of the live groups, or reads it from the backend.
    fn take(&mut self, store: &mut KeyedStateStore, key: &[u8]) -> Result<Option<Live>, StateError> {
        match self.live.remove(key) {
            Some(live) => Ok(Some(live)),
            None => Ok(self.groups.get(store, key, &())?.map(|group| self.calls.live(group))),
        }
    }
}

impl KeyedLogic for WindowAggregate {
    fn on_row(&mut self, cx: &mut KeyedContext<'_>, _input: usize, row: Row) -> Result<(), StateError> {
        if !self.live.contains_key(cx.key()) {
            let live = match self.groups.get(cx.store, cx.key(), &())? {
                Some(group) => self.calls.live(group),
                None => {
                    let Some(keys) = self.calls.eval.eval_row(&self.group_by, &row) else { return Ok(()) };
                    let Some(last) = keys.get(self.end_key).as_i64().map(last_ms) else { return Ok(()) };
                    if cx.is_late_for(last.saturating_add(self.lateness)) {
                        cx.drop_late_rows(self.input.rows(&row));
                        return Ok(());
                    }
                    cx.register_timer(last)?;
                    self.unwritten += 1;
                    Live { keys, accs: self.calls.fresh(), rows: 0, fired: false, dirty: true, stored: false }
                }
            };
            self.live.insert(cx.key().to_vec(), live);
        }
        let Some(live) = self.live.get_mut(cx.key()) else { return Ok(()) };
        let Some(last) = live.keys.get(self.end_key).as_i64().map(last_ms) else { return Ok(()) };
        if cx.is_late_for(last.saturating_add(self.lateness)) {
            cx.drop_late_rows(self.input.rows(&row));
            return Ok(());
        }
        if !live.fired && cx.is_late_for(last) {
            // The window fires before this row's time without it: the row updates the result
            // after that, at its own time (whatever order rows and timers come in).
            let arrival = cx.row_time().map_or(i64::MAX, |t| i64::try_from(t).unwrap_or(i64::MAX));
            self.late.add(cx.store, cx.key(), &arrival, &row)?;
            return cx.register_timer(arrival);
        }
        live.dirty = true;
        self.calls.add(cx, live, std::slice::from_ref(&row), self.input)
    }

    fn flush(&mut self, store: &mut KeyedStateStore) -> Result<(), StateError> {
        if self.live.len() > decoded_keys_bound(store.backend().kind()) {
            self.write_back(store)?;
            self.live.clear();
        }
        Ok(())
    }

    fn write_back(&mut self, store: &mut KeyedStateStore) -> Result<(), StateError> {
        for (key, live) in self.live.iter_mut().filter(|(_, live)| live.dirty) {
            self.groups.update(store, key, &(), &Calls::stored(live))?;
            live.dirty = false;
            live.stored = true;
        }
        self.unwritten = 0;
        Ok(())
    }

    fn unwritten_entries(&self) -> u64 {
        self.unwritten
    }

    fn on_timer(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64) -> Result<(), StateError> {
        let key = cx.key().to_vec();
        let Some(mut live) = self.take(cx.store, &key)? else { return Ok(()) };
        let Some(last) = live.keys.get(self.end_key).as_i64().map(last_ms) else {
            // Taken out of the live groups: put back as it was, as the backend kept it before.
            self.live.insert(key, live);
            return Ok(());
        };
        if !live.fired && timestamp >= last {
            if live.rows > 0 {
                cx.emit(self.calls.result(&live));
            }
            live.fired = true;
            if self.lateness > 0 {
                cx.register_timer(last.saturating_add(self.lateness))?;
            }
        }
        let late = if self.late.known_empty(cx.store) { Vec::new() } else { self.late.get(cx.store, &key, &timestamp)? };
        if !late.is_empty() {
            self.late.clear(cx.store, &key, &timestamp)?;
            self.calls.add(cx, &mut live, &late, self.input)?;
        }
        if timestamp >= last.saturating_add(self.lateness) {
            if live.stored {
                self.groups.clear(cx.store, &key, &())?;
            } else {
                self.unwritten = self.unwritten.saturating_sub(1);
            }
            return self.calls.clear(cx);
        }
        live.dirty = true;
        self.live.insert(key, live);
        Ok(())
    }
}
