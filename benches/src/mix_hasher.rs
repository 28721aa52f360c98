//! A fast `Hasher` for integer keys: one [`mix64`] per key instead of SipHash. For hash maps
//! keyed by trusted integers (the pre-aggregating combiner), where HashDoS resistance is moot.

use std::hash::{BuildHasherDefault, Hasher};

use crate::rng::mix64;

/// Hashes integers with the SplitMix64 finalizer; other input is folded in 8 bytes at a time.
#[derive(Clone, Copy, Debug, Default)]
pub struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u64(&mut self, v: u64) {
        self.0 = mix64(self.0 ^ v);
    }

    #[inline]
    fn write_i64(&mut self, v: i64) {
        self.write_u64(v as u64);
    }
}

/// `HashMap<K, V, MixBuildHasher>` uses [`MixHasher`].
pub type MixBuildHasher = BuildHasherDefault<MixHasher>;
