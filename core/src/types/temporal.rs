//! Calendar arithmetic and the text forms of DATE, TIMESTAMP and INTERVAL values.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// The date `days` after 1970-01-01, if representable.
pub fn date_from_days(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(UNIX_EPOCH_DAYS_FROM_CE)?)
}

/// Days since 1970-01-01 of a calendar date.
pub fn days_from_date(date: NaiveDate) -> i32 {
    date.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE
}

/// The wall-clock date-time `millis` milliseconds after 1970-01-01T00:00:00, if representable.
pub fn datetime_from_millis(millis: i64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp_millis(millis).map(|d| d.naive_utc())
}

/// Milliseconds since 1970-01-01T00:00:00 of a wall-clock date-time.
pub fn millis_from_datetime(dt: NaiveDateTime) -> i64 {
    dt.and_utc().timestamp_millis()
}

/// `2023-11-14`.
pub fn format_date(days: i32) -> String {
    match date_from_days(days) {
        Some(d) => d.format("%Y-%m-%d").to_string(),
        None => format!("<date {days}>"),
    }
}

/// `2023-11-14T22:13:20`, or `2023-11-14T22:13:20.123` when there are milliseconds.
pub fn format_timestamp(millis: i64) -> String {
    match datetime_from_millis(millis) {
        Some(dt) if dt.nanosecond() == 0 => dt.format("%Y-%m-%dT%H:%M:%S").to_string(),
        Some(dt) => dt.format("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
        None => format!("<timestamp {millis}>"),
    }
}

/// A TIMESTAMP as Flink's rows print it, Java's `LocalDateTime.toString()`: `2023-11-14T22:13`
/// when the seconds are zero, `2023-11-14T22:13:20`, `2023-11-14T22:13:20.120` (milliseconds
/// as three digits).
pub fn java_local_date_time(millis: i64) -> String {
    match datetime_from_millis(millis) {
        Some(dt) => {
            format!("{}T{}", dt.format("%Y-%m-%d"), java_local_time(dt.num_seconds_from_midnight() as i32 * 1000 + (dt.nanosecond() / 1_000_000) as i32))
        }
        None => format!("<timestamp {millis}>"),
    }
}

/// A TIME as Flink's rows print it, Java's `LocalTime.toString()`: `12:34` when the seconds
/// are zero, `12:34:56`, `12:34:56.500` (milliseconds as three digits).
pub fn java_local_time(millis: i32) -> String {
    let m = millis.rem_euclid(MILLIS_PER_DAY);
    let (h, min, s, ms) = (m / 3_600_000, m / 60_000 % 60, m / 1000 % 60, m % 1000);
    match (s, ms) {
        (0, 0) => format!("{h:02}:{min:02}"),
        (_, 0) => format!("{h:02}:{min:02}:{s:02}"),
        _ => format!("{h:02}:{min:02}:{s:02}.{ms:03}"),
    }
}

/// Milliseconds in a day: the range of a TIME value.
pub const MILLIS_PER_DAY: i32 = 86_400_000;

/// A TIME as Flink's `CAST(.. AS STRING)` gives it: `12:34:56`, with the
/// milliseconds when there are some, trailing zeros dropped (`12:34:56.5`, `12:34:56.123`).
pub fn format_time(millis: i32) -> String {
    let m = millis.rem_euclid(MILLIS_PER_DAY);
    let (h, rem) = (m / 3_600_000, m % 3_600_000);
    let (min, rem) = (rem / 60_000, rem % 60_000);
    let (s, ms) = (rem / 1000, rem % 1000);
    if ms == 0 {
        format!("{h:02}:{min:02}:{s:02}")
    } else {
        let fraction = format!("{ms:03}");
        format!("{h:02}:{min:02}:{s:02}.{}", fraction.trim_end_matches('0'))
    }
}

/// Reads `HH:mm[:ss[.fff]]` as milliseconds since midnight, digits beyond milliseconds cut;
/// `None` when it is not a time of day.
pub fn parse_time(text: &str) -> Option<i32> {
    let t = text.trim();
    let (hms, fraction) = match t.split_once('.') {
        Some((a, f)) => (a, Some(f)),
        None => (t, None),
    };
    let parts: Vec<&str> = hms.split(':').collect();
    let num = |s: &str, max: i32| -> Option<i32> {
        if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse::<i32>().ok().filter(|v| *v <= max)
    };
    let (h, m, s) = match parts.as_slice() {
        [h, m] => (num(h, 23)?, num(m, 59)?, 0),
        [h, m, s] => (num(h, 23)?, num(m, 59)?, num(s, 59)?),
        _ => return None,
    };
    let ms = match fraction {
        None => 0,
        Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) && parts.len() == 3 => {
            let digits: String = f.chars().chain(std::iter::repeat('0')).take(3).collect();
            digits.parse::<i32>().ok()?
        }
        Some(_) => return None,
    };
    Some(((h * 60 + m) * 60 + s) * 1000 + ms)
}

/// `millis` cut to `precision` (0..3) fraction digits.
pub fn truncate_time(millis: i32, precision: u8) -> i32 {
    let unit = 10i32.pow(3 - u32::from(precision.min(3)));
    millis - millis.rem_euclid(unit)
}

/// Flink's form of a day-time interval: `+1 02:03:04.005`.
pub fn format_interval_day_time(millis: i64) -> String {
    let sign = if millis < 0 { '-' } else { '+' };
    let m = millis.unsigned_abs();
    let (days, rem) = (m / 86_400_000, m % 86_400_000);
    let (h, rem) = (rem / 3_600_000, rem % 3_600_000);
    let (min, rem) = (rem / 60_000, rem % 60_000);
    let (s, ms) = (rem / 1000, rem % 1000);
    format!("{sign}{days} {h:02}:{min:02}:{s:02}.{ms:03}")
}

/// Flink's form of a year-month interval: `+1-02`.
pub fn format_interval_year_month(months: i32) -> String {
    let sign = if months < 0 { '-' } else { '+' };
    let m = months.unsigned_abs();
    format!("{sign}{}-{:02}", m / 12, m % 12)
}

/// Parses `2023-11-14`.
pub fn parse_date(text: &str) -> Option<i32> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok().map(days_from_date)
}

/// Parses a timestamp written `2023-11-14 22:13:20[.123]`, with `T` or a space between date
/// and time, or a bare date (midnight). Returns epoch milliseconds of that wall-clock time.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let t = text.trim();
    for fmt in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, fmt) {
            return Some(millis_from_datetime(dt));
        }
    }
    if let Some(stripped) = t.strip_suffix('Z') {
        return parse_timestamp(stripped);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").ok().map(|d| millis_from_datetime(d.and_time(NaiveTime::MIN)))
}

/// Reads `YYYY-MM-DD hh:mm:ss` with an optional fraction of 1 to 9 digits (and `T` or a space
/// in the middle: what the CSV sink and most tools write) straight from bytes, to the value
/// [`parse_timestamp`] gives it; `None` for any other text, which [`parse_timestamp`] then
/// reads (or refuses) as it always did. Several times faster than going through `chrono`'s
/// format strings, for the sources that parse a timestamp per record.
pub fn parse_timestamp_common(b: &[u8]) -> Option<i64> {
    let digits = |from: usize, to: usize| {
        b.get(from..to)?.iter().try_fold(0u32, |v, &c| {
            let d = c.wrapping_sub(b'0');
            (d <= 9).then_some(v * 10 + u32::from(d))
        })
    };
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if !matches!(b.get(10), Some(b' ' | b'T')) || separators.iter().any(|&(i, c)| b.get(i) != Some(&c)) {
        return None;
    }
    let (hour, minute, second) = (digits(11, 13)?, digits(14, 16)?, digits(17, 19)?);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let nanos = match b.get(19..)? {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => digits(20, b.len())? * 10u32.pow(9 - fraction.len() as u32),
        _ => return None,
    };
    let days = days_from_civil(digits(0, 4)?, digits(5, 7)?, digits(8, 10)?)?;
    let seconds = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Some(seconds * 1000 + i64::from(nanos / 1_000_000))
}

/// Days since 1970-01-01 of the proleptic Gregorian date `year`-`month`-`day` (year 0 to
/// 9999), `None` when there is no such date; the same days as [`days_from_date`], without
/// building a `chrono` date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: u32, month: u32, day: u32) -> Option<i64> {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let month_days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    if day == 0 || day > month_days {
        return None;
    }
    // Years from March on, so that a leap day ends its year; shifted by 400 years so that
    // year 0's January and February (in year -1) stay non-negative.
    let y = i64::from(year) + 400 - i64::from(month <= 2);
    let (era, year_of_era) = (y / 400, y % 400);
    let day_of_year = (153 * ((i64::from(month) + 9) % 12) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some((era - 1) * 146_097 + day_of_era - 719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(parse_date("2023-11-14").map(format_date), Some("2023-11-14".into()));
        assert_eq!(format_timestamp(1_700_000_000_000), "2023-11-14T22:13:20");
        assert_eq!(format_timestamp(1_700_000_000_123), "2023-11-14T22:13:20.123");
        assert_eq!(parse_timestamp("2023-11-14 22:13:20.123"), Some(1_700_000_000_123));
        assert_eq!(parse_timestamp("2023-11-14T22:13:20"), Some(1_700_000_000_000));
        assert_eq!(format_interval_day_time(93_784_005), "+1 02:03:04.005");
        assert_eq!(format_interval_year_month(-14), "-1-02");
        assert_eq!(parse_timestamp("nope"), None);
    }

    #[test]
    fn days_from_civil_counts_days_as_chrono_does() {
        for year in (0..=9999).step_by(7).chain([1900, 2000, 2023, 2024, 9999]) {
            for month in 0..=13 {
                for day in 0..=32 {
                    let chrono = NaiveDate::from_ymd_opt(year as i32, month, day).map(|d| i64::from(days_from_date(d)));
                    assert_eq!(days_from_civil(year, month, day), chrono, "{year}-{month}-{day}");
                }
            }
        }
    }

    #[test]
    fn common_timestamps_read_as_chrono_reads_them() {
        let texts = [
            "2023-11-14 22:13:20",
            "2023-11-14T22:13:20.1",
            "2023-11-14 22:13:20.123",
            "2023-11-14 22:13:20.123456789",
            "1969-12-31 23:59:59.999",
            "0001-01-01 00:00:00",
            "0000-02-29 12:00:00",
            "2024-02-29 00:00:00.5",
            "9999-12-31 23:59:59.999999999",
            "1900-02-28 01:02:03",
        ];
        for text in texts {
            assert_eq!(parse_timestamp_common(text.as_bytes()), parse_timestamp(text), "{text}");
            assert!(parse_timestamp_common(text.as_bytes()).is_some(), "{text}");
        }
        // Not the common shape: left to parse_timestamp (which may still read them).
        let others = [
            "2023-02-29 00:00:00",
            "2023-11-14 24:00:00",
            "2023-11-14 22:60:00",
            "2023-11-14 22:13:60",
            "2023-11-14 22:13:20.",
            "2023-11-14 22:13:20.1234567890",
            " 2023-11-14 22:13:20",
            "2023-11-14 22:13:20 ",
            "2023-11-14",
            "2023-11-14 22:13",
            "2023-1-14 22:13:20",
            "2023-11-14x22:13:20",
            "+023-11-14 22:13:20",
            "2023-11-14 22:13:20Z",
            "2023-13-14 22:13:20",
            "2023-00-14 22:13:20",
            "2023-11-00 22:13:20",
            "",
            "2023-11-14 2a:13:20",
        ];
        for text in others {
            assert_eq!(parse_timestamp_common(text.as_bytes()), None, "{text}");
        }
        let mut ms = -62_135_596_800_000i64; // 0001-01-01
        while ms < 253_402_300_799_999 {
            let text = format_timestamp(ms);
            assert_eq!(parse_timestamp_common(text.as_bytes()), Some(ms), "{text}");
            assert_eq!(parse_timestamp_common(text.replacen('T', " ", 1).as_bytes()), Some(ms), "{text}");
            ms += 7_777_777_777_777 / 1000 + 86_399_997;
        }
    }
}
