//! The `filesystem` sink runs on every worker (one part file per worker that has rows, as
//! Flink's FileSink): what it writes on several workers is, as a multiset, what it writes on
//! one, and no worker leaves an empty file.

mod common;

use std::path::Path;
use std::sync::Arc;

use serde_json::json;
use weir_core::plan::{RuntimeMode, parse_job_spec, validate};
use weir_core::runtime::{RunOptions, run_job};

/// A job reading `rows` BIGINT pairs through `middle` (plan nodes between source `t` and the
/// sink, the last one with id `last`) into a CSV `filesystem` sink at `out`.
fn spec(rows: i64, middle: Vec<serde_json::Value>, out: &Path) -> String {
    let data: Vec<Vec<Option<i64>>> = (0..rows).map(|i| vec![Some(i % 7), Some(i)]).collect();
    let mut nodes = vec![common::values_node("t", &["k", "v"], &data)];
    let input = if middle.is_empty() { "t" } else { "last" };
    nodes.extend(middle);
    nodes.push(json!({"kind": "sink", "id": "out", "input": input, "connector": "filesystem",
        "options": {"path": out.to_string_lossy(), "format": "csv"}}));
    json!({"nodes": nodes}).to_string()
}

/// Runs `spec` on `workers` workers; returns the lines of every file in `out` (sorted) and
/// the number of files, failing on an empty or hidden file.
fn run_and_read(spec: &str, workers: usize, mode: RuntimeMode, out: &Path) -> (Vec<String>, usize) {
    let plan = validate(&parse_job_spec(spec).expect("spec")).expect("valid plan");
    let options = RunOptions { workers: Some(workers), mode: Some(mode), tick_ms: 1, ..RunOptions::default() };
    run_job(Arc::new(plan), &options).expect("job runs");
    let mut lines = Vec::new();
    let mut files = 0;
    for entry in std::fs::read_dir(out).expect("output directory") {
        let path = entry.expect("entry").path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        assert!(name.starts_with("part-") && !name.ends_with(".inprogress"), "unexpected file {name}");
        let text = std::fs::read_to_string(&path).expect("read part file");
        assert!(!text.is_empty(), "empty part file {name}");
        lines.extend(text.lines().map(str::to_string));
        files += 1;
    }
    lines.sort();
    (lines, files)
}

#[test]
fn parallel_part_files_hold_the_single_worker_rows() {
    let cases: Vec<(&str, Vec<serde_json::Value>, RuntimeMode)> = vec![
        ("insert-only, batch", vec![], RuntimeMode::Batch),
        ("insert-only, streaming", vec![], RuntimeMode::Streaming),
        (
            "aggregate, batch",
            vec![json!({"kind": "aggregate", "id": "last", "input": "t", "group_by": [{"name": "k", "expr": {"column": "k"}}],
                "aggregates": [{"name": "n", "function": "count"}, {"name": "total", "function": "sum", "args": [{"column": "v"}]}]})],
            RuntimeMode::Batch,
        ),
    ];
    for (what, middle, mode) in cases {
        let dir = tempfile::tempdir().expect("temp dir");
        let one = dir.path().join("one");
        let three = dir.path().join("three");
        let (expected, one_files) = run_and_read(&spec(3000, middle.clone(), &one), 1, mode, &one);
        let (got, files) = run_and_read(&spec(3000, middle, &three), 3, mode, &three);
        assert_eq!(one_files, 1, "{what}");
        assert!(!expected.is_empty(), "{what}");
        assert_eq!(got, expected, "{what}");
        assert!((2..=3).contains(&files), "{what}: {files} files: every worker with rows writes its own part file");
    }
}

#[test]
fn a_few_rows_on_many_workers_leave_no_empty_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let (lines, files) = run_and_read(&spec(1, vec![], &out), 4, RuntimeMode::Batch, &out);
    assert_eq!((lines, files), (vec!["0,0".to_string()], 1));
}

#[test]
fn an_ordered_batch_result_is_written_by_one_worker_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let sort = json!({"kind": "sort", "id": "last", "input": "t", "order_by": [{"expr": {"column": "v"}, "descending": true}]});
    let plan = validate(&parse_job_spec(&spec(500, vec![sort], &out)).expect("spec")).expect("valid plan");
    let options = RunOptions { workers: Some(3), mode: Some(RuntimeMode::Batch), tick_ms: 1, ..RunOptions::default() };
    run_job(Arc::new(plan), &options).expect("job runs");
    let files: Vec<_> = std::fs::read_dir(&out).expect("output directory").map(|e| e.expect("entry").path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).expect("read part file");
    let expected: Vec<String> = (0..500).rev().map(|i| format!("{},{i}", i % 7)).collect();
    assert_eq!(text.lines().collect::<Vec<_>>(), expected);
}
