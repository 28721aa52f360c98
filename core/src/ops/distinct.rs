//! `distinct`: each row once, however often it occurs (SELECT DISTINCT).

use super::Rows;

/// The set of rows of `input`, each with multiplicity one.
pub fn distinct<'s>(input: Rows<'s>) -> Rows<'s> {
    input.distinct()
}
