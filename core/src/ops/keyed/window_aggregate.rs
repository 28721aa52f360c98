//! Window aggregates on keyed state (streaming, event time): a GROUP BY over a window's
//! bounds whose groups each lie in one window. Per group the state holds its key values and
//! the partial aggregates, updated as each row arrives (so a window costs one accumulator per
//! group, not its rows); a timer at the window's end emits the group's row once — when the
//! watermark passes the end, at the end's time — and forgets the group.
//!
//! Late rows: a row arriving after its window fired is dropped and counted, unless an allowed
//! lateness keeps the group a while longer (Flink's `table.exec.emit.allow-lateness`): then
//! the row updates the group and its result goes out again, as a retraction of the old row and
//! the new one; a second timer at `end + lateness` forgets the group.
//!
//! DISTINCT aggregates keep the values they have seen per group in a map state.

use weir_state::codec::DecodeError;
use weir_state::{ListState, MapState, StateCodec, StateError, ValueState};

use crate::expr::CompiledExpr;
use crate::plan::AggregateFunction;
use crate::runtime::JobContext;
use crate::types::{DataType, Row, Value};

use super::super::accumulate::Accumulator;
use super::super::{Evaluator, Rows};
use super::{keyed, KeyedContext, KeyedLogic};

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
    /// The position of `window_end` among the group keys.
    pub end_key: usize,
    /// The aggregates per group.
    pub aggregates: Vec<WindowAggregateCall>,
    /// How long after its end a window still takes late rows, in ms.
    pub lateness_ms: u64,
}

/// The rows of a window aggregate over `input`: the group keys followed by the aggregates.
pub fn window_aggregate<'s>(node: &str, index: usize, input: Rows<'s>, spec: WindowAggregateSpec, eval: Evaluator, ctx: JobContext) -> Option<Rows<'s>> {
    let keys = spec.group_by.clone();
    let logic = WindowAggregate {
        group_by: spec.group_by,
        end_key: spec.end_key,
        lateness: i64::try_from(spec.lateness_ms).unwrap_or(i64::MAX),
        aggregates: spec.aggregates,
        eval: eval.clone(),
        groups: ValueState::new("window-groups"),
        seen: MapState::new("window-distinct"),
        late: ListState::new("window-late"),
    };
    keyed(node, index, vec![(input, keys)], logic, eval, ctx)
}

/// A group's state.
#[derive(Clone, Debug)]
struct Group {
    /// Its key values (the output row's first columns).
    keys: Row,
    /// The partial aggregates (empty before the first row).
    partials: Row,
    /// How many rows it has taken.
    rows: u64,
    /// Whether its window has fired: its result has gone out (if it had rows).
    fired: bool,
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

struct WindowAggregate {
    group_by: Vec<CompiledExpr>,
    end_key: usize,
    lateness: i64,
    aggregates: Vec<WindowAggregateCall>,
    eval: Evaluator,
    groups: ValueState<Group>,
    /// DISTINCT aggregates' values seen, by aggregate.
    seen: MapState<Value, (), u32>,
    /// Late rows waiting for their window to fire first, by the time they arrived at.
    late: ListState<Row, i64>,
}

impl WindowAggregate {
    fn fresh(&self) -> Vec<Accumulator> {
        self.aggregates.iter().map(|a| Accumulator::new(a.function, a.output_type)).collect()
    }

    /// Adds `rows` to `group`; once the window has fired, sends the changed result out again
    /// (a late firing: the old row retracted, the new one emitted).
    fn add_rows(&self, cx: &mut KeyedContext<'_>, mut group: Group, rows: &[Row]) -> Result<Group, StateError> {
        let mut accs = self.restore(&group.partials);
        let before = (group.fired && group.rows > 0).then(|| self.result(&group.keys, &accs));
        for row in rows {
            if self.accumulate(cx, &mut accs, row)?.is_some() {
                group.rows += 1;
            }
        }
        if group.fired && group.rows > 0 {
            let new = self.result(&group.keys, &accs);
            if before.as_ref() != Some(&new) {
                if let Some(old) = before {
                    cx.retract(old);
                }
                cx.emit(new);
            }
        }
        group.partials = Self::partials(&accs);
        Ok(group)
    }

    fn restore(&self, partials: &Row) -> Vec<Accumulator> {
        let mut accs = self.fresh();
        if partials.values().is_empty() {
            return accs;
        }
        let mut rest = partials.values();
        for acc in &mut accs {
            let (mine, after) = rest.split_at(acc.partial_width().min(rest.len()));
            acc.merge(mine, 1);
            rest = after;
        }
        accs
    }

    fn partials(accs: &[Accumulator]) -> Row {
        let mut values = Vec::new();
        accs.iter().for_each(|a| a.partial(&mut values));
        Row::new(values)
    }

    fn result(&self, keys: &Row, accs: &[Accumulator]) -> Row {
        keys.concat(&accs.iter().zip(&self.aggregates).map(|(acc, a)| acc.finish(a.output_type)).collect())
    }

    /// Adds `row` to the accumulators; `None` after an evaluation error (reported).
    fn accumulate(&self, cx: &mut KeyedContext<'_>, accs: &mut [Accumulator], row: &Row) -> Result<Option<()>, StateError> {
        for (i, (acc, a)) in accs.iter_mut().zip(&self.aggregates).enumerate() {
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
}

impl KeyedLogic for WindowAggregate {
    fn on_row(&mut self, cx: &mut KeyedContext<'_>, _input: usize, row: Row) -> Result<(), StateError> {
        let key = cx.key().to_vec();
        let group = match self.groups.get(cx.store, &key, &())? {
            Some(group) => group,
            None => {
                let Some(keys) = self.eval.eval_row(&self.group_by, &row) else { return Ok(()) };
                Group { keys, partials: Row::new(Vec::new()), rows: 0, fired: false }
            }
        };
        let Some(end) = group.keys.get(self.end_key).as_i64() else { return Ok(()) };
        if cx.is_late_for(end.saturating_add(self.lateness)) {
            cx.drop_late();
            return Ok(());
        }
        if !group.fired && cx.is_late_for(end) {
            // The window fires before this row's time without it: the row updates the result
            // after that, at its own time (whatever order rows and timers come in).
            let arrival = cx.arrival();
            self.late.add(cx.store, &key, &arrival, &row)?;
            cx.register_timer(arrival)?;
            cx.register_timer(end)?;
            return self.groups.update(cx.store, &key, &(), &group);
        }
        let fired = group.fired;
        let group = self.add_rows(cx, group, std::slice::from_ref(&row))?;
        if !fired {
            cx.register_timer(end)?;
        }
        self.groups.update(cx.store, &key, &(), &group)
    }

    fn on_timer(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64) -> Result<(), StateError> {
        let key = cx.key().to_vec();
        let Some(mut group) = self.groups.get(cx.store, &key, &())? else { return Ok(()) };
        let Some(end) = group.keys.get(self.end_key).as_i64() else { return Ok(()) };
        if !group.fired && timestamp >= end {
            if group.rows > 0 {
                cx.emit(self.result(&group.keys, &self.restore(&group.partials)));
            }
            group.fired = true;
            if self.lateness > 0 {
                cx.register_timer(end.saturating_add(self.lateness))?;
            }
        }
        let late = self.late.get(cx.store, &key, &timestamp)?;
        if !late.is_empty() {
            self.late.clear(cx.store, &key, &timestamp)?;
            group = self.add_rows(cx, group, &late)?;
        }
        if timestamp >= end.saturating_add(self.lateness) {
            self.groups.clear(cx.store, &key, &())?;
            for (i, a) in self.aggregates.iter().enumerate() {
                if a.distinct {
                    self.seen.clear(cx.store, &key, &(i as u32))?;
                }
            }
            return Ok(());
        }
        self.groups.update(cx.store, &key, &(), &group)
    }
}
