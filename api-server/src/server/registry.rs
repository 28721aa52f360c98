//! The job registry: one [`JobRecord`] per job the server has accepted, kept in memory and
//! persisted to `<data-dir>/jobs.json` (written to a temporary file, then renamed over the old
//! one, so a reader or a crash never sees half a file) after every state change.
//!
//! Writes are coalesced by a background thread: a burst of state changes costs one write of
//! the newest state, never an older one after a newer. [`JobRegistry::flush`] writes at once
//! (shutdown).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A job's lifecycle state, with Flink's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum JobState {
    /// Accepted, workers not started yet.
    Created,
    /// Workers are running.
    Running,
    /// Every sink saw all its input.
    Finished,
    /// The job stopped on an error (see `/jobs/{jobid}/exceptions`).
    Failed,
    /// Cancelled by a client, by the server's shutdown, or found running after a restart.
    Canceled,
}

impl JobState {
    /// Every state, in lifecycle order.
    pub const ALL: [JobState; 5] = [JobState::Created, JobState::Running, JobState::Finished, JobState::Failed, JobState::Canceled];

    /// True for FINISHED, FAILED and CANCELED: the job will not change again.
    pub fn is_terminal(self) -> bool {
        matches!(self, JobState::Finished | JobState::Failed | JobState::Canceled)
    }

    /// The state's name as Flink writes it.
    pub fn name(self) -> &'static str {
        match self {
            JobState::Created => "CREATED",
            JobState::Running => "RUNNING",
            JobState::Finished => "FINISHED",
            JobState::Failed => "FAILED",
            JobState::Canceled => "CANCELED",
        }
    }
}

/// What the client posted: SQL text or a JSON job spec.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobSource {
    /// A SQL script.
    Sql(String),
    /// A JSON job spec, as posted.
    Spec(serde_json::Value),
}

/// One output column of a plan node.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ColumnInfo {
    /// Column name.
    pub name: String,
    /// SQL type (`BIGINT`, `STRING`, ...).
    #[serde(rename = "type")]
    pub data_type: String,
}

/// One node of a job's plan (a Flink "vertex").
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct VertexInfo {
    /// The node's id in the plan.
    pub id: String,
    /// The node's kind (`source`, `aggregate`, `sink`, ...).
    pub kind: String,
    /// Ids of the nodes it reads.
    pub inputs: Vec<String>,
    /// Its output columns.
    pub columns: Vec<ColumnInfo>,
    /// For sources and sinks, the connector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector: Option<String>,
}

/// Record counters of one vertex.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct VertexCounts {
    /// Records its inputs produced.
    pub records_in: u64,
    /// Records it produced.
    pub records_out: u64,
    /// Malformed records skipped.
    pub records_skipped: u64,
    /// Event-time watermark in epoch ms, when the vertex has event time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark: Option<u64>,
}

/// Why a job failed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct JobFailure {
    /// Stable code of the engine error (`bad_record`, `eval_error`, `worker_failed`, ...).
    pub code: String,
    /// The message.
    pub message: String,
    /// When, in ms since the epoch.
    pub timestamp: i64,
}

/// Everything the server keeps about one job; the unit of persistence.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct JobRecord {
    /// 32 lowercase hex characters.
    pub jid: String,
    /// The job's name.
    pub name: String,
    /// Current state.
    pub state: JobState,
    /// `BATCH` or `STREAMING`.
    pub job_type: String,
    /// Worker threads.
    pub parallelism: usize,
    /// What was posted.
    pub source: JobSource,
    /// The job spec that ran (print sinks rewritten to collect).
    pub spec: serde_json::Value,
    /// The validated plan's nodes.
    pub vertices: Vec<VertexInfo>,
    /// Ids of the sinks whose rows the server keeps (`collect`).
    pub result_sinks: Vec<String>,
    /// When the job entered each state, ms since the epoch.
    pub timestamps: BTreeMap<JobState, i64>,
    /// Final per-vertex counters (live counters come from the running job).
    #[serde(default)]
    pub final_counts: Vec<VertexCounts>,
    /// Why the job failed, when it did.
    #[serde(default)]
    pub failure: Option<JobFailure>,
    /// Why it was cancelled, when it was.
    #[serde(default)]
    pub cancel_reason: Option<String>,
}

impl JobRecord {
    /// Time the job was accepted.
    pub fn start_time(&self) -> i64 {
        self.timestamps.get(&JobState::Created).copied().unwrap_or(0)
    }

    /// Time the job reached its terminal state, if it has.
    pub fn end_time(&self) -> Option<i64> {
        if self.state.is_terminal() { self.timestamps.get(&self.state).copied() } else { None }
    }

    /// Milliseconds from start to end (or to `now` while running).
    pub fn duration(&self, now: i64) -> i64 {
        (self.end_time().unwrap_or(now) - self.start_time()).max(0)
    }

    /// Moves to `state` at `now`.
    pub fn enter(&mut self, state: JobState, now: i64) {
        self.state = state;
        self.timestamps.insert(state, now);
    }
}

/// The registry file's content.
#[derive(Serialize, Deserialize)]
struct RegistryFile {
    version: u32,
    jobs: Vec<JobRecord>,
}

/// All jobs the server knows, persisted in the data directory.
pub struct JobRegistry {
    jobs: Mutex<HashMap<String, JobRecord>>,
    path: PathBuf,
    writer: Arc<Writer>,
    /// The background writer, joined by [`JobRegistry::close`] so that no write of this
    /// registry can land after it is closed.
    writer_thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

/// The coalescing writer: `dirty` is set on change; the thread writes the newest state.
struct Writer {
    dirty: Mutex<(bool, bool)>,
    wake: Condvar,
    write_lock: Mutex<()>,
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

impl JobRegistry {
    /// Opens (or creates) the registry in `data_dir`. Jobs found CREATED or RUNNING did not
    /// survive an unclean stop of the server; they are marked FAILED with a message saying so.
    pub fn open(data_dir: &Path) -> anyhow::Result<Arc<JobRegistry>> {
        std::fs::create_dir_all(data_dir).map_err(|e| anyhow::anyhow!("cannot create data dir {}: {e}", data_dir.display()))?;
        let path = data_dir.join("jobs.json");
        let mut jobs = HashMap::new();
        let mut interrupted = 0;
        if path.exists() {
            let text = std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            let file: RegistryFile =
                serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{} is not a job registry: {e}", path.display()))?;
            let now = now_ms();
            for mut job in file.jobs {
                if !job.state.is_terminal() {
                    interrupted += 1;
                    job.failure = Some(JobFailure {
                        code: "server_restarted".into(),
                        message: "the server stopped while the job was running (it was not shut down cleanly); Weir does not resume jobs after a restart: submit it again".into(),
                        timestamp: now,
                    });
                    job.enter(JobState::Failed, now);
                }
                jobs.insert(job.jid.clone(), job);
            }
        }
        let writer = Arc::new(Writer { dirty: Mutex::new((false, false)), wake: Condvar::new(), write_lock: Mutex::new(()) });
        let registry = Arc::new(JobRegistry { jobs: Mutex::new(jobs), path, writer, writer_thread: Mutex::new(None) });
        tracing::info!(jobs = registry.len(), interrupted, path = %registry.path.display(), "job registry opened");
        registry.flush()?;
        let weak = Arc::downgrade(&registry);
        let handle = std::thread::Builder::new().name("weir-registry".into()).spawn(move || Self::write_loop(weak))?;
        if let Ok(mut slot) = registry.writer_thread.lock() {
            *slot = Some(handle);
        }
        Ok(registry)
    }

    fn write_loop(registry: std::sync::Weak<JobRegistry>) {
        loop {
            let Some(this) = registry.upgrade() else { return };
            let writer = Arc::clone(&this.writer);
            drop(this);
            {
                let Ok(mut dirty) = writer.dirty.lock() else { return };
                while !dirty.0 && !dirty.1 {
                    dirty = match writer.wake.wait(dirty) {
                        Ok(d) => d,
                        Err(_) => return,
                    };
                }
                if dirty.1 {
                    return;
                }
                dirty.0 = false;
            }
            let Some(this) = registry.upgrade() else { return };
            if let Err(e) = this.flush() {
                tracing::error!(error = %e, "cannot write the job registry");
            }
        }
    }

    /// Stops the background writer (after a last [`JobRegistry::flush`]) and waits for it, so
    /// a write in progress finishes (no temp file left, no stale state renamed over a newer
    /// registry) before this returns.
    pub fn close(&self) {
        if let Ok(mut dirty) = self.writer.dirty.lock() {
            dirty.1 = true;
        }
        self.writer.wake.notify_all();
        let handle = self.writer_thread.lock().ok().and_then(|mut slot| slot.take());
        if let Some(handle) = handle {
            if handle.thread().id() != std::thread::current().id() {
                let _ = handle.join();
            }
        }
    }

    fn mark_dirty(&self) {
        if let Ok(mut dirty) = self.writer.dirty.lock() {
            dirty.0 = true;
        }
        self.writer.wake.notify_all();
    }

    /// Writes the registry now: temp file, fsync, rename.
    pub fn flush(&self) -> anyhow::Result<()> {
        let _serial = self.writer.write_lock.lock().map_err(|_| anyhow::anyhow!("registry writer poisoned"))?;
        let mut jobs = self.all();
        jobs.sort_by_key(|j| (j.start_time(), j.jid.clone()));
        let text = serde_json::to_vec_pretty(&RegistryFile { version: 1, jobs })?;
        // A name of its own, so two writers (another server on the same directory) never
        // rename each other's half-written file.
        static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = self.path.with_extension(format!("json.{}.{n}.tmp", std::process::id()));
        {
            use std::io::Write;
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&text)?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)?;
        Ok(())
    }

    /// Number of jobs.
    pub fn len(&self) -> usize {
        self.jobs.lock().map(|j| j.len()).unwrap_or(0)
    }

    /// Adds a new job.
    pub fn insert(&self, record: JobRecord) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.insert(record.jid.clone(), record);
        }
        self.mark_dirty();
    }

    /// A copy of one job's record.
    pub fn get(&self, jid: &str) -> Option<JobRecord> {
        self.jobs.lock().ok().and_then(|j| j.get(jid).cloned())
    }

    /// Reads one job's record without copying it.
    pub fn with<R>(&self, jid: &str, f: impl FnOnce(&JobRecord) -> R) -> Option<R> {
        self.jobs.lock().ok().and_then(|j| j.get(jid).map(f))
    }

    /// Changes one job's record and schedules a write. Returns false for an unknown job.
    pub fn update(&self, jid: &str, f: impl FnOnce(&mut JobRecord)) -> bool {
        let found = match self.jobs.lock() {
            Ok(mut jobs) => jobs.get_mut(jid).map(f).is_some(),
            Err(_) => false,
        };
        if found {
            self.mark_dirty();
        }
        found
    }

    /// Copies of all records (unordered).
    pub fn all(&self) -> Vec<JobRecord> {
        self.jobs.lock().map(|j| j.values().cloned().collect()).unwrap_or_default()
    }

    /// Number of jobs in each state.
    pub fn counts(&self) -> BTreeMap<JobState, usize> {
        let mut counts: BTreeMap<JobState, usize> = JobState::ALL.iter().map(|s| (*s, 0)).collect();
        if let Ok(jobs) = self.jobs.lock() {
            for job in jobs.values() {
                *counts.entry(job.state).or_default() += 1;
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(jid: &str, state: JobState) -> JobRecord {
        let mut r = JobRecord {
            jid: jid.into(),
            name: "j".into(),
            state,
            job_type: "BATCH".into(),
            parallelism: 1,
            source: JobSource::Sql("SELECT 1".into()),
            spec: serde_json::json!({"nodes": []}),
            vertices: Vec::new(),
            result_sinks: Vec::new(),
            timestamps: BTreeMap::new(),
            final_counts: Vec::new(),
            failure: None,
            cancel_reason: None,
        };
        r.enter(state, 1);
        r
    }

    #[test]
    fn survives_a_reopen_and_fails_interrupted_jobs() {
        let dir = tempfile::tempdir().unwrap();
        let registry = JobRegistry::open(dir.path()).unwrap();
        registry.insert(record("a", JobState::Finished));
        registry.insert(record("b", JobState::Running));
        registry.flush().unwrap();
        registry.close();
        let reopened = JobRegistry::open(dir.path()).unwrap();
        assert_eq!(reopened.get("a").unwrap().state, JobState::Finished);
        let b = reopened.get("b").unwrap();
        assert_eq!(b.state, JobState::Failed);
        assert_eq!(b.failure.unwrap().code, "server_restarted");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
