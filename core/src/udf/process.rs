//! User process functions (the DataStream API's `KeyedProcessFunction`, `ProcessFunction` and
//! `KeyedCoProcessFunction`, written in Python with the SDK): the traits the engine's `process`
//! operator calls, and the view of its keyed state and timers it lends them during a call.
//!
//! The function never holds the operator's state: each call gets a [`ProcessScope`] borrowed
//! for that call only, through which it reads and writes the current key's state (stored as
//! bytes in the operator's `weir-state` store, so it lives in RocksDB when configured) and
//! registers timers.

pub use weir_state::{StateTtlConfig, TimeDomain, TtlUpdateType};

use crate::types::{Field, Row};

use crate::expr::EvalError;

/// A process function as registered: it names its output columns and makes one instance per
/// worker (Flink: one per parallel subtask). Implementations must be thread-safe.
pub trait UserProcessFunction: Send + Sync {
    /// The name it is registered under (matched case-insensitively).
    fn name(&self) -> &str;

    /// The columns of the rows it emits.
    fn output(&self) -> Vec<Field>;

    /// The output column holding each emitted row's event time (BIGINT epoch milliseconds),
    /// if any: downstream operators then see the rows timed by it.
    fn output_timestamp(&self) -> Option<usize>;

    /// A fresh, opened instance for worker `worker` of `workers`.
    fn instantiate(&self, worker: usize, workers: usize) -> Result<Box<dyn ProcessInstance>, EvalError>;
}

/// One worker's instance of a process function. Called on that worker's thread only.
pub trait ProcessInstance {
    /// An element of input `input` (0, or 1 for the second input of a co-process function):
    /// its record bytes and timestamp (`None`: the stream has no timestamps).
    fn process_element(&mut self, scope: &mut dyn ProcessScope, input: usize, value: &[u8], timestamp: Option<i64>) -> Result<(), EvalError>;

    /// The elements of one input batch, in arrival order, each of its own key: the instance
    /// handles them in order, moving to each with [`ElementBatch::advance`] (which makes its
    /// key the batch's scope) and using the batch as the scope while it handles it, so that
    /// outputs, state and timers are per element as with [`ProcessInstance::process_element`].
    /// By default, one `process_element` per element.
    fn process_batch(&mut self, batch: &mut dyn ElementBatch) -> Result<(), EvalError> {
        while let Some(element) = batch.advance() {
            let Element { input, value, timestamp } = element;
            let value = value.to_vec();
            self.process_element(batch, input, &value, timestamp)?;
        }
        Ok(())
    }

    /// A timer of the scope's key fired.
    fn on_timer(&mut self, scope: &mut dyn ProcessScope, domain: TimeDomain, timestamp: i64) -> Result<(), EvalError>;

    /// The input has ended (Flink's `close`).
    fn close(&mut self) -> Result<(), EvalError>;
}

/// One element of a batch: its input (0, or 1 for a co-process function's second), record
/// bytes and timestamp (`None`: the stream has no timestamps).
#[derive(Clone, Copy, Debug)]
pub struct Element<'a> {
    /// The input it came from.
    pub input: usize,
    /// The record, as the SDK encoded it.
    pub value: &'a [u8],
    /// Its event time.
    pub timestamp: Option<i64>,
}

/// The elements of one input batch as a process function walks them: a [`ProcessScope`] onto
/// the operator for the current element's key (none before the first `advance`).
pub trait ElementBatch: ProcessScope {
    /// Moves to the next element: what the function emitted and registered for the previous
    /// one goes out at that element's time, and the scope becomes the next one's. None when
    /// the batch is over.
    fn advance(&mut self) -> Option<Element<'_>>;
}

/// The kinds of state a process function declares; reducing and aggregating states are value
/// states whose folding the function does itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateKind {
    /// One value per key.
    Value,
    /// A list per key, appended to without rewriting it.
    List,
    /// A map per key, one store entry per map entry.
    Map,
}

/// A state as declared by the function: its name, kind and time-to-live. Declaring the same
/// name again with another kind or TTL is an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateDecl {
    /// The state's name (unique per operator).
    pub name: String,
    /// Its kind.
    pub kind: StateKind,
    /// Processing-time TTL, if any.
    pub ttl: Option<StateTtlConfig>,
}

/// One operation on the current key's entry of a state.
#[derive(Debug)]
pub enum StateOp<'a> {
    /// Value: the value; list: the elements.
    Get,
    /// Value: set to the one element; list: replace the elements.
    Update(Vec<Vec<u8>>),
    /// List: append the elements.
    Add(Vec<Vec<u8>>),
    /// Remove the key's entry (every element, every map entry).
    Clear,
    /// Map: the value under a user key.
    MapGet(&'a [u8]),
    /// Map: set entries.
    MapPut(Vec<(Vec<u8>, Vec<u8>)>),
    /// Map: remove a user key.
    MapRemove(&'a [u8]),
    /// Map: whether a user key has a value.
    MapContains(&'a [u8]),
    /// Map: every entry.
    MapEntries,
    /// Map: whether it has no entries.
    MapIsEmpty,
}

/// What a [`StateOp`] returns.
#[derive(Debug, PartialEq, Eq)]
pub enum StateReply {
    /// Nothing (writes).
    Done,
    /// A value, if present.
    Value(Option<Vec<u8>>),
    /// List elements.
    List(Vec<Vec<u8>>),
    /// A yes/no answer.
    Flag(bool),
    /// Map entries.
    Entries(Vec<(Vec<u8>, Vec<u8>)>),
}

/// The operator as a process function sees it during one call: the current key, its state,
/// the timer service and the output.
pub trait ProcessScope {
    /// The current key's values (the node's key expressions on the row).
    fn key(&self) -> &Row;

    /// The event-time watermark (`i64::MIN` before the first one).
    fn current_watermark(&self) -> i64;

    /// The processing time in epoch milliseconds.
    fn current_processing_time(&self) -> i64;

    /// Registers a timer of the current key (deduplicated).
    fn register_timer(&mut self, domain: TimeDomain, timestamp: i64) -> Result<(), EvalError>;

    /// Deletes a timer of the current key (no-op when absent).
    fn delete_timer(&mut self, domain: TimeDomain, timestamp: i64) -> Result<(), EvalError>;

    /// Runs `op` on the current key's entry of `state`.
    fn state(&mut self, state: &StateDecl, op: StateOp<'_>) -> Result<StateReply, EvalError>;

    /// Emits a row (of the function's output columns).
    fn emit(&mut self, row: Row);
}
