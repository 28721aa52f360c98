//! The results of a harness run: per-system runs, medians, answer checks, ratios; printed as a
//! table and saved as JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::machine::Machine;
use super::systems::System;
use crate::auction_stats::Summary;

/// One measured run of one system.
#[derive(Clone, Debug, Serialize)]
pub struct RunRecord {
    /// Round number (0-based); all systems run once per round.
    pub round: usize,
    /// Subprocess wall time, seconds.
    pub wall_s: f64,
    /// Query time, seconds (see [`super::systems::Answer::query_s`]).
    pub query_s: f64,
    /// User + system CPU time of the subprocess, seconds.
    pub cpu_s: f64,
    /// Peak RSS of the subprocess, MiB.
    pub peak_rss_mib: f64,
    /// Number of result groups, when reported.
    pub groups: Option<u64>,
    /// Checksum of the result rows as 16 hex digits, when reported.
    pub checksum: Option<String>,
}

/// All runs of one system and their medians.
#[derive(Clone, Debug, Serialize)]
pub struct SystemResult {
    /// The system.
    pub system: System,
    /// Why it was skipped or stopped early, if it was.
    pub note: Option<String>,
    /// Its runs, in order.
    pub runs: Vec<RunRecord>,
    /// Median query time, seconds.
    pub median_query_s: Option<f64>,
    /// Median subprocess wall time, seconds.
    pub median_wall_s: Option<f64>,
    /// Median CPU time, seconds.
    pub median_cpu_s: Option<f64>,
    /// Median peak RSS, MiB.
    pub median_peak_rss_mib: Option<f64>,
    /// Whether every reported answer equals the reference answer (`None`: nothing reported).
    pub answer_matches: Option<bool>,
}

impl SystemResult {
    /// A system with no runs yet.
    pub fn new(system: System) -> Self {
        SystemResult {
            system,
            note: None,
            runs: Vec::new(),
            median_query_s: None,
            median_wall_s: None,
            median_cpu_s: None,
            median_peak_rss_mib: None,
            answer_matches: None,
        }
    }

    fn summaries(&self) -> impl Iterator<Item = Summary> + '_ {
        self.runs.iter().filter_map(|r| {
            let checksum = u64::from_str_radix(r.checksum.as_deref()?, 16).ok()?;
            Some(Summary { groups: r.groups?, checksum })
        })
    }
}

/// Everything a harness run measured.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The benchmark's name.
    pub benchmark: &'static str,
    /// The dataset file.
    pub dataset: String,
    /// Its number of rows.
    pub rows: u64,
    /// Its size in bytes.
    pub bytes: u64,
    /// Worker threads given to every system.
    pub workers: usize,
    /// Runs per system.
    pub runs_per_system: usize,
    /// The machine.
    pub machine: Machine,
    /// Seconds since the Unix epoch when the run started.
    pub started_unix: u64,
    /// Tool versions (Python baselines, weir), as reported.
    pub versions: BTreeMap<String, String>,
    /// The answer all systems are compared against (from `dd-reduce`, else the first reported).
    pub reference: Option<AnswerSummary>,
    /// Weir's answer from one untimed batch run with a print sink (`--verify-weir`).
    pub weir_print_answer: Option<AnswerSummary>,
    /// The same from one streaming run (its changelog applied), when `weir-streaming` runs.
    pub weir_streaming_print_answer: Option<AnswerSummary>,
    /// Per system.
    pub systems: Vec<SystemResult>,
    /// `a/b` = median query time of `a` over that of `b`.
    pub ratios: BTreeMap<String, f64>,
}

/// Groups and checksum of an answer.
#[derive(Clone, Debug, Serialize)]
pub struct AnswerSummary {
    /// Number of groups.
    pub groups: u64,
    /// Checksum, 16 hex digits.
    pub checksum: String,
}

impl From<Summary> for AnswerSummary {
    fn from(s: Summary) -> Self {
        AnswerSummary { groups: s.groups, checksum: format!("{:016x}", s.checksum) }
    }
}

impl AnswerSummary {
    /// Back to a [`Summary`]; `None` if the checksum is not 16 hex digits.
    pub fn summary(&self) -> Option<Summary> {
        Some(Summary { groups: self.groups, checksum: u64::from_str_radix(&self.checksum, 16).ok()? })
    }
}

/// The median of `xs` (mean of the middle two for an even count), `None` if empty.
pub fn median(mut xs: Vec<f64>) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    Some(if n % 2 == 1 { xs[n / 2] } else { (xs[n / 2 - 1] + xs[n / 2]) / 2.0 })
}

impl Report {
    /// Computes medians, checks answers against the reference, and computes the ratios.
    pub fn finish(&mut self) {
        for s in &mut self.systems {
            s.median_query_s = median(s.runs.iter().map(|r| r.query_s).collect());
            s.median_wall_s = median(s.runs.iter().map(|r| r.wall_s).collect());
            s.median_cpu_s = median(s.runs.iter().map(|r| r.cpu_s).collect());
            s.median_peak_rss_mib = median(s.runs.iter().map(|r| r.peak_rss_mib).collect());
        }
        let reference = self.systems.iter().filter(|s| s.system == System::DdReduce).chain(self.systems.iter()).find_map(|s| s.summaries().next());
        self.reference = reference.map(AnswerSummary::from);
        let weir_printed = self.weir_print_answer.as_ref().and_then(AnswerSummary::summary);
        let weir_streaming_printed = self.weir_streaming_print_answer.as_ref().and_then(AnswerSummary::summary);
        for s in &mut self.systems {
            let mut answers: Vec<Summary> = s.summaries().collect();
            match s.system {
                System::Weir => answers.extend(weir_printed),
                System::WeirStreaming => answers.extend(weir_streaming_printed),
                _ => {}
            }
            s.answer_matches = match (reference, answers.is_empty()) {
                (Some(r), false) => Some(answers.iter().all(|a| *a == r)),
                _ => None,
            };
        }
        let median_of = |sys: System| self.systems.iter().find(|s| s.system == sys).and_then(|s| s.median_query_s);
        let mut ratios = BTreeMap::new();
        for (a, b) in [
            (System::Weir, System::DdReduce),
            (System::Weir, System::DdDiffAgg),
            (System::Weir, System::DdPreAgg),
            (System::Weir, System::Polars),
            (System::Weir, System::Duckdb),
            (System::DdReduce, System::Polars),
            (System::DdDiffAgg, System::Polars),
            (System::DdPreAgg, System::Polars),
            (System::DdReduce, System::Duckdb),
            (System::Flink, System::Weir),
            (System::WeirStreaming, System::Weir),
            (System::FlinkStreaming, System::WeirStreaming),
        ] {
            if let (Some(x), Some(y)) = (median_of(a), median_of(b)) {
                ratios.insert(format!("{}/{}", a.name(), b.name()), x / y);
            }
        }
        // Flink against Weir per CPU-second too (Flink: its JVM's CPU during the job).
        let cpu_of = |sys: System| self.systems.iter().find(|s| s.system == sys).and_then(|s| s.median_cpu_s);
        for (flink, weir) in [(System::Flink, System::Weir), (System::FlinkStreaming, System::WeirStreaming)] {
            if let (Some(f), Some(w)) = (cpu_of(flink), cpu_of(weir))
                && w > 0.0
            {
                ratios.insert(format!("{}/{} (CPU s)", flink.name(), weir.name()), f / w);
            }
        }
        self.ratios = ratios;
    }

    /// The results as a plain-text table followed by the ratios.
    pub fn table(&self) -> String {
        let mut t = String::new();
        let _ = writeln!(t, "group-by: {} rows ({:.0} MB), {} workers, {} runs each", self.rows, self.bytes as f64 / 1e6, self.workers, self.runs_per_system);
        let _ = writeln!(t, "machine: {}", self.machine.describe());
        let _ = writeln!(t, "{:<15} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}  note", "system", "query s", "min s", "wall s", "CPU s", "RSS MiB", "answer");
        for s in &self.systems {
            let f = |v: Option<f64>, p: usize| v.map_or("-".to_string(), |v| format!("{v:.p$}"));
            let min = s.runs.iter().map(|r| r.query_s).min_by(f64::total_cmp);
            let answer = match s.answer_matches {
                Some(true) => "ok",
                Some(false) => "MISMATCH",
                None => "-",
            };
            let _ = writeln!(
                t,
                "{:<15} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}  {}",
                s.system.name(),
                f(s.median_query_s, 3),
                f(min, 3),
                f(s.median_wall_s, 3),
                f(s.median_cpu_s, 3),
                f(s.median_peak_rss_mib, 0),
                answer,
                s.note.as_deref().unwrap_or("")
            );
        }
        let _ = writeln!(t, "medians; min s = fastest query. Polars/DuckDB time the query in-process; their wall s and");
        let _ = writeln!(t, "CPU s include Python start-up and imports. CPU s = user + system, all threads.");
        if !self.ratios.keys().any(|k| k.starts_with("weir/")) {
            let _ = writeln!(t, "Weir/DD, Weir/Polars: n/a (Weir or the baselines did not run)");
        }
        for (k, v) in &self.ratios {
            let _ = writeln!(t, "{k:<40} {v:>6.2}x");
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    fn run(query_s: f64, cpu_s: f64, answer: Option<Summary>) -> RunRecord {
        RunRecord {
            round: 0,
            wall_s: query_s,
            query_s,
            cpu_s,
            peak_rss_mib: 1.0,
            groups: answer.map(|a| a.groups),
            checksum: answer.map(|a| format!("{:016x}", a.checksum)),
        }
    }

    #[test]
    fn streaming_systems_are_checked_against_their_own_printed_answer_and_compared() {
        let right = Summary { groups: 3, checksum: 7 };
        let wrong = Summary { groups: 3, checksum: 8 };
        let mut systems = Vec::new();
        for (system, query_s, cpu_s, answer) in [
            (System::DdReduce, 1.0, 1.0, Some(right)),
            (System::Weir, 1.0, 1.0, None),
            (System::WeirStreaming, 2.0, 3.0, None),
            (System::FlinkStreaming, 8.0, 30.0, None),
        ] {
            let mut result = SystemResult::new(system);
            result.runs.push(run(query_s, cpu_s, answer));
            systems.push(result);
        }
        let machine = Machine { cpus: 2, cpu_model: String::new(), mem_gib: 1.0, kernel: String::new(), load_1m: 0.0 };
        let mut report = Report {
            benchmark: "groupby",
            dataset: String::new(),
            rows: 1,
            bytes: 1,
            workers: 2,
            runs_per_system: 1,
            machine,
            started_unix: 0,
            versions: BTreeMap::new(),
            reference: None,
            weir_print_answer: Some(right.into()),
            weir_streaming_print_answer: Some(wrong.into()),
            systems,
            ratios: BTreeMap::new(),
        };
        report.finish();
        let matches = |sys: System| report.systems.iter().find(|s| s.system == sys).and_then(|s| s.answer_matches);
        assert_eq!(matches(System::Weir), Some(true));
        assert_eq!(matches(System::WeirStreaming), Some(false), "the streaming changelog's answer is checked on its own");
        assert_eq!(matches(System::FlinkStreaming), None, "Flink's streaming answer is not read");
        assert_eq!(report.ratios.get("weir-streaming/weir"), Some(&2.0));
        assert_eq!(report.ratios.get("flink-streaming/weir-streaming"), Some(&4.0));
        assert_eq!(report.ratios.get("flink-streaming/weir-streaming (CPU s)"), Some(&10.0));
    }
}
