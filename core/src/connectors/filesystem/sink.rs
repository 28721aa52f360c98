//! The `filesystem` sink: an insert-only changelog written as CSV or JSON lines into new files
//! in the directory `path`, one part file per worker that has rows (Flink's `FileSink`),
//! each published atomically.
//!
//! Every worker writes its share of the rows: worker `w` writes to a hidden
//! `.part-<run>-<w>.<ext>.inprogress` file (which the `filesystem` source skips), created
//! when its first row arrives, so a worker without rows leaves no file; [`SinkWriter::finish`]
//! flushes, syncs and renames it to `part-<run>-<w>.<ext>`, where `<run>` (the clock and the
//! process id when the writer was opened) keeps the files of successive runs of the same
//! validated job apart. A job that fails or is cancelled leaves no
//! visible file (the temporary one is removed on drop). Only `+I` changes are accepted: an
//! updating query needs an upsert sink (`print`, `collect`).
//!
//! Values are written so that the `filesystem` source reads them back: TIMESTAMP as
//! `2023-11-14 22:13:20.123` (Flink's SQL format), DATE as `2023-11-14`, DOUBLE as Java prints
//! it, DECIMAL as plain digits, intervals as their number of milliseconds / months. In CSV,
//! NULL is written as `csv.null-literal` (default: an empty field) and BYTES as raw bytes; in
//! JSON, numbers are JSON numbers (NaN and infinities as strings), BYTES as their text
//! (invalid UTF-8 replaced).

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::super::options::{bad_value, check_known, missing, parse_bool, parse_char};
use crate::connectors::{ConnectorError, Options, SinkContext, SinkFactory, SinkWriter, SinkWriters};
use crate::error::RuntimeError;
use crate::types::{Field, Row, RowKind, Schema, Value, format_double, format_float, temporal};

/// Options of the `filesystem` sink with format `csv`.
const CSV_OPTIONS: &[&str] = &["path", "format", "csv.field-delimiter", "csv.quote-character", "csv.disable-quote-character", "csv.null-literal"];
/// Options of the `filesystem` sink with format `json`.
const JSON_OPTIONS: &[&str] = &["path", "format"];

/// A checked `filesystem` sink configuration; [`FilesystemSink::writer`] makes the writer of
/// one worker.
#[derive(Clone, Debug)]
pub struct FilesystemSink {
    dir: PathBuf,
    columns: Vec<Field>,
    format: SinkFormat,
}

#[derive(Clone, Debug)]
enum SinkFormat {
    Csv { delimiter: u8, quote: Option<u8>, null_literal: String },
    Json,
}

impl FilesystemSink {
    /// Checks `options` for a sink of rows of `schema`: `path` (a directory, created if
    /// missing; it must not be an existing file), `format` (`csv` or `json`) and, for CSV,
    /// `csv.field-delimiter`, `csv.quote-character`, `csv.disable-quote-character`,
    /// `csv.null-literal`.
    pub fn new(options: &Options, schema: &Schema) -> Result<FilesystemSink, ConnectorError> {
        let format_name = options.get("format").map(|f| f.trim().to_ascii_lowercase());
        let known = match format_name.as_deref() {
            None => return Err(missing("filesystem", "format")),
            Some("csv") => CSV_OPTIONS,
            Some("json") => JSON_OPTIONS,
            Some(_) => return Err(bad_value("format", &options["format"], "'csv' or 'json'")),
        };
        check_known("filesystem", options, known, |k| known.contains(&k))?;
        let path = options.get("path").ok_or_else(|| missing("filesystem", "path"))?;
        let dir = PathBuf::from(path.strip_prefix("file://").unwrap_or(path));
        if dir.is_file() {
            return Err(ConnectorError::option("path", format!("sink path '{}' is a file; the filesystem sink writes files into a directory", dir.display())));
        }
        let format = if format_name.as_deref() == Some("json") {
            SinkFormat::Json
        } else {
            let disable_quote = parse_bool(options, "csv.disable-quote-character", false)?;
            let quote = parse_char(options, "csv.quote-character", b'"')?;
            SinkFormat::Csv {
                delimiter: parse_char(options, "csv.field-delimiter", b',')?,
                quote: (!disable_quote).then_some(quote),
                null_literal: options.get("csv.null-literal").cloned().unwrap_or_default(),
            }
        };
        Ok(FilesystemSink { dir, columns: schema.fields.clone(), format })
    }

    /// The writer of worker `worker`. It touches the file system only when its first row
    /// arrives (creating the directory and the hidden in-progress file); rows become visible
    /// on [`SinkWriter::finish`].
    pub fn writer(&self, worker: usize) -> FilesystemSinkWriter {
        let ext = if matches!(self.format, SinkFormat::Json) { "json" } else { "csv" };
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let name = format!("part-{nanos:x}-{:x}-{worker}.{ext}", std::process::id());
        let final_path = self.dir.join(&name);
        let temp_path = self.dir.join(format!(".{name}.inprogress"));
        FilesystemSinkWriter { sink: self.clone(), encoder: None, finished: false, temp_path, final_path, field: Vec::new() }
    }

    /// Creates the directory and the hidden in-progress file at `temp_path`.
    fn create(&self, temp_path: &Path) -> Result<Encoder, RuntimeError> {
        let io_err = |p: &Path, e: std::io::Error| RuntimeError::Io { context: format!("filesystem sink {}", p.display()), message: e.to_string() };
        fs::create_dir_all(&self.dir).map_err(|e| io_err(&self.dir, e))?;
        let file = File::create(temp_path).map_err(|e| io_err(temp_path, e))?;
        let out = BufWriter::with_capacity(256 << 10, file);
        Ok(match &self.format {
            SinkFormat::Csv { delimiter, quote, null_literal } => {
                let writer = ::csv::WriterBuilder::new()
                    .delimiter(*delimiter)
                    .quote(quote.unwrap_or(b'"'))
                    .quote_style(if quote.is_some() { ::csv::QuoteStyle::Necessary } else { ::csv::QuoteStyle::Never })
                    .from_writer(out);
                Encoder::Csv { writer: Box::new(writer), null_literal: null_literal.clone() }
            }
            SinkFormat::Json => Encoder::Json { out, line: String::new() },
        })
    }
}

impl SinkFactory for FilesystemSink {
    fn writers(&self) -> SinkWriters {
        SinkWriters::EveryWorker
    }

    fn open(&self, _sink_id: &str, worker: usize, _ctx: &SinkContext) -> Result<Box<dyn SinkWriter>, RuntimeError> {
        Ok(Box::new(self.writer(worker)))
    }
}

enum Encoder {
    Csv { writer: Box<::csv::Writer<BufWriter<File>>>, null_literal: String },
    Json { out: BufWriter<File>, line: String },
}

/// Writes one worker's part file of a `filesystem` sink (see the module doc).
pub struct FilesystemSinkWriter {
    sink: FilesystemSink,
    /// `None` before the first row and once finished.
    encoder: Option<Encoder>,
    finished: bool,
    temp_path: PathBuf,
    final_path: PathBuf,
    /// Reused buffer for one CSV field.
    field: Vec<u8>,
}

impl FilesystemSinkWriter {
    /// Where the file appears once finished.
    pub fn final_path(&self) -> &Path {
        &self.final_path
    }

    fn io_err(&self, e: impl std::fmt::Display) -> RuntimeError {
        RuntimeError::Io { context: format!("filesystem sink {}", self.final_path.display()), message: e.to_string() }
    }

    fn write_row(&mut self, row: &Row) -> Result<(), RuntimeError> {
        if self.finished {
            return Err(self.io_err("write after finish"));
        }
        if self.encoder.is_none() {
            self.encoder = Some(self.sink.create(&self.temp_path)?);
        }
        let result = match self.encoder.as_mut() {
            None => return Err(self.io_err("no file to write to")),
            Some(Encoder::Csv { writer, null_literal }) => {
                for value in row.values() {
                    self.field.clear();
                    match value {
                        Value::Null => self.field.extend_from_slice(null_literal.as_bytes()),
                        Value::Bytes(b) => self.field.extend_from_slice(b),
                        other => self.field.extend_from_slice(text(other).as_bytes()),
                    }
                    if let Err(e) = writer.write_field(&self.field) {
                        return Err(self.io_err(e));
                    }
                }
                writer.write_record(None::<&[u8]>).map_err(|e| e.to_string())
            }
            Some(Encoder::Json { out, line }) => {
                line.clear();
                line.push('{');
                for (i, (value, column)) in row.values().iter().zip(&self.sink.columns).enumerate() {
                    if i > 0 {
                        line.push(',');
                    }
                    line.push_str(&json_string(&column.name));
                    line.push(':');
                    line.push_str(&json_value(value));
                }
                line.push_str("}\n");
                out.write_all(line.as_bytes()).map_err(|e| e.to_string())
            }
        };
        result.map_err(|e| self.io_err(e))
    }
}

/// The text of a non-NULL value as written into files (see the module doc).
fn text(value: &Value) -> String {
    match value {
        Value::Timestamp(ms) | Value::TimestampLtz(ms) => temporal::format_timestamp(*ms).replacen('T', " ", 1),
        Value::IntervalDayTime(ms) => ms.to_string(),
        Value::IntervalYearMonth(m) => m.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => other.to_string(),
    }
}

fn json_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

fn json_value(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Boolean(b) => b.to_string(),
        Value::Int(_) | Value::BigInt(_) | Value::Decimal(_) | Value::IntervalDayTime(_) | Value::IntervalYearMonth(_) => text(value),
        Value::Double(d) if d.get().is_finite() => format_double(d.get()),
        Value::Float(d) if d.get().is_finite() => format_float(d.get()),
        other => json_string(&text(other)),
    }
}

impl SinkWriter for FilesystemSinkWriter {
    fn write(&mut self, changes: &[(RowKind, Row)]) -> Result<(), RuntimeError> {
        for (kind, row) in changes {
            if *kind != RowKind::Insert {
                return Err(self.io_err(format!(
                    "the filesystem sink is append-only and cannot write an update or delete ({kind}[{row}]); write updating results to an upsert sink such as 'print' or 'collect'"
                )));
            }
            self.write_row(row)?;
        }
        Ok(())
    }

    /// Publishes the part file; a writer that never had a row leaves none.
    fn finish(&mut self) -> Result<(), RuntimeError> {
        self.finished = true;
        let file = match self.encoder.take() {
            None => return Ok(()),
            Some(Encoder::Csv { writer, .. }) => writer.into_inner().map_err(|e| e.to_string()).and_then(|w| w.into_inner().map_err(|e| e.to_string())),
            Some(Encoder::Json { out, .. }) => out.into_inner().map_err(|e| e.to_string()),
        }
        .map_err(|e| self.io_err(e))?;
        file.sync_all().map_err(|e| self.io_err(e))?;
        drop(file);
        fs::rename(&self.temp_path, &self.final_path).map_err(|e| self.io_err(e))
    }
}

impl Drop for FilesystemSinkWriter {
    /// An unfinished file (failed or cancelled job) is removed, never published.
    fn drop(&mut self) {
        if self.encoder.take().is_some() {
            let _ = fs::remove_file(&self.temp_path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::create_source;
    use crate::connectors::testing::{opts, read_all, schema};
    use crate::types::{DataType, Decimal};
    use std::sync::Arc;

    fn all_types() -> (Schema, Vec<Row>) {
        let s = schema(&[
            ("i", DataType::Int),
            ("b", DataType::BigInt),
            ("d", DataType::Double),
            ("m", DataType::Decimal { precision: 10, scale: 2 }),
            ("s", DataType::String),
            ("y", DataType::Bytes),
            ("f", DataType::Boolean),
            ("day", DataType::Date),
            ("ts", DataType::Timestamp),
            ("ltz", DataType::TimestampLtz),
            ("dt", DataType::IntervalDayTime),
            ("ym", DataType::IntervalYearMonth),
        ]);
        let row = |i: i32, s: &str| {
            Row::new(vec![
                Value::Int(i),
                Value::BigInt(i64::from(i) * 1_000_000_007),
                Value::double(f64::from(i) / 3.0 * 1e7),
                Value::Decimal(Decimal::new(i128::from(i) * 12345, 2)),
                Value::string(s),
                Value::Bytes(Arc::from(s.as_bytes())),
                Value::Boolean(i % 2 == 0),
                Value::Date(19_000 + i),
                Value::Timestamp(1_700_000_000_123 + i64::from(i)),
                Value::TimestampLtz(1_700_000_000_000),
                Value::IntervalDayTime(93_784_005),
                Value::IntervalYearMonth(-14),
            ])
        };
        let mut nulls = vec![Value::Null; 12];
        // With the default null literal (an empty field), NULL reads back as NULL in every
        // column but STRING and BYTES, where an empty field is an empty value.
        nulls[4] = Value::string("n");
        nulls[5] = Value::Bytes(Arc::from(&b""[..]));
        (s, vec![row(1, "plain"), row(-2, "with, comma and \"quotes\"\nand a newline"), Row::new(nulls)])
    }

    #[test]
    fn round_trips_through_the_source() {
        let (s, rows) = all_types();
        for format in ["csv", "json"] {
            let dir = tempfile::tempdir().unwrap();
            let o = opts(&[("path", dir.path().to_str().unwrap()), ("format", format)]);
            let mut writer = FilesystemSink::new(&o, &s).unwrap().writer(0);
            let changes: Vec<(RowKind, Row)> = rows.iter().map(|r| (RowKind::Insert, r.clone())).collect();
            writer.write(&changes[..1]).unwrap();
            writer.write(&changes[1..]).unwrap();
            // Not visible to readers before finish.
            assert!(read_all(create_source("filesystem", &o, &s).unwrap().as_ref(), 1, 10).unwrap().is_empty());
            writer.finish().unwrap();
            assert!(writer.final_path().exists());
            assert_eq!(read_all(create_source("filesystem", &o, &s).unwrap().as_ref(), 1, 10).unwrap(), rows, "{format}");
        }
    }

    #[test]
    fn rejects_updates_and_cleans_up_unfinished_files() {
        let (s, rows) = all_types();
        let dir = tempfile::tempdir().unwrap();
        let o = opts(&[("path", dir.path().to_str().unwrap()), ("format", "csv")]);
        let mut writer = FilesystemSink::new(&o, &s).unwrap().writer(0);
        let err = writer.write(&[(RowKind::UpdateBefore, rows[0].clone())]).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
        drop(writer);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        let err = FilesystemSink::new(&opts(&[("path", "x"), ("format", "json"), ("csv.null-literal", "")]), &s).unwrap_err();
        assert!(err.message.starts_with("unknown option 'csv.null-literal' for connector 'filesystem'"));
    }

    #[test]
    fn a_worker_without_rows_leaves_no_file() {
        let (s, rows) = all_types();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let o = opts(&[("path", out.to_str().unwrap()), ("format", "csv")]);
        let sink = FilesystemSink::new(&o, &s).unwrap();
        let (mut idle, mut busy) = (sink.writer(0), sink.writer(1));
        idle.write(&[]).unwrap();
        idle.finish().unwrap();
        assert!(!out.exists(), "not even the directory is created before a row arrives");
        busy.write(&[(RowKind::Insert, rows[0].clone())]).unwrap();
        busy.finish().unwrap();
        let names: Vec<String> = fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(names.len(), 1, "{names:?}");
        assert!(names[0].starts_with("part-") && names[0].ends_with("-1.csv"), "{names:?}");
    }
}
