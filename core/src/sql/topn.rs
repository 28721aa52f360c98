//! Flink's Top-N and deduplication patterns:
//!
//! ```sql
//! SELECT * FROM (
//!   SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM t
//! ) WHERE rn <= 3
//! ```
//!
//! becomes a `top_n` node (limit 3, the row number kept as `rn` when the outer query reads it);
//! with `rn = 1`, an unread `rn` and a single time-typed ORDER BY column it becomes a
//! `deduplicate` node (keep first for ASC, last for DESC), as Flink plans it. `RANK()` and
//! `DENSE_RANK()` rank the same way (batch only, as in Flink), and the outer filter may bound
//! the rank from both sides (`rn > 2 AND rn <= 6`, `rn BETWEEN 3 AND 6`, `rn = 4`): Flink's
//! rankStart/rankEnd. Other conditions on `rn` stay filters over the ranked rows.

use sqlparser::ast::{self, BinaryOperator, SelectItem, SetExpr, TableFactor};

use crate::expr::Expr;
use crate::plan::{DeduplicateNode, Keep, Node, RankType, SortKey, TopNNode};

use super::error::SqlError;
use super::expr::{Translator, conjuncts};
use super::from::aliased;
use super::named_window::resolve_named_windows;
use super::query::QueryPlanner;
use super::scope::{Relation, ScopeColumn};

/// The inner query's ROW_NUMBER/RANK/DENSE_RANK item.
struct RankItem<'a> {
    alias: String,
    spec: &'a ast::WindowSpec,
    rank_type: RankType,
}

/// The rank type of `ROW_NUMBER() OVER (..)`, `RANK() OVER (..)`, `DENSE_RANK() OVER (..)`.
pub fn rank_call(e: &ast::Expr) -> Option<RankType> {
    let ast::Expr::Function(f) = e else { return None };
    f.over.as_ref()?;
    let name = f.name.to_string();
    [RankType::RowNumber, RankType::Rank, RankType::DenseRank].into_iter().find(|t| name.eq_ignore_ascii_case(t.sql_name()))
}

impl<'b, 'c> QueryPlanner<'b, 'c> {
    /// If `s` reads a subquery that numbers rows and filters on that number, plans the
    /// subquery as Top-N/deduplication, removes the filter from `terms`, and returns it.
    pub fn top_n_from(&mut self, s: &ast::Select, terms: &mut Vec<&ast::Expr>) -> Result<Option<Relation>, SqlError> {
        let [from] = s.from.as_slice() else { return Ok(None) };
        let TableFactor::Derived { lateral: false, subquery, alias, .. } = &from.relation else { return Ok(None) };
        if !from.joins.is_empty() || subquery.with.is_some() || subquery.order_by.is_some() || subquery.limit_clause.is_some() {
            return Ok(None);
        }
        let SetExpr::Select(inner) = subquery.body.as_ref() else { return Ok(None) };
        let inner = resolve_named_windows(inner)?;
        let inner = inner.as_ref();
        let Some(item) = rank_item(inner)? else { return Ok(None) };
        let name = item.rank_type.sql_name();
        let qualifier = alias.as_ref().map(|a| a.name.value.as_str());
        let (rank_start, limit) = rank_range(terms, &item, qualifier)?;
        let keep_rn = mentions(s, terms, &item.alias);
        if !matches!(&inner.group_by, ast::GroupByExpr::Expressions(g, _) if g.is_empty()) || inner.having.is_some() {
            return Err(SqlError::unsupported(format!("{name}() over a grouped SELECT (group in a subquery first)")));
        }
        if item.spec.window_frame.is_some() || item.spec.window_name.is_some() {
            return Err(SqlError::unsupported(format!("{name}() with a window frame or named window")));
        }
        // The subquery is a SELECT block of its own, with its own hints.
        self.in_block(inner, |planner| {
            let mut inner_terms: Vec<&ast::Expr> = inner.selection.as_ref().map(conjuncts).unwrap_or_default();
            let rel = planner.from(&inner.from, &mut inner_terms)?;
            let rel = planner.where_clause(rel, inner_terms)?;
            let mut partition_by = Vec::new();
            for p in &item.spec.partition_by {
                partition_by.push(Translator::new(&rel).expr(p)?);
            }
            let mut order_by = Vec::new();
            for o in &item.spec.order_by {
                let descending = matches!(o.options.sort, Some(ast::OrderBySort::Desc));
                order_by.push(SortKey { expr: Translator::new(&rel).expr(&o.expr)?, descending, nulls_first: o.options.nulls_first });
            }
            if order_by.is_empty() {
                return Err(SqlError::invalid(format!("{name}() OVER (...) needs an ORDER BY")));
            }
            let first_row = item.rank_type == RankType::RowNumber && rank_start == 1 && limit == 1;
            let (ranked, rn_field) = if !keep_rn && first_row && !partition_by.is_empty() && is_time_column(&order_by, &rel) {
                let key = order_by.remove(0);
                let keep = if key.descending { Keep::Last } else { Keep::First };
                let id = planner.job.fresh_id("dedup");
                planner.job.add(Node::Deduplicate(DeduplicateNode { id: id.clone(), input: rel.node.clone(), key: partition_by, order_by: key.expr, keep }))?;
                (rel.moved_to(&id), None)
            } else {
                let id = planner.job.fresh_id("top_n");
                let row_number = keep_rn.then(|| item.alias.clone());
                let rank_type = item.rank_type;
                let node = TopNNode { id: id.clone(), input: rel.node.clone(), partition_by, order_by, limit, rank_start, rank_type, row_number };
                let schema = planner.job.add(Node::TopN(node))?;
                let mut out = rel.moved_to(&id);
                let field = if keep_rn { schema.fields.last().map(|f| (f.name.clone(), f.data_type)) } else { None };
                if let Some((name, data_type)) = &field {
                    out.columns.push(ScopeColumn { qualifier: None, name: name.clone(), field: name.clone(), data_type: *data_type });
                }
                (out, field.map(|f| f.0))
            };
            // The select list puts the rank column where the ranking call stands, a call it knows
            // as ROW_NUMBER().
            let inner = as_row_number(inner);
            let projected = planner.select_list(&inner, ranked, rn_field.as_deref())?;
            let rel = match alias {
                Some(a) => aliased(projected, &a.name.value, Some(a))?,
                None => projected.requalified(None),
            };
            Ok(Some(rel))
        })
    }
}

fn rank_item(s: &ast::Select) -> Result<Option<RankItem<'_>>, SqlError> {
    let mut found: Option<RankItem<'_>> = None;
    for item in &s.projection {
        let (e, alias) = match item {
            SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.value.clone())),
            SelectItem::UnnamedExpr(expr) => (expr, None),
            _ => continue,
        };
        let Some(rank_type) = rank_call(e) else { continue };
        let name = rank_type.sql_name();
        let ast::Expr::Function(f) = e else { continue };
        let Some(ast::WindowType::WindowSpec(spec)) = &f.over else {
            return Err(SqlError::unsupported(format!("{name}() OVER a named window")));
        };
        let Some(alias) = alias else {
            return Err(SqlError::invalid(format!("give {name}() OVER (...) an alias (AS rn) to filter on it")));
        };
        if let Some(other) = &found {
            return Err(SqlError::unsupported(format!("more than one ranking function in a SELECT ({}() and {name}())", other.rank_type.sql_name())));
        }
        found = Some(RankItem { alias, spec, rank_type });
    }
    Ok(found)
}

/// A copy of `s` whose ranking call is named ROW_NUMBER.
fn as_row_number(s: &ast::Select) -> ast::Select {
    let mut s = s.clone();
    for item in &mut s.projection {
        if let SelectItem::ExprWithAlias { expr: e, .. } | SelectItem::UnnamedExpr(e) = item
            && rank_call(e).is_some()
            && let ast::Expr::Function(f) = e
        {
            f.name = ast::ObjectName::from(vec![ast::Ident::new("ROW_NUMBER")]);
        }
    }
    s
}

/// The ranks the outer WHERE terms keep, `(rankStart, rankEnd)`, from every `rn <= N`,
/// `rn < N`, `rn = N`, `rn >= N`, `rn > N` (either way round) and `rn BETWEEN A AND B` among
/// them; those terms are removed from `terms`, other conditions on `rn` stay.
fn rank_range(terms: &mut Vec<&ast::Expr>, item: &RankItem<'_>, qualifier: Option<&str>) -> Result<(u64, u64), SqlError> {
    let rn = item.alias.as_str();
    let (mut start, mut end) = (1u64, None::<u64>);
    let mut bounding = Vec::new();
    for (i, term) in terms.iter().enumerate() {
        let Some((low, high)) = rank_bounds(term, rn, qualifier) else { continue };
        bounding.push(i);
        start = start.max(low.unwrap_or(1));
        end = match (end, high) {
            (Some(e), Some(h)) => Some(e.min(h)),
            (e, h) => e.or(h),
        };
    }
    let Some(end) = end else {
        return Err(SqlError::unsupported(format!(
            "{}() without an outer filter bounding it from above (write `WHERE {rn} <= N` in the enclosing query: Flink's Top-N needs a rank end)",
            item.rank_type.sql_name()
        )));
    };
    if start > end {
        let conditions: Vec<String> = bounding.iter().map(|&i| terms[i].to_string()).collect();
        return Err(SqlError::invalid(format!("{} keeps no rank (from {start} to {end})", conditions.join(" AND "))));
    }
    for i in bounding.into_iter().rev() {
        terms.remove(i);
    }
    Ok((start, end))
}

/// The lowest and highest rank `term` keeps, when it bounds `rn` by integer literals.
fn rank_bounds(term: &ast::Expr, rn: &str, qualifier: Option<&str>) -> Option<(Option<u64>, Option<u64>)> {
    let is_rn = |e: &ast::Expr| match e {
        ast::Expr::Identifier(i) => i.value == rn,
        ast::Expr::CompoundIdentifier(p) => p.len() == 2 && p[1].value == rn && Some(p[0].value.as_str()) == qualifier,
        ast::Expr::Nested(inner) => matches!(inner.as_ref(), ast::Expr::Identifier(i) if i.value == rn),
        _ => false,
    };
    let number = |e: &ast::Expr| match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(n, _) => n.to_string().parse::<u64>().ok(),
            _ => None,
        },
        _ => None,
    };
    match term {
        ast::Expr::Between { expr, negated: false, low, high } if is_rn(expr) => Some((Some(number(low)?), Some(number(high)?))),
        ast::Expr::BinaryOp { left, op, right } => {
            let (op, n) = if is_rn(left) {
                (op.clone(), number(right)?)
            } else if is_rn(right) {
                let flipped = match op {
                    BinaryOperator::GtEq => BinaryOperator::LtEq,
                    BinaryOperator::Gt => BinaryOperator::Lt,
                    BinaryOperator::LtEq => BinaryOperator::GtEq,
                    BinaryOperator::Lt => BinaryOperator::Gt,
                    other => other.clone(),
                };
                (flipped, number(left)?)
            } else {
                return None;
            };
            match op {
                BinaryOperator::LtEq => Some((None, Some(n))),
                BinaryOperator::Lt => Some((None, Some(n.saturating_sub(1)))),
                BinaryOperator::Eq => Some((Some(n), Some(n))),
                BinaryOperator::GtEq => Some((Some(n), None)),
                BinaryOperator::Gt => Some((Some(n.saturating_add(1)), None)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether the outer query (its select list, remaining WHERE terms, GROUP BY, HAVING) may read
/// the row number; `*` counts as reading it.
fn mentions(s: &ast::Select, terms: &[&ast::Expr], rn: &str) -> bool {
    let word = |text: String| text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')).any(|w| w == rn);
    let items = s.projection.iter().any(|i| match i {
        SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => true,
        other => word(other.to_string()),
    });
    items || terms.iter().any(|t| word(t.to_string())) || word(s.group_by.to_string()) || s.having.as_ref().is_some_and(|h| word(h.to_string()))
}

/// A single ORDER BY key that is a TIMESTAMP/TIMESTAMP_LTZ column.
fn is_time_column(order_by: &[SortKey], rel: &Relation) -> bool {
    match order_by {
        [key] => match &key.expr {
            Expr::Column(crate::expr::ColumnRef::Name(n)) => rel.by_field(n).is_some_and(|c| c.data_type.is_timestamp()),
            _ => false,
        },
        _ => false,
    }
}
