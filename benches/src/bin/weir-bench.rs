//! `weir-bench`: the benchmarks, kept out of the production `weir` binary so that it links no
//! benchmark code. The Nexmark benchmark (`weir-bench nexmark`, harness in
//! [`weir_benches::nexmark::harness`]), the bounded group-by benchmark (`weir-bench groupby`,
//! delegated to `weir-bench-groupby`), and the hidden `weir-bench exec` that runs one measured
//! run in the process the harness starts.
//!
//! ```text
//! weir-bench nexmark [--query q0,q5|all|windows] [--events N] [--workers N] [--streaming] [--flink] [--duration S] [--json]
//! weir-bench groupby [--rows N] [--runs K] [--systems weir,dd-reduce,...]
//! ```

use std::ffi::OsString;
use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use clap::{Parser, Subcommand};

use weir_benches::nexmark::exec::{ExecArgs, exec_line};
use weir_benches::nexmark::flink::FlinkInputArgs;
use weir_benches::nexmark::harness::{self, ExecCommand, NexmarkArgs};

/// The measured Weir runs happen in this process (`weir-bench exec`): the same allocator as the
/// `weir` binary, so that they measure what users run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Weir's benchmarks: Nexmark against hand-written timely/differential baselines, and the
/// bounded group-by benchmark against differential, Polars and DuckDB.
#[derive(Parser, Debug)]
#[command(name = "weir-bench", version, about)]
struct Cli {
    #[command(subcommand)]
    command: BenchCommand,
}

/// The benchmarks.
#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// Nexmark queries through the whole stack (SQL → plan → dataflow → blackhole), next to
    /// hand-written timely/differential baselines and a generator-only run; prints events,
    /// time, events/s (per worker too), CPU time and peak RSS per query.
    Nexmark(NexmarkArgs),
    /// The bounded group-by benchmark against differential, Polars and DuckDB (runs
    /// `weir-bench-groupby` from the same directory as `weir-bench`, with these arguments).
    Groupby {
        /// Arguments for `weir-bench-groupby` (`--help` lists them).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// One measured run (started by `weir-bench nexmark`; prints one JSON line).
    #[command(hide = true)]
    Exec(ExecArgs),
    /// Writes the bids as CSV and computes Weir's answers for `nexmark --flink` (started by
    /// `weir-bench nexmark`; prints one JSON line).
    #[command(hide = true)]
    FlinkInput(FlinkInputArgs),
}

fn main() -> ExitCode {
    weir_core::runtime::huge_pages::prefer_base_pages();
    match bench(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a `weir-bench` command.
fn bench(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Nexmark(args) => nexmark(&args),
        BenchCommand::Groupby { args } => groupby(args),
        BenchCommand::Exec(args) => {
            println!("{}", exec_line(&args).map_err(|e| anyhow!(e))?);
            Ok(())
        }
        BenchCommand::FlinkInput(args) => {
            println!("{}", args.run().map_err(|e| anyhow!(e))?);
            Ok(())
        }
    }
}

fn nexmark(args: &NexmarkArgs) -> anyhow::Result<()> {
    let program = std::env::current_exe().context("cannot find the weir-bench executable to start runs with")?;
    let exec = ExecCommand { program, prefix: vec!["exec".into()] };
    let output = harness::run_to_output(args, &exec).map_err(|e| anyhow!(e))?;
    if let Some(path) = &args.out {
        std::fs::write(path, &output.json).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if args.json {
        println!("{}", output.json);
    } else {
        print!("{}", output.table);
    }
    if !output.failures.is_empty() {
        bail!("{} run(s) failed:\n{}", output.failures.len(), output.failures.join("\n"));
    }
    Ok(())
}

fn groupby(args: Vec<OsString>) -> anyhow::Result<()> {
    let exe = std::env::current_exe().context("cannot find the weir-bench executable")?;
    let harness = exe.with_file_name("weir-bench-groupby");
    if !harness.exists() {
        bail!("{} not found: build it with `cargo build --release -p weir-benches`", harness.display());
    }
    let status = std::process::Command::new(&harness).args(args).status().with_context(|| format!("cannot run {}", harness.display()))?;
    if !status.success() {
        bail!("weir-bench-groupby {status}");
    }
    Ok(())
}
