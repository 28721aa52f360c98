//! The scratch directory of a job's RocksDB state ([`StateDir`]), and the sweep of the ones
//! that runs killed before they could remove theirs left behind.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::RuntimeError;
use crate::plan::StateBackendSetting;

/// The prefix of every state directory's name: `weir-state-<pid>-<n>-<nanos>`.
const PREFIX: &str = "weir-state-";

/// The file inside a state directory that its run holds locked while it runs: the kernel
/// releases the lock when the process ends, however it ends.
const LOCK_FILE: &str = ".lock";

/// The directory of a job's RocksDB state: always a fresh directory that Weir creates for this
/// run, with a unique name, inside `state.backend.rocksdb.localdir` (or the system's temporary
/// directory), and removes when the job ends. A directory Weir did not create is never
/// cleared: the operators' `<node>/worker-N` databases live inside the fresh one. Creating one
/// first removes what runs that were killed left in the same place ([`sweep_dead_runs`]).
#[derive(Debug)]
pub(super) struct StateDir {
    pub(super) path: PathBuf,
    /// [`LOCK_FILE`], locked for as long as the directory is in use.
    _lock: std::fs::File,
}

impl StateDir {
    /// The directory `setting` asks for (`None`: state in memory), created now.
    pub(super) fn for_setting(setting: &StateBackendSetting) -> Result<Option<StateDir>, RuntimeError> {
        match setting {
            StateBackendSetting::Memory => Ok(None),
            StateBackendSetting::RocksDb { dir: Some(dir) } => StateDir::create_in(dir).map(Some),
            StateBackendSetting::RocksDb { dir: None } => StateDir::create_in(&std::env::temp_dir()).map(Some),
        }
    }

    /// Creates a directory with a name no other run uses inside `parent` (created if missing).
    fn create_in(parent: &Path) -> Result<StateDir, RuntimeError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let io = |p: &Path, e: std::io::Error| RuntimeError::Io { context: format!("state directory {}", p.display()), message: e.to_string() };
        std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        sweep_dead_runs(parent);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        loop {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let path = parent.join(format!("{PREFIX}{}-{n}-{nanos:08x}", std::process::id()));
            let mut builder = std::fs::DirBuilder::new();
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            match builder.create(&path) {
                Ok(()) => {
                    let lock_path = path.join(LOCK_FILE);
                    let lock = std::fs::File::create(&lock_path).map_err(|e| io(&lock_path, e))?;
                    lock.try_lock().map_err(|e| io(&lock_path, e.into()))?;
                    return Ok(StateDir { path, _lock: lock });
                }
                // Someone else's directory (another process, a leftover): never reuse it.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io(&path, e)),
            }
        }
    }
}

impl Drop for StateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Removes the state directories in `parent` whose run has ended without removing them (a
/// process killed by `SIGKILL`, a power loss), so they do not pile up in the temporary
/// directory. Only names of [`StateDir`]'s form are considered. A directory is a dead run's
/// when nobody holds its [`LOCK_FILE`]; without one (a run still creating it, or a version
/// before the lock), when `/proc` shows no process with the id in its name. Best effort: an
/// entry that cannot be read or removed is left as it is.
fn sweep_dead_runs(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(creator_pid) else { continue };
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let dead = match std::fs::File::open(entry.path().join(LOCK_FILE)) {
            Ok(lock) => lock.try_lock().is_ok(),
            Err(_) => Path::new("/proc/self").exists() && !Path::new("/proc").join(pid.to_string()).exists(),
        };
        if dead {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The id of the process that created the state directory named `name`, when it is one.
fn creator_pid(name: &str) -> Option<u32> {
    let mut parts = name.strip_prefix(PREFIX)?.split('-');
    let pid = parts.next()?.parse().ok()?;
    let n_ok = parts.next()?.parse::<u64>().is_ok();
    let nanos_ok = parts.next().is_some_and(|h| h.len() == 8 && h.chars().all(|c| c.is_ascii_hexdigit()));
    (n_ok && nanos_ok && parts.next().is_none()).then_some(pid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
            .collect();
        files.sort();
        files
    }

    #[test]
    fn state_dirs_are_fresh_and_only_they_are_removed() {
        let given = tempfile::tempdir().unwrap();
        std::fs::write(given.path().join("precious.txt"), "keep me").unwrap();
        std::fs::create_dir(given.path().join("worker-0")).unwrap();
        std::fs::write(given.path().join("worker-0/CURRENT"), "not ours").unwrap();
        let before = listing(given.path());
        let setting = StateBackendSetting::RocksDb { dir: Some(given.path().to_path_buf()) };
        let (a, b) = (StateDir::for_setting(&setting).unwrap().unwrap(), StateDir::for_setting(&setting).unwrap().unwrap());
        assert_ne!(a.path, b.path);
        for dir in [&a.path, &b.path] {
            assert_eq!(dir.parent(), Some(given.path()));
            let entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name()).collect();
            assert_eq!(entries, [LOCK_FILE], "a fresh directory holds only its lock");
        }
        std::fs::create_dir_all(a.path.join("node/worker-0")).unwrap();
        std::fs::write(a.path.join("node/worker-0/db"), "state").unwrap();
        let (pa, pb) = (a.path.clone(), b.path.clone());
        drop(a);
        drop(b);
        assert!(!pa.exists() && !pb.exists());
        assert_eq!(listing(given.path()), before);
        assert_eq!(std::fs::read_to_string(given.path().join("worker-0/CURRENT")).unwrap(), "not ours");
    }

    #[test]
    fn a_missing_localdir_is_created_and_memory_needs_none() {
        let given = tempfile::tempdir().unwrap();
        let nested = given.path().join("a/b");
        let dir = StateDir::for_setting(&StateBackendSetting::RocksDb { dir: Some(nested.clone()) }).unwrap().unwrap();
        assert!(dir.path.starts_with(&nested) && dir.path.is_dir());
        assert!(StateDir::for_setting(&StateBackendSetting::Memory).unwrap().is_none());
        let file = given.path().join("file");
        std::fs::write(&file, "x").unwrap();
        assert!(StateDir::for_setting(&StateBackendSetting::RocksDb { dir: Some(file) }).is_err());
    }

    #[test]
    fn creating_a_state_dir_removes_dead_runs_and_keeps_live_ones() {
        let parent = tempfile::tempdir().unwrap();
        let setting = StateBackendSetting::RocksDb { dir: Some(parent.path().to_path_buf()) };
        let live = StateDir::for_setting(&setting).unwrap().unwrap();
        let killed = parent.path().join(format!("{PREFIX}{}-7-0000abcd", std::process::id()));
        std::fs::create_dir_all(killed.join("node/worker-0")).unwrap();
        std::fs::write(killed.join(LOCK_FILE), "").unwrap();
        let no_lock_dead_pid = parent.path().join(format!("{PREFIX}{}-0-12345678", u32::MAX - 1));
        let no_lock_live_pid = parent.path().join(format!("{PREFIX}{}-9-12345678", std::process::id()));
        let not_ours = parent.path().join(format!("{PREFIX}backup"));
        for dir in [&no_lock_dead_pid, &no_lock_live_pid, &not_ours] {
            std::fs::create_dir(dir).unwrap();
        }
        let next = StateDir::for_setting(&setting).unwrap().unwrap();
        assert!(!killed.exists(), "an unlocked directory is a dead run's");
        assert!(!no_lock_dead_pid.exists(), "no lock and no such process");
        assert!(live.path.exists() && next.path.exists());
        assert!(no_lock_live_pid.exists() && not_ours.exists());
    }

    #[test]
    fn only_state_dir_names_name_a_process() {
        assert_eq!(creator_pid("weir-state-123-0-0a1b2c3d"), Some(123));
        for name in ["weir-state-123-0-0a1b2c3", "weir-state-x-0-0a1b2c3d", "weir-state-123-0-0a1b2c3d-1", "other-123-0-0a1b2c3d", "weir-state-123"] {
            assert_eq!(creator_pid(name), None, "{name}");
        }
    }
}
