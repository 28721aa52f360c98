//! The state every handler shares: settings, the job registry, the live side of running jobs,
//! SQL gateway sessions.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use std::time::Duration;

use tokio::sync::watch;
use weir_core::job::{CancelToken, JobMetrics};
use weir_core::plan::paths::PathPolicy;
use weir_core::sql::SqlSession;

use super::error::ApiError;
use super::registry::{JobRecord, JobRegistry, JobState, VertexCounts};
use super::result_store::{JobResults, ResultLimits};
use super::sessions::SessionStore;

/// Settings of a running server (from `weir serve`'s flags).
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Where the registry lives.
    pub data_dir: PathBuf,
    /// The directories posted jobs may touch, and the base of their relative paths.
    pub paths: PathPolicy,
    /// Most workers a job may ask for.
    pub max_parallelism: usize,
    /// How long a request may take until its answer starts.
    pub request_timeout: Duration,
    /// Worker threads per job unless the job sets `parallelism.default` (`None`: one per core).
    pub workers: Option<usize>,
    /// When set, every request needs `Authorization: Bearer <token>`.
    pub auth_token: Option<String>,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Most jobs CREATED or RUNNING at once.
    pub max_running_jobs: usize,
    /// Bounds of the rows kept per collected sink of a job.
    pub result_limits: ResultLimits,
    /// Most rows waiting in one push input's queue; a push beyond it is answered 429.
    pub max_push_queue_rows: usize,
}

/// The in-memory side of a job started by this server process: what the registry cannot
/// persist (cancel flag, live counters, collected rows, push inputs, a state channel for
/// followers).
pub struct LiveJob {
    /// Stops the job.
    pub cancel: CancelToken,
    /// Per-operator counters, live.
    pub metrics: Arc<JobMetrics>,
    /// Rows of the job's collect sinks (bounded), growing while it runs; kept after it ends.
    pub results: Arc<JobResults>,
    /// Inputs of the job's `push` sources, by table (source node id), with their logs;
    /// emptied when the job ends (so rows still queued are freed).
    pub push_inputs: Mutex<BTreeMap<String, Arc<super::push_log::LoggedInput>>>,
    /// The job's state; followers (SSE, the gateway) subscribe to learn when it ends.
    pub state: watch::Sender<JobState>,
    /// The job's checkpoints (`checkpoints()`), restarts and failures, live.
    pub attempts: Arc<weir_core::runtime::JobAttempts>,
    /// Savepoints asked of the job, by trigger id.
    pub savepoints: Mutex<BTreeMap<String, weir_core::job::SavepointRequest>>,
}

impl LiveJob {
    /// Counters of every vertex now.
    pub fn counts(&self) -> Vec<VertexCounts> {
        self.metrics
            .snapshot()
            .into_iter()
            .map(|m| VertexCounts { records_in: m.records_in, records_out: m.records_out, records_skipped: m.records_skipped, watermark: m.watermark })
            .collect()
    }
}

/// How many ended jobs keep their collected rows in memory (older ones are dropped); each
/// keeps at most `--max-result-rows`/`--max-result-bytes` per sink.
pub const KEPT_RESULTS: usize = 64;

/// Shared server state; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// What [`AppState`] holds.
pub struct Inner {
    /// Settings.
    pub config: ServerConfig,
    /// Every job, persisted.
    pub registry: Arc<JobRegistry>,
    /// SQL gateway sessions.
    pub sessions: SessionStore,
    /// Server start, ms since the epoch.
    pub started_at: i64,
    live: Mutex<HashMap<String, Arc<LiveJob>>>,
    ended: Mutex<VecDeque<String>>,
    running: AtomicUsize,
    shutting_down: AtomicBool,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// State over an opened registry.
    pub fn new(config: ServerConfig, registry: Arc<JobRegistry>) -> AppState {
        AppState(Arc::new(Inner {
            config,
            registry,
            sessions: SessionStore::default(),
            started_at: super::registry::now_ms(),
            live: Mutex::default(),
            ended: Mutex::default(),
            running: AtomicUsize::new(0),
            shutting_down: AtomicBool::new(false),
        }))
    }

    /// A fresh SQL session whose tables may only name paths under the allowed directories.
    pub fn sql_session(&self) -> SqlSession {
        let mut session = SqlSession::new();
        session.set_path_policy(self.config.paths.clone());
        session
    }

    /// The live side of a job started by this process, if any.
    pub fn live(&self, jid: &str) -> Option<Arc<LiveJob>> {
        self.live.lock().ok().and_then(|l| l.get(jid).cloned())
    }

    /// `record` as clients see it: a RUNNING job whose workers wait to restart after a failure
    /// is RESTARTING (Flink's `JobStatus`; the registry keeps it as RUNNING).
    pub fn shown(&self, mut record: JobRecord) -> JobRecord {
        if record.state == JobState::Running && self.live(&record.jid).is_some_and(|live| live.attempts.restarting()) {
            record.state = JobState::Restarting;
        }
        record
    }

    /// Jobs by state as clients see them ([`AppState::shown`]).
    pub fn job_counts(&self) -> BTreeMap<JobState, usize> {
        let mut counts = self.registry.counts();
        let restarting = self.registry.all().into_iter().filter(|r| self.shown(r.clone()).state == JobState::Restarting).count();
        if restarting > 0 {
            *counts.entry(JobState::Running).or_default() -= restarting;
            *counts.entry(JobState::Restarting).or_default() += restarting;
        }
        counts
    }

    /// Remembers the live side of a started job.
    pub fn add_live(&self, jid: &str, job: Arc<LiveJob>) {
        if let Ok(mut live) = self.live.lock() {
            live.insert(jid.to_string(), job);
        }
    }

    /// Notes that a job ended: its push inputs are closed and released; the rows of the oldest
    /// ended jobs beyond [`KEPT_RESULTS`], and of jobs the registry evicted, are dropped.
    pub fn retire(&self, jid: &str) {
        if let Some(job) = self.live(jid) {
            let inputs = std::mem::take(&mut *job.push_inputs.lock().unwrap_or_else(|p| p.into_inner()));
            for input in inputs.values() {
                input.input.close();
            }
        }
        let evicted: Vec<String> = match self.ended.lock() {
            Ok(mut ended) => {
                ended.push_back(jid.to_string());
                let excess = ended.len().saturating_sub(KEPT_RESULTS);
                ended.drain(..excess).collect()
            }
            Err(_) => Vec::new(),
        };
        if let Ok(mut live) = self.live.lock() {
            for jid in evicted {
                live.remove(&jid);
            }
            live.retain(|jid, _| self.registry.contains(jid));
        }
        if let Ok(mut ended) = self.ended.lock() {
            ended.retain(|jid| self.registry.contains(jid));
        }
    }

    /// Every live job.
    pub fn all_live(&self) -> Vec<(String, Arc<LiveJob>)> {
        self.live.lock().map(|l| l.iter().map(|(k, v)| (k.clone(), Arc::clone(v))).collect()).unwrap_or_default()
    }

    /// Takes one of the `--max-running-jobs` slots, or answers 429 (503-free backpressure).
    pub fn reserve_slot(&self) -> Result<(), ApiError> {
        if self.shutting_down.load(Ordering::Acquire) {
            return Err(ApiError::Conflict("the server is shutting down".into()));
        }
        let max = self.config.max_running_jobs;
        self.running
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| if n < max { Some(n + 1) } else { None })
            .map(|_| ())
            .map_err(|_| ApiError::TooManyJobs(max))
    }

    /// Gives back a slot taken by [`AppState::reserve_slot`].
    pub fn release_slot(&self) {
        let _ = self.running.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
    }

    /// Jobs holding a slot now.
    pub fn running_jobs(&self) -> usize {
        self.running.load(Ordering::Acquire)
    }

    /// Whether shutdown has begun.
    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Acquire)
    }

    /// Refuses new jobs from now on (shutdown).
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::Release);
    }
}
