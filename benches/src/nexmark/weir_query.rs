//! One Nexmark query run by Weir in this process, through the whole stack: the SQL script is
//! planned by [`SqlSession`], validated, and run by [`run_job`] in batch or streaming mode on
//! `workers` threads into its `blackhole` sink (or, for tests, a `collect` sink).

use std::sync::Arc;
use std::time::Duration;

use weir_core::job::CheckpointStatsSnapshot;
use weir_core::plan::{RuntimeMode, ValidatedPlan, validate};
use weir_core::runtime::{RunOptions, run_job, start_job};
use weir_core::sql::{SqlOutcome, SqlSession};
use weir_core::types::{Row, RowKind};

use super::queries::{Query, script};
use super::settings::JobSettings;

/// What a finished run produced and cost.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryRun {
    /// Rows the sources produced (for a query on `bid` alone: the bids among the events).
    pub rows_in: u64,
    /// Changes that reached the sink.
    pub rows_out: u64,
    /// Time from starting the workers to the last one finishing.
    pub elapsed: Duration,
    /// The statistics of its checkpoints, when it took any.
    pub checkpoints: Option<CheckpointStatsSnapshot>,
}

/// Plans `query` over a stream of `events` events. The error is the engine's own message: a
/// query Weir cannot plan yet (windows before event time exists) fails here, before running.
pub fn plan(query: &Query, events: u64, tps: u64) -> Result<ValidatedPlan, String> {
    plan_script(query, &script(query, events, tps))
}

/// Plans `query` as [`plan`] does, with `settings` (`SET` statements) before its DDL.
pub fn plan_with(query: &Query, events: u64, tps: u64, settings: &JobSettings) -> Result<ValidatedPlan, String> {
    plan_script(query, &format!("{}{}", settings.sql(), script(query, events, tps)))
}

/// Plans `query` over the bids in the CSV directory `dir` (see [`super::csv_input`]), with
/// `settings` before its DDL.
pub fn plan_csv(query: &Query, dir: &std::path::Path, settings: &JobSettings) -> Result<ValidatedPlan, String> {
    plan_script(query, &format!("{}{}", settings.sql(), super::csv_input::csv_script(query, dir)?))
}

/// Plans the whole script `text` of `query`.
fn plan_script(query: &Query, text: &str) -> Result<ValidatedPlan, String> {
    plan_text(query.name, text)
}

/// Plans the script `text` (whose `INSERT INTO` is the job; `name` for messages).
pub fn plan_text(name: &str, text: &str) -> Result<ValidatedPlan, String> {
    let mut session = SqlSession::new();
    let outcomes = session.execute_script(text).map_err(|e| e.to_string())?;
    let spec = outcomes
        .into_iter()
        .find_map(|o| match o {
            SqlOutcome::Job(spec) => Some(spec),
            _ => None,
        })
        .ok_or_else(|| format!("{name}: the script has no INSERT INTO"))?;
    validate(&spec).map_err(|e| e.to_string())
}

/// The changelog `query` writes over a stream of `events` events, its `blackhole` sink
/// replaced by a `collect` sink: what the query answers, for comparing with a baseline.
pub fn collect_rows(query: &Query, events: u64, tps: u64, workers: usize, mode: RuntimeMode) -> Result<Vec<(RowKind, Row)>, String> {
    let text = script(query, events, tps).replace("WITH ('connector' = 'blackhole')", "WITH ('connector' = 'collect')");
    let plan = plan_script(query, &text)?;
    let options = RunOptions { workers: Some(workers), mode: Some(mode), ..RunOptions::default() };
    let outcome = run_job(Arc::new(plan), &options).map_err(|e| e.to_string())?;
    Ok(outcome.collected.into_values().flatten().collect())
}

/// Runs a planned query to the end on `workers` worker threads in `mode`.
pub fn run(plan: ValidatedPlan, workers: usize, mode: RuntimeMode) -> Result<QueryRun, String> {
    let options = RunOptions { workers: Some(workers), mode: Some(mode), ..RunOptions::default() };
    let job = start_job(Arc::new(plan), &options).map_err(|e| e.to_string())?;
    let checkpoints = job.checkpoints();
    let outcome = job.wait().map_err(|e| e.to_string())?;
    let count = |kind: &str, f: fn(&weir_core::job::OperatorMetricsSnapshot) -> u64| outcome.metrics.iter().filter(|m| m.kind == kind).map(f).sum::<u64>();
    Ok(QueryRun {
        rows_in: count("source", |m| m.records_out),
        rows_out: count("sink", |m| m.records_in),
        elapsed: outcome.elapsed,
        checkpoints: checkpoints.map(|c| c.stats().snapshot()),
    })
}

/// Whether an engine error says the query needs event time (window table-valued functions,
/// group windows): such queries are reported "unsupported (needs event time)".
pub fn needs_event_time(error: &str) -> bool {
    let e = error.to_ascii_lowercase();
    e.contains("event-time") || e.contains("event time") || e.contains("watermark")
}
