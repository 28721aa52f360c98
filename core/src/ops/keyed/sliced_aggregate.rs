//! Sliced HOP and CUMULATE window aggregates (event time, batch and streaming), as Flink's
//! `SlicingWindowOperator` with its `SliceSharedWindowAggProcessor` runs them: a GROUP BY over
//! a HOP or CUMULATE window's bounds and other keys, computed without copying a row into every
//! window it falls in. Time is cut into slices (`ops::slicing`); each row updates the partial
//! aggregates of its one slice, and a window, when it fires, merges the slices it spans.
//!
//! Per partition key (the group keys other than the window's bounds) the state holds each
//! slice's partial aggregates and row count (namespaced by the slice's end), and the sorted
//! list of the key's slices. A timer at a window's last millisecond (`end - 1`: it fires when
//! the watermark reaches it, Flink's rule) merges the window's slices — from its last slice
//! back for HOP, from its first on for CUMULATE, the orders Flink's assigners list them in,
//! which show in FLOAT sums — emits the row if the window has rows, and, as Flink does, sets
//! the timer of the next window that shares slices with it: the first window of a slice has
//! its timer set when the slice gets its first row, the others are reached through that chain
//! while they have rows. A slice is freed once every window holding it has fired and, with an
//! allowed lateness, passed it. Between batches a key's slices stay decoded in memory
//! (`slice_cache`): the backend gets them when a checkpoint takes the store or the cache
//! outgrows its bound, so a key whose windows fire between two checkpoints is never encoded.
//!
//! When the watermark passes several windows at once (a batch input ending, a streaming one
//! catching up), the next window's timer is due already: then, unless another timer could
//! come between (a late row waiting, an allowed lateness), the firing deletes that timer and
//! fires the window itself, its result at that timer's time (`KeyedContext::emit_at`), reading
//! each slice once for the whole run instead of once per window and timer. The results, and
//! their times, are the timers' own; only their order within a time may differ.
//!
//! The input arrives pre-aggregated: before the exchange each worker folds its rows into
//! partial aggregates per partition key, slice and time (`aggregate::combine_slice_rows`,
//! Flink's `LocalWindowAggregate`). Rows of one time share their lateness.
//!
//! Late rows: a row (partial) arriving after every window holding its slice fired is dropped
//! and its rows counted as late (Flink counts a row only when it is dropped from all its
//! windows). One arriving after some of them fired waits in state for the timers before its
//! arrival time to fire, then joins its slice at that time: it counts in the windows that had
//! not fired. With an allowed lateness (`table.exec.emit.allow-lateness`) the windows that
//! fired less than that long before its arrival fire again: the old row retracted, the new
//! one emitted.

use std::collections::BTreeSet;

use weir_state::codec::decode_exact;
use weir_state::{KeyedStateStore, ListState, StateError};

use crate::expr::{BoundExpr, CompiledExpr};
use crate::job::JobContext;
use crate::types::{DataType, Row, Value};

use super::super::accumulate::{Accumulator, merge_partials};
use super::super::aggregate::combine_slice_rows;
use super::super::combiner::AggregateInput;
use super::super::slicing::Slicing;
use super::super::{Evaluator, Rows};
use super::session_aggregate::WindowKey;
use super::slice_cache::{KeySlices, Slice, SliceCache};
use super::window_aggregate::Calls;
use super::{KeyedContext, KeyedLogic, WindowAggregateCall, keyed};

/// A sliced window aggregate, ready to run.
pub struct SlicedAggregateSpec {
    /// The group keys other than the window's bounds, over the window's input rows.
    pub partition_by: Vec<CompiledExpr>,
    /// Their types.
    pub key_types: Vec<DataType>,
    /// The input's event-time column.
    pub time_column: usize,
    /// The windows' slicing.
    pub slicing: Slicing,
    /// The group keys, in output order.
    pub keys: Vec<WindowKey>,
    /// The aggregates per window (none DISTINCT).
    pub aggregates: Vec<WindowAggregateCall>,
    /// How long after its end a window still takes late rows, in ms.
    pub lateness_ms: u64,
}

/// Per window and partition key of `input`: the group keys, then the aggregates.
pub fn sliced_aggregate<'s>(
    node: &str,
    index: usize,
    input: AggregateInput<'s>,
    spec: SlicedAggregateSpec,
    eval: Evaluator,
    ctx: JobContext,
) -> Option<Rows<'s>> {
    let width = spec.partition_by.len();
    let keys = spec.key_types.iter().enumerate().map(|(i, t)| BoundExpr::column(i, *t, true).compile()).collect();
    let combined = combine_slice_rows(input, spec.partition_by, spec.key_types, &spec.aggregates, (spec.time_column, spec.slicing), eval.clone());
    // Pre-aggregated rows: the partition keys, the slice's end, the partials, the row count.
    let input = combined.map(|(key, partials)| key.concat(&partials));
    let logic = SlicedAggregate {
        shape: Shape {
            width,
            slicing: spec.slicing,
            keys: spec.keys,
            lateness: i64::try_from(spec.lateness_ms).unwrap_or(i64::MAX),
            calls: Calls { calls: spec.aggregates, eval: eval.clone(), seen: weir_state::MapState::new("slice-distinct") },
        },
        cache: SliceCache::new(),
        waiting: ListState::new("slice-late"),
    };
    keyed(node, index, vec![(input, keys)], logic, eval, ctx)
}

/// A window's slices merged: its accumulators and how many rows they hold.
struct Merged {
    accs: Vec<Accumulator>,
    rows: u64,
}

/// What a sliced aggregate computes: its keys, windows and aggregates.
struct Shape {
    /// How many partition keys lead each input row (the slice's end follows them).
    width: usize,
    slicing: Slicing,
    keys: Vec<WindowKey>,
    lateness: i64,
    calls: Calls,
}

struct SlicedAggregate {
    shape: Shape,
    /// Per key, its slices (decoded; in the backend as of the last write-back).
    cache: SliceCache,
    /// Late rows waiting for the timers before their arrival, by that arrival time.
    waiting: ListState<Row, i64>,
}

/// The partial aggregates of a pre-aggregated row led by `width` partition keys and its slice
/// (its row count after them is ignored).
fn partials_of(width: usize, row: &Row) -> &[Value] {
    row.values().get(width + 1..).unwrap_or_default()
}

/// The number of input rows a pre-aggregated row holds (its last column).
fn row_count(row: &Row) -> u64 {
    row.values().last().and_then(Value::as_i64).and_then(|n| u64::try_from(n).ok()).unwrap_or(0)
}

impl Shape {
    /// The slice a pre-aggregated row belongs to.
    fn slice_of(&self, row: &Row) -> Option<i64> {
        row.get(self.width).as_i64()
    }

    /// The time after which the slice ending at `slice` is of no use: every window holding
    /// it has fired and passed the allowed lateness.
    fn expiry(&self, slice: i64) -> Option<i64> {
        let (_, last) = self.slicing.windows_of_slice(slice)?;
        Some(last.saturating_sub(1).saturating_add(self.lateness))
    }

    /// The positions among the key's sorted `slices` of those the window ending at `end`
    /// spans.
    fn span(&self, slices: &[Slice], end: i64) -> std::ops::Range<usize> {
        let start = self.slicing.window_start(end);
        slices.partition_point(|s| s.end <= start)..slices.partition_point(|s| s.end <= end)
    }

    /// Merges the key's slices that the window ending at `end` spans, in the window's merge
    /// order.
    fn merge(&self, key: &KeySlices, end: i64) -> Merged {
        let mut merged = Merged { accs: self.calls.fresh(), rows: 0 };
        let mut values = Vec::new();
        let mut add = |slice: &Slice| {
            values.clear();
            slice.accs.iter().for_each(|acc| acc.partial(&mut values));
            merge_partials(&mut merged.accs, &values, 1);
            merged.rows += slice.rows;
        };
        let spanned = key.slices().get(self.span(key.slices(), end)).unwrap_or_default().iter();
        if self.slicing.merges_backwards() {
            spanned.rev().for_each(&mut add);
        } else {
            spanned.for_each(&mut add);
        }
        merged
    }

    /// Fires the window whose timer is at `timestamp` and, while it has rows, goes on to the
    /// next window sharing its slices: by registering that window's timer or, when that timer
    /// is due already and may fire here ([`Shape::fires_inline`]), by deleting it and firing
    /// the window in this call, its result at that timer's time. Returns the last timer
    /// handled.
    fn fire(&self, cx: &mut KeyedContext<'_>, waiting: &ListState<Row, i64>, partition: &Row, key: &KeySlices, timestamp: i64) -> Result<i64, StateError> {
        let mut at = timestamp;
        // The windows of a run that span the same slices (a key with one slice: all of them)
        // have the same aggregates: merged once.
        let mut last: Option<(std::ops::Range<usize>, Merged)> = None;
        loop {
            let end = at.saturating_add(1);
            let span = self.span(key.slices(), end);
            let merged = match last.take() {
                Some((same, merged)) if same == span => merged,
                _ => self.merge(key, end),
            };
            let row = self.result(partition, end, &merged);
            last = Some((span, merged));
            let Some(row) = row else { return Ok(at) };
            if at == timestamp {
                cx.emit(row);
            } else {
                cx.emit_at(at, row);
            }
            if self.lateness > 0 {
                cx.register_timer(at.saturating_add(self.lateness))?;
            }
            // Slices are shared: the next window may get no row of its own.
            let Some(next) = self.slicing.next_window(end).map(|e| e - 1) else { return Ok(at) };
            if !self.fires_inline(cx, waiting, at, next)? {
                cx.register_timer(next)?;
                return Ok(at);
            }
            cx.delete_timer(next)?;
            at = next;
        }
    }

    /// Whether the key's next window, timed at `next`, can fire in the call handling its timer
    /// at `at`, with the results its own timer would give: that timer is due (at or before the
    /// watermark, as when a batch input ends or the watermark jumps), no timer of any key lies
    /// between the two (a late row waiting), no late row waits for `next` itself, and no
    /// allowed lateness re-fires windows.
    fn fires_inline(&self, cx: &mut KeyedContext<'_>, waiting: &ListState<Row, i64>, at: i64, next: i64) -> Result<bool, StateError> {
        Ok(self.lateness == 0
            && next <= cx.watermark()
            && cx.no_timers_between(at, next)?
            && (waiting.known_empty(cx.store) || waiting.get(cx.store, cx.key(), &next)?.is_empty()))
    }

    /// The output row of the window ending at `end` for the partition key values `partition`.
    fn output(&self, partition: &Row, end: i64, merged: &Merged) -> Row {
        // One exact-size iterator: the row is allocated once.
        let keys = self.keys.iter().map(|k| match k {
            WindowKey::Start => Value::Timestamp(self.slicing.window_start(end)),
            WindowKey::End => Value::Timestamp(end),
            WindowKey::Partition(i) => partition.get(*i).clone(),
        });
        let aggregates = merged.accs.iter().zip(&self.calls.calls).map(|(acc, a)| acc.finish(a.output_type));
        keys.chain(aggregates).collect()
    }

    /// The result of a window, if it has rows.
    fn result(&self, partition: &Row, end: i64, merged: &Merged) -> Option<Row> {
        (merged.rows > 0).then(|| self.output(partition, end, merged))
    }

    /// Adds late rows that waited until `now`, when every window ending at or before `now`
    /// has fired: they join their slices, count in the windows still to fire, and fire again
    /// the windows they are late for by at most the allowed lateness. Returns how many slices
    /// they added.
    fn add_late(&self, cx: &mut KeyedContext<'_>, partition: &Row, key: &mut KeySlices, rows: &[Row], now: i64) -> Result<u64, StateError> {
        let mut refired = BTreeSet::new();
        for row in rows {
            let Some((first, last)) = self.slice_of(row).and_then(|s| self.slicing.windows_of_slice(s)) else { continue };
            let mut end = Some(first);
            while let Some(e) = end.filter(|&e| e <= last) {
                if e - 1 < now && now <= (e - 1).saturating_add(self.lateness) {
                    refired.insert(e);
                }
                end = self.slicing.next_window(e);
            }
        }
        let before: Vec<Option<Row>> = refired.iter().map(|&end| self.result(partition, end, &self.merge(key, end))).collect();
        let mut added = 0;
        for row in rows {
            let Some(slice) = self.slice_of(row) else { continue };
            let Some((first, last)) = self.slicing.windows_of_slice(slice) else { continue };
            if key.add(slice, partials_of(self.width, row), row_count(row), || self.calls.fresh()) {
                added += 1;
            }
            // The slice's first window not yet fired, and its end of use: timers at `now` are
            // this very call, which fires and frees them after adding these rows.
            let mut next = Some(first);
            while let Some(e) = next.filter(|&e| e <= last && e - 1 < now) {
                next = self.slicing.next_window(e);
            }
            if let Some(e) = next.filter(|&e| e <= last && e - 1 > now) {
                cx.register_timer(e - 1)?;
            }
            if let Some(expiry) = self.expiry(slice).filter(|&t| self.lateness > 0 && t > now) {
                cx.register_timer(expiry)?;
            }
        }
        for (&end, old) in refired.iter().zip(before) {
            let new = self.result(partition, end, &self.merge(key, end));
            if new != old {
                if let Some(old) = old {
                    cx.retract(old);
                }
                if let Some(new) = new {
                    cx.emit(new);
                }
            }
        }
        Ok(added)
    }
}

impl KeyedLogic for SlicedAggregate {
    fn on_row(&mut self, cx: &mut KeyedContext<'_>, _input: usize, row: Row) -> Result<(), StateError> {
        let shape = &self.shape;
        let Some(slice) = shape.slice_of(&row) else { return Ok(()) };
        // A slice in a gap between HOP windows (a slide larger than the size) is in none.
        let Some((first, last)) = shape.slicing.windows_of_slice(slice) else { return Ok(()) };
        if cx.is_late_for(last.saturating_sub(1).saturating_add(shape.lateness)) {
            cx.drop_late_rows(row_count(&row));
            return Ok(());
        }
        if cx.is_late_for(first - 1) {
            // Windows of its slice fire before this row's time without it: it joins the slice
            // at its own time, after them (whatever order rows and timers come in).
            let arrival = cx.row_time().map_or(i64::MAX, |t| i64::try_from(t).unwrap_or(i64::MAX));
            self.waiting.add(cx.store, cx.key(), &arrival, &row)?;
            return cx.register_timer(arrival);
        }
        let key = self.cache.load(cx.store, cx.key(), &shape.calls)?;
        if key.add(slice, partials_of(shape.width, &row), row_count(&row), || shape.calls.fresh()) {
            // A new slice: its first window's timer starts the chain of firings.
            self.cache.added_slices(1);
            cx.register_timer(first - 1)?;
        }
        Ok(())
    }

    fn flush(&mut self, store: &mut KeyedStateStore) -> Result<(), StateError> {
        self.cache.trim(store)
    }

    fn write_back(&mut self, store: &mut KeyedStateStore) -> Result<(), StateError> {
        self.cache.write_back(store)
    }

    fn unwritten_entries(&self) -> u64 {
        self.cache.unwritten()
    }

    fn on_timer(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64) -> Result<(), StateError> {
        let shape = &self.shape;
        let partition: Row = decode_exact(cx.key()).map_err(|e| StateError::CorruptValue { state: "slice key".into(), detail: e.to_string() })?;
        let waiting = if self.waiting.known_empty(cx.store) { Vec::new() } else { self.waiting.get(cx.store, cx.key(), &timestamp)? };
        if !waiting.is_empty() {
            self.waiting.clear(cx.store, cx.key(), &timestamp)?;
        }
        let key = self.cache.load(cx.store, cx.key(), &shape.calls)?;
        let added = if waiting.is_empty() { 0 } else { shape.add_late(cx, &partition, key, &waiting, timestamp)? };
        let fired =
            if shape.slicing.is_window_end(timestamp.saturating_add(1)) { shape.fire(cx, &self.waiting, &partition, key, timestamp)? } else { timestamp };
        let expired = key.take_expired(|s| shape.expiry(s).is_none_or(|t| t <= fired));
        self.cache.added_slices(added);
        self.cache.forget(cx.store, cx.key(), expired)
    }
}
