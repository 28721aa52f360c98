//! `(s0, e0) OVERLAPS (s1, e1)`, also callable as `TEMPORAL_OVERLAPS(s0, e0, s1, e1)` (the
//! Table API's name): whether two periods of time share a point. As Flink (Calcite's
//! `convertOverlaps`) computes it, checked against Flink 2.3
//! (`tests/flink_reference/time_overlaps.py`):
//!
//! * a period is two points of one date-time type (DATE, TIME, TIMESTAMP or TIMESTAMP_LTZ, the
//!   same on both sides), or a point and an interval added to it (`e0 = s0 + interval`, with
//!   `+`'s rules: months clamp to the month's end, TIME wraps at midnight);
//! * a reversed period (end before start) is turned round: each side's points are sorted by
//!   `CASE WHEN s <= e THEN (s, e) ELSE (e, s)`;
//! * the periods overlap when `e0 >= s1 AND e1 >= s0` — touching ends count;
//! * NULLs follow from those three steps: a NULL point sorts as the start (the `CASE` takes
//!   its ELSE branch), a comparison with NULL is unknown, and `AND` is FALSE if either side is
//!   FALSE. So `(10:00, NULL) OVERLAPS (10:30, 12:00)` is FALSE but
//!   `(10:00, 11:00) OVERLAPS (10:30, NULL)` is NULL.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::types::{DataType, Value};

use super::super::bound::{BoundExpr, Kernel, any_nullable};
use super::super::error::ExprError;
use super::{CallSite, FunctionDef, bind_call};

/// The functions of this module.
pub(crate) const FUNCTIONS: &[FunctionDef] = &[FunctionDef {
    names: &["OVERLAPS", "TEMPORAL_OVERLAPS"],
    signature: "(start DATETIME, end DATETIME|INTERVAL, start DATETIME, end DATETIME|INTERVAL) of one DATETIME type",
    bind: overlaps,
}];

/// The date-time kind of a type (TIME of any precision is one kind); `None` for the rest.
fn datetime_kind(t: DataType) -> Option<DataType> {
    match t {
        DataType::Date | DataType::Timestamp | DataType::TimestampLtz => Some(t),
        DataType::Time(_) => Some(DataType::Time(0)),
        _ => None,
    }
}

fn overlaps(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(4, 4)?;
    let starts = [site.args[0].data_type(), site.args[2].data_type()];
    let kind = starts.iter().find_map(|t| datetime_kind(*t)).ok_or_else(|| site.mismatch())?;
    let fits = |t: DataType, end: bool| t == DataType::Null || datetime_kind(t) == Some(kind) || (end && t.is_interval());
    let types: Vec<DataType> = site.args.iter().map(BoundExpr::data_type).collect();
    if !types.iter().enumerate().all(|(i, t)| fits(*t, i % 2 == 1)) {
        return Err(site.mismatch());
    }
    let (name, ctx) = (site.name.clone(), site.ctx);
    let mut args = site.args.into_iter();
    let mut points = Vec::with_capacity(4);
    while let (Some(start), Some(end)) = (args.next(), args.next()) {
        let end = if end.data_type().is_interval() { bind_call("+", vec![start.clone(), end], ctx)? } else { end };
        points.extend([start, end]);
    }
    let kernel = Kernel::AllN(Arc::new(|v: &[Value]| {
        let (s0, e0) = sorted(&v[0], &v[1]);
        let (s1, e1) = sorted(&v[2], &v[3]);
        let result = match (at_least(e0, s1), at_least(e1, s0)) {
            (Some(false), _) | (_, Some(false)) => Value::Boolean(false),
            (Some(true), Some(true)) => Value::Boolean(true),
            _ => Value::Null,
        };
        Ok(result)
    }));
    let nullable = any_nullable(&points);
    Ok(BoundExpr::call(&name, points, kernel, DataType::Boolean, nullable))
}

/// A period's points as (start, end): as written when `a <= b`, else (NULLs too) swapped.
fn sorted<'v>(a: &'v Value, b: &'v Value) -> (&'v Value, &'v Value) {
    if at_least(b, a) == Some(true) { (a, b) } else { (b, a) }
}

/// `a >= b`, unknown (`None`) when either is NULL.
fn at_least(a: &Value, b: &Value) -> Option<bool> {
    if a.is_null() || b.is_null() { None } else { Some(a.cmp(b) != Ordering::Less) }
}
