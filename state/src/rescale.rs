//! Restoring keyed state into another number of workers.
//!
//! Every entry of a backend belongs to one key: a state entry to the key its
//! `(key, namespace)` prefix starts with, a timer to the key after its timestamp (see
//! [`crate::keys`]). A worker of a rescaled job takes, from each snapshot part that may hold its
//! keys, the entries of the keys it now owns; which keys those are is the caller's to say (the
//! engine decides by key group).

use std::path::Path;

use crate::backend::{BackendKind, MemoryBackend, ScanFlow, SnapshotFile, StateBackend, StateBackendConfig};
use crate::codec::read_bytes;
use crate::error::{StateError, StateResult};
use crate::keys::split_timer;
use crate::timers::TIMER_TABLE_PREFIX;

/// One snapshot part to take entries from: which backend wrote it, where, and its files.
#[derive(Debug, Clone, Copy)]
pub struct PartSource<'a> {
    /// The backend that wrote it.
    pub kind: BackendKind,
    /// Its directory.
    pub dir: &'a Path,
    /// Its files, as its manifest lists them (checked before they are read).
    pub files: &'a [SnapshotFile],
}

/// Whether the entries of a key (its encoded bytes) go to the backend being rebuilt.
pub type KeyFilter<'a> = dyn Fn(&[u8]) -> StateResult<bool> + 'a;

/// The key an entry of `table` stored under `raw` belongs to.
pub fn entry_key<'a>(table: &str, raw: &'a [u8]) -> StateResult<&'a [u8]> {
    let corrupt = |e: crate::codec::DecodeError| StateError::CorruptValue { state: table.to_string(), detail: format!("entry key: {e}") };
    if table.starts_with(TIMER_TABLE_PREFIX) {
        return split_timer(raw).map(|(_, key, _)| key).map_err(corrupt);
    }
    let mut input = raw;
    read_bytes(&mut input).map_err(corrupt)
}

/// Copies into `to` every entry of `from` whose key `keep` accepts; how many were copied.
pub fn copy_keys(from: &dyn StateBackend, to: &mut dyn StateBackend, keep: &KeyFilter<'_>) -> StateResult<u64> {
    let mut copied = 0;
    for table in from.tables()? {
        from.scan(&table, &[], None, &mut |k, v| {
            if keep(entry_key(&table, k)?)? {
                to.put(&table, k, v)?;
                copied += 1;
            }
            Ok(ScanFlow::Continue)
        })?;
    }
    Ok(copied)
}

impl StateBackendConfig {
    /// A backend for `worker` holding the entries of `parts` whose key `keep` accepts: the state
    /// a worker owns after the job's worker count changed.
    pub fn restore_merged(&self, worker: usize, parts: &[PartSource<'_>], keep: &KeyFilter<'_>) -> StateResult<Box<dyn StateBackend>> {
        let mut target = self.open(worker)?;
        for part in parts {
            match part.kind {
                BackendKind::Memory => {
                    let source = MemoryBackend::restore_from(part.dir, part.files)?;
                    copy_keys(&source, target.as_mut(), keep)?;
                }
                #[cfg(feature = "rocksdb")]
                BackendKind::RocksDb => {
                    let (source, scratch) = crate::backend::RocksDbBackend::open_snapshot_copy(part.dir, part.files)?;
                    copy_keys(&source, target.as_mut(), keep)?;
                    drop(source);
                    drop(scratch);
                }
                #[cfg(not(feature = "rocksdb"))]
                BackendKind::RocksDb => return Err(crate::backend::rocksdb_not_built()),
            }
        }
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::dump;
    use crate::codec::{decode_exact, encode_to_vec};
    use crate::snapshot::CheckpointStorage;
    use crate::{KeyedStateStore, MapState, TimeDomain, TimerService, ValueState};

    /// Two workers' stores with keys 0..20 spread by `key % 2`, restored into three workers by
    /// `key % 3`: every entry lands exactly once, on the worker that owns its key.
    #[test]
    fn entries_and_timers_follow_their_keys() {
        let root = tempfile::tempdir().unwrap();
        let storage = CheckpointStorage::new(root.path());
        let counts: ValueState<i64> = ValueState::new("count");
        let seen: MapState<i64, bool, u32> = MapState::new("seen");
        let timers: TimerService<u32> = TimerService::new("op");
        let mut parts = Vec::new();
        let mut all = Vec::new();
        for worker in 0..2i64 {
            let mut store = KeyedStateStore::new(Box::new(MemoryBackend::new()));
            for key in (0..20i64).filter(|k| k % 2 == worker) {
                let k = encode_to_vec(&key);
                counts.update(&mut store, &k, &(), &(key * 10)).unwrap();
                seen.put(&mut store, &k, &7, &key, &true).unwrap();
                timers.register(&mut store, TimeDomain::EventTime, &k, &7, 1000 + key).unwrap();
            }
            all.extend(dump(store.backend()).unwrap());
            parts.push(storage.write_part(1, &format!("w{worker}"), store.backend_mut()).unwrap());
        }
        let dirs: Vec<_> = parts.iter().map(|p| storage.checkpoint_dir(1).join(&p.name)).collect();
        let sources: Vec<PartSource<'_>> = parts.iter().zip(&dirs).map(|(p, dir)| PartSource { kind: p.backend, dir, files: &p.files }).collect();
        let mut restored = Vec::new();
        for worker in 0..3i64 {
            let keep = move |key: &[u8]| {
                Ok(decode_exact::<i64>(key).map_err(|e| StateError::CorruptValue { state: "k".into(), detail: e.to_string() })? % 3 == worker)
            };
            let backend = StateBackendConfig::Memory.restore_merged(worker as usize, &sources, &keep).unwrap();
            let mut store = KeyedStateStore::new(backend);
            for key in 0..20i64 {
                let k = encode_to_vec(&key);
                let value = counts.get(&mut store, &k, &()).unwrap();
                assert_eq!(value, (key % 3 == worker).then_some(key * 10), "key {key} on worker {worker}");
            }
            restored.extend(dump(store.backend()).unwrap());
        }
        all.sort();
        restored.sort();
        assert_eq!(restored, all, "every entry, timers included, exactly once");
    }

    #[test]
    fn a_corrupt_key_is_an_error_naming_the_table() {
        let err = entry_key("count", &[0x80]).unwrap_err();
        assert!(err.to_string().contains("count"), "{err}");
    }
}
