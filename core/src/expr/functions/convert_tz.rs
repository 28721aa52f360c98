//! `CONVERT_TZ(datetime, from_zone, to_zone)`: Flink's `DateTimeUtils.convertTz`. The STRING
//! `datetime` (`yyyy-MM-dd HH:mm:ss`, any fraction of a second ignored, as Java's parser stops
//! after the seconds) is read as a wall-clock time in `from_zone` and written as the wall-clock
//! time of the same instant in `to_zone`, as `yyyy-MM-dd HH:mm:ss`; text that does not parse
//! gives NULL, as in Flink.
//!
//! Zones: IANA names (`Asia/Shanghai`, `America/Los_Angeles`, `Etc/GMT-3`, `CET`, `EST`; the
//! rules of `chrono-tz`'s database), Java's old three-letter IDs that name a region (`PST` is
//! `America/Los_Angeles`, `CTT` `Asia/Shanghai`, as `java.util.TimeZone` maps them), and
//! those Weir reads everywhere (`table.local-time-zone`): `UTC`, `GMT`, `Z` and fixed offsets
//! (`+08:00`, `GMT-08:00`). A wall-clock time that a daylight-saving change repeats reads as
//! the later instant (standard time) and one that it skips with the offset before the change,
//! as Java's lenient calendar reads them. An unknown name (names are case-sensitive) is
//! rejected when the query is planned if it is a literal, and fails the job naming it if it is
//! read from a row (Java would read it as GMT without a word). Out-of-range fields
//! (`2023-13-01 ..`) give NULL where Java's lenient parser rolls them over.

use std::sync::Arc;

use chrono::{NaiveDateTime, Timelike};

use crate::types::{DataType, Value, temporal};

use super::super::bound::{BoundExpr, Kernel};
use super::super::error::{EvalError, ExprError};
use super::super::zone::{Repeated, SessionZone};
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
    let whole = temporal::millis_from_datetime(local.with_nanosecond(0)?);
    let out = temporal::datetime_from_millis(to.to_local(from.resolve(whole, Repeated::Later)))?;
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

    /// What Flink 2.3 answers (`tests/flink_reference/convert_tz.py`).
    #[test]
    fn named_zones_convert_as_flink_converts_them() {
        for (text, from, to, want) in [
            ("1970-01-01 00:00:00", "UTC", "America/Los_Angeles", "1969-12-31 16:00:00"),
            ("2023-07-01 12:00:00", "Asia/Shanghai", "America/Los_Angeles", "2023-06-30 21:00:00"),
            ("2023-01-15 08:30:45", "America/Los_Angeles", "Asia/Shanghai", "2023-01-16 00:30:45"),
            // Skipped and repeated by daylight saving: the offset before the change, and the
            // later instant.
            ("2023-03-12 02:30:00", "America/Los_Angeles", "UTC", "2023-03-12 10:30:00"),
            ("2023-11-05 01:30:00", "America/Los_Angeles", "UTC", "2023-11-05 09:30:00"),
            ("2023-03-26 02:30:00", "Europe/Berlin", "UTC", "2023-03-26 01:30:00"),
            ("2023-10-29 02:30:00", "Europe/Berlin", "UTC", "2023-10-29 01:30:00"),
            ("2023-07-01 12:00:00", "GMT+08:00", "Asia/Kolkata", "2023-07-01 09:30:00"),
            ("2023-07-01 12:00:00", "PST", "UTC", "2023-07-01 19:00:00"),
            ("2023-07-01 12:00:00", "EST", "UTC", "2023-07-01 17:00:00"),
            ("2023-07-01 12:00:00", "CET", "UTC", "2023-07-01 10:00:00"),
            ("2023-07-01 12:00:00", "Etc/GMT-3", "UTC", "2023-07-01 09:00:00"),
            ("2023-07-01 12:00:00.123", "UTC", "Asia/Tokyo", "2023-07-01 21:00:00"),
        ] {
            assert_eq!(convert(text, zone(from), zone(to)).as_deref(), Some(want), "CONVERT_TZ('{text}', '{from}', '{to}')");
        }
    }

    #[test]
    fn unknown_zone_names_are_errors_naming_them() {
        for name in ["Foo/Bar", "asia/shanghai"] {
            let e = SessionZone::parse(name).unwrap_err();
            assert!(e.contains(&format!("\"{name}\" is not supported")), "{e}");
        }
    }
}
