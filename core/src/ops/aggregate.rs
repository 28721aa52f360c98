//! `aggregate`: GROUP BY keys with COUNT, SUM, MIN, MAX, AVG (optionally DISTINCT or
//! FILTERed).
//!
//! Two plans, chosen per node:
//! * **General** (input may retract): differential's `reduce` keeps every group's current
//!   values and re-derives the result when they change, so MIN and MAX stay right under
//!   retractions.
//! * **Two-phase** (append-only input, no DISTINCT): a local combiner folds each worker's rows
//!   into one partial result per group and time before the exchange, and a hash table merges
//!   the partials as their times complete ([`hash_aggregate`]) — Flink's local-global
//!   aggregation. Far less data crosses workers and is indexed.
//!   Over a source read by the aggregate alone, the source's splits run the combiner
//!   (`combiner`).

use std::collections::BTreeSet;
use std::sync::Arc;

use differential_dataflow::VecCollection;

use crate::expr::{BoundExpr, CompiledExpr};
use crate::plan::{AggregateFunction, BoundAggregate, BoundUserAggregate, two_phase};
use crate::types::{DataType, Row, Value};

use crate::job::JobContext;

use super::accumulate::Accumulator;
use super::combiner::{AggregateInput, LocalCombiner, Partials, combine};
use super::hash_aggregate::hash_aggregate;
use super::keyed::{GroupAggregateSpec, GroupInput, GroupedRows, UserGroupAggregateSpec, WindowAggregateCall, group_aggregate, user_group_aggregate};
use super::slicing::Slicing;
use super::window::{TumbleKeys, window};
use super::{Evaluator, Rows, Time};

/// One aggregate, ready to run.
#[derive(Clone, Debug)]
pub(super) struct AggregateSlot {
    pub(super) function: AggregateFunction,
    /// Position of its argument among the evaluated slot values (`None`: unfiltered COUNT(*)).
    slot: Option<usize>,
    pub(super) distinct: bool,
    pub(super) output_type: DataType,
    /// Whether the aggregate's input may retract (FIRST_VALUE and LAST_VALUE then keep every
    /// value, see [`Accumulator::retracting`]).
    retracting: bool,
}

impl AggregateSlot {
    /// A slot of `function` over slot value `slot` (`None`: COUNT(*)), for tests of the
    /// operators that use slots.
    #[cfg(test)]
    pub(super) fn new(function: AggregateFunction, slot: Option<usize>, distinct: bool, output_type: DataType, retracting: bool) -> AggregateSlot {
        AggregateSlot { function, slot, distinct, output_type, retracting }
    }

    pub(super) fn accumulator(&self) -> Accumulator {
        if self.retracting { Accumulator::retracting(self.function, self.output_type) } else { Accumulator::new(self.function, self.output_type) }
    }

    /// The value this aggregate absorbs for a row whose slot values are `values`.
    pub(super) fn input<'v>(&self, values: &'v [Value]) -> &'v Value {
        AggregateSlot::value_of(self.slot, values)
    }

    /// Its slot (see [`AggregateSlot::value_of`]).
    pub(super) fn slot(&self) -> Option<usize> {
        self.slot
    }

    /// The value an aggregate of slot `slot` absorbs for a row whose slot values are `values`:
    /// slot value `slot`, or TRUE for an unfiltered COUNT(*) (`None`), which counts every row.
    #[inline]
    pub(super) fn value_of(slot: Option<usize>, values: &[Value]) -> &Value {
        const COUNTED: Value = Value::Boolean(true);
        match slot {
            Some(i) => values.get(i).unwrap_or(&Value::Null),
            None => &COUNTED,
        }
    }
}

/// How one slot value is computed from an input row.
pub(super) struct SlotSource {
    /// The argument; `None` for a filtered COUNT(*), whose slot is TRUE when the row counts.
    arg: Option<CompiledExpr>,
    /// A FILTER clause: when not TRUE the slot is NULL (ignored by every aggregate).
    filter: Option<CompiledExpr>,
    /// The input column, when the argument is a plain unfiltered column (for sharing).
    column: Option<usize>,
}

impl SlotSource {
    /// The input column this slot's value is, when it is a plain unfiltered column.
    pub(super) fn plain_column(&self) -> Option<usize> {
        self.column
    }
}

/// The GROUP BY keys of an aggregate: their compiled expressions and, when every key is a
/// plain column, those columns, which the local combiner copies instead of evaluating.
pub struct GroupBy {
    exprs: Vec<CompiledExpr>,
    columns: Option<Vec<usize>>,
}

impl GroupBy {
    /// The keys `keys`, in order.
    pub fn new(keys: &[BoundExpr]) -> GroupBy {
        GroupBy { exprs: keys.iter().map(BoundExpr::compile).collect(), columns: keys.iter().map(BoundExpr::as_column).collect() }
    }
}

impl From<Vec<CompiledExpr>> for GroupBy {
    /// Keys known only as compiled expressions (every one evaluated).
    fn from(exprs: Vec<CompiledExpr>) -> GroupBy {
        GroupBy { exprs, columns: None }
    }
}

/// Plain-column arguments that repeat (`SUM(price), MAX(price)`) share one slot.
pub(super) fn plan_slots(aggregates: &[BoundAggregate], retracting: bool) -> (Vec<SlotSource>, Vec<AggregateSlot>) {
    let mut sources: Vec<SlotSource> = Vec::new();
    let mut slots = Vec::new();
    for a in aggregates {
        let column = a.arg.as_ref().and_then(BoundExpr::as_column).filter(|_| a.filter.is_none());
        let slot = add_slot(&mut sources, a.arg.as_ref().map(BoundExpr::compile), a.filter.as_ref().map(BoundExpr::compile), column);
        slots.push(AggregateSlot { function: a.function, slot, distinct: a.distinct, output_type: a.output_type, retracting });
    }
    (sources, slots)
}

/// The slot of an aggregate with argument `arg` and FILTER `filter` (`None`: an unfiltered
/// COUNT(*), which needs none); a plain column argument already in `sources` shares its slot.
fn add_slot(sources: &mut Vec<SlotSource>, arg: Option<CompiledExpr>, filter: Option<CompiledExpr>, column: Option<usize>) -> Option<usize> {
    if arg.is_none() && filter.is_none() {
        return None;
    }
    if let Some(shared) = column.and_then(|c| sources.iter().position(|o| o.column == Some(c))) {
        return Some(shared);
    }
    sources.push(SlotSource { arg, filter, column });
    Some(sources.len() - 1)
}

/// Evaluates every slot of `row`, appending the values to `out`; `None` after a reported
/// failure.
pub(super) fn eval_slots(sources: &[SlotSource], row: &Row, eval: &Evaluator, out: &mut Vec<Value>) -> Option<()> {
    for s in sources {
        let passes = match &s.filter {
            Some(f) => matches!(eval.eval(f, row)?, Value::Boolean(true)),
            None => true,
        };
        out.push(match (&s.arg, passes) {
            (_, false) => Value::Null,
            (None, true) => Value::Boolean(true),
            (Some(a), true) => eval.eval(a, row)?,
        });
    }
    Some(())
}

/// Groups `input` by `group_by` and computes `aggregates` per group. Output rows are the key
/// columns followed by the aggregate values. A `seed` (one row on one worker) gives a global
/// aggregate its single group even for empty input (COUNT 0, others NULL), as SQL requires.
/// `append_only` promises the input never retracts, which enables the two-phase plan.
pub fn aggregate<'s>(
    input: impl Into<AggregateInput<'s>>,
    group_by: impl Into<GroupBy>,
    key_types: Vec<DataType>,
    aggregates: &[BoundAggregate],
    seed: Option<Rows<'s>>,
    append_only: bool,
    eval: Evaluator,
) -> Rows<'s> {
    let (keyed, slots, input_kind) = grouped(input.into(), group_by.into(), key_types, aggregates, seed, append_only, eval);
    if input_kind == GroupInput::Partials {
        return hash_aggregate(keyed, slots);
    }
    keyed
        .reduce_named("Aggregate", move |_key, vals: &[(&Row, isize)], out: &mut Vec<(Row, isize)>| {
            out.push((aggregate_values(&slots, vals), 1));
        })
        .map(|(key, values)| key.concat(&values))
}

/// [`aggregate`] fused with the TUMBLE window it reads (batch, append-only input): `input`
/// holds the window's input rows, and the local combiner computes each row's group keys
/// (`group_by` over the window rows) with `tumble` instead of reading a window row. With a
/// DISTINCT aggregate, which has no combiner, the window rows are built first.
pub fn tumble_aggregate<'s>(
    input: AggregateInput<'s>,
    group_by: Vec<CompiledExpr>,
    tumble: TumbleKeys,
    key_types: Vec<DataType>,
    aggregates: &[BoundAggregate],
    eval: Evaluator,
) -> Rows<'s> {
    if aggregates.iter().any(|a| a.distinct) {
        let rows = window(input.rows(), tumble.window, tumble.time_column);
        return aggregate(AggregateInput::Rows(rows), group_by, key_types, aggregates, None, true, eval);
    }
    let (sources, slots) = plan_slots(aggregates, false);
    let key_of = tumble_keys(tumble, eval.clone());
    hash_aggregate(input.combined(LocalCombiner::new(key_of, key_types, sources, slots.clone(), eval)), slots)
}

/// Groups `input` as [`aggregate`] does, in streaming mode: the groups live in the job's keyed
/// state (see `keyed::group_aggregate`), where checkpoints take them. A group exists while it
/// has rows: without keys (a global aggregate) nothing goes out before the first row, as in
/// Flink's streaming mode. `node` and `index` name the plan node for errors and for its state.
#[allow(clippy::too_many_arguments)]
pub fn keyed_aggregate<'s>(
    node: &str,
    index: usize,
    input: impl Into<AggregateInput<'s>>,
    group_by: impl Into<GroupBy>,
    key_types: Vec<DataType>,
    aggregates: &[BoundAggregate],
    append_only: bool,
    eval: Evaluator,
    ctx: JobContext,
) -> Rows<'s> {
    let (keyed, slots, input_kind) = grouped(input.into(), group_by.into(), key_types, aggregates, None, append_only, eval);
    let spec = GroupAggregateSpec { slots, input: input_kind, retracting: !append_only };
    group_aggregate(node, index, keyed, spec, ctx)
}

/// Groups `input` by `group_by` with the built-in `aggregates` and the `user` (Python)
/// aggregates, in streaming mode: every group's accumulators — the user ones as their
/// functions encode them — live in the job's keyed state (see `keyed::user_group_aggregate`),
/// where checkpoints take them. Output rows are the keys, the built-in aggregates, then the
/// user aggregates; a group exists while it has rows, as in [`keyed_aggregate`].
#[allow(clippy::too_many_arguments)]
pub fn keyed_user_aggregate<'s>(
    node: &str,
    index: usize,
    input: Rows<'s>,
    group_by: Vec<CompiledExpr>,
    aggregates: &[BoundAggregate],
    user: &[BoundUserAggregate],
    append_only: bool,
    eval: Evaluator,
    ctx: JobContext,
) -> Rows<'s> {
    let (sources, slots) = plan_slots(aggregates, !append_only);
    let offset = sources.len();
    let args: Vec<CompiledExpr> = user.iter().flat_map(|u| u.args.iter().map(BoundExpr::compile)).collect();
    let row_eval = eval.clone();
    let keyed = input.flat_map(move |row| {
        let key = row_eval.eval_row(&group_by, &row)?;
        let mut values = Vec::with_capacity(offset + args.len());
        eval_slots(&sources, &row, &row_eval, &mut values)?;
        for arg in &args {
            values.push(row_eval.eval(arg, &row)?);
        }
        Some((key, Row::new(values)))
    });
    let spec = UserGroupAggregateSpec {
        builtins: GroupAggregateSpec { slots, input: GroupInput::Arguments, retracting: !append_only },
        users: user.iter().map(|u| (Arc::clone(&u.function), u.args.len())).collect(),
        offset,
    };
    user_group_aggregate(node, index, keyed, spec, eval, ctx)
}

/// `input` as (group key, values) for a group aggregate, with the aggregates' slots: partial
/// aggregates of a local combiner when the input is append-only and no aggregate is DISTINCT
/// (the two-phase plan), else each row's arguments. A `seed` adds the global aggregate's
/// marker, an empty row under the empty key.
#[allow(clippy::too_many_arguments)]
fn grouped<'s>(
    input: AggregateInput<'s>,
    group_by: GroupBy,
    key_types: Vec<DataType>,
    aggregates: &[BoundAggregate],
    seed: Option<Rows<'s>>,
    append_only: bool,
    eval: Evaluator,
) -> (GroupedRows<'s>, Vec<AggregateSlot>, GroupInput) {
    let (sources, slots) = plan_slots(aggregates, !append_only);
    let (keyed, input_kind) = if two_phase(aggregates, append_only) {
        (input.combined(group_combiner(group_by, key_types, sources, slots.clone(), eval)), GroupInput::Partials)
    } else {
        (key_values(input.rows(), group_by.exprs, sources, eval), GroupInput::Arguments)
    };
    let keyed = match seed {
        Some(seed) => keyed.concat(seed.map(|_| (Row::empty(), Row::empty()))),
        None => keyed,
    };
    (keyed, slots, input_kind)
}

/// SELECT DISTINCT in streaming mode: each row once while it occurs, on keyed state.
pub fn keyed_distinct<'s>(node: &str, index: usize, input: Rows<'s>, append_only: bool, ctx: JobContext) -> Rows<'s> {
    let keyed = input.map(|row| (row, Row::new(vec![Value::Boolean(true)])));
    let spec = GroupAggregateSpec { slots: Vec::new(), input: GroupInput::Arguments, retracting: !append_only };
    group_aggregate(node, index, keyed, spec, ctx)
}

/// The local combiner of a GROUP BY: its keys `group_by` (of types `key_types`) and `slots`
/// (their values computed by `sources`), read as plain columns when they all are.
pub(super) fn group_combiner(
    group_by: GroupBy,
    key_types: Vec<DataType>,
    sources: Vec<SlotSource>,
    slots: Vec<AggregateSlot>,
    eval: Evaluator,
) -> LocalCombiner {
    LocalCombiner::new(evaluated_keys(group_by.exprs, eval.clone()), key_types, sources, slots, eval).reading_columns(group_by.columns)
}

/// Each input row as (group key, slot values).
fn key_values<'s>(input: Rows<'s>, group_by: Vec<CompiledExpr>, sources: Vec<SlotSource>, eval: Evaluator) -> VecCollection<'s, Time, (Row, Row), isize> {
    input.flat_map(move |row| {
        let key = eval.eval_row(&group_by, &row)?;
        let mut values = Vec::with_capacity(sources.len().max(1));
        eval_slots(&sources, &row, &eval, &mut values)?;
        // An empty value row marks the global seed: a row of only COUNT(*) must not be empty.
        if values.is_empty() {
            values.push(Value::Boolean(true));
        }
        Some((key, Row::new(values)))
    })
}

/// The final values of a group from its current slot-value rows (with multiplicities).
fn aggregate_values(slots: &[AggregateSlot], vals: &[(&Row, isize)]) -> Row {
    let live: Vec<(&Row, isize)> = vals.iter().filter(|(v, r)| !v.is_empty() && *r > 0).map(|(v, r)| (*v, *r)).collect();
    let mut out = Vec::with_capacity(slots.len());
    for slot in slots {
        let mut acc = slot.accumulator();
        if slot.distinct {
            let distinct: BTreeSet<&Value> = live.iter().map(|(v, _)| slot.input(v.values())).filter(|v| !v.is_null()).collect();
            for v in distinct {
                acc.add(v, 1);
            }
        } else {
            for (v, r) in &live {
                acc.add(slot.input(v.values()), *r);
            }
        }
        out.push(acc.finish(slot.output_type));
    }
    Row::new(out)
}

/// The local phase of a window aggregate over an append-only input (Flink's
/// `LocalWindowAggregate`): per worker, group and time, the partial aggregates of `calls`
/// followed by the group's row count (a COUNT(*) partial), emitted when the frontier passes
/// the time. The group keys are `group_by` over the rows, or, when `tumble` is given, the
/// rows are a fused TUMBLE window's input rows and it computes their keys. `None` when an
/// aggregate is DISTINCT: its values must meet in one place.
pub(super) fn combine_window_rows<'s>(
    input: Rows<'s>,
    group_by: Vec<CompiledExpr>,
    tumble: Option<TumbleKeys>,
    key_types: Vec<DataType>,
    calls: &[WindowAggregateCall],
    eval: Evaluator,
) -> Option<Partials<'s>> {
    if calls.iter().any(|c| c.distinct) {
        return None;
    }
    let (sources, slots) = counted_slots(calls);
    Some(match tumble {
        Some(tumble) => combine(input, LocalCombiner::new(tumble_keys(tumble, eval.clone()), key_types, sources, slots, eval)),
        None => combine(input, LocalCombiner::new(evaluated_keys(group_by, eval.clone()), key_types, sources, slots, eval)),
    })
}

/// The local phase of a sliced window aggregate (Flink's `LocalWindowAggregate` over slices):
/// per worker, time, partition key and slice, the partial aggregates of `calls` (none
/// DISTINCT) followed by the row count. The group key is the values of `partition_by`
/// (of types `key_types`) followed by the slice's end (BIGINT epoch ms) of the row's
/// `time_column`; rows with a NULL time belong to no window and are left out.
pub(super) fn combine_slice_rows<'s>(
    input: AggregateInput<'s>,
    partition_by: Vec<CompiledExpr>,
    mut key_types: Vec<DataType>,
    calls: &[WindowAggregateCall],
    (time_column, slicing): (usize, Slicing),
    eval: Evaluator,
) -> Partials<'s> {
    let (sources, slots) = counted_slots(calls);
    let partition = evaluated_keys(partition_by, eval.clone());
    let key_of = move |row: &Row, key: &mut Vec<Value>| {
        let slice_end = slicing.slice_end(row.get(time_column).as_i64()?);
        partition(row, key)?;
        key.push(Value::BigInt(slice_end));
        Some(())
    };
    key_types.push(DataType::BigInt);
    input.combined(LocalCombiner::new(key_of, key_types, sources, slots, eval))
}

/// The slot sources and slots of window aggregate calls (none DISTINCT), with a COUNT(*) slot
/// last that counts the rows each partial holds.
fn counted_slots(calls: &[WindowAggregateCall]) -> (Vec<SlotSource>, Vec<AggregateSlot>) {
    let mut sources = Vec::new();
    let mut slots: Vec<AggregateSlot> = calls
        .iter()
        .map(|c| {
            let slot = add_slot(&mut sources, c.arg.clone(), c.filter.clone(), None);
            AggregateSlot { function: c.function, slot, distinct: false, output_type: c.output_type, retracting: false }
        })
        .collect();
    slots.push(AggregateSlot { function: AggregateFunction::Count, slot: None, distinct: false, output_type: DataType::BigInt, retracting: false });
    (sources, slots)
}

/// Appends the values of `group_by` over a row to a key buffer (`None` after a reported
/// evaluation failure).
fn evaluated_keys(group_by: Vec<CompiledExpr>, eval: Evaluator) -> impl Fn(&Row, &mut Vec<Value>) -> Option<()> + 'static {
    move |row, key| group_by.iter().try_for_each(|e| eval.eval(e, row).map(|v| key.push(v)))
}

/// Appends the group key values of a fused TUMBLE window's input row to a key buffer (`None`
/// for a row in no window, or after a reported evaluation failure).
fn tumble_keys(tumble: TumbleKeys, eval: Evaluator) -> impl Fn(&Row, &mut Vec<Value>) -> Option<()> + 'static {
    move |row, key| tumble.append(row, &eval, key)
}
