//! `weir bench nexmark`: plans each selected query (a query Weir cannot plan is reported with
//! the engine's message, never skipped silently), then runs every system on every runnable query
//! `runs` times as separate processes, interleaved in rounds with the order rotated each round,
//! and measures each process from outside with `wait4(2)`: so the peak RSS is that of one system
//! running one query. A progress bar on stderr counts the runs.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

use indicatif::{ProgressBar, ProgressStyle};

use super::baseline::BASELINE_QUERIES;
use super::exec::{ExecOutput, System};
use super::queries::{QUERIES, Query, SUITE_TPS, find};
use super::report::{Entry, Report, Run};
use super::weir_query;
use crate::measure;

/// Options of `weir bench nexmark`.
#[derive(clap::Args, Clone, Debug)]
pub struct NexmarkArgs {
    /// Queries to run: `all`, or names separated by commas (`q0,q1,q5`).
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
    /// Events per second of event time (the Nexmark Flink suite's TPS).
    #[arg(long, default_value_t = SUITE_TPS)]
    pub tps: u64,
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
/// [`super::exec::exec`] and print its output (the `weir` binary: `weir bench exec`).
#[derive(Clone, Debug)]
pub struct ExecCommand {
    /// The program.
    pub program: PathBuf,
    /// Arguments before the run's own.
    pub prefix: Vec<OsString>,
}

/// The queries `selection` names (`all` or a comma-separated list).
pub fn select(selection: &str) -> Result<Vec<&'static Query>, String> {
    if selection.trim().eq_ignore_ascii_case("all") {
        return Ok(QUERIES.iter().collect());
    }
    selection
        .split(',')
        .map(|name| {
            find(name).ok_or_else(|| {
                let known: Vec<&str> = QUERIES.iter().map(|q| q.name).collect();
                format!(
                    "unknown query '{}'; known: {}, or all",
                    name.trim(),
                    known.join(", ")
                )
            })
        })
        .collect()
}

/// Runs the benchmark and returns its report (medians computed).
pub fn run(args: &NexmarkArgs, exec: &ExecCommand) -> Result<Report, String> {
    if args.runs == 0 || args.events == 0 || args.workers == Some(0) {
        return Err("--runs, --events and --workers must be at least 1".into());
    }
    let workers = args
        .workers
        .unwrap_or_else(weir_core::runtime::default_workers);
    let queries = select(&args.query)?;
    let mut report = Report::new(args.events, workers, args.runs, args.tps);
    if !args.no_baselines {
        report
            .entries
            .push(Entry::new("q0", System::Generator, "ok", None));
    }
    for query in queries {
        report
            .entries
            .push(match weir_query::plan(query, args.events, args.tps) {
                Ok(_) => Entry::new(query.name, System::Weir, "ok", None),
                Err(e) if weir_query::needs_event_time(&e) => Entry::new(
                    query.name,
                    System::Weir,
                    "unsupported (needs event time)",
                    Some(e),
                ),
                Err(e) => Entry::new(query.name, System::Weir, "unsupported", Some(e)),
            });
        if !args.no_baselines && BASELINE_QUERIES.contains(&query.name) {
            report
                .entries
                .push(Entry::new(query.name, System::Dd, "ok", None));
        }
    }
    let runnable: Vec<usize> = (0..report.entries.len())
        .filter(|&i| report.entries[i].status == "ok")
        .collect();
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
            bar.set_message(format!(
                "round {} {} {}",
                round + 1,
                entry.query,
                entry.system.name()
            ));
            match measured_run(exec, entry, args, workers, round) {
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
    if let Ok(style) =
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} runs  {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// One run of `entry`'s system on its query, in its own process.
fn measured_run(
    exec: &ExecCommand,
    entry: &Entry,
    args: &NexmarkArgs,
    workers: usize,
    round: usize,
) -> Result<Run, String> {
    let mut cmd = Command::new(&exec.program);
    cmd.args(&exec.prefix)
        .args([
            "--system",
            system_arg(entry.system),
            "--query",
            &entry.query,
        ])
        .args([
            "--events",
            &args.events.to_string(),
            "--workers",
            &workers.to_string(),
            "--tps",
            &args.tps.to_string(),
        ]);
    let m = measure::run(&mut cmd)
        .map_err(|e| format!("cannot start {}: {e}", exec.program.display()))?;
    if !m.status.success() {
        return Err(format!("exited with {}: {}", m.status, m.stderr_tail(3)));
    }
    let stdout = String::from_utf8_lossy(&m.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .ok_or("printed no result line")?;
    let out: ExecOutput =
        serde_json::from_str(line).map_err(|e| format!("unreadable result line {line:?}: {e}"))?;
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

fn system_arg(system: System) -> &'static str {
    match system {
        System::Weir => "weir",
        System::Dd => "dd",
        System::Generator => "generator",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection() {
        assert_eq!(select("all").unwrap().len(), QUERIES.len());
        assert_eq!(
            select("q1, 2")
                .unwrap()
                .iter()
                .map(|q| q.name)
                .collect::<Vec<_>>(),
            vec!["q1", "q2"]
        );
        assert!(
            select("q1,q99")
                .unwrap_err()
                .contains("unknown query 'q99'")
        );
    }
}
