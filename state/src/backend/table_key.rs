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
    #[inline]
    fn cmp(&self, other: &TableKey) -> Ordering {
        match (self, other) {
            // Two keys in place compare as their zero-padded bytes, then by length: where the
            // padded bytes first differ past the shorter key's end, the shorter has a zero
            // (padding) below the longer's byte there, as a prefix orders below its extensions.
            // Eight bytes at a time rather than a call to `memcmp`, which a map search makes
            // per key of a node, and over the prefix most state keys share (their lengths and
            // row headers).
            (TableKey::Inline { len: a, bytes: x }, TableKey::Inline { len: b, bytes: y }) => words(x).cmp(&words(y)).then(a.cmp(b)),
            _ => self.as_slice().cmp(other.as_slice()),
        }
    }
}

/// The bytes of a key in place as big-endian words, which order as the bytes do.
#[inline]
fn words(bytes: &[u8; INLINE]) -> [u64; 4] {
    let mut tail = [0u8; 8];
    tail[..INLINE - 24].copy_from_slice(&bytes[24..]);
    let word = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[at..at + 8]);
        u64::from_be_bytes(w)
    };
    [word(0), word(8), word(16), u64::from_be_bytes(tail)]
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

    #[test]
    fn keys_compare_as_their_bytes() {
        // Short keys over a small alphabet, so that prefixes, zeros and equal keys are common.
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let keys: Vec<Vec<u8>> = (0..400).map(|_| (0..next() % (INLINE + 3)).map(|_| [0u8, 1, 0xff][next() % 3]).collect()).collect();
        for a in &keys {
            for b in &keys {
                assert_eq!(TableKey::from(a.as_slice()).cmp(&TableKey::from(b.as_slice())), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }
}
