//! The decoded groups of a streaming group aggregate, kept between times: a group that a
//! local combiner's partials update time after time is read from the state backend and decoded
//! once, then updated in memory, and the row it last gave is retracted as it is, not built
//! again from the old state.
//!
//! A time whose changes are all partials that insert (the common case) is applied here, in
//! arrival order, each change going straight to its group's accumulators: no sort by key.
//! Each group's result goes out once, after all of the time's changes, in the order the groups
//! first appeared in the time; the changes of one group are merged in arrival order, as the
//! stable sort of the general path keeps them.
//!
//! The backend still holds every group, as it would without the cache, whenever anything else
//! reads it: the changed groups are written back (encoded as the aggregate stores them, so the
//! bytes are the ones an update per time would have stored) before a checkpoint takes the
//! store, before the aggregate updates a group through the backend (a retraction, an argument
//! row), and when the cache outgrows its bound, which then starts empty again. States with a
//! time-to-live are not cached: their reads must see the expiry.
//!
//! Layout: the groups in a slab in the order they were first read, their accumulators and
//! non-NULL counts in two flat arenas beside it (a run of one per aggregate each), and a hash
//! index from group key to slab slot (a key of one INT or BIGINT is looked up by its number,
//! without reading the slot's key row): a group is one hash probe and three nearby places.
//! A group's new result is built from the key of the partial that changed it (in cache: just
//! received), not from the slot's, and it is not compared with the old one when a COUNT among
//! the aggregates moved (the row changed then).

use std::collections::HashMap;

use weir_state::{BackendKind, KeyedStateStore, StateCodec, StateError, ValueState};

use crate::types::{Row, Value};

use super::super::accumulate::{Accumulator, merge_partials};
use super::decoded_keys_bound;
use super::group_aggregate::{Group, GroupAggregateSpec, encode_group, result};

/// Changes (then changed groups) handled together: their groups are looked up, and their
/// places read, for all of them before any is updated, so that the CPU fetches them from
/// memory in parallel (a time touches up to every group, megabytes: beyond the caches).
const CHUNK: usize = 16;

/// One group as the aggregate last left it (its accumulators and counts in the arenas).
struct Slot {
    /// The group key.
    key: Row,
    /// Rows (partials) it holds.
    rows: i64,
    /// The result it last gave (`None` before its first row).
    result: Option<Row>,
    /// The apply that last touched it.
    touched: u64,
    /// Whether it changed since it was read or last written back.
    dirty: bool,
    /// Whether the backend holds it (an older version, when dirty).
    stored: bool,
    /// Whether the index still points here (a group taken out leaves its slot behind).
    live: bool,
}

/// The decoded groups of one operator instance.
pub(super) struct GroupCache {
    /// Slab slot of each cached group, by key.
    index: GroupIndex,
    slots: Vec<Slot>,
    /// Accumulators: `width` per slot.
    accs: Vec<Accumulator>,
    /// Stored counts of non-NULL values, written back as read: `width` per slot.
    non_null: Vec<i64>,
    /// Aggregates per group.
    width: usize,
    /// Applies so far: what [`Slot::touched`] compares with.
    applies: u64,
    /// The groups the apply at hand touched, in order.
    touched: Vec<Touched>,
    /// The first COUNT among the aggregates, if any: the accumulator whose move shows that
    /// a group's result changed.
    count: Option<usize>,
    /// Groups the backend does not hold yet.
    unstored: u64,
    /// Where keys are encoded for the backend.
    key_buffer: Vec<u8>,
    /// Where partials are laid out to be encoded.
    partials: Vec<Value>,
    /// A bound of the tests' own, in place of the backend's.
    #[cfg(test)]
    pub bound: Option<usize>,
}

impl GroupCache {
    /// An empty cache for groups of the aggregates whose `empty` accumulators are given.
    pub fn new(empty: &[Accumulator]) -> GroupCache {
        GroupCache {
            index: GroupIndex::default(),
            slots: Vec::new(),
            accs: Vec::new(),
            non_null: Vec::new(),
            width: empty.len(),
            applies: 0,
            touched: Vec::new(),
            count: empty.iter().position(|acc| matches!(acc, Accumulator::Count(_))),
            unstored: 0,
            key_buffer: Vec::new(),
            partials: Vec::new(),
            #[cfg(test)]
            bound: None,
        }
    }

    /// Applies one time's `updates`, partials that all insert (in arrival order), to the
    /// groups of `spec` (read from `groups` in `store` when not cached yet, starting from the
    /// `empty` accumulators), and appends each changed group's old result retracted and new
    /// one inserted to `changes`.
    #[allow(clippy::too_many_arguments)]
    pub fn apply(
        &mut self,
        spec: &GroupAggregateSpec,
        groups: &ValueState<Group>,
        empty: &[Accumulator],
        store: &mut KeyedStateStore,
        updates: &[((Row, Row), isize)],
        changes: &mut Vec<(Row, isize)>,
    ) -> Result<(), StateError> {
        self.applies += 1;
        let width = self.width;
        let mut touched = std::mem::take(&mut self.touched);
        let mut found = [0u32; CHUNK];
        for (c, chunk) in updates.chunks(CHUNK).enumerate() {
            for (j, ((key, _), _)) in chunk.iter().enumerate() {
                found[j] = match self.index.get(key) {
                    Some(slot) => slot,
                    None => self.load(spec, groups, empty, store, key)?,
                };
            }
            self.warm(found[..chunk.len()].iter().map(|&slot| (slot, None)));
            for (j, ((_, values), diff)) in chunk.iter().enumerate() {
                let (slot, at) = (found[j], found[j] as usize);
                let accs = &mut self.accs[at * width..(at + 1) * width];
                let group = &mut self.slots[at];
                if group.touched != self.applies {
                    group.touched = self.applies;
                    touched.push(Touched { slot, update: c * CHUNK + j, count: self.count.map_or(0, |c| count(&accs[c])) });
                }
                group.rows += *diff as i64;
                merge_partials(accs, values.values(), *diff);
            }
        }
        for chunk in touched.chunks(CHUNK) {
            self.warm(chunk.iter().map(|t| (t.slot, Some(&updates[t.update].0.0))));
            for t in chunk {
                let at = t.slot as usize;
                let (accs, non_null) = (&self.accs[at * width..(at + 1) * width], &self.non_null[at * width..(at + 1) * width]);
                let group = &mut self.slots[at];
                // The partial's key equals the slot's, and is closer at hand.
                let after = result(spec, &updates[t.update].0.0, group.rows, non_null, accs);
                group.dirty = true;
                // A COUNT that moved is a value of the row that changed: no need to compare.
                if self.count.is_some_and(|c| count(&accs[c]) != t.count) || group.result != after {
                    changes.extend(std::mem::replace(&mut group.result, after.clone()).map(|row| (row, -1)));
                    changes.extend(after.map(|row| (row, 1)));
                }
            }
        }
        touched.clear();
        self.touched = touched;
        Ok(())
    }

    /// Reads a word of each of the groups in `slots` (their slot and both ends of their
    /// accumulators) and of the key rows given beside them, without using what it read:
    /// independent loads, which the CPU overlaps, so that the groups of a chunk come from
    /// memory together rather than one after another (see [`CHUNK`]).
    fn warm<'k>(&self, slots: impl Iterator<Item = (u32, Option<&'k Row>)>) {
        let width = self.width;
        let words = slots.fold(0i64, |words, (slot, key)| {
            let at = slot as usize;
            let last = ((at + 1) * width).checked_sub(1).and_then(|i| self.accs.get(i));
            let accs = self.accs.get(at * width).map_or(0, count) ^ last.map_or(0, count);
            let key = key.and_then(|key| key.values().first()).map_or(0, |v| i64::from(v.is_null()));
            words ^ self.slots[at].touched as i64 ^ accs ^ key
        });
        std::hint::black_box(words);
    }

    /// Reads the group at `key` from `groups` in `store` into a new slot (empty when absent).
    fn load(
        &mut self,
        spec: &GroupAggregateSpec,
        groups: &ValueState<Group>,
        empty: &[Accumulator],
        store: &mut KeyedStateStore,
        key: &Row,
    ) -> Result<u32, StateError> {
        let slot = u32::try_from(self.slots.len())
            .map_err(|_| StateError::InvalidArgument { state: groups.name().to_string(), detail: "a time touched more than 2^32 groups".into() })?;
        self.key_buffer.clear();
        key.encode(&mut self.key_buffer);
        let stored = groups.get(store, &self.key_buffer, &())?;
        let at = self.accs.len();
        self.accs.extend_from_slice(empty);
        let (mut rows, is_stored) = (0, stored.is_some());
        let mut non_null = Vec::new();
        if let Some(group) = stored {
            if !group.partials.is_empty() {
                merge_partials(&mut self.accs[at..], group.partials.values(), 1);
            }
            // (A count below zero was stored by versions that let retractions count.)
            rows = group.rows.max(0);
            non_null = group.non_null;
        }
        non_null.resize(self.width, 0);
        let result = result(spec, key, rows, &non_null, &self.accs[at..]);
        self.non_null.extend_from_slice(&non_null[..self.width]);
        self.unstored += u64::from(!is_stored);
        self.slots.push(Slot { key: key.clone(), rows, result, touched: 0, dirty: false, stored: is_stored, live: true });
        self.index.insert(key, slot);
        Ok(slot)
    }

    /// Groups the backend does not hold yet: what its entry count misses.
    pub fn unwritten(&self) -> u64 {
        self.unstored
    }

    /// Whether the cache holds more groups than it may over a backend of `kind`.
    pub fn is_full(&self, kind: BackendKind) -> bool {
        #[cfg(test)]
        if let Some(bound) = self.bound {
            return self.slots.len() > bound;
        }
        self.slots.len() > decoded_keys_bound(kind)
    }

    /// Writes every changed group to `groups` in `store`, leaving all of them cached.
    pub fn write_back(&mut self, groups: &ValueState<Group>, store: &mut KeyedStateStore) -> Result<(), StateError> {
        for at in 0..self.slots.len() {
            if self.slots[at].live && self.slots[at].dirty {
                self.write(groups, store, at)?;
            }
        }
        Ok(())
    }

    /// Writes the group at `key` back to `groups` in `store` if it changed, and uncaches it:
    /// it is about to be updated through the store.
    pub fn take_out(&mut self, groups: &ValueState<Group>, store: &mut KeyedStateStore, key: &Row) -> Result<(), StateError> {
        let Some(slot) = self.index.remove(key) else { return Ok(()) };
        let at = slot as usize;
        if self.slots[at].dirty {
            self.write(groups, store, at)?;
        }
        let group = &mut self.slots[at];
        group.live = false;
        group.result = None;
        Ok(())
    }

    /// Stores the group in slot `at`, encoded as a [`Group`].
    fn write(&mut self, groups: &ValueState<Group>, store: &mut KeyedStateStore, at: usize) -> Result<(), StateError> {
        let (accs, non_null) = (&self.accs[at * self.width..(at + 1) * self.width], &self.non_null[at * self.width..(at + 1) * self.width]);
        let group = &mut self.slots[at];
        self.key_buffer.clear();
        group.key.encode(&mut self.key_buffer);
        self.partials.clear();
        accs.iter().for_each(|acc| acc.partial(&mut self.partials));
        let partials = &self.partials;
        groups.update_encoded(store, &self.key_buffer, &(), |out| encode_group(group.rows, partials, non_null, out))?;
        group.dirty = false;
        if !group.stored {
            group.stored = true;
            self.unstored -= 1;
        }
        Ok(())
    }

    /// Forgets every group (written back first).
    pub fn clear(&mut self) {
        self.index.clear();
        self.slots.clear();
        self.accs.clear();
        self.non_null.clear();
        self.unstored = 0;
    }
}

/// A group the apply at hand touched.
struct Touched {
    /// Its slab slot.
    slot: u32,
    /// The first update of the apply that changed it.
    update: usize,
    /// Its COUNT (see [`GroupCache`]'s `count`) before that update.
    count: i64,
}

/// The rows a COUNT accumulator counted (0 for any other accumulator).
fn count(acc: &Accumulator) -> i64 {
    match acc {
        Accumulator::Count(n) => *n,
        _ => 0,
    }
}

/// Slab slots by group key: keys of one INT or BIGINT in maps by their number (hashing and
/// comparing a number, not a row through its pointer), any other key by its row.
#[derive(Default)]
struct GroupIndex {
    bigint: HashMap<i64, u32, foldhash::fast::RandomState>,
    int: HashMap<i32, u32, foldhash::fast::RandomState>,
    rows: HashMap<Row, u32, foldhash::fast::RandomState>,
}

impl GroupIndex {
    /// The slot of the group of `key`, if cached.
    #[inline]
    fn get(&self, key: &Row) -> Option<u32> {
        match key.values() {
            [Value::BigInt(k)] => self.bigint.get(k).copied(),
            [Value::Int(k)] => self.int.get(k).copied(),
            _ => self.rows.get(key).copied(),
        }
    }

    /// Notes `slot` as the group of `key`.
    fn insert(&mut self, key: &Row, slot: u32) {
        match key.values() {
            [Value::BigInt(k)] => self.bigint.insert(*k, slot),
            [Value::Int(k)] => self.int.insert(*k, slot),
            _ => self.rows.insert(key.clone(), slot),
        };
    }

    /// Forgets the group of `key`, giving its slot.
    fn remove(&mut self, key: &Row) -> Option<u32> {
        match key.values() {
            [Value::BigInt(k)] => self.bigint.remove(k),
            [Value::Int(k)] => self.int.remove(k),
            _ => self.rows.remove(key),
        }
    }

    fn clear(&mut self) {
        self.bigint.clear();
        self.int.clear();
        self.rows.clear();
    }
}

#[cfg(test)]
mod tests {
    use differential_dataflow::consolidation::consolidate;
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};
    use weir_state::backend::dump;
    use weir_state::{KeyedStateStore, MemoryBackend};

    use super::super::super::aggregate::AggregateSlot;
    use super::super::group_aggregate::{GroupAggregateSpec, GroupInput, Groups};
    use super::super::timed::TimedLogic;
    use crate::plan::AggregateFunction;
    use crate::types::{DataType, Row, Value};

    /// `COUNT(*), SUM(x), MAX(x), FIRST_VALUE(x)` fed by a local combiner: partials per key.
    fn groups(cached: bool, bound: Option<usize>) -> Groups {
        let slot = |function, arg| AggregateSlot::new(function, arg, false, DataType::BigInt, false);
        let slots = vec![
            slot(AggregateFunction::Count, None),
            slot(AggregateFunction::Sum, Some(0)),
            slot(AggregateFunction::Max, Some(0)),
            slot(AggregateFunction::FirstValue, Some(0)),
        ];
        let mut groups = Groups::new(GroupAggregateSpec { slots, input: GroupInput::Partials, retracting: false }, None);
        groups.set_cache(cached, bound);
        groups
    }

    fn bigint(v: i64) -> Value {
        Value::BigInt(v)
    }

    /// A random time of partials over `keys` keys (made by `key`): all inserting, or
    /// (`mixed`) some retracting.
    fn time(rng: &mut SmallRng, keys: i64, mixed: bool, key: fn(i64) -> Row) -> Vec<((Row, Row), isize)> {
        (0..rng.random_range(1..40))
            .map(|_| {
                let (k, x) = (rng.random_range(0..keys), rng.random_range(-50..50));
                let partials = Row::new(vec![bigint(rng.random_range(0..4)), bigint(x), bigint(x), bigint(x)]);
                let diff = if mixed && rng.random_bool(0.3) { -1 } else { 1 };
                ((key(k), partials), diff)
            })
            .collect()
    }

    /// Group keys of each kind the index tells apart: a BIGINT, an INT, any other row (the
    /// NULL key among them).
    const KEYS: [fn(i64) -> Row; 3] = [
        |k| Row::new(vec![bigint(k)]),
        |k| Row::new(vec![Value::Int(k as i32)]),
        |k| Row::new(if k == 0 { vec![Value::Null] } else { vec![Value::string(&k.to_string()), bigint(k % 3)] }),
    ];

    /// The cached groups give the uncached ones' output time by time, and once written back
    /// the same stored bytes: with every time inserting, with retracting times among them,
    /// and with a bound that empties the cache now and then.
    #[test]
    fn cached_groups_give_the_same_output_and_state() {
        let cases = [(1, false, None), (2, true, None), (3, false, Some(5)), (4, true, Some(3))];
        for ((seed, mixed, bound), key) in cases.into_iter().flat_map(|case| KEYS.map(|key| (case, key))) {
            let mut rng = SmallRng::seed_from_u64(seed);
            let (mut cached, mut plain) = (groups(true, bound), groups(false, None));
            let new_store = || KeyedStateStore::new(Box::new(MemoryBackend::new()));
            let (mut cached_store, mut plain_store) = (new_store(), new_store());
            for t in 0..200 {
                let changes = time(&mut rng, 12, mixed && t % 3 == 0, key);
                let (mut a, mut b) = (Vec::new(), Vec::new());
                cached.apply(&mut cached_store, &mut changes.clone(), &mut a).unwrap();
                plain.apply(&mut plain_store, &mut changes.clone(), &mut b).unwrap();
                consolidate(&mut a);
                consolidate(&mut b);
                assert_eq!(a, b, "seed {seed}, time {t}");
                if t % 7 == 0 {
                    cached.write_back(&mut cached_store).unwrap();
                    assert_eq!(dump(cached_store.backend()).unwrap(), dump(plain_store.backend()).unwrap(), "seed {seed}, time {t}");
                    assert_eq!(cached.unwritten(), 0);
                }
            }
            let entries = plain_store.backend().entry_count().unwrap();
            assert_eq!(cached_store.backend().entry_count().unwrap() + cached.unwritten(), entries, "seed {seed}");
        }
    }
}
