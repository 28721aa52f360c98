//! SUM0, JSON_ARRAYAGG and JSON_OBJECTAGG end to end in batch mode, against the values a plain
//! fold over the VALUES rows gives with Flink's rules: SUM0 is 0 where SUM is NULL;
//! JSON_ARRAYAGG leaves NULLs out unless `NULL ON NULL`, JSON_OBJECTAGG keeps them unless
//! `ABSENT ON NULL`; no rows give `[]` / `{}`; a repeated or NULL key fails the job.

use std::sync::Arc;

use super::{error, job, run_rows};
use crate::plan::RuntimeMode;
use crate::runtime::{RunOptions, run_job};

const ROWS: &str = "(VALUES (1, 'b', 10), (2, 'x', CAST(NULL AS INT)), (1, CAST(NULL AS STRING), 5), (1, 'a', 7)) AS t(k, v, n)";

/// The error of running `sql` in batch mode.
fn run_error(sql: &str) -> String {
    let plan = crate::plan::validate(&job(sql)).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let options = RunOptions { workers: Some(1), mode: Some(RuntimeMode::Batch), tick_ms: 1, ..RunOptions::default() };
    match run_job(Arc::new(plan), &options) {
        Ok(_) => panic!("expected {sql} to fail"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn sum0_is_zero_where_sum_is_null() {
    let sql = format!("SELECT k, SUM0(n), SUM(n), SUM0(DISTINCT n) FILTER (WHERE n > 6) FROM {ROWS} GROUP BY k");
    assert_eq!(run_rows(&sql), ["1, 22, 22, 17", "2, 0, null, 0"]);
    assert_eq!(run_rows("SELECT SUM0(price), SUM0(CAST(price AS DOUBLE)) FROM bids WHERE price > 0 AND price < 0"), ["0, 0.0"]);
}

#[test]
fn json_arrayagg_gathers_values_as_json() {
    let sql = format!("SELECT k, JSON_ARRAYAGG(v), JSON_ARRAYAGG(v NULL ON NULL), JSON_ARRAYAGG(n ABSENT ON NULL) FROM {ROWS} GROUP BY k");
    assert_eq!(run_rows(&sql), [r#"1, ["b","a"], ["b",null,"a"], [10,5,7]"#, r#"2, ["x"], ["x"], []"#]);
    let nested = format!("SELECT JSON_ARRAYAGG(JSON_OBJECT('k' VALUE k)) FROM {ROWS} WHERE n > 6");
    assert_eq!(run_rows(&nested), [r#"[{"k":1},{"k":1}]"#]);
    assert_eq!(run_rows("SELECT JSON_ARRAYAGG(price) FROM bids WHERE price > 0 AND price < 0"), ["[]"]);
}

#[test]
fn json_objectagg_builds_one_object_per_group() {
    let sql = format!("SELECT k, JSON_OBJECTAGG(KEY v VALUE n), JSON_OBJECTAGG(v VALUE n ABSENT ON NULL) FROM {ROWS} WHERE v IS NOT NULL GROUP BY k");
    assert_eq!(run_rows(&sql), [r#"1, {"a":7,"b":10}, {"a":7,"b":10}"#, r#"2, {"x":null}, {}"#]);
    assert_eq!(run_rows("SELECT JSON_OBJECTAGG(KEY channel VALUE price) FROM bids WHERE price > 0 AND price < 0"), ["{}"]);
}

#[test]
fn json_objectagg_fails_on_a_repeated_or_null_key() {
    let repeated = run_error(&format!("SELECT JSON_OBJECTAGG(KEY 'same' VALUE k) FROM {ROWS}"));
    assert!(repeated.contains(r#"JSON_OBJECTAGG: the key "same" occurs more than once"#), "{repeated}");
    let null = run_error(&format!("SELECT JSON_OBJECTAGG(KEY v VALUE k) FROM {ROWS}"));
    assert!(null.contains("JSON_OBJECTAGG: a key is NULL"), "{null}");
}

#[test]
fn derived_aggregates_reject_bad_arguments_at_planning() {
    assert!(error("SELECT JSON_OBJECTAGG(KEY price VALUE bidder) FROM bids").contains("JSON_OBJECTAGG keys are STRING, found BIGINT"));
    assert!(error("SELECT SUM0(channel) FROM bids").contains("SUM0 needs a numeric argument, found STRING"));
    assert!(error("SELECT SUM0(price, bidder) FROM bids").contains("SUM0 takes exactly one argument"));
    assert!(error("SELECT JSON_ARRAYAGG(price, bidder) FROM bids").contains("JSON_ARRAYAGG takes exactly one value"));
}
