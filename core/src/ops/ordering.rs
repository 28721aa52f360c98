//! Comparing rows by ORDER BY keys (direction and NULL placement per key).

use std::cmp::Ordering;

use crate::types::Value;

/// Direction and NULL placement of one sort key.
#[derive(Clone, Copy, Debug)]
pub struct SortSpec {
    /// Larger values first.
    pub descending: bool,
    /// NULLs before all other values.
    pub nulls_first: bool,
}

/// Compares two lists of key values under `specs` (one spec per key).
pub fn compare_by(a: &[Value], b: &[Value], specs: &[SortSpec]) -> Ordering {
    for ((x, y), spec) in a.iter().zip(b).zip(specs) {
        let ord = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if spec.nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, true) => {
                if spec.nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (false, false) => {
                let o = x.cmp(y);
                if spec.descending { o.reverse() } else { o }
            }
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}
