//! A query's answer as CSV files (what Flink's and Weir's `filesystem` sinks write into a
//! directory), read back as rows of normalised text fields and summarised as `(rows,
//! checksum)`: a multiset fingerprint that two engines' answers must share.
//!
//! The engines spell some values differently, so each field is normalised before hashing:
//! numbers are written in plain notation without trailing fractional zeros (`66406144.160`,
//! `66406144.16` and, as Flink's CSV format writes a DECIMAL whose digits end in zeros,
//! `6.640614416E+7` are the same DECIMAL), timestamps are written `yyyy-MM-dd HH:mm:ss[.fff]` without trailing fractional
//! zeros (`T` or space between date and time), and CSV quoting is undone by the parser.
//! Everything else is compared as written.

use std::path::{Path, PathBuf};

use crate::rng::mix64;

/// The number of rows of an answer and the wrapping sum of their hashes (order-independent).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AnswerSummary {
    /// Rows.
    pub rows: u64,
    /// Wrapping sum over rows of [`row_hash`].
    pub checksum: u64,
}

impl AnswerSummary {
    /// The summary of `rows` (each a list of fields, normalised here).
    pub fn of<I, R, F>(rows: I) -> AnswerSummary
    where
        I: IntoIterator<Item = R>,
        R: IntoIterator<Item = F>,
        F: AsRef<str>,
    {
        let mut s = AnswerSummary::default();
        for row in rows {
            s.rows += 1;
            s.checksum = s.checksum.wrapping_add(row_hash(row));
        }
        s
    }

    /// `Ok` when `actual` (an engine's answer) equals `self` (the reference); else what differs.
    pub fn check(&self, actual: &AnswerSummary) -> Result<(), String> {
        if self == actual {
            return Ok(());
        }
        Err(format!(
            "answer differs from Weir's: {} rows, checksum {:016x} (Weir: {} rows, checksum {:016x})",
            actual.rows, actual.checksum, self.rows, self.checksum
        ))
    }
}

/// A hash of one row's normalised fields (FNV-1a over the field bytes with a separator,
/// finished by SplitMix64).
pub fn row_hash<R: IntoIterator<Item = F>, F: AsRef<str>>(row: R) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for field in row {
        for b in normalize(field.as_ref()).bytes().chain([0x1f]) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    mix64(h)
}

/// `field` as both engines would agree to write it (see the module docs).
pub fn normalize(field: &str) -> String {
    if is_number(field) {
        return trim_fraction(field).to_string();
    }
    if let Some(plain) = plain_notation(field) {
        return trim_fraction(&plain).to_string();
    }
    if let Some((date, time)) = timestamp_parts(field) {
        return format!("{date} {}", trim_fraction(time));
    }
    field.to_string()
}

/// `-?digits[.digits]`.
fn is_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty() && !frac.is_empty() && int.bytes().all(|b| b.is_ascii_digit()) && frac.bytes().all(|b| b.is_ascii_digit())
}

/// `-?d[.ddd]E[+-]n` (Java's `BigDecimal.toString` of a scaled-down value) in plain notation.
fn plain_notation(s: &str) -> Option<String> {
    let (mantissa, exponent) = s.split_once(['E', 'e'])?;
    if !is_number(mantissa) {
        return None;
    }
    let exponent: i64 = exponent.strip_prefix('+').unwrap_or(exponent).parse().ok()?;
    let (sign, unsigned) = mantissa.strip_prefix('-').map_or(("", mantissa), |m| ("-", m));
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = format!("{int}{frac}");
    let point = int.len() as i64 + exponent;
    if point.unsigned_abs() > 1000 {
        return None;
    }
    let body = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if point as usize >= digits.len() {
        format!("{digits}{}", "0".repeat(point as usize - digits.len()))
    } else {
        format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
    };
    let trimmed = body.trim_start_matches('0');
    let body = if trimmed.is_empty() || trimmed.starts_with('.') { format!("0{trimmed}") } else { trimmed.to_string() };
    Some(format!("{sign}{body}"))
}

/// `yyyy-MM-dd` and `HH:mm:ss[.f..]` of a timestamp written with `T` or a space between them.
fn timestamp_parts(s: &str) -> Option<(&str, &str)> {
    let (date, time) = s.split_once([' ', 'T'])?;
    let shape = |text: &str, pattern: &str| {
        text.len() == pattern.len() && text.bytes().zip(pattern.bytes()).all(|(c, p)| if p == b'9' { c.is_ascii_digit() } else { c == p })
    };
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    (shape(date, "9999-99-99") && shape(hms, "99:99:99") && !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit())).then_some((date, time))
}

/// A number or time of day without the trailing zeros of its fraction (and without a bare `.`).
fn trim_fraction(s: &str) -> &str {
    if !s.contains('.') {
        return s;
    }
    s.trim_end_matches('0').trim_end_matches('.')
}

/// The visible files of the answer directory `dir` (names not starting with `.` or `_`, as
/// both engines' readers skip), sorted.
pub fn answer_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !name.starts_with(['.', '_']) && entry.path().is_file() {
            files.push(entry.path());
        }
    }
    files.sort();
    Ok(files)
}

/// Calls `row` with the fields of every record of the headerless CSV files in `dir`; errors
/// name the file and line.
pub fn for_each_row(dir: &Path, mut row: impl FnMut(&csv::StringRecord) -> Result<(), String>) -> Result<(), String> {
    for file in answer_files(dir)? {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_path(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        for record in reader.records() {
            let record = record.map_err(|e| format!("{}: {e}", file.display()))?;
            row(&record).map_err(|e| format!("{}:{}: {e}", file.display(), record.position().map_or(0, |p| p.line())))?;
        }
    }
    Ok(())
}

/// The summary of the answer written as CSV files into `dir`.
pub fn summarize_dir(dir: &Path) -> Result<AnswerSummary, String> {
    let mut s = AnswerSummary::default();
    for_each_row(dir, |record| {
        s.rows += 1;
        s.checksum = s.checksum.wrapping_add(row_hash(record.iter()));
        Ok(())
    })?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_normalised() {
        assert_eq!(normalize("66406144.160"), "66406144.16");
        assert_eq!(normalize("1940.000"), "1940");
        assert_eq!(normalize("100"), "100", "integers keep their zeros");
        assert_eq!(normalize("-0.50"), "-0.5");
        assert_eq!(normalize("1.227616E+7"), "12276160", "Flink's CSV writes such DECIMALs");
        assert_eq!(normalize("12276160.000"), "12276160");
        assert_eq!(normalize("9.08E+3"), "9080");
        assert_eq!(normalize("-4.5E-2"), "-0.045");
        assert_eq!(normalize("1.25E+1"), "12.5");
        assert_eq!(normalize("5E+0"), "5");
        assert_eq!(normalize("E+3"), "E+3");
        assert_eq!(normalize("1.2E+x"), "1.2E+x");
        assert_eq!(normalize("2023-11-14T22:13:20.100"), "2023-11-14 22:13:20.1");
        assert_eq!(normalize("2023-11-14 22:13:20.000"), "2023-11-14 22:13:20");
        assert_eq!(normalize("2023-11-14 22:13:20"), "2023-11-14 22:13:20");
        assert_eq!(normalize("abc.100"), "abc.100");
        assert_eq!(normalize("1.2.0"), "1.2.0");
        assert_eq!(normalize(""), "");
    }

    #[test]
    fn the_summary_is_a_multiset_fingerprint() {
        let a = AnswerSummary::of([vec!["1", "2.50"], vec!["3", "x"]]);
        let b = AnswerSummary::of([vec!["3", "x"], vec!["1", "2.5"]]);
        assert_eq!(a, b, "order and spelling of numbers do not matter");
        assert!(a.check(&b).is_ok());
        for other in [
            AnswerSummary::of([vec!["1", "2.5"]]),
            AnswerSummary::of([vec!["1", "2.5"], vec!["3", "y"]]),
            AnswerSummary::of([vec!["1", "2.5"], vec!["3", "x"], vec!["3", "x"]]),
            AnswerSummary::of([vec!["2.5", "1"], vec!["3", "x"]]),
            AnswerSummary::of([vec!["1", "2.5", ""], vec!["3", "x"]]),
        ] {
            let err = a.check(&other).unwrap_err();
            assert!(err.contains("differs from Weir's"), "{err}");
        }
    }

    #[test]
    fn directories_of_both_engines_agree() {
        let dir = tempfile::tempdir().unwrap();
        let weir = dir.path().join("weir");
        let flink = dir.path().join("flink");
        std::fs::create_dir_all(&weir).unwrap();
        std::fs::create_dir_all(&flink).unwrap();
        // Weir's sink: plain fields, DECIMAL with its scale; Flink's: quoted strings and
        // timestamps, DECIMAL without trailing zeros, rows spread over two parts.
        std::fs::write(weir.join("part-0-0.csv"), "1000,66406144.160,2023-11-14 22:13:20,\"a,b\"\n1001,1.000,2023-11-14 22:13:20.120,x\n").unwrap();
        std::fs::write(flink.join("part-a-1-0"), "1001,1E+0,\"2023-11-14 22:13:20.12\",\"x\"\n").unwrap();
        std::fs::write(flink.join("part-b-0-0"), "1000,66406144.16,\"2023-11-14 22:13:20\",\"a,b\"\n").unwrap();
        std::fs::write(flink.join(".part-c.inprogress"), "9,9,9,9\n").unwrap();
        std::fs::write(flink.join("_SUCCESS"), "").unwrap();
        let (w, f) = (summarize_dir(&weir).unwrap(), summarize_dir(&flink).unwrap());
        assert_eq!(w.rows, 2);
        assert!(w.check(&f).is_ok(), "{w:?} {f:?}");
        std::fs::write(flink.join("part-b-0-0"), "1000,66406144.17,\"2023-11-14 22:13:20\",\"a,b\"\n").unwrap();
        assert!(w.check(&summarize_dir(&flink).unwrap()).is_err(), "one wrong price fails the check");
        assert!(summarize_dir(&dir.path().join("missing")).unwrap_err().contains("missing"));
    }
}
