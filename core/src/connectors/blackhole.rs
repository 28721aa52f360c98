//! The `blackhole` sink: discards everything (for benchmarks).

use crate::error::RuntimeError;
use crate::types::{Row, RowKind};

use super::sinks::SinkWriter;

/// Options of the `blackhole` connector.
pub const OPTIONS: &[&str] = &[];

/// Drops every change.
pub struct BlackholeSink;

impl SinkWriter for BlackholeSink {
    fn write(&mut self, _changes: &[(RowKind, Row)]) -> Result<(), RuntimeError> {
        Ok(())
    }
}
