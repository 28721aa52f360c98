//! DESCRIBE: a table's or view's columns as Flink shows them
//! (`name | type | null | key | extras | watermark`).

use std::collections::BTreeMap;

use super::builder::JobBuilder;
use super::catalog::{Catalog, CatalogEntry, ColumnKind};
use super::error::{SqlError, SqlPosition};
use super::session::ResultTable;

/// The DESCRIBE rows of `name`.
pub fn describe(catalog: &Catalog, config: &BTreeMap<String, String>, name: &str, at: Option<SqlPosition>) -> Result<ResultTable, SqlError> {
    let columns = ["name", "type", "null", "key", "extras", "watermark"].iter().map(|s| s.to_string()).collect();
    let rows = match catalog.lookup(name, at)? {
        CatalogEntry::View(v) => v
            .schema
            .fields
            .iter()
            .map(|f| vec![f.name.clone(), f.data_type.to_string(), bool_text(f.nullable), String::new(), String::new(), String::new()])
            .collect(),
        CatalogEntry::Table(t) => {
            // Computed columns get their type from planning the table as a source; a table
            // that cannot be read (a sink-only connector, a missing file) shows them untyped.
            let planned = JobBuilder::new(catalog, config, &[]).ok().and_then(|mut job| job.table(t, None).ok());
            t.columns
                .iter()
                .map(|c| {
                    let data_type = match (c.data_type, &planned) {
                        (Some(d), _) => d.to_string(),
                        (None, Some(rel)) => rel.columns.iter().find(|s| s.name == c.name).map(|s| s.data_type.to_string()).unwrap_or_default(),
                        (None, None) => "?".into(),
                    };
                    let key = if t.primary_key.contains(&c.name) { format!("PRI({})", t.primary_key.join(", ")) } else { String::new() };
                    let extras = match &c.kind {
                        ColumnKind::Computed(e) => format!("AS {e}"),
                        ColumnKind::Physical => String::new(),
                    };
                    let watermark = t.watermark.as_ref().filter(|w| w.column == c.name).map(|w| w.expr.to_string()).unwrap_or_default();
                    vec![c.name.clone(), data_type, bool_text(c.nullable), key, extras, watermark]
                })
                .collect()
        }
    };
    Ok(ResultTable { columns, rows })
}

fn bool_text(b: bool) -> String {
    if b { "TRUE".into() } else { "FALSE".into() }
}
