//! The fast path against the `csv` crate: over generated text full of delimiters, quotes,
//! escapes, carriage returns, blank and comment lines, reading simple lines from the buffer and
//! handing each complex one to the `csv` crate gives the records the `csv` crate gives alone.

use std::io::{self, Read};

use ::csv::ByteRecord;
use proptest::prelude::*;

use super::*;
use crate::connectors::Options;
use crate::connectors::filesystem::csv::CsvFormat;
use crate::types::{DataType, Field, Schema};

/// A reader handing out at most `chunk` bytes per read, so that lines straddle reads.
struct Chunked<'a>(&'a [u8], usize);

impl Read for Chunked<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.0.len().min(self.1).min(out.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

type Records = Vec<Vec<Vec<u8>>>;

fn format(options: &[(&str, &str)]) -> CsvFormat {
    let options: Options = options.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let schema = Schema::new(vec![Field::new("a", DataType::String)]);
    CsvFormat::new(&options, &schema).unwrap_or_else(|e| panic!("{e}"))
}

/// The records of `text` as the `csv` crate reads them.
fn by_csv(format: &CsvFormat, text: &[u8]) -> Records {
    let mut reader = format.builder().from_reader(text);
    let mut record = ByteRecord::new();
    let mut out = Vec::new();
    while reader.read_byte_record(&mut record).unwrap_or_else(|e| panic!("{e}")) {
        out.push(record.iter().map(<[u8]>::to_vec).collect());
    }
    out
}

/// The records of `text` read by lines, each complex line's record by the `csv` crate.
fn by_lines(format: &CsvFormat, text: &[u8], chunk: usize) -> Records {
    let mut lines = format.line_buffer();
    lines.reset(0);
    let mut input = Chunked(text, chunk);
    let mut out = Vec::new();
    loop {
        match lines.next(&mut input).unwrap_or_else(|e| panic!("{e}")) {
            Line::End => return out,
            Line::Record { start, end, bytes, ends } => {
                assert!(end > start && end as usize <= text.len());
                out.push(fields(bytes, ends).map(<[u8]>::to_vec).collect());
            }
            Line::Complex { start } => {
                let rest = &text[start as usize..];
                let mut reader = format.builder().from_reader(rest);
                let mut record = ByteRecord::new();
                if !reader.read_byte_record(&mut record).unwrap_or_else(|e| panic!("{e}")) {
                    return out;
                }
                out.push(record.iter().map(<[u8]>::to_vec).collect());
                let next = start + reader.position().byte();
                lines.reset(next);
                input = Chunked(&text[next as usize..], chunk);
            }
        }
    }
}

fn text_strategy() -> impl Strategy<Value = Vec<u8>> {
    let alphabet = b"aaaaaab1 ,,;;\"'\\\r\n\n\n#".to_vec();
    prop::collection::vec(prop::sample::select(alphabet), 0..160)
}

fn options_strategy() -> impl Strategy<Value = Vec<(&'static str, &'static str)>> {
    let delimiter = prop::sample::select(vec![",", ";"]);
    let quote = prop::sample::select(vec![None, Some(("csv.quote-character", "'")), Some(("csv.disable-quote-character", "true"))]);
    let escape = prop::sample::select(vec![None, Some(("csv.escape-character", "\\"))]);
    (delimiter, quote, escape, any::<bool>()).prop_map(|(d, q, e, comments)| {
        let mut o = vec![("csv.field-delimiter", d), ("csv.allow-comments", if comments { "true" } else { "false" })];
        o.extend(q);
        o.extend(e);
        o
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn lines_read_what_the_csv_crate_reads(text in text_strategy(), options in options_strategy(), chunk in 1usize..24) {
        let format = format(&options);
        prop_assert_eq!(by_lines(&format, &text, chunk), by_csv(&format, &text));
    }
}

/// The word-at-a-time scan finds what a byte-by-byte one finds, for any bytes (high ones
/// included), delimiter and quote.
fn scan_bytewise(bytes: &[u8], delimiter: u8, quote: Option<u8>) -> (Vec<usize>, Option<usize>) {
    let special = bytes.iter().position(|&b| b == b'\n' || b == b'\r' || Some(b) == quote);
    let end = special.unwrap_or(bytes.len());
    ((0..end).filter(|&i| bytes[i] == delimiter).collect(), special)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_word_scan_finds_what_a_byte_scan_finds(
        bytes in prop::collection::vec(prop_oneof![any::<u8>(), Just(b','), Just(b'\n'), Just(b'"')], 0..80),
        delimiter in prop_oneof![any::<u8>(), Just(b',')],
        quote in prop::option::of(prop_oneof![any::<u8>(), Just(b'"')]),
    ) {
        let mut ends = Vec::new();
        let special = Structure::new(delimiter, quote).scan(&bytes, &mut ends);
        prop_assert_eq!((ends, special), scan_bytewise(&bytes, delimiter, quote));
    }
}

#[test]
fn simple_lines_split_at_delimiters() {
    let mut ends = Vec::new();
    assert_eq!(split_line(b"ab,c,,d\nx", b',', Some(b'"'), false, &mut ends), Scan::Record { len: 7, next: 8 });
    assert_eq!(ends, [2, 4, 5, 7]);
    assert_eq!(split_line(b"0123456789,abcdefghij\r\n", b',', Some(b'"'), false, &mut ends), Scan::Record { len: 21, next: 23 });
    assert_eq!(ends, [10, 21]);
    assert_eq!(split_line(b"a,b\r", b',', None, false, &mut ends), Scan::Incomplete);
    assert_eq!(split_line(b"a,b\r", b',', None, true, &mut ends), Scan::Record { len: 3, next: 4 });
    assert_eq!(split_line(b"a,b\rc\n", b',', None, true, &mut ends), Scan::Complex);
    assert_eq!(split_line(b"a,\"b\"\n", b',', Some(b'"'), true, &mut ends), Scan::Complex);
    assert_eq!(split_line(b"a,\"b\"\n", b',', None, true, &mut ends), Scan::Record { len: 5, next: 6 });
    assert_eq!(split_line(b"abcdefghijkl", b',', None, false, &mut ends), Scan::Incomplete);
    assert_eq!(find_newline(b"0123456789\n"), Some(10));
    assert_eq!(find_newline(b"01\n3456789\n"), Some(2));
    assert_eq!(find_newline(b"0123456789"), None);
}

#[test]
fn lines_longer_than_the_buffer_grow_it() {
    let long = "x".repeat(3 * BUFFER_BYTES);
    let text = format!("1,{long}\n2,y\n");
    let format = format(&[]);
    assert_eq!(by_lines(&format, text.as_bytes(), usize::MAX), by_csv(&format, text.as_bytes()));
}
