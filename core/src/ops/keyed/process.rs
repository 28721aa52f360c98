//! `process`: a user process function (the DataStream API's `KeyedProcessFunction`,
//! `KeyedCoProcessFunction`, and `ProcessFunction` keyed by something arbitrary) run as a
//! [`KeyedLogic`]: each row of an input is handed to the function with a [`ProcessScope`] onto
//! the operator for the row's key, and so is each timer that fires.
//!
//! State layout: each state the function declares is a `weir-state` primitive named
//! `state/<name>` in the operator's store, holding bytes the function encodes (the SDK:
//! pickles). Value (and reducing / aggregating) states are one entry per key; a list state is
//! one entry per key that `add` appends to without reading it; a map state is one store entry
//! per map entry, so `get` / `put` / `contains` / `remove` touch only that entry. The function
//! works on the state through the scope, borrowed for one call, instead of loading a key's
//! state before the call and writing it back after: nothing is rewritten that was not changed,
//! and the state is in RocksDB when the job is configured so.
//!
//! The watermark a function sees is the operator's (its input frontier), except while it
//! handles a row that arrived behind the watermark: such a row was sent at the watermark of
//! the worker that assigned its event time, and the function sees that watermark (minus one,
//! in Flink's terms). A function deciding lateness as Flink's window operator does
//! (`timestamp <= current_watermark()`) thus finds late exactly the rows that were late where
//! event time was assigned, however rows are batched and whichever worker sent them. (The
//! operator's own watermark may still be behind: rows are handled as they come, and timers
//! fire once the input frontier has moved.)

use std::collections::HashMap;
use std::sync::Arc;

use weir_state::codec::decode_exact;
use weir_state::{ListState, MapState, StateError, TimeDomain, ValueState};

use crate::expr::{CompiledExpr, EvalError};
use crate::job::JobContext;
use crate::types::{Row, Value};
use crate::udf::process::{Element, ElementBatch, ProcessInstance, ProcessScope, StateDecl, StateKind, StateOp, StateReply, UserProcessFunction};

use super::super::{Evaluator, Rows};
use super::{KeyedContext, KeyedLogic, RowBatch, keyed};

/// How a `process` node runs.
pub struct ProcessSpec {
    /// The function.
    pub function: Arc<dyn UserProcessFunction>,
    /// Per input: its key expressions, its record column and its timestamp column.
    pub inputs: Vec<(Vec<CompiledExpr>, usize, Option<usize>)>,
    /// The inputs are timed by event time: their frontier is the watermark.
    pub event_time: bool,
    /// This worker and the number of workers (for the function's instance).
    pub worker: (usize, usize),
}

/// The rows `function` emits for `inputs` (one, or two for a co-process function).
pub fn process<'s>(node: &str, index: usize, inputs: Vec<Rows<'s>>, spec: ProcessSpec, eval: Evaluator, ctx: JobContext) -> Option<Rows<'s>> {
    let columns = spec.inputs.iter().map(|(_, value, ts)| (*value, *ts)).collect();
    let keyed_inputs = inputs.into_iter().zip(spec.inputs).map(|(rows, (key, _, _))| (rows, key)).collect();
    let logic = Process {
        function: spec.function,
        instance: None,
        worker: spec.worker,
        columns,
        event_time: spec.event_time,
        states: HashMap::new(),
        eval: eval.clone(),
        failed: false,
    };
    keyed(node, index, keyed_inputs, logic, eval, ctx)
}

struct Process {
    function: Arc<dyn UserProcessFunction>,
    /// Made on the first call, on the worker's thread.
    instance: Option<Box<dyn ProcessInstance>>,
    worker: (usize, usize),
    /// Per input: the record column and the timestamp column.
    columns: Vec<(usize, Option<usize>)>,
    event_time: bool,
    states: HashMap<String, Handle>,
    eval: Evaluator,
    failed: bool,
}

/// A declared state and its store primitive.
pub(super) enum Handle {
    Value(StateDecl, ValueState<Vec<u8>>),
    List(StateDecl, ListState<Vec<u8>>),
    Map(StateDecl, MapState<Vec<u8>, Vec<u8>>),
}

impl Handle {
    fn new(decl: &StateDecl) -> Handle {
        let name = format!("state/{}", decl.name);
        match (decl.kind, decl.ttl) {
            (StateKind::Value, None) => Handle::Value(decl.clone(), ValueState::new(name)),
            (StateKind::Value, Some(ttl)) => Handle::Value(decl.clone(), ValueState::new(name).with_ttl(ttl)),
            (StateKind::List, None) => Handle::List(decl.clone(), ListState::new(name)),
            (StateKind::List, Some(ttl)) => Handle::List(decl.clone(), ListState::new(name).with_ttl(ttl)),
            (StateKind::Map, None) => Handle::Map(decl.clone(), MapState::new(name)),
            (StateKind::Map, Some(ttl)) => Handle::Map(decl.clone(), MapState::new(name).with_ttl(ttl)),
        }
    }

    fn decl(&self) -> &StateDecl {
        match self {
            Handle::Value(d, _) | Handle::List(d, _) | Handle::Map(d, _) => d,
        }
    }
}

impl Process {
    /// Whether the function can be called: not failed, its instance made (on the first call).
    fn ready(&mut self) -> bool {
        if self.failed {
            return false;
        }
        if self.instance.is_none() {
            match self.function.instantiate(self.worker.0, self.worker.1) {
                Ok(instance) => self.instance = Some(instance),
                Err(e) => {
                    let _ = self.fail(e);
                    return false;
                }
            }
        }
        true
    }

    /// Calls the function with a scope onto `cx`, reporting its failure to the job.
    fn call(
        &mut self,
        cx: &mut KeyedContext<'_>,
        late_watermark: i64,
        f: impl FnOnce(&mut dyn ProcessInstance, &mut dyn ProcessScope) -> Result<(), EvalError>,
    ) -> Result<(), StateError> {
        if !self.ready() {
            return Ok(());
        }
        let key: Row = decode_exact(cx.key()).map_err(|e| StateError::CorruptValue { state: "process key".into(), detail: e.to_string() })?;
        let Some(instance) = self.instance.as_deref_mut() else { return Ok(()) };
        let watermark = cx.watermark().max(late_watermark);
        let mut scope = Scope { cx, key, watermark, states: &mut self.states };
        match f(instance, &mut scope) {
            Ok(()) => Ok(()),
            Err(e) => self.fail(e),
        }
    }

    /// The element a row of input `input` carries (None: the row has no record, and the
    /// function never sees it).
    fn element<'r>(&self, cx: &KeyedContext<'_>, input: usize, row: &'r Row) -> Option<Record<'r>> {
        let &(value, ts) = self.columns.get(input)?;
        let timestamp = ts.and_then(|c| row.get(c).as_i64());
        let Value::Bytes(bytes) = row.get(value) else { return None };
        // A row sent later than its event time was sent at its upstream's watermark.
        let sent_at = cx.row_time().and_then(|at| i64::try_from(at).ok()).filter(|_| self.event_time);
        let late_watermark = match (timestamp, sent_at) {
            (Some(ts), Some(at)) if ts < at => at - 1,
            _ => i64::MIN,
        };
        Some(Record { value: bytes, timestamp, watermark: cx.watermark().max(late_watermark) })
    }

    fn fail(&mut self, e: EvalError) -> Result<(), StateError> {
        self.failed = true;
        self.eval.report(e);
        Ok(())
    }
}

/// What a row hands the function: its record, timestamp, and the watermark the function sees
/// while handling it.
struct Record<'r> {
    value: &'r Arc<[u8]>,
    timestamp: Option<i64>,
    watermark: i64,
}

impl KeyedLogic for Process {
    fn on_row(&mut self, cx: &mut KeyedContext<'_>, input: usize, row: Row) -> Result<(), StateError> {
        let Some(Record { value, timestamp, watermark }) = self.element(cx, input, &row) else { return Ok(()) };
        self.call(cx, watermark, |f, scope| f.process_element(scope, input, value, timestamp))
    }

    /// The whole message in one call of the function (`ProcessInstance::process_batch`).
    fn on_rows(&mut self, rows: &mut RowBatch<'_, '_>) {
        if !self.ready() {
            while rows.advance().is_some() {}
            return;
        }
        let Some(mut instance) = self.instance.take() else { return };
        let mut elements = Elements { rows, process: self, current: None, no_key: Row::new(Vec::new()) };
        let done = instance.process_batch(&mut elements);
        self.instance = Some(instance);
        if let Err(e) = done {
            let _ = self.fail(e);
        }
    }

    fn on_timer(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64) -> Result<(), StateError> {
        self.call(cx, i64::MIN, |f, scope| f.on_timer(scope, TimeDomain::EventTime, timestamp))
    }

    fn on_processing_time_timer(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64) -> Result<(), StateError> {
        self.call(cx, i64::MIN, |f, scope| f.on_timer(scope, TimeDomain::ProcessingTime, timestamp))
    }

    fn frontier_is_watermark(&self) -> bool {
        self.event_time
    }

    fn on_end(&mut self) {
        if let Some(e) = self.instance.as_deref_mut().filter(|_| !self.failed).and_then(|i| i.close().err()) {
            let _ = self.fail(e);
        }
    }
}

/// A message's rows as the function walks them ([`ElementBatch`]): the scope of the current
/// element is a [`Scope`] onto the batch's context for it.
struct Elements<'e, 'b, 'o> {
    rows: &'e mut RowBatch<'b, 'o>,
    process: &'e mut Process,
    /// The current element's record, key and watermark.
    current: Option<(Arc<[u8]>, Row, i64)>,
    /// The key before the first element (no state is reached then).
    no_key: Row,
}

impl Elements<'_, '_, '_> {
    /// Runs `f` on the scope of the current element.
    fn scope<R>(&mut self, f: impl FnOnce(&mut Scope<'_, '_>) -> R) -> R {
        let (key, watermark) = self.current.as_ref().map_or((&self.no_key, i64::MIN), |(_, key, w)| (key, *w));
        let mut cx = self.rows.context();
        f(&mut Scope { cx: &mut cx, key: key.clone(), watermark, states: &mut self.process.states })
    }
}

impl ElementBatch for Elements<'_, '_, '_> {
    fn advance(&mut self) -> Option<Element<'_>> {
        let (input, timestamp) = loop {
            let (input, row) = self.rows.advance()?;
            let Some(key) = self.rows.key().cloned() else { continue };
            let Some(Record { value, timestamp, watermark }) = self.process.element(&self.rows.context(), input, &row) else { continue };
            self.current = Some((Arc::clone(value), key, watermark));
            break (input, timestamp);
        };
        let (value, _, _) = self.current.as_ref()?;
        Some(Element { input, value, timestamp })
    }
}

impl ProcessScope for Elements<'_, '_, '_> {
    fn key(&self) -> &Row {
        self.current.as_ref().map_or(&self.no_key, |(_, key, _)| key)
    }

    fn current_watermark(&self) -> i64 {
        self.current.as_ref().map_or(i64::MIN, |(_, _, w)| *w)
    }

    fn current_processing_time(&self) -> i64 {
        self.rows.current_processing_time()
    }

    fn register_timer(&mut self, domain: TimeDomain, timestamp: i64) -> Result<(), EvalError> {
        self.scope(|s| s.register_timer(domain, timestamp))
    }

    fn delete_timer(&mut self, domain: TimeDomain, timestamp: i64) -> Result<(), EvalError> {
        self.scope(|s| s.delete_timer(domain, timestamp))
    }

    fn state(&mut self, state: &StateDecl, op: StateOp<'_>) -> Result<StateReply, EvalError> {
        self.scope(|s| s.state(state, op))
    }

    fn emit(&mut self, row: Row) {
        self.rows.context().emit(row);
    }
}

/// The function's view of the operator during one call (the window operator lends the same
/// view to window functions).
pub(super) struct Scope<'c, 'a> {
    pub(super) cx: &'c mut KeyedContext<'a>,
    pub(super) key: Row,
    pub(super) watermark: i64,
    pub(super) states: &'c mut HashMap<String, Handle>,
}

fn state_error(e: StateError) -> EvalError {
    EvalError::new(e.to_string())
}

impl ProcessScope for Scope<'_, '_> {
    fn key(&self) -> &Row {
        &self.key
    }

    fn current_watermark(&self) -> i64 {
        self.watermark
    }

    fn current_processing_time(&self) -> i64 {
        self.cx.current_processing_time()
    }

    fn register_timer(&mut self, domain: TimeDomain, timestamp: i64) -> Result<(), EvalError> {
        match domain {
            TimeDomain::EventTime => self.cx.register_timer(timestamp),
            TimeDomain::ProcessingTime => self.cx.register_processing_time_timer(timestamp),
        }
        .map_err(state_error)
    }

    fn delete_timer(&mut self, domain: TimeDomain, timestamp: i64) -> Result<(), EvalError> {
        match domain {
            TimeDomain::EventTime => self.cx.delete_timer(timestamp),
            TimeDomain::ProcessingTime => self.cx.delete_processing_time_timer(timestamp),
        }
        .map_err(state_error)
    }

    fn state(&mut self, decl: &StateDecl, op: StateOp<'_>) -> Result<StateReply, EvalError> {
        // Looked up before inserting: no copy of the name per operation.
        if !self.states.contains_key(&decl.name) {
            self.states.insert(decl.name.clone(), Handle::new(decl));
        }
        let Some(handle) = self.states.get_mut(&decl.name) else { return Err(EvalError::new(format!("state \"{}\" vanished", decl.name))) };
        if handle.decl() != decl {
            return Err(EvalError::new(format!("state \"{}\" is declared twice, differently: {:?} and {:?}", decl.name, handle.decl(), decl)));
        }
        let (store, key) = (&mut *self.cx.store, self.cx.key);
        let reply = match (handle, op) {
            (Handle::Value(_, s), StateOp::Get) => StateReply::Value(s.get(store, key, &()).map_err(state_error)?),
            (Handle::Value(_, s), StateOp::Update(mut values)) if values.len() == 1 => {
                s.update(store, key, &(), &values.remove(0)).map_err(state_error)?;
                StateReply::Done
            }
            (Handle::Value(_, s), StateOp::Clear) => {
                s.clear(store, key, &()).map_err(state_error)?;
                StateReply::Done
            }
            (Handle::List(_, s), StateOp::Get) => StateReply::List(s.get(store, key, &()).map_err(state_error)?),
            (Handle::List(_, s), StateOp::Update(values)) => {
                s.update(store, key, &(), &values).map_err(state_error)?;
                StateReply::Done
            }
            (Handle::List(_, s), StateOp::Add(values)) => {
                s.add_all(store, key, &(), &values).map_err(state_error)?;
                StateReply::Done
            }
            (Handle::List(_, s), StateOp::Clear) => {
                s.clear(store, key, &()).map_err(state_error)?;
                StateReply::Done
            }
            (Handle::Map(_, s), op) => map_op(s, store, key, op)?,
            (handle, op) => return Err(EvalError::new(format!("{op:?} is not an operation of the {:?} state \"{}\"", handle.decl().kind, decl.name))),
        };
        Ok(reply)
    }

    fn emit(&mut self, row: Row) {
        self.cx.emit(row);
    }
}

fn map_op(s: &MapState<Vec<u8>, Vec<u8>>, store: &mut weir_state::KeyedStateStore, key: &[u8], op: StateOp<'_>) -> Result<StateReply, EvalError> {
    let user_key = |k: &[u8]| k.to_vec();
    Ok(match op {
        StateOp::MapGet(k) => StateReply::Value(s.get(store, key, &(), &user_key(k)).map_err(state_error)?),
        StateOp::MapContains(k) => StateReply::Flag(s.contains(store, key, &(), &user_key(k)).map_err(state_error)?),
        StateOp::MapPut(entries) => {
            s.put_all(store, key, &(), entries.iter().map(|(k, v)| (k, v))).map_err(state_error)?;
            StateReply::Done
        }
        StateOp::MapRemove(k) => {
            s.remove(store, key, &(), &user_key(k)).map_err(state_error)?;
            StateReply::Done
        }
        StateOp::MapEntries => StateReply::Entries(s.entries(store, key, &()).map_err(state_error)?),
        StateOp::MapIsEmpty => StateReply::Flag(s.is_empty(store, key, &()).map_err(state_error)?),
        StateOp::Clear => {
            s.clear(store, key, &()).map_err(state_error)?;
            StateReply::Done
        }
        other => return Err(EvalError::new(format!("{other:?} is not an operation of a map state"))),
    })
}
