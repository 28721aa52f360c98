//! Apache Flink in the Nexmark harness (`weir-bench nexmark --flink`): q0, q1, q2, q5 and q7
//! as Flink SQL over the bids written to CSV ([`super::csv_input`]), run by PyFlink's
//! TableEnvironment in batch (`flink`) and streaming mode (`flink-streaming`), parallelism =
//! the harness's workers, into a `blackhole` table; and Weir's answer over the same CSV that
//! every Flink run's answer is checked against.

use std::path::Path;
use std::process::Command;

use serde::{Deserialize, Serialize};

use weir_core::plan::RuntimeMode;

use super::csv_input::{BidsCsv, csv_script};
use super::exec::System;
use super::queries::Query;
use super::report::Run;
use super::settings::JobSettings;
use super::weir_query;
use crate::flink::answer::{AnswerSummary, summarize_dir};
use crate::flink::driver::{self, FlinkJob, FlinkMode};
use crate::flink::install::FlinkEnv;
use crate::flink::sql::{split_statements, with_csv_sink};
use crate::measure;

/// The queries the Flink baseline runs (issue 15's list).
pub const FLINK_QUERIES: &[&str] = &["q0", "q1", "q2", "q5", "q7"];

/// What the Flink runs of a harness run share: the runtime, the input, and Weir's answer to
/// each query over that input.
#[derive(Debug)]
pub struct FlinkSetup {
    /// Java and the PyFlink virtualenv.
    pub env: FlinkEnv,
    /// The input and Weir's answers over it.
    pub input: FlinkInput,
}

/// The bids as CSV and Weir's answer to each query over them: made by a child process
/// ([`FlinkInput::prepare`] behind `weir-bench flink-input`), since what the harness process
/// allocates stays resident, and a run it starts later would count that in its peak RSS
/// (a spawned child's `ru_maxrss` starts from its parent's resident size).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlinkInput {
    /// The bids as CSV files.
    pub bids: BidsCsv,
    /// Weir's answer per query name (batch mode over `bids`).
    pub references: Vec<(String, AnswerSummary)>,
}

/// The arguments of `weir-bench flink-input`, the child that runs [`FlinkInput::prepare`].
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct FlinkInputArgs {
    /// Events of the stream.
    #[arg(long)]
    pub events: u64,
    /// Events per second of event time.
    #[arg(long)]
    pub tps: u64,
    /// Worker threads.
    #[arg(long)]
    pub workers: usize,
    /// The queries (comma-separated names) to compute Weir's answer to.
    #[arg(long)]
    pub query: String,
}

impl FlinkInputArgs {
    /// These arguments on a command line, after the subcommand `flink-input`.
    pub fn command_line(&self) -> Vec<String> {
        let mut line = vec!["flink-input".to_string()];
        for (flag, value) in
            [("--events", self.events.to_string()), ("--tps", self.tps.to_string()), ("--workers", self.workers.to_string()), ("--query", self.query.clone())]
        {
            line.push(flag.to_string());
            line.push(value);
        }
        line
    }

    /// Prepares the input in this process and returns it as one JSON line.
    pub fn run(&self) -> Result<String, String> {
        let queries = super::harness::select(&self.query)?;
        let input = FlinkInput::prepare(self.events, self.tps, self.workers, &queries)?;
        serde_json::to_string(&input).map_err(|e| e.to_string())
    }
}

impl FlinkInput {
    /// Writes the bids of `events` events at `tps` as CSV unless they are there, and computes
    /// Weir's answer to each of `queries` that [`FLINK_QUERIES`] lists, in this process.
    pub fn prepare(events: u64, tps: u64, workers: usize, queries: &[&Query]) -> Result<FlinkInput, String> {
        let data_dir = crate::harness::dataset::default_dir().map_err(|e| e.to_string())?;
        let bids = super::csv_input::ensure(&data_dir, events, tps, workers)?;
        let mut references = Vec::new();
        for query in queries.iter().filter(|q| FLINK_QUERIES.contains(&q.name)) {
            let answer = reference_answer(query, &bids, workers).map_err(|e| format!("{}: Weir's answer over {}: {e}", query.name, bids.dir.display()))?;
            eprintln!("{}: Weir's answer over the CSV: {} rows, checksum {:016x}", query.name, answer.rows, answer.checksum);
            references.push((query.name.to_string(), answer));
        }
        Ok(FlinkInput { bids, references })
    }
}

impl FlinkSetup {
    /// Sets up Flink (an error when it cannot run here), then has a child process (`program`
    /// run as `weir-bench flink-input` with `input`: [`FlinkInput::prepare`], printed as JSON)
    /// write the input and compute Weir's answers.
    pub fn prepare(program: &Path, input: &FlinkInputArgs) -> Result<FlinkSetup, String> {
        let env = FlinkEnv::setup().map_err(|e| format!("--flink: Flink cannot run here: {e}"))?;
        let m = measure::run(Command::new(program).args(input.command_line())).map_err(|e| format!("cannot start {}: {e}", program.display()))?;
        eprint!("{}", String::from_utf8_lossy(&m.stderr));
        if !m.status.success() {
            return Err(format!("preparing Flink's input failed ({})", m.status));
        }
        let line = super::harness::result_line(&m.stdout).map_err(|e| format!("preparing Flink's input: {e}"))?;
        let input = serde_json::from_str(line).map_err(|e| format!("preparing Flink's input: {e}: {line}"))?;
        Ok(FlinkSetup { env, input })
    }

    /// A measured run of `system` (a Flink system) on `query`, checked against Weir's answer.
    pub fn run(&self, system: System, query: &Query, workers: usize, round: usize) -> Result<Run, String> {
        let reference = self
            .input
            .references
            .iter()
            .find(|(q, _)| q == query.name)
            .map(|(_, a)| a)
            .ok_or_else(|| format!("{}: no Flink run for this query", query.name))?;
        run(&self.env, system, query, &self.input.bids, reference, workers, round)
    }
}

/// Flink's runtime mode for a Flink system.
pub fn mode(system: System) -> Option<FlinkMode> {
    match system {
        System::Flink => Some(FlinkMode::Batch),
        System::FlinkStreaming => Some(FlinkMode::Streaming),
        _ => None,
    }
}

/// The driver's job for `query` over `bids`: the warm-up over the small input, the timed run
/// into the blackhole, and, with `answer_dir`, the query once more into CSV files there.
pub fn job(query: &Query, bids: &BidsCsv, answer_dir: Option<&Path>) -> Result<FlinkJob, String> {
    let answer = match answer_dir {
        Some(dir) => {
            let text = csv_script(query, &bids.dir)?;
            let text = with_csv_sink(&text, dir).map_err(|e| format!("{}: {e}", query.name))?;
            Some(split_statements(&text))
        }
        None => None,
    };
    Ok(FlinkJob { warmup: split_statements(&csv_script(query, &bids.warmup_dir)?), timed: split_statements(&csv_script(query, &bids.dir)?), answer })
}

/// Weir's answer to `query` over `bids` (batch mode, `workers` threads, into CSV files that
/// are read back as Flink's are): the reference every Flink run must match.
pub fn reference_answer(query: &Query, bids: &BidsCsv, workers: usize) -> Result<AnswerSummary, String> {
    let dir = tempfile::Builder::new().prefix("weir-bench-answer").tempdir().map_err(|e| e.to_string())?;
    let out = dir.path().join("out");
    let text = with_csv_sink(&format!("{}{}", JobSettings::default().sql(), csv_script(query, &bids.dir)?), &out)?;
    let plan = weir_query::plan_text(query.name, &text)?;
    weir_query::run(plan, workers, RuntimeMode::Batch)?;
    summarize_dir(&out)
}

/// One measured Flink run of `query` in `system`'s mode, its answer checked against `reference`:
/// a different answer is an error, never a figure. The run's `time_s` and `cpu_s` are the
/// timed job's (JVM CPU), `peak_rss_mib` the JVM's peak during it, `wall_s` the whole driver
/// process (JVM and cluster start-up, warm-up and answer job included).
pub fn run(env: &FlinkEnv, system: System, query: &Query, bids: &BidsCsv, reference: &AnswerSummary, workers: usize, round: usize) -> Result<Run, String> {
    let mode = mode(system).ok_or_else(|| format!("{} is not a Flink system", system.name()))?;
    let dir = tempfile::Builder::new().prefix("weir-bench-flink").tempdir().map_err(|e| e.to_string())?;
    let answer_dir = dir.path().join("answer");
    let job = job(query, bids, Some(&answer_dir))?;
    let (out, m) = driver::run(env, &job, &dir.path().join("job.json"), mode, workers)?;
    let answer = summarize_dir(&answer_dir).map_err(|e| format!("Flink's answer: {e}"))?;
    reference.check(&answer)?;
    Ok(Run {
        round,
        time_s: out.time_s,
        wall_s: m.wall.as_secs_f64(),
        cpu_s: out.cpu_s,
        peak_rss_mib: out.peak_rss_mib,
        rows_in: bids.rows,
        rows_out: answer.rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nexmark::queries::find;

    #[test]
    fn the_input_child_parses_the_arguments_it_is_given() {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(subcommand)]
            command: Sub,
        }
        #[derive(clap::Subcommand)]
        enum Sub {
            FlinkInput(FlinkInputArgs),
        }
        let args = FlinkInputArgs { events: 1000, tps: 50, workers: 3, query: "q0,q5".into() };
        let line = std::iter::once("weir-bench".to_string()).chain(args.command_line());
        let Sub::FlinkInput(parsed) = <Cli as clap::Parser>::try_parse_from(line).unwrap().command;
        assert_eq!(parsed, args);
    }

    #[test]
    fn jobs_read_the_csv_and_answer_into_files() {
        let bids = BidsCsv { dir: "/data/bids".into(), warmup_dir: "/data/warm".into(), rows: 9 };
        let j = job(find("q5").unwrap(), &bids, Some(Path::new("/tmp/ans"))).unwrap();
        assert_eq!(j.timed.len(), 3, "{:?}", j.timed);
        assert!(j.timed[0].contains("'path' = '/data/bids'") && j.timed[0].contains("WATERMARK FOR `dateTime`"));
        assert!(j.warmup[0].contains("'path' = '/data/warm'"));
        assert!(j.timed[1].contains("'blackhole'") && j.timed[2].starts_with("INSERT INTO nexmark_q5"));
        let answer = j.answer.unwrap();
        assert!(answer[1].contains("'path' = '/tmp/ans'") && !answer[1].contains("blackhole"));
        assert!(job(find("q0").unwrap(), &bids, None).unwrap().answer.is_none());
    }

    #[test]
    fn weir_answers_over_the_csv() {
        let data = tempfile::tempdir().unwrap();
        let bids = super::super::csv_input::ensure(data.path(), 20_000, 1_000, 2).unwrap();
        let q2 = reference_answer(find("q2").unwrap(), &bids, 2).unwrap();
        let q0 = reference_answer(find("q0").unwrap(), &bids, 1).unwrap();
        assert_eq!(q0.rows, bids.rows);
        assert!(q2.rows > 0 && q2.rows < bids.rows / 50, "{q2:?}");
        assert_eq!(reference_answer(find("q2").unwrap(), &bids, 1).unwrap(), q2, "same answer on 1 and 2 workers");
    }
}
