//! Subqueries inside expressions — a scalar `(SELECT ..)` anywhere, and `[NOT] EXISTS` /
//! `x [NOT] IN (SELECT ..)` under OR, NOT or CASE — planned as Calcite plans them for Flink:
//! a left join of the outer rows with the decorrelated subquery (see [`super::correlate`])
//! adds one column per subquery, and the expression reads that column instead.
//!
//! * a scalar subquery's column is its value (NULL when it has no row for the outer row; the
//!   value over no rows for a correlated aggregate, e.g. 0 for `COUNT(*)`); a subquery that
//!   may return several rows per outer row is checked at run time, as Flink's `SINGLE_VALUE`;
//! * `EXISTS` is a mark join: a left join with the distinct correlation keys and a marker;
//! * `x IN (SELECT y ..)` is a mark join on `x = y` plus, per key, the subquery's row count and
//!   non-NULL `y` count, which give SQL's three-valued result: TRUE on a match, FALSE for an
//!   empty subquery, else NULL when `x` is NULL or some `y` is NULL, else FALSE. `NOT IN` is
//!   its negation (the null-aware anti join of Flink's plan). Over a correlated aggregate
//!   without GROUP BY (one value per outer row) it is `x = (SELECT ..)`.

use sqlparser::ast;

use crate::expr::{Case, Expr, WhenThen};
use crate::plan::{AggregateCall, AggregateFunction, AggregateNode, JoinType, NamedExpr, Node};

use super::correlate::{Decorrelated, Shape};
use super::error::{SqlError, SqlPosition};
use super::expr::Translator;
use super::query::QueryPlanner;
use super::scope::{Relation, ScopeColumn};
use super::subquery_ast::{column_ref, expr_position, has_subquery, replace_subqueries};

/// The id prefix of the columns that carry subquery results (hidden from `*`).
const COLUMN_PREFIX: &str = "$sq";

/// True for a column that carries a subquery's result.
pub fn is_subquery_column(name: &str) -> bool {
    name.strip_prefix(COLUMN_PREFIX).is_some_and(|rest| rest.starts_with('_'))
}

impl<'b, 'c> QueryPlanner<'b, 'c> {
    /// `e` with each of its subqueries replaced by a column of the returned relation: `rel`
    /// with those columns added (joined in).
    pub fn embed_subqueries(&mut self, rel: Relation, e: &ast::Expr) -> Result<(Relation, ast::Expr), SqlError> {
        let mut rel = rel;
        let mut out = e.clone();
        let current = &mut rel;
        replace_subqueries(&mut out, &mut |sub| {
            let (next, replacement) = self.subquery_column(current, sub)?;
            *current = next;
            Ok(replacement)
        })?;
        Ok((rel, out))
    }

    /// The select list of `s` with its subqueries replaced by columns joined to `rel`, or None
    /// when it has none.
    pub fn select_subqueries(&mut self, s: &ast::Select, rel: Relation) -> Result<(Option<ast::Select>, Relation), SqlError> {
        let items: Vec<&ast::Expr> = s
            .projection
            .iter()
            .filter_map(|item| match item {
                ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
                _ => None,
            })
            .filter(|e| has_subquery(e))
            .collect();
        let Some(first) = items.first() else { return Ok((None, rel)) };
        let grouped = !matches!(&s.group_by, ast::GroupByExpr::Expressions(g, _) if g.is_empty()) || s.having.is_some();
        let grouped_error = || SqlError::Unsupported { feature: "a subquery in the select list of a grouped SELECT".into(), at: expr_position(first) };
        if grouped {
            return Err(grouped_error());
        }
        let mut rewritten = s.clone();
        let mut rel = rel;
        for item in &mut rewritten.projection {
            if let ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. } = item
                && has_subquery(e)
            {
                let (next, replaced) = self.embed_subqueries(rel, e)?;
                rel = next;
                *e = replaced;
            }
        }
        // An aggregate elsewhere in the list makes the SELECT grouped too.
        let mut aggregates = Vec::new();
        for item in &rewritten.projection {
            if let ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. } = item {
                let _ = Translator::with_aggregates(&rel, &mut aggregates).with_user_aggregates(self.job.catalog.functions()).expr(e);
            }
        }
        if !aggregates.is_empty() {
            return Err(grouped_error());
        }
        Ok((Some(rewritten), rel))
    }

    /// Joins the subquery expression `sub` to `outer`: the extended relation and what stands
    /// for `sub` now.
    fn subquery_column(&mut self, outer: &Relation, sub: &ast::Expr) -> Result<(Relation, ast::Expr), SqlError> {
        let at = expr_position(sub);
        let (rel, field, negated) = match sub {
            ast::Expr::Subquery(q) => {
                let (rel, field) = self.scalar_column(outer, q, at)?;
                (rel, field, false)
            }
            ast::Expr::Exists { subquery, negated } => {
                let (rel, field) = self.exists_column(outer, subquery, at)?;
                (rel, field, *negated)
            }
            ast::Expr::In { expr, target: ast::InTarget::Subquery(q), negated, .. } => {
                let (rel, field) = self.in_column(outer, expr, q, at)?;
                (rel, field, *negated)
            }
            other => return Err(SqlError::unsupported(format!("subquery form {other}"))),
        };
        let reference = column_ref(&field);
        let replacement = if negated { ast::Expr::UnaryOp { op: ast::UnaryOperator::Not, expr: Box::new(reference) } } else { reference };
        Ok((rel, replacement))
    }

    fn scalar_column(&mut self, outer: &Relation, q: &ast::Query, at: Option<SqlPosition>) -> Result<(Relation, String), SqlError> {
        let d = self.decorrelate(outer, q, Shape::Scalar, at)?;
        let (joined, value) = self.scalar_join(outer, d)?;
        self.extend(&joined, outer, value)
    }

    /// `outer` left-joined with the decorrelated single-column subquery `d`, and its value per
    /// outer row (the value over no rows where `d` has none for a row).
    pub(super) fn scalar_join(&mut self, outer: &Relation, d: Decorrelated) -> Result<(Relation, Expr), SqlError> {
        let keys = d.outer_keys.len();
        let sub = if d.one_row_per_key { d.rel } else { self.single_value(d.rel, keys)? };
        let right_keys = key_columns(&sub, keys);
        let joined = self.add_join(outer.clone(), sub, JoinType::Left, d.outer_keys, right_keys, None)?;
        let right = &joined.columns[outer.columns.len()..];
        let value = Expr::col(&right[keys].field);
        let value = match d.empty_value {
            Some(empty) => Expr::Case(Case {
                operand: None,
                when: vec![WhenThen { when: Expr::call("IS NULL", vec![Expr::col(&right[0].field)]), then: empty }],
                else_result: Some(Box::new(value)),
            }),
            None => value,
        };
        Ok((joined, value))
    }

    fn exists_column(&mut self, outer: &Relation, q: &ast::Query, at: Option<SqlPosition>) -> Result<(Relation, String), SqlError> {
        let d = self.decorrelate(outer, q, Shape::Exists, at)?;
        let keys = d.outer_keys.len();
        let mut columns = named_keys(&d.rel, keys);
        columns.push(NamedExpr { name: "$m".into(), expr: Expr::lit(true) });
        let marks = self.job.project(&d.rel, columns)?;
        let marks = self.distinct(marks, None)?;
        let right_keys = key_columns(&marks, keys);
        let joined = self.add_join(outer.clone(), marks, JoinType::Left, d.outer_keys, right_keys, None)?;
        let marker = &joined.columns[outer.columns.len() + keys].field;
        let value = Expr::call("IS NOT NULL", vec![Expr::col(marker)]);
        self.extend(&joined, outer, value)
    }

    fn in_column(&mut self, outer: &Relation, x: &ast::Expr, q: &ast::Query, at: Option<SqlPosition>) -> Result<(Relation, String), SqlError> {
        let needle = Translator::new(outer).expr(x)?;
        let d = self.decorrelate(outer, q, Shape::In, at)?;
        if d.is_one_value_per_outer_row() {
            let (joined, value) = self.scalar_join(outer, d)?;
            return self.extend(&joined, outer, Expr::call("=", vec![needle, value]));
        }
        let keys = d.outer_keys.len();
        let y = d.rel.columns[keys].field.clone();
        let mut columns = named_keys(&d.rel, keys);
        columns.push(NamedExpr { name: "$y".into(), expr: Expr::col(&y) });
        columns.push(NamedExpr { name: "$m".into(), expr: Expr::lit(true) });
        let marks = self.job.project(&d.rel, columns)?;
        let marks = self.distinct(marks, None)?;
        let mut left_keys = d.outer_keys.clone();
        left_keys.push(needle.clone());
        let right_keys = key_columns(&marks, keys + 1);
        let matched = self.add_join(outer.clone(), marks, JoinType::Left, left_keys, right_keys, None)?;
        let marker = matched.columns[outer.columns.len() + keys + 1].field.clone();
        let counts = self.counts(&d.rel, keys, &y)?;
        let right_keys = key_columns(&counts, keys);
        let width = matched.columns.len();
        let joined = self.add_join(matched, counts, JoinType::Left, d.outer_keys, right_keys, None)?;
        let rows = Expr::col(&joined.columns[width + keys].field);
        let non_null = Expr::col(&joined.columns[width + keys + 1].field);
        let when = |when: Expr, then: Expr| WhenThen { when, then };
        let null = Expr::lit(serde_json::Value::Null);
        let value = Expr::Case(Case {
            operand: None,
            when: vec![
                when(Expr::call("IS NOT NULL", vec![Expr::col(&marker)]), Expr::lit(true)),
                when(Expr::call("IS NULL", vec![rows.clone()]), Expr::lit(false)),
                when(Expr::call("=", vec![rows.clone(), Expr::typed_lit(0, crate::types::DataType::BigInt)]), Expr::lit(false)),
                when(Expr::call("IS NULL", vec![needle]), null.clone()),
                when(Expr::call("<", vec![non_null, rows]), null),
            ],
            else_result: Some(Box::new(Expr::lit(false))),
        });
        self.extend(&joined, outer, value)
    }

    /// `rel` (its first `keys` columns a key, then a value) checked at run time to hold at most
    /// one row per key: each row is joined with its key's row count, and its value passes
    /// through `$SINGLE_VALUE`, which fails the job on a count above one.
    fn single_value(&mut self, rel: Relation, keys: usize) -> Result<Relation, SqlError> {
        let id = self.job.fresh_id("aggregate");
        let aggregates = vec![AggregateCall { name: "$n".into(), function: AggregateFunction::Count, args: Vec::new(), distinct: false, filter: None }];
        let node = AggregateNode {
            id: id.clone(),
            input: rel.node.clone(),
            group_by: named_keys(&rel, keys),
            aggregates,
            user_aggregates: Vec::new(),
            state_ttl_ms: None,
        };
        let schema = self.job.add(Node::Aggregate(node))?;
        let counts = Relation::from_schema(&id, &schema, None);
        let (left_keys, right_keys) = (key_columns(&rel, keys), key_columns(&counts, keys));
        let width = rel.columns.len();
        let value = rel.columns[keys].field.clone();
        let joined = self.add_join(rel, counts, JoinType::Inner, left_keys, right_keys, None)?;
        let mut columns = named_keys(&joined, keys);
        let count = Expr::col(&joined.columns[width + keys].field);
        columns.push(NamedExpr { name: value, expr: Expr::call("$SINGLE_VALUE", vec![count, Expr::col(&joined.columns[keys].field)]) });
        self.job.project(&joined, columns)
    }

    /// Per key of `rel` (its first `keys` columns): its row count `$c` and the count of
    /// non-NULL `y` values `$cy`.
    fn counts(&mut self, rel: &Relation, keys: usize, y: &str) -> Result<Relation, SqlError> {
        let id = self.job.fresh_id("aggregate");
        let aggregates = vec![
            AggregateCall { name: "$c".into(), function: AggregateFunction::Count, args: Vec::new(), distinct: false, filter: None },
            AggregateCall { name: "$cy".into(), function: AggregateFunction::Count, args: vec![Expr::col(y)], distinct: false, filter: None },
        ];
        let node = AggregateNode {
            id: id.clone(),
            input: rel.node.clone(),
            group_by: named_keys(rel, keys),
            aggregates,
            user_aggregates: Vec::new(),
            state_ttl_ms: None,
        };
        let schema = self.job.add(Node::Aggregate(node))?;
        Ok(Relation::from_schema(&id, &schema, None))
    }

    /// `outer`'s columns of `joined` (its first ones) under their own names, plus `value` as a
    /// new subquery column; returns the relation and that column's field.
    fn extend(&mut self, joined: &Relation, outer: &Relation, value: Expr) -> Result<(Relation, String), SqlError> {
        let name = self.job.fresh_id(COLUMN_PREFIX);
        let mut columns: Vec<NamedExpr> =
            outer.columns.iter().zip(&joined.columns).map(|(orig, now)| NamedExpr { name: orig.field.clone(), expr: Expr::col(&now.field) }).collect();
        columns.push(NamedExpr { name: name.clone(), expr: value });
        let projected = self.job.project(joined, columns)?;
        let mut out = outer.clone();
        out.node = projected.node;
        let data_type = projected.columns.last().map(|c| c.data_type).ok_or_else(|| SqlError::invalid("internal: empty projection"))?;
        out.columns.push(ScopeColumn { qualifier: None, name: name.clone(), field: name.clone(), data_type });
        Ok((out, name))
    }
}

/// The first `keys` columns of `rel` as plan expressions.
pub fn key_columns(rel: &Relation, keys: usize) -> Vec<Expr> {
    rel.columns[..keys].iter().map(|c| Expr::col(&c.field)).collect()
}

fn named_keys(rel: &Relation, keys: usize) -> Vec<NamedExpr> {
    rel.columns[..keys].iter().map(|c| NamedExpr { name: c.field.clone(), expr: Expr::col(&c.field) }).collect()
}
