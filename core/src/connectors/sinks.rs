//! The sink side of connectors: a [`SinkWriter`] receives a job's changelog, batch by batch.
//!
//! Every sink runs on one worker (worker 0), after the engine has consolidated the changes
//! of a completed time and turned them into Flink's row kinds; so a writer sees each change
//! once, in time order.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::error::RuntimeError;
use crate::types::{Row, RowKind, Schema};

use super::filesystem::sink::FilesystemSink;
use super::options::check_known;
use super::{blackhole, collect, print, ConnectorError, Options};

/// Where a job's output goes.
pub trait SinkWriter {
    /// Writes one batch of changes, in order.
    fn write(&mut self, changes: &[(RowKind, Row)]) -> Result<(), RuntimeError>;

    /// Called once after the last batch of a job that ended (not for a cancelled job).
    fn finish(&mut self) -> Result<(), RuntimeError> {
        Ok(())
    }
}

/// A destination for the changes of `collect` sinks chosen by whoever starts the job (the REST
/// server keeps them in its bounded result store), instead of [`CollectedRows`]' own memory.
pub trait CollectTarget: Send + Sync {
    /// Receives one batch of changes of sink `sink_id`, in order.
    fn extend(&self, sink_id: &str, changes: &[(RowKind, Row)]);
}

/// Rows collected by `collect` sinks, by sink id: what tests, the SDK and the REST API read.
/// One made by [`CollectedRows::forwarding_to`] keeps nothing itself: every change goes to
/// its target.
#[derive(Clone, Default)]
pub struct CollectedRows(Arc<Mutex<ChangesBySink>>, Option<Arc<dyn CollectTarget>>);

/// Changelogs by sink id.
type ChangesBySink = BTreeMap<String, Vec<(RowKind, Row)>>;

impl std::fmt::Debug for CollectedRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.1.is_some() { "CollectedRows(forwarding)" } else { "CollectedRows" })
    }
}

impl CollectedRows {
    /// Rows that are handed to `target` as they come, not kept here.
    pub fn forwarding_to(target: Arc<dyn CollectTarget>) -> CollectedRows {
        CollectedRows(Arc::default(), Some(target))
    }

    /// Appends changes to the rows of sink `sink_id` (or hands them to the target).
    pub fn extend(&self, sink_id: &str, changes: &[(RowKind, Row)]) {
        if let Some(target) = &self.1 {
            target.extend(sink_id, changes);
            return;
        }
        if let Ok(mut map) = self.0.lock() {
            map.entry(sink_id.to_string()).or_default().extend_from_slice(changes);
        }
    }

    /// The changes of sink `sink_id` from position `offset` on (for readers that follow a
    /// job's output as it grows).
    pub fn read_from(&self, sink_id: &str, offset: usize) -> Vec<(RowKind, Row)> {
        self.0.lock().ok().and_then(|m| m.get(sink_id).map(|rows| rows.get(offset..).unwrap_or_default().to_vec())).unwrap_or_default()
    }

    /// A copy of everything collected so far, by sink id.
    pub fn snapshot(&self) -> BTreeMap<String, Vec<(RowKind, Row)>> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

/// How `print` sinks write rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PrintFormat {
    /// Flink's changelog text: `+I[1, abc]`.
    #[default]
    Changelog,
    /// One JSON object per line: `{"op": "+I", "row": [1, "abc"]}` (the REST API's event shape).
    Json,
}

/// What a sink needs from the job that runs it.
#[derive(Clone, Default)]
pub struct SinkContext {
    /// Destination of `collect` sinks.
    pub collected: CollectedRows,
    /// Line format of `print` sinks.
    pub print_format: PrintFormat,
}

/// Sink connectors this build knows.
pub const SINK_CONNECTORS: &[&str] = &["print", "blackhole", "collect", "filesystem"];

/// Checks a sink's connector name and options before the job starts.
pub fn check_sink(connector: &str, options: &Options, schema: &Schema) -> Result<(), ConnectorError> {
    let known: &[&str] = match connector {
        "print" => print::OPTIONS,
        "blackhole" => blackhole::OPTIONS,
        "collect" => collect::OPTIONS,
        "filesystem" => return FilesystemSink::new(options, schema).map(|_| ()),
        other => {
            return Err(ConnectorError::general(format!(
                "unknown sink connector \"{other}\"; known: {}",
                SINK_CONNECTORS.join(", ")
            )))
        }
    };
    check_known(connector, options, known, |k| known.contains(&k))
}

/// Creates the writer of a checked sink whose input rows have `schema`.
pub fn create_sink(sink_id: &str, connector: &str, options: &Options, schema: &Schema, ctx: &SinkContext) -> Result<Box<dyn SinkWriter>, RuntimeError> {
    let invalid = |e: ConnectorError| RuntimeError::Io { context: format!("sink \"{sink_id}\""), message: e.message };
    match connector {
        "print" => Ok(Box::new(print::PrintSink::new(options, ctx.print_format))),
        "blackhole" => Ok(Box::new(blackhole::BlackholeSink)),
        "collect" => Ok(Box::new(collect::CollectSink::new(sink_id, ctx.collected.clone()))),
        "filesystem" => Ok(Box::new(FilesystemSink::new(options, schema).map_err(invalid)?.writer()?)),
        other => Err(RuntimeError::Worker(format!("sink connector \"{other}\" was not checked before the job started"))),
    }
}
