//! `ValueState`: one value per (key, namespace).

use std::marker::PhantomData;

use crate::codec::{StateCodec, encode_to_vec};
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
        let raw_key = self.cell.prefix(key, namespace);
        match self.cell.read(store, &raw_key)? {
            Some(payload) => Ok(Some(self.cell.decode(&payload)?)),
            None => Ok(None),
        }
    }

    /// Sets the value of `key` in `namespace`.
    pub fn update(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, value: &T) -> StateResult<()> {
        let raw_key = self.cell.prefix(key, namespace);
        self.cell.write(store, &raw_key, &encode_to_vec(value))
    }

    /// Removes the value of `key` in `namespace`.
    pub fn clear(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N) -> StateResult<()> {
        let raw_key = self.cell.prefix(key, namespace);
        store.backend_mut().delete(&self.cell.name, &raw_key)
    }

    /// Deletes every expired value of this state (all keys and namespaces); returns how many.
    pub fn cleanup_expired(&self, store: &mut KeyedStateStore) -> StateResult<u64> {
        self.cell.cleanup_expired(store)
    }
}
