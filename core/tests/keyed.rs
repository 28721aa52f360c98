//! Keyed event-time operators end to end — SESSION windows, OVER aggregates (ROWS and RANGE
//! frames) and interval joins — over a watermarked CSV input, each checked against a plain
//! Rust computation. Streaming mode must give the batch result, whatever the arrival order
//! within the out-of-orderness bound and the worker count, with the in-memory and the RocksDB
//! state backends alike. Rows behind the watermark are dropped and counted where their result
//! has gone out, and taken where it has not (a session still open).

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use serde_json::{Value as Json, json};
use weir_core::plan::{RuntimeMode, parse_job_spec, validate};
use weir_core::runtime::{RunOptions, run_job};
use weir_core::types::{Row, RowKind, Value};

/// 2023-01-01 00:00:00 UTC in epoch ms.
const BASE: i64 = 1_672_531_200_000;
const DELAY_MS: u64 = 1000;
const GAP_MS: i64 = 1000;

/// One input event: key, value, event time (epoch ms).
type Event = (i64, i64, i64);

/// 120 events 250 ms apart over keys 0..3 (so 750 ms apart within a key), with a 3 s pause
/// after every 20: each key's rows form sessions of about seven rows.
fn events() -> Vec<Event> {
    (0..120).map(|i| (i % 3, (i * 37) % 101, BASE + i * 250 + (i / 20) * 3000)).collect()
}

/// The same events, each run of four reversed: out of order by at most 750 ms < the bound.
fn shuffled(events: &[Event]) -> Vec<Event> {
    events.chunks(4).flat_map(|c| c.iter().rev().copied()).collect()
}

fn timestamp(ms: i64) -> String {
    let t = chrono::DateTime::from_timestamp(ms.div_euclid(1000), 0).expect("valid time");
    format!("{}.{:03}", t.format("%Y-%m-%d %H:%M:%S"), ms.rem_euclid(1000))
}

fn ts(ms: i64) -> Value {
    Value::Timestamp(ms)
}

/// A source node `id` reading `events` from a CSV file in `dir`, with a watermark on `ts`.
fn source(dir: &std::path::Path, id: &str, events: &[Event]) -> Json {
    let path = dir.join(format!("{id}.csv"));
    let mut file = std::fs::File::create(&path).expect("create input");
    for &(k, v, t) in events {
        writeln!(file, "{k},{v},{}", timestamp(t)).expect("write input");
    }
    json!({"kind": "source", "id": id, "connector": "filesystem",
           "options": {"path": path.to_string_lossy(), "format": "csv"},
           "schema": [{"name": "k", "type": "BIGINT"}, {"name": "v", "type": "BIGINT"}, {"name": "ts", "type": "TIMESTAMP(3)"}],
           "watermark": {"column": "ts", "delay_ms": DELAY_MS}})
}

/// Runs the job of `nodes` (plus a `collect` sink `out` reading `last`) and returns the rows
/// it inserted, sorted; any retraction fails the test (these operators only append).
fn run(nodes: Vec<Json>, last: &str, mode: RuntimeMode, workers: usize, config: &[(&str, &str)]) -> Vec<Row> {
    let (rows, late) = run_counting_late(nodes, last, mode, workers, config);
    assert_eq!(late, 0, "nothing is late within the bound");
    rows
}

/// [`run`], returning the number of rows dropped as late too.
fn run_counting_late(nodes: Vec<Json>, last: &str, mode: RuntimeMode, workers: usize, config: &[(&str, &str)]) -> (Vec<Row>, u64) {
    let mut nodes = nodes;
    nodes.push(json!({"kind": "sink", "id": "out", "input": last, "connector": "collect"}));
    let config: BTreeMap<_, _> = config.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let spec = json!({"config": config, "nodes": nodes});
    let spec = parse_job_spec(&spec.to_string()).unwrap_or_else(|e| panic!("bad spec: {e}"));
    let plan = validate(&spec).unwrap_or_else(|e| panic!("invalid plan: {e}"));
    let options = RunOptions { workers: Some(workers), mode: Some(mode), tick_ms: 1, ..RunOptions::default() };
    let outcome = run_job(Arc::new(plan), &options).unwrap_or_else(|e| panic!("job failed: {e}"));
    let mut rows: Vec<Row> = outcome
        .collected
        .get("out")
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|(kind, row)| {
            assert_eq!(kind, RowKind::Insert, "append-only output: {kind} {row:?}");
            row
        })
        .collect();
    rows.sort();
    (rows, outcome.late_records)
}

/// A job kind under test: its nodes over the events, and its expected rows.
struct Case {
    name: &'static str,
    nodes: fn(&std::path::Path, &[Event]) -> Vec<Json>,
    expected: fn(&[Event]) -> Vec<Row>,
}

fn session_nodes(dir: &std::path::Path, events: &[Event]) -> Vec<Json> {
    vec![
        source(dir, "events", events),
        json!({"kind": "window", "id": "w", "input": "events", "window": "session", "time_column": "ts", "gap_ms": GAP_MS, "partition_by": ["k"]}),
        json!({"kind": "aggregate", "id": "last", "input": "w",
               "group_by": [{"name": "window_start", "expr": {"column": "window_start"}}, {"name": "window_end", "expr": {"column": "window_end"}},
                            {"name": "k", "expr": {"column": "k"}}],
               "aggregates": [{"name": "n", "function": "count"}, {"name": "s", "function": "sum", "args": [{"column": "v"}]}]}),
    ]
}

/// Each key's `(time, value)` pairs in time order.
fn by_key(events: &[Event]) -> BTreeMap<i64, Vec<(i64, i64)>> {
    let mut by_key: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
    for &(k, v, t) in events {
        by_key.entry(k).or_default().push((t, v));
    }
    by_key.values_mut().for_each(|list| list.sort());
    by_key
}

/// Sessions per key: rows at most the gap apart (Flink merges windows that touch).
fn session_expected(events: &[Event]) -> Vec<Row> {
    let mut rows = Vec::new();
    for (k, list) in by_key(events) {
        let mut i = 0;
        while i < list.len() {
            let (start, mut last, mut n, mut sum) = (list[i].0, list[i].0, 0, 0);
            while i < list.len() && list[i].0 <= last + GAP_MS {
                last = list[i].0;
                n += 1;
                sum += list[i].1;
                i += 1;
            }
            rows.push(Row::new(vec![ts(start), ts(last + GAP_MS), Value::BigInt(k), Value::BigInt(n), Value::BigInt(sum)]));
        }
    }
    rows.sort();
    rows
}

fn over_nodes(unit: &str, preceding: i64, dir: &std::path::Path, events: &[Event]) -> Vec<Json> {
    vec![
        source(dir, "events", events),
        json!({"kind": "over", "id": "last", "input": "events", "partition_by": [{"column": "k"}], "order_by": "ts",
               "frame": {"unit": unit, "preceding": preceding},
               "aggregates": [{"name": "s", "function": "sum", "args": [{"column": "v"}]}, {"name": "n", "function": "count"},
                              {"name": "hi", "function": "max", "args": [{"column": "v"}]}]}),
    ]
}

/// Each event followed by SUM, COUNT and MAX over the rows of its key that `in_frame` keeps.
fn over_expected(events: &[Event], in_frame: impl Fn(&[(i64, i64)], usize, usize) -> bool) -> Vec<Row> {
    let mut rows = Vec::new();
    for (k, list) in by_key(events) {
        for (i, &(t, v)) in list.iter().enumerate() {
            let frame: Vec<i64> = (0..list.len()).filter(|&j| in_frame(&list, i, j)).map(|j| list[j].1).collect();
            let max = frame.iter().copied().max().unwrap_or_default();
            rows.push(Row::new(vec![
                Value::BigInt(k),
                Value::BigInt(v),
                ts(t),
                Value::BigInt(frame.iter().sum()),
                Value::BigInt(frame.len() as i64),
                Value::BigInt(max),
            ]));
        }
    }
    rows.sort();
    rows
}

fn interval_nodes(dir: &std::path::Path, events: &[Event]) -> Vec<Json> {
    vec![
        source(dir, "l", events),
        source(dir, "r", events),
        json!({"kind": "interval_join", "id": "last", "left": "l", "right": "r", "left_keys": [{"column": "k"}], "right_keys": [{"column": "k"}],
               "left_time": "ts", "right_time": "ts", "lower_ms": -500, "upper_ms": 1500,
               "condition": {"call": {"function": "<>", "args": [{"column": "v"}, {"column": "v0"}]}}}),
    ]
}

fn interval_expected(events: &[Event]) -> Vec<Row> {
    let mut rows = Vec::new();
    for &(lk, lv, lt) in events {
        for &(rk, rv, rt) in events {
            if lk == rk && (-500..=1500).contains(&(rt - lt)) && lv != rv {
                rows.push(Row::new(vec![Value::BigInt(lk), Value::BigInt(lv), ts(lt), Value::BigInt(rk), Value::BigInt(rv), ts(rt)]));
            }
        }
    }
    rows.sort();
    rows
}

/// An outer interval join of the events with themselves: a row joins the next rows of its key
/// up to 800 ms later (not itself), so the last row before each pause joins nothing.
fn outer_interval_nodes(join_type: &str, dir: &std::path::Path, events: &[Event]) -> Vec<Json> {
    vec![
        source(dir, "l", events),
        source(dir, "r", events),
        json!({"kind": "interval_join", "id": "last", "left": "l", "right": "r", "left_keys": [{"column": "k"}], "right_keys": [{"column": "k"}],
               "left_time": "ts", "right_time": "ts", "lower_ms": 0, "upper_ms": 800, "join_type": join_type,
               "condition": {"call": {"function": "<>", "args": [{"column": "v"}, {"column": "v0"}]}}}),
    ]
}

fn outer_interval_expected(events: &[Event], left_outer: bool, right_outer: bool) -> Vec<Row> {
    let joins = |l: &Event, r: &Event| l.0 == r.0 && (0..=800).contains(&(r.2 - l.2)) && l.1 != r.1;
    let values = |e: &Event| vec![Value::BigInt(e.0), Value::BigInt(e.1), ts(e.2)];
    let nulls = || vec![Value::Null; 3];
    let mut rows = Vec::new();
    for l in events {
        for r in events.iter().filter(|r| joins(l, r)) {
            rows.push(Row::new([values(l), values(r)].concat()));
        }
        if left_outer && !events.iter().any(|r| joins(l, r)) {
            rows.push(Row::new([values(l), nulls()].concat()));
        }
    }
    for r in events.iter().filter(|r| right_outer && !events.iter().any(|l| joins(l, r))) {
        rows.push(Row::new([nulls(), values(r)].concat()));
    }
    rows.sort();
    rows
}

/// Nexmark q5's shape: per 2 s window the keys with the most rows — a window aggregate, a
/// window aggregate over it, and a window join of the two on the window bounds.
fn hot_keys_nodes(dir: &std::path::Path, events: &[Event]) -> Vec<Json> {
    let col = |c: &str| json!({"name": c, "expr": {"column": c}});
    vec![
        source(dir, "events", events),
        json!({"kind": "window", "id": "w", "input": "events", "window": "tumble", "time_column": "ts", "size_ms": 2000}),
        json!({"kind": "aggregate", "id": "counts", "input": "w", "group_by": [col("window_start"), col("window_end"), col("k")],
               "aggregates": [{"name": "n", "function": "count"}]}),
        json!({"kind": "aggregate", "id": "most", "input": "counts", "group_by": [col("window_start"), col("window_end")],
               "aggregates": [{"name": "maxn", "function": "max", "args": [{"column": "n"}]}]}),
        json!({"kind": "join", "id": "j", "left": "counts", "right": "most",
               "left_keys": [{"column": "window_start"}, {"column": "window_end"}], "right_keys": [{"column": "window_start"}, {"column": "window_end"}],
               "condition": {"call": {"function": ">=", "args": [{"column": "n"}, {"column": "maxn"}]}}}),
        json!({"kind": "project", "id": "last", "input": "j", "columns": [col("window_start"), col("k"), col("n")]}),
    ]
}

fn hot_keys_expected(events: &[Event]) -> Vec<Row> {
    let mut counts: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    for &(k, _, t) in events {
        *counts.entry((t - t.rem_euclid(2000), k)).or_default() += 1;
    }
    let mut most: BTreeMap<i64, i64> = BTreeMap::new();
    for (&(w, _), &n) in &counts {
        let m = most.entry(w).or_default();
        *m = (*m).max(n);
    }
    let mut rows: Vec<Row> =
        counts.iter().filter(|((w, _), n)| most.get(w) == Some(n)).map(|(&(w, k), &n)| Row::new(vec![ts(w), Value::BigInt(k), Value::BigInt(n)])).collect();
    rows.sort();
    rows
}

/// Window Top-N: the two largest values of each 2 s window, with their rank.
fn window_top_nodes(dir: &std::path::Path, events: &[Event]) -> Vec<Json> {
    vec![
        source(dir, "events", events),
        json!({"kind": "window", "id": "w", "input": "events", "window": "tumble", "time_column": "ts", "size_ms": 2000}),
        json!({"kind": "top_n", "id": "last", "input": "w", "partition_by": [{"column": "window_start"}, {"column": "window_end"}],
               "order_by": [{"expr": {"column": "v"}, "descending": true}], "limit": 2, "row_number": "rn"}),
    ]
}

fn window_top_expected(events: &[Event]) -> Vec<Row> {
    let mut windows: BTreeMap<i64, Vec<Event>> = BTreeMap::new();
    for &e in events {
        windows.entry(e.2 - e.2.rem_euclid(2000)).or_default().push(e);
    }
    let mut rows = Vec::new();
    for (start, mut list) in windows {
        list.sort_by_key(|b| std::cmp::Reverse(b.1));
        for (rank, (k, v, t)) in list.into_iter().take(2).enumerate() {
            rows.push(Row::new(vec![Value::BigInt(k), Value::BigInt(v), ts(t), ts(start), ts(start + 2000), ts(start + 1999), Value::BigInt(rank as i64 + 1)]));
        }
    }
    rows.sort();
    rows
}

const CASES: [Case; 8] = [
    Case { name: "left interval join", nodes: |d, e| outer_interval_nodes("left", d, e), expected: |e| outer_interval_expected(e, true, false) },
    Case { name: "full interval join", nodes: |d, e| outer_interval_nodes("full", d, e), expected: |e| outer_interval_expected(e, true, true) },
    Case { name: "window top-n", nodes: window_top_nodes, expected: window_top_expected },
    Case { name: "window join", nodes: hot_keys_nodes, expected: hot_keys_expected },
    Case { name: "session", nodes: session_nodes, expected: session_expected },
    Case { name: "over rows", nodes: |d, e| over_nodes("rows", 2, d, e), expected: |e| over_expected(e, |_, i, j| j <= i && j + 2 >= i) },
    Case {
        name: "over range",
        nodes: |d, e| over_nodes("range", 1000, d, e),
        expected: |e| over_expected(e, |l, i, j| l[j].0 <= l[i].0 && l[j].0 >= l[i].0 - 1000),
    },
    Case { name: "interval join", nodes: interval_nodes, expected: interval_expected },
];

fn check(case: &Case, events: &[Event], mode: RuntimeMode, workers: usize, config: &[(&str, &str)]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let expected = (case.expected)(&self::events());
    assert!(expected.len() > 15, "{}: a meaningful number of rows", case.name);
    let got = run((case.nodes)(dir.path(), events), "last", mode, workers, config);
    assert_eq!(got, expected, "{} ({mode:?}, {workers} workers, {config:?})", case.name);
}

#[test]
fn batch_results_equal_a_plain_computation() {
    for case in &CASES {
        check(case, &events(), RuntimeMode::Batch, 1, &[]);
    }
}

#[test]
fn streaming_gives_the_batch_result_in_any_order_within_the_bound() {
    for case in &CASES {
        check(case, &events(), RuntimeMode::Streaming, 1, &[]);
        check(case, &shuffled(&events()), RuntimeMode::Streaming, 1, &[]);
    }
}

#[test]
fn one_and_three_workers_agree() {
    for case in &CASES {
        check(case, &shuffled(&events()), RuntimeMode::Streaming, 3, &[]);
        check(case, &shuffled(&events()), RuntimeMode::Batch, 3, &[]);
    }
}

#[test]
fn rows_behind_the_watermark_whose_result_went_out_are_dropped_and_counted() {
    // Arrives last, long after every window, session and OVER row of its time has gone out.
    let mut input = events();
    input.push((0, 5, BASE));
    for case in CASES.iter().filter(|c| !c.name.contains("interval join")) {
        let dir = tempfile::tempdir().expect("temp dir");
        let (got, late) = run_counting_late((case.nodes)(dir.path(), &input), "last", RuntimeMode::Streaming, 1, &[]);
        assert_eq!(got, (case.expected)(&events()), "{}", case.name);
        assert!(late >= 1, "{}: the late row is counted", case.name);
    }
}

#[test]
fn a_late_row_joins_a_session_still_open() {
    // The last event is key 2 at BASE + 44 750 (watermark BASE + 43 750); key 2's session
    // holding BASE + 44 000 is still open, and a row 350 ms behind the watermark joins it.
    let mut input = events();
    let behind = (2, 9, BASE + 43_400);
    input.push(behind);
    let dir = tempfile::tempdir().expect("temp dir");
    let (got, late) = run_counting_late(session_nodes(dir.path(), &input), "last", RuntimeMode::Streaming, 1, &[]);
    assert_eq!(late, 0);
    assert_eq!(got, session_expected(&input));
    assert_ne!(session_expected(&input), session_expected(&events()), "the row changes its session");
}

#[cfg(feature = "rocksdb")]
#[test]
fn the_rocksdb_backend_gives_the_same_results() {
    let dir = tempfile::tempdir().expect("temp dir");
    let local = dir.path().to_string_lossy().to_string();
    for case in &CASES {
        check(case, &shuffled(&events()), RuntimeMode::Streaming, 2, &[("state.backend.type", "rocksdb"), ("state.backend.rocksdb.localdir", &local)]);
        check(case, &events(), RuntimeMode::Batch, 2, &[("state.backend.type", "rocksdb")]);
    }
}

#[test]
fn updating_inputs_and_bad_frames_are_rejected_with_their_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut nodes = vec![
        source(dir.path(), "events", &events()),
        json!({"kind": "aggregate", "id": "agg", "input": "events", "group_by": [{"name": "k", "expr": {"column": "k"}}],
               "aggregates": [{"name": "v", "function": "max", "args": [{"column": "v"}]}]}),
        json!({"kind": "over", "id": "o", "input": "agg", "order_by": "k", "frame": {"unit": "rows", "preceding": 1},
               "aggregates": [{"name": "n", "function": "count"}]}),
        json!({"kind": "sink", "id": "out", "input": "o", "connector": "collect"}),
    ];
    let err =
        |nodes: &Vec<Json>| validate(&parse_job_spec(&json!({"nodes": nodes}).to_string()).expect("parses")).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err(&nodes).contains("nodes[2].input") && err(&nodes).contains("append-only"), "{}", err(&nodes));
    nodes[2] = json!({"kind": "over", "id": "o", "input": "events", "order_by": "k", "frame": {"unit": "rows", "preceding": 1}, "aggregates": [{"name": "n", "function": "count"}]});
    assert!(err(&nodes).contains("nodes[2].order_by") && err(&nodes).contains("TIMESTAMP"), "{}", err(&nodes));
    nodes[2] = json!({"kind": "window", "id": "o", "input": "events", "window": "session", "time_column": "ts", "size_ms": 10});
    assert!(err(&nodes).contains("nodes[2].size_ms"), "{}", err(&nodes));
}

/// The most keyed-state entries node `last` held during a streaming run over `n` events
/// 10 ms apart on a hundred keys, read from a CSV file, and the entries it held at the end.
fn peak_state(nodes: fn(&std::path::Path, &[Event]) -> Vec<Json>, n: i64) -> (u64, u64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let events: Vec<Event> = (0..n).map(|i| (i % 100, i % 97, BASE + i * 10)).collect();
    let mut nodes = nodes(dir.path(), &events);
    nodes.push(json!({"kind": "sink", "id": "out", "input": "last", "connector": "blackhole"}));
    let spec = parse_job_spec(&json!({"nodes": nodes}).to_string()).expect("spec parses");
    let plan = validate(&spec).expect("plan validates");
    let options = RunOptions { workers: Some(1), mode: Some(RuntimeMode::Streaming), tick_ms: 1, ..RunOptions::default() };
    let outcome = run_job(Arc::new(plan), &options).expect("job runs");
    let metrics = outcome.metrics.iter().find(|m| m.id == "last").expect("metrics of the stateful node");
    (metrics.peak_state_entries.unwrap_or(u64::MAX), metrics.state_entries.unwrap_or(u64::MAX))
}

#[test]
fn interval_join_session_and_window_state_stays_bounded_on_long_input() {
    const N: i64 = 48_000;
    // A self-join of one source: two sources would race each other (one may read its whole
    // file while the other holds the watermark back), which measures their skew, not the join.
    let interval: fn(&std::path::Path, &[Event]) -> Vec<Json> = |dir, events| {
        vec![
            source(dir, "l", events),
            json!({"kind": "interval_join", "id": "last", "left": "l", "right": "l", "left_keys": [{"column": "k"}], "right_keys": [{"column": "k"}],
                   "left_time": "ts", "right_time": "ts", "lower_ms": 0, "upper_ms": 50}),
        ]
    };
    let sessions: fn(&std::path::Path, &[Event]) -> Vec<Json> = |dir, events| {
        vec![
            source(dir, "events", events),
            json!({"kind": "window", "id": "last", "input": "events", "window": "session", "time_column": "ts", "gap_ms": 50, "partition_by": ["k"]}),
        ]
    };
    // Entries each row would leave behind if nothing expired: an interval join stores a row
    // on both sides (a map entry and a timer each); a session holds a list entry and a timer.
    // Each row is its own group here (five rows per window, distinct keys): a group value and
    // a timer each.
    let tumbling: fn(&std::path::Path, &[Event]) -> Vec<Json> = |dir, events| {
        vec![
            source(dir, "events", events),
            json!({"kind": "window", "id": "w", "input": "events", "window": "tumble", "time_column": "ts", "size_ms": 50}),
            json!({"kind": "aggregate", "id": "last", "input": "w",
                   "group_by": [{"name": "window_start", "expr": {"column": "window_start"}}, {"name": "window_end", "expr": {"column": "window_end"}},
                                {"name": "k", "expr": {"column": "k"}}],
                   "aggregates": [{"name": "n", "function": "count"}]}),
        ]
    };
    // A session aggregate (fused with its SESSION window: the aggregate node holds the state,
    // an accumulator per session instead of its rows).
    let session_aggregate: fn(&std::path::Path, &[Event]) -> Vec<Json> = |dir, events| {
        vec![
            source(dir, "events", events),
            json!({"kind": "window", "id": "w", "input": "events", "window": "session", "time_column": "ts", "gap_ms": 50, "partition_by": ["k"]}),
            json!({"kind": "aggregate", "id": "last", "input": "w",
                   "group_by": [{"name": "k", "expr": {"column": "k"}}, {"name": "window_start", "expr": {"column": "window_start"}}, {"name": "window_end", "expr": {"column": "window_end"}}],
                   "aggregates": [{"name": "n", "function": "count"}, {"name": "s", "function": "sum", "args": [{"column": "v"}]}]}),
        ]
    };
    // A sliced HOP aggregate: a slice per row (rows 10 ms apart, slices of 10 ms) and a timer,
    // kept decoded between batches (counted all the same).
    let hopping: fn(&std::path::Path, &[Event]) -> Vec<Json> = |dir, events| {
        vec![
            source(dir, "events", events),
            json!({"kind": "window", "id": "w", "input": "events", "window": "hop", "time_column": "ts", "size_ms": 50, "slide_ms": 10}),
            json!({"kind": "aggregate", "id": "last", "input": "w",
                   "group_by": [{"name": "window_start", "expr": {"column": "window_start"}}, {"name": "window_end", "expr": {"column": "window_end"}},
                                {"name": "k", "expr": {"column": "k"}}],
                   "aggregates": [{"name": "n", "function": "count"}]}),
        ]
    };
    let cases = [
        ("interval join", interval, 4),
        ("hopping window aggregate", hopping, 2),
        ("session windows", sessions, 2),
        ("tumbling window aggregate", tumbling, 2),
        ("session aggregate", session_aggregate, 2),
    ];
    for (name, nodes, entries_per_row) in cases {
        let (peak, end) = peak_state(nodes, N);
        let never_dropped = entries_per_row * N as u64;
        // The watermark lets the operator drop rows about a second (the out-of-orderness) plus
        // the source's read batches behind; what it holds must not approach the whole input.
        assert!(peak < never_dropped / 2, "{name}: peak {peak} state entries, {never_dropped} if nothing expired");
        assert_eq!(end, 0, "{name}: everything expires at the end of the input");
    }
}

#[test]
fn a_join_of_window_aggregates_on_their_bounds_is_a_window_join() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut nodes = hot_keys_nodes(dir.path(), &events());
    nodes.push(json!({"kind": "sink", "id": "out", "input": "last", "connector": "collect"}));
    let plan = validate(&parse_job_spec(&json!({"nodes": nodes}).to_string()).expect("parses")).expect("validates");
    let node = |id: &str| plan.node(id).unwrap_or_else(|| panic!("no node {id}"));
    assert!(node("most").append_only, "an aggregate over a window aggregate's bounds is a window aggregate");
    assert!(matches!(node("j").op, weir_core::plan::PlanOp::Join { window: Some(_), .. }), "the join is a window join");
    assert!(node("j").append_only);
    let mut nodes = window_top_nodes(dir.path(), &events());
    nodes.push(json!({"kind": "sink", "id": "out", "input": "last", "connector": "collect"}));
    let plan = validate(&parse_job_spec(&json!({"nodes": nodes}).to_string()).expect("parses")).expect("validates");
    let top = plan.node("last").expect("top_n node");
    assert!(matches!(top.op, weir_core::plan::PlanOp::TopN { window_end: Some(_), .. }) && top.append_only, "a Top-N per window is a window Top-N");
}
