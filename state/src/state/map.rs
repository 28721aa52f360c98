//! `MapState`: a map from user keys to values per (key, namespace).

use std::marker::PhantomData;

use crate::backend::ScanFlow;
use crate::codec::{StateCodec, encode_to_vec};
use crate::error::{StateError, StateResult};
use crate::keys::prefix_end;
use crate::state::StateCell;
use crate::store::KeyedStateStore;
use crate::ttl::{StateTtlConfig, read_stamp};

/// The types a map state is declared with (no data; `Send + Sync` whatever they are).
type Types<K, V, N> = PhantomData<fn() -> (K, V, N)>;

/// A map per (key, namespace), like Flink's `MapState`. Each entry is one backend entry, so
/// point reads and writes do not touch the rest of the map, and each entry has its own TTL.
/// Iteration visits entries in the byte order of the encoded user keys, which for integer keys
/// is numeric order (see [`crate::codec`]).
#[derive(Debug, Clone)]
pub struct MapState<K, V, N = ()> {
    cell: StateCell,
    _types: Types<K, V, N>,
}

impl<K: StateCodec, V: StateCodec, N: StateCodec> MapState<K, V, N> {
    /// A map state stored under `name`.
    pub fn new(name: impl Into<String>) -> Self {
        MapState { cell: StateCell::new(name), _types: PhantomData }
    }

    /// Gives entries a time-to-live.
    pub fn with_ttl(mut self, ttl: StateTtlConfig) -> Self {
        self.cell.ttl = Some(ttl);
        self
    }

    /// The state's name.
    pub fn name(&self) -> &str {
        &self.cell.name
    }

    fn entry_key(&self, key: &[u8], namespace: &N, user_key: &K) -> Vec<u8> {
        let mut raw = self.cell.prefix(key, namespace);
        user_key.encode(&mut raw);
        raw
    }

    /// The value under `user_key`, if present and not expired.
    pub fn get(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, user_key: &K) -> StateResult<Option<V>> {
        let raw_key = self.entry_key(key, namespace, user_key);
        match self.cell.read(store, &raw_key)? {
            Some(payload) => Ok(Some(self.cell.decode(&payload)?)),
            None => Ok(None),
        }
    }

    /// Whether `user_key` has a live value.
    pub fn contains(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, user_key: &K) -> StateResult<bool> {
        let raw_key = self.entry_key(key, namespace, user_key);
        Ok(self.cell.read(store, &raw_key)?.is_some())
    }

    /// Sets the value under `user_key`.
    pub fn put(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, user_key: &K, value: &V) -> StateResult<()> {
        let raw_key = self.entry_key(key, namespace, user_key);
        self.cell.write(store, &raw_key, &encode_to_vec(value))
    }

    /// Sets every `(user_key, value)` pair given.
    pub fn put_all<'a>(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, entries: impl IntoIterator<Item = (&'a K, &'a V)>) -> StateResult<()>
    where
        K: 'a,
        V: 'a,
    {
        entries.into_iter().try_for_each(|(k, v)| self.put(store, key, namespace, k, v))
    }

    /// Removes `user_key` (no-op when absent).
    pub fn remove(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, user_key: &K) -> StateResult<()> {
        let raw_key = self.entry_key(key, namespace, user_key);
        store.backend_mut().delete(&self.cell.name, &raw_key)
    }

    /// All live entries, in encoded user-key order. Expired entries found on the way are
    /// deleted; with `OnReadAndWrite` the returned entries are refreshed.
    pub fn entries(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N) -> StateResult<Vec<(K, V)>> {
        let prefix = self.cell.prefix(key, namespace);
        let end = prefix_end(&prefix);
        let mut raw = Vec::new();
        store.backend().scan(&self.cell.name, &prefix, end.as_deref(), &mut |k, v| {
            raw.push((k.to_vec(), v.to_vec()));
            Ok(ScanFlow::Continue)
        })?;
        let now = store.now_millis();
        let mut out = Vec::with_capacity(raw.len());
        for (raw_key, raw_value) in raw {
            let payload = match self.cell.ttl {
                None => &raw_value[..],
                Some(ttl) => {
                    let mut input = &raw_value[..];
                    let stamped = read_stamp(&mut input).map_err(|e| StateError::corrupt(&self.cell.name, e))?;
                    if ttl.is_expired(stamped, now) {
                        store.backend_mut().delete(&self.cell.name, &raw_key)?;
                        continue;
                    }
                    if ttl.refresh_on_read() {
                        self.cell.write(store, &raw_key, input)?;
                    }
                    input
                }
            };
            let user_key = self.cell.decode(&raw_key[prefix.len()..])?;
            out.push((user_key, self.cell.decode(payload)?));
        }
        Ok(out)
    }

    /// The live user keys, in encoded order.
    pub fn keys(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N) -> StateResult<Vec<K>> {
        Ok(self.entries(store, key, namespace)?.into_iter().map(|(k, _)| k).collect())
    }

    /// The live values, in encoded user-key order.
    pub fn values(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N) -> StateResult<Vec<V>> {
        Ok(self.entries(store, key, namespace)?.into_iter().map(|(_, v)| v).collect())
    }

    /// Whether the map has no live entry.
    pub fn is_empty(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N) -> StateResult<bool> {
        Ok(self.entries(store, key, namespace)?.is_empty())
    }

    /// Removes every entry of the map of `key` in `namespace`.
    pub fn clear(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N) -> StateResult<()> {
        let prefix = self.cell.prefix(key, namespace);
        self.cell.clear_prefix(store, &prefix)
    }

    /// Deletes every expired entry of this state (all keys and namespaces); returns how many.
    pub fn cleanup_expired(&self, store: &mut KeyedStateStore) -> StateResult<u64> {
        self.cell.cleanup_expired(store)
    }
}
