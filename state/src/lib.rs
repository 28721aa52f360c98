#![doc = include_str!("../README.md")]
#![forbid(missing_docs)]
#![forbid(unsafe_code)]

pub mod backend;
mod clock;
pub mod codec;
mod error;
mod fsutil;
mod keys;
pub mod rescale;
pub mod snapshot;
pub mod state;
mod store;
pub mod timers;
pub mod ttl;

#[cfg(feature = "rocksdb")]
pub use backend::RocksDbBackend;
pub use backend::{BackendKind, MemoryBackend, RocksDbConfig, ScanFlow, SnapshotFile, StateBackend, StateBackendConfig, Update};
pub use clock::{Clock, ManualClock, SystemClock};
pub use codec::{OrderedCodec, StateCodec};
pub use error::{StateError, StateResult};
pub use rescale::{KeyFilter, PartSource};
pub use snapshot::{CheckpointManifest, CheckpointStorage, PartManifest};
pub use state::{ListState, MapState, ReducingState, ValueState};
pub use store::KeyedStateStore;
pub use timers::{TimeDomain, Timer, TimerService};
pub use ttl::{StateTtlConfig, TtlUpdateType};
