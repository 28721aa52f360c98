//! [`Elements`]: a batch of a process function's elements as the Python runner walks them
//! (`Runner.process_batch` in `weir/datastream/process.py`), one call of Python for all the
//! elements of an input batch instead of one per element.
//!
//! Iterating yields `(input, key, value, timestamp)` per element, in arrival order (the key as
//! the engine carries it: the pickled key; the value: the pickled record). Asking for the next
//! element first emits the rows the runner appended to `out` for the current one (tuples of
//! the function's output columns), at that element's time, then makes the next element's key
//! the scope's: state and timers used while the runner handles an element are that element's
//! key's, exactly as when each element was a call of its own. The last element's rows are
//! emitted when the call returns.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};
use weir_core::expr::EvalError;
use weir_core::types::Field;
use weir_core::udf::process::ElementBatch;

use crate::convert::to_py;
use crate::process::{emit_rows, with_batch};
use crate::udf::ErrorSlot;

/// The elements of the batch being processed (see the module); one per runner, reused.
#[pyclass(module = "weir._weir")]
pub struct Elements {
    /// Rows the runner produced for the current element, emitted when it moves on.
    #[pyo3(get)]
    out: Py<PyList>,
    label: String,
    output: Vec<Field>,
    errors: ErrorSlot,
    /// Why emitting failed (a bad row): the batch call's error, as the message says it.
    failed: Option<EvalError>,
}

impl Elements {
    /// The batch object of a runner whose function is `label`, with `output` columns.
    pub(crate) fn new(py: Python<'_>, label: &str, output: &[Field], errors: &ErrorSlot) -> Elements {
        Elements { out: PyList::empty(py).unbind(), label: label.to_string(), output: output.to_vec(), errors: ErrorSlot::clone(errors), failed: None }
    }

    /// Emits the rows in `out` on the current element's scope and empties `out`.
    fn emit(&mut self, py: Python<'_>, batch: &mut dyn ElementBatch) -> PyResult<()> {
        let out = self.out.bind(py);
        if out.is_empty() {
            return Ok(());
        }
        let done = emit_rows(py, out.as_any(), batch, &self.label, &self.output, &self.errors);
        out.call_method0("clear")?;
        done.map_err(|e| {
            let raised = PyRuntimeError::new_err(e.message.clone());
            self.failed = Some(e);
            raised
        })
    }

    /// After the runner's call: emits the last element's rows (none when the call failed), and
    /// the call's error, if any.
    pub(crate) fn finish(&mut self, py: Python<'_>, batch: &mut dyn ElementBatch, call: Result<(), EvalError>) -> Result<(), EvalError> {
        if let Some(e) = self.failed.take() {
            let _ = self.out.bind(py).call_method0("clear");
            return Err(e);
        }
        if let Err(e) = call {
            let _ = self.out.bind(py).call_method0("clear");
            return Err(e);
        }
        let done = emit_rows(py, self.out.bind(py).as_any(), batch, &self.label, &self.output, &self.errors);
        let _ = self.out.bind(py).call_method0("clear");
        done
    }
}

#[pymethods]
impl Elements {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// The next element's `(input, key, value, timestamp)`, after emitting the current one's
    /// rows; None (StopIteration) at the end of the batch.
    fn __next__<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyTuple>>> {
        with_batch(|batch| {
            self.emit(py, batch)?;
            let Some(element) = batch.advance() else { return Ok(None) };
            let (input, value, timestamp) = (element.input, PyBytes::new(py, element.value), element.timestamp);
            let key = match batch.key().values().first() {
                Some(key) => to_py(py, key)?,
                None => py.None().into_bound(py),
            };
            Ok(Some((input, key, value, timestamp).into_pyobject(py)?))
        })
    }
}

/// Registers the class.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Elements>()
}
