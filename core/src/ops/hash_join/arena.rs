//! Updates encoded back to back in chunks of 1 MiB: how the hash joins hold the rows they
//! keep, at their encoded size (about a third of a row's in memory), with no allocation per
//! row or value, freed a chunk at a time.

use crate::expr::EvalError;
use crate::types::{Value, encode_row_values};

use super::super::Time;

/// Bytes of one chunk: updates are appended to the last chunk until it holds this many.
pub(super) const CHUNK_BYTES: usize = 1 << 20;

/// Where an update is in an [`Arena`].
#[derive(Clone, Copy, Debug)]
pub(super) struct Location {
    /// Its chunk.
    chunk: u32,
    /// Its first byte in that chunk.
    offset: u32,
}

/// Encoded updates, each a time, a multiplicity and one or more rows of values.
#[derive(Default)]
pub(super) struct Arena {
    chunks: Vec<Vec<u8>>,
    /// The update being encoded, before it is copied to a chunk.
    encoding: Vec<u8>,
}

impl Arena {
    /// Appends the update `rows` (each encoded as a row of values, in order) at `time` with
    /// multiplicity `diff`; where it is.
    pub(super) fn push(&mut self, time: Time, diff: isize, rows: &[&[Value]]) -> Location {
        let bytes = &mut self.encoding;
        bytes.clear();
        bytes.extend_from_slice(&time.epoch.to_le_bytes());
        bytes.extend_from_slice(&time.ms.to_le_bytes());
        bytes.extend_from_slice(&(diff as i64).to_le_bytes());
        for values in rows {
            encode_row_values(values, bytes);
        }
        if self.chunks.last().is_none_or(|chunk| chunk.capacity() - chunk.len() < bytes.len()) {
            self.chunks.push(Vec::with_capacity(CHUNK_BYTES.max(bytes.len())));
        }
        let chunk = self.chunks.len() - 1;
        let last = &mut self.chunks[chunk];
        let offset = last.len();
        last.extend_from_slice(bytes);
        // Offsets fit: a chunk holds one update of any size, or updates within 1 MiB.
        Location { chunk: chunk as u32, offset: offset as u32 }
    }

    /// The time and multiplicity of the update at `at`, and the bytes from its rows on (to be
    /// read with `decode_row_values`, one row after another).
    pub(super) fn get(&self, at: Location) -> Result<(Time, isize, &[u8]), EvalError> {
        let bytes =
            self.chunks.get(at.chunk as usize).and_then(|chunk| chunk.get(at.offset as usize..)).ok_or_else(|| corrupt("an update outside its memory"))?;
        let (epoch, rest) = bytes.split_first_chunk::<8>().ok_or_else(|| corrupt("a truncated time"))?;
        let (ms, rest) = rest.split_first_chunk::<8>().ok_or_else(|| corrupt("a truncated time"))?;
        let (diff, rest) = rest.split_first_chunk::<8>().ok_or_else(|| corrupt("a truncated multiplicity"))?;
        Ok((Time { epoch: u64::from_le_bytes(*epoch), ms: u64::from_le_bytes(*ms) }, i64::from_le_bytes(*diff) as isize, rest))
    }

    /// How many chunks it has.
    #[cfg(test)]
    pub(super) fn chunks(&self) -> usize {
        self.chunks.len()
    }
}

/// The error of a join whose own state does not decode (a bug, not bad input).
pub(super) fn corrupt(what: &str) -> EvalError {
    EvalError::new(format!("internal error: the join's state holds {what}"))
}
