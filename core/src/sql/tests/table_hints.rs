//! `FROM t /*+ OPTIONS(..) */` and `INSERT INTO t /*+ OPTIONS(..) */`: which reference gets
//! which options, and the errors Flink gives (tests/flink_reference/dynamic_table_options.py).

use std::collections::BTreeMap;

use crate::plan::{JobSpec, Node};

use super::{error, job, session};

/// (id, connector, options) of every source node, in plan order.
fn sources(spec: &JobSpec) -> Vec<(String, String, BTreeMap<String, String>)> {
    spec.nodes.iter().filter_map(|n| if let Node::Source(s) = n { Some((s.id.clone(), s.connector.clone(), s.options.clone())) } else { None }).collect()
}

fn rows_option(spec: &JobSpec) -> Vec<String> {
    sources(spec).into_iter().map(|(_, _, o)| o["number-of-rows"].clone()).collect()
}

#[test]
fn a_hint_overrides_the_with_options_of_its_reference_only() {
    let spec = job("SELECT a.id, b.id FROM auctions /*+ OPTIONS('number-of-rows' = '3') */ AS a JOIN auctions b ON a.id = b.id");
    assert_eq!(rows_option(&spec), ["3", "10"], "the hinted reference is its own source");
    let (_, connector, options) = &sources(&spec)[0];
    assert_eq!((connector.as_str(), options.len()), ("datagen", 1));
    // References with the same options share one source; the alias may follow the hint.
    let spec =
        job("SELECT x.id FROM auctions /*+ OPTIONS('number-of-rows' = '3') */ x UNION ALL SELECT id FROM auctions /*+ OPTIONS('number-of-rows' = '3') */");
    assert_eq!(rows_option(&spec), ["3"]);
    let spec = job("SELECT id FROM auctions UNION ALL SELECT id FROM auctions");
    assert_eq!(rows_option(&spec), ["10"]);
}

#[test]
fn a_window_tvf_reads_its_table_with_the_hint() {
    let spec = job(
        "SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE bids /*+ OPTIONS('number-of-rows' = '7') */, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end",
    );
    assert_eq!(rows_option(&spec), ["7"]);
}

#[test]
fn several_options_hints_merge_and_the_last_value_wins() {
    let spec =
        job("SELECT id FROM auctions /*+ OPTIONS('number-of-rows' = '1', 'number-of-rows' = '2'), OPTIONS('number-of-rows' = '4'), BROADCAST(auctions) */");
    assert_eq!(rows_option(&spec), ["4"]);
    // Query hints after a table are dropped, as Flink drops them.
    let spec = job("SELECT id FROM auctions /*+ STATE_TTL('auctions' = '1d') */");
    assert_eq!(rows_option(&spec), ["10"]);
}

#[test]
fn insert_into_takes_the_hint_of_its_target() {
    let mut s = session();
    s.execute_script("CREATE TABLE shown (auction BIGINT, price BIGINT) WITH ('connector' = 'print');").unwrap_or_else(|e| panic!("{e}"));
    let out =
        s.execute_script("INSERT INTO shown /*+ OPTIONS('print-identifier' = 'hinted') */ SELECT auction, price FROM bids").unwrap_or_else(|e| panic!("{e}"));
    let crate::sql::SqlOutcome::Job(spec) = &out[0] else { panic!("{out:?}") };
    let Some(Node::Sink(sink)) = spec.nodes.last() else { panic!("{spec:?}") };
    assert_eq!((sink.connector.as_str(), sink.options.get("print-identifier").map(String::as_str)), ("print", Some("hinted")), "{sink:?}");
    let e = s.execute_script("INSERT INTO shown\n  /*+ OPTIONS('bogus' = '1') */ SELECT auction, price FROM bids").unwrap_err().to_string();
    assert!(e.contains("unknown option 'bogus' for connector 'print'") && e.contains("(at line 2, column 3)"), "{e}");
}

#[test]
fn views_apply_the_hints_of_their_body() {
    let mut s = session();
    s.execute_script("CREATE VIEW few AS SELECT id FROM auctions /*+ OPTIONS('number-of-rows' = '2') */;").unwrap_or_else(|e| panic!("{e}"));
    let out = s.execute_script("SELECT id FROM few UNION ALL SELECT id FROM auctions").unwrap_or_else(|e| panic!("{e}"));
    let crate::sql::SqlOutcome::Query(spec) = &out[0] else { panic!("{out:?}") };
    assert_eq!(rows_option(spec), ["2", "10"]);
    // A hint on the view itself is Flink's error, at the hint.
    let e = s.execute_script("SELECT id\nFROM few /*+ OPTIONS('number-of-rows' = '1') */").unwrap_err().to_string();
    assert!(e.starts_with("View 'few' cannot be enriched with new options. Hints can only be applied to tables."), "{e}");
    assert!(e.contains("(at line 2, column 10)"), "{e}");
    let e = error("WITH w AS (SELECT id FROM auctions) SELECT id FROM w /*+ OPTIONS('number-of-rows' = '1') */");
    assert!(e.starts_with("WITH query 'w' cannot be enriched"), "{e}");
}

#[test]
fn bad_options_fail_at_the_hint() {
    let e = error("SELECT id\nFROM auctions /*+ OPTIONS('number-of-rows' = 'many') */");
    assert!(e.contains("invalid value 'many' for option 'number-of-rows'") && e.contains("(at line 2, column 15)"), "{e}");
    let e = error("SELECT id FROM auctions /*+ OPTIONS('nope' = '1') */");
    assert!(e.contains("unknown option 'nope' for connector 'datagen'") && e.contains("(at line 1, column 25)"), "{e}");
    let e = error("SELECT id FROM auctions /*+ OPTIONS('connector' = 'nowhere') */");
    assert!(e.contains("nowhere") && e.contains("(at line 1, column 25)"), "{e}");
}

#[test]
fn malformed_hints_fail_with_flinks_messages() {
    for (sql, want) in [
        ("SELECT id FROM auctions /*+ OPTIONS(path) */", "Hint [OPTIONS] only support non empty key value options"),
        ("SELECT id FROM auctions /*+ OPTIONS() */", "Hint [OPTIONS] only support non empty key value options"),
        ("SELECT id FROM auctions /*+ OPTIONS */", "Hint [OPTIONS] only support non empty key value options"),
        ("SELECT id FROM auctions /*+ PROPERTIES('a' = 'b') */", "Hint: PROPERTIES should be registered in the HintStrategyTable"),
        ("SELECT id FROM auctions /*+ OPTIONS('a' = 1) */", "invalid hint: expected a quoted value for the hint option 'a'"),
    ] {
        let e = error(sql);
        assert!(e.contains(want) && e.contains("(at line 1, column 25)"), "{sql}\n  got: {e}\n  want: {want}");
    }
    let e = error("SELECT id FROM auctions /*+ OPTIONS('a' = 'b') */ /*+ OPTIONS('c' = 'd') */");
    assert!(e.contains("at line 1, column 51: only one /*+ .. */ may follow a table name"), "{e}");
}

#[test]
fn hints_anywhere_else_are_misplaced() {
    for (sql, column) in [
        ("SELECT id /*+ OPTIONS('a' = 'b') */ FROM auctions", 11),
        ("SELECT id FROM auctions WHERE id > 1 /*+ OPTIONS('a' = 'b') */", 38),
        ("CREATE TABLE x (a INT) /*+ OPTIONS('a' = 'b') */ WITH ('connector' = 'blackhole')", 24),
        ("/*+ OPTIONS('a' = 'b') */ SELECT 1", 1),
    ] {
        let e = error(sql);
        assert!(e.contains(&format!("at line 1, column {column}: unexpected /*+ .. */: a hint follows SELECT")), "{sql}\n  {e}");
    }
}

#[test]
fn dynamic_options_can_be_turned_off_as_in_flink() {
    let mut s = session();
    s.execute_script("SET 'table.dynamic-table-options.enabled' = 'false';").unwrap_or_else(|e| panic!("{e}"));
    let e = s.execute_script("SELECT id FROM auctions /*+ OPTIONS('number-of-rows' = '1') */").unwrap_err().to_string();
    assert!(e.starts_with("The 'OPTIONS' hint is allowed only when the config option 'table.dynamic-table-options.enabled' is set to true."), "{e}");
    assert!(e.contains("(at line 1, column 25)"), "{e}");
    // Query hints after a table carry no options: nothing to refuse.
    s.execute_script("SELECT id FROM auctions /*+ BROADCAST(auctions) */").unwrap_or_else(|e| panic!("{e}"));
    let e = s.execute_script("SET 'table.dynamic-table-options.enabled' = 'maybe';").unwrap_err().to_string();
    assert!(e.contains("expected 'true' or 'false', found 'maybe'"), "{e}");
}

#[test]
fn statement_sets_and_explain_read_the_hints_of_each_statement() {
    let mut s = session();
    let out = s
        .execute_script(
            "EXECUTE STATEMENT SET BEGIN
               INSERT INTO out_sink SELECT id, seller FROM auctions /*+ OPTIONS('number-of-rows' = '1') */;
               INSERT INTO out_sink SELECT id, seller FROM auctions /*+ OPTIONS('number-of-rows' = '2') */;
             END;
             EXPLAIN SELECT id FROM auctions /*+ OPTIONS('number-of-rows' = '5') */;",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let crate::sql::SqlOutcome::Job(spec) = &out[0] else { panic!("{out:?}") };
    assert_eq!(rows_option(spec), ["1", "2"]);
    let crate::sql::SqlOutcome::Explain(text) = &out[1] else { panic!("{out:?}") };
    assert!(text.contains("\"number-of-rows\": \"5\""), "{text}");
}
