//! `LATERAL TABLE(f(..))` in FROM: comma and CROSS/INNER joins (inner), `LEFT JOIN .. ON TRUE`
//! (outer), built-in and user table functions, and the mistakes.

use std::sync::Arc;

use crate::expr::table_functions::TableSignature;
use crate::expr::{EvalError, Expr, TableFunction};
use crate::plan::Node;
use crate::sql::{SqlOutcome, SqlSession};
use crate::types::{DataType, Field, Row, Value};

use super::{DDL, error, job, kinds, run_rows};

const LINES: &str = "(VALUES (1, 'a,b'), (2, ''), (3, CAST(NULL AS STRING)), (4, 'c')) AS t(id, s)";

fn flat_map(spec: &crate::plan::JobSpec) -> &crate::plan::FlatMapNode {
    spec.nodes.iter().find_map(|n| if let Node::FlatMap(f) = n { Some(f) } else { None }).expect("a flat_map node")
}

#[test]
fn comma_lateral_table_is_an_inner_flat_map() {
    let sql = format!("SELECT t.id, T.word FROM {LINES}, LATERAL TABLE(SPLIT(t.s, ',')) AS T(word)");
    let spec = job(&sql);
    assert_eq!(kinds(&spec), ["values", "flat_map", "project", "sink"]);
    let f = flat_map(&spec);
    assert_eq!((f.function.as_str(), f.columns.as_slice(), f.outer), ("SPLIT", &["word".to_string()][..], false));
    assert_eq!(f.args, [Expr::col("EXPR$1"), Expr::lit(",")]);
    // '' splits into one empty word; NULL gives no rows.
    assert_eq!(run_rows(&sql), ["1, a", "1, b", "2, ", "4, c"]);
}

#[test]
fn cross_join_and_join_on_lateral_table() {
    let sql = format!("SELECT id, word FROM {LINES} CROSS JOIN LATERAL TABLE(SPLIT(s, ',')) AS T(word)");
    assert_eq!(run_rows(&sql), ["1, a", "1, b", "2, ", "4, c"]);
    let sql = format!("SELECT id, word FROM {LINES} JOIN LATERAL TABLE(SPLIT(s, ',')) AS T(word) ON TRUE");
    assert_eq!(run_rows(&sql), ["1, a", "1, b", "2, ", "4, c"]);
    let sql = format!("SELECT id, word FROM {LINES} JOIN LATERAL TABLE(SPLIT(s, ',')) AS T(word) ON T.word <> ''");
    assert_eq!(kinds(&job(&sql)), ["values", "flat_map", "filter", "project", "sink"]);
    assert_eq!(run_rows(&sql), ["1, a", "1, b", "4, c"]);
    // Two columns of the same name: the function's gets a suffix in the plan, SQL still
    // tells them apart by qualifier.
    let sql = "SELECT t.n, g.n FROM (VALUES (2), (0)) AS t(n), LATERAL TABLE(GENERATE_SERIES(1, t.n)) AS g(n)";
    assert_eq!(run_rows(sql), ["2, 1", "2, 2"]);
}

#[test]
fn left_join_lateral_keeps_rows_the_function_returns_nothing_for() {
    let sql = format!("SELECT id, word FROM {LINES} LEFT JOIN LATERAL TABLE(SPLIT(s, ',')) AS T(word) ON TRUE");
    let spec = job(&sql);
    assert!(flat_map(&spec).outer);
    assert_eq!(run_rows(&sql), ["1, a", "1, b", "2, ", "3, null", "4, c"]);
    let sql = "SELECT n, v FROM (VALUES (3), (0), (-1)) AS t(n) LEFT JOIN LATERAL TABLE(GENERATE_SERIES(1, n)) AS g(v) ON TRUE";
    assert_eq!(run_rows(sql), ["-1, null", "0, null", "3, 1", "3, 2", "3, 3"]);
}

#[test]
fn lateral_table_over_a_catalog_table_plans_with_default_names() {
    let spec = job("SELECT b.auction, SPLIT.word FROM bids AS b, LATERAL TABLE(SPLIT(b.channel, '-')) WHERE b.price > 1");
    assert_eq!(kinds(&spec), ["source", "flat_map", "filter", "project", "sink"]);
    assert!(flat_map(&spec).columns.is_empty());
}

/// A user table function: `PAIRS(n)` gives `(i, i * i)` for i in 1..=n.
struct Pairs;

impl TableFunction for Pairs {
    fn name(&self) -> &str {
        "pairs"
    }

    fn signature(&self, arg_types: &[DataType]) -> Result<TableSignature, String> {
        if arg_types != [DataType::Int] {
            return Err("expects (INT)".into());
        }
        Ok(TableSignature { params: vec![DataType::Int], output: vec![Field::new("i", DataType::Int), Field::new("sq", DataType::Int)] })
    }

    fn eval(&self, args: &[Value], out: &mut Vec<Row>) -> Result<(), EvalError> {
        if let Some(Value::Int(n)) = args.first() {
            out.extend((1..=*n).map(|i| Row::new(vec![Value::Int(i), Value::Int(i * i)])));
        }
        Ok(())
    }
}

#[test]
fn user_table_functions_registered_in_the_session() {
    let mut session = SqlSession::new();
    session.execute_script(DDL).expect("ddl");
    session.catalog_mut().functions_mut().register_table(Arc::new(Pairs));
    let out = session.execute_script("SELECT n, a, b FROM (VALUES (2), (0)) AS t(n) LEFT JOIN LATERAL TABLE(pairs(n)) AS P(a, b) ON TRUE").expect("plans");
    let SqlOutcome::Query(spec) = &out[0] else { panic!("{out:?}") };
    let f = flat_map(spec);
    assert_eq!((f.function.as_str(), f.columns.len(), f.outer), ("pairs", 2, true));
    let err = session.execute_script("SELECT * FROM bids, LATERAL TABLE(pairs(price)) AS P(a, b)").unwrap_err().to_string();
    assert!(err.starts_with("function PAIRS expects (INT), got (BIGINT)"), "{err}");
    let err = session.execute_script("SELECT * FROM (VALUES (1)) AS t(n), LATERAL TABLE(pairs(n)) AS P(a)").unwrap_err().to_string();
    assert!(err.starts_with("alias P names 1 columns but pairs returns 2 (i, sq)"), "{err}");
}

#[test]
fn lateral_mistakes_are_named() {
    let e = error("SELECT * FROM bids, LATERAL TABLE(SPLTI(channel, ',')) AS T(w)");
    assert!(e.starts_with("unknown table function \"SPLTI\"; did you mean \"SPLIT\"? (at line 1, column 35)"), "{e}");
    let e = error("SELECT * FROM bids LEFT JOIN LATERAL TABLE(SPLIT(channel, ',')) AS T(w) ON T.w = 'x'");
    assert!(e.contains("other than ON TRUE"), "{e}");
    let e = error("SELECT * FROM LATERAL TABLE(SPLIT('a', ',')) AS T(w)");
    assert!(e.starts_with("LATERAL TABLE(..) needs a table to its left"), "{e}");
    let e = error("SELECT * FROM bids, LATERAL TABLE(SPLIT(nope, ',')) AS T(w)");
    assert!(e.starts_with("column \"nope\" not found"), "{e}");
    let e = error("SELECT * FROM bids, LATERAL TABLE(SPLIT(price, ',')) AS T(w)");
    assert!(e.starts_with("function SPLIT expects (STRING, STRING), got (BIGINT, STRING)"), "{e}");
    let e = error("SELECT * FROM bids, LATERAL TABLE(1) AS T(w)");
    assert!(e.starts_with("LATERAL TABLE(..) takes one table function call"), "{e}");
}

#[test]
fn unnest_mistakes_are_named() {
    let e = error("SELECT * FROM UNNEST(ARRAY[1, 2]) AS u(x)");
    assert!(e.starts_with("UNNEST(..) needs a table to its left"), "{e}");
    let e = error("SELECT * FROM bids CROSS JOIN UNNEST(channel) AS u(x)");
    assert!(e.starts_with("function UNNEST expects one ARRAY or MAP, got (STRING)"), "{e}");
    let e = error("SELECT * FROM bids CROSS JOIN UNNEST(ARRAY[1], ARRAY[2]) AS u(x, y)");
    assert!(e.contains("UNNEST of several collections"), "{e}");
    let e = error("SELECT * FROM bids CROSS JOIN UNNEST(ARRAY[1, 2]) AS u(x, y)");
    assert!(e.starts_with("alias u names 2 columns but UNNEST returns 1"), "{e}");
}
