//! The session time zone (`table.local-time-zone`) in which TIMESTAMP_LTZ values are read and
//! rendered. Only UTC and fixed offsets are supported for now (no tz database).

/// A fixed UTC offset, in milliseconds east of UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SessionZone {
    offset_ms: i64,
}

impl SessionZone {
    /// UTC.
    pub(crate) fn utc() -> SessionZone {
        SessionZone { offset_ms: 0 }
    }

    /// Parses `UTC`, `GMT`, `Z`, `+08:00`, `-0530`, `+8`, `UTC+8`, `GMT-05:00`.
    pub(crate) fn parse(text: &str) -> Result<SessionZone, String> {
        let unsupported = || format!("time zone \"{text}\" is not supported: use UTC or a fixed offset such as \"+08:00\" (named zones are not supported yet)");
        let t = text.trim();
        let upper = t.to_ascii_uppercase();
        let rest = ["UTC", "GMT", "ETC/UTC", "ETC/GMT", "Z"].iter().find_map(|p| upper.strip_prefix(p)).unwrap_or(&upper);
        if rest.is_empty() {
            return Ok(SessionZone::utc());
        }
        let (sign, digits) = match rest.as_bytes().first() {
            Some(b'+') => (1, &rest[1..]),
            Some(b'-') => (-1, &rest[1..]),
            _ => return Err(unsupported()),
        };
        let (h, m) = match digits.split_once(':') {
            Some((h, m)) => (h, m),
            None if digits.len() == 4 => digits.split_at(2),
            None => (digits, "0"),
        };
        let (h, m): (i64, i64) = match (h.parse(), m.parse()) {
            (Ok(h), Ok(m)) if (0..=18).contains(&h) && (0..60).contains(&m) => (h, m),
            _ => return Err(unsupported()),
        };
        Ok(SessionZone { offset_ms: sign * (h * 3_600_000 + m * 60_000) })
    }

    /// The wall-clock milliseconds in this zone of the instant `epoch_ms`.
    pub(crate) fn to_local(self, epoch_ms: i64) -> i64 {
        epoch_ms.saturating_add(self.offset_ms)
    }

    /// The instant whose wall clock in this zone reads `local_ms`.
    pub(crate) fn to_instant(self, local_ms: i64) -> i64 {
        local_ms.saturating_sub(self.offset_ms)
    }

    /// Offset from UTC in seconds.
    pub(crate) fn offset_seconds(self) -> i32 {
        (self.offset_ms / 1000) as i32
    }
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
            assert_eq!(SessionZone::parse(text).map(|z| z.offset_ms), Ok(ms), "{text}");
        }
        let err = SessionZone::parse("Asia/Shanghai").unwrap_err();
        assert!(err.contains("\"Asia/Shanghai\" is not supported"), "{err}");
        assert!(SessionZone::parse("+25:00").is_err());
        assert!(SessionZone::parse("UTC+").is_err());
    }
}
