//! `IS JSON`, `JSON_EXISTS`, `JSON_VALUE` and `JSON_QUERY`, as Flink's `SqlJsonUtils` computes
//! them: a path selects a value, nothing (empty), or fails (error), and each function's
//! `ON EMPTY` / `ON ERROR` clause says what empty and error give.

use std::sync::Arc;

use crate::types::{DataType, Row, Value};

use super::super::super::bound::{BoundExpr, Kernel};
use super::super::super::compile::CompiledExpr;
use super::super::super::error::{EvalError, ExprError};
use super::super::cast::bind_cast;
use super::super::{CallSite, literal_str, string_value};
use super::document::Json;
use super::path::Selected;
use super::{BoundPath, expect_string, mode_arg};

/// `s IS JSON [VALUE|OBJECT|ARRAY|SCALAR]`: whether `s` is JSON text of that kind; FALSE for
/// NULL, as in Flink.
pub(super) fn is_json(site: CallSite<'_>) -> Result<BoundExpr, ExprError> {
    site.expect_count(1, 2)?;
    expect_string(&site, 0)?;
    let kind = mode_arg(&site, 1, "VALUE", &["VALUE", "OBJECT", "ARRAY", "SCALAR"])?;
    let kernel = Kernel::AllN(Arc::new(move |values: &[Value]| {
        let Some(Value::String(text)) = values.first() else { return Ok(Value::Boolean(false)) };
        let is = match Json::parse(text) {
            Ok(Json::Object(_)) => matches!(kind, "VALUE" | "OBJECT"),
            Ok(Json::Array(_)) => matches!(kind, "VALUE" | "ARRAY"),
            Ok(_) => matches!(kind, "VALUE" | "SCALAR"),
            Err(_) => false,
        };
        Ok(Value::Boolean(is))
    }));
    let args = vec![site.args[0].clone(), BoundExpr::literal(string_value(kind.into()), DataType::String)];
    Ok(BoundExpr::call("IS_JSON", args, kernel, DataType::Boolean, false))
}

/// `JSON_EXISTS(json, path [{TRUE|FALSE|UNKNOWN|ERROR} ON ERROR])`: whether the path selects
/// something (JSON `null` does not count; an indefinite path always selects its array).
pub(super) fn json_exists(site: CallSite<'_>) -> Result<BoundExpr, ExprError> {
    site.expect_count(2, 3)?;
    expect_string(&site, 0)?;
    let path = BoundPath::bind(&site, 1)?;
    let on_error = mode_arg(&site, 2, "FALSE", &["FALSE", "TRUE", "UNKNOWN", "ERROR"])?;
    let kernel = Kernel::StrictN(Arc::new(move |values: &[Value]| {
        Ok(match path.select(&values[0], &values[1])? {
            Selected::Value(_) => Value::Boolean(true),
            Selected::Empty => Value::Boolean(false),
            Selected::Error(m) => match on_error {
                "TRUE" => Value::Boolean(true),
                "FALSE" => Value::Boolean(false),
                "UNKNOWN" => Value::Null,
                _ => return Err(EvalError::new(format!("JSON_EXISTS: {m}"))),
            },
        })
    }));
    Ok(BoundExpr::call("JSON_EXISTS", site.args, kernel, DataType::Boolean, true))
}

/// What an `ON EMPTY` / `ON ERROR` clause of JSON_VALUE gives.
#[derive(Clone, Copy)]
enum Fallback {
    Null,
    Error,
    /// The value of the call's argument at this position (the DEFAULT expression).
    Default(usize),
}

impl Fallback {
    fn apply(self, values: &[Value], error: impl FnOnce() -> String) -> Result<Value, EvalError> {
        match self {
            Fallback::Null => Ok(Value::Null),
            Fallback::Error => Err(EvalError::new(error())),
            Fallback::Default(i) => Ok(values[i].clone()),
        }
    }
}

/// The JSON_VALUE argument `i` (a DEFAULT value) converted to the returning type, or NULL.
fn default_arg(site: &CallSite<'_>, i: usize, returning: DataType) -> Result<BoundExpr, ExprError> {
    match site.args.get(i) {
        Some(a) => {
            let zone = site.zone()?;
            bind_cast(a.clone(), returning, false, &zone).map_err(|e| e.under(&format!("args[{i}]")))
        }
        None => Ok(BoundExpr::literal(Value::Null, returning)),
    }
}

/// `JSON_VALUE(json, path [RETURNING type] [{NULL|ERROR|DEFAULT x} ON EMPTY]
/// [{NULL|ERROR|DEFAULT x} ON ERROR])`: the scalar the path selects, as `type` (STRING by
/// default). An array or object is empty in lax mode and an error in strict mode; a scalar
/// that does not convert to `type` is an error.
pub(super) fn json_value(site: CallSite<'_>) -> Result<BoundExpr, ExprError> {
    if ![2, 3, 7].contains(&site.args.len()) {
        return Err(site.mismatch());
    }
    expect_string(&site, 0)?;
    let path = BoundPath::bind(&site, 1)?;
    let returning = match site.args.get(2) {
        None => DataType::String,
        Some(a) => match literal_str(a).map(str::parse::<DataType>) {
            Some(Ok(t)) if t != DataType::Null => t,
            _ => return Err(site.arg_error(2, "JSON_VALUE: RETURNING needs a type name such as 'INT'")),
        },
    };
    let fallback = |mode: &str, at: usize| match mode {
        "NULL" => Fallback::Null,
        "ERROR" => Fallback::Error,
        _ => Fallback::Default(at),
    };
    let empty_mode = mode_arg(&site, 3, "NULL", &["NULL", "ERROR", "DEFAULT"])?;
    let error_mode = mode_arg(&site, 5, "NULL", &["NULL", "ERROR", "DEFAULT"])?;
    let (on_empty, on_error) = (fallback(empty_mode, 4), fallback(error_mode, 6));
    let convert = if returning == DataType::String {
        None
    } else {
        let zone = site.zone()?;
        let cast = bind_cast(BoundExpr::column(0, DataType::String, true), returning, true, &zone).map_err(|e| ExprError::new("args[2]", e.message))?;
        Some(cast.compile())
    };
    // Every clause stays an argument, so that EXPLAIN shows it; the kernel reads the defaults.
    let text = |s: String| BoundExpr::literal(string_value(s), DataType::String);
    let args = vec![
        site.args[0].clone(),
        site.args[1].clone(),
        text(returning.to_string()),
        text(empty_mode.into()),
        default_arg(&site, 4, returning)?,
        text(error_mode.into()),
        default_arg(&site, 6, returning)?,
    ];
    let kernel = Kernel::AllN(Arc::new(move |values: &[Value]| {
        if values[0].is_null() || values[1].is_null() {
            return Ok(Value::Null);
        }
        let found = match path.select(&values[0], &values[1])? {
            Selected::Value(v) if v.is_container() && path_is_lax(&path, &values[1]) => None,
            Selected::Value(v) if v.is_container() => {
                return on_error.apply(values, || format!("JSON_VALUE: strict mode needs a scalar, found {}", v.to_text()));
            }
            Selected::Value(v) => Some(v),
            Selected::Empty => None,
            Selected::Error(m) => return on_error.apply(values, || format!("JSON_VALUE: {m}")),
        };
        let Some(v) = found else {
            return on_empty.apply(values, || "JSON_VALUE: the path selects nothing (ERROR ON EMPTY)".into());
        };
        match convert_scalar(&v, convert.as_ref())? {
            Some(converted) => Ok(converted),
            None => on_error.apply(values, || format!("JSON_VALUE: {} is not a {returning}", v.to_text())),
        }
    }));
    Ok(BoundExpr::call("JSON_VALUE", args, kernel, returning, true))
}

/// Whether this row's path is in lax mode.
fn path_is_lax(path: &BoundPath, text: &Value) -> bool {
    match path {
        BoundPath::Fixed(p) => p.as_ref().as_ref().is_ok_and(|p| p.lax),
        BoundPath::PerRow => text.as_str().and_then(|t| super::path::JsonPath::parse(t).ok()).is_some_and(|p| p.lax),
    }
}

/// A scalar as JSON_VALUE returns it: its text, converted by `convert` (`None`: it does not
/// convert).
fn convert_scalar(v: &Json, convert: Option<&CompiledExpr>) -> Result<Option<Value>, EvalError> {
    let text = string_value(v.scalar_text());
    let Some(cast) = convert else { return Ok(Some(text)) };
    let converted = cast.eval(&Row::new(vec![text]))?;
    Ok((!converted.is_null()).then_some(converted))
}

/// What an `ON EMPTY` / `ON ERROR` clause of JSON_QUERY gives.
fn query_fallback(mode: &str, error: impl FnOnce() -> String) -> Result<Value, EvalError> {
    match mode {
        "EMPTY ARRAY" => Ok(string_value("[]".into())),
        "EMPTY OBJECT" => Ok(string_value("{}".into())),
        "ERROR" => Err(EvalError::new(error())),
        _ => Ok(Value::Null),
    }
}

/// `JSON_QUERY(json, path [{WITHOUT|WITH [CONDITIONAL|UNCONDITIONAL]} [ARRAY] WRAPPER]
/// [{NULL|EMPTY ARRAY|EMPTY OBJECT|ERROR} ON EMPTY] [.. ON ERROR])`: the array or object the
/// path selects, as JSON text; the wrapper puts the selection in an array (CONDITIONAL: unless
/// it is one). A scalar left unwrapped is empty in lax mode and an error in strict mode.
pub(super) fn json_query(site: CallSite<'_>) -> Result<BoundExpr, ExprError> {
    if ![2, 3, 5].contains(&site.args.len()) {
        return Err(site.mismatch());
    }
    expect_string(&site, 0)?;
    let path = BoundPath::bind(&site, 1)?;
    let wrapper = mode_arg(&site, 2, "WITHOUT", &["WITHOUT", "CONDITIONAL", "UNCONDITIONAL"])?;
    let behaviours = ["NULL", "EMPTY ARRAY", "EMPTY OBJECT", "ERROR"];
    let on_empty = mode_arg(&site, 3, "NULL", &behaviours)?;
    let on_error = mode_arg(&site, 4, "NULL", &behaviours)?;
    let kernel = Kernel::StrictN(Arc::new(move |values: &[Value]| {
        let selected = match path.select(&values[0], &values[1])? {
            Selected::Value(v) => v,
            Selected::Empty => return query_fallback(on_empty, || "JSON_QUERY: the path selects nothing (ERROR ON EMPTY)".into()),
            Selected::Error(m) => return query_fallback(on_error, || format!("JSON_QUERY: {m}")),
        };
        let wrapped = match (wrapper, selected) {
            ("UNCONDITIONAL", v) => Json::Array(vec![v]),
            ("CONDITIONAL", Json::Array(items)) => Json::Array(items),
            ("CONDITIONAL", v) => Json::Array(vec![v]),
            (_, v) => v,
        };
        if wrapped.is_container() {
            Ok(string_value(wrapped.to_text()))
        } else if path_is_lax(&path, &values[1]) {
            query_fallback(on_empty, || "JSON_QUERY: the path selects a scalar (ERROR ON EMPTY)".into())
        } else {
            query_fallback(on_error, || format!("JSON_QUERY: strict mode needs an array or object, found {}", wrapped.to_text()))
        }
    }));
    Ok(BoundExpr::call("JSON_QUERY", site.args, kernel, DataType::String, true))
}
