//! Helpers for the connector tests: options from pairs, reading a split or a whole source.

use super::{Options, SourceFactory, SourceOffset, SourcePoll, SourceReader};
use crate::error::RuntimeError;
use crate::types::{DataType, Field, Row, Schema};

/// Options from `(key, value)` pairs.
pub fn opts(pairs: &[(&str, &str)]) -> Options {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// A schema of nullable columns.
pub fn schema(columns: &[(&str, DataType)]) -> Schema {
    Schema::new(columns.iter().map(|(n, t)| Field::new(*n, *t)).collect())
}

/// Every row of `reader`, polling `batch` rows at a time until it finishes.
pub fn drain(reader: &mut dyn SourceReader, batch: usize) -> Result<Vec<Row>, RuntimeError> {
    let mut rows = Vec::new();
    loop {
        match reader.poll(&mut rows, batch)? {
            SourcePoll::Finished => return Ok(rows),
            SourcePoll::Ready => {}
            SourcePoll::Idle(d) => std::thread::sleep(d),
        }
    }
}

/// Every row of `source` read by `peers` workers, worker 0's rows first.
pub fn read_all(source: &dyn SourceFactory, peers: usize, batch: usize) -> Result<Vec<Row>, RuntimeError> {
    let mut rows = Vec::new();
    for w in 0..peers {
        rows.extend(drain(source.open(w, peers, None)?.as_mut(), batch)?);
    }
    Ok(rows)
}

/// Reads up to `n` rows from a fresh split, then its offset; then everything a reader resumed
/// from that offset reads. Returns (first part, offset, rest).
pub fn split_and_resume(source: &dyn SourceFactory, worker: usize, peers: usize, n: usize) -> (Vec<Row>, SourceOffset, Vec<Row>) {
    let mut reader = source.open(worker, peers, None).unwrap();
    let mut first = Vec::new();
    while first.len() < n {
        let before = first.len();
        let want = n - first.len();
        match reader.poll(&mut first, want).unwrap() {
            SourcePoll::Finished => break,
            SourcePoll::Idle(d) => std::thread::sleep(d),
            SourcePoll::Ready => assert!(first.len() >= before),
        }
    }
    let offset = reader.offset();
    let mut resumed = source.open(worker, peers, Some(&offset)).unwrap();
    let rest = drain(resumed.as_mut(), 3).unwrap();
    (first, offset, rest)
}

/// `rows` sorted, to compare multisets.
pub fn sorted(mut rows: Vec<Row>) -> Vec<Row> {
    rows.sort();
    rows
}

/// Checks that `source` projected on `columns` reads, with 1 and 3 workers, the rows it reads
/// whole with every other column NULL.
pub fn assert_projects(source: &dyn SourceFactory, columns: &[usize]) {
    let projected = source.project(columns).expect("the connector can project");
    for peers in [1, 3] {
        let whole = read_all(source, peers, 7).unwrap();
        let expected: Vec<Row> = whole
            .iter()
            .map(|row| row.values().iter().enumerate().map(|(c, v)| if columns.contains(&c) { v.clone() } else { crate::types::Value::Null }).collect())
            .collect();
        assert_eq!(read_all(projected.as_ref(), peers, 7).unwrap(), expected, "columns {columns:?}, {peers} workers");
    }
}
