//! Connectors: where rows come from and where they go. One connector per module, each a
//! [`Connector`] in the [`registry`], chosen by the `connector` option as in Flink; the
//! registry is the one place that maps names to connectors.
//!
//! A source is split across workers: [`SourceFactory::open`] gives each worker its own
//! [`SourceReader`]. Readers report an [`SourceOffset`] so that a checkpoint can record how far
//! each split has read and recovery can resume from there.

mod blackhole;
mod collect;
mod computed;
mod print;
mod push;
mod records;
pub mod registry;
mod sinks;
mod values;

pub use computed::ComputedColumns;
pub use print::{changelog_line, json_line};
pub use push::{PushError, PushInput, PushLog, PushSource};
pub use records::{IntegerRows, IntegerSink, RecordSink, ScratchRow};
pub use registry::{Connector, create_sink, create_source};
pub use sinks::{CollectTarget, CollectedRows, PrintFormat, SinkContext, SinkFactory, SinkOutput, SinkRoute, SinkSnapshot, SinkWriter, SinkWriters};
pub use values::ValuesSource;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::RuntimeError;
use crate::types::Row;

pub mod datagen;
pub mod filesystem;
pub mod nexmark;
pub(crate) mod options;
#[cfg(test)]
mod testing;

/// Connector options as written in the spec or in SQL's `WITH (...)`.
pub type Options = BTreeMap<String, String>;

/// A connector was configured wrongly; found before the job starts.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConnectorError {
    /// The option at fault, when one is (`path`, `fields.id.kind`, ...).
    pub option: Option<String>,
    /// What is wrong and what would be right.
    pub message: String,
}

impl ConnectorError {
    /// An error about option `option`.
    pub fn option(option: &str, message: impl Into<String>) -> ConnectorError {
        ConnectorError { option: Some(option.to_string()), message: message.into() }
    }

    /// An error about the connector as a whole.
    pub fn general(message: impl Into<String>) -> ConnectorError {
        ConnectorError { option: None, message: message.into() }
    }
}

/// Whether a source ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Boundedness {
    /// The source has a last record (a file, `number-of-rows`).
    Bounded,
    /// The source may produce records forever.
    Unbounded,
}

/// How far one split of a source has read, opaque to the engine, stored in checkpoints.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceOffset(pub serde_json::Value);

/// What a poll of a [`SourceReader`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourcePoll {
    /// Rows were produced (possibly zero); poll again soon.
    Ready,
    /// Nothing to read now; poll again after this long (rate limits, monitored directories).
    Idle(Duration),
    /// This split has no more rows, ever. Rows appended by the same poll still count; the
    /// readers in this module only return `Finished` from a poll that appended none.
    Finished,
}

/// A configured source; shared by all workers, each of which opens its own split.
pub trait SourceFactory: Send + Sync {
    /// Whether the source ends.
    fn boundedness(&self) -> Boundedness;

    /// Opens the split of worker `worker` of `peers`, resuming after `resume` when given.
    fn open(&self, worker: usize, peers: usize, resume: Option<&SourceOffset>) -> Result<Box<dyn SourceReader>, RuntimeError>;

    /// The outside end of a [`push`](PushSource) source, through which whoever started the job
    /// hands it rows; `None` for every other connector.
    fn push_input(&self) -> Option<PushInput> {
        None
    }

    /// This source building only the columns `columns` (ascending indices into its schema,
    /// which a plan's readers use): every other column of its rows is NULL, neither parsed nor
    /// generated, so that a bad value there fails nothing. The rows keep their width, so the
    /// plan's column references stay as they are. `None` when the connector builds every
    /// column regardless (rows written in the spec, pushed rows).
    fn project(&self, _columns: &[usize]) -> Option<Arc<dyn SourceFactory>> {
        None
    }
}

/// For each of `width` columns, whether `columns` (a source's projection) lists it.
pub(crate) fn column_mask(width: usize, columns: &[usize]) -> Vec<bool> {
    let mut read = vec![false; width];
    for &c in columns {
        if let Some(slot) = read.get_mut(c) {
            *slot = true;
        }
    }
    read
}

/// One worker's split of a source. Not shared between threads.
pub trait SourceReader {
    /// Appends up to `max_rows` rows to `out`. A malformed record is an error naming its place
    /// (`path:line: column <name>: cannot parse "x" as BIGINT`), unless the source was told to
    /// skip such records, in which case it is counted in [`SourceReader::skipped_records`].
    fn poll(&mut self, out: &mut Vec<Row>, max_rows: usize) -> Result<SourcePoll, RuntimeError>;

    /// How far this split has read: resuming from it yields exactly the rows not yet returned.
    fn offset(&self) -> SourceOffset;

    /// Malformed records skipped so far.
    fn skipped_records(&self) -> u64 {
        0
    }

    /// Reads up to `max_records` records as [`SourceReader::poll`] does, handing each to `sink`
    /// instead of appending rows (a source computing the Calc that reads it). Readers that
    /// can decode a record into a [`ScratchRow`] do so; the default polls rows and hands them
    /// over. Offsets, skipped records and errors are those of `poll`.
    fn poll_records(&mut self, sink: &mut dyn RecordSink, max_records: usize) -> Result<SourcePoll, RuntimeError> {
        let mut rows = Vec::with_capacity(max_records.min(4096));
        let polled = self.poll(&mut rows, max_records);
        for mut row in rows {
            sink.record(&mut row);
        }
        polled
    }

    /// Reads up to `max_records` records as [`SourceReader::poll_records`] does, handing them
    /// to `sink` as rows of the integers of `columns` (see [`IntegerRows`]), when the reader can
    /// (every column asked for is INT or BIGINT, and the reader builds no other column); `None`
    /// when it cannot, having read nothing. Offsets, skipped records and errors are those of
    /// `poll`; every record read is handed over before it returns.
    fn poll_integers(&mut self, _columns: &[usize], _sink: &mut dyn IntegerSink, _max_records: usize) -> Option<Result<SourcePoll, RuntimeError>> {
        None
    }
}
