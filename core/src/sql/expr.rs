//! SQL expressions (`sqlparser`'s AST) to plan expressions ([`crate::expr::Expr`]): names are
//! resolved against the input [`Relation`], operators and functions become [`Expr::Call`]s named
//! as in the job spec, and aggregate calls are collected (when allowed) and replaced by
//! placeholders that [`super::aggregate`] rewrites to the aggregate's output column.

use sqlparser::ast::{self, BinaryOperator, CastKind, DuplicateTreatment, FunctionArg, FunctionArgExpr, FunctionArguments, UnaryOperator};

use crate::expr::{Case, Cast, Expr, WhenThen};
use crate::plan::AggregateFunction;
use crate::types::DataType;
use crate::udf::UserFunctions;

use super::derived_aggregates::DerivedAggregate;
use super::error::SqlError;
use super::list_aggregates::ListAggregate;
use super::literal;
use super::scope::Relation;
use super::script::position;
use super::statistics::Statistic;

/// The function of an aggregate call.
#[derive(Clone, Debug, PartialEq)]
pub enum PendingFunction {
    /// A built-in aggregate.
    Builtin(AggregateFunction),
    /// A user aggregate function, by its registered name.
    User(String),
}

/// An aggregate call found in an expression, before the aggregate node exists.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingAggregate {
    /// The function.
    pub function: PendingFunction,
    /// Its arguments over the aggregate's input.
    pub args: Vec<Expr>,
    /// `DISTINCT`.
    pub distinct: bool,
    /// `FILTER (WHERE ..)` over the aggregate's input.
    pub filter: Option<Expr>,
}

/// The function name marking an aggregate placeholder: `$agg(index)`.
pub const AGG_PLACEHOLDER: &str = "$agg";

/// Translates SQL expressions over one input relation.
pub struct Translator<'a> {
    scope: &'a Relation,
    aggregates: Option<&'a mut Vec<PendingAggregate>>,
    user_functions: Option<&'a UserFunctions>,
}

impl<'a> Translator<'a> {
    /// A translator where aggregate calls are an error.
    pub fn new(scope: &'a Relation) -> Translator<'a> {
        Translator { scope, aggregates: None, user_functions: None }
    }

    /// A translator that collects aggregate calls into `aggregates`.
    pub fn with_aggregates(scope: &'a Relation, aggregates: &'a mut Vec<PendingAggregate>) -> Translator<'a> {
        Translator { scope, aggregates: Some(aggregates), user_functions: None }
    }

    /// Calls of the aggregate functions in `functions` are aggregates too.
    pub fn with_user_aggregates(mut self, functions: &'a UserFunctions) -> Translator<'a> {
        self.user_functions = Some(functions);
        self
    }

    /// Translates one expression.
    pub fn expr(&mut self, e: &ast::Expr) -> Result<Expr, SqlError> {
        use ast::Expr as E;
        Ok(match e {
            E::Identifier(id) => Expr::col(&self.scope.resolve(std::slice::from_ref(id))?.field),
            E::CompoundIdentifier(parts) => Expr::col(&self.scope.resolve(parts)?.field),
            E::Nested(inner) => self.expr(inner)?,
            E::Value(v) => literal::value(&v.value).map_err(|err| err.or_at(Some(position(v.span.start))))?,
            E::TypedString(t) => literal::typed_string(t)?,
            E::Interval(i) => literal::interval(i)?,
            E::IsNull(x) => self.call("IS NULL", &[x])?,
            E::IsNotNull(x) => self.call("IS NOT NULL", &[x])?,
            E::IsTrue(x) => self.call("IS TRUE", &[x])?,
            E::IsNotTrue(x) => self.call("IS NOT TRUE", &[x])?,
            E::IsFalse(x) => self.call("IS FALSE", &[x])?,
            E::IsNotFalse(x) => self.call("IS NOT FALSE", &[x])?,
            E::IsDistinctFrom(a, b) => self.call("IS DISTINCT FROM", &[a, b])?,
            E::IsNotDistinctFrom(a, b) => self.call("IS NOT DISTINCT FROM", &[a, b])?,
            E::In { expr, target: ast::InTarget::List(list), negated, .. } => {
                let mut args = vec![self.expr(expr)?];
                for item in list {
                    args.push(self.expr(item)?);
                }
                Expr::call(if *negated { "NOT IN" } else { "IN" }, args)
            }
            E::Between { expr, negated, low, high } => self.call(if *negated { "NOT BETWEEN" } else { "BETWEEN" }, &[expr, low, high])?,
            E::Like { negated, any: false, expr, pattern, escape_char } => {
                self.like(if *negated { "NOT LIKE" } else { "LIKE" }, expr, pattern, escape_char.as_deref())?
            }
            E::ILike { negated, any: false, expr, pattern, escape_char } => {
                self.like(if *negated { "NOT ILIKE" } else { "ILIKE" }, expr, pattern, escape_char.as_deref())?
            }
            E::SimilarTo { negated, expr, pattern, escape_char } => {
                self.like(if *negated { "NOT SIMILAR TO" } else { "SIMILAR TO" }, expr, pattern, escape_char.as_deref())?
            }
            E::BinaryOp { left, op: BinaryOperator::Overlaps, right } => self.overlaps(left, right)?,
            E::BinaryOp { left, op, right } => self.call(binary_name(op)?, &[left, right])?,
            E::UnaryOp { op, expr } => self.unary(op, expr)?,
            E::Cast { kind, expr, data_type, format: None } => {
                let target = sql_type(data_type)?;
                let try_cast = matches!(kind, CastKind::TryCast | CastKind::SafeCast);
                let inner = self.expr(expr)?;
                match narrowing(data_type) {
                    Some(Narrowing::Integer(name)) => Expr::call(&format!("{}CAST_{name}", if try_cast { "TRY_" } else { "" }), vec![inner]),
                    Some(Narrowing::Precision(p)) => {
                        let cast = Expr::Cast(Cast { expr: Box::new(inner), data_type: target, try_cast });
                        Expr::call("TIMESTAMP_PRECISION", vec![cast, Expr::lit(p)])
                    }
                    None => Expr::Cast(Cast { expr: Box::new(inner), data_type: target, try_cast }),
                }
            }
            E::Extract { field, expr, .. } => Expr::call("EXTRACT", vec![Expr::lit(field.to_string().to_ascii_uppercase()), self.expr(expr)?]),
            E::Substring { expr, substring_from, substring_for, .. } => {
                let mut args = vec![self.expr(expr)?];
                if let Some(from) = substring_from {
                    args.push(self.expr(from)?);
                }
                if let Some(len) = substring_for {
                    args.push(self.expr(len)?);
                }
                Expr::call("SUBSTRING", args)
            }
            E::Position { expr, r#in } => self.call("POSITION", &[expr, r#in])?,
            E::Overlay { expr, overlay_what, overlay_from, overlay_for } => {
                let mut args = vec![self.expr(expr)?, self.expr(overlay_what)?, self.expr(overlay_from)?];
                if let Some(len) = overlay_for {
                    args.push(self.expr(len)?);
                }
                Expr::call("OVERLAY", args)
            }
            E::Trim { trim_where, trim_what, expr, trim_characters: None } => self.trim(trim_where, trim_what, expr)?,
            E::Ceil { expr, field: ast::CeilFloorKind::DateTimeField(ast::DateTimeField::NoDateTime) } => self.call("CEIL", &[expr])?,
            E::Floor { expr, field: ast::CeilFloorKind::DateTimeField(ast::DateTimeField::NoDateTime) } => self.call("FLOOR", &[expr])?,
            E::Ceil { expr, field: ast::CeilFloorKind::DateTimeField(f) } => {
                Expr::call("CEIL", vec![self.expr(expr)?, Expr::lit(f.to_string().to_ascii_uppercase())])
            }
            E::Floor { expr, field: ast::CeilFloorKind::DateTimeField(f) } => {
                Expr::call("FLOOR", vec![self.expr(expr)?, Expr::lit(f.to_string().to_ascii_uppercase())])
            }
            E::Case { operand, conditions, else_result, .. } => {
                let operand = operand.as_deref().map(|o| self.expr(o)).transpose()?.map(Box::new);
                let mut when = Vec::new();
                for c in conditions {
                    when.push(WhenThen { when: self.expr(&c.condition)?, then: self.expr(&c.result)? });
                }
                let else_result = else_result.as_deref().map(|x| self.expr(x)).transpose()?.map(Box::new);
                Expr::Case(Case { operand, when, else_result })
            }
            E::Function(f) => self.function(f)?,
            E::Exists { .. } | E::In { .. } | E::Subquery(_) => {
                return Err(SqlError::Unsupported {
                    feature: "a subquery in this position (subqueries are planned in WHERE and in the select list of a SELECT without GROUP BY)".into(),
                    at: super::subquery_ast::expr_position(e),
                });
            }
            E::Tuple(_) => return Err(SqlError::unsupported("row value (a, b)")),
            E::AtTimeZone { .. } => return Err(SqlError::unsupported("AT TIME ZONE")),
            E::Array(array) => {
                let mut args = Vec::with_capacity(array.elem.len());
                for item in &array.elem {
                    args.push(self.expr(item)?);
                }
                Expr::call("ARRAY", args)
            }
            E::CompoundFieldAccess { root, access_chain } => {
                let mut out = self.expr(root)?;
                for access in access_chain {
                    match access {
                        ast::AccessExpr::Subscript(ast::Subscript::Index { index }) => out = Expr::call("ITEM", vec![out, self.expr(index)?]),
                        other => return Err(SqlError::unsupported(format!("field access {other}"))),
                    }
                }
                out
            }
            E::Wildcard(_) | E::QualifiedWildcard(..) => return Err(SqlError::invalid("* is only allowed in SELECT and COUNT(*)")),
            other => return Err(SqlError::unsupported(format!("expression {other}"))),
        })
    }

    /// `(s0, e0) OVERLAPS (s1, e1)`: the call `OVERLAPS(s0, e0, s1, e1)` (each end a point or
    /// an interval; see `expr::functions::overlaps`).
    fn overlaps(&mut self, left: &ast::Expr, right: &ast::Expr) -> Result<Expr, SqlError> {
        let period = |e: &ast::Expr| match e {
            ast::Expr::Tuple(items) if items.len() == 2 => Some([items[0].clone(), items[1].clone()]),
            _ => None,
        };
        let (Some([s0, e0]), Some([s1, e1])) = (period(left), period(right)) else {
            return Err(SqlError::invalid(format!(
                "Cannot apply 'OVERLAPS' to {left} OVERLAPS {right}: each side is a period, (start, end) or (start, interval)"
            )));
        };
        self.call("OVERLAPS", &[&s0, &e0, &s1, &e1])
    }

    fn call(&mut self, name: &str, args: &[&ast::Expr]) -> Result<Expr, SqlError> {
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            out.push(self.expr(a)?);
        }
        Ok(Expr::call(name, out))
    }

    fn like(&mut self, name: &str, x: &ast::Expr, pattern: &ast::Expr, escape: Option<&ast::Expr>) -> Result<Expr, SqlError> {
        let mut args = vec![self.expr(x)?, self.expr(pattern)?];
        if let Some(e) = escape {
            args.push(self.expr(e)?);
        }
        Ok(Expr::call(name, args))
    }

    fn unary(&mut self, op: &UnaryOperator, x: &ast::Expr) -> Result<Expr, SqlError> {
        match op {
            UnaryOperator::Minus => match x {
                ast::Expr::Value(v) => match &v.value {
                    ast::Value::Number(n, _) => literal::number(&n.to_string(), true),
                    _ => self.call("NEGATE", &[x]),
                },
                _ => self.call("NEGATE", &[x]),
            },
            UnaryOperator::Plus => self.expr(x),
            UnaryOperator::Not => self.call("NOT", &[x]),
            other => Err(SqlError::unsupported(format!("operator {other}"))),
        }
    }

    fn trim(&mut self, place: &Option<ast::TrimWhereField>, what: &Option<Box<ast::Expr>>, x: &ast::Expr) -> Result<Expr, SqlError> {
        let name = match place {
            Some(ast::TrimWhereField::Leading) => "LTRIM",
            Some(ast::TrimWhereField::Trailing) => "RTRIM",
            Some(ast::TrimWhereField::Both) | None => "TRIM",
        };
        let mut args = vec![self.expr(x)?];
        if let Some(w) = what {
            args.push(self.expr(w)?);
        }
        Ok(Expr::call(name, args))
    }

    fn function(&mut self, f: &ast::Function) -> Result<Expr, SqlError> {
        let name = f.name.0.last().map(|p| p.to_string()).unwrap_or_default();
        let upper = name.trim_matches('`').to_ascii_uppercase();
        let at = f.name.0.last().and_then(|p| p.as_ident()).map(|i| position(i.span.start));
        if f.over.is_some() {
            let feature = format!("{upper}() OVER (...) here (OVER aggregates go in the select list of a SELECT without GROUP BY)");
            return Err(SqlError::Unsupported { feature, at });
        }
        if is_window_tvf(&upper) {
            return Err(SqlError::Unsupported { feature: window_tvf_message(&upper), at });
        }
        if !f.within_group.is_empty() {
            return Err(SqlError::Unsupported { feature: format!("WITHIN GROUP (ORDER BY ..) on {upper}"), at });
        }
        if let Some(function) = aggregate_function(&upper) {
            return self.aggregate(PendingFunction::Builtin(function), f).map_err(|e| e.or_at(at));
        }
        if let Some(list) = ListAggregate::from_name(&upper) {
            return self.list_aggregate(list, &upper, f).map_err(|e| e.or_at(at));
        }
        if let Some(derived) = DerivedAggregate::from_name(&upper) {
            return self.derived_aggregate(derived, &upper, f).map_err(|e| e.or_at(at));
        }
        if let Some(statistic) = Statistic::from_name(&upper) {
            return self.statistic(statistic, &upper, f).map_err(|e| e.or_at(at));
        }
        if self.user_functions.is_some_and(|u| u.aggregate(&upper).is_some()) {
            return self.aggregate(PendingFunction::User(upper), f).map_err(|e| e.or_at(at));
        }
        if UNSUPPORTED_AGGREGATES.contains(&upper.as_str()) {
            return Err(SqlError::Unsupported { feature: format!("aggregate function {upper}"), at });
        }
        if f.filter.is_some() {
            return Err(SqlError::Invalid { message: format!("FILTER (WHERE ..) is only allowed on aggregate functions, not {upper}"), at });
        }
        let args = match &f.args {
            FunctionArguments::None => Vec::new(),
            FunctionArguments::Subquery(_) => return Err(SqlError::Unsupported { feature: format!("subquery argument to {upper}"), at }),
            FunctionArguments::List(list) => {
                if list.duplicate_treatment.is_some() || !list.clauses.is_empty() {
                    return Err(SqlError::Unsupported { feature: format!("DISTINCT or ORDER BY inside {upper}(..)"), at });
                }
                if matches!(upper.as_str(), "TIMESTAMPADD" | "TIMESTAMPDIFF") {
                    self.time_unit_args(&upper, &list.args).map_err(|e| e.or_at(at.clone()))?
                } else {
                    self.plain_args(&upper, &list.args).map_err(|e| e.or_at(at.clone()))?
                }
            }
        };
        Ok(Expr::call(&upper, args))
    }

    fn plain_args(&mut self, name: &str, args: &[FunctionArg]) -> Result<Vec<Expr>, SqlError> {
        let mut out = Vec::new();
        for a in args {
            match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => out.push(self.expr(e)?),
                FunctionArg::Unnamed(_) => return Err(SqlError::invalid(format!("* is not an argument of {name}"))),
                _ => return Err(SqlError::unsupported(format!("named arguments to {name}"))),
            }
        }
        Ok(out)
    }

    /// The arguments of `TIMESTAMPADD(unit, ..)` / `TIMESTAMPDIFF(unit, ..)`: the unit is a
    /// keyword (`MONTH`), passed on as the string literal `'MONTH'`.
    fn time_unit_args(&mut self, name: &str, args: &[FunctionArg]) -> Result<Vec<Expr>, SqlError> {
        let Some((FunctionArg::Unnamed(FunctionArgExpr::Expr(ast::Expr::Identifier(unit))), rest)) = args.split_first() else {
            return Err(SqlError::invalid(format!("{name} takes a time unit first: {name}(DAY, ..)")));
        };
        let mut out = vec![Expr::lit(unit.value.to_ascii_uppercase())];
        out.extend(self.plain_args(name, rest)?);
        Ok(out)
    }

    fn aggregate(&mut self, function: PendingFunction, f: &ast::Function) -> Result<Expr, SqlError> {
        let name = match &function {
            PendingFunction::Builtin(b) => b.sql_name().to_string(),
            PendingFunction::User(u) => u.clone(),
        };
        let name = name.as_str();
        let count = function == PendingFunction::Builtin(AggregateFunction::Count);
        let user = matches!(function, PendingFunction::User(_));
        // FIRST_VALUE and LAST_VALUE skip NULLs, so IGNORE NULLS says what they do anyway.
        let skips_nulls = matches!(function, PendingFunction::Builtin(AggregateFunction::FirstValue | AggregateFunction::LastValue));
        if f.null_treatment.is_some_and(|t| !(skips_nulls && t == ast::NullTreatment::IgnoreNulls)) {
            return Err(SqlError::unsupported(format!("IGNORE/RESPECT NULLS on {name}")));
        }
        let (distinct, args) = match &f.args {
            FunctionArguments::List(list) => {
                if !list.clauses.is_empty() {
                    return Err(SqlError::unsupported(format!("ORDER BY or IGNORE/RESPECT NULLS inside {name}(..)")));
                }
                let distinct = matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct));
                (distinct, list.args.as_slice())
            }
            _ => (false, &[][..]),
        };
        // Arguments and FILTER are over the aggregate's input: translate them without
        // collecting, so a nested aggregate is an error.
        let pending = self.over_input(
            |t| {
                let args = match args {
                    [FunctionArg::Unnamed(FunctionArgExpr::Wildcard)] if count && !distinct => Vec::new(),
                    [] if count => Vec::new(),
                    _ if user && !distinct && f.filter.is_none() => t.plain_args(name, args)?,
                    _ if user => return Err(SqlError::unsupported(format!("DISTINCT or FILTER on the user aggregate function {name}"))),
                    [_] => t.plain_args(name, args)?,
                    _ => return Err(SqlError::invalid(format!("{name} takes exactly one argument"))),
                };
                let filter = f.filter.as_deref().map(|x| t.expr(x)).transpose()?;
                Ok(PendingAggregate { function, args, distinct, filter })
            },
            name,
        )?;
        self.collect(pending)
    }

    /// Runs `translate` (over the aggregate's input) with aggregate collection off, so an
    /// aggregate inside is an error; an error too where aggregates are not allowed at all.
    pub(super) fn over_input<T>(&mut self, translate: impl FnOnce(&mut Self) -> Result<T, SqlError>, name: &str) -> Result<T, SqlError> {
        let Some(collector) = self.aggregates.take() else {
            return Err(SqlError::invalid(format!("aggregate function {name} is not allowed here (only in SELECT, HAVING and ORDER BY of a query)")));
        };
        let result = translate(self);
        self.aggregates = Some(collector);
        result
    }

    /// Collects `pending` (once, however often it is written) and returns its placeholder.
    pub(super) fn collect(&mut self, pending: PendingAggregate) -> Result<Expr, SqlError> {
        let Some(collector) = self.aggregates.as_mut() else {
            return Err(SqlError::invalid("aggregate functions are not allowed here (only in SELECT, HAVING and ORDER BY of a query)"));
        };
        let index = match collector.iter().position(|p| *p == pending) {
            Some(i) => i,
            None => {
                collector.push(pending);
                collector.len() - 1
            }
        };
        Ok(Expr::call(AGG_PLACEHOLDER, vec![Expr::lit(index as u64)]))
    }

    /// The relation expressions are over.
    pub(super) fn scope(&self) -> &Relation {
        self.scope
    }

    /// The user functions, when user aggregates are collected.
    pub(super) fn user_functions(&self) -> Option<&UserFunctions> {
        self.user_functions
    }
}

/// The aggregate behind a SQL function name.
pub fn aggregate_function(upper: &str) -> Option<AggregateFunction> {
    Some(match upper {
        "COUNT" => AggregateFunction::Count,
        "SUM" => AggregateFunction::Sum,
        "MIN" => AggregateFunction::Min,
        "MAX" => AggregateFunction::Max,
        "AVG" => AggregateFunction::Avg,
        "FIRST_VALUE" => AggregateFunction::FirstValue,
        "LAST_VALUE" => AggregateFunction::LastValue,
        "COLLECT" => AggregateFunction::Collect,
        _ => return None,
    })
}

/// Flink aggregate functions Weir does not compute yet.
const UNSUPPORTED_AGGREGATES: &[&str] = &["BIT_AND", "BIT_OR", "BIT_XOR"];

/// True for Flink's window table-valued functions and group window functions.
pub fn is_window_tvf(upper: &str) -> bool {
    matches!(upper, "TUMBLE" | "HOP" | "CUMULATE" | "SESSION") || ["TUMBLE_", "HOP_", "SESSION_"].iter().any(|p| upper.starts_with(p) && upper.len() > p.len())
}

/// The error text for a window function.
pub fn window_tvf_message(upper: &str) -> String {
    format!(
        "window function {upper} here (use TABLE({upper}(TABLE t, DESCRIPTOR(ts), ..)) in FROM, or GROUP BY {upper}(ts, ..) with its _START/_END functions)"
    )
}

/// The plan name of a binary operator.
fn binary_name(op: &BinaryOperator) -> Result<&'static str, SqlError> {
    Ok(match op {
        BinaryOperator::Plus => "+",
        BinaryOperator::Minus => "-",
        BinaryOperator::Multiply => "*",
        BinaryOperator::Divide => "/",
        BinaryOperator::Modulo => "%",
        BinaryOperator::StringConcat => "CONCAT",
        BinaryOperator::Gt => ">",
        BinaryOperator::Lt => "<",
        BinaryOperator::GtEq => ">=",
        BinaryOperator::LtEq => "<=",
        BinaryOperator::Eq => "=",
        BinaryOperator::NotEq => "<>",
        BinaryOperator::And => "AND",
        BinaryOperator::Or => "OR",
        other => return Err(SqlError::unsupported(format!("operator {other}"))),
    })
}

/// A CAST target Weir's types do not hold exactly: TINYINT and SMALLINT are INT values
/// wrapped to their range, and TIMESTAMP(p) / TIMESTAMP_LTZ(p) with p < 3 are millisecond
/// values truncated to p fraction digits.
enum Narrowing {
    /// `TINYINT` or `SMALLINT`: the suffix of the `CAST_..` function.
    Integer(&'static str),
    /// A timestamp precision below 3.
    Precision(u8),
}

fn narrowing(t: &ast::DataType) -> Option<Narrowing> {
    let text = t.to_string().to_ascii_uppercase();
    if text == "TINYINT" || text == "SMALLINT" {
        return Some(Narrowing::Integer(if text == "TINYINT" { "TINYINT" } else { "SMALLINT" }));
    }
    if !text.starts_with("TIMESTAMP") {
        return None;
    }
    let (_, rest) = text.split_once('(')?;
    let (digits, _) = rest.split_once(')')?;
    match digits.trim().parse::<u8>() {
        Ok(p) if p < 3 => Some(Narrowing::Precision(p)),
        _ => None,
    }
}

/// A SQL type as Weir's [`DataType`].
pub fn sql_type(t: &ast::DataType) -> Result<DataType, SqlError> {
    let text = t.to_string();
    text.parse().map_err(|e: crate::types::ParseTypeError| {
        let upper = text.to_ascii_uppercase();
        if ["ROW", "MULTISET", "TIME WITH", "TIME(0) WITH", "TIME(3) WITH"].iter().any(|k| upper.starts_with(k)) {
            SqlError::unsupported(format!("type {text}"))
        } else {
            SqlError::invalid(e.to_string())
        }
    })
}

/// The AND-ed terms of a predicate, in order.
pub fn conjuncts(e: &ast::Expr) -> Vec<&ast::Expr> {
    match e {
        ast::Expr::BinaryOp { left, op: BinaryOperator::And, right } => {
            let mut out = conjuncts(left);
            out.extend(conjuncts(right));
            out
        }
        ast::Expr::Nested(inner) if matches!(**inner, ast::Expr::BinaryOp { op: BinaryOperator::And, .. }) => conjuncts(inner),
        other => vec![other],
    }
}

/// `a AND b AND ...` of plan expressions (None for no terms).
pub fn and_all(terms: Vec<Expr>) -> Option<Expr> {
    terms.into_iter().reduce(|a, b| Expr::call("AND", vec![a, b]))
}
