//! The local combiner chained into its source gives what the `LocalAggregate` operator gives:
//! each query runs as planned (chained) and with a second reader of its source (which keeps
//! the combiner an operator), in both modes and at several worker counts; the results and
//! every node's counters (in streaming mode the source's) must be equal. A GROUP BY is also checked against a sequential
//! reference.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::physical::{PhysicalPlan, combiner_source};
use crate::plan::{JobSpec, Node, RuntimeMode, SinkNode, validate};
use crate::runtime::{JobOutcome, RunOptions, run_job};
use crate::sql::{SqlOutcome, SqlSession};
use crate::types::{Row, Value};

const EVENTS: u64 = 20_000;

/// Nexmark bids with event time (`bid`) and without (`bid_pt`: processing time in streaming).
fn ddl() -> String {
    let columns = "auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, `dateTime` TIMESTAMP(3), extra VARCHAR";
    let with = format!("WITH ('connector' = 'nexmark', 'nexmark.table' = 'bid', 'events.num' = '{EVENTS}')");
    format!(
        "CREATE TABLE bid ({columns}, WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND) {with};
         CREATE TABLE bid_pt ({columns}) {with};"
    )
}

/// The job of `query` (its rows to the `result` sink), and the same job with a second reader
/// of its source, which keeps every operator of its own.
fn jobs(query: &str) -> (JobSpec, JobSpec) {
    let mut session = SqlSession::new();
    session.execute_script(&ddl()).unwrap_or_else(|e| panic!("{e}"));
    let Some(SqlOutcome::Query(spec)) = session.execute_script(query).unwrap_or_else(|e| panic!("{query}: {e}")).pop() else { panic!("not a query") };
    let mut read_twice = spec.clone();
    let source = spec.nodes.iter().find(|n| matches!(n, Node::Source(_))).map(|n| n.id().to_string()).unwrap_or_default();
    read_twice.nodes.push(Node::Sink(SinkNode { id: "second_reader".into(), input: source, connector: "blackhole".into(), options: BTreeMap::new() }));
    (spec, read_twice)
}

fn run(spec: &JobSpec, workers: usize, mode: RuntimeMode) -> JobOutcome {
    let plan = validate(spec).unwrap_or_else(|e| panic!("{e}"));
    let options = RunOptions { workers: Some(workers), mode: Some(mode), tick_ms: 1, ..RunOptions::default() };
    run_job(Arc::new(plan), &options).unwrap_or_else(|e| panic!("{e}"))
}

/// The rows the `result` sink is left with, sorted.
fn result(outcome: &JobOutcome) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for (kind, row) in outcome.collected.get("result").cloned().unwrap_or_default() {
        if kind.is_addition() {
            rows.push(row);
        } else if let Some(i) = rows.iter().position(|r| *r == row) {
            rows.swap_remove(i);
        }
    }
    rows.sort();
    rows
}

/// Per node (the second reader left out): id, records in, records out, skipped.
fn counters(outcome: &JobOutcome) -> Vec<(String, u64, u64, u64)> {
    outcome.metrics.iter().filter(|m| m.id != "second_reader").map(|m| (m.id.clone(), m.records_in, m.records_out, m.records_skipped)).collect()
}

/// Whether the planner chains an aggregate of `spec` into its source in `mode`.
fn chained(spec: &JobSpec, mode: RuntimeMode) -> bool {
    let physical = PhysicalPlan::new(validate(spec).unwrap_or_else(|e| panic!("{e}")), mode).unwrap_or_else(|e| panic!("{e}"));
    (0..physical.nodes.len()).any(|i| combiner_source(&physical, i).is_some())
}

/// Runs `query` chained and not, checking that it is chained in `mode` as `expect_chained`
/// says and that both give the same rows and counters; returns the rows.
fn same_either_way(query: &str, mode: RuntimeMode, expect_chained: bool) -> Vec<Row> {
    let (spec, read_twice) = jobs(query);
    assert_eq!(chained(&spec, mode), expect_chained, "{query}");
    assert!(!chained(&read_twice, mode), "a source read twice keeps its combiner an operator");
    let mut rows = Vec::new();
    for workers in [1, 2, 3] {
        let (fused, separate) = (run(&spec, workers, mode), run(&read_twice, workers, mode));
        rows = result(&fused);
        assert!(!rows.is_empty(), "{query}");
        assert_eq!(rows, result(&separate), "{query} on {workers} workers");
        // A streaming aggregate's updates depend on when its input arrived: only the source's
        // counters are fixed there.
        let kept = if mode == RuntimeMode::Batch { usize::MAX } else { 1 };
        let (fused, separate) = (counters(&fused), counters(&separate));
        assert_eq!(fused[..kept.min(fused.len())], separate[..kept.min(separate.len())], "{query} on {workers} workers");
    }
    rows
}

#[test]
fn a_chained_group_by_gives_the_combiner_operators_rows_and_a_sequential_reference() {
    let query = "SELECT auction, COUNT(*), SUM(price), MAX(price) FROM bid GROUP BY auction";
    let rows = same_either_way(query, RuntimeMode::Batch, true);
    let (raw, _) = jobs("SELECT auction, price FROM bid");
    let mut reference: BTreeMap<i64, (i64, i64, i64)> = BTreeMap::new();
    for row in result(&run(&raw, 2, RuntimeMode::Batch)) {
        let (auction, price) = (row.get(0).as_i64().unwrap_or(0), row.get(1).as_i64().unwrap_or(0));
        let group = reference.entry(auction).or_insert((0, 0, i64::MIN));
        *group = (group.0 + 1, group.1 + price, group.2.max(price));
    }
    let expected: Vec<Row> =
        reference.into_iter().map(|(a, (n, sum, max))| Row::new(vec![Value::BigInt(a), Value::BigInt(n), Value::BigInt(sum), Value::BigInt(max)])).collect();
    assert_eq!(rows, expected);
}

#[test]
fn a_group_by_over_a_chained_calc_is_chained_with_it() {
    let query = "SELECT auction % 10, COUNT(*), SUM(price * 2), MIN(channel) FROM bid WHERE bidder % 3 = 0 GROUP BY auction % 10";
    same_either_way(query, RuntimeMode::Batch, true);
    // A filter that keeps nothing: the global aggregate still has its row.
    let rows = same_either_way("SELECT COUNT(*), SUM(price) FROM bid WHERE price < 0", RuntimeMode::Batch, true);
    assert_eq!(rows, vec![Row::new(vec![Value::BigInt(0), Value::Null])]);
}

#[test]
fn distinct_aggregates_keep_their_single_phase() {
    same_either_way("SELECT auction % 7, COUNT(DISTINCT bidder) FROM bid GROUP BY auction % 7", RuntimeMode::Batch, false);
}

#[test]
fn chained_tumble_and_hop_aggregates_give_the_combiner_operators_rows() {
    let tumble = "SELECT auction, window_start, COUNT(*), MAX(price) FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '1' SECOND)) \
                  GROUP BY auction, window_start, window_end";
    same_either_way(tumble, RuntimeMode::Batch, true);
    let hop = "SELECT auction, window_end, COUNT(*) FROM TABLE(HOP(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '2' SECOND, INTERVAL '10' SECOND)) \
               GROUP BY auction, window_start, window_end";
    same_either_way(hop, RuntimeMode::Batch, true);
}

#[test]
fn streaming_group_bys_chain_on_processing_and_event_time() {
    let query = "SELECT auction % 100, COUNT(*), SUM(price) FROM bid_pt GROUP BY auction % 100";
    same_either_way(query, RuntimeMode::Streaming, true);
    let event_time = "SELECT auction % 100, COUNT(*), SUM(price) FROM bid GROUP BY auction % 100";
    same_either_way(event_time, RuntimeMode::Streaming, true);
}

#[test]
fn a_streaming_hop_aggregate_chains_into_its_event_time_source() {
    let hop = "SELECT auction, window_end, COUNT(*), MAX(price) FROM TABLE(HOP(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '2' SECOND, INTERVAL '10' SECOND)) \
               GROUP BY auction, window_start, window_end";
    same_either_way(hop, RuntimeMode::Streaming, true);
}

/// A split folding its records into partials holds one processing time for as many records as
/// the tick lets it (its groups, not its records, are bounded): over an hour's tick, 400,000
/// events fold into one time, or two when the hour turns, so each group (~10,000 channels) is
/// inserted and updated at most once. (Bounded by its records, as a split sending rows is, the
/// split sent ten changes per group.)
#[test]
fn a_chained_split_holds_its_time_for_its_groups_not_its_records() {
    let (mut spec, _) = jobs("SELECT channel, COUNT(*) FROM bid_pt GROUP BY channel");
    for node in &mut spec.nodes {
        if let Node::Source(source) = node {
            source.options.insert("events.num".into(), "400000".into());
        }
    }
    assert!(chained(&spec, RuntimeMode::Streaming));
    let plan = validate(&spec).unwrap_or_else(|e| panic!("{e}"));
    let options = RunOptions { workers: Some(1), mode: Some(RuntimeMode::Streaming), tick_ms: 3_600_000, ..RunOptions::default() };
    let outcome = run_job(Arc::new(plan), &options).unwrap_or_else(|e| panic!("{e}"));
    let groups = result(&outcome).len();
    let changes = outcome.collected.get("result").map_or(0, Vec::len);
    assert!(groups > 1, "{groups} channels");
    assert!(changes <= 3 * groups, "{changes} changes for {groups} groups");
}

/// The fast path that copies plain key and slot columns folds what evaluating them folds:
/// NULL keys and values, strings, wrapping sums, one and two key columns.
#[test]
fn plain_column_keys_and_slots_fold_as_evaluated_ones() {
    use crate::connectors::SinkContext;
    use crate::expr::BoundExpr;
    use crate::job::{CancelToken, JobContext, JobMetrics};
    use crate::ops::Evaluator;
    use crate::ops::aggregate::{GroupBy, group_combiner, plan_slots};
    use crate::plan::{AggregateFunction as F, BoundAggregate, RuntimeMode};
    use crate::types::DataType as T;

    let ctx = JobContext::new(RuntimeMode::Batch, CancelToken::new(), Arc::new(JobMetrics::new(std::iter::empty())), SinkContext::default(), 200);
    let eval = Evaluator::new("combiner", &ctx);
    let col = |i, t| BoundExpr::column(i, t, true);
    let aggregate = |function, arg: Option<BoundExpr>, output_type| BoundAggregate { function, arg, distinct: false, filter: None, output_type };
    // Columns: k BIGINT, s STRING, x BIGINT, y DOUBLE.
    let aggregates = [
        aggregate(F::Count, None, T::BigInt),
        aggregate(F::Sum, Some(col(2, T::BigInt)), T::BigInt),
        aggregate(F::Max, Some(col(2, T::BigInt)), T::BigInt),
        aggregate(F::Min, Some(col(1, T::String)), T::String),
        aggregate(F::Sum, Some(col(3, T::Double)), T::Double),
        aggregate(F::Count, Some(col(2, T::BigInt)), T::BigInt),
    ];
    let rows: Vec<Row> = (0..300i64)
        .map(|i| {
            Row::new(vec![
                if i % 7 == 0 { Value::Null } else { Value::BigInt(i % 5) },
                if i % 3 == 0 { Value::Null } else { Value::string(&format!("s{}", i % 4)) },
                if i % 4 == 0 { Value::Null } else { Value::BigInt(i64::MAX - i) },
                Value::double(i as f64 / 3.0),
            ])
        })
        .collect();
    for keys in [vec![col(0, T::BigInt)], vec![col(1, T::String), col(0, T::BigInt)]] {
        let through = |group_by: GroupBy, plain: bool| {
            let (sources, slots) = plan_slots(&aggregates, false);
            let combiner = group_combiner(group_by, keys.iter().map(BoundExpr::data_type).collect(), sources, slots, eval.clone());
            assert_eq!(combiner.reads_columns(), plain);
            let (mut table, mut chunk) = (combiner.table(), combiner.chunk());
            for (i, row) in rows.iter().enumerate() {
                combiner.push(&mut chunk, row, 1 + (i % 2) as isize);
                if chunk.is_full() {
                    table.fold(&mut chunk);
                }
            }
            table.fold(&mut chunk);
            let mut groups = table.drain();
            groups.sort();
            groups
        };
        let compiled: Vec<_> = keys.iter().map(BoundExpr::compile).collect();
        let plain = through(GroupBy::new(&keys), true);
        assert_eq!(plain, through(GroupBy::from(compiled), false));
        assert_eq!(plain.len(), if keys.len() == 1 { 6 } else { 30 });
    }
}
