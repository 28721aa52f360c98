//! The `values` source: rows written in the job itself (SQL `VALUES`, the SDK's
//! `from_elements`, tests). Bounded; one worker reads them all, in order, as Flink's `VALUES`
//! and `from_elements` are non-parallel sources (so rows of one key keep their order through a
//! keyed exchange).

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

    fn open(&self, worker: usize, _peers: usize, resume: Option<&SourceOffset>) -> Result<Box<dyn SourceReader>, RuntimeError> {
        let start = if worker == 0 { 0 } else { self.rows.len() };
        let next = resume.and_then(|o| o.0.as_u64()).map(|n| n as usize).unwrap_or(start);
        Ok(Box::new(ValuesReader { rows: Arc::clone(&self.rows), next }))
    }
}

/// The reader of worker 0 (every row, from `next` on); other workers' readers start at the end.
struct ValuesReader {
    rows: Arc<Vec<Row>>,
    next: usize,
}

impl SourceReader for ValuesReader {
    fn poll(&mut self, out: &mut Vec<Row>, max_rows: usize) -> Result<SourcePoll, RuntimeError> {
        let end = out.len() + max_rows;
        while out.len() < end {
            match self.rows.get(self.next) {
                Some(row) => out.push(row.clone()),
                None => return Ok(SourcePoll::Finished),
            }
            self.next += 1;
        }
        Ok(if self.next >= self.rows.len() { SourcePoll::Finished } else { SourcePoll::Ready })
    }

    fn offset(&self) -> SourceOffset {
        SourceOffset(serde_json::Value::from(self.next as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::testing::{drain, split_and_resume};
    use crate::types::Value;

    fn rows(n: i64) -> ValuesSource {
        ValuesSource::new((0..n).map(|i| Row::new(vec![Value::BigInt(i)])).collect())
    }

    #[test]
    fn worker_zero_reads_every_row_in_order() {
        let source = rows(10);
        for peers in [1, 3] {
            let first: Vec<Row> = drain(source.open(0, peers, None).unwrap().as_mut(), 4).unwrap();
            assert_eq!(first, (0..10).map(|i| Row::new(vec![Value::BigInt(i)])).collect::<Vec<_>>());
            for w in 1..peers {
                assert!(drain(source.open(w, peers, None).unwrap().as_mut(), 4).unwrap().is_empty());
            }
        }
        let (head, offset, rest) = split_and_resume(&source, 0, 2, 6);
        assert_eq!((head.len(), offset.0.as_u64(), rest.len()), (6, Some(6), 4));
    }
}
