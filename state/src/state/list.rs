//! `ListState`: a list of values per (key, namespace).

use std::marker::PhantomData;

use crate::backend::ScanFlow;
use crate::codec::{DecodeError, StateCodec, encode_to_vec, read_bytes, write_bytes};
use crate::error::{StateError, StateResult};
use crate::state::StateCell;
use crate::store::KeyedStateStore;
use crate::ttl::{StateTtlConfig, read_stamp, stamp};

/// A list per (key, namespace), like Flink's `ListState`: `add` appends, `get` returns the
/// elements in the order they were added, `update` replaces the whole list. With a TTL each
/// element expires on its own (stamped when added or, with `OnReadAndWrite`, when read).
///
/// The list is stored as one backend value of length-prefixed elements, so `add` appends bytes
/// without decoding the existing elements.
#[derive(Debug, Clone)]
pub struct ListState<T, N = ()> {
    cell: StateCell,
    _types: PhantomData<fn() -> (T, N)>,
}

/// One stored element: its TTL stamp (when the state has a TTL) and its encoded bytes.
type RawElement<'a> = (Option<i64>, &'a [u8]);

impl<T: StateCodec, N: StateCodec> ListState<T, N> {
    /// A list state stored under `name`.
    pub fn new(name: impl Into<String>) -> Self {
        ListState { cell: StateCell::new(name), _types: PhantomData }
    }

    /// Gives elements a time-to-live.
    pub fn with_ttl(mut self, ttl: StateTtlConfig) -> Self {
        self.cell.ttl = Some(ttl);
        self
    }

    /// The state's name.
    pub fn name(&self) -> &str {
        &self.cell.name
    }

    fn parse<'a>(&self, mut raw: &'a [u8]) -> StateResult<Vec<RawElement<'a>>> {
        let mut out = Vec::new();
        let parse_one = |input: &mut &'a [u8]| -> Result<RawElement<'a>, DecodeError> {
            let stamped = if self.cell.ttl.is_some() { Some(read_stamp(input)?) } else { None };
            Ok((stamped, read_bytes(input)?))
        };
        while !raw.is_empty() {
            out.push(parse_one(&mut raw).map_err(|e| StateError::corrupt(&self.cell.name, e))?);
        }
        Ok(out)
    }

    fn append_element(&self, now: i64, element: &[u8], out: &mut Vec<u8>) {
        if self.cell.ttl.is_some() {
            stamp(now, &[], out);
        }
        write_bytes(element, out);
    }

    /// Keeps the live elements of `raw` (refreshing their stamps to `now` when `refresh`),
    /// returning the re-encoded list and whether anything changed.
    fn live_elements(&self, raw: &[u8], now: i64, refresh: bool) -> StateResult<(Vec<u8>, Vec<Vec<u8>>, bool)> {
        let mut kept = Vec::with_capacity(raw.len());
        let mut elements = Vec::new();
        let mut changed = false;
        for (stamped, bytes) in self.parse(raw)? {
            let stamp_now = match (stamped, self.cell.ttl) {
                (Some(s), Some(ttl)) if ttl.is_expired(s, now) => {
                    changed = true;
                    continue;
                }
                (Some(s), _) if refresh && s != now => {
                    changed = true;
                    now
                }
                (Some(s), _) => s,
                (None, _) => now,
            };
            self.append_element(stamp_now, bytes, &mut kept);
            elements.push(bytes.to_vec());
        }
        Ok((kept, elements, changed))
    }

    /// The live elements of `key` in `namespace`, oldest first; empty when there are none.
    pub fn get(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N) -> StateResult<Vec<T>> {
        let mut elements = Vec::new();
        self.visit_encoded(store, key, namespace, |bytes| {
            elements.push(self.cell.decode(bytes)?);
            Ok(())
        })?;
        Ok(elements)
    }

    /// Hands `visit` the encoding of each live element of `key` in `namespace` (a `T`'s
    /// encoding), oldest first: [`ListState::get`] for callers that decode into buffers of
    /// their own. TTL applies as in [`ListState::get`].
    pub fn visit_encoded(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, mut visit: impl FnMut(&[u8]) -> StateResult<()>) -> StateResult<()> {
        let raw_key = self.cell.prefix(key, namespace);
        if self.cell.ttl.is_none() {
            // Nothing expires or is re-stamped: the elements are read where they lie.
            let Some(raw) = store.backend().get_ref(&self.cell.name, &raw_key)? else {
                return Ok(());
            };
            let mut input: &[u8] = &raw;
            while !input.is_empty() {
                visit(read_bytes(&mut input).map_err(|e| StateError::corrupt(&self.cell.name, e))?)?;
            }
            return Ok(());
        }
        let Some(raw) = store.backend().get(&self.cell.name, &raw_key)? else {
            return Ok(());
        };
        let now = store.now_millis();
        let refresh = self.cell.ttl.is_some_and(|t| t.refresh_on_read());
        let (kept, elements, changed) = self.live_elements(&raw, now, refresh)?;
        if changed {
            self.store_raw(store, &raw_key, &kept)?;
        }
        elements.iter().try_for_each(|bytes| visit(bytes))
    }

    fn store_raw(&self, store: &mut KeyedStateStore, raw_key: &[u8], raw: &[u8]) -> StateResult<()> {
        if raw.is_empty() { store.backend_mut().delete(&self.cell.name, raw_key) } else { store.backend_mut().put(&self.cell.name, raw_key, raw) }
    }

    /// Whether the state is known, at no cost, to hold no list of any key (see
    /// [`StateBackend::known_empty`](crate::StateBackend::known_empty)): `false` says nothing.
    pub fn known_empty(&self, store: &KeyedStateStore) -> bool {
        store.backend().known_empty(&self.cell.name)
    }

    /// Appends `value`.
    pub fn add(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, value: &T) -> StateResult<()> {
        self.add_all(store, key, namespace, std::slice::from_ref(value))
    }

    /// Appends every value of `values`, in order.
    pub fn add_all(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, values: &[T]) -> StateResult<()> {
        if values.is_empty() {
            return Ok(());
        }
        let raw_key = self.cell.prefix(key, namespace);
        let now = store.now_millis();
        let (mut raw, mut element) = (Vec::new(), Vec::new());
        for value in values {
            element.clear();
            value.encode(&mut element);
            self.append_element(now, &element, &mut raw);
        }
        store.backend_mut().append(&self.cell.name, &raw_key, &raw)
    }

    /// Replaces the list with `values` (an empty slice clears it).
    pub fn update(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, values: &[T]) -> StateResult<()> {
        let raw_key = self.cell.prefix(key, namespace);
        let now = store.now_millis();
        let mut raw = Vec::new();
        for value in values {
            self.append_element(now, &encode_to_vec(value), &mut raw);
        }
        self.store_raw(store, &raw_key, &raw)
    }

    /// Removes the list of `key` in `namespace`.
    pub fn clear(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N) -> StateResult<()> {
        let raw_key = self.cell.prefix(key, namespace);
        store.backend_mut().delete(&self.cell.name, &raw_key)
    }

    /// Drops every expired element of this state (all keys and namespaces), deleting lists
    /// left empty; returns how many lists it rewrote or deleted.
    pub fn cleanup_expired(&self, store: &mut KeyedStateStore) -> StateResult<u64> {
        if self.cell.ttl.is_none() {
            return Ok(0);
        }
        let now = store.now_millis();
        let mut rewrites = Vec::new();
        store.backend().scan(&self.cell.name, &[], None, &mut |k, v| {
            let (kept, _, changed) = self.live_elements(v, now, false)?;
            if changed {
                rewrites.push((k.to_vec(), kept));
            }
            Ok(ScanFlow::Continue)
        })?;
        for (raw_key, kept) in &rewrites {
            self.store_raw(store, raw_key, kept)?;
        }
        Ok(rewrites.len() as u64)
    }
}
