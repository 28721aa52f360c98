//! The `stream_window` node (`WindowOperator`) with a Rust window function summing 8-byte
//! integers: tumbling, sliding, session and count windows, incremental accumulators and element
//! lists, lateness. Expected windows are computed from the input by plain folds here
//! (Flink's documented assignment: a window `[start, start + size)` every `slide`; sessions
//! merge when they overlap or touch; count window `i` holds a key's elements `i * slide ..
//! i * slide + size`).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value as Json, json};
use weir_core::expr::EvalError;
use weir_core::plan::{RuntimeMode, parse_job_spec, validate_with_functions};
use weir_core::runtime::{RunOptions, run_job};
use weir_core::types::{DataType, Field, Row, Value};
use weir_core::udf::UserFunctions;
use weir_core::udf::process::ProcessScope;
use weir_core::udf::window::{Fired, UserWindowFunction, Window, WindowContents, WindowInstance, WindowMerges};

/// Sums the elements of a window; emits `(key, start, end, sum, count)`, and `(key, -1, -1,
/// value, 0)` for a late element.
struct Sum(WindowContents);

/// An element: its value as decimal text (the `values` node takes BYTES as text).
fn element(bytes: &[u8]) -> Result<i64, EvalError> {
    std::str::from_utf8(bytes).ok().and_then(|t| t.parse().ok()).ok_or_else(|| EvalError::new("not a number"))
}

fn decode(bytes: &[u8]) -> Result<i64, EvalError> {
    Ok(i64::from_be_bytes(bytes.try_into().map_err(|_| EvalError::new("not 8 bytes"))?))
}

impl UserWindowFunction for Sum {
    fn name(&self) -> &str {
        if self.0 == WindowContents::Accumulator { "sum_acc" } else { "sum_list" }
    }

    fn output(&self) -> Vec<Field> {
        let long = |n: &str| Field::new(n, DataType::BigInt);
        vec![Field::new("k", DataType::String), long("start"), long("end"), long("sum"), long("n")]
    }

    fn output_timestamp(&self) -> Option<usize> {
        None
    }

    fn contents(&self) -> WindowContents {
        self.0
    }

    fn instantiate(&self, _worker: usize, _workers: usize) -> Result<Box<dyn WindowInstance>, EvalError> {
        Ok(Box::new(SumInstance))
    }
}

struct SumInstance;

/// An accumulator: sum and count.
fn acc(sum: i64, n: i64) -> Vec<u8> {
    [sum.to_be_bytes(), n.to_be_bytes()].concat()
}

fn parts(bytes: &[u8]) -> Result<(i64, i64), EvalError> {
    Ok((decode(&bytes[..8])?, decode(&bytes[8..])?))
}

fn emit(scope: &mut dyn ProcessScope, start: i64, end: i64, sum: i64, n: i64) {
    let key = scope.key().get(0).clone();
    scope.emit(Row::new(vec![key, Value::BigInt(start), Value::BigInt(end), Value::BigInt(sum), Value::BigInt(n)]));
}

impl WindowInstance for SumInstance {
    fn accumulate(&mut self, accumulator: Option<&[u8]>, elements: &[Vec<u8>]) -> Result<Vec<u8>, EvalError> {
        let (mut sum, mut n) = accumulator.map_or(Ok((0, 0)), parts)?;
        for e in elements {
            sum += element(e)?;
            n += 1;
        }
        Ok(acc(sum, n))
    }

    fn merge(&mut self, accumulators: &[Vec<u8>]) -> Result<Vec<u8>, EvalError> {
        let (mut sum, mut n) = (0, 0);
        for a in accumulators {
            let (s, c) = parts(a)?;
            sum += s;
            n += c;
        }
        Ok(acc(sum, n))
    }

    fn fire(&mut self, scope: &mut dyn ProcessScope, window: Window, contents: Fired<'_>) -> Result<(), EvalError> {
        let (sum, n) = match contents {
            Fired::Accumulator(a) => parts(a)?,
            Fired::Elements(es) => (es.iter().map(|e| element(e)).sum::<Result<i64, _>>()?, es.len() as i64),
        };
        emit(scope, window.start, window.end, sum, n);
        Ok(())
    }

    /// A user assigner's windows: `[t, t + 40)` for an element at `t`.
    fn assign(&mut self, _scope: &mut dyn ProcessScope, _element: &[u8], timestamp: Option<i64>) -> Result<Vec<Window>, EvalError> {
        let t = timestamp.ok_or_else(|| EvalError::new("no timestamp"))?;
        Ok(vec![Window { start: t, end: t + 40 }])
    }

    /// A merging user assigner merges windows that overlap or touch, as sessions do.
    fn merge_windows(&mut self, _scope: &mut dyn ProcessScope, windows: &[Window]) -> Result<WindowMerges, EvalError> {
        let mut sorted = windows.to_vec();
        sorted.sort();
        let mut groups: Vec<(Vec<Window>, Window)> = Vec::new();
        for w in sorted {
            match groups.last_mut() {
                Some((parts, cover)) if w.start <= cover.end => {
                    parts.push(w);
                    cover.end = cover.end.max(w.end);
                }
                _ => groups.push((vec![w], w)),
            }
        }
        Ok(groups.into_iter().filter(|(parts, _)| parts.len() > 1).collect())
    }

    /// Dynamic session gaps: ten times the element.
    fn session_gap(&mut self, element: &[u8]) -> Result<i64, EvalError> {
        Ok(self::element(element)? * 10)
    }

    fn late(&mut self, scope: &mut dyn ProcessScope, element: &[u8], _timestamp: Option<i64>) -> Result<(), EvalError> {
        emit(scope, -1, -1, self::element(element)?, 0);
        Ok(())
    }

    fn close(&mut self) -> Result<(), EvalError> {
        Ok(())
    }
}

/// `(key, value, ts)` rows, watermarked on `ts`, through a `stream_window` on `workers` workers
/// (the `values` node deals rows to the workers in turn, and each worker's watermark follows
/// its own rows: lateness and count windows' contents are checked on one worker).
fn run(
    rows: &[(&str, i64, i64)],
    assigner: Json,
    lateness: u64,
    contents: WindowContents,
    mode: RuntimeMode,
    workers: usize,
) -> Vec<(String, i64, i64, i64, i64)> {
    let window = json!({"kind": "stream_window", "id": "w", "input": "wm", "key": [{"column": "k"}], "value": "v", "timestamp": "ts",
                        "assigner": assigner, "allowed_lateness_ms": lateness});
    run_window(rows, window, 0, contents, mode, workers)
}

/// `rows` through the `stream_window` node `window` (its function set by `contents`) after a
/// watermark `delay_ms` behind the largest timestamp.
fn run_window(
    rows: &[(&str, i64, i64)],
    mut window: Json,
    delay_ms: i64,
    contents: WindowContents,
    mode: RuntimeMode,
    workers: usize,
) -> Vec<(String, i64, i64, i64, i64)> {
    let values: Vec<Json> = rows.iter().map(|(k, v, ts)| json!([k, v.to_string(), ts])).collect();
    window["function"] = json!(if contents == WindowContents::Accumulator { "sum_acc" } else { "sum_list" });
    let nodes = json!([
        {"kind": "values", "id": "in", "rows": values,
         "schema": [{"name": "k", "type": "STRING"}, {"name": "v", "type": "BYTES"}, {"name": "ts", "type": "BIGINT"}]},
        {"kind": "watermark", "id": "wm", "input": "in", "column": "ts", "delay_ms": delay_ms},
        window,
        {"kind": "sink", "id": "out", "input": "w", "connector": "collect"}]);
    let spec = parse_job_spec(&json!({ "nodes": nodes }).to_string()).expect("spec parses");
    let mut functions = UserFunctions::new();
    functions.register_window(Arc::new(Sum(WindowContents::Accumulator)));
    functions.register_window(Arc::new(Sum(WindowContents::Elements)));
    let plan = Arc::new(validate_with_functions(&spec, &functions).expect("spec validates"));
    let options = RunOptions { workers: Some(workers), mode: Some(mode), tick_ms: 5, ..RunOptions::default() };
    let outcome = run_job(plan, &options).unwrap_or_else(|e| panic!("job failed: {e}"));
    let mut out: Vec<_> = outcome
        .collected
        .get("out")
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|(_, r)| {
            let long = |i: usize| r.get(i).as_i64().unwrap_or(i64::MIN);
            (r.get(0).to_string(), long(1), long(2), long(3), long(4))
        })
        .collect();
    out.sort();
    out
}

/// Input: 300 rows over keys a/b/c, timestamps rising 0..3000 ms, values 1..=7.
fn input() -> Vec<(&'static str, i64, i64)> {
    (0..300).map(|i| (["a", "b", "c"][i % 3], (i % 7) as i64 + 1, (i * 10 + i % 4) as i64)).collect()
}

/// Windows of `size` every `slide`: `(key, start, end, sum, count)` by folding the input.
fn expected_time(rows: &[(&str, i64, i64)], size: i64, slide: i64) -> Vec<(String, i64, i64, i64, i64)> {
    let mut by: BTreeMap<(String, i64), (i64, i64)> = BTreeMap::new();
    for &(k, v, t) in rows {
        let mut start = t - t.rem_euclid(slide);
        while start > t - size {
            let e = by.entry((k.to_string(), start)).or_default();
            e.0 += v;
            e.1 += 1;
            start -= slide;
        }
    }
    by.into_iter().map(|((k, s), (sum, n))| (k, s, s + size, sum, n)).collect()
}

#[test]
fn tumbling_and_sliding_windows_in_both_modes_and_both_contents() {
    let rows = input();
    for contents in [WindowContents::Accumulator, WindowContents::Elements] {
        for mode in [RuntimeMode::Streaming, RuntimeMode::Batch] {
            let tumbling = json!({"kind": "tumbling", "size_ms": 250, "event_time": true});
            assert_eq!(run(&rows, tumbling, 0, contents, mode, 2), expected_time(&rows, 250, 250), "{contents:?} {mode:?}");
            let sliding = json!({"kind": "sliding", "size_ms": 300, "slide_ms": 100, "event_time": true});
            assert_eq!(run(&rows, sliding, 0, contents, mode, 2), expected_time(&rows, 300, 100), "{contents:?} {mode:?}");
        }
    }
}

/// Per key: bursts separated by gaps longer than 40 ms; 1000 and 1040 touch (gap 40).
fn session_input() -> Vec<(&'static str, i64, i64)> {
    let times = [0, 10, 30, 200, 215, 1000, 1040, 1079, 2000];
    times.iter().flat_map(|&t| [("a", 1, t), ("b", 2, t + 5)]).collect()
}

/// Sessions of gap 40 over `rows` (per key, in time order): `(key, start, end, sum, count)`.
fn expected_sessions(rows: &[(&str, i64, i64)]) -> Vec<(String, i64, i64, i64, i64)> {
    let mut by_key: BTreeMap<&str, Vec<(i64, i64)>> = BTreeMap::new();
    for &(k, v, t) in rows {
        by_key.entry(k).or_default().push((t, v));
    }
    let mut expected = Vec::new();
    for (k, mut elements) in by_key {
        elements.sort();
        let mut session: Option<(i64, i64, i64, i64)> = None;
        for (t, v) in elements {
            session = match session {
                Some((s, e, sum, n)) if t <= e => Some((s, e.max(t + 40), sum + v, n + 1)),
                Some((s, e, sum, n)) => {
                    expected.push((k.to_string(), s, e, sum, n));
                    Some((t, t + 40, v, 1))
                }
                None => Some((t, t + 40, v, 1)),
            };
        }
        if let Some((s, e, sum, n)) = session {
            expected.push((k.to_string(), s, e, sum, n));
        }
    }
    expected.sort();
    expected
}

#[test]
fn sessions_merge_when_they_overlap_or_touch() {
    let rows = session_input();
    for contents in [WindowContents::Accumulator, WindowContents::Elements] {
        let sessions = json!({"kind": "session", "gap_ms": 40, "event_time": true});
        assert_eq!(run(&rows, sessions, 0, contents, RuntimeMode::Streaming, 2), expected_sessions(&rows), "{contents:?}");
    }
}

#[test]
fn user_assigners_are_asked_for_windows_and_merges() {
    // The function's assigner gives `[t, t + 40)`; not merging, each timestamp is a window of
    // its own; merging as sessions do, the windows are the sessions of gap 40.
    let rows = session_input();
    let mut own: BTreeMap<(String, i64), (i64, i64)> = BTreeMap::new();
    for &(k, v, t) in &rows {
        let e = own.entry((k.to_string(), t)).or_default();
        e.0 += v;
        e.1 += 1;
    }
    let own: Vec<_> = own.into_iter().map(|((k, t), (sum, n))| (k, t, t + 40, sum, n)).collect();
    for contents in [WindowContents::Accumulator, WindowContents::Elements] {
        let plain = json!({"kind": "user", "event_time": true, "merging": false});
        assert_eq!(run(&rows, plain, 0, contents, RuntimeMode::Streaming, 2), own, "{contents:?}");
        let merging = json!({"kind": "user", "event_time": true, "merging": true});
        assert_eq!(run(&rows, merging, 0, contents, RuntimeMode::Streaming, 2), expected_sessions(&rows), "{contents:?}");
    }
}

#[test]
fn count_windows_fire_when_full() {
    let rows = input();
    for (size, slide) in [(5, 5), (4, 2)] {
        let mut per_key: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
        for &(k, v, _) in &rows {
            per_key.entry(k).or_default().push(v);
        }
        let mut expected = Vec::new();
        for (k, vs) in &per_key {
            let mut i = 0;
            while i * slide + size <= vs.len() {
                let part = &vs[i * slide..i * slide + size];
                expected.push((k.to_string(), i as i64, i64::MAX, part.iter().sum(), size as i64));
                i += 1;
            }
        }
        expected.sort();
        let count = json!({"kind": "count", "size": size, "slide": slide});
        assert_eq!(run(&rows, count, 0, WindowContents::Accumulator, RuntimeMode::Streaming, 1), expected, "count {size} every {slide}");
    }
}

#[test]
fn late_elements_refire_within_the_lateness_and_go_to_the_function_beyond_it() {
    // Window [0, 10) gets 1 and 2; 25 moves the watermark to 24; 5 (value 8) is late by 19 ms;
    // 40 moves it to 39, so 7 (value 32) is late by 32 ms.
    let rows = [("k", 1, 1), ("k", 2, 2), ("k", 4, 25), ("k", 8, 5), ("k", 16, 40), ("k", 32, 7)];
    let tumbling = json!({"kind": "tumbling", "size_ms": 10, "event_time": true});
    let k = || "k".to_string();
    let within = run(&rows, tumbling.clone(), 20, WindowContents::Accumulator, RuntimeMode::Streaming, 1);
    assert_eq!(within, vec![(k(), -1, -1, 32, 0), (k(), 0, 10, 3, 2), (k(), 0, 10, 11, 3), (k(), 20, 30, 4, 1), (k(), 40, 50, 16, 1)]);
    let dropped = run(&rows, tumbling, 0, WindowContents::Elements, RuntimeMode::Streaming, 1);
    assert_eq!(dropped, vec![(k(), -1, -1, 8, 0), (k(), -1, -1, 32, 0), (k(), 0, 10, 3, 2), (k(), 20, 30, 4, 1), (k(), 40, 50, 16, 1)]);
}

#[test]
fn a_window_fired_early_by_a_late_row_fires_again_for_rows_arriving_after() {
    // Two keys' rows interleaved on two workers: "a" rows at even positions go to one worker,
    // where 300 makes the rows at 5 and 6 late (its watermark passed [0, 10)); the other
    // worker's rows for [0, 10) arrive later and must fire the window again, not be lost.
    let rows = [("a", 1, 1), ("a", 2, 2), ("a", 4, 300), ("a", 8, 5), ("a", 16, 6), ("a", 32, 3)];
    let tumbling = json!({"kind": "tumbling", "size_ms": 10, "event_time": true});
    let out = run(&rows, tumbling, 0, WindowContents::Accumulator, RuntimeMode::Streaming, 2);
    let fired: i64 = out.iter().filter(|r| r.1 == 0).map(|r| r.3).sum();
    let late: i64 = out.iter().filter(|r| r.1 == -1).map(|r| r.3).sum();
    // Every element is in a firing or reported late, exactly once.
    assert_eq!(fired + late, 1 + 2 + 8 + 16 + 32, "{out:?}");
}

/// A `stream_window` node with `assigner` and `trigger`, on event time.
fn triggered(assigner: Json, trigger: Json) -> Json {
    json!({"kind": "stream_window", "id": "w", "input": "wm", "key": [{"column": "k"}], "value": "v", "timestamp": "ts",
           "assigner": assigner, "trigger": trigger})
}

/// `(key, window start, sum, count)` of per-key groups of `n` consecutive elements in each
/// tumbling window of `size` (`size` 0: one global window), cumulative or not.
fn count_firings(rows: &[(&str, i64, i64)], size: i64, n: i64, cumulative: bool) -> Vec<(String, i64, i64, i64, i64)> {
    let mut by: BTreeMap<(String, i64), (i64, i64, i64, i64)> = BTreeMap::new();
    let mut out = Vec::new();
    for &(k, v, t) in rows {
        let start = if size == 0 { i64::MIN } else { t - t.rem_euclid(size) };
        let end = if size == 0 { i64::MAX } else { start + size };
        let e = by.entry((k.to_string(), start)).or_default();
        // (sum since purge, count since purge, elements since the last firing)
        e.0 += v;
        e.1 += 1;
        e.2 += 1;
        if e.2 == n {
            out.push((k.to_string(), start, end, e.0, e.1));
            e.2 = 0;
            if !cumulative {
                (e.0, e.1) = (0, 0);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn count_and_purging_triggers_fire_on_counts_not_at_the_window_end() {
    // Flink's CountTrigger replaces the window's EventTimeTrigger: it fires every n elements
    // with the window's contents (kept), PurgingTrigger also drops them; the rest of a window
    // is dropped unfired at its cleanup.
    let rows = input();
    let tumbling = json!({"kind": "tumbling", "size_ms": 250, "event_time": true});
    for contents in [WindowContents::Accumulator, WindowContents::Elements] {
        let count = triggered(tumbling.clone(), json!({"kind": "count", "count": 4}));
        assert_eq!(run_window(&rows, count, 0, contents, RuntimeMode::Streaming, 1), count_firings(&rows, 250, 4, true), "{contents:?}");
        let purging = triggered(tumbling.clone(), json!({"kind": "purging", "trigger": {"kind": "count", "count": 4}}));
        assert_eq!(run_window(&rows, purging, 0, contents, RuntimeMode::Streaming, 1), count_firings(&rows, 250, 4, false), "{contents:?}");
    }
}

#[test]
fn global_windows_fire_only_by_their_trigger() {
    // GlobalWindows + PurgingTrigger(CountTrigger(n)) is Flink's tumbling count window; the
    // default trigger (NeverTrigger) never fires.
    let rows = input();
    let global = json!({"kind": "global"});
    let purging = triggered(global.clone(), json!({"kind": "purging", "trigger": {"kind": "count", "count": 7}}));
    assert_eq!(run_window(&rows, purging, 0, WindowContents::Accumulator, RuntimeMode::Streaming, 1), count_firings(&rows, 0, 7, false));
    let never = json!({"kind": "stream_window", "id": "w", "input": "wm", "key": [{"column": "k"}], "value": "v", "timestamp": "ts", "assigner": global});
    assert_eq!(run_window(&rows, never, 0, WindowContents::Elements, RuntimeMode::Streaming, 1), vec![]);
}

#[test]
fn continuous_event_time_trigger_fires_every_interval_and_at_the_end() {
    // Flink's ContinuousEventTimeTrigger: the first element schedules a firing at the next
    // multiple of the interval, each firing the next one (at most the window's last moment),
    // and the window also fires at its end. The `values` input arrives before its watermark
    // moves (the watermark is the input's frontier), so every firing sees all of its window's
    // elements, as in Flink when a bounded input is read before a periodic watermark goes out.
    let rows: Vec<(&str, i64, i64)> = (0..120).map(|i| (["a", "b"][i % 2], (i % 5) as i64 + 1, (i * 7 + 3) as i64)).collect();
    let (size, interval) = (100, 25);
    let mut expected = Vec::new();
    let mut windows: BTreeMap<(String, i64), Vec<(i64, i64)>> = BTreeMap::new();
    for &(k, v, t) in &rows {
        windows.entry((k.to_string(), t - t.rem_euclid(size))).or_default().push((t, v));
    }
    for ((k, start), elements) in windows {
        let max = start + size - 1;
        let mut fire = (elements[0].0 - elements[0].0.rem_euclid(interval) + interval).min(max);
        loop {
            expected.push((k.clone(), start, start + size, elements.iter().map(|e| e.1).sum(), elements.len() as i64));
            if fire == max {
                break;
            }
            fire = (fire + interval).min(max);
        }
    }
    expected.sort();
    let tumbling = json!({"kind": "tumbling", "size_ms": size, "event_time": true});
    let continuous = triggered(tumbling, json!({"kind": "continuous_event_time", "interval_ms": interval}));
    assert_eq!(run_window(&rows, continuous, 0, WindowContents::Accumulator, RuntimeMode::Streaming, 1), expected);
}

#[test]
fn dynamic_session_gaps_come_from_the_function() {
    // Gap: ten times the element. a: 1@0 -> [0, 10); 3@5 -> [5, 35) merges: [0, 35); 1@40 -> [40, 50);
    // 2@45 -> [45, 65) merges: [40, 65).
    let rows = [("a", 1, 0), ("a", 3, 5), ("a", 1, 40), ("a", 2, 45)];
    let a = || "a".to_string();
    let sessions = json!({"kind": "stream_window", "id": "w", "input": "wm", "key": [{"column": "k"}], "value": "v", "timestamp": "ts",
                          "assigner": {"kind": "dynamic_session", "event_time": true}});
    for contents in [WindowContents::Accumulator, WindowContents::Elements] {
        assert_eq!(run_window(&rows, sessions.clone(), 0, contents, RuntimeMode::Streaming, 1), vec![(a(), 0, 35, 4, 2), (a(), 40, 65, 3, 2)]);
    }
}

#[test]
fn merging_sessions_add_their_count_triggers_counts() {
    // Gap 60: [0, 60) and [100, 160) hold one element each; 50 joins them into [0, 160) with
    // three: CountTrigger(3) fires once, its count merged (Flink's CountTrigger.onMerge).
    let rows = [("a", 1, 0), ("a", 2, 100), ("a", 4, 50)];
    let sessions = json!({"kind": "session", "gap_ms": 60, "event_time": true});
    let count = triggered(sessions, json!({"kind": "count", "count": 3}));
    for contents in [WindowContents::Accumulator, WindowContents::Elements] {
        assert_eq!(run_window(&rows, count.clone(), 100, contents, RuntimeMode::Streaming, 1), vec![("a".to_string(), 0, 160, 7, 3)], "{contents:?}");
    }
}

#[test]
fn count_windows_take_a_trigger() {
    // Count window `i` (size 4, every 2) holds a key's elements `2i .. 2i + 4`; CountTrigger(3)
    // fires it once, after its third element, with those three (Flink's CountTrigger resets
    // its count when it fires; the fourth element does not reach 3 again).
    let rows = input();
    let mut per_key: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for &(k, v, _) in &rows {
        per_key.entry(k).or_default().push(v);
    }
    let mut expected = Vec::new();
    for (k, vs) in &per_key {
        let mut i = 0;
        while 2 * i + 3 <= vs.len() {
            expected.push((k.to_string(), i as i64, i64::MAX, vs[2 * i..2 * i + 3].iter().sum(), 3));
            i += 1;
        }
    }
    expected.sort();
    let count = triggered(json!({"kind": "count", "size": 4, "slide": 2}), json!({"kind": "count", "count": 3}));
    for contents in [WindowContents::Accumulator, WindowContents::Elements] {
        assert_eq!(run_window(&rows, count.clone(), 0, contents, RuntimeMode::Streaming, 1), expected, "{contents:?}");
    }
}

#[test]
fn count_and_time_evictors_thin_a_window_as_it_fires() {
    // Flink's CountEvictor(3) keeps a window's last three elements; TimeEvictor(20 ms) those
    // after the newest timestamp minus 20 ms. With either, a reduce-like function sees only
    // those (its elements are kept, not an accumulator).
    let rows = input();
    let mut windows: BTreeMap<(String, i64), Vec<(i64, i64)>> = BTreeMap::new();
    for &(k, v, t) in &rows {
        windows.entry((k.to_string(), t - t.rem_euclid(250))).or_default().push((t, v));
    }
    type Kept<'a> = &'a dyn Fn(&[(i64, i64)]) -> Vec<i64>;
    let fold = |keep: Kept<'_>| -> Vec<(String, i64, i64, i64, i64)> {
        windows.iter().map(|((k, s), es)| (k.clone(), *s, s + 250, keep(es).iter().sum(), keep(es).len() as i64)).collect()
    };
    let last_three = fold(&|es| es[es.len().saturating_sub(3)..].iter().map(|e| e.1).collect());
    let recent = fold(&|es| {
        let newest = es.iter().map(|e| e.0).max().unwrap_or(0);
        es.iter().filter(|e| e.0 > newest - 20).map(|e| e.1).collect()
    });
    let tumbling = json!({"kind": "tumbling", "size_ms": 250, "event_time": true});
    for contents in [WindowContents::Accumulator, WindowContents::Elements] {
        let mut count = json!({"kind": "stream_window", "id": "w", "input": "wm", "key": [{"column": "k"}], "value": "v", "timestamp": "ts",
                               "assigner": tumbling.clone(), "evictor": {"kind": "count", "max_count": 3}});
        assert_eq!(run_window(&rows, count.clone(), 0, contents, RuntimeMode::Streaming, 2), last_three, "{contents:?}");
        count["evictor"] = json!({"kind": "time", "window_ms": 20});
        assert_eq!(run_window(&rows, count, 0, contents, RuntimeMode::Streaming, 2), recent, "{contents:?}");
    }
}

#[test]
fn a_trigger_is_checked() {
    let bad = |trigger: Json, assigner: Json| {
        let window = json!({"kind": "stream_window", "id": "w", "input": "in", "function": "sum_acc", "key": [{"column": "k"}], "value": "v",
                            "assigner": assigner, "trigger": trigger});
        let nodes = json!([{"kind": "values", "id": "in", "rows": [], "schema": [{"name": "k", "type": "STRING"}, {"name": "v", "type": "BYTES"}]},
                           window, {"kind": "sink", "id": "out", "input": "w", "connector": "collect"}]);
        let spec = parse_job_spec(&json!({ "nodes": nodes }).to_string()).expect("spec parses");
        let mut functions = UserFunctions::new();
        functions.register_window(Arc::new(Sum(WindowContents::Accumulator)));
        validate_with_functions(&spec, &functions).err().map(|e| e.to_string()).unwrap_or_default()
    };
    let global = json!({"kind": "global"});
    assert!(bad(json!({"kind": "count", "count": 0}), global).contains("count must be positive"));
}
