//! Reading connector options: typed values with errors that name the option, and the check
//! that every option given is one the connector knows.

use std::str::FromStr;
use std::time::Duration;

use super::{ConnectorError, Options};
use crate::types::edit_distance;

/// Keys every connector accepts and ignores: SQL's `WITH ('connector' = ...)` repeats the
/// connector name among the options.
const ALWAYS_ALLOWED: &[&str] = &["connector"];

/// Fails on the first option for which `is_known` is false, listing `known` (the names to show
/// the user, patterns like `fields.<f>.kind` included) and suggesting the closest one.
pub fn check_known(connector: &str, options: &Options, known: &[&str], is_known: impl Fn(&str) -> bool) -> Result<(), ConnectorError> {
    for key in options.keys() {
        if ALWAYS_ALLOWED.contains(&key.as_str()) || is_known(key) {
            continue;
        }
        return Err(unknown_option(connector, key, known));
    }
    Ok(())
}

/// The error for an option `key` that `connector` does not know.
pub fn unknown_option(connector: &str, key: &str, known: &[&str]) -> ConnectorError {
    let closest = known
        .iter()
        .map(|k| (edit_distance(k, key), *k))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| format!(" (did you mean '{k}'?)"))
        .unwrap_or_default();
    ConnectorError::option(key, format!("unknown option '{key}' for connector '{connector}'{closest}; known options: {}", known.join(", ")))
}

/// The value of option `key`, parsed as `T`; `None` when absent. `what` describes the
/// expected value for the error message ("a positive integer").
pub fn parse_opt<T: FromStr>(options: &Options, key: &str, what: &str) -> Result<Option<T>, ConnectorError> {
    match options.get(key) {
        None => Ok(None),
        Some(text) => text.trim().parse::<T>().map(Some).map_err(|_| bad_value(key, text, what)),
    }
}

/// The boolean option `key` (`true`/`false`, any case), or `default` when absent.
pub fn parse_bool(options: &Options, key: &str, default: bool) -> Result<bool, ConnectorError> {
    match options.get(key) {
        None => Ok(default),
        Some(text) => match text.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(bad_value(key, text, "true or false")),
        },
    }
}

/// The single-byte character option `key` (`\t` written as two characters is accepted), or
/// `default` when absent. CSV's parser works on bytes, so the character must be ASCII.
pub fn parse_char(options: &Options, key: &str, default: u8) -> Result<u8, ConnectorError> {
    match options.get(key) {
        None => Ok(default),
        Some(text) => match text.as_str() {
            "\\t" => Ok(b'\t'),
            t if t.len() == 1 && t.is_ascii() => Ok(t.as_bytes()[0]),
            _ => Err(bad_value(key, text, "a single ASCII character (or \\t)")),
        },
    }
}

/// The error for a value of `key` that is not `what`.
pub fn bad_value(key: &str, text: &str, what: &str) -> ConnectorError {
    ConnectorError::option(key, format!("invalid value '{text}' for option '{key}': expected {what}"))
}

/// The error for a required option that is missing.
pub fn missing(connector: &str, key: &str) -> ConnectorError {
    ConnectorError::option(key, format!("missing required option '{key}' for connector '{connector}'"))
}

/// Reads a duration as Flink writes them: a whole number and a unit, with or without a space
/// (`500 ms`, `1s`, `2 min`, `1 h`, `1 d`; also `ns`, `us`, and the long names `seconds`,
/// `minutes`, ...); a bare number is milliseconds.
pub fn parse_duration_text(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let fail = || format!("a duration such as '500 ms', '1 s' or '2 min', got '{text}'");
    let n: u64 = number.parse().map_err(|_| fail())?;
    let nanos_per: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "ns" | "nano" | "nanos" | "nanosecond" | "nanoseconds" => 1,
        "us" | "µs" | "micro" | "micros" | "microsecond" | "microseconds" => 1_000,
        "" | "ms" | "milli" | "millis" | "millisecond" | "milliseconds" => 1_000_000,
        "s" | "sec" | "secs" | "second" | "seconds" => 1_000_000_000,
        "m" | "min" | "minute" | "minutes" => 60_000_000_000,
        "h" | "hour" | "hours" => 3_600_000_000_000,
        "d" | "day" | "days" => 86_400_000_000_000,
        _ => return Err(fail()),
    };
    n.checked_mul(nanos_per).map(Duration::from_nanos).ok_or_else(fail)
}

/// The duration option `key` (see [`parse_duration_text`]); `None` when absent.
pub fn parse_duration(options: &Options, key: &str) -> Result<Option<Duration>, ConnectorError> {
    match options.get(key) {
        None => Ok(None),
        Some(text) => parse_duration_text(text)
            .map(Some)
            .map_err(|what| ConnectorError::option(key, format!("invalid value '{text}' for option '{key}': expected {what}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_flink_writes_them() {
        let ms = |t: &str| parse_duration_text(t).map(|d| d.as_millis());
        assert_eq!(ms("500 ms"), Ok(500));
        assert_eq!(ms("1s"), Ok(1000));
        assert_eq!(ms(" 2 min "), Ok(120_000));
        assert_eq!(ms("1 h"), Ok(3_600_000));
        assert_eq!(ms("250"), Ok(250));
        assert_eq!(ms("3 seconds"), Ok(3000));
        assert!(ms("1.5 s").unwrap_err().contains("'1.5 s'"));
        assert!(ms("s").is_err());
        assert!(ms("5 fortnights").is_err());
    }

    #[test]
    fn unknown_option_suggests_and_lists() {
        let opts: Options = [("fromat".to_string(), "csv".to_string())].into();
        let err = check_known("filesystem", &opts, &["path", "format"], |k| k == "path" || k == "format").unwrap_err();
        assert_eq!(err.option.as_deref(), Some("fromat"));
        assert_eq!(err.message, "unknown option 'fromat' for connector 'filesystem' (did you mean 'format'?); known options: path, format");
    }

    #[test]
    fn typed_values() {
        let opts: Options = [("a", "\\t"), ("b", "TRUE"), ("c", "x")].map(|(k, v)| (k.to_string(), v.to_string())).into();
        assert_eq!(parse_char(&opts, "a", b','), Ok(b'\t'));
        assert_eq!(parse_bool(&opts, "b", false), Ok(true));
        assert!(parse_bool(&opts, "c", false).unwrap_err().message.contains("invalid value 'x' for option 'c'"));
        assert_eq!(parse_opt::<u64>(&opts, "zz", "n"), Ok(None));
    }
}
