//! The scalar function registry: every function and operator by name, with the binder that
//! checks its argument types and picks a kernel for them.
//!
//! Each module lists its functions in a `FUNCTIONS` table; names are matched
//! case-insensitively.

pub(crate) mod arithmetic;
pub(crate) mod array;
pub(crate) mod cast;
pub(crate) mod catalog;
pub(crate) mod collection;
pub(crate) mod comparison;
pub(crate) mod conditional;
pub(crate) mod convert_tz;
pub(crate) mod digest;
pub(crate) mod encoding;
pub(crate) mod inet;
pub(crate) mod json;
pub(crate) mod logic;
pub(crate) mod map;
pub(crate) mod math;
pub(crate) mod narrow;
pub(crate) mod overlaps;
pub(crate) mod printf;
pub(crate) mod random;
pub(crate) mod regexp;
pub(crate) mod string;
pub(crate) mod strings_more;
pub(crate) mod text;
pub(crate) mod time;
pub(crate) mod time_arith;
pub(crate) mod trig;
pub(crate) mod type_of;

use std::sync::Arc;

use crate::types::{DataType, Row, Value, edit_distance};
use crate::udf::ScalarFunction;

use super::bind::BindContext;
use super::bound::{BoundExpr, EvalResult, Kernel};
use super::error::EvalError;
use super::error::ExprError;
use super::types::common_type;
use super::zone::SessionZone;

/// One function: its names (first is canonical), its signature as shown in errors, and its
/// binder.
pub(crate) struct FunctionDef {
    pub(crate) names: &'static [&'static str],
    pub(crate) signature: &'static str,
    pub(crate) bind: fn(CallSite<'_>) -> Result<BoundExpr, ExprError>,
}

const ALL: &[&[FunctionDef]] = &[
    arithmetic::FUNCTIONS,
    comparison::FUNCTIONS,
    logic::FUNCTIONS,
    conditional::FUNCTIONS,
    string::FUNCTIONS,
    text::FUNCTIONS,
    digest::FUNCTIONS,
    regexp::FUNCTIONS,
    math::FUNCTIONS,
    trig::FUNCTIONS,
    time::FUNCTIONS,
    time_arith::FUNCTIONS,
    overlaps::FUNCTIONS,
    narrow::FUNCTIONS,
    json::FUNCTIONS,
    collection::FUNCTIONS,
    array::FUNCTIONS,
    map::FUNCTIONS,
    strings_more::FUNCTIONS,
    random::FUNCTIONS,
    encoding::FUNCTIONS,
    inet::FUNCTIONS,
    printf::FUNCTIONS,
    type_of::FUNCTIONS,
    catalog::FUNCTIONS,
    convert_tz::FUNCTIONS,
    super::watermark::FUNCTIONS,
];

/// Binds a call of `name` (any case) to already-bound arguments. Error paths are relative to
/// the call node (`function`, `args[1]`, or empty for the call as a whole).
pub(crate) fn bind_call(name: &str, args: Vec<BoundExpr>, ctx: &BindContext) -> Result<BoundExpr, ExprError> {
    let upper = name.trim().to_ascii_uppercase();
    let Some(def) = ALL.iter().flat_map(|defs| defs.iter()).find(|d| d.names.contains(&upper.as_str())) else {
        if let Some(user) = ctx.functions.scalar(&upper) {
            return bind_user_call(user, args);
        }
        return Err(ExprError::new("function", unknown_function(name, &upper)));
    };
    (def.bind)(CallSite { name: upper, signature: def.signature, args, ctx })
}

/// Binds a call of the user function `function` to bound arguments: checks their types
/// against its signature and converts them. Error paths are relative to the call.
fn bind_user_call(function: Arc<dyn ScalarFunction>, args: Vec<BoundExpr>) -> Result<BoundExpr, ExprError> {
    let name = function.name().to_string();
    let types: Vec<DataType> = args.iter().map(BoundExpr::data_type).collect();
    let signature = function.signature(&types).map_err(|m| {
        let shown: Vec<String> = types.iter().map(DataType::to_string).collect();
        ExprError::new("", format!("function {name} {m}, got ({})", shown.join(", ")))
    })?;
    if signature.params.len() != args.len() {
        return Err(ExprError::new("", format!("function {name} takes {} arguments, got {}", signature.params.len(), args.len())));
    }
    let args = coerce_args(args, &signature.params)?;
    let result = signature.result;
    let kernel = Kernel::AllN(Arc::new(move |values: &[Value]| function.eval(values)));
    let bound = BoundExpr::call(&name, args, kernel, result, true);
    Ok(if signature.deterministic { bound } else { bound.non_deterministic() })
}

/// `args` coerced to a user function's declared parameter types, in order; an argument that
/// cannot be coerced fails at `args[i]`.
pub(crate) fn coerce_args(args: Vec<BoundExpr>, params: &[DataType]) -> Result<Vec<BoundExpr>, ExprError> {
    args.into_iter()
        .zip(params)
        .enumerate()
        .map(|(i, (a, t))| if a.data_type() == *t { Ok(a) } else { a.coerce_to(*t).map_err(|e| e.under(&format!("args[{i}]"))) })
        .collect()
}

fn unknown_function(name: &str, upper: &str) -> String {
    let closest = ALL
        .iter()
        .flat_map(|defs| defs.iter())
        .flat_map(|d| d.names.iter())
        .map(|n| (edit_distance(n, upper), *n))
        .filter(|(d, n)| *d <= 2 && n.len() > 2)
        .min_by_key(|(d, _)| *d);
    match closest {
        Some((_, n)) => format!("unknown function \"{name}\"; did you mean \"{n}\"?"),
        None => format!("unknown function \"{name}\""),
    }
}

/// Every registered function name, for documentation and completion (without the planner's
/// internal `$` functions).
pub fn function_names() -> Vec<&'static str> {
    ALL.iter().flat_map(|defs| defs.iter()).flat_map(|d| d.names.iter().copied()).filter(|n| !n.starts_with('$')).collect()
}

/// A call being bound: the name as written (upper case), its bound arguments, the session.
pub(crate) struct CallSite<'a> {
    pub(crate) name: String,
    pub(crate) signature: &'static str,
    pub(crate) args: Vec<BoundExpr>,
    pub(crate) ctx: &'a BindContext,
}

/// The kind of argument a parameter accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Param {
    /// STRING.
    String,
    /// INT (NULL allowed).
    Int,
    /// INT or BIGINT, converted to BIGINT.
    BigInt,
    /// Any numeric type, unchanged.
    Numeric,
    /// Any numeric type, converted to DOUBLE.
    Double,
    /// BOOLEAN.
    Boolean,
    /// DATE, TIMESTAMP or TIMESTAMP_LTZ, unchanged.
    Temporal,
    /// Anything.
    Any,
}

impl Param {
    fn accepts(self, t: DataType) -> bool {
        t == DataType::Null
            || match self {
                Param::String => t == DataType::String,
                Param::Int => t == DataType::Int,
                Param::BigInt => t.is_integer(),
                Param::Numeric | Param::Double => t.is_numeric(),
                Param::Boolean => t == DataType::Boolean,
                Param::Temporal => t == DataType::Date || t.is_timestamp(),
                Param::Any => true,
            }
    }

    /// The type an argument is converted to, if any.
    fn target(self, t: DataType) -> Option<DataType> {
        match (self, t) {
            (Param::String, _) => Some(DataType::String),
            (Param::Int, _) => Some(DataType::Int),
            (Param::BigInt, _) => Some(DataType::BigInt),
            (Param::Double, _) => Some(DataType::Double),
            (Param::Boolean, _) => Some(DataType::Boolean),
            (Param::Numeric, DataType::Null) => Some(DataType::Int),
            _ => None,
        }
    }
}

impl CallSite<'_> {
    /// The argument types as shown in errors: `(INT, STRING)`.
    pub(crate) fn arg_types(&self) -> String {
        let types: Vec<String> = self.args.iter().map(|a| a.data_type().to_string()).collect();
        format!("({})", types.join(", "))
    }

    /// `function SUBSTRING expects (STRING, INT[, INT]), got (INT)`.
    pub(crate) fn mismatch(&self) -> ExprError {
        ExprError::new("", format!("function {} expects {}, got {}", self.name, self.signature, self.arg_types()))
    }

    /// An error about argument `i`.
    pub(crate) fn arg_error(&self, i: usize, message: impl Into<String>) -> ExprError {
        ExprError::new(format!("args[{i}]"), message)
    }

    /// The session zone, or an error naming it.
    pub(crate) fn zone(&self) -> Result<SessionZone, ExprError> {
        self.ctx.zone().map_err(|m| ExprError::new("", m))
    }

    /// Checks the arguments against `params` (the first `required` are mandatory) and
    /// converts them to the parameter types.
    pub(crate) fn expect(self, params: &[Param], required: usize) -> Result<Vec<BoundExpr>, ExprError> {
        let n = self.args.len();
        if n < required || n > params.len() || self.args.iter().zip(params).any(|(a, p)| !p.accepts(a.data_type())) {
            return Err(self.mismatch());
        }
        self.args
            .into_iter()
            .zip(params)
            .map(|(a, p)| match p.target(a.data_type()) {
                Some(t) if t != a.data_type() => a.cast_to(t),
                _ => Ok(a),
            })
            .collect()
    }

    /// Checks the argument count only.
    pub(crate) fn expect_count(&self, min: usize, max: usize) -> Result<(), ExprError> {
        if self.args.len() < min || self.args.len() > max { Err(self.mismatch()) } else { Ok(()) }
    }
}

/// The common type of `args` (for comparisons, IN, CASE branches), `None` when they do not
/// unify. With `read_strings`, STRING literals are left out: they are read as the other side's
/// type by [`convert_all`] (`ts > '2023-11-14 00:00:00'`, `price = '5'`).
pub(crate) fn unified_type(args: &[BoundExpr], read_strings: bool) -> Option<DataType> {
    let is_string_literal = |a: &BoundExpr| read_strings && a.as_literal().is_some() && a.data_type() == DataType::String;
    let mut target = DataType::Null;
    for a in args.iter().filter(|a| !is_string_literal(a)) {
        target = common_type(target, a.data_type())?;
    }
    if target == DataType::Null && args.iter().any(is_string_literal) {
        target = DataType::String;
    }
    Some(target)
}

/// Converts every argument to `target`; STRING literals are read as `target` now, so that a
/// bad one is reported at bind time (path `args[i]`). With `for_comparison`, DECIMALs keep
/// their own precision and scale (they compare by value; widening could overflow).
pub(crate) fn convert_all(args: Vec<BoundExpr>, target: DataType, ctx: &BindContext, for_comparison: bool) -> Result<Vec<BoundExpr>, ExprError> {
    let mut out = Vec::with_capacity(args.len());
    for (i, a) in args.into_iter().enumerate() {
        let from = a.data_type();
        let both_decimal = matches!((from, target), (DataType::Decimal { .. }, DataType::Decimal { .. }));
        if from == target || (for_comparison && both_decimal) {
            out.push(a);
            continue;
        }
        let zone = if from == DataType::TimestampLtz || target == DataType::TimestampLtz {
            ctx.zone().map_err(|m| ExprError::new("", m))?
        } else {
            SessionZone::utc()
        };
        let string_literal = from == DataType::String && a.as_literal().is_some();
        let converted = a.cast_to_in(target, &zone).map_err(|e| e.under(&format!("args[{i}]")))?;
        if !converted.is_constant() {
            out.push(converted);
            continue;
        }
        // Fold converted constants, so that IN lists and LIKE patterns stay literals.
        match converted.compile().eval(&Row::empty()) {
            Ok(v) => out.push(BoundExpr::literal(v, target)),
            Err(e) if string_literal => return Err(ExprError::new(format!("args[{i}]"), e.message)),
            Err(_) => out.push(converted),
        }
    }
    Ok(out)
}

/// An "impossible" value reached a kernel (binding guarantees types); reported, never a panic.
pub(crate) fn unexpected(v: &Value) -> EvalError {
    EvalError::new(format!("internal error: unexpected value {v:?}"))
}

/// A STRING value owning `s`.
pub(crate) fn string_value(s: String) -> Value {
    Value::String(Arc::from(s))
}

/// A strict kernel over one STRING argument.
pub(crate) fn str1(f: impl Fn(&str) -> EvalResult + Send + Sync + 'static) -> Kernel {
    Kernel::Strict1(Arc::new(move |v| match &v {
        Value::String(s) => f(s),
        other => Err(unexpected(other)),
    }))
}

/// A strict kernel over two STRING arguments.
pub(crate) fn str2(f: impl Fn(&str, &str) -> EvalResult + Send + Sync + 'static) -> Kernel {
    Kernel::Strict2(Arc::new(move |a, b| match (&a, &b) {
        (Value::String(x), Value::String(y)) => f(x, y),
        _ => Err(unexpected(if a.as_str().is_none() { &a } else { &b })),
    }))
}

/// A strict kernel over any one argument.
pub(crate) fn strict1(f: impl Fn(Value) -> EvalResult + Send + Sync + 'static) -> Kernel {
    Kernel::Strict1(Arc::new(f))
}

/// A strict kernel over any two arguments.
pub(crate) fn strict2(f: impl Fn(Value, Value) -> EvalResult + Send + Sync + 'static) -> Kernel {
    Kernel::Strict2(Arc::new(f))
}

/// The integer of an INT or BIGINT value.
pub(crate) fn int_of(v: &Value) -> Result<i64, EvalError> {
    match v {
        Value::Int(i) => Ok(i64::from(*i)),
        Value::BigInt(i) => Ok(*i),
        other => Err(unexpected(other)),
    }
}

/// A literal integer argument (for precision, rounding digits, ...), if it is one.
pub(crate) fn literal_int(e: &BoundExpr) -> Option<i64> {
    e.as_literal().and_then(Value::as_i64)
}

/// A literal string argument (units, modes, formats), if it is one.
pub(crate) fn literal_str(e: &BoundExpr) -> Option<&str> {
    e.as_literal().and_then(Value::as_str)
}
