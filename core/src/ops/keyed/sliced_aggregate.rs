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
//! allowed lateness, passed it.
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
use weir_state::{KeyedStateStore, ListState, StateCodec, StateError, ValueState};

use crate::expr::{BoundExpr, CompiledExpr};
use crate::job::JobContext;
use crate::types::{DataType, Row, Value, encode_row_values};

use super::super::accumulate::{Accumulator, merge_partials, partials};
use super::super::aggregate::combine_slice_rows;
use super::super::combiner::AggregateInput;
use super::super::slicing::Slicing;
use super::super::{Evaluator, Rows};
use super::KeyMap;
use super::session_aggregate::WindowKey;
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
        width,
        slicing: spec.slicing,
        keys: spec.keys,
        lateness: i64::try_from(spec.lateness_ms).unwrap_or(i64::MAX),
        calls: Calls { calls: spec.aggregates, eval: eval.clone(), seen: weir_state::MapState::new("slice-distinct") },
        slices: ValueState::new("slices"),
        index: ValueState::new("slice-index"),
        waiting: ListState::new("slice-late"),
        live: KeyMap::default(),
    };
    keyed(node, index, vec![(input, keys)], logic, eval, ctx)
}

/// A slice being updated: its accumulators decoded.
struct LiveSlice {
    end: i64,
    accs: Vec<Accumulator>,
    rows: u64,
}

/// A partition key the current batch of rows has touched.
struct LiveKey {
    /// The ends of its slices, sorted.
    index: Vec<i64>,
    /// Whether `index` has gained slices in this batch.
    grown: bool,
    /// The slices the batch touched.
    slices: Vec<LiveSlice>,
}

/// A window's slices merged: its accumulators and how many rows they hold.
struct Merged {
    accs: Vec<Accumulator>,
    rows: u64,
}

struct SlicedAggregate {
    /// How many partition keys lead each input row (the slice's end follows them).
    width: usize,
    slicing: Slicing,
    keys: Vec<WindowKey>,
    lateness: i64,
    calls: Calls,
    /// Per slice (by its end): its partial aggregates and row count.
    slices: ValueState<(Row, u64), i64>,
    /// The ends of a key's slices, sorted.
    index: ValueState<Vec<i64>>,
    /// Late rows waiting for the timers before their arrival, by that arrival time.
    waiting: ListState<Row, i64>,
    /// The keys the current batch of rows has touched, by encoded key.
    live: KeyMap<LiveKey>,
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

impl SlicedAggregate {
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

    /// The positions in the key's sorted slice `index` of the slices the window ending at
    /// `end` spans.
    fn span(&self, index: &[i64], end: i64) -> std::ops::Range<usize> {
        let start = self.slicing.window_start(end);
        index.partition_point(|&s| s <= start)..index.partition_point(|&s| s <= end)
    }

    /// Merges the slices of the window ending at `end` (of the key's sorted `index`), in the
    /// window's merge order, reading from state those `cache` (by position in `index`) lacks.
    fn merge(&self, store: &mut KeyedStateStore, key: &[u8], index: &[i64], cache: &mut [Option<(Row, u64)>], end: i64) -> Result<Merged, StateError> {
        let span = self.span(index, end);
        for (slice, cached) in index.get(span.clone()).unwrap_or_default().iter().zip(cache.get_mut(span.clone()).unwrap_or_default()) {
            if cached.is_none() {
                *cached = self.slices.get(store, key, slice)?;
            }
        }
        let mut merged = Merged { accs: self.calls.fresh(), rows: 0 };
        let mut add = |(partials, rows): &(Row, u64)| {
            merge_partials(&mut merged.accs, partials.values(), 1);
            merged.rows += rows;
        };
        let loaded = cache.get(span).unwrap_or_default().iter().flatten();
        if self.slicing.merges_backwards() {
            loaded.rev().for_each(&mut add);
        } else {
            loaded.for_each(&mut add);
        }
        Ok(merged)
    }

    /// Fires the window whose timer is at `timestamp` and, while it has rows, goes on to the
    /// next window sharing its slices: by registering that window's timer or, when that timer
    /// is due already and may fire here ([`SlicedAggregate::fires_inline`]), by deleting it and
    /// firing the window in this call, its result at that timer's time — each slice read once
    /// for all of them. Returns the last timer handled.
    fn fire(&self, cx: &mut KeyedContext<'_>, partition: &Row, index: &[i64], timestamp: i64) -> Result<i64, StateError> {
        let mut cache = vec![None; index.len()];
        let mut at = timestamp;
        // The windows of a run that span the same slices (a key with one slice: all of them)
        // have the same aggregates: merged once.
        let mut last: Option<(std::ops::Range<usize>, Merged)> = None;
        loop {
            let end = at.saturating_add(1);
            let span = self.span(index, end);
            let merged = match last.take() {
                Some((same, merged)) if same == span => merged,
                _ => self.merge(cx.store, cx.key(), index, &mut cache, end)?,
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
            if !self.fires_inline(cx, at, next)? {
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
    fn fires_inline(&self, cx: &mut KeyedContext<'_>, at: i64, next: i64) -> Result<bool, StateError> {
        Ok(self.lateness == 0
            && next <= cx.watermark()
            && cx.no_timers_between(at, next)?
            && (self.waiting.known_empty(cx.store) || self.waiting.get(cx.store, cx.key(), &next)?.is_empty()))
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
    /// the windows they are late for by at most the allowed lateness.
    fn add_late(&self, cx: &mut KeyedContext<'_>, partition: &Row, index: &mut Vec<i64>, rows: &[Row], now: i64) -> Result<(), StateError> {
        let key = cx.key();
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
        let mut before = Vec::with_capacity(refired.len());
        for &end in &refired {
            let merged = self.merge(cx.store, key, index, &mut vec![None; index.len()], end)?;
            before.push(self.result(partition, end, &merged));
        }
        for row in rows {
            let Some(slice) = self.slice_of(row) else { continue };
            let Some((first, last)) = self.slicing.windows_of_slice(slice) else { continue };
            let (mut accs, mut count) = match self.slices.get(cx.store, key, &slice)? {
                Some((partials, count)) => (self.calls.restore(&partials), count),
                None => (self.calls.fresh(), 0),
            };
            merge_partials(&mut accs, partials_of(self.width, row), 1);
            count += row_count(row);
            self.slices.update(cx.store, key, &slice, &(partials(&accs), count))?;
            if let Err(at) = index.binary_search(&slice) {
                index.insert(at, slice);
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
            let merged = self.merge(cx.store, key, index, &mut vec![None; index.len()], end)?;
            let new = self.result(partition, end, &merged);
            if new != old {
                if let Some(old) = old {
                    cx.retract(old);
                }
                if let Some(new) = new {
                    cx.emit(new);
                }
            }
        }
        Ok(())
    }
}

/// Adds the pre-aggregated `row` (of the `slice` whose first window ends at `first`, led by
/// `width` partition keys) to the context's key, `live`: its slice read from `slices` or, when
/// new, added to the key's index with the timer of its first window.
fn add_to_live(
    slices: &ValueState<(Row, u64), i64>,
    calls: &Calls,
    width: usize,
    cx: &mut KeyedContext<'_>,
    live: &mut LiveKey,
    (slice, first): (i64, i64),
    row: &Row,
) -> Result<(), StateError> {
    let at = match live.slices.iter().position(|s| s.end == slice) {
        Some(at) => at,
        None => {
            let (accs, rows) = match live.index.binary_search(&slice) {
                Ok(_) => match slices.get(cx.store, cx.key(), &slice)? {
                    Some((partials, rows)) => (calls.restore(&partials), rows),
                    None => (calls.fresh(), 0),
                },
                Err(at) => {
                    // A new slice: its first window's timer starts the chain of firings.
                    live.index.insert(at, slice);
                    live.grown = true;
                    cx.register_timer(first - 1)?;
                    (calls.fresh(), 0)
                }
            };
            live.slices.push(LiveSlice { end: slice, accs, rows });
            live.slices.len() - 1
        }
    };
    if let Some(live) = live.slices.get_mut(at) {
        merge_partials(&mut live.accs, partials_of(width, row), 1);
        live.rows += row_count(row);
    }
    Ok(())
}

impl KeyedLogic for SlicedAggregate {
    fn on_row(&mut self, cx: &mut KeyedContext<'_>, _input: usize, row: Row) -> Result<(), StateError> {
        let Some(slice) = self.slice_of(&row) else { return Ok(()) };
        // A slice in a gap between HOP windows (a slide larger than the size) is in none.
        let Some((first, last)) = self.slicing.windows_of_slice(slice) else { return Ok(()) };
        if cx.is_late_for(last.saturating_sub(1).saturating_add(self.lateness)) {
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
        if let Some(live) = self.live.get_mut(cx.key()) {
            return add_to_live(&self.slices, &self.calls, self.width, cx, live, (slice, first), &row);
        }
        let index = self.index.get(cx.store, cx.key(), &())?.unwrap_or_default();
        let mut live = LiveKey { index, grown: false, slices: Vec::new() };
        add_to_live(&self.slices, &self.calls, self.width, cx, &mut live, (slice, first), &row)?;
        self.live.insert(cx.key().to_vec(), live);
        Ok(())
    }

    fn flush(&mut self, store: &mut KeyedStateStore) -> Result<(), StateError> {
        // Each slice is encoded from its accumulators through one buffer of values, as the
        // `(Row, u64)` it is read back as, without building the row.
        let mut values = Vec::new();
        for (key, live) in self.live.drain() {
            for slice in live.slices {
                values.clear();
                slice.accs.iter().for_each(|acc| acc.partial(&mut values));
                self.slices.update_encoded(store, &key, &slice.end, |out| {
                    encode_row_values(&values, out);
                    slice.rows.encode(out);
                })?;
            }
            if live.grown {
                self.index.update(store, &key, &(), &live.index)?;
            }
        }
        Ok(())
    }

    fn on_timer(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64) -> Result<(), StateError> {
        let key = cx.key();
        let mut index = self.index.get(cx.store, key, &())?.unwrap_or_default();
        let partition: Row = decode_exact(key).map_err(|e| StateError::CorruptValue { state: "slice key".into(), detail: e.to_string() })?;
        let waiting = if self.waiting.known_empty(cx.store) { Vec::new() } else { self.waiting.get(cx.store, key, &timestamp)? };
        let mut changed = !waiting.is_empty();
        if changed {
            self.waiting.clear(cx.store, key, &timestamp)?;
            self.add_late(cx, &partition, &mut index, &waiting, timestamp)?;
        }
        let fired = if self.slicing.is_window_end(timestamp.saturating_add(1)) { self.fire(cx, &partition, &index, timestamp)? } else { timestamp };
        let expired: Vec<i64> = index.iter().copied().filter(|&s| self.expiry(s).is_none_or(|t| t <= fired)).collect();
        for slice in &expired {
            self.slices.clear(cx.store, key, slice)?;
        }
        changed |= !expired.is_empty();
        index.retain(|s| !expired.contains(s));
        match (changed, index.is_empty()) {
            (false, _) => Ok(()),
            (true, true) => self.index.clear(cx.store, key, &()),
            (true, false) => self.index.update(cx.store, key, &(), &index),
        }
    }
}
