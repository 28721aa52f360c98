//! `CURRENT_DATABASE()`: the current database of the session's catalog. Weir has one catalog
//! and one database per session, named as Flink's defaults are, so it is always
//! `'default_database'` (Flink's value in a session that has not run `USE`).

use crate::types::{DataType, Value};

use super::super::bound::BoundExpr;
use super::super::error::ExprError;
use super::{CallSite, FunctionDef};

/// The name of the session's only database, Flink's default.
pub(crate) const DEFAULT_DATABASE: &str = "default_database";

pub(crate) const FUNCTIONS: &[FunctionDef] = &[FunctionDef { names: &["CURRENT_DATABASE"], signature: "()", bind: current_database }];

fn current_database(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(0, 0)?;
    Ok(BoundExpr::literal(Value::string(DEFAULT_DATABASE), DataType::String))
}
