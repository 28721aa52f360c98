//! Checkpoints of a keyed operator: its part of a checkpoint is its keyed state store (rows,
//! accumulators, timers) and the watermark its timers have fired through; restoring it brings
//! back the store and the capabilities its pending timers send their results under.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::json;
use timely::dataflow::operators::Capability;
use weir_state::{KeyedStateStore, StateError, TimeDomain};

use crate::error::RuntimeError;
use crate::job::{Checkpoints, Contribution, JobContext, KeyGroups, state_participant};

use super::super::{Time, at};
use super::Timers;

/// Where one keyed operator instance stands in the job's checkpoints.
pub(super) struct KeyedCheckpoint {
    /// Its participant name (`state.<node>.w<worker>`), also its part's name.
    pub participant: String,
    /// Its plan node, worker and the job's worker count: whose state it restored.
    node: usize,
    worker: usize,
    workers: usize,
    /// The last checkpoint it handed its state to.
    snapshotted: u64,
    finished: bool,
}

impl KeyedCheckpoint {
    /// The checkpointing of the keyed operator of plan node `node` on `worker` of `workers`,
    /// registered with `checkpoints` (called while the dataflow is built).
    pub fn register(checkpoints: &Checkpoints, node: usize, worker: usize, workers: usize) -> KeyedCheckpoint {
        let participant = state_participant(node, worker);
        checkpoints.register(&participant);
        KeyedCheckpoint { participant, node, worker, workers, snapshotted: checkpoints.first_epoch(), finished: false }
    }

    /// The keyed state store of plan node `index` (named `node`) on `worker` of `workers` — as
    /// the restored checkpoint holds it, if any — and, when the job takes checkpoints, its
    /// registration with them. A store that cannot be opened fails the job (`None`).
    pub fn open(
        ctx: &JobContext,
        node: &str,
        index: usize,
        worker: usize,
        workers: usize,
    ) -> (Option<(Arc<Checkpoints>, KeyedCheckpoint)>, Option<KeyedStateStore>) {
        let checkpoint = ctx.checkpoints.as_ref().map(|c| (Arc::clone(c), KeyedCheckpoint::register(c, index, worker, workers)));
        let store = match ctx.open_state(node, index, worker, workers) {
            Ok(store) => Some(store),
            Err(e) => {
                ctx.fail(e);
                None
            }
        };
        (checkpoint, store)
    }

    /// Brings back what the restored checkpoint says beside the store: the watermark timers
    /// fired through, and a capability for each pending timer's results (from `initial`, the
    /// operator's first capability).
    pub fn restore(&self, checkpoints: &Checkpoints, op: &mut Timers, initial: &Capability<Time>, key_groups: KeyGroups) -> Result<(), StateError> {
        // Rescaled, the state comes from several workers: timers fired through the least of
        // their watermarks are gone from all of them.
        let fired = checkpoints.state_predecessors(self.node, self.worker, self.workers, key_groups).into_iter().filter_map(|(_, c)| match c {
            Contribution::State { facts, .. } => Some(facts.get("fired").and_then(|f| f.as_i64()).unwrap_or(i64::MIN)),
            _ => None,
        });
        let Some(fired) = fired.min() else { return Ok(()) };
        op.fired = fired;
        let epoch = checkpoints.first_epoch();
        let event: BTreeSet<i64> = op.service.pending(&op.store, TimeDomain::EventTime)?.into_iter().map(|t| t.timestamp).collect();
        let processing = op.service.next_timestamp(&op.store, TimeDomain::ProcessingTime)?.is_some();
        if op.watermarked && !op.batch {
            for ts in &event {
                let time = at(epoch, u64::try_from(*ts).unwrap_or(0));
                op.held.entry(time).or_insert_with(|| initial.delayed(&time));
            }
        }
        if processing || (!op.watermarked && !event.is_empty()) {
            op.tail = Some(initial.delayed(&at(epoch, 0)));
        }
        Ok(())
    }

    /// Hands the operator's state to the pending checkpoint once its input has left the epoch
    /// before the checkpoint's cut behind (`input_epoch`: the input frontier's least epoch,
    /// `None` when the input has ended); `complete` writes into the store, first, what the
    /// operator's logic keeps beside it.
    pub fn maybe_snapshot(
        &mut self,
        checkpoints: &Checkpoints,
        op: &mut Timers,
        input_epoch: Option<u64>,
        complete: &mut dyn FnMut(&mut KeyedStateStore) -> Result<(), StateError>,
    ) -> Result<(), RuntimeError> {
        let fired = op.fired;
        self.maybe_snapshot_store(checkpoints, &mut op.store, json!({ "fired": fired }), input_epoch, complete)
    }

    /// Hands `store` to the pending checkpoint, with `facts` beside it, once the input has left
    /// the epoch before the checkpoint's cut behind (as [`KeyedCheckpoint::maybe_snapshot`]),
    /// for keyed operators without timers. `complete` runs first, when the store is taken: it
    /// writes into the store what the operator keeps of its state beside it.
    pub fn maybe_snapshot_store(
        &mut self,
        checkpoints: &Checkpoints,
        store: &mut KeyedStateStore,
        facts: serde_json::Value,
        input_epoch: Option<u64>,
        complete: &mut dyn FnMut(&mut KeyedStateStore) -> Result<(), StateError>,
    ) -> Result<(), RuntimeError> {
        if self.finished {
            return Ok(());
        }
        if input_epoch.is_none() {
            self.finished = true;
            return checkpoints.finish(&self.participant, Contribution::Finished);
        }
        match checkpoints.due(self.snapshotted, input_epoch) {
            Some(pending) => {
                self.snapshotted = pending;
                match complete(store).and_then(|()| write_part(checkpoints, &self.participant, pending, store)) {
                    Ok(part) => checkpoints.contribute(pending, &self.participant, Contribution::State { part, facts }),
                    Err(e) => checkpoints.fail(pending, format!("{}: {e}", self.participant)),
                }
            }
            _ => Ok(()),
        }
    }
}

fn write_part(checkpoints: &Checkpoints, participant: &str, id: u64, store: &mut KeyedStateStore) -> Result<weir_state::PartManifest, StateError> {
    checkpoints.storage().write_part(id, participant, store.backend_mut())
}
