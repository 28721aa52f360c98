//! Planning one SELECT block: FROM, WHERE, the select list (with `*`, `t.*` and Flink's output
//! names), aggregation (see [`super::aggregate`]) and DISTINCT.

use sqlparser::ast::{self, GroupByExpr, SelectItem, SelectItemQualifiedWildcardKind};

use crate::expr::Expr;
use crate::plan::NamedExpr;

use super::error::SqlError;
use super::expr::{PendingAggregate, Translator, conjuncts};
use super::named_window::resolve_named_windows;
use super::query::QueryPlanner;
use super::scalar_subquery::is_subquery_column;
use super::scope::{Relation, unique_name};

/// One output column of a select list, before aggregation is resolved.
pub struct SelectColumn {
    /// Output name (`price`, the alias, or `EXPR$i`).
    pub name: String,
    /// The value over the input (may hold aggregate placeholders).
    pub expr: Expr,
}

impl<'b, 'c> QueryPlanner<'b, 'c> {
    /// Plans a SELECT block.
    pub fn select(&mut self, s: &ast::Select) -> Result<Relation, SqlError> {
        let resolved = resolve_named_windows(s)?;
        let s = resolved.as_ref();
        reject_unsupported_clauses(s)?;
        self.in_block(s, |planner| {
            let mut terms: Vec<&ast::Expr> = s.selection.as_ref().map(conjuncts).unwrap_or_default();
            let rel = match planner.top_n_from(s, &mut terms)? {
                Some(rel) => rel,
                None => planner.from(&s.from, &mut terms)?,
            };
            planner.select_after_from(s, rel, terms)
        })
    }

    /// The rest of a SELECT block once its FROM is planned into `rel`: the WHERE `terms` left
    /// over from FROM, group windows, OVER aggregates and the select list.
    pub fn select_after_from(&mut self, s: &ast::Select, rel: Relation, terms: Vec<&ast::Expr>) -> Result<Relation, SqlError> {
        let rel = self.where_clause(rel, terms)?;
        let (windowed, rel) = match self.group_window(s, &rel)? {
            Some((rewritten, windowed)) => (Some(rewritten), windowed),
            None => (None, rel),
        };
        let s = windowed.as_ref().unwrap_or(s);
        let (subqueries, rel) = self.select_subqueries(s, rel)?;
        let s = subqueries.as_ref().unwrap_or(s);
        match self.over_aggregates(s, &rel)? {
            Some((rewritten, over)) => self.select_list(&rewritten, over, None),
            None => self.select_list(s, rel, None),
        }
    }

    /// The select list, grouping, HAVING and DISTINCT over `rel`. `row_number` is the field
    /// holding `ROW_NUMBER()` when a Top-N node computed it (None: such items are dropped).
    pub fn select_list(&mut self, s: &ast::Select, rel: Relation, row_number: Option<&str>) -> Result<Relation, SqlError> {
        let mut aggregates = Vec::new();
        let columns = self.expand_items(s, &rel, row_number, &mut aggregates)?;
        let group_by = match &s.group_by {
            GroupByExpr::Expressions(exprs, modifiers) if modifiers.is_empty() => exprs.as_slice(),
            _ => return Err(SqlError::unsupported("GROUP BY ALL and GROUP BY .. WITH ROLLUP / WITH CUBE (write ROLLUP(..) / CUBE(..))")),
        };
        let having = match &s.having {
            Some(h) => Some(Translator::with_aggregates(&rel, &mut aggregates).with_user_aggregates(self.job.catalog.functions()).expr(h)?),
            None => None,
        };
        let out = if group_by.is_empty() && aggregates.is_empty() && having.is_none() {
            self.project_columns(&rel, columns)?
        } else {
            self.aggregate(&rel, group_by, aggregates, columns, having)?
        };
        match &s.distinct {
            None | Some(ast::Distinct::All) => Ok(out),
            // Flink plans SELECT DISTINCT as a group aggregate: a STATE_TTL hint naming the
            // block's input applies to it (tests/flink_reference/state_ttl_hints.py).
            Some(ast::Distinct::Distinct) => {
                let state_ttl_ms = self.hinted_ttl(&rel);
                self.distinct(out, state_ttl_ms)
            }
            Some(ast::Distinct::On(_)) => Err(SqlError::unsupported("DISTINCT ON")),
        }
    }

    /// Expands `*` and `t.*` and translates every item (collecting aggregates).
    fn expand_items(
        &mut self,
        s: &ast::Select,
        rel: &Relation,
        row_number: Option<&str>,
        aggregates: &mut Vec<PendingAggregate>,
    ) -> Result<Vec<SelectColumn>, SqlError> {
        let mut out = Vec::new();
        for item in &s.projection {
            match item {
                SelectItem::Wildcard(opts) => {
                    check_wildcard_options(opts)?;
                    // The row number of a Top-N is the relation's last column, but it belongs
                    // where the ROW_NUMBER() item stands, not in the `*`.
                    let hidden =
                        |c: &&super::scope::ScopeColumn| c.field == HIDDEN_ROW_NUMBER || Some(c.field.as_str()) == row_number || is_subquery_column(&c.name);
                    for c in rel.columns.iter().filter(|c| !hidden(c)) {
                        out.push(SelectColumn { name: c.name.clone(), expr: Expr::col(&c.field) });
                    }
                }
                SelectItem::QualifiedWildcard(kind, opts) => {
                    check_wildcard_options(opts)?;
                    let SelectItemQualifiedWildcardKind::ObjectName(name) = kind else {
                        return Err(SqlError::unsupported("expression.* in SELECT"));
                    };
                    let q = name.0.last().map(|p| p.to_string()).unwrap_or_default();
                    let cols = rel.columns_of(q.trim_matches('`'));
                    if cols.is_empty() {
                        let suggestion = super::scope::closest(&q, rel.qualifiers().iter().map(String::as_str));
                        return Err(SqlError::TableNotFound { name: q, suggestion, at: None });
                    }
                    for c in cols {
                        out.push(SelectColumn { name: c.name.clone(), expr: Expr::col(&c.field) });
                    }
                }
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    let name = match item {
                        SelectItem::ExprWithAlias { alias, .. } => alias.value.clone(),
                        _ => match e {
                            ast::Expr::Identifier(i) => i.value.clone(),
                            ast::Expr::CompoundIdentifier(parts) => parts.last().map(|p| p.value.clone()).unwrap_or_default(),
                            _ => format!("EXPR${}", out.len()),
                        },
                    };
                    if is_row_number(e) {
                        if let Some(field) = row_number {
                            out.push(SelectColumn { name, expr: Expr::col(field) });
                        }
                        continue;
                    }
                    let expr = Translator::with_aggregates(rel, aggregates).with_user_aggregates(self.job.catalog.functions()).expr(e)?;
                    out.push(SelectColumn { name, expr });
                }
                SelectItem::ExprWithAliases { .. } => return Err(SqlError::unsupported("multiple aliases for one select item")),
            }
        }
        if out.is_empty() {
            return Err(SqlError::invalid("the select list is empty"));
        }
        Ok(out)
    }

    /// A project node computing `columns` over `rel` (names made unique), or `rel` itself
    /// when that would change nothing.
    pub fn project_columns(&mut self, rel: &Relation, columns: Vec<SelectColumn>) -> Result<Relation, SqlError> {
        let mut taken = Vec::new();
        let named: Vec<NamedExpr> = columns.into_iter().map(|c| NamedExpr { name: unique_name(&c.name, &mut taken), expr: c.expr }).collect();
        let identity = named.len() == rel.columns.len() && named.iter().zip(&rel.columns).all(|(n, c)| n.name == c.field && n.expr == Expr::col(&c.field));
        if identity {
            return Ok(Relation::from_schema(&rel.node, &schema_of(rel), None));
        }
        self.job.project(rel, named)
    }
}

/// The field name the Top-N planner gives an unselected row number (never user-visible).
pub const HIDDEN_ROW_NUMBER: &str = "$rn";

/// True for `ROW_NUMBER() OVER (...)`.
pub fn is_row_number(e: &ast::Expr) -> bool {
    matches!(e, ast::Expr::Function(f) if f.over.is_some() && f.name.to_string().eq_ignore_ascii_case("ROW_NUMBER"))
}

fn schema_of(rel: &Relation) -> crate::types::Schema {
    crate::types::Schema::new(rel.columns.iter().map(|c| crate::types::Field::new(c.field.clone(), c.data_type)).collect())
}

fn check_wildcard_options(opts: &ast::WildcardAdditionalOptions) -> Result<(), SqlError> {
    if opts.opt_exclude.is_some() || opts.opt_except.is_some() || opts.opt_replace.is_some() || opts.opt_rename.is_some() || opts.opt_ilike.is_some() {
        return Err(SqlError::unsupported("SELECT * with EXCLUDE/EXCEPT/REPLACE/RENAME"));
    }
    Ok(())
}

/// Rejects the SELECT clauses Flink SQL does not have, by name.
pub(super) fn reject_unsupported_clauses(s: &ast::Select) -> Result<(), SqlError> {
    let feature = if s.top.is_some() {
        "SELECT TOP (use LIMIT)"
    } else if s.into.is_some() {
        "SELECT INTO"
    } else if !s.lateral_views.is_empty() {
        "LATERAL VIEW"
    } else if s.prewhere.is_some() {
        "PREWHERE"
    } else if !s.connect_by.is_empty() {
        "CONNECT BY"
    } else if !s.cluster_by.is_empty() || !s.distribute_by.is_empty() || !s.sort_by.is_empty() {
        "CLUSTER/DISTRIBUTE/SORT BY"
    } else if s.qualify.is_some() {
        "QUALIFY"
    } else {
        return Ok(());
    };
    Err(SqlError::unsupported(feature))
}
