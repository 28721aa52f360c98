//! Java `SimpleDateFormat` patterns (what Flink's `DATE_FORMAT`, `TO_TIMESTAMP` and
//! `UNIX_TIMESTAMP` take: `yyyy-MM-dd HH:mm:ss`, `yyyyMMdd`, `HH:mm`, `SSS`...) translated into
//! chrono format items once, then used to format and parse.

use std::fmt::Write as _;
use std::sync::Arc;

use chrono::format::{Item, Parsed, StrftimeItems, parse};
use chrono::{DateTime, FixedOffset, NaiveDateTime, NaiveTime};

/// A compiled date-time pattern.
#[derive(Clone, Debug)]
pub(crate) struct DateFormat {
    items: Arc<[Item<'static>]>,
}

impl DateFormat {
    /// Compiles a Java pattern; errors name the unsupported letter.
    pub(crate) fn new(java: &str) -> Result<DateFormat, String> {
        let strftime = translate(java)?;
        let items = StrftimeItems::new(&strftime).parse_to_owned().map_err(|_| format!("unsupported date format \"{java}\""))?;
        Ok(DateFormat { items: items.into() })
    }

    /// `dt` rendered with the pattern; `None` if a field cannot be rendered.
    pub(crate) fn format(&self, dt: &DateTime<FixedOffset>) -> Option<String> {
        let mut out = String::new();
        write!(out, "{}", dt.format_with_items(self.items.iter())).ok()?;
        Some(out)
    }

    /// Parses `text` as a wall-clock date-time (a date alone means midnight); `None` when it
    /// does not match.
    pub(crate) fn parse(&self, text: &str) -> Option<NaiveDateTime> {
        let mut parsed = Parsed::new();
        parse(&mut parsed, text.trim(), self.items.iter()).ok()?;
        if parsed.hour_div_12().is_none() && parsed.hour_mod_12().is_none() {
            // Date-only patterns: midnight.
            let _ = parsed.set_hour(0);
        }
        if parsed.minute().is_none() {
            let _ = parsed.set_minute(0);
        }
        match parsed.to_naive_datetime_with_offset(0) {
            Ok(dt) => Some(dt),
            Err(_) => parsed.to_naive_date().ok().map(|d| d.and_time(NaiveTime::MIN)),
        }
    }
}

/// Translates a Java pattern into a strftime string.
fn translate(java: &str) -> Result<String, String> {
    let mut out = String::new();
    let chars: Vec<char> = java.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // Quoted literal text; '' is a single quote.
            if chars.get(i + 1) == Some(&'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        out.push('\'');
                        i += 2;
                        continue;
                    }
                    break;
                }
                push_literal(&mut out, chars[i]);
                i += 1;
            }
            i += 1;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            push_literal(&mut out, c);
            i += 1;
            continue;
        }
        let mut n = 1;
        while chars.get(i + n) == Some(&c) {
            n += 1;
        }
        out.push_str(&letter(c, n).ok_or_else(|| format!("unsupported letter '{c}' in date format \"{java}\""))?);
        i += n;
    }
    Ok(out)
}

fn push_literal(out: &mut String, c: char) {
    match c {
        '%' => out.push_str("%%"),
        '\t' => out.push_str("%t"),
        '\n' => out.push_str("%n"),
        c => out.push(c),
    }
}

/// The strftime for `n` repetitions of the Java letter `c`.
fn letter(c: char, n: usize) -> Option<String> {
    let padded = |short: &str, long: &str| if n == 1 { short.to_string() } else { long.to_string() };
    Some(match c {
        'y' | 'Y' => {
            if n == 2 {
                "%y".into()
            } else {
                "%Y".into()
            }
        }
        'u' => "%u".into(),
        'M' | 'L' => match n {
            1 => "%-m".into(),
            2 => "%m".into(),
            3 => "%b".into(),
            _ => "%B".into(),
        },
        'd' => padded("%-d", "%d"),
        'D' => padded("%-j", "%j"),
        'H' | 'k' => padded("%-H", "%H"),
        'h' | 'K' => padded("%-I", "%I"),
        'm' => padded("%-M", "%M"),
        's' => padded("%-S", "%S"),
        'S' => match n {
            1..=3 => "%3f".into(),
            4..=6 => "%6f".into(),
            _ => "%9f".into(),
        },
        'a' => "%p".into(),
        'E' => {
            if n >= 4 {
                "%A".into()
            } else {
                "%a".into()
            }
        }
        'w' => padded("%-V", "%V"),
        'Z' => "%z".into(),
        'X' | 'x' => {
            if n >= 3 {
                "%:z".into()
            } else {
                "%z".into()
            }
        }
        'z' => "%:z".into(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_java_patterns() {
        for (java, want) in [
            ("yyyy-MM-dd HH:mm:ss", "%Y-%m-%d %H:%M:%S"),
            ("yyyyMMdd", "%Y%m%d"),
            ("HH:mm", "%H:%M"),
            ("yyyy-MM-dd HH:mm:ss.SSS", "%Y-%m-%d %H:%M:%S.%3f"),
            ("yy/M/d", "%y/%-m/%-d"),
            ("'at' HH 'o''clock' 100%", "at %H o'clock 100%%"),
            ("EEE, MMM d", "%a, %b %-d"),
        ] {
            assert_eq!(translate(java).as_deref(), Ok(want), "{java}");
        }
        assert!(translate("yyyy-QQ").unwrap_err().contains("unsupported letter 'Q'"));
    }

    #[test]
    fn parses_with_defaults() {
        let f = DateFormat::new("yyyyMMdd").unwrap();
        assert_eq!(f.parse("20231114").map(|d| d.to_string()), Some("2023-11-14 00:00:00".into()));
        let f = DateFormat::new("yyyy-MM-dd HH:mm").unwrap();
        assert_eq!(f.parse("2023-11-14 22:13").map(|d| d.to_string()), Some("2023-11-14 22:13:00".into()));
        assert_eq!(f.parse("nope"), None);
    }
}
