//! The kind of change a changelog row carries, as Flink prints it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A changelog row's kind: `+I` insert, `-U` the old row of an update, `+U` the new row of an
/// update, `-D` delete.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RowKind {
    /// `+I`.
    Insert,
    /// `-U`.
    UpdateBefore,
    /// `+U`.
    UpdateAfter,
    /// `-D`.
    Delete,
}

impl RowKind {
    /// The short form: `+I`, `-U`, `+U`, `-D`.
    pub fn short(&self) -> &'static str {
        match self {
            RowKind::Insert => "+I",
            RowKind::UpdateBefore => "-U",
            RowKind::UpdateAfter => "+U",
            RowKind::Delete => "-D",
        }
    }

    /// True for kinds that add a row (`+I`, `+U`).
    pub fn is_addition(&self) -> bool {
        matches!(self, RowKind::Insert | RowKind::UpdateAfter)
    }
}

impl fmt::Display for RowKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.short())
    }
}
