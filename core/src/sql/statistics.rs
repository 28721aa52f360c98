//! Flink's statistical aggregates — `VAR_POP`, `VAR_SAMP` (alias `VARIANCE`), `STDDEV_POP`,
//! `STDDEV_SAMP` (alias `STDDEV`) — reduced as Flink reduces them (Calcite's
//! `AggregateReduceFunctionsRule`): `SUM(x * x)`, `SUM(x)` and `COUNT(x)` in the aggregate,
//! combined after it as `(SUM(x * x) - SUM(x) * SUM(x) / COUNT(x)) / COUNT(x)` (`COUNT(x) - 1`,
//! NULL for one row, for the sample forms), under `POWER(.., 0.5)` for the deviations. So they
//! retract as SUM and COUNT do, and the result has Flink's type: the argument's own type (an
//! INT argument computes in INT arithmetic and gives INT), DECIMAL(38, max(6, s)) for DECIMAL.

use sqlparser::ast::{self, DuplicateTreatment, FunctionArg, FunctionArgExpr, FunctionArguments};

use crate::expr::{BindContext, Case, Cast, Expr, WhenThen, bind};
use crate::plan::AggregateFunction;
use crate::types::{DataType, Field, Schema};

use super::error::SqlError;
use super::expr::{PendingAggregate, PendingFunction, Translator};

/// One of the statistical aggregates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Statistic {
    /// `VAR_POP`: population variance.
    VarPop,
    /// `VAR_SAMP` / `VARIANCE`: sample variance.
    VarSamp,
    /// `STDDEV_POP`: population standard deviation.
    StddevPop,
    /// `STDDEV_SAMP` / `STDDEV`: sample standard deviation.
    StddevSamp,
}

impl Statistic {
    /// The statistic a SQL function name (upper case) names.
    pub fn from_name(upper: &str) -> Option<Statistic> {
        Some(match upper {
            "VAR_POP" => Statistic::VarPop,
            "VAR_SAMP" | "VARIANCE" => Statistic::VarSamp,
            "STDDEV_POP" => Statistic::StddevPop,
            "STDDEV_SAMP" | "STDDEV" => Statistic::StddevSamp,
            _ => return None,
        })
    }

    /// Divides by the count (population) rather than the count less one (sample).
    pub(super) fn biased(self) -> bool {
        matches!(self, Statistic::VarPop | Statistic::StddevPop)
    }

    /// A standard deviation (the square root of the variance).
    pub(super) fn sqrt(self) -> bool {
        matches!(self, Statistic::StddevPop | Statistic::StddevSamp)
    }
}

/// The result type of a statistic over `arg` (Flink's `deriveAvgAggType`).
pub fn statistic_type(upper: &str, arg: DataType) -> Result<DataType, SqlError> {
    match arg {
        DataType::Decimal { scale, .. } => Ok(DataType::Decimal { precision: 38, scale: scale.max(6) }),
        DataType::Int | DataType::BigInt | DataType::Float | DataType::Double => Ok(arg),
        DataType::Null => Ok(DataType::Double),
        other => Err(SqlError::invalid(format!("{upper} needs a numeric argument, found {other}"))),
    }
}

impl Translator<'_> {
    /// Translates a statistical aggregate call into aggregate placeholders combined as Flink
    /// combines them.
    pub(super) fn statistic(&mut self, statistic: Statistic, upper: &str, f: &ast::Function) -> Result<Expr, SqlError> {
        let (distinct, arg) = match &f.args {
            FunctionArguments::List(list) if list.clauses.is_empty() => match list.args.as_slice() {
                [FunctionArg::Unnamed(FunctionArgExpr::Expr(e))] => (matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct)), e),
                _ => return Err(SqlError::invalid(format!("{upper} takes exactly one argument"))),
            },
            FunctionArguments::List(_) => return Err(SqlError::unsupported(format!("ORDER BY inside {upper}(..)"))),
            _ => return Err(SqlError::invalid(format!("{upper} takes exactly one argument"))),
        };
        let (arg, filter) = self.over_input(|t| Ok((t.expr(arg)?, f.filter.as_deref().map(|x| t.expr(x)).transpose()?)), upper)?;
        let arg_type = self.type_of(&arg)?;
        let result = statistic_type(upper, arg_type)?;
        let cast = |e: Expr| Expr::Cast(Cast { expr: Box::new(e), data_type: result, try_cast: false });
        let x = if arg_type == result { arg } else { cast(arg) };
        let call = |function: AggregateFunction, arg: Expr, this: &mut Self| {
            this.collect(PendingAggregate { function: PendingFunction::Builtin(function), args: vec![arg], distinct, filter: filter.clone() })
        };
        let sum_of_squares = call(AggregateFunction::Sum, Expr::call("*", vec![x.clone(), x.clone()]), self)?;
        let sum = call(AggregateFunction::Sum, x.clone(), self)?;
        let count = call(AggregateFunction::Count, x, self)?;
        let squared_sum_by_count = Expr::call("/", vec![Expr::call("*", vec![sum.clone(), sum]), count.clone()]);
        let difference = Expr::call("-", vec![sum_of_squares, squared_sum_by_count]);
        let denominator = if statistic.biased() {
            count
        } else {
            Expr::Case(Case {
                operand: None,
                when: vec![WhenThen { when: Expr::call("<>", vec![count.clone(), Expr::lit(1)]), then: Expr::call("-", vec![count, Expr::lit(1)]) }],
                else_result: None,
            })
        };
        let variance = Expr::call("/", vec![difference, denominator]);
        let value = if statistic.sqrt() { Expr::call("POWER", vec![variance, Expr::lit(0.5)]) } else { variance };
        Ok(cast(value))
    }

    /// The type of `e`, an expression over this translator's scope.
    pub(super) fn type_of(&self, e: &Expr) -> Result<DataType, SqlError> {
        let schema = Schema::new(self.scope().columns.iter().map(|c| Field::new(c.field.clone(), c.data_type)).collect());
        let ctx = BindContext { time_zone: None, functions: self.user_functions().cloned().unwrap_or_default(), ..BindContext::default() };
        bind(e, &schema, &ctx).map(|b| b.data_type()).map_err(|err| SqlError::invalid(err.message))
    }
}
