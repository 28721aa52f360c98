//! What each worker of a job restored from a checkpoint takes over from the workers that
//! wrote it. With the same worker count, each participant restores its own contribution. With
//! another count: keyed state by key group (a worker takes the entries of its groups from the
//! old workers whose groups overlap its own), source splits stay as they were and are shared
//! out among the new workers, and each old sink writer's pending files are published by one
//! new writer.

use weir_state::codec::decode_exact;
use weir_state::{CheckpointManifest, KeyedStateStore, StateBackendConfig, StateError};

use super::checkpoint::{Checkpoints, Contribution};
use super::key_groups::KeyGroups;
use crate::error::RuntimeError;
use crate::types::Row;

/// The manifest entry naming the worker count a checkpoint was taken with.
pub(super) const WORKERS_KEY: &str = "job.workers";
/// The manifest entry naming the number of key groups of the job that took a checkpoint.
pub(super) const KEY_GROUPS_KEY: &str = "job.key-groups";

/// The participant name of the keyed state of plan node `node` on `worker`.
pub fn state_participant(node: usize, worker: usize) -> String {
    format!("state.{node}.w{worker}")
}

/// The participant name of split `split` of source node `node`.
pub fn source_participant(node: usize, split: usize) -> String {
    format!("source.{node}.s{split}")
}

/// The participant name of the writer of sink `sink_id` on `worker`.
pub fn sink_participant(sink_id: &str, worker: usize) -> String {
    format!("sink.{sink_id}.w{worker}")
}

/// The number of key groups `manifest`'s job had, when it says.
pub fn restored_key_groups(manifest: &CheckpointManifest) -> Option<u32> {
    manifest.metadata.get(KEY_GROUPS_KEY).and_then(|k| k.parse().ok())
}

impl Checkpoints {
    /// How many workers wrote the restored checkpoint (`None`: the job restores none).
    pub fn restored_workers(&self) -> Option<usize> {
        self.restored_manifest()?.1.metadata.get(WORKERS_KEY).and_then(|w| w.parse().ok())
    }

    /// The restored keyed-state participants of node `node` whose state `worker` of `workers`
    /// takes over, with what each handed in.
    pub fn state_predecessors(&self, node: usize, worker: usize, workers: usize, key_groups: KeyGroups) -> Vec<(String, Contribution)> {
        let old = self.restored_workers().unwrap_or(workers);
        let owners = if old == workers { vec![worker] } else { key_groups.predecessors(worker, workers, old) };
        owners.into_iter().map(|w| state_participant(node, w)).filter_map(|p| Some((p.clone(), self.restored(&p)?))).collect()
    }

    /// The keyed state store of node `node` on `worker` of `workers` as the restored checkpoint
    /// holds it (opened with `config`), or `None` when the job restores none or it held no
    /// state for the node.
    pub fn restore_keyed_state(
        &self,
        node: usize,
        worker: usize,
        workers: usize,
        key_groups: KeyGroups,
        config: &StateBackendConfig,
    ) -> Option<Result<KeyedStateStore, RuntimeError>> {
        let (storage, manifest) = self.restored_manifest()?;
        let parts: Vec<String> = self
            .state_predecessors(node, worker, workers, key_groups)
            .into_iter()
            .filter_map(|(_, c)| match c {
                Contribution::State { part, .. } => Some(part.name),
                _ => None,
            })
            .collect();
        let participant = state_participant(node, worker);
        let restored = match parts.as_slice() {
            [] => return None,
            [own] if self.restored_workers() == Some(workers) => storage.restore(manifest, own, config, worker),
            _ => {
                let mine = key_groups.range(worker, workers);
                let keep = |key: &[u8]| -> Result<bool, StateError> {
                    let row: Row = decode_exact(key).map_err(|e| StateError::CorruptValue { state: participant.clone(), detail: format!("a key: {e}") })?;
                    Ok(mine.contains(&key_groups.of(&row)))
                };
                let names: Vec<&str> = parts.iter().map(String::as_str).collect();
                storage.restore_merged(manifest, &names, config, worker, &keep)
            }
        };
        Some(restored.map(KeyedStateStore::new).map_err(|e| RuntimeError::Checkpoint(format!("restoring {participant}: {e}"))))
    }

    /// How many splits source node `node` had in the restored checkpoint (`None`: the job
    /// restores none, or the checkpoint has no split of the node).
    pub fn source_splits(&self, node: usize) -> Option<usize> {
        let prefix = format!("source.{node}.s");
        let (_, manifest) = self.restored_manifest()?;
        let splits = manifest.metadata.keys().filter_map(|k| k.strip_prefix(&prefix)?.parse::<usize>().ok()).max()?;
        Some(splits + 1)
    }

    /// The restored writers of sink `sink_id` whose snapshots `worker` of `workers` publishes,
    /// with what each handed in: its own, or with another worker count, every old writer whose
    /// index is `worker` modulo `workers`.
    pub fn sink_predecessors(&self, sink_id: &str, worker: usize, workers: usize) -> Vec<(String, Contribution)> {
        let Some((_, manifest)) = self.restored_manifest() else { return Vec::new() };
        let prefix = format!("sink.{sink_id}.w");
        let old: Vec<usize> = manifest.metadata.keys().filter_map(|k| k.strip_prefix(&prefix)?.parse::<usize>().ok()).collect();
        old.into_iter()
            .filter(|w| w % workers.max(1) == worker)
            .map(|w| sink_participant(sink_id, w))
            .filter_map(|p| Some((p.clone(), self.restored(&p)?)))
            .collect()
    }
}
