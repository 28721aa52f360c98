//! `CURRENT_WATERMARK(rowtime)` in SQL and JSON specs: where it plans, and the errors, with
//! their SQL position or JSON path, where it cannot (not a rowtime attribute, no watermark, a
//! processing-time attribute, outside a projection or filter). Its values are checked at run
//! time in `core/tests/current_watermark.rs` and the golden cases `current_watermark_*`.

use crate::plan::{Node, parse_job_spec, validate};

use super::{error, job, node, session};

#[test]
fn it_plans_in_where_and_select_over_the_rowtime_attribute() {
    let spec = job("SELECT auction, CURRENT_WATERMARK(ts) AS wm FROM bids WHERE CURRENT_WATERMARK(ts) IS NULL OR ts > CURRENT_WATERMARK(ts)");
    let calls = serde_json::to_string(&spec).expect("serializes").matches("\"CURRENT_WATERMARK\"").count();
    assert_eq!(calls, 3, "{spec:?}");
    // Through a subquery and a window TVF the rowtime attribute is still `ts`.
    job("SELECT * FROM (SELECT auction, ts FROM bids) WHERE ts <= current_watermark(ts)");
    job("SELECT window_start, ts FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND)) WHERE ts > CURRENT_WATERMARK(ts)");
}

#[test]
fn the_result_has_the_rowtime_type_and_may_be_null() {
    let spec = job("SELECT CURRENT_WATERMARK(ts) AS wm FROM bids");
    let plan = validate(&spec).unwrap_or_else(|e| panic!("{e}"));
    let field = plan.nodes.iter().rev().find_map(|n| n.schema.index_of("wm").map(|i| n.schema.fields[i].clone())).expect("a wm column");
    assert_eq!(field.data_type, crate::types::DataType::Timestamp);
    assert!(field.nullable);
}

#[test]
fn a_column_that_is_not_the_rowtime_attribute_is_rejected_at_the_call() {
    let e = error("SELECT auction,\n  CURRENT_WATERMARK(price) FROM bids");
    assert!(e.contains("CURRENT_WATERMARK needs a rowtime attribute: it is not the input's rowtime attribute"), "{e}");
    assert!(e.contains("line 2, column 3"), "{e}");
    let e = error("SELECT * FROM bids WHERE CURRENT_WATERMARK(ts + INTERVAL '1' SECOND) IS NULL");
    assert!(e.contains("the argument must be the rowtime attribute itself") && e.contains("line 1, column 26"), "{e}");
    let e = error("SELECT CURRENT_WATERMARK(ts, ts) FROM bids");
    assert!(e.contains("expects one argument") && e.contains("line 1, column 8"), "{e}");
}

#[test]
fn a_table_without_a_watermark_has_no_rowtime_attribute() {
    let e = error("SELECT id FROM auctions WHERE CURRENT_WATERMARK(id) IS NULL");
    assert!(e.contains("the input has no rowtime attribute (declare a WATERMARK") && e.contains("line 1, column 31"), "{e}");
    let mut s = session();
    s.execute_script("CREATE TABLE p (a INT, pt AS PROCTIME()) WITH ('connector' = 'datagen', 'number-of-rows' = '1');").unwrap_or_else(|e| panic!("{e}"));
    let e = s.execute_script("SELECT a, CURRENT_WATERMARK(pt) FROM p").map(|_| ()).expect_err("a processing-time attribute is not a rowtime").to_string();
    assert!(e.contains("the input has no rowtime attribute"), "{e}");
    // After an aggregate there is no rowtime attribute either (as in Flink).
    let e = error("SELECT auction, MAX(ts) AS ts FROM bids GROUP BY auction HAVING MAX(ts) > CURRENT_WATERMARK(MAX(ts))");
    assert!(e.contains("CURRENT_WATERMARK"), "{e}");
}

#[test]
fn outside_a_projection_or_filter_it_is_rejected() {
    let e = error("SELECT COUNT(*) FROM bids GROUP BY CURRENT_WATERMARK(ts)");
    assert!(e.contains("CURRENT_WATERMARK can only be used in a projection or filter") && e.contains("line 1, column 36"), "{e}");
}

#[test]
fn json_specs_name_the_path() {
    let spec = |watermark: &str, arg: &str| {
        format!(
            r#"{{"nodes": [
              {{"kind": "source", "id": "s", "connector": "datagen", "options": {{"number-of-rows": "1"}},
               "schema": [{{"name": "n", "type": "BIGINT"}}, {{"name": "ts", "type": "TIMESTAMP(3)"}}]{watermark}}},
              {{"kind": "filter", "id": "late", "input": "s",
               "predicate": {{"call": {{"function": "<=", "args": [{{"column": "ts"}}, {{"call": {{"function": "CURRENT_WATERMARK", "args": [{{"column": "{arg}"}}]}}}}]}}}}}},
              {{"kind": "sink", "id": "out", "input": "late", "connector": "blackhole"}}]}}"#
        )
    };
    let with_watermark = r#", "watermark": {"column": "ts", "delay_ms": 1000}"#;
    let parsed = parse_job_spec(&spec(with_watermark, "ts")).unwrap_or_else(|e| panic!("{e}"));
    validate(&parsed).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(node(&parsed, "late"), Node::Filter(_)));
    for (watermark, arg, why) in [("", "ts", "the input has no rowtime attribute"), (with_watermark, "n", "it is not the input's rowtime attribute")] {
        let parsed = parse_job_spec(&spec(watermark, arg)).unwrap_or_else(|e| panic!("{e}"));
        let e = validate(&parsed).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("nodes[1].predicate.call.args[1].call.args[0]") && e.contains(why), "{e}");
    }
}
