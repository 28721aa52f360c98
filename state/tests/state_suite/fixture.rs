//! A store over a chosen backend, with a manual clock and a private temp directory.

use std::sync::Arc;

use tempfile::TempDir;
use weir_state::{CheckpointStorage, KeyedStateStore, ManualClock, StateBackend, StateBackendConfig};

/// Everything a test needs: the store, its clock, its backend config and a directory for
/// databases and checkpoints (removed when the fixture drops).
pub struct Fixture {
    pub dir: TempDir,
    pub config: StateBackendConfig,
    pub clock: ManualClock,
    pub store: KeyedStateStore,
    /// Restores so far; each restore gets a fresh worker index so a RocksDB restore never
    /// reuses the directory of the database still open in `store`.
    pub restores: usize,
}

impl Fixture {
    pub fn memory() -> Self {
        Self::with_config(|_| StateBackendConfig::Memory)
    }

    pub fn rocksdb() -> Self {
        Self::with_config(|dir| StateBackendConfig::rocksdb(dir.path().join("db")))
    }

    pub fn with_config(make: impl FnOnce(&TempDir) -> StateBackendConfig) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = make(&dir);
        let clock = ManualClock::new(1_000);
        let store = Self::wrap(config.open(0).expect("open backend"), &clock);
        Fixture { dir, config, clock, store, restores: 0 }
    }

    pub fn wrap(backend: Box<dyn StateBackend>, clock: &ManualClock) -> KeyedStateStore {
        KeyedStateStore::new(backend).with_clock(Arc::new(clock.clone()))
    }

    pub fn checkpoints(&self) -> CheckpointStorage {
        CheckpointStorage::new(self.dir.path().join("checkpoints"))
    }

    /// Snapshots the store as epoch `epoch`, part `worker-0`.
    pub fn snapshot(&mut self, epoch: u64) {
        self.checkpoints().snapshot(epoch, "worker-0", self.store.backend_mut()).expect("snapshot");
    }

    /// Replaces the store with one restored from the newest complete checkpoint, under
    /// `config`.
    pub fn restore_latest_as(&mut self, config: &StateBackendConfig) -> u64 {
        self.restores += 1;
        let (manifest, backend) = self.checkpoints().restore_latest("worker-0", config, self.restores).expect("restore");
        self.store = Self::wrap(backend, &self.clock);
        manifest.epoch
    }
}
