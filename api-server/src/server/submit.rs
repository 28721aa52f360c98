//! Turning a posted job (SQL script or JSON spec) into a running job: plan, validate, take a
//! running slot, start the workers, and watch them from a dedicated thread until the job ends.
//!
//! Print sinks of posted jobs are rewritten to `collect` sinks with the same id: the server's
//! stdout is nobody's terminal, and collected rows are what `/jobs/{jobid}/results` serves.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use utoipa::ToSchema;
use weir_core::connectors::SinkOutput;
use weir_core::connectors::registry::sink_output;
use weir_core::physical::PhysicalPlan;
use weir_core::plan::paths::PathPlace;
use weir_core::plan::{JobSpec, PlanOp, RuntimeMode, parse_job_spec};
use weir_core::prepare::{PrepareOptions, PreparedJob, ResultSinks};
use weir_core::runtime::{RunOptions, RunningJob, push_inputs};
use weir_core::sql::{SqlOutcome, SqlSession};
use weir_core::{Error as EngineError, RuntimeError};

use weir_core::connectors::CollectedRows;

use super::error::ApiError;
use super::push_log::LoggedInput;
use super::registry::{ColumnInfo, JobFailure, JobRecord, JobSource, JobState, VertexInfo, now_ms};
use super::result_store::JobResults;
use super::state::{AppState, LiveJob};

/// Runtime mode a client may ask for.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ModeParam {
    /// Bounded input, final rows only.
    Batch,
    /// A changelog as input arrives.
    Streaming,
}

/// Body of `POST /jobs`: exactly one of `sql` and `spec`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitJobRequest {
    /// A Flink SQL script: DDL statements, then exactly one INSERT (or statement set) or SELECT.
    #[serde(default)]
    pub sql: Option<String>,
    /// A JSON job spec (see `weir schema`).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub spec: Option<serde_json::Value>,
    /// The job's name (default: the spec's `name`, else `weir-job`).
    #[serde(default)]
    pub name: Option<String>,
    /// Overrides the job's `execution.runtime-mode`.
    #[serde(default)]
    pub mode: Option<ModeParam>,
    /// Flink's `savepointPath`: start from this savepoint or checkpoint (as
    /// `execution.savepoint.path`).
    #[serde(default, rename = "savepointPath")]
    pub savepoint_path: Option<String>,
}

/// A posted job, planned but not yet validated.
pub struct Submission {
    /// The job's name.
    pub name: String,
    /// What was posted.
    pub source: JobSource,
    /// The spec to run.
    pub spec: JobSpec,
    /// Mode override.
    pub mode: Option<RuntimeMode>,
}

/// Plans a `POST /jobs` body: SQL DDL is applied in a fresh session and the one INSERT or
/// SELECT becomes the job; a spec is parsed with errors naming its JSON path under `spec`.
pub fn plan_request(state: &AppState, request: SubmitJobRequest) -> Result<Submission, ApiError> {
    let mode = request.mode.map(|m| match m {
        ModeParam::Batch => RuntimeMode::Batch,
        ModeParam::Streaming => RuntimeMode::Streaming,
    });
    let (source, spec) = match (request.sql, request.spec) {
        (Some(sql), None) => {
            let spec = plan_sql(&mut state.sql_session(), &sql)?;
            (JobSource::Sql(sql.into()), spec)
        }
        (None, Some(value)) => {
            let text = value.to_string();
            let spec = parse_job_spec(&text).map_err(|e| ApiError::InvalidSpec(format!("invalid job spec at spec.{e}")))?;
            (JobSource::Spec(text.into()), spec)
        }
        (Some(_), Some(_)) => return Err(ApiError::BadRequest("give either \"sql\" or \"spec\", not both".into())),
        (None, None) => return Err(ApiError::BadRequest("missing \"sql\" (a SQL script) or \"spec\" (a JSON job spec)".into())),
    };
    let name = request.name.or_else(|| spec.name.clone()).unwrap_or_else(|| "weir-job".into());
    let mut spec = spec;
    if let Some(path) = request.savepoint_path {
        use weir_core::plan::checkpointing::RESTORE_KEYS;
        for key in RESTORE_KEYS {
            spec.config.remove(key);
        }
        spec.config.insert(RESTORE_KEYS[1].to_string(), path);
    }
    Ok(Submission { name, source, spec, mode })
}

/// Runs a SQL script in `session`; its single INSERT/SELECT is the job.
pub fn plan_sql(session: &mut SqlSession, sql: &str) -> Result<JobSpec, ApiError> {
    let outcomes = session.execute_script(sql).map_err(ApiError::Sql)?;
    let mut jobs: Vec<JobSpec> = outcomes
        .into_iter()
        .filter_map(|o| match o {
            SqlOutcome::Job(spec) | SqlOutcome::Query(spec) => Some(spec),
            _ => None,
        })
        .collect();
    match jobs.len() {
        1 => Ok(jobs.remove(0)),
        0 => Err(ApiError::BadRequest("the SQL script has no INSERT or SELECT statement, so there is no job to run".into())),
        n => Err(ApiError::BadRequest(format!(
            "the SQL script has {n} INSERT/SELECT statements; post one job per statement, or group INSERTs in EXECUTE STATEMENT SET"
        ))),
    }
}

/// The plan's nodes as vertices; `spec` is the spec `physical` was planned from (same order).
fn vertices(physical: &PhysicalPlan, spec: &JobSpec) -> Vec<VertexInfo> {
    let plan = &physical.logical;
    physical
        .iter()
        .zip(&spec.nodes)
        .map(|((n, phys), spec_node)| VertexInfo {
            id: n.id.clone(),
            kind: spec_node.kind().to_string(),
            inputs: n.inputs.iter().filter_map(|&i| plan.nodes.get(i).map(|p| p.id.clone())).collect(),
            columns: n.schema.fields.iter().map(|f| ColumnInfo { name: f.name.clone(), data_type: f.data_type.to_string() }).collect(),
            connector: match &n.op {
                PlanOp::Source { connector, .. } | PlanOp::Sink { connector, .. } => Some(connector.clone()),
                _ => None,
            },
            reused_as: n.reused_as.and_then(|of| plan.nodes.get(of)).map(|of| of.id.clone()),
            fused_into: phys.operator.fused_into().and_then(|into| plan.nodes.get(into)).map(|n| n.id.clone()),
        })
        .collect()
}

/// Validates and starts a planned job. Blocking (file checks, thread spawns): call it from a
/// blocking thread. Returns the new job id.
pub fn launch(state: &AppState, mut submission: Submission) -> Result<String, ApiError> {
    let jid = new_job_id();
    default_checkpoint_dir(state, &jid, &mut submission.spec);
    start(state, &jid, submission, None)?;
    Ok(jid)
}

/// Validates and starts job `jid`: a new one (`resumed` is `None`: its record is written
/// first), or one of the registry's that the server resumes from its checkpoint (`resumed`:
/// the note its record gets).
pub fn start(state: &AppState, jid: &str, mut submission: Submission, resumed: Option<JobFailure>) -> Result<(), ApiError> {
    let jid = jid.to_string();
    // Before validation, which already reads the file system (sources list their files).
    check_paths(state, &mut submission)?;
    check_parallelism(state, &submission)?;
    let prepare = PrepareOptions { mode: submission.mode, results: ResultSinks::CollectPrints, ..PrepareOptions::default() };
    let job = PreparedJob::prepare(submission.spec.clone(), &prepare).map_err(|e| {
        let e = match e {
            EngineError::Plan(e) => e.to_string(),
            other => other.to_string(),
        };
        match submission.source {
            JobSource::Spec(_) => ApiError::InvalidSpec(format!("invalid job spec at spec.{e}")),
            JobSource::Sql(_) => ApiError::InvalidSpec(format!("the SQL planned into an invalid job: {e}")),
        }
    })?;
    submission.spec = job.spec.clone();
    let vertices = vertices(&job.plan, &submission.spec);
    let result_sinks: Vec<String> = vertices
        .iter()
        .filter(|v| v.kind == "sink" && v.connector.as_deref().and_then(sink_output) == Some(SinkOutput::Caller))
        .map(|v| v.id.clone())
        .collect();
    state.reserve_slot()?;
    let results = Arc::new(JobResults::new(state.config.result_limits));
    let options = RunOptions {
        workers: state.config.workers,
        mode: submission.mode,
        collect_into: Some(CollectedRows::forwarding_to(Arc::clone(&results) as Arc<dyn weir_core::connectors::CollectTarget>)),
        ..RunOptions::default()
    };
    let mode = job.mode();
    let parallelism = job.parallelism(options.workers);
    let recorded = match resumed {
        None => {
            let mut record = JobRecord {
                jid: jid.clone(),
                name: submission.name,
                state: JobState::Created,
                job_type: if mode == RuntimeMode::Batch { "BATCH" } else { "STREAMING" }.into(),
                parallelism,
                source: submission.source,
                spec: serde_json::to_string(&submission.spec).unwrap_or_default().into(),
                vertices,
                result_sinks,
                timestamps: Default::default(),
                final_counts: Vec::new(),
                failure: None,
                cancel_reason: None,
                restarts: 0,
                restarted_from: Vec::new(),
            };
            record.enter(JobState::Created, now_ms());
            // On disk before the client hears of the job.
            state.registry.insert(record).map_err(|e| format!("cannot record the job: {e}"))
        }
        Some(note) => {
            let found = state.registry.update(&jid, |r| {
                r.restarts += 1;
                r.restarted_from.push(note);
            });
            if found { Ok(()) } else { Err(format!("job {jid} is not in the registry")) }
        }
    };
    if let Err(e) = recorded {
        state.release_slot();
        return Err(ApiError::Internal(e));
    }
    // The logs of the job's push inputs are attached before its readers first poll, so a job
    // resumed from a checkpoint replays what was acknowledged after it.
    let push_inputs: BTreeMap<String, Arc<LoggedInput>> = push_inputs(&job.plan.logical)
        .into_iter()
        .map(|(table, input)| {
            let logged = LoggedInput::new(input, &state.config.data_dir, &jid, &table, state.config.max_push_queue_rows);
            (table, Arc::new(logged))
        })
        .collect();
    match job.start(&options) {
        Ok(running) => {
            let (sender, _) = tokio::sync::watch::channel(JobState::Running);
            let live = Arc::new(LiveJob {
                cancel: running.cancel.clone(),
                metrics: Arc::clone(&running.metrics),
                results,
                push_inputs: std::sync::Mutex::new(push_inputs),
                state: sender,
                attempts: running.attempts(),
                savepoints: Default::default(),
            });
            state.add_live(&jid, Arc::clone(&live));
            // A cancel that came while the job was CREATED, or a shutdown that began meanwhile.
            if state.is_shutting_down() {
                state.registry.update(&jid, |r| {
                    r.cancel_reason.get_or_insert_with(|| "the server shut down".into());
                });
            }
            if state.registry.with(&jid, |r| r.cancel_reason.is_some()).unwrap_or(false) {
                live.cancel.cancel();
            }
            state.registry.update(&jid, |r| r.enter(JobState::Running, now_ms()));
            let watcher_state = state.clone();
            let watcher_jid = jid.clone();
            let spawned =
                std::thread::Builder::new().name(format!("weir-job-{}", &jid[..8])).spawn(move || watch_job(&watcher_state, &watcher_jid, running, &live));
            if let Err(e) = spawned {
                // The job's workers run, but nobody could wait for them: stop them.
                tracing::error!(error = %e, "cannot spawn a job watcher thread");
                if let Some(live) = state.live(&jid) {
                    live.cancel.cancel();
                }
                finish(state, &jid, Err(EngineError::Runtime(RuntimeError::Worker(format!("cannot start watcher thread: {e}")))), Vec::new(), None);
            }
        }
        Err(e) => finish(state, &jid, Err(e), Vec::new(), None),
    }
    tracing::info!(jobid = %jid, "job started");
    Ok(())
}

/// A job that does not say where checkpoints go keeps them in the server's data directory,
/// `checkpoints/<jobid>` (a relative path: the path policy resolves it there): turning
/// checkpoints on needs only the interval, and a job without periodic checkpoints has a place
/// for those its savepoints take (when the allowed directories include it).
fn default_checkpoint_dir(state: &AppState, jid: &str, spec: &mut JobSpec) {
    use weir_core::plan::checkpointing::{DIR_KEYS, INTERVAL};
    let dir = std::path::Path::new("checkpoints").join(jid);
    let usable = spec.config.contains_key(INTERVAL) || state.config.paths.resolve(&dir.to_string_lossy()).is_ok();
    if usable && !DIR_KEYS.iter().any(|k| spec.config.contains_key(*k)) {
        spec.config.insert(DIR_KEYS[0].to_string(), dir.to_string_lossy().into_owned());
    }
}

/// Where a path or setting of a posted job is named, for an error message: the JSON path under
/// `spec` for a posted spec; the table and option (or the `SET` key) for SQL.
fn place(source: &JobSource, spec_path: &str, table: Option<&str>, key: &str) -> String {
    match (source, table) {
        (JobSource::Spec(_), _) => format!("spec.{spec_path}"),
        (JobSource::Sql(_), Some(table)) => format!("table {table}: option '{key}'"),
        (JobSource::Sql(_), None) => format!("SET '{key}'"),
    }
}

/// Checks every path the job touches against the allowed directories and rewrites each to its
/// resolved absolute path (relative ones are relative to the data directory).
pub fn check_paths(state: &AppState, submission: &mut Submission) -> Result<(), ApiError> {
    state.config.paths.check_spec(&mut submission.spec).map(|_| ()).map_err(|refused| {
        let table = match &refused.used.place {
            PathPlace::Node { id, .. } => Some(id.as_str()),
            PathPlace::Config => None,
        };
        let at = place(&submission.source, &refused.used.spec_path().0, table, &refused.used.key);
        ApiError::PathNotAllowed(format!("{at}: {}", refused.reason))
    })
}

/// The setting that sets a job's number of workers.
const PARALLELISM_KEY: &str = "parallelism.default";

/// Refuses a job asking for more workers than `--max-parallelism`.
fn check_parallelism(state: &AppState, submission: &Submission) -> Result<(), ApiError> {
    let max = state.config.max_parallelism;
    let asked = submission.spec.config.get(PARALLELISM_KEY).and_then(|v| v.trim().parse::<u128>().ok());
    match asked {
        Some(n) if n > max as u128 => Err(ApiError::ParallelismTooHigh(format!(
            "{}: {n} workers is more than this server allows (--max-parallelism {max})",
            place(&submission.source, &format!("config.{PARALLELISM_KEY}"), None, PARALLELISM_KEY)
        ))),
        _ => Ok(()),
    }
}

/// Waits for the job's workers (this thread's only purpose) and records how it ended.
fn watch_job(state: &AppState, jid: &str, running: RunningJob, live: &LiveJob) {
    let outcome = running.wait().map(|_| ());
    finish(state, jid, outcome, live.counts(), Some(&live.attempts));
    live.state.send_replace(state.registry.with(jid, |r| r.state).unwrap_or(JobState::Failed));
    state.retire(jid);
}

/// Records a job's end (and the restarts it made) and frees its slot.
fn finish(
    state: &AppState,
    jid: &str,
    outcome: Result<(), EngineError>,
    counts: Vec<super::registry::VertexCounts>,
    attempts: Option<&weir_core::runtime::JobAttempts>,
) {
    let now = now_ms();
    let restarted_from: Vec<JobFailure> =
        attempts.map(|a| a.failures().into_iter().filter(|f| f.restart_after.is_some()).map(|f| attempt_failure(&f)).collect()).unwrap_or_default();
    state.registry.update(jid, |r| {
        r.final_counts = counts;
        r.restarts += attempts.map_or(0, |a| a.restarts());
        r.restarted_from.extend(restarted_from);
        match outcome {
            Ok(()) => r.enter(JobState::Finished, now),
            Err(EngineError::Runtime(RuntimeError::Cancelled)) => {
                if r.cancel_reason.is_none() {
                    r.cancel_reason = Some("cancelled".into());
                }
                r.enter(JobState::Canceled, now)
            }
            Err(e) => {
                r.failure = Some(JobFailure::new(e.code(), &e.to_string(), now));
                r.enter(JobState::Failed, now)
            }
        }
    });
    state.release_slot();
    tracing::info!(jobid = %jid, "job ended");
}

/// A failure a job restarted from (or ended with), as the registry keeps it.
pub fn attempt_failure(failure: &weir_core::runtime::AttemptFailure) -> JobFailure {
    let error = EngineError::Runtime(failure.error.clone());
    JobFailure::new(error.code(), &error.to_string(), failure.timestamp_ms)
}

/// A fresh job id: 128 random bits as 32 lowercase hex characters, like Flink's JobID.
pub fn new_job_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: fall back to time and a counter, still unique within the process.
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        bytes[..8].copy_from_slice(&(now_ms() as u64).to_be_bytes());
        bytes[8..].copy_from_slice(&n.to_be_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks a job id's format (32 hex characters; 400 otherwise) and returns it lowercased.
pub fn parse_job_id(jid: &str) -> Result<String, ApiError> {
    if jid.len() == 32 && jid.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(jid.to_ascii_lowercase())
    } else {
        Err(ApiError::BadRequest(format!("\"{jid}\" is not a job id: expected 32 hexadecimal characters")))
    }
}
