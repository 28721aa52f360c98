//! [`SliceCache`]: a sliced window aggregate's slices, decoded, kept between batches.
//!
//! Each partition key's slices are read from the state backend and decoded once, then updated
//! by the partials of later batches, merged by the windows that fire and dropped when they
//! expire, all in memory: a key whose slices live and die between two checkpoints (a window's
//! keys when checkpoints are rarer than windows, every key of a bounded input) never reaches
//! the backend at all. What changed is written back, as the bytes the aggregate stores, when a
//! checkpoint takes the store ([`SliceCache::write_back`]) and when the cache outgrows its
//! bound, which then starts empty again; a slice or key the backend holds is removed from it as
//! it expires.

use weir_state::{KeyedStateStore, StateCodec, StateError, ValueState};

use crate::types::{Row, Value, encode_row_values};

use super::super::accumulate::{Accumulator, merge_partials};
use super::window_aggregate::Calls;
use super::{KeyMap, decoded_keys_bound};
use hashbrown::hash_map::EntryRef;

/// One slice of a key: its partial aggregates (decoded) and row count.
pub(super) struct Slice {
    /// The slice's end (epoch ms).
    pub(super) end: i64,
    pub(super) accs: Vec<Accumulator>,
    pub(super) rows: u64,
    /// Changed since read or last written back.
    dirty: bool,
    /// The backend holds it (an older version, when dirty).
    stored: bool,
}

/// A partition key's slices, sorted by end.
#[derive(Default)]
pub(super) struct KeySlices {
    slices: Vec<Slice>,
    /// Slices added or removed since the backend's index of them was read or written.
    index_dirty: bool,
    /// The backend holds an index of the key's slices.
    index_stored: bool,
}

impl KeySlices {
    /// The slices, sorted by end.
    pub(super) fn slices(&self) -> &[Slice] {
        &self.slices
    }

    /// Adds the pre-aggregated `partials` holding `rows` rows to the slice ending at `end`,
    /// made from `fresh` accumulators when new; returns whether it is new.
    pub(super) fn add(&mut self, end: i64, partials: &[Value], rows: u64, fresh: impl FnOnce() -> Vec<Accumulator>) -> bool {
        let (at, new) = match self.slices.binary_search_by_key(&end, |s| s.end) {
            Ok(at) => (at, false),
            Err(at) => {
                self.slices.insert(at, Slice { end, accs: fresh(), rows: 0, dirty: true, stored: false });
                self.index_dirty = true;
                (at, true)
            }
        };
        if let Some(slice) = self.slices.get_mut(at) {
            merge_partials(&mut slice.accs, partials, 1);
            slice.rows += rows;
            slice.dirty = true;
        }
        new
    }

    /// Removes the slices `expired` says are of no more use, returning them.
    pub(super) fn take_expired(&mut self, expired: impl Fn(i64) -> bool) -> Vec<Slice> {
        if !self.slices.iter().any(|s| expired(s.end)) {
            return Vec::new();
        }
        let (gone, kept) = std::mem::take(&mut self.slices).into_iter().partition(|s| expired(s.end));
        self.slices = kept;
        self.index_dirty = true;
        gone
    }
}

/// The decoded slices of one operator instance's keys (see the module docs).
pub(super) struct SliceCache {
    /// Per slice (by its end): its partial aggregates and row count.
    slices: ValueState<(Row, u64), i64>,
    /// The ends of a key's slices, sorted.
    index: ValueState<Vec<i64>>,
    keys: KeyMap<KeySlices>,
    /// Entries (slices, key indexes) the backend does not hold yet.
    unwritten: u64,
}

impl SliceCache {
    /// An empty cache over the aggregate's slice and index states.
    pub(super) fn new() -> SliceCache {
        SliceCache { slices: ValueState::new("slices"), index: ValueState::new("slice-index"), keys: KeyMap::default(), unwritten: 0 }
    }

    /// Entries held here that the backend does not hold yet.
    pub(super) fn unwritten(&self) -> u64 {
        self.unwritten
    }

    /// The slices of `key`, read from the backend (and decoded as `calls` aggregate) when not
    /// cached.
    pub(super) fn load(&mut self, store: &mut KeyedStateStore, key: &[u8], calls: &Calls) -> Result<&mut KeySlices, StateError> {
        match self.keys.entry_ref(key) {
            EntryRef::Occupied(cached) => Ok(cached.into_mut()),
            EntryRef::Vacant(slot) => {
                let loaded = read(&self.index, &self.slices, store, key, calls)?;
                if !loaded.index_stored {
                    self.unwritten += 1;
                }
                Ok(slot.insert(loaded))
            }
        }
    }

    /// Counts `n` slices just added to keys (not yet in the backend).
    pub(super) fn added_slices(&mut self, n: u64) {
        self.unwritten += n;
    }

    /// Forgets the `expired` slices of `key` (from [`KeySlices::take_expired`]), in the backend
    /// too when it holds them, and the key itself once it has no slice left.
    pub(super) fn forget(&mut self, store: &mut KeyedStateStore, key: &[u8], expired: Vec<Slice>) -> Result<(), StateError> {
        for slice in expired {
            if slice.stored {
                self.slices.clear(store, key, &slice.end)?;
            } else {
                self.unwritten = self.unwritten.saturating_sub(1);
            }
        }
        if self.keys.get(key).is_some_and(|k| k.slices.is_empty())
            && let Some(gone) = self.keys.remove(key)
        {
            if gone.index_stored {
                self.index.clear(store, key, &())?;
            } else {
                self.unwritten = self.unwritten.saturating_sub(1);
            }
        }
        Ok(())
    }

    /// Writes every changed slice and index into the backend.
    pub(super) fn write_back(&mut self, store: &mut KeyedStateStore) -> Result<(), StateError> {
        // Each slice is encoded from its accumulators through one buffer of values, as the
        // `(Row, u64)` it is read back as, without building the row.
        let mut values = Vec::new();
        for (key, slices) in &mut self.keys {
            for slice in slices.slices.iter_mut().filter(|s| s.dirty) {
                values.clear();
                slice.accs.iter().for_each(|acc| acc.partial(&mut values));
                self.slices.update_encoded(store, key, &slice.end, |out| {
                    encode_row_values(&values, out);
                    slice.rows.encode(out);
                })?;
                slice.dirty = false;
                slice.stored = true;
            }
            if slices.index_dirty {
                let ends: Vec<i64> = slices.slices.iter().map(|s| s.end).collect();
                self.index.update(store, key, &(), &ends)?;
                slices.index_dirty = false;
                slices.index_stored = true;
            }
        }
        self.unwritten = 0;
        Ok(())
    }

    /// After a batch: when the cache holds more keys than the bound for the store's backend
    /// ([`decoded_keys_bound`]), writes them back and starts empty.
    pub(super) fn trim(&mut self, store: &mut KeyedStateStore) -> Result<(), StateError> {
        if self.keys.len() > decoded_keys_bound(store.backend().kind()) {
            self.write_back(store)?;
            self.keys.clear();
        }
        Ok(())
    }
}

/// The slices of `key` as the backend holds them in `index` and `slices`.
fn read(
    index: &ValueState<Vec<i64>>,
    slices: &ValueState<(Row, u64), i64>,
    store: &mut KeyedStateStore,
    key: &[u8],
    calls: &Calls,
) -> Result<KeySlices, StateError> {
    let Some(ends) = index.get(store, key, &())? else { return Ok(KeySlices::default()) };
    let mut read = Vec::with_capacity(ends.len());
    for end in ends {
        let (accs, rows) = match slices.get(store, key, &end)? {
            Some((partials, rows)) => (calls.restore(&partials), rows),
            None => (calls.fresh(), 0),
        };
        read.push(Slice { end, accs, rows, dirty: false, stored: true });
    }
    Ok(KeySlices { slices: read, index_dirty: false, index_stored: true })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use weir_state::{KeyedStateStore, MemoryBackend};

    use super::super::super::Evaluator;
    use super::super::WindowAggregateCall;
    use super::super::window_aggregate::Calls;
    use super::SliceCache;
    use crate::connectors::SinkContext;
    use crate::job::{CancelToken, JobContext, JobMetrics};
    use crate::plan::{AggregateFunction, RuntimeMode};
    use crate::types::{DataType, Value};

    /// `SUM` over slices: what the aggregate's calls decode slices as.
    fn calls() -> Calls {
        let ctx = JobContext::new(RuntimeMode::Streaming, CancelToken::new(), Arc::new(JobMetrics::new(std::iter::empty())), SinkContext::default(), 200);
        let sum = WindowAggregateCall { function: AggregateFunction::Sum, arg: None, distinct: false, filter: None, output_type: DataType::BigInt };
        Calls { calls: vec![sum], eval: Evaluator::new("test", &ctx), seen: weir_state::MapState::new("slice-distinct") }
    }

    fn entries(store: &KeyedStateStore) -> u64 {
        store.backend().entry_count().unwrap()
    }

    #[test]
    fn the_backend_gets_slices_when_written_back_and_loses_them_as_they_expire() {
        let (calls, mut store) = (calls(), KeyedStateStore::new(Box::new(MemoryBackend::new())));
        let mut cache = SliceCache::new();
        let key = cache.load(&mut store, b"a", &calls).unwrap();
        assert!(key.add(10, &[Value::BigInt(5)], 2, || calls.fresh()));
        assert!(!key.add(10, &[Value::BigInt(1)], 1, || calls.fresh()));
        assert!(key.add(20, &[Value::BigInt(7)], 1, || calls.fresh()));
        cache.added_slices(2);
        assert_eq!((cache.unwritten(), entries(&store)), (3, 0), "a key's index and two slices, none in the backend");
        cache.write_back(&mut store).unwrap();
        assert_eq!((cache.unwritten(), entries(&store)), (0, 3));

        // Read back as written, by a cache that starts empty.
        let mut fresh = SliceCache::new();
        let key = fresh.load(&mut store, b"a", &calls).unwrap();
        let read: Vec<(i64, u64, Vec<Value>)> = key
            .slices()
            .iter()
            .map(|s| {
                let mut partial = Vec::new();
                s.accs.iter().for_each(|a| a.partial(&mut partial));
                (s.end, s.rows, partial)
            })
            .collect();
        assert_eq!(read, vec![(10, 3, vec![Value::BigInt(6)]), (20, 1, vec![Value::BigInt(7)])]);

        // A slice added since the write-back, and one written, expire: both go, from the
        // backend only the one it holds; the key goes with its last slice.
        let key = cache.load(&mut store, b"a", &calls).unwrap();
        assert!(key.add(30, &[Value::BigInt(1)], 1, || calls.fresh()));
        cache.added_slices(1);
        let key = cache.load(&mut store, b"a", &calls).unwrap();
        let gone = key.take_expired(|end| end <= 10 || end == 30);
        assert_eq!(gone.iter().map(|s| s.end).collect::<Vec<_>>(), vec![10, 30]);
        cache.forget(&mut store, b"a", gone).unwrap();
        assert_eq!((cache.unwritten(), entries(&store)), (0, 2), "slice 20 and the index stay");
        let key = cache.load(&mut store, b"a", &calls).unwrap();
        let gone = key.take_expired(|_| true);
        cache.forget(&mut store, b"a", gone).unwrap();
        assert_eq!((cache.unwritten(), entries(&store)), (0, 0));
    }
}
