//! The job file `scripts/flink_driver.py` runs (three lists of SQL statements, each run in a
//! fresh `TableEnvironment` of one JVM: a warm-up, the timed job, the answer job) and the JSON
//! line it prints. The driver starts a local Flink cluster in its JVM once, then submits the
//! jobs to it, so start-up is excluded from the figures.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::install::FlinkEnv;
use crate::measure::{self, Measured};

/// Flink's `execution.runtime-mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlinkMode {
    /// Bounded input, batch operators (no watermarks, results at the end).
    Batch,
    /// Streaming operators driven by the watermark; a bounded input ends with the maximum
    /// watermark, which fires what is left.
    Streaming,
}

impl FlinkMode {
    /// The name the driver takes.
    pub fn name(self) -> &'static str {
        match self {
            FlinkMode::Batch => "batch",
            FlinkMode::Streaming => "streaming",
        }
    }
}

/// What one driver run executes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlinkJob {
    /// Statements of the warm-up job (the query over a small input, into a blackhole).
    pub warmup: Vec<String>,
    /// Statements of the timed job (the query over the whole input, into a blackhole); the last
    /// is its `INSERT`.
    pub timed: Vec<String>,
    /// Statements of the answer job (the query into CSV files), if the answer is checked.
    pub answer: Option<Vec<String>>,
}

impl FlinkJob {
    /// Writes the job as JSON to `path`.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// The figures the driver prints (one JSON line), see `scripts/flink_driver.py`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlinkOutput {
    /// Wall seconds from executing the timed `INSERT` (planning, submission) to the job's end.
    pub time_s: f64,
    /// The part of `time_s` until `execute_sql` returned (planning and submission).
    pub submit_s: f64,
    /// CPU seconds of the JVM over `time_s`, all threads.
    pub cpu_s: f64,
    /// Flink's own run time of the job (`JobExecutionResult.getNetRuntime`), seconds.
    pub net_runtime_s: f64,
    /// Peak RSS of the JVM during the timed job, MiB (-1 when it could not be isolated).
    pub peak_rss_mib: f64,
    /// Seconds to start the JVM and the local cluster.
    pub startup_s: f64,
    /// Seconds of the warm-up job.
    pub warmup_s: f64,
    /// Seconds of the answer job, when there was one.
    pub answer_s: Option<f64>,
    /// The `apache-flink` version.
    pub flink: String,
    /// How `cpu_s` was measured.
    pub cpu_method: String,
}

impl FlinkOutput {
    /// The output of a driver run: its last stdout line that is a JSON object.
    pub fn parse(stdout: &[u8]) -> Result<FlinkOutput, String> {
        let text = std::str::from_utf8(stdout).map_err(|_| "the Flink driver printed non-UTF-8 output".to_string())?;
        let line = text.lines().rev().find(|l| l.trim_start().starts_with('{')).ok_or("the Flink driver printed no result line")?;
        let out: FlinkOutput = serde_json::from_str(line).map_err(|e| format!("unreadable Flink driver result {line:?}: {e}"))?;
        if !(out.time_s > 0.0 && out.cpu_s >= 0.0 && out.time_s.is_finite()) {
            return Err(format!("implausible Flink driver figures: {line}"));
        }
        Ok(out)
    }
}

/// Runs `job` with the driver in `env` and returns its figures and the process's measurement.
/// A driver that fails is an error with the end of its stderr (Flink's exception).
pub fn run(env: &FlinkEnv, job: &FlinkJob, job_file: &Path, mode: FlinkMode, parallelism: usize) -> Result<(FlinkOutput, Measured), String> {
    job.write(job_file)?;
    let m = measure::run(&mut env.command(job_file, mode, parallelism)).map_err(|e| format!("cannot start {}: {e}", env.python.display()))?;
    if !m.status.success() {
        return Err(format!("the Flink driver exited with {}: {}", m.status, flink_error(&m)));
    }
    Ok((FlinkOutput::parse(&m.stdout)?, m))
}

/// The most telling lines of a failed driver's stderr: the last `Caused by:` of the Java
/// exception, else the last lines.
fn flink_error(m: &Measured) -> String {
    let text = String::from_utf8_lossy(&m.stderr);
    match text.lines().rev().find(|l| l.trim_start().starts_with("Caused by:") || l.contains("Exception:")) {
        Some(line) => line.trim().to_string(),
        None => m.stderr_tail(5),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_the_last_json_line() {
        let line = r#"{"time_s": 2.5, "submit_s": 0.3, "cpu_s": 4.75, "net_runtime_s": 2.1, "peak_rss_mib": 812.5, "startup_s": 3.0, "warmup_s": 5.0, "answer_s": null, "jvm_pid": 7, "flink": "2.3.0", "cpu_method": "proc"}"#;
        let stdout = format!("log line\n{{\"not\": \"this\"\n{line}\n");
        let out = FlinkOutput::parse(stdout.as_bytes()).unwrap();
        assert_eq!((out.time_s, out.cpu_s, out.peak_rss_mib, out.answer_s), (2.5, 4.75, 812.5, None));
        assert_eq!(out.flink, "2.3.0");
        assert!(FlinkOutput::parse(b"no json\n").unwrap_err().contains("no result line"));
        assert!(FlinkOutput::parse(line.replace("2.5", "0").as_bytes()).unwrap_err().contains("implausible"));
        assert!(FlinkOutput::parse(br#"{"time_s": 1}"#).unwrap_err().contains("unreadable"));
    }
}
