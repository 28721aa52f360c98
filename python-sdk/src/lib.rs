//! `weir._weir`: the native half of the `weir` Python package. Deliberately thin: a
//! [`session::Session`] (SQL catalog, user functions, running jobs) and conversions; the
//! user-facing API (Table API, DataStream API) is written in Python on top of it.

mod convert;
mod elements;
mod errors;
mod gil;
mod job;
mod pickler;
mod process;
mod run;
mod session;
mod udaf;
mod udf;
mod window;

use pyo3::prelude::*;

/// The engine's rows, values and containers are allocated per record; mimalloc handles that
/// churn for far less than glibc's malloc (a quarter of a DataStream window program's time
/// went to it). Python's own objects keep Python's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The extension module.
#[pymodule]
fn _weir(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // The sink connector that keeps a job's rows for the caller, named by the engine's registry.
    m.add("CALLER_SINK", weir_core::connectors::registry::caller_sink())?;
    // The source connector that generates sequences (its `fields.<f>.kind = sequence` option).
    m.add("SEQUENCE_SOURCE", weir_core::connectors::registry::sequence_source())?;
    session::register(m)?;
    process::register(m)?;
    elements::register(m)?;
    pickler::register(m)?;
    Ok(())
}
