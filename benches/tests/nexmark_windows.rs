//! The windowed baselines (Nexmark q5, `window-tumble`) answer what Weir answers on the same
//! events, and both answer what a plain sequential fold over the generator's bids answers.
//! Weir runs the query's SQL through the whole stack (batch mode, and streaming mode for the
//! tumbling window, whose changelog is applied to a final multiset).

use std::collections::{BTreeMap, HashMap};

use nexmark::EventGenerator;
use nexmark::event::{Event, EventType};
use weir_benches::nexmark::baseline::{bid_count, config, window_rows};
use weir_benches::nexmark::baseline_windows::{HOP_SIZE_MS, HOP_SLIDE_MS, TUMBLE_MS, WindowRow, hop_starts, tumble_start};
use weir_benches::nexmark::queries::find;
use weir_benches::nexmark::weir_query::collect_rows;
use weir_core::plan::RuntimeMode;
use weir_core::types::{Row, RowKind, Value};

/// 20 s of event time at 200k events: ten HOP slides, two tumbling windows.
const TPS: u64 = 10_000;

/// `(auction, dateTime)` of every bid of the first `events` events, in stream order.
fn bids(events: u64) -> Vec<(i64, i64)> {
    EventGenerator::new(config(TPS))
        .with_type_filter(EventType::Bid)
        .take(bid_count(events) as usize)
        .filter_map(|e| match e {
            Event::Bid(b) => Some((b.auction as i64, b.date_time as i64)),
            _ => None,
        })
        .collect()
}

/// q5 by a plain fold: per HOP window the auctions with the window's largest count.
fn q5_fold(bids: &[(i64, i64)]) -> BTreeMap<WindowRow, isize> {
    let mut counts: HashMap<(i64, i64), i64> = HashMap::new();
    for &(auction, t) in bids {
        for start in hop_starts(t, HOP_SIZE_MS, HOP_SLIDE_MS) {
            *counts.entry((start, auction)).or_default() += 1;
        }
    }
    let mut max: HashMap<i64, i64> = HashMap::new();
    for (&(start, _), &n) in &counts {
        let m = max.entry(start).or_default();
        *m = (*m).max(n);
    }
    let mut out = BTreeMap::new();
    for (&(start, auction), &num) in &counts {
        if num >= max[&start] {
            *out.entry(row(auction, num, 0, 0)).or_default() += 1;
        }
    }
    out
}

/// `window-tumble` by a plain fold.
fn tumble_fold(bids: &[(i64, i64)]) -> BTreeMap<WindowRow, isize> {
    let mut counts: HashMap<(i64, i64), i64> = HashMap::new();
    for &(auction, t) in bids {
        *counts.entry((auction, tumble_start(t, TUMBLE_MS))).or_default() += 1;
    }
    counts.into_iter().map(|((auction, start), n)| (row(auction, n, start, start + TUMBLE_MS), 1)).collect()
}

fn row(auction: i64, num: i64, start: i64, end: i64) -> WindowRow {
    WindowRow { auction, num, start, end }
}

/// A multiset from rows with multiplicities; zero counts dropped.
fn multiset(rows: impl IntoIterator<Item = (WindowRow, isize)>) -> BTreeMap<WindowRow, isize> {
    let mut out = BTreeMap::new();
    for (r, d) in rows {
        *out.entry(r).or_default() += d;
    }
    out.retain(|_, d| *d != 0);
    out
}

fn int(row: &Row, i: usize) -> i64 {
    match row.get(i) {
        Value::BigInt(v) | Value::Timestamp(v) => *v,
        other => panic!("column {i} of {row:?} is {other:?}, not BIGINT/TIMESTAMP"),
    }
}

/// Weir's changelog of `query` applied to a multiset of [`WindowRow`]s.
fn weir(query: &str, events: u64, mode: RuntimeMode) -> BTreeMap<WindowRow, isize> {
    let q = find(query).unwrap();
    let changes = collect_rows(q, events, TPS, 2, mode).unwrap();
    multiset(changes.iter().map(|(kind, r)| {
        let w = if query == "q5" { row(int(r, 0), int(r, 1), 0, 0) } else { row(int(r, 0), int(r, 3), int(r, 1), int(r, 2)) };
        let sign = match kind {
            RowKind::Insert | RowKind::UpdateAfter => 1,
            RowKind::UpdateBefore | RowKind::Delete => -1,
        };
        (w, sign)
    }))
}

#[test]
fn q5_weir_equals_dd_baseline_equals_fold() {
    let events = 200_000;
    let fold = q5_fold(&bids(events));
    assert!(fold.values().sum::<isize>() >= 14, "at least one row for each of the 14 windows of 10 s sliding 2 s over 20 s: {fold:?}");
    for workers in [1, 3] {
        let dd = multiset(window_rows("q5", events, workers, TPS).unwrap());
        assert_eq!(dd, fold, "dd baseline on {workers} workers");
    }
    assert_eq!(weir("q5", events, RuntimeMode::Batch), fold, "weir batch");
}

#[test]
fn tumble_weir_batch_equals_dd_baseline_and_fold() {
    let events = 100_000;
    let fold = tumble_fold(&bids(events));
    let windows: std::collections::BTreeSet<i64> = fold.keys().map(|r| r.start).collect();
    assert!(windows.len() >= 2, "{windows:?}");
    let dd = multiset(window_rows("window-tumble", events, 2, TPS).unwrap());
    assert_eq!(dd, fold, "dd baseline");
    assert_eq!(weir("window-tumble", events, RuntimeMode::Batch), fold, "weir batch");
}

/// Streaming mode (the event-time window path) gives the fold's counts too. It caught
/// `COUNT(*)` as the only aggregate coming out 0 on the general aggregate path.
#[test]
fn tumble_weir_streaming_equals_fold() {
    let events = 100_000;
    let fold = tumble_fold(&bids(events));
    assert_eq!(weir("window-tumble", events, RuntimeMode::Streaming), fold, "weir streaming");
}
