//! Per-operator record counters, readable while the job runs (the REST API's metrics).

use std::sync::atomic::{AtomicU64, Ordering};

/// Counters of one plan node.
#[derive(Debug, Default)]
pub struct OperatorMetrics {
    /// The node's id.
    pub id: String,
    /// The node's kind (`source`, `aggregate`, ...).
    pub kind: String,
    /// Changes the node produced (each insertion or retraction counts once).
    pub records_out: AtomicU64,
    /// Malformed input records skipped (sources with `*.ignore-parse-errors`).
    pub records_skipped: AtomicU64,
    /// Records dropped because they arrived behind the watermark (event-time sources).
    pub records_late: AtomicU64,
}

/// A copy of one node's counters at some moment.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OperatorMetricsSnapshot {
    /// The node's id.
    pub id: String,
    /// The node's kind.
    pub kind: String,
    /// Records the node's inputs produced.
    pub records_in: u64,
    /// Records the node produced.
    pub records_out: u64,
    /// Malformed records skipped.
    pub records_skipped: u64,
    /// Records dropped for arriving behind the watermark.
    pub records_late: u64,
}

/// The counters of every node of a job, in plan order.
#[derive(Debug, Default)]
pub struct JobMetrics {
    /// One entry per plan node.
    pub operators: Vec<OperatorMetrics>,
    inputs: Vec<Vec<usize>>,
}

impl JobMetrics {
    /// Counters for nodes with these ids, kinds and input positions.
    pub fn new(nodes: impl IntoIterator<Item = (String, String, Vec<usize>)>) -> JobMetrics {
        let mut metrics = JobMetrics::default();
        for (id, kind, inputs) in nodes {
            metrics.operators.push(OperatorMetrics { id, kind, ..Default::default() });
            metrics.inputs.push(inputs);
        }
        metrics
    }

    /// Adds `n` to the output count of node `node`.
    pub fn add_out(&self, node: usize, n: u64) {
        if let Some(op) = self.operators.get(node) {
            op.records_out.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Adds `n` to the skipped count of node `node`.
    pub fn add_skipped(&self, node: usize, n: u64) {
        if let Some(op) = self.operators.get(node) {
            op.records_skipped.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Adds `n` to the late-record count of node `node`.
    pub fn add_late(&self, node: usize, n: u64) {
        if let Some(op) = self.operators.get(node) {
            op.records_late.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// All counters now.
    pub fn snapshot(&self) -> Vec<OperatorMetricsSnapshot> {
        let out: Vec<u64> = self.operators.iter().map(|o| o.records_out.load(Ordering::Relaxed)).collect();
        self.operators
            .iter()
            .enumerate()
            .map(|(i, o)| OperatorMetricsSnapshot {
                id: o.id.clone(),
                kind: o.kind.clone(),
                records_in: self.inputs[i].iter().map(|&j| out.get(j).copied().unwrap_or(0)).sum(),
                records_out: out[i],
                records_skipped: o.records_skipped.load(Ordering::Relaxed),
                records_late: o.records_late.load(Ordering::Relaxed),
            })
            .collect()
    }

    /// Total malformed records skipped across sources.
    pub fn total_skipped(&self) -> u64 {
        self.operators.iter().map(|o| o.records_skipped.load(Ordering::Relaxed)).sum()
    }

    /// Total records dropped behind the watermark across sources.
    pub fn total_late(&self) -> u64 {
        self.operators.iter().map(|o| o.records_late.load(Ordering::Relaxed)).sum()
    }
}
