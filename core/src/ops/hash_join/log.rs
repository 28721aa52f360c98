//! The buffered input of a batch hash join: one input's updates in arrival order, each with
//! its key's hash, encoded into an [`Arena`] (the key, then the row). When both inputs have
//! ended, the input that is hashed is decoded whole; the other is read in order, and one of
//! its updates is decoded only when a key of the table has its hash: most of a large input
//! that few rows of the other match (a join with an aggregate's result) is never decoded.

use crate::expr::EvalError;
use crate::types::{Row, Value, decode_row_values};

use super::super::Time;
use super::JoinKey;
use super::arena::{Arena, Location, corrupt};

/// One input's updates, in arrival order (see the module's doc).
#[derive(Default)]
pub(super) struct UpdateLog {
    /// Each update's key hash and where it is in `arena`.
    updates: Vec<(u64, Location)>,
    arena: Arena,
}

/// One decoded update: its key, row, time and multiplicity.
pub(super) type Decoded = (JoinKey, Row, Time, isize);

impl UpdateLog {
    /// Appends an update of `key`, whose hash is `hash`: `row` at `time` with multiplicity `diff`.
    pub(super) fn push(&mut self, hash: u64, key: &JoinKey, row: &Row, time: Time, diff: isize) {
        let key_values = match key {
            JoinKey::One(value) => std::slice::from_ref(value),
            JoinKey::Many(values) => values.values(),
        };
        let at = self.arena.push(time, diff, &[key_values, row.values()]);
        self.updates.push((hash, at));
    }

    /// How many updates it holds.
    pub(super) fn len(&self) -> usize {
        self.updates.len()
    }

    /// Whether it holds no update.
    pub(super) fn is_empty(&self) -> bool {
        self.updates.is_empty()
    }

    /// The key hash of each update, in arrival order, with where it is.
    pub(super) fn updates(&self) -> impl Iterator<Item = (u64, Location)> + '_ {
        self.updates.iter().copied()
    }

    /// The update at `at` (`scratch` holds values while decoding).
    pub(super) fn decode(&self, at: Location, scratch: &mut Vec<Value>) -> Result<Decoded, EvalError> {
        let (time, diff, mut rest) = self.arena.get(at)?;
        decode_row_values(&mut rest, scratch).map_err(|e| corrupt(&e.0))?;
        let key = match scratch.as_mut_slice() {
            [one] => JoinKey::One(std::mem::take(one)),
            many => JoinKey::Many(many.iter_mut().map(std::mem::take).collect()),
        };
        decode_row_values(&mut rest, scratch).map_err(|e| corrupt(&e.0))?;
        Ok((key, scratch.drain(..).collect(), time, diff))
    }
}

#[cfg(test)]
mod tests {
    use differential_dataflow::Hashable;

    use super::super::arena::CHUNK_BYTES;
    use super::*;

    #[test]
    fn updates_come_back_in_order_as_they_went_in() {
        let mut log = UpdateLog::default();
        let long = "y".repeat(CHUNK_BYTES / 3);
        let keys = [JoinKey::One(Value::BigInt(7)), JoinKey::Many(Row::new(vec![Value::string("a"), Value::Null])), JoinKey::One(Value::string(&long))];
        let mut pushed = Vec::new();
        for (i, key) in keys.iter().cycle().take(9).enumerate() {
            let row = Row::new(vec![Value::BigInt(i as i64), Value::string(&long), Value::Null]);
            let (time, diff) = (Time { epoch: 2, ms: 10 * i as u64 }, if i == 3 { -2 } else { 1 });
            log.push(key.hashed(), key, &row, time, diff);
            pushed.push((key.hashed(), (key.clone(), row, time, diff)));
        }
        assert_eq!(log.len(), 9);
        assert!(log.arena.chunks() >= 2, "updates spill into further chunks");
        let mut scratch = Vec::new();
        let read: Vec<_> = log.updates().map(|(hash, at)| (hash, log.decode(at, &mut scratch).unwrap())).collect();
        assert_eq!(read, pushed);
    }
}
