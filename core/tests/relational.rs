//! Relational operators end to end (values source → operator → collect sink), checked against
//! plain Rust folds over the same rows, with 1 and 4 workers, in batch and streaming mode.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;
use weir_core::plan::RuntimeMode;
use weir_core::types::{Row, RowKind, Value};

use common::*;

fn rng_rows(n: usize, seed: u64, keys: i64) -> Vec<Vec<Option<i64>>> {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|_| {
            let k = (next() % keys as u64) as i64;
            let v = (next() % 1000) as i64;
            let v = if next() % 10 == 0 { None } else { Some(v) };
            vec![Some(k), v]
        })
        .collect()
}

fn job(nodes: Vec<serde_json::Value>) -> String {
    json!({"nodes": nodes}).to_string()
}

fn sink(input: &str) -> serde_json::Value {
    json!({"kind": "sink", "id": "out", "input": input, "connector": "collect"})
}

fn both_modes_and_workers(spec: &str) -> Vec<Row> {
    let reference = final_rows(&run_spec(spec, 1, RuntimeMode::Batch));
    for workers in [1, 4] {
        for mode in [RuntimeMode::Batch, RuntimeMode::Streaming] {
            let got = final_rows(&run_spec(spec, workers, mode));
            assert_eq!(texts(&got), texts(&reference), "workers={workers} mode={mode:?}");
        }
    }
    reference
}

#[test]
fn group_by_matches_a_rust_fold() {
    let rows = rng_rows(2000, 7, 37);
    let spec = job(vec![
        values_node("t", &["k", "v"], &rows),
        json!({"kind": "aggregate", "id": "agg", "input": "t",
               "group_by": [{"name": "k", "expr": {"column": "k"}}],
               "aggregates": [
                 {"name": "n", "function": "count"},
                 {"name": "nv", "function": "count", "args": [{"column": "v"}]},
                 {"name": "s", "function": "sum", "args": [{"column": "v"}]},
                 {"name": "lo", "function": "min", "args": [{"column": "v"}]},
                 {"name": "hi", "function": "max", "args": [{"column": "v"}]},
                 {"name": "mean", "function": "avg", "args": [{"column": "v"}]},
                 {"name": "dv", "function": "count", "args": [{"column": "v"}], "distinct": true}]}),
        sink("agg"),
    ]);
    let got = both_modes_and_workers(&spec);

    let mut groups: BTreeMap<i64, Vec<Option<i64>>> = BTreeMap::new();
    for r in &rows {
        groups.entry(r[0].unwrap_or_default()).or_default().push(r[1]);
    }
    let mut expected: Vec<Row> = groups
        .into_iter()
        .map(|(k, vs)| {
            let present: Vec<i64> = vs.iter().flatten().copied().collect();
            let opt = |v: Option<i64>| v.map(Value::BigInt).unwrap_or(Value::Null);
            Row::new(vec![
                Value::BigInt(k),
                Value::BigInt(vs.len() as i64),
                Value::BigInt(present.len() as i64),
                opt((!present.is_empty()).then(|| present.iter().sum())),
                opt(present.iter().min().copied()),
                opt(present.iter().max().copied()),
                opt((!present.is_empty()).then(|| present.iter().sum::<i64>() / present.len() as i64)),
                Value::BigInt(present.iter().collect::<BTreeSet<_>>().len() as i64),
            ])
        })
        .collect();
    expected.sort();
    assert_eq!(texts(&got), texts(&expected));
}

#[test]
fn count_star_alone_over_an_updating_input_counts_rows() {
    // DISTINCT's output may retract, so the aggregate takes the general (non two-phase) plan;
    // with COUNT(*) as its only aggregate the rows carry no argument values at all.
    let rows = rng_rows(300, 11, 7);
    let spec = job(vec![
        values_node("t", &["k", "v"], &rows),
        json!({"kind": "distinct", "id": "d", "input": "t"}),
        json!({"kind": "aggregate", "id": "agg", "input": "d", "group_by": [{"name": "k", "expr": {"column": "k"}}],
               "aggregates": [{"name": "n", "function": "count"}]}),
        sink("agg"),
    ]);
    let mut distinct: BTreeMap<i64, BTreeSet<Option<i64>>> = BTreeMap::new();
    for r in &rows {
        distinct.entry(r[0].unwrap_or_default()).or_default().insert(r[1]);
    }
    let expected: Vec<String> = distinct.iter().map(|(k, vs)| format!("{k}, {}", vs.len())).collect();
    let mut got = texts(&both_modes_and_workers(&spec));
    got.sort();
    let mut expected = expected;
    expected.sort();
    assert_eq!(got, expected);
}

#[test]
fn global_aggregate_of_empty_input_is_one_row_in_batch_and_none_in_streaming() {
    let spec = job(vec![
        values_node("t", &["k", "v"], &[]),
        json!({"kind": "aggregate", "id": "agg", "input": "t", "aggregates": [
            {"name": "n", "function": "count"}, {"name": "s", "function": "sum", "args": [{"column": "v"}]}]}),
        sink("agg"),
    ]);
    for workers in [1, 4] {
        // The SQL standard's one row, as Flink's batch mode gives it.
        assert_eq!(texts(&final_rows(&run_spec(&spec, workers, RuntimeMode::Batch))), ["0, null"]);
        // Flink's streaming GroupAggFunction emits nothing before the group's first row
        // (tests/flink_reference/global_aggregate.py).
        assert_eq!(run_spec(&spec, workers, RuntimeMode::Streaming), [], "workers={workers}");
    }
}

fn join_oracle(left: &[Vec<Option<i64>>], right: &[Vec<Option<i64>>], join_type: &str) -> Vec<Row> {
    let cell = |v: Option<i64>| v.map(Value::BigInt).unwrap_or(Value::Null);
    let matches = |l: &Vec<Option<i64>>, r: &Vec<Option<i64>>| l[0].is_some() && l[0] == r[0] && matches!((l[1], r[1]), (Some(a), Some(b)) if a < b + 500);
    let mut out = Vec::new();
    for l in left {
        let mut any = false;
        for r in right.iter().filter(|r| matches(l, r)) {
            any = true;
            out.push(Row::new(vec![cell(l[0]), cell(l[1]), cell(r[0]), cell(r[1])]));
        }
        if !any && (join_type == "left" || join_type == "full") {
            out.push(Row::new(vec![cell(l[0]), cell(l[1]), Value::Null, Value::Null]));
        }
    }
    if join_type == "right" || join_type == "full" {
        for r in right.iter().filter(|r| !left.iter().any(|l| matches(l, r))) {
            out.push(Row::new(vec![Value::Null, Value::Null, cell(r[0]), cell(r[1])]));
        }
    }
    out.sort();
    out
}

#[test]
fn joins_match_a_nested_loop() {
    let mut left = rng_rows(300, 1, 40);
    let right = rng_rows(200, 2, 50);
    left.push(vec![None, Some(1)]);
    for join_type in ["inner", "left", "right", "full"] {
        let spec = job(vec![
            values_node("l", &["k", "v"], &left),
            values_node("r", &["k", "v"], &right),
            json!({"kind": "join", "id": "j", "left": "l", "right": "r", "join_type": join_type,
                   "left_keys": [{"column": "k"}], "right_keys": [{"column": "k"}],
                   "condition": {"call": {"function": "<", "args": [{"column": "v"},
                       {"call": {"function": "+", "args": [{"column": "v0"}, {"literal": 500}]}}]}}}),
            sink("j"),
        ]);
        let got = both_modes_and_workers(&spec);
        assert_eq!(texts(&got), texts(&join_oracle(&left, &right, join_type)), "{join_type}");
    }
}

#[test]
fn distinct_union_top_n_dedup_and_sort() {
    let rows = rng_rows(500, 3, 10);
    let mut expected_distinct: Vec<Row> =
        rows.iter().map(|r| Row::new(r.iter().map(|v| v.map(Value::BigInt).unwrap_or(Value::Null)).collect())).collect::<BTreeSet<_>>().into_iter().collect();
    expected_distinct.sort();
    let spec = job(vec![values_node("t", &["k", "v"], &rows), json!({"kind": "distinct", "id": "d", "input": "t"}), sink("d")]);
    assert_eq!(texts(&both_modes_and_workers(&spec)), texts(&expected_distinct));

    let spec = job(vec![
        values_node("a", &["k", "v"], &rows[..100]),
        values_node("b", &["k", "v"], &rows[100..250]),
        json!({"kind": "union", "id": "u", "inputs": ["a", "b"]}),
        sink("u"),
    ]);
    assert_eq!(both_modes_and_workers(&spec).len(), 250);

    // Top 2 values per key, descending, NULLs last; ties broken by the whole row.
    let spec = job(vec![
        values_node("t", &["k", "v"], &rows),
        json!({"kind": "top_n", "id": "top", "input": "t", "partition_by": [{"column": "k"}],
               "order_by": [{"expr": {"column": "v"}, "descending": true}], "limit": 2, "row_number": "rn"}),
        sink("top"),
    ]);
    let got = both_modes_and_workers(&spec);
    let mut by_key: BTreeMap<i64, Vec<Option<i64>>> = BTreeMap::new();
    for r in &rows {
        by_key.entry(r[0].unwrap_or_default()).or_default().push(r[1]);
    }
    let mut expected = Vec::new();
    for (k, mut vs) in by_key {
        vs.sort_by(|a, b| match (a, b) {
            (None, None) => std::cmp::Ordering::Equal,
            (None, _) => std::cmp::Ordering::Greater,
            (_, None) => std::cmp::Ordering::Less,
            (Some(x), Some(y)) => y.cmp(x),
        });
        for (i, v) in vs.into_iter().take(2).enumerate() {
            expected.push(Row::new(vec![Value::BigInt(k), v.map(Value::BigInt).unwrap_or(Value::Null), Value::BigInt(i as i64 + 1)]));
        }
    }
    expected.sort();
    assert_eq!(texts(&got), texts(&expected));

    // Deduplicate keeping the first row per key by v, and a global ORDER BY v LIMIT 3.
    let spec = job(vec![
        values_node("t", &["k", "v"], &[vec![Some(1), Some(5)], vec![Some(1), Some(3)], vec![Some(2), Some(9)]]),
        json!({"kind": "deduplicate", "id": "dd", "input": "t", "key": [{"column": "k"}], "order_by": {"column": "v"}}),
        sink("dd"),
    ]);
    assert_eq!(texts(&both_modes_and_workers(&spec)), ["1, 3", "2, 9"]);
    let spec = job(vec![
        values_node("t", &["k", "v"], &rows),
        json!({"kind": "sort", "id": "s", "input": "t", "order_by": [{"expr": {"column": "v"}, "descending": true}], "limit": 3}),
        sink("s"),
    ]);
    let batch = run_spec(&spec, 4, RuntimeMode::Batch);
    let mut vs: Vec<i64> = rows.iter().filter_map(|r| r[1]).collect();
    vs.sort_by(|a, b| b.cmp(a));
    let got: Vec<Value> = batch.iter().map(|(_, r)| r[1].clone()).collect();
    assert_eq!(got, vs[..3].iter().map(|v| Value::BigInt(*v)).collect::<Vec<_>>(), "batch output follows ORDER BY");
}

#[test]
fn streaming_aggregate_emits_updates_before_and_after() {
    // Two source rows for the same key arrive in different ticks only if the clock moves;
    // either way the changelog must replay to the batch result and use -U/+U for a key.
    let spec = job(vec![
        values_node("t", &["k", "v"], &[vec![Some(1), Some(5)], vec![Some(1), Some(7)]]),
        json!({"kind": "aggregate", "id": "agg", "input": "t", "group_by": [{"name": "k", "expr": {"column": "k"}}],
               "aggregates": [{"name": "s", "function": "sum", "args": [{"column": "v"}]}]}),
        sink("agg"),
    ]);
    let changes = run_spec(&spec, 2, RuntimeMode::Streaming);
    assert_eq!(texts(&final_rows(&changes)), ["1, 12"]);
    assert!(changes.iter().all(|(k, _)| *k != RowKind::Delete), "{changes:?}");
}

/// A GROUP BY over a GROUP BY and a DISTINCT over it in streaming mode, its state in RocksDB:
/// the outer aggregate's MIN, MAX, SUM and COUNT DISTINCT take retractions from the inner one.
#[cfg(feature = "rocksdb")]
#[test]
fn streaming_group_by_and_distinct_on_rocksdb_match_the_in_memory_state() {
    let rows = rng_rows(3000, 5, 101);
    let nodes = vec![
        values_node("t", &["k", "v"], &rows),
        json!({"kind": "aggregate", "id": "inner", "input": "t", "group_by": [{"name": "k", "expr": {"column": "k"}}],
               "aggregates": [{"name": "hi", "function": "max", "args": [{"column": "v"}]}, {"name": "n", "function": "count"}]}),
        json!({"kind": "aggregate", "id": "agg", "input": "inner", "group_by": [{"name": "n", "expr": {"column": "n"}}],
               "aggregates": [
                 {"name": "groups", "function": "count"},
                 {"name": "lo", "function": "min", "args": [{"column": "hi"}]},
                 {"name": "top", "function": "max", "args": [{"column": "hi"}]},
                 {"name": "s", "function": "sum", "args": [{"column": "hi"}]},
                 {"name": "d", "function": "count", "args": [{"column": "hi"}], "distinct": true}]}),
        json!({"kind": "distinct", "id": "d", "input": "agg"}),
        sink("d"),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let local = dir.path().to_string_lossy().to_string();
    let spec = |config: serde_json::Value| json!({"config": config, "nodes": nodes}).to_string();
    let memory = final_rows(&run_spec(&spec(json!({})), 1, RuntimeMode::Batch));
    let rocksdb = final_rows(&run_spec(&spec(json!({"state.backend.type": "rocksdb", "state.backend.rocksdb.localdir": local})), 3, RuntimeMode::Streaming));
    assert!(memory.len() > 5, "{memory:?}");
    assert_eq!(texts(&rocksdb), texts(&memory));
}
