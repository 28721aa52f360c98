//! `sink`: routes a collection's changes to the workers that write them (as the sink's
//! writers say: [`SinkRoute`]), and whenever the frontier passes a time turns that time's
//! consolidated diffs into Flink's changelog for each worker's [`SinkWriter`].
//!
//! A sink with one writer gathers everything on worker 0. A sink written by every worker
//! gets its changes routed by the row's unique key (so that a `-U` meets its `+U`), else by the
//! whole row (so that an insertion and a retraction of the same row cancel out); each worker
//! writes its share. A batch job whose input asks for an order (`ORDER BY`) is written by one
//! writer, since parallel writers could not keep a total order. A sink without writers only
//! has to see all of its input.
//!
//! Batch jobs write only the final rows (`+I`), once the input is exhausted, in the order a
//! `sort` node asked for (else sorted by row, so output is the same for any worker count).

use std::collections::BTreeMap;
use std::sync::Arc;

use differential_dataflow::Hashable;
use differential_dataflow::consolidation::consolidate;
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::Probe;
use timely::dataflow::operators::generic::Operator;
use timely::dataflow::operators::probe::Handle as ProbeHandle;

use crate::connectors::{SinkFactory, SinkRoute, SinkSnapshot, SinkWriter};
use crate::expr::CompiledExpr;
use crate::job::{Checkpoints, Contribution, JobContext, sink_participant};
use crate::plan::RuntimeMode;
use crate::types::{Row, RowKind, Value};

use super::ordering::{SortSpec, compare_by};
use super::{Rows, Time, at, frontier_epoch};

/// How a sink presents its rows.
pub struct SinkSpec {
    /// Columns identifying a row among current results: a retraction and an insertion with the
    /// same key at the same time become `-U`/`+U`.
    pub unique_key: Option<Vec<usize>>,
    /// Order of final rows in batch mode.
    pub ordering: Option<(Vec<CompiledExpr>, Vec<SortSpec>)>,
    /// The input never retracts: every row is final when it arrives and is written at once as
    /// `+I`, in batch mode too, without buffering or consolidating.
    pub append_only: bool,
}

/// Writes `input` to the sink node `sink_id` through the writers `factory` opens; `probe` is
/// done when the sink has seen all of its input.
pub fn sink(input: Rows<'_>, spec: SinkSpec, sink_id: &str, factory: Arc<dyn SinkFactory>, ctx: JobContext, probe: &ProbeHandle<Time>) {
    let batch = ctx.mode == RuntimeMode::Batch;
    let route = factory.writers().route(spec.unique_key.as_deref(), batch && spec.ordering.is_some());
    if route == SinkRoute::Discard {
        input.inner.probe_with(probe);
        return;
    }
    let (worker, peers) = (input.inner.scope().index(), input.inner.scope().peers());
    let writes = worker == 0 || route != SinkRoute::First;
    let exchange = Exchange::new(move |(row, _, _): &(Row, Time, isize)| match &route {
        SinkRoute::Discard | SinkRoute::First => 0,
        SinkRoute::Key(key) => row.project(key).hashed(),
        SinkRoute::Row => row.hashed(),
    });
    let mut checkpoint = ctx.checkpoints.as_ref().filter(|_| !batch && writes).map(|c| SinkCheckpoint::register(c, sink_id, worker));
    let mut restore_with = checkpoint.as_ref().map(|c| c.restored(peers)).unwrap_or_default();
    let sink_id = sink_id.to_string();
    let mut writer: Option<Box<dyn SinkWriter>> = None;
    let mut pending: BTreeMap<Time, Vec<(Row, isize)>> = BTreeMap::new();
    let mut finished = false;
    input.inner.clone().sink(exchange, "Sink", move |(data, frontier)| {
        let mut inserts = Vec::new();
        data.for_each(|_cap, updates| {
            for (row, time, diff) in updates.drain(..) {
                if spec.append_only {
                    inserts.extend(std::iter::repeat_n(row, diff.max(0) as usize).map(|row| (RowKind::Insert, row)));
                } else {
                    pending.entry(if batch { at(0, 0) } else { time }).or_default().push((row, diff));
                }
            }
        });
        if finished || ctx.should_stop() {
            pending.clear();
            return;
        }
        let done = frontier.is_empty();
        let mut ready = Vec::new();
        while let Some((&time, _)) = pending.first_key_value() {
            if (batch && !done) || frontier.less_equal(&time) {
                break;
            }
            if let Some((_, changes)) = pending.pop_first() {
                ready.push(changes);
            }
        }
        let due = checkpoint.as_ref().and_then(|c| c.due(frontier_epoch(frontier.frontier())));
        let idle = ready.is_empty() && inserts.is_empty() && !done && due.is_none() && restore_with.is_empty();
        if !writes || (idle && checkpoint.as_ref().is_none_or(|c| !c.commit_due())) {
            return;
        }
        if writer.is_none() {
            match factory.open(&sink_id, worker, &ctx.sinks) {
                Ok(w) => writer = Some(w),
                Err(e) => return ctx.fail(e),
            }
        }
        let Some(w) = writer.as_mut() else { return };
        for snapshot in std::mem::take(&mut restore_with) {
            if let Err(e) = w.restore(&snapshot) {
                return ctx.fail(e);
            }
        }
        if !inserts.is_empty()
            && let Err(e) = w.write(&inserts)
        {
            return ctx.fail(e);
        }
        for mut changes in ready {
            consolidate(&mut changes);
            let out = if batch { final_rows(changes, spec.ordering.as_ref()) } else { changelog(changes, spec.unique_key.as_deref()) };
            if let Err(e) = w.write(&out) {
                return ctx.fail(e);
            }
        }
        if let Some(c) = checkpoint.as_mut()
            && let Err(e) = c.hand_in(w.as_mut(), due, done)
        {
            return ctx.fail(e);
        }
        if done {
            finished = true;
            if let Err(e) = w.finish() {
                ctx.fail(e);
            }
        }
    });
    input.inner.probe_with(probe);
}

/// Where one sink writer stands in the job's checkpoints: its snapshot goes into each
/// checkpoint once its input has left the epoch before the cut; what a complete checkpoint
/// covers is committed (made visible) by the writer.
struct SinkCheckpoint {
    checkpoints: Arc<Checkpoints>,
    participant: String,
    sink_id: String,
    worker: usize,
    snapshotted: u64,
    committed: u64,
}

impl SinkCheckpoint {
    fn register(checkpoints: &Arc<Checkpoints>, sink_id: &str, worker: usize) -> SinkCheckpoint {
        let participant = sink_participant(sink_id, worker);
        checkpoints.register(&participant);
        let first = checkpoints.first_epoch();
        SinkCheckpoint { checkpoints: Arc::clone(checkpoints), participant, sink_id: sink_id.to_string(), worker, snapshotted: first, committed: first }
    }

    /// What the writers this one takes over from (itself, or with another of the job's `peers`
    /// workers, every old writer whose index is its own modulo `peers`) handed to the restored
    /// checkpoint.
    fn restored(&self, peers: usize) -> Vec<SinkSnapshot> {
        let restored = self.checkpoints.sink_predecessors(&self.sink_id, self.worker, peers).into_iter();
        restored
            .filter_map(|(_, c)| match c {
                Contribution::Sink { pending } => Some(SinkSnapshot(pending)),
                _ => None,
            })
            .collect()
    }

    /// The pending checkpoint this writer now owes its snapshot to (its input, at
    /// `input_epoch`, has left the epoch before the cut).
    fn due(&self, input_epoch: Option<u64>) -> Option<u64> {
        self.checkpoints.due(self.snapshotted, input_epoch)
    }

    /// Whether a checkpoint completed since the last commit.
    fn commit_due(&self) -> bool {
        self.checkpoints.completed() > self.committed
    }

    /// Hands the writer's snapshot to checkpoint `due`, commits what complete checkpoints
    /// cover, and stands down when the input is `done`.
    fn hand_in(&mut self, writer: &mut dyn SinkWriter, due: Option<u64>, done: bool) -> Result<(), crate::error::RuntimeError> {
        if let Some(id) = due {
            self.snapshotted = id;
            match writer.snapshot(id) {
                Ok(snapshot) => self.checkpoints.contribute(id, &self.participant, Contribution::Sink { pending: snapshot.0 })?,
                Err(e) => self.checkpoints.fail(id, format!("{}: {e}", self.participant))?,
            }
        }
        let completed = self.checkpoints.completed();
        if completed > self.committed {
            writer.commit(completed)?;
            self.committed = completed;
        }
        if done {
            self.checkpoints.finish(&self.participant, Contribution::Finished)?;
        }
        Ok(())
    }
}

/// Final rows of a batch job as inserts, each as often as its multiplicity, in `ordering` (or
/// by row).
fn final_rows(changes: Vec<(Row, isize)>, ordering: Option<&(Vec<CompiledExpr>, Vec<SortSpec>)>) -> Vec<(RowKind, Row)> {
    let mut rows: Vec<(Row, isize)> = changes.into_iter().filter(|(_, r)| *r > 0).collect();
    if let Some((exprs, specs)) = ordering {
        let key = |row: &Row| exprs.iter().map(|e| e.eval(row).unwrap_or(Value::Null)).collect::<Vec<_>>();
        let mut keyed: Vec<(Vec<Value>, Row, isize)> = rows.into_iter().map(|(row, r)| (key(&row), row, r)).collect();
        keyed.sort_by(|a, b| compare_by(&a.0, &b.0, specs).then_with(|| a.1.cmp(&b.1)));
        rows = keyed.into_iter().map(|(_, row, r)| (row, r)).collect();
    }
    rows.into_iter().flat_map(|(row, r)| std::iter::repeat_n((RowKind::Insert, row), r as usize)).collect()
}

/// One time's consolidated diffs as a Flink changelog. With a unique key, a retraction and an
/// insertion of the same key pair into `-U`/`+U`; otherwise retractions are `-D` and insertions
/// `+I`. Output is ordered by key, `-U` right before its `+U`.
pub fn changelog(changes: Vec<(Row, isize)>, unique_key: Option<&[usize]>) -> Vec<(RowKind, Row)> {
    let expand = |row: Row, r: isize| std::iter::repeat_n(row, r.unsigned_abs());
    let mut out = Vec::new();
    let Some(key) = unique_key else {
        for (row, r) in changes {
            let kind = if r < 0 { RowKind::Delete } else { RowKind::Insert };
            out.extend(expand(row, r).map(|row| (kind, row)));
        }
        out.sort_by(|a, b| (a.0 != RowKind::Delete).cmp(&(b.0 != RowKind::Delete)).then_with(|| a.1.cmp(&b.1)));
        return out;
    };
    let mut by_key: BTreeMap<Row, (Vec<Row>, Vec<Row>)> = BTreeMap::new();
    for (row, r) in changes {
        let entry = by_key.entry(row.project(key)).or_default();
        let side = if r < 0 { &mut entry.0 } else { &mut entry.1 };
        side.extend(expand(row, r));
    }
    for (_, (removed, added)) in by_key {
        let pairs = removed.len().min(added.len());
        let mut removed = removed.into_iter();
        let mut added = added.into_iter();
        for _ in 0..pairs {
            if let (Some(old), Some(new)) = (removed.next(), added.next()) {
                out.push((RowKind::UpdateBefore, old));
                out.push((RowKind::UpdateAfter, new));
            }
        }
        out.extend(removed.map(|row| (RowKind::Delete, row)));
        out.extend(added.map(|row| (RowKind::Insert, row)));
    }
    out
}
