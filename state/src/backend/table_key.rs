//! The keys of the memory backend's tables: short keys kept inside the map's nodes.
//!
//! A `BTreeMap<Vec<u8>, _>` compares a searched key with each key of a node through that key's
//! heap pointer: a cache miss per comparison once the table outgrows the caches, and an
//! allocation per entry. Most state keys are short (a group key of one `BIGINT` is 26 bytes
//! with its prefixes), so a [`TableKey`] holds up to [`INLINE`] bytes in place, in 32 bytes:
//! a search reads the node's keys where they lie. Longer keys live on the heap as before.
//! Either way a key orders, compares and hashes exactly as its bytes do.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

/// The longest key kept in place.
pub(crate) const INLINE: usize = 30;

/// A table key: its bytes, in place when they fit.
#[derive(Clone)]
pub(crate) enum TableKey {
    /// Up to [`INLINE`] bytes: the first `len` of `bytes`.
    Inline {
        /// How many bytes of `bytes` are the key.
        len: u8,
        /// The key, then zeros.
        bytes: [u8; INLINE],
    },
    /// A longer key.
    Heap(Box<[u8]>),
}

impl TableKey {
    /// The key's bytes.
    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            TableKey::Inline { len, bytes } => &bytes[..usize::from(*len)],
            TableKey::Heap(bytes) => bytes,
        }
    }

    /// The key's bytes, owned.
    pub(crate) fn into_vec(self) -> Vec<u8> {
        match self {
            TableKey::Inline { .. } => self.as_slice().to_vec(),
            TableKey::Heap(bytes) => bytes.into_vec(),
        }
    }
}

impl From<&[u8]> for TableKey {
    fn from(key: &[u8]) -> TableKey {
        if key.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..key.len()].copy_from_slice(key);
            TableKey::Inline { len: key.len() as u8, bytes }
        } else {
            TableKey::Heap(key.into())
        }
    }
}

impl From<Vec<u8>> for TableKey {
    fn from(key: Vec<u8>) -> TableKey {
        if key.len() <= INLINE { TableKey::from(key.as_slice()) } else { TableKey::Heap(key.into_boxed_slice()) }
    }
}

impl Borrow<[u8]> for TableKey {
    fn borrow(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for TableKey {
    fn eq(&self, other: &TableKey) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for TableKey {}

impl PartialOrd for TableKey {
    fn partial_cmp(&self, other: &TableKey) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for TableKey {
    fn cmp(&self, other: &TableKey) -> Ordering {
        self.as_slice().cmp(other.as_slice())
    }
}

impl Hash for TableKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl std::fmt::Debug for TableKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_slice().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn a_key_is_as_large_as_it_says() {
        assert_eq!(std::mem::size_of::<TableKey>(), 32);
    }

    #[test]
    fn keys_order_as_their_bytes_either_side_of_the_inline_limit() {
        let raw: Vec<Vec<u8>> = [0, 1, INLINE - 1, INLINE, INLINE + 1, 64]
            .iter()
            .flat_map(|&n| [vec![7u8; n], vec![0u8; n], (0..n as u8).collect::<Vec<u8>>()])
            .chain([vec![7u8; INLINE], vec![7u8; INLINE + 1]].into_iter().map(|mut v| {
                v.push(0);
                v
            }))
            .collect();
        let mut map = BTreeMap::new();
        for (i, k) in raw.iter().enumerate() {
            map.insert(TableKey::from(k.as_slice()), i);
            assert_eq!(TableKey::from(k.clone()).as_slice(), k.as_slice());
        }
        let mut sorted = raw.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(map.keys().map(|k| k.clone().into_vec()).collect::<Vec<_>>(), sorted);
        for k in &raw {
            assert!(map.contains_key(k.as_slice()));
        }
    }
}
