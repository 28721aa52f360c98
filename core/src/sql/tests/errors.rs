//! Every error class, with its message.

use super::{error, plan};
use crate::sql::SqlError;

#[test]
fn syntax_error_has_line_column_and_caret() {
    let e = error("SELECT auction\nFROM bids WHER price > 1");
    assert!(e.starts_with("SQL parse error at line 2, column 16: expected end of statement, found \"price\""), "{e}");
    assert!(e.contains("\n  FROM bids WHER price > 1\n                 ^"), "{e}");
    let e = error("SELECT a FROM");
    assert!(e.contains("line 1"), "{e}");
}

#[test]
fn position_is_the_scripts_line() {
    let mut s = super::session();
    let err = s.execute_script("SELECT auction FROM bids;\n\n-- comment\nSELECT price FORM bids;").unwrap_err();
    let SqlError::Parse { at, .. } = &err else { panic!("{err}") };
    assert_eq!(at.line, 4, "{err}");
}

#[test]
fn unknown_column_and_table_suggest() {
    let e = error("SELECT pricee FROM bids");
    assert!(e.starts_with("column \"pricee\" not found in table bids; did you mean \"price\"?"), "{e}");
    assert!(e.contains("line 1, column 8"), "{e}");
    let e = error("SELECT price FROM bidz");
    assert!(e.starts_with("table \"bidz\" not found; did you mean \"bids\"?"), "{e}");
    let e = error("SELECT x.price FROM bids b");
    assert!(e.starts_with("table \"x\" not found"), "{e}");
}

#[test]
fn ambiguous_column() {
    let e = error("SELECT id FROM auctions a JOIN auctions b ON a.id = b.id");
    assert!(e.starts_with("column \"id\" is ambiguous: it could be a.id or b.id"), "{e}");
}

#[test]
fn case_sensitive_names() {
    let e = error("SELECT Price FROM bids");
    assert!(e.contains("did you mean \"price\""), "{e}");
}

#[test]
fn group_by_errors() {
    let e = error("SELECT auction, price FROM bids GROUP BY auction");
    assert!(e.contains("\"price\" must appear in the GROUP BY clause"), "{e}");
    let e = error("SELECT auction FROM bids WHERE COUNT(*) > 1");
    assert!(e.contains("aggregate function COUNT is not allowed here"), "{e}");
}

#[test]
fn type_errors_come_from_the_validator() {
    let err = plan("SELECT auction FROM bids WHERE channel + 1 > 2").unwrap_err();
    assert!(matches!(err, SqlError::Plan { .. }), "{err}");
    assert!(err.to_string().contains("line 1"), "{err}");
}

#[test]
fn unsupported_features_by_name() {
    for (sql, needle) in [
        ("SELECT TUMBLE_START(ts, INTERVAL '1' MINUTE) FROM bids", "unsupported: window function TUMBLE_START here"),
        (
            "SELECT SUM(price) OVER (PARTITION BY auction ORDER BY ts), COUNT(*) OVER (ORDER BY ts) FROM bids",
            "unsupported: OVER aggregates with different windows",
        ),
        (
            "SELECT SUM(price) OVER (PARTITION BY auction ORDER BY ts ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM bids",
            "unsupported: OVER frame ending at 1 FOLLOWING",
        ),
        ("SELECT BIT_AND(price) OVER (ORDER BY ts) FROM bids", "unsupported: BIT_AND() OVER"),
        (
            "SELECT * FROM bids MATCH_RECOGNIZE (PARTITION BY auction ORDER BY ts MEASURES A.price AS p PATTERN (A) DEFINE A AS A.price > 1)",
            "unsupported: MATCH_RECOGNIZE",
        ),
        ("SELECT * FROM bids b JOIN auctions FOR SYSTEM_TIME AS OF b.ts AS a ON b.auction = a.id", "unsupported: temporal join"),
        (
            "SELECT auction FROM bids INTERSECT SELECT id, seller FROM auctions",
            "INTERSECT inputs have different numbers of columns: the left has 1, the right 2",
        ),
        ("SELECT BIT_AND(price) FROM bids", "unsupported: aggregate function BIT_AND"),
        ("SELECT STDDEV_POP(channel) FROM bids", "STDDEV_POP needs a numeric argument, found STRING"),
        ("SELECT VAR_SAMP(price, price) FROM bids", "VAR_SAMP takes exactly one argument"),
        ("SELECT auction FROM bids WHERE VAR_POP(price) > 1", "aggregate function VAR_POP is not allowed here"),
        ("SELECT STDDEV(SUM(price)) FROM bids", "aggregate function SUM is not allowed here"),
        ("SELECT * FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY price) AS rn FROM bids)", "unsupported: ROW_NUMBER() without an outer filter"),
        ("USE db1", "unsupported: USE"),
        ("SELECT COUNT(*) OVER v FROM bids WINDOW w AS (ORDER BY ts)", "no window named v in the WINDOW clause"),
        ("SELECT COUNT(*) OVER w FROM bids WINDOW w AS (ORDER BY ts), W AS (ORDER BY ts)", "the window W is defined twice"),
        ("SELECT COUNT(*) OVER (w PARTITION BY bidder) FROM bids WINDOW w AS (PARTITION BY auction ORDER BY ts)", "a window refining w cannot repartition it"),
    ] {
        let e = error(sql);
        assert!(e.contains(needle), "{sql}\n=> {e}");
    }
}

#[test]
fn ddl_errors() {
    let mut s = super::session();
    let e = s.execute_script("CREATE TABLE bids (a INT) WITH ('connector' = 'datagen')").unwrap_err();
    assert!(matches!(e, SqlError::AlreadyExists { .. }), "{e}");
    let e = s.execute_script("CREATE TABLE t (a INT)").unwrap_err();
    assert!(e.to_string().contains("needs a 'connector' option"), "{e}");
    let e = s.execute_script("CREATE TABLE t (a BIGNUM) WITH ('connector' = 'datagen')").unwrap_err();
    assert!(e.to_string().contains("unknown data type"), "{e}");
    let e = s.execute_script("INSERT INTO out_sink SELECT auction FROM bids").unwrap_err();
    assert!(e.to_string().contains("returns 1 columns but the table has 2"), "{e}");
    let e = s.execute_script("EXECUTE STATEMENT SET BEGIN INSERT INTO out_sink SELECT auction, price FROM bids;").unwrap_err();
    assert!(e.to_string().contains("expected END"), "{e}");
    let e = s.execute_script("SET 'execution.runtime-mode' = 'sometimes'").unwrap_err();
    assert!(e.to_string().contains("expected 'batch' or 'streaming'"), "{e}");
}

#[test]
fn over_forms_weir_cannot_compute_are_errors_not_dropped() {
    let e = error("SELECT auction FROM bids WHERE ROW_NUMBER() OVER (ORDER BY auction) > 1");
    assert!(e.contains("ROW_NUMBER() OVER (...) here"), "{e}");
    let e = error("SELECT auction, COUNT(*) FILTER (WHERE price > 10) OVER (PARTITION BY auction ORDER BY ts) AS n FROM bids");
    assert!(e.contains("COUNT(..) FILTER (WHERE ..) in an OVER aggregate"), "{e}");
}

#[test]
fn timestampdiff_needs_a_unit_keyword() {
    let e = error("SELECT TIMESTAMPDIFF('DAY', ts, ts) FROM bids");
    assert!(e.contains("TIMESTAMPDIFF takes a time unit first"), "{e}");
    let e = error("SELECT TIMESTAMPDIFF(FORTNIGHT, ts, ts) FROM bids");
    assert!(e.contains("unit must be one of SECOND"), "{e}");
}

#[test]
fn grouping_and_set_operation_errors_name_the_place() {
    let e = error("SELECT COUNT(*) FROM bids GROUP BY auction, CUBE(auction, bidder, price, channel, ts, price + 1, price + 2, price + 3, price + 4)");
    assert!(e.contains("unsupported: CUBE of 9 items (at most 8)"), "{e}");
    assert!(e.contains("line 1, column 50"), "{e}");
    let e = error("SELECT auction FROM bids\nEXCEPT ALL\nSELECT id, seller FROM auctions");
    assert!(e.contains("EXCEPT inputs have different numbers of columns: the left has 1, the right 2"), "{e}");
    assert!(e.contains("line 3, column 1"), "{e}");
    let e = error("SELECT STDDEV_SAMP(channel) FROM bids");
    assert!(e.contains("line 1, column 8"), "{e}");
}

#[test]
fn unsupported_subqueries_name_the_form_and_the_place() {
    for (sql, needle) in [
        (
            "SELECT auction FROM bids b WHERE price > (SELECT AVG(price) FROM bids b2 WHERE b2.price > b.price)",
            "unsupported: the correlated condition `b2.price > b.price` (a subquery may use the outer query's columns only in equalities `inner = outer` AND-ed into its WHERE) (at line 1, column 80)",
        ),
        (
            "SELECT auction FROM bids b WHERE auction IN (SELECT id FROM auctions a WHERE a.seller = b.bidder OR a.id = 1)",
            "unsupported: the correlated condition `a.seller = b.bidder OR a.id = 1`",
        ),
        (
            "SELECT auction, (SELECT MAX(id) FROM auctions) FROM bids GROUP BY auction",
            "unsupported: a subquery in the select list of a grouped SELECT (at line 1, column 18)",
        ),
        ("SELECT COUNT(*), (SELECT MAX(id) FROM auctions) FROM bids", "unsupported: a subquery in the select list of a grouped SELECT (at line 1, column 19)"),
        ("SELECT auction FROM bids GROUP BY auction HAVING COUNT(*) > (SELECT 1)", "unsupported: a subquery in this position"),
        ("SELECT auction FROM bids b WHERE EXISTS (SELECT COUNT(*) FROM auctions a WHERE a.id = b.auction)", "unsupported: a correlated EXISTS over a grouped"),
        ("SELECT auction FROM bids WHERE auction IN (SELECT id, seller FROM auctions)", "the subquery of IN must return one column, it returns 2"),
        ("SELECT auction FROM bids b WHERE price = (SELECT id, seller FROM auctions a WHERE a.id = b.auction)", "a scalar subquery must return one column"),
        ("SELECT auction FROM bids b WHERE auction IN (SELECT id FROM auctions a WHERE a.id = b.nope)", "column \"b.nope\" not found"),
        (
            "SELECT auction FROM bids b WHERE price = (SELECT a.id FROM auctions a WHERE a.id = b.auction LIMIT 1)",
            "unsupported: a correlated subquery with WITH, ORDER BY, LIMIT, a WINDOW clause or a set operation (correlation is planned in a plain SELECT): `b` is the outer query's (at line 1, column 84)",
        ),
        (
            "SELECT auction FROM bids b WHERE price = (SELECT MAX(a.id) + b.price FROM auctions a WHERE a.id = b.auction)",
            "unsupported: an outer column outside the WHERE of a correlated subquery: `b` is the outer query's (at line 1, column 62)",
        ),
    ] {
        let e = error(sql);
        assert!(e.contains(needle), "{sql}\n=> {e}");
    }
}
