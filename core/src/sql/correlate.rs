//! Decorrelating a subquery the way Calcite does for Flink: the conjuncts of its WHERE that
//! equate an inner expression with an outer one become join keys. The subquery is planned once
//! for all outer rows, its select list computed per key (an aggregate gets the inner keys added
//! to its GROUP BY), and the caller joins the result to the outer rows on those keys.
//!
//! Other references to the outer query (`inner.x > outer.x`, a correlation under OR or in the
//! select list) are rejected by name and position.

use sqlparser::ast::{self, BinaryOperator, GroupByExpr, SelectItem, SetExpr};

use crate::expr::Expr;
use crate::plan::AggregateFunction;
use crate::types::DataType;

use super::error::{SqlError, SqlPosition};
use super::expr::{AGG_PLACEHOLDER, PendingAggregate, PendingFunction, Translator, conjuncts};
use super::from::{has_column, joined_scope};
use super::query::QueryPlanner;
use super::scope::Relation;
use super::subquery_ast::{expr_position, has_subquery};

/// The error for an outer column where a correlated subquery may not use one.
const OUTSIDE_WHERE: &str = "an outer column outside the WHERE of a correlated subquery";

/// What the caller makes of the subquery's rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `(SELECT v ..)`: one column, at most one row per outer row.
    Scalar,
    /// `x IN (SELECT y ..)`: one column.
    In,
    /// `EXISTS (SELECT ..)`: only whether rows exist.
    Exists,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Scalar => "a scalar subquery",
            Shape::In => "the subquery of IN",
            Shape::Exists => "EXISTS",
        }
    }
}

/// A subquery planned once for all outer rows.
pub struct Decorrelated {
    /// Its rows: one column per correlation key (`$k0`, ..) first, then its select list
    /// (nothing more for [`Shape::Exists`] when correlated).
    pub rel: Relation,
    /// The outer side of each correlation key, over the outer relation.
    pub outer_keys: Vec<Expr>,
    /// At most one row per key (an aggregate without GROUP BY, or `LIMIT 1`).
    pub one_row_per_key: bool,
    /// For a correlated aggregate without GROUP BY: its value over no rows when that is not
    /// NULL (`COUNT(*)` is 0), for outer rows no inner row matches.
    pub empty_value: Option<Expr>,
}

impl Decorrelated {
    /// True for a correlated aggregate without GROUP BY: exactly one value for every outer
    /// row (`x IN` it is then `x =` it).
    pub fn is_one_value_per_outer_row(&self) -> bool {
        !self.outer_keys.is_empty() && self.one_row_per_key
    }
}

impl<'b, 'c> QueryPlanner<'b, 'c> {
    /// Plans `q`, a subquery of `shape` written at `at` inside a query over `outer`.
    pub fn decorrelate(&mut self, outer: &Relation, q: &ast::Query, shape: Shape, at: Option<SqlPosition>) -> Result<Decorrelated, SqlError> {
        let plain = q.with.is_none() && q.order_by.is_none() && q.limit_clause.is_none() && q.fetch.is_none();
        let select = match q.body.as_ref() {
            SetExpr::Select(s) if plain && s.named_window.is_empty() => s,
            _ => {
                let where_ = "a correlated subquery with WITH, ORDER BY, LIMIT, a WINDOW clause or a set operation (correlation is planned in a plain SELECT)";
                let rel = self.query(q).map_err(|e| outer_reference(e, outer, where_))?;
                let one_row = limit_one(q);
                return self.uncorrelated(rel, shape, one_row, at);
            }
        };
        super::select::reject_unsupported_clauses(select)?;
        self.in_block(select, |planner| {
            let mut terms: Vec<&ast::Expr> = select.selection.as_ref().map(conjuncts).unwrap_or_default();
            let inner = match planner.top_n_from(select, &mut terms)? {
                Some(rel) => rel,
                None => planner.from(&select.from, &mut terms)?,
            };
            let split = split_correlation(terms, outer, &inner)?;
            if split.keys.outer.is_empty() {
                let one_row = is_global_aggregate(select, &inner, planner);
                let rel = planner.select_after_from(select, inner, split.local)?;
                return planner.uncorrelated(rel, shape, one_row, at);
            }
            let filtered = planner.where_clause(inner, split.local)?;
            planner.correlated(select, filtered, split.keys, outer, shape, at)
        })
    }

    /// The select list of the correlated `select` over its `filtered` rows, computed per inner
    /// key of `keys`.
    fn correlated(
        &mut self,
        select: &ast::Select,
        filtered: Relation,
        keys: Keys,
        outer: &Relation,
        shape: Shape,
        at: Option<SqlPosition>,
    ) -> Result<Decorrelated, SqlError> {
        let Keys { outer: outer_keys, inner: inner_keys } = keys;
        let mut aggregates = Vec::new();
        let mut items = Vec::new();
        for item in &select.projection {
            if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item {
                let functions = self.job.catalog.functions();
                let item = Translator::with_aggregates(&filtered, &mut aggregates).with_user_aggregates(functions).expr(e);
                items.push(item.map_err(|e| outer_reference(e, outer, OUTSIDE_WHERE))?);
            }
        }
        let group_by = match &select.group_by {
            GroupByExpr::Expressions(g, m) if m.is_empty() => g.clone(),
            _ => return Err(SqlError::Unsupported { feature: format!("GROUP BY ALL / WITH ROLLUP in a correlated subquery ({})", shape.name()), at }),
        };
        let grouped = !group_by.is_empty() || select.having.is_some();
        let aggregated = grouped || !aggregates.is_empty();
        let mut s = select.clone();
        s.selection = None;
        let keys = inner_keys.iter().enumerate().map(|(i, k)| SelectItem::ExprWithAlias { expr: k.clone(), alias: ast::Ident::new(format!("$k{i}")) });
        let mut empty_value = None;
        match shape {
            Shape::Exists if aggregated => {
                return Err(SqlError::Unsupported { feature: "a correlated EXISTS over a grouped or aggregating subquery".into(), at });
            }
            Shape::Exists => s.projection = keys.collect(),
            Shape::Scalar | Shape::In => {
                if select.projection.len() != 1 || items.len() != 1 {
                    return Err(SqlError::Invalid { message: format!("{} must return one column", shape.name()), at });
                }
                if !grouped && aggregated {
                    empty_value = value_over_no_rows(&items[0], &aggregates, at.clone())?;
                }
                s.projection = keys.chain(select.projection.iter().cloned()).collect();
            }
        }
        if aggregated {
            let mut all = group_by;
            all.extend(inner_keys.iter().cloned());
            s.group_by = GroupByExpr::Expressions(all, Vec::new());
        }
        let rel = self.select_list(&s, filtered, None).map_err(|e| outer_reference(e, outer, OUTSIDE_WHERE))?;
        Ok(Decorrelated { rel, outer_keys, one_row_per_key: aggregated && !grouped, empty_value })
    }

    fn uncorrelated(&mut self, rel: Relation, shape: Shape, one_row: bool, at: Option<SqlPosition>) -> Result<Decorrelated, SqlError> {
        if shape != Shape::Exists && rel.columns.len() != 1 {
            return Err(SqlError::Invalid { message: format!("{} must return one column, it returns {}", shape.name(), rel.columns.len()), at });
        }
        Ok(Decorrelated { rel, outer_keys: Vec::new(), one_row_per_key: one_row, empty_value: None })
    }
}

/// The WHERE conjuncts of a subquery, split into its own and its correlation keys.
struct Split<'a> {
    local: Vec<&'a ast::Expr>,
    keys: Keys,
}

/// The correlation equalities: each one's outer side as a plan expression over the outer
/// relation, and its inner side as SQL.
#[derive(Default)]
struct Keys {
    outer: Vec<Expr>,
    inner: Vec<ast::Expr>,
}

fn split_correlation<'a>(terms: Vec<&'a ast::Expr>, outer: &Relation, inner: &Relation) -> Result<Split<'a>, SqlError> {
    let mut split = Split { local: Vec::new(), keys: Keys::default() };
    for t in terms {
        if has_subquery(t) {
            split.local.push(t);
            continue;
        }
        if Translator::new(inner).expr(t).is_ok() {
            split.local.push(t);
        } else if let Some((o, i)) = correlation_key(t, outer, inner) {
            split.keys.outer.push(o);
            split.keys.inner.push(i);
        } else {
            // Over both queries' columns: an unknown name is reported against all of them.
            Translator::new(&joined_scope(outer, inner, "")).expr(t)?;
            return Err(SqlError::Unsupported {
                feature: format!(
                    "the correlated condition `{t}` (a subquery may use the outer query's columns only in equalities `inner = outer` AND-ed into its WHERE)"
                ),
                at: expr_position(t),
            });
        }
    }
    Ok(split)
}

/// `a = b` with one side over the inner relation and the other over the outer one (each
/// reading a column): the outer side as a plan expression, the inner side as SQL.
fn correlation_key(term: &ast::Expr, outer: &Relation, inner: &Relation) -> Option<(Expr, ast::Expr)> {
    let mut e = term;
    while let ast::Expr::Nested(x) = e {
        e = x;
    }
    let ast::Expr::BinaryOp { left, op: BinaryOperator::Eq, right } = e else {
        return None;
    };
    let over = |x: &ast::Expr, rel: &Relation| Translator::new(rel).expr(x).ok().filter(has_column);
    for (i, o) in [(left, right), (right, left)] {
        if over(i, inner).is_some()
            && let Some(outer_key) = over(o, outer)
        {
            return Some((outer_key, (**i).clone()));
        }
    }
    None
}

/// `err`, or when it is a name the subquery does not have but the outer query does, an
/// unsupported-correlation error naming `form` at the name's place.
fn outer_reference(err: SqlError, outer: &Relation, form: &str) -> SqlError {
    let (name, at) = match &err {
        SqlError::ColumnNotFound { column, at, .. } => (column.clone(), at.clone()),
        SqlError::TableNotFound { name, at, .. } => (name.clone(), at.clone()),
        _ => return err,
    };
    let outer_name = match &err {
        SqlError::TableNotFound { .. } => outer.qualifiers().contains(&name),
        _ => {
            let parts: Vec<ast::Ident> = name.split('.').map(ast::Ident::new).collect();
            outer.resolve(&parts).is_ok()
        }
    };
    if outer_name { SqlError::Unsupported { feature: format!("{form}: `{name}` is the outer query's"), at } } else { err }
}

/// True for a SELECT that aggregates without GROUP BY (one row).
fn is_global_aggregate(s: &ast::Select, inner: &Relation, planner: &QueryPlanner<'_, '_>) -> bool {
    if !matches!(&s.group_by, GroupByExpr::Expressions(g, m) if g.is_empty() && m.is_empty()) || s.having.is_some() {
        return false;
    }
    let mut aggregates = Vec::new();
    for item in &s.projection {
        if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item {
            let functions = planner.job.catalog.functions();
            if Translator::with_aggregates(inner, &mut aggregates).with_user_aggregates(functions).expr(e).is_err() {
                return false;
            }
        } else {
            return false;
        }
    }
    !aggregates.is_empty()
}

/// True for a query ending in `LIMIT 1` (or `FETCH FIRST 1 ROW ONLY`).
fn limit_one(q: &ast::Query) -> bool {
    let one = |e: &ast::Expr| matches!(e, ast::Expr::Value(v) if matches!(&v.value, ast::Value::Number(n, _) if *n == "1"));
    let limited = matches!(&q.limit_clause, Some(ast::LimitClause::LimitOffset { limit: Some(l), .. }) if one(l));
    limited || q.fetch.as_ref().and_then(|f| f.quantity.as_ref()).is_some_and(one)
}

/// The select item `value` (over aggregate placeholders) computed over no rows: `COUNT` is 0,
/// every other aggregate NULL. None when that is NULL.
fn value_over_no_rows(value: &Expr, aggregates: &[PendingAggregate], at: Option<SqlPosition>) -> Result<Option<Expr>, SqlError> {
    let empty = substitute_aggregates(value, aggregates);
    if has_column(&empty) {
        return Err(SqlError::Invalid { message: "a scalar subquery's aggregate select item may only use aggregates and constants".into(), at });
    }
    Ok(if empty == Expr::lit(serde_json::Value::Null) { None } else { Some(empty) })
}

fn substitute_aggregates(e: &Expr, aggregates: &[PendingAggregate]) -> Expr {
    match e {
        Expr::Call(c) if c.function == AGG_PLACEHOLDER => {
            let index = match c.args.first() {
                Some(Expr::Literal(crate::expr::Literal::Plain(v))) => v.as_u64().map(|i| i as usize),
                _ => None,
            };
            match index.and_then(|i| aggregates.get(i)) {
                Some(PendingAggregate { function: PendingFunction::Builtin(AggregateFunction::Count), .. }) => Expr::typed_lit(0, DataType::BigInt),
                _ => Expr::lit(serde_json::Value::Null),
            }
        }
        Expr::Call(c) => Expr::call(&c.function, c.args.iter().map(|a| substitute_aggregates(a, aggregates)).collect()),
        Expr::Cast(c) => {
            let mut c = c.clone();
            c.expr = Box::new(substitute_aggregates(&c.expr, aggregates));
            Expr::Cast(c)
        }
        Expr::Case(c) => {
            let mut c = c.clone();
            c.operand = c.operand.map(|o| Box::new(substitute_aggregates(&o, aggregates)));
            for w in &mut c.when {
                w.when = substitute_aggregates(&w.when, aggregates);
                w.then = substitute_aggregates(&w.then, aggregates);
            }
            c.else_result = c.else_result.map(|x| Box::new(substitute_aggregates(&x, aggregates)));
            Expr::Case(c)
        }
        other => other.clone(),
    }
}
