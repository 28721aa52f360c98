//! `weir-bench-groupby`: the bounded group-by benchmark. Generates the dataset if missing, then
//! runs Weir, the hand-written differential baselines, Polars and DuckDB (and Apache Flink
//! when `--systems` names it) K times each,
//! interleaved, as subprocesses; prints medians and ratios and writes a JSON report.
//!
//! ```text
//! weir-bench-groupby [--rows 10000000] [--runs 5] [--workers 2] [--systems weir,dd-reduce,...]
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use clap::Parser;
use weir_benches::auction_stats::Summary;
use weir_benches::bids::BidsConfig;
use weir_benches::flink::driver::FlinkMode;
use weir_benches::flink::install::{FlinkEnv, scripts_dir};
use weir_benches::harness::machine::Machine;
use weir_benches::harness::report::{Report, RunRecord, SystemResult};
use weir_benches::harness::systems::{self, Setup, System};
use weir_benches::harness::{dataset, spec};
use weir_benches::measure;

/// Bounded group-by benchmark: Weir vs hand-written differential vs Polars vs DuckDB.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Rows of the generated dataset.
    #[arg(long, default_value_t = 10_000_000)]
    rows: u64,
    /// Seed of the generated dataset.
    #[arg(long, default_value_t = dataset::DEFAULT_SEED)]
    seed: u64,
    /// Dataset directory [default: $WEIR_BENCH_DATA or $HOME/.cache/weir/bench-data].
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Runs per system.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Worker threads for every system [default: number of CPUs].
    #[arg(long)]
    workers: Option<usize>,
    /// Systems to run, in this order within each round.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = System::ALL)]
    systems: Vec<System>,
    /// The weir binary [default: $CARGO_TARGET_DIR/release/weir, $HOME/.cache/weir/target/release/weir].
    #[arg(long)]
    weir: Option<PathBuf>,
    /// Python with polars and duckdb [default: the venv made by scripts/setup_venv.sh].
    #[arg(long)]
    python: Option<PathBuf>,
    /// Before timing, run Weir once with a print sink and check its answer.
    #[arg(long)]
    verify_weir: bool,
    /// JSON report path [default: <data-dir>/results/groupby-<rows>-<unix time>.json].
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let machine = Machine::current();
    let workers = args.workers.unwrap_or(machine.cpus);
    let data_dir = match &args.data_dir {
        Some(d) => d.clone(),
        None => dataset::default_dir()?,
    };
    let cfg = BidsConfig { rows: args.rows, seed: args.seed };
    let (csv, generated) = dataset::ensure(&data_dir, &cfg)?;
    let bytes = std::fs::metadata(&csv).with_context(|| format!("{}", csv.display()))?.len();
    eprintln!("dataset: {} ({}){}", csv.display(), cfg.rows, if generated { ", generated now" } else { "" });
    let spec = spec::write_next_to(&csv, "blackhole").context("writing the Weir job spec")?;

    let mut setup = Setup {
        csv: csv.clone(),
        spec,
        workers,
        weir: find_weir(args.weir.as_deref()),
        dd: sibling_binary("weir-bench-dd-groupby"),
        python: None,
        script: scripts_dir().join("groupby_baselines.py"),
        flink: None,
        flink_dir: None,
    };
    if args.systems.iter().any(|s| matches!(s, System::Polars | System::Duckdb)) {
        setup.python = args.python.clone().or_else(setup_venv);
    }
    // Kept alive until the end: Flink's job files and answers.
    let flink_dir = tempfile::Builder::new().prefix("weir-bench-flink").tempdir()?;
    if args.systems.iter().any(|s| matches!(s, System::Flink | System::FlinkStreaming)) {
        let env = FlinkEnv::setup().map_err(|e| anyhow::anyhow!("--systems flink: Flink cannot run here: {e}"))?;
        setup.flink = Some(env);
        setup.flink_dir = Some(flink_dir.path().to_path_buf());
    }
    let started_unix = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let mut report = Report {
        benchmark: "groupby",
        dataset: csv.display().to_string(),
        rows: cfg.rows,
        bytes,
        workers,
        runs_per_system: args.runs,
        machine,
        started_unix,
        versions: Default::default(),
        reference: None,
        weir_print_answer: None,
        weir_streaming_print_answer: None,
        systems: args.systems.iter().map(|&s| SystemResult::new(s)).collect(),
        ratios: Default::default(),
    };
    check_available(&setup, &mut report);
    for round in 0..args.runs {
        // Rotate the order each round so no system always runs first (cold) or last.
        let n = report.systems.len();
        for i in 0..n {
            run_once(&setup, &mut report.systems[(round + i) % n], round, args.runs);
        }
    }
    // After the timed runs: reading a streaming changelog grows this process, and a child
    // forked from it reports the parent's resident size in its peak (Linux folds the pre-exec
    // image's high-water mark into `ru_maxrss`).
    if args.verify_weir {
        verify_weir(&setup, &mut report);
    }
    collect_versions(&setup, &mut report);
    report.finish();
    println!("{}", report.table());
    let out = match args.out {
        Some(p) => p,
        None => data_dir.join("results").join(format!("groupby-{}-{}.json", cfg.rows, started_unix)),
    };
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("{}", dir.display()))?;
    }
    std::fs::write(&out, serde_json::to_string_pretty(&report)? + "\n").with_context(|| format!("{}", out.display()))?;
    eprintln!("report: {}", out.display());
    let wrong: Vec<&str> = report.systems.iter().filter(|s| s.answer_matches == Some(false)).map(|s| s.system.name()).collect();
    if !wrong.is_empty() {
        anyhow::bail!("wrong answers (not equal to the reference's): {}", wrong.join(", "));
    }
    Ok(())
}

/// Marks systems that cannot run with the reason, saying how to fix it.
fn check_available(setup: &Setup, report: &mut Report) {
    for s in &mut report.systems {
        if let Err(why) = setup.command(s.system) {
            let hint = match s.system {
                System::Weir | System::WeirStreaming => " (build it: cargo build --release --bin weir; or pass --weir PATH)",
                System::DdReduce | System::DdDiffAgg | System::DdPreAgg => " (cargo build --release -p weir-benches)",
                System::Polars | System::Duckdb => " (benches/scripts/setup_venv.sh failed; see above)",
                System::Flink | System::FlinkStreaming => " (benches/scripts/setup_flink_venv.sh failed; see above)",
            };
            eprintln!("skipping {}: {why}{hint}", s.system.name());
            s.note = Some(format!("skipped: {why}"));
        }
    }
}

/// Runs `result.system` once (unless it was skipped or failed before) and records the run.
fn run_once(setup: &Setup, result: &mut SystemResult, round: usize, rounds: usize) {
    if result.note.is_some() {
        return;
    }
    let name = result.system.name();
    // Flink's answer is written (untimed, by a second job in the same JVM) in the first round.
    let check_flink = result.system == System::Flink && round == 0;
    let command = if check_flink { setup.flink_command(true, FlinkMode::Batch) } else { setup.command(result.system) };
    let Ok(mut cmd) = command else {
        return;
    };
    let measured = match measure::run(&mut cmd) {
        Ok(m) => m,
        Err(e) => return fail(result, format!("could not start: {e}")),
    };
    if !measured.status.success() {
        return fail(result, format!("{}: {}", measured.status, measured.stderr_tail(5)));
    }
    let flink_answer = setup.flink_answer_dir().filter(|_| check_flink);
    let answer = match systems::read_answer(result.system, &measured, flink_answer.as_deref()) {
        Ok(a) => a,
        Err(e) => return fail(result, format!("unreadable answer: {e}")),
    };
    let peak_rss_mib = answer.peak_rss_mib.unwrap_or(measured.peak_rss_kib as f64 / 1024.0);
    let cpu_s = answer.cpu_s.unwrap_or(measured.cpu.as_secs_f64());
    eprintln!(
        "round {}/{rounds} {name:<12} query {:>7.3}s  wall {:>7.3}s  CPU {:>7.3}s  peak RSS {:>6.0} MiB",
        round + 1,
        answer.query_s,
        measured.wall.as_secs_f64(),
        cpu_s,
        peak_rss_mib
    );
    result.runs.push(RunRecord {
        round,
        wall_s: measured.wall.as_secs_f64(),
        query_s: answer.query_s,
        cpu_s,
        peak_rss_mib,
        groups: answer.summary.map(|s| s.groups),
        checksum: answer.summary.map(|s| format!("{:016x}", s.checksum)),
    });
}

/// Records that a system failed; it is not run again.
fn fail(result: &mut SystemResult, why: String) {
    eprintln!("{} failed, not running it again: {why}", result.system.name());
    result.note = Some(format!("failed: {why}"));
}

/// Runs each Weir system measured (batch, streaming) once, untimed, with a print sink and
/// records the summary of its changelog, which [`Report::finish`] compares with the reference
/// answer (the blackhole runs report none).
fn verify_weir(setup: &Setup, report: &mut Report) {
    let measured: Vec<System> = report.systems.iter().filter(|s| s.note.is_none() && s.system.weir_mode().is_some()).map(|s| s.system).collect();
    for system in measured {
        let mode = system.weir_mode().unwrap_or("batch");
        let outcome = (|| -> Result<Summary, String> {
            let spec = spec::write_next_to(&setup.csv, "print").map_err(|e| e.to_string())?;
            let mut cmd = Command::new(setup.weir.as_ref().ok_or("no weir binary")?);
            cmd.arg("run").arg(&spec).args(["--workers", &setup.workers.to_string(), "--mode", mode]);
            let m = measure::run(&mut cmd).map_err(|e| e.to_string())?;
            if !m.status.success() {
                return Err(format!("{}: {}", m.status, m.stderr_tail(5)));
            }
            systems::changelog_summary(&m.stdout)
        })();
        match outcome {
            Ok(s) => {
                eprintln!("{} print-sink answer: groups={} checksum={:016x}", system.name(), s.groups, s.checksum);
                let slot = if system == System::Weir { &mut report.weir_print_answer } else { &mut report.weir_streaming_print_answer };
                *slot = Some(s.into());
            }
            Err(e) => eprintln!("{} print-sink check failed: {e}", system.name()),
        }
    }
}

/// Asks the Python baselines and weir for their versions (best effort).
fn collect_versions(setup: &Setup, report: &mut Report) {
    if let Some(py) = &setup.python {
        let code = "import polars, duckdb, sys; print(polars.__version__, duckdb.__version__, sys.version.split()[0])";
        if let Ok(out) = Command::new(py).args(["-c", code]).output() {
            let text = String::from_utf8_lossy(&out.stdout);
            let v: Vec<&str> = text.split_whitespace().collect();
            for (k, v) in ["polars", "duckdb", "python"].iter().zip(v) {
                report.versions.insert(k.to_string(), v.to_string());
            }
        }
    }
    if let Some(weir) = &setup.weir
        && let Ok(out) = Command::new(weir).arg("--version").output()
    {
        report.versions.insert("weir".into(), String::from_utf8_lossy(&out.stdout).trim().to_string());
    }
}

/// `--weir`, else `$CARGO_TARGET_DIR/release/weir`, else `$HOME/.cache/weir/target/release/weir`;
/// `None` if that file does not exist.
fn find_weir(explicit: Option<&Path>) -> Option<PathBuf> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => match std::env::var_os("CARGO_TARGET_DIR") {
            Some(t) => Path::new(&t).join("release/weir"),
            None => Path::new(&std::env::var_os("HOME")?).join(".cache/weir/target/release/weir"),
        },
    };
    if path.is_file() {
        Some(path)
    } else {
        eprintln!("weir binary not found at {}: Weir will not be measured", path.display());
        None
    }
}

/// A binary built next to this one (same cargo target directory and profile).
fn sibling_binary(name: &str) -> Option<PathBuf> {
    let path = std::env::current_exe().ok()?.with_file_name(name);
    path.is_file().then_some(path)
}

/// Runs `scripts/setup_venv.sh` (creates or reuses the venv) and returns its Python.
fn setup_venv() -> Option<PathBuf> {
    let script = scripts_dir().join("setup_venv.sh");
    eprintln!("setting up the Python baselines' venv with {}", script.display());
    let out = Command::new("bash").arg(&script).stderr(std::process::Stdio::inherit()).output().ok()?;
    if !out.status.success() {
        eprintln!("{} failed ({}): Polars and DuckDB will not be measured", script.display(), out.status);
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().last().map(|l| PathBuf::from(l.trim())).filter(|p| p.is_file())
}
