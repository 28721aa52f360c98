//! The session catalog: tables declared by CREATE TABLE and views by CREATE VIEW.

use std::collections::BTreeMap;

use sqlparser::ast;

use crate::types::{DataType, Field, Schema, edit_distance};
use crate::udf::UserFunctions;

use super::error::{SqlError, SqlPosition};
use super::plan_view::PlanView;
use super::table_hints::TableHints;

/// How a table column gets its value.
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnKind {
    /// Read from the connector.
    Physical,
    /// `name AS expr`: computed from the physical columns by the table's source as it reads.
    Computed(Box<ast::Expr>),
}

/// One column of a declared table.
#[derive(Clone, Debug, PartialEq)]
pub struct TableColumn {
    /// Column name (case-sensitive).
    pub name: String,
    /// Declared type; `None` for a computed column (its type is derived when planned).
    pub data_type: Option<DataType>,
    /// False for `NOT NULL`.
    pub nullable: bool,
    /// Physical or computed.
    pub kind: ColumnKind,
}

/// `WATERMARK FOR column AS expr`: the event-time column (physical or computed) and its strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct WatermarkSpec {
    /// The event-time column.
    pub column: String,
    /// The watermark expression.
    pub expr: ast::Expr,
}

/// A table from CREATE TABLE.
#[derive(Clone, Debug, PartialEq)]
pub struct TableDef {
    /// Table name.
    pub name: String,
    /// Columns in declaration order.
    pub columns: Vec<TableColumn>,
    /// `PRIMARY KEY (..) NOT ENFORCED` columns.
    pub primary_key: Vec<String>,
    /// The watermark declaration, if any.
    pub watermark: Option<WatermarkSpec>,
    /// The `'connector'` option.
    pub connector: String,
    /// The other `WITH` options.
    pub options: BTreeMap<String, String>,
}

impl TableDef {
    /// The columns the connector reads or writes (computed columns excluded).
    pub fn physical_schema(&self) -> Schema {
        Schema::new(
            self.columns
                .iter()
                .filter_map(|c| match (&c.kind, c.data_type) {
                    (ColumnKind::Physical, Some(t)) => Some(Field::new(c.name.clone(), t).with_nullable(c.nullable)),
                    _ => None,
                })
                .collect(),
        )
    }
}

/// A view from CREATE VIEW: its query, planned again wherever the view is used.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewDef {
    /// View name.
    pub name: String,
    /// The defining query.
    pub query: ast::Query,
    /// Its output columns when it was created.
    pub schema: Schema,
    /// The table hints written in its query, applied wherever it is planned.
    pub hints: TableHints,
}

/// Tables and views by name (case-sensitive, as in Flink).
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    tables: BTreeMap<String, TableDef>,
    views: BTreeMap<String, ViewDef>,
    functions: UserFunctions,
    plan_views: BTreeMap<String, PlanView>,
}

/// What a name in FROM refers to.
#[derive(Clone, Copy, Debug)]
pub enum CatalogEntry<'a> {
    /// A table.
    Table(&'a TableDef),
    /// A view.
    View(&'a ViewDef),
}

impl Catalog {
    /// The table or view named `name`, or a "not found; did you mean" error.
    pub fn lookup(&self, name: &str, at: Option<SqlPosition>) -> Result<CatalogEntry<'_>, SqlError> {
        if let Some(t) = self.tables.get(name) {
            return Ok(CatalogEntry::Table(t));
        }
        if let Some(v) = self.views.get(name) {
            return Ok(CatalogEntry::View(v));
        }
        Err(SqlError::TableNotFound { name: name.to_string(), suggestion: self.closest_name(name), at })
    }

    /// The table named `name` (not a view), or an error.
    pub fn table(&self, name: &str, at: Option<SqlPosition>) -> Result<&TableDef, SqlError> {
        match self.lookup(name, at.clone())? {
            CatalogEntry::Table(t) => Ok(t),
            CatalogEntry::View(_) => Err(SqlError::Invalid { message: format!("\"{name}\" is a view; only tables can be written to"), at }),
        }
    }

    /// True when a table or view of this name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.tables.contains_key(name) || self.views.contains_key(name) || self.plan_views.contains_key(name)
    }

    /// Adds or replaces a view defined by plan nodes (the Python SDK's Table API views).
    pub fn put_plan_view(&mut self, view: PlanView) {
        self.plan_views.insert(view.name.clone(), view);
    }

    /// The plan view named `name`, if any.
    pub fn plan_view(&self, name: &str) -> Option<&PlanView> {
        self.plan_views.get(name)
    }

    /// Removes a plan view; true when it existed.
    pub fn drop_plan_view(&mut self, name: &str) -> bool {
        self.plan_views.remove(name).is_some()
    }

    /// User functions (Python UDFs) that queries may call.
    pub fn functions(&self) -> &UserFunctions {
        &self.functions
    }

    /// The user functions, to register or remove some.
    pub fn functions_mut(&mut self) -> &mut UserFunctions {
        &mut self.functions
    }

    /// Adds or replaces a table.
    pub fn put_table(&mut self, table: TableDef) {
        self.tables.insert(table.name.clone(), table);
    }

    /// Adds or replaces a view.
    pub fn put_view(&mut self, view: ViewDef) {
        self.views.insert(view.name.clone(), view);
    }

    /// Removes a table; true when it existed.
    pub fn drop_table(&mut self, name: &str) -> bool {
        self.tables.remove(name).is_some()
    }

    /// Removes a view; true when it existed.
    pub fn drop_view(&mut self, name: &str) -> bool {
        self.views.remove(name).is_some()
    }

    /// Table names, sorted.
    pub fn table_names(&self) -> Vec<String> {
        self.tables.keys().cloned().collect()
    }

    /// View names, sorted.
    pub fn view_names(&self) -> Vec<String> {
        self.views.keys().cloned().collect()
    }

    /// The existing name closest to `name`, for "did you mean".
    pub fn closest_name(&self, name: &str) -> Option<String> {
        let target = name.to_lowercase();
        self.tables
            .keys()
            .chain(self.views.keys())
            .map(|n| (edit_distance(&n.to_lowercase(), &target), n))
            .filter(|(d, _)| *d <= 2)
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| n.clone())
    }
}
