//! Nexmark q21 (REGEXP_EXTRACT over bid urls) as the benchmark writes it: its text plans, and
//! the rows it keeps match a plain Rust reading of the same bids.

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use weir_core::plan::{JobSpec, Node, RuntimeMode, validate};
use weir_core::runtime::{RunOptions, run_job};
use weir_core::sql::{SqlOutcome, SqlSession};
use weir_core::types::{Row, Value};

use common::{final_rows, texts};

fn bench_file(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../benches/nexmark").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The last job `script` plans, after the Nexmark DDL for `events` events.
fn plan(script: &str, events: u64) -> JobSpec {
    let ddl = bench_file("ddl.sql").replace("${EVENTS_NUM}", &events.to_string()).replace("${TPS}", "10000");
    let mut session = SqlSession::new();
    session.execute_script(&ddl).unwrap_or_else(|e| panic!("ddl: {e}"));
    let out = session.execute_script(script).unwrap_or_else(|e| panic!("{e}"));
    match out.into_iter().last() {
        Some(SqlOutcome::Job(spec) | SqlOutcome::Query(spec)) => spec,
        other => panic!("not a job: {other:?}"),
    }
}

/// Runs `spec` in batch mode on 2 workers with its sinks turned into `collect` sinks; the
/// rows standing in the sink `sink`.
fn collect(mut spec: JobSpec, sink: &str) -> Vec<Row> {
    for node in &mut spec.nodes {
        if let Node::Sink(s) = node {
            s.connector = "collect".into();
            s.options.clear();
        }
    }
    let plan = validate(&spec).unwrap_or_else(|e| panic!("{e}"));
    let options = RunOptions { workers: Some(2), mode: Some(RuntimeMode::Batch), tick_ms: 1, ..RunOptions::default() };
    let outcome = run_job(Arc::new(plan), &options).unwrap_or_else(|e| panic!("{e}"));
    final_rows(outcome.collected.get(sink).map(Vec::as_slice).unwrap_or_default())
}

/// `REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2)` by hand: the value of the first
/// `channel_id=` at the start of the url or right after a `&`.
fn channel_id(url: &str) -> Option<&str> {
    let start = if url.starts_with("channel_id=") { Some(0) } else { url.find("&channel_id=").map(|i| i + 1) }?;
    let value = &url[start + "channel_id=".len()..];
    Some(value.split('&').next().unwrap_or_default())
}

#[test]
fn q21_plans_and_keeps_the_bids_a_rust_reading_keeps() {
    let q21 = bench_file("queries/q21.sql");
    let spec = plan(&q21, 3000);
    let got = texts(&collect(spec, "nexmark_q21"));

    let bids = collect(plan("SELECT auction, bidder, price, channel, url FROM bid", 3000), "result");
    assert!(!bids.is_empty());
    let text = |v: &Value| v.as_str().map(str::to_string);
    let mut expected = Vec::new();
    for row in &bids {
        let [auction, bidder, price, channel, url] = row.values() else { panic!("{row}") };
        let channel = text(channel).unwrap_or_default();
        let known = ["apple", "google", "facebook", "baidu"].iter().position(|c| *c == channel.to_lowercase());
        let extracted = text(url).as_deref().and_then(channel_id).map(str::to_string);
        let id = match known {
            Some(i) => Some(i.to_string()),
            None => extracted,
        };
        if let Some(id) = id {
            let kept = Row::new(vec![auction.clone(), bidder.clone(), price.clone(), Value::string(&channel), Value::string(&id)]);
            expected.push(kept);
        }
    }
    expected.sort();
    assert!(expected.len() > 100 && expected.len() < bids.len(), "{} of {} bids kept: the query should keep some, not all", expected.len(), bids.len());
    assert_eq!(got, texts(&expected));
}
