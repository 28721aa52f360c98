//! `JSON_STRING(v)`, `JSON_OBJECT([KEY] k VALUE v, .. [NULL|ABSENT ON NULL])` and
//! `JSON_ARRAY(v, .. [NULL|ABSENT ON NULL])`: SQL values as JSON text, as Flink's
//! `JsonGenerateUtils` writes them. Numbers and booleans are JSON numbers and booleans, strings
//! JSON strings, BYTES base64 strings, DATE / TIMESTAMP ISO-8601 strings
//! (`2023-01-01T10:00:05`, a TIMESTAMP_LTZ in UTC with a `Z`); object keys come out sorted. A
//! value that is itself a `JSON_OBJECT(..)` or `JSON_ARRAY(..)` call is inserted as JSON, not
//! as a string, so calls nest.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine;

use crate::types::{DataType, Value, temporal};

use super::super::super::bound::{BoundExpr, Kernel};
use super::super::super::error::{EvalError, ExprError};
use super::super::super::zone::SessionZone;
use super::super::cast::text_with_precision;
use super::super::{CallSite, string_value, unexpected};
use super::document::Json;
use super::mode_arg;

/// How one argument becomes JSON.
#[derive(Clone, Copy)]
enum Encode {
    /// Its text is JSON already (a nested JSON_OBJECT / JSON_ARRAY call).
    Raw,
    /// A SQL value converted.
    Value,
}

/// How argument `i` of `site` is encoded; types JSON has no form for are an error.
fn encoding(site: &CallSite<'_>, i: usize) -> Result<Encode, ExprError> {
    let arg = &site.args[i];
    if matches!(arg.function_name(), Some("JSON_OBJECT" | "JSON_ARRAY")) {
        return Ok(Encode::Raw);
    }
    match arg.data_type() {
        DataType::IntervalDayTime | DataType::IntervalYearMonth => {
            Err(site.arg_error(i, format!("{}: {} values have no JSON form (cast them to STRING)", site.name, arg.data_type())))
        }
        _ => Ok(Encode::Value),
    }
}

/// `v` as JSON (`Raw`: `v` is JSON text).
fn to_json(v: &Value, how: Encode) -> Result<Json, EvalError> {
    Ok(match (how, v) {
        (_, Value::Null) => Json::Null,
        (Encode::Raw, Value::String(text)) => Json::parse(text).map_err(EvalError::new)?,
        (_, Value::Boolean(b)) => Json::Bool(*b),
        (_, Value::Int(_) | Value::BigInt(_) | Value::Float(_) | Value::Double(_) | Value::Decimal(_)) => {
            Json::Number(text_with_precision(v, SessionZone::utc(), 3))
        }
        (_, Value::String(s)) => Json::String(s.to_string()),
        (_, Value::Bytes(b)) => Json::String(base64::engine::general_purpose::STANDARD.encode(b)),
        (_, Value::Date(d)) => Json::String(temporal::format_date(*d)),
        (_, Value::Timestamp(ms)) => Json::String(temporal::format_timestamp(*ms)),
        (_, Value::TimestampLtz(ms)) => Json::String(format!("{}Z", temporal::format_timestamp(*ms))),
        (_, other) => return Err(unexpected(other)),
    })
}

/// `JSON_STRING(v)`: `v` as JSON text; NULL stays NULL.
pub(super) fn json_string(site: CallSite<'_>) -> Result<BoundExpr, ExprError> {
    site.expect_count(1, 1)?;
    let how = encoding(&site, 0)?;
    let kernel = Kernel::Strict1(Arc::new(move |v| Ok(string_value(to_json(&v, how)?.to_text()))));
    Ok(BoundExpr::call("JSON_STRING", site.args, kernel, DataType::String, true))
}

/// Whether NULL values are kept (`NULL ON NULL`) or left out (`ABSENT ON NULL`).
fn keeps_nulls(site: &CallSite<'_>, default: &'static str) -> Result<bool, ExprError> {
    if site.args.is_empty() {
        return Ok(default == "NULL");
    }
    Ok(mode_arg(site, 0, default, &["NULL", "ABSENT"])? == "NULL")
}

/// `JSON_OBJECT(on_null, k1, v1, ..)`: an object of the key-value pairs (NULL ON NULL by
/// default); a NULL key is an error.
pub(super) fn json_object(site: CallSite<'_>) -> Result<BoundExpr, ExprError> {
    if site.args.len().is_multiple_of(2) && !site.args.is_empty() {
        return Err(ExprError::new("", "JSON_OBJECT needs a value for every key"));
    }
    let keep_nulls = keeps_nulls(&site, "NULL")?;
    let mut encodings = Vec::new();
    for i in 1..site.args.len() {
        if i % 2 == 1 && !matches!(site.args[i].data_type(), DataType::String | DataType::Null) {
            return Err(site.arg_error(i, format!("JSON_OBJECT keys are STRING, got {}", site.args[i].data_type())));
        }
        encodings.push(encoding(&site, i)?);
    }
    let kernel = Kernel::AllN(Arc::new(move |values: &[Value]| {
        let mut members = BTreeMap::new();
        for (pair, how) in values.get(1..).unwrap_or_default().chunks(2).zip(encodings.iter().skip(1).step_by(2)) {
            let Value::String(key) = &pair[0] else { return Err(EvalError::new("JSON_OBJECT: a key is NULL")) };
            if keep_nulls || !pair[1].is_null() {
                members.insert(key.to_string(), to_json(&pair[1], *how)?);
            }
        }
        Ok(string_value(Json::Object(members).to_text()))
    }));
    Ok(BoundExpr::call("JSON_OBJECT", site.args, kernel, DataType::String, false))
}

/// `JSON_ARRAY(on_null, v1, ..)`: an array of the values (ABSENT ON NULL by default).
pub(super) fn json_array(site: CallSite<'_>) -> Result<BoundExpr, ExprError> {
    let keep_nulls = keeps_nulls(&site, "ABSENT")?;
    let encodings = (1..site.args.len()).map(|i| encoding(&site, i)).collect::<Result<Vec<_>, _>>()?;
    let kernel = Kernel::AllN(Arc::new(move |values: &[Value]| {
        let items = values
            .get(1..)
            .unwrap_or_default()
            .iter()
            .zip(&encodings)
            .filter(|(v, _)| keep_nulls || !v.is_null())
            .map(|(v, how)| to_json(v, *how))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(string_value(Json::Array(items).to_text()))
    }));
    Ok(BoundExpr::call("JSON_ARRAY", site.args, kernel, DataType::String, false))
}

/// The JSON values of `fragments`, an ARRAY of one-value JSON arrays (`[v]`, `[k, v]`: what
/// JSON_ARRAY wrote for each aggregated row); none for a NULL ARRAY (no row aggregated).
fn fragments(value: &Value, name: &str) -> Result<Vec<Vec<Json>>, EvalError> {
    let Value::Array(items) = value else { return Ok(Vec::new()) };
    items
        .iter()
        .map(|item| match item {
            Value::String(text) => match Json::parse(text) {
                Ok(Json::Array(values)) => Ok(values),
                _ => Err(EvalError::new(format!("{name}: {text} is not a JSON array"))),
            },
            other => Err(EvalError::new(format!("{name}: expected the JSON text of a row, got {other}"))),
        })
        .collect()
}

/// Checks that `site`'s one argument is an ARRAY of STRING (or NULL).
fn expect_fragments(site: &CallSite<'_>) -> Result<(), ExprError> {
    site.expect_count(1, 1)?;
    match site.args[0].data_type() {
        DataType::Null => Ok(()),
        DataType::Array(DataType::String | DataType::Null) => Ok(()),
        other => Err(site.arg_error(0, format!("{} takes the ARRAY<STRING> of each row's JSON, got {other}", site.name))),
    }
}

/// `JSON_ARRAYAGG(fragments)`, the last step of the aggregate `JSON_ARRAYAGG(v)`: the values
/// of the rows' `[v]` fragments as one JSON array; `[]` when there are none.
pub(super) fn json_array_aggregate(site: CallSite<'_>) -> Result<BoundExpr, ExprError> {
    expect_fragments(&site)?;
    let kernel = Kernel::AllN(Arc::new(|values: &[Value]| {
        let items = fragments(&values[0], "JSON_ARRAYAGG")?.into_iter().flatten().collect();
        Ok(string_value(Json::Array(items).to_text()))
    }));
    Ok(BoundExpr::call("JSON_ARRAYAGG", site.args, kernel, DataType::String, false))
}

/// `JSON_OBJECTAGG(fragments)`, the last step of the aggregate `JSON_OBJECTAGG(KEY k VALUE v)`:
/// the rows' `[k, v]` fragments as one JSON object (keys sorted, as JSON_OBJECT writes them);
/// `{}` when there are none. A NULL key and a key given twice are errors, as in Flink.
pub(super) fn json_object_aggregate(site: CallSite<'_>) -> Result<BoundExpr, ExprError> {
    expect_fragments(&site)?;
    let kernel = Kernel::AllN(Arc::new(|values: &[Value]| {
        let mut members = BTreeMap::new();
        for pair in fragments(&values[0], "JSON_OBJECTAGG")? {
            let mut pair = pair.into_iter();
            let (Some(Json::String(key)), Some(value)) = (pair.next(), pair.next()) else {
                return Err(EvalError::new("JSON_OBJECTAGG: a key is NULL"));
            };
            if members.contains_key(&key) {
                return Err(EvalError::new(format!("JSON_OBJECTAGG: the key \"{key}\" occurs more than once (keys must be unique)")));
            }
            members.insert(key, value);
        }
        Ok(string_value(Json::Object(members).to_text()))
    }));
    Ok(BoundExpr::call("JSON_OBJECTAGG", site.args, kernel, DataType::String, false))
}
