//! Idle sources: with `scan.watermark.idle-timeout` (or the job's
//! `table.exec.source.idle-timeout`), an event-time split that reads nothing stops holding
//! back the watermark, so windows close although one of two workers never gets a row; without
//! it, they wait. The input is a monitored directory holding one file: one worker reads it,
//! the other's split is empty and never finishes.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use weir_core::plan::{RuntimeMode, parse_job_spec, validate};
use weir_core::runtime::{RunOptions, RunningJob, start_job};
use weir_core::types::{Row, Value};

use common::{final_rows, texts};

/// 2023-01-01 00:00:00 UTC in epoch ms.
const BASE: i64 = 1_672_531_200_000;
const WINDOW_MS: i64 = 2000;

/// Events (value, event time): 20 of them 500 ms apart.
fn events() -> Vec<(i64, i64)> {
    (0..20).map(|i| (i, BASE + i * 500)).collect()
}

fn timestamp(ms: i64) -> String {
    let t = chrono::DateTime::from_timestamp(ms.div_euclid(1000), 0).expect("valid time");
    format!("{}.{:03}", t.format("%Y-%m-%d %H:%M:%S"), ms.rem_euclid(1000))
}

/// COUNT and SUM per tumbling window that ends at or before the last event's time (the
/// watermark, with no out-of-orderness allowed): the windows that must close.
fn closed_windows() -> Vec<String> {
    let last = events().iter().map(|e| e.1).max().unwrap_or(0);
    let mut groups: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for (v, ts) in events() {
        let g = groups.entry(ts - ts.rem_euclid(WINDOW_MS)).or_default();
        g.0 += 1;
        g.1 += v;
    }
    let rows: Vec<Row> = groups
        .into_iter()
        .filter(|(start, _)| start + WINDOW_MS <= last)
        .map(|(start, (n, sum))| Row::new(vec![Value::Timestamp(start), Value::Timestamp(start + WINDOW_MS), Value::BigInt(n), Value::BigInt(sum)]))
        .collect();
    texts(&rows)
}

/// Starts the windowed count over a directory with the events in one file, on two workers.
fn start(dir: &std::path::Path, source_options: serde_json::Value, config: serde_json::Value) -> RunningJob {
    let lines: Vec<String> = events().iter().map(|(v, ts)| format!("{v},{}", timestamp(*ts))).collect();
    std::fs::write(dir.join(".events.tmp"), lines.join("\n") + "\n").expect("write");
    std::fs::rename(dir.join(".events.tmp"), dir.join("events.csv")).expect("rename");
    let mut options = json!({"path": dir.to_str().unwrap(), "format": "csv", "source.monitor-interval": "20 ms"});
    options.as_object_mut().unwrap().extend(source_options.as_object().cloned().unwrap_or_default());
    let spec = json!({"config": config, "nodes": [
        {"kind": "source", "id": "events", "connector": "filesystem", "options": options,
         "schema": [{"name": "v", "type": "BIGINT"}, {"name": "ts", "type": "TIMESTAMP(3)"}],
         "watermark": {"column": "ts", "delay_ms": 0}},
        {"kind": "window", "id": "w", "input": "events", "window": "tumble", "time_column": "ts", "size_ms": WINDOW_MS},
        {"kind": "aggregate", "id": "agg", "input": "w",
         "group_by": [{"name": "window_start", "expr": {"column": "window_start"}}, {"name": "window_end", "expr": {"column": "window_end"}}],
         "aggregates": [{"name": "n", "function": "count"}, {"name": "s", "function": "sum", "args": [{"column": "v"}]}]},
        {"kind": "sink", "id": "out", "input": "agg", "connector": "collect"}]});
    let plan = validate(&parse_job_spec(&spec.to_string()).expect("parses")).unwrap_or_else(|e| panic!("{e}"));
    let run = RunOptions { workers: Some(2), mode: Some(RuntimeMode::Streaming), tick_ms: 10, ..RunOptions::default() };
    start_job(Arc::new(plan), &run).expect("starts")
}

/// The window rows the job has emitted by now, or once there are `n` of them (at most 20 s).
fn rows_when(job: &RunningJob, n: usize, patience: Duration) -> Vec<String> {
    let deadline = Instant::now() + patience;
    loop {
        let rows = texts(&final_rows(job.collected.snapshot().get("out").map(Vec::as_slice).unwrap_or_default()));
        if rows.len() >= n || Instant::now() > deadline {
            return rows;
        }
        assert!(job.failure().is_none(), "job failed: {:?}", job.failure());
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn stop(job: RunningJob) {
    job.cancel.cancel();
    assert!(job.wait().is_err_and(|e| e.to_string().contains("cancel")));
}

#[test]
fn an_idle_split_does_not_stall_windows() {
    let expected = closed_windows();
    assert_eq!(expected.len(), 4);
    let configured = [(json!({"scan.watermark.idle-timeout": "100 ms"}), json!({})), (json!({}), json!({"table.exec.source.idle-timeout": "100 ms"}))];
    for (source_options, config) in configured {
        let dir = tempfile::tempdir().expect("temp dir");
        let job = start(dir.path(), source_options.clone(), config.clone());
        assert_eq!(rows_when(&job, expected.len(), Duration::from_secs(20)), expected, "{source_options} {config}");
        stop(job);
    }
}

#[test]
fn without_an_idle_timeout_the_empty_split_holds_the_watermark() {
    let dir = tempfile::tempdir().expect("temp dir");
    let job = start(dir.path(), json!({}), json!({}));
    assert_eq!(rows_when(&job, 1, Duration::from_millis(1500)), Vec::<String>::new());
    stop(job);
}

#[test]
fn idle_timeouts_are_checked() {
    let spec = |options: serde_json::Value, watermark: bool, config: serde_json::Value| {
        let mut source = json!({"kind": "source", "id": "s", "connector": "datagen", "options": options,
                                "schema": [{"name": "ts", "type": "TIMESTAMP(3)"}]});
        if watermark {
            source["watermark"] = json!({"column": "ts"});
        }
        let text = json!({"config": config, "nodes": [source, {"kind": "sink", "id": "out", "input": "s", "connector": "collect"}]}).to_string();
        match validate(&parse_job_spec(&text).expect("parses")) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    };
    let e = spec(json!({"scan.watermark.idle-timeout": "1 s"}), false, json!({}));
    assert!(e.contains("nodes[0].options.scan.watermark.idle-timeout") && e.contains("declare a watermark"), "{e}");
    let e = spec(json!({"scan.watermark.idle-timeout": "later"}), true, json!({}));
    assert!(e.contains("invalid idle timeout: expected a duration"), "{e}");
    let e = spec(json!({}), true, json!({"table.exec.source.idle-timeout": "x"}));
    assert!(e.contains("config.table.exec.source.idle-timeout"), "{e}");
    assert_eq!(spec(json!({"scan.watermark.idle-timeout": "0 ms"}), true, json!({})), "");
}

#[test]
fn sql_tables_take_the_idle_timeout_and_the_monitor_interval_in_with() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut session = weir_core::sql::SqlSession::new();
    let script = format!(
        "CREATE TABLE events (v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
           'connector' = 'filesystem', 'path' = '{}', 'format' = 'csv',
           'source.monitor-interval' = '1 s', 'scan.watermark.idle-timeout' = '5 s');
         SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '2' SECOND))
         GROUP BY window_start, window_end;",
        dir.path().display()
    );
    let out = session.execute_script(&script).unwrap_or_else(|e| panic!("{e}"));
    let Some(weir_core::sql::SqlOutcome::Query(spec)) = out.last() else { panic!("{out:?}") };
    let plan = validate(spec).unwrap_or_else(|e| panic!("{e}"));
    let source = plan.nodes.iter().find_map(|n| match &n.op {
        weir_core::plan::PlanOp::Source { factory, watermark, .. } => Some((factory.boundedness(), *watermark)),
        _ => None,
    });
    let (boundedness, watermark) = source.expect("a source");
    assert_eq!(boundedness, weir_core::connectors::Boundedness::Unbounded);
    assert_eq!(watermark.and_then(|w| w.idle_timeout_ms), Some(5000));
}
