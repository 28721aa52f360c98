//! The crate's one error type.

use std::path::PathBuf;

/// Everything that can go wrong in `weir-state`. Each variant names the place: the state (table)
/// name, the file or directory, the checkpoint epoch. No operation of this crate panics on I/O
/// failures or on corrupt bytes read back from a backend or a checkpoint; it returns one of these.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// A file-system operation failed.
    #[error("state I/O error while trying to {action} `{}`: {source}", path.display())]
    Io {
        /// What we were doing, e.g. "create checkpoint directory".
        action: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// RocksDB reported an error.
    #[error("RocksDB error in state `{state}` while trying to {action}: {message}")]
    RocksDb {
        /// The state (column family) name, or `*` for database-wide operations.
        state: String,
        /// What we were doing, e.g. "put", "open database at /x".
        action: String,
        /// RocksDB's message.
        message: String,
    },
    /// Bytes stored for a state could not be decoded as the type the state declares.
    #[error("corrupt value in state `{state}`: {detail} (was the state registered with a different type?)")]
    CorruptValue {
        /// The state name.
        state: String,
        /// What was wrong with the bytes.
        detail: String,
    },
    /// A snapshot file exists but its content is not what was written (truncated, bad checksum,
    /// unknown format).
    #[error("corrupt snapshot file `{}`: {detail}", path.display())]
    CorruptSnapshot {
        /// The snapshot file.
        path: PathBuf,
        /// What was wrong with it.
        detail: String,
    },
    /// A checkpoint manifest could not be written or parsed.
    #[error("bad checkpoint manifest `{}`: {detail}", path.display())]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What was wrong.
        detail: String,
    },
    /// No complete checkpoint exists under a checkpoint root.
    #[error("no complete checkpoint under `{}`", root.display())]
    NoCheckpoint {
        /// The checkpoint root directory that was searched.
        root: PathBuf,
    },
    /// A checkpoint manifest does not list the part asked for.
    #[error("checkpoint {epoch} has no part named `{part}` (it has: {available})")]
    MissingPart {
        /// The checkpoint epoch.
        epoch: u64,
        /// The part name asked for.
        part: String,
        /// Comma-separated names of the parts it has.
        available: String,
    },
    /// A caller passed an argument this crate cannot accept (e.g. a state name reserved for
    /// timers, or a snapshot target directory that already exists).
    #[error("invalid argument for state `{state}`: {detail}")]
    InvalidArgument {
        /// The state name (or `*`).
        state: String,
        /// What was wrong.
        detail: String,
    },
}

impl StateError {
    /// Shorthand for an [`StateError::Io`] error.
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StateError::Io { action, path: path.into(), source }
    }

    /// Shorthand for a [`StateError::CorruptValue`] error.
    pub(crate) fn corrupt(state: &str, detail: impl std::fmt::Display) -> Self {
        StateError::CorruptValue { state: state.to_string(), detail: detail.to_string() }
    }
}

/// The result type of this crate.
pub type StateResult<T> = Result<T, StateError>;
