//! A hash table of aggregation groups for the local combiner, built so that folding a row
//! costs about one cache miss: each group is a row of plain 64-bit words in one flat arena —
//! its key, when the key is a single integer, then the states of the aggregates that have a
//! scalar form ([`ScalarKind`]: COUNT, integer SUM/MIN/MAX, DOUBLE SUM) — and the hash index
//! holds only group numbers, comparing keys in the arena row the fold touches next. The other
//! aggregates keep an [`Accumulator`] each in a second arena; a key that is not one integer is
//! a `Row` in an ordinary hash map.

use std::collections::HashMap;
use std::hash::BuildHasher;

use foldhash::fast::RandomState;
use hashbrown::HashTable;

use crate::types::{DataType, Row, Value};

use super::accumulate::Accumulator;
use super::accumulate_scalar::ScalarKind;
use super::aggregate::AggregateSlot;

/// Groups of one time and their aggregates' running states.
pub struct GroupTable {
    index: GroupIndex,
    slots: Vec<AggregateSlot>,
    /// Where each slot's state lives.
    cells: Vec<Cell>,
    /// Words per group in `words`: the integer key (integer index only), the "holds a value"
    /// bits of the nullable scalar states (when there are any), one word per scalar state.
    stride: usize,
    /// Position of the bits word in a group's row, when there is one.
    flags: Option<usize>,
    words: Vec<u64>,
    /// The general accumulators of a new group, in slot order.
    fresh: Vec<Accumulator>,
    general: Vec<Accumulator>,
    groups: usize,
}

/// Where one aggregate's state lives.
#[derive(Clone, Copy)]
enum Cell {
    /// A scalar state: word `word` of the group's row, its "holds a value" bit `bit`.
    Scalar { kind: ScalarKind, word: usize, bit: u32 },
    /// The `i`th general accumulator of the group.
    General(usize),
}

/// Group key → group number.
enum GroupIndex {
    /// Keys of exactly one INT/BIGINT value, kept in word 0 of the group's row (the NULL key
    /// apart).
    Integer { table: HashTable<usize>, hasher: RandomState, null: Option<usize>, int32: bool },
    /// Any other key, with the keys in group order for draining.
    General(HashMap<Row, usize, RandomState>),
}

/// Scalar states that need a "holds a value" bit beyond this many keep an [`Accumulator`].
const FLAG_BITS: u32 = u64::BITS;

impl GroupTable {
    /// An empty table for keys of types `key_types` and the aggregates `slots`.
    pub(super) fn new(slots: &[AggregateSlot], key_types: &[DataType]) -> GroupTable {
        let (index, key_words) = match key_types {
            [t @ (DataType::Int | DataType::BigInt)] => {
                (GroupIndex::Integer { table: HashTable::new(), hasher: RandomState::default(), null: None, int32: *t == DataType::Int }, 1)
            }
            _ => (GroupIndex::General(HashMap::default()), 0),
        };
        // A retracting slot differs only for FIRST_VALUE and LAST_VALUE, which have no scalar form.
        let kinds: Vec<Option<ScalarKind>> = slots.iter().map(|s| ScalarKind::of(s.function, s.output_type)).collect();
        let flagged = kinds.iter().flatten().filter(|k| k.nullable()).count();
        let flags = (flagged > 0).then_some(key_words);
        let (mut word, mut bit, mut fresh, mut cells) = (key_words + usize::from(flags.is_some()), 0, Vec::new(), Vec::new());
        for (slot, kind) in slots.iter().zip(kinds) {
            match kind {
                Some(kind) if !kind.nullable() || bit < FLAG_BITS => {
                    cells.push(Cell::Scalar { kind, word, bit });
                    word += 1;
                    bit += u32::from(kind.nullable());
                }
                _ => {
                    cells.push(Cell::General(fresh.len()));
                    fresh.push(slot.accumulator());
                }
            }
        }
        GroupTable { index, slots: slots.to_vec(), cells, stride: word, flags, words: Vec::new(), fresh, general: Vec::new(), groups: 0 }
    }

    /// Folds `copies` occurrences of a row into the group of `key`: each aggregate absorbs its
    /// input among the row's slot values `values`.
    pub fn add(&mut self, key: &[Value], values: &[Value], copies: isize) {
        let group = self.group_of(key);
        let row = &mut self.words[group * self.stride..(group + 1) * self.stride];
        let mut bits = self.flags.map_or(0, |f| row[f]);
        let general = &mut self.general[group * self.fresh.len()..(group + 1) * self.fresh.len()];
        for (cell, slot) in self.cells.iter().zip(&self.slots) {
            let value = slot.input(values);
            match *cell {
                Cell::Scalar { kind, word, bit } => {
                    let mask = 1u64 << bit;
                    if kind.add(&mut row[word], bits & mask != 0, value, copies) && kind.nullable() {
                        bits |= mask;
                    }
                }
                Cell::General(i) => general[i].add(value, copies),
            }
        }
        if let Some(f) = self.flags {
            row[f] = bits;
        }
    }

    /// The number of the group of `key`, created when new.
    fn group_of(&mut self, key: &[Value]) -> usize {
        let next = self.groups;
        let (words, stride) = (&self.words, self.stride);
        let found = match (&mut self.index, key) {
            (GroupIndex::Integer { table, hasher, .. }, [Value::BigInt(_) | Value::Int(_)]) => {
                let k = key[0].as_i64().unwrap_or(0);
                let hash = hasher.hash_one(k);
                match table.find(hash, |&g| words[g * stride] as i64 == k) {
                    Some(&g) => Some(g),
                    None => {
                        table.insert_unique(hash, next, |&g| hasher.hash_one(words[g * stride] as i64));
                        None
                    }
                }
            }
            (GroupIndex::Integer { null, .. }, _) => match null {
                // The plan types the key, so anything but an integer is NULL.
                Some(g) => Some(*g),
                None => {
                    *null = Some(next);
                    None
                }
            },
            (GroupIndex::General(groups), key) => match groups.get(key) {
                Some(g) => Some(*g),
                None => {
                    groups.insert(Row::new(key.to_vec()), next);
                    None
                }
            },
        };
        if let Some(group) = found {
            return group;
        }
        let start = self.words.len();
        self.words.resize(start + self.stride, 0);
        if let (GroupIndex::Integer { .. }, Some(k)) = (&self.index, key.first().and_then(Value::as_i64)) {
            self.words[start] = k as u64;
        }
        self.general.extend(self.fresh.iter().cloned());
        self.groups += 1;
        next
    }

    /// Every group's key and partial aggregates (one run of values per aggregate, as
    /// [`super::accumulate::partials`] writes them), in the order the groups arrived.
    pub fn drain(self) -> Vec<(Row, Row)> {
        let keys: Vec<Row> = match self.index {
            GroupIndex::Integer { null, int32, .. } => (0..self.groups)
                .map(|g| match (null == Some(g), self.words[g * self.stride] as i64) {
                    (true, _) => Row::new(vec![Value::Null]),
                    (false, k) if int32 => Row::new(vec![Value::Int(k as i32)]),
                    (false, k) => Row::new(vec![Value::BigInt(k)]),
                })
                .collect(),
            GroupIndex::General(groups) => {
                let mut keys: Vec<(usize, Row)> = groups.into_iter().map(|(k, g)| (g, k)).collect();
                keys.sort_unstable_by_key(|(g, _)| *g);
                keys.into_iter().map(|(_, k)| k).collect()
            }
        };
        let width = self.fresh.len();
        let mut values = Vec::new();
        keys.into_iter()
            .enumerate()
            .map(|(g, key)| {
                let row = &self.words[g * self.stride..(g + 1) * self.stride];
                let bits = self.flags.map_or(0, |f| row[f]);
                values.clear();
                for cell in &self.cells {
                    match *cell {
                        Cell::Scalar { kind, word, bit } => values.push(kind.partial(row[word], bits & (1u64 << bit) != 0)),
                        Cell::General(i) => self.general[g * width + i].partial(&mut values),
                    }
                }
                (key, values.drain(..).collect())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::accumulate::partials;
    use crate::plan::AggregateFunction as F;

    fn slots() -> Vec<AggregateSlot> {
        vec![
            AggregateSlot::new(F::Count, None, false, DataType::BigInt, false),
            AggregateSlot::new(F::Sum, Some(0), false, DataType::BigInt, false),
            AggregateSlot::new(F::Max, Some(0), false, DataType::BigInt, false),
            AggregateSlot::new(F::Min, Some(1), false, DataType::String, false),
            AggregateSlot::new(F::Avg, Some(0), false, DataType::BigInt, false),
        ]
    }

    /// Each group's partials as `key=partials`, sorted.
    fn drained(table: GroupTable) -> Vec<String> {
        let mut out: Vec<String> = table.drain().into_iter().map(|(k, p)| format!("{k}={p}")).collect();
        out.sort();
        out
    }

    #[test]
    fn groups_fold_as_the_general_accumulators_do() {
        let keys = [Value::Int(1), Value::Int(2), Value::Int(1), Value::Null, Value::Int(1)];
        let values = [
            [Value::BigInt(5), Value::string("b")],
            [Value::Null, Value::Null],
            [Value::BigInt(-2), Value::string("a")],
            [Value::BigInt(9), Value::string("z")],
            [Value::Null, Value::string("c")],
        ];
        // The reference: one general accumulator per aggregate and group.
        let mut expected: Vec<(Value, Vec<Accumulator>)> = Vec::new();
        for (k, v) in keys.iter().zip(&values) {
            let at = match expected.iter().position(|(e, _)| e == k) {
                Some(at) => at,
                None => {
                    expected.push((k.clone(), slots().iter().map(AggregateSlot::accumulator).collect()));
                    expected.len() - 1
                }
            };
            for (acc, slot) in expected[at].1.iter_mut().zip(slots()) {
                acc.add(slot.input(v), 2);
            }
        }
        let mut want: Vec<String> = expected.iter().map(|(k, accs)| format!("{}={}", Row::new(vec![k.clone()]), partials(accs))).collect();
        want.sort();
        for key_type in [DataType::Int, DataType::String] {
            let mut table = GroupTable::new(&slots(), &[key_type]);
            for (k, v) in keys.iter().zip(&values) {
                table.add(std::slice::from_ref(k), v, 2);
            }
            assert_eq!(drained(table), want, "keys of type {key_type}");
        }
    }

    #[test]
    fn integer_keys_come_back_with_their_type() {
        for (t, key) in [(DataType::Int, Value::Int(-7)), (DataType::BigInt, Value::BigInt(1 << 40))] {
            let mut table = GroupTable::new(&slots()[..1], &[t]);
            table.add(std::slice::from_ref(&key), &[], 1);
            table.add(&[Value::Null], &[], 1);
            let keys: Vec<Row> = table.drain().into_iter().map(|(k, _)| k).collect();
            assert_eq!(keys, [Row::new(vec![key]), Row::new(vec![Value::Null])]);
        }
    }
}
