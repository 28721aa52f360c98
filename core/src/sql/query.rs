//! Planning a query: WITH, set operations (UNION [ALL]; INTERSECT and EXCEPT in
//! [`super::set_ops`]), and ORDER BY / LIMIT / OFFSET as a
//! `sort` node. SELECT blocks are planned in [`super::select`], FROM in [`super::from`].

use sqlparser::ast::{self, LimitClause, OrderByKind, SetExpr, SetOperator, SetQuantifier, Spanned};

use crate::expr::Expr;
use crate::plan::{DistinctNode, Node, SortKey, SortNode, UnionNode};

use super::builder::JobBuilder;
use super::error::SqlError;
use super::expr::Translator;
use super::hints::StateTtlHint;
use super::scope::Relation;

/// Plans queries into one job.
pub struct QueryPlanner<'b, 'c> {
    /// The job being built.
    pub job: &'b mut JobBuilder<'c>,
    /// Common table expressions in scope, innermost last.
    pub ctes: Vec<(String, ast::Query)>,
    /// The `STATE_TTL` hints of the SELECT blocks being planned, innermost last.
    ttl_hints: Vec<StateTtlHint>,
}

impl<'b, 'c> QueryPlanner<'b, 'c> {
    /// A planner adding nodes to `job`.
    pub fn new(job: &'b mut JobBuilder<'c>) -> QueryPlanner<'b, 'c> {
        QueryPlanner { job, ctes: Vec::new(), ttl_hints: Vec::new() }
    }

    /// Runs `plan` for the SELECT block `s` with the block's `STATE_TTL` hint in force (and no
    /// other block's), then checks that every key of the hint named an input.
    pub(super) fn in_block<T>(&mut self, s: &ast::Select, plan: impl FnOnce(&mut Self) -> Result<T, SqlError>) -> Result<T, SqlError> {
        self.ttl_hints.push(StateTtlHint::of(s)?);
        let result = plan(self);
        let hint = self.ttl_hints.pop().unwrap_or_default();
        let planned = result?;
        hint.check_matched()?;
        Ok(planned)
    }

    /// The state time-to-live the current block's `STATE_TTL` hint gives `input`, an input of
    /// one of the block's joins or of its group aggregate (ms, 0: for ever; `None`: unhinted).
    pub(super) fn hinted_ttl(&mut self, input: &Relation) -> Option<u64> {
        self.ttl_hints.last_mut().and_then(|h| h.ttl_of(input))
    }

    /// Plans a full query; the result's columns are unqualified and uniquely named.
    pub fn query(&mut self, q: &ast::Query) -> Result<Relation, SqlError> {
        let saved = self.ctes.len();
        let result = self.query_inner(q);
        self.ctes.truncate(saved);
        result
    }

    fn query_inner(&mut self, q: &ast::Query) -> Result<Relation, SqlError> {
        if let Some(with) = &q.with {
            if with.recursive {
                return Err(SqlError::unsupported("WITH RECURSIVE"));
            }
            for cte in &with.cte_tables {
                if !cte.alias.columns.is_empty() {
                    return Err(SqlError::unsupported("column list on a WITH query name"));
                }
                self.ctes.push((cte.alias.name.value.clone(), (*cte.query).clone()));
            }
        }
        if q.fetch.as_ref().is_some_and(|f| f.percent || f.with_ties) {
            return Err(SqlError::unsupported("FETCH ... PERCENT / WITH TIES"));
        }
        let rel = self.set_expr(&q.body)?;
        let order: &[ast::OrderByExpr] = match &q.order_by {
            None => &[],
            Some(o) => match &o.kind {
                OrderByKind::Expressions(e) => e,
                OrderByKind::All(_) => return Err(SqlError::unsupported("ORDER BY ALL")),
            },
        };
        let (mut limit, offset) = match &q.limit_clause {
            None => (None, None),
            Some(LimitClause::LimitOffset { limit, offset, limit_by }) => {
                if !limit_by.is_empty() {
                    return Err(SqlError::unsupported("LIMIT BY"));
                }
                (limit.as_ref().map(count).transpose()?, offset.as_ref().map(|o| count(&o.value)).transpose()?)
            }
            Some(LimitClause::OffsetCommaLimit { offset, limit }) => (Some(count(limit)?), Some(count(offset)?)),
        };
        if let Some(q) = q.fetch.as_ref().and_then(|f| f.quantity.as_ref()) {
            limit = Some(count(q)?);
        }
        if order.is_empty() && limit.is_none() && offset.is_none() {
            return Ok(rel);
        }
        let mut keys = Vec::new();
        for o in order {
            let expr = self.order_key(&o.expr, &rel, &q.body)?;
            // Flink cannot sort by a collection either (its types are not comparable).
            let key_type = Translator::new(&rel).type_of(&expr)?;
            if key_type.is_collection() {
                let start = o.expr.span().start;
                let at = (start.line > 0).then(|| super::script::position(start));
                return Err(SqlError::Invalid {
                    message: format!("ORDER BY {} of type {key_type}: ARRAY, MAP and MULTISET values cannot be sorted", o.expr),
                    at,
                });
            }
            let descending = matches!(o.options.sort, Some(ast::OrderBySort::Desc));
            keys.push(SortKey { expr, descending, nulls_first: o.options.nulls_first });
        }
        if keys.is_empty() {
            // LIMIT/OFFSET without ORDER BY may keep any rows (Flink keeps whichever come
            // first); ordering by every column makes the choice the same on every run.
            keys = rel.columns.iter().map(|c| SortKey { expr: Expr::col(&c.field), descending: false, nulls_first: None }).collect();
        }
        let id = self.job.fresh_id("sort");
        self.job.add(Node::Sort(SortNode { id: id.clone(), input: rel.node.clone(), order_by: keys, limit, offset }))?;
        Ok(rel.moved_to(&id))
    }

    /// An ORDER BY key over the query's output: an ordinal, an output name, the same text as
    /// a SELECT item, or an expression over output names.
    fn order_key(&mut self, e: &ast::Expr, rel: &Relation, body: &SetExpr) -> Result<Expr, SqlError> {
        if let ast::Expr::Value(v) = e
            && let ast::Value::Number(n, _) = &v.value
        {
            let i: usize = n.to_string().parse().map_err(|_| SqlError::invalid(format!("bad ORDER BY position {n}")))?;
            return match rel.columns.get(i.wrapping_sub(1)) {
                Some(c) => Ok(Expr::col(&c.field)),
                None => Err(SqlError::invalid(format!("ORDER BY position {i} is not in the select list (1..{})", rel.columns.len()))),
            };
        }
        if let SetExpr::Select(select) = body {
            let text = e.to_string();
            let mut index = 0;
            for item in &select.projection {
                match item {
                    ast::SelectItem::UnnamedExpr(x) | ast::SelectItem::ExprWithAlias { expr: x, .. } => {
                        if x.to_string() == text
                            && let Some(c) = rel.columns.get(index)
                        {
                            return Ok(Expr::col(&c.field));
                        }
                        index += 1;
                    }
                    // After a wildcard the positions are unknown here; names still resolve.
                    _ => break,
                }
            }
        }
        let stripped;
        let e = match e {
            ast::Expr::CompoundIdentifier(parts) if parts.len() > 1 => {
                stripped = ast::Expr::Identifier(parts[parts.len() - 1].clone());
                &stripped
            }
            other => other,
        };
        Translator::new(rel).expr(e).map_err(|err| match err {
            SqlError::ColumnNotFound { column, suggestion, at, .. } => {
                SqlError::ColumnNotFound { column, relation: "the select list (ORDER BY can only use selected columns)".into(), suggestion, at }
            }
            other => other,
        })
    }

    /// Plans a query body: a SELECT, a parenthesized query, or UNION [ALL].
    pub fn set_expr(&mut self, body: &SetExpr) -> Result<Relation, SqlError> {
        match body {
            SetExpr::Select(select) => self.select(select),
            SetExpr::Query(q) => self.query(q),
            SetExpr::SetOperation { op: SetOperator::Union, set_quantifier, left, right } => {
                let all = match set_quantifier {
                    SetQuantifier::All => true,
                    SetQuantifier::Distinct | SetQuantifier::None => false,
                    other => return Err(SqlError::unsupported(format!("UNION {other}"))),
                };
                let mut inputs = Vec::new();
                self.union_inputs(left, all, &mut inputs)?;
                self.union_inputs(right, all, &mut inputs)?;
                let first = inputs[0].clone();
                for (i, r) in inputs.iter().enumerate().skip(1) {
                    if r.columns.len() != first.columns.len() {
                        return Err(SqlError::invalid(format!(
                            "UNION inputs have different numbers of columns: the first has {}, input {} has {}",
                            first.columns.len(),
                            i + 1,
                            r.columns.len()
                        )));
                    }
                }
                let id = self.job.fresh_id("union");
                let schema = self.job.add(Node::Union(UnionNode { id: id.clone(), inputs: inputs.iter().map(|r| r.node.clone()).collect() }))?;
                let rel = Relation::from_schema(&id, &schema, None);
                if all { Ok(rel) } else { self.distinct(rel, None) }
            }
            SetExpr::SetOperation { op: op @ (SetOperator::Intersect | SetOperator::Except), set_quantifier, left, right } => {
                let all = match set_quantifier {
                    SetQuantifier::All => true,
                    SetQuantifier::Distinct | SetQuantifier::None => false,
                    other => return Err(SqlError::unsupported(format!("{op} {other}"))),
                };
                self.set_operation(matches!(op, SetOperator::Intersect), all, left, right)
            }
            SetExpr::SetOperation { op, .. } => Err(SqlError::unsupported(format!("{op} (Flink spells it EXCEPT)"))),
            SetExpr::Values(v) => self.values(v),
            SetExpr::Table(_) => Err(SqlError::unsupported("TABLE t as a query")),
            _ => Err(SqlError::unsupported("this kind of query")),
        }
    }

    /// Flattens `a UNION ALL b UNION ALL c` into one input list (only across the same kind).
    fn union_inputs(&mut self, e: &SetExpr, all: bool, out: &mut Vec<Relation>) -> Result<(), SqlError> {
        if let SetExpr::SetOperation { op: SetOperator::Union, set_quantifier, left, right } = e
            && all
            && matches!(set_quantifier, SetQuantifier::All)
        {
            self.union_inputs(left, all, out)?;
            return self.union_inputs(right, all, out);
        }
        out.push(self.set_expr(e)?);
        Ok(())
    }

    /// A distinct node over `rel`, its state kept for `state_ttl_ms` when given (a hint).
    pub fn distinct(&mut self, rel: Relation, state_ttl_ms: Option<u64>) -> Result<Relation, SqlError> {
        let id = self.job.fresh_id("distinct");
        self.job.add(Node::Distinct(DistinctNode { id: id.clone(), input: rel.node.clone(), state_ttl_ms }))?;
        Ok(rel.moved_to(&id))
    }

    /// The CTE named `name`, innermost first.
    pub fn cte(&self, name: &str) -> Option<(usize, ast::Query)> {
        self.ctes.iter().enumerate().rev().find(|(_, (n, _))| n == name).map(|(i, (_, q))| (i, q.clone()))
    }
}

/// A LIMIT/OFFSET count: a non-negative integer literal.
fn count(e: &ast::Expr) -> Result<u64, SqlError> {
    if let ast::Expr::Value(v) = e
        && let ast::Value::Number(n, _) = &v.value
        && let Ok(k) = n.to_string().parse::<u64>()
    {
        return Ok(k);
    }
    Err(SqlError::invalid(format!("LIMIT and OFFSET take a non-negative integer, found {e}")))
}
