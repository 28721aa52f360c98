//! The ARRAY and MAP constructors (`ARRAY[..]`, `MAP[..]`), element access (`a[i]`, `m[k]`),
//! `CARDINALITY` and `ELEMENT`, and the helpers the ARRAY_* and MAP_* functions share.

use std::sync::Arc;

use crate::types::{DataType, Value};

use super::super::bound::{BoundExpr, Kernel};
use super::super::error::{EvalError, ExprError};
use super::{CallSite, FunctionDef, convert_all, int_of, strict1, strict2, unexpected, unified_type};

pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["ARRAY"], signature: "(value, ..)", bind: array },
    FunctionDef { names: &["MAP"], signature: "(key, value, ..)", bind: map },
    FunctionDef { names: &["ITEM"], signature: "(ARRAY, INT) or (MAP, key)", bind: item },
    FunctionDef { names: &["CARDINALITY"], signature: "(ARRAY or MAP)", bind: cardinality },
    FunctionDef { names: &["ELEMENT"], signature: "(ARRAY)", bind: element },
];

/// The elements of an ARRAY value (binding guarantees the type).
pub(crate) fn elements(v: &Value) -> Result<&[Value], EvalError> {
    v.as_array().ok_or_else(|| unexpected(v))
}

/// The entries of a MAP value (binding guarantees the type).
pub(crate) fn entries(v: &Value) -> Result<&[(Value, Value)], EvalError> {
    v.as_map().ok_or_else(|| unexpected(v))
}

/// The element type of argument `i`, or an error naming it when it is not an ARRAY (an untyped
/// NULL counts as an ARRAY of NULLs).
pub(crate) fn array_element(site: &CallSite, i: usize) -> Result<DataType, ExprError> {
    match site.args.get(i).map(BoundExpr::data_type) {
        Some(DataType::Array(e)) => Ok(*e),
        Some(DataType::Null) => Ok(DataType::Null),
        Some(other) => Err(site.arg_error(i, format!("function {} expects an ARRAY here, got {other}", site.name))),
        None => Err(site.mismatch()),
    }
}

/// The key and value types of argument `i`, or an error naming it when it is not a MAP.
pub(crate) fn map_types(site: &CallSite, i: usize) -> Result<(DataType, DataType), ExprError> {
    match site.args.get(i).map(BoundExpr::data_type) {
        Some(DataType::Map(kv)) => Ok(*kv),
        Some(DataType::Null) => Ok((DataType::Null, DataType::Null)),
        Some(other) => Err(site.arg_error(i, format!("function {} expects a MAP here, got {other}", site.name))),
        None => Err(site.mismatch()),
    }
}

/// The common type of `types`, or an error naming the function.
pub(crate) fn common_of(site: &CallSite, what: &str, types: &[DataType]) -> Result<DataType, ExprError> {
    let mut out = DataType::Null;
    for t in types {
        out = super::super::types::common_type(out, *t)
            .ok_or_else(|| ExprError::new("", format!("function {}: {what} have no common type: {}", site.name, site.arg_types())))?;
    }
    Ok(out)
}

/// `ARRAY[a, b, ..]`: the elements converted to their common type (Flink's
/// `ARRAY[1, 2.5]` is `ARRAY<DECIMAL(2, 1)>`).
fn array(site: CallSite) -> Result<BoundExpr, ExprError> {
    if site.args.is_empty() {
        return Err(ExprError::new("", "ARRAY[..] needs at least one element"));
    }
    let element = unified_type(&site.args, false).ok_or_else(|| ExprError::new("", format!("ARRAY elements have no common type: {}", site.arg_types())))?;
    let args = convert_all(site.args, element, site.ctx, false)?;
    let kernel = Kernel::AllN(Arc::new(|values: &[Value]| Ok(Value::array(values.to_vec()))));
    Ok(BoundExpr::call("ARRAY", args, kernel, DataType::array(element), false))
}

/// `MAP[k1, v1, k2, v2, ..]`: keys and values each converted to their common type; a repeated
/// key keeps its last value.
fn map(site: CallSite) -> Result<BoundExpr, ExprError> {
    if site.args.is_empty() || !site.args.len().is_multiple_of(2) {
        return Err(ExprError::new("", format!("MAP[..] needs key-value pairs, got {} values", site.args.len())));
    }
    let keys: Vec<BoundExpr> = site.args.iter().step_by(2).cloned().collect();
    let values: Vec<BoundExpr> = site.args.iter().skip(1).step_by(2).cloned().collect();
    let key = unified_type(&keys, false).ok_or_else(|| ExprError::new("", format!("MAP keys have no common type: {}", site.arg_types())))?;
    let value = unified_type(&values, false).ok_or_else(|| ExprError::new("", format!("MAP values have no common type: {}", site.arg_types())))?;
    let keys = convert_all(keys, key, site.ctx, false)?;
    let values = convert_all(values, value, site.ctx, false)?;
    let args: Vec<BoundExpr> = keys.into_iter().zip(values).flat_map(|(k, v)| [k, v]).collect();
    let kernel = Kernel::AllN(Arc::new(|vals: &[Value]| Ok(Value::map(vals.chunks(2).map(|kv| (kv[0].clone(), kv[1].clone())).collect()))));
    Ok(BoundExpr::call("MAP", args, kernel, DataType::map(key, value), false))
}

/// `array[i]` (1-based; NULL when out of range, as Flink) and `map[key]` (NULL when absent).
fn item(site: CallSite) -> Result<BoundExpr, ExprError> {
    if site.args.len() != 2 {
        return Err(site.mismatch());
    }
    match site.args[0].data_type() {
        DataType::Array(e) => {
            let element = *e;
            if let Some(i) = super::literal_int(&site.args[1]).filter(|i| *i < 1) {
                return Err(site.arg_error(1, format!("array element access needs an index starting at 1 but was {i}")));
            }
            if !matches!(site.args[1].data_type(), DataType::Int | DataType::BigInt | DataType::Null) {
                return Err(site.arg_error(1, format!("an ARRAY index must be an integer, got {}", site.args[1].data_type())));
            }
            let kernel = strict2(|a, i| {
                let items = elements(&a)?;
                let i = int_of(&i)?;
                Ok(usize::try_from(i).ok().and_then(|i| i.checked_sub(1)).and_then(|i| items.get(i)).cloned().unwrap_or(Value::Null))
            });
            Ok(BoundExpr::call("ITEM", site.args, kernel, element, true))
        }
        DataType::Map(kv) => {
            let (key, value) = *kv;
            let mut args = site.args;
            let k = args.pop().ok_or_else(|| ExprError::new("", "MAP access needs a key"))?;
            let k = convert_all(vec![k], key, site.ctx, false).map_err(|e| e.under("args[1]"))?;
            args.extend(k);
            let kernel = strict2(|m, k| Ok(entries(&m)?.iter().find(|(key, _)| *key == k).map(|(_, v)| v.clone()).unwrap_or(Value::Null)));
            Ok(BoundExpr::call("ITEM", args, kernel, value, true))
        }
        other => Err(site.arg_error(0, format!("only an ARRAY or a MAP can be indexed with [..], got {other}"))),
    }
}

/// `CARDINALITY(array, map or multiset)`: the number of elements, entries or occurrences.
fn cardinality(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(1, 1)?;
    if !site.args[0].data_type().is_collection() {
        return Err(site.mismatch());
    }
    let nullable = site.args[0].nullable();
    if let DataType::Multiset(_) = site.args[0].data_type() {
        // A MULTISET's cardinality counts every occurrence (its values are element -> count).
        let kernel = strict1(|v| Ok(Value::Int(entries(&v)?.iter().filter_map(|(_, n)| n.as_i64()).sum::<i64>() as i32)));
        return Ok(BoundExpr::call("CARDINALITY", site.args, kernel, DataType::Int, nullable));
    }
    let kernel = strict1(|v| match &v {
        Value::Array(a) => Ok(Value::Int(a.len() as i32)),
        Value::Map(m) => Ok(Value::Int(m.len() as i32)),
        other => Err(unexpected(other)),
    });
    Ok(BoundExpr::call("CARDINALITY", site.args, kernel, DataType::Int, nullable))
}

/// `ELEMENT(array)`: the only element; NULL for an empty array, an error for more than one.
fn element(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(1, 1)?;
    let element = array_element(&site, 0)?;
    let kernel = strict1(|v| match elements(&v)? {
        [] => Ok(Value::Null),
        [one] => Ok(one.clone()),
        more => Err(EvalError::new(format!("ELEMENT: the array has {} elements, not one", more.len()))),
    });
    Ok(BoundExpr::call("ELEMENT", site.args, kernel, element, true))
}
