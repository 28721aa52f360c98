//! The Flink SQL front end: scripts of statements planned into [`crate::plan::JobSpec`]s.
//!
//! Planning is a pure function of the text and the session's catalog and settings; nothing
//! runs here. A script is tokenized once ([`script`]), cut into statements, and each is read
//! either by Weir's own readers (CREATE TABLE with Flink's DDL, SET/RESET, SHOW, DESCRIBE,
//! statement sets) or by `sqlparser` with [`FlinkDialect`]. Queries are planned node by node
//! through the plan validator, so every node's output types are known while planning.
//!
//! ```
//! use weir_core::sql::{SqlSession, SqlOutcome};
//! let mut session = SqlSession::new();
//! let out = session.execute_script("
//!     CREATE TABLE bids (auction BIGINT, price BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '10');
//!     SELECT auction, price FROM bids WHERE price > 10;
//! ").unwrap();
//! assert!(matches!(out[1], SqlOutcome::Query(_)));
//! ```

mod aggregate;
mod builder;
mod catalog;
mod correlate;
mod ddl;
mod derived_aggregates;
mod describe;
mod dialect;
mod dml;
mod error;
mod explain;
mod expr;
mod from;
mod group_window;
mod grouping;
mod hints;
mod interval;
mod json_syntax;
mod lateral;
mod limits;
mod list_aggregates;
mod literal;
mod named_window;
mod over;
mod plan_view;
mod query;
mod rewrite;
mod scalar_subquery;
mod scope;
pub mod script;
mod select;
mod session;
mod set_ops;
mod statistics;
mod stream_schema;
mod subquery;
mod subquery_ast;
mod table_hints;
mod topn;
mod values;
mod window;

#[cfg(test)]
mod tests;

pub use builder::PlannedJob;
pub use catalog::{Catalog, CatalogEntry, ColumnKind, TableColumn, TableDef, ViewDef, WatermarkSpec};
pub use dialect::FlinkDialect;
pub use dml::RESULT_SINK;
pub use error::{SqlError, SqlPosition};
pub use explain::expr as expr_to_sql;
pub use plan_view::PlanView;
pub use session::{ResultTable, SqlOutcome, SqlSession};
pub use stream_schema::schema_nodes;
