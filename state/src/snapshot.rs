//! Checkpoint storage: snapshot parts on disk and the manifests that commit them.
//!
//! Layout under a checkpoint root:
//!
//! ```text
//! <root>/chk-00000000000000000042/          one directory per epoch
//!     worker-0/ ... worker-N/               one part per backend (written by snapshot_to)
//!     MANIFEST.json                         written last, atomically: the commit point
//! ```
//!
//! A checkpoint is *complete* when its `MANIFEST.json` exists, parses, and every file it lists
//! exists with the recorded size. A crash before the manifest's rename leaves a directory
//! without a manifest, which restore ignores.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::backend::{BackendKind, SnapshotFile, StateBackend, StateBackendConfig, verify_files};
use crate::error::{StateError, StateResult};
use crate::fsutil;
use crate::rescale::{KeyFilter, PartSource};

/// The manifest's file name inside a checkpoint directory.
pub const MANIFEST_FILE: &str = "MANIFEST.json";
/// The manifest format this crate writes and reads.
pub const MANIFEST_FORMAT_VERSION: u32 = 1;

/// A committed checkpoint: its epoch and the parts it consists of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointManifest {
    /// Manifest format version ([`MANIFEST_FORMAT_VERSION`]).
    pub format_version: u32,
    /// The checkpoint epoch (e.g. the event time or sequence number it was taken at).
    pub epoch: u64,
    /// The snapshot parts, one per backend that took part.
    pub parts: Vec<PartManifest>,
    /// Free-form extra facts committed with the state, e.g. source offsets.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

impl CheckpointManifest {
    /// The part named `name`.
    pub fn part(&self, name: &str) -> StateResult<&PartManifest> {
        self.parts.iter().find(|p| p.name == name).ok_or_else(|| StateError::MissingPart {
            epoch: self.epoch,
            part: name.to_string(),
            available: self.parts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", "),
        })
    }
}

/// One backend's snapshot inside a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartManifest {
    /// The part's name, e.g. `worker-3`; also its directory name.
    pub name: String,
    /// Which backend wrote it (and so how to read it).
    pub backend: BackendKind,
    /// The files of the part, relative to its directory.
    pub files: Vec<SnapshotFile>,
}

/// Where checkpoints live and how they are written, committed, found and restored.
/// `Send + Sync`: every worker can hold a clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointStorage {
    root: PathBuf,
}

impl CheckpointStorage {
    /// Checkpoints under `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        CheckpointStorage { root: root.into() }
    }

    /// The checkpoint root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory of the checkpoint of `epoch`.
    pub fn checkpoint_dir(&self, epoch: u64) -> PathBuf {
        self.root.join(format!("chk-{epoch:020}"))
    }

    /// Writes `backend`'s full current state as part `part` of the checkpoint of `epoch`. The
    /// part is not visible to restore until [`commit`](Self::commit) lists it.
    pub fn write_part(&self, epoch: u64, part: &str, backend: &mut dyn StateBackend) -> StateResult<PartManifest> {
        check_part_name(part)?;
        let dir = self.checkpoint_dir(epoch).join(part);
        let mut files = backend.snapshot_to(&dir)?;
        // Every file gets its checksum, whichever backend wrote it.
        for file in files.iter_mut().filter(|f| f.crc32.is_none()) {
            file.crc32 = Some(crate::backend::file_crc32(&dir.join(&file.path))?);
        }
        Ok(PartManifest { name: part.to_string(), backend: backend.kind(), files })
    }

    /// Commits the checkpoint of `epoch` with `parts` by writing its manifest atomically
    /// (temporary file, fsync, rename, fsync of the directory).
    pub fn commit(&self, epoch: u64, parts: Vec<PartManifest>, metadata: BTreeMap<String, String>) -> StateResult<CheckpointManifest> {
        let manifest = CheckpointManifest { format_version: MANIFEST_FORMAT_VERSION, epoch, parts, metadata };
        let dir = self.checkpoint_dir(epoch);
        std::fs::create_dir_all(&dir).map_err(|e| StateError::io("create checkpoint directory", &dir, e))?;
        let path = dir.join(MANIFEST_FILE);
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| StateError::Manifest { path: path.clone(), detail: e.to_string() })?;
        fsutil::write_atomic(&path, &json)?;
        Ok(manifest)
    }

    /// Snapshots one backend as the only part of the checkpoint of `epoch` and commits it.
    pub fn snapshot(&self, epoch: u64, part: &str, backend: &mut dyn StateBackend) -> StateResult<CheckpointManifest> {
        let written = self.write_part(epoch, part, backend)?;
        self.commit(epoch, vec![written], BTreeMap::new())
    }

    /// Reads and verifies the manifest of `epoch`: it must parse, have a known format, and
    /// every file it lists must exist with its recorded size and CRC-32.
    pub fn load(&self, epoch: u64) -> StateResult<CheckpointManifest> {
        let dir = self.checkpoint_dir(epoch);
        let path = dir.join(MANIFEST_FILE);
        let bytes = std::fs::read(&path).map_err(|e| StateError::io("read checkpoint manifest", &path, e))?;
        let manifest: CheckpointManifest = serde_json::from_slice(&bytes).map_err(|e| StateError::Manifest { path: path.clone(), detail: e.to_string() })?;
        if manifest.format_version != MANIFEST_FORMAT_VERSION || manifest.epoch != epoch {
            return Err(StateError::Manifest {
                path,
                detail: format!("format {} epoch {} (expected format {MANIFEST_FORMAT_VERSION} epoch {epoch})", manifest.format_version, manifest.epoch),
            });
        }
        for part in &manifest.parts {
            check_part_name(&part.name)?;
            verify_files(&dir.join(&part.name), &part.files)?;
        }
        Ok(manifest)
    }

    /// The epochs that have a checkpoint directory, ascending (complete or not).
    pub fn epochs(&self) -> StateResult<Vec<u64>> {
        let entries = match std::fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(StateError::io("list checkpoint root", &self.root, e)),
        };
        let mut epochs = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| StateError::io("list checkpoint root", &self.root, e))?;
            let name = entry.file_name();
            if let Some(epoch) = name.to_str().and_then(|n| n.strip_prefix("chk-")).and_then(|n| n.parse().ok()) {
                epochs.push(epoch);
            }
        }
        epochs.sort_unstable();
        Ok(epochs)
    }

    /// The newest complete checkpoint, if any. Incomplete or damaged newer ones are skipped,
    /// as Flink falls back to an older checkpoint.
    pub fn latest(&self) -> StateResult<Option<CheckpointManifest>> {
        for epoch in self.epochs()?.into_iter().rev() {
            if let Ok(manifest) = self.load(epoch) {
                return Ok(Some(manifest));
            }
        }
        Ok(None)
    }

    /// Rebuilds the backend of `worker` from part `part` of `manifest`, as `config` says
    /// (a part of another backend kind is restored entry by entry).
    pub fn restore(&self, manifest: &CheckpointManifest, part: &str, config: &StateBackendConfig, worker: usize) -> StateResult<Box<dyn StateBackend>> {
        let entry = manifest.part(part)?;
        let dir = self.checkpoint_dir(manifest.epoch).join(&entry.name);
        config.restore(worker, entry.backend, &dir, &entry.files)
    }

    /// Rebuilds the backend of `worker` from the entries of `parts` of `manifest` whose key
    /// `keep` accepts: the state a worker owns after the job's worker count changed.
    pub fn restore_merged(
        &self,
        manifest: &CheckpointManifest,
        parts: &[&str],
        config: &StateBackendConfig,
        worker: usize,
        keep: &KeyFilter<'_>,
    ) -> StateResult<Box<dyn StateBackend>> {
        let dir = self.checkpoint_dir(manifest.epoch);
        let entries = parts.iter().map(|p| manifest.part(p)).collect::<StateResult<Vec<_>>>()?;
        let dirs: Vec<PathBuf> = entries.iter().map(|e| dir.join(&e.name)).collect();
        let sources: Vec<PartSource<'_>> = entries.iter().zip(&dirs).map(|(e, dir)| PartSource { kind: e.backend, dir, files: &e.files }).collect();
        config.restore_merged(worker, &sources, keep)
    }

    /// Restores part `part` of the newest complete checkpoint.
    pub fn restore_latest(&self, part: &str, config: &StateBackendConfig, worker: usize) -> StateResult<(CheckpointManifest, Box<dyn StateBackend>)> {
        let manifest = self.latest()?.ok_or_else(|| StateError::NoCheckpoint { root: self.root.clone() })?;
        let backend = self.restore(&manifest, part, config, worker)?;
        Ok((manifest, backend))
    }

    /// Deletes every checkpoint directory older than the newest `keep` complete checkpoints,
    /// complete or not. Returns the epochs removed.
    pub fn prune(&self, keep: usize) -> StateResult<Vec<u64>> {
        let complete: Vec<u64> = self.epochs()?.into_iter().filter(|e| self.load(*e).is_ok()).collect();
        let Some(&oldest_kept) = complete.get(complete.len().saturating_sub(keep.max(1))) else {
            return Ok(Vec::new());
        };
        let doomed: Vec<u64> = self.epochs()?.into_iter().filter(|e| *e < oldest_kept).collect();
        for epoch in &doomed {
            fsutil::remove_dir_if_exists(&self.checkpoint_dir(*epoch))?;
        }
        Ok(doomed)
    }
}

/// Part names become directory names: keep them to one safe path component.
fn check_part_name(part: &str) -> StateResult<()> {
    let safe = !part.is_empty() && part != "." && part != ".." && part.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if safe {
        Ok(())
    } else {
        Err(StateError::InvalidArgument { state: "*".into(), detail: format!("checkpoint part name `{part}` must be letters, digits, '-', '_' or '.'") })
    }
}
