//! Depth and size limits: statements of any size give an error naming the limit, on a
//! server-sized (2 MiB) thread stack, and everything accepted runs and reads back as JSON.

use super::{DDL, job, run_rows, session};
use crate::plan::{Limits, parse_job_spec};
use crate::sql::{SqlError, SqlOutcome, SqlSession};

/// Runs `f` on a thread with a 2 MiB stack, as a server's worker thread has.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let handle = std::thread::Builder::new().stack_size(2 << 20).spawn(f).unwrap();
    handle.join().unwrap()
}

/// The error of planning `sql` after the DDL, on a small stack.
fn limit_error(sql: String) -> SqlError {
    on_small_stack(move || match session().execute_script(&sql) {
        Ok(out) => panic!("expected a limit error, planned {} statements", out.len()),
        Err(e) => e,
    })
}

fn assert_depth_error(sql: String) {
    let len = sql.len();
    let e = limit_error(sql);
    let text = e.to_string();
    assert_eq!(e.code(), "sql_limit_exceeded", "{text}");
    assert!(text.contains("'table.exec.sql.max-expression-depth'"), "{text}");
    assert!(e.position().is_some_and(|p| p.line == 1 && p.column > 1), "{text}");
    // The message and its snippet stay small whatever the size of the statement.
    assert!(text.len() < 600, "{} bytes of error for {len} bytes of SQL", text.len());
}

#[test]
fn a_200_term_sum_plans_runs_and_reads_back() {
    let rows = on_small_stack(|| {
        let sum = vec!["price"; 200].join(" + ");
        job(&format!("SELECT {sum} FROM bids"));
        run_rows(&format!("SELECT {sum} AS s FROM bids WHERE price IS NOT NULL AND auction < 3"))
    });
    assert!(!rows.is_empty());
}

#[test]
fn the_deepest_accepted_expression_reads_back() {
    // Just under the default depth: accepted, and its JSON spec (about 3,000 levels, far
    // beyond serde_json's default 128) reads back under the same limits.
    let depth = Limits::default().max_expression_depth - 8;
    let spec = on_small_stack(move || job(&format!("SELECT {} FROM bids", vec!["price"; depth].join(" + "))));
    let text = serde_json::to_string(&spec).unwrap();
    assert!(crate::plan::json_depth(&text, usize::MAX).unwrap() > 2900);
    let back = on_small_stack(move || parse_job_spec(&text).map(|s| s.nodes.len()));
    assert_eq!(back, Ok(spec.nodes.len()));
    // And it runs: compiled and evaluated on the dataflow's worker threads.
    let sum = vec!["price"; depth].join(" + ");
    let rows = on_small_stack(move || run_rows(&format!("SELECT {sum} AS s FROM bids WHERE price IS NOT NULL AND auction < 3")));
    assert!(!rows.is_empty());
}

#[test]
fn a_raised_limit_runs_on_any_thread() {
    // 3,000 deep: planned, compiled and evaluated on worker threads (each on a stack reserved
    // for the job's limit), from a 2 MiB thread, in a debug build too.
    let sum = vec!["price"; 3000].join(" + ");
    let rows = on_small_stack(move || {
        let sql = format!("SET 'table.exec.sql.max-expression-depth' = '3100';\nSELECT {sum} AS s FROM bids WHERE price IS NOT NULL AND auction < 3");
        let mut s = session();
        let spec = match s.execute_script(&sql).unwrap_or_else(|e| panic!("{e}")).pop() {
            Some(SqlOutcome::Query(spec)) => spec,
            other => panic!("not a query: {other:?}"),
        };
        let plan = crate::plan::validate(&spec).unwrap_or_else(|e| panic!("{e}"));
        let options = crate::runtime::RunOptions { workers: Some(2), mode: Some(crate::plan::RuntimeMode::Batch), ..Default::default() };
        let outcome = crate::runtime::run_job(std::sync::Arc::new(plan), &options).unwrap_or_else(|e| panic!("{e}"));
        outcome.collected.get(crate::sql::RESULT_SINK).map_or(0, Vec::len)
    });
    assert!(rows > 0);
}

#[test]
fn huge_expressions_are_refused_with_the_limit() {
    let n = 100_000;
    assert_depth_error(format!("SELECT {} FROM bids", vec!["price"; n].join(" + ")));
    assert_depth_error(format!("SELECT {}price{} FROM bids", "(".repeat(n), ")".repeat(n)));
    assert_depth_error(format!("SELECT {}price{} FROM bids", "UPPER(".repeat(n), ")".repeat(n)));
    assert_depth_error(format!("SELECT {}1{} FROM bids", "CASE WHEN price > 1 THEN ".repeat(n / 5), " END".repeat(n / 5)));
    assert_depth_error(format!("SELECT * FROM {}bids{}", "(SELECT * FROM ".repeat(n / 5), ")".repeat(n / 5)));
    assert_depth_error(format!("SELECT * FROM bids WHERE {}", vec!["price = 1"; n / 5].join(" OR ")));
    assert_depth_error(vec!["SELECT price FROM bids"; 20_000].join(" UNION ALL "));
    assert_depth_error(format!("SELECT {} FROM bids", vec!["NOT"; n].join(" ") + " price > 1"));
}

#[test]
fn wide_but_shallow_statements_are_accepted() {
    // A long IN list and a CASE of many branches are flat.
    let list: Vec<String> = (0..10_000).map(|i| i.to_string()).collect();
    on_small_stack(move || job(&format!("SELECT auction FROM bids WHERE auction IN ({})", list.join(", "))));
    let branches: String = (0..1000).map(|i| format!(" WHEN price = {i} THEN {i}")).collect();
    on_small_stack(move || job(&format!("SELECT CASE{branches} ELSE 0 END FROM bids")));
    on_small_stack(|| job(&vec!["SELECT price FROM bids"; 50].join(" UNION ALL ")));
}

#[test]
fn moderate_nesting_stays_within_the_parser() {
    // Beyond sqlparser's own nesting limit (50) but within ours: its error, not a crash.
    let e = limit_error(format!("SELECT {}price{} FROM bids", "(".repeat(300), ")".repeat(300)));
    assert!(e.to_string().contains("nested too deeply"), "{e}");
}

#[test]
fn set_lowers_the_limits_and_a_server_ceiling_holds() {
    let sum = vec!["price"; 30].join(" + ");
    let mut s = session();
    s.execute_script("SET 'table.exec.sql.max-expression-depth' = '20';").unwrap();
    let e = s.execute_script(&format!("SELECT {sum} FROM bids")).unwrap_err();
    assert!(e.to_string().contains("more than 20 levels"), "{e}");
    s.execute_script("SET 'table.exec.plan.max-nodes' = '2';").unwrap();
    s.execute_script("RESET 'table.exec.sql.max-expression-depth';").unwrap();
    let e = s.execute_script("SELECT price FROM bids WHERE price > 1").unwrap_err();
    assert!(e.to_string().contains("'table.exec.plan.max-nodes'"), "{e}");

    let mut server = SqlSession::new();
    server.set_limits(Limits { max_statement_length: 4000, raisable: false, ..Limits::default() });
    server.execute_script(DDL).unwrap();
    let e = server.execute_script("SET 'table.exec.sql.max-statement-length' = '100000';").unwrap_err();
    assert!(e.to_string().contains("only lower"), "{e}");
    let e = server.execute_script(&format!("SELECT {} FROM bids", vec!["price"; 1000].join(" + "))).unwrap_err();
    assert!(e.to_string().contains("longer than 4000 characters"), "{e}");
    assert!(matches!(server.execute_script("SELECT price FROM bids").unwrap().remove(0), SqlOutcome::Query(_)));
}

#[test]
fn deep_json_specs_are_refused_with_their_path() {
    let mut expr = r#"{"column": "price"}"#.to_string();
    for _ in 0..5000 {
        expr = format!(r#"{{"call": {{"function": "+", "args": [{expr}, {{"literal": 1}}]}}}}"#);
    }
    let spec = format!(
        r#"{{"nodes": [{{"kind": "source", "id": "s", "connector": "datagen", "schema": [{{"name": "price", "type": "BIGINT"}}]}},
        {{"kind": "project", "id": "p", "input": "s", "exprs": [{{"name": "x", "expr": {expr}}}]}}]}}"#
    );
    let e = on_small_stack(move || parse_job_spec(&spec).unwrap_err());
    assert!(e.message.contains("'table.exec.sql.max-expression-depth'"), "{e}");
    assert!(e.message.contains("line 2"), "{e}");
    // The spec's own config lowers the limit (2 levels of expression: 38 of JSON).
    let mut expr = r#"{"column": "price"}"#.to_string();
    for _ in 0..20 {
        expr = format!(r#"{{"call": {{"function": "+", "args": [{expr}, {{"literal": 1}}]}}}}"#);
    }
    let shallow = format!(
        r#"{{"config": {{"table.exec.sql.max-expression-depth": "2"}}, "nodes": [{{"kind": "source", "id": "s", "connector": "datagen",
        "schema": [{{"name": "price", "type": "BIGINT"}}]}}, {{"kind": "filter", "id": "f", "input": "s",
        "predicate": {{"call": {{"function": ">", "args": [{expr}, {{"literal": 1}}]}}}}}}]}}"#
    );
    let e = parse_job_spec(&shallow).unwrap_err();
    assert!(e.path.0.starts_with("nodes[1].predicate.call.args[0]"), "{e}");
}
