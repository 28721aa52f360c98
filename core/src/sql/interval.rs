//! Interval joins in SQL: a join (inner or outer) whose condition bounds one input's event time by the
//! other's from both sides — `l.ts BETWEEN r.ts - INTERVAL '1' HOUR AND r.ts`, or the same with
//! `>=`/`<=`/`>`/`<` — over append-only inputs with watermarks, as Flink plans them. Such a
//! join becomes an `interval_join` node whose state expires with the watermark; the other
//! conjuncts stay its residual condition.

use crate::expr::{Expr, Literal};
use crate::plan::{IntervalJoinNode, JoinType, Node};
use crate::types::DataType;

use super::error::SqlError;
use super::expr::and_all;
use super::from::{joined_relation, joined_scope};
use super::query::QueryPlanner;
use super::scope::Relation;

/// `column + offset_ms`: one side of a time comparison.
fn offset_column(e: &Expr) -> Option<(&str, i64)> {
    match e {
        Expr::Column(crate::expr::ColumnRef::Name(name)) => Some((name, 0)),
        Expr::Call(c) if (c.function == "+" || c.function == "-") && c.args.len() == 2 => {
            let (name, base) = offset_column(&c.args[0])?;
            let ms = match &c.args[1] {
                Expr::Literal(Literal::Typed { value, data_type: DataType::IntervalDayTime }) => value.as_i64()?,
                _ => return None,
            };
            Some((name, if c.function == "+" { base.checked_add(ms)? } else { base.checked_sub(ms)? }))
        }
        _ => None,
    }
}

/// The bounds a conjunct puts on `right - left` (both in ms), given which column names are
/// the left and the right event times: `(lower, upper)`, either possibly absent.
fn bounds(term: &Expr, left_time: &str, right_time: &str) -> Option<(Option<i64>, Option<i64>)> {
    let Expr::Call(c) = term else { return None };
    // `a op b` as `a - b op' 0` where `a` is the left or the right time.
    let compare = |a: &Expr, op: &str, b: &Expr| -> Option<(Option<i64>, Option<i64>)> {
        let ((ca, oa), (cb, ob)) = (offset_column(a)?, offset_column(b)?);
        // a = ca + oa, b = cb + ob; `a op b` ⇔ `ca - cb op ob - oa`.
        let k = ob.checked_sub(oa)?;
        let (sign, k) = match (ca, cb) {
            (l, r) if l == left_time && r == right_time => (-1, k), // left - right op k ⇔ d op' -k
            (r, l) if r == right_time && l == left_time => (1, k),  // right - left op k
            _ => return None,
        };
        // d = right - left; with sign -1 the relation flips.
        let (ge, strict) = match op {
            ">=" => (true, false),
            ">" => (true, true),
            "<=" => (false, false),
            "<" => (false, true),
            _ => return None,
        };
        let (ge, bound) = if sign == 1 { (ge, k) } else { (!ge, -k) };
        Some(match (ge, strict) {
            (true, false) => (Some(bound), None),
            (true, true) => (Some(bound.checked_add(1)?), None),
            (false, false) => (None, Some(bound)),
            (false, true) => (None, Some(bound.checked_sub(1)?)),
        })
    };
    match (c.function.as_str(), c.args.as_slice()) {
        (op @ (">=" | ">" | "<=" | "<"), [a, b]) => compare(a, op, b),
        ("BETWEEN", [x, lo, hi]) => {
            let (l1, u1) = compare(x, ">=", lo)?;
            let (l2, u2) = compare(x, "<=", hi)?;
            Some((l1.or(l2), u1.or(u2)))
        }
        _ => None,
    }
}

/// Whether `term` compares two time columns with interval offsets: a candidate bound of an
/// interval join (used to keep such WHERE terms with a comma join).
pub fn is_time_bound(term: &Expr) -> bool {
    let Expr::Call(c) = term else { return false };
    match (c.function.as_str(), c.args.as_slice()) {
        (">=" | ">" | "<=" | "<", [a, b]) => offset_column(a).is_some() && offset_column(b).is_some(),
        ("BETWEEN", [x, lo, hi]) => offset_column(x).is_some() && offset_column(lo).is_some() && offset_column(hi).is_some(),
        _ => false,
    }
}

fn conjuncts_of(e: &Expr, out: &mut Vec<Expr>) {
    match e {
        Expr::Call(c) if c.function.eq_ignore_ascii_case("AND") => c.args.iter().for_each(|a| conjuncts_of(a, out)),
        other => out.push(other.clone()),
    }
}

impl<'b, 'c> QueryPlanner<'b, 'c> {
    /// An `interval_join` node for the join of `left` and `right` on the keys when
    /// `condition` bounds the difference of their event-time columns from below and above
    /// and both inputs are append-only; `None` when it is an ordinary join.
    pub fn interval_join(
        &mut self,
        left: &Relation,
        right: &Relation,
        join_type: JoinType,
        keys: (&[Expr], &[Expr]),
        condition: Option<&Expr>,
    ) -> Result<Option<Relation>, SqlError> {
        let Some(condition) = condition else { return Ok(None) };
        let (Some((lt, l_append)), Some((rt, r_append))) = (self.job.event_time(&left.node), self.job.event_time(&right.node)) else { return Ok(None) };
        if !l_append || !r_append {
            return Ok(None);
        }
        let joined = joined_scope(left, right, "");
        let (Some(left_time), Some(right_time)) = (joined.columns.get(lt), joined.columns.get(left.columns.len() + rt)) else { return Ok(None) };
        let (left_field, right_field) = (left_time.field.clone(), right_time.field.clone());
        let mut terms = Vec::new();
        conjuncts_of(condition, &mut terms);
        let (mut lower, mut upper, mut rest) = (None::<i64>, None::<i64>, Vec::new());
        for term in terms {
            match bounds(&term, &left_field, &right_field) {
                Some((l, u)) => {
                    lower = match (lower, l) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        (a, b) => a.or(b),
                    };
                    upper = match (upper, u) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                }
                None => rest.push(term),
            }
        }
        let (Some(lower_ms), Some(upper_ms)) = (lower, upper) else { return Ok(None) };
        let id = self.job.fresh_id("interval_join");
        let node = IntervalJoinNode {
            id: id.clone(),
            left: left.node.clone(),
            right: right.node.clone(),
            left_keys: keys.0.to_vec(),
            right_keys: keys.1.to_vec(),
            left_time: left.columns[lt].field.clone(),
            right_time: right.columns[rt].field.clone(),
            lower_ms,
            upper_ms,
            condition: and_all(rest),
            join_type,
        };
        let schema = self.job.add(Node::IntervalJoin(node))?;
        Ok(Some(joined_relation(left, right, &id, &schema)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(n: &str) -> Expr {
        Expr::col(n)
    }

    fn shifted(n: &str, op: &str, ms: i64) -> Expr {
        Expr::call(op, vec![col(n), Expr::Literal(Literal::Typed { value: ms.into(), data_type: DataType::IntervalDayTime })])
    }

    #[test]
    fn comparisons_bound_the_right_minus_left_difference() {
        // r.ts BETWEEN l.ts - 1000 AND l.ts + 5000
        let between = Expr::call("BETWEEN", vec![col("ts0"), shifted("ts", "-", 1000), shifted("ts", "+", 5000)]);
        assert_eq!(bounds(&between, "ts", "ts0"), Some((Some(-1000), Some(5000))));
        // l.ts BETWEEN r.ts - 4h AND r.ts  ⇔  r - l in [0, 4h]
        let between = Expr::call("BETWEEN", vec![col("ts"), shifted("ts0", "-", 14_400_000), col("ts0")]);
        assert_eq!(bounds(&between, "ts", "ts0"), Some((Some(0), Some(14_400_000))));
        assert_eq!(bounds(&Expr::call(">", vec![col("ts0"), col("ts")]), "ts", "ts0"), Some((Some(1), None)));
        assert_eq!(bounds(&Expr::call("<", vec![col("ts"), shifted("ts0", "+", 10)]), "ts", "ts0"), Some((Some(-9), None)));
        assert_eq!(bounds(&Expr::call("<=", vec![col("ts0"), shifted("ts", "+", 10)]), "ts", "ts0"), Some((None, Some(10))));
        assert_eq!(bounds(&Expr::call("=", vec![col("ts0"), col("ts")]), "ts", "ts0"), None);
        assert_eq!(bounds(&Expr::call("<=", vec![col("v"), col("ts")]), "ts", "ts0"), None);
    }
}
