//! `weir run` and `weir validate`: JSON job specs and Flink SQL scripts.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, anyhow, bail};

use weir_core::connectors::PrintFormat;
use weir_core::plan::{JobSpec, RuntimeMode, parse_job_spec};
use weir_core::prepare::{PrepareOptions, PreparedJob, ResultSinks};
use weir_core::runtime::RunOptions;
use weir_core::sql::{ResultTable, SqlOutcome, SqlSession};

use super::{Output, RunArgs};

/// What a job file asks for: JSON is one job; a SQL script is a list of statement outcomes.
enum JobFile {
    Spec(JobSpec),
    Script(Vec<SqlOutcome>),
}

/// Reads and plans a job file; nothing runs yet, so a bad statement anywhere stops it all.
fn load(path: &Path) -> anyhow::Result<JobFile> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => Ok(JobFile::Spec(parse_job_spec(&text).map_err(|e| anyhow!("{}: invalid job: {e}", path.display()))?)),
        Some("sql") => {
            let mut session = SqlSession::new();
            Ok(JobFile::Script(session.execute_script(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?))
        }
        _ => bail!("{}: expected a .json job spec or a .sql script", path.display()),
    }
}

/// Validates and plans `spec` for `mode`; `results` says where a query's rows go.
fn check(path: &Path, spec: &JobSpec, mode: Option<RuntimeMode>, results: ResultSinks) -> anyhow::Result<PreparedJob> {
    check_with_settings(path, spec, &BTreeMap::new(), mode, results)
}

/// [`check`] of `spec` with `settings` (from the command line) over its own.
fn check_with_settings(
    path: &Path,
    spec: &JobSpec,
    settings: &BTreeMap<String, String>,
    mode: Option<RuntimeMode>,
    results: ResultSinks,
) -> anyhow::Result<PreparedJob> {
    let mut spec = spec.clone();
    spec.config.extend(settings.iter().map(|(k, v)| (k.clone(), v.clone())));
    let options = PrepareOptions { mode, results, ..PrepareOptions::default() };
    PreparedJob::prepare(spec, &options).map_err(|e| anyhow!("{}: {e}", path.display()))
}

/// `weir run`: runs the job (or every statement of the script) and prints its sinks' output.
pub fn run(args: RunArgs) -> anyhow::Result<()> {
    if args.workers == Some(0) {
        bail!("--workers must be at least 1");
    }
    let options = RunOptions {
        workers: args.workers,
        mode: args.mode,
        print_format: match args.output {
            Output::Changelog => PrintFormat::Changelog,
            Output::Json => PrintFormat::Json,
        },
        ..RunOptions::default()
    };
    let settings = args.settings();
    match load(&args.job)? {
        JobFile::Spec(spec) => execute(check_with_settings(&args.job, &spec, &settings, options.mode, ResultSinks::AsPlanned)?, &options),
        JobFile::Script(outcomes) => {
            // Plan every job before running any, so a bad statement starts nothing.
            let plans = outcomes
                .iter()
                .map(|outcome| match outcome {
                    SqlOutcome::Job(spec) => check_with_settings(&args.job, spec, &settings, args.mode, ResultSinks::AsPlanned).map(Some),
                    SqlOutcome::Query(spec) => check_with_settings(&args.job, spec, &settings, args.mode, ResultSinks::PrintQueryResult).map(Some),
                    _ => Ok(None),
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            for (outcome, plan) in outcomes.into_iter().zip(plans) {
                match (outcome, plan) {
                    (_, Some(plan)) => execute(plan, &options)?,
                    (SqlOutcome::Done(message), None) => eprintln!("[INFO] {message}"),
                    (SqlOutcome::Explain(text), None) => println!("{text}"),
                    (SqlOutcome::Table(table), None) => print!("{}", render_table(&table)),
                    (SqlOutcome::Job(_) | SqlOutcome::Query(_), None) => {}
                }
            }
            Ok(())
        }
    }
}

fn execute(job: PreparedJob, options: &RunOptions) -> anyhow::Result<()> {
    let outcome = job.run(options)?;
    if outcome.skipped_records > 0 {
        let s = if outcome.skipped_records == 1 { "" } else { "s" };
        eprintln!("skipped {} malformed record{s}", outcome.skipped_records);
    }
    if outcome.late_records > 0 {
        let s = if outcome.late_records == 1 { "" } else { "s" };
        eprintln!("dropped {} late record{s} (behind the watermark)", outcome.late_records);
    }
    if outcome.restarts > 0 {
        let s = if outcome.restarts == 1 { "" } else { "s" };
        eprintln!("the job restarted {} time{s} after failures", outcome.restarts);
    }
    for m in &outcome.metrics {
        tracing::info!(operator = %m.id, kind = %m.kind, records_in = m.records_in, records_out = m.records_out, "operator metrics");
    }
    tracing::info!(elapsed_ms = outcome.elapsed.as_millis() as u64, workers = outcome.workers, "job finished");
    Ok(())
}

/// A table with borders, as Flink's SQL client prints SHOW/DESCRIBE results.
fn render_table(table: &ResultTable) -> String {
    let widths: Vec<usize> = (0..table.columns.len())
        .map(|c| table.rows.iter().map(|r| r.get(c).map_or(0, |v| v.chars().count())).chain([table.columns[c].chars().count()]).max().unwrap_or(0))
        .collect();
    let border = format!("+{}+\n", widths.iter().map(|w| "-".repeat(w + 2)).collect::<Vec<_>>().join("+"));
    let line = |cells: &[String]| {
        let padded: Vec<String> = widths.iter().enumerate().map(|(i, w)| format!(" {:<w$} ", cells.get(i).map_or("", |s| s.as_str()))).collect();
        format!("|{}|\n", padded.join("|"))
    };
    let mut out = border.clone();
    out.push_str(&line(&table.columns));
    out.push_str(&border);
    for row in &table.rows {
        out.push_str(&line(row));
    }
    out.push_str(&border);
    out.push_str(&format!("{} row{} in set\n", table.rows.len(), if table.rows.len() == 1 { "" } else { "s" }));
    out
}

/// The job specs of a job file: the one spec, or each INSERT/SELECT of a script.
fn specs(path: &Path) -> anyhow::Result<Vec<(JobSpec, ResultSinks)>> {
    Ok(match load(path)? {
        JobFile::Spec(spec) => vec![(spec, ResultSinks::AsPlanned)],
        JobFile::Script(outcomes) => outcomes
            .into_iter()
            .filter_map(|o| match o {
                SqlOutcome::Job(spec) => Some((spec, ResultSinks::AsPlanned)),
                SqlOutcome::Query(spec) => Some((spec, ResultSinks::PrintQueryResult)),
                _ => None,
            })
            .collect(),
    })
}

/// `weir validate`: checks the job and prints each node with its output schema.
pub fn validate(path: &Path) -> anyhow::Result<()> {
    for (spec, results) in specs(path)? {
        let job = check(path, &spec, None, results)?;
        for node in &job.plan.logical.nodes {
            let columns: Vec<String> = node.schema.fields.iter().map(|f| format!("{} {}", f.name, f.data_type)).collect();
            println!("{}: ({})", node.id, columns.join(", "));
        }
    }
    Ok(())
}

/// `weir explain`: prints the physical plan of each job in the file, with changelog modes.
pub fn explain(path: &Path, mode: Option<RuntimeMode>) -> anyhow::Result<()> {
    for (i, (spec, results)) in specs(path)?.into_iter().enumerate() {
        let job = check(path, &spec, mode, results)?;
        if i > 0 {
            println!();
        }
        print!("{}", job.explain(true));
    }
    Ok(())
}
