//! `VALUES` lists: planned into `values` nodes with Flink's typing of literal rows, in FROM,
//! as a query, and in INSERT.

use crate::plan::Node;
use crate::types::DataType;

use super::{error, job, kinds, run_rows};

fn values_node(spec: &crate::plan::JobSpec) -> &crate::plan::ValuesNode {
    spec.nodes.iter().find_map(|n| if let Node::Values(v) = n { Some(v) } else { None }).expect("a values node")
}

#[test]
fn values_in_from_with_column_aliases() {
    let spec = job("SELECT id, UPPER(name) AS up FROM (VALUES (1, 'a'), (2, 'b'), (3, NULL)) AS t(id, name) WHERE id > 1");
    assert_eq!(kinds(&spec), ["values", "filter", "project", "sink"]);
    let v = values_node(&spec);
    let types: Vec<(&str, DataType, bool)> = v.schema.iter().map(|f| (f.name.as_str(), f.data_type, f.nullable)).collect();
    assert_eq!(types, [("EXPR$0", DataType::Int, false), ("EXPR$1", DataType::String, true)]);
    assert_eq!(v.rows[2], [serde_json::json!(3), serde_json::Value::Null]);
    assert_eq!(run_rows("SELECT id, UPPER(name) AS up FROM (VALUES (1, 'a'), (2, 'b'), (3, NULL)) AS t(id, name) WHERE id > 1"), ["2, B", "3, null"]);
}

#[test]
fn column_types_are_the_common_type_of_the_cells() {
    let spec = job("SELECT * FROM (VALUES (1, 1, NULL, 1.5), (10000000000, 2.25, NULL, 1e0), (NULL, -3, NULL, 2)) AS t(a, b, c, d)");
    let types: Vec<DataType> = values_node(&spec).schema.iter().map(|f| f.data_type).collect();
    assert_eq!(types, [DataType::BigInt, DataType::Decimal { precision: 12, scale: 2 }, DataType::Null, DataType::Double]);
    let spec = job("SELECT * FROM (VALUES (DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05.006', CAST(7 AS SMALLINT) + 1, 'x' || 'y')) AS t(d, ts, n, s)");
    let v = values_node(&spec);
    let types: Vec<DataType> = v.schema.iter().map(|f| f.data_type).collect();
    assert_eq!(types, [DataType::Date, DataType::Timestamp, DataType::Int, DataType::String]);
    assert_eq!(v.rows[0][3], serde_json::json!("xy"));
    assert_eq!(
        run_rows("SELECT * FROM (VALUES (DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05.006', 1.50, 'x' || 'y')) AS t(d, ts, n, s)"),
        ["2024-01-02, 2024-01-02T03:04:05.006, 1.50, xy"]
    );
}

#[test]
fn values_as_a_query_and_in_unions() {
    let spec = job("VALUES (1, 'a'), (2, 'b')");
    assert_eq!(kinds(&spec), ["values", "sink"]);
    assert_eq!(run_rows("SELECT EXPR$0 + 1 AS n FROM (VALUES (1), (2)) UNION ALL SELECT x FROM (VALUES (5)) AS t(x)"), ["2", "3", "5"]);
}

#[test]
fn insert_values_and_insert_select_from_values_cast_to_the_sink() {
    let spec = job("INSERT INTO out_sink VALUES (1, 10), (2, NULL)");
    assert_eq!(kinds(&spec), ["values", "project", "sink"]);
    let Node::Project(p) = &spec.nodes[1] else { panic!("{:?}", kinds(&spec)) };
    assert_eq!(p.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["auction", "total"]);
    let spec = job("INSERT INTO out_sink (total, auction) SELECT v * 2, k FROM (VALUES (1, 10), (2, 20)) AS t(k, v)");
    assert_eq!(kinds(&spec), ["values", "project", "project", "sink"]);
}

#[test]
fn values_mistakes_are_named() {
    assert_eq!(
        error("SELECT * FROM (VALUES (1, 'a'), ('b', 2)) AS t(x, y)"),
        "VALUES column 1 has no common type: STRING in row 2 does not mix with INT in the rows before (at line 1, column 34)\n  SELECT * FROM (VALUES (1, 'a'), ('b', 2)) AS t(x, y)\n                                   ^"
    );
    assert!(error("SELECT * FROM (VALUES (1, 2), (3)) AS t(x, y)").starts_with("VALUES row 2 has 1 values but row 1 has 2"));
    assert!(error("SELECT * FROM (VALUES (1), (x)) AS t(x)").starts_with("VALUES cells are constants; \"x\" is not a column here"));
    assert!(error("SELECT * FROM (VALUES (1, 2)) AS t(x)").contains("alias t names 1 columns but the relation has 2"));
    assert!(error("SELECT * FROM (VALUES (1 / 0)) AS t(x)").starts_with("VALUES row 1, column 1: "), "{}", error("SELECT * FROM (VALUES (1 / 0)) AS t(x)"));
    assert!(error("INSERT INTO out_sink VALUES (1)").contains("the query returns 1 columns but the table has 2"));
}
