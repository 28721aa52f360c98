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
use crate::codec::{StateCodec, decode_exact, encode_to_vec};
use crate::error::{StateError, StateResult};
use crate::keys::{entry_prefix, prefix_end};
use crate::store::KeyedStateStore;
use crate::ttl::{StateTtlConfig, read_stamp, stamp};

/// What [`StateCell::update`] makes of a stored payload: the new one, `None` for absent.
pub(crate) type PayloadChange<'a> = dyn FnMut(Option<&[u8]>) -> StateResult<Option<Vec<u8>>> + 'a;

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
        entry_prefix(key, &encode_to_vec(namespace))
    }

    /// Reads the payload stored at `raw_key`, applying TTL: an expired entry is deleted and
    /// reads as absent; with `OnReadAndWrite` a live entry's stamp is refreshed.
    pub(crate) fn read(&self, store: &mut KeyedStateStore, raw_key: &[u8]) -> StateResult<Option<Vec<u8>>> {
        let Some(raw) = store.backend().get(&self.name, raw_key)? else {
            return Ok(None);
        };
        let Some(ttl) = self.ttl else {
            return Ok(Some(raw));
        };
        let now = store.now_millis();
        let mut input = &raw[..];
        let stamped = read_stamp(&mut input).map_err(|e| StateError::corrupt(&self.name, e))?;
        if ttl.is_expired(stamped, now) {
            store.backend_mut().delete(&self.name, raw_key)?;
            return Ok(None);
        }
        let payload = input.to_vec();
        if ttl.refresh_on_read() {
            self.write(store, raw_key, &payload)?;
        }
        Ok(Some(payload))
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
        let now = store.now_millis();
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
