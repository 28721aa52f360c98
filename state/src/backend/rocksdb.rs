//! The RocksDB backend: one database per worker, one column family per table. Snapshots use
//! RocksDB's checkpoint API (hard-linked table files plus a fresh MANIFEST).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rocksdb::checkpoint::Checkpoint;
use rocksdb::{DB, DBCompressionType, Options, ReadOptions, WriteOptions};

use super::RocksDbConfig;
use crate::backend::{BackendKind, ScanFlow, ScanVisitor, SnapshotFile, StateBackend, verify_files};
use crate::error::{StateError, StateResult};
use crate::fsutil;

/// The column family RocksDB always has; never used for state, only kept open.
const DEFAULT_CF: &str = "default";

/// State kept in a RocksDB database owned by one worker: state larger than memory.
///
/// Writes skip RocksDB's write-ahead log: durability comes from checkpoints, which flush the
/// memtables first, so a crash loses nothing a checkpoint promised.
pub struct RocksDbBackend {
    db: DB,
    path: PathBuf,
    opts: Options,
    write_opts: WriteOptions,
    tables: BTreeSet<String>,
    /// The CRC-32 of each SST file a snapshot has listed, by name and size: SST files never
    /// change once written, so a later snapshot hard-links the same file and reuses its
    /// checksum instead of reading it again (a snapshot costs what changed, not the state).
    sst_crcs: HashMap<(String, u64), u32>,
}

impl std::fmt::Debug for RocksDbBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RocksDbBackend").field("path", &self.path).field("tables", &self.tables).finish()
    }
}

fn db_error(state: &str, action: impl Into<String>, e: rocksdb::Error) -> StateError {
    StateError::RocksDb { state: state.to_string(), action: action.into(), message: e.into_string() }
}

impl RocksDbBackend {
    /// Opens an empty database for `worker`, removing whatever its directory held.
    pub fn open_fresh(config: &RocksDbConfig, worker: usize) -> StateResult<Self> {
        let path = config.worker_dir(worker);
        fsutil::remove_dir_if_exists(&path)?;
        std::fs::create_dir_all(&path).map_err(|e| StateError::io("create directory", &path, e))?;
        Self::open_existing(options(config), path)
    }

    /// Rebuilds the database of `worker` from a snapshot part written by
    /// [`StateBackend::snapshot_to`] of a RocksDB backend: the part is copied (table files
    /// hard-linked) into the worker's directory and opened there, leaving the checkpoint intact.
    pub fn restore_from(config: &RocksDbConfig, worker: usize, part_dir: &Path, files: &[SnapshotFile]) -> StateResult<Self> {
        verify_files(part_dir, files)?;
        let path = config.worker_dir(worker);
        fsutil::remove_dir_if_exists(&path)?;
        fsutil::copy_tree(part_dir, &path)?;
        Self::open_existing(options(config), path)
    }

    /// Opens a copy of a RocksDB snapshot part in a scratch directory (removed when the
    /// returned guard drops), for a logical restore into another backend. The checkpoint itself
    /// is never opened, so nothing (not even RocksDB's info log) is written into it.
    pub fn open_snapshot_copy(part_dir: &Path, files: &[SnapshotFile]) -> StateResult<(Self, tempfile::TempDir)> {
        verify_files(part_dir, files)?;
        let scratch =
            tempfile::Builder::new().prefix("weir-restore-").tempdir().map_err(|e| StateError::io("create scratch directory in", std::env::temp_dir(), e))?;
        let path = scratch.path().join("db");
        fsutil::copy_tree(part_dir, &path)?;
        let backend = Self::open_existing(options(&RocksDbConfig::new(&path)), path)?;
        Ok((backend, scratch))
    }

    fn open_existing(opts: Options, path: PathBuf) -> StateResult<Self> {
        let names = if path.join("CURRENT").exists() { list_column_families(&opts, &path)? } else { vec![DEFAULT_CF.to_string()] };
        let db = DB::open_cf(&opts, &path, &names).map_err(|e| db_error("*", format!("open database at `{}`", path.display()), e))?;
        Ok(Self::wrap(db, path, opts, names))
    }

    fn wrap(db: DB, path: PathBuf, opts: Options, names: Vec<String>) -> Self {
        let mut write_opts = WriteOptions::default();
        write_opts.disable_wal(true);
        let tables = names.into_iter().filter(|n| n != DEFAULT_CF).collect();
        RocksDbBackend { db, path, opts, write_opts, tables, sst_crcs: HashMap::new() }
    }

    /// The database directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Creates the column family of `table` if it does not exist yet.
    fn ensure_table(&mut self, table: &str) -> StateResult<()> {
        if !self.tables.contains(table) {
            self.db.create_cf(table, &self.opts).map_err(|e| db_error(table, "create column family", e))?;
            self.tables.insert(table.to_string());
        }
        Ok(())
    }

    fn is_empty_table(&self, table: &str) -> StateResult<bool> {
        let mut empty = true;
        self.scan(table, &[], None, &mut |_, _| {
            empty = false;
            Ok(ScanFlow::Stop)
        })?;
        Ok(empty)
    }
}

fn list_column_families(opts: &Options, path: &Path) -> StateResult<Vec<String>> {
    DB::list_cf(opts, path).map_err(|e| db_error("*", format!("list column families of `{}`", path.display()), e))
}

impl StateBackend for RocksDbBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::RocksDb
    }

    fn get(&self, table: &str, key: &[u8]) -> StateResult<Option<Vec<u8>>> {
        let Some(cf) = self.db.cf_handle(table) else {
            return Ok(None);
        };
        let value = self.db.get_pinned_cf(cf, key).map_err(|e| db_error(table, "get", e))?;
        Ok(value.map(|v| v.to_vec()))
    }

    fn put(&mut self, table: &str, key: &[u8], value: &[u8]) -> StateResult<()> {
        self.ensure_table(table)?;
        let cf = self.db.cf_handle(table).ok_or_else(|| missing_cf(table))?;
        self.db.put_cf_opt(cf, key, value, &self.write_opts).map_err(|e| db_error(table, "put", e))
    }

    fn delete(&mut self, table: &str, key: &[u8]) -> StateResult<()> {
        let Some(cf) = self.db.cf_handle(table) else {
            return Ok(());
        };
        self.db.delete_cf_opt(cf, key, &self.write_opts).map_err(|e| db_error(table, "delete", e))
    }

    fn scan(&self, table: &str, start: &[u8], end: Option<&[u8]>, visit: &mut ScanVisitor<'_>) -> StateResult<()> {
        let Some(cf) = self.db.cf_handle(table) else {
            return Ok(());
        };
        let mut read_opts = ReadOptions::default();
        if let Some(end) = end {
            if end <= start {
                return Ok(());
            }
            read_opts.set_iterate_upper_bound(end.to_vec());
        }
        let mut iter = self.db.raw_iterator_cf_opt(cf, read_opts);
        iter.seek(start);
        while let (Some(k), Some(v)) = (iter.key(), iter.value()) {
            if visit(k, v)? == ScanFlow::Stop {
                return Ok(());
            }
            iter.next();
        }
        iter.status().map_err(|e| db_error(table, "scan", e))
    }

    fn delete_range(&mut self, table: &str, start: &[u8], end: Option<&[u8]>) -> StateResult<()> {
        let Some(end) = end else {
            // RocksDB's range delete needs an upper bound; delete key by key instead.
            let mut doomed = Vec::new();
            self.scan(table, start, None, &mut |k, _| {
                doomed.push(k.to_vec());
                Ok(ScanFlow::Continue)
            })?;
            return doomed.iter().try_for_each(|k| self.delete(table, k));
        };
        let Some(cf) = self.db.cf_handle(table) else {
            return Ok(());
        };
        if end <= start {
            return Ok(());
        }
        self.db.delete_range_cf_opt(cf, start, end, &self.write_opts).map_err(|e| db_error(table, "delete range", e))
    }

    fn tables(&self) -> StateResult<Vec<String>> {
        let mut names = Vec::new();
        for name in &self.tables {
            if !self.is_empty_table(name)? {
                names.push(name.clone());
            }
        }
        Ok(names)
    }

    fn snapshot_to(&mut self, dir: &Path) -> StateResult<Vec<SnapshotFile>> {
        // RocksDB creates the checkpoint directory itself and wants it absent; create the
        // parent only.
        if dir.exists() {
            return Err(StateError::InvalidArgument { state: "*".into(), detail: format!("snapshot directory `{}` already exists", dir.display()) });
        }
        if let Some(parent) = dir.parent() {
            std::fs::create_dir_all(parent).map_err(|e| StateError::io("create directory", parent, e))?;
        }
        let checkpoint = Checkpoint::new(&self.db).map_err(|e| db_error("*", "start checkpoint", e))?;
        checkpoint.create_checkpoint(dir).map_err(|e| db_error("*", format!("write checkpoint to `{}`", dir.display()), e))?;
        fsync_tree(dir)?;
        let mut files = Vec::new();
        for (path, bytes) in fsutil::list_files(dir)? {
            let crc32 = if path.ends_with(".sst") {
                let key = (path.clone(), bytes);
                match self.sst_crcs.get(&key) {
                    Some(crc) => Some(*crc),
                    None => {
                        let crc = super::file_crc32(&dir.join(&path))?;
                        self.sst_crcs.insert(key, crc);
                        Some(crc)
                    }
                }
            } else {
                None
            };
            files.push(SnapshotFile { path, bytes, crc32 });
        }
        Ok(files)
    }
}

fn missing_cf(table: &str) -> StateError {
    StateError::RocksDb { state: table.to_string(), action: "look up column family".into(), message: "column family vanished".into() }
}

/// Fsyncs every file of a freshly written checkpoint, then the directory, so that a manifest
/// written afterwards never points at data still in the page cache.
fn fsync_tree(dir: &Path) -> StateResult<()> {
    for (rel, _) in fsutil::list_files(dir)? {
        let path = dir.join(rel);
        let file = std::fs::File::open(&path).map_err(|e| StateError::io("open for fsync", &path, e))?;
        file.sync_all().map_err(|e| StateError::io("fsync file", &path, e))?;
    }
    fsutil::sync_dir(dir)
}

/// RocksDB's options for databases opened with `config`.
fn options(config: &RocksDbConfig) -> Options {
    let mut opts = Options::default();
    opts.create_if_missing(true);
    opts.create_missing_column_families(true);
    opts.set_write_buffer_size(config.write_buffer_bytes);
    opts.set_keep_log_file_num(2);
    opts.set_compression_type(if config.compression { DBCompressionType::Lz4 } else { DBCompressionType::None });
    opts
}
