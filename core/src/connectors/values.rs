//! The `values` source: rows written in the job itself (SQL `VALUES`, the SDK's
//! `from_elements`, tests). Bounded; rows are dealt round-robin to the workers.

use std::sync::Arc;

use crate::error::RuntimeError;
use crate::types::Row;

use super::{Boundedness, SourceFactory, SourceOffset, SourcePoll, SourceReader};

/// A fixed list of rows.
pub struct ValuesSource {
    rows: Arc<Vec<Row>>,
}

impl ValuesSource {
    /// The connector name plan nodes of kind `values` show (it is no registered connector:
    /// its rows are written in the job, not configured by options).
    pub const NAME: &'static str = "values";

    /// A source producing `rows`.
    pub fn new(rows: Vec<Row>) -> ValuesSource {
        ValuesSource { rows: Arc::new(rows) }
    }
}

impl SourceFactory for ValuesSource {
    fn boundedness(&self) -> Boundedness {
        Boundedness::Bounded
    }

    fn open(&self, worker: usize, peers: usize, resume: Option<&SourceOffset>) -> Result<Box<dyn SourceReader>, RuntimeError> {
        let next = resume.and_then(|o| o.0.as_u64()).map(|n| n as usize).unwrap_or(worker);
        Ok(Box::new(ValuesReader { rows: Arc::clone(&self.rows), next, step: peers.max(1) }))
    }
}

/// One worker's share: rows `worker`, `worker + peers`, ...
struct ValuesReader {
    rows: Arc<Vec<Row>>,
    next: usize,
    step: usize,
}

impl SourceReader for ValuesReader {
    fn poll(&mut self, out: &mut Vec<Row>, max_rows: usize) -> Result<SourcePoll, RuntimeError> {
        while out.len() < max_rows {
            match self.rows.get(self.next) {
                Some(row) => out.push(row.clone()),
                None => return Ok(SourcePoll::Finished),
            }
            self.next += self.step;
        }
        Ok(if self.next >= self.rows.len() { SourcePoll::Finished } else { SourcePoll::Ready })
    }

    fn offset(&self) -> SourceOffset {
        SourceOffset(serde_json::Value::from(self.next as u64))
    }
}
