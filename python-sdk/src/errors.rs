//! Weir's Rust errors as Python exceptions: the classes live in `weir/errors.py` (with their
//! docstrings); here each error is raised as its class with the same message and a stable
//! `code` attribute (`sql_error`, `invalid_plan`, `eval_error`, ...).

use pyo3::prelude::*;
use weir_core::sql::SqlError;
use weir_core::{Error, PlanError, RuntimeError};

/// Builds an instance of `weir.errors.<class>` with `message` and `code`.
pub fn weir_error(py: Python<'_>, class: &str, message: &str, code: &str) -> PyErr {
    let built = (|| -> PyResult<PyErr> {
        let cls = py.import("weir.errors")?.getattr(class)?;
        let value = cls.call1((message,))?;
        value.setattr("code", code)?;
        Ok(PyErr::from_value(value))
    })();
    built.unwrap_or_else(|e| e)
}

/// A SQL error (with its position in the message).
pub fn sql_error(py: Python<'_>, e: &SqlError) -> PyErr {
    let class = if matches!(e, SqlError::Unsupported { .. }) { "UnsupportedError" } else { "SqlError" };
    weir_error(py, class, &e.to_string(), e.code())
}

/// An invalid plan (the message starts with the JSON path at fault).
pub fn plan_error(py: Python<'_>, e: &PlanError) -> PyErr {
    weir_error(py, "PlanError", &format!("invalid job: {e}"), "invalid_plan")
}

/// Any engine error.
pub fn engine_error(py: Python<'_>, e: &Error) -> PyErr {
    match e {
        Error::Plan(p) => plan_error(py, p),
        Error::Runtime(RuntimeError::Cancelled) => weir_error(py, "JobCancelledError", &e.to_string(), e.code()),
        Error::Runtime(_) => weir_error(py, "JobError", &e.to_string(), e.code()),
    }
}
