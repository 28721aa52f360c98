//! Flink's ARRAY functions: `ARRAY_APPEND`, `ARRAY_CONCAT`, `ARRAY_CONTAINS`, `ARRAY_DISTINCT`,
//! `ARRAY_EXCEPT`, `ARRAY_INTERSECT`, `ARRAY_JOIN`, `ARRAY_MAX`, `ARRAY_MIN`, `ARRAY_POSITION`,
//! `ARRAY_PREPEND`, `ARRAY_REMOVE`, `ARRAY_REVERSE`, `ARRAY_SLICE`, `ARRAY_SORT`, `ARRAY_UNION`,
//! with Flink's NULL rules: a NULL array gives NULL; an element argument may be NULL (it is
//! then looked for, added or removed like any value); NULL elements are kept as values
//! (ARRAY_MAX/ARRAY_MIN and ARRAY_JOIN skip them).

use std::sync::Arc;

use crate::types::{DataType, Value};

use super::super::bound::{BoundExpr, Kernel};
use super::super::error::ExprError;
use super::collection::{array_element, common_of, elements};
use super::{CallSite, FunctionDef, convert_all, int_of, string_value, unexpected};

pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["ARRAY_APPEND"], signature: "(ARRAY, element)", bind: append },
    FunctionDef { names: &["ARRAY_PREPEND"], signature: "(ARRAY, element)", bind: prepend },
    FunctionDef { names: &["ARRAY_CONCAT"], signature: "(ARRAY, ..)", bind: concat },
    FunctionDef { names: &["ARRAY_CONTAINS"], signature: "(ARRAY, element)", bind: contains },
    FunctionDef { names: &["ARRAY_POSITION"], signature: "(ARRAY, element)", bind: position },
    FunctionDef { names: &["ARRAY_REMOVE"], signature: "(ARRAY, element)", bind: remove },
    FunctionDef { names: &["ARRAY_DISTINCT"], signature: "(ARRAY)", bind: distinct },
    FunctionDef { names: &["ARRAY_REVERSE"], signature: "(ARRAY)", bind: reverse },
    FunctionDef { names: &["ARRAY_MAX"], signature: "(ARRAY)", bind: max },
    FunctionDef { names: &["ARRAY_MIN"], signature: "(ARRAY)", bind: min },
    FunctionDef { names: &["ARRAY_UNION"], signature: "(ARRAY, ARRAY)", bind: union },
    FunctionDef { names: &["ARRAY_INTERSECT"], signature: "(ARRAY, ARRAY)", bind: intersect },
    FunctionDef { names: &["ARRAY_EXCEPT"], signature: "(ARRAY, ARRAY)", bind: except },
    FunctionDef { names: &["ARRAY_SLICE"], signature: "(ARRAY, INT[, INT])", bind: slice },
    FunctionDef { names: &["ARRAY_SORT"], signature: "(ARRAY[, BOOLEAN ascending[, BOOLEAN nulls first]])", bind: sort },
    FunctionDef { names: &["ARRAY_JOIN"], signature: "(ARRAY<STRING>, STRING[, STRING])", bind: join },
];

/// A kernel that is NULL when the array (argument 0) is NULL and sees every other argument.
fn array_first(f: impl Fn(&[Value], &[Value]) -> Result<Value, super::super::error::EvalError> + Send + Sync + 'static) -> Kernel {
    Kernel::AllN(Arc::new(move |values: &[Value]| match values.split_first() {
        Some((Value::Null, _)) | None => Ok(Value::Null),
        Some((a, rest)) => f(elements(a)?, rest),
    }))
}

/// (ARRAY, element): both converted so that the element fits the array's element type.
fn array_and_element(site: CallSite) -> Result<(Vec<BoundExpr>, DataType, &'static str), ExprError> {
    site.expect_count(2, 2)?;
    let element = array_element(&site, 0)?;
    let common = common_of(&site, "the array's elements and the value", &[element, site.args[1].data_type()])?;
    if element != DataType::Null && common != element {
        return Err(site.arg_error(1, format!("function {} needs a value of the array's element type {element}, got {}", site.name, site.args[1].data_type())));
    }
    let name = FUNCTIONS.iter().flat_map(|d| d.names.iter()).find(|n| **n == site.name).copied().unwrap_or("ARRAY");
    let mut args = site.args;
    let value = args.pop().ok_or_else(|| ExprError::new("", "missing argument"))?;
    let array = args.pop().ok_or_else(|| ExprError::new("", "missing argument"))?;
    let mut out = convert_all(vec![array], DataType::array(common), site.ctx, false)?;
    out.extend(convert_all(vec![value], common, site.ctx, false).map_err(|e| e.under("args[1]"))?);
    Ok((out, common, name))
}

fn append(site: CallSite) -> Result<BoundExpr, ExprError> {
    let (args, common, name) = array_and_element(site)?;
    let nullable = args[0].nullable();
    let kernel = array_first(|a, rest| Ok(Value::array(a.iter().chain(rest).cloned().collect())));
    Ok(BoundExpr::call(name, args, kernel, DataType::array(common), nullable))
}

fn prepend(site: CallSite) -> Result<BoundExpr, ExprError> {
    let (args, common, name) = array_and_element(site)?;
    let nullable = args[0].nullable();
    let kernel = array_first(|a, rest| Ok(Value::array(rest.iter().chain(a).cloned().collect())));
    Ok(BoundExpr::call(name, args, kernel, DataType::array(common), nullable))
}

fn contains(site: CallSite) -> Result<BoundExpr, ExprError> {
    let (args, _, name) = array_and_element(site)?;
    let nullable = args[0].nullable();
    let kernel = array_first(|a, rest| Ok(Value::Boolean(a.contains(&rest[0]))));
    Ok(BoundExpr::call(name, args, kernel, DataType::Boolean, nullable))
}

/// `ARRAY_POSITION`: 1-based place of the first equal element, 0 when absent; NULL when
/// either argument is NULL.
fn position(site: CallSite) -> Result<BoundExpr, ExprError> {
    let (args, _, name) = array_and_element(site)?;
    let kernel = array_first(|a, rest| {
        if rest[0].is_null() {
            return Ok(Value::Null);
        }
        Ok(Value::Int(a.iter().position(|x| *x == rest[0]).map_or(0, |i| i as i32 + 1)))
    });
    Ok(BoundExpr::call(name, args, kernel, DataType::Int, true))
}

fn remove(site: CallSite) -> Result<BoundExpr, ExprError> {
    let (args, common, name) = array_and_element(site)?;
    let nullable = args[0].nullable();
    let kernel = array_first(|a, rest| Ok(Value::array(a.iter().filter(|x| **x != rest[0]).cloned().collect())));
    Ok(BoundExpr::call(name, args, kernel, DataType::array(common), nullable))
}

/// The arguments as ARRAYs of their elements' common type.
fn arrays(site: CallSite, min: usize, max: usize) -> Result<(Vec<BoundExpr>, DataType), ExprError> {
    site.expect_count(min, max)?;
    let mut types = Vec::with_capacity(site.args.len());
    for i in 0..site.args.len() {
        types.push(array_element(&site, i)?);
    }
    let common = common_of(&site, "the arrays' elements", &types)?;
    let args = convert_all(site.args, DataType::array(common), site.ctx, false)?;
    Ok((args, common))
}

/// A function of whole arrays, NULL when any is NULL.
fn of_arrays(name: &str, args: Vec<BoundExpr>, result: DataType, f: impl Fn(&[&[Value]]) -> Value + Send + Sync + 'static) -> BoundExpr {
    let nullable = args.iter().any(BoundExpr::nullable);
    let kernel = Kernel::StrictN(Arc::new(move |values: &[Value]| {
        let lists: Result<Vec<&[Value]>, _> = values.iter().map(elements).collect();
        Ok(f(&lists?))
    }));
    BoundExpr::call(name, args, kernel, result, nullable)
}

/// The distinct values of `items`, in their first order.
fn dedup<'a>(items: impl Iterator<Item = &'a Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for x in items {
        if !out.contains(x) {
            out.push(x.clone());
        }
    }
    out
}

fn concat(site: CallSite) -> Result<BoundExpr, ExprError> {
    let (args, common) = arrays(site, 1, usize::MAX)?;
    Ok(of_arrays("ARRAY_CONCAT", args, DataType::array(common), |lists| Value::array(lists.iter().flat_map(|l| l.iter()).cloned().collect())))
}

fn distinct(site: CallSite) -> Result<BoundExpr, ExprError> {
    let (args, common) = arrays(site, 1, 1)?;
    Ok(of_arrays("ARRAY_DISTINCT", args, DataType::array(common), |lists| Value::array(dedup(lists[0].iter()))))
}

fn reverse(site: CallSite) -> Result<BoundExpr, ExprError> {
    let (args, common) = arrays(site, 1, 1)?;
    Ok(of_arrays("ARRAY_REVERSE", args, DataType::array(common), |lists| Value::array(lists[0].iter().rev().cloned().collect())))
}

fn union(site: CallSite) -> Result<BoundExpr, ExprError> {
    let (args, common) = arrays(site, 2, 2)?;
    Ok(of_arrays("ARRAY_UNION", args, DataType::array(common), |lists| Value::array(dedup(lists[0].iter().chain(lists[1])))))
}

fn intersect(site: CallSite) -> Result<BoundExpr, ExprError> {
    let (args, common) = arrays(site, 2, 2)?;
    Ok(of_arrays("ARRAY_INTERSECT", args, DataType::array(common), |lists| Value::array(dedup(lists[0].iter().filter(|x| lists[1].contains(x))))))
}

fn except(site: CallSite) -> Result<BoundExpr, ExprError> {
    let (args, common) = arrays(site, 2, 2)?;
    Ok(of_arrays("ARRAY_EXCEPT", args, DataType::array(common), |lists| Value::array(dedup(lists[0].iter().filter(|x| !lists[1].contains(x))))))
}

/// `ARRAY_MAX`/`ARRAY_MIN`: the extreme non-NULL element; NULL when there is none.
fn extreme(site: CallSite, want_max: bool) -> Result<BoundExpr, ExprError> {
    let name = if want_max { "ARRAY_MAX" } else { "ARRAY_MIN" };
    let (args, common) = arrays(site, 1, 1)?;
    if common.is_collection() {
        return Err(ExprError::new("", format!("function {name} does not compare {common} elements")));
    }
    let kernel = Kernel::Strict1(Arc::new(move |v| {
        let present = elements(&v)?.iter().filter(|x| !x.is_null());
        Ok(if want_max { present.max() } else { present.min() }.cloned().unwrap_or(Value::Null))
    }));
    Ok(BoundExpr::call(name, args, kernel, common, true))
}

fn max(site: CallSite) -> Result<BoundExpr, ExprError> {
    extreme(site, true)
}

fn min(site: CallSite) -> Result<BoundExpr, ExprError> {
    extreme(site, false)
}

/// `ARRAY_SLICE(a, start[, end])`: the elements from `start` to `end` inclusive, 1-based, 0 the
/// beginning too, negative counted from the end; empty when `start` is after `end`; NULL when
/// any argument is NULL.
fn slice(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(2, 3)?;
    let element = array_element(&site, 0)?;
    for i in 1..site.args.len() {
        if !matches!(site.args[i].data_type(), DataType::Int | DataType::BigInt | DataType::Null) {
            return Err(site.mismatch());
        }
    }
    let nullable = site.args.iter().any(BoundExpr::nullable);
    let kernel = Kernel::StrictN(Arc::new(|values: &[Value]| {
        let a = elements(&values[0])?;
        let len = a.len() as i64;
        let place = |v: &Value| -> Result<i64, _> {
            let i = int_of(v)?;
            Ok(if i < 0 { len + i + 1 } else { i.max(1) })
        };
        let start = place(&values[1])?.max(1);
        let end = match values.get(2) {
            Some(v) => place(v)?.min(len),
            None => len,
        };
        Ok(Value::array(if start > end { Vec::new() } else { a[(start - 1) as usize..end as usize].to_vec() }))
    }));
    Ok(BoundExpr::call("ARRAY_SLICE", site.args, kernel, DataType::array(element), nullable))
}

/// `ARRAY_SORT(a[, ascending[, nulls_first]])`: ascending by default, NULLs first when
/// ascending and last when descending unless told; NULL when any argument is NULL.
fn sort(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(1, 3)?;
    let element = array_element(&site, 0)?;
    if site.args[1..].iter().any(|a| !matches!(a.data_type(), DataType::Boolean | DataType::Null)) {
        return Err(site.mismatch());
    }
    let nullable = site.args.iter().any(BoundExpr::nullable);
    let kernel = Kernel::StrictN(Arc::new(|values: &[Value]| {
        let ascending = values.get(1).map_or(Ok(true), |v| v.as_bool().ok_or_else(|| unexpected(v)))?;
        let nulls_first = values.get(2).map_or(Ok(ascending), |v| v.as_bool().ok_or_else(|| unexpected(v)))?;
        let items = elements(&values[0])?;
        let mut present: Vec<Value> = items.iter().filter(|x| !x.is_null()).cloned().collect();
        present.sort();
        if !ascending {
            present.reverse();
        }
        let nulls = vec![Value::Null; items.len() - present.len()];
        Ok(Value::array(if nulls_first { nulls.into_iter().chain(present).collect() } else { present.into_iter().chain(nulls).collect() }))
    }));
    Ok(BoundExpr::call("ARRAY_SORT", site.args, kernel, DataType::array(element), nullable))
}

/// `ARRAY_JOIN(a, delimiter[, null_replacement])`: the STRING elements joined; NULL elements
/// skipped unless replaced; NULL when the array, the delimiter or a given replacement is NULL.
fn join(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(2, 3)?;
    let element = array_element(&site, 0)?;
    if !matches!(element, DataType::String | DataType::Null) || site.args[1..].iter().any(|a| !matches!(a.data_type(), DataType::String | DataType::Null)) {
        return Err(site.mismatch());
    }
    let kernel = Kernel::AllN(Arc::new(|values: &[Value]| {
        let (Some(array), Some(Value::String(delimiter))) = (values.first(), values.get(1)) else { return Ok(Value::Null) };
        if array.is_null() {
            return Ok(Value::Null);
        }
        let replacement = match values.get(2) {
            Some(Value::Null) => return Ok(Value::Null),
            other => other.and_then(Value::as_str),
        };
        let parts: Vec<&str> = elements(array)?.iter().filter_map(|x| x.as_str().or(replacement)).collect();
        Ok(string_value(parts.join(delimiter)))
    }));
    Ok(BoundExpr::call("ARRAY_JOIN", site.args, kernel, DataType::String, true))
}
