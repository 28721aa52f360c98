//! `ReducingState`: values folded into one with a reduce function as they are added.

use std::marker::PhantomData;

use crate::codec::StateCodec;
use crate::error::StateResult;
use crate::state::StateCell;
use crate::store::KeyedStateStore;
use crate::ttl::StateTtlConfig;

/// One accumulated value per (key, namespace), like Flink's `ReducingState`: `add(v)` stores
/// `v` when empty and `reduce(current, v)` otherwise. The reduce function should be associative.
/// With a TTL, an expired accumulator counts as empty, so the next `add` starts afresh.
#[derive(Clone)]
pub struct ReducingState<T, F, N = ()> {
    cell: StateCell,
    reduce: F,
    _types: PhantomData<fn() -> (T, N)>,
}

impl<T, F, N> std::fmt::Debug for ReducingState<T, F, N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReducingState").field("cell", &self.cell).finish()
    }
}

impl<T: StateCodec, F: Fn(&T, &T) -> T, N: StateCodec> ReducingState<T, F, N> {
    /// A reducing state stored under `name`, folding with `reduce`.
    pub fn new(name: impl Into<String>, reduce: F) -> Self {
        ReducingState { cell: StateCell::new(name), reduce, _types: PhantomData }
    }

    /// Gives accumulators a time-to-live.
    pub fn with_ttl(mut self, ttl: StateTtlConfig) -> Self {
        self.cell.ttl = Some(ttl);
        self
    }

    /// The state's name.
    pub fn name(&self) -> &str {
        &self.cell.name
    }

    /// The accumulated value of `key` in `namespace`, or `None` when nothing was added (or it
    /// was cleared or expired).
    pub fn get(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N) -> StateResult<Option<T>> {
        self.cell.with_key(store, key, namespace, |_| {}, |store, raw_key| self.cell.read_value(store, raw_key))
    }

    /// Folds `value` into the accumulator of `key` in `namespace`.
    pub fn add(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, value: &T) -> StateResult<()> {
        self.cell.with_key(
            store,
            key,
            namespace,
            |_| {},
            |store, raw_key| match self.cell.read_value::<T>(store, raw_key)? {
                Some(current) => self.cell.write_value(store, raw_key, &(self.reduce)(&current, value)),
                None => self.cell.write_value(store, raw_key, value),
            },
        )
    }

    /// Removes the accumulator of `key` in `namespace`.
    pub fn clear(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N) -> StateResult<()> {
        self.cell.with_key(store, key, namespace, |_| {}, |store, raw_key| store.backend_mut().delete(&self.cell.name, raw_key))
    }

    /// Deletes every expired accumulator of this state; returns how many.
    pub fn cleanup_expired(&self, store: &mut KeyedStateStore) -> StateResult<u64> {
        self.cell.cleanup_expired(store)
    }
}
