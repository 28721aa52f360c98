//! Flink's list-building aggregates in SQL: `ARRAY_AGG([DISTINCT] x [RESPECT NULLS | IGNORE
//! NULLS])` and `LISTAGG([DISTINCT] x [, separator])`.
//!
//! Both become the plan's `ARRAY_AGG` aggregate (which keeps NULL elements, as Flink's default
//! `RESPECT NULLS` does). `IGNORE NULLS` is a FILTER: `ARRAY_AGG(x) FILTER (WHERE x IS NOT
//! NULL)` drops exactly the rows whose value is NULL. `LISTAGG(x, sep)` is Flink's
//! `ListAggWsWithRetractAggFunction`: the non-NULL values joined by `sep` (`,` by default) in
//! arrival order, NULL when there are none — `ARRAY_JOIN(ARRAY_AGG(x) IGNORE NULLS, sep)` after
//! the aggregate. Both retract as the plan's ARRAY_AGG does (a retraction removes the earliest
//! occurrence of its value).

use sqlparser::ast::{self, DuplicateTreatment, FunctionArg, FunctionArgExpr, FunctionArgumentClause, FunctionArguments, NullTreatment};

use crate::expr::Expr;
use crate::plan::AggregateFunction;
use crate::types::DataType;

use super::error::SqlError;
use super::expr::{PendingAggregate, PendingFunction, Translator, and_all};

/// One of the list-building aggregates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListAggregate {
    /// `ARRAY_AGG`.
    ArrayAgg,
    /// `LISTAGG`.
    ListAgg,
}

impl ListAggregate {
    /// The list aggregate a SQL function name (upper case) names.
    pub fn from_name(upper: &str) -> Option<ListAggregate> {
        match upper {
            "ARRAY_AGG" => Some(ListAggregate::ArrayAgg),
            "LISTAGG" => Some(ListAggregate::ListAgg),
            _ => None,
        }
    }
}

/// The parts of a list aggregate's call: DISTINCT, the arguments and whether NULLs are ignored.
struct Call<'f> {
    distinct: bool,
    args: Vec<&'f ast::Expr>,
    ignore_nulls: bool,
}

fn call_parts<'f>(upper: &str, f: &'f ast::Function) -> Result<Call<'f>, SqlError> {
    let FunctionArguments::List(list) = &f.args else {
        return Err(SqlError::invalid(format!("{upper} takes an argument")));
    };
    let mut ignore_nulls = matches!(f.null_treatment, Some(NullTreatment::IgnoreNulls));
    for clause in &list.clauses {
        match clause {
            FunctionArgumentClause::IgnoreOrRespectNulls(t) => ignore_nulls = matches!(t, NullTreatment::IgnoreNulls),
            FunctionArgumentClause::OrderBy(_) => return Err(SqlError::unsupported(format!("ORDER BY inside {upper}(..) (Flink has none either)"))),
            other => return Err(SqlError::unsupported(format!("{other} inside {upper}(..)"))),
        }
    }
    let args = expression_args(upper, &list.args)?;
    Ok(Call { distinct: matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct)), args, ignore_nulls })
}

/// The arguments of an aggregate call of `upper`, each a plain expression.
pub(super) fn expression_args<'f>(upper: &str, args: &'f [FunctionArg]) -> Result<Vec<&'f ast::Expr>, SqlError> {
    args.iter()
        .map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Ok(e),
            _ => Err(SqlError::invalid(format!("{upper} takes plain expressions as arguments"))),
        })
        .collect()
}

impl Translator<'_> {
    /// Translates `ARRAY_AGG(..)` or `LISTAGG(..)` into an ARRAY_AGG placeholder (under
    /// `ARRAY_JOIN` for LISTAGG).
    pub(super) fn list_aggregate(&mut self, which: ListAggregate, upper: &str, f: &ast::Function) -> Result<Expr, SqlError> {
        let call = call_parts(upper, f)?;
        let (value, separator) = match (which, call.args.as_slice()) {
            (ListAggregate::ArrayAgg, [x]) => (*x, None),
            (ListAggregate::ArrayAgg, _) => return Err(SqlError::invalid("ARRAY_AGG takes exactly one argument")),
            (ListAggregate::ListAgg, [x]) => (*x, Some(",".to_string())),
            (ListAggregate::ListAgg, [x, sep]) => (*x, Some(separator_literal(sep)?)),
            (ListAggregate::ListAgg, _) => return Err(SqlError::invalid("LISTAGG takes a value and an optional separator: LISTAGG(x [, ',' ])")),
        };
        if which == ListAggregate::ListAgg && f.null_treatment.is_some() {
            return Err(SqlError::invalid("LISTAGG takes no IGNORE/RESPECT NULLS (it always skips NULLs)"));
        }
        let (arg, filter) = self.over_input(|t| Ok((t.expr(value)?, f.filter.as_deref().map(|x| t.expr(x)).transpose()?)), upper)?;
        if which == ListAggregate::ListAgg {
            let arg_type = self.type_of(&arg)?;
            if !matches!(arg_type, DataType::String | DataType::Null) {
                return Err(SqlError::invalid(format!("LISTAGG needs a STRING value, found {arg_type} (CAST it to STRING)")));
            }
        }
        let ignore_nulls = call.ignore_nulls || which == ListAggregate::ListAgg;
        let filter = if ignore_nulls { and_all(filter.into_iter().chain([Expr::call("IS NOT NULL", vec![arg.clone()])]).collect()) } else { filter };
        let pending = PendingAggregate { function: PendingFunction::Builtin(AggregateFunction::ArrayAgg), args: vec![arg], distinct: call.distinct, filter };
        let list = self.collect(pending)?;
        Ok(match separator {
            Some(sep) => Expr::call("ARRAY_JOIN", vec![list, Expr::lit(sep)]),
            None => list,
        })
    }
}

/// LISTAGG's separator: Flink takes a string literal.
pub(super) fn separator_literal(e: &ast::Expr) -> Result<String, SqlError> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s) => Ok(s.clone()),
            _ => Err(SqlError::invalid(format!("LISTAGG's separator must be a string literal, found {v}"))),
        },
        other => Err(SqlError::invalid(format!("LISTAGG's separator must be a string literal, found {other}"))),
    }
}
