//! Event time end to end: window aggregates (TUMBLE, HOP, CUMULATE) over a bounded CSV input
//! with a watermarked timestamp column, checked against a plain Rust fold. Streaming mode must
//! give the batch result with no retractions, whatever the arrival order within the
//! out-of-orderness bound and the worker count. Rows behind the watermark count in windows
//! that have not fired yet and are dropped from those that have, and counted as late once
//! dropped from all (Flink's rule);
//! `table.exec.emit.allow-lateness` re-fires windows for rows late by less than it.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use weir_core::plan::{RuntimeMode, parse_job_spec, validate, validate_with_functions};
use weir_core::runtime::{RunOptions, run_job};
use weir_core::types::{Row, RowKind, Value};
use weir_core::udf::UserFunctions;

mod common;
use common::final_rows;

/// 2023-01-01 00:00:00 UTC in epoch ms (a multiple of every window size used here).
const BASE: i64 = 1_672_531_200_000;
/// The declared out-of-orderness.
const DELAY_MS: u64 = 1000;

/// One input event: key, value, event time (epoch ms).
type Event = (i64, i64, i64);

/// 60 events 250 ms apart, keys 0..3.
fn events() -> Vec<Event> {
    (0..60).map(|i| (i % 3, i * 10 + 1, BASE + i * 250)).collect()
}

/// The same events, each run of four reversed: out of order by at most 750 ms < the bound.
fn shuffled(events: &[Event]) -> Vec<Event> {
    events.chunks(4).flat_map(|c| c.iter().rev().copied()).collect()
}

fn timestamp(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let t = chrono::DateTime::from_timestamp(secs, 0).expect("valid time");
    format!("{}.{:03}", t.format("%Y-%m-%d %H:%M:%S"), ms.rem_euclid(1000))
}

/// A window as in the job spec, with the parameters a reference fold needs.
#[derive(Clone, Copy)]
struct Windows {
    kind: &'static str,
    size: i64,
    every: i64,
}

impl Windows {
    fn json(&self) -> serde_json::Value {
        let mut w = serde_json::json!({"kind": "window", "id": "w", "input": "events", "window": self.kind, "time_column": "ts", "size_ms": self.size});
        match self.kind {
            "hop" => w["slide_ms"] = self.every.into(),
            "cumulate" => w["step_ms"] = self.every.into(),
            _ => {}
        }
        w
    }

    /// The windows holding `ts`, by brute force over candidate starts and ends.
    fn of(&self, ts: i64) -> Vec<(i64, i64)> {
        let mut out = Vec::new();
        let first = (ts - self.size).div_euclid(self.every) * self.every;
        for start in (first..=ts).step_by(self.every as usize) {
            match self.kind {
                "tumble" | "hop" if start % self.every == 0 && start <= ts && ts < start + self.size => out.push((start, start + self.size)),
                "cumulate" if start.rem_euclid(self.size) == 0 && start <= ts => {
                    let mut end = start + self.every;
                    while end <= start + self.size {
                        if ts < end {
                            out.push((start, end));
                        }
                        end += self.every;
                    }
                }
                _ => {}
            }
        }
        out
    }
}

const WINDOWS: [Windows; 3] = [
    Windows { kind: "tumble", size: 2000, every: 2000 },
    Windows { kind: "hop", size: 3000, every: 1000 },
    Windows { kind: "cumulate", size: 4000, every: 1000 },
];

/// COUNT(*) and SUM(v) per window and key: the rows the job must produce.
fn reference(windows: Windows, events: &[Event]) -> Vec<Row> {
    let all: Vec<(Event, (i64, i64))> = events.iter().flat_map(|&e| windows.of(e.2).into_iter().map(move |w| (e, w))).collect();
    fold(&all)
}

/// Which (event, window) pairs a streaming run counts, and how many it drops as late, when
/// `events` arrive in this order, by Flink's rule (watermarks emitted per row, Flink SQL's
/// `'scan.watermark.emit.strategy' = 'on-event'`): the watermark is `W = max(ts) - delay` over
/// the rows before; a window `[start, end)` fires when `W >= end - 1` and stays open `lateness`
/// ms longer; a row counts in each of its windows still open when it arrives, and is counted
/// as late (dropped) when none of its windows is.
/// Events with the window (start, end) each counts in.
type WindowedEvents = Vec<(Event, (i64, i64))>;

fn on_time_pairs(windows: Windows, events: &[Event], lateness: i64) -> (WindowedEvents, u64) {
    let (mut watermark, mut kept, mut late) = (i64::MIN, Vec::new(), 0);
    for &e in events {
        let open: Vec<(i64, i64)> = windows.of(e.2).into_iter().filter(|&(_, end)| watermark < end - 1 + lateness).collect();
        if open.is_empty() {
            late += 1;
        }
        kept.extend(open.into_iter().map(|w| (e, w)));
        watermark = watermark.max(e.2 - DELAY_MS as i64);
    }
    (kept, late)
}

/// COUNT(*) and SUM(v) per window and key of the (event, window) pairs `pairs`.
fn fold(pairs: &[(Event, (i64, i64))]) -> Vec<Row> {
    let mut groups: BTreeMap<(i64, i64, i64), (i64, i64)> = BTreeMap::new();
    for &((k, v, _), (start, end)) in pairs {
        let g = groups.entry((start, end, k)).or_default();
        g.0 += 1;
        g.1 += v;
    }
    let mut rows: Vec<Row> = groups
        .into_iter()
        .map(|((s, e, k), (n, sum))| Row::new(vec![Value::Timestamp(s), Value::Timestamp(e), Value::BigInt(k), Value::BigInt(n), Value::BigInt(sum)]))
        .collect();
    rows.sort();
    rows
}

/// What a run produced: the sink's changelog and the late-record count.
struct Run {
    changes: Vec<(RowKind, Row)>,
    late: u64,
}

fn run(windows: Windows, events: &[Event], mode: RuntimeMode, workers: usize) -> Run {
    run_with(windows, events, mode, workers, serde_json::json!({}))
}

fn run_with(windows: Windows, events: &[Event], mode: RuntimeMode, workers: usize, config: serde_json::Value) -> Run {
    let aggregates = serde_json::json!([{"name": "n", "function": "count"}, {"name": "s", "function": "sum", "args": [{"column": "v"}]}]);
    run_aggregates(windows, events, mode, workers, config, aggregates)
}

fn run_aggregates(windows: Windows, events: &[Event], mode: RuntimeMode, workers: usize, config: serde_json::Value, aggregates: serde_json::Value) -> Run {
    run_ticked(windows, events, mode, workers, config, aggregates, 1)
}

/// COUNT(*) built in and SUM(v) as a user aggregate (`common::UserSum`), the columns of
/// [`fold`].
fn run_user_sum(windows: Windows, events: &[Event], workers: usize, config: serde_json::Value) -> Run {
    let aggregates = serde_json::json!({"aggregates": [{"name": "n", "function": "count"}],
        "user_aggregates": [{"name": "s", "function": "user_sum", "args": [{"column": "v"}]}]});
    run_ticked(windows, events, RuntimeMode::Streaming, workers, config, aggregates, 1)
}

fn run_ticked(
    windows: Windows,
    events: &[Event],
    mode: RuntimeMode,
    workers: usize,
    config: serde_json::Value,
    aggregates: serde_json::Value,
    tick_ms: u64,
) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("events.csv");
    let mut file = std::fs::File::create(&path).expect("create input");
    for &(k, v, ts) in events {
        writeln!(file, "{k},{v},{}", timestamp(ts)).expect("write input");
    }
    drop(file);
    let mut spec = serde_json::json!({"config": config, "nodes": [
        {"kind": "source", "id": "events", "connector": "filesystem",
         "options": {"path": path.to_string_lossy(), "format": "csv"},
         "schema": [{"name": "k", "type": "BIGINT"}, {"name": "v", "type": "BIGINT"}, {"name": "ts", "type": "TIMESTAMP(3)"}],
         "watermark": {"column": "ts", "delay_ms": DELAY_MS}},
        windows.json(),
        {"kind": "aggregate", "id": "agg", "input": "w",
         "group_by": [{"name": "window_start", "expr": {"column": "window_start"}}, {"name": "window_end", "expr": {"column": "window_end"}},
                      {"name": "k", "expr": {"column": "k"}}],
         "aggregates": aggregates},
        {"kind": "sink", "id": "out", "input": "agg", "connector": "collect"}
    ]});
    // `aggregates` is the list of built-in ones, or the node's aggregate fields.
    if let Some(fields) = aggregates.as_object() {
        spec["nodes"][2].as_object_mut().expect("an object").extend(fields.clone());
    }
    let spec = parse_job_spec(&spec.to_string()).unwrap_or_else(|e| panic!("bad spec: {e}"));
    let mut functions = UserFunctions::new();
    functions.register_aggregate(Arc::new(common::UserSum));
    let plan = validate_with_functions(&spec, &functions).unwrap_or_else(|e| panic!("invalid plan: {e}"));
    let options = RunOptions { workers: Some(workers), mode: Some(mode), tick_ms, ..RunOptions::default() };
    let outcome = run_job(Arc::new(plan), &options).unwrap_or_else(|e| panic!("job failed: {e}"));
    Run { changes: outcome.collected.get("out").cloned().unwrap_or_default(), late: outcome.late_records }
}

/// The inserted rows of a changelog that must have no retractions, sorted.
fn inserts_only(run: &Run) -> Vec<Row> {
    let mut rows: Vec<Row> = run
        .changes
        .iter()
        .map(|(kind, row)| {
            assert_eq!(*kind, RowKind::Insert, "a window aggregate emits each window once: {kind} {row:?}");
            row.clone()
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn batch_window_aggregates_equal_a_plain_fold() {
    for w in WINDOWS {
        let expected = reference(w, &events());
        assert!(expected.len() > 10, "{}: a meaningful number of windows", w.kind);
        assert_eq!(inserts_only(&run(w, &events(), RuntimeMode::Batch, 1)), expected, "{}", w.kind);
    }
}

#[test]
fn streaming_window_aggregates_emit_the_batch_result_once() {
    for w in WINDOWS {
        let streamed = run(w, &events(), RuntimeMode::Streaming, 1);
        assert_eq!(streamed.late, 0);
        assert_eq!(inserts_only(&streamed), reference(w, &events()), "{}", w.kind);
    }
}

#[test]
fn out_of_order_input_within_the_bound_gives_the_same_result() {
    let events = events();
    for w in WINDOWS {
        let streamed = run(w, &shuffled(&events), RuntimeMode::Streaming, 1);
        assert_eq!(streamed.late, 0, "{}: nothing is late within the bound", w.kind);
        assert_eq!(inserts_only(&streamed), reference(w, &events), "{}", w.kind);
    }
}

/// The on-time events followed by rows behind the watermark (BASE + 13 750 ms after the last
/// event, BASE + 14 750 ms): one far behind, whose windows have all fired; one whose tumbling
/// window has fired but some HOP windows have not; two whose windows are all still open; one
/// exactly at the watermark.
fn with_late_rows() -> Vec<Event> {
    let mut input = events();
    input.extend([(0, 1000, BASE), (0, 500, BASE + 11_900), (1, 1000, BASE + 13_000), (2, 1000, BASE + 13_749), (2, 7, BASE + 13_750)]);
    input
}

#[test]
fn late_rows_count_in_open_windows_and_are_dropped_and_counted_from_fired_ones() {
    let input = with_late_rows();
    for w in WINDOWS {
        let (kept, late) = on_time_pairs(w, &input, 0);
        assert!(late >= 1 && kept.iter().any(|(e, _)| e.2 == BASE + 13_000), "{}: the input has rows of both kinds", w.kind);
        let streamed = run(w, &input, RuntimeMode::Streaming, 1);
        assert_eq!(streamed.late, late, "{}", w.kind);
        assert_eq!(inserts_only(&streamed), fold(&kept), "{}", w.kind);
        // Batch mode has no lateness: every row counts.
        let batch = run(w, &input, RuntimeMode::Batch, 1);
        assert_eq!((batch.late, inserts_only(&batch)), (0, reference(w, &input)), "{}", w.kind);
    }
}

#[test]
fn allowed_lateness_re_fires_windows_for_late_rows_within_it() {
    let input = with_late_rows();
    let lateness = 2000;
    for w in WINDOWS {
        let (kept, late) = on_time_pairs(w, &input, lateness);
        let (kept_without, _) = on_time_pairs(w, &input, 0);
        assert!(kept.len() > kept_without.len() && late > 0, "{}: the lateness matters and does not cover every row", w.kind);
        let streamed = run_with(w, &input, RuntimeMode::Streaming, 1, serde_json::json!({"table.exec.emit.allow-lateness": "2 s"}));
        assert_eq!(streamed.late, late, "{}", w.kind);
        assert_eq!(final_rows(&streamed.changes), fold(&kept), "{}", w.kind);
        assert!(streamed.changes.iter().any(|(kind, _)| *kind == RowKind::UpdateBefore), "{}: a window fired again: {:?}", w.kind, streamed.changes);
        // Without late rows nothing fires twice.
        let on_time = run_with(w, &events(), RuntimeMode::Streaming, 1, serde_json::json!({"table.exec.emit.allow-lateness": "2 s"}));
        assert_eq!(inserts_only(&on_time), reference(w, &events()), "{}", w.kind);
    }
}

/// Flink's rule at its boundary (issue 14), whatever Weir's tick: with `WATERMARK FOR ts AS ts -
/// INTERVAL '1' SECOND` the watermark is `W = max(ts) - 1000`, and the tumbling window
/// `[0, 2000)` (times after BASE) fires when `W >= 1999`, i.e. once a row at 2999 has been
/// read, not later. A row of it arriving at `W = 1998` still counts; one arriving at
/// `W = 1999` is dropped and counted as late.
#[test]
fn windows_fire_when_the_watermark_reaches_end_minus_one_whatever_the_tick() {
    let input: Vec<Event> = [100, 500, 2_998, 1_600, 2_999, 1_700, 6_000].iter().map(|&t| (0, 1, BASE + t)).collect();
    let tumble = WINDOWS[0];
    // [0, 2000): 100, 500, 1600; [2000, 4000): 2998, 2999; [6000, 8000): 6000. 1700 is late.
    let expected = vec![
        Row::new(vec![Value::Timestamp(BASE), Value::Timestamp(BASE + 2000), Value::BigInt(0), Value::BigInt(3), Value::BigInt(3)]),
        Row::new(vec![Value::Timestamp(BASE + 2000), Value::Timestamp(BASE + 4000), Value::BigInt(0), Value::BigInt(2), Value::BigInt(2)]),
        Row::new(vec![Value::Timestamp(BASE + 6000), Value::Timestamp(BASE + 8000), Value::BigInt(0), Value::BigInt(1), Value::BigInt(1)]),
    ];
    let (kept, late) = on_time_pairs(tumble, &input, 0);
    assert_eq!((fold(&kept), late), (expected.clone(), 1), "the reference follows the rule");
    let aggregates = serde_json::json!([{"name": "n", "function": "count"}, {"name": "s", "function": "sum", "args": [{"column": "v"}]}]);
    for tick in [1, 200, 1000] {
        let streamed = run_ticked(tumble, &input, RuntimeMode::Streaming, 1, serde_json::json!({}), aggregates.clone(), tick);
        assert_eq!((inserts_only(&streamed), streamed.late), (expected.clone(), 1), "tick {tick} ms");
    }
}

/// A watermark passing the windows of more keys than the keyed operator fires in one
/// activation (it yields after a few thousand results and resumes), with rows behind and ahead
/// of it in the input: the same windows, and the same late rows, as firing them all at once.
#[test]
fn a_watermark_passing_thousands_of_windows_gives_what_firing_them_at_once_does() {
    let mut input: Vec<Event> = (0..6000).map(|k| (k, k + 1, BASE + 100 + k % 1000)).collect();
    input.extend([(1, 5, BASE + 10_000), (7, 1000, BASE + 500), (3, 9, BASE + 9_500), (2, 4, BASE + 12_000)]);
    for w in WINDOWS {
        let (kept, late) = on_time_pairs(w, &input, 0);
        assert!(late == 1 && kept.len() > 6000, "{}: one row behind the watermark, the rest on time", w.kind);
        for workers in [1, 2] {
            let streamed = run(w, &input, RuntimeMode::Streaming, workers);
            assert_eq!((inserts_only(&streamed), streamed.late), (fold(&kept), late), "{} on {workers} workers", w.kind);
        }
    }
}

#[test]
fn an_invalid_allowed_lateness_names_the_setting() {
    let spec = serde_json::json!({"config": {"table.exec.emit.allow-lateness": "soon"}, "nodes": [
        {"kind": "source", "id": "s", "connector": "datagen", "options": {"number-of-rows": "1"}, "schema": [{"name": "x", "type": "BIGINT"}]},
        {"kind": "sink", "id": "out", "input": "s", "connector": "collect"}]});
    let spec = parse_job_spec(&spec.to_string()).unwrap_or_else(|e| panic!("bad spec: {e}"));
    let error = validate(&spec).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(error.contains("table.exec.emit.allow-lateness") && error.contains("lateness"), "{error}");
}

#[test]
fn one_and_four_workers_agree() {
    let events = shuffled(&events());
    for w in WINDOWS {
        for mode in [RuntimeMode::Batch, RuntimeMode::Streaming] {
            let one = inserts_only(&run(w, &events, mode, 1));
            let four = inserts_only(&run(w, &events, mode, 4));
            assert_eq!(one, four, "{} {mode:?}", w.kind);
        }
    }
}

#[test]
fn distinct_filtered_and_averaged_window_aggregates_stream_the_batch_result() {
    let aggregates = serde_json::json!([
        {"name": "d", "function": "count", "distinct": true, "args": [{"call": {"function": "%", "args": [{"column": "v"}, {"literal": 7}]}}]},
        {"name": "big", "function": "sum", "args": [{"column": "v"}], "filter": {"call": {"function": ">", "args": [{"column": "v"}, {"literal": 300}]}}},
        {"name": "a", "function": "avg", "args": [{"column": "v"}]},
        {"name": "lo", "function": "min", "args": [{"column": "v"}]},
        {"name": "hi", "function": "max", "args": [{"column": "v"}]}]);
    for w in WINDOWS {
        let batch = run_aggregates(w, &events(), RuntimeMode::Batch, 1, serde_json::json!({}), aggregates.clone());
        let streamed = run_aggregates(w, &shuffled(&events()), RuntimeMode::Streaming, 2, serde_json::json!({}), aggregates.clone());
        assert!(batch.changes.len() > 10, "{}", w.kind);
        assert_eq!(inserts_only(&streamed), inserts_only(&batch), "{}", w.kind);
    }
}

#[cfg(feature = "rocksdb")]
#[test]
fn the_rocksdb_backend_gives_the_same_window_results() {
    let input = with_late_rows();
    for w in WINDOWS {
        let config = |backend: &str| serde_json::json!({"table.exec.emit.allow-lateness": "2 s", "state.backend.type": backend});
        let memory = run_with(w, &input, RuntimeMode::Streaming, 2, config("hashmap"));
        let rocksdb = run_with(w, &input, RuntimeMode::Streaming, 2, config("rocksdb"));
        assert_eq!(final_rows(&rocksdb.changes), final_rows(&memory.changes), "{}", w.kind);
        assert_eq!(rocksdb.late, memory.late, "{}", w.kind);
    }
}

/// How many (event, window) pairs of `events` a run drops, when it keeps `kept`.
fn dropped_copies(windows: Windows, events: &[Event], kept: &WindowedEvents) -> u64 {
    let all: usize = events.iter().map(|e| windows.of(e.2).len()).sum();
    (all - kept.len()) as u64
}

/// Python window aggregates (here a user SUM beside a built-in COUNT) run on keyed state when
/// the job's state must be durable (checkpoints, a TTL) and on the arrangement otherwise: both give
/// the plain fold, drop the same late rows, and re-fire the same windows within an allowed
/// lateness, whatever the arrival order or the worker count. Both read the window table
/// function's rows, one per row and window, so they count a late row once per window it is
/// dropped from (the sliced HOP and CUMULATE aggregates count it once, when dropped from all).
#[test]
fn python_window_aggregates_on_keyed_state_equal_the_arrangement_and_the_fold() {
    let input = with_late_rows();
    for w in WINDOWS {
        let mut arranged = None;
        let checkpoints = tempfile::tempdir().expect("temp dir");
        let checkpointing = serde_json::json!({"execution.checkpointing.interval": "10 ms", "execution.checkpointing.dir": checkpoints.path()});
        for durable in [serde_json::json!({}), checkpointing, serde_json::json!({"table.exec.state.ttl": "1 h"})] {
            for (workers, events) in [(1, events()), (2, shuffled(&events())), (1, input.clone())] {
                let streamed = run_user_sum(w, &events, workers, durable.clone());
                let (kept, _) = on_time_pairs(w, &events, 0);
                assert_eq!((streamed.late, inserts_only(&streamed)), (dropped_copies(w, &events, &kept), fold(&kept)), "{} {durable} {workers}", w.kind);
            }
            let mut config = durable.clone();
            config["table.exec.emit.allow-lateness"] = "2 s".into();
            let late = run_user_sum(w, &input, 1, config);
            let (kept, _) = on_time_pairs(w, &input, 2000);
            assert_eq!((late.late, final_rows(&late.changes)), (dropped_copies(w, &input, &kept), fold(&kept)), "{} {durable}", w.kind);
            let mut changes = late.changes.clone();
            changes.sort();
            assert_eq!(*arranged.get_or_insert_with(|| changes.clone()), changes, "{} {durable}: the arrangement's changelog", w.kind);
        }
    }
}
