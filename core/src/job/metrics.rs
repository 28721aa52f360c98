//! Per-operator record counters, readable while the job runs (the REST API's metrics).

use std::collections::BTreeMap;
use std::sync::Mutex;
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
    /// The event-time watermark (epoch ms) of each worker's split of an event-time source.
    pub watermarks: Mutex<BTreeMap<usize, u64>>,
    /// Keyed-state entries each worker's instance of a stateful operator holds.
    pub state_entries: Mutex<BTreeMap<usize, u64>>,
    /// The largest total of `state_entries` seen so far.
    pub peak_state_entries: AtomicU64,
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
    /// The node's current event-time watermark in epoch milliseconds: for a source the
    /// smallest over its splits, for other nodes the smallest over their inputs; `None` when
    /// the node has no event time (processing time or batch) or no split has reported yet.
    pub watermark: Option<u64>,
    /// Keyed-state entries the node holds now, over all workers (stateful operators only).
    pub state_entries: Option<u64>,
    /// The most keyed-state entries the node held at once.
    pub peak_state_entries: Option<u64>,
    /// When sub-plan reuse merged this node into an equal one, that node's id: this node runs
    /// nothing, and its counters are that node's (its rows are those rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reused_as: Option<String>,
    /// When the node is a window computed inside the aggregate reading it (a fused window
    /// table function), that aggregate's id: this node runs nothing, and its counters are the
    /// aggregate's, whose input count is then the rows the window reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fused_into: Option<String>,
}

/// The counters of every node of a job, in plan order.
#[derive(Debug, Default)]
pub struct JobMetrics {
    /// One entry per plan node.
    pub operators: Vec<OperatorMetrics>,
    inputs: Vec<Vec<usize>>,
    /// Per node, the node sub-plan reuse merged it into.
    reused_as: Vec<Option<usize>>,
    /// Per node, the aggregate it is computed inside (a fused window).
    fused_into: Vec<Option<usize>>,
}

impl JobMetrics {
    /// Counters for nodes with these ids, kinds and input positions.
    pub fn new(nodes: impl IntoIterator<Item = (String, String, Vec<usize>)>) -> JobMetrics {
        let mut metrics = JobMetrics::default();
        for (id, kind, inputs) in nodes {
            metrics.operators.push(OperatorMetrics { id, kind, ..Default::default() });
            metrics.inputs.push(inputs);
            metrics.reused_as.push(None);
            metrics.fused_into.push(None);
        }
        metrics
    }

    /// Records that sub-plan reuse merged node `node` into node `of`, which computes its rows:
    /// its snapshot shows `of`'s counters.
    pub fn set_reused(&mut self, node: usize, of: usize) {
        if let Some(slot) = self.reused_as.get_mut(node).filter(|_| of < self.operators.len()) {
            *slot = Some(of);
        }
    }

    /// Records that node `node` is a window computed inside aggregate `into`: its snapshot
    /// shows `into`'s counters, and `into` counts the rows `node` reads as its input.
    pub fn set_fused(&mut self, node: usize, into: usize) {
        if let Some(slot) = self.fused_into.get_mut(node).filter(|_| into < self.operators.len()) {
            *slot = Some(into);
        }
    }

    /// Records that went into node `i`: its inputs' output, where an input fused into `i`
    /// counts what that input reads (it produces nothing of its own).
    fn records_in(&self, i: usize, out: &[u64]) -> u64 {
        let fused_here = |j: usize| self.fused_into.get(j).copied().flatten() == Some(i) && j != i;
        self.inputs[i].iter().map(|&j| if fused_here(j) { self.records_in(j, out) } else { out.get(j).copied().unwrap_or(0) }).sum()
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

    /// Records that worker `worker`'s split of source `node` has moved its watermark to `ms`.
    pub fn set_watermark(&self, node: usize, worker: usize, ms: u64) {
        if let Some(Ok(mut marks)) = self.operators.get(node).map(|o| o.watermarks.lock()) {
            marks.insert(worker, ms);
        }
    }

    /// Records that worker `worker`'s instance of stateful node `node` holds `entries` keyed-state
    /// entries.
    pub fn set_state_entries(&self, node: usize, worker: usize, entries: u64) {
        let Some(op) = self.operators.get(node) else { return };
        if let Ok(mut per_worker) = op.state_entries.lock() {
            per_worker.insert(worker, entries);
            op.peak_state_entries.fetch_max(per_worker.values().sum(), Ordering::Relaxed);
        }
    }

    /// Each node's watermark: sources report theirs; a node's is the smallest of its inputs'
    /// (nodes are in plan order, inputs first), and absent when any input has none.
    fn watermarks(&self) -> Vec<Option<u64>> {
        let mut marks: Vec<Option<u64>> = Vec::with_capacity(self.operators.len());
        for (i, op) in self.operators.iter().enumerate() {
            let own = op.watermarks.lock().ok().and_then(|m| m.values().min().copied());
            let mark = match (own, self.inputs[i].is_empty()) {
                (Some(ms), _) => Some(ms),
                (None, true) => None,
                (None, false) => {
                    self.inputs[i].iter().map(|&j| marks.get(j).copied().flatten()).collect::<Option<Vec<u64>>>().and_then(|v| v.into_iter().min())
                }
            };
            marks.push(mark);
        }
        marks
    }

    /// All counters now.
    pub fn snapshot(&self) -> Vec<OperatorMetricsSnapshot> {
        let out: Vec<u64> = self.operators.iter().map(|o| o.records_out.load(Ordering::Relaxed)).collect();
        let watermarks = self.watermarks();
        let mut snapshots: Vec<OperatorMetricsSnapshot> = self
            .operators
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let state_entries = o.state_entries.lock().ok().filter(|m| !m.is_empty()).map(|m| m.values().sum());
                OperatorMetricsSnapshot {
                    id: o.id.clone(),
                    kind: o.kind.clone(),
                    records_in: self.records_in(i, &out),
                    records_out: out[i],
                    records_skipped: o.records_skipped.load(Ordering::Relaxed),
                    records_late: o.records_late.load(Ordering::Relaxed),
                    watermark: watermarks[i],
                    state_entries,
                    peak_state_entries: state_entries.map(|_| o.peak_state_entries.load(Ordering::Relaxed)),
                    reused_as: None,
                    fused_into: None,
                }
            })
            .collect();
        for (node, into) in self.fused_into.iter().enumerate().filter_map(|(i, into)| Some((i, (*into)?))) {
            let Some(aggregate) = snapshots.get(into).cloned() else { continue };
            if let Some(fused) = snapshots.get_mut(node) {
                *fused = OperatorMetricsSnapshot { id: fused.id.clone(), kind: fused.kind.clone(), fused_into: Some(aggregate.id.clone()), ..aggregate };
            }
        }
        for (node, of) in self.reused_as.iter().enumerate().filter_map(|(i, of)| Some((i, (*of)?))) {
            let Some(computed) = snapshots.get(of).cloned() else { continue };
            if let Some(reused) = snapshots.get_mut(node) {
                *reused = OperatorMetricsSnapshot { id: reused.id.clone(), kind: reused.kind.clone(), reused_as: Some(computed.id.clone()), ..computed };
            }
        }
        snapshots
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reused_node_shows_the_counters_of_the_node_computing_its_rows() {
        let mut metrics = JobMetrics::new([
            ("scan".to_string(), "source".to_string(), vec![]),
            ("agg".to_string(), "aggregate".to_string(), vec![0]),
            ("agg_copy".to_string(), "aggregate".to_string(), vec![]),
        ]);
        metrics.set_reused(2, 1);
        metrics.set_reused(0, 9);
        metrics.add_out(0, 10);
        metrics.add_out(1, 4);
        let snapshot = metrics.snapshot();
        let copy = &snapshot[2];
        assert_eq!((copy.id.as_str(), copy.kind.as_str()), ("agg_copy", "aggregate"));
        assert_eq!((copy.records_in, copy.records_out), (10, 4));
        assert_eq!(copy.reused_as.as_deref(), Some("agg"));
        assert_eq!(snapshot[0].reused_as, None, "a node that is not in the plan is not taken");
        assert_eq!(snapshot[1].reused_as, None);
    }

    #[test]
    fn an_aggregate_counts_the_rows_its_fused_window_reads() {
        let mut metrics = JobMetrics::new([
            ("scan".to_string(), "source".to_string(), vec![]),
            ("window".to_string(), "window".to_string(), vec![0]),
            ("agg".to_string(), "aggregate".to_string(), vec![1]),
            ("sink".to_string(), "sink".to_string(), vec![2]),
        ]);
        metrics.set_fused(1, 2);
        metrics.set_fused(0, 9);
        metrics.add_out(0, 10);
        metrics.add_out(2, 3);
        metrics.add_out(3, 3);
        let snapshot = metrics.snapshot();
        assert_eq!((snapshot[2].records_in, snapshot[2].records_out, snapshot[2].fused_into.as_deref()), (10, 3, None));
        let window = &snapshot[1];
        assert_eq!((window.id.as_str(), window.kind.as_str()), ("window", "window"));
        assert_eq!((window.records_in, window.records_out, window.fused_into.as_deref()), (10, 3, Some("agg")));
        assert_eq!(snapshot[0].fused_into, None, "a node that is not in the plan is not taken");
        assert_eq!(snapshot[3].records_in, 3);
    }
}
