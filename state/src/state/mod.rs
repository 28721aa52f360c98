//! Keyed state primitives with Flink's semantics.
//!
//! Each primitive is a descriptor (a name, an optional TTL, the value types) whose operations
//! take the [`KeyedStateStore`], the key as bytes (the operator's partitioning key, already
//! encoded) and a namespace (`()` for plain keyed state, a window for window state). Entries of
//! different keys and namespaces never see each other.
//!
//! State names are table names in the backend; names starting with `__` are reserved for
//! timers.

mod list;
mod map;
mod reducing;
mod value;

pub use list::ListState;
pub use map::MapState;
pub use reducing::ReducingState;
pub use value::ValueState;

use crate::backend::{ScanFlow, Update};
use crate::codec::{DecodeError, StateCodec, decode_exact};
use crate::error::{StateError, StateResult};
use crate::keys::{prefix_end, write_entry_prefix};
use crate::store::KeyedStateStore;
use crate::ttl::{StateTtlConfig, read_stamp, stamp};

/// What [`StateCell::update`] makes of a stored payload: the new one, `None` for absent.
pub(crate) type PayloadChange<'a> = dyn FnMut(Option<&[u8]>) -> StateResult<Option<Vec<u8>>> + 'a;

/// What [`StateCell::rewrite`] does: appends a new payload after reading the stored one.
pub(crate) type PayloadRewrite<'a> = dyn FnMut(Option<&[u8]>, &mut Vec<u8>) -> Result<(), DecodeError> + 'a;

/// What every primitive shares: the state's name (its backend table) and its TTL. Implements
/// the stamp/expire/refresh logic for states stored as one backend entry per physical key.
#[derive(Debug, Clone)]
pub(crate) struct StateCell {
    pub(crate) name: String,
    pub(crate) ttl: Option<StateTtlConfig>,
}

impl StateCell {
    pub(crate) fn new(name: impl Into<String>) -> Self {
        StateCell { name: name.into(), ttl: None }
    }

    /// The `(key, namespace)` prefix of this state's entries.
    pub(crate) fn prefix<N: StateCodec>(&self, key: &[u8], namespace: &N) -> Vec<u8> {
        let mut prefix = Vec::with_capacity(key.len() + 16);
        write_entry_prefix(key, namespace, &mut prefix);
        prefix
    }

    /// Builds the raw key of `(key, namespace)`, followed by what `suffix` appends (a map
    /// entry's user key), in the store's key buffer, and runs `access` with it: the raw key of
    /// a point access without an allocation of its own.
    pub(crate) fn with_key<N: StateCodec, R>(
        &self,
        store: &mut KeyedStateStore,
        key: &[u8],
        namespace: &N,
        suffix: impl FnOnce(&mut Vec<u8>),
        access: impl FnOnce(&mut KeyedStateStore, &[u8]) -> R,
    ) -> R {
        let mut raw_key = store.take_key_buffer();
        write_entry_prefix(key, namespace, &mut raw_key);
        suffix(&mut raw_key);
        let out = access(store, &raw_key);
        store.return_key_buffer(raw_key);
        out
    }

    /// Reads the payload stored at `raw_key` and gives it to `decode`, applying TTL: an expired
    /// entry is deleted and reads as absent; with `OnReadAndWrite` a live entry's stamp is
    /// refreshed. The payload is lent by the backend, not copied, unless a refresh rewrites it.
    pub(crate) fn read_with<T>(&self, store: &mut KeyedStateStore, raw_key: &[u8], decode: impl FnOnce(&[u8]) -> StateResult<T>) -> StateResult<Option<T>> {
        let Some(ttl) = self.ttl else {
            return store.backend().get_ref(&self.name, raw_key)?.map(|raw| decode(&raw)).transpose();
        };
        let now = store.now_millis();
        let live = match store.backend().get_ref(&self.name, raw_key)? {
            None => return Ok(None),
            Some(raw) => {
                let mut input = &raw[..];
                let stamped = read_stamp(&mut input).map_err(|e| StateError::corrupt(&self.name, e))?;
                if ttl.is_expired(stamped, now) {
                    None
                } else {
                    let refreshed = ttl.refresh_on_read().then(|| input.to_vec());
                    Some((decode(input)?, refreshed))
                }
            }
        };
        match live {
            None => {
                store.backend_mut().delete(&self.name, raw_key)?;
                Ok(None)
            }
            Some((value, refreshed)) => {
                if let Some(payload) = refreshed {
                    self.write(store, raw_key, &payload)?;
                }
                Ok(Some(value))
            }
        }
    }

    /// Reads and decodes the value stored at `raw_key`, as [`StateCell::read_with`] reads.
    pub(crate) fn read_value<T: StateCodec>(&self, store: &mut KeyedStateStore, raw_key: &[u8]) -> StateResult<Option<T>> {
        self.read_with(store, raw_key, |payload| self.decode(payload))
    }

    /// Writes `value` at `raw_key`, encoded in the store's value buffer and stamped with "now"
    /// when the state has a TTL: [`StateCell::write`] without an encoded copy of its own.
    pub(crate) fn write_value<T: StateCodec>(&self, store: &mut KeyedStateStore, raw_key: &[u8], value: &T) -> StateResult<()> {
        self.write_encoded(store, raw_key, |payload| value.encode(payload))
    }

    /// Writes at `raw_key` what `encode` appends to the store's value buffer, stamped with
    /// "now" when the state has a TTL: [`StateCell::write_value`] for callers that encode a
    /// value from parts of their own.
    pub(crate) fn write_encoded(&self, store: &mut KeyedStateStore, raw_key: &[u8], encode: impl FnOnce(&mut Vec<u8>)) -> StateResult<()> {
        let mut payload = store.take_value_buffer();
        if self.ttl.is_some() {
            stamp(store.now_millis(), &[], &mut payload);
        }
        encode(&mut payload);
        let written = store.backend_mut().put(&self.name, raw_key, &payload);
        store.return_value_buffer(payload);
        written
    }

    /// Writes `payload` at `raw_key`, stamped with "now" when the state has a TTL.
    pub(crate) fn write(&self, store: &mut KeyedStateStore, raw_key: &[u8], payload: &[u8]) -> StateResult<()> {
        match self.ttl {
            None => store.backend_mut().put(&self.name, raw_key, payload),
            Some(_) => {
                let mut stamped = Vec::with_capacity(payload.len() + 8);
                stamp(store.now_millis(), payload, &mut stamped);
                store.backend_mut().put(&self.name, raw_key, &stamped)
            }
        }
    }

    /// Replaces the payload at `raw_key` with what `change` makes of it (`None`: absent), in
    /// one read-modify-write of the backend, with TTL applied as [`StateCell::read`] and
    /// [`StateCell::write`] apply it: an expired payload reads as absent (and is deleted), an
    /// unchanged live one is left alone (its stamp refreshed when reads refresh), a new one is
    /// stamped with "now".
    pub(crate) fn update(&self, store: &mut KeyedStateStore, raw_key: &[u8], change: &mut PayloadChange<'_>) -> StateResult<()> {
        let now = if self.ttl.is_some() { store.now_millis() } else { 0 };
        let (name, ttl) = (&self.name, self.ttl);
        store.backend_mut().update(name, raw_key, &mut |stored| {
            let Some(ttl) = ttl else {
                return Ok(match (stored, change(stored)?) {
                    (None, None) => Update::Keep,
                    (Some(_), None) => Update::Delete,
                    (Some(old), Some(new)) if old == new.as_slice() => Update::Keep,
                    (_, Some(new)) => Update::Put(new),
                });
            };
            let live = match stored {
                None => None,
                Some(mut input) => {
                    let stamped = read_stamp(&mut input).map_err(|e| StateError::corrupt(name, e))?;
                    (!ttl.is_expired(stamped, now)).then_some(input)
                }
            };
            Ok(match (live, change(live)?) {
                (None, None) if stored.is_none() => Update::Keep,
                (_, None) => Update::Delete,
                (Some(old), Some(new)) if old == new.as_slice() && !ttl.refresh_on_read() => Update::Keep,
                (_, Some(new)) => {
                    let mut stamped = Vec::with_capacity(new.len() + 8);
                    stamp(now, &new, &mut stamped);
                    Update::Put(stamped)
                }
            })
        })
    }

    /// Replaces the payload at `raw_key` with what `rewrite` appends to the buffer it is given,
    /// after reading the stored payload, in one read-modify-write of the backend. TTL applies
    /// as a read then a write would apply it: an expired payload reads as absent, and the new
    /// one is stamped with "now". Decode errors of `rewrite` name the state.
    pub(crate) fn rewrite(&self, store: &mut KeyedStateStore, raw_key: &[u8], rewrite: &mut PayloadRewrite<'_>) -> StateResult<()> {
        let now = if self.ttl.is_some() { store.now_millis() } else { 0 };
        let (name, ttl) = (&self.name, self.ttl);
        store.backend_mut().rewrite(name, raw_key, &mut |stored, out| {
            let live = match (ttl, stored) {
                (None, stored) => stored,
                (Some(_), None) => None,
                (Some(ttl), Some(mut input)) => {
                    let stamped = read_stamp(&mut input).map_err(|e| StateError::corrupt(name, e))?;
                    (!ttl.is_expired(stamped, now)).then_some(input)
                }
            };
            if ttl.is_some() {
                stamp(now, &[], out);
            }
            rewrite(live, out).map_err(|e| StateError::corrupt(name, e))
        })
    }

    /// Decodes a payload of this state, naming the state on failure.
    pub(crate) fn decode<T: StateCodec>(&self, payload: &[u8]) -> StateResult<T> {
        decode_exact(payload).map_err(|e| StateError::corrupt(&self.name, e))
    }

    /// Deletes every entry under `prefix`.
    pub(crate) fn clear_prefix(&self, store: &mut KeyedStateStore, prefix: &[u8]) -> StateResult<()> {
        let end = prefix_end(prefix);
        store.backend_mut().delete_range(&self.name, prefix, end.as_deref())
    }

    /// Full-scan TTL cleanup for one-entry-per-key states: deletes every expired entry of the
    /// state and returns how many it deleted. Without a TTL it does nothing.
    pub(crate) fn cleanup_expired(&self, store: &mut KeyedStateStore) -> StateResult<u64> {
        let Some(ttl) = self.ttl else { return Ok(0) };
        let now = store.now_millis();
        let mut expired = Vec::new();
        let name = &self.name;
        store.backend().scan(name, &[], None, &mut |k, v| {
            let mut input = v;
            let stamped = read_stamp(&mut input).map_err(|e| StateError::corrupt(name, e))?;
            if ttl.is_expired(stamped, now) {
                expired.push(k.to_vec());
            }
            Ok(ScanFlow::Continue)
        })?;
        for key in &expired {
            store.backend_mut().delete(name, key)?;
        }
        Ok(expired.len() as u64)
    }
}
