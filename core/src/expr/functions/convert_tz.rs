//! `CONVERT_TZ(datetime, from_zone, to_zone)`: Flink's `DateTimeUtils.convertTz`. The STRING
//! `datetime` (`yyyy-MM-dd HH:mm:ss`, any fraction of a second ignored, as Java's parser stops
//! after the seconds) is read as a wall-clock time in `from_zone` and written as the wall-clock
//! time of the same instant in `to_zone`, as `yyyy-MM-dd HH:mm:ss`; text that does not parse
//! gives NULL, as in Flink.
//!
//! Zones are those Weir reads everywhere (`table.local-time-zone`): `UTC`, `GMT`, `Z` and fixed
//! offsets (`+08:00`, `GMT-08:00`, Java's custom IDs). Named zones (`America/Los_Angeles`,
//! `PST`) need a time-zone database Weir does not have yet: a literal one is rejected when the
//! query is planned, one read from a row fails the job naming it (Java would read an unknown
//! name as GMT without a word). Out-of-range fields (`2023-13-01 ..`) give NULL where Java's
//! lenient parser rolls them over.

use std::sync::Arc;

use chrono::NaiveDateTime;

use crate::types::{DataType, Value, temporal};

use super::super::bound::{BoundExpr, Kernel};
use super::super::error::{EvalError, ExprError};
use super::super::zone::SessionZone;
use super::{CallSite, FunctionDef, Param, literal_str, string_value, unexpected};

pub(crate) const FUNCTIONS: &[FunctionDef] =
    &[FunctionDef { names: &["CONVERT_TZ"], signature: "(datetime STRING, from_zone STRING, to_zone STRING)", bind: convert_tz }];

/// A zone argument: read once when it is a literal.
#[derive(Clone, Copy)]
enum ZoneArg {
    Fixed(SessionZone),
    PerRow,
}

impl ZoneArg {
    fn bind(args: &[BoundExpr], i: usize) -> Result<ZoneArg, ExprError> {
        match args.get(i).and_then(literal_str) {
            Some(text) => SessionZone::parse(text).map(ZoneArg::Fixed).map_err(|m| ExprError::new(format!("args[{i}]"), format!("CONVERT_TZ: {m}"))),
            None => Ok(ZoneArg::PerRow),
        }
    }

    fn get(self, value: &Value) -> Result<SessionZone, EvalError> {
        match (self, value) {
            (ZoneArg::Fixed(zone), _) => Ok(zone),
            (ZoneArg::PerRow, Value::String(text)) => SessionZone::parse(text).map_err(|m| EvalError::new(format!("CONVERT_TZ: {m}"))),
            (ZoneArg::PerRow, other) => Err(unexpected(other)),
        }
    }
}

fn convert_tz(site: CallSite) -> Result<BoundExpr, ExprError> {
    let args = site.expect(&[Param::String, Param::String, Param::String], 3)?;
    let (from, to) = (ZoneArg::bind(&args, 1)?, ZoneArg::bind(&args, 2)?);
    let kernel = Kernel::Strict3(Arc::new(move |text, from_zone, to_zone| {
        let Value::String(text) = &text else { return Err(unexpected(&text)) };
        let (from, to) = (from.get(&from_zone)?, to.get(&to_zone)?);
        Ok(convert(text, from, to).map_or(Value::Null, string_value))
    }));
    Ok(BoundExpr::call("CONVERT_TZ", args, kernel, DataType::String, true))
}

/// `text`, a wall-clock time in `from`, as the wall-clock time in `to`; `None` when it does
/// not parse.
fn convert(text: &str, from: SessionZone, to: SessionZone) -> Option<String> {
    let local = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S%.f").ok()?;
    let ms = temporal::millis_from_datetime(local);
    let seconds = ms - ms.rem_euclid(1000);
    let out = temporal::datetime_from_millis(to.to_local(from.to_instant(seconds)))?;
    Some(out.format("%Y-%m-%d %H:%M:%S").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(text: &str) -> SessionZone {
        SessionZone::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn converts_the_wall_clock_between_zones() {
        assert_eq!(convert("1970-01-01 00:00:00", zone("UTC"), zone("GMT-08:00")).as_deref(), Some("1969-12-31 16:00:00"));
        assert_eq!(convert("2023-11-14 22:13:20", zone("+08:00"), zone("UTC")).as_deref(), Some("2023-11-14 14:13:20"));
        assert_eq!(convert("2023-11-14 22:13:20.987", zone("+05:30"), zone("-02:00")).as_deref(), Some("2023-11-14 14:43:20"));
        assert_eq!(convert("2024-02-29 23:30:00", zone("UTC"), zone("+01:00")).as_deref(), Some("2024-03-01 00:30:00"));
    }

    #[test]
    fn text_that_does_not_parse_gives_none() {
        for text in ["2023-11-14", "not a time", "2023-13-01 00:00:00", "2023-11-14T22:13:20", ""] {
            assert_eq!(convert(text, zone("UTC"), zone("UTC")), None, "{text}");
        }
    }
}
