//! The `blackhole` sink: discards everything (for benchmarks). It has no writer: the engine
//! only runs the job until the sink has seen all of its input, on every worker.

use std::sync::Arc;

use crate::error::RuntimeError;
use crate::types::Schema;

use super::options::check_known;
use super::registry::Connector;
use super::sinks::{SinkContext, SinkFactory, SinkOutput, SinkWriter, SinkWriters};
use super::{ConnectorError, Options};

/// The `blackhole` connector (no options).
pub struct BlackholeConnector;

impl Connector for BlackholeConnector {
    fn name(&self) -> &'static str {
        "blackhole"
    }

    fn sink_output(&self) -> Option<SinkOutput> {
        Some(SinkOutput::Discard)
    }

    fn create_sink(&self, options: &Options, _schema: &Schema) -> Result<Arc<dyn SinkFactory>, ConnectorError> {
        check_known(self.name(), options, &[], |_| false)?;
        Ok(Arc::new(BlackholeSink))
    }
}

/// Drops every change without a writer.
pub struct BlackholeSink;

impl SinkFactory for BlackholeSink {
    fn writers(&self) -> SinkWriters {
        SinkWriters::None
    }

    fn open(&self, sink_id: &str, _worker: usize, _ctx: &SinkContext) -> Result<Box<dyn SinkWriter>, RuntimeError> {
        Err(RuntimeError::Worker(format!("sink \"{sink_id}\" discards its rows and has no writer to open")))
    }
}
