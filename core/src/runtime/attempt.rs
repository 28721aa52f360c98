//! One attempt at running a job: its workers, started from the job's start or from a
//! checkpoint, and what the attempts of one job share (the live checkpoints, the restarts and
//! the failures that caused them).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use timely::dataflow::operators::probe::Handle as ProbeHandle;
use weir_state::{CheckpointManifest, CheckpointStorage, StateBackendConfig};

use crate::compile::build_dataflow;
use crate::connectors::SinkContext;
use crate::error::RuntimeError;
use crate::job::{
    CancelToken, CheckpointConfig, CheckpointStats, Checkpoints, DEFAULT_KEY_GROUPS, JobContext, JobMetrics, KeyGroups, MAX_KEY_GROUPS, SavepointRequest,
    find_checkpoint, restored_key_groups,
};
use crate::physical::PhysicalPlan;
use crate::plan::checkpointing::DIR_KEYS;
use crate::plan::{PlanOp, RuntimeMode, ValidatedPlan};

use super::state_dir::StateDir;

/// One failure of a job while it ran.
#[derive(Clone, Debug)]
pub struct AttemptFailure {
    /// What failed.
    pub error: RuntimeError,
    /// When, in ms since the epoch.
    pub timestamp_ms: i64,
    /// The delay before the job restarted, `None` when this failure ended it.
    pub restart_after: Option<Duration>,
}

/// What the attempts of one running job share with whoever watches it.
#[derive(Debug, Default)]
pub struct JobAttempts {
    checkpoints: Mutex<Option<Arc<Checkpoints>>>,
    /// Why the current attempt takes no checkpoints, when it takes none.
    no_checkpoints: Mutex<Option<String>>,
    restarts: AtomicU64,
    /// Whether the job is waiting to restart after a failure (Flink's RESTARTING).
    restarting: AtomicBool,
    failures: Mutex<Vec<AttemptFailure>>,
}

/// Failures kept per job (the oldest go first).
const KEPT_FAILURES: usize = 64;

impl JobAttempts {
    /// The checkpoints of the current attempt, when the job takes them (or restored one).
    pub fn checkpoints(&self) -> Option<Arc<Checkpoints>> {
        self.checkpoints.lock().ok().and_then(|c| c.clone())
    }

    /// How many times the job has restarted (Flink's `numRestarts`).
    pub fn restarts(&self) -> u64 {
        self.restarts.load(Ordering::Acquire)
    }

    /// Whether the job is waiting to restart after a failure, between the failure and the
    /// start of its next attempt (Flink's `RESTARTING`).
    pub fn restarting(&self) -> bool {
        self.restarting.load(Ordering::Acquire)
    }

    /// The job's failures, oldest first (at most the last 64).
    pub fn failures(&self) -> Vec<AttemptFailure> {
        self.failures.lock().map(|f| f.clone()).unwrap_or_default()
    }

    /// Asks the current attempt for a savepoint; the reason it cannot take one otherwise.
    pub fn savepoint(&self, request: SavepointRequest) -> Result<(), String> {
        match self.checkpoints() {
            Some(checkpoints) => {
                checkpoints.savepoint(request);
                Ok(())
            }
            None => Err(self.no_checkpoints.lock().ok().and_then(|r| r.clone()).unwrap_or_else(|| "it takes no checkpoints".into())),
        }
    }

    pub(super) fn set_checkpoints(&self, attempt: &Attempt) {
        if let Ok(mut slot) = self.checkpoints.lock() {
            *slot = attempt.ctx.checkpoints.clone();
        }
        if let Ok(mut slot) = self.no_checkpoints.lock() {
            slot.clone_from(&attempt.no_savepoints);
        }
    }

    pub(super) fn record(&self, failure: AttemptFailure) {
        if let Ok(mut failures) = self.failures.lock() {
            if failures.len() >= KEPT_FAILURES {
                failures.remove(0);
            }
            failures.push(failure);
        }
    }

    pub(super) fn set_restarting(&self, restarting: bool) {
        self.restarting.store(restarting, Ordering::Release);
    }

    pub(super) fn restarted(&self) {
        self.restarts.fetch_add(1, Ordering::AcqRel);
    }
}

/// What every attempt of a job is started with.
pub(super) struct AttemptSetup {
    pub physical: Arc<PhysicalPlan>,
    pub workers: usize,
    pub tick_ms: u64,
    pub sinks: SinkContext,
    pub metrics: Arc<JobMetrics>,
    /// The job's cancel token (a client's cancel).
    pub cancel: CancelToken,
    /// Whether the job may restart: then each attempt has its own cancel token, which a
    /// failure sets without cancelling the job.
    pub restarts: bool,
    /// The statistics of the job's checkpoints, kept across its attempts.
    pub stats: Arc<CheckpointStats>,
}

/// Where an attempt starts.
pub(super) enum StartFrom {
    /// Where the plan says (`execution.state-recovery.path`, else the start).
    Plan,
    /// This checkpoint, or the start when `None`.
    Checkpoint(Option<(CheckpointStorage, CheckpointManifest)>),
}

/// The workers of one attempt.
pub(super) struct Attempt {
    pub ctx: JobContext,
    /// Why the attempt takes no checkpoints, so no savepoints either.
    pub no_savepoints: Option<String>,
    guards: Option<timely::communication::WorkerGuards<()>>,
    /// Dropped after the workers: removes the attempt's RocksDB state directory.
    _state_dir: Option<StateDir>,
}

impl Attempt {
    /// Starts the workers of an attempt from `from`.
    pub fn start(setup: &AttemptSetup, from: StartFrom) -> Result<Attempt, RuntimeError> {
        let plan = &setup.physical.logical;
        let cancel = if setup.restarts { CancelToken::new() } else { setup.cancel.clone() };
        let mut ctx = JobContext::new(setup.physical.mode, cancel, Arc::clone(&setup.metrics), setup.sinks.clone(), setup.tick_ms.max(1));
        let state_dir = StateDir::for_setting(&plan.config.state_backend)?;
        if let Some(dir) = &state_dir {
            ctx.state = StateBackendConfig::rocksdb(dir.path.clone());
        }
        let restore = match from {
            StartFrom::Plan => plan.config.restore_from.as_deref().map(find_checkpoint).transpose()?,
            StartFrom::Checkpoint(restore) => restore,
        };
        ctx.key_groups = key_groups(plan.config.max_parallelism, restore.as_ref().map(|(_, m)| m), setup.workers)?;
        let (checkpoints, no_savepoints) = checkpoints(&setup.physical, setup.workers, ctx.key_groups, restore, &setup.stats)?;
        if let Some(checkpoints) = &checkpoints {
            let inputs = plan.nodes.iter().filter_map(|n| match &n.op {
                PlanOp::Source { factory, .. } => factory.push_input().map(|input| (n.index, input)),
                _ => None,
            });
            checkpoints.truncate_push_logs(inputs.collect());
        }
        ctx.checkpoints = checkpoints;
        ctx.state_ttl = plan.config.state_ttl_ms.map(std::time::Duration::from_millis);
        if plan.config.checkpointing.is_some() && ctx.checkpoints.is_some() {
            setup.sinks.collected.stage_until_committed();
        }
        let worker_ctx = ctx.clone();
        let job_cancel = setup.cancel.clone();
        let plan = Arc::clone(&setup.physical);
        let guards = timely::execute(timely::Config::process(setup.workers), move |worker| {
            let ctx = worker_ctx.clone();
            // A panicking worker fails the attempt (and so stops the other workers) rather
            // than leaving them waiting for its progress.
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                // Expressions are evaluated by nested closures, as deep as the job's depth
                // limit allows: each worker runs on a stack reserved for that depth.
                crate::plan::with_stack(&plan.logical.config.limits, || {
                    let probe = ProbeHandle::new();
                    worker.dataflow::<crate::ops::Time, _, _>(|scope| build_dataflow(scope, &plan, &ctx, &probe));
                    if let Some(checkpoints) = &ctx.checkpoints {
                        checkpoints.built();
                    }
                    while !probe.done() {
                        if job_cancel.is_cancelled() {
                            ctx.cancel.cancel();
                        }
                        if ctx.should_stop() {
                            break;
                        }
                        worker.step_or_park(Some(Duration::from_millis(50)));
                    }
                })
            }));
            if let Err(panic) = ran {
                let message = panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned());
                ctx.fail(RuntimeError::Worker(format!("worker {} panicked: {}", worker.index(), message.unwrap_or_else(|| "(no message)".into()))));
            }
        })
        .map_err(|e| RuntimeError::Worker(e.to_string()))?;
        Ok(Attempt { ctx, guards: Some(guards), no_savepoints, _state_dir: state_dir })
    }

    /// Waits for the attempt's workers; the error it failed with, if it did.
    pub fn join(&mut self) -> Option<RuntimeError> {
        let results = self.guards.take().map(|g| g.join()).unwrap_or_default();
        for result in results {
            if let Err(panic) = result {
                self.ctx.fail(RuntimeError::Worker(panic));
            }
        }
        self.ctx.failure()
    }

    /// Where a restart of this attempt starts: the newest complete checkpoint in its
    /// checkpoint directory when it completed one, else where this attempt started.
    pub fn restart_point(&self, plan: &ValidatedPlan) -> Result<Option<(CheckpointStorage, CheckpointManifest)>, RuntimeError> {
        if let Some(checkpoints) = &self.ctx.checkpoints
            && checkpoints.counts().latest.is_some()
        {
            return find_checkpoint(checkpoints.storage().root()).map(Some);
        }
        if let Some(checkpoints) = &self.ctx.checkpoints
            && let Some(from) = checkpoints.restored_from()
        {
            return find_checkpoint(&from).map(Some);
        }
        plan.config.restore_from.as_deref().map(find_checkpoint).transpose()
    }
}

impl Drop for Attempt {
    /// An attempt dropped without `join` is cancelled, so that joining cannot hang.
    fn drop(&mut self) {
        if self.guards.is_some() {
            self.ctx.cancel.cancel();
        }
    }
}

/// The checkpoints of a job of `workers` workers: taken in streaming mode when the plan sets
/// an interval, and restored from `restore` (in batch mode checkpoints are ignored, as in
/// Flink). A streaming job without an interval that names a checkpoint directory takes
/// checkpoints only when a savepoint is asked for, if its operators allow it; otherwise the
/// reason it takes none comes back.
fn checkpoints(
    physical: &PhysicalPlan,
    workers: usize,
    key_groups: KeyGroups,
    restore: Option<(CheckpointStorage, CheckpointManifest)>,
    stats: &Arc<CheckpointStats>,
) -> Result<(Option<Arc<Checkpoints>>, Option<String>), RuntimeError> {
    let plan = &physical.logical;
    if physical.mode != RuntimeMode::Streaming {
        return Ok((None, Some("batch jobs take no checkpoints".into())));
    }
    let config = match (&plan.config.checkpointing, &restore) {
        (Some(settings), _) => {
            let dir = settings.dir.clone().ok_or_else(|| {
                RuntimeError::Checkpoint(
                    "execution.checkpointing.interval is set but no execution.checkpointing.dir says where checkpoints go (weir run --checkpoint-dir DIR)"
                        .into(),
                )
            })?;
            CheckpointConfig {
                interval: Some(Duration::from_millis(settings.interval_ms)),
                storage: CheckpointStorage::new(dir),
                retained: settings.retained,
                tolerable_failures: settings.tolerable_failures,
                timeout: Duration::from_millis(settings.timeout_ms),
            }
        }
        (None, restored) => {
            let Some(dir) = DIR_KEYS.iter().find_map(|k| plan.config.raw.get(*k)) else {
                return match restored {
                    // Restored without a directory of its own: it writes nothing there.
                    Some((storage, _)) => {
                        let config = CheckpointConfig { retained: usize::MAX, ..on_request(storage.clone()) };
                        Ok((
                            Some(Arc::new(
                                Checkpoints::new(config, restore, workers, key_groups)?
                                    .with_reused_nodes(physical.reused_nodes(), &physical.node_ids())?
                                    .tracked_by(Arc::clone(stats)),
                            )),
                            None,
                        ))
                    }
                    None => Ok((None, Some("it takes no checkpoints (no execution.checkpointing.dir)".into()))),
                };
            };
            if let Err(e) = physical.check_checkpointable() {
                return match restore {
                    Some(_) => Err(RuntimeError::Checkpoint(e.to_string())),
                    None => Ok((None, Some(e.to_string()))),
                };
            }
            on_request(CheckpointStorage::new(dir.strip_prefix("file://").unwrap_or(dir)))
        }
    };
    let checkpoints = Checkpoints::new(config, restore, workers, key_groups)?.with_reused_nodes(physical.reused_nodes(), &physical.node_ids())?;
    Ok((Some(Arc::new(checkpoints.tracked_by(Arc::clone(stats)))), None))
}

/// The key groups of a job of `workers` workers: `pipeline.max-parallelism` when set, else
/// those of the checkpoint it restores, else Flink's default. More workers than key groups is
/// an error, as in Flink.
fn key_groups(max_parallelism: Option<u32>, restore: Option<&CheckpointManifest>, workers: usize) -> Result<KeyGroups, RuntimeError> {
    let count = max_parallelism.or_else(|| restore.and_then(restored_key_groups)).unwrap_or(DEFAULT_KEY_GROUPS);
    let groups =
        KeyGroups::new(count).ok_or_else(|| RuntimeError::Worker(format!("pipeline.max-parallelism must be between 1 and {MAX_KEY_GROUPS}, found {count}")))?;
    if workers > groups.count() as usize {
        return Err(RuntimeError::Worker(format!("parallelism {workers} exceeds pipeline.max-parallelism {count}: every worker needs a key group")));
    }
    Ok(groups)
}

/// Checkpoints taken only when a savepoint is asked for, into `storage`: a failed one does not
/// fail the job.
fn on_request(storage: CheckpointStorage) -> CheckpointConfig {
    CheckpointConfig { interval: None, storage, retained: 1, tolerable_failures: u32::MAX, timeout: Duration::from_secs(600) }
}
