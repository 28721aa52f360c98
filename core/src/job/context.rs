//! What all workers of one job share: the cancel flag, the first error, metrics, and the
//! rows collected by `collect` sinks.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::checkpoint::Checkpoints;
use super::key_groups::KeyGroups;
use super::splits::SplitWatermarks;
use crate::connectors::SinkContext;
use crate::error::RuntimeError;
use crate::plan::RuntimeMode;
use weir_state::{KeyedStateStore, RocksDbConfig, StateBackendConfig};

use super::metrics::JobMetrics;

/// A flag that stops a job: sources stop reading, workers leave their loop.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token not yet cancelled.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Asks the job to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Whether the job was asked to stop.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// The state of one running job shared by its workers.
#[derive(Clone)]
pub struct JobContext {
    /// Batch or streaming.
    pub mode: RuntimeMode,
    /// Stops the job.
    pub cancel: CancelToken,
    /// Per-operator counters.
    pub metrics: Arc<JobMetrics>,
    /// Where sinks write.
    pub sinks: SinkContext,
    /// How often, in milliseconds, streaming sources advance processing time.
    pub tick_ms: u64,
    /// Where stateful operators keep their keyed state.
    pub state: StateBackendConfig,
    /// The watermarks of every event-time source split, so that idle splits can follow.
    pub splits: Arc<SplitWatermarks>,
    /// The job's checkpoints, when it takes them (streaming jobs with an interval).
    pub checkpoints: Option<Arc<Checkpoints>>,
    /// How long the streaming relational operators keep the state of a key nobody writes
    /// (`table.exec.state.ttl`; `None`: for ever).
    pub state_ttl: Option<std::time::Duration>,
    /// How keyed state is partitioned (`pipeline.max-parallelism`).
    pub key_groups: KeyGroups,
    failure: Arc<Mutex<Option<RuntimeError>>>,
    failed: Arc<AtomicBool>,
}

impl JobContext {
    /// A context for a job of `nodes` plan nodes.
    pub fn new(mode: RuntimeMode, cancel: CancelToken, metrics: Arc<JobMetrics>, sinks: SinkContext, tick_ms: u64) -> JobContext {
        JobContext {
            mode,
            cancel,
            metrics,
            sinks,
            tick_ms,
            state: StateBackendConfig::Memory,
            splits: Default::default(),
            checkpoints: None,
            state_ttl: None,
            key_groups: KeyGroups::default(),
            failure: Default::default(),
            failed: Default::default(),
        }
    }

    /// The keyed state store of stateful operator `operator` (plan node `index`) on `worker`
    /// of `workers`: its own in-memory backend, or its own RocksDB database under the job's
    /// state directory; as the restored checkpoint holds it when the job restores one.
    pub fn open_state(&self, operator: &str, index: usize, worker: usize, workers: usize) -> Result<KeyedStateStore, RuntimeError> {
        let config = self.state_config(operator);
        if let Some(restored) = self.checkpoints.as_ref().and_then(|c| c.restore_keyed_state(index, worker, workers, self.key_groups, &config)) {
            return restored;
        }
        let backend = config.open(worker).map_err(|e| RuntimeError::State { operator: operator.to_string(), message: e.to_string() })?;
        Ok(KeyedStateStore::new(backend))
    }

    /// How the keyed state of `operator` is opened: in memory, or in its own RocksDB
    /// directory.
    fn state_config(&self, operator: &str) -> StateBackendConfig {
        match &self.state {
            StateBackendConfig::Memory => StateBackendConfig::Memory,
            StateBackendConfig::RocksDb(rocks) => {
                let name: String = operator.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
                StateBackendConfig::RocksDb(RocksDbConfig { dir: rocks.dir.join(name), ..rocks.clone() })
            }
        }
    }

    /// Records that the job failed (the first error wins) and stops it.
    pub fn fail(&self, error: RuntimeError) {
        if let Ok(mut slot) = self.failure.lock()
            && slot.is_none()
        {
            *slot = Some(error);
        }
        self.failed.store(true, Ordering::Release);
        self.cancel.cancel();
    }

    /// Whether the job should stop (cancelled or failed).
    pub fn should_stop(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// The error the job failed with, if any.
    pub fn failure(&self) -> Option<RuntimeError> {
        if !self.failed.load(Ordering::Acquire) {
            return None;
        }
        self.failure.lock().ok().and_then(|f| f.clone())
    }
}
