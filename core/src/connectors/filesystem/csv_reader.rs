//! One worker's reader of CSV files: simple lines split straight from a large read buffer
//! ([`super::csv_lines`]), any other line, and what follows it up to the end of that buffer,
//! read by the `csv` crate; the fields of both become rows by [`CsvFormat::decode`]. Both read
//! the same records (the fast path takes only lines where they cannot differ), so results,
//! errors and offsets are the same whichever read a record.
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

use ::csv::ByteRecord;

use super::csv::{CsvFormat, IntegerFields, Span};
use super::csv_lines::{Line, LineBuffer, fields};
use super::split::{FileOffset, OpenRange, SegmentQueue, bounded_message, line_number};
use crate::connectors::{IntegerRows, IntegerSink, RecordSink, ScratchRow, SourceOffset, SourcePoll, SourceReader};
use crate::error::RuntimeError;
use crate::types::{Row, Value};

/// How the current file is being read.
enum Mode {
    /// By lines, from the reader's [`LineBuffer`] (which knows the position).
    Lines { input: Take<File> },
    /// By the `csv` crate, started at file position `from`, until a record ends at or after
    /// `until` (the end of what the line buffer had read when it met a complex line).
    Records { reader: ::csv::Reader<Take<File>>, from: u64, until: u64 },
    /// Only while switching from one to the other.
    Switching,
}

/// The file being read.
struct CurrentFile {
    file: usize,
    path: PathBuf,
    /// Where this worker's bytes of the file end (None: at the end of the file).
    end: Option<u64>,
    /// Where the last record this worker reads ends: `end`, or the file's length.
    input_end: u64,
    /// Whether this worker reads the whole file (records may span lines).
    whole_file: bool,
    skip_header: bool,
    mode: Mode,
}

impl CurrentFile {
    fn open(format: &CsvFormat, range: OpenRange, lines: &mut LineBuffer) -> CurrentFile {
        let limit = range.reader.limit();
        let end = (limit != u64::MAX).then(|| range.from.saturating_add(limit));
        let input_end = end.or_else(|| range.reader.get_ref().metadata().ok().map(|m| m.len())).unwrap_or(u64::MAX);
        lines.reset(range.from);
        CurrentFile {
            file: range.file,
            path: range.path,
            end,
            input_end,
            whole_file: range.whole_file,
            skip_header: format.ignore_first_line() && range.at_file_start,
            mode: Mode::Lines { input: range.reader },
        }
    }

    /// The file position of the next record.
    fn position(&self, lines: &LineBuffer) -> u64 {
        match &self.mode {
            Mode::Lines { .. } | Mode::Switching => lines.position(),
            Mode::Records { reader, from, .. } => from + reader.position().byte(),
        }
    }

    /// The limit of a reader of this file's bytes from `pos` on.
    fn limit_from(&self, pos: u64) -> u64 {
        self.end.map_or(u64::MAX, |end| end.saturating_sub(pos))
    }

    /// Hands the file to the `csv` crate from `start` (a line the fast path cannot read).
    fn switch_to_records(&mut self, format: &CsvFormat, start: u64, lines: &LineBuffer) -> io::Result<()> {
        let limit = self.limit_from(start);
        if let Mode::Lines { input } = &mut self.mode {
            input.get_mut().seek(SeekFrom::Start(start))?;
            input.set_limit(limit);
        }
        if let Mode::Lines { input } = std::mem::replace(&mut self.mode, Mode::Switching) {
            self.mode = Mode::Records { reader: format.builder().from_reader(input), from: start, until: lines.handback() };
        }
        Ok(())
    }

    /// Back to reading by lines, at the position after the `csv` crate's last record.
    fn switch_to_lines(&mut self, lines: &mut LineBuffer) -> io::Result<()> {
        let pos = self.position(lines);
        let limit = self.limit_from(pos);
        if let Mode::Records { reader, .. } = &mut self.mode {
            reader.get_mut().get_mut().seek(SeekFrom::Start(pos))?;
            reader.get_mut().set_limit(limit);
        }
        if let Mode::Records { reader, .. } = std::mem::replace(&mut self.mode, Mode::Switching) {
            lines.reset(pos);
            self.mode = Mode::Lines { input: reader.into_inner() };
        }
        Ok(())
    }

    /// Restarts the `csv` crate's reading at byte `pos` (a line start), after a skipped bad
    /// record.
    fn reopen_at(&mut self, format: &CsvFormat, pos: u64) -> io::Result<()> {
        let mut file = File::open(&self.path)?;
        file.seek(SeekFrom::Start(pos))?;
        let limit = self.limit_from(pos);
        if let Mode::Records { reader, from, .. } = &mut self.mode {
            *reader = format.builder().from_reader(file.take(limit));
            *from = pos;
        }
        Ok(())
    }
}

/// An I/O error reading the file at `path`.
fn io_error(path: &Path, e: io::Error) -> RuntimeError {
    RuntimeError::Io { context: path.display().to_string(), message: e.to_string() }
}

/// One worker's split of a CSV source.
pub struct CsvReader {
    format: Arc<CsvFormat>,
    queue: SegmentQueue,
    current: Option<CurrentFile>,
    lines: LineBuffer,
    record: ByteRecord,
    values: Vec<Value>,
    skipped: u64,
    /// The row records are written into when polled record by record.
    scratch: Option<ScratchRow>,
    /// The batch records are written into when polled as integers.
    integers: IntegerRows,
}

/// Where the reader puts each record it decodes.
trait Records {
    /// The slots the next record is decoded into, one per column: NULL in every column the
    /// reader does not write (see [`CsvFormat::decode`]).
    fn slots(&mut self) -> &mut [Value];
    /// Takes the record decoded into the slots.
    fn keep(&mut self);
    /// Records taken so far.
    fn count(&self) -> usize;
    /// Takes the record of a simple line straight from its bytes (`bytes`, its field ends
    /// `ends`), when this can; false leaves it to [`CsvFormat::decode`] and the slots.
    fn take_line(&mut self, _format: &CsvFormat, _bytes: &[u8], _ends: &[usize]) -> bool {
        false
    }
}

/// Records appended as rows, each decoded into `values` first.
struct ToRows<'a> {
    rows: &'a mut Vec<Row>,
    values: &'a mut [Value],
    count: usize,
}

impl Records for ToRows<'_> {
    fn slots(&mut self) -> &mut [Value] {
        self.values
    }

    fn keep(&mut self) {
        self.rows.push(self.values.iter_mut().map(std::mem::take).collect());
        self.count += 1;
    }

    fn count(&self) -> usize {
        self.count
    }
}

/// Records decoded straight into a reused scratch row shown to a sink.
struct ToSink<'a> {
    sink: &'a mut dyn RecordSink,
    scratch: ScratchRow,
    count: usize,
}

impl Records for ToSink<'_> {
    fn slots(&mut self) -> &mut [Value] {
        self.scratch.values_mut()
    }

    fn keep(&mut self) {
        self.sink.record(self.scratch.row_mut());
        self.count += 1;
    }

    fn count(&self) -> usize {
        self.count
    }
}

/// Records handed to an [`IntegerSink`] in batches of [`IntegerRows`]: a simple line's
/// integers parsed straight from its bytes, any other record decoded into `values` first.
struct ToIntegers<'a> {
    sink: &'a mut dyn IntegerSink,
    fields: &'a IntegerFields,
    rows: &'a mut IntegerRows,
    values: &'a mut [Value],
    /// One row of integers, as decoded.
    scratch: [i64; IntegerRows::MAX_WIDTH],
    count: usize,
}

/// Rows of integers handed to the sink at a time.
const INTEGER_BATCH: usize = 512;

impl ToIntegers<'_> {
    fn push(&mut self, nulls: u64) {
        self.rows.push(&self.scratch[..self.fields.len()], nulls);
        self.count += 1;
        if self.rows.len() >= INTEGER_BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if !self.rows.is_empty() {
            self.sink.rows(self.rows);
            self.rows.clear();
        }
    }
}

impl Records for ToIntegers<'_> {
    fn slots(&mut self) -> &mut [Value] {
        self.values
    }

    fn keep(&mut self) {
        let mut nulls = 0;
        for (i, c) in self.fields.indices().enumerate() {
            // The format checked that each column is INT or BIGINT.
            self.scratch[i] = match self.values.get(c) {
                Some(Value::BigInt(v)) => *v,
                Some(Value::Int(v)) => i64::from(*v),
                _ => {
                    nulls |= 1 << i;
                    0
                }
            };
        }
        self.push(nulls);
    }

    fn count(&self) -> usize {
        self.count
    }

    #[inline]
    fn take_line(&mut self, format: &CsvFormat, bytes: &[u8], ends: &[usize]) -> bool {
        match format.decode_integers(bytes, ends, self.fields, &mut self.scratch) {
            Some(nulls) => {
                self.push(nulls);
                true
            }
            None => false,
        }
    }
}

/// What a step of reading the current file ended with.
enum Step {
    /// It can go on.
    More,
    /// The file is read.
    Done,
}

impl CsvReader {
    /// A reader of the segments in `queue`.
    pub fn new(format: Arc<CsvFormat>, queue: SegmentQueue) -> CsvReader {
        let values = vec![Value::Null; format.width()];
        let lines = format.line_buffer();
        CsvReader { format, queue, current: None, lines, record: ByteRecord::new(), values, skipped: 0, scratch: None, integers: IntegerRows::new(0) }
    }

    /// Reads records by lines into `out` until it holds `max_rows` rows, the file ends, or a
    /// line needs the `csv` crate (then hands the file to it).
    fn read_lines(&mut self, out: &mut impl Records, max_rows: usize) -> Result<Step, RuntimeError> {
        let CsvReader { format, current: Some(cur), lines, skipped, .. } = self else { return Ok(Step::Done) };
        let Mode::Lines { input } = &mut cur.mode else { return Ok(Step::Done) };
        while out.count() < max_rows {
            match lines.next(input).map_err(|e| io_error(&cur.path, e))? {
                Line::End => return Ok(Step::Done),
                Line::Complex { start } => {
                    cur.switch_to_records(format, start, lines).map_err(|e| io_error(&cur.path, e))?;
                    return Ok(Step::More);
                }
                Line::Record { .. } if cur.skip_header => cur.skip_header = false,
                Line::Record { bytes, ends, .. } if out.take_line(format, bytes, ends) => {}
                Line::Record { start, end, bytes, ends } => {
                    let decoded = format.decode(fields(bytes, ends), out.slots());
                    keep_or_skip(decoded, format, out, skipped, &cur.path, (start, end))?;
                }
            }
        }
        Ok(Step::More)
    }

    /// Reads one record with the `csv` crate into `out` (or skips it); back to lines once its
    /// stretch of the file is read.
    fn read_record(&mut self, out: &mut impl Records) -> Result<Step, RuntimeError> {
        let CsvReader { format, current: Some(cur), lines, record, skipped, .. } = self else { return Ok(Step::Done) };
        let Mode::Records { reader, from, until } = &mut cur.mode else { return Ok(Step::Done) };
        let end = *from + reader.position().byte();
        if end >= *until {
            cur.switch_to_lines(lines).map_err(|e| io_error(&cur.path, e))?;
            return Ok(Step::More);
        }
        match reader.read_byte_record(record) {
            Ok(true) => {}
            Ok(false) => return Ok(Step::Done),
            Err(e) => return Err(RuntimeError::Io { context: cur.path.display().to_string(), message: e.to_string() }),
        }
        let start = *from + record.position().map_or(0, |p| p.byte());
        let end = *from + reader.position().byte();
        let first_line = record.position().map_or(0, |p| p.line());
        // A record that spans lines (or the blank lines before it do), or that runs into the
        // end of the input (where the `csv` crate ends an open quote without a word): check
        // its quotes.
        if reader.position().line() > first_line + 1 || end >= cur.input_end {
            let bytes = read_range(&cur.path, start, end).map_err(|e| io_error(&cur.path, e))?;
            match format.scan(&bytes) {
                Span::OneLine => {}
                Span::Lines if cur.whole_file => {}
                Span::Lines => {
                    let message = "a quoted field spans lines, which is supported only in files read whole by one worker (up to 16 MiB); this file is split between workers".to_string();
                    return Err(RuntimeError::BadRecord { location: record_location(&cur.path, start, end, format.comment()), message });
                }
                Span::Broken { message, next_line } => {
                    if !format.ignore_parse_errors() {
                        return Err(RuntimeError::BadRecord { location: record_location(&cur.path, start, end, format.comment()), message });
                    }
                    *skipped += 1;
                    cur.skip_header = false;
                    cur.reopen_at(format, start + next_line as u64).map_err(|e| io_error(&cur.path, e))?;
                    return Ok(Step::More);
                }
            }
        }
        if cur.skip_header {
            cur.skip_header = false;
            return Ok(Step::More);
        }
        let decoded = format.decode(record.iter(), out.slots());
        keep_or_skip(decoded, format, out, skipped, &cur.path, (start, end))?;
        Ok(Step::More)
    }
}

impl CsvReader {
    /// Reads up to `max_rows` more records into `out`.
    fn read(&mut self, out: &mut impl Records, max_rows: usize) -> Result<SourcePoll, RuntimeError> {
        let first = out.count();
        let max_rows = first + max_rows;
        while out.count() < max_rows {
            let step = match self.current.as_ref().map(|cur| &cur.mode) {
                None => match self.queue.open_next()? {
                    Some(range) => {
                        self.current = Some(CurrentFile::open(&self.format, range, &mut self.lines));
                        continue;
                    }
                    None if out.count() == first => return Ok(SourcePoll::Finished),
                    None => break,
                },
                Some(Mode::Lines { .. }) => self.read_lines(out, max_rows)?,
                Some(_) => self.read_record(out)?,
            };
            if let Step::Done = step {
                self.current = None;
            }
        }
        Ok(SourcePoll::Ready)
    }
}

impl SourceReader for CsvReader {
    fn poll(&mut self, out: &mut Vec<Row>, max_rows: usize) -> Result<SourcePoll, RuntimeError> {
        let mut values = std::mem::take(&mut self.values);
        let polled = self.read(&mut ToRows { rows: out, values: &mut values, count: 0 }, max_rows);
        self.values = values;
        polled
    }

    /// Decodes each record into one reused scratch row.
    fn poll_records(&mut self, sink: &mut dyn RecordSink, max_records: usize) -> Result<SourcePoll, RuntimeError> {
        let scratch = self.scratch.take().unwrap_or_else(|| ScratchRow::new(self.format.width()));
        let mut out = ToSink { sink, scratch, count: 0 };
        let polled = self.read(&mut out, max_records);
        self.scratch = Some(out.scratch);
        polled
    }

    /// Parses the integers of simple lines straight from the read buffer.
    fn poll_integers(&mut self, columns: &[usize], sink: &mut dyn IntegerSink, max_records: usize) -> Option<Result<SourcePoll, RuntimeError>> {
        let fields = self.format.integer_fields(columns)?;
        let mut values = std::mem::take(&mut self.values);
        let mut rows = std::mem::replace(&mut self.integers, IntegerRows::new(0));
        if rows.width() != fields.len() {
            rows = IntegerRows::new(fields.len());
        }
        let mut out = ToIntegers { sink, fields: &fields, rows: &mut rows, values: &mut values, scratch: [0; IntegerRows::MAX_WIDTH], count: 0 };
        let polled = self.read(&mut out, max_records);
        out.flush();
        (self.values, self.integers) = (values, rows);
        Some(polled)
    }

    fn offset(&self) -> SourceOffset {
        match &self.current {
            Some(cur) => FileOffset { file: cur.file, pos: cur.position(&self.lines) }.to_source_offset(),
            None => self.queue.pending_offset().to_source_offset(),
        }
    }

    fn skipped_records(&self) -> u64 {
        self.skipped
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
/// After a record's fields were decoded into the slots of `out` (`decoded`): the record kept;
/// or, for a bad record (bytes `start..end` of `path`), an error naming it, or under
/// `csv.ignore-parse-errors` the record counted in `skipped`.
fn keep_or_skip(
    decoded: Result<(), String>,
    format: &CsvFormat,
    out: &mut impl Records,
    skipped: &mut u64,
    path: &Path,
    (start, end): (u64, u64),
) -> Result<(), RuntimeError> {
    match decoded {
        Ok(()) => out.keep(),
        Err(message) => {
            if !format.ignore_parse_errors() {
                let location = record_location(path, start, end, format.comment());
                return Err(RuntimeError::BadRecord { location, message: bounded_message(message) });
            }
            *skipped += 1;
        }
    }
    Ok(())
}

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

#[cfg(test)]
#[path = "csv_reader_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "csv_integers_tests.rs"]
mod integers_tests;
