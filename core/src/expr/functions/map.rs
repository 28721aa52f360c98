//! Flink's MAP functions (`MAP_KEYS`, `MAP_VALUES`, `MAP_FROM_ARRAYS`, `MAP_UNION`,
//! `STR_TO_MAP`) and the scalar `SPLIT` (a STRING into an ARRAY<STRING>).

use std::sync::Arc;

use crate::types::{DataType, Value};

use super::super::bound::{BoundExpr, Kernel};
use super::super::error::{EvalError, ExprError};
use super::collection::{array_element, common_of, elements, entries, map_types};
use super::{CallSite, FunctionDef, Param, convert_all, strict1, string_value};

pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["MAP_KEYS"], signature: "(MAP)", bind: keys },
    FunctionDef { names: &["MAP_VALUES"], signature: "(MAP)", bind: values },
    FunctionDef { names: &["MAP_FROM_ARRAYS"], signature: "(ARRAY keys, ARRAY values)", bind: from_arrays },
    FunctionDef { names: &["MAP_UNION"], signature: "(MAP, ..)", bind: union },
    FunctionDef { names: &["STR_TO_MAP"], signature: "(STRING[, STRING list delimiter[, STRING key-value delimiter]])", bind: str_to_map },
    FunctionDef { names: &["SPLIT"], signature: "(STRING, STRING delimiter)", bind: split },
];

fn keys(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(1, 1)?;
    let (key, _) = map_types(&site, 0)?;
    let nullable = site.args[0].nullable();
    let kernel = strict1(|m| Ok(Value::array(entries(&m)?.iter().map(|(k, _)| k.clone()).collect())));
    Ok(BoundExpr::call("MAP_KEYS", site.args, kernel, DataType::array(key), nullable))
}

fn values(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(1, 1)?;
    let (_, value) = map_types(&site, 0)?;
    let nullable = site.args[0].nullable();
    let kernel = strict1(|m| Ok(Value::array(entries(&m)?.iter().map(|(_, v)| v.clone()).collect())));
    Ok(BoundExpr::call("MAP_VALUES", site.args, kernel, DataType::array(value), nullable))
}

/// `MAP_FROM_ARRAYS(keys, values)`: the i-th key to the i-th value; an error when the arrays
/// differ in length; NULL when either is NULL.
fn from_arrays(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(2, 2)?;
    let (key, value) = (array_element(&site, 0)?, array_element(&site, 1)?);
    let nullable = site.args.iter().any(BoundExpr::nullable);
    let kernel = Kernel::Strict2(Arc::new(|k, v| {
        let (k, v) = (elements(&k)?, elements(&v)?);
        if k.len() != v.len() {
            return Err(EvalError::new(format!("MAP_FROM_ARRAYS: {} keys but {} values; the arrays must be as long", k.len(), v.len())));
        }
        Ok(Value::map(k.iter().cloned().zip(v.iter().cloned()).collect()))
    }));
    Ok(BoundExpr::call("MAP_FROM_ARRAYS", site.args, kernel, DataType::map(key, value), nullable))
}

/// `MAP_UNION(m1, m2, ..)`: the entries of all maps, a later map's value winning for a key
/// found in several; NULL when any map is NULL.
fn union(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(1, usize::MAX)?;
    let mut key_types = Vec::new();
    let mut value_types = Vec::new();
    for i in 0..site.args.len() {
        let (k, v) = map_types(&site, i)?;
        key_types.push(k);
        value_types.push(v);
    }
    let target = DataType::map(common_of(&site, "the map keys", &key_types)?, common_of(&site, "the map values", &value_types)?);
    let nullable = site.args.iter().any(BoundExpr::nullable);
    let args = convert_all(site.args, target, site.ctx, false)?;
    let kernel = Kernel::StrictN(Arc::new(|maps: &[Value]| {
        let mut all = Vec::new();
        for m in maps {
            all.extend(entries(m)?.iter().cloned());
        }
        Ok(Value::map(all))
    }));
    Ok(BoundExpr::call("MAP_UNION", args, kernel, target, nullable))
}

/// `STR_TO_MAP(text[, list_delimiter[, key_value_delimiter]])`: `a=1,b=2` to a
/// MAP<STRING, STRING> (delimiters `,` and `=` by default, taken literally); a piece without
/// the key-value delimiter is a key with a NULL value. NULL when any argument is NULL.
fn str_to_map(site: CallSite) -> Result<BoundExpr, ExprError> {
    let args = site.expect(&[Param::String, Param::String, Param::String], 1)?;
    let nullable = args.iter().any(BoundExpr::nullable);
    let kernel = Kernel::StrictN(Arc::new(|values: &[Value]| {
        let text = |i: usize, default: &'static str| values.get(i).map_or(Some(default), Value::as_str);
        let (Some(s), Some(list), Some(kv)) = (text(0, ""), text(1, ","), text(2, "=")) else { return Ok(Value::Null) };
        let pieces: Vec<&str> = if list.is_empty() { vec![s] } else { s.split(list).collect() };
        let entries = pieces
            .into_iter()
            .map(|piece| match (kv.is_empty(), piece.split_once(kv)) {
                (false, Some((k, v))) => (Value::string(k), Value::string(v)),
                _ => (Value::string(piece), Value::Null),
            })
            .collect();
        Ok(Value::map(entries))
    }));
    Ok(BoundExpr::call("STR_TO_MAP", args, kernel, DataType::map(DataType::String, DataType::String), nullable))
}

/// `SPLIT(text, delimiter)`: the pieces between delimiters, empty ones kept (`'a,,b'` gives
/// `[a, , b]`); an empty delimiter splits into characters. NULL when either is NULL.
fn split(site: CallSite) -> Result<BoundExpr, ExprError> {
    let args = site.expect(&[Param::String, Param::String], 2)?;
    let nullable = args.iter().any(BoundExpr::nullable);
    let kernel = super::str2(|s, d| {
        let pieces: Vec<Value> = if d.is_empty() { s.chars().map(|c| string_value(c.to_string())).collect() } else { s.split(d).map(Value::string).collect() };
        Ok(Value::array(pieces))
    });
    Ok(BoundExpr::call("SPLIT", args, kernel, DataType::array(DataType::String), nullable))
}
