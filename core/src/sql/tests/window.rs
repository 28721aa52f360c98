//! Event time in SQL: watermarks lowered to source watermarks, window TVFs to window nodes.

use crate::plan::{Node, WatermarkDef, WindowKind};
use crate::sql::SqlSession;

use super::{error, job, kinds};

#[test]
fn watermark_declaration_becomes_the_source_watermark() {
    let spec = job("SELECT auction FROM bids");
    let Node::Source(src) = &spec.nodes[0] else { panic!() };
    assert_eq!(src.watermark, Some(WatermarkDef { column: "ts".into(), delay_ms: 5000 }));
}

#[test]
fn bare_column_watermark_has_no_delay_and_other_expressions_are_unsupported() {
    let mut s = SqlSession::new();
    s.execute_script("CREATE TABLE t (ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen')").unwrap_or_else(|e| panic!("{e}"));
    let mut out = s.execute_script("SELECT * FROM t").unwrap_or_else(|e| panic!("{e}"));
    let Some(crate::sql::SqlOutcome::Query(spec)) = out.pop() else { panic!("expected a query") };
    let Node::Source(src) = &spec.nodes[0] else { panic!() };
    assert_eq!(src.watermark, Some(WatermarkDef { column: "ts".into(), delay_ms: 0 }));
    s.execute_script("CREATE TABLE u (ts TIMESTAMP(3), WATERMARK FOR ts AS ts + INTERVAL '1' SECOND) WITH ('connector' = 'datagen')")
        .unwrap_or_else(|e| panic!("{e}"));
    let e = s.execute_script("SELECT * FROM u").unwrap_err().to_string();
    assert!(e.contains("unsupported: WATERMARK FOR ts AS ts + INTERVAL '1' SECOND"), "{e}");
}

#[test]
fn tumble_hop_and_cumulate_become_window_nodes() {
    for (sql, kind, size, every) in [
        ("TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND)", WindowKind::Tumble, 10_000, None),
        ("HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '1' MINUTE)", WindowKind::Hop, 60_000, Some(5_000)),
        ("CUMULATE(TABLE bids, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '10' SECOND)", WindowKind::Cumulate, 10_000, Some(2_000)),
    ] {
        let spec = job(&format!(
            "SELECT window_start, window_end, auction, COUNT(*) AS n FROM TABLE({sql}) WHERE price > 1 GROUP BY window_start, window_end, auction"
        ));
        assert_eq!(kinds(&spec), ["source", "window", "filter", "aggregate", "sink"], "{sql}");
        let Node::Window(w) = &spec.nodes[1] else { panic!() };
        assert_eq!((w.window, w.time_column.as_str(), w.size_ms, w.slide_ms.or(w.step_ms)), (kind, "ts", size, every), "{sql}");
    }
}

#[test]
fn offsets_and_slides_that_do_not_divide_the_size_are_planned() {
    for (sql, offset, slide) in [
        ("TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '1' HOUR, INTERVAL '15' MINUTE)", 900_000, None),
        ("TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '1' HOUR, INTERVAL '-15' MINUTE)", -900_000, None),
        ("TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '1' HOUR, -INTERVAL '15' MINUTE)", -900_000, None),
        ("HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '2' MINUTE, INTERVAL '5' MINUTE)", 0, Some(120_000)),
        ("HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '2' MINUTE, INTERVAL '5' MINUTE, INTERVAL '1' MINUTE)", 60_000, Some(120_000)),
        ("CUMULATE(TABLE bids, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE, INTERVAL '30' SECOND)", 30_000, None),
    ] {
        let spec = job(&format!("SELECT * FROM TABLE({sql})"));
        let Node::Window(w) = &spec.nodes[1] else { panic!("{sql}") };
        assert_eq!((w.offset_ms, w.slide_ms), (offset, slide), "{sql}");
    }
}

#[test]
fn window_columns_can_be_qualified_by_an_alias() {
    let spec =
        job("SELECT w.window_end, SUM(w.price) FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) AS w GROUP BY w.window_start, w.window_end");
    assert!(kinds(&spec).contains(&"window"));
}

#[test]
fn window_function_mistakes_are_named() {
    for (sql, needle) in [
        ("SELECT * FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(tss), INTERVAL '1' SECOND))", "column \"tss\" not found"),
        ("SELECT * FROM TABLE(TUMBLE(TABLE bids, ts, INTERVAL '1' SECOND))", "must be DESCRIPTOR(time column)"),
        ("SELECT * FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(price), INTERVAL '1' SECOND))", "TIMESTAMP(3)"),
        ("SELECT * FROM TABLE(CUMULATE(TABLE bids, DESCRIPTOR(ts), INTERVAL '3' SECOND, INTERVAL '10' SECOND))", "multiple of step_ms"),
        ("SELECT * FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts)))", "TUMBLE takes 3 or 4 arguments"),
        ("SELECT * FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '1' SECOND, 5))", "expected an interval literal"),
        ("SELECT * FROM TABLE(SESSION(TABLE bids, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '1' SECOND))", "SESSION takes 3 arguments"),
        ("SELECT COUNT(*) FROM bids GROUP BY TUMBLE(ts, INTERVAL '1' SECOND, TIME '10:00:00')", "TUMBLE window with alignment"),
    ] {
        let e = error(sql);
        assert!(e.contains(needle), "{sql}: {e}");
    }
}
