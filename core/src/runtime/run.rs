//! Running a job to completion on a pool of worker threads.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::connectors::{CollectedRows, PrintFormat, PushInput, SinkContext};
use crate::error::{Error, RuntimeError};
use crate::physical::PhysicalPlan;
use crate::plan::restart::RestartStrategy;
use crate::plan::{PlanOp, RuntimeMode, ValidatedPlan};
use crate::types::{Row, RowKind};

use super::attempt::{Attempt, AttemptFailure, AttemptSetup, JobAttempts, StartFrom};
use super::backoff::Backoff;
use crate::job::{CancelToken, Checkpoints, JobContext, JobMetrics, OperatorMetricsSnapshot};

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
    /// Where `collect` sinks write (`None`: a fresh in-memory [`CollectedRows`]); the REST
    /// server passes one forwarding to its bounded result store.
    pub collect_into: Option<CollectedRows>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { workers: None, mode: None, cancel: CancelToken::new(), print_format: PrintFormat::default(), tick_ms: 200, collect_into: None }
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
    /// Times it restarted after a failure.
    pub restarts: u64,
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
    /// Per-operator counters, live (summed over the job's attempts).
    pub metrics: Arc<JobMetrics>,
    /// Rows of `collect` sinks so far, live.
    pub collected: CollectedRows,
    /// Number of workers.
    pub workers: usize,
    /// Batch or streaming.
    pub mode: RuntimeMode,
    attempts: Arc<JobAttempts>,
    push_inputs: BTreeMap<String, PushInput>,
    /// Runs the job's attempts, restarting it as its restart strategy says; `wait` joins it.
    supervisor: Option<std::thread::JoinHandle<Option<RuntimeError>>>,
    /// The current attempt's failure, for a job that does not restart.
    first: JobContext,
    restarts: bool,
    started: Instant,
}

/// Starts `plan` on its workers and returns at once, after planning its physical operators
/// for the run mode (`options.mode`, else the plan's `execution.runtime-mode`).
pub fn start_job(plan: Arc<ValidatedPlan>, options: &RunOptions) -> Result<RunningJob, Error> {
    let mode = options.mode.or(plan.config.mode).unwrap_or_default();
    let logical = Arc::try_unwrap(plan).unwrap_or_else(|shared| (*shared).clone());
    start_physical(Arc::new(PhysicalPlan::new(logical, mode)?), options)
}

/// Starts a physical plan on its workers and returns at once; it runs in the mode it was
/// planned for (`options.mode` is not read). A job that fails while running restarts as its
/// restart strategy (`restart-strategy.*`) says, from its newest complete checkpoint.
pub fn start_physical(physical: Arc<PhysicalPlan>, options: &RunOptions) -> Result<RunningJob, Error> {
    let started = Instant::now();
    let plan = &physical.logical;
    let workers = options.workers.or(plan.config.parallelism).unwrap_or_else(default_workers).max(1);
    let mode = physical.mode;
    let mut metrics = JobMetrics::new(plan.nodes.iter().map(|n| (n.id.clone(), kind_name(&n.op).to_string(), n.inputs.clone())));
    for (node, phys) in physical.iter() {
        if let Some(of) = node.reused_as {
            metrics.set_reused(node.index, of);
        }
        if let Some(into) = phys.operator.fused_into() {
            metrics.set_fused(node.index, into);
        }
    }
    let metrics = Arc::new(metrics);
    let collected = options.collect_into.clone().unwrap_or_default();
    let sinks = SinkContext { collected: collected.clone(), print_format: options.print_format };
    let restarts = mode == RuntimeMode::Streaming && plan.config.restart != RestartStrategy::None;
    let push_inputs = push_inputs(plan);
    tracing::info!(job = plan.name.as_deref().unwrap_or("job"), workers, ?mode, "starting job");
    let setup = AttemptSetup {
        physical: Arc::clone(&physical),
        workers,
        tick_ms: options.tick_ms,
        sinks,
        metrics: Arc::clone(&metrics),
        cancel: options.cancel.clone(),
        restarts,
        stats: Arc::default(),
    };
    let attempt = Attempt::start(&setup, StartFrom::Plan)?;
    let attempts = Arc::new(JobAttempts::default());
    attempts.set_checkpoints(&attempt);
    let first = attempt.ctx.clone();
    let shared = Arc::clone(&attempts);
    let backoff = Backoff::new(plan.config.restart.clone());
    let supervisor = std::thread::Builder::new()
        .name("weir-job".into())
        .spawn(move || supervise(attempt, &setup, &shared, backoff))
        .map_err(|e| RuntimeError::Worker(format!("cannot start the job's supervisor thread: {e}")))?;
    Ok(RunningJob {
        cancel: options.cancel.clone(),
        metrics,
        collected,
        workers,
        mode,
        attempts,
        push_inputs,
        supervisor: Some(supervisor),
        first,
        restarts,
        started,
    })
}

/// Waits for each attempt of a job and restarts it after a failure while its restart
/// strategy allows; the error the job failed with in the end, if it did.
fn supervise(mut attempt: Attempt, setup: &AttemptSetup, attempts: &JobAttempts, mut backoff: Backoff) -> Option<RuntimeError> {
    let plan = &setup.physical.logical;
    loop {
        let error = attempt.join()?;
        let restart_point = attempt.restart_point(plan);
        if setup.cancel.is_cancelled() || matches!(error, RuntimeError::Cancelled) {
            return Some(error);
        }
        let delay = backoff.on_failure(Instant::now());
        attempts.record(AttemptFailure { error: error.clone(), timestamp_ms: now_ms(), restart_after: delay });
        let Some(delay) = delay else {
            if attempts.restarts() > 0 {
                tracing::error!(error = %error, restarts = attempts.restarts(), "job failed; its restart strategy allows no more attempts");
            }
            return Some(error);
        };
        let from = match &restart_point {
            Ok(Some((_, manifest))) => format!("checkpoint {}", manifest.epoch),
            Ok(None) => "the start".into(),
            Err(e) => format!("nowhere ({e})"),
        };
        tracing::warn!(error = %error, delay_ms = delay.as_millis() as u64, restart = attempts.restarts() + 1, "job failed; restarting from {from}");
        attempts.set_restarting(true);
        let until = Instant::now() + delay;
        while Instant::now() < until {
            if setup.cancel.is_cancelled() {
                attempts.set_restarting(false);
                return Some(RuntimeError::Cancelled);
            }
            std::thread::sleep(until.saturating_duration_since(Instant::now()).min(Duration::from_millis(50)));
        }
        attempts.restarted();
        let next = restart_point.and_then(|from| {
            let epoch = from.as_ref().map_or(0, |(_, m)| m.epoch);
            setup.sinks.collected.roll_back(epoch);
            Attempt::start(setup, StartFrom::Checkpoint(from))
        });
        attempts.set_restarting(false);
        match next {
            Ok(next) => {
                attempts.set_checkpoints(&next);
                attempt = next;
            }
            // Starting again failed (a damaged checkpoint, say): the job fails with it.
            Err(e) => {
                attempts.record(AttemptFailure { error: e.clone(), timestamp_ms: now_ms(), restart_after: None });
                return Some(e);
            }
        }
    }
}

/// Milliseconds since the epoch.
fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The [`PushInput`] of every `push` source of `plan`, by source node id: the same inputs the
/// started job reads (a front end attaches their logs before starting it).
pub fn push_inputs(plan: &ValidatedPlan) -> BTreeMap<String, PushInput> {
    plan.nodes
        .iter()
        .filter_map(|n| match &n.op {
            PlanOp::Source { factory, .. } => factory.push_input().map(|input| (n.id.clone(), input)),
            _ => None,
        })
        .collect()
}

impl RunningJob {
    /// The job's checkpoints, when it takes them (or restored from one): the current
    /// attempt's.
    pub fn checkpoints(&self) -> Option<Arc<Checkpoints>> {
        self.attempts.checkpoints()
    }

    /// The job's restarts and failures so far, live.
    pub fn attempts(&self) -> Arc<JobAttempts> {
        Arc::clone(&self.attempts)
    }

    /// The inputs of the job's `push` sources, by source node id (a SQL table's name): rows
    /// pushed into them flow into the running job; closing them ends those sources.
    pub fn push_inputs(&self) -> BTreeMap<String, PushInput> {
        self.push_inputs.clone()
    }

    /// The error the job failed with so far, if any (for a job that may restart: the error
    /// of a failure it did not restart from).
    pub fn failure(&self) -> Option<RuntimeError> {
        if !self.restarts {
            return self.first.failure();
        }
        self.attempts.failures().into_iter().rev().find(|f| f.restart_after.is_none()).map(|f| f.error)
    }

    /// Waits for every worker to stop and reports how the job ended.
    pub fn wait(mut self) -> Result<JobOutcome, Error> {
        let failure = match self.supervisor.take().map(|s| s.join()) {
            Some(Ok(failure)) => failure,
            Some(Err(_)) => Some(RuntimeError::Worker("the job's supervisor thread panicked".into())),
            None => None,
        };
        if let Some(error) = failure {
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
            restarts: self.attempts.restarts(),
        })
    }
}

impl Drop for RunningJob {
    /// A job dropped without `wait` (an early return, a panicking caller) is cancelled, so that
    /// joining its workers cannot hang on an unbounded source.
    fn drop(&mut self) {
        if self.supervisor.is_some() {
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
        SortedOver { .. } => "sorted_over",
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
        StreamWindow { .. } => "stream_window",
        Sink { .. } => "sink",
    }
}
