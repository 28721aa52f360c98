//! `weir-bench nexmark`: plans each selected query (a query Weir cannot plan is reported with
//! the engine's message, never skipped silently), then runs every system on every runnable query
//! `runs` times as separate processes, interleaved in rounds with the order rotated each round,
//! and measures each process from outside with `wait4(2)`: so the peak RSS is that of one system
//! running one query. A progress bar on stderr counts the runs. With `--duration` it runs the
//! memory run of [`super::memory`] instead.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

use indicatif::{ProgressBar, ProgressStyle};

use super::baseline::BASELINE_QUERIES;
use super::exec::{ExecOutput, System};
use super::flink::{self, FLINK_QUERIES, FlinkInputArgs, FlinkSetup};
use super::memory::MemoryRun;
use super::queries::{QUERIES, Query, STATE, SUITE_TPS, WINDOWS, find};
use super::report::{Entry, Report, Run};
use super::weir_query;
use crate::harness::machine::Machine;
use crate::measure;

/// Options of `weir-bench nexmark`.
#[derive(clap::Args, Clone, Debug)]
pub struct NexmarkArgs {
    /// Queries to run: `all` (the Nexmark queries), `windows` (the window benchmarks
    /// `window-tumble`, `window-session`), or names separated by commas (`q0,q1,q5`).
    #[arg(long, default_value = "all")]
    pub query: String,
    /// Events of the stream each query reads (all three tables; bids are 46 of every 50).
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    /// Worker threads of every system (default: one per core).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Runs of each system on each query; medians are reported.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Events per second of event time (default: the Nexmark Flink suite's TPS, 10,000,000;
    /// the window benchmarks 10,000).
    #[arg(long)]
    pub tps: Option<u64>,
    /// Also run every selected query in streaming mode (`weir-streaming`); the window
    /// benchmarks always are.
    #[arg(long)]
    pub streaming: bool,
    /// Memory run: instead of the benchmark, run each selected query once in streaming mode on
    /// an unbounded source for this many seconds of wall time, sampling its RSS.
    #[arg(long)]
    pub duration: Option<f64>,
    /// Seconds between two RSS samples of a memory run.
    #[arg(long, default_value_t = 5.0)]
    pub sample_every: f64,
    /// Weir's runs take a checkpoint this often (`1s`, `500ms`), each into a temporary
    /// directory.
    #[arg(long)]
    pub checkpoint_interval: Option<String>,
    /// A job setting for Weir's runs, `KEY=VALUE` (repeatable), e.g. `table.exec.state.ttl=10 s`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Also run Apache Flink (PyPI's `apache-flink`, Java 17; installed on first use) on q0,
    /// q1, q2, q5 and q7 in batch and streaming mode (`flink`, `flink-streaming`), over the
    /// bids written once as CSV files, next to Weir over the same files (`weir-csv`,
    /// `weir-csv-streaming`); every Flink answer is checked against Weir's.
    #[arg(long)]
    pub flink: bool,
    /// Skip the hand-written baselines and the generator-only run.
    #[arg(long)]
    pub no_baselines: bool,
    /// Print the report as JSON on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also write the JSON report to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// How to start the process of one measured run: `program prefix... --system ...` must run
/// [`super::exec::exec`] and print its output (the `weir-bench` binary: `weir-bench exec`).
#[derive(Clone, Debug)]
pub struct ExecCommand {
    /// The program.
    pub program: PathBuf,
    /// Arguments before the run's own.
    pub prefix: Vec<OsString>,
}

/// The queries `selection` names: a comma-separated list of names and of the groups `all`
/// (the Nexmark queries) and `windows` (the window benchmarks).
pub fn select(selection: &str) -> Result<Vec<&'static Query>, String> {
    let mut out: Vec<&'static Query> = Vec::new();
    for name in selection.split(',') {
        let group: Vec<&'static Query> = match name.trim().to_ascii_lowercase().as_str() {
            "all" => QUERIES.iter().collect(),
            "windows" => WINDOWS.iter().collect(),
            _ => vec![find(name).ok_or_else(|| {
                let known: Vec<&str> = QUERIES.iter().chain(WINDOWS).chain(STATE).map(|q| q.name).collect();
                format!("unknown query '{}'; known: {}, all or windows", name.trim(), known.join(", "))
            })?],
        };
        for q in group {
            if !out.contains(&q) {
                out.push(q);
            }
        }
    }
    Ok(out)
}

/// What `weir-bench nexmark` prints: the JSON report and the table.
#[derive(Clone, Debug)]
pub struct Output {
    /// The report as pretty JSON (a [`Report`], or a list of [`MemoryRun`]s).
    pub json: String,
    /// The report as text.
    pub table: String,
    /// The systems that failed on a query (`query system: why`); the command fails after
    /// printing the report when there are any.
    pub failures: Vec<String>,
}

/// Runs `weir-bench nexmark` as `args` say: the benchmark, or the memory run with
/// `--duration`.
pub fn run_to_output(args: &NexmarkArgs, exec: &ExecCommand) -> Result<Output, String> {
    if args.duration.is_some() {
        let runs = memory_runs(args, exec)?;
        let table = runs.iter().map(MemoryRun::table).collect::<Vec<_>>().join("\n");
        return Ok(Output { json: pretty(&runs)?, table, failures: Vec::new() });
    }
    let report = run(args, exec)?;
    let failures = report
        .entries
        .iter()
        .filter(|e| e.status == "failed")
        .map(|e| format!("{} {}: {}", e.query, e.system.name(), e.note.as_deref().unwrap_or("")))
        .collect();
    Ok(Output { json: pretty(&report)?, table: report.table(), failures })
}

fn pretty<T: serde::Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string_pretty(value).map_err(|e| e.to_string())
}

/// The memory run of each selected query, one after the other.
pub fn memory_runs(args: &NexmarkArgs, exec: &ExecCommand) -> Result<Vec<MemoryRun>, String> {
    let duration = args.duration.ok_or("a memory run needs --duration")?;
    if !(duration.is_finite() && duration > 0.0 && args.sample_every > 0.0) {
        return Err("--duration and --sample-every must be positive numbers of seconds".into());
    }
    if args.workers == Some(0) {
        return Err("--workers must be at least 1".into());
    }
    let workers = args.workers.unwrap_or_else(weir_core::runtime::default_workers);
    let mut runs = Vec::new();
    for query in select(&args.query)? {
        let tps = query.tps_or_default(args.tps);
        let mut run = MemoryRun {
            query: query.name.to_string(),
            workers,
            tps,
            samples: Vec::new(),
            peak_rss_mib: 0.0,
            machine: Machine::current().describe(),
            settings: weir_settings(args, System::WeirStreaming).into_iter().map(|a| a.to_string_lossy().into_owned()).collect(),
            not_run: None,
        };
        if let Err(e) = weir_query::plan(query, 0, tps) {
            run.not_run = Some(e);
            runs.push(run);
            continue;
        }
        eprintln!("memory run: {} for {duration} s, streaming, unbounded source, {workers} workers", query.name);
        let mut cmd = Command::new(&exec.program);
        cmd.args(&exec.prefix).args([
            "--system".to_string(),
            "weir-streaming".into(),
            "--query".into(),
            query.name.into(),
            "--events".into(),
            "0".into(),
            "--workers".into(),
            workers.to_string(),
            "--tps".into(),
            tps.to_string(),
            "--duration".into(),
            duration.to_string(),
            "--sample-every".into(),
            args.sample_every.to_string(),
        ]);
        cmd.args(weir_settings(args, System::WeirStreaming));
        let m = measure::run(&mut cmd).map_err(|e| format!("cannot start {}: {e}", exec.program.display()))?;
        if !m.status.success() {
            return Err(format!("{}: exited with {}: {}", query.name, m.status, m.stderr_tail(3)));
        }
        run.samples = serde_json::from_str(result_line(&m.stdout)?).map_err(|e| format!("unreadable samples: {e}"))?;
        run.peak_rss_mib = m.peak_rss_kib as f64 / 1024.0;
        runs.push(run);
    }
    Ok(runs)
}

/// The last line of a run's stdout that holds JSON.
pub(crate) fn result_line(stdout: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(stdout)
        .map_err(|_| "printed non-UTF-8 output".to_string())?
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with(['{', '[']))
        .ok_or_else(|| "printed no result line".to_string())
}

/// Runs the benchmark and returns its report (medians computed).
pub fn run(args: &NexmarkArgs, exec: &ExecCommand) -> Result<Report, String> {
    if args.runs == 0 || args.events == 0 || args.workers == Some(0) {
        return Err("--runs, --events and --workers must be at least 1".into());
    }
    let workers = args.workers.unwrap_or_else(weir_core::runtime::default_workers);
    let queries = select(&args.query)?;
    let default_tps = args.tps.unwrap_or(SUITE_TPS);
    let mut report = Report::new(args.events, workers, args.runs, default_tps);
    let flink = if args.flink {
        let names: Vec<&str> = queries.iter().map(|q| q.name).collect();
        let input = FlinkInputArgs { events: args.events, tps: default_tps, workers, query: names.join(",") };
        Some(FlinkSetup::prepare(&exec.program, &input)?)
    } else {
        None
    };
    if !args.no_baselines {
        report.entries.push(Entry::new("q0", System::Generator, "ok", None, default_tps));
    }
    for query in queries {
        let tps = query.tps_or_default(args.tps);
        let planned = weir_query::plan(query, args.events, tps);
        let mut systems = vec![System::Weir];
        if query.streaming || args.streaming {
            systems.push(System::WeirStreaming);
        }
        for system in systems {
            report.entries.push(match &planned {
                Ok(_) => Entry::new(query.name, system, "ok", None, tps),
                Err(e) if weir_query::needs_event_time(e) => Entry::new(query.name, system, "unsupported (needs event time)", Some(e.clone()), tps),
                Err(e) => Entry::new(query.name, system, "unsupported", Some(e.clone()), tps),
            });
        }
        if !args.no_baselines && BASELINE_QUERIES.contains(&query.name) {
            report.entries.push(Entry::new(query.name, System::Dd, "ok", None, tps));
        }
        if flink.is_some() && FLINK_QUERIES.contains(&query.name) {
            for system in [System::WeirCsv, System::WeirCsvStreaming, System::Flink, System::FlinkStreaming] {
                report.entries.push(Entry::new(query.name, system, "ok", None, default_tps));
            }
        }
    }
    let runnable: Vec<usize> = (0..report.entries.len()).filter(|&i| report.entries[i].status == "ok").collect();
    let bar = progress_bar((runnable.len() * args.runs) as u64);
    for round in 0..args.runs {
        let mut order = runnable.clone();
        let shift = round % order.len().max(1);
        order.rotate_left(shift);
        for i in order {
            let entry = &mut report.entries[i];
            if entry.status != "ok" {
                continue;
            }
            bar.set_message(format!("round {} {} {}", round + 1, entry.query, entry.system.name()));
            let result = match (&flink, flink::mode(entry.system), find(&entry.query)) {
                (Some(f), Some(_), Some(query)) => f.run(entry.system, query, workers, round),
                _ => measured_run(exec, entry, args, workers, round, flink.as_ref().map(|f| f.input.bids.dir.as_path())),
            };
            match result {
                Ok(run) => entry.runs.push(run),
                Err(e) => {
                    entry.status = "failed".into();
                    entry.note = Some(e);
                }
            }
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    report.finish();
    Ok(report)
}

fn progress_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} runs  {msg}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// One run of `entry`'s system on its query, in its own process.
fn measured_run(exec: &ExecCommand, entry: &Entry, args: &NexmarkArgs, workers: usize, round: usize, bids: Option<&std::path::Path>) -> Result<Run, String> {
    let mut cmd = Command::new(&exec.program);
    cmd.args(&exec.prefix).args(["--system", system_arg(entry.system), "--query", &entry.query]).args([
        "--events",
        &args.events.to_string(),
        "--workers",
        &workers.to_string(),
        "--tps",
        &entry.tps.to_string(),
    ]);
    cmd.args(weir_settings(args, entry.system));
    if let (System::WeirCsv | System::WeirCsvStreaming, Some(dir)) = (entry.system, bids) {
        cmd.arg("--bids").arg(dir);
    }
    let m = measure::run(&mut cmd).map_err(|e| format!("cannot start {}: {e}", exec.program.display()))?;
    if !m.status.success() {
        return Err(format!("exited with {}: {}", m.status, m.stderr_tail(3)));
    }
    let line = result_line(&m.stdout)?;
    let out: ExecOutput = serde_json::from_str(line).map_err(|e| format!("unreadable result line {line:?}: {e}"))?;
    Ok(Run {
        round,
        time_s: out.time_s,
        wall_s: m.wall.as_secs_f64(),
        cpu_s: m.cpu.as_secs_f64(),
        peak_rss_mib: m.peak_rss_kib as f64 / 1024.0,
        rows_in: out.rows_in,
        rows_out: out.rows_out,
    })
}

/// The `--checkpoint-interval` and `--set` arguments of a run of `system` (Weir's only).
fn weir_settings(args: &NexmarkArgs, system: System) -> Vec<OsString> {
    let mut out: Vec<OsString> = Vec::new();
    if !system.is_weir() {
        return out;
    }
    if let Some(interval) = &args.checkpoint_interval {
        out.extend(["--checkpoint-interval".into(), interval.into()]);
    }
    for pair in &args.set {
        out.extend(["--set".into(), pair.into()]);
    }
    out
}

fn system_arg(system: System) -> &'static str {
    match system {
        System::Weir => "weir",
        System::WeirStreaming => "weir-streaming",
        System::Dd => "dd",
        System::Generator => "generator",
        System::WeirCsv => "weir-csv",
        System::WeirCsvStreaming => "weir-csv-streaming",
        System::Flink => "flink",
        System::FlinkStreaming => "flink-streaming",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection() {
        assert_eq!(select("all").unwrap().len(), QUERIES.len());
        assert_eq!(select("q1, 2").unwrap().iter().map(|q| q.name).collect::<Vec<_>>(), vec!["q1", "q2"]);
        assert_eq!(select("windows").unwrap().iter().map(|q| q.name).collect::<Vec<_>>(), vec!["window-tumble", "window-session"]);
        assert_eq!(select("q5,windows,q5").unwrap().len(), 3, "groups in a list, no repeats");
        assert!(select("q1,q99").unwrap_err().contains("unknown query 'q99'"));
    }
}
