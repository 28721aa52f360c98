//! GROUP BY / aggregates / HAVING: an `aggregate` node (group keys then aggregates; one per
//! grouping set, unioned, for GROUPING SETS / ROLLUP / CUBE — see [`super::grouping`]), a filter
//! for HAVING, and a project that computes the select list from the aggregate's output (so
//! `SUM(price) / COUNT(*)` works), skipped when it would change nothing.

use sqlparser::ast;

use crate::expr::{Case, Cast, Expr, WhenThen};
use crate::plan::{AggregateCall, AggregateNode, NamedExpr, Node, UserAggregateCall};

use super::error::SqlError;
use super::expr::{AGG_PLACEHOLDER, PendingAggregate, PendingFunction};
use super::grouping;
use super::query::QueryPlanner;
use super::scope::{Relation, unique_name};
use super::select::SelectColumn;

/// The aggregate's output names, to rewrite expressions over its input into expressions over
/// its output.
struct Rewrite<'a> {
    keys: Vec<(Expr, String)>,
    aggregates: Vec<String>,
    /// GROUPING calls and the columns holding their values.
    groupings: Vec<(Expr, String)>,
    input: &'a Relation,
}

impl Rewrite<'_> {
    fn expr(&self, e: &Expr) -> Result<Expr, SqlError> {
        if let Some((_, name)) = self.groupings.iter().chain(&self.keys).find(|(k, _)| k == e) {
            return Ok(Expr::col(name));
        }
        Ok(match e {
            Expr::Call(c) if c.function == AGG_PLACEHOLDER => {
                let index = match c.args.first() {
                    Some(Expr::Literal(crate::expr::Literal::Plain(v))) => v.as_u64().unwrap_or(u64::MAX) as usize,
                    _ => usize::MAX,
                };
                let name = self.aggregates.get(index).ok_or_else(|| SqlError::invalid("internal: bad aggregate reference"))?;
                Expr::col(name)
            }
            Expr::Column(c) => {
                let field = match c {
                    crate::expr::ColumnRef::Name(n) => n.clone(),
                    crate::expr::ColumnRef::Index(i) => i.to_string(),
                };
                let shown = self.input.by_field(&field).map(|c| c.name.clone()).unwrap_or(field);
                return Err(SqlError::invalid(format!("column \"{shown}\" must appear in the GROUP BY clause or be used in an aggregate function")));
            }
            Expr::Literal(_) => e.clone(),
            Expr::Call(c) => {
                let args = c.args.iter().map(|a| self.expr(a)).collect::<Result<Vec<_>, _>>()?;
                Expr::call(&c.function, args)
            }
            Expr::Cast(c) => Expr::Cast(Cast { expr: Box::new(self.expr(&c.expr)?), data_type: c.data_type, try_cast: c.try_cast }),
            Expr::Case(c) => Expr::Case(Case {
                operand: c.operand.as_deref().map(|o| self.expr(o)).transpose()?.map(Box::new),
                when: c.when.iter().map(|w| Ok(WhenThen { when: self.expr(&w.when)?, then: self.expr(&w.then)? })).collect::<Result<Vec<_>, SqlError>>()?,
                else_result: c.else_result.as_deref().map(|x| self.expr(x)).transpose()?.map(Box::new),
            }),
        })
    }
}

impl<'b, 'c> QueryPlanner<'b, 'c> {
    /// Plans the aggregate, HAVING and the final projection of a grouped SELECT.
    pub fn aggregate(
        &mut self,
        rel: &Relation,
        group_by: &[ast::Expr],
        pending: Vec<PendingAggregate>,
        columns: Vec<SelectColumn>,
        having: Option<Expr>,
    ) -> Result<Relation, SqlError> {
        let sets = grouping::expand(rel, group_by)?;
        let mut taken = Vec::new();
        let mut keys = Vec::new();
        let mut group_exprs = Vec::new();
        for (expr, base) in &sets.keys {
            let name = unique_name(base, &mut taken);
            keys.push((expr.clone(), name.clone()));
            group_exprs.push(NamedExpr { name, expr: expr.clone() });
        }
        let mut grouping_calls = Vec::new();
        columns.iter().map(|c| &c.expr).chain(having.as_ref()).for_each(|e| grouping::grouping_calls(e, &mut grouping_calls));
        // An item that is exactly one aggregate lends it its output name.
        let mut agg_names: Vec<Option<String>> = vec![None; pending.len()];
        for c in &columns {
            if let Some(i) = placeholder_index(&c.expr)
                && agg_names[i].is_none()
                && !taken.contains(&c.name)
            {
                taken.push(c.name.clone());
                agg_names[i] = Some(c.name.clone());
            }
        }
        let agg_names: Vec<String> =
            agg_names.into_iter().enumerate().map(|(i, n)| n.unwrap_or_else(|| unique_name(&format!("$f{}", group_exprs.len() + i), &mut taken))).collect();
        let (mut calls, mut user_aggregates) = (Vec::new(), Vec::new());
        for (p, name) in pending.into_iter().zip(&agg_names) {
            match p.function {
                PendingFunction::Builtin(function) => {
                    calls.push(AggregateCall { name: name.clone(), function, args: p.args, distinct: p.distinct, filter: p.filter })
                }
                PendingFunction::User(function) => user_aggregates.push(UserAggregateCall { name: name.clone(), function, args: p.args }),
            }
        }
        let mut groupings = Vec::new();
        for call in grouping_calls {
            let values = sets.grouping_values(&call)?;
            groupings.push((call, unique_name("$grouping", &mut taken), values));
        }
        let state_ttl_ms = self.hinted_ttl(rel);
        let mut out = if sets.sets.len() == 1 && groupings.is_empty() {
            let id = self.job.fresh_id("agg");
            let schema = self.job.add(Node::Aggregate(AggregateNode {
                id: id.clone(),
                input: rel.node.clone(),
                group_by: group_exprs,
                aggregates: calls,
                user_aggregates,
                state_ttl_ms,
            }))?;
            Relation::from_schema(&id, &schema, None)
        } else {
            let named: Vec<(String, Vec<i64>)> = groupings.iter().map(|(_, n, v)| (n.clone(), v.clone())).collect();
            let aggs = grouping::Aggregates { calls: &calls, user: &user_aggregates, groupings: &named, state_ttl_ms };
            self.grouping_union(rel, &group_exprs, &sets.sets, aggs)?
        };
        let groupings = groupings.into_iter().map(|(call, name, _)| (call, name)).collect();
        let rewrite = Rewrite { keys, aggregates: agg_names, groupings, input: rel };
        if let Some(h) = having {
            let predicate = rewrite.expr(&h)?;
            out = self.job.filter(out, predicate)?;
        }
        let columns = columns.into_iter().map(|c| Ok(SelectColumn { name: c.name, expr: rewrite.expr(&c.expr)? })).collect::<Result<Vec<_>, SqlError>>()?;
        self.project_columns(&out, columns)
    }
}

fn placeholder_index(e: &Expr) -> Option<usize> {
    match e {
        Expr::Call(c) if c.function == AGG_PLACEHOLDER => match c.args.first() {
            Some(Expr::Literal(crate::expr::Literal::Plain(v))) => v.as_u64().map(|i| i as usize),
            _ => None,
        },
        _ => None,
    }
}
