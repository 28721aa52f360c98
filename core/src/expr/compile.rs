//! Compiled expressions: closures built once per operator, called per row. Constant
//! subexpressions are evaluated once here and become literals.

use std::sync::Arc;

use crate::types::{Row, Value};

use super::bound::{BoundCall, BoundExpr, EvalResult, Kernel, Kind};
use super::error::EvalError;
use super::native;
use super::watermark::{RowClock, no_clock};

type EvalFn = dyn Fn(&Row) -> EvalResult + Send + Sync;

/// A ready-to-run expression. Cloning shares the compiled code; it is `Send + Sync`, so one
/// compiled expression can serve every worker.
#[derive(Clone)]
pub struct CompiledExpr(Arc<EvalFn>);

impl std::fmt::Debug for CompiledExpr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CompiledExpr")
    }
}

impl CompiledExpr {
    /// Compiles a bound expression.
    pub fn new(expr: &BoundExpr) -> CompiledExpr {
        Compiler::new(None, true).node(expr).0
    }

    /// Compiles a bound expression with the generic kernels only, never over native scalars:
    /// the reference that the native compiler is tested and benchmarked against.
    pub fn generic(expr: &BoundExpr) -> CompiledExpr {
        Compiler::new(None, false).node(expr).0
    }

    /// Compiles a bound expression whose `CURRENT_WATERMARK` calls read `clock`.
    pub fn with_clock(expr: &BoundExpr, clock: &RowClock) -> CompiledExpr {
        Compiler::new(Some(clock), true).node(expr).0
    }

    /// Evaluates the expression on `row`.
    #[inline]
    pub fn eval(&self, row: &Row) -> EvalResult {
        (self.0)(row)
    }

    /// Evaluates a BOOLEAN expression as a filter predicate: only TRUE passes (NULL does not).
    #[inline]
    pub fn eval_predicate(&self, row: &Row) -> Result<bool, EvalError> {
        Ok(matches!(self.eval(row)?, Value::Boolean(true)))
    }

    pub(super) fn from_fn(f: impl Fn(&Row) -> EvalResult + Send + Sync + 'static) -> CompiledExpr {
        CompiledExpr(Arc::new(f))
    }

    fn constant(v: Value) -> CompiledExpr {
        CompiledExpr::from_fn(move |_| Ok(v.clone()))
    }
}

/// How expressions compile: the row clock `CURRENT_WATERMARK` reads, and whether calls that
/// have a native form compile to it ([`native`]).
#[derive(Clone, Copy)]
pub(super) struct Compiler<'c> {
    pub(super) clock: Option<&'c RowClock>,
    native: bool,
}

impl<'c> Compiler<'c> {
    /// A compiler reading `clock`, with or without native code.
    pub(super) fn new(clock: Option<&'c RowClock>, native: bool) -> Compiler<'c> {
        Compiler { clock, native }
    }

    /// Compiles `expr`, returning its value too when it is constant. Runs on dataflow worker
    /// threads, whose stacks are small: the recursion grows the stack when it runs low (the
    /// depth itself is bounded by `table.exec.sql.max-expression-depth` at validation).
    fn node(self, expr: &BoundExpr) -> (CompiledExpr, Option<Value>) {
        stacker::maybe_grow(64 << 10, 1 << 20, || self.kind(expr))
    }

    fn kind(self, expr: &BoundExpr) -> (CompiledExpr, Option<Value>) {
        match &expr.kind {
            Kind::Column(i) => {
                let i = *i;
                (CompiledExpr::from_fn(move |row| Ok(row.get(i).clone())), None)
            }
            Kind::Literal(v) => (CompiledExpr::constant(v.clone()), Some(v.clone())),
            Kind::Call(call) => match self.native.then(|| native::compile(expr, self)).flatten() {
                Some(native) => (native, None),
                None => self.call(call),
            },
        }
    }

    /// Compiles `expr` with its generic kernel at the root (its arguments may still compile
    /// natively): how the native compiler evaluates an argument it has no native form for.
    pub(super) fn generic_root(self, expr: &BoundExpr) -> CompiledExpr {
        match &expr.kind {
            Kind::Call(call) => self.call(call).0,
            _ => self.node(expr).0,
        }
    }

    fn call(self, call: &BoundCall) -> (CompiledExpr, Option<Value>) {
        let compiled: Vec<(CompiledExpr, Option<Value>)> = call.args.iter().map(|a| self.node(a)).collect();
        let all_constant = compiled.iter().all(|(_, c)| c.is_some());
        let args: Vec<CompiledExpr> = compiled.into_iter().map(|(c, _)| c).collect();
        let code = build(&call.kernel, args, self.clock);
        if call.deterministic && all_constant {
            // A failing constant (e.g. 1/0) is left to fail on the first row, as Flink does.
            if let Ok(v) = code.eval(&Row::empty()) {
                return (CompiledExpr::constant(v.clone()), Some(v));
            }
        }
        (code, None)
    }
}

fn build(kernel: &Kernel, args: Vec<CompiledExpr>, clock: Option<&RowClock>) -> CompiledExpr {
    match kernel.clone() {
        Kernel::Watermark(data_type) => {
            let [rowtime] = fixed::<1>(args);
            match clock.cloned() {
                Some(clock) => CompiledExpr::from_fn(move |row| Ok(clock.watermark(&rowtime.eval(row)?, data_type))),
                None => CompiledExpr::from_fn(|_| Err(no_clock())),
            }
        }
        Kernel::Strict1(f) => {
            let [a] = fixed::<1>(args);
            CompiledExpr::from_fn(move |row| match a.eval(row)? {
                Value::Null => Ok(Value::Null),
                x => f(x),
            })
        }
        Kernel::Strict2(f) => {
            let [a, b] = fixed::<2>(args);
            CompiledExpr::from_fn(move |row| {
                let x = a.eval(row)?;
                if x.is_null() {
                    return Ok(Value::Null);
                }
                match b.eval(row)? {
                    Value::Null => Ok(Value::Null),
                    y => f(x, y),
                }
            })
        }
        Kernel::Strict3(f) => {
            let [a, b, c] = fixed::<3>(args);
            CompiledExpr::from_fn(move |row| {
                let x = a.eval(row)?;
                let y = b.eval(row)?;
                let z = c.eval(row)?;
                if x.is_null() || y.is_null() || z.is_null() {
                    return Ok(Value::Null);
                }
                f(x, y, z)
            })
        }
        Kernel::StrictN(f) => CompiledExpr::from_fn(move |row| {
            let mut values = Vec::with_capacity(args.len());
            for a in &args {
                match a.eval(row)? {
                    Value::Null => return Ok(Value::Null),
                    v => values.push(v),
                }
            }
            f(&values)
        }),
        Kernel::AllN(f) => CompiledExpr::from_fn(move |row| {
            let values = args.iter().map(|a| a.eval(row)).collect::<Result<Vec<_>, _>>()?;
            f(&values)
        }),
        Kernel::Lazy(f) => CompiledExpr::from_fn(move |row| f(&args, row)),
    }
}

/// The first `N` compiled arguments (binding guarantees the count; missing ones evaluate to
/// NULL rather than panicking).
fn fixed<const N: usize>(args: Vec<CompiledExpr>) -> [CompiledExpr; N] {
    let mut it = args.into_iter();
    std::array::from_fn(|_| it.next().unwrap_or_else(|| CompiledExpr::constant(Value::Null)))
}
