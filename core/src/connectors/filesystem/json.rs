//! Reading JSON lines into rows: one JSON object per line (Flink's `json` format), fields
//! matched to columns by name. Blank lines are skipped.
//!
//! How JSON values become column values:
//! * `null` or a missing field → NULL (a missing field fails instead with
//!   `json.fail-on-missing-field`);
//! * numbers → INT, BIGINT, DOUBLE, DECIMAL (exactly, from the number's text), INTERVAL types
//!   (milliseconds, months), TIMESTAMP/TIMESTAMP_LTZ (epoch milliseconds), DATE (days);
//! * strings → any type, read as the CSV format reads text (`"42"` is a valid BIGINT,
//!   `"2023-11-14 22:13:20"` a TIMESTAMP); into BYTES as their UTF-8 bytes;
//! * booleans → BOOLEAN;
//! * into a STRING column, any non-string value (number, boolean, nested object or array) is
//!   kept as its JSON text; into any other column a nested object or array is an error.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Take};
use std::path::PathBuf;
use std::sync::Arc;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value as Json;

use super::split::{FileOffset, OpenRange, SegmentQueue, bounded_message, location};
use crate::connectors::options::parse_bool;
use crate::connectors::{ConnectorError, Options, SourceOffset, SourcePoll, SourceReader, column_mask};
use crate::error::RuntimeError;
use crate::types::{DataType, Field, Row, Schema, Value, value_from_json};

/// How to read JSON lines: the `json.*` options and the columns.
#[derive(Clone, Debug)]
pub struct JsonFormat {
    columns: Vec<Field>,
    /// Per column, whether a reader of the plan uses it: the others are NULL, their fields
    /// skipped as unknown ones are.
    read: Vec<bool>,
    ignore_parse_errors: bool,
    fail_on_missing_field: bool,
}

impl JsonFormat {
    /// The options of the `json` format.
    pub const OPTIONS: &'static [&'static str] = &["json.ignore-parse-errors", "json.fail-on-missing-field"];

    /// Reads the `json.*` options.
    pub fn new(options: &Options, schema: &Schema) -> Result<JsonFormat, ConnectorError> {
        let ignore_parse_errors = parse_bool(options, "json.ignore-parse-errors", false)?;
        let fail_on_missing_field = parse_bool(options, "json.fail-on-missing-field", false)?;
        if ignore_parse_errors && fail_on_missing_field {
            return Err(ConnectorError::option(
                "json.fail-on-missing-field",
                "'json.fail-on-missing-field' and 'json.ignore-parse-errors' cannot both be true",
            ));
        }
        Ok(JsonFormat { columns: schema.fields.clone(), read: vec![true; schema.len()], ignore_parse_errors, fail_on_missing_field })
    }

    /// The same format converting only `columns` (see [`SourceFactory::project`]): the fields
    /// of the other columns are skipped as unknown fields are (their JSON syntax is still
    /// checked, their values are not converted and a missing one is no error), as in Flink's
    /// JSON format with a projection.
    ///
    /// [`SourceFactory::project`]: crate::connectors::SourceFactory::project
    pub fn projected(&self, columns: &[usize]) -> JsonFormat {
        JsonFormat { read: column_mask(self.columns.len(), columns), ..self.clone() }
    }

    /// Converts one line (without its line break) into `out`; on failure, the message names
    /// the column.
    fn decode(&self, line: &[u8], slots: &mut Vec<Option<Json>>, out: &mut Vec<Value>) -> Result<(), String> {
        slots.clear();
        slots.resize(self.columns.len(), None);
        let mut de = serde_json::Deserializer::from_slice(line);
        ColumnsSeed { columns: &self.columns, read: &self.read, slots }
            .deserialize(&mut de)
            .and_then(|()| de.end())
            .map_err(|e| format!("invalid JSON object: {e}"))?;
        for ((column, slot), &read) in self.columns.iter().zip(slots.iter()).zip(&self.read) {
            let value = match slot {
                _ if !read => {
                    out.push(Value::Null);
                    continue;
                }
                None if self.fail_on_missing_field => return Err(format!("column {}: field is missing", column.name)),
                None => Value::Null,
                Some(json) => convert(json, column.data_type).map_err(|m| format!("column {}: {m}", column.name))?,
            };
            if value.is_null() && !column.nullable {
                return Err(format!("column {}: NULL in a NOT NULL column", column.name));
            }
            out.push(value);
        }
        Ok(())
    }
}

/// Reads a JSON object into one slot per column: keys are matched against column names
/// without allocating, values of other keys are skipped without being built.
struct ColumnsSeed<'a> {
    columns: &'a [Field],
    read: &'a [bool],
    slots: &'a mut Vec<Option<Json>>,
}

impl<'de> DeserializeSeed<'de> for ColumnsSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ColumnsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(column) = map.next_key_seed(KeySeed(self.columns))? {
            match column {
                Some(i) if self.read.get(i).copied().unwrap_or(false) => self.slots[i] = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// A key of the object: the index of the column of that name, if any.
struct KeySeed<'a>(&'a [Field]);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<usize>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|c| c.name == key))
    }
}

/// The value of type `data_type` that `json` stands for (see the module doc).
fn convert(json: &Json, data_type: DataType) -> Result<Value, String> {
    value_from_json(json, &data_type)
}

/// The file being read, with a buffered reader over its range.
struct CurrentFile {
    file: usize,
    path: PathBuf,
    /// Byte offset in the file of the next unread line.
    pos: u64,
    reader: BufReader<Take<File>>,
}

/// One worker's split of a JSON-lines source.
pub struct JsonReader {
    format: Arc<JsonFormat>,
    queue: SegmentQueue,
    current: Option<CurrentFile>,
    line: Vec<u8>,
    slots: Vec<Option<Json>>,
    values: Vec<Value>,
    skipped: u64,
}

impl JsonReader {
    /// A reader of the segments in `queue`.
    pub fn new(format: Arc<JsonFormat>, queue: SegmentQueue) -> JsonReader {
        let values = Vec::with_capacity(format.columns.len());
        JsonReader { format, queue, current: None, line: Vec::new(), slots: Vec::new(), values, skipped: 0 }
    }
}

fn open(range: OpenRange) -> CurrentFile {
    CurrentFile { file: range.file, path: range.path, pos: range.from, reader: BufReader::with_capacity(256 << 10, range.reader) }
}

impl SourceReader for JsonReader {
    fn poll(&mut self, out: &mut Vec<Row>, max_rows: usize) -> Result<SourcePoll, RuntimeError> {
        let mut produced = 0;
        while produced < max_rows {
            let Some(cur) = self.current.as_mut() else {
                match self.queue.open_next()? {
                    Some(range) => self.current = Some(open(range)),
                    None if produced == 0 => return Ok(SourcePoll::Finished),
                    None => break,
                }
                continue;
            };
            self.line.clear();
            let n = cur
                .reader
                .read_until(b'\n', &mut self.line)
                .map_err(|e| RuntimeError::Io { context: cur.path.display().to_string(), message: e.to_string() })?;
            if n == 0 {
                self.current = None;
                continue;
            }
            let start = cur.pos;
            cur.pos += n as u64;
            let line = self.line.trim_ascii();
            if line.is_empty() {
                continue;
            }
            match self.format.decode(line, &mut self.slots, &mut self.values) {
                Ok(()) => {
                    out.push(self.values.drain(..).collect());
                    produced += 1;
                }
                Err(message) => {
                    self.values.clear();
                    if !self.format.ignore_parse_errors {
                        return Err(RuntimeError::BadRecord { location: location(&cur.path, start), message: bounded_message(message) });
                    }
                    self.skipped += 1;
                }
            }
        }
        Ok(SourcePoll::Ready)
    }

    fn offset(&self) -> SourceOffset {
        match &self.current {
            Some(cur) => FileOffset { file: cur.file, pos: cur.pos }.to_source_offset(),
            None => self.queue.pending_offset().to_source_offset(),
        }
    }

    fn skipped_records(&self) -> u64 {
        self.skipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_by_column_type() {
        let dec = DataType::Decimal { precision: 10, scale: 2 };
        assert_eq!(convert(&serde_json::json!(12.345), dec).map(|v| v.to_string()), Ok("12.35".to_string()));
        assert_eq!(convert(&serde_json::json!("7"), DataType::BigInt), Ok(Value::BigInt(7)));
        assert_eq!(convert(&serde_json::json!({"a": 1}), DataType::String), Ok(Value::string("{\"a\":1}")));
        assert_eq!(convert(&serde_json::json!(1.5), DataType::BigInt), Err("cannot parse \"1.5\" as BIGINT".to_string()));
        assert_eq!(convert(&serde_json::json!([1]), DataType::Int), Err("cannot parse \"[1]\" as INT".to_string()));
        assert_eq!(convert(&serde_json::json!(true), DataType::Boolean), Ok(Value::Boolean(true)));
    }
}
