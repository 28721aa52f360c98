//! The `collect` sink: keeps the changelog in memory for the caller (tests, the Python SDK,
//! the REST API's results endpoints).

use crate::error::RuntimeError;
use crate::types::{Row, RowKind};

use super::sinks::{CollectedRows, SinkWriter};

/// Options of the `collect` connector.
pub const OPTIONS: &[&str] = &[];

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

impl SinkWriter for CollectSink {
    fn write(&mut self, changes: &[(RowKind, Row)]) -> Result<(), RuntimeError> {
        self.rows.extend(&self.sink_id, changes);
        Ok(())
    }
}
