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
//! `deduplicate` node (keep first for ASC, last for DESC), as Flink plans it.

use sqlparser::ast::{self, BinaryOperator, SelectItem, SetExpr, TableFactor};

use crate::expr::Expr;
use crate::plan::{DeduplicateNode, Keep, Node, SortKey, TopNNode};

use super::error::SqlError;
use super::expr::{Translator, conjuncts};
use super::from::aliased;
use super::named_window::resolve_named_windows;
use super::query::QueryPlanner;
use super::scope::{Relation, ScopeColumn};
use super::select::is_row_number;

/// The inner query's ROW_NUMBER item.
struct RowNumberItem<'a> {
    alias: String,
    spec: &'a ast::WindowSpec,
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
        let Some(item) = row_number_item(inner)? else { return Ok(None) };
        let qualifier = alias.as_ref().map(|a| a.name.value.as_str());
        let Some((pos, limit)) = terms.iter().enumerate().find_map(|(i, t)| rn_limit(t, &item.alias, qualifier).map(|l| (i, l))) else {
            return Err(SqlError::unsupported(format!(
                "ROW_NUMBER() without an outer filter on it (write `WHERE {} <= N` in the enclosing query; OVER windows come with event-time support)",
                item.alias
            )));
        };
        let limit = limit?;
        terms.remove(pos);
        let keep_rn = mentions(s, terms, &item.alias);
        if !matches!(&inner.group_by, ast::GroupByExpr::Expressions(g, _) if g.is_empty()) || inner.having.is_some() {
            return Err(SqlError::unsupported("ROW_NUMBER() over a grouped SELECT (group in a subquery first)"));
        }
        if item.spec.window_frame.is_some() || item.spec.window_name.is_some() {
            return Err(SqlError::unsupported("ROW_NUMBER() with a window frame or named window"));
        }
        let mut inner_terms: Vec<&ast::Expr> = inner.selection.as_ref().map(conjuncts).unwrap_or_default();
        let rel = self.from(&inner.from, &mut inner_terms)?;
        let rel = self.where_clause(rel, inner_terms)?;
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
            return Err(SqlError::invalid("ROW_NUMBER() OVER (...) needs an ORDER BY"));
        }
        let (ranked, rn_field) = if !keep_rn && limit == 1 && !partition_by.is_empty() && is_time_column(&order_by, &rel) {
            let key = order_by.remove(0);
            let keep = if key.descending { Keep::Last } else { Keep::First };
            let id = self.job.fresh_id("dedup");
            self.job.add(Node::Deduplicate(DeduplicateNode { id: id.clone(), input: rel.node.clone(), key: partition_by, order_by: key.expr, keep }))?;
            (rel.moved_to(&id), None)
        } else {
            let id = self.job.fresh_id("top_n");
            let row_number = keep_rn.then(|| item.alias.clone());
            let schema = self.job.add(Node::TopN(TopNNode { id: id.clone(), input: rel.node.clone(), partition_by, order_by, limit, row_number }))?;
            let mut out = rel.moved_to(&id);
            let field = if keep_rn { schema.fields.last().map(|f| (f.name.clone(), f.data_type)) } else { None };
            if let Some((name, data_type)) = &field {
                out.columns.push(ScopeColumn { qualifier: None, name: name.clone(), field: name.clone(), data_type: *data_type });
            }
            (out, field.map(|f| f.0))
        };
        let projected = self.select_list(inner, ranked, rn_field.as_deref())?;
        let rel = match alias {
            Some(a) => aliased(projected, &a.name.value, Some(a))?,
            None => projected.requalified(None),
        };
        Ok(Some(rel))
    }
}

fn row_number_item(s: &ast::Select) -> Result<Option<RowNumberItem<'_>>, SqlError> {
    let mut found = None;
    for item in &s.projection {
        let (e, alias) = match item {
            SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.value.clone())),
            SelectItem::UnnamedExpr(expr) => (expr, None),
            _ => continue,
        };
        if !is_row_number(e) {
            continue;
        }
        let ast::Expr::Function(f) = e else { continue };
        let Some(ast::WindowType::WindowSpec(spec)) = &f.over else {
            return Err(SqlError::unsupported("ROW_NUMBER() OVER a named window"));
        };
        let Some(alias) = alias else {
            return Err(SqlError::invalid("give ROW_NUMBER() OVER (...) an alias (AS rn) to filter on it"));
        };
        if found.is_some() {
            return Err(SqlError::unsupported("more than one ROW_NUMBER() in a SELECT"));
        }
        found = Some(RowNumberItem { alias, spec });
    }
    Ok(found)
}

/// The N of `rn <= N`, `rn < N`, `rn = 1` (either way round).
fn rn_limit(term: &ast::Expr, rn: &str, qualifier: Option<&str>) -> Option<Result<u64, SqlError>> {
    let ast::Expr::BinaryOp { left, op, right } = term else { return None };
    let is_rn = |e: &ast::Expr| match e {
        ast::Expr::Identifier(i) => i.value == rn,
        ast::Expr::CompoundIdentifier(p) => p.len() == 2 && p[1].value == rn && Some(p[0].value.as_str()) == qualifier,
        _ => false,
    };
    let number = |e: &ast::Expr| match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(n, _) => n.to_string().parse::<u64>().ok(),
            _ => None,
        },
        _ => None,
    };
    let (op, n) = if is_rn(left) {
        (op.clone(), number(right)?)
    } else if is_rn(right) {
        let flipped = match op {
            BinaryOperator::GtEq => BinaryOperator::LtEq,
            BinaryOperator::Gt => BinaryOperator::Lt,
            other => other.clone(),
        };
        (flipped, number(left)?)
    } else {
        return None;
    };
    Some(match op {
        BinaryOperator::LtEq if n >= 1 => Ok(n),
        BinaryOperator::Lt if n >= 2 => Ok(n - 1),
        BinaryOperator::Eq if n == 1 => Ok(1),
        _ => Err(SqlError::unsupported(format!("row-number filter {term} (use {rn} <= N or {rn} = 1)"))),
    })
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
