//! The CSV format: its options, and how each field becomes a column's value, straight from
//! bytes (integers without any intermediate `String`). Records are split from the file by
//! [`super::csv_reader`]: simple lines by the fast path of [`super::csv_lines`], the others by
//! the `csv` crate.
//!
//! Empty fields and NULL follow Flink's CSV format (1.18 and later): a field equal to
//! `csv.null-literal` is NULL in any column; otherwise an empty field is the empty string in
//! a STRING column (empty bytes in BYTES) and NULL in a column of any other type.
//!
//! An ARRAY column holds its elements joined by `csv.array-element-delimiter` (`;` by default),
//! as Flink's CSV format writes them; each element reads by the rules above for the element
//! type (the null literal is a NULL element). MAP columns, which Flink's CSV format does not
//! have either, and ARRAYs of collections are refused.

use std::sync::Arc;

use ::csv::ReaderBuilder;

use super::csv_lines::LineBuffer;
use super::split::field_prefix;
use crate::connectors::options::{parse_bool, parse_char};
use crate::connectors::{ConnectorError, IntegerRows, Options, column_mask};
use crate::types::temporal::parse_timestamp_common;
use crate::types::{DataType, Field, Schema, Value, parse_value};

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
    /// Whether simple lines are split by the fast path (false only in tests that check it
    /// against the `csv` crate reading alone).
    fast_path: bool,
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
            fast_path: true,
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

    /// The `csv` crate's reader settings for this format.
    pub(super) fn builder(&self) -> ReaderBuilder {
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
            .buffer_capacity(64 << 10);
        builder
    }

    /// A buffer of the fast path for this format's delimiter, quote and comments.
    pub(super) fn line_buffer(&self) -> LineBuffer {
        LineBuffer::new(self.delimiter, self.quote, self.comments, self.fast_path)
    }

    /// The same format read by the `csv` crate alone, to check the fast path against.
    #[cfg(test)]
    pub(super) fn without_fast_path(&self) -> CsvFormat {
        CsvFormat { fast_path: false, ..self.clone() }
    }

    /// Whether a bad record is skipped and counted rather than an error.
    pub(super) fn ignore_parse_errors(&self) -> bool {
        self.ignore_parse_errors
    }

    /// Whether the first record of each file is a header, skipped.
    pub(super) fn ignore_first_line(&self) -> bool {
        self.ignore_first_line
    }

    /// The comment character, when comment lines are allowed.
    pub(super) fn comment(&self) -> Option<u8> {
        self.comments.then_some(b'#')
    }

    /// The number of columns (fields of a record).
    pub(super) fn width(&self) -> usize {
        self.columns.len()
    }

    /// Converts the `fields` of a record into `out`, one slot per column: the columns the plan
    /// reads are written, the others left as they are (NULL); on failure, the message names the
    /// column.
    pub(super) fn decode<'a>(&self, fields: impl ExactSizeIterator<Item = &'a [u8]>, out: &mut [Value]) -> Result<(), String> {
        if fields.len() != self.columns.len() {
            return Err(format!("expected {} fields, found {}", self.columns.len(), fields.len()));
        }
        for (((bytes, column), &read), slot) in fields.zip(&self.columns).zip(&self.read).zip(out) {
            if !read {
                continue;
            }
            // Integers, the most common columns, straight into their slot: moving each value
            // through the general path's `Result`s cost more than parsing it.
            if self.null_literal.is_none()
                && matches!(column.data_type, DataType::BigInt)
                && let Some(v) = parse_i64(bytes)
            {
                *slot = Value::BigInt(v);
                continue;
            }
            let value = self.decode_field(bytes, column.data_type).map_err(|m| format!("column {}: {m}", column.name))?;
            if value.is_null() && !column.nullable {
                return Err(format!("column {}: NULL in a NOT NULL column", column.name));
            }
            *slot = value;
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
            DataType::Timestamp => parse_timestamp_common(bytes).map_or_else(|| parse_text(bytes, data_type), |ms| Ok(Value::Timestamp(ms))),
            DataType::TimestampLtz => parse_timestamp_common(bytes).map_or_else(|| parse_text(bytes, data_type), |ms| Ok(Value::TimestampLtz(ms))),
            _ => parse_text(bytes, data_type),
        }
    }
}

/// The columns a reader of integers asks for (see [`CsvFormat::integer_fields`]).
#[derive(Clone, Debug)]
pub(super) struct IntegerFields {
    /// Per column asked for: its index, whether it is INT (else BIGINT), whether it may be NULL.
    columns: Vec<(usize, bool, bool)>,
}

impl IntegerFields {
    /// Columns asked for.
    pub(super) fn len(&self) -> usize {
        self.columns.len()
    }

    /// The index of each column asked for, in order.
    pub(super) fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.columns.iter().map(|&(c, _, _)| c)
    }
}

impl CsvFormat {
    /// The columns `columns` read as integers, when every one is INT or BIGINT and the format
    /// reads no other column (a bad value in a column read but not asked for must still fail).
    pub(super) fn integer_fields(&self, columns: &[usize]) -> Option<IntegerFields> {
        if columns.len() > IntegerRows::MAX_WIDTH || self.read.iter().enumerate().any(|(c, &read)| read && !columns.contains(&c)) {
            return None;
        }
        let columns = columns
            .iter()
            .map(|&c| {
                let field = self.columns.get(c)?;
                matches!(field.data_type, DataType::Int | DataType::BigInt).then_some((c, field.data_type == DataType::Int, field.nullable))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(IntegerFields { columns })
    }

    /// The integers of `fields`' columns in a simple line (`bytes`, its field ends `ends`, as
    /// [`super::csv_lines::Line::Record`] gives them) into `out`, returning the bits of the
    /// NULL ones; `None` for any line whose record [`CsvFormat::decode`] does not read the
    /// plain way (a wrong field count, a bad or out-of-range value, a NULL in a NOT NULL
    /// column), which is then decoded by it, to the same values or to its error.
    #[inline]
    pub(super) fn decode_integers(&self, bytes: &[u8], ends: &[usize], fields: &IntegerFields, out: &mut [i64]) -> Option<u64> {
        if ends.len() != self.columns.len() {
            return None;
        }
        let mut nulls = 0;
        for (i, (&(c, int32, nullable), slot)) in fields.columns.iter().zip(out).enumerate() {
            let start = if c == 0 { 0 } else { ends.get(c - 1)? + 1 };
            let field = bytes.get(start..*ends.get(c)?)?;
            let null = match &self.null_literal {
                Some(literal) => field.is_empty() || literal.as_slice() == field,
                None => field.is_empty(),
            };
            if null {
                if !nullable {
                    return None;
                }
                nulls |= 1 << i;
                *slot = 0;
                continue;
            }
            let v = parse_i64(field)?;
            if int32 && i32::try_from(v).is_err() {
                return None;
            }
            *slot = v;
        }
        Some(nulls)
    }
}

/// A field of type `data_type` read by [`parse_value`] (after checking its UTF-8).
fn parse_text(bytes: &[u8], data_type: DataType) -> Result<Value, String> {
    let fail = || format!("cannot parse {} as {data_type}", field_prefix(bytes));
    let text = std::str::from_utf8(bytes).map_err(|_| fail())?;
    parse_value(text, &data_type).map_err(|_| fail())
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
    // Up to 18 digits cannot overflow: no checked arithmetic per digit.
    if digits.len() <= 18 {
        let mut v: i64 = 0;
        for &c in digits {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            v = v * 10 + i64::from(d);
        }
        return Some(if negative { -v } else { v });
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

/// What the raw bytes of a record that spans lines say about its quotes.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Span {
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
    pub(super) fn scan(&self, bytes: &[u8]) -> Span {
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
        assert_eq!(parse_i64(b"999999999999999999"), Some(999_999_999_999_999_999));
        assert_eq!(parse_i64(b"-999999999999999999"), Some(-999_999_999_999_999_999));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-0"), Some(0));
        assert_eq!(parse_i64(b"12 3"), None);
    }
}
