//! Reading CSV records into rows: the `csv` crate splits records into reused `ByteRecord`s,
//! and each field is converted by its column's type straight from bytes (integers without
//! any intermediate `String`).
//!
//! Empty fields and NULL follow Flink's CSV format (1.18 and later): a field equal to
//! `csv.null-literal` is NULL in any column; otherwise an empty field is the empty string in
//! a STRING column (empty bytes in BYTES) and NULL in a column of any other type.
//!
//! An ARRAY column holds its elements joined by `csv.array-element-delimiter` (`;` by default),
//! as Flink's CSV format writes them; each element reads by the rules above for the element
//! type (the null literal is a NULL element). MAP columns, which Flink's CSV format does not
//! have either, and ARRAYs of collections are refused.
//!
//! A record that spans lines (a quoted field holding a line break) is checked against its raw
//! bytes: if the quote is never closed, or is closed only where a field could not end (the
//! usual sign of a stray quote that swallowed the lines after it), the record is an error at
//! its first line, or, under `csv.ignore-parse-errors`, only that line is skipped and counted
//! and reading resumes on the next line. A file large enough to be cut between workers may
//! not have records that span lines at all (a worker could not find where its records start):
//! that is an error even under `csv.ignore-parse-errors`.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Take};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ::csv::{ByteRecord, ReaderBuilder};

use super::split::{OpenRange, SegmentQueue, bounded_message, field_prefix, line_number};
use crate::connectors::options::{parse_bool, parse_char};
use crate::connectors::{ConnectorError, Options, SourceOffset, SourcePoll, SourceReader, column_mask};
use crate::error::RuntimeError;
use crate::types::{DataType, Field, Row, Schema, Value, parse_value};

/// How to read CSV files: the `csv.*` options and the columns.
#[derive(Clone, Debug)]
pub struct CsvFormat {
    columns: Vec<Field>,
    /// Per column, whether a reader of the plan uses it: the others are NULL, never decoded.
    read: Vec<bool>,
    delimiter: u8,
    quote: Option<u8>,
    escape: Option<u8>,
    comments: bool,
    null_literal: Option<Vec<u8>>,
    array_delimiter: Vec<u8>,
    ignore_parse_errors: bool,
    ignore_first_line: bool,
}

impl CsvFormat {
    /// The options of the `csv` format.
    pub const OPTIONS: &'static [&'static str] = &[
        "csv.field-delimiter",
        "csv.quote-character",
        "csv.disable-quote-character",
        "csv.escape-character",
        "csv.allow-comments",
        "csv.null-literal",
        "csv.ignore-parse-errors",
        "csv.ignore-first-line",
        "csv.array-element-delimiter",
    ];

    /// Reads the `csv.*` options. MAP columns are refused (see [`reject_collections`]).
    pub fn new(options: &Options, schema: &Schema) -> Result<CsvFormat, ConnectorError> {
        reject_collections(schema)?;
        let quote = parse_char(options, "csv.quote-character", b'"')?;
        let disable_quote = parse_bool(options, "csv.disable-quote-character", false)?;
        if disable_quote && options.contains_key("csv.quote-character") {
            return Err(ConnectorError::option("csv.quote-character", "'csv.quote-character' cannot be set together with 'csv.disable-quote-character'"));
        }
        let delimiter = parse_char(options, "csv.field-delimiter", b',')?;
        if matches!(delimiter, b'\n' | b'\r') || (!disable_quote && delimiter == quote) {
            return Err(ConnectorError::option(
                "csv.field-delimiter",
                format!("'csv.field-delimiter' cannot be a line break or the quote character (got {:?})", char::from(delimiter)),
            ));
        }
        let escape = options.contains_key("csv.escape-character").then(|| parse_char(options, "csv.escape-character", b'\\')).transpose()?;
        Ok(CsvFormat {
            columns: schema.fields.clone(),
            read: vec![true; schema.len()],
            delimiter,
            quote: (!disable_quote).then_some(quote),
            escape,
            comments: parse_bool(options, "csv.allow-comments", false)?,
            null_literal: options.get("csv.null-literal").map(|s| s.as_bytes().to_vec()),
            array_delimiter: array_delimiter(options)?.into_bytes(),
            ignore_parse_errors: parse_bool(options, "csv.ignore-parse-errors", false)?,
            ignore_first_line: parse_bool(options, "csv.ignore-first-line", false)?,
        })
    }

    /// The same format decoding only `columns` (see [`SourceFactory::project`]): the fields of
    /// the other columns are split off the record but not converted, so that a bad value there
    /// fails nothing, as in Flink's CSV format with a projection (which converts the projected
    /// fields of each record only, by name).
    ///
    /// [`SourceFactory::project`]: crate::connectors::SourceFactory::project
    pub fn projected(&self, columns: &[usize]) -> CsvFormat {
        CsvFormat { read: column_mask(self.columns.len(), columns), ..self.clone() }
    }

    fn open(&self, range: OpenRange) -> CurrentFile {
        let skip_header = self.ignore_first_line && range.at_file_start;
        let limit = range.reader.limit();
        let end = (limit != u64::MAX).then(|| range.from.saturating_add(limit));
        CurrentFile {
            file: range.file,
            path: range.path,
            from: range.from,
            end,
            whole_file: range.whole_file,
            skip_header,
            reader: self.builder().from_reader(range.reader),
        }
    }

    /// Restarts reading `cur` at byte `pos` (a line start), after a skipped bad record.
    fn reopen_at(&self, cur: &mut CurrentFile, pos: u64) -> io::Result<()> {
        let mut file = File::open(&cur.path)?;
        file.seek(SeekFrom::Start(pos))?;
        let limit = cur.end.map_or(u64::MAX, |end| end.saturating_sub(pos));
        cur.reader = self.builder().from_reader(file.take(limit));
        cur.from = pos;
        Ok(())
    }

    fn builder(&self) -> ReaderBuilder {
        let mut builder = ReaderBuilder::new();
        builder
            .has_headers(false)
            .flexible(true)
            .delimiter(self.delimiter)
            .quoting(self.quote.is_some())
            .quote(self.quote.unwrap_or(b'"'))
            .escape(self.escape)
            .double_quote(true)
            .comment(self.comments.then_some(b'#'))
            .buffer_capacity(256 << 10);
        builder
    }

    /// Converts the fields of `record` into `out`, one value per column; on failure, the
    /// message names the column.
    fn decode(&self, record: &ByteRecord, out: &mut Vec<Value>) -> Result<(), String> {
        if record.len() != self.columns.len() {
            return Err(format!("expected {} fields, found {}", self.columns.len(), record.len()));
        }
        for ((bytes, column), &read) in record.iter().zip(&self.columns).zip(&self.read) {
            if !read {
                out.push(Value::Null);
                continue;
            }
            let value = self.decode_field(bytes, column.data_type).map_err(|m| format!("column {}: {m}", column.name))?;
            if value.is_null() && !column.nullable {
                return Err(format!("column {}: NULL in a NOT NULL column", column.name));
            }
            out.push(value);
        }
        Ok(())
    }

    fn decode_field(&self, bytes: &[u8], data_type: DataType) -> Result<Value, String> {
        if self.null_literal.as_deref() == Some(bytes) {
            return Ok(Value::Null);
        }
        let fail = || format!("cannot parse {} as {data_type}", field_prefix(bytes));
        match data_type {
            DataType::String => std::str::from_utf8(bytes).map(|s| Value::String(Arc::from(s))).map_err(|_| "invalid UTF-8".to_string()),
            DataType::Bytes => Ok(Value::Bytes(Arc::from(bytes))),
            _ if bytes.is_empty() => Ok(Value::Null),
            DataType::Array(element) => {
                let elements = split_bytes(bytes, &self.array_delimiter).map(|piece| self.decode_field(piece, *element)).collect::<Result<Vec<_>, _>>();
                elements.map(Value::array).map_err(|m| format!("in an ARRAY element: {m}"))
            }
            DataType::BigInt => parse_i64(bytes).map(Value::BigInt).ok_or_else(fail),
            DataType::Int => parse_i64(bytes).and_then(|v| i32::try_from(v).ok()).map(Value::Int).ok_or_else(fail),
            _ => {
                let text = std::str::from_utf8(bytes).map_err(|_| fail())?;
                parse_value(text, &data_type).map_err(|_| fail())
            }
        }
    }
}

/// Parses a decimal integer with optional sign and surrounding ASCII spaces, without allocating.
fn parse_i64(bytes: &[u8]) -> Option<i64> {
    let b = bytes.trim_ascii();
    let (negative, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() {
        return None;
    }
    // Accumulate negatively so that i64::MIN parses.
    let mut v: i64 = 0;
    for &c in digits {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_sub(i64::from(d))?;
    }
    if negative { Some(v) } else { v.checked_neg() }
}

/// The file being read, with the CSV reader over its range.
struct CurrentFile {
    file: usize,
    path: PathBuf,
    /// Byte offset in the file where `reader` started.
    from: u64,
    /// Where this worker's bytes of the file end (None: at the end of the file).
    end: Option<u64>,
    /// Whether this worker reads the whole file (records may span lines).
    whole_file: bool,
    skip_header: bool,
    reader: ::csv::Reader<Take<File>>,
}

/// One worker's split of a CSV source.
pub struct CsvReader {
    format: Arc<CsvFormat>,
    queue: SegmentQueue,
    current: Option<CurrentFile>,
    record: ByteRecord,
    values: Vec<Value>,
    skipped: u64,
}

impl CsvReader {
    /// A reader of the segments in `queue`.
    pub fn new(format: Arc<CsvFormat>, queue: SegmentQueue) -> CsvReader {
        let values = Vec::with_capacity(format.columns.len());
        CsvReader { format, queue, current: None, record: ByteRecord::new(), values, skipped: 0 }
    }
}

impl SourceReader for CsvReader {
    fn poll(&mut self, out: &mut Vec<Row>, max_rows: usize) -> Result<SourcePoll, RuntimeError> {
        let mut produced = 0;
        while produced < max_rows {
            let Some(cur) = self.current.as_mut() else {
                match self.queue.open_next()? {
                    Some(range) => self.current = Some(self.format.open(range)),
                    None if produced == 0 => return Ok(SourcePoll::Finished),
                    None => break,
                }
                continue;
            };
            match cur.reader.read_byte_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => {
                    self.current = None;
                    continue;
                }
                Err(e) => return Err(RuntimeError::Io { context: cur.path.display().to_string(), message: e.to_string() }),
            }
            let start = cur.from + self.record.position().map_or(0, |p| p.byte());
            let end = cur.from + cur.reader.position().byte();
            let first_line = self.record.position().map_or(0, |p| p.line());
            if cur.reader.position().line() > first_line + 1 {
                // The record (or the blank lines before it) spans lines: check its quotes.
                let context = cur.path.display().to_string();
                let io_err = |e: io::Error| RuntimeError::Io { context: context.clone(), message: e.to_string() };
                let bytes = read_range(&cur.path, start, end).map_err(io_err)?;
                match self.format.scan(&bytes) {
                    Span::OneLine => {}
                    Span::Lines if cur.whole_file => {}
                    Span::Lines => {
                        let message = "a quoted field spans lines, which is supported only in files read whole by one worker (up to 16 MiB); this file is split between workers".to_string();
                        let comment = self.format.comments.then_some(b'#');
                        return Err(RuntimeError::BadRecord { location: record_location(&cur.path, start, end, comment), message });
                    }
                    Span::Broken { message, next_line } => {
                        if !self.format.ignore_parse_errors {
                            let comment = self.format.comments.then_some(b'#');
                            return Err(RuntimeError::BadRecord { location: record_location(&cur.path, start, end, comment), message });
                        }
                        self.skipped += 1;
                        cur.skip_header = false;
                        self.format.reopen_at(cur, start + next_line as u64).map_err(io_err)?;
                        continue;
                    }
                }
            }
            if cur.skip_header {
                cur.skip_header = false;
                continue;
            }
            match self.format.decode(&self.record, &mut self.values) {
                Ok(()) => {
                    out.push(self.values.drain(..).collect());
                    produced += 1;
                }
                Err(message) => {
                    self.values.clear();
                    if !self.format.ignore_parse_errors {
                        let comment = self.format.comments.then_some(b'#');
                        let message = bounded_message(message);
                        return Err(RuntimeError::BadRecord { location: record_location(&cur.path, start, end, comment), message });
                    }
                    self.skipped += 1;
                }
            }
        }
        Ok(SourcePoll::Ready)
    }

    fn offset(&self) -> SourceOffset {
        match &self.current {
            Some(cur) => super::split::FileOffset { file: cur.file, pos: cur.from + cur.reader.position().byte() }.to_source_offset(),
            None => self.queue.pending_offset().to_source_offset(),
        }
    }

    fn skipped_records(&self) -> u64 {
        self.skipped
    }
}

/// What the raw bytes of a record that spans lines say about its quotes.
#[derive(Debug, PartialEq, Eq)]
enum Span {
    /// The record is on one line (the reader had skipped blank or comment lines before it).
    OneLine,
    /// A properly quoted field holds a line break.
    Lines,
    /// A quote is never closed, or closed where no field can end: `next_line` is the offset
    /// (in the bytes) of the line after the record's first line, where reading resumes when
    /// the record is skipped.
    Broken {
        /// What is wrong.
        message: String,
        /// Offset of the line after the record's first line.
        next_line: usize,
    },
}

impl CsvFormat {
    /// Reads the quotes of one record's raw bytes (with any blank or comment lines before it)
    /// the way the `csv` crate does, but strictly: after a closing quote only a delimiter or
    /// a line break may follow.
    fn scan(&self, bytes: &[u8]) -> Span {
        let Some(quote) = self.quote else { return Span::OneLine };
        // Skip the blank and comment lines the reader skipped before the record.
        let mut i = 0;
        loop {
            let line_end = bytes[i..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| i + p + 1);
            let line = bytes[i..line_end].trim_ascii_end();
            if line_end < bytes.len() && (line.is_empty() || (self.comments && line.first() == Some(&b'#'))) {
                i = line_end;
            } else {
                break;
            }
        }
        let first = i;
        let next_line = bytes[i..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| i + p + 1);
        let (mut field_start, mut in_quotes, mut after_quote, mut spans) = (true, false, false, false);
        while i < bytes.len() {
            let b = bytes[i];
            if in_quotes {
                if self.escape == Some(b) && b != quote {
                    i += 2;
                    continue;
                }
                if b == quote {
                    if bytes.get(i + 1) == Some(&quote) {
                        i += 2;
                        continue;
                    }
                    in_quotes = false;
                    after_quote = true;
                } else if b == b'\n' {
                    spans = true;
                }
                i += 1;
                continue;
            }
            if after_quote {
                after_quote = false;
                if b != self.delimiter && b != b'\n' && b != b'\r' && spans {
                    let found = field_prefix(&bytes[i..(i + 16).min(bytes.len())]);
                    let message = format!(
                        "a quoted field is not closed on its line: the next quote, {} lines later, is followed by {found} instead of a delimiter or a line end",
                        bytes[first..i].iter().filter(|&&c| c == b'\n').count()
                    );
                    return Span::Broken { message, next_line };
                }
            }
            if b == self.delimiter || b == b'\n' {
                field_start = true;
            } else if field_start && b == quote {
                in_quotes = true;
                field_start = false;
            } else {
                field_start = false;
            }
            i += 1;
        }
        match (in_quotes, spans) {
            (true, _) => Span::Broken { message: "a quoted field is not closed: its quote is still open at the end of the input".into(), next_line },
            (false, true) => Span::Lines,
            (false, false) => Span::OneLine,
        }
    }
}

/// The bytes `[start, end)` of the file at `path`.
fn read_range(path: &Path, start: u64, end: u64) -> io::Result<Vec<u8>> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    file.take(end.saturating_sub(start)).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// `path:line` of the record the CSV reader read from `start` to `end`. The reader's start
/// position comes before any blank or comment lines it skipped, so those are counted too.
fn record_location(path: &Path, start: u64, end: u64, comment: Option<u8>) -> String {
    let skipped = skipped_lines(path, start, end, comment).unwrap_or(0);
    match line_number(path, start) {
        Ok(line) => format!("{}:{}", path.display(), line + skipped),
        Err(_) => format!("{}@{start}", path.display()),
    }
}

fn skipped_lines(path: &Path, start: u64, end: u64, comment: Option<u8>) -> io::Result<u64> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    file.take(end.saturating_sub(start)).read_to_end(&mut bytes)?;
    let mut skipped = 0;
    for line in bytes.split(|&b| b == b'\n') {
        let content = line.strip_suffix(b"\r").unwrap_or(line);
        if content.is_empty() || (comment.is_some() && content.first() == comment.as_ref()) {
            skipped += 1;
        } else {
            break;
        }
    }
    Ok(skipped)
}

/// An error for the first column the CSV format cannot hold: a MAP or MULTISET (Flink's CSV
/// format has none) or an ARRAY of collections (its elements would need a second delimiter);
/// use `'format' = 'json'`.
pub(super) fn reject_collections(schema: &Schema) -> Result<(), ConnectorError> {
    let unheld = |t: DataType| match t {
        DataType::Array(element) => element.is_collection(),
        other => other.is_collection(),
    };
    match schema.fields.iter().find(|f| unheld(f.data_type)) {
        Some(f) => Err(ConnectorError::option(
            "format",
            format!("column '{}' is {}: the csv format holds ARRAYs of scalars but no MAP or MULTISET; use 'format' = 'json'", f.name, f.data_type),
        )),
        None => Ok(()),
    }
}

/// The `csv.array-element-delimiter` option: `;` by default, not empty.
pub(super) fn array_delimiter(options: &Options) -> Result<String, ConnectorError> {
    match options.get("csv.array-element-delimiter") {
        Some(d) if d.is_empty() => Err(ConnectorError::option("csv.array-element-delimiter", "'csv.array-element-delimiter' cannot be empty")),
        Some(d) => Ok(d.clone()),
        None => Ok(";".to_string()),
    }
}

/// `bytes` split at each occurrence of `delimiter` (not empty).
fn split_bytes<'a>(bytes: &'a [u8], delimiter: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut rest = Some(bytes);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.windows(delimiter.len()).position(|w| w == delimiter) {
            Some(i) => {
                rest = Some(&current[i + delimiter.len()..]);
                Some(&current[..i])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_read_their_elements_by_the_element_type() {
        use crate::types::DataType as T;
        let options: Options = [("csv.null-literal".to_string(), "N".to_string())].into_iter().collect();
        let schema = Schema::new(vec![Field::new("a", T::array(T::Int)), Field::new("s", T::array(T::String))]);
        let format = CsvFormat::new(&options, &schema).unwrap_or_else(|e| panic!("{e}"));
        let decode = |bytes: &[u8], t: T| format.decode_field(bytes, t).map(|v| v.to_string());
        assert_eq!(decode(b"1;N;3", T::array(T::Int)), Ok("[1, null, 3]".into()));
        assert_eq!(decode(b"", T::array(T::Int)), Ok("null".into()));
        assert_eq!(decode(b"N", T::array(T::Int)), Ok("null".into()));
        assert_eq!(decode(b"a;;b", T::array(T::String)), Ok("[a, , b]".into()));
        assert_eq!(decode(b"7", T::array(T::Int)), Ok("[7]".into()));
        assert!(decode(b"1;x", T::array(T::Int)).is_err_and(|m| m.contains("in an ARRAY element: cannot parse")));
        let maps = Schema::new(vec![Field::new("m", T::map(T::String, T::Int))]);
        assert!(CsvFormat::new(&options, &maps).is_err());
        assert_eq!(split_bytes(b"ab::c::", b"::").collect::<Vec<_>>(), [&b"ab"[..], b"c", b""]);
    }

    #[test]
    fn integers_parse_from_bytes() {
        assert_eq!(parse_i64(b" 42 "), Some(42));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        assert_eq!(parse_i64(b"+7"), Some(7));
        assert_eq!(parse_i64(b"-"), None);
        assert_eq!(parse_i64(b"1x"), None);
        assert_eq!(parse_i64(b""), None);
    }
}
