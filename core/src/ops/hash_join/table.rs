//! The state of a streaming hash join: one input's updates by join key, each update encoded
//! into a byte arena rather than held as a row.
//!
//! A streaming join of insert-only inputs keeps every row it saw, so its memory is its rows':
//! encoded back to back (about a third of a row's size in memory, and no allocation each), the
//! table's memory grows by its updates' bytes, and dropping it frees a few large blocks rather
//! than an allocation per value. A row is decoded only when a key of the other input finds it.

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

use crate::expr::EvalError;
use crate::types::{Row, Value, decode_row_values};

use super::super::Time;
use super::JoinKey;
use super::arena::{Arena, Location, corrupt};

/// One input's updates by join key (see the module's doc): each key's updates chained through
/// one list, latest first (no list of its own per key: most keys of a large input have a single
/// row). Keys are found by the hash they were exchanged by, stored beside them: no key is
/// hashed again, not even when the table grows.
#[derive(Default)]
pub(super) struct Table {
    /// Each key seen, with its hash and the index in `updates` of its last update.
    keys: HashTable<KeyChain>,
    /// Every update: where it is in `arena`, and the index of its key's update before it.
    updates: Vec<Located>,
    /// The updates' times, multiplicities and rows, encoded.
    arena: Arena,
}

/// One key of a [`Table`].
struct KeyChain {
    /// The key's hash ([`differential_dataflow::Hashable::hashed`]).
    hash: u64,
    /// The key.
    key: JoinKey,
    /// The index in [`Table::updates`] of its last update.
    last: usize,
}

/// Where one update of a [`Table`] is.
struct Located {
    /// Its place in the arena.
    at: Location,
    /// The index in [`Table::updates`] of the update of the same key before it.
    before: Option<usize>,
}

impl Table {
    /// Adds an update of `key`, whose hash is `hash`: `row` at `time` with multiplicity `diff`.
    pub(super) fn insert(&mut self, hash: u64, key: JoinKey, row: &Row, time: Time, diff: isize) {
        let index = self.updates.len();
        let before = match self.keys.entry(hash, |k| k.hash == hash && k.key == key, |k| k.hash) {
            Entry::Occupied(mut chain) => Some(std::mem::replace(&mut chain.get_mut().last, index)),
            Entry::Vacant(slot) => {
                slot.insert(KeyChain { hash, key, last: index });
                None
            }
        };
        let at = self.arena.push(time, diff, &[row.values()]);
        self.updates.push(Located { at, before });
    }

    /// Calls `f` with each update of `key` (whose hash is `hash`), latest first: its row's
    /// values (decoded into `scratch`), its time and its multiplicity.
    pub(super) fn for_each_update(
        &self,
        hash: u64,
        key: &JoinKey,
        scratch: &mut Vec<Value>,
        mut f: impl FnMut(&[Value], Time, isize),
    ) -> Result<(), EvalError> {
        let mut next = self.keys.find(hash, |k| k.hash == hash && k.key == *key).map(|k| k.last);
        while let Some(index) = next {
            let located = self.updates.get(index).ok_or_else(|| corrupt("an update index past the end"))?;
            let (time, diff, mut rest) = self.arena.get(located.at)?;
            decode_row_values(&mut rest, scratch).map_err(|e| corrupt(&e.0))?;
            f(scratch, time, diff);
            next = located.before;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::arena::CHUNK_BYTES;
    use super::*;

    fn key(k: i64) -> JoinKey {
        JoinKey::One(Value::BigInt(k))
    }

    fn updates(table: &Table, k: i64) -> Vec<(Vec<Value>, Time, isize)> {
        let mut seen = Vec::new();
        let mut scratch = Vec::new();
        let hash = differential_dataflow::Hashable::hashed(&key(k));
        table.for_each_update(hash, &key(k), &mut scratch, |values, time, diff| seen.push((values.to_vec(), time, diff))).unwrap();
        seen
    }

    #[test]
    fn each_key_finds_its_updates_latest_first() {
        let mut table = Table::default();
        let long = "x".repeat(CHUNK_BYTES / 3);
        for i in 0..8i64 {
            let row = Row::new(vec![Value::BigInt(i), Value::string(&long), Value::Null]);
            let k = key(i % 3);
            table.insert(differential_dataflow::Hashable::hashed(&k), k, &row, Time { epoch: 1, ms: i as u64 }, if i == 4 { -1 } else { 1 });
        }
        assert!(table.arena.chunks() >= 2, "rows spill into further chunks");
        let firsts = |k| updates(&table, k).iter().map(|(values, time, diff)| (values[0].clone(), time.ms, *diff)).collect::<Vec<_>>();
        assert_eq!(firsts(1), vec![(Value::BigInt(7), 7, 1), (Value::BigInt(4), 4, -1), (Value::BigInt(1), 1, 1)]);
        assert_eq!(firsts(0), vec![(Value::BigInt(6), 6, 1), (Value::BigInt(3), 3, 1), (Value::BigInt(0), 0, 1)]);
        assert_eq!(updates(&table, 5), vec![]);
        assert_eq!(updates(&table, 2)[0].0, vec![Value::BigInt(5), Value::string(&long), Value::Null]);
    }
}
