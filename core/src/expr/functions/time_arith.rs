//! `TIMESTAMPADD(unit, n, t)` and `TIMESTAMPDIFF(unit, t1, t2)`, as Flink (Calcite) computes
//! them. Units: SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER, YEAR (the planner passes the
//! unit keyword as a string literal). TIMESTAMP_LTZ values are taken as wall-clock times in the
//! session zone.

use std::sync::Arc;

use crate::types::{DataType, Value, temporal};

use super::super::bound::{BoundExpr, Kernel, any_nullable};
use super::super::error::{EvalError, ExprError};
use super::super::zone::SessionZone;
use super::arithmetic::{add_months_date, add_months_millis};
use super::{CallSite, FunctionDef, Param, int_of, literal_str, unexpected};

/// The functions of this module.
pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["TIMESTAMPADD"], signature: "(unit, n INT, DATE|TIMESTAMP|TIMESTAMP_LTZ)", bind: timestampadd },
    FunctionDef { names: &["TIMESTAMPDIFF"], signature: "(unit, DATE|TIMESTAMP|TIMESTAMP_LTZ, DATE|TIMESTAMP|TIMESTAMP_LTZ)", bind: timestampdiff },
];

const MS_PER_DAY: i64 = 86_400_000;

/// A unit of TIMESTAMPADD / TIMESTAMPDIFF: a fixed number of milliseconds, or of months.
#[derive(Clone, Copy)]
enum Step {
    Millis(i64),
    Months(i64),
}

fn step(unit: &str) -> Option<Step> {
    Some(match unit.trim().to_ascii_uppercase().as_str() {
        "SECOND" => Step::Millis(1000),
        "MINUTE" => Step::Millis(60_000),
        "HOUR" => Step::Millis(3_600_000),
        "DAY" => Step::Millis(MS_PER_DAY),
        "WEEK" => Step::Millis(7 * MS_PER_DAY),
        "MONTH" => Step::Months(1),
        "QUARTER" => Step::Months(3),
        "YEAR" => Step::Months(12),
        _ => return None,
    })
}

/// The unit argument (argument 0), which must be a literal.
fn unit_arg(site: &CallSite) -> Result<Step, ExprError> {
    site.args
        .first()
        .and_then(literal_str)
        .and_then(step)
        .ok_or_else(|| site.arg_error(0, format!("the {} unit must be one of SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER, YEAR", site.name)))
}

fn is_temporal(t: DataType) -> bool {
    t == DataType::Date || t.is_timestamp() || t == DataType::Null
}

/// Wall-clock milliseconds of a date-time value (TIMESTAMP_LTZ in `zone`).
fn local(v: &Value, zone: SessionZone) -> Result<i64, EvalError> {
    match v {
        Value::Date(d) => Ok(i64::from(*d) * MS_PER_DAY),
        Value::Timestamp(ms) => Ok(*ms),
        Value::TimestampLtz(ms) => Ok(zone.to_local(*ms)),
        other => Err(unexpected(other)),
    }
}

/// `TIMESTAMPADD(unit, n, t)`: `t` moved by `n` units (months clamp to the month's end). A DATE
/// stays a DATE for DAY and longer units and becomes a TIMESTAMP for shorter ones.
fn timestampadd(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(3, 3)?;
    let unit = unit_arg(&site)?;
    let t = site.args[2].data_type();
    if !is_temporal(t) {
        return Err(site.mismatch());
    }
    let zone = if t == DataType::TimestampLtz { site.zone()? } else { SessionZone::utc() };
    let result = match (t, unit) {
        (DataType::Date, Step::Millis(ms)) if ms < MS_PER_DAY => DataType::Timestamp,
        (DataType::Null, _) => DataType::Timestamp,
        _ => t,
    };
    let name = site.name.clone();
    let mut args = site.expect(&[Param::String, Param::BigInt, Param::Any], 3)?;
    args.remove(0);
    let nullable = any_nullable(&args);
    let overflow = || EvalError::new("TIMESTAMPADD: the result is out of range");
    let kernel = Kernel::Strict2(Arc::new(move |n, v| {
        let n = int_of(&n)?;
        let out = match unit {
            Step::Millis(ms) => n.checked_mul(ms).and_then(|d| local(&v, zone).ok()?.checked_add(d)),
            Step::Months(m) => {
                let months = n.checked_mul(m).and_then(|x| i32::try_from(x).ok()).ok_or_else(overflow)?;
                match &v {
                    Value::Date(d) => temporal::date_from_days(*d)
                        .and_then(|date| add_months_date(date, months))
                        .map(|date| i64::from(temporal::days_from_date(date)) * MS_PER_DAY),
                    other => add_months_millis(local(other, zone)?, months),
                }
            }
        }
        .ok_or_else(overflow)?;
        Ok(match result {
            DataType::Date => Value::Date(i32::try_from(out.div_euclid(MS_PER_DAY)).map_err(|_| overflow())?),
            DataType::TimestampLtz => Value::TimestampLtz(zone.to_instant(out)),
            _ => Value::Timestamp(out),
        })
    }));
    Ok(BoundExpr::call(&name, args, kernel, result, nullable))
}

/// Whole months from `t1` to `t0` (wall-clock milliseconds), as Calcite's `subtractMonths`.
fn months_between(t0: i64, t1: i64) -> Option<i64> {
    let (ms0, ms1) = (t0.rem_euclid(MS_PER_DAY), t1.rem_euclid(MS_PER_DAY));
    let (d0, d1) = (t0.div_euclid(MS_PER_DAY), t1.div_euclid(MS_PER_DAY));
    let mut x = date_months_between(d0, d1)?;
    if add_days_months(d1, x)? == d0 && ms0 < ms1 {
        x -= 1;
    }
    Some(x)
}

/// Calcite's `subtractMonths(int, int)` over days since the epoch.
fn date_months_between(d0: i64, d1: i64) -> Option<i64> {
    if d0 < d1 {
        return date_months_between(d1, d0).map(|m| -m);
    }
    let mut m = (d0 - d1) / 31;
    loop {
        if add_days_months(d1, m)? >= d0 {
            return Some(m);
        }
        if add_days_months(d1, m + 1)? > d0 {
            return Some(m);
        }
        m += 1;
    }
}

/// The day `months` after day `days` (clamped to the month's end).
fn add_days_months(days: i64, months: i64) -> Option<i64> {
    let date = temporal::date_from_days(i32::try_from(days).ok()?)?;
    let moved = add_months_date(date, i32::try_from(months).ok()?)?;
    Some(i64::from(temporal::days_from_date(moved)))
}

/// `TIMESTAMPDIFF(unit, t1, t2)` → INT: whole units from `t1` to `t2` (negative when `t2` is
/// earlier), toward zero.
fn timestampdiff(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(3, 3)?;
    let unit = unit_arg(&site)?;
    let (a, b) = (site.args[1].data_type(), site.args[2].data_type());
    if !is_temporal(a) || !is_temporal(b) {
        return Err(site.mismatch());
    }
    let zone = if a == DataType::TimestampLtz || b == DataType::TimestampLtz { site.zone()? } else { SessionZone::utc() };
    let name = site.name.clone();
    let mut args = site.args;
    args.remove(0);
    let nullable = any_nullable(&args);
    let kernel = Kernel::Strict2(Arc::new(move |x, y| {
        let (t1, t2) = (local(&x, zone)?, local(&y, zone)?);
        let units = match unit {
            Step::Millis(ms) => (t2 - t1) / ms,
            Step::Months(m) => months_between(t2, t1).ok_or_else(|| EvalError::new("TIMESTAMPDIFF: a date is out of range"))? / m,
        };
        Ok(Value::Int(units as i32))
    }));
    Ok(BoundExpr::call(&name, args, kernel, DataType::Int, nullable))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> i64 {
        i64::from(temporal::parse_date(text).unwrap_or_default())
    }

    #[test]
    fn months_between_follows_calcite() {
        assert_eq!(date_months_between(day("2023-03-31"), day("2023-01-31")), Some(2));
        assert_eq!(date_months_between(day("2023-02-28"), day("2023-01-31")), Some(1), "the month's end counts as a whole month");
        assert_eq!(date_months_between(day("2023-02-27"), day("2023-01-31")), Some(0));
        assert_eq!(date_months_between(day("2023-01-31"), day("2023-03-31")), Some(-2));
        let at = |d: &str, h: i64| day(d) * MS_PER_DAY + h * 3_600_000;
        assert_eq!(months_between(at("2023-02-01", 9), at("2023-01-01", 10)), Some(0), "an hour short of a month");
        assert_eq!(months_between(at("2023-02-01", 10), at("2023-01-01", 10)), Some(1));
    }
}
