//! Jobs from statements: a bare query (ending in the `collect` sink `result`), `INSERT INTO`
//! (ending in the table's connector), and statement sets (several INSERTs, one job, shared
//! sources).

use std::collections::BTreeMap;

use sqlparser::ast::{self, TableObject};

use crate::connectors::registry::caller_sink;
use crate::expr::{Cast, Expr};
use crate::plan::{NamedExpr, Node, SinkNode};

use super::builder::{JobBuilder, PlannedJob};
use super::catalog::Catalog;
use super::error::SqlError;
use super::query::QueryPlanner;
use super::scope::{Relation, closest, ident_position};
use super::table_hints::{ConnectorOptions, OptionPaths, TableHints};

/// The id of the sink a bare query writes to.
pub const RESULT_SINK: &str = "result";

/// Plans `SELECT ...` into a job whose sink, with id `result`, keeps the rows for the caller
/// (the registry's [`caller_sink`]); `hints` are the statement's table hints.
pub fn plan_query(
    catalog: &Catalog,
    config: &BTreeMap<String, String>,
    hints: TableHints,
    paths: &OptionPaths,
    q: &ast::Query,
) -> Result<PlannedJob, SqlError> {
    let mut job = JobBuilder::new(catalog, config, &[RESULT_SINK])?.with_hints(hints, paths.clone());
    let rel = QueryPlanner::new(&mut job).query(q)?;
    job.add(Node::Sink(SinkNode { id: RESULT_SINK.into(), input: rel.node, connector: caller_sink().into(), options: BTreeMap::new() }))?;
    job.finish(Some(caller_sink().into()))
}

/// Plans one or more INSERTs into one job; `hints` are their table hints.
pub fn plan_inserts(
    catalog: &Catalog,
    config: &BTreeMap<String, String>,
    hints: TableHints,
    paths: &OptionPaths,
    inserts: &[&ast::Insert],
) -> Result<PlannedJob, SqlError> {
    let mut job = JobBuilder::new(catalog, config, &[])?.with_hints(hints, paths.clone());
    let mut names = Vec::new();
    for ins in inserts {
        names.push(plan_insert(&mut job, ins)?);
    }
    job.finish(Some(format!("insert-into_{}", names.join(","))))
}

/// Adds one INSERT's nodes; returns the sink table's name.
fn plan_insert(job: &mut JobBuilder<'_>, ins: &ast::Insert) -> Result<String, SqlError> {
    if ins.overwrite {
        return Err(SqlError::unsupported("INSERT OVERWRITE"));
    }
    if ins.partitioned.is_some() || ins.on.is_some() || ins.returning.is_some() || !ins.assignments.is_empty() {
        return Err(SqlError::unsupported("INSERT with PARTITION, ON CONFLICT, RETURNING or SET"));
    }
    let TableObject::TableName(name) = &ins.table else {
        return Err(SqlError::unsupported("INSERT INTO a table function"));
    };
    let Some(ident) = name.0.last().and_then(|p| p.as_ident()) else {
        return Err(SqlError::invalid(format!("bad table name {name}")));
    };
    let Some(source) = &ins.source else {
        return Err(SqlError::unsupported("INSERT without a query"));
    };
    let catalog = job.catalog;
    let table = catalog.table(&ident.value, ident_position(ident))?;
    let hint = job.take_hint(ident);
    let rel = QueryPlanner::new(job).query(source)?;
    let sink = table.physical_schema();
    // For each sink column: the query column that feeds it, or None (NULL).
    let targets: Vec<Option<usize>> = if ins.columns.is_empty() {
        if rel.columns.len() != sink.len() {
            return Err(SqlError::invalid(format!(
                "INSERT INTO {}: the query returns {} columns but the table has {} ({})",
                table.name,
                rel.columns.len(),
                sink.len(),
                sink.names().collect::<Vec<_>>().join(", ")
            )));
        }
        (0..sink.len()).map(Some).collect()
    } else {
        let mut listed = Vec::new();
        for c in &ins.columns {
            let Some(id) = c.0.last().and_then(|p| p.as_ident()) else {
                return Err(SqlError::invalid(format!("bad column name {c}")));
            };
            if sink.index_of(&id.value).is_none() {
                return Err(SqlError::ColumnNotFound {
                    column: id.value.clone(),
                    relation: format!("table {}", table.name),
                    suggestion: closest(&id.value, sink.names()),
                    at: ident_position(id),
                });
            }
            listed.push(id.value.clone());
        }
        if listed.len() != rel.columns.len() {
            return Err(SqlError::invalid(format!("INSERT INTO {} lists {} columns but the query returns {}", table.name, listed.len(), rel.columns.len())));
        }
        sink.fields.iter().map(|f| listed.iter().position(|l| *l == f.name)).collect()
    };
    let input = conform(job, &rel, &sink, &targets)?;
    let id = job.named_id(&table.name);
    let ConnectorOptions { connector, options } = job.reference_options(table, hint.as_ref())?;
    job.add_hinted(Node::Sink(SinkNode { id, input, connector, options }), hint.as_ref())?;
    Ok(table.name.clone())
}

/// Projects the query's columns into the sink's order, names and types (Flink casts
/// implicitly on INSERT); returns the node to write from.
fn conform(job: &mut JobBuilder<'_>, rel: &Relation, sink: &crate::types::Schema, targets: &[Option<usize>]) -> Result<String, SqlError> {
    let mut columns = Vec::new();
    let mut identity = targets.len() == rel.columns.len();
    for (i, (f, t)) in sink.fields.iter().zip(targets).enumerate() {
        let expr = match t {
            Some(j) => {
                let c = &rel.columns[*j];
                identity &= *j == i && c.field == f.name && c.data_type == f.data_type;
                let col = Expr::col(&c.field);
                if c.data_type == f.data_type { col } else { Expr::Cast(Cast { expr: Box::new(col), data_type: f.data_type, try_cast: false }) }
            }
            None => {
                identity = false;
                Expr::lit(serde_json::Value::Null).cast(f.data_type)
            }
        };
        columns.push(NamedExpr { name: f.name.clone(), expr });
    }
    if identity {
        return Ok(rel.node.clone());
    }
    Ok(job.project(rel, columns)?.node)
}
