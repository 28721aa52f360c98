//! A hash table of aggregation groups for the local combiner: accumulators live in one flat
//! arena (no allocation per group), and a key that is a single integer is stored inline, so a
//! lookup touches the table and the arena but never a heap-allocated key row.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use crate::types::{DataType, Row, Value};

use super::accumulate::Accumulator;

/// Groups and their accumulators, `width` accumulators per group.
pub struct GroupTable {
    width: usize,
    index: GroupIndex,
    accumulators: Vec<Accumulator>,
}

/// Group key → position of the group's accumulators in the arena.
enum GroupIndex {
    /// Keys of exactly one INT/BIGINT value (NULL kept apart).
    Integer { groups: HashMap<i64, usize, RandomState>, null: Option<usize>, int32: bool },
    /// Any other key.
    General(HashMap<Row, usize, RandomState>),
}

impl GroupTable {
    /// An empty table for keys of types `key_types`, `width` accumulators per group.
    pub fn new(width: usize, key_types: &[DataType]) -> GroupTable {
        let index = match key_types {
            [t @ (DataType::Int | DataType::BigInt)] => GroupIndex::Integer { groups: HashMap::default(), null: None, int32: *t == DataType::Int },
            _ => GroupIndex::General(HashMap::default()),
        };
        GroupTable { width, index, accumulators: Vec::new() }
    }

    /// The accumulators of group `key`, created by `fresh` when the group is new.
    pub fn group(&mut self, key: &[Value], fresh: impl Fn() -> Vec<Accumulator>) -> &mut [Accumulator] {
        let next = self.accumulators.len() / self.width.max(1);
        let (slot, created) = match (&mut self.index, key) {
            (GroupIndex::Integer { groups, .. }, [Value::BigInt(k)]) => lookup(groups.entry(*k), next),
            (GroupIndex::Integer { groups, .. }, [Value::Int(k)]) => lookup(groups.entry(i64::from(*k)), next),
            (GroupIndex::Integer { null, .. }, [Value::Null]) => match null {
                Some(slot) => (*slot, false),
                None => {
                    *null = Some(next);
                    (next, true)
                }
            },
            (GroupIndex::General(groups), key) => match groups.get(key) {
                Some(slot) => (*slot, false),
                None => {
                    groups.insert(Row::new(key.to_vec()), next);
                    (next, true)
                }
            },
            // A key of another shape cannot reach an integer table (the plan typed it).
            (GroupIndex::Integer { .. }, _) => (next, true),
        };
        if created {
            self.accumulators.extend(fresh());
        }
        let start = slot * self.width;
        &mut self.accumulators[start..start + self.width]
    }

    /// Every group's key and accumulators.
    pub fn drain(self) -> Vec<(Row, Vec<Accumulator>)> {
        let width = self.width.max(1);
        let mut keys: Vec<(usize, Row)> = match self.index {
            GroupIndex::Integer { groups, null, int32 } => groups
                .into_iter()
                .map(|(k, slot)| (slot, Row::new(vec![if int32 { Value::Int(k as i32) } else { Value::BigInt(k) }])))
                .chain(null.map(|slot| (slot, Row::new(vec![Value::Null]))))
                .collect(),
            GroupIndex::General(groups) => groups.into_iter().map(|(k, slot)| (slot, k)).collect(),
        };
        keys.sort_unstable_by_key(|(slot, _)| *slot);
        let mut accumulators = self.accumulators.into_iter();
        keys.into_iter().map(|(_, key)| (key, accumulators.by_ref().take(width).collect())).collect()
    }
}

fn lookup(entry: std::collections::hash_map::Entry<'_, i64, usize>, next: usize) -> (usize, bool) {
    match entry {
        std::collections::hash_map::Entry::Occupied(e) => (*e.get(), false),
        std::collections::hash_map::Entry::Vacant(e) => {
            e.insert(next);
            (next, true)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::AggregateFunction;

    fn count() -> Vec<Accumulator> {
        vec![Accumulator::new(AggregateFunction::Count, DataType::BigInt)]
    }

    fn counts(table: GroupTable) -> Vec<String> {
        let mut out: Vec<String> = table.drain().into_iter().map(|(k, a)| format!("{k}={}", a[0].finish(DataType::BigInt))).collect();
        out.sort();
        out
    }

    #[test]
    fn integer_and_general_keys_group_alike() {
        let keys = [vec![Value::Int(1)], vec![Value::Int(2)], vec![Value::Int(1)], vec![Value::Null]];
        let mut ints = GroupTable::new(1, &[DataType::Int]);
        for k in &keys {
            ints.group(k, count)[0].add(&Value::Boolean(true), 1);
        }
        let drained = ints.drain();
        assert!(drained.iter().all(|(k, _)| matches!(k[0], Value::Int(_) | Value::Null)), "INT keys come back as INT");
        let mut ints = GroupTable::new(1, &[DataType::Int]);
        let mut general = GroupTable::new(1, &[DataType::String]);
        for k in &keys {
            ints.group(k, count)[0].add(&Value::Boolean(true), 1);
            general.group(k, count)[0].add(&Value::Boolean(true), 1);
        }
        assert_eq!(counts(ints), ["1=2", "2=1", "null=1"]);
        assert_eq!(counts(general), ["1=2", "2=1", "null=1"]);
    }
}
