//! SQL literals as plan literals: `1` INT, `10000000000` BIGINT, `1.5` DECIMAL(2, 1),
//! `1e3` DOUBLE, `'x'` STRING, `DATE '..'`, `TIMESTAMP '..'`, and intervals in milliseconds
//! (`INTERVAL '1' SECOND`) or months (`INTERVAL '1' YEAR`).

use sqlparser::ast::{self, DateTimeField, Value};

use crate::expr::Expr;
use crate::types::DataType;

use super::error::SqlError;

/// A numeric literal as written (`neg` for a leading minus sign).
pub fn number(text: &str, neg: bool) -> Result<Expr, SqlError> {
    let sign = if neg { "-" } else { "" };
    if text.contains(['e', 'E']) {
        let v: f64 = format!("{sign}{text}").parse().map_err(|_| SqlError::invalid(format!("bad number literal {text}")))?;
        return Ok(Expr::typed_lit(v, DataType::Double));
    }
    if let Some((int, frac)) = text.split_once('.') {
        if !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
            return Err(SqlError::invalid(format!("bad number literal {text}")));
        }
        let int_digits = int.trim_start_matches('0').len();
        let scale = frac.len();
        let precision = (int_digits + scale).max(1);
        if precision > usize::from(DataType::MAX_DECIMAL_PRECISION) {
            let v: f64 = format!("{sign}{text}").parse().map_err(|_| SqlError::invalid(format!("bad number literal {text}")))?;
            return Ok(Expr::typed_lit(v, DataType::Double));
        }
        let int = if int.is_empty() { "0" } else { int };
        let frac_text = if frac.is_empty() { String::new() } else { format!(".{frac}") };
        let value = format!("{sign}{int}{frac_text}");
        return Ok(Expr::typed_lit(value, DataType::Decimal { precision: precision as u8, scale: scale as u8 }));
    }
    match format!("{sign}{text}").parse::<i64>() {
        Ok(v) => Ok(Expr::lit(v)),
        Err(_) => {
            let digits = text.trim_start_matches('0').len().max(1);
            if digits > usize::from(DataType::MAX_DECIMAL_PRECISION) {
                return Err(SqlError::invalid(format!("number literal {text} is out of range")));
            }
            Ok(Expr::typed_lit(format!("{sign}{text}"), DataType::Decimal { precision: digits as u8, scale: 0 }))
        }
    }
}

/// A plain literal value.
pub fn value(v: &Value) -> Result<Expr, SqlError> {
    match v {
        Value::Number(n, _) => number(&n.to_string(), false),
        Value::SingleQuotedString(s)
        | Value::EscapedStringLiteral(s)
        | Value::UnicodeStringLiteral(s)
        | Value::NationalStringLiteral(s)
        | Value::TripleSingleQuotedString(s) => Ok(Expr::lit(s.clone())),
        Value::Boolean(b) => Ok(Expr::lit(*b)),
        Value::Null => Ok(Expr::lit(serde_json::Value::Null)),
        other => Err(SqlError::unsupported(format!("literal {other}"))),
    }
}

/// `DATE '..'`, `TIMESTAMP '..'` and friends.
pub fn typed_string(t: &ast::TypedString) -> Result<Expr, SqlError> {
    let text = match &t.value.value {
        Value::SingleQuotedString(s) => s.clone(),
        other => return Err(SqlError::invalid(format!("expected a quoted string after {}, found {other}", t.data_type))),
    };
    let data_type: DataType = t.data_type.to_string().parse().map_err(|_| SqlError::unsupported(format!("literal of type {}", t.data_type)))?;
    match data_type {
        // `TIMESTAMP '2023-01-01 10:00:00'` has as many fraction digits as written (Flink's
        // TIMESTAMP(0)): a CAST to STRING prints that many.
        DataType::Timestamp | DataType::TimestampLtz => {
            let digits = text.trim().split_once('.').map_or(0, |(_, f)| f.trim().len());
            let literal = Expr::typed_lit(text, data_type);
            Ok(if digits < 3 { Expr::call("TIMESTAMP_PRECISION", vec![literal, Expr::lit(digits as i64)]) } else { literal })
        }
        DataType::Date | DataType::Decimal { .. } | DataType::String => Ok(Expr::typed_lit(text, data_type)),
        // `TIME '12:34:56.5'` has as many fraction digits as written (Flink's TIME(1)).
        DataType::Time(_) => {
            let digits = text.trim().split_once('.').map_or(0, |(_, f)| f.len().min(3) as u8);
            Ok(Expr::typed_lit(text, DataType::Time(digits)))
        }
        other => Err(SqlError::unsupported(format!("typed literal {other} '...'"))),
    }
}

/// An interval literal: DAY TO SECOND kinds in milliseconds, YEAR TO MONTH kinds in months.
pub fn interval(i: &ast::Interval) -> Result<Expr, SqlError> {
    let (text, neg) = interval_text(&i.value)?;
    let bad = || SqlError::invalid(format!("bad interval literal '{text}'"));
    let leading = i
        .leading_field
        .as_ref()
        .map(unit)
        .transpose()?
        .ok_or_else(|| SqlError::invalid(format!("interval '{text}' needs a unit, e.g. INTERVAL '{text}' SECOND")))?;
    let last = i.last_field.as_ref().map(unit).transpose()?;
    let sign = if neg { -1 } else { 1 };
    if matches!(leading, Unit::Year | Unit::Month) {
        let months = match (leading, last) {
            (Unit::Year, Some(Unit::Month)) => {
                let (y, m) = text.split_once('-').ok_or_else(bad)?;
                y.trim().parse::<i64>().map_err(|_| bad())? * 12 + m.trim().parse::<i64>().map_err(|_| bad())?
            }
            (Unit::Year, None) => text.trim().parse::<i64>().map_err(|_| bad())? * 12,
            (Unit::Month, None) => text.trim().parse::<i64>().map_err(|_| bad())?,
            _ => return Err(bad()),
        };
        return Ok(Expr::typed_lit(sign * months, DataType::IntervalYearMonth));
    }
    let ms = day_time_millis(text.trim(), leading, last).ok_or_else(bad)?;
    Ok(Expr::typed_lit(sign * ms, DataType::IntervalDayTime))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Unit {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
}

impl Unit {
    fn millis(self) -> i64 {
        match self {
            Unit::Day => 86_400_000,
            Unit::Hour => 3_600_000,
            Unit::Minute => 60_000,
            Unit::Second => 1_000,
            Unit::Year | Unit::Month => 0,
        }
    }
}

fn unit(f: &DateTimeField) -> Result<Unit, SqlError> {
    Ok(match f {
        DateTimeField::Year | DateTimeField::Years => Unit::Year,
        DateTimeField::Month | DateTimeField::Months => Unit::Month,
        DateTimeField::Day | DateTimeField::Days => Unit::Day,
        DateTimeField::Hour | DateTimeField::Hours => Unit::Hour,
        DateTimeField::Minute | DateTimeField::Minutes => Unit::Minute,
        DateTimeField::Second | DateTimeField::Seconds => Unit::Second,
        other => return Err(SqlError::unsupported(format!("interval unit {other}"))),
    })
}

fn interval_text(e: &ast::Expr) -> Result<(String, bool), SqlError> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => Ok(match s.trim().strip_prefix('-') {
                Some(rest) => (rest.to_string(), true),
                None => (s.trim().trim_start_matches('+').to_string(), false),
            }),
            Value::Number(n, _) => Ok((n.to_string(), false)),
            other => Err(SqlError::invalid(format!("bad interval value {other}"))),
        },
        ast::Expr::UnaryOp { op: ast::UnaryOperator::Minus, expr } => interval_text(expr).map(|(t, n)| (t, !n)),
        other => Err(SqlError::unsupported(format!("interval with a computed value ({other})"))),
    }
}

/// `'d hh:mm:ss.fff'`-style text between `leading` and `last` (or a single unit's number).
fn day_time_millis(text: &str, leading: Unit, last: Option<Unit>) -> Option<i64> {
    let last = last.unwrap_or(leading);
    if last < leading {
        return None;
    }
    let units: Vec<Unit> = [Unit::Day, Unit::Hour, Unit::Minute, Unit::Second].into_iter().filter(|u| *u >= leading && *u <= last).collect();
    let parts: Vec<&str> = text.split([' ', ':']).filter(|p| !p.is_empty()).collect();
    if parts.len() != units.len() {
        return None;
    }
    let mut total = 0i64;
    for (p, u) in parts.iter().zip(units) {
        if u == Unit::Second {
            let secs: f64 = p.parse().ok()?;
            total = total.checked_add((secs * 1000.0).round() as i64)?;
        } else {
            total = total.checked_add(p.parse::<i64>().ok()?.checked_mul(u.millis())?)?;
        }
    }
    Some(total)
}
