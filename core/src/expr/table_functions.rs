//! Table functions for the plan's `flat_map` node: each input row gives zero or more rows of
//! the function's own output columns.
//!
//! Built-ins: `SPLIT(string, delimiter)` → `word STRING`, one row per piece;
//! `GENERATE_SERIES(start, end[, step])` → `value BIGINT`, `start..=end` by `step`. Other
//! functions (a Python UDTF, say) plug in through the [`TableFunction`] trait and a
//! [`TableFunctionRegistry`].

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use crate::types::{DataType, Field, Row, Value, edit_distance};

use super::bound::BoundExpr;
use super::compile::CompiledExpr;
use super::error::EvalError;
use super::error::ExprError;
use super::types::common_type;

/// What a table function accepts and produces for given argument types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableSignature {
    /// The types the arguments are converted to before the call (one per argument).
    pub params: Vec<DataType>,
    /// The output columns.
    pub output: Vec<Field>,
}

/// A function from one row of argument values to zero or more output rows. Implementations
/// must be thread-safe: one instance serves every worker.
pub trait TableFunction: Send + Sync {
    /// The name it is called by (matched case-insensitively).
    fn name(&self) -> &str;

    /// The signature for these argument types, or a message saying what it expects
    /// (`expects (STRING, STRING)`).
    fn signature(&self, arg_types: &[DataType]) -> Result<TableSignature, String>;

    /// Appends the output rows for `args` (already converted to the signature's types; NULLs
    /// possible) to `out`.
    fn eval(&self, args: &[Value], out: &mut Vec<Row>) -> Result<(), EvalError>;

    /// The output rows for a batch of argument rows: appends `(i, row)` to `out` for each row
    /// produced for `batch[i]`, in input order. The default calls [`TableFunction::eval`] per
    /// row; functions with a per-call cost (a Python UDTF takes the GIL) override it.
    fn eval_batch(&self, batch: &[Vec<Value>], out: &mut Vec<(usize, Row)>) -> Result<(), EvalError> {
        let mut rows = Vec::new();
        for (i, args) in batch.iter().enumerate() {
            rows.clear();
            self.eval(args, &mut rows)?;
            out.extend(rows.drain(..).map(|r| (i, r)));
        }
        Ok(())
    }
}

/// Table functions by upper-case name.
#[derive(Clone, Default)]
pub struct TableFunctionRegistry {
    functions: BTreeMap<String, Arc<dyn TableFunction>>,
}

impl TableFunctionRegistry {
    /// A registry with the built-in functions (SPLIT, GENERATE_SERIES, UNNEST).
    pub fn with_builtins() -> TableFunctionRegistry {
        let mut r = TableFunctionRegistry::default();
        r.register(Arc::new(Split));
        r.register(Arc::new(GenerateSeries));
        r.register(Arc::new(super::unnest::Unnest { ordinality: false }));
        r.register(Arc::new(super::unnest::Unnest { ordinality: true }));
        r
    }

    /// Adds (or replaces) a function under its name.
    pub fn register(&mut self, function: Arc<dyn TableFunction>) {
        self.functions.insert(function.name().to_ascii_uppercase(), function);
    }

    /// Binds a call of `name` to bound arguments: checks their types and converts them.
    /// Error paths are relative to the call (`args[1]`, or empty).
    pub fn bind(&self, name: &str, args: Vec<BoundExpr>) -> Result<BoundTableFunction, ExprError> {
        let upper = name.trim().to_ascii_uppercase();
        let Some(function) = self.functions.get(&upper).cloned() else {
            let hint = self
                .functions
                .keys()
                .map(|k| (edit_distance(k, &upper), k))
                .filter(|(d, _)| *d <= 2)
                .min_by_key(|(d, _)| *d)
                .map(|(_, k)| format!("; did you mean \"{k}\"?"))
                .unwrap_or_default();
            return Err(ExprError::new("", format!("unknown table function \"{name}\"{hint}")));
        };
        let types: Vec<DataType> = args.iter().map(BoundExpr::data_type).collect();
        let signature = function.signature(&types).map_err(|m| ExprError::new("", format!("function {upper} {m}, got ({})", join(&types))))?;
        let args = super::functions::coerce_args(args, &signature.params)?;
        Ok(BoundTableFunction { function, args, output: signature.output })
    }
}

fn join(types: &[DataType]) -> String {
    types.iter().map(DataType::to_string).collect::<Vec<_>>().join(", ")
}

/// Binds a built-in table function (see [`TableFunctionRegistry::with_builtins`]).
pub fn bind_table_function(name: &str, args: Vec<BoundExpr>) -> Result<BoundTableFunction, ExprError> {
    static BUILTINS: OnceLock<TableFunctionRegistry> = OnceLock::new();
    BUILTINS.get_or_init(TableFunctionRegistry::with_builtins).bind(name, args)
}

/// A table function call with typed arguments.
#[derive(Clone)]
pub struct BoundTableFunction {
    function: Arc<dyn TableFunction>,
    args: Vec<BoundExpr>,
    output: Vec<Field>,
}

impl std::fmt::Debug for BoundTableFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundTableFunction").field("name", &self.function.name()).field("args", &self.args).finish()
    }
}

impl BoundTableFunction {
    /// The function's name.
    pub fn name(&self) -> &str {
        self.function.name()
    }

    /// The columns of each output row.
    pub fn output_fields(&self) -> Vec<Field> {
        self.output.clone()
    }

    /// The arguments, converted to the function's parameter types.
    pub fn args(&self) -> &[BoundExpr] {
        &self.args
    }

    /// Compiles the arguments for evaluation.
    pub fn compile(&self) -> CompiledTableFunction {
        CompiledTableFunction { function: self.function.clone(), args: self.args.iter().map(BoundExpr::compile).collect() }
    }
}

/// A ready-to-run table function call; cheap to clone, `Send + Sync`.
#[derive(Clone)]
pub struct CompiledTableFunction {
    function: Arc<dyn TableFunction>,
    args: Arc<[CompiledExpr]>,
}

impl CompiledTableFunction {
    /// Appends the output rows (the function's columns only) for `row` to `out`.
    pub fn eval(&self, row: &Row, out: &mut Vec<Row>) -> Result<(), EvalError> {
        let values = self.args.iter().map(|a| a.eval(row)).collect::<Result<Vec<_>, _>>()?;
        self.function.eval(&values, out)
    }

    /// Appends `(i, output row)` for each row produced for `rows[i]`, in input order, calling
    /// the function once for the whole batch.
    pub fn eval_batch(&self, rows: &[&Row], out: &mut Vec<(usize, Row)>) -> Result<(), EvalError> {
        let batch = rows.iter().map(|row| self.args.iter().map(|a| a.eval(row)).collect::<Result<Vec<_>, _>>()).collect::<Result<Vec<_>, _>>()?;
        self.function.eval_batch(&batch, out)
    }
}

/// `SPLIT(string, delimiter)`: one row per piece (`word STRING`); an empty delimiter splits
/// into characters; a NULL argument gives no rows.
struct Split;

impl TableFunction for Split {
    fn name(&self) -> &str {
        "SPLIT"
    }

    fn signature(&self, arg_types: &[DataType]) -> Result<TableSignature, String> {
        let strings = arg_types.len() == 2 && arg_types.iter().all(|t| matches!(t, DataType::String | DataType::Null));
        if !strings {
            return Err("expects (STRING, STRING)".into());
        }
        Ok(TableSignature { params: vec![DataType::String, DataType::String], output: vec![Field::new("word", DataType::String).with_nullable(false)] })
    }

    fn eval(&self, args: &[Value], out: &mut Vec<Row>) -> Result<(), EvalError> {
        let (Some(Value::String(s)), Some(Value::String(delim))) = (args.first(), args.get(1)) else { return Ok(()) };
        let word = |w: &str| Row::new(vec![Value::string(w)]);
        if delim.is_empty() {
            let mut buf = [0u8; 4];
            out.extend(s.chars().map(|c| word(c.encode_utf8(&mut buf))));
        } else {
            out.extend(s.split(delim.as_ref()).map(word));
        }
        Ok(())
    }
}

/// `GENERATE_SERIES(start, end[, step])`: `value BIGINT` from `start` to `end` inclusive by
/// `step` (default 1; negative counts down; 0 is an error). At most
/// [`GenerateSeries::MAX_ROWS`] rows per call.
struct GenerateSeries;

impl GenerateSeries {
    /// The most rows one call may produce.
    const MAX_ROWS: i128 = 10_000_000;
}

impl TableFunction for GenerateSeries {
    fn name(&self) -> &str {
        "GENERATE_SERIES"
    }

    fn signature(&self, arg_types: &[DataType]) -> Result<TableSignature, String> {
        let integers = (2..=3).contains(&arg_types.len()) && arg_types.iter().all(|t| common_type(*t, DataType::BigInt) == Some(DataType::BigInt));
        if !integers {
            return Err("expects (BIGINT, BIGINT[, BIGINT])".into());
        }
        Ok(TableSignature { params: vec![DataType::BigInt; arg_types.len()], output: vec![Field::new("value", DataType::BigInt).with_nullable(false)] })
    }

    fn eval(&self, args: &[Value], out: &mut Vec<Row>) -> Result<(), EvalError> {
        let int = |i: usize, default: Option<i64>| match args.get(i) {
            Some(Value::BigInt(v)) => Some(*v),
            None => default,
            _ => None,
        };
        let (Some(start), Some(end), Some(step)) = (int(0, None), int(1, None), int(2, Some(1))) else { return Ok(()) };
        if step == 0 {
            return Err(EvalError::new("GENERATE_SERIES step must not be zero"));
        }
        let count = (i128::from(end) - i128::from(start)) / i128::from(step) + 1;
        if count <= 0 {
            return Ok(());
        }
        if count > Self::MAX_ROWS {
            return Err(EvalError::new(format!("GENERATE_SERIES({start}, {end}, {step}) would produce {count} rows; the limit is {}", Self::MAX_ROWS)));
        }
        out.reserve(count as usize);
        let mut v = i128::from(start);
        for _ in 0..count {
            out.push(Row::new(vec![Value::BigInt(v as i64)]));
            v += i128::from(step);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(v: Value) -> BoundExpr {
        let t = v.data_type();
        BoundExpr::literal(v, t)
    }

    fn run(name: &str, args: Vec<Value>) -> Result<Vec<String>, String> {
        let f = bind_table_function(name, args.into_iter().map(lit).collect()).map_err(|e| e.message)?;
        let mut out = Vec::new();
        f.compile().eval(&Row::empty(), &mut out).map_err(|e| e.message)?;
        Ok(out.iter().map(|r| r.to_string()).collect())
    }

    #[test]
    fn split_and_series() {
        assert_eq!(run("split", vec![Value::string("a b  c"), Value::string(" ")]), Ok(vec!["a".into(), "b".into(), "".into(), "c".into()]));
        assert_eq!(run("SPLIT", vec![Value::string("hé"), Value::string("")]), Ok(vec!["h".into(), "é".into()]));
        assert_eq!(run("SPLIT", vec![Value::Null, Value::string(",")]), Ok(vec![]));
        assert_eq!(run("GENERATE_SERIES", vec![Value::Int(1), Value::Int(3)]), Ok(vec!["1".into(), "2".into(), "3".into()]));
        assert_eq!(run("GENERATE_SERIES", vec![Value::Int(5), Value::Int(1), Value::Int(-2)]), Ok(vec!["5".into(), "3".into(), "1".into()]));
        assert_eq!(run("GENERATE_SERIES", vec![Value::Int(5), Value::Int(1)]), Ok(vec![]));
        assert!(run("GENERATE_SERIES", vec![Value::Int(1), Value::Int(2), Value::Int(0)]).unwrap_err().contains("zero"));
        assert!(run("GENERATE_SERIES", vec![Value::BigInt(0), Value::BigInt(i64::MAX)]).unwrap_err().contains("limit"));
        assert_eq!(run("SPLIT", vec![Value::Int(1), Value::string(",")]), Err("function SPLIT expects (STRING, STRING), got (INT, STRING)".into()));
        assert_eq!(run("SPLTI", vec![]), Err("unknown table function \"SPLTI\"; did you mean \"SPLIT\"?".into()));
        let f = bind_table_function("generate_series", vec![lit(Value::Int(1)), lit(Value::Int(2))]).unwrap();
        assert_eq!(f.output_fields(), vec![Field::new("value", DataType::BigInt).with_nullable(false)]);
    }
}
