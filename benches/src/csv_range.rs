//! Reading the share of a CSV file that belongs to one of several workers.
//!
//! The file is cut into `peers` byte ranges of equal size; a line belongs to the worker whose
//! range holds its first byte. A worker therefore seeks to one byte before its start, skips to
//! the end of that line (unless it starts at offset 0), and reads lines until a line starts at or
//! after its end. Every line is read by exactly one worker, whatever the cut points.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use csv::ByteRecord;

use crate::BenchError;

/// The half-open byte range `[start, end)` of line starts that one worker reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ByteRange {
    /// First byte offset (inclusive).
    pub start: u64,
    /// Last byte offset (exclusive).
    pub end: u64,
}

impl ByteRange {
    /// Worker `index` of `peers`'s range of a file of `len` bytes.
    pub fn for_worker(len: u64, index: usize, peers: usize) -> Self {
        let share = |i: usize| (len as u128 * i as u128 / peers.max(1) as u128) as u64;
        Self { start: share(index), end: share(index + 1) }
    }
}

/// Calls `on_record(record, byte_offset)` for every CSV record of `path` whose line starts in
/// `range`, reusing one [`ByteRecord`]. The file has no header; empty lines are skipped.
/// Stops at the first error of `on_record` and returns it. Returns the number of records read.
pub fn for_each_record<F>(path: &Path, range: ByteRange, mut on_record: F) -> Result<u64, BenchError>
where
    F: FnMut(&ByteRecord, u64) -> Result<(), BenchError>,
{
    let io = |source| BenchError::Io { path: path.to_owned(), source };
    let mut file = File::open(path).map_err(io)?;
    let base = first_line_start(&mut file, range.start).map_err(io)?;
    if base >= range.end {
        return Ok(0);
    }
    file.seek(SeekFrom::Start(base)).map_err(io)?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).buffer_capacity(1 << 17).from_reader(file);
    let mut record = ByteRecord::new();
    let mut records = 0;
    loop {
        let more = reader.read_byte_record(&mut record).map_err(|source| {
            let byte = base + source.position().map_or(0, |p| p.byte());
            BenchError::Csv { path: path.to_owned(), byte, source }
        })?;
        if !more {
            return Ok(records);
        }
        let byte = base + record.position().map_or(0, |p| p.byte());
        if byte >= range.end {
            return Ok(records);
        }
        on_record(&record, byte)?;
        records += 1;
    }
}

/// The offset of the first line starting at or after `start`.
fn first_line_start(file: &mut File, start: u64) -> std::io::Result<u64> {
    if start == 0 {
        return Ok(0);
    }
    // The line containing byte `start - 1` ends at the first newline at or after it.
    file.seek(SeekFrom::Start(start - 1))?;
    let mut buf = [0u8; 8192];
    let mut pos = start - 1;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(pos); // end of file: no line starts in this range
        }
        if let Some(i) = buf[..n].iter().position(|&b| b == b'\n') {
            return Ok(pos + i as u64 + 1);
        }
        pos += n as u64;
    }
}

/// Parses a decimal `i64` field (optional leading `-`, ASCII digits, no spaces).
/// Returns `None` on anything else, including overflow.
#[inline]
pub fn parse_i64(field: &[u8]) -> Option<i64> {
    let (negative, digits) = match field.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, field),
    };
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let mut v: i64 = 0;
    for &b in digits {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(d as i64)?;
    }
    Some(if negative { -v } else { v })
}

/// Field `index` of `record` parsed as an `i64`, or an error naming the field, its text and
/// the line's byte offset.
pub fn i64_field(path: &Path, record: &ByteRecord, byte: u64, index: usize, name: &str) -> Result<i64, BenchError> {
    let field = record.get(index).ok_or_else(|| BenchError::Row {
        path: path.to_owned(),
        byte,
        message: format!("expected at least {} fields, found {}", index + 1, record.len()),
    })?;
    parse_i64(field).ok_or_else(|| BenchError::Row {
        path: path.to_owned(),
        byte,
        message: format!("field {} ({name}) is not a BIGINT: {:?}", index + 1, String::from_utf8_lossy(field)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn parse_i64_accepts_only_integers() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-42"), Some(-42));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        for bad in [&b""[..], b"-", b"1.5", b" 1", b"x", b"12a"] {
            assert_eq!(parse_i64(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn every_line_is_read_once_for_any_cut() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        let lines: Vec<String> = (0..37).map(|i| format!("{i},{}", "x".repeat(i % 7))).collect();
        file.write_all(lines.join("\n").as_bytes()).unwrap(); // no trailing newline
        let len = file.as_file().metadata().unwrap().len();
        for peers in 1..=9 {
            let mut seen = Vec::new();
            for index in 0..peers {
                let range = ByteRange::for_worker(len, index, peers);
                for_each_record(file.path(), range, |r, _| {
                    seen.push(parse_i64(&r[0]).unwrap());
                    Ok(())
                })
                .unwrap();
            }
            assert_eq!(seen, (0..37).collect::<Vec<i64>>(), "peers = {peers}");
        }
    }
}
