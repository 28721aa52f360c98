//! `OVERLAPS`, `CURRENT_ROW_TIMESTAMP()` and `SOURCE_WATERMARK()`, each answer as Flink 2.3
//! gives it (tests/flink_reference/time_overlaps.py, dynamic_table_options.py).

use super::{check_expressions, error, job, run_rows, session};

const T10: &str = "TIMESTAMP '2024-01-01 10:00:00'";

/// `expr` with each `@hh:mm:ss` written out as `TIMESTAMP '2024-01-01 hh:mm:ss'`.
fn ts(expr: &str) -> String {
    let mut parts = expr.split('@');
    let mut out = parts.next().unwrap_or_default().to_string();
    for part in parts {
        let (time, rest) = part.split_at(8.min(part.len()));
        out.push_str(&format!("TIMESTAMP '2024-01-01 {time}'{rest}"));
    }
    out
}

#[test]
fn overlaps_answers_as_flink() {
    // (periods, Flink's answer) from tests/flink_reference/time_overlaps.py.
    let cases: Vec<(String, String)> = [
        ("(@10:00:00, @11:00:00) OVERLAPS (@10:30:00, @12:00:00)", "TRUE"),
        ("(@10:00:00, @11:00:00) OVERLAPS (@11:00:00, @12:00:00)", "TRUE"),
        ("(@10:00:00, @11:00:00) OVERLAPS (@11:00:01, @12:00:00)", "FALSE"),
        ("(@11:00:00, @10:00:00) OVERLAPS (@12:00:00, @10:30:00)", "TRUE"),
        ("(@11:00:00, @10:00:00) OVERLAPS (@12:00:00, @11:30:00)", "FALSE"),
        ("(@10:00:00, @10:00:00) OVERLAPS (@10:00:00, @10:00:00)", "TRUE"),
        ("(@10:00:00, @10:00:00) OVERLAPS (@09:00:00, @11:00:00)", "TRUE"),
        ("(@10:00:00, INTERVAL '1' HOUR) OVERLAPS (@10:59:59, INTERVAL '1' SECOND)", "TRUE"),
        ("(@10:00:00, INTERVAL '1' HOUR) OVERLAPS (@11:00:00, INTERVAL '1' SECOND)", "TRUE"),
        ("(@10:00:00, INTERVAL '-1' HOUR) OVERLAPS (@09:30:00, INTERVAL '1' SECOND)", "TRUE"),
        ("(@10:00:00, INTERVAL '1' HOUR) OVERLAPS (@12:00:00, INTERVAL '-2' HOUR)", "TRUE"),
        ("(CAST(NULL AS TIMESTAMP), @11:00:00) OVERLAPS (@10:30:00, @12:00:00)", "null"),
        ("(@10:00:00, CAST(NULL AS TIMESTAMP)) OVERLAPS (@10:30:00, @12:00:00)", "FALSE"),
        ("(@10:00:00, CAST(NULL AS TIMESTAMP)) OVERLAPS (@12:30:00, @13:00:00)", "FALSE"),
        ("(@10:00:00, @11:00:00) OVERLAPS (CAST(NULL AS TIMESTAMP), @12:00:00)", "FALSE"),
        ("(@10:00:00, @11:00:00) OVERLAPS (@12:00:00, CAST(NULL AS TIMESTAMP))", "null"),
        ("(@10:00:00, @11:00:00) OVERLAPS (@10:30:00, CAST(NULL AS TIMESTAMP))", "null"),
        ("(@10:00:00, @11:00:00) OVERLAPS (@09:30:00, CAST(NULL AS TIMESTAMP))", "FALSE"),
        ("(@10:00:00, CAST(NULL AS INTERVAL HOUR)) OVERLAPS (@10:30:00, @12:00:00)", "FALSE"),
        ("(CAST(NULL AS TIMESTAMP), CAST(NULL AS TIMESTAMP)) OVERLAPS (@10:30:00, @12:00:00)", "null"),
        ("(DATE '2024-01-01', DATE '2024-01-03') OVERLAPS (DATE '2024-01-03', DATE '2024-01-05')", "TRUE"),
        ("(DATE '2024-01-01', INTERVAL '2' DAY) OVERLAPS (DATE '2024-01-04', DATE '2024-01-05')", "FALSE"),
        ("(TIME '10:00:00', TIME '11:00:00') OVERLAPS (TIME '10:59:00', INTERVAL '1' HOUR)", "TRUE"),
        ("(TIME '23:00:00', INTERVAL '2' HOUR) OVERLAPS (TIME '00:30:00', TIME '00:40:00')", "FALSE"),
        ("(TO_TIMESTAMP_LTZ(0, 3), TO_TIMESTAMP_LTZ(1000, 3)) OVERLAPS (TO_TIMESTAMP_LTZ(1000, 3), TO_TIMESTAMP_LTZ(2000, 3))", "TRUE"),
        ("(DATE '2024-01-31', INTERVAL '1' MONTH) OVERLAPS (DATE '2024-02-29', DATE '2024-03-05')", "TRUE"),
        // The Table API's name, with the same rules.
        ("TEMPORAL_OVERLAPS(@11:00:00, @10:00:00, @12:00:00, @10:30:00)", "TRUE"),
        ("TEMPORAL_OVERLAPS(@10:00:00, CAST(NULL AS TIMESTAMP), @10:30:00, @12:00:00)", "FALSE"),
    ]
    .into_iter()
    .map(|(e, want)| (ts(e), want.to_string()))
    .collect();
    let refs: Vec<(&str, &str)> = cases.iter().map(|(e, w)| (e.as_str(), w.as_str())).collect();
    check_expressions("CAST({} AS STRING)", &refs);
}

#[test]
fn overlaps_needs_two_periods_of_one_datetime_type() {
    for sql in [
        format!("SELECT ({T10}, DATE '2024-01-02') OVERLAPS ({T10}, {T10})"),
        format!("SELECT ({T10}, {T10}) OVERLAPS (DATE '2024-01-01', DATE '2024-01-02')"),
        format!("SELECT ({T10}, {T10}) OVERLAPS (TO_TIMESTAMP_LTZ(0, 3), TO_TIMESTAMP_LTZ(0, 3))"),
        "SELECT (1, 2) OVERLAPS (2, 3)".to_string(),
        format!("SELECT (INTERVAL '1' HOUR, {T10}) OVERLAPS ({T10}, {T10})"),
    ] {
        let e = error(&sql);
        assert!(e.contains("function OVERLAPS expects (start DATETIME, end DATETIME|INTERVAL"), "{sql}\n  {e}");
    }
    let e = error("SELECT (DATE '2024-01-01') OVERLAPS (DATE '2024-01-01', DATE '2024-01-02')");
    assert!(e.contains("Cannot apply 'OVERLAPS'") && e.contains("each side is a period"), "{e}");
    let e = error("SELECT (DATE '2024-01-01', DATE '2024-01-01', DATE '2024-01-01') OVERLAPS (DATE '2024-01-01', DATE '2024-01-02')");
    assert!(e.contains("Cannot apply 'OVERLAPS'"), "{e}");
}

#[test]
fn overlaps_reads_columns_row_by_row() {
    let rows = run_rows("SELECT auction, (ts, INTERVAL '1' SECOND) OVERLAPS (ts, ts) FROM bids WHERE auction < 3");
    assert!(!rows.is_empty() && rows.iter().all(|r| r.ends_with(", true")), "{rows:?}");
}

#[test]
fn current_row_timestamp_is_a_per_row_timestamp_ltz() {
    check_expressions("TYPEOF({})", &[("CURRENT_ROW_TIMESTAMP()", "TIMESTAMP_LTZ(3) NOT NULL")]);
    // Never folded into a constant: the project keeps the call.
    let spec = job("SELECT CURRENT_ROW_TIMESTAMP() AS now FROM auctions");
    let text = serde_json::to_string(&spec).unwrap_or_default();
    assert!(text.contains("CURRENT_ROW_TIMESTAMP"), "{text}");
    let rows = run_rows("SELECT CURRENT_ROW_TIMESTAMP() > TO_TIMESTAMP_LTZ(1700000000000, 3) FROM auctions WHERE id < 2");
    assert!(!rows.is_empty() && rows.iter().all(|r| r == "true"), "{rows:?}");
    let e = error("SELECT CURRENT_ROW_TIMESTAMP(1)");
    assert!(e.contains("function CURRENT_ROW_TIMESTAMP expects ()"), "{e}");
}

#[test]
fn source_watermark_is_refused_naming_the_connector() {
    let mut s = session();
    s.execute_script(
        "CREATE TABLE sw (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS SOURCE_WATERMARK()) WITH ('connector' = 'datagen', 'number-of-rows' = '1');",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let e = s.execute_script("SELECT id\nFROM sw").unwrap_err().to_string();
    assert!(e.contains("WATERMARK FOR ts AS SOURCE_WATERMARK() on table sw: connector 'datagen' emits no watermarks of its own"), "{e}");
    assert!(e.contains("(at line 2, column 6)"), "{e}");
    let e = error("SELECT SOURCE_WATERMARK() FROM auctions");
    assert!(e.contains("SOURCE_WATERMARK() is a declarative marker function") && e.contains("(at line 1, column 8)"), "{e}");
}
