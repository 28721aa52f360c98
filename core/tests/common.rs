//! Helpers shared by the engine's integration tests: run a JSON job and read what its
//! `collect` sinks received.

#![allow(dead_code)]

use std::sync::Arc;

use weir_core::expr::EvalError;
use weir_core::plan::{JobSpec, Node, RuntimeMode, parse_job_spec, validate};
use weir_core::runtime::{RunOptions, run_job};
use weir_core::sql::{SqlOutcome, SqlSession};
use weir_core::types::{DataType, Row, RowKind, Value};
use weir_core::udf::{AggregateSignature, GroupUpdate, UserAccumulator, UserAggregateFunction};

/// Runs `spec` (JSON text) and returns the changelog of the sink `out`.
pub fn run_spec(spec: &str, workers: usize, mode: RuntimeMode) -> Vec<(RowKind, Row)> {
    let spec = parse_job_spec(spec).unwrap_or_else(|e| panic!("bad spec: {e}"));
    let plan = validate(&spec).unwrap_or_else(|e| panic!("invalid plan: {e}"));
    let options = RunOptions { workers: Some(workers), mode: Some(mode), tick_ms: 1, ..RunOptions::default() };
    let outcome = run_job(Arc::new(plan), &options).unwrap_or_else(|e| panic!("job failed: {e}"));
    outcome.collected.get("out").cloned().unwrap_or_default()
}

/// The job of the query `script` ends with (run in `session`), its result going to `collect`
/// sinks.
pub fn collected_query(mut session: SqlSession, script: &str) -> JobSpec {
    let out = session.execute_script(script).unwrap_or_else(|e| panic!("{e}"));
    let Some(SqlOutcome::Query(mut spec)) = out.into_iter().last() else { panic!("not a query") };
    for node in &mut spec.nodes {
        if let Node::Sink(s) = node {
            s.connector = "collect".into();
            s.options.clear();
        }
    }
    spec
}

/// The rows a changelog leaves standing, sorted (a multiset as a sorted list).
pub fn final_rows(changes: &[(RowKind, Row)]) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for (kind, row) in changes {
        if kind.is_addition() {
            rows.push(row.clone());
        } else if let Some(i) = rows.iter().position(|r| r == row) {
            rows.swap_remove(i);
        } else {
            panic!("retraction of a row that is not there: {kind} {row:?}");
        }
    }
    rows.sort();
    rows
}

/// The rows as printed text, for readable assertions.
pub fn texts(rows: &[Row]) -> Vec<String> {
    rows.iter().map(|r| r.to_string()).collect()
}

/// A `values` node with BIGINT columns named `cols` and the given rows.
pub fn values_node(id: &str, cols: &[&str], rows: &[Vec<Option<i64>>]) -> serde_json::Value {
    let schema: Vec<_> = cols.iter().map(|c| serde_json::json!({"name": c, "type": "BIGINT"})).collect();
    serde_json::json!({"kind": "values", "id": id, "schema": schema, "rows": rows})
}

/// SUM as a user aggregate: the accumulator is (sum, non-NULL values), kept by the operator.
pub struct UserSum;

impl UserAggregateFunction for UserSum {
    fn name(&self) -> &str {
        "user_sum"
    }

    fn signature(&self, _arg_types: &[DataType]) -> Result<AggregateSignature, String> {
        Ok(AggregateSignature { params: vec![DataType::BigInt], result: DataType::BigInt })
    }

    fn update(&self, groups: &mut [GroupUpdate<'_>]) -> Result<Vec<Value>, EvalError> {
        let mut out = Vec::new();
        for g in groups.iter_mut() {
            let acc = g.accumulator.get_or_insert_with(|| Box::new((0i64, 0i64)));
            let (sum, n) = acc.downcast_mut::<(i64, i64)>().ok_or_else(|| EvalError::new("foreign accumulator"))?;
            for (args, diff) in g.changes {
                if let Some(Value::BigInt(v)) = args.first() {
                    *sum += v * *diff as i64;
                    *n += *diff as i64;
                }
            }
            out.push(if *n > 0 { Value::BigInt(*sum) } else { Value::Null });
        }
        Ok(out)
    }

    /// The same, with the accumulator as 16 bytes (sum, count).
    fn update_encoded(&self, groups: &mut [GroupUpdate<'_, Vec<u8>>]) -> Result<Vec<Value>, EvalError> {
        let mut out = Vec::new();
        for g in groups.iter_mut() {
            let bytes = g.accumulator.take().unwrap_or_else(|| vec![0; 16]);
            let (sum, count) = bytes.split_at_checked(8).ok_or_else(|| EvalError::new("short accumulator"))?;
            let mut accumulator: Option<UserAccumulator> =
                Some(Box::new((i64::from_le_bytes(sum.try_into().expect("8 bytes")), i64::from_le_bytes(count.try_into().expect("8 bytes")))));
            out.extend(self.update(&mut [GroupUpdate { accumulator: &mut accumulator, changes: g.changes }])?);
            let (sum, n) = accumulator.as_ref().and_then(|a| a.downcast_ref::<(i64, i64)>()).ok_or_else(|| EvalError::new("foreign accumulator"))?;
            *g.accumulator = Some([sum.to_le_bytes(), n.to_le_bytes()].concat());
        }
        Ok(out)
    }
}
