//! Command-line arguments and the commands they select.

mod run;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use weir_core::plan::RuntimeMode;

/// Weir: a stream and batch processing engine on timely dataflow.
#[derive(Parser, Debug)]
#[command(name = "weir", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
#[allow(clippy::large_enum_variant, reason = "parsed once per process; boxing would only obscure the clap derive")]
enum Command {
    /// Run a job (a JSON job spec `.json`, or a Flink SQL script `.sql`) and print its results
    /// as a Flink changelog (`+I[...]`, `-U[...]`, `+U[...]`, `-D[...]`).
    Run(RunArgs),
    /// Check a job without running it; prints the validated plan's nodes and schemas.
    Validate {
        /// The job file.
        job: PathBuf,
    },
    /// Print the physical plan of a job (of each INSERT or SELECT of a SQL script) without
    /// running it: operators, exchanges, state and changelog modes, as `EXPLAIN CHANGELOG_MODE`.
    Explain {
        /// The job file.
        job: PathBuf,
        /// The run mode to plan for, `batch` or `streaming` (default: the job's
        /// `execution.runtime-mode`, else streaming).
        #[arg(long)]
        mode: Option<RuntimeMode>,
    },
    /// Print the JSON Schema of the job spec.
    Schema,
    /// Serve the REST API (Flink's job endpoints and SQL gateway) until SIGTERM or Ctrl-C.
    Serve(crate::server::ServeArgs),
}

/// Arguments of `weir run`.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The job file: `job.json` (a job spec) or `job.sql` (a SQL script).
    job: PathBuf,
    /// Worker threads (default: the job's `parallelism.default`, else one per core).
    #[arg(long, short = 'w')]
    workers: Option<usize>,
    /// `batch` prints only final rows; `streaming` prints the changelog as it is produced.
    #[arg(long)]
    mode: Option<RuntimeMode>,
    /// Line format of printed results: Flink's changelog text, or one JSON object per change
    /// (`{"op": "+I", "row": [...]}`).
    #[arg(long, value_enum, default_value = "changelog")]
    output: Output,
    /// Take a checkpoint this often, e.g. `1s` (Flink's `execution.checkpointing.interval`).
    #[arg(long, value_name = "DURATION")]
    checkpoint_interval: Option<String>,
    /// Where checkpoints are written (Flink's `execution.checkpointing.dir`).
    #[arg(long, value_name = "DIR")]
    checkpoint_dir: Option<PathBuf>,
    /// Start from a checkpoint, as Flink's `-s`: a `chk-N` directory, or a checkpoint
    /// directory (its newest complete checkpoint).
    #[arg(long, short = 's', value_name = "PATH")]
    from_savepoint: Option<PathBuf>,
    /// Sets a job setting, as Flink's `-D`: `-D restart-strategy.type=fixed-delay` (repeat
    /// for more; wins over the job's own `SET`s and `config`).
    #[arg(short = 'D', value_name = "KEY=VALUE", value_parser = parse_setting)]
    settings: Vec<(String, String)>,
}

/// `KEY=VALUE` of `-D`.
fn parse_setting(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => Ok((key.trim().to_string(), value.trim().to_string())),
        _ => Err(format!("expected KEY=VALUE, found '{text}'")),
    }
}

impl RunArgs {
    /// The job settings the command line gives, which win over the job's own.
    fn settings(&self) -> std::collections::BTreeMap<String, String> {
        let mut settings: std::collections::BTreeMap<String, String> = self.settings.iter().cloned().collect();
        if let Some(interval) = &self.checkpoint_interval {
            settings.insert("execution.checkpointing.interval".to_string(), interval.clone());
        }
        if let Some(dir) = &self.checkpoint_dir {
            settings.insert("execution.checkpointing.dir".to_string(), dir.to_string_lossy().into_owned());
        }
        if let Some(path) = &self.from_savepoint {
            settings.insert("execution.state-recovery.path".to_string(), path.to_string_lossy().into_owned());
        }
        settings
    }
}

/// Line format of printed results.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Output {
    Changelog,
    Json,
}

/// Runs the selected command.
pub fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Validate { job } => run::validate(&job),
        Command::Explain { job, mode } => run::explain(&job, mode),
        Command::Serve(args) => crate::server::serve(args),
        Command::Schema => {
            println!("{}", serde_json::to_string_pretty(&weir_core::plan::job_spec_schema())?);
            Ok(())
        }
    }
}
