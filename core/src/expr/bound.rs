//! The typed expression tree: what [`crate::expr::bind`] produces and
//! [`crate::expr::CompiledExpr`] runs.

use std::fmt;
use std::sync::Arc;

use crate::types::{DataType, Row, Schema, Value};

use super::compile::CompiledExpr;
use super::error::EvalError;
use super::error::ExprError;
use super::functions::cast;
use super::native::NativeOp;
use super::types::common_type;
use super::zone::SessionZone;

/// What evaluating one node yields.
pub(crate) type EvalResult = Result<Value, EvalError>;
/// A function of one non-NULL value.
pub(crate) type Fn1 = Arc<dyn Fn(Value) -> EvalResult + Send + Sync>;
/// A function of two non-NULL values.
pub(crate) type Fn2 = Arc<dyn Fn(Value, Value) -> EvalResult + Send + Sync>;
/// A function of three non-NULL values.
pub(crate) type Fn3 = Arc<dyn Fn(Value, Value, Value) -> EvalResult + Send + Sync>;
/// A function of all argument values (NULLs included, or all non-NULL when strict).
pub(crate) type FnN = Arc<dyn Fn(&[Value]) -> EvalResult + Send + Sync>;
/// A function that evaluates its arguments itself (AND, OR, CASE, COALESCE: lazily).
pub(crate) type FnLazy = Arc<dyn Fn(&[CompiledExpr], &Row) -> EvalResult + Send + Sync>;

/// How a call computes its value from its arguments, chosen once at bind time for the
/// argument types (no type dispatch per row).
#[derive(Clone)]
pub(crate) enum Kernel {
    /// NULL-strict: a NULL argument makes the result NULL without calling the function.
    Strict1(Fn1),
    /// NULL-strict, two arguments.
    Strict2(Fn2),
    /// NULL-strict, three arguments.
    Strict3(Fn3),
    /// NULL-strict, any number of arguments.
    StrictN(FnN),
    /// Sees every argument value, NULLs included.
    AllN(FnN),
    /// Evaluates its arguments itself.
    Lazy(FnLazy),
    /// `CURRENT_WATERMARK` of its one argument, the rowtime attribute, as a value of this type:
    /// read from the [`super::RowClock`] the Calc compiles it with.
    Watermark(DataType),
}

/// A function or operator applied to bound arguments.
#[derive(Clone)]
pub(crate) struct BoundCall {
    /// Display name (`+`, `UPPER`, `CAST`).
    pub(crate) name: Arc<str>,
    /// Arguments, already converted to the types the kernel expects.
    pub(crate) args: Vec<BoundExpr>,
    /// The computation.
    pub(crate) kernel: Kernel,
    /// False for functions whose value changes between calls (`NOW()`, `UNIX_TIMESTAMP()`).
    pub(crate) deterministic: bool,
    /// The same computation for the native compiler, when it has one.
    pub(crate) native: Option<NativeOp>,
}

#[derive(Clone, Debug)]
pub(crate) enum Kind {
    Column(usize),
    Literal(Value),
    Call(Box<BoundCall>),
}

/// A typed expression over a known input schema: names resolved, types checked, implicit
/// conversions inserted. Build it with [`crate::expr::bind`]; run it with [`BoundExpr::compile`].
#[derive(Clone, Debug)]
pub struct BoundExpr {
    pub(crate) kind: Kind,
    data_type: DataType,
    nullable: bool,
}

impl fmt::Debug for BoundCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call").field("name", &self.name).field("args", &self.args).finish()
    }
}

impl BoundExpr {
    /// Input column `index` of type `data_type`.
    pub fn column(index: usize, data_type: DataType, nullable: bool) -> BoundExpr {
        BoundExpr { kind: Kind::Column(index), data_type, nullable }
    }

    /// A constant of type `data_type` (the value must be of that type, or NULL).
    pub fn literal(value: Value, data_type: DataType) -> BoundExpr {
        let nullable = value.is_null();
        BoundExpr { kind: Kind::Literal(value), data_type, nullable }
    }

    /// A deterministic call.
    pub(crate) fn call(name: &str, args: Vec<BoundExpr>, kernel: Kernel, data_type: DataType, nullable: bool) -> BoundExpr {
        let call = BoundCall { name: Arc::from(name), args, kernel, deterministic: true, native: None };
        BoundExpr { kind: Kind::Call(Box::new(call)), data_type, nullable }
    }

    /// The same call, compiled natively as `op` where its arguments allow.
    pub(crate) fn with_native(mut self, op: NativeOp) -> BoundExpr {
        if let Kind::Call(call) = &mut self.kind {
            call.native = Some(op);
        }
        self
    }

    /// The same call marked as changing between evaluations (never folded).
    pub(crate) fn non_deterministic(mut self) -> BoundExpr {
        if let Kind::Call(call) = &mut self.kind {
            call.deterministic = false;
        }
        self
    }

    /// The result type.
    pub fn data_type(&self) -> DataType {
        self.data_type
    }

    /// Whether the result may be NULL.
    pub fn nullable(&self) -> bool {
        self.nullable
    }

    /// The input column, when the expression is just a column reference.
    pub fn as_column(&self) -> Option<usize> {
        match &self.kind {
            Kind::Column(i) => Some(*i),
            _ => None,
        }
    }

    /// The value, when the expression is a literal.
    pub fn as_literal(&self) -> Option<&Value> {
        match &self.kind {
            Kind::Literal(v) => Some(v),
            _ => None,
        }
    }

    /// The function or operator name, when the expression is a call (`+`, `UPPER`, `CAST`).
    pub fn function_name(&self) -> Option<&str> {
        match &self.kind {
            Kind::Call(c) => Some(&c.name),
            _ => None,
        }
    }

    /// The input columns the expression reads, ascending, without repeats.
    pub fn referenced_columns(&self) -> Vec<usize> {
        let mut out = Vec::new();
        self.collect_columns(&mut out);
        out.sort_unstable();
        out.dedup();
        out
    }

    fn collect_columns(&self, out: &mut Vec<usize>) {
        match &self.kind {
            Kind::Column(i) => out.push(*i),
            Kind::Literal(_) => {}
            Kind::Call(c) => c.args.iter().for_each(|a| a.collect_columns(out)),
        }
    }

    /// True when the expression calls `CURRENT_WATERMARK`: its operator must compile it with
    /// [`BoundExpr::compile_with_clock`] and tell the clock each row's time.
    pub fn reads_watermark(&self) -> bool {
        match &self.kind {
            Kind::Column(_) | Kind::Literal(_) => false,
            Kind::Call(c) => matches!(c.kernel, Kernel::Watermark(_)) || c.args.iter().any(BoundExpr::reads_watermark),
        }
    }

    /// True when the value does not depend on the row nor on the moment of evaluation
    /// (no columns, no `NOW()`); such expressions are folded when compiled.
    pub fn is_constant(&self) -> bool {
        match &self.kind {
            Kind::Column(_) => false,
            Kind::Literal(_) => true,
            Kind::Call(c) => c.deterministic && c.args.iter().all(BoundExpr::is_constant),
        }
    }

    /// Compiles the expression for evaluation (constant subexpressions are folded).
    pub fn compile(&self) -> CompiledExpr {
        CompiledExpr::new(self)
    }

    /// Compiles the expression so that `CURRENT_WATERMARK` reads `clock`, which the operator
    /// sets before evaluating each row (see [`super::RowClock`]).
    pub fn compile_with_clock(&self, clock: &super::RowClock) -> CompiledExpr {
        CompiledExpr::with_clock(self, clock)
    }

    /// This expression converted to `target` as `CAST` does (widening or narrowing; a value
    /// that does not convert fails at evaluation). TIMESTAMP_LTZ conversions use UTC; use
    /// [`BoundExpr::cast_to_in`] for a session zone. Errors when the types cannot convert at
    /// all (`cannot cast DATE to INT`).
    pub fn cast_to(self, target: DataType) -> Result<BoundExpr, ExprError> {
        self.cast_to_in(target, &SessionZone::utc())
    }

    /// [`BoundExpr::cast_to`] with TIMESTAMP_LTZ conversions in the zone `zone`.
    pub(crate) fn cast_to_in(self, target: DataType, zone: &SessionZone) -> Result<BoundExpr, ExprError> {
        cast::bind_cast(self, target, false, zone)
    }

    /// This expression converted implicitly to `target`: only when `target` is the common
    /// type of both (INT to BIGINT, INT to DECIMAL, numbers to DOUBLE, NULL to anything,
    /// TIMESTAMP to TIMESTAMP_LTZ, ...). Errors otherwise (`cannot convert STRING to INT
    /// implicitly`).
    pub fn coerce_to(self, target: DataType) -> Result<BoundExpr, ExprError> {
        let from = self.data_type;
        if from == target {
            return Ok(self);
        }
        let widening = match (from, target) {
            (DataType::Decimal { .. }, DataType::Decimal { .. }) => true,
            _ => common_type(from, target) == Some(target),
        };
        if !widening {
            return Err(ExprError::new("", format!("cannot convert {from} to {target} implicitly")));
        }
        self.cast_to(target)
    }
}

impl fmt::Display for BoundExpr {
    /// A compact text form for plan explanations: `$2`, `5`, `UPPER($1)`, `+($0, 1)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Named { expr: self, schema: None }.fmt(f)
    }
}

impl BoundExpr {
    /// The compact text form with columns named by `schema` (the input's), as Flink's
    /// `EXPLAIN` prints expressions: `UPPER(channel)`, `+(price, 1)`; a column `schema` does not
    /// have prints as `$i`.
    pub fn named<'a>(&'a self, schema: &'a Schema) -> impl fmt::Display + 'a {
        Named { expr: self, schema: Some(schema) }
    }
}

/// An expression as text, its columns named by `schema` where given.
struct Named<'a> {
    expr: &'a BoundExpr,
    schema: Option<&'a Schema>,
}

impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.expr.kind {
            Kind::Column(i) => match self.schema.and_then(|s| s.fields.get(*i)) {
                Some(field) => f.write_str(&field.name),
                None => write!(f, "${i}"),
            },
            Kind::Literal(Value::String(s)) => write!(f, "'{}'", s.replace('\'', "''")),
            // Date-times with their seconds and times of day with their shortest fraction (as
            // the SQL text of the literal would have them), not Java's shortened row form.
            Kind::Literal(v) => match v.iso_temporal_text() {
                Some(text) => f.write_str(&text),
                None => write!(f, "{v}"),
            },
            // A TIMESTAMP literal written with fewer than 3 fraction digits: as written.
            Kind::Call(c) if c.name.as_ref() == "TIMESTAMP_PRECISION" && c.args.first().is_some_and(|a| a.as_literal().is_some()) => {
                write!(f, "{}", Named { expr: &c.args[0], schema: self.schema })
            }
            Kind::Call(c) => {
                write!(f, "{}(", c.name)?;
                for (i, a) in c.args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    Named { expr: a, schema: self.schema }.fmt(f)?;
                }
                if c.name.as_ref() == "CAST" || c.name.as_ref() == "TRY_CAST" {
                    write!(f, " AS {}", self.expr.data_type)?;
                }
                f.write_str(")")
            }
        }
    }
}

/// True when any of `args` may be NULL.
pub(crate) fn any_nullable(args: &[BoundExpr]) -> bool {
    args.iter().any(BoundExpr::nullable)
}
