//! How RocksDB backends are configured: plain data, available whether or not this build
//! includes RocksDB itself (the `rocksdb` feature).

use std::path::PathBuf;

/// How RocksDB backends are opened. `Send + Sync`; each worker opens its own database in
/// `dir/worker-<index>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RocksDbConfig {
    /// The directory holding one database directory per worker.
    pub dir: PathBuf,
    /// Compress table files with LZ4 (on by default).
    pub compression: bool,
    /// Size of each column family's memtable in bytes (RocksDB's `write_buffer_size`).
    pub write_buffer_bytes: usize,
}

impl RocksDbConfig {
    /// Default tuning, with worker databases under `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        RocksDbConfig { dir: dir.into(), compression: true, write_buffer_bytes: 16 << 20 }
    }

    /// The database directory of `worker`.
    pub fn worker_dir(&self, worker: usize) -> PathBuf {
        self.dir.join(format!("worker-{worker}"))
    }
}
