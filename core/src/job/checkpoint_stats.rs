//! Statistics of a job's checkpoints, as Flink's checkpoint statistics tracker keeps them for
//! `/jobs/{id}/checkpoints`: counts, a bounded history of the newest checkpoints (each with its
//! status, times, sizes and per-task acknowledgements), the latest completed, savepoint, failed
//! and restored checkpoint, and a summary (min, max, average, percentiles) of the durations and
//! sizes of completed checkpoints.
//!
//! One tracker serves every attempt of a job, so a restart keeps the history, as Flink's does.
//! [`super::Checkpoints`] reports to it when a checkpoint is triggered, when a participant
//! acknowledges it, and when it completes or fails.
//!
//! Sizes: a checkpoint's *state size* is the bytes of every file its state parts list (what a
//! restore reads); its *checkpointed size* is the bytes of the files the previous completed
//! checkpoint did not already have (Flink's incremental size: RocksDB table files are hard-linked
//! from one checkpoint to the next, so only new ones count).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use weir_state::PartManifest;

use super::checkpoint::Contribution;

/// Checkpoints kept in the history (the default of Flink's `web.checkpoints.history`).
pub const DEFAULT_HISTORY: usize = 10;

/// Completed checkpoints whose figures the summary's percentiles are computed over (min, max
/// and average cover every one).
const SUMMARY_WINDOW: usize = 10_000;

/// Where a checkpoint stands (Flink's `CheckpointStatsStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CheckpointStatus {
    /// Triggered, not every participant has acknowledged it yet.
    InProgress,
    /// Its manifest is written.
    Completed,
    /// Abandoned: expired, a participant failed, its manifest could not be written, or the
    /// job restarted while it was under way.
    Failed,
}

/// What the subtasks (workers) of one task (a source, a stateful operator or a sink) handed in
/// for one checkpoint.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TaskCheckpoint {
    /// Its subtasks taking part.
    pub subtasks: usize,
    /// Those that have acknowledged.
    pub acknowledged: usize,
    /// When the last of them acknowledged, ms since the epoch.
    pub latest_ack_ms: Option<i64>,
    /// Bytes of state its parts hold.
    pub state_bytes: u64,
    /// Bytes its parts wrote that the previous completed checkpoint did not have.
    pub checkpointed_bytes: u64,
}

/// One checkpoint of the history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckpointRecord {
    /// Its id.
    pub id: u64,
    /// Where it stands.
    pub status: CheckpointStatus,
    /// Whether it was taken for a savepoint.
    pub savepoint: bool,
    /// When it was triggered, ms since the epoch.
    pub trigger_ms: i64,
    /// When the last participant acknowledged it, ms since the epoch.
    pub latest_ack_ms: Option<i64>,
    /// When it completed or failed, ms since the epoch.
    pub end_ms: Option<i64>,
    /// Bytes of state it holds (every task's).
    pub state_bytes: u64,
    /// Bytes written for it that the previous completed checkpoint did not have.
    pub checkpointed_bytes: u64,
    /// Its directory, once completed.
    pub path: Option<PathBuf>,
    /// Whether a completed checkpoint has since been deleted (beyond the retained number).
    pub discarded: bool,
    /// Why it failed.
    pub failure: Option<String>,
    /// Per task, by participant name without its worker (`source.0`, `state.3`, `sink.out`).
    pub tasks: BTreeMap<String, TaskCheckpoint>,
}

impl CheckpointRecord {
    /// Subtasks taking part, over every task.
    pub fn subtasks(&self) -> usize {
        self.tasks.values().map(|t| t.subtasks).sum()
    }

    /// Subtasks that have acknowledged, over every task.
    pub fn acknowledged(&self) -> usize {
        self.tasks.values().map(|t| t.acknowledged).sum()
    }

    /// From trigger to completion or failure; for one in progress, to now (`now_ms`).
    pub fn duration_ms(&self, now_ms: i64) -> u64 {
        u64::try_from(self.end_ms.unwrap_or(now_ms) - self.trigger_ms).unwrap_or(0)
    }
}

/// The checkpoint a job (its current attempt) started from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RestoredCheckpoint {
    /// Its id.
    pub id: u64,
    /// When the job restored it, ms since the epoch.
    pub restore_ms: i64,
    /// Whether it is a savepoint.
    pub savepoint: bool,
    /// Its directory.
    pub path: PathBuf,
}

/// One figure over completed checkpoints: min, max and average over all of them, percentiles
/// (linear interpolation between closest ranks) over the newest 10,000.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct FigureSummary {
    /// Smallest.
    pub min: u64,
    /// Largest.
    pub max: u64,
    /// Average, rounded down.
    pub avg: u64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
}

/// The summary of completed checkpoints.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CheckpointSummary {
    /// Bytes of state.
    pub state_bytes: FigureSummary,
    /// Bytes written for each checkpoint that its predecessor did not have.
    pub checkpointed_bytes: FigureSummary,
    /// From trigger to completion, ms.
    pub duration_ms: FigureSummary,
}

/// A copy of a job's checkpoint statistics at one moment.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CheckpointStatsSnapshot {
    /// Checkpoints triggered.
    pub triggered: u64,
    /// Checkpoints completed.
    pub completed: u64,
    /// Checkpoints failed.
    pub failed: u64,
    /// Checkpoints under way (0 or 1).
    pub in_progress: u64,
    /// Times the job started from a checkpoint.
    pub restored: u64,
    /// The newest checkpoints, newest first (at most the history size).
    pub history: Vec<CheckpointRecord>,
    /// The newest completed checkpoint.
    pub latest_completed: Option<CheckpointRecord>,
    /// The newest completed savepoint.
    pub latest_savepoint: Option<CheckpointRecord>,
    /// The newest failed checkpoint.
    pub latest_failed: Option<CheckpointRecord>,
    /// The checkpoint the job last started from.
    pub latest_restored: Option<RestoredCheckpoint>,
    /// Durations and sizes of completed checkpoints.
    pub summary: CheckpointSummary,
}

impl CheckpointStatsSnapshot {
    /// The job's checkpoint metrics with Flink's names and meanings (`-1`: no such checkpoint
    /// yet): `lastCheckpointDuration` (ms), `lastCheckpointSize` (the bytes the last completed
    /// checkpoint wrote), `lastCheckpointFullSize` (the bytes of state it holds),
    /// `lastCompletedCheckpointId`, `lastCheckpointRestoreTimestamp` (ms since the epoch),
    /// `numberOfInProgressCheckpoints`, `numberOfCompletedCheckpoints`,
    /// `numberOfFailedCheckpoints` and `totalNumberOfCheckpoints`.
    pub fn flink_metrics(&self) -> Vec<(&'static str, i64)> {
        let as_i64 = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        let last = self.latest_completed.as_ref();
        vec![
            ("lastCheckpointDuration", last.and_then(|c| c.end_ms.map(|end| end - c.trigger_ms)).unwrap_or(-1)),
            ("lastCheckpointSize", last.map_or(-1, |c| as_i64(c.checkpointed_bytes))),
            ("lastCheckpointFullSize", last.map_or(-1, |c| as_i64(c.state_bytes))),
            ("lastCompletedCheckpointId", last.map_or(-1, |c| as_i64(c.id))),
            ("lastCheckpointRestoreTimestamp", self.latest_restored.as_ref().map_or(-1, |r| r.restore_ms)),
            ("numberOfInProgressCheckpoints", as_i64(self.in_progress)),
            ("numberOfCompletedCheckpoints", as_i64(self.completed)),
            ("numberOfFailedCheckpoints", as_i64(self.failed)),
            ("totalNumberOfCheckpoints", as_i64(self.triggered)),
        ]
    }
}

/// The checkpoint statistics of one job, shared by its attempts.
#[derive(Debug)]
pub struct CheckpointStats {
    inner: Mutex<Tracker>,
}

impl Default for CheckpointStats {
    fn default() -> Self {
        CheckpointStats::new(DEFAULT_HISTORY)
    }
}

/// A file of a state part: (part, path, bytes, CRC-32).
type FileKey = (String, String, u64, Option<u32>);

#[derive(Debug, Default)]
struct Tracker {
    capacity: usize,
    history: VecDeque<CheckpointRecord>,
    triggered: u64,
    completed: u64,
    failed: u64,
    restored: u64,
    latest_completed: Option<CheckpointRecord>,
    latest_savepoint: Option<CheckpointRecord>,
    latest_failed: Option<CheckpointRecord>,
    latest_restored: Option<RestoredCheckpoint>,
    state_bytes: Figure,
    checkpointed_bytes: Figure,
    duration_ms: Figure,
    /// The files of the newest completed checkpoint.
    last_files: BTreeSet<FileKey>,
    /// The files acknowledged so far for the checkpoint under way.
    pending_files: BTreeSet<FileKey>,
}

/// A figure's count, sum, extremes and newest values.
#[derive(Debug, Default)]
struct Figure {
    count: u64,
    sum: u128,
    min: u64,
    max: u64,
    window: VecDeque<u64>,
}

impl Figure {
    fn add(&mut self, value: u64) {
        self.min = if self.count == 0 { value } else { self.min.min(value) };
        self.max = self.max.max(value);
        self.count += 1;
        self.sum += u128::from(value);
        if self.window.len() == SUMMARY_WINDOW {
            self.window.pop_front();
        }
        self.window.push_back(value);
    }

    fn summary(&self) -> FigureSummary {
        if self.count == 0 {
            return FigureSummary::default();
        }
        let mut sorted: Vec<u64> = self.window.iter().copied().collect();
        sorted.sort_unstable();
        let at = |q: f64| percentile(&sorted, q);
        FigureSummary {
            min: self.min,
            max: self.max,
            avg: u64::try_from(self.sum / u128::from(self.count)).unwrap_or(u64::MAX),
            p50: at(0.5),
            p90: at(0.9),
            p95: at(0.95),
            p99: at(0.99),
            p999: at(0.999),
        }
    }
}

/// The `q` quantile of `sorted` (not empty), interpolating linearly between closest ranks.
fn percentile(sorted: &[u64], q: f64) -> f64 {
    let rank = q * (sorted.len() - 1) as f64;
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    let (a, b) = (sorted[low] as f64, sorted[high] as f64);
    a + (b - a) * (rank - low as f64)
}

/// The task a participant (`<kind>.<id>.w<worker>`, or a source split's `source.<id>.s<split>`)
/// is a subtask of: `<kind>.<id>`.
pub fn task_of(participant: &str) -> &str {
    let subtask = |tail: &str| tail.strip_prefix(['w', 's']).is_some_and(|n| n.parse::<usize>().is_ok());
    participant.rsplit_once('.').filter(|(_, tail)| subtask(tail)).map_or(participant, |(task, _)| task)
}

/// Milliseconds since the epoch.
fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)).unwrap_or(0)
}

/// Whether `path` lies in a savepoint directory (`savepoint-<job>-<random>`).
fn is_savepoint_path(path: &Path) -> bool {
    path.ancestors().filter_map(|p| p.file_name()?.to_str()).any(|name| name.starts_with("savepoint-"))
}

impl CheckpointStats {
    /// Statistics keeping the newest `history` checkpoints (at least one).
    pub fn new(history: usize) -> CheckpointStats {
        CheckpointStats { inner: Mutex::new(Tracker { capacity: history.max(1), ..Tracker::default() }) }
    }

    /// The statistics now.
    pub fn snapshot(&self) -> CheckpointStatsSnapshot {
        let Ok(t) = self.inner.lock() else { return CheckpointStatsSnapshot::default() };
        CheckpointStatsSnapshot {
            triggered: t.triggered,
            completed: t.completed,
            failed: t.failed,
            in_progress: t.history.iter().filter(|r| r.status == CheckpointStatus::InProgress).count() as u64,
            restored: t.restored,
            history: t.history.iter().rev().cloned().collect(),
            latest_completed: t.latest_completed.clone(),
            latest_savepoint: t.latest_savepoint.clone(),
            latest_failed: t.latest_failed.clone(),
            latest_restored: t.latest_restored.clone(),
            summary: CheckpointSummary {
                state_bytes: t.state_bytes.summary(),
                checkpointed_bytes: t.checkpointed_bytes.summary(),
                duration_ms: t.duration_ms.summary(),
            },
        }
    }

    /// The checkpoint of id `id` if the history still holds it.
    pub fn checkpoint(&self, id: u64) -> Option<CheckpointRecord> {
        self.inner.lock().ok()?.history.iter().find(|r| r.id == id).cloned()
    }

    /// A new attempt of the job starts (from `restored`, when it restores a checkpoint): a
    /// checkpoint the failed attempt left under way has failed.
    pub(super) fn attempt_started(&self, restored: Option<(u64, &Path)>) {
        let Ok(mut t) = self.inner.lock() else { return };
        let now = now_ms();
        let open: Vec<u64> = t.history.iter().filter(|r| r.status == CheckpointStatus::InProgress).map(|r| r.id).collect();
        for id in open {
            t.fail(id, "the job restarted while the checkpoint was under way", now);
        }
        if let Some((id, path)) = restored {
            t.restored += 1;
            t.latest_restored = Some(RestoredCheckpoint { id, restore_ms: now, savepoint: is_savepoint_path(path), path: path.to_path_buf() });
        }
    }

    /// Checkpoint `id` is triggered with `participants` taking part; those in `finished` have
    /// already handed in what stands for them.
    pub(super) fn triggered(&self, id: u64, savepoint: bool, participants: &BTreeSet<String>, finished: &BTreeMap<String, Contribution>) {
        let Ok(mut t) = self.inner.lock() else { return };
        let now = now_ms();
        let mut tasks: BTreeMap<String, TaskCheckpoint> = BTreeMap::new();
        for participant in participants {
            tasks.entry(task_of(participant).to_string()).or_default().subtasks += 1;
        }
        t.triggered += 1;
        t.pending_files.clear();
        t.push(CheckpointRecord {
            id,
            status: CheckpointStatus::InProgress,
            savepoint,
            trigger_ms: now,
            latest_ack_ms: None,
            end_ms: None,
            state_bytes: 0,
            checkpointed_bytes: 0,
            path: None,
            discarded: false,
            failure: None,
            tasks,
        });
        for (participant, contribution) in finished.iter().filter(|(p, _)| participants.contains(*p)) {
            t.acknowledge(id, participant, contribution, now);
        }
    }

    /// `participant` handed in `contribution` for checkpoint `id`.
    pub(super) fn acknowledged(&self, id: u64, participant: &str, contribution: &Contribution) {
        if let Ok(mut t) = self.inner.lock() {
            t.acknowledge(id, participant, contribution, now_ms());
        }
    }

    /// Checkpoint `id` is complete, in `path`.
    pub(super) fn completed(&self, id: u64, path: PathBuf) {
        let Ok(mut t) = self.inner.lock() else { return };
        let now = now_ms();
        let Some(record) = t.history.iter_mut().find(|r| r.id == id) else { return };
        record.status = CheckpointStatus::Completed;
        record.end_ms = Some(now);
        record.path = Some(path);
        let record = record.clone();
        t.completed += 1;
        t.state_bytes.add(record.state_bytes);
        t.checkpointed_bytes.add(record.checkpointed_bytes);
        t.duration_ms.add(record.duration_ms(now));
        t.last_files = std::mem::take(&mut t.pending_files);
        if record.savepoint {
            t.latest_savepoint = Some(record.clone());
        }
        t.latest_completed = Some(record);
    }

    /// Checkpoint `id` failed because of `reason`.
    pub(super) fn failed(&self, id: u64, reason: &str) {
        if let Ok(mut t) = self.inner.lock() {
            t.fail(id, reason, now_ms());
        }
    }

    /// The completed checkpoints `ids` have been deleted.
    pub(super) fn discarded(&self, ids: &[u64]) {
        let Ok(mut t) = self.inner.lock() else { return };
        for record in t.history.iter_mut().filter(|r| ids.contains(&r.id)) {
            record.discarded = true;
        }
        if let Some(latest) = t.latest_completed.as_mut() {
            latest.discarded |= ids.contains(&latest.id);
        }
    }
}

impl Tracker {
    fn push(&mut self, record: CheckpointRecord) {
        if self.history.len() == self.capacity {
            self.history.pop_front();
        }
        self.history.push_back(record);
    }

    fn acknowledge(&mut self, id: u64, participant: &str, contribution: &Contribution, now: i64) {
        let (state_bytes, checkpointed_bytes) = match contribution {
            Contribution::State { part, .. } => self.sizes(part),
            _ => (0, 0),
        };
        let Some(record) = self.history.iter_mut().find(|r| r.id == id && r.status == CheckpointStatus::InProgress) else { return };
        let task = record.tasks.entry(task_of(participant).to_string()).or_default();
        task.acknowledged += 1;
        task.subtasks = task.subtasks.max(task.acknowledged);
        task.latest_ack_ms = Some(now);
        task.state_bytes += state_bytes;
        task.checkpointed_bytes += checkpointed_bytes;
        record.latest_ack_ms = Some(now);
        record.state_bytes += state_bytes;
        record.checkpointed_bytes += checkpointed_bytes;
    }

    /// The bytes of `part`, and those of its files the newest completed checkpoint did not have
    /// (noting them as files of the checkpoint under way).
    fn sizes(&mut self, part: &PartManifest) -> (u64, u64) {
        let (mut total, mut new) = (0, 0);
        for file in &part.files {
            let key = (part.name.clone(), file.path.clone(), file.bytes, file.crc32);
            total += file.bytes;
            if !self.last_files.contains(&key) {
                new += file.bytes;
            }
            self.pending_files.insert(key);
        }
        (total, new)
    }

    fn fail(&mut self, id: u64, reason: &str, now: i64) {
        let Some(record) = self.history.iter_mut().find(|r| r.id == id && r.status == CheckpointStatus::InProgress) else { return };
        record.status = CheckpointStatus::Failed;
        record.end_ms = Some(now);
        record.failure = Some(reason.to_string());
        let record = record.clone();
        self.failed += 1;
        self.pending_files.clear();
        self.latest_failed = Some(record);
    }
}

#[cfg(test)]
mod tests {
    use weir_state::{BackendKind, SnapshotFile};

    use super::*;

    fn part(name: &str, files: &[(&str, u64)]) -> Contribution {
        let files = files.iter().map(|(path, bytes)| SnapshotFile { path: (*path).to_string(), bytes: *bytes, crc32: Some(7) }).collect();
        Contribution::State { part: PartManifest { name: name.into(), backend: BackendKind::RocksDb, files }, facts: serde_json::Value::Null }
    }

    fn participants(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| (*n).to_string()).collect()
    }

    #[test]
    fn a_checkpoint_goes_from_in_progress_to_completed_with_its_tasks_and_sizes() {
        let stats = CheckpointStats::default();
        let all = participants(&["source.0.w0", "source.0.w1", "state.2.w0", "state.2.w1"]);
        stats.triggered(1, false, &all, &BTreeMap::new());
        stats.acknowledged(1, "source.0.w0", &Contribution::Source { offset: serde_json::json!(1), clock: None });
        stats.acknowledged(1, "state.2.w0", &part("state.2.w0", &[("1.sst", 100), ("MANIFEST", 10)]));
        let snapshot = stats.snapshot();
        assert_eq!((snapshot.triggered, snapshot.in_progress, snapshot.completed), (1, 1, 0));
        let record = &snapshot.history[0];
        assert_eq!((record.status, record.subtasks(), record.acknowledged()), (CheckpointStatus::InProgress, 4, 2));
        assert_eq!(record.tasks["state.2"].state_bytes, 110);
        stats.acknowledged(1, "source.0.w1", &Contribution::Finished);
        stats.acknowledged(1, "state.2.w1", &part("state.2.w1", &[("2.sst", 50)]));
        stats.completed(1, PathBuf::from("/ck/chk-1"));
        let snapshot = stats.snapshot();
        let latest = snapshot.latest_completed.as_ref().unwrap();
        assert_eq!((latest.status, latest.state_bytes, latest.checkpointed_bytes, latest.acknowledged()), (CheckpointStatus::Completed, 160, 160, 4));
        assert_eq!((snapshot.in_progress, snapshot.completed), (0, 1));
        assert_eq!(snapshot.summary.state_bytes.max, 160);
        let metrics: BTreeMap<&str, i64> = snapshot.flink_metrics().into_iter().collect();
        assert_eq!((metrics["lastCheckpointFullSize"], metrics["lastCompletedCheckpointId"], metrics["numberOfCompletedCheckpoints"]), (160, 1, 1));
        assert!(metrics["lastCheckpointDuration"] >= 0);
        assert_eq!(metrics["lastCheckpointRestoreTimestamp"], -1, "never restored");
    }

    #[test]
    fn files_shared_with_the_previous_checkpoint_are_not_checkpointed_again() {
        let stats = CheckpointStats::default();
        let all = participants(&["state.1.w0"]);
        stats.triggered(1, false, &all, &BTreeMap::new());
        stats.acknowledged(1, "state.1.w0", &part("state.1.w0", &[("1.sst", 1000), ("MANIFEST", 10)]));
        stats.completed(1, "/ck/chk-1".into());
        stats.triggered(2, false, &all, &BTreeMap::new());
        stats.acknowledged(2, "state.1.w0", &part("state.1.w0", &[("1.sst", 1000), ("2.sst", 30), ("MANIFEST", 12)]));
        stats.completed(2, "/ck/chk-2".into());
        let latest = stats.snapshot().latest_completed.unwrap();
        assert_eq!((latest.id, latest.state_bytes, latest.checkpointed_bytes), (2, 1042, 42));
        let summary = stats.snapshot().summary.checkpointed_bytes;
        assert_eq!((summary.min, summary.max, summary.avg), (42, 1010, 526));
    }

    #[test]
    fn the_history_is_bounded_and_failures_and_restarts_are_kept() {
        let stats = CheckpointStats::new(3);
        let all = participants(&["source.0.w0"]);
        for id in 1..=5 {
            stats.triggered(id, id == 4, &all, &BTreeMap::new());
            stats.acknowledged(id, "source.0.w0", &Contribution::Finished);
            if id == 2 {
                stats.failed(id, "disk full");
            } else {
                stats.completed(id, format!("/ck/chk-{id}").into());
            }
        }
        stats.triggered(6, false, &all, &BTreeMap::new());
        stats.attempt_started(Some((5, Path::new("/ck/chk-5"))));
        stats.discarded(&[3, 4]);
        let snapshot = stats.snapshot();
        assert_eq!(snapshot.history.iter().map(|r| r.id).collect::<Vec<_>>(), vec![6, 5, 4], "newest first, three kept");
        assert_eq!(snapshot.history[0].status, CheckpointStatus::Failed, "under way when the job restarted");
        assert!(snapshot.history[2].discarded);
        assert_eq!((snapshot.triggered, snapshot.completed, snapshot.failed, snapshot.restored), (6, 4, 2, 1));
        assert_eq!(snapshot.latest_savepoint.map(|r| (r.id, r.discarded)), Some((4, false)), "a savepoint is not discarded with checkpoints");
        assert_eq!(snapshot.latest_failed.map(|r| r.id), Some(6));
        assert_eq!(snapshot.latest_restored.map(|r| (r.id, r.savepoint)), Some((5, false)));
        assert!(stats.checkpoint(5).is_some() && stats.checkpoint(2).is_none());
    }

    #[test]
    fn summaries_and_task_names() {
        let mut figure = Figure::default();
        assert_eq!(figure.summary(), FigureSummary::default());
        for v in [10, 20, 30, 40, 50] {
            figure.add(v);
        }
        let s = figure.summary();
        assert_eq!((s.min, s.max, s.avg, s.p50), (10, 50, 30, 30.0));
        assert!((s.p90 - 46.0).abs() < 1e-9, "{}", s.p90);
        assert_eq!(task_of("sink.out.w12"), "sink.out");
        assert_eq!(task_of("sink.a.wide"), "sink.a.wide");
        assert_eq!(task_of("source.0.s3"), "source.0");
        assert!(is_savepoint_path(Path::new("/sp/savepoint-abc-123/chk-7")));
    }
}
