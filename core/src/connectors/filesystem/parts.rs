//! The part files of one `filesystem` sink writer and their life cycle, after Flink's
//! `FileSink`: *in-progress* (being written), *pending* (closed and synced at a checkpoint's
//! cut, waiting for the checkpoint to complete), *finished* (visible to readers).
//!
//! Part `n` of worker `w` in run `r` is written as the hidden file
//! `.part-<r>-<w>-<n>.<ext>.inprogress` (a leading dot: readers, Weir's `filesystem` source
//! included, skip it) and stays under that name while pending; it is published by an atomic
//! rename to `part-<r>-<w>-<n>.<ext>` followed by a sync of the directory. `<r>` (clock and
//! process id when the writer was made) keeps the files of successive runs apart.

use std::fs::{self, File};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::RuntimeError;

/// A part closed at a checkpoint's cut and not yet published.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct PendingPart {
    /// The checkpoint whose completion publishes it.
    pub checkpoint: u64,
    /// Its visible name, `part-<run>-<worker>-<n>.<ext>`.
    pub name: String,
    /// Its length when it was closed.
    pub bytes: u64,
}

/// What a writer keeps in a checkpoint (a [`crate::connectors::SinkSnapshot`]'s JSON): whose
/// parts, the number the next part would have had, and the parts still pending.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct WriterSnapshot {
    /// The writer's run id.
    pub run: String,
    /// The writer's worker.
    pub worker: usize,
    /// Parts numbered from this one on were started after the checkpoint.
    pub next_part: u64,
    /// Parts closed at this or an earlier checkpoint and not known to be published.
    pub pending: Vec<PendingPart>,
}

/// The part files of one writer in one directory.
#[derive(Clone, Debug)]
pub(super) struct PartFiles {
    pub dir: PathBuf,
    pub run: String,
    pub worker: usize,
    pub ext: &'static str,
}

pub(super) fn io_err(path: &Path, e: impl std::fmt::Display) -> RuntimeError {
    RuntimeError::Io { context: format!("filesystem sink {}", path.display()), message: e.to_string() }
}

/// The hidden name a part has until it is published.
pub(super) fn hidden_name(name: &str) -> String {
    format!(".{name}.inprogress")
}

/// Syncs a directory, so that files created, renamed or removed in it survive a crash.
pub(super) fn sync_dir(dir: &Path) -> Result<(), RuntimeError> {
    #[cfg(unix)]
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io_err(dir, e))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

impl PartFiles {
    /// The visible name of part `n`.
    pub fn name(&self, n: u64) -> String {
        format!("part-{}-{}-{n}.{}", self.run, self.worker, self.ext)
    }

    /// Where part `name` is written before it is published.
    pub fn hidden_path(&self, name: &str) -> PathBuf {
        self.dir.join(hidden_name(name))
    }

    /// Publishes a pending part by renaming it (without syncing the directory). Idempotent:
    /// a part already published is fine; a part that is neither hidden nor published was lost.
    /// A hidden file longer than the part was when it was closed is cut back to that length.
    pub fn publish(&self, part: &PendingPart) -> Result<(), RuntimeError> {
        let hidden = self.hidden_path(&part.name);
        let visible = self.dir.join(&part.name);
        match fs::metadata(&hidden) {
            Ok(meta) => {
                if meta.len() < part.bytes {
                    return Err(io_err(
                        &hidden,
                        format!("the pending part holds {} bytes, {} were synced at checkpoint {}", meta.len(), part.bytes, part.checkpoint),
                    ));
                }
                if meta.len() > part.bytes {
                    let file = fs::OpenOptions::new().write(true).open(&hidden).map_err(|e| io_err(&hidden, e))?;
                    file.set_len(part.bytes).and_then(|()| file.sync_all()).map_err(|e| io_err(&hidden, e))?;
                }
                fs::rename(&hidden, &visible).map_err(|e| io_err(&hidden, e))
            }
            Err(e) if e.kind() == ErrorKind::NotFound && visible.exists() => Ok(()),
            Err(e) => Err(io_err(&hidden, format!("pending part of checkpoint {} is missing: {e}", part.checkpoint))),
        }
    }

    /// Removes the hidden parts of `snapshot`'s writer numbered `next_part` or later: parts
    /// started after the checkpoint, whose rows the restored job writes again. Returns their
    /// names.
    pub fn remove_after(&self, snapshot: &WriterSnapshot) -> Result<Vec<String>, RuntimeError> {
        let prefix = format!(".part-{}-{}-", snapshot.run, snapshot.worker);
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err(&self.dir, e)),
        };
        let mut removed = Vec::new();
        for entry in entries {
            let name = entry.map_err(|e| io_err(&self.dir, e))?.file_name().to_string_lossy().into_owned();
            let number = name.strip_prefix(&prefix).filter(|_| name.ends_with(".inprogress")).and_then(|rest| rest.split('.').next()?.parse::<u64>().ok());
            if number.is_some_and(|n| n >= snapshot.next_part) {
                let path = self.dir.join(&name);
                fs::remove_file(&path).map_err(|e| io_err(&path, e))?;
                removed.push(name);
            }
        }
        Ok(removed)
    }
}
