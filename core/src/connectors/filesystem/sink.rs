//! The `filesystem` sink: an insert-only changelog written as CSV or JSON lines into new part
//! files in the directory `path`, published atomically (Flink's `FileSink`).
//!
//! Every worker writes its share of the rows into its own part files (see [`super::parts`] for
//! their names and life cycle), created when a row arrives, so a worker without rows leaves no
//! file. A part is written hidden and becomes visible by an atomic rename:
//!
//! * **Without checkpointing** one part per worker, published by [`SinkWriter::finish`] when
//!   the job ends (batch, or a streaming job whose sources all finished). A job that fails or
//!   is cancelled leaves no visible file (its hidden part is removed on drop). A streaming job
//!   that never ends publishes nothing: unlike Flink's, which then writes nothing visible at
//!   all, Weir still publishes at the end.
//! * **With checkpointing** (exactly once): [`SinkWriter::snapshot`] closes and syncs the part
//!   in progress at each checkpoint's cut (it becomes pending, and the next row starts a new
//!   part), [`SinkWriter::commit`] publishes the pending parts of completed checkpoints, and
//!   [`SinkWriter::restore`] publishes what the restored checkpoint left pending and removes
//!   the parts started after it. `finish` publishes everything at the end of the input.
//!
//! Only `+I` changes are accepted: an updating query needs an upsert sink (`print`,
//! `collect`).
//!
//! Values are written so that the `filesystem` source reads them back: TIMESTAMP as
//! `2023-11-14 22:13:20.123` (Flink's SQL format), DATE as `2023-11-14`, DOUBLE as Java prints
//! it, DECIMAL as plain digits, intervals as their number of milliseconds / months. In CSV,
//! NULL is written as `csv.null-literal` (default: an empty field) and BYTES as raw bytes; in
//! JSON, numbers are JSON numbers (NaN and infinities as strings), BYTES as their text
//! (invalid UTF-8 replaced).

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::super::options::{bad_value, check_known, missing, parse_bool, parse_char};
use super::encode::{Encoder, SinkFormat};
use super::parts::{PartFiles, PendingPart, WriterSnapshot, io_err, sync_dir};
use crate::connectors::{ConnectorError, Options, SinkContext, SinkFactory, SinkSnapshot, SinkWriter, SinkWriters};
use crate::error::RuntimeError;
use crate::types::{Field, Row, RowKind, Schema};

/// Options of the `filesystem` sink with format `csv`.
const CSV_OPTIONS: &[&str] =
    &["path", "format", "csv.field-delimiter", "csv.quote-character", "csv.disable-quote-character", "csv.null-literal", "csv.array-element-delimiter"];
/// Options of the `filesystem` sink with format `json`.
const JSON_OPTIONS: &[&str] = &["path", "format"];
/// Options of the `filesystem` sink with format `debezium-json`.
const DEBEZIUM_JSON_OPTIONS: &[&str] = &["path", "format"];

/// A checked `filesystem` sink configuration; [`FilesystemSink::writer`] makes the writer of
/// one worker.
#[derive(Clone, Debug)]
pub struct FilesystemSink {
    dir: PathBuf,
    columns: Vec<Field>,
    format: SinkFormat,
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
            Some("debezium-json") => DEBEZIUM_JSON_OPTIONS,
            Some(_) => return Err(bad_value("format", &options["format"], "'csv', 'json' or 'debezium-json'")),
        };
        check_known("filesystem", options, known, |k| known.contains(&k))?;
        let path = options.get("path").ok_or_else(|| missing("filesystem", "path"))?;
        let dir = PathBuf::from(path.strip_prefix("file://").unwrap_or(path));
        if dir.is_file() {
            return Err(ConnectorError::option("path", format!("sink path '{}' is a file; the filesystem sink writes files into a directory", dir.display())));
        }
        let format = if format_name.as_deref() == Some("json") {
            SinkFormat::Json
        } else if format_name.as_deref() == Some("debezium-json") {
            SinkFormat::DebeziumJson
        } else {
            super::csv::reject_collections(schema)?;
            let disable_quote = parse_bool(options, "csv.disable-quote-character", false)?;
            let quote = parse_char(options, "csv.quote-character", b'"')?;
            SinkFormat::Csv {
                delimiter: parse_char(options, "csv.field-delimiter", b',')?,
                quote: (!disable_quote).then_some(quote),
                null_literal: options.get("csv.null-literal").cloned().unwrap_or_default(),
                array_delimiter: super::csv::array_delimiter(options)?,
            }
        };
        Ok(FilesystemSink { dir, columns: schema.fields.clone(), format })
    }

    /// The writer of worker `worker`. It touches the file system only when its first row
    /// arrives (creating the directory and a hidden in-progress part) or when it restores.
    pub fn writer(&self, worker: usize) -> FilesystemSinkWriter {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let run = format!("{nanos:x}-{:x}", std::process::id());
        let parts = PartFiles { dir: self.dir.clone(), run, worker, ext: self.format.extension() };
        FilesystemSinkWriter { sink: self.clone(), parts, next_part: 0, current: None, pending: Vec::new(), finished: false }
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

/// The part being written: its encoder and visible name.
struct InProgress {
    encoder: Encoder,
    name: String,
}

/// Writes one worker's part files of a `filesystem` sink (see the module doc).
pub struct FilesystemSinkWriter {
    sink: FilesystemSink,
    parts: PartFiles,
    /// The number the next part gets.
    next_part: u64,
    current: Option<InProgress>,
    /// Closed at a checkpoint's cut, not yet published; in checkpoint order.
    pending: Vec<PendingPart>,
    finished: bool,
}

impl FilesystemSinkWriter {
    /// The directory the parts are written into.
    pub fn dir(&self) -> &Path {
        &self.parts.dir
    }

    fn err(&self, e: impl std::fmt::Display) -> RuntimeError {
        io_err(&self.parts.dir, e)
    }

    /// Creates the directory and the next hidden part.
    fn start_part(&mut self) -> Result<InProgress, RuntimeError> {
        fs::create_dir_all(&self.parts.dir).map_err(|e| self.err(e))?;
        let name = self.parts.name(self.next_part);
        let path = self.parts.hidden_path(&name);
        let file = File::create(&path).map_err(|e| io_err(&path, e))?;
        self.next_part += 1;
        Ok(InProgress { encoder: Encoder::new(file, &self.sink.format), name })
    }

    fn write_row(&mut self, kind: RowKind, row: &Row) -> Result<(), RuntimeError> {
        if self.finished {
            return Err(self.err("write after finish"));
        }
        if self.current.is_none() {
            self.current = Some(self.start_part()?);
        }
        let Some(current) = self.current.as_mut() else { return Err(self.err("no part to write to")) };
        let result = current.encoder.write_row(kind, row, &self.sink.columns);
        result.map_err(|e| io_err(&self.parts.hidden_path(&current.name), e))
    }

    /// Flushes and syncs the part in progress, if any; it becomes pending for `checkpoint`.
    /// Whether there was one.
    fn close_part(&mut self, checkpoint: u64) -> Result<bool, RuntimeError> {
        let Some(InProgress { encoder, name }) = self.current.take() else { return Ok(false) };
        let path = self.parts.hidden_path(&name);
        let file = encoder.into_file().map_err(|e| io_err(&path, e))?;
        let bytes = file.sync_all().and_then(|()| file.metadata()).map_err(|e| io_err(&path, e))?.len();
        self.pending.push(PendingPart { checkpoint, name, bytes });
        Ok(true)
    }

    /// Publishes the pending parts of checkpoints up to `checkpoint`, then syncs the directory.
    fn publish_up_to(&mut self, checkpoint: u64) -> Result<(), RuntimeError> {
        let ready = self.pending.iter().take_while(|p| p.checkpoint <= checkpoint).count();
        if ready == 0 {
            return Ok(());
        }
        for part in &self.pending[..ready] {
            self.parts.publish(part)?;
        }
        self.pending.drain(..ready);
        sync_dir(&self.parts.dir)
    }
}

impl SinkWriter for FilesystemSinkWriter {
    fn write(&mut self, changes: &[(RowKind, Row)]) -> Result<(), RuntimeError> {
        for (kind, row) in changes {
            if *kind != RowKind::Insert && !self.sink.format.is_changelog() {
                return Err(self.err(format!(
                    "the filesystem sink in format '{}' is append-only and cannot write an update or delete ({kind}[{row}]); use 'format' = 'debezium-json' for a changelog, or an upsert sink such as 'print' or 'collect'",
                    self.sink.format.extension()
                )));
            }
            self.write_row(*kind, row)?;
        }
        Ok(())
    }

    /// Publishes every part, pending or in progress; a writer that never had a row leaves none.
    fn finish(&mut self) -> Result<(), RuntimeError> {
        self.finished = true;
        self.close_part(u64::MAX)?;
        self.publish_up_to(u64::MAX)
    }

    /// Closes the part in progress (pending for `checkpoint`); the snapshot lists every part
    /// still pending and the number the next part gets.
    fn snapshot(&mut self, checkpoint: u64) -> Result<SinkSnapshot, RuntimeError> {
        if self.close_part(checkpoint)? {
            // The hidden file's name must survive a crash for restore to publish it.
            sync_dir(&self.parts.dir)?;
        }
        let snapshot = WriterSnapshot { run: self.parts.run.clone(), worker: self.parts.worker, next_part: self.next_part, pending: self.pending.clone() };
        serde_json::to_value(&snapshot).map(SinkSnapshot).map_err(|e| self.err(e))
    }

    fn commit(&mut self, checkpoint: u64) -> Result<(), RuntimeError> {
        self.publish_up_to(checkpoint)
    }

    /// Publishes the parts `snapshot` lists as pending and removes the hidden parts its writer
    /// started after it; this writer goes on with parts of its own run.
    fn restore(&mut self, snapshot: &SinkSnapshot) -> Result<(), RuntimeError> {
        if snapshot.0.is_null() {
            return Ok(());
        }
        let restored: WriterSnapshot = serde_json::from_value(snapshot.0.clone()).map_err(|e| self.err(format!("not a filesystem sink snapshot: {e}")))?;
        let theirs = PartFiles { run: restored.run.clone(), worker: restored.worker, ..self.parts.clone() };
        for part in &restored.pending {
            theirs.publish(part)?;
        }
        let removed = theirs.remove_after(&restored)?;
        if !restored.pending.is_empty() || !removed.is_empty() {
            sync_dir(&self.parts.dir)?;
        }
        Ok(())
    }
}

impl Drop for FilesystemSinkWriter {
    /// The part in progress of a failed or cancelled job is removed, never published. Pending
    /// parts stay: a restore from their checkpoint publishes them.
    fn drop(&mut self) {
        if let Some(current) = self.current.take() {
            drop(current.encoder);
            let _ = fs::remove_file(self.parts.hidden_path(&current.name));
        }
    }
}

#[cfg(test)]
#[path = "sink_tests.rs"]
mod tests;
