//! State backends: where the bytes of keyed state and timers live.
//!
//! A backend is a set of named *tables* (one per state name, plus one per timer service and
//! time domain), each a sorted map from byte keys to byte values. The keyed state primitives in
//! [`crate::state`] and the timers in [`crate::timers`] lay their entries out in these tables
//! (see the `keys` module); the backend itself knows nothing of keys, namespaces or TTL.
//!
//! One backend instance belongs to one worker thread and is not required to be `Send`. What
//! crosses threads is the [`StateBackendConfig`], which opens one backend per worker.

pub mod memory;
mod memory_format;
mod memory_table;
#[cfg(feature = "rocksdb")]
pub mod rocksdb;
mod rocksdb_config;
mod table_key;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::StateResult;

pub use self::memory::MemoryBackend;
#[cfg(feature = "rocksdb")]
pub use self::rocksdb::RocksDbBackend;
pub use self::rocksdb_config::RocksDbConfig;

/// What a scan callback tells the scan to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanFlow {
    /// Visit the next entry.
    Continue,
    /// End the scan now.
    Stop,
}

/// The kind of a backend, as recorded in checkpoint manifests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendKind {
    /// [`MemoryBackend`].
    Memory,
    /// [`RocksDbBackend`].
    RocksDb,
}

/// What [`StateBackend::update`] does with the value it read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// Leaves the entry as it is (absent stays absent).
    Keep,
    /// Stores these bytes.
    Put(Vec<u8>),
    /// Removes the entry.
    Delete,
}

/// What [`StateBackend::rewrite`] does with an entry: reads its value (`None` when absent) and
/// writes the new one into the empty buffer it is given.
pub type Rewrite<'a> = dyn FnMut(Option<&[u8]>, &mut Vec<u8>) -> StateResult<()> + 'a;

/// A visitor of table entries, in ascending key order.
pub type ScanVisitor<'a> = dyn FnMut(&[u8], &[u8]) -> StateResult<ScanFlow> + 'a;

/// A sorted key-value store of named tables, owned by one worker.
///
/// Contract: reads see every earlier write of the same instance; a table that was never written
/// reads as empty; scans visit keys in ascending byte order. Errors name the table.
pub trait StateBackend {
    /// Which implementation this is.
    fn kind(&self) -> BackendKind;

    /// The value stored under `key` in `table`, if any.
    fn get(&self, table: &str, key: &[u8]) -> StateResult<Option<Vec<u8>>>;

    /// The value stored under `key` in `table`, if any, lent rather than copied when the
    /// backend holds it in memory: the read path of the keyed state primitives, which decode
    /// it straight away. The default copies, as [`StateBackend::get`] does.
    fn get_ref(&self, table: &str, key: &[u8]) -> StateResult<Option<Cow<'_, [u8]>>> {
        Ok(self.get(table, key)?.map(Cow::Owned))
    }

    /// Stores `value` under `key` in `table`, replacing any previous value.
    fn put(&mut self, table: &str, key: &[u8], value: &[u8]) -> StateResult<()>;

    /// Removes `key` from `table` (no-op when absent).
    fn delete(&mut self, table: &str, key: &[u8]) -> StateResult<()>;

    /// Reads the value under `key` in `table` (`None` when absent) and does what `update` says
    /// with it: a read-modify-write of one entry, such as adding to a count. The default is a
    /// get, then a put or a delete; the memory backend searches its map once.
    fn update(&mut self, table: &str, key: &[u8], update: &mut dyn FnMut(Option<&[u8]>) -> StateResult<Update>) -> StateResult<()> {
        let old = self.get(table, key)?;
        match update(old.as_deref())? {
            Update::Keep => Ok(()),
            Update::Put(value) => self.put(table, key, &value),
            Update::Delete if old.is_some() => self.delete(table, key),
            Update::Delete => Ok(()),
        }
    }

    /// Replaces the value under `key` in `table` with what `rewrite` writes into the empty
    /// buffer it is given, after reading the stored value (`None` when absent): a
    /// read-modify-write of one entry that always stores, for callers that decode the old
    /// value and encode the new one themselves. Nothing is stored when `rewrite` fails. The
    /// default is a get, then a put; the memory backend searches its map once and writes into
    /// a buffer it keeps.
    fn rewrite(&mut self, table: &str, key: &[u8], rewrite: &mut Rewrite<'_>) -> StateResult<()> {
        let old = self.get(table, key)?;
        let mut new = Vec::new();
        rewrite(old.as_deref(), &mut new)?;
        self.put(table, key, &new)
    }

    /// Appends `bytes` to the value under `key` in `table` (creating it when absent): how
    /// lists grow. The default reads and rewrites the value; backends that can append in place
    /// override it, so that a growing list is not copied on every element.
    fn append(&mut self, table: &str, key: &[u8], bytes: &[u8]) -> StateResult<()> {
        let mut value = self.get(table, key)?.unwrap_or_default();
        value.extend_from_slice(bytes);
        self.put(table, key, &value)
    }

    /// Visits the entries of `table` with `start <= key < end` (`end: None` = to the end of the
    /// table) in ascending key order, until the visitor returns [`ScanFlow::Stop`] or an error.
    /// The visitor must not write to this backend (it cannot: the backend is borrowed).
    fn scan(&self, table: &str, start: &[u8], end: Option<&[u8]>, visit: &mut ScanVisitor<'_>) -> StateResult<()>;

    /// Removes the first entry of `table` with a key below `end` (`None`: any key) and returns
    /// its key, or `None` when there is none: a one-entry scan and its delete in one step (a
    /// timer queue's pop). The default does exactly that; the memory backend pops its map.
    fn pop_first(&mut self, table: &str, end: Option<&[u8]>) -> StateResult<Option<Vec<u8>>> {
        let mut first = None;
        self.scan(table, &[], end, &mut |k, _| {
            first = Some(k.to_vec());
            Ok(ScanFlow::Stop)
        })?;
        if let Some(key) = &first {
            self.delete(table, key)?;
        }
        Ok(first)
    }

    /// Removes every entry with `start <= key < end` from `table`.
    fn delete_range(&mut self, table: &str, start: &[u8], end: Option<&[u8]>) -> StateResult<()> {
        let mut doomed = Vec::new();
        self.scan(table, start, end, &mut |k, _| {
            doomed.push(k.to_vec());
            Ok(ScanFlow::Continue)
        })?;
        for key in doomed {
            self.delete(table, &key)?;
        }
        Ok(())
    }

    /// The names of all tables that have (or had) entries, sorted.
    fn tables(&self) -> StateResult<Vec<String>>;

    /// Whether `table` is known, at no cost, to hold no entry: a caller about to look a key up
    /// in it may skip the search. `false` says nothing (the default: a backend whose tables
    /// are not in memory would pay a read to know).
    fn known_empty(&self, _table: &str) -> bool {
        false
    }

    /// The number of entries in all tables (state values, list and map entries, timers): how
    /// much state an operator holds. The default counts with a scan of every table.
    fn entry_count(&self) -> StateResult<u64> {
        let mut n = 0;
        for table in self.tables()? {
            self.scan(&table, &[], None, &mut |_, _| {
                n += 1;
                Ok(ScanFlow::Continue)
            })?;
        }
        Ok(n)
    }

    /// Writes the backend's full content as of now into `dir`, which must not exist yet, and
    /// returns the files written (paths relative to `dir`). The backend stays usable.
    fn snapshot_to(&mut self, dir: &Path) -> StateResult<Vec<SnapshotFile>>;
}

/// One file of a snapshot part, as listed in a checkpoint manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotFile {
    /// Path relative to the part's directory, with `/` separators.
    pub path: String,
    /// Size in bytes when written; restore checks it to detect truncated checkpoints.
    pub bytes: u64,
    /// CRC-32 (IEEE) of the content, checked on restore to detect damaged checkpoints
    /// (absent in manifests written before checksums).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crc32: Option<u32>,
}

/// How to open state backends: one per worker. Cheap to clone, `Send + Sync`, so one value can
/// be handed to every worker thread.
#[derive(Debug, Clone, Default)]
pub enum StateBackendConfig {
    /// Keep state in memory ([`MemoryBackend`]). The default.
    #[default]
    Memory,
    /// Keep state in RocksDB ([`RocksDbBackend`]), one database per worker under a directory.
    RocksDb(RocksDbConfig),
}

impl StateBackendConfig {
    /// A RocksDB configuration with default tuning, keeping worker databases under `dir`.
    pub fn rocksdb(dir: impl Into<PathBuf>) -> Self {
        StateBackendConfig::RocksDb(RocksDbConfig::new(dir))
    }

    /// The kind of backend this configuration opens.
    pub fn kind(&self) -> BackendKind {
        match self {
            StateBackendConfig::Memory => BackendKind::Memory,
            StateBackendConfig::RocksDb(_) => BackendKind::RocksDb,
        }
    }

    /// Opens an empty backend for `worker`. For RocksDB this wipes and recreates the worker's
    /// directory: a worker's working state is scratch, durable state lives in checkpoints.
    pub fn open(&self, worker: usize) -> StateResult<Box<dyn StateBackend>> {
        Ok(match self {
            StateBackendConfig::Memory => Box::new(MemoryBackend::new()),
            #[cfg(feature = "rocksdb")]
            StateBackendConfig::RocksDb(config) => Box::new(RocksDbBackend::open_fresh(config, worker)?),
            #[cfg(not(feature = "rocksdb"))]
            StateBackendConfig::RocksDb(_) => {
                let _ = worker;
                return Err(rocksdb_not_built());
            }
        })
    }

    /// Rebuilds a backend for `worker` from a snapshot part written by a backend of `kind` into
    /// `part_dir`. The same kind restores natively; another kind is restored logically, entry
    /// by entry. For RocksDB the worker's directory is replaced: drop any backend still open
    /// for the same worker first.
    pub fn restore(&self, worker: usize, kind: BackendKind, part_dir: &Path, files: &[SnapshotFile]) -> StateResult<Box<dyn StateBackend>> {
        match (self, kind) {
            (StateBackendConfig::Memory, BackendKind::Memory) => Ok(Box::new(MemoryBackend::restore_from(part_dir, files)?)),
            #[cfg(feature = "rocksdb")]
            (StateBackendConfig::RocksDb(config), BackendKind::RocksDb) => Ok(Box::new(RocksDbBackend::restore_from(config, worker, part_dir, files)?)),
            #[cfg(feature = "rocksdb")]
            (StateBackendConfig::Memory, BackendKind::RocksDb) => {
                let (source, scratch) = RocksDbBackend::open_snapshot_copy(part_dir, files)?;
                let mut target = MemoryBackend::new();
                copy_all(&source, &mut target)?;
                drop(source);
                drop(scratch);
                Ok(Box::new(target))
            }
            #[cfg(feature = "rocksdb")]
            (StateBackendConfig::RocksDb(config), BackendKind::Memory) => {
                let source = MemoryBackend::restore_from(part_dir, files)?;
                let mut target = RocksDbBackend::open_fresh(config, worker)?;
                copy_all(&source, &mut target)?;
                Ok(Box::new(target))
            }
            #[cfg(not(feature = "rocksdb"))]
            _ => {
                let _ = worker;
                Err(rocksdb_not_built())
            }
        }
    }
}

/// The error of asking for RocksDB in a build without the `rocksdb` feature.
#[cfg(not(feature = "rocksdb"))]
pub(crate) fn rocksdb_not_built() -> crate::error::StateError {
    crate::error::StateError::RocksDb {
        state: "*".into(),
        action: "open the RocksDB backend".into(),
        message: "this build has no RocksDB support (weir-state was built without its `rocksdb` feature)".into(),
    }
}

/// Copies every entry of every table of `from` into `to`.
pub fn copy_all(from: &dyn StateBackend, to: &mut dyn StateBackend) -> StateResult<()> {
    for table in from.tables()? {
        from.scan(&table, &[], None, &mut |k, v| {
            to.put(&table, k, v)?;
            Ok(ScanFlow::Continue)
        })?;
    }
    Ok(())
}

/// One entry of one table: `(table, key, value)`.
pub type TableEntry = (String, Vec<u8>, Vec<u8>);

/// Every entry of every non-empty table, in table then key order: the backend's logical
/// content, for comparing backends in tests and tools.
pub fn dump(backend: &dyn StateBackend) -> StateResult<Vec<TableEntry>> {
    let mut out = Vec::new();
    for table in backend.tables()? {
        backend.scan(&table, &[], None, &mut |k, v| {
            out.push((table.clone(), k.to_vec(), v.to_vec()));
            Ok(ScanFlow::Continue)
        })?;
    }
    Ok(out)
}

/// Checks that every file a manifest lists exists under `dir` with the recorded size.
pub(crate) fn verify_files(dir: &Path, files: &[SnapshotFile]) -> StateResult<()> {
    for file in files {
        let path = dir.join(&file.path);
        let meta = std::fs::metadata(&path).map_err(|e| crate::StateError::io("read metadata of snapshot file", &path, e))?;
        if meta.len() != file.bytes {
            return Err(crate::StateError::CorruptSnapshot { path, detail: format!("size is {} bytes, manifest says {}", meta.len(), file.bytes) });
        }
        if let Some(expected) = file.crc32 {
            let actual = file_crc32(&path)?;
            if actual != expected {
                return Err(crate::StateError::CorruptSnapshot { path, detail: format!("CRC-32 is {actual:08x}, manifest says {expected:08x}") });
            }
        }
    }
    Ok(())
}

/// The CRC-32 (IEEE) of the file at `path`, read in blocks.
pub(crate) fn file_crc32(path: &Path) -> StateResult<u32> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| crate::StateError::io("read snapshot file", path, e))?;
    let mut hasher = crc32fast::Hasher::new();
    let mut block = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut block).map_err(|e| crate::StateError::io("read snapshot file", path, e))?;
        if n == 0 {
            return Ok(hasher.finalize());
        }
        hasher.update(&block[..n]);
    }
}
