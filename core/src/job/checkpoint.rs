//! The checkpoints of one running job: when one is due, who takes part, and its commit.
//!
//! A checkpoint `n` cuts the job's input between epoch `n - 1` and epoch `n` of the dataflow
//! time (`ops::Time`). Each source split, when it sees that checkpoint `n` is pending, hands
//! in where it stands (its offset and event-time clock), moves its capability to epoch `n`
//! without moving its timestamp, and reads nothing more until the checkpoint is complete or
//! abandoned. Each stateful operator, once its input frontier has left epoch `n - 1` behind
//! (everything read before the cut has been processed there, and nothing after it exists
//! yet), writes its keyed state as a part of the checkpoint. Each sink hands in what it has
//! written. When every participant registered at build time has handed in its contribution,
//! the manifest is written atomically ([`CheckpointStorage::commit`]): the checkpoint is
//! complete, the sources read on, and older checkpoints beyond the retained number go.
//!
//! A participant that has finished (a bounded source at its end, an operator whose input
//! ended) hands in one standing contribution that counts for every later checkpoint.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use weir_state::{CheckpointManifest, CheckpointStorage, PartManifest};

use super::checkpoint_stats::CheckpointStats;
use super::key_groups::KeyGroups;
use super::rescale::{KEY_GROUPS_KEY, WORKERS_KEY, restored_key_groups};
use super::savepoint::SavepointRequest;
use crate::connectors::PushInput;
use crate::error::RuntimeError;

/// How a job takes checkpoints (Flink's `execution.checkpointing.*` settings).
#[derive(Clone, Debug)]
pub struct CheckpointConfig {
    /// Time between the completion (or abandonment) of one checkpoint and the start of the
    /// next; `None` for a job that only restores one and takes none.
    pub interval: Option<Duration>,
    /// Where checkpoints are written.
    pub storage: CheckpointStorage,
    /// How many complete checkpoints are kept (`state.checkpoints.num-retained`).
    pub retained: usize,
    /// Failed checkpoints in a row the job survives (`tolerable-failed-checkpoints`).
    pub tolerable_failures: u32,
    /// How long a checkpoint may take before it is abandoned.
    pub timeout: Duration,
}

/// What one participant hands in for a checkpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Contribution {
    /// A source split: where reading resumes, and its event-time clock.
    Source {
        /// The split's position ([`crate::connectors::SourceOffset`]'s JSON).
        offset: serde_json::Value,
        /// The split's event-time clock, if it has one.
        clock: Option<serde_json::Value>,
    },
    /// A stateful operator: its keyed state, written as a part of the checkpoint, and the few
    /// facts outside it that restoring needs.
    State {
        /// The part written.
        part: PartManifest,
        /// Facts kept beside the state (e.g. the watermark its timers fired through).
        facts: serde_json::Value,
    },
    /// A sink: what it has written and not yet made visible.
    Sink {
        /// The sink's own description.
        pending: serde_json::Value,
    },
    /// A participant that has finished and holds nothing.
    Finished,
}

/// Figures of a job's checkpoints, as Flink's `/jobs/{id}/checkpoints` reports them.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CheckpointCounts {
    /// Checkpoints started.
    pub triggered: u64,
    /// Checkpoints completed.
    pub completed: u64,
    /// Checkpoints failed or abandoned.
    pub failed: u64,
    /// The newest complete checkpoint.
    pub latest: Option<CompletedCheckpoint>,
}

/// One complete checkpoint.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CompletedCheckpoint {
    /// Its id (the epoch its cut starts).
    pub id: u64,
    /// Where it is.
    pub path: PathBuf,
    /// From trigger to commit.
    pub duration_ms: u64,
    /// Bytes of state written.
    pub state_bytes: u64,
}

/// The checkpoints of one running job, shared by all its workers.
#[derive(Debug)]
pub struct Checkpoints {
    config: CheckpointConfig,
    restored: Option<Restored>,
    /// The pending checkpoint's id, 0 when none: read on every source activation.
    pending_id: AtomicU64,
    /// The newest complete checkpoint's id (the restored one's, or 0, before any).
    completed_id: AtomicU64,
    /// Workers that have built their dataflow (and so registered their participants).
    built: AtomicUsize,
    workers: usize,
    key_groups: KeyGroups,
    inner: Mutex<Coordination>,
    /// The job's push inputs by source node index: their logs lose the records every
    /// retained checkpoint has read past.
    push_logs: Mutex<PushLogs>,
    /// Statistics of the job's checkpoints (shared with its other attempts).
    stats: Arc<CheckpointStats>,
    /// The plan nodes sub-plan reuse merged, as each manifest records them (`reused_nodes`).
    pub(super) reused_nodes: Option<String>,
}

/// Push inputs by source node index.
#[derive(Default)]
struct PushLogs(Vec<(usize, PushInput)>);

impl std::fmt::Debug for PushLogs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.iter().map(|(node, _)| node)).finish()
    }
}

/// The checkpoint a job starts from.
#[derive(Debug)]
struct Restored {
    storage: CheckpointStorage,
    manifest: CheckpointManifest,
}

#[derive(Debug)]
struct Coordination {
    participants: BTreeSet<String>,
    finished: BTreeMap<String, Contribution>,
    next_due: Option<Instant>,
    last_id: u64,
    pending: Option<Pending>,
    failures_in_row: u32,
    counts: CheckpointCounts,
    /// Savepoints asked for and not yet given a checkpoint.
    savepoints: Vec<SavepointRequest>,
    /// For each retained checkpoint, oldest first: the smallest push-log position each push
    /// source node (by index) resumes from.
    push_positions: VecDeque<BTreeMap<usize, u64>>,
    /// The complete checkpoints in the directory, oldest first: learnt (verified) at the first
    /// commit, then kept as checkpoints complete and go.
    complete: Option<VecDeque<u64>>,
}

#[derive(Debug)]
struct Pending {
    id: u64,
    started: Instant,
    contributions: BTreeMap<String, Contribution>,
    /// Savepoints this checkpoint is taken for.
    savepoints: Vec<SavepointRequest>,
}

impl Checkpoints {
    /// Checkpoints for a job of `workers` workers whose keyed state is partitioned into
    /// `key_groups`, starting from `restore` when given (taken with any worker count, but with
    /// the same key groups).
    pub fn new(
        config: CheckpointConfig,
        restore: Option<(CheckpointStorage, CheckpointManifest)>,
        workers: usize,
        key_groups: KeyGroups,
    ) -> Result<Checkpoints, RuntimeError> {
        if let Some((storage, manifest)) = &restore {
            let at = storage.checkpoint_dir(manifest.epoch);
            match restored_key_groups(manifest) {
                Some(groups) if groups != key_groups.count() => {
                    return Err(RuntimeError::Checkpoint(format!(
                        "checkpoint {} was taken with pipeline.max-parallelism {groups} and cannot be restored with {}: keyed state is partitioned by it",
                        at.display(),
                        key_groups.count()
                    )));
                }
                None if !manifest.parts.is_empty() => {
                    return Err(RuntimeError::Checkpoint(format!(
                        "checkpoint {} was written by an earlier version of Weir whose keyed state is not partitioned by key group; it cannot be restored",
                        at.display()
                    )));
                }
                _ => {}
            }
        }
        let first = restore.as_ref().map_or(0, |(_, m)| m.epoch);
        let stats = Arc::new(CheckpointStats::default());
        stats.attempt_started(restore.as_ref().map(|(storage, m)| (m.epoch, storage.checkpoint_dir(m.epoch))).as_ref().map(|(id, path)| (*id, path.as_path())));
        // New checkpoints take ids after every one already in the directory (complete or left
        // half-written by a crash), so none is overwritten, even restoring an older one.
        let existing = config.storage.epochs().map_err(|e| RuntimeError::Checkpoint(e.to_string()))?;
        let last_id = existing.last().copied().unwrap_or(0).max(first);
        Ok(Checkpoints {
            inner: Mutex::new(Coordination {
                participants: BTreeSet::new(),
                finished: BTreeMap::new(),
                next_due: config.interval.map(|i| Instant::now() + i),
                last_id,
                pending: None,
                failures_in_row: 0,
                counts: CheckpointCounts::default(),
                savepoints: Vec::new(),
                complete: None,
                push_positions: restore
                    .iter()
                    .map(|(_, m)| push_positions(m.metadata.iter().filter_map(|(k, v)| Some((k, serde_json::from_str(v).ok()?)))))
                    .collect(),
            }),
            push_logs: Mutex::default(),
            stats,
            config,
            restored: restore.map(|(storage, manifest)| Restored { storage, manifest }),
            pending_id: AtomicU64::new(0),
            completed_id: AtomicU64::new(first),
            built: AtomicUsize::new(0),
            workers,
            key_groups,
            reused_nodes: None,
        })
    }

    /// Reports this attempt's checkpoints to `stats`, the statistics of every attempt of the
    /// job (a restart keeps the history); a checkpoint an earlier attempt left under way fails.
    pub fn tracked_by(mut self, stats: Arc<CheckpointStats>) -> Checkpoints {
        stats.attempt_started(self.restored_from().as_deref().map(|path| (self.first_epoch(), path)));
        self.stats = stats;
        self
    }

    /// The statistics of the job's checkpoints.
    pub fn stats(&self) -> &CheckpointStats {
        &self.stats
    }

    /// How the job takes checkpoints.
    pub fn config(&self) -> &CheckpointConfig {
        &self.config
    }

    /// The restored checkpoint, if the job restores one: where it is and its manifest.
    pub(super) fn restored_manifest(&self) -> Option<(&CheckpointStorage, &CheckpointManifest)> {
        self.restored.as_ref().map(|r| (&r.storage, &r.manifest))
    }

    /// Whether checkpoints are taken every interval (not only for savepoints).
    pub fn periodic(&self) -> bool {
        self.config.interval.is_some()
    }

    /// The epoch the job starts in: that of the checkpoint it restores, else 0.
    pub fn first_epoch(&self) -> u64 {
        self.restored.as_ref().map_or(0, |r| r.manifest.epoch)
    }

    /// The checkpoint the job started from, if it restored one.
    pub fn restored_from(&self) -> Option<PathBuf> {
        self.restored.as_ref().map(|r| r.storage.checkpoint_dir(r.manifest.epoch))
    }

    /// Takes part in every checkpoint from now on as `participant` (called while the dataflow
    /// is built, before any checkpoint can start).
    pub fn register(&self, participant: &str) {
        if let Ok(mut c) = self.inner.lock() {
            c.participants.insert(participant.to_string());
        }
    }

    /// One worker has built its dataflow: its participants are all registered. No checkpoint
    /// starts before every worker has.
    pub fn built(&self) {
        self.built.fetch_add(1, Ordering::AcqRel);
    }

    /// What `participant` handed in for the checkpoint the job restores, if any.
    pub fn restored(&self, participant: &str) -> Option<Contribution> {
        let text = self.restored.as_ref()?.manifest.metadata.get(participant)?;
        serde_json::from_str(text).ok()
    }

    /// The id of the pending checkpoint, if one is pending.
    pub fn pending(&self) -> Option<u64> {
        Some(self.pending_id.load(Ordering::Acquire)).filter(|id| *id != 0)
    }

    /// The pending checkpoint a participant that last handed in to `last` now owes its part to,
    /// once its input has left the epoch before the cut (`input_epoch`: the input frontier's
    /// least epoch, `None` when the input has ended).
    pub fn due(&self, last: u64, input_epoch: Option<u64>) -> Option<u64> {
        let id = self.pending()?;
        (id > last && input_epoch.is_none_or(|e| e >= id)).then_some(id)
    }

    /// The newest complete checkpoint's id (the restored one's before any completes).
    pub fn completed(&self) -> u64 {
        self.completed_id.load(Ordering::Acquire)
    }

    /// The pending checkpoint, starting one when it is due; abandons one that has taken longer
    /// than the timeout (an error when that is more failures than the job tolerates).
    pub fn poll(&self) -> Result<Option<u64>, RuntimeError> {
        let Ok(mut c) = self.inner.lock() else { return Ok(None) };
        let now = Instant::now();
        if let Some(p) = &c.pending {
            if now.duration_since(p.started) <= self.config.timeout {
                return Ok(Some(p.id));
            }
            let reason = format!("checkpoint {} expired after {:?}", p.id, self.config.timeout);
            self.abandon(&mut c, reason)?;
            return Ok(None);
        }
        let due = c.next_due.is_some_and(|due| now >= due) || !c.savepoints.is_empty();
        if !due || self.built.load(Ordering::Acquire) < self.workers {
            return Ok(None);
        }
        c.last_id += 1;
        let id = c.last_id;
        let savepoints = std::mem::take(&mut c.savepoints);
        self.stats.triggered(id, !savepoints.is_empty(), &c.participants, &c.finished);
        c.pending = Some(Pending { id, started: now, contributions: BTreeMap::new(), savepoints });
        c.counts.triggered += 1;
        self.pending_id.store(id, Ordering::Release);
        tracing::debug!(checkpoint = id, "checkpoint triggered");
        Ok(Some(id))
    }

    /// Asks for a savepoint: the next checkpoint starts now (or after the pending one) and is
    /// copied to `request`'s location when it completes.
    pub fn savepoint(&self, request: SavepointRequest) {
        if let Ok(mut c) = self.inner.lock() {
            c.savepoints.push(request);
        }
    }

    /// Truncates the logs of `inputs` (push inputs by source node index) as checkpoints
    /// complete: records before the smallest position a retained checkpoint resumes from go.
    pub fn truncate_push_logs(&self, inputs: Vec<(usize, PushInput)>) {
        if let Ok(mut slot) = self.push_logs.lock() {
            *slot = PushLogs(inputs);
        }
    }

    /// Where parts of checkpoint `id` are written.
    pub fn storage(&self) -> &CheckpointStorage {
        &self.config.storage
    }

    /// Hands in `participant`'s contribution to checkpoint `id`; commits the checkpoint when it
    /// was the last one missing. An error means the job fails (too many failed checkpoints).
    pub fn contribute(&self, id: u64, participant: &str, contribution: Contribution) -> Result<(), RuntimeError> {
        let Ok(mut c) = self.inner.lock() else { return Ok(()) };
        match c.pending.as_mut() {
            Some(p) if p.id == id => {
                self.stats.acknowledged(id, participant, &contribution);
                p.contributions.insert(participant.to_string(), contribution);
            }
            _ => return Ok(()),
        }
        self.commit_if_complete(&mut c)
    }

    /// `participant` has finished: `contribution` stands for it in every later checkpoint.
    pub fn finish(&self, participant: &str, contribution: Contribution) -> Result<(), RuntimeError> {
        let Ok(mut c) = self.inner.lock() else { return Ok(()) };
        if let Some(p) = c.pending.as_ref().filter(|p| !p.contributions.contains_key(participant)) {
            self.stats.acknowledged(p.id, participant, &contribution);
        }
        c.finished.insert(participant.to_string(), contribution);
        self.commit_if_complete(&mut c)
    }

    /// Checkpoint `id` cannot complete (`reason`); an error when that is more failures in a
    /// row than the job tolerates.
    pub fn fail(&self, id: u64, reason: String) -> Result<(), RuntimeError> {
        let Ok(mut c) = self.inner.lock() else { return Ok(()) };
        if c.pending.as_ref().is_some_and(|p| p.id == id) {
            self.abandon(&mut c, reason)?;
        }
        Ok(())
    }

    /// The job's checkpoint figures.
    pub fn counts(&self) -> CheckpointCounts {
        self.inner.lock().map(|c| c.counts.clone()).unwrap_or_default()
    }

    fn abandon(&self, c: &mut Coordination, reason: String) -> Result<(), RuntimeError> {
        if let Some(p) = &c.pending {
            self.stats.failed(p.id, &reason);
        }
        for request in c.pending.take().map(|p| p.savepoints).unwrap_or_default() {
            request.fail(&reason);
        }
        self.pending_id.store(0, Ordering::Release);
        c.counts.failed += 1;
        c.failures_in_row += 1;
        c.next_due = self.config.interval.map(|i| Instant::now() + i);
        tracing::warn!(%reason, "checkpoint failed");
        if c.failures_in_row > self.config.tolerable_failures {
            return Err(RuntimeError::Checkpoint(format!(
                "{reason}; {} failed checkpoint(s) in a row exceed execution.checkpointing.tolerable-failed-checkpoints ({})",
                c.failures_in_row, self.config.tolerable_failures
            )));
        }
        Ok(())
    }

    fn commit_if_complete(&self, c: &mut Coordination) -> Result<(), RuntimeError> {
        let Some(p) = c.pending.as_ref() else { return Ok(()) };
        if c.participants.iter().any(|name| !p.contributions.contains_key(name) && !c.finished.contains_key(name)) {
            return Ok(());
        }
        let Some(p) = c.pending.take() else { return Ok(()) };
        let mut all = c.finished.clone();
        all.extend(p.contributions);
        match self.write_manifest(p.id, &all) {
            Ok(state_bytes) => {
                self.completed_id.store(p.id, Ordering::Release);
                self.pending_id.store(0, Ordering::Release);
                let duration_ms = u64::try_from(p.started.elapsed().as_millis()).unwrap_or(u64::MAX);
                let path = self.config.storage.checkpoint_dir(p.id);
                c.counts.completed += 1;
                self.stats.completed(p.id, path.clone());
                c.counts.latest = Some(CompletedCheckpoint { id: p.id, path, duration_ms, state_bytes });
                c.failures_in_row = 0;
                c.next_due = self.config.interval.map(|i| Instant::now() + i);
                tracing::debug!(checkpoint = p.id, duration_ms, "checkpoint complete");
                for request in &p.savepoints {
                    request.complete(&self.config.storage.checkpoint_dir(p.id));
                }
                match self.prune(c, p.id) {
                    Ok(removed) => self.stats.discarded(&removed),
                    Err(e) => tracing::warn!(error = %e, "removing old checkpoints failed"),
                }
                c.push_positions.push_back(push_positions(all.iter().map(|(k, v)| (k, v.clone()))));
                while c.push_positions.len() > self.config.retained {
                    c.push_positions.pop_front();
                }
                self.truncate_logs(&c.push_positions);
                Ok(())
            }
            Err(e) => {
                c.pending = Some(Pending { id: p.id, started: p.started, contributions: BTreeMap::new(), savepoints: p.savepoints });
                self.abandon(c, format!("checkpoint {} could not be committed: {e}", p.id))
            }
        }
    }

    /// Deletes the checkpoints older than the newest `retained` complete ones, `id` having just
    /// completed; the ids deleted. The checkpoint this attempt restored from stays: as with
    /// Flink's default restore mode (no claim), it is not the job's to delete, and a user may
    /// restore from it again. Which checkpoints are complete is verified once (the first
    /// time, as a restore would: manifests, sizes, checksums), then followed: verifying every
    /// retained checkpoint again at each commit read all their state files, a cost that grew
    /// with the state (and held the coordination lock that sources poll).
    fn prune(&self, c: &mut Coordination, id: u64) -> Result<Vec<u64>, String> {
        let storage = &self.config.storage;
        let complete = match c.complete.as_mut() {
            Some(complete) => complete,
            None => {
                let found = storage.epochs().map_err(|e| e.to_string())?.into_iter().filter(|e| *e != id && storage.load(*e).is_ok()).collect();
                c.complete.insert(found)
            }
        };
        complete.push_back(id);
        let keep = self.config.retained.max(1);
        let Some(&oldest_kept) = complete.len().checked_sub(keep).and_then(|i| complete.get(i)) else { return Ok(Vec::new()) };
        let restored_from = self.restored_from().map(|dir| dir.canonicalize().unwrap_or(dir));
        let is_restored_from = |dir: PathBuf| restored_from.as_ref().is_some_and(|r| dir.canonicalize().unwrap_or(dir) == *r);
        let doomed: Vec<u64> =
            storage.epochs().map_err(|e| e.to_string())?.into_iter().filter(|e| *e < oldest_kept && !is_restored_from(storage.checkpoint_dir(*e))).collect();
        for epoch in &doomed {
            match std::fs::remove_dir_all(storage.checkpoint_dir(*epoch)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(format!("{}: {e}", storage.checkpoint_dir(*epoch).display())),
                _ => {}
            }
        }
        complete.retain(|e| *e >= oldest_kept);
        Ok(doomed)
    }

    /// Deletes the push-log records no retained checkpoint needs.
    fn truncate_logs(&self, kept: &VecDeque<BTreeMap<usize, u64>>) {
        let Ok(inputs) = self.push_logs.lock() else { return };
        for (node, input) in &inputs.0 {
            let Some(seq) = kept.iter().map(|positions| positions.get(node).copied()).collect::<Option<Vec<u64>>>().and_then(|s| s.into_iter().min()) else {
                continue;
            };
            if let Err(e) = input.truncate_log_before(seq) {
                tracing::warn!(node, seq, error = %e, "cannot truncate a push-input log");
            }
        }
    }

    /// Writes the manifest of checkpoint `id`; the bytes of state it commits.
    fn write_manifest(&self, id: u64, all: &BTreeMap<String, Contribution>) -> Result<u64, String> {
        let mut parts = Vec::new();
        let mut metadata = BTreeMap::new();
        metadata.insert(WORKERS_KEY.to_string(), self.workers.to_string());
        metadata.insert(KEY_GROUPS_KEY.to_string(), self.key_groups.count().to_string());
        if let Some(merged) = &self.reused_nodes {
            metadata.insert(super::reused_nodes::REUSED_KEY.to_string(), merged.clone());
        }
        for (name, contribution) in all {
            if let Contribution::State { part, .. } = contribution {
                parts.push(part.clone());
            }
            metadata.insert(name.clone(), serde_json::to_string(contribution).map_err(|e| e.to_string())?);
        }
        let bytes = parts.iter().flat_map(|p| &p.files).map(|f| f.bytes).sum();
        self.config.storage.commit(id, parts, metadata).map_err(|e| e.to_string())?;
        Ok(bytes)
    }
}

/// The smallest push-log position (`{"seq": n}`) each source node resumes from, among the
/// contributions of one checkpoint (participants `source.<node>.s<split>`).
fn push_positions<'a>(contributions: impl Iterator<Item = (&'a String, Contribution)>) -> BTreeMap<usize, u64> {
    let mut positions: BTreeMap<usize, u64> = BTreeMap::new();
    for (participant, contribution) in contributions {
        let Contribution::Source { offset, .. } = contribution else { continue };
        let node = participant.strip_prefix("source.").and_then(|rest| rest.split_once(".s")).and_then(|(n, _)| n.parse::<usize>().ok());
        if let (Some(node), Some(seq)) = (node, offset.get("seq").and_then(serde_json::Value::as_u64)) {
            let slot = positions.entry(node).or_insert(seq);
            *slot = (*slot).min(seq);
        }
    }
    positions
}

/// The checkpoint to restore from `path`: a checkpoint directory (with its `MANIFEST.json`),
/// or a directory of checkpoints, whose newest complete one is taken (a damaged newer one is
/// skipped, as Flink falls back to an older checkpoint).
pub fn find_checkpoint(path: &Path) -> Result<(CheckpointStorage, CheckpointManifest), RuntimeError> {
    let fail = |detail: String| RuntimeError::Checkpoint(format!("cannot restore from {}: {detail}", path.display()));
    if path.join(weir_state::snapshot::MANIFEST_FILE).exists() {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let epoch = name.strip_prefix("chk-").and_then(|n| n.parse::<u64>().ok()).ok_or_else(|| fail("not a directory named chk-<id>".into()))?;
        let storage = CheckpointStorage::new(path.parent().unwrap_or(path));
        let manifest = storage.load(epoch).map_err(|e| fail(e.to_string()))?;
        return Ok((storage, manifest));
    }
    if !path.is_dir() {
        return Err(fail("no such directory".into()));
    }
    let storage = CheckpointStorage::new(path);
    let epochs = storage.epochs().map_err(|e| fail(e.to_string()))?;
    for epoch in epochs.iter().rev() {
        match storage.load(*epoch) {
            Ok(manifest) => return Ok((storage, manifest)),
            Err(e) => tracing::warn!(checkpoint = epoch, error = %e, "skipping a damaged or incomplete checkpoint"),
        }
    }
    Err(fail("it holds no complete checkpoint".into()))
}

#[cfg(test)]
mod tests {
    use weir_state::StateBackend;

    use super::*;

    fn config(root: &Path, tolerable_failures: u32) -> CheckpointConfig {
        CheckpointConfig {
            interval: Some(Duration::ZERO),
            storage: CheckpointStorage::new(root),
            retained: 2,
            tolerable_failures,
            timeout: Duration::from_secs(60),
        }
    }

    fn source(rows: u64) -> Contribution {
        Contribution::Source { offset: serde_json::json!({ "rows": rows }), clock: None }
    }

    #[test]
    fn a_checkpoint_commits_when_every_participant_has_handed_in() {
        let dir = tempfile::tempdir().unwrap();
        let checkpoints = Checkpoints::new(config(dir.path(), 0), None, 2, KeyGroups::default()).unwrap();
        checkpoints.register("source.0.s0");
        checkpoints.register("source.0.s1");
        checkpoints.built();
        assert_eq!(checkpoints.poll().unwrap(), None, "no checkpoint before every worker has built its dataflow");
        checkpoints.built();
        assert_eq!(checkpoints.poll().unwrap(), Some(1));
        assert_eq!(checkpoints.poll().unwrap(), Some(1), "one checkpoint at a time");
        checkpoints.contribute(1, "source.0.s0", source(5)).unwrap();
        assert_eq!(checkpoints.pending(), Some(1));
        checkpoints.contribute(1, "source.0.s1", source(7)).unwrap();
        assert_eq!(checkpoints.pending(), None);
        assert_eq!(checkpoints.counts().completed, 1);
        let (_, manifest) = find_checkpoint(dir.path()).unwrap();
        assert_eq!(manifest.epoch, 1);
        let restored = Checkpoints::new(config(dir.path(), 0), Some((CheckpointStorage::new(dir.path()), manifest)), 2, KeyGroups::default()).unwrap();
        assert_eq!(restored.first_epoch(), 1);
        assert_eq!(restored.restored("source.0.s1"), Some(source(7)));
        assert_eq!(restored.restored_workers(), Some(2));
        let rescaled = Checkpoints::new(config(dir.path(), 0), find_checkpoint(dir.path()).ok(), 3, KeyGroups::default()).unwrap();
        assert_eq!(rescaled.source_splits(0), Some(2), "another worker count keeps the splits");
        let error = Checkpoints::new(config(dir.path(), 0), find_checkpoint(dir.path()).ok(), 2, KeyGroups::new(64).unwrap()).unwrap_err();
        assert!(error.to_string().contains("pipeline.max-parallelism 128"), "{error}");
    }

    #[test]
    fn a_finished_participant_counts_for_every_later_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let checkpoints = Checkpoints::new(config(dir.path(), 0), None, 1, KeyGroups::default()).unwrap();
        checkpoints.register("source.0.s0");
        checkpoints.register("state.1.w0");
        checkpoints.built();
        checkpoints.finish("state.1.w0", Contribution::Finished).unwrap();
        for id in 1..=3 {
            assert_eq!(checkpoints.poll().unwrap(), Some(id));
            checkpoints.contribute(id, "source.0.s0", source(id)).unwrap();
            assert_eq!(checkpoints.pending(), None);
        }
        assert_eq!(CheckpointStorage::new(dir.path()).epochs().unwrap(), vec![2, 3], "two retained");
        let stats = checkpoints.stats().snapshot();
        assert_eq!(
            stats.history.iter().map(|c| (c.id, c.acknowledged(), c.subtasks(), c.discarded)).collect::<Vec<_>>(),
            vec![(3, 2, 2, false), (2, 2, 2, false), (1, 2, 2, true)]
        );
        // The next attempt, restored from checkpoint 3, reports to the same statistics.
        let shared = Arc::new(CheckpointStats::default());
        let first = Checkpoints::new(config(dir.path(), 0), None, 1, KeyGroups::default()).unwrap().tracked_by(Arc::clone(&shared));
        first.register("source.0.w0");
        first.built();
        assert_eq!(first.poll().unwrap(), Some(4));
        let next = Checkpoints::new(config(dir.path(), 0), find_checkpoint(dir.path()).ok(), 1, KeyGroups::default()).unwrap().tracked_by(Arc::clone(&shared));
        let stats = next.stats().snapshot();
        assert_eq!((stats.restored, stats.failed, stats.latest_restored.map(|r| r.id)), (1, 1, Some(3)), "checkpoint 4 failed with its attempt");
    }

    #[test]
    fn old_and_incomplete_checkpoints_go_beyond_the_retained_number() {
        let dir = tempfile::tempdir().unwrap();
        let storage = CheckpointStorage::new(dir.path());
        storage.commit(1, vec![], BTreeMap::new()).unwrap();
        std::fs::create_dir_all(storage.checkpoint_dir(2)).unwrap();
        let checkpoints = Checkpoints::new(CheckpointConfig { retained: 2, ..config(dir.path(), 0) }, None, 1, KeyGroups::default()).unwrap();
        checkpoints.register("source.0.w0");
        checkpoints.built();
        assert_eq!(checkpoints.poll().unwrap(), Some(3));
        checkpoints.contribute(3, "source.0.w0", source(3)).unwrap();
        assert_eq!(storage.epochs().unwrap(), vec![1, 2, 3], "the incomplete one is not counted: two complete are kept");
        assert_eq!(checkpoints.poll().unwrap(), Some(4));
        checkpoints.contribute(4, "source.0.w0", source(4)).unwrap();
        assert_eq!(storage.epochs().unwrap(), vec![3, 4]);
        assert!(checkpoints.stats().snapshot().history.iter().all(|c| !c.discarded), "1 and 2 were never this job's");
    }

    #[test]
    fn the_checkpoint_restored_from_is_kept_beyond_the_retained_number() {
        let dir = tempfile::tempdir().unwrap();
        let storage = CheckpointStorage::new(dir.path());
        storage.commit(1, vec![], BTreeMap::new()).unwrap();
        let (found, manifest) = find_checkpoint(&storage.checkpoint_dir(1)).unwrap();
        let checkpoints =
            Checkpoints::new(CheckpointConfig { retained: 1, ..config(dir.path(), 0) }, Some((found, manifest)), 1, KeyGroups::default()).unwrap();
        checkpoints.register("source.0.w0");
        checkpoints.built();
        for id in [2, 3] {
            assert_eq!(checkpoints.poll().unwrap(), Some(id));
            checkpoints.contribute(id, "source.0.w0", source(id)).unwrap();
        }
        assert_eq!(storage.epochs().unwrap(), vec![1, 3], "2 goes, 1 stays: it can be restored from again");
    }

    #[test]
    fn failures_beyond_the_tolerated_number_fail_the_job() {
        let dir = tempfile::tempdir().unwrap();
        let checkpoints = Checkpoints::new(config(dir.path(), 1), None, 1, KeyGroups::default()).unwrap();
        checkpoints.register("source.0.s0");
        checkpoints.built();
        assert_eq!(checkpoints.poll().unwrap(), Some(1));
        checkpoints.fail(1, "disk full".into()).unwrap();
        assert_eq!(checkpoints.poll().unwrap(), Some(2), "the next one starts after a tolerated failure");
        let error = checkpoints.fail(2, "disk full".into()).unwrap_err();
        assert!(error.to_string().contains("tolerable-failed-checkpoints"), "{error}");
        assert_eq!(checkpoints.counts().failed, 2);
    }

    #[test]
    fn push_logs_lose_what_every_retained_checkpoint_has_read() {
        use crate::types::{DataType, Field, Row, Schema, Value};
        let dir = tempfile::tempdir().unwrap();
        let source = crate::connectors::create_source("push", &Default::default(), &Schema::new(vec![Field::new("n", DataType::BigInt)])).unwrap();
        let input = source.push_input().unwrap();
        let log_dir = dir.path().join("log");
        input.attach_log(crate::connectors::PushLog::open(&log_dir, &["n"]).unwrap().with_segment_bytes(16)).unwrap();
        for i in 0..10 {
            input.push(vec![Row::new(vec![Value::BigInt(i)])]).unwrap();
        }
        let segments = || std::fs::read_dir(&log_dir).unwrap().count();
        assert_eq!(segments(), 10, "one entry per 16-byte segment");
        let checkpoints = Checkpoints::new(config(&dir.path().join("ck"), 0), None, 1, KeyGroups::default()).unwrap();
        checkpoints.truncate_push_logs(vec![(3, input)]);
        checkpoints.register("source.3.s0");
        checkpoints.built();
        let at = |seq: u64| Contribution::Source { offset: serde_json::json!({ "seq": seq }), clock: None };
        for (id, seq) in [(1, 4), (2, 7)] {
            assert_eq!(checkpoints.poll().unwrap(), Some(id));
            checkpoints.contribute(id, "source.3.s0", at(seq)).unwrap();
        }
        assert_eq!(segments(), 6, "two checkpoints retained: records before the older one's position (4) go");
        assert_eq!(checkpoints.poll().unwrap(), Some(3));
        checkpoints.contribute(3, "source.3.s0", at(9)).unwrap();
        assert_eq!(segments(), 3, "records before 7 go");
    }

    #[test]
    fn restore_falls_back_past_a_damaged_newest_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let storage = CheckpointStorage::new(dir.path());
        let mut backend = weir_state::MemoryBackend::new();
        backend.put("t", b"k", b"v").unwrap();
        let part = storage.write_part(4, "state.1.w0", &mut backend).unwrap();
        storage.commit(4, vec![part], BTreeMap::new()).unwrap();
        let part = storage.write_part(5, "state.1.w0", &mut backend).unwrap();
        storage.commit(5, vec![part], BTreeMap::new()).unwrap();
        std::fs::write(storage.checkpoint_dir(5).join("state.1.w0").join("state.bin"), b"torn").unwrap();
        let (_, manifest) = find_checkpoint(dir.path()).unwrap();
        assert_eq!(manifest.epoch, 4);
        let error = find_checkpoint(&storage.checkpoint_dir(5)).unwrap_err();
        assert!(error.to_string().contains("chk-00000000000000000005"), "{error}");
        // The same size, other bytes: only the checksum tells.
        let part = storage.write_part(6, "state.1.w0", &mut backend).unwrap();
        storage.commit(6, vec![part], BTreeMap::new()).unwrap();
        assert_eq!(find_checkpoint(dir.path()).unwrap().1.epoch, 6);
        let file = storage.checkpoint_dir(6).join("state.1.w0").join("state.bin");
        let mut bytes = std::fs::read(&file).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&file, bytes).unwrap();
        assert_eq!(find_checkpoint(dir.path()).unwrap().1.epoch, 4);
        let error = find_checkpoint(&storage.checkpoint_dir(6)).unwrap_err();
        assert!(error.to_string().contains("CRC-32"), "{error}");
    }
}
