//! Records handed over one by one: the way a reader gives its records to a source that
//! computes the Calc reading it ([`SourceReader::poll_records`](super::SourceReader::poll_records)),
//! so that only the rows passing that Calc are built, at their final width.
//!
//! A reader decodes each record into a [`ScratchRow`], one row of the source's width that it
//! overwrites record after record, and shows it to a [`RecordSink`]. A record the sink drops
//! costs no allocation of a row; a sink that keeps the record as it is clones the row (one
//! reference count), and the reader's next record then gets a fresh scratch row; a sink may
//! also move values out of it (a projection's plain columns), which the reader writes again
//! for the next record.

use crate::types::{Row, Value};

/// What takes a source's records one at a time.
pub trait RecordSink {
    /// Takes the record `row` (the source's width; columns no reader uses are NULL). The row
    /// is the reader's scratch: a sink keeping it clones it; a sink may move values out of it
    /// ([`Row::values_mut`], leaving NULLs), since the reader writes every column it builds
    /// again for its next record.
    fn record(&mut self, row: &mut Row);
}

/// One row of a source's width that a reader overwrites for each record it reads.
#[derive(Debug)]
pub struct ScratchRow {
    row: Row,
}

impl ScratchRow {
    /// A scratch row of `width` NULLs.
    pub fn new(width: usize) -> ScratchRow {
        ScratchRow { row: Row::nulls(width) }
    }

    /// The values to overwrite with the next record. They hold the previous record's values
    /// (a reader writes every column it builds; the others stay NULL), or NULLs when a sink kept
    /// the previous record, which then needs a row of its own.
    pub fn values_mut(&mut self) -> &mut [Value] {
        // A plain load tells whether a sink kept the row, so that only one atomic
        // read-modify-write (`Arc::get_mut`) is paid per record.
        if self.row.is_shared() {
            self.row = Row::nulls(self.row.len());
        }
        self.row.values_mut().unwrap_or_default()
    }

    /// The record as written so far.
    pub fn row(&self) -> &Row {
        &self.row
    }

    /// The record as written so far, for a [`RecordSink`].
    pub fn row_mut(&mut self) -> &mut Row {
        &mut self.row
    }
}

/// Overwrites a column of a scratch row with `value`. Most columns a reader overwrites hold a
/// NULL (a sink moved the value out, or the row is fresh), which needs no dropping: that case
/// skips the call to the value's drop code.
#[inline]
pub fn overwrite(slot: &mut Value, value: Value) {
    let old = std::mem::replace(slot, value);
    if matches!(old, Value::Null) {
        std::mem::forget(old);
    } else {
        drop(old);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scratch_row_is_reused_until_a_sink_keeps_it() {
        let mut scratch = ScratchRow::new(2);
        scratch.values_mut()[0] = Value::BigInt(1);
        let first = scratch.row().values().as_ptr();
        scratch.values_mut()[0] = Value::BigInt(2);
        assert_eq!(scratch.row().values().as_ptr(), first, "overwritten in place");
        let kept = scratch.row().clone();
        scratch.values_mut()[1] = Value::BigInt(3);
        assert_eq!(kept.values(), &[Value::BigInt(2), Value::Null], "the kept record stays as it was");
        assert_eq!(scratch.row().values(), &[Value::Null, Value::BigInt(3)], "the next one starts from NULLs");
    }
}
