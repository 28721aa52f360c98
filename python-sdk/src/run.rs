//! Running a validated job from Python: the workers run with the GIL released; the calling
//! thread wakes every 50 ms to let Python handle signals, so Ctrl-C cancels the job cleanly
//! (workers stop, the call raises `KeyboardInterrupt`).

use std::sync::Arc;
use std::time::Duration;

use pyo3::prelude::*;
use weir_core::Error;
use weir_core::plan::ValidatedPlan;
use weir_core::runtime::{CancelToken, JobOutcome, RunOptions, run_job};

/// Runs `plan` to completion, honouring Ctrl-C.
pub fn run_interruptible(py: Python<'_>, plan: ValidatedPlan, mut options: RunOptions) -> PyResult<Result<JobOutcome, Error>> {
    let cancel = CancelToken::new();
    options.cancel = cancel.clone();
    let plan = Arc::new(plan);
    let handle = std::thread::Builder::new()
        .name("weir-job".into())
        .spawn(move || run_job(plan, &options))
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("cannot start the job thread: {e}")))?;
    loop {
        let finished = py.detach(|| {
            for _ in 0..5 {
                if handle.is_finished() {
                    return true;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            handle.is_finished()
        });
        if finished {
            break;
        }
        if let Err(interrupt) = py.check_signals() {
            cancel.cancel();
            let _ = py.detach(|| handle.join());
            return Err(interrupt);
        }
    }
    match py.detach(|| handle.join()) {
        Ok(outcome) => Ok(outcome),
        Err(_) => Err(pyo3::exceptions::PyRuntimeError::new_err("the job thread panicked")),
    }
}
