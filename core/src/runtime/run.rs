//! Running a job to completion on a pool of worker threads.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use timely::dataflow::operators::probe::Handle as ProbeHandle;

use crate::compile::build_dataflow;
use crate::connectors::{CollectedRows, PrintFormat, PushInput, SinkContext};
use crate::error::{Error, RuntimeError};
use crate::physical::PhysicalPlan;
use crate::plan::{PlanOp, RuntimeMode, StateBackendSetting, ValidatedPlan};
use weir_state::StateBackendConfig;
use crate::types::{Row, RowKind};

use super::context::{CancelToken, JobContext};
use super::metrics::{JobMetrics, OperatorMetricsSnapshot};

/// How to run a job.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Worker threads (`None`: the plan's `parallelism.default`, else one per core).
    pub workers: Option<usize>,
    /// Batch or streaming (`None`: the plan's `execution.runtime-mode`, else streaming).
    pub mode: Option<RuntimeMode>,
    /// Stops the job when cancelled.
    pub cancel: CancelToken,
    /// Line format of `print` sinks.
    pub print_format: PrintFormat,
    /// Processing-time granularity of streaming jobs, in milliseconds (Flink's
    /// `pipeline.auto-watermark-interval`, 200 by default).
    pub tick_ms: u64,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { workers: None, mode: None, cancel: CancelToken::new(), print_format: PrintFormat::default(), tick_ms: 200 }
    }
}

/// What a finished job produced.
#[derive(Clone, Debug)]
pub struct JobOutcome {
    /// The changelog of each `collect` sink, by sink id.
    pub collected: BTreeMap<String, Vec<(RowKind, Row)>>,
    /// Per-operator counters at the end.
    pub metrics: Vec<OperatorMetricsSnapshot>,
    /// Malformed records skipped by sources told to ignore parse errors.
    pub skipped_records: u64,
    /// Records event-time sources dropped for arriving behind the watermark.
    pub late_records: u64,
    /// Wall-clock time the job ran.
    pub elapsed: Duration,
    /// Number of workers it ran on.
    pub workers: usize,
}

/// Worker threads to use by default: one per core.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// Runs `plan` to completion (or until cancelled), blocking the calling thread.
pub fn run_job(plan: Arc<ValidatedPlan>, options: &RunOptions) -> Result<JobOutcome, Error> {
    start_job(plan, options)?.wait()
}

/// A job whose workers are running: watch its metrics and collected rows, cancel it, or wait.
pub struct RunningJob {
    /// Cancels the job.
    pub cancel: CancelToken,
    /// Per-operator counters, live.
    pub metrics: Arc<JobMetrics>,
    /// Rows of `collect` sinks so far, live.
    pub collected: CollectedRows,
    /// Number of workers.
    pub workers: usize,
    /// Batch or streaming.
    pub mode: RuntimeMode,
    ctx: JobContext,
    push_inputs: BTreeMap<String, PushInput>,
    /// The worker threads; `wait` takes them (otherwise dropping the job cancels it first).
    guards: Option<timely::communication::WorkerGuards<()>>,
    started: Instant,
    /// Dropped after the workers: removes a temporary RocksDB state directory.
    _state_dir: Option<StateDir>,
}

/// Starts `plan` on its workers and returns at once, after planning its physical operators
/// for the run mode (`options.mode`, else the plan's `execution.runtime-mode`).
pub fn start_job(plan: Arc<ValidatedPlan>, options: &RunOptions) -> Result<RunningJob, Error> {
    let mode = options.mode.or(plan.config.mode).unwrap_or_default();
    let logical = Arc::try_unwrap(plan).unwrap_or_else(|shared| (*shared).clone());
    start_physical(Arc::new(PhysicalPlan::new(logical, mode)?), options)
}

/// Starts a physical plan on its workers and returns at once; it runs in the mode it was
/// planned for (`options.mode` is not read).
pub fn start_physical(physical: Arc<PhysicalPlan>, options: &RunOptions) -> Result<RunningJob, Error> {
    let started = Instant::now();
    let plan = &physical.logical;
    let workers = options.workers.or(plan.config.parallelism).unwrap_or_else(default_workers).max(1);
    let mode = physical.mode;
    let metrics = Arc::new(JobMetrics::new(plan.nodes.iter().map(|n| (n.id.clone(), kind_name(&n.op).to_string(), n.inputs.clone()))));
    let collected = CollectedRows::default();
    let sinks = SinkContext { collected: collected.clone(), print_format: options.print_format };
    let mut ctx = JobContext::new(mode, options.cancel.clone(), Arc::clone(&metrics), sinks, options.tick_ms.max(1));
    let state_dir = StateDir::for_setting(&plan.config.state_backend);
    if let Some(dir) = &state_dir {
        ctx.state = StateBackendConfig::rocksdb(dir.path.clone());
    }
    let worker_ctx = ctx.clone();
    let push_inputs = push_inputs(plan);
    tracing::info!(job = plan.name.as_deref().unwrap_or("job"), workers, ?mode, "starting job");
    let plan = Arc::clone(&physical);
    let guards = timely::execute(timely::Config::process(workers), move |worker| {
        let probe = ProbeHandle::new();
        let ctx = worker_ctx.clone();
        worker.dataflow::<u64, _, _>(|scope| build_dataflow(scope, &plan, &ctx, &probe));
        while !probe.done() {
            if ctx.should_stop() {
                break;
            }
            worker.step_or_park(Some(Duration::from_millis(50)));
        }
    })
    .map_err(|e| RuntimeError::Worker(e.to_string()))?;
    Ok(RunningJob { cancel: options.cancel.clone(), metrics, collected, workers, mode, ctx, push_inputs, guards: Some(guards), started, _state_dir: state_dir })
}

/// The directory of a job's RocksDB state; a temporary one is removed when the job ends.
struct StateDir {
    path: PathBuf,
    temporary: bool,
}

impl StateDir {
    /// The directory `setting` asks for (`None`: state in memory).
    fn for_setting(setting: &StateBackendSetting) -> Option<StateDir> {
        match setting {
            StateBackendSetting::Memory => None,
            StateBackendSetting::RocksDb { dir: Some(dir) } => Some(StateDir { path: dir.clone(), temporary: false }),
            StateBackendSetting::RocksDb { dir: None } => {
                static NEXT: AtomicU64 = AtomicU64::new(0);
                let unique = format!("weir-state-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
                Some(StateDir { path: std::env::temp_dir().join(unique), temporary: true })
            }
        }
    }
}

impl Drop for StateDir {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// The [`PushInput`] of every `push` source of `plan`, by source node id.
fn push_inputs(plan: &ValidatedPlan) -> BTreeMap<String, PushInput> {
    plan.nodes
        .iter()
        .filter_map(|n| match &n.op {
            PlanOp::Source { factory, .. } => factory.push_input().map(|input| (n.id.clone(), input)),
            _ => None,
        })
        .collect()
}

impl RunningJob {
    /// The inputs of the job's `push` sources, by source node id (a SQL table's name): rows
    /// pushed into them flow into the running job; closing them ends those sources.
    pub fn push_inputs(&self) -> BTreeMap<String, PushInput> {
        self.push_inputs.clone()
    }

    /// The error the job failed with so far, if any.
    pub fn failure(&self) -> Option<RuntimeError> {
        self.ctx.failure()
    }

    /// Waits for every worker to stop and reports how the job ended.
    pub fn wait(mut self) -> Result<JobOutcome, Error> {
        let results = self.guards.take().map(|g| g.join()).unwrap_or_default();
        for result in results {
            if let Err(panic) = result {
                self.ctx.fail(RuntimeError::Worker(panic));
            }
        }
        if let Some(error) = self.ctx.failure() {
            return Err(error.into());
        }
        if self.cancel.is_cancelled() {
            return Err(RuntimeError::Cancelled.into());
        }
        Ok(JobOutcome {
            collected: self.collected.snapshot(),
            metrics: self.metrics.snapshot(),
            skipped_records: self.metrics.total_skipped(),
            late_records: self.metrics.total_late(),
            elapsed: self.started.elapsed(),
            workers: self.workers,
        })
    }
}

impl Drop for RunningJob {
    /// A job dropped without `wait` (an early return, a panicking caller) is cancelled, so that
    /// joining its workers cannot hang on an unbounded source.
    fn drop(&mut self) {
        if self.guards.is_some() {
            self.cancel.cancel();
        }
    }
}

fn kind_name(op: &crate::plan::PlanOp) -> &'static str {
    use crate::plan::PlanOp::*;
    match op {
        Source { .. } => "source",
        Filter { .. } => "filter",
        Project { .. } => "project",
        FlatMap { .. } => "flat_map",
        Window { .. } => "window",
        Over { .. } => "over",
        IntervalJoin { .. } => "interval_join",
        Aggregate { .. } => "aggregate",
        Join { .. } => "join",
        Distinct => "distinct",
        Union { .. } => "union",
        TopN { .. } => "top_n",
        Deduplicate { .. } => "deduplicate",
        Sort { .. } => "sort",
        Watermark { .. } => "watermark",
        Process { .. } => "process",
        Sink { .. } => "sink",
    }
}
