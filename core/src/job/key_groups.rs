//! Key groups: how keyed state is partitioned, so that a checkpoint restores into any number
//! of workers (Flink's key groups and max parallelism).
//!
//! Every key belongs to one of a fixed number of key groups (`pipeline.max-parallelism`,
//! 128 by default), by a hash of the key that does not depend on the worker count, the
//! process or the platform. Workers own contiguous ranges of groups: group `g` of `G` belongs to
//! worker `g * W / G` of `W`. Keyed operators route each row to the worker owning its key's
//! group, so a worker's keyed state holds exactly the keys of its groups; a job restored into
//! another worker count gives each worker the state of its new range, taken from the parts of
//! the old workers whose ranges overlap it.

use std::hash::{Hash, Hasher};
use std::ops::Range;

use crate::types::Row;

/// Flink's default `pipeline.max-parallelism`: the number of key groups of a job that does not
/// set it.
pub const DEFAULT_KEY_GROUPS: u32 = 128;

/// The most key groups a job may have (Flink's bound on the max parallelism).
pub const MAX_KEY_GROUPS: u32 = 32_768;

/// The number of key groups of a job (its max parallelism): at least one, at most
/// [`MAX_KEY_GROUPS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyGroups(u32);

impl Default for KeyGroups {
    fn default() -> Self {
        KeyGroups(DEFAULT_KEY_GROUPS)
    }
}

impl KeyGroups {
    /// `count` key groups, or `None` when it is 0 or more than [`MAX_KEY_GROUPS`].
    pub fn new(count: u32) -> Option<KeyGroups> {
        (1..=MAX_KEY_GROUPS).contains(&count).then_some(KeyGroups(count))
    }

    /// How many there are.
    pub fn count(self) -> u32 {
        self.0
    }

    /// The group of `key`.
    pub fn of(self, key: &Row) -> u32 {
        let mut hasher = StableHasher::default();
        key.hash(&mut hasher);
        (hasher.finish() % u64::from(self.0)) as u32
    }

    /// The worker of `workers` that owns `group`.
    pub fn worker_of(self, group: u32, workers: usize) -> usize {
        (u64::from(group) * workers as u64 / u64::from(self.0)) as usize
    }

    /// The worker of `workers` that owns `key`'s state, as an exchange's routing hash.
    pub fn route(self, key: &Row, workers: usize) -> u64 {
        self.worker_of(self.of(key), workers) as u64
    }

    /// The groups `worker` of `workers` owns (empty when there are more workers than groups).
    pub fn range(self, worker: usize, workers: usize) -> Range<u32> {
        let groups = u64::from(self.0);
        let workers = workers.max(1) as u64;
        let start = |w: u64| (w * groups).div_ceil(workers).min(groups) as u32;
        start(worker as u64)..start(worker as u64 + 1)
    }

    /// The workers of a job of `old_workers` whose groups overlap those of `worker` of
    /// `workers`: whose state it takes over when the job is restored with `workers` workers.
    pub fn predecessors(self, worker: usize, workers: usize, old_workers: usize) -> Vec<usize> {
        let mine = self.range(worker, workers);
        (0..old_workers).filter(|old| overlap(&self.range(*old, old_workers), &mine)).collect()
    }
}

fn overlap(a: &Range<u32>, b: &Range<u32>) -> bool {
    a.start < b.end && b.start < a.end
}

/// A hash whose value is fixed by this file alone: the same on every platform, in every
/// process and after every compiler upgrade (unlike std's `DefaultHasher`), because the key
/// groups of checkpointed state depend on it. Integers are mixed by value, not by their bytes in
/// memory, so endianness does not matter.
#[derive(Default)]
struct StableHasher {
    state: u64,
}

/// A 64-bit odd constant with well-spread bits (from FxHash).
const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl StableHasher {
    fn mix(&mut self, word: u64) {
        self.state = (self.state.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for StableHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }

    fn write_u16(&mut self, i: u16) {
        self.mix(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.mix(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }

    fn write_u128(&mut self, i: u128) {
        self.mix(i as u64);
        self.mix((i >> 64) as u64);
    }

    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }

    fn write_i8(&mut self, i: i8) {
        self.mix(i as u64);
    }

    fn write_i16(&mut self, i: i16) {
        self.mix(i as u64);
    }

    fn write_i32(&mut self, i: i32) {
        self.mix(i as u64);
    }

    fn write_i64(&mut self, i: i64) {
        self.mix(i as u64);
    }

    fn write_i128(&mut self, i: i128) {
        self.write_u128(i as u128);
    }

    fn write_isize(&mut self, i: isize) {
        self.mix(i as u64);
    }

    /// Murmur3's finalizer: every bit of the state reaches the low bits the group is taken from.
    fn finish(&self) -> u64 {
        let mut h = self.state;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Value;

    fn key(i: i64) -> Row {
        Row::new(vec![Value::BigInt(i), Value::string(&format!("k{i}"))])
    }

    #[test]
    fn every_group_has_one_owner_and_ranges_agree_with_routing() {
        for groups in [1, 7, 128, 1000] {
            let g = KeyGroups::new(groups).unwrap();
            for workers in 1..=9usize {
                let mut owned = 0;
                for w in 0..workers {
                    let range = g.range(w, workers);
                    owned += range.len();
                    assert!(range.clone().all(|group| g.worker_of(group, workers) == w), "{groups} groups, {workers} workers, worker {w}");
                }
                assert_eq!(owned, groups as usize, "{groups} groups over {workers} workers");
            }
        }
    }

    #[test]
    fn predecessors_are_the_old_workers_whose_groups_overlap() {
        let g = KeyGroups::default();
        assert_eq!(g.predecessors(0, 2, 2), vec![0], "same worker count: its own part only");
        assert_eq!(g.predecessors(1, 2, 2), vec![1]);
        assert_eq!(g.predecessors(0, 1, 3), vec![0, 1, 2], "scaling in takes every part");
        assert_eq!(g.predecessors(1, 3, 2), vec![0, 1], "the middle third straddles both halves");
        assert_eq!(g.predecessors(2, 3, 2), vec![1]);
    }

    /// The groups of these keys are part of every checkpoint's meaning: if this test fails,
    /// checkpoints taken before the change restore keys onto the wrong workers.
    #[test]
    fn key_groups_are_pinned() {
        let g = KeyGroups::default();
        let groups: Vec<u32> = (0..8).map(|i| g.of(&key(i))).collect();
        assert_eq!(groups, PINNED);
        let spread: std::collections::BTreeSet<u32> = (0..10_000).map(|i| g.of(&key(i))).collect();
        assert_eq!(spread.len(), 128, "10,000 keys reach every group");
    }

    const PINNED: [u32; 8] = [77, 54, 27, 93, 51, 74, 78, 108];
}
