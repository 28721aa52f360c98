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

/// Records as rows of integers: for each record, the values of some columns of the source
/// (all of them INT or BIGINT, in the order asked for, a column asked for twice given twice) as
/// `i64`s, and a bit per column saying it is NULL. A reader hands them over in batches to an
/// [`IntegerSink`] (see [`SourceReader::poll_integers`](super::SourceReader::poll_integers)),
/// which builds no [`Value`] per field.
#[derive(Debug)]
pub struct IntegerRows {
    width: usize,
    /// `width` values per row; a NULL column's value is 0.
    values: Vec<i64>,
    /// Per row, bit `i` set when its column `i` is NULL.
    nulls: Vec<u64>,
}

impl IntegerRows {
    /// Columns a batch holds at most (one NULL bit each in a word).
    pub const MAX_WIDTH: usize = u64::BITS as usize;

    /// An empty batch of rows of `width` columns (at most [`IntegerRows::MAX_WIDTH`]).
    pub fn new(width: usize) -> IntegerRows {
        IntegerRows { width, values: Vec::new(), nulls: Vec::new() }
    }

    /// Columns per row.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Rows it holds.
    pub fn len(&self) -> usize {
        self.nulls.len()
    }

    /// True when it holds no row.
    pub fn is_empty(&self) -> bool {
        self.nulls.is_empty()
    }

    /// The values of every row, `width` per row in row order (0 for a NULL).
    pub fn values(&self) -> &[i64] {
        &self.values
    }

    /// Per row, the bits of its NULL columns (bit `i`: column `i`).
    pub fn nulls(&self) -> &[u64] {
        &self.nulls
    }

    /// Appends a row: `values` (`width` of them) with the NULL bits `nulls`.
    #[inline]
    pub fn push(&mut self, values: &[i64], nulls: u64) {
        debug_assert_eq!(values.len(), self.width);
        self.values.extend_from_slice(values);
        self.nulls.push(nulls);
    }

    /// Forgets every row.
    pub fn clear(&mut self) {
        self.values.clear();
        self.nulls.clear();
    }
}

/// What takes a source's records as batches of [`IntegerRows`].
pub trait IntegerSink {
    /// Takes a batch of records, in the order read (the reader clears it afterwards).
    fn rows(&mut self, rows: &IntegerRows);
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
