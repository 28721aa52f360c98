//! The sink side of connectors: a [`SinkFactory`] (a sink checked before the job starts)
//! opens a [`SinkWriter`] per writing worker, which receives the job's changelog batch by
//! batch.
//!
//! Where a sink's writers run is the factory's choice ([`SinkWriters`]):
//!
//! * [`SinkWriters::EveryWorker`]: each worker writes its share of the rows (Flink's parallel
//!   sink subtasks), e.g. one part file per worker for the `filesystem` sink. Changes that
//!   must meet (a retraction and the insertion it pairs with, or the two halves of a row
//!   that cancel out) are routed to the same worker by the row's unique key, or by the whole
//!   row; insert-only input stays on the worker that produced it.
//! * [`SinkWriters::One`]: one writer on worker 0 sees every change once, in time order, and
//!   final batch rows in the requested order (`print`: lines in a stable order on one
//!   console; `collect`: one ordered changelog per sink id for the caller to read).
//! * [`SinkWriters::None`]: nothing is written; the sink only has to see all of its input
//!   (`blackhole`).
//!
//! In every case the engine consolidates the changes of a completed time and turns them into
//! Flink's row kinds before a writer sees them. A writer is opened when its first change
//! arrives (or at the end of the input), and [`SinkWriter::finish`] is called on every
//! writer that was opened.
//!
//! With checkpointing, a writer takes part in the two-phase commit of Flink's `FileSink`
//! (see docs/fault-tolerance.md): at a checkpoint's cut [`SinkWriter::snapshot`] makes what
//! was written so far durable but not yet visible, and returns a [`SinkSnapshot`] stored in
//! the checkpoint; once the checkpoint is complete [`SinkWriter::commit`] makes it visible;
//! on recovery [`SinkWriter::restore`] commits what the restored checkpoint had made durable
//! and removes what was written after it. Sinks whose output cannot be taken back (`print`,
//! `collect`) keep the default hooks, which do nothing: they are at-least-once on recovery.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::error::RuntimeError;
use crate::types::{Row, RowKind};

/// Where a job's output goes.
pub trait SinkWriter {
    /// Writes one batch of changes, in order.
    fn write(&mut self, changes: &[(RowKind, Row)]) -> Result<(), RuntimeError>;

    /// Called once after the last batch of a job that ended (not for a cancelled job).
    fn finish(&mut self) -> Result<(), RuntimeError> {
        Ok(())
    }

    /// At the cut of checkpoint `checkpoint` (every change before it written, none after):
    /// makes what was written durable, pending the checkpoint's completion, and describes it
    /// for the checkpoint. Checkpoint ids increase. Default: nothing to keep.
    fn snapshot(&mut self, checkpoint: u64) -> Result<SinkSnapshot, RuntimeError> {
        let _ = checkpoint;
        Ok(SinkSnapshot::default())
    }

    /// Checkpoint `checkpoint` is complete (stored by every task): what the snapshots of it
    /// and of earlier checkpoints made pending becomes visible. Calling it again, or for an
    /// older checkpoint, is harmless. Default: nothing to do.
    fn commit(&mut self, checkpoint: u64) -> Result<(), RuntimeError> {
        let _ = checkpoint;
        Ok(())
    }

    /// Called on a fresh writer, before any write, when the job resumes from the checkpoint
    /// in which this writer's predecessor (same sink, same worker) returned `snapshot`: commits
    /// what it holds as pending (idempotent) and removes what the predecessor wrote after it.
    /// Default: nothing to do.
    fn restore(&mut self, snapshot: &SinkSnapshot) -> Result<(), RuntimeError> {
        let _ = snapshot;
        Ok(())
    }
}

/// What a [`SinkWriter`] keeps in a checkpoint, opaque to the engine: `null` for sinks that
/// keep nothing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SinkSnapshot(pub serde_json::Value);

/// Which workers run a sink's writers (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SinkWriters {
    /// One writer per worker, each writing its share.
    EveryWorker,
    /// One writer, on worker 0, seeing every change.
    One,
    /// No writer: the sink discards its input.
    None,
}

/// Where a sink's changes go, so that each reaches the writer that must see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SinkRoute {
    /// Nowhere: the sink has no writer (it only has to see all of its input).
    Discard,
    /// All to worker 0, the one writer.
    First,
    /// By the hash of these columns, the rows' unique key (a `-U` meets its `+U`).
    Key(Vec<usize>),
    /// By the hash of the whole row (an insertion and a retraction of one row meet).
    Row,
}

impl SinkWriters {
    /// How changes reach these writers: every worker's writer takes its share by the rows'
    /// `unique_key` (else the whole row) unless the rows must keep `one_order` (a batch ORDER
    /// BY, which parallel writers could not keep): then, as for a single writer, worker 0.
    pub fn route(self, unique_key: Option<&[usize]>, one_order: bool) -> SinkRoute {
        match self {
            SinkWriters::None => SinkRoute::Discard,
            SinkWriters::EveryWorker if !one_order => unique_key.map_or(SinkRoute::Row, |key| SinkRoute::Key(key.to_vec())),
            SinkWriters::EveryWorker | SinkWriters::One => SinkRoute::First,
        }
    }
}

/// Where the rows of a sink connector end up, for front ends that treat sinks by what they do
/// rather than by name (the server keeps the rows of console sinks for its clients; a query's
/// results go to the caller's sink).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SinkOutput {
    /// Lines on the process's standard output or error (`print`).
    Console,
    /// Kept in memory for whoever started the job: the REST API, the SDK, tests (`collect`).
    Caller,
    /// Written to storage outside the process (`filesystem`).
    External,
    /// Discarded (`blackhole`).
    Discard,
}

/// A checked sink, shared by all workers; each writing worker opens its own writer.
pub trait SinkFactory: Send + Sync {
    /// Which workers write.
    fn writers(&self) -> SinkWriters;

    /// Opens the writer of worker `worker` for the sink node `sink_id` of a job whose sinks
    /// share `ctx`. Called at most once per worker, only on the workers [`SinkFactory::writers`]
    /// names.
    fn open(&self, sink_id: &str, worker: usize, ctx: &SinkContext) -> Result<Box<dyn SinkWriter>, RuntimeError>;
}

/// A destination for the changes of `collect` sinks chosen by whoever starts the job (the REST
/// server keeps them in its bounded result store), instead of [`CollectedRows`]' own memory.
pub trait CollectTarget: Send + Sync {
    /// Receives one batch of changes of sink `sink_id`, in order.
    fn extend(&self, sink_id: &str, changes: &[(RowKind, Row)]);
}

/// Rows collected by `collect` sinks, by sink id: what tests, the SDK and the REST API read.
#[derive(Clone, Default)]
pub struct CollectedRows(Arc<Mutex<ChangesBySink>>, Option<Arc<dyn CollectTarget>>, Arc<Staging>);

/// Changes of `collect` sinks held back until the checkpoint that covers them completes (a
/// checkpointing job's results are exactly once across restarts, as Flink's collect sink's).
#[derive(Default)]
struct Staging {
    on: std::sync::atomic::AtomicBool,
    /// By sink id: batches in order, each with the checkpoint whose cut closed it
    /// ([`OPEN`] for the batch being written).
    batches: Mutex<BTreeMap<String, StagedBatches>>,
}

/// One sink's staged batches, each with the checkpoint that closed it.
type StagedBatches = Vec<(u64, Vec<(RowKind, Row)>)>;

/// The checkpoint of a staged batch no cut has closed yet.
const OPEN: u64 = u64::MAX;

/// Changelogs by sink id.
type ChangesBySink = BTreeMap<String, Vec<(RowKind, Row)>>;

impl std::fmt::Debug for CollectedRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.1.is_some() { "CollectedRows(forwarding)" } else { "CollectedRows" })
    }
}

impl CollectedRows {
    /// Rows that are handed to `target` as they come, not kept here.
    pub fn forwarding_to(target: Arc<dyn CollectTarget>) -> CollectedRows {
        CollectedRows(Arc::default(), Some(target), Arc::default())
    }

    /// Appends changes to the rows of sink `sink_id` (or hands them to the target).
    pub fn extend(&self, sink_id: &str, changes: &[(RowKind, Row)]) {
        if let Some(target) = &self.1 {
            target.extend(sink_id, changes);
            return;
        }
        if let Ok(mut map) = self.0.lock() {
            map.entry(sink_id.to_string()).or_default().extend_from_slice(changes);
        }
    }

    /// From now on, [`CollectedRows::write`] holds changes back until the checkpoint after
    /// them completes (the runtime turns this on for jobs that take checkpoints).
    pub fn stage_until_committed(&self) {
        self.2.on.store(true, std::sync::atomic::Ordering::Release);
    }

    /// A `collect` sink's changes: published at once, or staged until a checkpoint covers
    /// them (see [`CollectedRows::stage_until_committed`]).
    pub fn write(&self, sink_id: &str, changes: &[(RowKind, Row)]) {
        if !self.2.on.load(std::sync::atomic::Ordering::Acquire) {
            return self.extend(sink_id, changes);
        }
        if let Ok(mut staged) = self.2.batches.lock() {
            let batches = staged.entry(sink_id.to_string()).or_default();
            match batches.last_mut() {
                Some((OPEN, open)) => open.extend_from_slice(changes),
                _ => batches.push((OPEN, changes.to_vec())),
            }
        }
    }

    /// The cut of checkpoint `checkpoint`: the changes of `sink_id` staged so far belong to it.
    pub fn seal(&self, sink_id: &str, checkpoint: u64) {
        if let Ok(mut staged) = self.2.batches.lock()
            && let Some((id, _)) = staged.get_mut(sink_id).and_then(|b| b.last_mut()).filter(|(id, _)| *id == OPEN)
        {
            *id = checkpoint;
        }
    }

    /// Publishes the staged changes of `sink_id` that checkpoints up to `checkpoint` cover
    /// (every staged change, the open batch too, for `u64::MAX`).
    pub fn publish(&self, sink_id: &str, checkpoint: u64) {
        let ready: Vec<Vec<(RowKind, Row)>> = match self.2.batches.lock() {
            Ok(mut staged) => match staged.get_mut(sink_id) {
                Some(batches) => {
                    let n = batches.iter().take_while(|(id, _)| *id <= checkpoint).count();
                    batches.drain(..n).map(|(_, rows)| rows).collect()
                }
                None => Vec::new(),
            },
            Err(_) => Vec::new(),
        };
        for rows in ready {
            self.extend(sink_id, &rows);
        }
    }

    /// The job restarts from checkpoint `checkpoint` (0: from the start): what checkpoints up
    /// to it cover is published, the rest is dropped (the restarted job writes it again).
    pub fn roll_back(&self, checkpoint: u64) {
        let sinks: Vec<String> = self.2.batches.lock().map(|s| s.keys().cloned().collect()).unwrap_or_default();
        for sink in &sinks {
            if checkpoint > 0 {
                self.publish(sink, checkpoint);
            }
        }
        if let Ok(mut staged) = self.2.batches.lock() {
            staged.clear();
        }
    }

    /// The changes of sink `sink_id` from position `offset` on (for readers that follow a
    /// job's output as it grows).
    pub fn read_from(&self, sink_id: &str, offset: usize) -> Vec<(RowKind, Row)> {
        self.0.lock().ok().and_then(|m| m.get(sink_id).map(|rows| rows.get(offset..).unwrap_or_default().to_vec())).unwrap_or_default()
    }

    /// A copy of everything collected so far, by sink id.
    pub fn snapshot(&self) -> BTreeMap<String, Vec<(RowKind, Row)>> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

/// How `print` sinks write rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PrintFormat {
    /// Flink's changelog text: `+I[1, abc]`.
    #[default]
    Changelog,
    /// One JSON object per line: `{"op": "+I", "row": [1, "abc"]}` (the REST API's event shape).
    Json,
}

/// What a sink needs from the job that runs it.
#[derive(Clone, Default)]
pub struct SinkContext {
    /// Destination of `collect` sinks.
    pub collected: CollectedRows,
    /// Line format of `print` sinks.
    pub print_format: PrintFormat,
}
