//! The memory run (`weir-bench nexmark --query q5 --duration 600`): one query in streaming
//! mode over an *unbounded* `nexmark` source (`events.num` 0) for a fixed wall duration, its
//! resident set size (`VmRSS` of `/proc/self/status`) and row counters sampled every few
//! seconds, so whether memory stays flat can be judged from the series.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use weir_core::plan::{RuntimeMode, ValidatedPlan};
use weir_core::runtime::{RunOptions, start_job};

/// One sample of a running job.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Seconds since the job started.
    pub t_s: f64,
    /// Resident set size, MiB.
    pub rss_mib: f64,
    /// Rows the sources produced so far.
    pub rows_in: u64,
    /// Changes that reached the sink so far.
    pub rows_out: u64,
    /// Keyed-state entries the job's stateful operators hold (`None`: it has none).
    #[serde(default)]
    pub state_entries: Option<u64>,
}

/// The series of a memory run, with its summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemoryRun {
    /// The query.
    pub query: String,
    /// Worker threads.
    pub workers: usize,
    /// Events per second of event time.
    pub tps: u64,
    /// Every sample, in order.
    pub samples: Vec<Sample>,
    /// Peak RSS of the process (`ru_maxrss`, measured from outside), MiB; 0 when unknown.
    pub peak_rss_mib: f64,
    /// The machine, as one line (filled in by the harness).
    pub machine: String,
    /// Weir's settings for the run (`--set`, `--checkpoint-interval` arguments).
    #[serde(default)]
    pub settings: Vec<String>,
    /// Why the query did not run (the engine's error when it cannot plan it); no samples then.
    #[serde(default)]
    pub not_run: Option<String>,
}

/// `VmRSS` of `/proc/self/status`, MiB.
pub fn current_rss_mib() -> Result<f64, String> {
    let status = std::fs::read_to_string("/proc/self/status").map_err(|e| format!("cannot read /proc/self/status: {e}"))?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).ok_or("/proc/self/status has no VmRSS line")?;
    let kib: f64 = line.trim_start_matches("VmRSS:").trim().trim_end_matches("kB").trim().parse().map_err(|e| format!("unreadable {line:?}: {e}"))?;
    Ok(kib / 1024.0)
}

/// Runs `plan` in streaming mode for `duration` of wall time, sampling every `every`, then
/// cancels it. An engine failure while running is the error.
pub fn run_for(plan: ValidatedPlan, workers: usize, duration: Duration, every: Duration) -> Result<Vec<Sample>, String> {
    let options = RunOptions { workers: Some(workers), mode: Some(RuntimeMode::Streaming), ..RunOptions::default() };
    let job = start_job(Arc::new(plan), &options).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut samples = Vec::new();
    let every = every.max(Duration::from_millis(100));
    loop {
        let snapshot = job.metrics.snapshot();
        let count = |kind: &str, f: fn(&weir_core::job::OperatorMetricsSnapshot) -> u64| snapshot.iter().filter(|m| m.kind == kind).map(f).sum::<u64>();
        samples.push(Sample {
            t_s: started.elapsed().as_secs_f64(),
            rss_mib: current_rss_mib()?,
            rows_in: count("source", |m| m.records_out),
            rows_out: count("sink", |m| m.records_in),
            state_entries: snapshot.iter().filter_map(|m| m.state_entries).reduce(|a, b| a + b),
        });
        if let Some(failure) = job.failure() {
            return Err(failure.to_string());
        }
        if started.elapsed() >= duration {
            break;
        }
        std::thread::sleep(every.min(duration.saturating_sub(started.elapsed())));
    }
    job.cancel.cancel();
    match job.wait() {
        Ok(_) => Ok(samples),
        Err(e) if e.to_string().to_ascii_lowercase().contains("cancel") => Ok(samples),
        Err(e) => Err(e.to_string()),
    }
}

impl MemoryRun {
    /// The sample nearest to the middle of the run.
    fn middle(&self) -> Option<&Sample> {
        let end = self.samples.last()?.t_s;
        self.samples.iter().min_by(|a, b| (a.t_s - end / 2.0).abs().total_cmp(&(b.t_s - end / 2.0).abs()))
    }

    /// The run as text: a summary (start, middle, end, max RSS; rows/s) and the series.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Memory run: {} in streaming mode on an unbounded nexmark source, {} workers, {} events/s of event time; {}",
            self.query, self.workers, self.tps, self.machine
        );
        if !self.settings.is_empty() {
            let _ = writeln!(out, "settings: {}", self.settings.join(" "));
        }
        if let Some(why) = &self.not_run {
            let _ = writeln!(out, "not run: {why}");
            return out;
        }
        let (Some(first), Some(last), Some(middle)) = (self.samples.first(), self.samples.last(), self.middle()) else {
            let _ = writeln!(out, "no samples");
            return out;
        };
        let max = self.samples.iter().map(|s| s.rss_mib).fold(f64::MIN, f64::max);
        let rate = |a: &Sample, b: &Sample| {
            let dt = b.t_s - a.t_s;
            if dt > 0.0 { (b.rows_in - a.rows_in) as f64 / dt } else { 0.0 }
        };
        let _ = writeln!(
            out,
            "RSS MiB: start {:.0} (t={:.0}s), middle {:.0} (t={:.0}s), end {:.0} (t={:.0}s), max sampled {:.0}, peak (ru_maxrss) {:.0}",
            first.rss_mib, first.t_s, middle.rss_mib, middle.t_s, last.rss_mib, last.t_s, max, self.peak_rss_mib
        );
        let _ = writeln!(
            out,
            "rows in: {} ({:.0}/s overall; {:.0}/s first half, {:.0}/s second half); rows out: {}",
            last.rows_in,
            rate(first, last),
            rate(first, middle),
            rate(middle, last),
            last.rows_out
        );
        let _ = writeln!(out, "{:>8} {:>9} {:>14} {:>10} {:>14}", "t s", "RSS MiB", "rows in", "rows out", "state entries");
        for s in &self.samples {
            let entries = s.state_entries.map_or_else(|| "-".to_string(), |n| n.to_string());
            let _ = writeln!(out, "{:>8.1} {:>9.1} {:>14} {:>10} {:>14}", s.t_s, s.rss_mib, s.rows_in, s.rows_out, entries);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_is_read_and_summary_names_the_points() {
        assert!(current_rss_mib().unwrap() > 0.0);
        let s = |t_s: f64, rss_mib: f64, rows_in: u64| Sample { t_s, rss_mib, rows_in, rows_out: 1, state_entries: None };
        let run = MemoryRun {
            query: "q5".into(),
            workers: 2,
            tps: 10,
            samples: vec![s(0.0, 10.0, 0), s(5.0, 50.0, 500), s(10.0, 20.0, 1000)],
            peak_rss_mib: 51.0,
            machine: "test".into(),
            settings: Vec::new(),
            not_run: None,
        };
        let table = run.table();
        assert!(table.contains("start 10 (t=0s), middle 50 (t=5s), end 20 (t=10s), max sampled 50"), "{table}");
        assert!(table.contains("(100/s overall"), "{table}");
    }
}
