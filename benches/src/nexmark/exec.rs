//! One measured run, in the process the harness started for it (`weir bench exec ...`): runs
//! one system on one query and prints an [`ExecOutput`] as one JSON line on stdout. The harness
//! measures that process from outside (wall time, CPU time, peak RSS).

use serde::{Deserialize, Serialize};

use super::queries::{SUITE_TPS, find};
use super::{baseline, generator, weir_query};

/// What runs a query.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum System {
    /// Weir, through the whole stack: SQL planned by `SqlSession`, run by `run_job`.
    Weir,
    /// The hand-written timely/differential baseline ([`baseline`]).
    Dd,
    /// The `nexmark` source alone making q0's rows, no dataflow ([`generator`]).
    Generator,
}

impl System {
    /// The name shown in reports.
    pub fn name(self) -> &'static str {
        match self {
            System::Weir => "weir",
            System::Dd => "dd-baseline",
            System::Generator => "generator-only",
        }
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
}

/// Runs `args` in this process.
pub fn exec(args: &ExecArgs) -> Result<ExecOutput, String> {
    let workers = args.workers.max(1);
    match args.system {
        System::Weir => {
            let query =
                find(&args.query).ok_or_else(|| format!("unknown query '{}'", args.query))?;
            let run = weir_query::run(weir_query::plan(query, args.events, args.tps)?, workers)?;
            Ok(ExecOutput {
                rows_in: run.rows_in,
                rows_out: run.rows_out,
                time_s: run.elapsed.as_secs_f64(),
            })
        }
        System::Dd => {
            let query =
                find(&args.query).ok_or_else(|| format!("unknown query '{}'", args.query))?;
            let run = baseline::run(query.name, args.events, workers, args.tps)?;
            Ok(ExecOutput {
                rows_in: run.rows_in,
                rows_out: run.rows_out,
                time_s: run.elapsed.as_secs_f64(),
            })
        }
        System::Generator => {
            let run = generator::run(args.events, workers, args.tps)?;
            Ok(ExecOutput {
                rows_in: run.rows,
                rows_out: 0,
                time_s: run.elapsed.as_secs_f64(),
            })
        }
    }
}
