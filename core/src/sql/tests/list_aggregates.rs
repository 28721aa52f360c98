//! FIRST_VALUE, LAST_VALUE, LISTAGG, ARRAY_AGG and COLLECT end to end in batch mode. The
//! expected rows are a plain fold over the VALUES rows in the order they are written (one
//! source, so they reach the aggregate in that order), with Flink's rules: FIRST_VALUE,
//! LAST_VALUE, LISTAGG and COLLECT skip NULLs, ARRAY_AGG keeps them unless `IGNORE NULLS`,
//! LISTAGG's separator is `,` by default and every result is NULL when no value is left.

use super::{error, plan, run_rows};

const ROWS: &str =
    "(VALUES (1, 'b'), (2, 'x'), (1, CAST(NULL AS STRING)), (1, 'a'), (2, CAST(NULL AS STRING)), (1, 'b'), (3, CAST(NULL AS STRING))) AS t(k, v)";

#[test]
fn first_last_and_listagg_follow_arrival_order() {
    let sql = format!("SELECT k, FIRST_VALUE(v), LAST_VALUE(v), LISTAGG(v), LISTAGG(v, '|') FROM {ROWS} GROUP BY k");
    assert_eq!(run_rows(&sql), ["1, b, b, b,a,b, b|a|b", "2, x, x, x, x", "3, null, null, null, null"]);
}

#[test]
fn array_agg_respects_nulls_unless_told_to_ignore_them() {
    let sql = format!("SELECT k, ARRAY_AGG(v), ARRAY_AGG(v RESPECT NULLS), ARRAY_AGG(v IGNORE NULLS) FROM {ROWS} GROUP BY k");
    assert_eq!(run_rows(&sql), ["1, [b, null, a, b], [b, null, a, b], [b, a, b]", "2, [x, null], [x, null], [x]", "3, [null], [null], null"]);
}

#[test]
fn distinct_list_aggregates_keep_each_value_once() {
    // With DISTINCT the order of the values is unspecified (Flink's too); Weir's batch mode
    // gives them sorted.
    let sql = format!("SELECT k, ARRAY_AGG(DISTINCT v IGNORE NULLS), LISTAGG(DISTINCT v), COLLECT(DISTINCT v) FROM {ROWS} GROUP BY k");
    assert_eq!(run_rows(&sql), ["1, [a, b], a,b, {a=1, b=1}", "2, [x], x, {x=1}", "3, null, null, {}"]);
}

#[test]
fn collect_is_a_multiset() {
    let sql = format!("SELECT k, COLLECT(v), CARDINALITY(COLLECT(v)) FROM {ROWS} GROUP BY k");
    assert_eq!(run_rows(&sql), ["1, {a=1, b=2}, 3", "2, {x=1}, 1", "3, {}, 0"]);
}

#[test]
fn global_list_aggregates_of_no_rows() {
    let sql = "SELECT FIRST_VALUE(k), LISTAGG(v), ARRAY_AGG(k), COLLECT(k) FROM (VALUES (1, 'a')) AS t(k, v) WHERE k > 5";
    assert_eq!(run_rows(sql), ["null, null, null, {}"]);
}

#[test]
fn list_aggregates_take_filters_and_other_types() {
    let sql = format!("SELECT LISTAGG(v, '-') FILTER (WHERE k = 1), ARRAY_AGG(k) FILTER (WHERE v IS NULL), FIRST_VALUE(k * 10), LAST_VALUE(k) FROM {ROWS}");
    assert_eq!(run_rows(&sql), ["b-a-b, [1, 2, 3], 10, 3"]);
}

#[test]
fn list_aggregates_reject_what_flink_rejects() {
    assert!(error("SELECT LISTAGG(price) FROM bids").contains("LISTAGG needs a STRING value, found BIGINT"), "{}", error("SELECT LISTAGG(price) FROM bids"));
    assert!(error("SELECT LISTAGG(channel, channel) FROM bids").contains("separator must be a string literal"));
    assert!(error("SELECT ARRAY_AGG(price, bidder) FROM bids").contains("ARRAY_AGG takes exactly one argument"));
    assert!(error("SELECT ARRAY_AGG(price ORDER BY bidder) FROM bids").contains("ORDER BY inside ARRAY_AGG"));
    assert!(error("SELECT SUM(price) IGNORE NULLS FROM bids").contains("IGNORE/RESPECT NULLS on SUM"));
    assert!(error("SELECT LISTAGG(channel) WITHIN GROUP (ORDER BY price) FROM bids").contains("unsupported: WITHIN GROUP (ORDER BY ..) on LISTAGG"));
    assert!(error("SELECT LAST_VALUE(price) RESPECT NULLS FROM bids").contains("IGNORE/RESPECT NULLS on LAST_VALUE"));
    assert!(error("SELECT ARRAY_AGG(price IGNORE NULLS) OVER (PARTITION BY bidder ORDER BY ts) FROM bids").contains("IGNORE/RESPECT NULLS"));
}

#[test]
fn collecting_aggregates_run_over_windows() {
    let sql = "SELECT k, v, FIRST_VALUE(v) OVER w, LAST_VALUE(v) OVER w, ARRAY_AGG(v) OVER w, COLLECT(v) OVER w \
               FROM (VALUES (1, 3), (1, 1), (2, 5), (1, 2)) AS t(k, v) WINDOW w AS (PARTITION BY k ORDER BY v)";
    assert_eq!(run_rows(sql), ["1, 1, 1, 1, [1], {1=1}", "1, 2, 1, 2, [1, 2], {1=1, 2=1}", "1, 3, 1, 3, [1, 2, 3], {1=1, 2=1, 3=1}", "2, 5, 5, 5, [5], {5=1}"]);
}

#[test]
fn sorting_by_a_collection_is_an_error_at_its_place() {
    let e = plan("SELECT ARRAY[price] AS a FROM bids\nORDER BY a").map(|_| ()).expect_err("ORDER BY an ARRAY");
    assert!(e.to_string().contains("ORDER BY a of type ARRAY<BIGINT>: ARRAY, MAP and MULTISET values cannot be sorted"), "{e}");
    assert_eq!(e.position().map(|p| p.to_string()), Some("line 2, column 10".to_string()), "{e}");
}
