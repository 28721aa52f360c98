//! Python process functions (`KeyedProcessFunction`, `ProcessFunction`,
//! `KeyedCoProcessFunction`) as engine process functions: [`PyProcessFunction`] implements
//! `UserProcessFunction`.
//!
//! The SDK registers a factory `factory(worker, workers)` returning a runner per worker, with
//! `process_element(input, key, value, timestamp)`, `on_timer(domain, key, timestamp)` (domain
//! 0: event time, 1: processing time) and `close()`; the first two return the output rows as
//! tuples of the declared columns.
//!
//! State and timers: while the engine calls a runner, the operator's [`ProcessScope`] for the
//! current key is *active* on this thread. [`StateRef`] (one per declared state) and the
//! `scope_*` functions reach the current key's state and timers through it, so the state stays
//! in the operator's store (memory or RocksDB), read and written entry by entry. Outside a
//! call nothing is active, and using a state object kept from an earlier call raises
//! `RuntimeError` instead of touching the operator: the scope is only ever borrowed for the
//! duration of the call that lent it.

use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};
use weir_core::expr::EvalError;
use weir_core::types::{Field, Row};
use weir_core::udf::process::{ElementBatch, ProcessInstance, ProcessScope, StateDecl, StateKind, StateOp, StateReply, UserProcessFunction};
use weir_core::udf::process::{StateTtlConfig, TimeDomain, TtlUpdateType};

use crate::convert::{from_py, to_py};
use crate::elements::Elements;
use crate::udf::{ErrorSlot, failure};

/// The active scope, lifetime erased: valid while the [`Lend`] that set it lives.
type ScopePtr = *mut (dyn ProcessScope + 'static);

/// The active batch of elements, lifetime erased: valid while the [`Lend`] that set it lives.
type BatchPtr = *mut (dyn ElementBatch + 'static);

/// What a call under way has lent: one scope, or a batch of elements (each element's scope in
/// turn: `crate::elements`).
#[derive(Clone, Copy)]
enum Active {
    Scope(ScopePtr),
    Batch(BatchPtr),
}

thread_local! {
    static ACTIVE: Cell<Option<Active>> = const { Cell::new(None) };
}

/// Makes a scope active on this thread for as long as it lives; restores the previous one
/// (calls do not nest today, but a guard that restores is as cheap as one that clears).
pub(crate) struct Lend {
    previous: Option<Active>,
}

impl Lend {
    pub(crate) fn new(scope: &mut dyn ProcessScope) -> Lend {
        let ptr: *mut (dyn ProcessScope + '_) = scope;
        // SAFETY: only the lifetime is erased. The pointer is reachable through `ACTIVE` only
        // until this guard drops, which happens before the borrow of `scope` ends (the guard
        // lives inside the call that holds the borrow), and only on this thread.
        let ptr: ScopePtr = unsafe { std::mem::transmute::<*mut (dyn ProcessScope + '_), ScopePtr>(ptr) };
        Lend { previous: ACTIVE.with(|a| a.replace(Some(Active::Scope(ptr)))) }
    }

    /// Lends a batch of elements: the scope is the current element's, and
    /// [`with_batch`] moves through them.
    pub(crate) fn batch(batch: &mut dyn ElementBatch) -> Lend {
        let ptr: *mut (dyn ElementBatch + '_) = batch;
        // SAFETY: as in `Lend::new`: only the lifetime is erased, and the guard drops before
        // the borrow of `batch` ends.
        let ptr: BatchPtr = unsafe { std::mem::transmute::<*mut (dyn ElementBatch + '_), BatchPtr>(ptr) };
        Lend { previous: ACTIVE.with(|a| a.replace(Some(Active::Batch(ptr)))) }
    }
}

impl Drop for Lend {
    fn drop(&mut self) {
        ACTIVE.with(|a| a.set(self.previous));
    }
}

/// Takes what is active out of `ACTIVE` while `f` uses it (so that no re-entrant use could
/// alias it), putting it back after; None when no call is under way.
fn with_active<R>(f: impl FnOnce(Active) -> R) -> Option<R> {
    let active = ACTIVE.with(|a| a.take())?;
    struct Restore(Active);
    impl Drop for Restore {
        fn drop(&mut self) {
            ACTIVE.with(|a| a.set(Some(self.0)));
        }
    }
    let _restore = Restore(active);
    Some(f(active))
}

const NOT_ACTIVE: &str = "keyed state and timers can only be used during process_element or on_timer (of the function that owns them)";

/// Runs `f` on the active scope, or raises when no process function call is under way.
fn with_scope<R>(f: impl FnOnce(&mut dyn ProcessScope) -> Result<R, EvalError>) -> PyResult<R> {
    let done = with_active(|active| {
        // SAFETY: the pointer was set by a live `Lend` on this thread (it is cleared when the
        // `Lend` drops), and it is not reachable through `ACTIVE` while this borrow exists.
        let scope: &mut dyn ProcessScope = match active {
            Active::Scope(ptr) => unsafe { &mut *ptr },
            Active::Batch(ptr) => unsafe { &mut *ptr },
        };
        f(scope)
    });
    done.ok_or_else(|| PyRuntimeError::new_err(NOT_ACTIVE))?.map_err(|e| PyRuntimeError::new_err(e.message))
}

/// Runs `f` on the active batch of elements, or raises when none is lent.
pub(crate) fn with_batch<R>(f: impl FnOnce(&mut dyn ElementBatch) -> PyResult<R>) -> PyResult<R> {
    let done = with_active(|active| match active {
        // SAFETY: as in `with_scope`.
        Active::Batch(ptr) => Some(f(unsafe { &mut *ptr })),
        Active::Scope(_) => None,
    });
    done.flatten().unwrap_or_else(|| Err(PyRuntimeError::new_err("a batch of elements can only be walked during the process_batch call it was given to")))
}

/// A Python process function.
pub struct PyProcessFunction {
    /// Name it is registered under.
    pub name: String,
    /// Name shown in errors (the Python function's class).
    pub label: String,
    /// `factory(worker, workers)` → runner.
    pub factory: Py<PyAny>,
    /// Output columns.
    pub output: Vec<Field>,
    /// The output column with each row's timestamp.
    pub timestamp: Option<usize>,
    /// Where the first failure is kept.
    pub errors: ErrorSlot,
}

impl UserProcessFunction for PyProcessFunction {
    fn name(&self) -> &str {
        &self.name
    }

    fn output(&self) -> Vec<Field> {
        self.output.clone()
    }

    fn output_timestamp(&self) -> Option<usize> {
        self.timestamp
    }

    fn instantiate(&self, worker: usize, workers: usize) -> Result<Box<dyn ProcessInstance>, EvalError> {
        crate::gil::with_gil(|py| {
            let fail = |e| failure(py, &self.label, e, &self.errors);
            let runner = self.factory.bind(py).call1((worker, workers)).map_err(fail)?;
            let elements = Py::new(py, Elements::new(py, &self.label, &self.output, &self.errors)).map_err(fail)?;
            Ok(Box::new(PyProcessInstance {
                runner: runner.unbind(),
                label: self.label.clone(),
                output: self.output.clone(),
                errors: Arc::clone(&self.errors),
                elements,
            }) as Box<dyn ProcessInstance>)
        })
    }
}

/// One worker's runner.
struct PyProcessInstance {
    runner: Py<PyAny>,
    label: String,
    output: Vec<Field>,
    errors: ErrorSlot,
    /// The batches handed to `process_batch` (one object, reused).
    elements: Py<Elements>,
}

impl PyProcessInstance {
    /// Calls `method` with the scope active and emits the rows it returns.
    fn call<'py>(&self, py: Python<'py>, scope: &mut dyn ProcessScope, method: &str, args: Bound<'py, PyTuple>) -> Result<(), EvalError> {
        call_and_emit(py, &self.runner, scope, method, args, &self.label, &self.output, &self.errors)
    }
}

/// Calls `runner.method(*args)` with `scope` active (the Python function may use its state)
/// and emits the rows it returns, each a tuple of the `output` columns. Window functions
/// (`crate::window`) are called the same way.
#[expect(clippy::too_many_arguments, reason = "the parts of one call; a struct for them would only be built here")]
pub(crate) fn call_and_emit<'py>(
    py: Python<'py>,
    runner: &Py<PyAny>,
    scope: &mut dyn ProcessScope,
    method: &str,
    args: Bound<'py, PyTuple>,
    label: &str,
    output: &[Field],
    errors: &ErrorSlot,
) -> Result<(), EvalError> {
    let produced = {
        let _lend = Lend::new(scope);
        runner.bind(py).call_method1(method, args).map_err(|e| failure(py, label, e, errors))?
    };
    emit_rows(py, &produced, scope, label, output, errors)
}

/// Emits the rows of `produced` (None, or an iterable of tuples of the `output` columns) on
/// `scope`.
pub(crate) fn emit_rows(
    py: Python<'_>,
    produced: &Bound<'_, PyAny>,
    scope: &mut dyn ProcessScope,
    label: &str,
    output: &[Field],
    errors: &ErrorSlot,
) -> Result<(), EvalError> {
    if produced.is_none() {
        return Ok(());
    }
    let bad = |m: String| EvalError::new(format!("Python function {label} produced a bad row: {m}"));
    for item in produced.try_iter().map_err(|e| failure(py, label, e, errors))? {
        let item = item.map_err(|e| failure(py, label, e, errors))?;
        let row = match item.cast_exact::<PyTuple>() {
            // The runner's rows are tuples: read in place.
            Ok(tuple) if tuple.len() == output.len() => tuple.iter().zip(output).map(|(v, f)| from_py(&v, f.data_type)).collect::<Result<Vec<_>, _>>(),
            _ => {
                let values: Vec<Bound<'_, PyAny>> = item.try_iter().and_then(|it| it.collect()).map_err(|e| bad(e.to_string()))?;
                if values.len() != output.len() {
                    return Err(bad(format!("expected {} values, found {}", output.len(), values.len())));
                }
                values.iter().zip(output).map(|(v, f)| from_py(v, f.data_type)).collect()
            }
        };
        scope.emit(Row::new(row.map_err(bad)?));
    }
    Ok(())
}

impl ProcessInstance for PyProcessInstance {
    fn process_element(&mut self, scope: &mut dyn ProcessScope, input: usize, value: &[u8], timestamp: Option<i64>) -> Result<(), EvalError> {
        crate::gil::with_gil(|py| {
            let key = to_py(py, scope.key().get(0)).map_err(|e| failure(py, &self.label, e, &self.errors))?;
            let args = (input, key, PyBytes::new(py, value), timestamp).into_pyobject(py).map_err(|e| failure(py, &self.label, e, &self.errors))?;
            self.call(py, scope, "process_element", args)
        })
    }

    fn process_batch(&mut self, batch: &mut dyn ElementBatch) -> Result<(), EvalError> {
        crate::gil::with_gil(|py| {
            let call = {
                let _lend = Lend::batch(batch);
                self.runner.bind(py).call_method1("process_batch", (self.elements.bind(py),)).map(|_| ()).map_err(|e| failure(py, &self.label, e, &self.errors))
            };
            self.elements.bind(py).borrow_mut().finish(py, batch, call)
        })
    }

    fn on_timer(&mut self, scope: &mut dyn ProcessScope, domain: TimeDomain, timestamp: i64) -> Result<(), EvalError> {
        crate::gil::with_gil(|py| {
            let key = to_py(py, scope.key().get(0)).map_err(|e| failure(py, &self.label, e, &self.errors))?;
            let domain = match domain {
                TimeDomain::EventTime => 0,
                TimeDomain::ProcessingTime => 1,
            };
            let args = (domain, key, timestamp).into_pyobject(py).map_err(|e| failure(py, &self.label, e, &self.errors))?;
            self.call(py, scope, "on_timer", args)
        })
    }

    fn close(&mut self) -> Result<(), EvalError> {
        crate::gil::with_gil(|py| self.runner.bind(py).call_method0("close").map(|_| ()).map_err(|e| failure(py, &self.label, e, &self.errors)))
    }
}

/// One declared state, as Python reaches it: operations on the current key's entry.
#[pyclass(module = "weir._weir", frozen)]
pub struct StateRef {
    decl: StateDecl,
}

fn domain_of(domain: u8) -> PyResult<TimeDomain> {
    match domain {
        0 => Ok(TimeDomain::EventTime),
        1 => Ok(TimeDomain::ProcessingTime),
        d => Err(PyValueError::new_err(format!("unknown time domain {d}"))),
    }
}

fn bytes_list(py: Python<'_>, items: Vec<Vec<u8>>) -> PyResult<Bound<'_, PyList>> {
    PyList::new(py, items.iter().map(|b| PyBytes::new(py, b)))
}

#[pymethods]
impl StateRef {
    /// A state called `name` of `kind` (`value`, `list` or `map`), with a processing-time TTL
    /// of `ttl_ms` (refreshed on reads too when `refresh_on_read`).
    #[new]
    #[pyo3(signature = (name, kind, ttl_ms=None, refresh_on_read=false))]
    fn new(name: String, kind: &str, ttl_ms: Option<u64>, refresh_on_read: bool) -> PyResult<StateRef> {
        let kind = match kind {
            "value" => StateKind::Value,
            "list" => StateKind::List,
            "map" => StateKind::Map,
            other => return Err(PyValueError::new_err(format!("unknown state kind '{other}'"))),
        };
        let update = if refresh_on_read { TtlUpdateType::OnReadAndWrite } else { TtlUpdateType::OnCreateAndWrite };
        let ttl = ttl_ms.map(|ms| StateTtlConfig::new(Duration::from_millis(ms)).with_update_type(update));
        Ok(StateRef { decl: StateDecl { name, kind, ttl } })
    }

    /// Value state: the bytes, or None. List state: the elements.
    fn get<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match with_scope(|s| s.state(&self.decl, StateOp::Get))? {
            StateReply::Value(v) => Ok(v.map_or_else(|| py.None().into_bound(py), |b| PyBytes::new(py, &b).into_any())),
            StateReply::List(items) => Ok(bytes_list(py, items)?.into_any()),
            other => Err(PyRuntimeError::new_err(format!("unexpected state reply {other:?}"))),
        }
    }

    /// Value state: sets it (one element); list state: replaces the elements.
    fn update(&self, values: Vec<Vec<u8>>) -> PyResult<()> {
        with_scope(|s| s.state(&self.decl, StateOp::Update(values))).map(|_| ())
    }

    /// Value state: sets it to `value` (`update` with one element, without the list).
    fn set(&self, value: Vec<u8>) -> PyResult<()> {
        with_scope(|s| s.state(&self.decl, StateOp::Update(vec![value]))).map(|_| ())
    }

    /// List state: appends the elements.
    fn add(&self, values: Vec<Vec<u8>>) -> PyResult<()> {
        with_scope(|s| s.state(&self.decl, StateOp::Add(values))).map(|_| ())
    }

    /// Removes the current key's entry.
    fn clear(&self) -> PyResult<()> {
        with_scope(|s| s.state(&self.decl, StateOp::Clear)).map(|_| ())
    }

    /// Map state: the value under `key`, or None.
    fn map_get<'py>(&self, py: Python<'py>, key: Vec<u8>) -> PyResult<Option<Bound<'py, PyBytes>>> {
        match with_scope(|s| s.state(&self.decl, StateOp::MapGet(&key)))? {
            StateReply::Value(v) => Ok(v.map(|b| PyBytes::new(py, &b))),
            other => Err(PyRuntimeError::new_err(format!("unexpected state reply {other:?}"))),
        }
    }

    /// Map state: sets the entries.
    fn map_put(&self, entries: Vec<(Vec<u8>, Vec<u8>)>) -> PyResult<()> {
        with_scope(|s| s.state(&self.decl, StateOp::MapPut(entries))).map(|_| ())
    }

    /// Map state: removes `key`.
    fn map_remove(&self, key: Vec<u8>) -> PyResult<()> {
        with_scope(|s| s.state(&self.decl, StateOp::MapRemove(&key))).map(|_| ())
    }

    /// Map state: whether `key` has a value.
    fn map_contains(&self, key: Vec<u8>) -> PyResult<bool> {
        match with_scope(|s| s.state(&self.decl, StateOp::MapContains(&key)))? {
            StateReply::Flag(f) => Ok(f),
            other => Err(PyRuntimeError::new_err(format!("unexpected state reply {other:?}"))),
        }
    }

    /// Map state: every `(key, value)` entry.
    fn map_entries<'py>(&self, py: Python<'py>) -> PyResult<Vec<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)>> {
        match with_scope(|s| s.state(&self.decl, StateOp::MapEntries))? {
            StateReply::Entries(entries) => Ok(entries.iter().map(|(k, v)| (PyBytes::new(py, k), PyBytes::new(py, v))).collect()),
            other => Err(PyRuntimeError::new_err(format!("unexpected state reply {other:?}"))),
        }
    }

    /// Map state: whether it has no entries.
    fn map_is_empty(&self) -> PyResult<bool> {
        match with_scope(|s| s.state(&self.decl, StateOp::MapIsEmpty))? {
            StateReply::Flag(f) => Ok(f),
            other => Err(PyRuntimeError::new_err(format!("unexpected state reply {other:?}"))),
        }
    }
}

/// Registers a timer of the current key: `domain` 0 event time, 1 processing time.
#[pyfunction]
fn scope_register_timer(domain: u8, timestamp: i64) -> PyResult<()> {
    let domain = domain_of(domain)?;
    with_scope(|s| s.register_timer(domain, timestamp))
}

/// Deletes a timer of the current key.
#[pyfunction]
fn scope_delete_timer(domain: u8, timestamp: i64) -> PyResult<()> {
    let domain = domain_of(domain)?;
    with_scope(|s| s.delete_timer(domain, timestamp))
}

/// The current event-time watermark.
#[pyfunction]
fn scope_current_watermark() -> PyResult<i64> {
    with_scope(|s| Ok(s.current_watermark()))
}

/// The current processing time (epoch milliseconds, the clock state TTL uses).
#[pyfunction]
fn scope_current_processing_time() -> PyResult<i64> {
    with_scope(|s| Ok(s.current_processing_time()))
}

/// Registers the module's classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<StateRef>()?;
    m.add_function(wrap_pyfunction!(scope_register_timer, m)?)?;
    m.add_function(wrap_pyfunction!(scope_delete_timer, m)?)?;
    m.add_function(wrap_pyfunction!(scope_current_watermark, m)?)?;
    m.add_function(wrap_pyfunction!(scope_current_processing_time, m)?)?;
    Ok(())
}
