//! The keyed state store a stateful operator owns: a backend plus the clock state TTL reads.

use std::sync::Arc;

use crate::backend::StateBackend;
use crate::clock::{Clock, SystemClock};

/// The largest scratch buffer a store keeps: one large value (a long list) should not pin its
/// size in memory for the rest of the job.
const KEPT_BUFFER_BYTES: usize = 64 << 10;

/// One worker's keyed state: the backend holding the bytes and the processing-time clock used
/// for TTL. The state primitives ([`crate::ValueState`], ...) and [`crate::TimerService`] are
/// cheap descriptors; every operation takes the store as an argument, so an operator keeps one
/// store and any number of descriptors.
pub struct KeyedStateStore {
    backend: Box<dyn StateBackend>,
    clock: Arc<dyn Clock>,
    /// Where the state primitives build raw keys, kept between accesses so that building one
    /// allocates nothing once the buffer has grown (see [`KeyedStateStore::take_key_buffer`]).
    key_buffer: SpareBuffer,
    /// Where they encode values, likewise.
    value_buffer: SpareBuffer,
}

/// A byte buffer lent out and given back between accesses, so that it keeps its capacity.
#[derive(Default)]
struct SpareBuffer(Vec<u8>);

impl SpareBuffer {
    /// The buffer, emptied (an empty new one while it is lent out).
    fn take(&mut self) -> Vec<u8> {
        let mut buffer = std::mem::take(&mut self.0);
        buffer.clear();
        buffer
    }

    /// Keeps `buffer` for the next [`SpareBuffer::take`], unless it grew past
    /// [`KEPT_BUFFER_BYTES`].
    fn keep(&mut self, buffer: Vec<u8>) {
        if buffer.capacity() <= KEPT_BUFFER_BYTES {
            self.0 = buffer;
        }
    }
}

impl KeyedStateStore {
    /// A store over `backend`, with the system clock.
    pub fn new(backend: Box<dyn StateBackend>) -> Self {
        KeyedStateStore { backend, clock: Arc::new(SystemClock), key_buffer: SpareBuffer::default(), value_buffer: SpareBuffer::default() }
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

    /// The key buffer, emptied, lent until [`KeyedStateStore::return_key_buffer`] (an access
    /// made meanwhile, e.g. a nested one, finds an empty buffer and allocates its own).
    pub(crate) fn take_key_buffer(&mut self) -> Vec<u8> {
        self.key_buffer.take()
    }

    /// Keeps `buffer` for the next raw key.
    pub(crate) fn return_key_buffer(&mut self, buffer: Vec<u8>) {
        self.key_buffer.keep(buffer);
    }

    /// The value buffer, emptied, lent until [`KeyedStateStore::return_value_buffer`].
    pub(crate) fn take_value_buffer(&mut self) -> Vec<u8> {
        self.value_buffer.take()
    }

    /// Keeps `buffer` for the next encoded value.
    pub(crate) fn return_value_buffer(&mut self, buffer: Vec<u8>) {
        self.value_buffer.keep(buffer);
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
