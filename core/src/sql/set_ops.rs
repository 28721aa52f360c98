//! INTERSECT and EXCEPT, with and without ALL, planned as Flink rewrites them (its
//! `RewriteIntersectAllRule` / `RewriteMinusAllRule`): each input's rows tagged with the side
//! they came from, the two unioned and grouped by every column, counting each side's rows;
//! then the distinct forms keep one row per group that both sides have (INTERSECT) or only the
//! left has (EXCEPT), and the ALL forms replicate a group's row `LEAST(left, right)` or
//! `left - right` times (`GENERATE_SERIES(1, n)`, which gives no rows for n < 1). Groups
//! compare NULLs equal, as set operations do; retractions flow through the aggregate.

use sqlparser::ast::{SetExpr, Spanned};

use crate::expr::{Case, Cast, Expr, WhenThen};
use crate::plan::{AggregateCall, AggregateFunction, AggregateNode, FlatMapNode, NamedExpr, Node, UnionNode};
use crate::types::DataType;

use super::error::SqlError;
use super::query::QueryPlanner;
use super::scope::{Relation, unique_name};
use super::script::position;

/// The column counting a group's rows from the left input.
const LEFT: &str = "$left";
/// The column counting a group's rows from the right input.
const RIGHT: &str = "$right";

impl QueryPlanner<'_, '_> {
    /// Plans `left INTERSECT [ALL] right` (`intersect`) or `left EXCEPT [ALL] right`.
    pub fn set_operation(&mut self, intersect: bool, all: bool, left: &SetExpr, right: &SetExpr) -> Result<Relation, SqlError> {
        let word = if intersect { "INTERSECT" } else { "EXCEPT" };
        let l = self.set_expr(left)?;
        let r = self.set_expr(right)?;
        if l.columns.len() != r.columns.len() {
            let start = right.span().start;
            return Err(SqlError::Invalid {
                message: format!("{word} inputs have different numbers of columns: the left has {}, the right {}", l.columns.len(), r.columns.len()),
                at: (start.line > 0).then(|| position(start)),
            });
        }
        let mut taken = vec![LEFT.to_string(), RIGHT.to_string()];
        let names: Vec<String> = l.columns.iter().map(|c| unique_name(&c.name, &mut taken)).collect();
        let tagged = [self.tagged(&l, &names, [1, 0])?, self.tagged(&r, &names, [0, 1])?];
        let union = self.job.fresh_id("union");
        self.job.add(Node::Union(UnionNode { id: union.clone(), inputs: tagged.iter().map(|t| t.node.clone()).collect() }))?;
        let count =
            |side: &str| AggregateCall { name: side.to_string(), function: AggregateFunction::Sum, args: vec![Expr::col(side)], distinct: false, filter: None };
        let agg = self.job.fresh_id("agg");
        let schema = self.job.add(Node::Aggregate(AggregateNode {
            id: agg.clone(),
            input: union,
            group_by: names.iter().map(|n| NamedExpr { name: n.clone(), expr: Expr::col(n) }).collect(),
            aggregates: vec![count(LEFT), count(RIGHT)],
            user_aggregates: Vec::new(),
            state_ttl_ms: None,
        }))?;
        let counted = Relation::from_schema(&agg, &schema, None);
        let (lc, rc) = (Expr::col(LEFT), Expr::col(RIGHT));
        let kept = if all {
            let copies = if intersect {
                Expr::Case(Case {
                    operand: None,
                    when: vec![WhenThen { when: Expr::call("<", vec![lc.clone(), rc.clone()]), then: lc }],
                    else_result: Some(Box::new(rc)),
                })
            } else {
                Expr::call("-", vec![lc, rc])
            };
            let id = self.job.fresh_id("replicate");
            let schema = self.job.add(Node::FlatMap(FlatMapNode {
                id: id.clone(),
                input: counted.node.clone(),
                function: "GENERATE_SERIES".into(),
                args: vec![Expr::lit(1), copies],
                columns: vec!["$copy".into()],
                outer: false,
            }))?;
            Relation::from_schema(&id, &schema, None)
        } else {
            let right_test = if intersect { ">" } else { "=" };
            let keep = Expr::call("AND", vec![Expr::call(">", vec![lc, Expr::lit(0)]), Expr::call(right_test, vec![rc, Expr::lit(0)])]);
            self.job.filter(counted, keep)?
        };
        let columns = kept.columns.iter().take(names.len()).map(|c| NamedExpr { name: c.field.clone(), expr: Expr::col(&c.field) }).collect();
        let out = self.job.project(&kept, columns)?;
        // The left input names the result's columns, as in Flink.
        Ok(Relation {
            node: out.node,
            columns: out
                .columns
                .into_iter()
                .zip(&l.columns)
                .map(|(c, orig)| super::scope::ScopeColumn { name: orig.name.clone(), qualifier: None, ..c })
                .collect(),
        })
    }

    /// `rel`'s columns as `names`, then the side counters `LEFT` and `RIGHT` set to `tags`.
    fn tagged(&mut self, rel: &Relation, names: &[String], tags: [i64; 2]) -> Result<Relation, SqlError> {
        let tag = |v: i64| Expr::Cast(Cast { expr: Box::new(Expr::lit(v)), data_type: DataType::BigInt, try_cast: false });
        let mut columns: Vec<NamedExpr> = rel.columns.iter().zip(names).map(|(c, n)| NamedExpr { name: n.clone(), expr: Expr::col(&c.field) }).collect();
        columns.push(NamedExpr { name: LEFT.into(), expr: tag(tags[0]) });
        columns.push(NamedExpr { name: RIGHT.into(), expr: tag(tags[1]) });
        self.job.project(rel, columns)
    }
}
