//! WHERE with subqueries, decorrelated into joins:
//!
//! * `x IN (SELECT y ...)` → inner join with `DISTINCT y` on `x = y` (a semi join);
//! * `[NOT] EXISTS (SELECT .. FROM .. WHERE inner.k = outer.k AND local)` → join with the
//!   distinct correlation keys of the filtered inner rows: inner join for EXISTS, left join
//!   plus `marker IS NULL` for NOT EXISTS (an anti join).
//!
//! The joined columns are then projected back to the outer relation's own.

use sqlparser::ast::{self, SetExpr, UnaryOperator};

use crate::expr::Expr;
use crate::plan::{JoinType, NamedExpr};

use super::error::SqlError;
use super::expr::{Translator, and_all, conjuncts};
use super::from::{equi_key, joined_scope};
use super::query::QueryPlanner;
use super::scope::Relation;

const MARKER: &str = "$exists";

impl<'b, 'c> QueryPlanner<'b, 'c> {
    /// Applies WHERE terms to `rel`: plain terms as one filter, subquery terms as joins.
    pub fn where_clause(&mut self, rel: Relation, terms: Vec<&ast::Expr>) -> Result<Relation, SqlError> {
        let mut plain = Vec::new();
        let mut subqueries = Vec::new();
        for t in terms {
            match strip(t) {
                ast::Expr::In { target: ast::InTarget::Subquery(_), .. } | ast::Expr::Exists { .. } => subqueries.push(strip(t)),
                ast::Expr::UnaryOp { op: UnaryOperator::Not, expr } if matches!(strip(expr), ast::Expr::Exists { .. }) => subqueries.push(strip(t)),
                _ => plain.push(Translator::new(&rel).expr(t)?),
            }
        }
        let mut rel = match and_all(plain) {
            Some(p) => self.job.filter(rel, p)?,
            None => rel,
        };
        for s in subqueries {
            rel = match s {
                ast::Expr::In { expr, target: ast::InTarget::Subquery(subquery), negated: false, .. } => self.semi_in(rel, expr, subquery)?,
                ast::Expr::In { negated: true, .. } => return Err(SqlError::unsupported("NOT IN (subquery) (its NULL semantics; write NOT EXISTS)")),
                ast::Expr::Exists { subquery, negated } => self.exists(rel, subquery, *negated)?,
                ast::Expr::UnaryOp { expr, .. } => match strip(expr) {
                    ast::Expr::Exists { subquery, negated } => self.exists(rel, subquery, !*negated)?,
                    _ => rel,
                },
                _ => rel,
            };
        }
        Ok(rel)
    }

    fn semi_in(&mut self, rel: Relation, x: &ast::Expr, subquery: &ast::Query) -> Result<Relation, SqlError> {
        let key = Translator::new(&rel).expr(x)?;
        let sub = self.query(subquery)?;
        if sub.columns.len() != 1 {
            return Err(SqlError::invalid(format!("the subquery of IN must return one column, it returns {}", sub.columns.len())));
        }
        let sub = self.distinct(sub)?;
        let right_key = Expr::col(&sub.columns[0].field);
        let joined = self.add_join(rel.clone(), sub, JoinType::Inner, vec![key], vec![right_key], None)?;
        self.job.restore(&joined, &rel)
    }

    fn exists(&mut self, rel: Relation, subquery: &ast::Query, negated: bool) -> Result<Relation, SqlError> {
        let SetExpr::Select(s) = subquery.body.as_ref() else {
            return Err(SqlError::unsupported("EXISTS over a set operation"));
        };
        let grouped = !matches!(&s.group_by, ast::GroupByExpr::Expressions(g, _) if g.is_empty()) || s.having.is_some();
        if grouped || subquery.with.is_some() || subquery.limit_clause.is_some() {
            return Err(SqlError::unsupported("EXISTS over a grouped or limited subquery"));
        }
        let mut terms: Vec<&ast::Expr> = s.selection.as_ref().map(conjuncts).unwrap_or_default();
        let inner = self.from(&s.from, &mut terms)?;
        let mut local = Vec::new();
        let mut outer_keys = Vec::new();
        let mut inner_keys = Vec::new();
        for t in terms {
            if is_subquery(t) || Translator::new(&inner).expr(t).is_ok() {
                local.push(t);
            } else if let Some((o, i)) = equi_key(t, &rel, &inner) {
                outer_keys.push(o);
                inner_keys.push(i);
            } else {
                return Err(SqlError::unsupported(format!("correlated condition `{t}` in EXISTS (only equalities between an outer and an inner column)")));
            }
        }
        let inner = self.where_clause(inner, local)?;
        let mut columns: Vec<NamedExpr> = inner_keys.iter().enumerate().map(|(i, k)| NamedExpr { name: format!("$k{i}"), expr: k.clone() }).collect();
        columns.push(NamedExpr { name: MARKER.into(), expr: Expr::lit(true) });
        let keys_rel = self.job.project(&inner, columns)?;
        let keys_rel = self.distinct(keys_rel)?;
        let right_keys: Vec<Expr> = keys_rel.columns[..inner_keys.len()].iter().map(|c| Expr::col(&c.field)).collect();
        let join_type = if negated { JoinType::Left } else { JoinType::Inner };
        let predicted = joined_scope(&rel, &keys_rel, "");
        let joined = self.add_join(rel.clone(), keys_rel, join_type, outer_keys, right_keys, None)?;
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

fn is_subquery(e: &ast::Expr) -> bool {
    match strip(e) {
        ast::Expr::In { target: ast::InTarget::Subquery(_), .. } | ast::Expr::Exists { .. } => true,
        ast::Expr::UnaryOp { op: UnaryOperator::Not, expr } => matches!(strip(expr), ast::Expr::Exists { .. }),
        _ => false,
    }
}
