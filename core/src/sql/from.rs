//! Planning FROM: tables, views, WITH queries, subqueries with aliases, and joins. A join's ON
//! (or, for comma joins, the WHERE clause) is split into equi-keys — `a.x = b.y` with one side
//! over each input — and a residual condition over the joined columns.

use sqlparser::ast::{self, BinaryOperator, JoinConstraint, JoinOperator, TableFactor, TableWithJoins};

use crate::expr::Expr;
use crate::plan::{JoinNode, JoinType, Node, ValuesNode};
use crate::types::{DataType, Field, Schema};

use super::catalog::CatalogEntry;
use super::error::SqlError;
use super::expr::{Translator, and_all, conjuncts};
use super::interval::is_time_bound;
use super::lateral::{LateralCall, LateralJoin, is_true, lateral_call};
use super::query::QueryPlanner;
use super::scope::{Relation, ScopeColumn, ident_position};

impl<'b, 'c> QueryPlanner<'b, 'c> {
    /// Plans the FROM list. Comma-separated items are inner-joined left to right, taking their
    /// equi-keys from `terms` (the WHERE conjuncts), which loses the terms it used.
    pub fn from(&mut self, from: &[TableWithJoins], terms: &mut Vec<&ast::Expr>) -> Result<Relation, SqlError> {
        let Some((first, rest)) = from.split_first() else {
            return self.one_row();
        };
        if let ([_], TableFactor::TableFunction { expr, alias }) = (from, &first.relation)
            && first.joins.is_empty()
        {
            return self.window_tvf(expr, alias.as_ref(), Some(terms));
        }
        let mut rel = self.table_with_joins(first)?;
        for item in rest {
            if let Some(call) = lateral_call(&item.relation)? {
                let lateral = self.lateral(rel, &call, LateralJoin::Inner)?;
                rel = self.joins(lateral, &item.joins)?;
                continue;
            }
            let right = self.table_with_joins(item)?;
            let mut left_keys = Vec::new();
            let mut right_keys = Vec::new();
            terms.retain(|t| match equi_key(t, &rel, &right) {
                Some((l, r)) => {
                    left_keys.push(l);
                    right_keys.push(r);
                    false
                }
                None => true,
            });
            // Bounds between the two sides' time columns may make this an interval join.
            let joined = joined_scope(&rel, &right, "");
            let mut time_bounds = Vec::new();
            terms.retain(|t| match Translator::new(&joined).expr(t) {
                Ok(e) if is_time_bound(&e) => {
                    time_bounds.push(e);
                    false
                }
                _ => true,
            });
            rel = self.add_from_join(rel, right, JoinType::Inner, (left_keys, right_keys), and_all(time_bounds))?;
        }
        Ok(rel)
    }

    /// The FROM of `SELECT 1` (no FROM at all): one row and no columns SQL can name, as
    /// Calcite's `VALUES (0)` (the plan's values node needs a column; it stays hidden).
    fn one_row(&mut self) -> Result<Relation, SqlError> {
        let id = self.job.fresh_id("values");
        let schema = vec![Field::new("ZERO", DataType::Int)];
        self.job.add(Node::Values(ValuesNode { id: id.clone(), schema, rows: vec![vec![serde_json::Value::from(0)]] }))?;
        Ok(Relation { node: id, columns: Vec::new() })
    }

    fn table_with_joins(&mut self, t: &TableWithJoins) -> Result<Relation, SqlError> {
        let rel = self.factor(&t.relation)?;
        self.joins(rel, &t.joins)
    }

    /// `rel` joined with each of `joins` in turn.
    fn joins(&mut self, mut rel: Relation, joins: &[ast::Join]) -> Result<Relation, SqlError> {
        for j in joins {
            if let Some(call) = lateral_call(&j.relation)? {
                rel = self.lateral_join(rel, &call, &j.join_operator)?;
                continue;
            }
            let right = self.factor(&j.relation)?;
            let (join_type, constraint) = match &j.join_operator {
                JoinOperator::Join(c) | JoinOperator::Inner(c) => (JoinType::Inner, c),
                JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (JoinType::Left, c),
                JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (JoinType::Right, c),
                JoinOperator::FullOuter(c) => (JoinType::Full, c),
                JoinOperator::CrossJoin(c) => (JoinType::Inner, c),
                JoinOperator::CrossApply | JoinOperator::OuterApply => return Err(SqlError::unsupported("LATERAL table functions (CROSS/OUTER APPLY)")),
                other => return Err(SqlError::unsupported(format!("join kind {}", join_kind_name(other)))),
            };
            rel = match constraint {
                JoinConstraint::On(on) => self.join_on(rel, right, join_type, on)?,
                JoinConstraint::None => self.add_from_join(rel, right, join_type, (Vec::new(), Vec::new()), None)?,
                JoinConstraint::Using(_) | JoinConstraint::UsingAlias(..) => return Err(SqlError::unsupported("JOIN ... USING (write the condition with ON)")),
                JoinConstraint::Natural => return Err(SqlError::unsupported("NATURAL JOIN (write the condition with ON)")),
            };
        }
        Ok(rel)
    }

    /// `rel [CROSS | INNER | LEFT] JOIN LATERAL TABLE(..) [ON ..]`.
    fn lateral_join(&mut self, rel: Relation, call: &LateralCall<'_>, op: &JoinOperator) -> Result<Relation, SqlError> {
        let (join, constraint) = match op {
            JoinOperator::Join(c) | JoinOperator::Inner(c) | JoinOperator::CrossJoin(c) => (LateralJoin::Inner, c),
            JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (LateralJoin::Left, c),
            other => {
                return Err(SqlError::unsupported(format!(
                    "{} with LATERAL TABLE (supported: comma, CROSS JOIN, JOIN .. ON, LEFT JOIN .. ON TRUE)",
                    join_kind_name(other)
                )));
            }
        };
        let on = match constraint {
            JoinConstraint::None => None,
            JoinConstraint::On(on) if is_true(on) => None,
            JoinConstraint::On(on) if join == LateralJoin::Inner => Some(on),
            JoinConstraint::On(_) => {
                return Err(SqlError::unsupported("LEFT JOIN LATERAL TABLE(..) with a condition other than ON TRUE (filter in WHERE instead)"));
            }
            _ => return Err(SqlError::unsupported("USING or NATURAL with LATERAL TABLE")),
        };
        let joined = self.lateral(rel, call, join)?;
        match on {
            None => Ok(joined),
            Some(on) => {
                let predicate = Translator::new(&joined).expr(on)?;
                self.job.filter(joined, predicate)
            }
        }
    }

    fn join_on(&mut self, left: Relation, right: Relation, join_type: JoinType, on: &ast::Expr) -> Result<Relation, SqlError> {
        let mut left_keys = Vec::new();
        let mut right_keys = Vec::new();
        let mut residual = Vec::new();
        for term in conjuncts(on) {
            match equi_key(term, &left, &right) {
                Some((l, r)) => {
                    left_keys.push(l);
                    right_keys.push(r);
                }
                None => residual.push(term),
            }
        }
        let joined = joined_scope(&left, &right, "");
        let mut condition = Vec::new();
        for term in residual {
            condition.push(Translator::new(&joined).expr(term)?);
        }
        self.add_from_join(left, right, join_type, (left_keys, right_keys), and_all(condition))
    }

    /// Adds a join node; the result keeps both sides' qualifiers.
    pub fn add_join(
        &mut self,
        left: Relation,
        right: Relation,
        join_type: JoinType,
        left_keys: Vec<Expr>,
        right_keys: Vec<Expr>,
        condition: Option<Expr>,
    ) -> Result<Relation, SqlError> {
        self.join_with_ttl(left, right, join_type, (left_keys, right_keys), condition, [None, None])
    }

    /// Adds a join of the FROM clause: its inputs take their state time-to-live from the
    /// block's `STATE_TTL` hint (joins the planner adds for subqueries do not, as in Flink).
    fn add_from_join(
        &mut self,
        left: Relation,
        right: Relation,
        join_type: JoinType,
        keys: (Vec<Expr>, Vec<Expr>),
        condition: Option<Expr>,
    ) -> Result<Relation, SqlError> {
        let ttl = [self.hinted_ttl(&left), self.hinted_ttl(&right)];
        self.join_with_ttl(left, right, join_type, keys, condition, ttl)
    }

    /// Adds a join node whose left and right state expire after `ttl` (ms, 0: never; `None`:
    /// `table.exec.state.ttl`); an interval join, whose state ends with its interval, instead
    /// when the condition bounds the two sides' times.
    fn join_with_ttl(
        &mut self,
        left: Relation,
        right: Relation,
        join_type: JoinType,
        (left_keys, right_keys): (Vec<Expr>, Vec<Expr>),
        condition: Option<Expr>,
        [left_state_ttl_ms, right_state_ttl_ms]: [Option<u64>; 2],
    ) -> Result<Relation, SqlError> {
        if let Some(rel) = self.interval_join(&left, &right, join_type, (&left_keys, &right_keys), condition.as_ref())? {
            return Ok(rel);
        }
        let id = self.job.fresh_id("join");
        let (l, r) = (left.node.clone(), right.node.clone());
        let node = JoinNode { id: id.clone(), left: l, right: r, join_type, left_keys, right_keys, condition, left_state_ttl_ms, right_state_ttl_ms };
        let schema = self.job.add(Node::Join(node))?;
        Ok(joined_relation(&left, &right, &id, &schema))
    }

    /// Plans one FROM item, its columns qualified by its alias or name.
    pub fn factor(&mut self, f: &TableFactor) -> Result<Relation, SqlError> {
        match f {
            TableFactor::Table { name, alias, args: None, version: None, .. } => {
                let Some(ident) = name.0.last().and_then(|p| p.as_ident()) else {
                    return Err(SqlError::invalid(format!("bad table name {name}")));
                };
                let rel = self.named_relation(ident)?;
                aliased(rel, &ident.value, alias.as_ref())
            }
            TableFactor::Table { name, .. } => Err(SqlError::unsupported(format!("table function or time travel on {name}"))),
            TableFactor::Derived { lateral: false, subquery, alias, .. } => {
                let rel = self.query(subquery)?;
                match alias {
                    Some(a) => aliased(rel, &a.name.value, Some(a)),
                    None => Ok(rel.requalified(None)),
                }
            }
            TableFactor::NestedJoin { table_with_joins, alias: None } => self.table_with_joins(table_with_joins),
            TableFactor::MatchRecognize { .. } => Err(SqlError::unsupported("MATCH_RECOGNIZE")),
            TableFactor::TableFunction { expr, alias } => self.window_tvf(expr, alias.as_ref(), None),
            TableFactor::Function { .. } if lateral_call(f)?.is_some() => {
                Err(SqlError::invalid("LATERAL TABLE(..) needs a table to its left: FROM t, LATERAL TABLE(f(t.x)) AS T(a)"))
            }
            TableFactor::UNNEST { .. } if lateral_call(f)?.is_some() => {
                Err(SqlError::invalid("UNNEST(..) needs a table to its left: FROM t CROSS JOIN UNNEST(t.a) AS u(x)"))
            }
            TableFactor::Derived { lateral: true, .. } => Err(SqlError::unsupported("LATERAL subqueries (LATERAL TABLE(f(..)) is supported)")),
            TableFactor::Function { .. } | TableFactor::UNNEST { .. } => {
                Err(SqlError::unsupported("this table function form in FROM (write LATERAL TABLE(f(..)))"))
            }
            other => Err(SqlError::unsupported(format!("FROM item {other}"))),
        }
    }

    /// A WITH query, view or table by name (in that order of precedence), unqualified; a
    /// table with the options of the table hint written after the name.
    pub(super) fn named_relation(&mut self, ident: &ast::Ident) -> Result<Relation, SqlError> {
        let name = ident.value.as_str();
        let hint = self.job.take_hint(ident);
        let not_a_table = |what: &str| SqlError::Invalid {
            message: format!("{what} '{name}' cannot be enriched with new options. Hints can only be applied to tables."),
            at: hint.as_ref().map(|h| h.at.clone()),
        };
        if let Some((depth, query)) = self.cte(name) {
            if hint.is_some() {
                return Err(not_a_table("WITH query"));
            }
            // A WITH query sees only the WITH queries declared before it.
            let saved = std::mem::take(&mut self.ctes);
            self.ctes = saved[..depth].to_vec();
            let result = self.query(&query);
            self.ctes = saved;
            return result;
        }
        let catalog = self.job.catalog;
        if let Some(view) = catalog.plan_view(name) {
            if hint.is_some() {
                return Err(not_a_table("View"));
            }
            return self.job.plan_view(view);
        }
        match catalog.lookup(name, ident_position(ident))? {
            CatalogEntry::Table(t) => self.job.table(t, hint.as_ref()).map_err(|e| e.or_at(ident_position(ident))),
            CatalogEntry::View(_) if hint.is_some() => Err(not_a_table("View")),
            CatalogEntry::View(v) => {
                let saved = std::mem::take(&mut self.ctes);
                let outer = self.job.swap_hints(v.hints.fresh());
                let result = self.query(&v.query);
                self.job.swap_hints(outer);
                self.ctes = saved;
                result.map_err(|e| match e {
                    SqlError::Invalid { message, at } => SqlError::Invalid { message: format!("in view {name}: {message}"), at },
                    other => other,
                })
            }
        }
    }
}

/// Qualifies `rel` by `name` (or the alias), renaming columns when the alias lists them.
pub fn aliased(rel: Relation, name: &str, alias: Option<&ast::TableAlias>) -> Result<Relation, SqlError> {
    let Some(a) = alias else {
        return Ok(rel.requalified(Some(name)));
    };
    let mut rel = rel.requalified(Some(&a.name.value));
    if !a.columns.is_empty() {
        if a.columns.len() != rel.columns.len() {
            return Err(SqlError::invalid(format!("alias {} names {} columns but the relation has {}", a.name.value, a.columns.len(), rel.columns.len())));
        }
        for (c, new) in rel.columns.iter_mut().zip(&a.columns) {
            c.name = new.name.value.clone();
        }
    }
    Ok(rel)
}

/// The relation of join node `node` over `left` and `right`: both sides' qualifiers, and the
/// fields and types of the node's `schema`.
pub fn joined_relation(left: &Relation, right: &Relation, node: &str, schema: &Schema) -> Relation {
    let mut rel = joined_scope(left, right, node);
    for (c, f) in rel.columns.iter_mut().zip(&schema.fields) {
        c.field = f.name.clone();
        c.data_type = f.data_type;
    }
    rel
}

/// The scope of `left JOIN right` as the join node will name its columns.
pub fn joined_scope(left: &Relation, right: &Relation, node: &str) -> Relation {
    let field_schema = |r: &Relation| Schema::new(r.columns.iter().map(|c| Field::new(c.field.clone(), c.data_type)).collect());
    let joined = field_schema(left).join(&field_schema(right));
    let columns = left.columns.iter().chain(&right.columns).zip(&joined.fields).map(|(c, f)| ScopeColumn { field: f.name.clone(), ..c.clone() }).collect();
    Relation { node: node.to_string(), columns }
}

/// `l = r` with `l` over `left` and `r` over `right` (either way round), both using a column.
pub fn equi_key(term: &ast::Expr, left: &Relation, right: &Relation) -> Option<(Expr, Expr)> {
    let ast::Expr::BinaryOp { left: a, op: BinaryOperator::Eq, right: b } = strip_nested(term) else {
        return None;
    };
    let over = |e: &ast::Expr, rel: &Relation| Translator::new(rel).expr(e).ok().filter(has_column);
    if let (Some(l), Some(r)) = (over(a, left), over(b, right)) {
        return Some((l, r));
    }
    if let (Some(l), Some(r)) = (over(b, left), over(a, right)) {
        return Some((l, r));
    }
    None
}

fn strip_nested(e: &ast::Expr) -> &ast::Expr {
    match e {
        ast::Expr::Nested(inner) => strip_nested(inner),
        other => other,
    }
}

/// True when the expression reads some column.
pub fn has_column(e: &Expr) -> bool {
    match e {
        Expr::Column(_) => true,
        Expr::Literal(_) => false,
        Expr::Call(c) => c.args.iter().any(has_column),
        Expr::Cast(c) => has_column(&c.expr),
        Expr::Case(c) => {
            c.operand.as_deref().is_some_and(has_column)
                || c.when.iter().any(|w| has_column(&w.when) || has_column(&w.then))
                || c.else_result.as_deref().is_some_and(has_column)
        }
    }
}

fn join_kind_name(op: &JoinOperator) -> &'static str {
    match op {
        JoinOperator::Semi(_) | JoinOperator::LeftSemi(_) | JoinOperator::RightSemi(_) => "SEMI JOIN (use WHERE ... IN (SELECT ..) or EXISTS)",
        JoinOperator::Anti(_) | JoinOperator::LeftAnti(_) | JoinOperator::RightAnti(_) => "ANTI JOIN (use WHERE NOT EXISTS)",
        JoinOperator::AsOf { .. } => "ASOF JOIN",
        _ => "this join",
    }
}
