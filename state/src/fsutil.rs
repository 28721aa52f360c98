//! Durable file-system steps used by snapshots: create-new directories, fsynced writes, atomic
//! renames. Every error names the path.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use crate::error::{StateError, StateResult};

/// Creates `dir` (and its parents); fails if `dir` itself already exists, so a snapshot never
/// mixes its files with an older one's.
pub(crate) fn create_new_dir(dir: &Path) -> StateResult<()> {
    if dir.exists() {
        return Err(StateError::InvalidArgument { state: "*".into(), detail: format!("snapshot directory `{}` already exists", dir.display()) });
    }
    if let Some(parent) = dir.parent() {
        fs::create_dir_all(parent).map_err(|e| StateError::io("create directory", parent, e))?;
    }
    fs::create_dir(dir).map_err(|e| StateError::io("create directory", dir, e))
}

/// Writes `bytes` to a new file at `path` and fsyncs it.
pub(crate) fn write_synced(path: &Path, bytes: &[u8]) -> StateResult<()> {
    let mut file = File::create(path).map_err(|e| StateError::io("create file", path, e))?;
    file.write_all(bytes).map_err(|e| StateError::io("write file", path, e))?;
    file.sync_all().map_err(|e| StateError::io("fsync file", path, e))
}

/// Fsyncs a directory so that entries created or renamed in it are durable.
pub(crate) fn sync_dir(dir: &Path) -> StateResult<()> {
    let handle = File::open(dir).map_err(|e| StateError::io("open directory for fsync", dir, e))?;
    handle.sync_all().map_err(|e| StateError::io("fsync directory", dir, e))
}

/// Writes `bytes` to `path` atomically: to a temporary sibling first, fsynced, then renamed over
/// `path`, then the directory fsynced. Readers see either no file or the whole file.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> StateResult<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.tmp"));
    write_synced(&tmp, bytes)?;
    fs::rename(&tmp, path).map_err(|e| StateError::io("rename temporary file onto", path, e))?;
    sync_dir(dir)
}

/// Lists the regular files under `dir`, recursively, as `(relative path with '/', size)`,
/// sorted by path.
#[cfg_attr(not(feature = "rocksdb"), allow(dead_code))]
pub(crate) fn list_files(dir: &Path) -> StateResult<Vec<(String, u64)>> {
    let mut out = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((abs, rel)) = pending.pop() {
        let entries = fs::read_dir(&abs).map_err(|e| StateError::io("list directory", &abs, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| StateError::io("list directory", &abs, e))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel_name = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            let meta = entry.metadata().map_err(|e| StateError::io("read metadata", &path, e))?;
            if meta.is_dir() {
                pending.push((path, rel_name));
            } else {
                out.push((rel_name, meta.len()));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Copies the directory tree `from` into the new directory `to`. Immutable RocksDB table files
/// (`*.sst`, `*.blob`) are hard-linked when possible, everything else copied.
#[cfg_attr(not(feature = "rocksdb"), allow(dead_code))]
pub(crate) fn copy_tree(from: &Path, to: &Path) -> StateResult<()> {
    fs::create_dir_all(to).map_err(|e| StateError::io("create directory", to, e))?;
    for (rel, _) in list_files(from)? {
        let src = from.join(&rel);
        let dst = to.join(&rel);
        if let Some(parent) = dst.parent() {
            fs::create_dir_all(parent).map_err(|e| StateError::io("create directory", parent, e))?;
        }
        let immutable = rel.ends_with(".sst") || rel.ends_with(".blob");
        if !(immutable && fs::hard_link(&src, &dst).is_ok()) {
            fs::copy(&src, &dst).map_err(|e| StateError::io("copy snapshot file", &src, e))?;
        }
    }
    Ok(())
}

/// Removes `dir` and everything in it; a missing directory is fine.
pub(crate) fn remove_dir_if_exists(dir: &Path) -> StateResult<()> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StateError::io("remove directory", dir, e)),
    }
}
