//! The session time zone (`table.local-time-zone`) in which TIMESTAMP_LTZ values are read and
//! rendered: UTC, a fixed offset, or a named zone with its daylight-saving rules (IANA names
//! from `chrono-tz`'s database, and Java's old region IDs such as `PST`, as Flink reads them).

use chrono::{DateTime, Duration, LocalResult, Offset, TimeZone};
use chrono_tz::Tz;

use crate::types::temporal;

/// A session time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SessionZone {
    /// A fixed UTC offset, in milliseconds east of UTC.
    Fixed(i64),
    /// A named zone.
    Named(Tz),
}

impl SessionZone {
    /// UTC.
    pub(crate) fn utc() -> SessionZone {
        SessionZone::Fixed(0)
    }

    /// Parses `UTC`, `GMT`, `Z`, `+08:00`, `-0530`, `+8`, `UTC+8`, `GMT-05:00`, or a zone
    /// name (`Asia/Shanghai`, `Etc/GMT-3`, `PST`; case-sensitive, as Java's).
    pub(crate) fn parse(text: &str) -> Result<SessionZone, String> {
        let t = text.trim();
        let unsupported = || match named_zone(t) {
            Some(tz) => Ok(SessionZone::Named(tz)),
            None => Err(format!(
                "time zone \"{text}\" is not supported: use a zone name such as \"Asia/Shanghai\" (names are case-sensitive), UTC or a fixed offset such as \"+08:00\""
            )),
        };
        let upper = t.to_ascii_uppercase();
        let rest = ["UTC", "GMT", "Z"].iter().find_map(|p| upper.strip_prefix(p)).unwrap_or(&upper);
        if rest.is_empty() {
            return Ok(SessionZone::utc());
        }
        let (sign, digits) = match rest.as_bytes().first() {
            Some(b'+') => (1, &rest[1..]),
            Some(b'-') => (-1, &rest[1..]),
            _ => return unsupported(),
        };
        let (h, m) = match digits.split_once(':') {
            Some((h, m)) => (h, m),
            None if digits.len() == 4 => digits.split_at(2),
            None => (digits, "0"),
        };
        let (h, m): (i64, i64) = match (h.parse(), m.parse()) {
            (Ok(h), Ok(m)) if (0..=18).contains(&h) && (0..60).contains(&m) => (h, m),
            _ => return unsupported(),
        };
        Ok(SessionZone::Fixed(sign * (h * 3_600_000 + m * 60_000)))
    }

    /// The offset from UTC at the instant `epoch_ms`, in milliseconds.
    pub(crate) fn offset_ms_at(self, epoch_ms: i64) -> i64 {
        match self {
            SessionZone::Fixed(offset_ms) => offset_ms,
            SessionZone::Named(tz) => match DateTime::from_timestamp_millis(epoch_ms) {
                Some(t) => i64::from(tz.offset_from_utc_datetime(&t.naive_utc()).fix().local_minus_utc()) * 1000,
                None => 0,
            },
        }
    }

    /// The wall-clock milliseconds in this zone of the instant `epoch_ms`.
    pub(crate) fn to_local(self, epoch_ms: i64) -> i64 {
        epoch_ms.saturating_add(self.offset_ms_at(epoch_ms))
    }

    /// The instant whose wall clock in this zone reads `local_ms`, as Java's
    /// `LocalDateTime.atZone` (Flink's) reads it: a wall-clock time that a daylight-saving
    /// change repeats is its earlier instant, one that it skips is moved later by the gap
    /// (read with the offset before the change).
    pub(crate) fn to_instant(self, local_ms: i64) -> i64 {
        self.resolve(local_ms, Repeated::Earlier)
    }

    /// The instant whose wall clock in this zone reads `local_ms`, a repeated wall-clock time
    /// read as `repeated` says, a skipped one with the offset before the change.
    pub(crate) fn resolve(self, local_ms: i64, repeated: Repeated) -> i64 {
        let tz = match self {
            SessionZone::Fixed(offset_ms) => return local_ms.saturating_sub(offset_ms),
            SessionZone::Named(tz) => tz,
        };
        let Some(local) = temporal::datetime_from_millis(local_ms) else { return local_ms };
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) => t.timestamp_millis(),
            LocalResult::Ambiguous(earlier, later) => match repeated {
                Repeated::Earlier => earlier.timestamp_millis(),
                Repeated::Later => later.timestamp_millis(),
            },
            LocalResult::None => {
                let before = tz.offset_from_utc_datetime(&(local - Duration::days(1))).fix().local_minus_utc();
                local_ms.saturating_sub(i64::from(before) * 1000)
            }
        }
    }
}

/// Which instant a wall-clock time that a daylight-saving change repeats stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Repeated {
    /// The first (daylight-saving time still in force): Java's `atZone`.
    Earlier,
    /// The second (standard time): Java's lenient calendar, as `CONVERT_TZ` reads text.
    Later,
}

/// Java's old three-letter time-zone IDs that stand for a region (`java.util.TimeZone`);
/// `EST`, `MST` and `HST` are fixed offsets in the IANA database itself.
const JAVA_SHORT_IDS: &[(&str, &str)] = &[
    ("ACT", "Australia/Darwin"),
    ("AET", "Australia/Sydney"),
    ("AGT", "America/Argentina/Buenos_Aires"),
    ("ART", "Africa/Cairo"),
    ("AST", "America/Anchorage"),
    ("BET", "America/Sao_Paulo"),
    ("BST", "Asia/Dhaka"),
    ("CAT", "Africa/Harare"),
    ("CNT", "America/St_Johns"),
    ("CST", "America/Chicago"),
    ("CTT", "Asia/Shanghai"),
    ("EAT", "Africa/Addis_Ababa"),
    ("ECT", "Europe/Paris"),
    ("IET", "America/Indiana/Indianapolis"),
    ("IST", "Asia/Kolkata"),
    ("JST", "Asia/Tokyo"),
    ("MIT", "Pacific/Apia"),
    ("NET", "Asia/Yerevan"),
    ("NST", "Pacific/Auckland"),
    ("PLT", "Asia/Karachi"),
    ("PNT", "America/Phoenix"),
    ("PRT", "America/Puerto_Rico"),
    ("PST", "America/Los_Angeles"),
    ("SST", "Pacific/Guadalcanal"),
    ("VST", "Asia/Ho_Chi_Minh"),
];

/// The zone `name` names: an IANA name or one of Java's old region IDs.
pub(crate) fn named_zone(name: &str) -> Option<Tz> {
    let name = JAVA_SHORT_IDS.iter().find(|(id, _)| *id == name).map_or(name, |(_, full)| full);
    name.parse::<Tz>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fixed_offsets() {
        for (text, ms) in [
            ("UTC", 0),
            ("gmt", 0),
            ("Z", 0),
            ("+08:00", 8 * 3_600_000),
            ("-0530", -(5 * 3_600_000 + 30 * 60_000)),
            ("UTC+8", 8 * 3_600_000),
            ("GMT-05:00", -5 * 3_600_000),
        ] {
            assert_eq!(SessionZone::parse(text), Ok(SessionZone::Fixed(ms)), "{text}");
        }
        let err = SessionZone::parse("asia/shanghai").unwrap_err();
        assert!(err.contains("\"asia/shanghai\" is not supported"), "{err}");
        assert!(SessionZone::parse("+25:00").is_err());
        assert!(SessionZone::parse("UTC+").is_err());
    }

    /// Java's `LocalDateTime.atZone` and `Instant.atZone`, which Flink's casts between
    /// TIMESTAMP and TIMESTAMP_LTZ use.
    #[test]
    fn named_zones_follow_daylight_saving_as_java_does() {
        let ms = |text: &str| temporal::millis_from_datetime(chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap_or_default());
        let shanghai = SessionZone::parse("Asia/Shanghai").unwrap_or(SessionZone::utc());
        assert_eq!(shanghai.to_local(ms("2023-11-14 14:13:20")), ms("2023-11-14 22:13:20"));
        assert_eq!(shanghai.to_instant(ms("2023-11-14 22:13:20")), ms("2023-11-14 14:13:20"));
        assert_eq!(SessionZone::parse("Etc/GMT-3").map(|z| z.offset_ms_at(0)), Ok(3 * 3_600_000), "POSIX signs are inverted");
        let la = SessionZone::parse("PST").unwrap_or(SessionZone::utc());
        assert_eq!(la.to_local(ms("2023-07-01 19:00:00")), ms("2023-07-01 12:00:00"), "PDT in summer");
        assert_eq!(la.to_local(ms("2023-12-01 20:00:00")), ms("2023-12-01 12:00:00"), "PST in winter");
        // 2023-03-12 02:30 does not exist in Los Angeles: moved later by the gap (03:30 PDT).
        assert_eq!(la.to_instant(ms("2023-03-12 02:30:00")), ms("2023-03-12 10:30:00"));
        // 2023-11-05 01:30 happens twice: the earlier one (PDT).
        assert_eq!(la.to_instant(ms("2023-11-05 01:30:00")), ms("2023-11-05 08:30:00"));
    }
}
