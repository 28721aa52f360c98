//! A row: an immutable, shared slice of values, cheap to clone, hash and send between workers.

use std::fmt;
use std::ops::Index;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::value::Value;

/// One record. Cloning shares the values (one reference-count increment); rows are compared,
/// ordered and hashed field by field, so they can be differential keys and values directly.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Row(Arc<[Value]>);

impl Row {
    /// A row holding `values`, in column order.
    pub fn new(values: Vec<Value>) -> Row {
        Row(values.into())
    }

    /// The row with no columns (the key of a global aggregate).
    pub fn empty() -> Row {
        Row(Arc::from(Vec::new()))
    }

    /// A row of `width` NULLs, built in one allocation: the row a writer fills in place
    /// ([`Row::values_mut`]) when it makes one value after another.
    pub fn nulls(width: usize) -> Row {
        Row((0..width).map(|_| Value::Null).collect())
    }

    /// The values, in column order.
    pub fn values(&self) -> &[Value] {
        &self.0
    }

    /// The values, writable in place while no clone of this row exists (a source's scratch
    /// row, overwritten record after record); `None` once the row is shared.
    pub fn values_mut(&mut self) -> Option<&mut [Value]> {
        Arc::get_mut(&mut self.0)
    }

    /// Whether another clone of this row exists, so that [`Row::values_mut`] gives `None`
    /// (a plain load of the reference count: cheaper than asking `values_mut`).
    pub fn is_shared(&self) -> bool {
        Arc::strong_count(&self.0) > 1
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when the row has no columns.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value of column `i`, or NULL when out of range.
    pub fn get(&self, i: usize) -> &Value {
        self.0.get(i).unwrap_or(&Value::Null)
    }

    /// A new row with the columns at `indices`, in that order.
    pub fn project(&self, indices: &[usize]) -> Row {
        Row(indices.iter().map(|&i| self.get(i).clone()).collect())
    }

    /// This row's columns followed by `other`'s.
    pub fn concat(&self, other: &Row) -> Row {
        Row(self.0.iter().chain(other.0.iter()).cloned().collect())
    }

    /// This row followed by `n` NULLs (the padding of an outer join).
    pub fn pad_nulls(&self, n: usize) -> Row {
        Row(self.0.iter().cloned().chain(std::iter::repeat_n(Value::Null, n)).collect())
    }

    /// `n` NULLs followed by this row.
    pub fn nulls_then(&self, n: usize) -> Row {
        Row(std::iter::repeat_n(Value::Null, n).chain(self.0.iter().cloned()).collect())
    }
}

impl std::borrow::Borrow<[Value]> for Row {
    /// Rows hash and compare like their value slices, so maps keyed by rows can be searched
    /// with a borrowed slice (no row built per lookup).
    fn borrow(&self) -> &[Value] {
        &self.0
    }
}

impl Index<usize> for Row {
    type Output = Value;
    fn index(&self, i: usize) -> &Value {
        self.get(i)
    }
}

impl From<Vec<Value>> for Row {
    fn from(values: Vec<Value>) -> Row {
        Row::new(values)
    }
}

impl FromIterator<Value> for Row {
    fn from_iter<I: IntoIterator<Item = Value>>(iter: I) -> Row {
        Row(iter.into_iter().collect())
    }
}

impl fmt::Debug for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{self}]")
    }
}

impl fmt::Display for Row {
    /// Fields joined by `, ` as Flink prints them (`1824, 5, null`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}
