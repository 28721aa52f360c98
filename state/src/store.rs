//! The keyed state store a stateful operator owns: a backend plus the clock state TTL reads.

use std::sync::Arc;

use crate::backend::StateBackend;
use crate::clock::{Clock, SystemClock};

/// One worker's keyed state: the backend holding the bytes and the processing-time clock used
/// for TTL. The state primitives ([`crate::ValueState`], ...) and [`crate::TimerService`] are
/// cheap descriptors; every operation takes the store as an argument, so an operator keeps one
/// store and any number of descriptors.
pub struct KeyedStateStore {
    backend: Box<dyn StateBackend>,
    clock: Arc<dyn Clock>,
}

impl KeyedStateStore {
    /// A store over `backend`, with the system clock.
    pub fn new(backend: Box<dyn StateBackend>) -> Self {
        KeyedStateStore { backend, clock: Arc::new(SystemClock) }
    }

    /// Replaces the clock (e.g. with a [`crate::ManualClock`] in tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The current processing time in milliseconds.
    pub fn now_millis(&self) -> i64 {
        self.clock.now_millis()
    }

    /// The backend, for reads and snapshots.
    pub fn backend(&self) -> &dyn StateBackend {
        self.backend.as_ref()
    }

    /// The backend, for writes and snapshots.
    pub fn backend_mut(&mut self) -> &mut dyn StateBackend {
        self.backend.as_mut()
    }

    /// Gives the backend back, e.g. to hand it to a restored operator.
    pub fn into_backend(self) -> Box<dyn StateBackend> {
        self.backend
    }
}

impl std::fmt::Debug for KeyedStateStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyedStateStore").field("backend", &self.backend.kind()).field("now_millis", &self.now_millis()).finish()
    }
}
