//! The server's store of a job's collected rows: per sink, the current table (what
//! `GET /jobs/{jobid}/results` pages through) and the newest part of the changelog (what the
//! SSE stream and the SQL gateway follow), both bounded by `--max-result-rows` and
//! `--max-result-bytes`.
//!
//! * The **table** holds the rows standing now, in the order they were (last) added: a
//!   retraction removes the most recently added equal row. Beyond the bound the oldest rows are
//!   evicted and counted (`dropped`): for an append-only result that is a ring of the newest
//!   rows; for an updating result whose current table still fits, nothing is lost.
//! * The **log** keeps the newest changes (a ring); positions stay global, so a follower that
//!   fell behind the ring learns how many changes it missed.
//!
//! Reading a page is O(log n + page): the table is a vector of slots (emptied on retraction)
//! with a Fenwick tree of live slots, so the row at any offset is found without a scan; empty
//! slots are compacted away once they outnumber the live ones. The lock is taken per chunk of
//! a batch, so a reader never waits for a whole large batch.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use weir_core::connectors::CollectTarget;
use weir_core::types::{Row, RowKind, Value};

/// Bounds of what one sink of one job keeps.
#[derive(Clone, Copy, Debug)]
pub struct ResultLimits {
    /// Most rows in the table, and most changes in the log.
    pub max_rows: usize,
    /// Most bytes (estimated) in the table, and in the log.
    pub max_bytes: usize,
}

/// Changes applied under one lock acquisition.
const CHUNK: usize = 4096;

/// Estimated memory of a row: a fixed cost per value plus string and byte payloads.
pub fn row_bytes(row: &Row) -> usize {
    32 + row
        .values()
        .iter()
        .map(|v| {
            24 + match v {
                Value::String(s) => s.len(),
                Value::Bytes(b) => b.len(),
                _ => 0,
            }
        })
        .sum::<usize>()
}

/// The collected sinks of one job; the job's `collect` sinks write into it.
pub struct JobResults {
    limits: ResultLimits,
    sinks: Mutex<HashMap<String, Arc<SinkResults>>>,
}

impl JobResults {
    /// An empty store with these bounds per sink.
    pub fn new(limits: ResultLimits) -> JobResults {
        JobResults { limits, sinks: Mutex::default() }
    }

    /// The store of one sink (created empty on first use).
    pub fn sink(&self, sink_id: &str) -> Arc<SinkResults> {
        let mut sinks = self.sinks.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(sinks.entry(sink_id.to_string()).or_insert_with(|| Arc::new(SinkResults::new(self.limits))))
    }
}

impl CollectTarget for JobResults {
    fn extend(&self, sink_id: &str, changes: &[(RowKind, Row)]) {
        let sink = self.sink(sink_id);
        for chunk in changes.chunks(CHUNK) {
            let mut state = sink.lock();
            for (kind, row) in chunk {
                state.apply(*kind, row);
            }
        }
    }
}

/// One sink's bounded table and changelog.
pub struct SinkResults {
    state: Mutex<SinkState>,
}

/// A page of the table.
#[derive(Debug, PartialEq)]
pub struct TablePage {
    /// The rows from the offset on.
    pub rows: Vec<Row>,
    /// Rows in the table now.
    pub total: usize,
    /// Rows evicted from the table to keep it within its bounds.
    pub dropped: u64,
}

/// Changes read from the log.
#[derive(Debug, PartialEq)]
pub struct LogRead {
    /// Position of the first change returned (greater than the one asked for when older
    /// changes were dropped from the ring).
    pub first: u64,
    /// The changes, in order.
    pub changes: Vec<(RowKind, Row)>,
}

impl SinkResults {
    fn new(limits: ResultLimits) -> SinkResults {
        SinkResults {
            state: Mutex::new(SinkState { limits, table: RowTable::default(), table_bytes: 0, dropped: 0, log: VecDeque::new(), log_bytes: 0, log_base: 0 }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, SinkState> {
        // Every update leaves the state whole between statements that could panic.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Up to `limit` rows of the table from `offset`.
    pub fn page(&self, offset: usize, limit: usize) -> TablePage {
        let state = self.lock();
        TablePage { rows: state.table.page(offset, limit), total: state.table.live, dropped: state.dropped }
    }

    /// Up to `limit` changes from position `from` (or the oldest one kept, if later).
    pub fn read_log(&self, from: u64, limit: usize) -> LogRead {
        let state = self.lock();
        let first = from.max(state.log_base);
        let skip = (first - state.log_base) as usize;
        LogRead { first, changes: state.log.iter().skip(skip).take(limit).cloned().collect() }
    }
}

struct SinkState {
    limits: ResultLimits,
    table: RowTable,
    table_bytes: usize,
    dropped: u64,
    log: VecDeque<(RowKind, Row)>,
    log_bytes: usize,
    log_base: u64,
}

impl SinkState {
    fn apply(&mut self, kind: RowKind, row: &Row) {
        let bytes = row_bytes(row);
        self.log.push_back((kind, row.clone()));
        self.log_bytes += bytes;
        while self.log.len() > self.limits.max_rows.max(1) || (self.log_bytes > self.limits.max_bytes && self.log.len() > 1) {
            if let Some((_, old)) = self.log.pop_front() {
                self.log_bytes -= row_bytes(&old);
                self.log_base += 1;
            }
        }
        if kind.is_addition() {
            self.table.push(row.clone());
            self.table_bytes += bytes;
            while self.table.live > self.limits.max_rows || (self.table_bytes > self.limits.max_bytes && self.table.live > 1) {
                match self.table.evict_oldest() {
                    Some(old) => {
                        self.table_bytes -= row_bytes(&old);
                        self.dropped += 1;
                    }
                    None => break,
                }
            }
        } else if self.table.remove_latest(row) {
            self.table_bytes -= bytes;
        }
    }
}

/// Slots of one row value: most rows occur once.
enum Slots {
    One(usize),
    Many(Vec<usize>),
}

/// Rows in insertion order with O(log n) access by rank; see the module docs.
#[derive(Default)]
struct RowTable {
    slots: Vec<Option<Row>>,
    /// Fenwick tree over `slots` (1-based: `tree[i - 1]` covers slots `(i - lowbit(i), i]`).
    tree: Vec<u32>,
    live: usize,
    /// No live slot before this one.
    head: usize,
    /// Where each row value stands, oldest slot first.
    index: HashMap<Row, Slots>,
}

fn lowbit(i: usize) -> usize {
    i & i.wrapping_neg()
}

impl RowTable {
    fn prefix(&self, mut i: usize) -> usize {
        let mut sum = 0;
        while i > 0 {
            sum += self.tree[i - 1] as usize;
            i -= lowbit(i);
        }
        sum
    }

    fn add(&mut self, slot: usize, delta: i32) {
        let mut i = slot + 1;
        while i <= self.tree.len() {
            self.tree[i - 1] = self.tree[i - 1].wrapping_add_signed(delta);
            i += lowbit(i);
        }
    }

    fn push(&mut self, row: Row) {
        let slot = self.slots.len();
        let i = slot + 1;
        let covered = self.prefix(i - 1) - self.prefix(i - lowbit(i));
        self.tree.push(1 + covered as u32);
        match self.index.get_mut(&row) {
            Some(Slots::One(first)) => {
                let first = *first;
                self.index.insert(row.clone(), Slots::Many(vec![first, slot]));
            }
            Some(Slots::Many(list)) => list.push(slot),
            None => {
                self.index.insert(row.clone(), Slots::One(slot));
            }
        }
        self.slots.push(Some(row));
        self.live += 1;
    }

    fn clear_slot(&mut self, slot: usize) -> Option<Row> {
        let row = self.slots.get_mut(slot)?.take()?;
        self.add(slot, -1);
        self.live -= 1;
        Some(row)
    }

    /// Removes the most recently added row equal to `row`; false when there is none.
    fn remove_latest(&mut self, row: &Row) -> bool {
        let slot = match self.index.get_mut(row) {
            None => return false,
            Some(Slots::One(s)) => {
                let s = *s;
                self.index.remove(row);
                s
            }
            Some(Slots::Many(list)) => {
                let s = list.pop().unwrap_or_default();
                if list.len() == 1 {
                    let only = list[0];
                    self.index.insert(row.clone(), Slots::One(only));
                }
                s
            }
        };
        self.clear_slot(slot);
        self.maybe_compact();
        true
    }

    /// Removes the oldest row.
    fn evict_oldest(&mut self) -> Option<Row> {
        while self.head < self.slots.len() && self.slots[self.head].is_none() {
            self.head += 1;
        }
        let slot = self.head;
        let row = self.clear_slot(slot)?;
        match self.index.get_mut(&row) {
            Some(Slots::Many(list)) => {
                list.retain(|s| *s != slot);
                if list.len() == 1 {
                    let only = list[0];
                    self.index.insert(row.clone(), Slots::One(only));
                }
            }
            _ => {
                self.index.remove(&row);
            }
        }
        self.maybe_compact();
        Some(row)
    }

    /// Rebuilds without empty slots once they outnumber the live ones (amortized O(1)).
    fn maybe_compact(&mut self) {
        let dead = self.slots.len() - self.live;
        if dead <= self.live.max(1024) {
            return;
        }
        let rows: Vec<Row> = std::mem::take(&mut self.slots).into_iter().flatten().collect();
        self.tree.clear();
        self.index.clear();
        self.live = 0;
        self.head = 0;
        self.slots.reserve(rows.len());
        for row in rows {
            self.push(row);
        }
    }

    /// The slot of the live row of rank `k` (0-based), if there are more than `k` rows.
    fn find(&self, k: usize) -> Option<usize> {
        if k >= self.live {
            return None;
        }
        let mut pos = 0;
        let mut rest = k;
        let mut step = self.tree.len().next_power_of_two();
        while step > 0 {
            let next = pos + step;
            if next <= self.tree.len() && (self.tree[next - 1] as usize) <= rest {
                pos = next;
                rest -= self.tree[next - 1] as usize;
            }
            step /= 2;
        }
        Some(pos)
    }

    fn page(&self, offset: usize, limit: usize) -> Vec<Row> {
        let Some(start) = self.find(offset) else { return Vec::new() };
        self.slots[start..].iter().flatten().take(limit).cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::changelog::materialize;

    fn row(v: i64) -> Row {
        Row::new(vec![Value::BigInt(v)])
    }

    fn store(max_rows: usize) -> JobResults {
        JobResults::new(ResultLimits { max_rows, max_bytes: usize::MAX })
    }

    #[test]
    fn the_table_matches_a_replayed_changelog_at_every_offset() {
        // A pseudo-random changelog with duplicates and retractions, checked against the
        // sequential reference (`materialize`) after every batch.
        let results = store(1 << 20);
        let mut changes = Vec::new();
        let mut x: u64 = 7;
        for batch in 0..40 {
            let mut chunk = Vec::new();
            for _ in 0..300 {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let value = ((x >> 33) % 50) as i64;
                let kind = if (x >> 20).is_multiple_of(3) { RowKind::Delete } else { RowKind::Insert };
                chunk.push((kind, row(value)));
            }
            results.extend("s", &chunk);
            changes.extend(chunk);
            let expected = materialize(&changes);
            let sink = results.sink("s");
            let all = sink.page(0, usize::MAX);
            assert_eq!(all.rows, expected, "batch {batch}");
            for offset in [0, 1, expected.len() / 2, expected.len().saturating_sub(1), expected.len()] {
                assert_eq!(sink.page(offset, 3).rows, expected.iter().skip(offset).take(3).cloned().collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn an_append_only_result_keeps_the_newest_rows_and_counts_the_rest() {
        let results = store(100);
        let changes: Vec<_> = (0..1000).map(|i| (RowKind::Insert, row(i))).collect();
        results.extend("s", &changes);
        let page = results.sink("s").page(0, 1000);
        assert_eq!(page.rows, (900..1000).map(row).collect::<Vec<_>>());
        assert_eq!((page.total, page.dropped), (100, 900));
        let log = results.sink("s").read_log(0, 10);
        assert_eq!(log.first, 900);
        assert_eq!(log.changes[0], (RowKind::Insert, row(900)));
    }

    #[test]
    fn an_updating_result_keeps_its_final_table_and_drops_the_log() {
        // 10 keys updated 1000 times each: the table stays at 10 rows, the log at 50 changes.
        let results = store(50);
        let mut changes = Vec::new();
        for v in 0..1000 {
            for k in 0..10 {
                let key = Value::BigInt(k);
                if v > 0 {
                    changes.push((RowKind::UpdateBefore, Row::new(vec![key.clone(), Value::BigInt(v - 1)])));
                }
                changes.push((RowKind::UpdateAfter, Row::new(vec![key, Value::BigInt(v)])));
            }
        }
        results.extend("s", &changes);
        let page = results.sink("s").page(0, 100);
        assert_eq!(page.rows, materialize(&changes));
        assert_eq!((page.total, page.dropped), (10, 0));
        assert_eq!(results.sink("s").read_log(0, 100).changes.len(), 50);
    }

    #[test]
    fn bytes_bound_the_table_too() {
        let results = JobResults::new(ResultLimits { max_rows: 1000, max_bytes: 10 * row_bytes(&row(0)) });
        results.extend("s", &(0..100).map(|i| (RowKind::Insert, row(i))).collect::<Vec<_>>());
        let page = results.sink("s").page(0, 1000);
        assert_eq!(page.rows, (90..100).map(row).collect::<Vec<_>>());
        assert_eq!(page.dropped, 90);
    }
}
