//! The `filesystem` source, with Flink's option names: CSV or JSON-lines files from a file or a
//! directory, split across workers by files and, for large files, by byte ranges
//! (see [`split`]).
//!
//! Options: `path` (required; a file, or a directory whose regular files are read recursively,
//! sorted by path, skipping names starting with `.` or `_`; a `file://` prefix is accepted),
//! `format` (required: `csv` or `json`), `source.monitor-interval` (a duration such as `'1 s'`:
//! keep watching the directory `path` and read each new file once — the source becomes
//! unbounded and never finishes; see [`monitor`]), and the format's options:
//!
//! * `csv`: `csv.field-delimiter` (default `,`; `\t` accepted), `csv.quote-character`
//!   (default `"`), `csv.disable-quote-character`, `csv.escape-character` (default none; quotes
//!   are escaped by doubling), `csv.allow-comments` (skip lines starting with `#`),
//!   `csv.null-literal` (a field equal to it is NULL), `csv.ignore-parse-errors`,
//!   `csv.ignore-first-line` (not Flink's: skip a header line at the start of each file),
//!   `csv.array-element-delimiter` (default `;`: between an ARRAY column's elements).
//!   An empty field is NULL in every column but STRING and BYTES (where it is empty), as in
//!   Flink. Columns are matched by position.
//! * `json`: `json.ignore-parse-errors`, `json.fail-on-missing-field` (default false: a missing
//!   field is NULL). See [`json`] for how JSON values become column values.
//!
//! The `filesystem` sink (CSV or JSON lines, insert-only, part files published atomically,
//! exactly once with checkpoints) is in [`sink`].
//!
//! Files up to 16 MiB are read whole by one worker; larger ones are cut into byte ranges read
//! in parallel (see [`split`]). In a file that is cut, a quoted CSV field must not contain a
//! line break. A UTF-8 byte order mark at the start of a file is skipped.
//!
//! A malformed record fails the job with `path:line: column <name>: ...`; with
//! `*.ignore-parse-errors` it is skipped and counted instead.

pub mod csv;
mod csv_lines;
pub mod csv_reader;
mod encode;
pub mod json;
pub mod monitor;
mod parts;
pub mod sink;
pub mod split;

#[cfg(test)]
mod quote_tests;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use self::csv::CsvFormat;
use self::csv_reader::CsvReader;
use self::json::{JsonFormat, JsonReader};
use self::monitor::MonitoredDirectory;
use self::sink::FilesystemSink;
use self::split::{DEFAULT_SPLIT_THRESHOLD, FileOffset, InputFile, SegmentQueue, list_files, plan_segments};
use super::options::{bad_value, check_known, missing, parse_duration};
use super::registry::{Connector, ConnectorRole, OptionPath, PathAccess};
use super::sinks::{SinkFactory, SinkOutput};
use super::{Boundedness, ConnectorError, Options, SourceFactory, SourceOffset, SourceReader};
use crate::error::RuntimeError;
use crate::types::Schema;

const COMMON: &[&str] = &["path", "format", MONITOR_INTERVAL];

/// The option that turns a directory source into a monitoring, unbounded one.
const MONITOR_INTERVAL: &str = "source.monitor-interval";

/// The `filesystem` connector: a source and a sink of CSV or JSON-lines files under `path`.
pub struct FilesystemConnector;

impl Connector for FilesystemConnector {
    fn name(&self) -> &'static str {
        "filesystem"
    }

    fn is_source(&self) -> bool {
        true
    }

    fn sink_output(&self) -> Option<SinkOutput> {
        Some(SinkOutput::External)
    }

    fn create_source(&self, options: &Options, schema: &Schema) -> Result<Arc<dyn SourceFactory>, ConnectorError> {
        Ok(Arc::new(FilesystemSource::new(options, schema)?))
    }

    fn create_sink(&self, options: &Options, schema: &Schema) -> Result<Arc<dyn SinkFactory>, ConnectorError> {
        Ok(Arc::new(FilesystemSink::new(options, schema)?))
    }

    /// `path`: read by the source (a file or a directory), written by the sink (a directory).
    fn paths<'o>(&self, options: &'o Options, role: ConnectorRole) -> Vec<OptionPath<'o>> {
        let access = match role {
            ConnectorRole::Source => PathAccess::Read,
            ConnectorRole::Sink => PathAccess::Write,
        };
        options.get_key_value("path").map(|(option, path)| OptionPath { option, path, access }).into_iter().collect()
    }
}

/// A configured `filesystem` source: the files listed when it was created and how to read them.
#[derive(Clone, Debug)]
pub struct FilesystemSource {
    files: Arc<Vec<InputFile>>,
    format: Format,
    split_threshold: u64,
    /// The directory to watch and how often, with `source.monitor-interval`.
    monitor: Option<(PathBuf, Duration)>,
}

#[derive(Clone, Debug)]
enum Format {
    Csv(Arc<CsvFormat>),
    Json(Arc<JsonFormat>),
}

impl Format {
    /// The same format decoding only `columns` (the others NULL).
    fn projected(&self, columns: &[usize]) -> Format {
        match self {
            Format::Csv(f) => Format::Csv(Arc::new(f.projected(columns))),
            Format::Json(f) => Format::Json(Arc::new(f.projected(columns))),
        }
    }

    /// A reader of the segments in `queue` in this format.
    fn reader(&self, queue: SegmentQueue) -> Box<dyn SourceReader> {
        match self {
            Format::Csv(f) => Box::new(CsvReader::new(Arc::clone(f), queue)),
            Format::Json(f) => Box::new(JsonReader::new(Arc::clone(f), queue)),
        }
    }
}

impl FilesystemSource {
    /// Checks `options` (unknown names, values, that `path` can be read) and lists the files.
    pub fn new(options: &Options, schema: &Schema) -> Result<FilesystemSource, ConnectorError> {
        let format_name = options.get("format").map(|f| f.trim().to_ascii_lowercase());
        let format_options: &[&str] = match format_name.as_deref() {
            None => return Err(missing("filesystem", "format")),
            Some("csv") => CsvFormat::OPTIONS,
            Some("json") => JsonFormat::OPTIONS,
            Some(_) => return Err(bad_value("format", &options["format"], "'csv' or 'json'")),
        };
        let known: Vec<&str> = COMMON.iter().chain(format_options).copied().collect();
        check_known("filesystem", options, &known, |k| known.contains(&k))?;
        let path = options.get("path").ok_or_else(|| missing("filesystem", "path"))?;
        let format = match format_name.as_deref() {
            Some("json") => Format::Json(Arc::new(JsonFormat::new(options, schema)?)),
            _ => Format::Csv(Arc::new(CsvFormat::new(options, schema)?)),
        };
        let path = PathBuf::from(path.strip_prefix("file://").unwrap_or(path));
        let files = list_files(&path).map_err(|e| ConnectorError::option("path", format!("cannot read path '{}': {e}", path.display())))?;
        let monitor = match parse_duration(options, MONITOR_INTERVAL)? {
            None => None,
            Some(d) if d.is_zero() => return Err(bad_value(MONITOR_INTERVAL, &options[MONITOR_INTERVAL], "a positive duration such as '1 s'")),
            Some(_) if !path.is_dir() => {
                return Err(ConnectorError::option(
                    MONITOR_INTERVAL,
                    format!("'{MONITOR_INTERVAL}' needs 'path' to be a directory, but '{}' is a file", path.display()),
                ));
            }
            Some(d) => Some((path, d)),
        };
        Ok(FilesystemSource { files: Arc::new(files), format, split_threshold: DEFAULT_SPLIT_THRESHOLD, monitor })
    }

    /// The same source, splitting files larger than `bytes` between workers (tests use small
    /// thresholds to exercise splitting on small files).
    pub fn with_split_threshold(mut self, bytes: u64) -> FilesystemSource {
        self.split_threshold = bytes;
        self
    }

    /// The files this source reads, in order.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|f| f.path.as_path())
    }
}

impl SourceFactory for FilesystemSource {
    fn boundedness(&self) -> Boundedness {
        if self.monitor.is_some() { Boundedness::Unbounded } else { Boundedness::Bounded }
    }

    fn open(&self, worker: usize, peers: usize, resume: Option<&SourceOffset>) -> Result<Box<dyn SourceReader>, RuntimeError> {
        if let Some((dir, interval)) = &self.monitor {
            return Ok(Box::new(MonitoredDirectory::new(dir.clone(), *interval, self.format.clone(), worker, peers, resume)?));
        }
        let resume = resume.map(FileOffset::from_source_offset).transpose()?;
        let segments = plan_segments(&self.files, self.split_threshold, worker, peers);
        let queue = SegmentQueue::new(Arc::clone(&self.files), segments, resume);
        Ok(self.format.reader(queue))
    }

    /// Only `columns` are converted from each record; the rest are split off (CSV) or
    /// skipped (JSON) unconverted, and are NULL.
    fn project(&self, columns: &[usize]) -> Option<Arc<dyn SourceFactory>> {
        Some(Arc::new(FilesystemSource { format: self.format.projected(columns), ..self.clone() }))
    }
}
