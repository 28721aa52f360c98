//! The `process` node with a Rust process function, and the mid-stream `watermark` node: keyed
//! value state, event-time timers that fire once the watermark passes them (late rows are
//! stamped at the watermark, not dropped), processing-time timers that fire while a streaming
//! job runs, and what happens to pending processing-time timers at the end of the input
//! (BATCH: they fire; STREAMING: they are dropped). Expected rows are computed from the input.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};
use weir_core::expr::EvalError;
use weir_core::plan::{RuntimeMode, parse_job_spec, validate_with_functions};
use weir_core::runtime::{RunOptions, run_job, start_job};
use weir_core::types::{DataType, Field, Row, RowKind, Value};
use weir_core::udf::UserFunctions;
use weir_core::udf::process::{ProcessInstance, ProcessScope, StateDecl, StateKind, StateOp, StateReply, UserProcessFunction};
use weir_state::TimeDomain;

/// Counts elements per key; registers an event-time timer 1 s after each element and, for
/// records `"p<ms>"`, a processing-time timer `<ms>` after now. Emits
/// `(what, key, n, ts, on_time)`: elements are on time when after the watermark, timers when
/// the watermark (the clock) has reached them.
struct Counter;

struct CounterInstance;

const COUNT: fn() -> StateDecl = || StateDecl { name: "count".into(), kind: StateKind::Value, ttl: None };

fn key_text(scope: &dyn ProcessScope) -> String {
    scope.key().get(0).to_string()
}

impl UserProcessFunction for Counter {
    fn name(&self) -> &str {
        "counter"
    }

    fn output(&self) -> Vec<Field> {
        vec![
            Field::new("what", DataType::String),
            Field::new("k", DataType::String),
            Field::new("n", DataType::BigInt),
            Field::new("ts", DataType::BigInt).with_nullable(true),
            Field::new("on_time", DataType::Boolean),
        ]
    }

    fn output_timestamp(&self) -> Option<usize> {
        Some(3)
    }

    fn instantiate(&self, _worker: usize, _workers: usize) -> Result<Box<dyn ProcessInstance>, EvalError> {
        Ok(Box::new(CounterInstance))
    }
}

fn row(what: &str, key: String, n: i64, ts: Option<i64>, on_time: bool) -> Row {
    Row::new(vec![Value::String(what.into()), Value::String(key.into()), Value::BigInt(n), ts.map_or(Value::Null, Value::BigInt), Value::Boolean(on_time)])
}

impl ProcessInstance for CounterInstance {
    fn process_element(&mut self, scope: &mut dyn ProcessScope, _input: usize, value: &[u8], timestamp: Option<i64>) -> Result<(), EvalError> {
        let n = match scope.state(&COUNT(), StateOp::Get)? {
            StateReply::Value(Some(bytes)) => i64::from_be_bytes(bytes.try_into().map_err(|_| EvalError::new("bad count"))?),
            _ => 0,
        } + 1;
        scope.state(&COUNT(), StateOp::Update(vec![n.to_be_bytes().to_vec()]))?;
        if let Some(ts) = timestamp {
            scope.register_timer(TimeDomain::EventTime, ts + 1000)?;
        }
        let text = String::from_utf8_lossy(value).to_string();
        if let Some(ms) = text.strip_prefix('p').and_then(|m| m.parse::<i64>().ok()) {
            let at = scope.current_processing_time() + ms;
            scope.register_timer(TimeDomain::ProcessingTime, at)?;
        }
        let on_time = timestamp.is_none_or(|ts| ts > scope.current_watermark());
        scope.emit(row("element", key_text(scope), n, timestamp, on_time));
        Ok(())
    }

    fn on_timer(&mut self, scope: &mut dyn ProcessScope, domain: TimeDomain, timestamp: i64) -> Result<(), EvalError> {
        let (what, on_time) = match domain {
            TimeDomain::EventTime => ("event", scope.current_watermark() >= timestamp),
            TimeDomain::ProcessingTime => ("processing", scope.current_processing_time() >= timestamp),
        };
        scope.emit(row(what, key_text(scope), 0, Some(timestamp), on_time));
        Ok(())
    }

    fn close(&mut self) -> Result<(), EvalError> {
        Ok(())
    }
}

fn functions() -> UserFunctions {
    let mut functions = UserFunctions::new();
    functions.register_process(Arc::new(Counter));
    functions
}

/// Nodes reading `(k, v, ts)` rows, watermarked on `ts` when `delay` is given, then counted.
fn nodes(rows: &[(&str, &str, i64)], delay: Option<u64>) -> Vec<Json> {
    let rows: Vec<Json> = rows.iter().map(|(k, v, ts)| json!([k, v, ts])).collect();
    let mut nodes = vec![json!({"kind": "values", "id": "in", "rows": rows,
        "schema": [{"name": "k", "type": "STRING"}, {"name": "v", "type": "BYTES"}, {"name": "ts", "type": "BIGINT"}]})];
    let mut last = "in";
    if let Some(delay) = delay {
        nodes.push(json!({"kind": "watermark", "id": "wm", "input": "in", "column": "ts", "delay_ms": delay}));
        last = "wm";
    }
    nodes.push(json!({"kind": "process", "id": "p", "inputs": [last], "function": "counter", "keys": [[{"column": "k"}]], "value": "v", "timestamp": "ts"}));
    nodes.push(json!({"kind": "sink", "id": "out", "input": "p", "connector": "collect"}));
    nodes
}

fn plan(nodes: Vec<Json>) -> Arc<weir_core::plan::ValidatedPlan> {
    let spec = parse_job_spec(&json!({"nodes": nodes}).to_string()).expect("spec parses");
    Arc::new(validate_with_functions(&spec, &functions()).expect("spec validates"))
}

fn inserted(changes: &[(RowKind, Row)]) -> Vec<Row> {
    assert!(changes.iter().all(|(k, _)| *k == RowKind::Insert), "process functions only insert");
    let mut rows: Vec<Row> = changes.iter().map(|(_, r)| r.clone()).collect();
    rows.sort();
    rows
}

fn run(nodes: Vec<Json>, mode: RuntimeMode, workers: usize) -> Vec<Row> {
    let options = RunOptions { workers: Some(workers), mode: Some(mode), tick_ms: 5, ..RunOptions::default() };
    let outcome = run_job(plan(nodes), &options).unwrap_or_else(|e| panic!("job failed: {e}"));
    inserted(&outcome.collected.get("out").cloned().unwrap_or_default())
}

#[test]
fn event_time_timers_fire_after_the_watermark_and_late_rows_still_arrive() {
    // Out of order within 500 ms, plus one row 3 s behind (late: stamped at the watermark).
    let input =
        [("a", "x", 1000), ("b", "x", 1400), ("a", "x", 1200), ("a", "x", 5000), ("b", "x", 4800), ("a", "x", 1500), ("b", "x", 9000), ("a", "x", 9100)];
    // The row (a, 1500) arrives after (a, 5000) moved the watermark of its worker (rows are
    // dealt to the workers in turn; one worker, or the second of two, sees both) to 4500.
    let expected = |late: Option<(&str, i64)>| {
        let mut expected = Vec::new();
        let mut timers = BTreeSet::new();
        for key in ["a", "b"] {
            for (n, (_, _, ts)) in input.iter().filter(|(k, _, _)| *k == key).enumerate() {
                expected.push(row("element", key.into(), n as i64 + 1, Some(*ts), late != Some((key, *ts))));
                timers.insert((key, ts + 1000));
            }
        }
        expected.extend(timers.iter().map(|(k, ts)| row("event", k.to_string(), 0, Some(*ts), true)));
        expected.sort();
        expected
    };
    // One worker sees each key's rows in the order they were written, late or not.
    assert_eq!(run(nodes(&input, Some(500)), RuntimeMode::Streaming, 1), expected(Some(("a", 1500))), "arrival order");
    let expected = |late| order_free(expected(late));
    for workers in [1, 2] {
        assert_eq!(order_free(run(nodes(&input, Some(500)), RuntimeMode::Streaming, workers)), expected(Some(("a", 1500))), "streaming, {workers} workers");
        assert_eq!(order_free(run(nodes(&input, Some(500)), RuntimeMode::Batch, workers)), expected(None), "batch, {workers} workers");
    }
    // Without a watermark nothing is late, and the event-time timers fire at the end of the input.
    assert_eq!(order_free(run(nodes(&input, None), RuntimeMode::Streaming, 2)), expected(None), "no watermark");
}

/// The rows with the counts of elements taken apart from their timestamps: which element of a
/// key is counted first depends on the order rows of a key from several workers meet, as in
/// Flink; that each key counts 1, 2, .. and every element is seen once does not.
fn order_free(rows: Vec<Row>) -> (Vec<Row>, Vec<(String, i64)>) {
    let mut counts = Vec::new();
    let mut rest: Vec<Row> = rows
        .into_iter()
        .map(|r| {
            if r.get(0) == &Value::String("element".into()) {
                counts.push((r.get(1).to_string(), r.get(2).as_i64().unwrap_or(-1)));
                row("element", r.get(1).to_string(), 0, r.get(3).as_i64(), r.get(4) == &Value::Boolean(true))
            } else {
                r
            }
        })
        .collect();
    rest.sort();
    counts.sort();
    (rest, counts)
}

#[test]
fn pending_processing_time_timers_fire_at_the_end_of_a_batch_job_only() {
    let input = [("a", "p3600000", 1), ("b", "x", 2)];
    let elements = vec![row("element", "a".into(), 1, Some(1), true), row("element", "b".into(), 1, Some(2), true)];
    let streaming = run(nodes(&input, None), RuntimeMode::Streaming, 2);
    let event = |k: &str, ts| row("event", k.into(), 0, Some(ts), true);
    let mut expected = [elements.clone(), vec![event("a", 1001), event("b", 1002)]].concat();
    expected.sort();
    assert_eq!(streaming, expected, "streaming drops the pending processing-time timer");
    let batch = run(nodes(&input, None), RuntimeMode::Batch, 2);
    let fired: Vec<&Row> = batch.iter().filter(|r| r.get(0) == &Value::String("processing".into())).collect();
    assert_eq!(fired.len(), 1, "batch fires it at the end: {batch:?}");
    assert_eq!(fired[0].get(1), &Value::String("a".into()));
    assert_eq!(fired[0].get(4), &Value::Boolean(false), "it fired before its time, at the end of the input");
}

#[test]
fn processing_time_timers_fire_while_a_streaming_job_runs() {
    let spec = vec![
        json!({"kind": "source", "id": "in", "connector": "push",
               "schema": [{"name": "k", "type": "STRING"}, {"name": "v", "type": "BYTES"}, {"name": "ts", "type": "BIGINT"}]}),
        json!({"kind": "process", "id": "p", "inputs": ["in"], "function": "counter", "keys": [[{"column": "k"}]], "value": "v", "timestamp": "ts"}),
        json!({"kind": "sink", "id": "out", "input": "p", "connector": "collect"}),
    ];
    for workers in [1, 2] {
        let options = RunOptions { workers: Some(workers), mode: Some(RuntimeMode::Streaming), tick_ms: 5, ..RunOptions::default() };
        let job = start_job(plan(spec.clone()), &options).expect("job starts");
        let input = job.push_inputs()["in"].clone();
        let pushed = |k: &str, v: &str| Row::new(vec![Value::String(k.into()), Value::Bytes(Arc::from(v.as_bytes())), Value::Null]);
        input.push(vec![pushed("a", "p30"), pushed("b", "p60"), pushed("c", "x")]).expect("input is open");
        let started = Instant::now();
        let fired = loop {
            let rows = job.collected.read_from("out", 0);
            let fired: Vec<Row> = rows.iter().map(|(_, r)| r.clone()).filter(|r| r.get(0) == &Value::String("processing".into())).collect();
            if fired.len() == 2 || started.elapsed() > Duration::from_secs(60) {
                break fired;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        input.close();
        let outcome = job.wait().expect("job finishes");
        let keys: BTreeSet<String> = fired.iter().map(|r| r.get(1).to_string()).collect();
        assert_eq!(keys, BTreeSet::from(["a".to_string(), "b".to_string()]), "{workers} workers: fired before the input closed");
        assert!(fired.iter().all(|r| r.get(4) == &Value::Boolean(true)), "never before their time: {fired:?}");
        let all = inserted(&outcome.collected["out"]);
        assert_eq!(all.iter().filter(|r| r.get(0) == &Value::String("element".into())).count(), 3);
        assert_eq!(all.iter().filter(|r| r.get(0) == &Value::String("event".into())).count(), 0, "NULL timestamps set no event-time timer");
    }
}

#[test]
fn a_process_node_names_what_is_wrong() {
    let mut bad = nodes(&[("a", "x", 1)], None);
    bad[1]["function"] = json!("nope");
    let spec = parse_job_spec(&json!({"nodes": bad}).to_string()).expect("spec parses");
    let err = validate_with_functions(&spec, &functions()).err().expect("unknown function").to_string();
    assert!(err.contains("nodes[1].function") && err.contains("no process function \"nope\""), "{err}");
    let mut bad = nodes(&[("a", "x", 1)], None);
    bad[1]["value"] = json!("k");
    let spec = parse_job_spec(&json!({"nodes": bad}).to_string()).expect("spec parses");
    let err = validate_with_functions(&spec, &functions()).err().expect("not bytes").to_string();
    assert!(err.contains("nodes[1].value") && err.contains("BYTES"), "{err}");
    let mut bad = nodes(&[("a", "x", 1)], Some(0));
    bad[1]["column"] = json!("v");
    let spec = parse_job_spec(&json!({"nodes": bad}).to_string()).expect("spec parses");
    let err = validate_with_functions(&spec, &functions()).err().expect("not a time").to_string();
    assert!(err.contains("nodes[1].column"), "{err}");
}
