//! Python callables as engine functions: [`PyScalarFunction`] implements the engine's
//! `ScalarFunction` and [`PyTableFunction`] its `TableFunction`. Worker threads call them with
//! the GIL held (taken per call); a Python exception fails the job with its traceback in the
//! message, and the exception object is kept so the SDK can chain it as the `__cause__`.

use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyFloat, PyInt, PyList, PyString, PyTuple};
use weir_core::expr::table_functions::TableSignature;
use weir_core::expr::{EvalError, TableFunction};
use weir_core::types::{DataType, Field, Row, Value};
use weir_core::udf::{ScalarFunction, ScalarSignature};

use crate::convert::{from_py, to_py};

/// The first Python exception raised by a user function during the current job.
pub type ErrorSlot = Arc<Mutex<Option<PyErr>>>;

/// A Python callable used as a scalar function.
pub struct PyScalarFunction {
    /// Name it is called by.
    pub name: String,
    /// Name shown in errors (the Python function's).
    pub label: String,
    /// The callable.
    pub callable: Py<PyAny>,
    /// Declared parameter types (`None`: whatever the arguments are).
    pub params: Option<Vec<DataType>>,
    /// Result type.
    pub result: DataType,
    /// False for functions whose result may change between calls.
    pub deterministic: bool,
    /// Where the first failure is kept.
    pub errors: ErrorSlot,
}

/// A Python callable used as a table function: it returns (or yields) rows, each a tuple,
/// list or `Row` with one value per output column (a bare value when there is one column).
pub struct PyTableFunction {
    /// Name it is called by.
    pub name: String,
    /// Name shown in errors (the Python function's).
    pub label: String,
    /// The callable.
    pub callable: Py<PyAny>,
    /// Declared parameter types (`None`: whatever the arguments are).
    pub params: Option<Vec<DataType>>,
    /// Output columns.
    pub output: Vec<Field>,
    /// The callable takes a whole batch: a list of argument tuples, returning a list of
    /// `(i, row)` pairs (rows produced for the `i`-th argument tuple), instead of one call per row.
    pub batched: bool,
    /// Where the first failure is kept.
    pub errors: ErrorSlot,
}

pub(crate) fn check_params(params: &Option<Vec<DataType>>, arg_types: &[DataType]) -> Result<Vec<DataType>, String> {
    match params {
        None => Ok(arg_types.iter().map(|t| if *t == DataType::Null { DataType::String } else { *t }).collect()),
        Some(p) if p.len() == arg_types.len() => Ok(p.clone()),
        Some(p) => Err(format!("expects {} arguments ({})", p.len(), p.iter().map(DataType::to_string).collect::<Vec<_>>().join(", "))),
    }
}

/// The name to show for `callable` in errors: its `__qualname__` (else `__name__`, else
/// `registered`).
pub fn display_name(py: Python<'_>, callable: &Py<PyAny>, registered: &str) -> String {
    let c = callable.bind(py);
    for attr in ["__qualname__", "__name__"] {
        if let Ok(name) = c.getattr(attr).and_then(|n| n.extract::<String>()) {
            return name;
        }
    }
    registered.to_string()
}

/// Turns a Python exception into an engine error carrying the traceback, keeping the first.
pub(crate) fn failure(py: Python<'_>, name: &str, err: PyErr, slot: &ErrorSlot) -> EvalError {
    // Attach the traceback to the exception object, so it prints and chains with it.
    let _ = err.value(py).setattr("__traceback__", err.traceback(py));
    let text = format_exception(py, &err);
    if let Ok(mut first) = slot.lock()
        && first.is_none()
    {
        *first = Some(err.clone_ref(py));
    }
    EvalError::new(format!("Python function {name} raised an exception:\n{text}"))
}

/// The full traceback text of `err`, as Python prints it.
pub fn format_exception(py: Python<'_>, err: &PyErr) -> String {
    let formatted = (|| -> PyResult<String> {
        let tb = py.import("traceback")?;
        let lines = tb.call_method1("format_exception", (err.value(py),))?;
        let joined: String = join_lines(&lines)?;
        Ok(joined)
    })();
    formatted.unwrap_or_else(|_| err.to_string()).trim_end().to_string()
}

fn join_lines(lines: &Bound<'_, PyAny>) -> PyResult<String> {
    let mut out = String::new();
    for line in lines.try_iter()? {
        out.push_str(&line?.extract::<String>()?);
    }
    Ok(out)
}

fn args_tuple<'py>(py: Python<'py>, args: &[Value]) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, args.iter().map(|v| to_py(py, v)).collect::<PyResult<Vec<_>>>()?)
}

impl ScalarFunction for PyScalarFunction {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self, arg_types: &[DataType]) -> Result<ScalarSignature, String> {
        Ok(ScalarSignature { params: check_params(&self.params, arg_types)?, result: self.result, deterministic: self.deterministic })
    }

    fn eval(&self, args: &[Value]) -> Result<Value, EvalError> {
        crate::gil::with_gil(|py| {
            let result = args_tuple(py, args).and_then(|a| self.callable.bind(py).call1(a));
            match result {
                Ok(obj) => from_py(&obj, self.result).map_err(|m| EvalError::new(format!("Python function {} returned a bad value: {m}", self.label))),
                Err(e) => Err(failure(py, &self.label, e, &self.errors)),
            }
        })
    }
}

impl TableFunction for PyTableFunction {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self, arg_types: &[DataType]) -> Result<TableSignature, String> {
        Ok(TableSignature { params: check_params(&self.params, arg_types)?, output: self.output.clone() })
    }

    fn eval(&self, args: &[Value], out: &mut Vec<Row>) -> Result<(), EvalError> {
        let mut indexed = Vec::new();
        self.eval_batch(std::slice::from_ref(&args.to_vec()), &mut indexed)?;
        out.extend(indexed.into_iter().map(|(_, row)| row));
        Ok(())
    }

    fn eval_batch(&self, batch: &[Vec<Value>], out: &mut Vec<(usize, Row)>) -> Result<(), EvalError> {
        crate::gil::with_gil(|py| {
            if self.batched {
                return self.call_batched(py, batch, out);
            }
            let mut rows = Vec::new();
            for (i, args) in batch.iter().enumerate() {
                self.call_one(py, args, &mut rows)?;
                out.extend(rows.drain(..).map(|r| (i, r)));
            }
            Ok(())
        })
    }
}

impl PyTableFunction {
    fn call_batched(&self, py: Python<'_>, batch: &[Vec<Value>], out: &mut Vec<(usize, Row)>) -> Result<(), EvalError> {
        let fail = |e: PyErr| failure(py, &self.label, e, &self.errors);
        let tuples = batch.iter().map(|args| args_tuple(py, args)).collect::<PyResult<Vec<_>>>().map_err(fail)?;
        let list = PyList::new(py, tuples).map_err(fail)?;
        let produced = self.callable.bind(py).call1((list,)).map_err(fail)?;
        for pair in produced.try_iter().map_err(fail)? {
            let (i, row): (usize, Bound<'_, PyAny>) = pair.and_then(|p| p.extract()).map_err(fail)?;
            if i >= batch.len() {
                return Err(EvalError::new(format!("Python table function {} returned row index {i} for a batch of {}", self.label, batch.len())));
            }
            out.push((i, self.row_of(&row)?));
        }
        Ok(())
    }

    fn call_one(&self, py: Python<'_>, args: &[Value], out: &mut Vec<Row>) -> Result<(), EvalError> {
        {
            let produced = args_tuple(py, args).and_then(|a| self.callable.bind(py).call1(a));
            let produced = match produced {
                Ok(p) => p,
                Err(e) => return Err(failure(py, &self.label, e, &self.errors)),
            };
            if produced.is_none() {
                return Ok(());
            }
            let iter = match produced.try_iter() {
                Ok(i) => i,
                Err(e) => return Err(failure(py, &self.label, e, &self.errors)),
            };
            for item in iter {
                let item = item.map_err(|e| failure(py, &self.label, e, &self.errors))?;
                out.push(self.row_of(&item)?);
            }
            Ok(())
        }
    }

    fn row_of(&self, item: &Bound<'_, PyAny>) -> Result<Row, EvalError> {
        let bad = |m: String| EvalError::new(format!("Python table function {} produced a bad row: {m}", self.label));
        // The common case (every DataStream record is a tuple of columns), read in place.
        if let Ok(tuple) = item.cast_exact::<PyTuple>()
            && tuple.len() == self.output.len()
            && self.output.len() > 1
        {
            let row = tuple.iter().zip(&self.output).map(|(v, f)| from_py(&v, f.data_type)).collect::<Result<Vec<_>, _>>().map_err(bad)?;
            return Ok(Row::new(row));
        }
        // Strings and numbers are single values; checked first, as `has_fields` costs an
        // attribute lookup that fails (and builds an exception) for them.
        let scalar =
            item.is_instance_of::<PyString>() || item.is_instance_of::<PyInt>() || item.is_instance_of::<PyFloat>() || item.is_instance_of::<PyBytes>();
        let single = self.output.len() == 1 && (scalar || !(item.is_instance_of::<PyTuple>() || item.is_instance_of::<PyList>() || has_fields(item)));
        if single {
            return Ok(Row::new(vec![from_py(item, self.output[0].data_type).map_err(bad)?]));
        }
        let values: Vec<Bound<'_, PyAny>> = match item.try_iter() {
            Ok(it) => it.collect::<PyResult<Vec<_>>>().map_err(|e| bad(e.to_string()))?,
            Err(_) => {
                return Err(bad(format!("expected a tuple of {} values", self.output.len())));
            }
        };
        if values.len() != self.output.len() {
            return Err(bad(format!("expected {} values, found {}", self.output.len(), values.len())));
        }
        let row = values.iter().zip(&self.output).map(|(v, f)| from_py(v, f.data_type)).collect::<Result<Vec<_>, _>>().map_err(bad)?;
        Ok(Row::new(row))
    }
}

/// True for `weir.common.Row` objects (iterable, with `_fields`).
fn has_fields(item: &Bound<'_, PyAny>) -> bool {
    item.hasattr("_fields").unwrap_or(false) && item.hasattr("get_row_kind").unwrap_or(false)
}
