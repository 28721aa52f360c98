//! One measured run, in the process the harness started for it (`weir-bench exec ...`): runs
//! one system on one query and prints an [`ExecOutput`] as one JSON line on stdout. The harness
//! measures that process from outside (wall time, CPU time, peak RSS).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use weir_core::plan::RuntimeMode;

use super::memory::{self, Sample};
use super::queries::{SUITE_TPS, find};
use super::settings::{CheckpointFigures, JobSettings};
use super::{baseline, generator, weir_query};

/// What runs a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum System {
    /// Weir, through the whole stack: SQL planned by `SqlSession`, run by `run_job` in batch
    /// mode.
    Weir,
    /// Weir as [`System::Weir`] but in streaming mode: windows fire as the event-time
    /// watermark passes their end, results are a changelog.
    WeirStreaming,
    /// The hand-written timely/differential baseline ([`baseline`]).
    Dd,
    /// The `nexmark` source alone making q0's rows, no dataflow ([`generator`]).
    Generator,
    /// Weir in batch mode reading the bids from the CSV files Flink reads
    /// ([`super::csv_input`]): the Weir side of the comparison with Flink.
    WeirCsv,
    /// [`System::WeirCsv`] in streaming mode.
    WeirCsvStreaming,
    /// Apache Flink (PyFlink's runtime) in batch mode over the same CSV files
    /// ([`super::flink`]); run by the harness, not by `weir-bench exec`.
    Flink,
    /// Apache Flink in streaming mode over the same CSV files.
    FlinkStreaming,
}

impl System {
    /// The name shown in reports.
    pub fn name(self) -> &'static str {
        match self {
            System::Weir => "weir",
            System::WeirStreaming => "weir-streaming",
            System::Dd => "dd-baseline",
            System::Generator => "generator-only",
            System::WeirCsv => "weir-csv",
            System::WeirCsvStreaming => "weir-csv-streaming",
            System::Flink => "flink",
            System::FlinkStreaming => "flink-streaming",
        }
    }

    /// Whether it is Weir (any input, any mode).
    pub fn is_weir(self) -> bool {
        matches!(self, System::Weir | System::WeirStreaming | System::WeirCsv | System::WeirCsvStreaming)
    }
}

/// Arguments of one measured run.
#[derive(clap::Args, Clone, Debug)]
pub struct ExecArgs {
    /// What runs the query.
    #[arg(long, value_enum)]
    pub system: System,
    /// The query (`q0` ...); ignored by the generator-only run.
    #[arg(long, default_value = "q0")]
    pub query: String,
    /// Events of the stream.
    #[arg(long)]
    pub events: u64,
    /// Worker threads.
    #[arg(long)]
    pub workers: usize,
    /// Events per second of event time.
    #[arg(long, default_value_t = SUITE_TPS)]
    pub tps: u64,
    /// Memory run: run Weir in streaming mode on an unbounded source (`--events` is ignored)
    /// for this many seconds, sampling RSS; prints a `MemoryRun` line.
    #[arg(long)]
    pub duration: Option<f64>,
    /// Seconds between two samples of a memory run.
    #[arg(long, default_value_t = 5.0)]
    pub sample_every: f64,
    /// Weir only: take a checkpoint this often (`1s`, `500ms`), into a temporary directory.
    #[arg(long)]
    pub checkpoint_interval: Option<String>,
    /// Weir only: a job setting `KEY=VALUE` (repeatable), e.g. `table.exec.state.ttl=10 s`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// `weir-csv` systems: the directory of the bids as CSV files.
    #[arg(long)]
    pub bids: Option<std::path::PathBuf>,
}

/// What one run reports to the harness.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExecOutput {
    /// Rows the sources made.
    pub rows_in: u64,
    /// Rows that reached the sink (the end of the dataflow).
    pub rows_out: u64,
    /// In-process time from starting the workers to the last one finishing, seconds: excludes
    /// process start-up and planning.
    pub time_s: f64,
    /// What the run's checkpoints cost, when it took them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoints: Option<CheckpointFigures>,
}

/// Runs a memory run of `args` (its `duration` set) in this process: the samples.
pub fn exec_memory(args: &ExecArgs) -> Result<Vec<Sample>, String> {
    let duration = args.duration.ok_or("a memory run needs --duration")?;
    if !(duration.is_finite() && duration > 0.0 && args.sample_every > 0.0) {
        return Err("--duration and --sample-every must be positive numbers of seconds".into());
    }
    let query = find(&args.query).ok_or_else(|| format!("unknown query '{}'", args.query))?;
    let settings = JobSettings::new(&args.set, args.checkpoint_interval.as_deref())?;
    let plan = weir_query::plan_with(query, 0, args.tps, &settings)?;
    memory::run_for(plan, args.workers.max(1), Duration::from_secs_f64(duration), Duration::from_secs_f64(args.sample_every))
}

/// Runs `args` in this process and returns the JSON line to print: an [`ExecOutput`], or the
/// samples of a memory run when `--duration` is given.
pub fn exec_line(args: &ExecArgs) -> Result<String, String> {
    let json = if args.duration.is_some() { serde_json::to_string(&exec_memory(args)?) } else { serde_json::to_string(&exec(args)?) };
    json.map_err(|e| e.to_string())
}

/// Runs `args` in this process.
pub fn exec(args: &ExecArgs) -> Result<ExecOutput, String> {
    let workers = args.workers.max(1);
    match args.system {
        System::Weir | System::WeirStreaming | System::WeirCsv | System::WeirCsvStreaming => {
            let query = find(&args.query).ok_or_else(|| format!("unknown query '{}'", args.query))?;
            let mode = if matches!(args.system, System::Weir | System::WeirCsv) { RuntimeMode::Batch } else { RuntimeMode::Streaming };
            let settings = JobSettings::new(&args.set, args.checkpoint_interval.as_deref())?;
            let plan = match (args.system, &args.bids) {
                (System::Weir | System::WeirStreaming, _) => weir_query::plan_with(query, args.events, args.tps, &settings)?,
                (_, Some(dir)) => weir_query::plan_csv(query, dir, &settings)?,
                (_, None) => return Err(format!("{} needs --bids DIR", args.system.name())),
            };
            let run = weir_query::run(plan, workers, mode)?;
            Ok(ExecOutput {
                rows_in: run.rows_in,
                rows_out: run.rows_out,
                time_s: run.elapsed.as_secs_f64(),
                checkpoints: run.checkpoints.as_ref().map(CheckpointFigures::of),
            })
        }
        System::Dd => {
            let query = find(&args.query).ok_or_else(|| format!("unknown query '{}'", args.query))?;
            let run = baseline::run(query.name, args.events, workers, args.tps)?;
            Ok(ExecOutput { rows_in: run.rows_in, rows_out: run.rows_out, time_s: run.elapsed.as_secs_f64(), checkpoints: None })
        }
        System::Generator => {
            let run = generator::run(args.events, workers, args.tps)?;
            Ok(ExecOutput { rows_in: run.rows, rows_out: 0, time_s: run.elapsed.as_secs_f64(), checkpoints: None })
        }
        System::Flink | System::FlinkStreaming => Err(format!("{} runs from `weir-bench nexmark --flink`, not from exec", args.system.name())),
    }
}
