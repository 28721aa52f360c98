//! The `collect` sink: keeps the changelog in memory for the caller (tests, the Python SDK,
//! the REST API's results endpoints).
//!
//! One writer (worker 0): each sink id has one changelog, in time order, that readers follow
//! by offset; in batch mode its final rows are in the order the query asked for.

use std::sync::Arc;

use crate::error::RuntimeError;
use crate::types::{Row, RowKind, Schema};

use super::options::check_known;
use super::registry::Connector;
use super::sinks::{CollectedRows, SinkContext, SinkFactory, SinkOutput, SinkSnapshot, SinkWriter, SinkWriters};
use super::{ConnectorError, Options};

/// The `collect` connector (no options).
pub struct CollectConnector;

impl Connector for CollectConnector {
    fn name(&self) -> &'static str {
        "collect"
    }

    fn sink_output(&self) -> Option<SinkOutput> {
        Some(SinkOutput::Caller)
    }

    fn create_sink(&self, options: &Options, _schema: &Schema) -> Result<Arc<dyn SinkFactory>, ConnectorError> {
        check_known(self.name(), options, &[], |_| false)?;
        Ok(Arc::new(CollectSinkFactory))
    }
}

/// A checked `collect` sink.
struct CollectSinkFactory;

impl SinkFactory for CollectSinkFactory {
    fn writers(&self) -> SinkWriters {
        SinkWriters::One
    }

    fn open(&self, sink_id: &str, _worker: usize, ctx: &SinkContext) -> Result<Box<dyn SinkWriter>, RuntimeError> {
        Ok(Box::new(CollectSink::new(sink_id, ctx.collected.clone())))
    }
}

/// Appends every change to the job's [`CollectedRows`] under the sink's id.
pub struct CollectSink {
    sink_id: String,
    rows: CollectedRows,
}

impl CollectSink {
    /// A sink collecting into `rows` under `sink_id`.
    pub fn new(sink_id: &str, rows: CollectedRows) -> CollectSink {
        CollectSink { sink_id: sink_id.to_string(), rows }
    }
}

/// With checkpoints, changes are staged and published when the checkpoint after them
/// completes ([`CollectedRows::stage_until_committed`]), so that a job restarted from a
/// checkpoint does not show the rows it writes again twice.
impl SinkWriter for CollectSink {
    fn write(&mut self, changes: &[(RowKind, Row)]) -> Result<(), RuntimeError> {
        self.rows.write(&self.sink_id, changes);
        Ok(())
    }

    fn finish(&mut self) -> Result<(), RuntimeError> {
        self.rows.publish(&self.sink_id, u64::MAX);
        Ok(())
    }

    fn snapshot(&mut self, checkpoint: u64) -> Result<SinkSnapshot, RuntimeError> {
        self.rows.seal(&self.sink_id, checkpoint);
        Ok(SinkSnapshot::default())
    }

    fn commit(&mut self, checkpoint: u64) -> Result<(), RuntimeError> {
        self.rows.publish(&self.sink_id, checkpoint);
        Ok(())
    }
}
