//! Savepoints: a checkpoint taken when asked and copied into a directory of the asker's
//! choice, where the job's checkpoint retention never deletes it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Where a savepoint request stands.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum SavepointState {
    /// Waiting for its checkpoint to complete.
    #[default]
    InProgress,
    /// Complete: restore from this directory (`weir run -s`, `execution.savepoint.path`).
    Completed(PathBuf),
    /// It could not be taken, and why.
    Failed(String),
}

/// A savepoint asked of a running job: its target and its state, shared with the asker.
#[derive(Clone, Debug)]
pub struct SavepointRequest {
    location: PathBuf,
    state: Arc<Mutex<SavepointState>>,
}

impl SavepointRequest {
    /// A savepoint to be written to `location` (a directory that must not exist yet).
    pub fn new(location: PathBuf) -> SavepointRequest {
        SavepointRequest { location, state: Arc::default() }
    }

    /// Where it stands now.
    pub fn state(&self) -> SavepointState {
        self.state.lock().map(|s| s.clone()).unwrap_or_else(|_| SavepointState::Failed("the savepoint's state was poisoned".into()))
    }

    /// Its checkpoint `checkpoint` is complete: copies it to the savepoint's location.
    pub(super) fn complete(&self, checkpoint: &Path) {
        let outcome = match copy_checkpoint(checkpoint, &self.location) {
            Ok(()) => SavepointState::Completed(self.location.clone()),
            Err(e) => SavepointState::Failed(format!("cannot write the savepoint to {}: {e}", self.location.display())),
        };
        tracing::info!(location = %self.location.display(), ?outcome, "savepoint");
        self.set(outcome);
    }

    /// Its checkpoint failed.
    pub(super) fn fail(&self, reason: &str) {
        self.set(SavepointState::Failed(reason.to_string()));
    }

    fn set(&self, state: SavepointState) {
        if let Ok(mut slot) = self.state.lock() {
            *slot = state;
        }
    }
}

/// Copies the checkpoint directory `from` (`.../chk-<n>`) into `location/chk-<n>`, through a
/// hidden temporary directory renamed into place once every file is synced, so that
/// `location` holds a whole checkpoint or nothing.
fn copy_checkpoint(from: &Path, location: &Path) -> std::io::Result<()> {
    let name = from.file_name().ok_or_else(|| std::io::Error::other("a checkpoint directory has no name"))?;
    let parent = location.parent().ok_or_else(|| std::io::Error::other("a savepoint location needs a parent directory"))?;
    std::fs::create_dir_all(parent)?;
    if location.exists() {
        return Err(std::io::Error::new(std::io::ErrorKind::AlreadyExists, "it exists already"));
    }
    let staging = parent.join(format!(".{}.inprogress", location.file_name().and_then(|n| n.to_str()).unwrap_or("savepoint")));
    let _ = std::fs::remove_dir_all(&staging);
    copy_tree(from, &staging.join(name))?;
    std::fs::rename(&staging, location)?;
    std::fs::File::open(parent)?.sync_all()
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
            std::fs::File::open(&target)?.sync_all()?;
        }
    }
    std::fs::File::open(to)?.sync_all()
}
