//! Taking the GIL from the engine's worker threads cheaply.
//!
//! A worker thread that Python has never seen has no Python thread state, so every
//! `Python::attach` on it would create one and tear it down again (several microseconds per
//! call). [`with_gil`] gives such a thread one thread state the first time it calls Python and
//! keeps it, with the GIL released, until the thread ends; later calls only take the GIL.

use std::cell::RefCell;

use pyo3::ffi;
use pyo3::prelude::*;

/// The thread state kept for this thread, released when the thread ends.
struct KeptThreadState {
    gstate: ffi::PyGILState_STATE,
    saved: *mut ffi::PyThreadState,
}

impl Drop for KeptThreadState {
    fn drop(&mut self) {
        // SAFETY: `saved` is this thread's state, saved by `PyEval_SaveThread` in `keep`, and
        // `gstate` the matching `PyGILState_Ensure`; both are undone once, on this thread.
        unsafe {
            if ffi::Py_IsInitialized() != 0 {
                ffi::PyEval_RestoreThread(self.saved);
                ffi::PyGILState_Release(self.gstate);
            }
        }
    }
}

thread_local! {
    static KEPT: RefCell<Option<KeptThreadState>> = const { RefCell::new(None) };
}

fn keep() {
    KEPT.with(|kept| {
        if kept.borrow().is_some() {
            return;
        }
        // SAFETY: a thread without a Python thread state cannot hold the GIL, so taking it
        // and releasing it at once leaves the thread as it was, plus a kept thread state.
        unsafe {
            if ffi::Py_IsInitialized() == 0 || !ffi::PyGILState_GetThisThreadState().is_null() {
                return;
            }
            let gstate = ffi::PyGILState_Ensure();
            let saved = ffi::PyEval_SaveThread();
            *kept.borrow_mut() = Some(KeptThreadState { gstate, saved });
        }
    });
}

/// Runs `f` with the GIL held (see the module documentation).
pub fn with_gil<F, R>(f: F) -> R
where
    F: for<'py> FnOnce(Python<'py>) -> R,
{
    keep();
    Python::attach(f)
}
