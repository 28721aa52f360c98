//! WHERE with subqueries, decorrelated into joins (see [`super::correlate`]):
//!
//! * a top-level `x IN (SELECT y ...)` → inner join with `DISTINCT y` (and the correlation
//!   keys, if any) on `x = y` (a semi join); over a correlated aggregate whose value over no
//!   rows is not NULL (`COUNT(*)` is 0 where no inner row matches), a left join with that
//!   value and the filter `x = value`;
//! * a top-level `[NOT] EXISTS (SELECT .. FROM .. WHERE inner.k = outer.k AND local)` → join
//!   with the distinct correlation keys of the filtered inner rows: inner join for EXISTS, left
//!   join plus `marker IS NULL` for NOT EXISTS (an anti join);
//! * any other term holding a subquery (`NOT IN`, a scalar subquery, IN / EXISTS under OR or
//!   NOT) → the subqueries become joined columns ([`super::scalar_subquery`]) and the term a
//!   filter over them.
//!
//! The joined columns are then projected back to the outer relation's own.

use sqlparser::ast::{self, UnaryOperator};

use crate::expr::Expr;
use crate::plan::{JoinType, NamedExpr};

use super::correlate::Shape;
use super::error::{SqlError, SqlPosition};
use super::expr::{Translator, and_all};
use super::from::joined_scope;
use super::query::QueryPlanner;
use super::scalar_subquery::key_columns;
use super::scope::Relation;
use super::subquery_ast::{expr_position, has_subquery};

const MARKER: &str = "$exists";

impl<'b, 'c> QueryPlanner<'b, 'c> {
    /// Applies WHERE terms to `rel`: plain terms as one filter, subquery terms as joins.
    pub fn where_clause(&mut self, rel: Relation, terms: Vec<&ast::Expr>) -> Result<Relation, SqlError> {
        let mut plain = Vec::new();
        let mut subqueries = Vec::new();
        let mut embedded = Vec::new();
        for t in terms {
            match strip(t) {
                ast::Expr::In { target: ast::InTarget::Subquery(_), negated: false, .. } | ast::Expr::Exists { .. } => subqueries.push(strip(t)),
                ast::Expr::UnaryOp { op: UnaryOperator::Not, expr } if matches!(strip(expr), ast::Expr::Exists { .. }) => subqueries.push(strip(t)),
                _ if has_subquery(t) => embedded.push(t),
                _ => plain.push(Translator::new(&rel).expr(t)?),
            }
        }
        let mut rel = match and_all(plain) {
            Some(p) => self.job.filter(rel, p)?,
            None => rel,
        };
        for s in subqueries {
            rel = match s {
                ast::Expr::In { expr, target: ast::InTarget::Subquery(subquery), .. } => self.semi_in(rel, expr, subquery, expr_position(s))?,
                ast::Expr::Exists { subquery, negated } => self.exists(rel, subquery, *negated, expr_position(s))?,
                ast::Expr::UnaryOp { expr, .. } => match strip(expr) {
                    ast::Expr::Exists { subquery, negated } => self.exists(rel, subquery, !*negated, expr_position(s))?,
                    _ => rel,
                },
                _ => rel,
            };
        }
        if embedded.is_empty() {
            return Ok(rel);
        }
        let own = rel.clone();
        for t in embedded {
            let (joined, term) = self.embed_subqueries(rel, t)?;
            let predicate = Translator::new(&joined).expr(&term)?;
            rel = self.job.filter(joined, predicate)?;
        }
        self.job.restore(&rel, &own)
    }

    fn semi_in(&mut self, rel: Relation, x: &ast::Expr, subquery: &ast::Query, at: Option<SqlPosition>) -> Result<Relation, SqlError> {
        let key = Translator::new(&rel).expr(x)?;
        let d = self.decorrelate(&rel, subquery, Shape::In, at)?;
        // A value over no rows (COUNT's 0) must meet outer rows without inner ones: no semi join.
        if d.is_one_value_per_outer_row() && d.empty_value.is_some() {
            let (joined, value) = self.scalar_join(&rel, d)?;
            let matched = self.job.filter(joined, Expr::call("=", vec![key, value]))?;
            return self.job.restore(&matched, &rel);
        }
        let sub = self.distinct(d.rel, None)?;
        let mut left_keys = d.outer_keys;
        left_keys.push(key);
        let right_keys = key_columns(&sub, left_keys.len());
        let joined = self.add_join(rel.clone(), sub, JoinType::Inner, left_keys, right_keys, None)?;
        self.job.restore(&joined, &rel)
    }

    fn exists(&mut self, rel: Relation, subquery: &ast::Query, negated: bool, at: Option<SqlPosition>) -> Result<Relation, SqlError> {
        let d = self.decorrelate(&rel, subquery, Shape::Exists, at)?;
        let keys = d.outer_keys.len();
        let mut columns: Vec<NamedExpr> = d.rel.columns[..keys].iter().map(|c| NamedExpr { name: c.field.clone(), expr: Expr::col(&c.field) }).collect();
        columns.push(NamedExpr { name: MARKER.into(), expr: Expr::lit(true) });
        let keys_rel = self.job.project(&d.rel, columns)?;
        let keys_rel = self.distinct(keys_rel, None)?;
        let right_keys = key_columns(&keys_rel, keys);
        let join_type = if negated { JoinType::Left } else { JoinType::Inner };
        let predicted = joined_scope(&rel, &keys_rel, "");
        let joined = self.add_join(rel.clone(), keys_rel, join_type, d.outer_keys, right_keys, None)?;
        let joined = if negated {
            let marker = predicted.columns.last().map(|c| c.field.clone()).unwrap_or_else(|| MARKER.into());
            self.job.filter(joined, Expr::call("IS NULL", vec![Expr::col(&marker)]))?
        } else {
            joined
        };
        self.job.restore(&joined, &rel)
    }
}

fn strip(e: &ast::Expr) -> &ast::Expr {
    match e {
        ast::Expr::Nested(inner) => strip(inner),
        other => other,
    }
}
