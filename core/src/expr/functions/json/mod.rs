//! Flink's JSON functions: the tests `IS JSON` and `JSON_EXISTS`, the readers `JSON_VALUE` and
//! `JSON_QUERY` ([`query`]), the constructors `JSON_STRING`, `JSON_OBJECT` and
//! `JSON_ARRAY` ([`construct`]), and `JSON_QUOTE` / `JSON_UNQUOTE` ([`quote`]). [`document`] reads and writes JSON text, [`path`] evaluates
//! JSON paths.
//!
//! The SQL clauses of these functions (`RETURNING INT`, `DEFAULT 0 ON EMPTY`, `WITH ARRAY
//! WRAPPER`, `KEY k VALUE v`, `ABSENT ON NULL`) arrive as literal string arguments in fixed
//! positions (see `sql::json_syntax`, and the argument lists in `FUNCTIONS`), so a JSON job
//! spec can call them too.

mod construct;
mod document;
mod path;
mod query;
mod quote;

use std::sync::Arc;

use crate::types::{DataType, Value};

use super::super::bound::BoundExpr;
use super::super::error::{EvalError, ExprError};
use super::{CallSite, FunctionDef, literal_str, unexpected};
use path::{JsonPath, PathError, Selected};

/// The JSON functions.
pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["IS_JSON"], signature: "(STRING[, kind 'VALUE'|'OBJECT'|'ARRAY'|'SCALAR'])", bind: query::is_json },
    FunctionDef { names: &["JSON_EXISTS"], signature: "(json STRING, path STRING[, on_error 'FALSE'|'TRUE'|'UNKNOWN'|'ERROR'])", bind: query::json_exists },
    FunctionDef {
        names: &["JSON_VALUE"],
        signature: "(json STRING, path STRING[, returning type STRING[, on_empty 'NULL'|'ERROR'|'DEFAULT', empty_default, on_error 'NULL'|'ERROR'|'DEFAULT', error_default]])",
        bind: query::json_value,
    },
    FunctionDef {
        names: &["JSON_QUERY"],
        signature: "(json STRING, path STRING[, wrapper 'WITHOUT'|'CONDITIONAL'|'UNCONDITIONAL'[, on_empty, on_error 'NULL'|'EMPTY ARRAY'|'EMPTY OBJECT'|'ERROR']])",
        bind: query::json_query,
    },
    FunctionDef { names: &["JSON_STRING"], signature: "(any)", bind: construct::json_string },
    FunctionDef { names: &["JSON_OBJECT"], signature: "(on_null 'NULL'|'ABSENT', key STRING, value, ...)", bind: construct::json_object },
    FunctionDef { names: &["JSON_ARRAY"], signature: "(on_null 'NULL'|'ABSENT', value, ...)", bind: construct::json_array },
    FunctionDef { names: &["JSON_ARRAYAGG"], signature: "(fragments ARRAY<STRING>)", bind: construct::json_array_aggregate },
    FunctionDef { names: &["JSON_OBJECTAGG"], signature: "(fragments ARRAY<STRING>)", bind: construct::json_object_aggregate },
    FunctionDef { names: &["JSON_QUOTE"], signature: "(STRING)", bind: quote::json_quote },
    FunctionDef { names: &["JSON_UNQUOTE"], signature: "(STRING)", bind: quote::json_unquote },
];

/// A call's path: parsed once when it is a literal, else per row.
#[derive(Clone)]
enum BoundPath {
    Fixed(Arc<Result<JsonPath, String>>),
    PerRow,
}

impl BoundPath {
    /// The path argument `i` of `site`: a literal one is parsed now, and one using a feature
    /// Weir lacks is an error naming it (a malformed one fails per row, as in Flink).
    fn bind(site: &CallSite<'_>, i: usize) -> Result<BoundPath, ExprError> {
        let Some(arg) = site.args.get(i) else { return Err(site.mismatch()) };
        if arg.data_type() != DataType::String && arg.data_type() != DataType::Null {
            return Err(site.arg_error(i, format!("{}: the JSON path must be a STRING, got {}", site.name, arg.data_type())));
        }
        match literal_str(arg) {
            Some(text) => match JsonPath::parse(text) {
                Ok(p) => Ok(BoundPath::Fixed(Arc::new(Ok(p)))),
                Err(PathError::Unsupported(m)) => Err(site.arg_error(i, format!("{}: {m} is not supported", site.name))),
                Err(PathError::Invalid(m)) => Ok(BoundPath::Fixed(Arc::new(Err(m)))),
            },
            None => Ok(BoundPath::PerRow),
        }
    }

    /// What the path (`text`, this row's value when not fixed) selects from `json`.
    fn select(&self, json: &Value, text: &Value) -> Result<Selected, EvalError> {
        let Value::String(doc) = json else { return Err(unexpected(json)) };
        let parsed;
        let path = match self {
            BoundPath::Fixed(p) => p.as_ref().as_ref(),
            BoundPath::PerRow => {
                let Value::String(t) = text else { return Err(unexpected(text)) };
                parsed = JsonPath::parse(t).map_err(|e| match e {
                    PathError::Invalid(m) => m,
                    PathError::Unsupported(m) => format!("{m} is not supported"),
                });
                parsed.as_ref()
            }
        };
        Ok(match path {
            Ok(p) => p.select(doc),
            Err(m) => Selected::Error(m.clone()),
        })
    }
}

/// The upper-case text of the literal string argument `i` (a clause keyword), or `default`
/// when the call has fewer arguments; anything but one of `allowed` is an error.
fn mode_arg(site: &CallSite<'_>, i: usize, default: &'static str, allowed: &[&'static str]) -> Result<&'static str, ExprError> {
    let Some(arg) = site.args.get(i) else { return Ok(default) };
    let text = literal_str(arg).map(|s| s.trim().to_ascii_uppercase());
    match text.and_then(|t| allowed.iter().find(|a| **a == t)) {
        Some(found) => Ok(*found),
        None => Err(site.arg_error(i, format!("{}: expected one of {} here, got {}", site.name, allowed.join(", "), show(arg)))),
    }
}

fn show(arg: &BoundExpr) -> String {
    match arg.as_literal() {
        Some(v) => format!("'{v}'"),
        None => format!("an expression of type {}", arg.data_type()),
    }
}

/// Checks that argument `i` is a STRING (or NULL) document.
fn expect_string(site: &CallSite<'_>, i: usize) -> Result<(), ExprError> {
    match site.args.get(i).map(BoundExpr::data_type) {
        Some(DataType::String | DataType::Null) => Ok(()),
        Some(other) => Err(site.arg_error(i, format!("{} reads JSON text: expected STRING, got {other}", site.name))),
        None => Err(site.mismatch()),
    }
}
