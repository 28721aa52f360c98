//! Name resolution and type checking: [`Expr`] against an input [`Schema`] gives a
//! [`BoundExpr`], with errors that name the JSON path of the offending node.

use crate::types::{DataType, Schema};

use super::ast::{Case, Cast, ColumnRef, Expr};
use super::bound::BoundExpr;
use super::error::ExprError;
use super::functions::{self, cast, conditional};
use super::literal;
use super::zone::SessionZone;

/// Settings that change how expressions are typed and evaluated.
#[derive(Clone, Debug, Default)]
pub struct BindContext {
    /// `table.local-time-zone` (default `UTC`): the zone TIMESTAMP_LTZ values are read and
    /// rendered in. UTC and fixed offsets (`+08:00`) are supported; named zones are not yet.
    pub time_zone: Option<String>,
    /// User functions (Python UDFs), consulted after the built-in functions.
    pub functions: crate::udf::UserFunctions,
    /// Whether `CURRENT_WATERMARK` may be called here, and over which column: set for the
    /// expressions of a Calc (projection, filter), unavailable elsewhere.
    pub watermark: super::WatermarkScope,
}

impl BindContext {
    /// The session zone, parsed; an error for zones we cannot interpret.
    pub(crate) fn zone(&self) -> Result<SessionZone, String> {
        match &self.time_zone {
            None => Ok(SessionZone::utc()),
            Some(text) => SessionZone::parse(text),
        }
    }
}

/// Resolves names and checks types of `expr` against `input`. Binding happens once per plan
/// node; the result is compiled with [`BoundExpr::compile`].
pub fn bind(expr: &Expr, input: &Schema, ctx: &BindContext) -> Result<BoundExpr, ExprError> {
    Binder { input, ctx }.bind(expr)
}

struct Binder<'a> {
    input: &'a Schema,
    ctx: &'a BindContext,
}

impl Binder<'_> {
    fn bind(&self, expr: &Expr) -> Result<BoundExpr, ExprError> {
        match expr {
            Expr::Column(c) => self.column(c).map_err(|e| e.under("column")),
            Expr::Literal(l) => literal::bind_literal(l, self.ctx).map_err(|e| e.under("literal")),
            Expr::Call(call) => {
                let args =
                    call.args.iter().enumerate().map(|(i, a)| self.bind(a).map_err(|e| e.under(&format!("call.args[{i}]")))).collect::<Result<Vec<_>, _>>()?;
                functions::bind_call(&call.function, args, self.ctx).map_err(|e| e.under("call"))
            }
            Expr::Cast(c) => self.cast(c).map_err(|e| e.under("cast")),
            Expr::Case(c) => self.case(c).map_err(|e| e.under("case")),
        }
    }

    fn column(&self, c: &ColumnRef) -> Result<BoundExpr, ExprError> {
        let index = match c {
            ColumnRef::Index(i) if *i < self.input.len() => *i,
            ColumnRef::Index(i) => {
                return Err(ExprError::new("", format!("no column at position {i} (the input has {} columns)", self.input.len())));
            }
            ColumnRef::Name(name) => match self.input.index_of(name) {
                Some(i) => i,
                None => {
                    let hint = match self.input.closest_name(name) {
                        Some(close) => format!("; did you mean \"{close}\"?"),
                        None => String::new(),
                    };
                    return Err(ExprError::new("", format!("no column \"{name}\"{hint}")));
                }
            },
        };
        let field = &self.input.fields[index];
        Ok(BoundExpr::column(index, field.data_type, field.nullable))
    }

    fn cast(&self, c: &Cast) -> Result<BoundExpr, ExprError> {
        let inner = self.bind(&c.expr).map_err(|e| e.under("expr"))?;
        let zone = if involves_ltz(inner.data_type(), c.data_type) { self.ctx.zone().map_err(|m| ExprError::new("", m))? } else { SessionZone::utc() };
        cast::bind_cast(inner, c.data_type, c.try_cast, &zone)
    }

    fn case(&self, c: &Case) -> Result<BoundExpr, ExprError> {
        let operand = match &c.operand {
            Some(o) => Some(self.bind(o).map_err(|e| e.under("operand"))?),
            None => None,
        };
        let mut branches = Vec::with_capacity(c.when.len());
        for (i, wt) in c.when.iter().enumerate() {
            let when = self.bind(&wt.when).map_err(|e| e.under(&format!("when[{i}].when")))?;
            let then = self.bind(&wt.then).map_err(|e| e.under(&format!("when[{i}].then")))?;
            branches.push((when, then));
        }
        let else_result = match &c.else_result {
            Some(e) => Some(self.bind(e).map_err(|err| err.under("else"))?),
            None => None,
        };
        conditional::bind_case(operand, branches, else_result, self.ctx)
    }
}

fn involves_ltz(a: DataType, b: DataType) -> bool {
    a == DataType::TimestampLtz || b == DataType::TimestampLtz
}
