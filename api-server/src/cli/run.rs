//! `weir run` and `weir validate`.

use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context};

use weir_core::plan::{parse_job_spec, validate as validate_plan, RuntimeMode, ValidatedPlan};
use weir_core::runtime::{run_job, RunOptions};

use super::{Mode, RunArgs};

/// Reads and validates a job file.
fn load(path: &Path) -> anyhow::Result<ValidatedPlan> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => {
            let spec = parse_job_spec(&text).map_err(|e| anyhow::anyhow!("{}: invalid job: {e}", path.display()))?;
            validate_plan(&spec).map_err(|e| anyhow::anyhow!("{}: invalid job: {e}", path.display()))
        }
        Some("sql") => bail!("{}: SQL jobs are not supported by this build yet", path.display()),
        _ => bail!("{}: expected a .json job spec or a .sql script", path.display()),
    }
}

/// `weir run`: runs the job and prints its sinks' output.
pub fn run(args: RunArgs) -> anyhow::Result<()> {
    if args.workers == Some(0) {
        bail!("--workers must be at least 1");
    }
    let plan = load(&args.job)?;
    let options = RunOptions {
        workers: args.workers,
        mode: args.mode.map(|m| match m {
            Mode::Batch => RuntimeMode::Batch,
            Mode::Streaming => RuntimeMode::Streaming,
        }),
        ..RunOptions::default()
    };
    let outcome = run_job(Arc::new(plan), &options)?;
    if outcome.skipped_records > 0 {
        eprintln!("skipped {} malformed records", outcome.skipped_records);
    }
    tracing::info!(elapsed_ms = outcome.elapsed.as_millis() as u64, workers = outcome.workers, "job finished");
    Ok(())
}

/// `weir validate`: checks the job and prints each node with its output schema.
pub fn validate(path: &Path) -> anyhow::Result<()> {
    let plan = load(path)?;
    for node in &plan.nodes {
        let columns: Vec<String> = node.schema.fields.iter().map(|f| format!("{} {}", f.name, f.data_type)).collect();
        println!("{}: ({})", node.id, columns.join(", "));
    }
    Ok(())
}
