//! Python aggregate functions as engine aggregates: [`PyAggregateFunction`] implements
//! `UserAggregateFunction`. Each `update` takes the GIL once and makes **one** Python call for
//! every group that changed at that time: `apply([(accumulator or None, [(args, multiplicity),
//! ...]), ...])` returns `[(accumulator, result), ...]` (the SDK's `weir.table.udf` writes
//! `apply` on top of the user's `create_accumulator` / `accumulate` / `retract` /
//! `get_value`). The accumulators are Python objects the batch operator keeps in memory
//! (`update`), or pickles the streaming operator keeps in its keyed state (`update_encoded`,
//! through `apply_pickled`, which unpickles, applies and pickles again in the same call).

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};
use weir_core::expr::EvalError;
use weir_core::types::{DataType, Value};
use weir_core::udf::{AggregateSignature, GroupUpdate, UserAccumulator, UserAggregateFunction};

use crate::convert::{from_py, to_py};
use crate::udf::{ErrorSlot, check_params, failure};

/// A Python aggregate function.
pub struct PyAggregateFunction {
    /// Name it is called by.
    pub name: String,
    /// Name shown in errors (the Python function's).
    pub label: String,
    /// The batch entry point `apply` (see the module documentation).
    pub apply: Py<PyAny>,
    /// `apply` over pickled accumulators (`bytes` in and out).
    pub apply_pickled: Py<PyAny>,
    /// Declared parameter types (`None`: whatever the arguments are).
    pub params: Option<Vec<DataType>>,
    /// Result type.
    pub result: DataType,
    /// Where the first failure is kept.
    pub errors: ErrorSlot,
}

impl UserAggregateFunction for PyAggregateFunction {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self, arg_types: &[DataType]) -> Result<AggregateSignature, String> {
        Ok(AggregateSignature { params: check_params(&self.params, arg_types)?, result: self.result })
    }

    fn update(&self, groups: &mut [GroupUpdate<'_>]) -> Result<Vec<Value>, EvalError> {
        self.call(&self.apply, groups)
    }

    fn update_encoded(&self, groups: &mut [GroupUpdate<'_, Vec<u8>>]) -> Result<Vec<Value>, EvalError> {
        self.call(&self.apply_pickled, groups)
    }
}

/// An accumulator as the engine holds it, to and from its Python form.
trait Held: Sized {
    /// The accumulator for Python (`None` when it is not one of ours).
    fn to_python<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>>;

    /// The accumulator `apply` returned.
    fn from_python(acc: &Bound<'_, PyAny>) -> PyResult<Self>;
}

/// A live Python object.
impl Held for UserAccumulator {
    fn to_python<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        self.downcast_ref::<Py<PyAny>>().map(|a| a.clone_ref(py).into_bound(py))
    }

    fn from_python(acc: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Box::new(acc.clone().unbind()) as UserAccumulator)
    }
}

/// A pickle.
impl Held for Vec<u8> {
    fn to_python<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        Some(PyBytes::new(py, self).into_any())
    }

    fn from_python(acc: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(acc.cast::<PyBytes>()?.as_bytes().to_vec())
    }
}

impl PyAggregateFunction {
    /// Calls `apply` once with every group's accumulator and changes; stores the accumulators
    /// it returns and gives the results.
    fn call<A: Held>(&self, apply: &Py<PyAny>, groups: &mut [GroupUpdate<'_, A>]) -> Result<Vec<Value>, EvalError> {
        crate::gil::with_gil(|py| {
            let fail = |e: PyErr| failure(py, &self.label, e, &self.errors);
            let list = PyList::empty(py);
            for g in groups.iter() {
                let acc = g.accumulator.as_ref().and_then(|a| a.to_python(py)).unwrap_or_else(|| py.None().into_bound(py));
                let changes = PyList::empty(py);
                for (args, diff) in g.changes {
                    let values = args.iter().map(|v| to_py(py, v)).collect::<PyResult<Vec<_>>>().map_err(fail)?;
                    let tuple = PyTuple::new(py, values).map_err(fail)?;
                    changes.append((tuple, *diff as i64)).map_err(fail)?;
                }
                list.append((acc, changes)).map_err(fail)?;
            }
            let produced = apply.bind(py).call1((list,)).map_err(fail)?;
            let mut out = Vec::with_capacity(groups.len());
            for (g, pair) in groups.iter_mut().zip(produced.try_iter().map_err(fail)?) {
                let (acc, result): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair.and_then(|p| p.extract()).map_err(fail)?;
                let value =
                    from_py(&result, self.result).map_err(|m| EvalError::new(format!("Python aggregate function {} returned a bad value: {m}", self.label)))?;
                *g.accumulator = Some(A::from_python(&acc).map_err(fail)?);
                out.push(value);
            }
            Ok(out)
        })
    }
}

/// Wraps the registration arguments.
pub fn new_function(
    name: &str,
    label: String,
    (apply, apply_pickled): (Py<PyAny>, Py<PyAny>),
    params: Option<Vec<DataType>>,
    result: DataType,
    errors: &ErrorSlot,
) -> Arc<PyAggregateFunction> {
    Arc::new(PyAggregateFunction { name: name.to_string(), label, apply, apply_pickled, params, result, errors: Arc::clone(errors) })
}
