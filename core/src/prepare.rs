//! One entry point for every front end (CLI, REST server, Python SDK): a job spec (planned
//! from SQL or posted as JSON) plus the run mode becomes a [`PreparedJob`] — validated,
//! planned down to its physical operators, ready to explain, start or run. Front ends do not
//! validate, parse run modes or rewrite sinks on their own.

use std::sync::Arc;

use crate::connectors::SinkOutput;
use crate::connectors::registry::{caller_sink, console_sink, sink_output};
use crate::error::Error;
use crate::physical::{self, ExplainDetail, PhysicalPlan};
use crate::plan::{JobSpec, Node, RuntimeMode, validate_with_functions};
use crate::runtime::{JobOutcome, RunOptions, RunningJob, start_physical};
use crate::sql::RESULT_SINK;
use crate::udf::UserFunctions;

/// Where the rows of a job's result sinks go, when the front end has its own place for them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResultSinks {
    /// As the spec says.
    #[default]
    AsPlanned,
    /// A bare query's result sink (`RESULT_SINK`, a `collect` sink) prints its rows instead:
    /// a terminal is where the CLI shows a SELECT.
    PrintQueryResult,
    /// Every `print` sink collects its rows instead (same id, no options): a server's stdout
    /// is nobody's terminal, and collected rows are what it serves.
    CollectPrints,
}

/// How to prepare a job.
#[derive(Clone, Debug, Default)]
pub struct PrepareOptions {
    /// Batch or streaming (`None`: the spec's `execution.runtime-mode`, else streaming).
    pub mode: Option<RuntimeMode>,
    /// User functions the spec's expressions may call (the Python SDK's UDFs).
    pub functions: UserFunctions,
    /// Where result sinks write.
    pub results: ResultSinks,
}

/// A job validated and planned for one run mode.
#[derive(Clone)]
pub struct PreparedJob {
    /// The spec as it will run (result sinks rewritten as asked).
    pub spec: JobSpec,
    /// Its physical plan.
    pub plan: Arc<PhysicalPlan>,
}

impl PreparedJob {
    /// Validates `spec` and plans its operators for the run mode; errors name the JSON path
    /// of the node at fault.
    pub fn prepare(mut spec: JobSpec, options: &PrepareOptions) -> Result<PreparedJob, Error> {
        redirect_results(&mut spec, options.results);
        let logical = validate_with_functions(&spec, &options.functions)?;
        let mode = options.mode.or(logical.config.mode).unwrap_or_default();
        let plan = PhysicalPlan::new(logical, mode)?;
        Ok(PreparedJob { spec, plan: Arc::new(plan) })
    }

    /// The run mode the job was planned for.
    pub fn mode(&self) -> RuntimeMode {
        self.plan.mode
    }

    /// Its worker count: `workers` when given, else the spec's `parallelism.default`, else one
    /// per core.
    pub fn parallelism(&self, workers: Option<usize>) -> usize {
        workers.or(self.plan.logical.config.parallelism).unwrap_or_else(crate::runtime::default_workers).max(1)
    }

    /// The physical plan as `EXPLAIN` prints it, with each operator's changelog mode when
    /// `changelog_mode` is set.
    pub fn explain(&self, changelog_mode: bool) -> String {
        let details: &[ExplainDetail] = if changelog_mode { &[ExplainDetail::ChangelogMode] } else { &[] };
        physical::explain(&self.plan, details)
    }

    /// Starts the job's workers and returns at once (`options.mode` is not read: the job
    /// runs in the mode it was planned for).
    pub fn start(&self, options: &RunOptions) -> Result<RunningJob, Error> {
        start_physical(Arc::clone(&self.plan), options)
    }

    /// Runs the job to completion (or until cancelled), blocking the calling thread.
    pub fn run(&self, options: &RunOptions) -> Result<JobOutcome, Error> {
        self.start(options)?.wait()
    }
}

/// Rewrites the result sinks of `spec` as `results` says.
fn redirect_results(spec: &mut JobSpec, results: ResultSinks) {
    for node in &mut spec.nodes {
        let Node::Sink(sink) = node else { continue };
        match results {
            ResultSinks::AsPlanned => {}
            ResultSinks::PrintQueryResult if sink.id == RESULT_SINK => sink.connector = console_sink().into(),
            ResultSinks::PrintQueryResult => {}
            ResultSinks::CollectPrints if sink_output(&sink.connector) == Some(SinkOutput::Console) => {
                sink.connector = caller_sink().into();
                sink.options.clear();
            }
            ResultSinks::CollectPrints => {}
        }
    }
}
