//! Python window functions (`WindowedStream.reduce / aggregate / apply / process`) as engine
//! window functions: [`PyWindowFunction`] implements `UserWindowFunction`, so the engine's
//! window operator assigns elements, keeps window contents and runs the default triggers, and
//! Python is called only to fold a batch of elements into a window's accumulator and once per
//! fired window.
//!
//! The SDK registers a factory `factory(worker, workers)` returning a runner per worker
//! (`weir.datastream.window_runner.WindowRunner`), with `accumulate(acc, elements)` and
//! `merge(accs)` (pickled accumulators), `fire(key, start, end, contents)`, `clear(key, start,
//! end)` and `late(value, timestamp)` returning output rows, `gap(value)` (a dynamic session
//! gap), `trigger(key, start, end, kind, arg)` (a user-written trigger: `(fire, purge, timers)`),
//! `assign(value, timestamp)` (a user-written assigner: the element's windows as `(start, end)`),
//! `merge_windows(windows)` (a merging one: `[(merged windows, result)]`), `evict(key, start,
//! end, elements, timestamps, before)` (a user-written evictor: the indexes kept), `clears` and
//! `close()`. While `fire`, `clear`, `late`, `trigger`, `assign` and `merge_windows` run, the
//! operator's scope is active as for process functions (`crate::process`), so the user's
//! functions reach the key's state.

use std::sync::Arc;

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};
use weir_core::expr::EvalError;
use weir_core::types::Field;
use weir_core::udf::process::ProcessScope;
use weir_core::udf::window::{Fired, TimerRequest, TriggerCall, TriggerReply, UserWindowFunction, Window, WindowContents, WindowInstance, WindowMerges};

use crate::convert::to_py;
use crate::process::{Lend, call_and_emit};
use crate::udf::{ErrorSlot, failure};

/// A Python window function.
pub struct PyWindowFunction {
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
    /// Accumulators (reduce, aggregate) or elements (apply, process).
    pub contents: WindowContents,
    /// Where the first failure is kept.
    pub errors: ErrorSlot,
}

impl UserWindowFunction for PyWindowFunction {
    fn name(&self) -> &str {
        &self.name
    }

    fn output(&self) -> Vec<Field> {
        self.output.clone()
    }

    fn output_timestamp(&self) -> Option<usize> {
        self.timestamp
    }

    fn contents(&self) -> WindowContents {
        self.contents
    }

    fn instantiate(&self, worker: usize, workers: usize) -> Result<Box<dyn WindowInstance>, EvalError> {
        crate::gil::with_gil(|py| {
            let fail = |e| failure(py, &self.label, e, &self.errors);
            let runner = self.factory.bind(py).call1((worker, workers)).map_err(fail)?;
            let clears = runner.getattr("clears").and_then(|c| c.is_truthy()).map_err(fail)?;
            Ok(Box::new(PyWindowInstance {
                runner: runner.unbind(),
                label: self.label.clone(),
                output: self.output.clone(),
                errors: Arc::clone(&self.errors),
                clears,
            }) as Box<dyn WindowInstance>)
        })
    }
}

/// One worker's runner.
struct PyWindowInstance {
    runner: Py<PyAny>,
    label: String,
    output: Vec<Field>,
    errors: ErrorSlot,
    clears: bool,
}

impl PyWindowInstance {
    /// Calls `method(*args)`, which returns an accumulator (bytes).
    fn accumulator<'py>(&self, py: Python<'py>, method: &str, args: Bound<'py, PyTuple>) -> Result<Vec<u8>, EvalError> {
        let fail = |e| failure(py, &self.label, e, &self.errors);
        let acc = self.runner.bind(py).call_method1(method, args).map_err(fail)?;
        let bytes = acc.cast::<PyBytes>().map_err(|e| fail(PyErr::from(e)))?;
        Ok(bytes.as_bytes().to_vec())
    }

    /// The current key as Python sees it (the pickled key).
    fn key<'py>(&self, py: Python<'py>, scope: &dyn ProcessScope) -> Result<Bound<'py, PyAny>, EvalError> {
        to_py(py, scope.key().get(0)).map_err(|e| failure(py, &self.label, e, &self.errors))
    }
}

/// A window as Python gives it: `(start, end)`.
type Pair = (i64, i64);

/// A window from its `(start, end)`.
fn window((start, end): Pair) -> Window {
    Window { start, end }
}

fn bytes_list<'py>(py: Python<'py>, items: &[Vec<u8>]) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, items.iter().map(|b| PyBytes::new(py, b)))
}

impl WindowInstance for PyWindowInstance {
    fn accumulate(&mut self, accumulator: Option<&[u8]>, elements: &[Vec<u8>]) -> Result<Vec<u8>, EvalError> {
        crate::gil::with_gil(|py| {
            let elements = bytes_list(py, elements).map_err(|e| failure(py, &self.label, e, &self.errors))?;
            let acc = accumulator.map(|a| PyBytes::new(py, a));
            let args = (acc, elements).into_pyobject(py).map_err(|e| failure(py, &self.label, e, &self.errors))?;
            self.accumulator(py, "accumulate", args)
        })
    }

    fn merge(&mut self, accumulators: &[Vec<u8>]) -> Result<Vec<u8>, EvalError> {
        crate::gil::with_gil(|py| {
            let accs = bytes_list(py, accumulators).map_err(|e| failure(py, &self.label, e, &self.errors))?;
            let args = (accs,).into_pyobject(py).map_err(|e| failure(py, &self.label, e, &self.errors))?;
            self.accumulator(py, "merge", args)
        })
    }

    fn fire(&mut self, scope: &mut dyn ProcessScope, window: Window, contents: Fired<'_>) -> Result<(), EvalError> {
        crate::gil::with_gil(|py| {
            let fail = |e| failure(py, &self.label, e, &self.errors);
            let key = self.key(py, scope)?;
            let contents = match contents {
                Fired::Accumulator(acc) => PyBytes::new(py, acc).into_any(),
                Fired::Elements(elements) => bytes_list(py, elements).map_err(fail)?.into_any(),
            };
            let args = (key, window.start, window.end, contents).into_pyobject(py).map_err(fail)?;
            call_and_emit(py, &self.runner, scope, "fire", args, &self.label, &self.output, &self.errors)
        })
    }

    fn session_gap(&mut self, element: &[u8]) -> Result<i64, EvalError> {
        crate::gil::with_gil(|py| {
            let fail = |e| failure(py, &self.label, e, &self.errors);
            let gap = self.runner.bind(py).call_method1("gap", (PyBytes::new(py, element),)).map_err(fail)?;
            gap.extract::<i64>().map_err(fail)
        })
    }

    fn assign(&mut self, scope: &mut dyn ProcessScope, element: &[u8], timestamp: Option<i64>) -> Result<Vec<Window>, EvalError> {
        crate::gil::with_gil(|py| {
            let fail = |e| failure(py, &self.label, e, &self.errors);
            let windows = {
                let _lend = Lend::new(scope);
                self.runner.bind(py).call_method1("assign", (PyBytes::new(py, element), timestamp)).map_err(fail)?
            };
            let pairs: Vec<Pair> = windows.extract().map_err(fail)?;
            Ok(pairs.into_iter().map(window).collect())
        })
    }

    fn merge_windows(&mut self, scope: &mut dyn ProcessScope, windows: &[Window]) -> Result<WindowMerges, EvalError> {
        crate::gil::with_gil(|py| {
            let fail = |e| failure(py, &self.label, e, &self.errors);
            let pairs: Vec<(i64, i64)> = windows.iter().map(|w| (w.start, w.end)).collect();
            let merges = {
                let _lend = Lend::new(scope);
                self.runner.bind(py).call_method1("merge_windows", (pairs,)).map_err(fail)?
            };
            let merges: Vec<(Vec<Pair>, Pair)> = merges.extract().map_err(fail)?;
            Ok(merges.into_iter().map(|(parts, result)| (parts.into_iter().map(window).collect(), window(result))).collect())
        })
    }

    fn evict(
        &mut self,
        scope: &mut dyn ProcessScope,
        window: Window,
        elements: &[Vec<u8>],
        timestamps: &[Option<i64>],
        before: bool,
    ) -> Result<Vec<usize>, EvalError> {
        crate::gil::with_gil(|py| {
            let fail = |e| failure(py, &self.label, e, &self.errors);
            let key = self.key(py, scope)?;
            let elements = bytes_list(py, elements).map_err(fail)?;
            let args = (key, window.start, window.end, elements, timestamps.to_vec(), before).into_pyobject(py).map_err(fail)?;
            let kept = {
                let _lend = Lend::new(scope);
                self.runner.bind(py).call_method1("evict", args).map_err(fail)?
            };
            kept.extract::<Vec<usize>>().map_err(fail)
        })
    }

    fn trigger(&mut self, scope: &mut dyn ProcessScope, window: Window, call: TriggerCall<'_>) -> Result<TriggerReply, EvalError> {
        crate::gil::with_gil(|py| {
            let fail = |e| failure(py, &self.label, e, &self.errors);
            let key = self.key(py, scope)?;
            let (kind, arg) = match call {
                TriggerCall::Element { element, timestamp } => ("element", (PyBytes::new(py, element), timestamp).into_bound_py_any(py).map_err(fail)?),
                TriggerCall::EventTime(t) => ("event_time", t.into_bound_py_any(py).map_err(fail)?),
                TriggerCall::ProcessingTime(t) => ("processing_time", t.into_bound_py_any(py).map_err(fail)?),
                TriggerCall::Merge(windows) => {
                    let pairs: Vec<(i64, i64)> = windows.iter().map(|w| (w.start, w.end)).collect();
                    ("merge", pairs.into_bound_py_any(py).map_err(fail)?)
                }
                TriggerCall::Clear => ("clear", py.None().into_bound(py)),
            };
            let args = (key, window.start, window.end, kind, arg).into_pyobject(py).map_err(fail)?;
            let reply = {
                let _lend = Lend::new(scope);
                self.runner.bind(py).call_method1("trigger", args).map_err(fail)?
            };
            let (fire, purge, timers): (bool, bool, Vec<(bool, bool, i64)>) = reply.extract().map_err(fail)?;
            let timers = timers.into_iter().map(|(register, processing, time)| TimerRequest { register, processing, time }).collect();
            Ok(TriggerReply { fire, purge, timers })
        })
    }

    fn clears(&self) -> bool {
        self.clears
    }

    fn clear(&mut self, scope: &mut dyn ProcessScope, window: Window) -> Result<(), EvalError> {
        crate::gil::with_gil(|py| {
            let key = self.key(py, scope)?;
            let args = (key, window.start, window.end).into_pyobject(py).map_err(|e| failure(py, &self.label, e, &self.errors))?;
            call_and_emit(py, &self.runner, scope, "clear", args, &self.label, &self.output, &self.errors)
        })
    }

    fn late(&mut self, scope: &mut dyn ProcessScope, element: &[u8], timestamp: Option<i64>) -> Result<(), EvalError> {
        crate::gil::with_gil(|py| {
            let args = (PyBytes::new(py, element), timestamp).into_pyobject(py).map_err(|e| failure(py, &self.label, e, &self.errors))?;
            call_and_emit(py, &self.runner, scope, "late", args, &self.label, &self.output, &self.errors)
        })
    }

    fn close(&mut self) -> Result<(), EvalError> {
        crate::gil::with_gil(|py| self.runner.bind(py).call_method0("close").map(|_| ()).map_err(|e| failure(py, &self.label, e, &self.errors)))
    }
}
