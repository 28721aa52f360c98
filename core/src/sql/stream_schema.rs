//! A schema with computed columns and a watermark over rows that already flow: PyFlink's
//! `from_data_stream(ds, Schema.new_builder().column_by_expression(..).watermark(..).build())`.
//! The schema is written as a CREATE TABLE column list, so it reads exactly as SQL's does; its
//! computed columns become a project and its watermark a `watermark` node (event time assigned
//! mid-stream), which windows, OVER and interval joins downstream take as their time attribute.

use crate::expr::Expr;
use crate::plan::{NamedExpr, Node, ProjectNode, WatermarkNode};

use super::catalog::ColumnKind;
use super::ddl::parse_create_table;
use super::error::SqlError;
use super::expr::Translator;
use super::scope::Relation;
use super::script::{RawStatement, split_script};
use super::window::table_watermark;

/// The nodes that give the rows of node `input` (whose columns are the schema's physical
/// columns) the schema `columns` (a CREATE TABLE column list: `a BIGINT, ts AS
/// TO_TIMESTAMP_LTZ(a, 3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND`): a project `project_id`
/// computing the columns in their declared order, then a watermark node `watermark_id` when
/// the schema declares one. Errors name the place in the column list.
pub fn schema_nodes(columns: &str, input: &str, project_id: &str, watermark_id: &str) -> Result<Vec<Node>, SqlError> {
    let ddl = format!("CREATE TABLE schema ({columns}) WITH ('connector' = 'schema')");
    let statement = match split_script(&ddl)?.pop() {
        Some(RawStatement::Single(st)) => st,
        _ => return Err(SqlError::invalid(format!("not a column list: {columns}"))),
    };
    let table = parse_create_table(&statement)?.table;
    let physical = Relation::from_schema(input, &table.physical_schema(), None);
    let mut projected = Vec::new();
    for c in &table.columns {
        let expr = match &c.kind {
            ColumnKind::Physical => Expr::col(&c.name),
            ColumnKind::Computed(e) => Translator::new(&physical).expr(e)?,
        };
        projected.push(NamedExpr { name: c.name.clone(), expr });
    }
    let mut nodes = vec![Node::Project(ProjectNode { id: project_id.to_string(), input: input.to_string(), columns: projected })];
    if let Some(w) = table_watermark(&table, "a DataStream converted to a table")? {
        let column = w.column;
        nodes.push(Node::Watermark(WatermarkNode { id: watermark_id.to_string(), input: project_id.to_string(), column, delay_ms: w.delay_ms, sql: true }));
    }
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{JobSpec, SinkNode, SourceNode, validate};
    use crate::types::{DataType, Field};

    /// A job reading `ts_ms` and `k` from datagen, then `nodes`, into a blackhole.
    fn job(nodes: Vec<Node>) -> JobSpec {
        let schema = vec![Field::new("k", DataType::Int), Field::new("ts_ms", DataType::BigInt)];
        let source = Node::Source(SourceNode {
            id: "stream".into(),
            connector: "datagen".into(),
            schema,
            options: [("number-of-rows".to_string(), "5".to_string())].into(),
            computed: Vec::new(),
            watermark: None,
        });
        let last = nodes.last().map(|n| n.id().to_string()).unwrap_or_default();
        let sink = Node::Sink(SinkNode { id: "out".into(), input: last, connector: "blackhole".into(), options: Default::default() });
        JobSpec { name: None, config: Default::default(), nodes: [vec![source], nodes, vec![sink]].concat() }
    }

    #[test]
    fn computed_columns_and_watermark_become_a_project_and_a_watermark_node() {
        let columns = "`k` INT, `ts_ms` BIGINT, `ts` AS TO_TIMESTAMP_LTZ(ts_ms, 3), WATERMARK FOR `ts` AS ts - INTERVAL '3' SECOND";
        let nodes = schema_nodes(columns, "stream", "table_1", "table_2").unwrap_or_else(|e| panic!("{e}"));
        let Node::Watermark(w) = &nodes[1] else { panic!("expected a watermark node: {nodes:?}") };
        assert_eq!((w.input.as_str(), w.column.as_str(), w.delay_ms), ("table_1", "ts", 3000));
        let plan = validate(&job(nodes)).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<&str> = plan.nodes[1].schema.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["k", "ts_ms", "ts"]);
        assert_eq!(plan.nodes[1].schema.fields[2].data_type, DataType::TimestampLtz);
        assert_eq!(plan.nodes[2].time.rowtime, Some(2), "ts is the time attribute after the watermark node");
    }

    #[test]
    fn a_schema_without_a_watermark_is_a_project_only() {
        let nodes = schema_nodes("k INT, ts_ms BIGINT, k2 AS k * 2", "stream", "p", "w").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(nodes.len(), 1);
        validate(&job(nodes)).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn mistakes_are_named() {
        for (columns, needle) in [
            ("k INT, ts AS TO_TIMESTAMP_LTZ(nope, 3)", "nope"),
            ("k INT, ts_ms BIGINT, ts AS TO_TIMESTAMP_LTZ(ts_ms, 3), WATERMARK FOR ts AS ts + INTERVAL '1' SECOND", "supported: `ts`"),
            ("k INT, WATERMARK FOR missing AS missing", "\"missing\""),
        ] {
            let e = schema_nodes(columns, "stream", "p", "w").expect_err(columns).to_string();
            assert!(e.contains(needle), "{columns}: {e}");
        }
    }
}
