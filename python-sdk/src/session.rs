//! [`Session`]: one Python TableEnvironment's engine state — the SQL session (catalog and
//! settings), the user functions, and running job specs.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use weir_core::SpecPath;
use weir_core::job::CancelToken;
use weir_core::plan::{PlanValidator, RuntimeMode, job_config, parse_job_spec};
use weir_core::prepare::{PrepareOptions, PreparedJob};
use weir_core::runtime::RunOptions;
use weir_core::sql::{PlanView, SqlOutcome, SqlSession};
use weir_core::types::{DataType, Field};

use crate::convert::row_to_py;
use crate::errors::{engine_error, plan_error, sql_error, weir_error};
use crate::run::run_interruptible;
use crate::udf::{ErrorSlot, PyScalarFunction, PyTableFunction, display_name};

/// Registers the module's classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Session>()?;
    m.add_class::<crate::job::JobHandle>()?;
    m.add_function(wrap_pyfunction!(normalize_type, m)?)?;
    Ok(())
}

/// A column as Python sees it: `(name, type, nullable)`.
type Column = (String, String, bool);

/// A SQL session plus user functions; runs job specs (JSON) on the engine.
#[pyclass(module = "weir._weir")]
pub struct Session {
    sql: Mutex<SqlSession>,
    errors: ErrorSlot,
}

fn parse_type(py: Python<'_>, text: &str) -> PyResult<DataType> {
    DataType::from_str(text).map_err(|e| weir_error(py, "PlanError", &format!("bad type \"{text}\": {e}"), "invalid_type"))
}

/// The output columns `(name, type)` of a registered function, and the position of its
/// timestamp column `timestamp` among them (an error when there is no such column).
fn output_columns(py: Python<'_>, output: &[(String, String)], timestamp: Option<&str>) -> PyResult<(Vec<Field>, Option<usize>)> {
    let fields = output.iter().map(|(n, t)| Ok(Field::new(n.clone(), parse_type(py, t)?))).collect::<PyResult<Vec<_>>>()?;
    let position = match timestamp {
        Some(t) => {
            Some(fields.iter().position(|f| f.name == t).ok_or_else(|| weir_error(py, "PlanError", &format!("no output column \"{t}\""), "invalid_plan"))?)
        }
        None => None,
    };
    Ok((fields, position))
}

fn parse_types(py: Python<'_>, types: Option<Vec<String>>) -> PyResult<Option<Vec<DataType>>> {
    types.map(|ts| ts.iter().map(|t| parse_type(py, t)).collect()).transpose()
}

/// The canonical SQL text of a type name (`"varchar"` → `"STRING"`), or a `PlanError`.
#[pyfunction]
fn normalize_type(py: Python<'_>, text: &str) -> PyResult<String> {
    Ok(parse_type(py, text)?.to_string())
}

impl Session {
    fn sql(&self) -> MutexGuard<'_, SqlSession> {
        self.sql.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Parses, validates and plans `spec` with the session's functions; the run options for it.
    fn prepare(&self, py: Python<'_>, spec: &str, workers: Option<usize>, mode: Option<&str>) -> PyResult<(PreparedJob, RunOptions)> {
        let spec = parse_job_spec(spec).map_err(|e| plan_error(py, &e))?;
        let mode = mode
            .map(RuntimeMode::from_str)
            .transpose()
            .map_err(|message| weir_error(py, "PlanError", &format!("unknown runtime mode: {message}"), "invalid_plan"))?;
        let functions = self.sql().catalog().functions().clone();
        let job = PreparedJob::prepare(spec, &PrepareOptions { mode, functions, ..PrepareOptions::default() }).map_err(|e| engine_error(py, &e))?;
        let options = RunOptions { workers, mode, ..RunOptions::default() };
        if let Ok(mut slot) = self.errors.lock() {
            *slot = None;
        }
        Ok((job, options))
    }
}

#[pymethods]
impl Session {
    /// A new, empty session.
    #[new]
    fn new() -> Session {
        Session { sql: Mutex::new(SqlSession::new()), errors: Arc::new(Mutex::new(None)) }
    }

    /// Executes a SQL script; one tuple per statement: `("done", message)`, `("job", spec)`,
    /// `("query", spec)`, `("explain", text)` or `("table", columns, rows)`.
    fn execute_sql<'py>(&self, py: Python<'py>, script: &str) -> PyResult<Vec<Bound<'py, PyTuple>>> {
        let outcomes = self.sql().execute_script(script).map_err(|e| sql_error(py, &e))?;
        let spec_json = |spec: &weir_core::plan::JobSpec| serde_json::to_string(spec).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()));
        outcomes
            .into_iter()
            .map(|o| match o {
                SqlOutcome::Done(m) => PyTuple::new(py, ["done".into_pyobject(py)?.into_any(), m.into_pyobject(py)?.into_any()]),
                SqlOutcome::Job(spec) => PyTuple::new(py, ["job".to_string(), spec_json(&spec)?]),
                SqlOutcome::Query(spec) => PyTuple::new(py, ["query".to_string(), spec_json(&spec)?]),
                SqlOutcome::Explain(text) => PyTuple::new(py, ["explain".to_string(), text]),
                SqlOutcome::Table(t) => {
                    PyTuple::new(py, ["table".into_pyobject(py)?.into_any(), t.columns.into_pyobject(py)?.into_any(), t.rows.into_pyobject(py)?.into_any()])
                }
            })
            .collect()
    }

    /// The settings in force (`SET 'k' = 'v'`).
    fn config(&self) -> BTreeMap<String, String> {
        self.sql().config().clone()
    }

    /// Registers a Python scalar function under `name`.
    #[allow(clippy::too_many_arguments)] // mirrors the Python keyword arguments
    #[pyo3(signature = (name, callable, result_type, input_types=None, deterministic=true, label=None))]
    fn register_scalar_function(
        &self,
        py: Python<'_>,
        name: &str,
        callable: Py<PyAny>,
        result_type: &str,
        input_types: Option<Vec<String>>,
        deterministic: bool,
        label: Option<String>,
    ) -> PyResult<()> {
        let function = PyScalarFunction {
            name: name.to_string(),
            label: label.unwrap_or_else(|| display_name(py, &callable, name)),
            callable,
            params: parse_types(py, input_types)?,
            result: parse_type(py, result_type)?,
            deterministic,
            errors: Arc::clone(&self.errors),
        };
        self.sql().catalog_mut().functions_mut().register_scalar(Arc::new(function));
        Ok(())
    }

    /// Registers a Python aggregate function under `name`: `apply` takes a list of
    /// `(accumulator or None, [(args, multiplicity), ...])` and returns `[(accumulator, result), ...]`;
    /// `apply_pickled` does the same with pickled accumulators (`bytes`), for the streaming
    /// operator, which keeps them in its keyed state.
    #[pyo3(signature = (name, apply, apply_pickled, result_type, input_types=None, label=None))]
    #[allow(clippy::too_many_arguments)]
    fn register_aggregate_function(
        &self,
        py: Python<'_>,
        name: &str,
        apply: Py<PyAny>,
        apply_pickled: Py<PyAny>,
        result_type: &str,
        input_types: Option<Vec<String>>,
        label: Option<String>,
    ) -> PyResult<()> {
        let label = label.unwrap_or_else(|| display_name(py, &apply, name));
        let function =
            crate::udaf::new_function(name, label, (apply, apply_pickled), parse_types(py, input_types)?, parse_type(py, result_type)?, &self.errors);
        self.sql().catalog_mut().functions_mut().register_aggregate(function);
        Ok(())
    }

    /// Registers a Python table function under `name` with output columns `(name, type)`.
    #[allow(clippy::too_many_arguments)] // mirrors the Python keyword arguments
    #[pyo3(signature = (name, callable, output, input_types=None, label=None, batched=false))]
    fn register_table_function(
        &self,
        py: Python<'_>,
        name: &str,
        callable: Py<PyAny>,
        output: Vec<(String, String)>,
        input_types: Option<Vec<String>>,
        label: Option<String>,
        batched: bool,
    ) -> PyResult<()> {
        let output = output.iter().map(|(n, t)| Ok(Field::new(n.clone(), parse_type(py, t)?))).collect::<PyResult<Vec<_>>>()?;
        let function = PyTableFunction {
            name: name.to_string(),
            label: label.unwrap_or_else(|| display_name(py, &callable, name)),
            callable,
            params: parse_types(py, input_types)?,
            output,
            batched,
            errors: Arc::clone(&self.errors),
        };
        self.sql().catalog_mut().functions_mut().register_table(Arc::new(function));
        Ok(())
    }

    /// Registers a Python process function under `name`: `factory(worker, workers)` returns a
    /// runner per worker (see `process.rs`) emitting rows of the `output` columns `(name, type)`,
    /// the column `timestamp` (if given) holding each row's timestamp.
    #[pyo3(signature = (name, factory, output, timestamp=None, label=None))]
    fn register_process_function(
        &self,
        py: Python<'_>,
        name: &str,
        factory: Py<PyAny>,
        output: Vec<(String, String)>,
        timestamp: Option<String>,
        label: Option<String>,
    ) -> PyResult<()> {
        let (output, timestamp) = output_columns(py, &output, timestamp.as_deref())?;
        let function = crate::process::PyProcessFunction {
            name: name.to_string(),
            label: label.unwrap_or_else(|| display_name(py, &factory, name)),
            factory,
            output,
            timestamp,
            errors: Arc::clone(&self.errors),
        };
        self.sql().catalog_mut().functions_mut().register_process(Arc::new(function));
        Ok(())
    }

    /// Registers a DataStream window function: `factory(worker, workers)` makes a runner per
    /// worker (see `crate::window`); `contents` is `accumulator` (reduce, aggregate) or
    /// `elements` (apply, process); `output` and `timestamp` as for process functions.
    #[pyo3(signature = (name, factory, output, contents, timestamp=None, label=None))]
    #[expect(clippy::too_many_arguments, reason = "the registration's parameters, as Python passes them")]
    fn register_window_function(
        &self,
        py: Python<'_>,
        name: &str,
        factory: Py<PyAny>,
        output: Vec<(String, String)>,
        contents: &str,
        timestamp: Option<String>,
        label: Option<String>,
    ) -> PyResult<()> {
        let (output, timestamp) = output_columns(py, &output, timestamp.as_deref())?;
        let contents = match contents {
            "accumulator" => weir_core::udf::window::WindowContents::Accumulator,
            "elements" => weir_core::udf::window::WindowContents::Elements,
            other => return Err(weir_error(py, "PlanError", &format!("unknown window contents \"{other}\" (accumulator or elements)"), "invalid_plan")),
        };
        let function = crate::window::PyWindowFunction {
            name: name.to_string(),
            label: label.unwrap_or_else(|| display_name(py, &factory, name)),
            factory,
            output,
            timestamp,
            contents,
            errors: Arc::clone(&self.errors),
        };
        self.sql().catalog_mut().functions_mut().register_window(Arc::new(function));
        Ok(())
    }

    /// Registers the view `name` as the output of node `output` of the job spec `spec` (its
    /// nodes, no sink), so that SQL can read a Table built with the Table API.
    fn register_plan_view(&self, py: Python<'_>, name: &str, spec: &str, output: &str) -> PyResult<()> {
        let spec = parse_job_spec(spec).map_err(|e| plan_error(py, &e))?;
        let view = PlanView { name: name.to_string(), nodes: spec.nodes, output: output.to_string() };
        self.sql().catalog_mut().put_plan_view(view);
        Ok(())
    }

    /// The nodes (a JSON array) that give the rows of node `input` the schema `columns`, a
    /// CREATE TABLE column list with computed columns and a watermark: a project `project_id`,
    /// then a watermark node `watermark_id` when one is declared (`from_data_stream`).
    fn schema_nodes(&self, py: Python<'_>, columns: &str, input: &str, project_id: &str, watermark_id: &str) -> PyResult<String> {
        let nodes = weir_core::sql::schema_nodes(columns, input, project_id, watermark_id).map_err(|e| sql_error(py, &e))?;
        serde_json::to_string(&nodes).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
    }

    /// Removes a view registered with `register_plan_view`; true when it existed.
    fn drop_plan_view(&self, name: &str) -> bool {
        self.sql().catalog_mut().drop_plan_view(name)
    }

    /// Removes a user function; true when it existed.
    fn drop_function(&self, name: &str) -> bool {
        self.sql().catalog_mut().functions_mut().remove(name)
    }

    /// The names of the user functions, upper case.
    fn function_names(&self) -> Vec<String> {
        self.sql().catalog().functions().names()
    }

    /// Checks the nodes of a job spec (a sink is not required) and returns each node's output
    /// schema: `[(id, [(name, type, nullable), ...]), ...]`.
    fn schemas(&self, py: Python<'_>, spec: &str) -> PyResult<Vec<(String, Vec<Column>)>> {
        let spec = parse_job_spec(spec).map_err(|e| plan_error(py, &e))?;
        let root = SpecPath::default();
        let mut config = job_config(&spec.config, &root.field("config")).map_err(|e| plan_error(py, &e))?;
        config.bind.functions = self.sql().catalog().functions().clone();
        let mut validator = PlanValidator::new(config);
        let mut out = Vec::new();
        for node in spec.nodes {
            let id = node.id().to_string();
            let schema = validator.add_node(node).map_err(|e| plan_error(py, &e))?;
            let fields = schema.fields.iter().map(|f| (f.name.clone(), f.data_type.to_string(), f.nullable)).collect();
            out.push((id, fields));
        }
        Ok(out)
    }

    /// Starts a job spec in the background; read its `collect` sinks with the handle's `poll`.
    #[pyo3(signature = (spec, workers=None, mode=None))]
    fn start(&self, py: Python<'_>, spec: &str, workers: Option<usize>, mode: Option<&str>) -> PyResult<crate::job::JobHandle> {
        let (job, mut options) = self.prepare(py, spec, workers, mode)?;
        let cancel = CancelToken::new();
        options.cancel = cancel.clone();
        let running = job.start(&options).map_err(|e| engine_error(py, &e))?;
        let collected = running.collected.clone();
        let thread = std::thread::Builder::new()
            .name("weir-job".into())
            .spawn(move || running.wait())
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("cannot start the job thread: {e}")))?;
        Ok(crate::job::JobHandle::new(collected, cancel, thread, Arc::clone(&self.errors)))
    }

    /// Runs a job spec to completion and returns `{sink_id: [(kind, row_tuple), ...]}` for its
    /// `collect` sinks. The GIL is released while it runs; Ctrl-C cancels it.
    #[pyo3(signature = (spec, workers=None, mode=None))]
    fn run<'py>(&self, py: Python<'py>, spec: &str, workers: Option<usize>, mode: Option<&str>) -> PyResult<Bound<'py, PyDict>> {
        let (job, options) = self.prepare(py, spec, workers, mode)?;
        let outcome = run_interruptible(py, job, options)?;
        let outcome = match outcome {
            Ok(o) => o,
            Err(e) => {
                let err = engine_error(py, &e);
                if let Some(cause) = self.errors.lock().ok().and_then(|mut s| s.take()) {
                    err.set_cause(py, Some(cause));
                }
                return Err(err);
            }
        };
        let result = PyDict::new(py);
        for (sink, changes) in &outcome.collected {
            let rows = PyList::empty(py);
            for (kind, row) in changes {
                rows.append((kind.short(), row_to_py(py, row)?))?;
            }
            result.set_item(sink, rows)?;
        }
        Ok(result)
    }
}
