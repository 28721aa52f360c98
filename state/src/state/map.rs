//! `MapState`: a map from user keys to values per (key, namespace).

use std::marker::PhantomData;
use std::ops::{Bound, RangeBounds};

use crate::backend::ScanFlow;
use crate::codec::{OrderedCodec, StateCodec, encode_to_vec};
use crate::error::{StateError, StateResult};
use crate::keys::prefix_end;
use crate::state::StateCell;
use crate::store::KeyedStateStore;
use crate::ttl::{StateTtlConfig, read_stamp};

/// The types a map state is declared with (no data; `Send + Sync` whatever they are).
type Types<K, V, N> = PhantomData<fn() -> (K, V, N)>;

/// The backend keys a map read covers: `start <= raw key < end` (`end: None` = to the end of
/// the table), each beginning with the `(key, namespace)` prefix of `prefix_len` bytes.
struct Span {
    prefix_len: usize,
    start: Vec<u8>,
    end: Option<Vec<u8>>,
}

/// What a read does with the entries it returns.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Consume {
    /// Leaves them (refreshing their TTL stamps when reads refresh).
    Read,
    /// Removes them.
    Remove,
}

/// A map per (key, namespace), like Flink's `MapState`. Each entry is one backend entry, so
/// point reads and writes do not touch the rest of the map, and each entry has its own TTL.
/// Iteration visits entries in the byte order of the encoded user keys, which for integer keys
/// is numeric order (see [`crate::codec`]); for such keys ([`OrderedCodec`]) the range reads
/// ([`MapState::range`], [`MapState::drain_range`], [`MapState::remove_range`]) scan only the
/// entries within their bounds (Flink's `MapState` has no range read: its interval join
/// iterates the whole map of a key).
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

    /// Runs `access` with the raw key of `user_key`'s entry, built in the store's key buffer.
    fn with_entry_key<R>(
        &self,
        store: &mut KeyedStateStore,
        key: &[u8],
        namespace: &N,
        user_key: &K,
        access: impl FnOnce(&mut KeyedStateStore, &[u8]) -> R,
    ) -> R {
        self.cell.with_key(store, key, namespace, |raw| user_key.encode(raw), access)
    }

    /// The value under `user_key`, if present and not expired.
    pub fn get(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, user_key: &K) -> StateResult<Option<V>> {
        self.with_entry_key(store, key, namespace, user_key, |store, raw_key| self.cell.read_value(store, raw_key))
    }

    /// Whether `user_key` has a live value.
    pub fn contains(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, user_key: &K) -> StateResult<bool> {
        Ok(self.with_entry_key(store, key, namespace, user_key, |store, raw_key| self.cell.read_with(store, raw_key, |_| Ok(())))?.is_some())
    }

    /// Sets the value under `user_key`.
    pub fn put(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, user_key: &K, value: &V) -> StateResult<()> {
        self.with_entry_key(store, key, namespace, user_key, |store, raw_key| self.cell.write_value(store, raw_key, value))
    }

    /// Replaces the value under `user_key` with what `change` makes of the one there (`None`:
    /// absent or expired; returning `None` removes the entry): one read-modify-write of the
    /// backend, where a [`MapState::get`] and a [`MapState::put`] would search it twice.
    /// `change` is called once. An unchanged value is not written again.
    pub fn update(
        &self,
        store: &mut KeyedStateStore,
        key: &[u8],
        namespace: &N,
        user_key: &K,
        mut change: impl FnMut(Option<V>) -> Option<V>,
    ) -> StateResult<()> {
        self.with_entry_key(store, key, namespace, user_key, |store, raw_key| {
            self.cell.update(store, raw_key, &mut |old| {
                let old = old.map(|payload| self.cell.decode(payload)).transpose()?;
                Ok(change(old).map(|new| encode_to_vec(&new)))
            })
        })
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
        self.with_entry_key(store, key, namespace, user_key, |store, raw_key| store.backend_mut().delete(&self.cell.name, raw_key))
    }

    /// All live entries, in encoded user-key order. Expired entries found on the way are
    /// deleted; with `OnReadAndWrite` the returned entries are refreshed.
    pub fn entries(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N) -> StateResult<Vec<(K, V)>> {
        self.read_span(store, &self.span(key, namespace, &(..)), Consume::Read)
    }

    /// The live entries whose user keys lie within `bounds`, in key order: a scan of that part
    /// of the map only, however many entries lie outside it. Expired entries within the bounds
    /// are deleted and live ones refreshed, as [`MapState::entries`] does. Bounds that hold
    /// nothing (`5..=3`, `7..7`) read nothing.
    pub fn range(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, bounds: impl RangeBounds<K>) -> StateResult<Vec<(K, V)>>
    where
        K: OrderedCodec,
    {
        self.read_span(store, &self.span(key, namespace, &bounds), Consume::Read)
    }

    /// Removes every entry whose user key lies within `bounds` and returns the live ones among
    /// them, in key order (the expired ones go without being returned).
    pub fn drain_range(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, bounds: impl RangeBounds<K>) -> StateResult<Vec<(K, V)>>
    where
        K: OrderedCodec,
    {
        self.read_span(store, &self.span(key, namespace, &bounds), Consume::Remove)
    }

    /// Removes every entry whose user key lies within `bounds`, live or expired, without
    /// decoding them; returns how many it removed.
    pub fn remove_range(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, bounds: impl RangeBounds<K>) -> StateResult<usize>
    where
        K: OrderedCodec,
    {
        let span = self.span(key, namespace, &bounds);
        let mut doomed = Vec::new();
        store.backend().scan(&self.cell.name, &span.start, span.end.as_deref(), &mut |k, _| {
            doomed.push(k.to_vec());
            Ok(ScanFlow::Continue)
        })?;
        // Point deletes, not the backend's `delete_range`: RocksDB's range tombstones slow
        // every later read of the table when there are many, and an operator removing a few
        // expired entries per key and timer would leave very many.
        for raw_key in &doomed {
            store.backend_mut().delete(&self.cell.name, raw_key)?;
        }
        Ok(doomed.len())
    }

    /// The backend keys of the entries of `(key, namespace)` with user keys within `bounds`.
    /// User-key encodings are prefix-free, so the entries after `user_key` begin at
    /// `prefix ++ encode(user_key) ++ [0]`.
    fn span(&self, key: &[u8], namespace: &N, bounds: &impl RangeBounds<K>) -> Span {
        let prefix = self.cell.prefix(key, namespace);
        let at = |user_key: &K, successor: bool| {
            let mut raw = prefix.clone();
            user_key.encode(&mut raw);
            if successor {
                raw.push(0);
            }
            raw
        };
        let start = match bounds.start_bound() {
            Bound::Included(k) => at(k, false),
            Bound::Excluded(k) => at(k, true),
            Bound::Unbounded => prefix.clone(),
        };
        let end = match bounds.end_bound() {
            Bound::Included(k) => Some(at(k, true)),
            Bound::Excluded(k) => Some(at(k, false)),
            Bound::Unbounded => prefix_end(&prefix),
        };
        Span { prefix_len: prefix.len(), start, end }
    }

    /// Decodes the live entries of `span`, deleting expired ones; `consume` says whether the
    /// live ones are refreshed (TTL `OnReadAndWrite`) or removed too.
    fn read_span(&self, store: &mut KeyedStateStore, span: &Span, consume: Consume) -> StateResult<Vec<(K, V)>> {
        let mut raw = Vec::new();
        store.backend().scan(&self.cell.name, &span.start, span.end.as_deref(), &mut |k, v| {
            raw.push((k.to_vec(), v.to_vec()));
            Ok(ScanFlow::Continue)
        })?;
        let now = store.now_millis();
        let mut out = Vec::with_capacity(raw.len());
        for (raw_key, raw_value) in raw {
            if consume == Consume::Remove {
                store.backend_mut().delete(&self.cell.name, &raw_key)?;
            }
            let payload = match self.cell.ttl {
                None => &raw_value[..],
                Some(ttl) => {
                    let mut input = &raw_value[..];
                    let stamped = read_stamp(&mut input).map_err(|e| StateError::corrupt(&self.cell.name, e))?;
                    if ttl.is_expired(stamped, now) {
                        if consume == Consume::Read {
                            store.backend_mut().delete(&self.cell.name, &raw_key)?;
                        }
                        continue;
                    }
                    if consume == Consume::Read && ttl.refresh_on_read() {
                        self.cell.write(store, &raw_key, input)?;
                    }
                    input
                }
            };
            let user_key = self.cell.decode(&raw_key[span.prefix_len..])?;
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
