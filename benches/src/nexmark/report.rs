//! The results of `weir-bench nexmark`: per query and system the runs, their medians, events/s
//! and the ratio to the hand-written baseline; printed as a table or as JSON.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::exec::System;
use crate::harness::machine::Machine;
use crate::harness::report::median;

/// One measured run of one system on one query.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Run {
    /// Round (0-based); every system runs once per round, in a rotated order.
    pub round: usize,
    /// In-process time from starting the workers to the end, seconds.
    pub time_s: f64,
    /// Process wall time (spawn to exit, planning and start-up included), seconds.
    pub wall_s: f64,
    /// User + system CPU time of the process, seconds.
    pub cpu_s: f64,
    /// Peak RSS of the process (`ru_maxrss`), MiB.
    pub peak_rss_mib: f64,
    /// Rows the sources made.
    pub rows_in: u64,
    /// Rows that reached the sink.
    pub rows_out: u64,
}

/// One system on one query: its runs and medians, or why it did not run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Entry {
    /// The query (`q0` ...; `q0` for the generator-only run).
    pub query: String,
    /// What ran it.
    pub system: System,
    /// `ok`, `unsupported (needs event time)`, `unsupported` or `failed`.
    pub status: String,
    /// The engine's message when it did not run, or the failure.
    pub note: Option<String>,
    /// Runs, in order.
    pub runs: Vec<Run>,
    /// Median in-process time, seconds.
    pub median_time_s: Option<f64>,
    /// Median CPU time, seconds.
    pub median_cpu_s: Option<f64>,
    /// Median peak RSS, MiB.
    pub median_peak_rss_mib: Option<f64>,
    /// Events of the stream / median time.
    pub events_per_s: Option<f64>,
    /// [`Entry::events_per_s`] / workers.
    pub events_per_s_per_worker: Option<f64>,
    /// Median time of this system / median time of the query's baseline (Weir rows only).
    pub ratio_to_baseline: Option<f64>,
    /// Events of the stream / median CPU time: events per fully used core-second.
    #[serde(default)]
    pub events_per_cpu_s: Option<f64>,
    /// `weir-csv` rows: Flink's median time in the same mode / this one's (how many times
    /// faster Weir is; Flink's time is the job alone, its JVM warm).
    #[serde(default)]
    pub flink_over_weir_time: Option<f64>,
    /// `weir-csv` rows: this system's events per CPU-second / Flink's in the same mode (Flink's
    /// CPU: its JVM's during the job).
    #[serde(default)]
    pub flink_over_weir_cpu: Option<f64>,
    /// Rows out of the last run, for comparing answers' sizes between systems.
    pub rows_out: Option<u64>,
    /// Events per second of event time this query ran at (0 in reports older than the field).
    #[serde(default)]
    pub tps: u64,
}

impl Entry {
    /// An entry with no runs yet.
    pub fn new(query: &str, system: System, status: &str, note: Option<String>, tps: u64) -> Entry {
        Entry {
            query: query.to_string(),
            system,
            status: status.to_string(),
            note,
            runs: Vec::new(),
            median_time_s: None,
            median_cpu_s: None,
            median_peak_rss_mib: None,
            events_per_s: None,
            events_per_s_per_worker: None,
            ratio_to_baseline: None,
            events_per_cpu_s: None,
            flink_over_weir_time: None,
            flink_over_weir_cpu: None,
            rows_out: None,
            tps,
        }
    }

    fn finish(&mut self, events: u64, workers: usize) {
        let m = |f: fn(&Run) -> f64| median(self.runs.iter().map(f).collect());
        self.median_time_s = m(|r| r.time_s);
        self.median_cpu_s = m(|r| r.cpu_s);
        self.median_peak_rss_mib = m(|r| r.peak_rss_mib);
        self.events_per_s = self.median_time_s.filter(|t| *t > 0.0).map(|t| events as f64 / t);
        self.events_per_s_per_worker = self.events_per_s.map(|e| e / workers as f64);
        self.events_per_cpu_s = self.median_cpu_s.filter(|t| *t > 0.0).map(|t| events as f64 / t);
        self.rows_out = self.runs.last().map(|r| r.rows_out);
    }
}

/// A whole `weir-bench nexmark` run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    /// The machine, as one line.
    pub machine: String,
    /// Events of the stream each query reads.
    pub events: u64,
    /// Worker threads of every system.
    pub workers: usize,
    /// Runs per system and query (medians are over these).
    pub runs: usize,
    /// Events per second of event time.
    pub tps: u64,
    /// Every system on every query, in query order, the generator-only run first.
    pub entries: Vec<Entry>,
}

impl Report {
    /// An empty report for these settings.
    pub fn new(events: u64, workers: usize, runs: usize, tps: u64) -> Report {
        Report { machine: Machine::current().describe(), events, workers, runs, tps, entries: Vec::new() }
    }

    /// Computes medians, rates and Weir/baseline ratios from the runs.
    pub fn finish(&mut self) {
        for e in &mut self.entries {
            e.finish(self.events, self.workers);
        }
        let baselines: Vec<(String, f64)> =
            self.entries.iter().filter(|e| e.system == System::Dd).filter_map(|e| Some((e.query.clone(), e.median_time_s?))).collect();
        for e in self.entries.iter_mut().filter(|e| matches!(e.system, System::Weir | System::WeirStreaming)) {
            let base = baselines.iter().find(|(q, _)| *q == e.query).map(|(_, t)| *t);
            e.ratio_to_baseline = match (e.median_time_s, base) {
                (Some(t), Some(b)) if b > 0.0 => Some(t / b),
                _ => None,
            };
        }
        let flink: Vec<(String, System, Option<f64>, Option<f64>)> = self
            .entries
            .iter()
            .filter(|e| matches!(e.system, System::Flink | System::FlinkStreaming))
            .map(|e| (e.query.clone(), e.system, e.median_time_s, e.median_cpu_s))
            .collect();
        for e in self.entries.iter_mut() {
            let partner = match e.system {
                System::WeirCsv => System::Flink,
                System::WeirCsvStreaming => System::FlinkStreaming,
                _ => continue,
            };
            let Some((_, _, time, cpu)) = flink.iter().find(|(q, s, _, _)| *q == e.query && *s == partner) else {
                continue;
            };
            let ratio = |flink: Option<f64>, weir: Option<f64>| match (flink, weir) {
                (Some(f), Some(w)) if w > 0.0 => Some(f / w),
                _ => None,
            };
            e.flink_over_weir_time = ratio(*time, e.median_time_s);
            e.flink_over_weir_cpu = ratio(*cpu, e.median_cpu_s);
        }
    }

    /// The comparison with Flink (issue 15's table): per query and mode, Flink's and Weir's
    /// median time and events per CPU-second over the same CSV, and Flink / Weir; empty when
    /// Flink did not run.
    pub fn flink_table(&self) -> String {
        let mut out = String::new();
        let rows: Vec<&Entry> = self.entries.iter().filter(|e| e.flink_over_weir_time.is_some() || e.flink_over_weir_cpu.is_some()).collect();
        if rows.is_empty() {
            return out;
        }
        let _ = writeln!(out, "\nFlink / Weir over the same CSV (Flink: the job alone, JVM warm, CPU of its JVM; Weir: the process's CPU):");
        let _ = writeln!(
            out,
            "{:<6} {:<10} {:>9} {:>9} {:>11} {:>14} {:>14} {:>13}",
            "query", "mode", "Flink s", "Weir s", "Flink/Weir", "Flink ev/CPU-s", "Weir ev/CPU-s", "Flink/Weir CPU"
        );
        for e in rows {
            let flink_system = if e.system == System::WeirCsv { System::Flink } else { System::FlinkStreaming };
            let flink = self.entries.iter().find(|f| f.query == e.query && f.system == flink_system);
            let f = |v: Option<f64>, p: usize| v.map_or("-".to_string(), |v| format!("{v:.p$}"));
            let rate = |v: Option<f64>| v.map_or("-".to_string(), group_thousands);
            let _ = writeln!(
                out,
                "{:<6} {:<10} {:>9} {:>9} {:>10}x {:>14} {:>14} {:>12}x",
                e.query,
                if e.system == System::WeirCsv { "batch" } else { "streaming" },
                f(flink.and_then(|f| f.median_time_s), 3),
                f(e.median_time_s, 3),
                f(e.flink_over_weir_time, 1),
                rate(flink.and_then(|f| f.events_per_cpu_s)),
                rate(e.events_per_cpu_s),
                f(e.flink_over_weir_cpu, 1),
            );
        }
        out
    }

    /// The results as a text table, one line per system and query.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Nexmark, {} events, {} workers, median of {} runs; {}", self.events, self.workers, self.runs, self.machine);
        let mut rates: Vec<String> = Vec::new();
        for e in &self.entries {
            let rate = format!("{} at {}", e.query, group_thousands(e.tps as f64));
            if e.tps != self.tps && !rates.contains(&rate) {
                rates.push(rate);
            }
        }
        let _ = writeln!(
            out,
            "event time advances at {} events/s{}{}",
            group_thousands(self.tps as f64),
            if rates.is_empty() { "" } else { "; " },
            rates.join(", ")
        );
        let _ = writeln!(
            out,
            "{:<14} {:<18} {:>9} {:>13} {:>15} {:>8} {:>9} {:>10} {:>10}  status",
            "query", "system", "time s", "events/s", "ev/s/worker", "CPU s", "RSS MiB", "rows out", "weir/dd"
        );
        for e in &self.entries {
            let f = |v: Option<f64>, p: usize| v.map_or("-".to_string(), |v| format!("{v:.p$}"));
            let rate = |v: Option<f64>| v.map_or("-".to_string(), group_thousands);
            let status = match &e.note {
                Some(note) if e.status != "ok" => {
                    format!("{}: {}", e.status, note.lines().next().unwrap_or(""))
                }
                _ => e.status.clone(),
            };
            let _ = writeln!(
                out,
                "{:<14} {:<18} {:>9} {:>13} {:>15} {:>8} {:>9} {:>10} {:>10}  {status}",
                e.query,
                e.system.name(),
                f(e.median_time_s, 3),
                rate(e.events_per_s),
                rate(e.events_per_s_per_worker),
                f(e.median_cpu_s, 2),
                f(e.median_peak_rss_mib, 0),
                e.rows_out.map_or("-".to_string(), |r| r.to_string()),
                f(e.ratio_to_baseline, 2),
            );
        }
        out.push_str(&self.flink_table());
        out
    }
}

/// `1234567.8` as `1,234,568`.
fn group_thousands(v: f64) -> String {
    let digits = format!("{:.0}", v.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(time_s: f64) -> Run {
        Run { round: 0, time_s, wall_s: time_s, cpu_s: time_s, peak_rss_mib: 10.0, rows_in: 92, rows_out: 92 }
    }

    #[test]
    fn medians_rates_and_ratios() {
        let mut r = Report::new(1_000_000, 2, 3, 10);
        let mut weir = Entry::new("q0", System::Weir, "ok", None, 10);
        weir.runs = vec![run(2.0), run(4.0), run(1.0)];
        let mut dd = Entry::new("q0", System::Dd, "ok", None, 10);
        dd.runs = vec![run(1.0)];
        r.entries = vec![weir, dd, Entry::new("q5", System::Weir, "unsupported (needs event time)", Some("HOP".into()), 10)];
        r.finish();
        assert_eq!(r.entries[0].median_time_s, Some(2.0));
        assert_eq!(r.entries[0].events_per_s, Some(500_000.0));
        assert_eq!(r.entries[0].events_per_s_per_worker, Some(250_000.0));
        assert_eq!(r.entries[0].ratio_to_baseline, Some(2.0));
        assert_eq!(r.entries[2].events_per_s, None);
        let table = r.table();
        assert!(table.contains("500,000") && table.contains("unsupported (needs event time): HOP"), "{table}");
        assert!(!table.contains("Flink / Weir"), "no Flink section without Flink runs");
    }

    #[test]
    fn flink_ratios_pair_each_mode() {
        let mut r = Report::new(1_000_000, 2, 3, 10);
        let entry = |system, time_s: f64, cpu_s: f64| {
            let mut e = Entry::new("q5", system, "ok", None, 10);
            e.runs = vec![Run { cpu_s, ..run(time_s) }];
            e
        };
        r.entries = vec![
            entry(System::WeirCsv, 0.5, 0.8),
            entry(System::WeirCsvStreaming, 1.0, 1.5),
            entry(System::Flink, 4.0, 8.0),
            entry(System::FlinkStreaming, 5.0, 9.0),
            entry(System::Weir, 0.4, 0.7),
        ];
        r.finish();
        assert_eq!((r.entries[0].flink_over_weir_time, r.entries[0].flink_over_weir_cpu), (Some(8.0), Some(10.0)));
        assert_eq!((r.entries[1].flink_over_weir_time, r.entries[1].flink_over_weir_cpu), (Some(5.0), Some(6.0)));
        assert_eq!(r.entries[4].flink_over_weir_time, None, "only Weir over the same CSV is compared");
        assert_eq!(r.entries[2].events_per_cpu_s, Some(125_000.0));
        let table = r.table();
        assert!(table.contains("Flink / Weir over the same CSV"), "{table}");
        assert!(table.lines().any(|l| l.starts_with("q5     batch") && l.contains("8.0x") && l.contains("10.0x")), "{table}");
        assert!(table.lines().any(|l| l.starts_with("q5     streaming") && l.contains("5.0x") && l.contains("6.0x")), "{table}");
    }
}
