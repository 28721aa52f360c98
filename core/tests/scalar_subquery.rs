//! Scalar subqueries at run time: a subquery that returns more than one row for an outer row
//! fails the job, as Flink's `SINGLE_VALUE` does; one row per outer row (or none) runs, in
//! batch and streaming mode.

mod common;

use std::sync::Arc;

use weir_core::plan::{JobSpec, Node, RuntimeMode, validate};
use weir_core::runtime::{RunOptions, run_job};
use weir_core::sql::{SqlOutcome, SqlSession};

use common::{final_rows, texts};

fn plan(query: &str) -> JobSpec {
    let mut session = SqlSession::new();
    let out = session.execute_script(query).unwrap_or_else(|e| panic!("{e}"));
    let Some(SqlOutcome::Query(mut spec)) = out.into_iter().last() else { panic!("not a query") };
    for node in &mut spec.nodes {
        if let Node::Sink(s) = node {
            s.connector = "collect".into();
            s.options.clear();
        }
    }
    spec
}

fn run(query: &str, mode: RuntimeMode) -> Result<Vec<String>, String> {
    let plan = validate(&plan(query)).unwrap_or_else(|e| panic!("{e}"));
    let options = RunOptions { workers: Some(2), mode: Some(mode), tick_ms: 1, ..RunOptions::default() };
    let outcome = run_job(Arc::new(plan), &options).map_err(|e| e.to_string())?;
    let rows = outcome.collected.values().flat_map(|changes| final_rows(changes)).collect::<Vec<_>>();
    let mut out = texts(&rows);
    out.sort();
    Ok(out)
}

const OUTER: &str = "(VALUES (1), (2), (3)) AS t(a)";

#[test]
fn a_correlated_scalar_subquery_with_one_row_per_outer_row_runs() {
    let query = format!("SELECT a, (SELECT v FROM (VALUES (1, 10), (2, 20)) AS u(k, v) WHERE u.k = t.a) AS v FROM {OUTER}");
    for mode in [RuntimeMode::Batch, RuntimeMode::Streaming] {
        assert_eq!(run(&query, mode).unwrap_or_else(|e| panic!("{e}")), ["1, 10", "2, 20", "3, null"], "{mode:?}");
    }
}

#[test]
fn a_scalar_subquery_returning_two_rows_fails_the_job() {
    let correlated = format!("SELECT a, (SELECT v FROM (VALUES (1, 10), (1, 11), (2, 20)) AS u(k, v) WHERE u.k = t.a) FROM {OUTER}");
    let uncorrelated = format!("SELECT a FROM {OUTER} WHERE a < (SELECT v FROM (VALUES (10), (11)) AS u(v))");
    for query in [correlated, uncorrelated] {
        for mode in [RuntimeMode::Batch, RuntimeMode::Streaming] {
            let err = run(&query, mode).expect_err("two rows for one outer row must fail");
            assert!(err.contains("a scalar subquery returned more than one row"), "{mode:?}: {err}");
        }
    }
}
