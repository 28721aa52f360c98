//! A `filesystem` source with `source.monitor-interval` in a running streaming job: rows of
//! files added to the directory while the job runs come out of it once, and the job keeps
//! running (the source never finishes) until cancelled.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use weir_core::plan::{RuntimeMode, parse_job_spec, validate};
use weir_core::runtime::{RunOptions, RunningJob, start_job};

use common::{final_rows, texts};

/// Writes `lines` as `dir/name`, whole: written beside it under a hidden name, then renamed.
fn drop_file(dir: &Path, name: &str, lines: &[&str]) {
    let hidden = dir.join(format!(".{name}.tmp"));
    std::fs::write(&hidden, lines.join("\n") + "\n").expect("write");
    std::fs::rename(&hidden, dir.join(name)).expect("rename");
}

/// The rows the sink `out` holds now, printed and sorted.
fn rows_now(job: &RunningJob) -> Vec<String> {
    texts(&final_rows(job.collected.snapshot().get("out").map(Vec::as_slice).unwrap_or_default()))
}

/// Waits (up to 20 s) until the sink `out` holds `n` rows; returns them printed and sorted.
fn wait_for_rows(job: &RunningJob, n: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let rows = rows_now(job);
        if rows.len() >= n || Instant::now() > deadline {
            return rows;
        }
        assert!(job.failure().is_none(), "job failed: {:?}", job.failure());
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_monitored_directory_reads_new_files_once_and_never_finishes() {
    for workers in [1, 2] {
        let dir = tempfile::tempdir().expect("temp dir");
        drop_file(dir.path(), "a.csv", &["1,alice", "2,bob"]);
        let spec = json!({"nodes": [
            {"kind": "source", "id": "people", "connector": "filesystem",
             "schema": [{"name": "id", "type": "BIGINT"}, {"name": "name", "type": "STRING"}],
             "options": {"path": dir.path().to_str().unwrap(), "format": "csv", "source.monitor-interval": "50 ms"}},
            {"kind": "sink", "id": "out", "input": "people", "connector": "collect"}]});
        let plan = validate(&parse_job_spec(&spec.to_string()).expect("parses")).expect("validates");
        let options = RunOptions { workers: Some(workers), mode: Some(RuntimeMode::Streaming), tick_ms: 10, ..RunOptions::default() };
        let job = start_job(Arc::new(plan), &options).expect("starts");

        assert_eq!(wait_for_rows(&job, 2), ["1, alice", "2, bob"], "{workers} workers");
        drop_file(dir.path(), "b.csv", &["3,carol", "4,dave"]);
        drop_file(dir.path(), "c.csv", &["5,erin"]);
        assert_eq!(wait_for_rows(&job, 5), ["1, alice", "2, bob", "3, carol", "4, dave", "5, erin"], "{workers} workers");
        // Touching a file already read does not read it again.
        std::fs::write(dir.path().join("a.csv"), "1,alice\n2,bob\n9,zed\n").expect("rewrite");
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(rows_now(&job).len(), 5, "a file is read once");
        assert!(job.failure().is_none());

        job.cancel.cancel();
        let ended = job.wait();
        assert!(ended.is_err_and(|e| e.to_string().contains("cancel")), "the job runs until cancelled");
    }
}

#[test]
fn monitoring_needs_a_directory_and_a_duration() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("a.csv");
    std::fs::write(&file, "1\n").expect("write");
    let spec = |path: &Path, interval: &str| {
        json!({"nodes": [
            {"kind": "source", "id": "s", "connector": "filesystem", "schema": [{"name": "id", "type": "BIGINT"}],
             "options": {"path": path.to_str().unwrap(), "format": "csv", "source.monitor-interval": interval}},
            {"kind": "sink", "id": "out", "input": "s", "connector": "collect"}]})
        .to_string()
    };
    let error = |text: String| match validate(&parse_job_spec(&text).expect("parses")) {
        Ok(_) => panic!("expected an invalid spec: {text}"),
        Err(e) => e.to_string(),
    };
    let e = error(spec(&file, "1 s"));
    assert!(e.contains("nodes[0].options.source.monitor-interval") && e.contains("needs 'path' to be a directory"), "{e}");
    let e = error(spec(dir.path(), "soon"));
    assert!(e.contains("invalid value 'soon' for option 'source.monitor-interval': expected a duration"), "{e}");
    let e = error(spec(dir.path(), "0 s"));
    assert!(e.contains("a positive duration"), "{e}");
}
