//! [`JobHandle`]: a job running in the background whose `collect` sinks Python reads as rows
//! arrive (streaming `TableResult.collect()`), and which Python can cancel.

use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use pyo3::types::PyList;
use weir_core::Error;
use weir_core::connectors::CollectedRows;
use weir_core::job::CancelToken;
use weir_core::runtime::JobOutcome;

use crate::convert::row_to_py;
use crate::errors::engine_error;
use crate::udf::ErrorSlot;

type Outcome = Result<JobOutcome, Error>;

/// A running job: read a sink's rows as they arrive, cancel it.
#[pyclass(module = "weir._weir")]
pub struct JobHandle {
    collected: CollectedRows,
    cancel: CancelToken,
    thread: Mutex<Option<JoinHandle<Outcome>>>,
    errors: ErrorSlot,
}

impl JobHandle {
    /// Wraps a job whose workers run and whose `wait` runs on `thread`.
    pub fn new(collected: CollectedRows, cancel: CancelToken, thread: JoinHandle<Outcome>, errors: ErrorSlot) -> JobHandle {
        JobHandle { collected, cancel, thread: Mutex::new(Some(thread)), errors }
    }

    fn finished(&self) -> bool {
        self.thread.lock().map(|t| t.as_ref().is_none_or(JoinHandle::is_finished)).unwrap_or(true)
    }

    /// Joins the job thread (once) and turns a failure into the Python exception.
    fn join(&self, py: Python<'_>) -> PyResult<()> {
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        let Some(thread) = thread else { return Ok(()) };
        match py.detach(|| thread.join()) {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => {
                let err = engine_error(py, &e);
                if let Some(cause) = self.errors.lock().ok().and_then(|mut s| s.take()) {
                    err.set_cause(py, Some(cause));
                }
                Err(err)
            }
            Err(_) => Err(pyo3::exceptions::PyRuntimeError::new_err("the job thread panicked")),
        }
    }
}

#[pymethods]
impl JobHandle {
    /// The changes of sink `sink` from position `offset` on, waiting up to `timeout_ms` for
    /// some to arrive; returns `(changes, finished)`. Raises the job's error when it failed,
    /// and `KeyboardInterrupt` (after cancelling the job) on Ctrl-C.
    fn poll<'py>(&self, py: Python<'py>, sink: &str, offset: usize, timeout_ms: u64) -> PyResult<(Bound<'py, PyList>, bool)> {
        let deadline = Instant::now() + Duration::from_millis(timeout_ms);
        let (changes, finished) = loop {
            let finished = self.finished();
            let changes = self.collected.read_from(sink, offset);
            if !changes.is_empty() || finished || Instant::now() >= deadline {
                break (changes, finished);
            }
            py.detach(|| std::thread::sleep(Duration::from_millis(10)));
            if let Err(interrupt) = py.check_signals() {
                self.cancel.cancel();
                let _ = self.join(py);
                return Err(interrupt);
            }
        };
        if finished {
            self.join(py)?;
        }
        let rows = PyList::empty(py);
        for (kind, row) in &changes {
            rows.append((kind.short(), row_to_py(py, row)?))?;
        }
        // Rows that arrived between the read and the end of the job are read by the next poll.
        let done = finished && self.collected.read_from(sink, offset + changes.len()).is_empty();
        Ok((rows, done))
    }

    /// Stops the job and waits for its workers (no error when it already ended).
    fn cancel(&self, py: Python<'_>) -> PyResult<()> {
        self.cancel.cancel();
        match self.join(py) {
            Err(e) if e.get_type(py).name().map(|n| n.to_string()).unwrap_or_default() == "JobCancelledError" => Ok(()),
            other => other,
        }
    }
}
