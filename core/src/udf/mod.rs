//! User-defined functions registered at run time (Python UDFs, UDTFs, UDAFs and DataStream
//! process functions from the SDK): the [`ScalarFunction`] and [`UserAggregateFunction`]
//! traits (process functions and their state: [`process`]), and [`UserFunctions`], the
//! per-session registry the binder consults (through [`crate::expr::BindContext::functions`])
//! after the built-in functions.
//!
//! Built-in functions win over user functions of the same name, as Flink's resolution order
//! puts system functions before temporary catalog functions.

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::types::{DataType, Value};

use crate::expr::table_functions::{BoundTableFunction, TableFunction, TableFunctionRegistry, bind_table_function};
use crate::expr::{BoundExpr, EvalError, ExprError};

pub mod process;
pub mod window;

use self::process::UserProcessFunction;
use self::window::UserWindowFunction;

/// What a scalar function accepts and returns for given argument types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScalarSignature {
    /// The types the arguments are converted to before the call (one per argument).
    pub params: Vec<DataType>,
    /// The result type.
    pub result: DataType,
    /// False when the function gives different results for the same arguments (never folded).
    pub deterministic: bool,
}

/// A function from one row of argument values to one value. Implementations must be
/// thread-safe: one instance serves every worker.
pub trait ScalarFunction: Send + Sync {
    /// The name it is called by (matched case-insensitively).
    fn name(&self) -> &str;

    /// The signature for these argument types, or a message saying what it expects.
    fn signature(&self, arg_types: &[DataType]) -> Result<ScalarSignature, String>;

    /// The result for `args` (converted to the signature's parameter types; NULLs possible).
    /// The value must be of the signature's result type, or NULL.
    fn eval(&self, args: &[Value]) -> Result<Value, EvalError>;
}

/// What a user aggregate function accepts and returns for given argument types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AggregateSignature {
    /// The types the arguments are converted to before they are accumulated.
    pub params: Vec<DataType>,
    /// The result type.
    pub result: DataType,
}

/// The accumulator of one group, owned by the aggregate operator and opaque to it (a Python
/// object for Python aggregate functions). Dropped when its group becomes empty.
pub type UserAccumulator = Box<dyn Any + Send>;

/// The changes of one group since the last call: argument values with a multiplicity
/// (positive: accumulate that many times; negative: retract). `A` is the accumulator's form:
/// a live object ([`UserAccumulator`], kept in memory by the arrangement operator) or its
/// bytes (`Vec<u8>`, kept in the keyed operator's state, where checkpoints take it).
pub struct GroupUpdate<'a, A = UserAccumulator> {
    /// The group's accumulator; `None` for a group seen for the first time (create one). The
    /// call leaves the updated accumulator here.
    pub accumulator: &'a mut Option<A>,
    /// The argument rows added (positive multiplicity) or removed (negative), in arrival order.
    pub changes: &'a [(Vec<Value>, isize)],
}

/// An aggregate function whose accumulators the engine keeps per group without looking inside
/// them (Flink's `AggregateFunction`: create / accumulate / retract / get_value). The operator
/// calls [`UserAggregateFunction::update`] (or [`UserAggregateFunction::update_encoded`]) with
/// every group that changed at one time, so an implementation can serve a whole batch with one
/// call. Implementations must be thread-safe: one instance serves every worker.
pub trait UserAggregateFunction: Send + Sync {
    /// The name it is called by (matched case-insensitively).
    fn name(&self) -> &str;

    /// The signature for these argument types, or a message saying what it expects.
    fn signature(&self, arg_types: &[DataType]) -> Result<AggregateSignature, String>;

    /// Applies each group's changes to its accumulator (creating it when `None`) and returns
    /// each group's current result, in order: one value of the signature's result type, or NULL.
    fn update(&self, groups: &mut [GroupUpdate<'_>]) -> Result<Vec<Value>, EvalError>;

    /// As [`UserAggregateFunction::update`], with each accumulator as bytes: decoded before
    /// its changes are applied, encoded again after (a Python accumulator is pickled). The
    /// bytes are the function's own; the engine stores and checkpoints them as they are, and
    /// hands them back to this function (or to the same function of a restored job).
    fn update_encoded(&self, groups: &mut [GroupUpdate<'_, Vec<u8>>]) -> Result<Vec<Value>, EvalError>;
}

/// User functions by upper-case name: scalar, table and aggregate functions.
#[derive(Clone, Default)]
pub struct UserFunctions {
    scalars: BTreeMap<String, Arc<dyn ScalarFunction>>,
    tables: BTreeMap<String, Arc<dyn TableFunction>>,
    aggregates: BTreeMap<String, Arc<dyn UserAggregateFunction>>,
    processes: BTreeMap<String, Arc<dyn UserProcessFunction>>,
    windows: BTreeMap<String, Arc<dyn UserWindowFunction>>,
}

impl fmt::Debug for UserFunctions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserFunctions")
            .field("scalars", &self.scalars.keys().collect::<Vec<_>>())
            .field("tables", &self.tables.keys().collect::<Vec<_>>())
            .field("aggregates", &self.aggregates.keys().collect::<Vec<_>>())
            .field("processes", &self.processes.keys().collect::<Vec<_>>())
            .field("windows", &self.windows.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl UserFunctions {
    /// An empty registry.
    pub fn new() -> UserFunctions {
        UserFunctions::default()
    }

    /// Adds (or replaces) a scalar function under its name.
    pub fn register_scalar(&mut self, function: Arc<dyn ScalarFunction>) {
        self.scalars.insert(function.name().trim().to_ascii_uppercase(), function);
    }

    /// Adds (or replaces) a table function under its name.
    pub fn register_table(&mut self, function: Arc<dyn TableFunction>) {
        self.tables.insert(function.name().trim().to_ascii_uppercase(), function);
    }

    /// Adds (or replaces) an aggregate function under its name.
    pub fn register_aggregate(&mut self, function: Arc<dyn UserAggregateFunction>) {
        self.aggregates.insert(function.name().trim().to_ascii_uppercase(), function);
    }

    /// Adds (or replaces) a process function under its name.
    pub fn register_process(&mut self, function: Arc<dyn UserProcessFunction>) {
        self.processes.insert(function.name().trim().to_ascii_uppercase(), function);
    }

    /// The process function called `name`, if registered.
    pub fn process(&self, name: &str) -> Option<Arc<dyn UserProcessFunction>> {
        self.processes.get(&name.trim().to_ascii_uppercase()).cloned()
    }

    /// Adds (or replaces) a window function under its name.
    pub fn register_window(&mut self, function: Arc<dyn UserWindowFunction>) {
        self.windows.insert(function.name().trim().to_ascii_uppercase(), function);
    }

    /// The window function called `name`, if registered.
    pub fn window(&self, name: &str) -> Option<Arc<dyn UserWindowFunction>> {
        self.windows.get(&name.trim().to_ascii_uppercase()).cloned()
    }

    /// Removes a function of any kind; true when one existed.
    pub fn remove(&mut self, name: &str) -> bool {
        let upper = name.trim().to_ascii_uppercase();
        let scalar = self.scalars.remove(&upper).is_some();
        let table = self.tables.remove(&upper).is_some();
        let aggregate = self.aggregates.remove(&upper).is_some();
        let process = self.processes.remove(&upper).is_some();
        let window = self.windows.remove(&upper).is_some();
        scalar || table || aggregate || process || window
    }

    /// The names of every registered function, upper case.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> =
            self.scalars.keys().chain(self.tables.keys()).chain(self.aggregates.keys()).chain(self.processes.keys()).cloned().collect();
        names.sort();
        names
    }

    /// The aggregate function called `name`, if registered.
    pub fn aggregate(&self, name: &str) -> Option<Arc<dyn UserAggregateFunction>> {
        self.aggregates.get(&name.trim().to_ascii_uppercase()).cloned()
    }

    /// The scalar function called `name`, if registered.
    pub fn scalar(&self, name: &str) -> Option<Arc<dyn ScalarFunction>> {
        self.scalars.get(&name.trim().to_ascii_uppercase()).cloned()
    }

    /// Binds a table function call: a user function of that name, else a built-in one.
    pub fn bind_table_function(&self, name: &str, args: Vec<BoundExpr>) -> Result<BoundTableFunction, ExprError> {
        if let Some(function) = self.tables.get(&name.trim().to_ascii_uppercase()) {
            let mut one = TableFunctionRegistry::default();
            one.register(Arc::clone(function));
            return one.bind(name, args);
        }
        bind_table_function(name, args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{BindContext, Expr, bind};
    use crate::types::{Field, Row, Schema};

    struct Twice;

    impl ScalarFunction for Twice {
        fn name(&self) -> &str {
            "twice"
        }

        fn signature(&self, arg_types: &[DataType]) -> Result<ScalarSignature, String> {
            match arg_types {
                [t] if t.is_integer() || *t == DataType::Null => {
                    Ok(ScalarSignature { params: vec![DataType::BigInt], result: DataType::BigInt, deterministic: true })
                }
                _ => Err("expects (BIGINT)".into()),
            }
        }

        fn eval(&self, args: &[Value]) -> Result<Value, EvalError> {
            Ok(match args.first() {
                Some(Value::BigInt(v)) => Value::BigInt(v * 2),
                _ => Value::Null,
            })
        }
    }

    fn ctx() -> BindContext {
        let mut functions = UserFunctions::new();
        functions.register_scalar(Arc::new(Twice));
        BindContext { functions, ..BindContext::default() }
    }

    fn call(name: &str, arg: Expr) -> Expr {
        serde_json::from_value(serde_json::json!({"call": {"function": name, "args": [arg]}})).unwrap()
    }

    #[test]
    fn user_functions_bind_after_builtins() {
        let schema = Schema::new(vec![Field::new("x", DataType::Int)]);
        let bound = bind(&call("TWICE", Expr::col("x")), &schema, &ctx()).unwrap();
        assert_eq!(bound.data_type(), DataType::BigInt);
        assert_eq!(bound.compile().eval(&Row::new(vec![Value::Int(21)])), Ok(Value::BigInt(42)));
        let err = bind(&call("twice", Expr::col("x")), &Schema::new(vec![Field::new("x", DataType::String)]), &ctx()).unwrap_err();
        assert_eq!(err.message, "function twice expects (BIGINT), got (STRING)");
        assert!(bind(&call("twice", Expr::col("x")), &schema, &BindContext::default()).is_err());
        let upper = bind(&call("upper", Expr::col("x")), &Schema::new(vec![Field::new("x", DataType::String)]), &ctx()).unwrap();
        assert_eq!(upper.data_type(), DataType::String);
        let mut functions = ctx().functions;
        assert_eq!(functions.names(), vec!["TWICE".to_string()]);
        assert!(functions.remove("Twice"));
        assert!(functions.names().is_empty());
    }
}
