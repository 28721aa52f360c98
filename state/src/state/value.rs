//! `ValueState`: one value per (key, namespace).

use std::marker::PhantomData;

use crate::codec::{DecodeError, StateCodec};
use crate::error::StateResult;
use crate::state::StateCell;
use crate::store::KeyedStateStore;
use crate::ttl::StateTtlConfig;

/// A single value per (key, namespace), like Flink's `ValueState`: absent until updated,
/// absent again after `clear` or TTL expiry.
#[derive(Debug, Clone)]
pub struct ValueState<T, N = ()> {
    cell: StateCell,
    _types: PhantomData<fn() -> (T, N)>,
}

impl<T: StateCodec, N: StateCodec> ValueState<T, N> {
    /// A value state stored under `name`.
    pub fn new(name: impl Into<String>) -> Self {
        ValueState { cell: StateCell::new(name), _types: PhantomData }
    }

    /// Gives values a time-to-live.
    pub fn with_ttl(mut self, ttl: StateTtlConfig) -> Self {
        self.cell.ttl = Some(ttl);
        self
    }

    /// The state's name.
    pub fn name(&self) -> &str {
        &self.cell.name
    }

    /// The value of `key` in `namespace`, or `None` if never set, cleared or expired.
    pub fn get(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N) -> StateResult<Option<T>> {
        self.cell.with_key(store, key, namespace, |_| {}, |store, raw_key| self.cell.read_value(store, raw_key))
    }

    /// Sets the value of `key` in `namespace`.
    pub fn update(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, value: &T) -> StateResult<()> {
        self.cell.with_key(store, key, namespace, |_| {}, |store, raw_key| self.cell.write_value(store, raw_key, value))
    }

    /// Sets the value of `key` in `namespace` to what `encode` appends to the empty buffer it
    /// is given, which must be a `T`'s encoding: [`ValueState::update`] for callers that hold
    /// the parts of a value rather than a `T`.
    pub fn update_encoded(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, encode: impl FnOnce(&mut Vec<u8>)) -> StateResult<()> {
        self.cell.with_key(store, key, namespace, |_| {}, |store, raw_key| self.cell.write_encoded(store, raw_key, encode))
    }

    /// Replaces the value of `key` in `namespace` in one read-modify-write: `rewrite` gets the
    /// stored value's encoding (`None` if never set, cleared or expired) and appends the new
    /// value's encoding to the buffer it is given, which is stored. For callers that decode
    /// into and encode from buffers of their own rather than a `T`: the bytes written must be
    /// a `T`'s encoding. A decode error of `rewrite` stores nothing and names the state.
    pub fn rewrite(
        &self,
        store: &mut KeyedStateStore,
        key: &[u8],
        namespace: &N,
        mut rewrite: impl FnMut(Option<&[u8]>, &mut Vec<u8>) -> Result<(), DecodeError>,
    ) -> StateResult<()> {
        self.cell.with_key(store, key, namespace, |_| {}, |store, raw_key| self.cell.rewrite(store, raw_key, &mut rewrite))
    }

    /// Removes the value of `key` in `namespace`.
    pub fn clear(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N) -> StateResult<()> {
        self.cell.with_key(store, key, namespace, |_| {}, |store, raw_key| store.backend_mut().delete(&self.cell.name, raw_key))
    }

    /// Deletes every expired value of this state (all keys and namespaces); returns how many.
    pub fn cleanup_expired(&self, store: &mut KeyedStateStore) -> StateResult<u64> {
        self.cell.cleanup_expired(store)
    }
}
