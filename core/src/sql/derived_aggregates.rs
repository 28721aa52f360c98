//! Flink aggregates that Weir computes from the plan's own:
//!
//! * `SUM0(x)`: `SUM(x)`, 0 (of the argument's type) for a group without a non-NULL value —
//!   `COALESCE(SUM(x), 0)` after the aggregate, so it retracts as SUM does.
//! * `JSON_ARRAYAGG(x [{NULL|ABSENT} ON NULL])` (ABSENT by default): each row's value as JSON
//!   text (`JSON_ARRAY('NULL', x)`, so strings, numbers and nested JSON_OBJECT/JSON_ARRAY calls
//!   are written as JSON_ARRAY writes them) gathered by `ARRAY_AGG` (NULLs left out under
//!   ABSENT ON NULL by a FILTER), then joined into one array by the scalar `JSON_ARRAYAGG`.
//!   The elements keep arrival order and retract as ARRAY_AGG's do; no rows give `[]`.
//! * `JSON_OBJECTAGG([KEY] k VALUE v [{NULL|ABSENT} ON NULL])` (NULL by default): each row's
//!   `[k, v]` gathered the same way, then one object (keys sorted, as JSON_OBJECT writes them;
//!   a NULL or repeated key is an error, as in Flink); no rows give `{}`.
//!
//! The JSON forms' clauses are read by [`super::json_syntax`] into a leading mode argument.

use sqlparser::ast::{self, FunctionArguments};

use crate::expr::{Cast, Expr};
use crate::plan::AggregateFunction;
use crate::types::DataType;

use super::error::SqlError;
use super::expr::{PendingAggregate, PendingFunction, Translator, and_all};
use super::list_aggregates::expression_args;

/// One of the aggregates derived from others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DerivedAggregate {
    /// `SUM0`.
    Sum0,
    /// `JSON_ARRAYAGG`.
    JsonArrayAgg,
    /// `JSON_OBJECTAGG`.
    JsonObjectAgg,
}

impl DerivedAggregate {
    /// The derived aggregate a SQL function name (upper case) names.
    pub fn from_name(upper: &str) -> Option<DerivedAggregate> {
        match upper {
            "SUM0" => Some(DerivedAggregate::Sum0),
            "JSON_ARRAYAGG" => Some(DerivedAggregate::JsonArrayAgg),
            "JSON_OBJECTAGG" => Some(DerivedAggregate::JsonObjectAgg),
            _ => None,
        }
    }
}

/// The plain expression arguments of `f`, and whether it says DISTINCT.
fn arguments<'f>(upper: &str, f: &'f ast::Function) -> Result<(bool, Vec<&'f ast::Expr>), SqlError> {
    if f.null_treatment.is_some() {
        return Err(SqlError::unsupported(format!("IGNORE/RESPECT NULLS on {upper}")));
    }
    let FunctionArguments::List(list) = &f.args else { return Err(SqlError::invalid(format!("{upper} takes an argument"))) };
    if !list.clauses.is_empty() {
        return Err(SqlError::unsupported(format!("ORDER BY inside {upper}(..)")));
    }
    let args = expression_args(upper, &list.args)?;
    Ok((matches!(list.duplicate_treatment, Some(ast::DuplicateTreatment::Distinct)), args))
}

/// The `NULL`/`ABSENT` mode that the JSON syntax put first.
fn on_null_mode(e: &ast::Expr) -> Option<&str> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s) if s == "NULL" || s == "ABSENT" => Some(s.as_str()),
            _ => None,
        },
        _ => None,
    }
}

impl Translator<'_> {
    /// Translates a derived aggregate into the aggregates it is computed from and what
    /// combines them after the aggregate.
    pub(super) fn derived_aggregate(&mut self, which: DerivedAggregate, upper: &str, f: &ast::Function) -> Result<Expr, SqlError> {
        let (distinct, args) = arguments(upper, f)?;
        match which {
            DerivedAggregate::Sum0 => {
                let [x] = args.as_slice() else { return Err(SqlError::invalid("SUM0 takes exactly one argument")) };
                let (arg, filter) = self.over_input(|t| Ok((t.expr(x)?, f.filter.as_deref().map(|e| t.expr(e)).transpose()?)), upper)?;
                let zero_type = match self.type_of(&arg)? {
                    DataType::Null => DataType::Int,
                    t if t.is_numeric() => t,
                    other => return Err(SqlError::invalid(format!("SUM0 needs a numeric argument, found {other}"))),
                };
                let sum = self.collect(PendingAggregate { function: PendingFunction::Builtin(AggregateFunction::Sum), args: vec![arg], distinct, filter })?;
                let zero = Expr::Cast(Cast { expr: Box::new(Expr::lit(0)), data_type: zero_type, try_cast: false });
                Ok(Expr::call("COALESCE", vec![sum, zero]))
            }
            DerivedAggregate::JsonArrayAgg | DerivedAggregate::JsonObjectAgg => {
                let object = which == DerivedAggregate::JsonObjectAgg;
                let (mode, values) = match args.split_first() {
                    Some((mode, values)) if on_null_mode(mode).is_some() && values.len() == 1 + usize::from(object) => (on_null_mode(mode), values),
                    _ if object => return Err(SqlError::invalid("JSON_OBJECTAGG takes one key and one value: JSON_OBJECTAGG(KEY k VALUE v)")),
                    _ => return Err(SqlError::invalid("JSON_ARRAYAGG takes exactly one value")),
                };
                let (values, filter) = self.over_input(
                    |t| {
                        let values = values.iter().map(|v| t.expr(v)).collect::<Result<Vec<_>, _>>()?;
                        Ok((values, f.filter.as_deref().map(|e| t.expr(e)).transpose()?))
                    },
                    upper,
                )?;
                if object {
                    let key_type = self.type_of(&values[0])?;
                    if !matches!(key_type, DataType::String | DataType::Null) {
                        return Err(SqlError::invalid(format!("JSON_OBJECTAGG keys are STRING, found {key_type} (CAST it to STRING)")));
                    }
                }
                let value = values.last().cloned().unwrap_or(Expr::lit(serde_json::Value::Null));
                let filter =
                    if mode == Some("ABSENT") { and_all(filter.into_iter().chain([Expr::call("IS NOT NULL", vec![value])]).collect()) } else { filter };
                let mut fragment = vec![Expr::lit("NULL")];
                fragment.extend(values);
                let row_json = Expr::call("JSON_ARRAY", fragment);
                let list = self.collect(PendingAggregate {
                    function: PendingFunction::Builtin(AggregateFunction::ArrayAgg),
                    args: vec![row_json],
                    distinct: false,
                    filter,
                })?;
                Ok(Expr::call(upper, vec![list]))
            }
        }
    }
}
