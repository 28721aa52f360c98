//! The job registry: one [`JobRecord`] per job the server has accepted, kept in memory and
//! persisted in `<data-dir>/jobs/`, **one file per job** (`<jobid>.json`).
//!
//! Why one file per job rather than one file of all jobs or an append-only log: a change to
//! a job rewrites only that job's small file (written to a temporary file, fsynced, renamed
//! over the old one, and the directory fsynced — so a crash leaves the old or the new record,
//! never half of one); evicting a job is deleting its file, so nothing needs compacting
//! later; and a damaged file costs one job (skipped with a logged reason), never the server's
//! start. The number of files is bounded by eviction.
//!
//! * A new job is written synchronously by [`JobRegistry::insert`], before the server answers
//!   its 2xx; later state changes are written by a background thread (coalesced: the newest
//!   state of each changed job).
//! * Ended jobs are evicted as Flink's job store does: beyond `jobstore.max-capacity` ended
//!   jobs, the oldest go; any ended longer than `jobstore.expiration-time` ago go. Their files
//!   (and their push-input logs) are deleted.
//! * Specs and SQL are stored as text ([`JobSource`], [`JobRecord::spec`]), so a record of a
//!   deeply nested job reads back without recursion (serde_json's 128-level limit broke the
//!   server's start before).
//! * A registry from before (`jobs.json`, all jobs in one file) is read once and moved into
//!   per-job files.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error_text::bounded;

/// A job's lifecycle state, with Flink's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum JobState {
    /// Accepted, workers not started yet.
    Created,
    /// Workers are running.
    Running,
    /// A failure stopped the workers and the job waits to restart under its restart strategy
    /// (shown while it waits; the registry keeps such a job as RUNNING).
    Restarting,
    /// Every sink saw all its input.
    Finished,
    /// The job stopped on an error (see `/jobs/{jobid}/exceptions`).
    Failed,
    /// Cancelled by a client, by the server's shutdown, or found running after a restart.
    Canceled,
}

impl JobState {
    /// Every state, in lifecycle order.
    pub const ALL: [JobState; 6] = [JobState::Created, JobState::Running, JobState::Restarting, JobState::Finished, JobState::Failed, JobState::Canceled];

    /// True for FINISHED, FAILED and CANCELED: the job will not change again.
    pub fn is_terminal(self) -> bool {
        matches!(self, JobState::Finished | JobState::Failed | JobState::Canceled)
    }

    /// The state's name as Flink writes it.
    pub fn name(self) -> &'static str {
        match self {
            JobState::Created => "CREATED",
            JobState::Running => "RUNNING",
            JobState::Restarting => "RESTARTING",
            JobState::Finished => "FINISHED",
            JobState::Failed => "FAILED",
            JobState::Canceled => "CANCELED",
        }
    }
}

/// Text kept in a record (SQL, a spec as JSON), stored as a JSON string. Shared: copying a
/// record (every `GET /jobs` does) does not copy a posted script of megabytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordText(Arc<str>);

impl std::ops::Deref for RecordText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<String> for RecordText {
    fn from(text: String) -> RecordText {
        RecordText(text.into())
    }
}

impl Serialize for RecordText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RecordText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<RecordText, D::Error> {
        String::deserialize(deserializer).map(RecordText::from)
    }
}

/// What the client posted: SQL text or a JSON job spec. Both are kept as text, so reading a
/// record back never recurses into the spec, however deeply it nests.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobSource {
    /// A SQL script.
    Sql(RecordText),
    /// A JSON job spec, as posted, as JSON text.
    Spec(RecordText),
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
    /// When sub-plan reuse merged this node into an equal one: that node's id. It runs
    /// nothing; its counters are that node's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused_as: Option<String>,
    /// When it is a window computed inside the aggregate reading it (a fused window table
    /// function): that aggregate's id. It runs nothing; its counters are the aggregate's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fused_into: Option<String>,
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
    // Built by [`JobFailure::new`], which bounds the message.
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
    /// The job spec that ran (print sinks rewritten to collect), as JSON text (see
    /// [`JobSource`]: text, so that no depth of nesting can make the record unreadable).
    pub spec: RecordText,
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
    /// Times the job restarted after a failure (Flink's `numRestarts`), recorded when it ends.
    #[serde(default)]
    pub restarts: u64,
    /// The failures the job restarted from, oldest first (the last one is `failure`),
    /// recorded when it ends.
    #[serde(default)]
    pub restarted_from: Vec<JobFailure>,
}

impl JobFailure {
    /// A failure at `timestamp`; the message is bounded ([`super::error_text::bounded`]).
    pub fn new(code: &str, message: &str, timestamp: i64) -> JobFailure {
        JobFailure { code: code.to_string(), message: bounded(message).into_owned(), timestamp }
    }
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

/// How long ended jobs are kept, as Flink's `jobstore.*` options.
#[derive(Clone, Copy, Debug)]
pub struct RetentionPolicy {
    /// Most ended jobs kept (`jobstore.max-capacity`); the oldest ended go first.
    pub max_capacity: usize,
    /// How long an ended job is kept (`jobstore.expiration-time`).
    pub expiration: Duration,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy { max_capacity: 1000, expiration: Duration::from_secs(3600) }
    }
}

/// All jobs the server knows, persisted in the data directory.
pub struct JobRegistry {
    jobs: Mutex<HashMap<String, JobRecord>>,
    dir: PathBuf,
    data_dir: PathBuf,
    retention: RetentionPolicy,
    writer: Arc<Writer>,
    /// The background writer, joined by [`JobRegistry::close`] so that no write of this
    /// registry can land after it is closed.
    writer_thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

/// The background writer: jobs changed since their last write, and a stop flag.
struct Writer {
    dirty: Mutex<(BTreeSet<String>, bool)>,
    wake: Condvar,
    /// Serializes file writes, so the newest state of a job is always written last.
    write_lock: Mutex<()>,
}

/// How often the background thread looks for expired jobs when nothing changes.
const SWEEP: Duration = Duration::from_secs(10);

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Whether `name` is a job id as the server makes them (32 lowercase hex characters).
fn is_job_id(name: &str) -> bool {
    name.len() == 32 && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Writes `bytes` to `path` atomically and durably: temp file, fsync, rename, fsync of the
/// directory.
fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    // A name of its own, so two writers never rename each other's half-written file.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_extension(format!("{}.{n}.tmp", std::process::id()));
    {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

/// Makes renames and deletions in `dir` durable.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

impl JobRegistry {
    /// Opens (or creates) the registry in `data_dir`. Jobs found CREATED or RUNNING did not
    /// survive an unclean stop of the server; they are marked FAILED with a message saying so.
    /// Unreadable records are skipped (renamed `*.corrupt`) with a logged reason.
    #[cfg(test)]
    pub fn open(data_dir: &Path, retention: RetentionPolicy) -> anyhow::Result<Arc<JobRegistry>> {
        JobRegistry::open_resuming(data_dir, retention, |_| false)
    }

    /// [`JobRegistry::open`], except that the interrupted jobs `resumable` accepts stay
    /// RUNNING, for the server to start again from their checkpoints.
    pub fn open_resuming(data_dir: &Path, retention: RetentionPolicy, resumable: impl Fn(&JobRecord) -> bool) -> anyhow::Result<Arc<JobRegistry>> {
        let dir = data_dir.join("jobs");
        std::fs::create_dir_all(&dir).map_err(|e| anyhow::anyhow!("cannot create the job registry directory {}: {e}", dir.display()))?;
        let mut jobs = read_legacy(data_dir);
        let migrated: Vec<String> = jobs.keys().cloned().collect();
        let entries = std::fs::read_dir(&dir).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", dir.display()))?;
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".tmp") {
                // A write that a crash interrupted: the record it replaced is still there.
                let _ = std::fs::remove_file(&path);
                continue;
            }
            let Some(jid) = name.strip_suffix(".json").filter(|j| is_job_id(j)) else { continue };
            match read_record(&path) {
                Ok(record) if record.jid == jid => {
                    jobs.insert(record.jid.clone(), record);
                }
                Ok(record) => skip_corrupt(&path, &format!("it holds job {} instead", record.jid)),
                Err(reason) => skip_corrupt(&path, &reason),
            }
        }
        let now = now_ms();
        let mut rewrite: BTreeSet<String> = migrated.into_iter().collect();
        for job in jobs.values_mut() {
            if !job.state.is_terminal() && !resumable(job) {
                job.failure = Some(JobFailure::new(
                    "server_restarted",
                    "the server stopped while the job was running (it was not shut down cleanly) and the job has no complete checkpoint to resume from: submit it again",
                    now,
                ));
                job.enter(JobState::Failed, now);
                rewrite.insert(job.jid.clone());
            }
        }
        let interrupted = rewrite.len();
        let writer = Arc::new(Writer { dirty: Mutex::new((rewrite, false)), wake: Condvar::new(), write_lock: Mutex::new(()) });
        let registry =
            Arc::new(JobRegistry { jobs: Mutex::new(jobs), dir, data_dir: data_dir.to_path_buf(), retention, writer, writer_thread: Mutex::new(None) });
        tracing::info!(jobs = registry.len(), interrupted, dir = %registry.dir.display(), "job registry opened");
        registry.flush()?;
        let legacy = data_dir.join("jobs.json");
        if legacy.exists() {
            std::fs::remove_file(&legacy).map_err(|e| anyhow::anyhow!("cannot remove the migrated {}: {e}", legacy.display()))?;
        }
        registry.evict();
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
                if dirty.0.is_empty() && !dirty.1 {
                    dirty = match writer.wake.wait_timeout(dirty, SWEEP) {
                        Ok((d, _)) => d,
                        Err(_) => return,
                    };
                }
                if dirty.1 {
                    return;
                }
            }
            let Some(this) = registry.upgrade() else { return };
            if let Err(e) = this.flush() {
                tracing::error!(error = %e, "cannot write the job registry");
            }
            this.evict();
        }
    }

    /// Stops the background writer (after a last [`JobRegistry::flush`]) and waits for it, so
    /// a write in progress finishes before this returns.
    pub fn close(&self) {
        if let Ok(mut dirty) = self.writer.dirty.lock() {
            dirty.1 = true;
        }
        self.writer.wake.notify_all();
        let handle = self.writer_thread.lock().ok().and_then(|mut slot| slot.take());
        if let Some(handle) = handle
            && handle.thread().id() != std::thread::current().id()
        {
            let _ = handle.join();
        }
    }

    fn mark_dirty(&self, jid: &str) {
        if let Ok(mut dirty) = self.writer.dirty.lock() {
            dirty.0.insert(jid.to_string());
        }
        self.writer.wake.notify_all();
    }

    fn path_of(&self, jid: &str) -> PathBuf {
        self.dir.join(format!("{jid}.json"))
    }

    /// Writes the newest state of one job now (a job no longer known: nothing).
    fn write(&self, jid: &str) -> anyhow::Result<()> {
        let _serial = self.writer.write_lock.lock().map_err(|_| anyhow::anyhow!("registry writer poisoned"))?;
        // Copied, then encoded outside the registry's lock (a spec may be megabytes).
        let Some(record) = self.get(jid) else { return Ok(()) };
        let bytes = serde_json::to_vec_pretty(&record)?;
        write_durably(&self.path_of(jid), &bytes).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", self.path_of(jid).display()))
    }

    /// Writes every changed job now (shutdown; the background thread otherwise).
    pub fn flush(&self) -> anyhow::Result<()> {
        let changed = match self.writer.dirty.lock() {
            Ok(mut dirty) => std::mem::take(&mut dirty.0),
            Err(_) => anyhow::bail!("registry writer poisoned"),
        };
        let mut first_error = None;
        for jid in &changed {
            if let Err(e) = self.write(jid) {
                // Keep it dirty: the next flush tries again.
                self.mark_dirty(jid);
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Number of jobs.
    pub fn len(&self) -> usize {
        self.jobs.lock().map(|j| j.len()).unwrap_or(0)
    }

    /// Adds a new job and writes it to disk before returning (so a 2xx that follows is never
    /// forgotten by a crash). Blocking: call it from a blocking thread.
    pub fn insert(&self, record: JobRecord) -> anyhow::Result<()> {
        let jid = record.jid.clone();
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.insert(jid.clone(), record);
        }
        self.write(&jid).inspect_err(|_| {
            if let Ok(mut jobs) = self.jobs.lock() {
                jobs.remove(&jid);
            }
        })
    }

    /// A copy of one job's record.
    pub fn get(&self, jid: &str) -> Option<JobRecord> {
        self.jobs.lock().ok().and_then(|j| j.get(jid).cloned())
    }

    /// Reads one job's record without copying it.
    pub fn with<R>(&self, jid: &str, f: impl FnOnce(&JobRecord) -> R) -> Option<R> {
        self.jobs.lock().ok().and_then(|j| j.get(jid).map(f))
    }

    /// Whether the registry (still) knows a job.
    pub fn contains(&self, jid: &str) -> bool {
        self.jobs.lock().map(|j| j.contains_key(jid)).unwrap_or(false)
    }

    /// Changes one job's record and schedules its write. Returns false for an unknown job.
    pub fn update(&self, jid: &str, f: impl FnOnce(&mut JobRecord)) -> bool {
        let found = match self.jobs.lock() {
            Ok(mut jobs) => jobs.get_mut(jid).map(f).is_some(),
            Err(_) => false,
        };
        if found {
            self.mark_dirty(jid);
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

    /// Forgets ended jobs beyond the retention policy (oldest ended first, and any expired),
    /// deleting their files and push-input logs. Returns the evicted job ids.
    pub fn evict(&self) -> Vec<String> {
        let now = now_ms();
        let expired_before = now - self.retention.expiration.as_millis().min(i64::MAX as u128) as i64;
        let evicted: Vec<String> = match self.jobs.lock() {
            Ok(mut jobs) => {
                let mut ended: Vec<(i64, String)> = jobs.values().filter_map(|j| j.end_time().map(|t| (t, j.jid.clone()))).collect();
                ended.sort();
                let excess = ended.len().saturating_sub(self.retention.max_capacity);
                let gone: Vec<String> =
                    ended.into_iter().enumerate().filter(|(i, (t, _))| *i < excess || *t < expired_before).map(|(_, (_, jid))| jid).collect();
                for jid in &gone {
                    jobs.remove(jid);
                }
                gone
            }
            Err(_) => Vec::new(),
        };
        if evicted.is_empty() {
            return evicted;
        }
        let _serial = self.writer.write_lock.lock();
        for jid in &evicted {
            if let Err(e) = std::fs::remove_file(self.path_of(jid))
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!(jobid = %jid, error = %e, "cannot delete an evicted job's record");
            }
            let _ = std::fs::remove_dir_all(push_log_dir(&self.data_dir, jid));
        }
        let _ = sync_dir(&self.dir);
        tracing::info!(evicted = evicted.len(), "ended jobs evicted from the registry");
        evicted
    }
}

/// The directory of a job's push-input logs.
pub fn push_log_dir(data_dir: &Path, jid: &str) -> PathBuf {
    data_dir.join("push-log").join(jid)
}

/// One record file, or why it cannot be read.
fn read_record(path: &Path) -> Result<JobRecord, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("it is not a job record: {}", bounded(&e.to_string())))
}

/// Moves an unreadable record aside (`*.corrupt`), saying why.
fn skip_corrupt(path: &Path, reason: &str) {
    let aside = path.with_extension("json.corrupt");
    tracing::warn!(file = %path.display(), moved_to = %aside.display(), reason, "skipping an unreadable job record");
    if let Err(e) = std::fs::rename(path, &aside) {
        tracing::warn!(file = %path.display(), error = %e, "cannot move the unreadable record aside");
    }
}

/// The jobs of a registry from before (`<data-dir>/jobs.json`), if it exists and is readable;
/// an unreadable one is moved aside with a logged reason.
fn read_legacy(data_dir: &Path) -> HashMap<String, JobRecord> {
    #[derive(Deserialize)]
    struct LegacyFile {
        jobs: Vec<serde_json::Value>,
    }
    let path = data_dir.join("jobs.json");
    let Ok(bytes) = std::fs::read(&path) else { return HashMap::new() };
    let file: LegacyFile = match serde_json::from_slice(&bytes) {
        Ok(file) => file,
        Err(e) => {
            skip_corrupt(&path, &format!("it is not a job registry: {}", bounded(&e.to_string())));
            return HashMap::new();
        }
    };
    let mut jobs = HashMap::new();
    for mut job in file.jobs {
        // The old format kept specs as JSON values; they are text now.
        if let Some(spec) = job.get_mut("spec").filter(|s| !s.is_string()) {
            *spec = serde_json::Value::String(spec.to_string());
        }
        if let Some(posted) = job.pointer_mut("/source/spec").filter(|s| !s.is_string()) {
            *posted = serde_json::Value::String(posted.to_string());
        }
        match serde_json::from_value::<JobRecord>(job) {
            Ok(record) if is_job_id(&record.jid) => {
                jobs.insert(record.jid.clone(), record);
            }
            Ok(record) => tracing::warn!(jobid = %record.jid, "skipping a job of jobs.json: not a job id"),
            Err(e) => tracing::warn!(reason = %bounded(&e.to_string()), "skipping an unreadable job of jobs.json"),
        }
    }
    jobs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jid(n: u32) -> String {
        format!("{n:032x}")
    }

    fn record(jid: &str, state: JobState, at: i64) -> JobRecord {
        let mut r = JobRecord {
            jid: jid.into(),
            name: "j".into(),
            state,
            job_type: "BATCH".into(),
            parallelism: 1,
            source: JobSource::Sql(String::from("SELECT 1").into()),
            spec: String::from(r#"{"nodes": []}"#).into(),
            vertices: Vec::new(),
            result_sinks: Vec::new(),
            timestamps: BTreeMap::new(),
            final_counts: Vec::new(),
            failure: None,
            cancel_reason: None,
            restarts: 0,
            restarted_from: Vec::new(),
        };
        r.enter(JobState::Created, at);
        r.enter(state, at);
        r
    }

    fn files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir.join("jobs")).unwrap().filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn a_job_is_on_disk_when_insert_returns_and_interrupted_jobs_fail_on_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let registry = JobRegistry::open(dir.path(), RetentionPolicy::default()).unwrap();
        let now = now_ms();
        registry.insert(record(&jid(1), JobState::Finished, now)).unwrap();
        registry.insert(record(&jid(2), JobState::Running, now)).unwrap();
        // No flush, no close: what insert wrote is what a crash leaves.
        assert_eq!(files(dir.path()), vec![format!("{}.json", jid(1)), format!("{}.json", jid(2))]);
        let reopened = JobRegistry::open(dir.path(), RetentionPolicy::default()).unwrap();
        assert_eq!(reopened.get(&jid(1)).unwrap().state, JobState::Finished);
        let b = reopened.get(&jid(2)).unwrap();
        assert_eq!(b.state, JobState::Failed);
        assert_eq!(b.failure.unwrap().code, "server_restarted");
        registry.close();
        reopened.close();
        assert!(files(dir.path()).iter().all(|f| !f.ends_with(".tmp")));
    }

    #[test]
    fn a_spec_nested_far_beyond_any_parser_limit_reads_back() {
        let depth = 100_000;
        let spec = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        let dir = tempfile::tempdir().unwrap();
        let registry = JobRegistry::open(dir.path(), RetentionPolicy::default()).unwrap();
        let mut deep = record(&jid(3), JobState::Finished, now_ms());
        deep.spec = spec.clone().into();
        deep.source = JobSource::Spec(spec.clone().into());
        registry.insert(deep).unwrap();
        registry.close();
        let reopened = JobRegistry::open(dir.path(), RetentionPolicy::default()).unwrap();
        let back = reopened.get(&jid(3)).unwrap();
        assert_eq!(&*back.spec, spec);
        assert!(matches!(back.source, JobSource::Spec(s) if *s == *spec));
    }

    #[test]
    fn corrupt_records_are_skipped_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let registry = JobRegistry::open(dir.path(), RetentionPolicy::default()).unwrap();
        registry.insert(record(&jid(4), JobState::Finished, now_ms())).unwrap();
        registry.close();
        std::fs::write(dir.path().join("jobs").join(format!("{}.json", jid(5))), b"{\"jid\": ").unwrap();
        let reopened = JobRegistry::open(dir.path(), RetentionPolicy::default()).unwrap();
        assert_eq!(reopened.len(), 1);
        assert!(files(dir.path()).contains(&format!("{}.json.corrupt", jid(5))));
    }

    #[test]
    fn ended_jobs_are_evicted_by_count_and_age_with_their_files() {
        let dir = tempfile::tempdir().unwrap();
        let retention = RetentionPolicy { max_capacity: 3, expiration: Duration::from_secs(3600) };
        let registry = JobRegistry::open(dir.path(), retention).unwrap();
        let now = now_ms();
        for n in 0..5 {
            registry.insert(record(&jid(n), JobState::Finished, now - 1000 + n as i64)).unwrap();
        }
        registry.insert(record(&jid(10), JobState::Failed, now - 2 * 3600 * 1000)).unwrap();
        registry.insert(record(&jid(11), JobState::Running, now - 2 * 3600 * 1000)).unwrap();
        let mut evicted = registry.evict();
        evicted.sort();
        assert_eq!(evicted, vec![jid(0), jid(1), jid(10)]);
        assert_eq!(files(dir.path()), [2, 3, 4, 11].iter().map(|n| format!("{}.json", jid(*n))).collect::<Vec<_>>());
        registry.close();
    }

    #[test]
    fn a_legacy_jobs_json_is_moved_into_job_files() {
        let dir = tempfile::tempdir().unwrap();
        let old = serde_json::json!({"version": 1, "jobs": [{
            "jid": jid(7), "name": "old", "state": "FINISHED", "job_type": "BATCH", "parallelism": 1,
            "source": {"spec": {"nodes": []}}, "spec": {"nodes": []}, "vertices": [], "result_sinks": [],
            "timestamps": {"CREATED": now_ms(), "FINISHED": now_ms()}}]});
        std::fs::write(dir.path().join("jobs.json"), old.to_string()).unwrap();
        let registry = JobRegistry::open(dir.path(), RetentionPolicy::default()).unwrap();
        assert_eq!(&*registry.get(&jid(7)).unwrap().spec, r#"{"nodes":[]}"#);
        assert!(!dir.path().join("jobs.json").exists());
        assert_eq!(files(dir.path()), vec![format!("{}.json", jid(7))]);
        registry.close();
    }
}
