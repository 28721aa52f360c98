//! Date and time functions. TIMESTAMP_LTZ values are read and rendered in the session zone
//! (`BindContext::time_zone`); formats are Java `SimpleDateFormat` patterns, compiled once
//! when they are literals. Parse failures give NULL, as in Flink.

use std::sync::Arc;

use chrono::{Datelike, FixedOffset, NaiveDateTime, TimeZone, Timelike};

use crate::types::{DataType, Value, temporal};

use super::super::bound::{BoundExpr, Kernel, any_nullable};
use super::super::compile::CompiledExpr;
use super::super::error::EvalError;
use super::super::error::ExprError;
use super::super::java_format::DateFormat;
use super::super::zone::SessionZone;
use super::{CallSite, FunctionDef, Param, int_of, literal_int, literal_str, string_value, unexpected};

/// The date and time functions.
pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["TO_TIMESTAMP_LTZ"], signature: "(NUMERIC[, precision 0|3])", bind: to_timestamp_ltz },
    FunctionDef { names: &["TO_TIMESTAMP"], signature: "(STRING[, format STRING])", bind: to_timestamp },
    FunctionDef { names: &["TO_DATE"], signature: "(STRING[, format STRING])", bind: to_date },
    FunctionDef { names: &["DATE_FORMAT"], signature: "(TIMESTAMP|TIMESTAMP_LTZ|DATE|STRING, format STRING)", bind: date_format },
    FunctionDef { names: &["EXTRACT"], signature: "(unit STRING, DATE|TIMESTAMP|TIMESTAMP_LTZ)", bind: extract },
    FunctionDef { names: &["YEAR"], signature: "(DATE|TIMESTAMP|TIMESTAMP_LTZ)", bind: year },
    FunctionDef { names: &["QUARTER"], signature: "(DATE|TIMESTAMP|TIMESTAMP_LTZ)", bind: quarter },
    FunctionDef { names: &["MONTH"], signature: "(DATE|TIMESTAMP|TIMESTAMP_LTZ)", bind: month },
    FunctionDef { names: &["WEEK"], signature: "(DATE|TIMESTAMP|TIMESTAMP_LTZ)", bind: week },
    FunctionDef { names: &["DAYOFMONTH"], signature: "(DATE|TIMESTAMP|TIMESTAMP_LTZ)", bind: dayofmonth },
    FunctionDef { names: &["DAYOFWEEK"], signature: "(DATE|TIMESTAMP|TIMESTAMP_LTZ)", bind: dayofweek },
    FunctionDef { names: &["DAYOFYEAR"], signature: "(DATE|TIMESTAMP|TIMESTAMP_LTZ)", bind: dayofyear },
    FunctionDef { names: &["HOUR"], signature: "(TIMESTAMP|TIMESTAMP_LTZ)", bind: hour },
    FunctionDef { names: &["MINUTE"], signature: "(TIMESTAMP|TIMESTAMP_LTZ)", bind: minute },
    FunctionDef { names: &["SECOND"], signature: "(TIMESTAMP|TIMESTAMP_LTZ)", bind: second },
    FunctionDef { names: &["UNIX_TIMESTAMP"], signature: "() or (STRING[, format STRING])", bind: unix_timestamp },
    FunctionDef { names: &["FROM_UNIXTIME"], signature: "(BIGINT[, format STRING])", bind: from_unixtime },
    FunctionDef { names: &["NOW", "CURRENT_TIMESTAMP"], signature: "()", bind: now },
    FunctionDef { names: &["PROCTIME"], signature: "()", bind: now },
    FunctionDef { names: &["CURRENT_ROW_TIMESTAMP"], signature: "()", bind: now },
    FunctionDef { names: &["SOURCE_WATERMARK"], signature: "()", bind: source_watermark },
    FunctionDef { names: &["LOCALTIMESTAMP"], signature: "()", bind: localtimestamp },
    FunctionDef { names: &["CURRENT_DATE"], signature: "()", bind: current_date },
    FunctionDef { names: &["CURRENT_TIME", "LOCALTIME"], signature: "()", bind: current_time },
];

const MS_PER_DAY: i64 = 86_400_000;
const DEFAULT_FORMAT: &str = "yyyy-MM-dd HH:mm:ss";

/// `TO_TIMESTAMP_LTZ(epoch, precision)`: precision 0 reads seconds, 3 milliseconds (default 3).
fn to_timestamp_ltz(site: CallSite) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let mut args = site.expect(&[Param::Numeric, Param::Int], 1)?;
    let precision = match args.get(1) {
        None => 3,
        Some(p) => literal_int(p)
            .filter(|p| *p == 0 || *p == 3)
            .ok_or_else(|| ExprError::new("args[1]", "the precision of TO_TIMESTAMP_LTZ must be the literal 0 (seconds) or 3 (milliseconds)"))?,
    };
    args.truncate(1);
    let factor: i64 = if precision == 0 { 1000 } else { 1 };
    let kernel = super::strict1(move |v| {
        let ms = match &v {
            Value::Int(_) | Value::BigInt(_) => int_of(&v)?.checked_mul(factor),
            other => other.as_f64().map(|x| x * factor as f64).filter(|x| x.is_finite() && x.abs() < 9.2e18).map(|x| x as i64),
        };
        Ok(ms.map_or(Value::Null, Value::TimestampLtz))
    });
    Ok(BoundExpr::call(&name, args, kernel, DataType::TimestampLtz, true))
}

/// A format argument: compiled now when literal, else per row.
#[derive(Clone)]
enum Format {
    Fixed(DateFormat),
    PerRow,
}

fn format_arg(args: &[BoundExpr], i: usize) -> Result<Format, ExprError> {
    match args.get(i) {
        None => DateFormat::new(DEFAULT_FORMAT).map(Format::Fixed).map_err(|m| ExprError::new("", m)),
        Some(f) => match literal_str(f) {
            Some(text) => DateFormat::new(text).map(Format::Fixed).map_err(|m| ExprError::new(format!("args[{i}]"), m)),
            None => Ok(Format::PerRow),
        },
    }
}

impl Format {
    fn get(&self, value: Option<&Value>) -> Result<DateFormat, EvalError> {
        match (self, value) {
            (Format::Fixed(f), _) => Ok(f.clone()),
            (Format::PerRow, Some(Value::String(s))) => DateFormat::new(s).map_err(EvalError::new),
            (Format::PerRow, other) => Err(unexpected(other.unwrap_or(&Value::Null))),
        }
    }
}

/// Parses `text` as a wall-clock time: with the default format, any `yyyy-MM-dd HH:mm:ss[.SSS]`
/// or a bare date; otherwise with `format`.
fn parse_local(text: &str, format: &DateFormat, default: bool) -> Option<i64> {
    if default {
        return temporal::parse_timestamp(text);
    }
    format.parse(text).map(temporal::millis_from_datetime)
}

/// Shared by TO_TIMESTAMP, TO_DATE, UNIX_TIMESTAMP: parse a string (with an optional format)
/// and turn the wall-clock milliseconds into the result.
fn parsing(site: CallSite, t: DataType, finish: fn(i64, SessionZone) -> Option<Value>) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let zone = if t == DataType::BigInt { site.zone()? } else { SessionZone::utc() };
    let args = site.expect(&[Param::String, Param::String], 1)?;
    let default = args.len() == 1;
    let format = format_arg(&args, 1)?;
    let kernel = Kernel::StrictN(Arc::new(move |v: &[Value]| {
        let Some(Value::String(text)) = v.first() else { return Ok(Value::Null) };
        let f = format.get(v.get(1))?;
        Ok(parse_local(text, &f, default).and_then(|ms| finish(ms, zone)).unwrap_or(Value::Null))
    }));
    Ok(BoundExpr::call(&name, args, kernel, t, true))
}

/// `TO_TIMESTAMP(s[, format])` → TIMESTAMP, NULL when `s` does not parse.
fn to_timestamp(site: CallSite) -> Result<BoundExpr, ExprError> {
    parsing(site, DataType::Timestamp, |ms, _| Some(Value::Timestamp(ms)))
}

/// `TO_DATE(s[, format])` → DATE (default format `yyyy-MM-dd`).
fn to_date(site: CallSite) -> Result<BoundExpr, ExprError> {
    parsing(site, DataType::Date, |ms, _| i32::try_from(ms.div_euclid(MS_PER_DAY)).ok().map(Value::Date))
}

/// Wall-clock milliseconds of a DATE, TIMESTAMP or TIMESTAMP_LTZ (in the zone).
fn local_millis(v: &Value, zone: SessionZone) -> Result<i64, EvalError> {
    match v {
        Value::Date(d) => Ok(i64::from(*d) * MS_PER_DAY),
        Value::Timestamp(ms) => Ok(*ms),
        Value::TimestampLtz(ms) => Ok(zone.to_local(*ms)),
        other => Err(unexpected(other)),
    }
}

/// The wall-clock time `local_ms` as a zoned date-time (so `Z`/`XXX` print the session offset).
fn zoned(local_ms: i64, zone: SessionZone) -> Option<chrono::DateTime<FixedOffset>> {
    let instant = zone.to_instant(local_ms);
    let offset = FixedOffset::east_opt(i32::try_from(zone.offset_ms_at(instant) / 1000).ok()?)?;
    let utc = temporal::datetime_from_millis(instant)?;
    Some(offset.from_utc_datetime(&utc))
}

/// `DATE_FORMAT(x, format)` → STRING; a STRING `x` is read as `yyyy-MM-dd HH:mm:ss[.SSS]` first.
fn date_format(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(2, 2)?;
    let t = site.args[0].data_type();
    if !(t == DataType::String || t == DataType::Date || t.is_timestamp() || t == DataType::Null) {
        return Err(site.mismatch());
    }
    let zone = if t == DataType::TimestampLtz { site.zone()? } else { SessionZone::utc() };
    let name = site.name.clone();
    let args = site.expect(&[Param::Any, Param::String], 2)?;
    let format = format_arg(&args, 1)?;
    let kernel = Kernel::StrictN(Arc::new(move |v: &[Value]| {
        let Some(x) = v.first() else { return Ok(Value::Null) };
        let local = match x {
            Value::String(s) => match temporal::parse_timestamp(s) {
                Some(ms) => ms,
                None => return Ok(Value::Null),
            },
            other => local_millis(other, zone)?,
        };
        let f = format.get(v.get(1))?;
        Ok(zoned(local, zone).and_then(|dt| f.format(&dt)).map_or(Value::Null, string_value))
    }));
    Ok(BoundExpr::call(&name, args, kernel, DataType::String, true))
}

/// A field of a date-time, as EXTRACT names it.
#[derive(Clone, Copy, Debug)]
enum Unit {
    Year,
    Quarter,
    Month,
    Week,
    Day,
    DayOfWeek,
    DayOfYear,
    Hour,
    Minute,
    Second,
    Millisecond,
    Microsecond,
    Nanosecond,
    IsoDayOfWeek,
    IsoYear,
    Decade,
    Century,
    Millennium,
    Epoch,
}

impl Unit {
    fn parse(text: &str) -> Option<Unit> {
        Some(match text.trim().to_ascii_uppercase().as_str() {
            "YEAR" => Unit::Year,
            "QUARTER" => Unit::Quarter,
            "MONTH" => Unit::Month,
            "WEEK" => Unit::Week,
            "DAY" | "DAYOFMONTH" => Unit::Day,
            "DAYOFWEEK" | "DOW" => Unit::DayOfWeek,
            "DAYOFYEAR" | "DOY" => Unit::DayOfYear,
            "HOUR" => Unit::Hour,
            "MINUTE" => Unit::Minute,
            "SECOND" => Unit::Second,
            "MILLISECOND" | "MILLISECONDS" => Unit::Millisecond,
            "MICROSECOND" | "MICROSECONDS" => Unit::Microsecond,
            "NANOSECOND" | "NANOSECONDS" => Unit::Nanosecond,
            "ISODOW" => Unit::IsoDayOfWeek,
            "ISOYEAR" => Unit::IsoYear,
            "DECADE" => Unit::Decade,
            "CENTURY" => Unit::Century,
            "MILLENNIUM" => Unit::Millennium,
            "EPOCH" => Unit::Epoch,
            _ => return None,
        })
    }

    /// The field of `dt`, as Flink's `DateTimeUtils.extractFromTimestamp`: WEEK and ISOYEAR
    /// are ISO 8601's, DAYOFWEEK (DOW) runs 1 (Sunday) to 7 (Saturday) and ISODOW 1 (Monday)
    /// to 7 (Sunday); MILLISECOND is the milliseconds within the second (`20.123` s gives
    /// 123), MICROSECOND and NANOSECOND the same in their unit; EPOCH is whole seconds since
    /// 1970-01-01 00:00:00 (toward zero, as Flink).
    fn of(self, dt: &NaiveDateTime) -> i64 {
        let ms_of_second = i64::from(dt.nanosecond() / 1_000_000);
        let year = i64::from(dt.year());
        match self {
            Unit::Microsecond => ms_of_second * 1000,
            Unit::Nanosecond => ms_of_second * 1_000_000,
            Unit::IsoDayOfWeek => i64::from(dt.weekday().number_from_monday()),
            Unit::IsoYear => i64::from(dt.iso_week().year()),
            Unit::Decade => year / 10,
            Unit::Century => {
                if year > 0 {
                    (year + 99) / 100
                } else {
                    (year - 99) / 100
                }
            }
            Unit::Millennium => {
                if year > 0 {
                    (year + 999) / 1000
                } else {
                    (year - 999) / 1000
                }
            }
            Unit::Epoch => temporal::millis_from_datetime(*dt) / 1000,
            Unit::Year => i64::from(dt.year()),
            Unit::Quarter => i64::from(dt.month0() / 3 + 1),
            Unit::Month => i64::from(dt.month()),
            Unit::Week => i64::from(dt.iso_week().week()),
            Unit::Day => i64::from(dt.day()),
            Unit::DayOfWeek => i64::from(dt.weekday().num_days_from_sunday() + 1),
            Unit::DayOfYear => i64::from(dt.ordinal()),
            Unit::Hour => i64::from(dt.hour()),
            Unit::Minute => i64::from(dt.minute()),
            Unit::Second => i64::from(dt.second()),
            Unit::Millisecond => ms_of_second,
        }
    }
}

fn extract_kernel(unit: Unit, zone: SessionZone) -> Kernel {
    super::strict1(move |v| {
        let local = local_millis(&v, zone)?;
        let dt = temporal::datetime_from_millis(local).ok_or_else(|| EvalError::new(format!("{v:?} is out of range")))?;
        Ok(Value::BigInt(unit.of(&dt)))
    })
}

fn temporal_arg(site: CallSite, unit: Unit, name: &str) -> Result<BoundExpr, ExprError> {
    if let Some(DataType::Time(_)) = site.args.first().map(BoundExpr::data_type) {
        return time_field(site, unit, name);
    }
    let zone = match site.args.first().map(BoundExpr::data_type) {
        Some(DataType::TimestampLtz) => site.zone()?,
        _ => SessionZone::utc(),
    };
    let args = site.expect(&[Param::Temporal], 1)?;
    let nullable = any_nullable(&args);
    Ok(BoundExpr::call(name, args, extract_kernel(unit, zone), DataType::BigInt, nullable))
}

/// HOUR, MINUTE, SECOND, MILLISECOND (and MICROSECOND, NANOSECOND) of a TIME; other units
/// are an error, as in Flink.
fn time_field(site: CallSite, unit: Unit, name: &str) -> Result<BoundExpr, ExprError> {
    site.expect_count(1, 1)?;
    let divide = move |ms: i64| match unit {
        Unit::Hour => Some(ms / 3_600_000),
        Unit::Minute => Some(ms / 60_000 % 60),
        Unit::Second => Some(ms / 1000 % 60),
        Unit::Millisecond => Some(ms % 1000),
        Unit::Microsecond => Some(ms % 1000 * 1000),
        Unit::Nanosecond => Some(ms % 1000 * 1_000_000),
        _ => None,
    };
    if divide(0).is_none() {
        return Err(ExprError::new("", format!("{name} of a TIME: only HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND and NANOSECOND apply")));
    }
    let nullable = any_nullable(&site.args);
    let kernel = super::strict1(move |v| match v {
        Value::Time(ms) => Ok(divide(i64::from(ms)).map_or(Value::Null, Value::BigInt)),
        other => Err(unexpected(&other)),
    });
    Ok(BoundExpr::call(name, site.args, kernel, DataType::BigInt, nullable))
}

/// `EXTRACT(unit, x)` with `unit` a literal string (`'YEAR'`, `'DAYOFWEEK'`, ...) → BIGINT.
fn extract(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(2, 2)?;
    let unit = match site.args.first().and_then(literal_str) {
        Some(text) => Unit::parse(text).ok_or_else(|| {
            site.arg_error(
                0,
                format!(
                    "unknown EXTRACT unit \"{text}\"; use MILLENNIUM, CENTURY, DECADE, YEAR, ISOYEAR, QUARTER, MONTH, WEEK, DAY, DOW, ISODOW, DOY, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND, NANOSECOND or EPOCH"
                ),
            )
        })?,
        None => return Err(site.arg_error(0, "the EXTRACT unit must be a literal string such as 'YEAR'")),
    };
    let mut site = site;
    site.args.remove(0);
    let name = format!("EXTRACT_{unit:?}").to_ascii_uppercase();
    temporal_arg(site, unit, &name)
}

fn year(site: CallSite) -> Result<BoundExpr, ExprError> {
    temporal_arg(site, Unit::Year, "YEAR")
}
fn quarter(site: CallSite) -> Result<BoundExpr, ExprError> {
    temporal_arg(site, Unit::Quarter, "QUARTER")
}
fn month(site: CallSite) -> Result<BoundExpr, ExprError> {
    temporal_arg(site, Unit::Month, "MONTH")
}
fn week(site: CallSite) -> Result<BoundExpr, ExprError> {
    temporal_arg(site, Unit::Week, "WEEK")
}
fn dayofmonth(site: CallSite) -> Result<BoundExpr, ExprError> {
    temporal_arg(site, Unit::Day, "DAYOFMONTH")
}
fn dayofweek(site: CallSite) -> Result<BoundExpr, ExprError> {
    temporal_arg(site, Unit::DayOfWeek, "DAYOFWEEK")
}
fn dayofyear(site: CallSite) -> Result<BoundExpr, ExprError> {
    temporal_arg(site, Unit::DayOfYear, "DAYOFYEAR")
}
fn hour(site: CallSite) -> Result<BoundExpr, ExprError> {
    temporal_arg(site, Unit::Hour, "HOUR")
}
fn minute(site: CallSite) -> Result<BoundExpr, ExprError> {
    temporal_arg(site, Unit::Minute, "MINUTE")
}
fn second(site: CallSite) -> Result<BoundExpr, ExprError> {
    temporal_arg(site, Unit::Second, "SECOND")
}

fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A function of the current time (never folded).
fn clock(site: CallSite, t: DataType, f: fn(i64, SessionZone) -> Value) -> Result<BoundExpr, ExprError> {
    site.expect_count(0, 0)?;
    let zone = if t == DataType::TimestampLtz { SessionZone::utc() } else { site.zone()? };
    let kernel = Kernel::Lazy(Arc::new(move |_: &[CompiledExpr], _| Ok(f(now_millis(), zone))));
    Ok(BoundExpr::call(&site.name, Vec::new(), kernel, t, false).non_deterministic())
}

/// `UNIX_TIMESTAMP()` → the current epoch seconds; `UNIX_TIMESTAMP(s[, format])` → the epoch
/// seconds of `s` read as a wall-clock time in the session zone (NULL if it does not parse).
fn unix_timestamp(site: CallSite) -> Result<BoundExpr, ExprError> {
    if site.args.is_empty() {
        return clock(site, DataType::BigInt, |ms, _| Value::BigInt(ms.div_euclid(1000)));
    }
    parsing(site, DataType::BigInt, |local, zone| Some(Value::BigInt(zone.to_instant(local).div_euclid(1000))))
}

/// `FROM_UNIXTIME(seconds[, format])` → STRING in the session zone.
fn from_unixtime(site: CallSite) -> Result<BoundExpr, ExprError> {
    let zone = site.zone()?;
    let name = site.name.clone();
    let args = site.expect(&[Param::BigInt, Param::String], 1)?;
    let format = format_arg(&args, 1)?;
    let kernel = Kernel::StrictN(Arc::new(move |v: &[Value]| {
        let Some(secs) = v.first() else { return Ok(Value::Null) };
        let local = int_of(secs)?.checked_mul(1000).map(|ms| zone.to_local(ms));
        let f = format.get(v.get(1))?;
        Ok(local.and_then(|l| zoned(l, zone)).and_then(|dt| f.format(&dt)).map_or(Value::Null, string_value))
    }));
    Ok(BoundExpr::call(&name, args, kernel, DataType::String, true))
}

/// `NOW()` / `CURRENT_TIMESTAMP` → TIMESTAMP_LTZ, evaluated per record. `PROCTIME()` too: as
/// a computed column of a table without a watermark it is also the processing-time attribute
/// windows can be defined on (see `plan::time`). And `CURRENT_ROW_TIMESTAMP()`, which Flink
/// evaluates per record in batch mode too (where it keeps `NOW()` for the query).
fn now(site: CallSite) -> Result<BoundExpr, ExprError> {
    clock(site, DataType::TimestampLtz, |ms, _| Value::TimestampLtz(ms))
}

/// `SOURCE_WATERMARK()` outside a `WATERMARK FOR` clause: Flink's marker of a source's own
/// watermarks has no value, so it is refused with Flink's message (in a WATERMARK clause,
/// `sql::window::table_watermark` refuses it naming the connector).
fn source_watermark(_site: CallSite) -> Result<BoundExpr, ExprError> {
    Err(ExprError::new(
        "",
        "SOURCE_WATERMARK() is a declarative marker function and doesn't have concrete runtime implementation. It can only be used as a single expression in a WATERMARK FOR clause in the CREATE TABLE DDL.",
    ))
}

/// `LOCALTIMESTAMP` → TIMESTAMP: the wall clock in the session zone.
fn localtimestamp(site: CallSite) -> Result<BoundExpr, ExprError> {
    clock(site, DataType::Timestamp, |ms, zone| Value::Timestamp(zone.to_local(ms)))
}

/// `CURRENT_DATE` → DATE in the session zone.
fn current_date(site: CallSite) -> Result<BoundExpr, ExprError> {
    clock(site, DataType::Date, |ms, zone| Value::Date(zone.to_local(ms).div_euclid(MS_PER_DAY) as i32))
}

/// `CURRENT_TIME` / `LOCALTIME` → TIME(0): the wall clock's time of day in the session zone.
fn current_time(site: CallSite) -> Result<BoundExpr, ExprError> {
    clock(site, DataType::Time(0), |ms, zone| Value::Time(temporal::truncate_time(zone.to_local(ms).rem_euclid(MS_PER_DAY) as i32, 0)))
}

/// `FLOOR(x TO unit)` / `CEIL(x TO unit)`, written `FLOOR(x, 'HOUR')`: the start (or the end,
/// when not already on it) of the unit containing `x`, same type; TIMESTAMP_LTZ in the zone.
pub(crate) fn floor_or_ceil_time(site: CallSite, up: bool) -> Result<BoundExpr, ExprError> {
    let t = site.args[0].data_type();
    if !(t == DataType::Date || t.is_timestamp()) {
        return Err(site.mismatch());
    }
    let unit = match site.args.get(1).and_then(literal_str).and_then(Unit::parse) {
        Some(u @ (Unit::Year | Unit::Quarter | Unit::Month | Unit::Week | Unit::Day | Unit::Hour | Unit::Minute | Unit::Second | Unit::Millisecond)) => u,
        _ => return Err(site.arg_error(1, "the unit must be a literal: YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND or MILLISECOND")),
    };
    let zone = if t == DataType::TimestampLtz { site.zone()? } else { SessionZone::utc() };
    let name = site.name.clone();
    let mut args = site.args;
    args.truncate(1);
    let nullable = any_nullable(&args);
    let kernel = super::strict1(move |v| {
        let local = local_millis(&v, zone)?;
        let out = truncate(local, unit, up).ok_or_else(|| EvalError::new(format!("{v:?} is out of range")))?;
        Ok(match v {
            Value::Date(_) => Value::Date(out.div_euclid(MS_PER_DAY) as i32),
            Value::Timestamp(_) => Value::Timestamp(out),
            _ => Value::TimestampLtz(zone.to_instant(out)),
        })
    });
    Ok(BoundExpr::call(&name, args, kernel, t, nullable))
}

/// Wall-clock `ms` floored (or ceiled) to `unit`. Weeks start on Sunday, as in Flink.
fn truncate(ms: i64, unit: Unit, up: bool) -> Option<i64> {
    if let Unit::Week = unit {
        let days = ms.div_euclid(MS_PER_DAY);
        // 1970-01-01 was a Thursday: 4 days after a Sunday.
        let floor = (days - (days + 4).rem_euclid(7)) * MS_PER_DAY;
        return if up && floor != ms { floor.checked_add(7 * MS_PER_DAY) } else { Some(floor) };
    }
    let fixed = match unit {
        Unit::Day => Some(MS_PER_DAY),
        Unit::Hour => Some(3_600_000),
        Unit::Minute => Some(60_000),
        Unit::Second => Some(1000),
        Unit::Millisecond => Some(1),
        _ => None,
    };
    if let Some(step) = fixed {
        let floor = ms - ms.rem_euclid(step);
        return if up && floor != ms { floor.checked_add(step) } else { Some(floor) };
    }
    let dt = temporal::datetime_from_millis(ms)?;
    let months = match unit {
        Unit::Year => 12,
        Unit::Quarter => 3,
        _ => 1,
    };
    let month0 = dt.month0() / months * months;
    let start = chrono::NaiveDate::from_ymd_opt(dt.year(), month0 + 1, 1)?.and_time(chrono::NaiveTime::MIN);
    let floor = temporal::millis_from_datetime(start);
    if up && floor != ms {
        let next = start.checked_add_months(chrono::Months::new(months))?;
        return Some(temporal::millis_from_datetime(next));
    }
    Some(floor)
}
