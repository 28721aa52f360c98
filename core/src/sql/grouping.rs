//! GROUPING SETS, ROLLUP and CUBE: the GROUP BY list expanded into its grouping sets (a plain
//! item joins every set; `GROUPING SETS`, `ROLLUP` and `CUBE` items multiply the sets, as
//! Calcite expands them), planned as one aggregate per set whose missing keys are NULL, all
//! unioned (Flink's `Expand` does the same work in one operator). `GROUPING(a, ..)` and
//! `GROUPING_ID(a, ..)` are per-set constants: a bit per argument, set when that key is not
//! grouped in the row's set, the first argument the most significant.

use sqlparser::ast::{self, Spanned};

use crate::expr::Expr;
use crate::plan::{AggregateCall, AggregateFunction, AggregateNode, NamedExpr, Node, UnionNode, UserAggregateCall};
use crate::types::DataType;

use super::error::{SqlError, SqlPosition};
use super::expr::Translator;
use super::query::QueryPlanner;
use super::scope::Relation;
use super::script::position;

/// More grouping sets than this is an error (each is an aggregate).
const MAX_SETS: usize = 256;

/// A GROUP BY list: its distinct key expressions (with the name each would take) and the
/// grouping sets as indexes into them.
pub struct GroupingSets {
    /// Key expressions over the input, each once.
    pub keys: Vec<(Expr, String)>,
    /// Each set's keys, in key order.
    pub sets: Vec<Vec<usize>>,
}

/// Expands `group_by` over `rel` into keys and grouping sets (a single set for a plain list).
pub fn expand(rel: &Relation, group_by: &[ast::Expr]) -> Result<GroupingSets, SqlError> {
    let mut out = GroupingSets { keys: Vec::new(), sets: vec![Vec::new()] };
    for g in group_by {
        let at = known(g.span().start);
        let alternatives = out.alternatives(rel, g).map_err(|e| e.or_at(at.clone()))?;
        let mut sets = Vec::new();
        for base in &out.sets {
            for alt in &alternatives {
                let mut set = base.clone();
                set.extend(alt.iter().filter(|k| !base.contains(k)));
                set.sort_unstable();
                sets.push(set);
            }
        }
        if sets.len() > MAX_SETS {
            return Err(SqlError::Unsupported { feature: format!("more than {MAX_SETS} grouping sets"), at });
        }
        out.sets = sets;
    }
    Ok(out)
}

/// A position, unless the parser did not know it (line 0).
fn known(loc: sqlparser::tokenizer::Location) -> Option<SqlPosition> {
    (loc.line > 0).then(|| position(loc))
}

impl GroupingSets {
    /// The grouping sets one GROUP BY item allows (each joins every set so far).
    fn alternatives(&mut self, rel: &Relation, g: &ast::Expr) -> Result<Vec<Vec<usize>>, SqlError> {
        let out = self;
        Ok(match g {
            ast::Expr::GroupingSets(sets) => sets.iter().map(|s| out.indexes(rel, s)).collect::<Result<_, _>>()?,
            ast::Expr::Rollup(items) => {
                let items = items.iter().map(|i| out.indexes(rel, i)).collect::<Result<Vec<_>, _>>()?;
                (0..=items.len()).rev().map(|n| items[..n].concat()).collect()
            }
            ast::Expr::Cube(items) => {
                let items = items.iter().map(|i| out.indexes(rel, i)).collect::<Result<Vec<_>, _>>()?;
                if items.len() > 8 {
                    return Err(SqlError::unsupported(format!("CUBE of {} items (at most 8)", items.len())));
                }
                (0..1usize << items.len())
                    .rev()
                    .map(|mask| items.iter().enumerate().filter(|(i, _)| mask & (1 << (items.len() - 1 - i)) != 0).flat_map(|(_, k)| k.clone()).collect())
                    .collect()
            }
            plain => vec![out.indexes(rel, std::slice::from_ref(plain))?],
        })
    }

    /// The key indexes of `exprs`, adding keys not seen before.
    fn indexes(&mut self, rel: &Relation, exprs: &[ast::Expr]) -> Result<Vec<usize>, SqlError> {
        let mut out = Vec::new();
        for e in exprs {
            if matches!(e, ast::Expr::GroupingSets(_) | ast::Expr::Rollup(_) | ast::Expr::Cube(_)) {
                return Err(SqlError::unsupported("GROUPING SETS, ROLLUP or CUBE nested inside another"));
            }
            let expr = Translator::new(rel).expr(e)?;
            let index = match self.keys.iter().position(|(k, _)| *k == expr) {
                Some(i) => i,
                None => {
                    let base = match e {
                        ast::Expr::Identifier(id) => id.value.clone(),
                        ast::Expr::CompoundIdentifier(parts) => parts.last().map(|p| p.value.clone()).unwrap_or_default(),
                        _ => format!("$f{}", self.keys.len()),
                    };
                    self.keys.push((expr, base));
                    self.keys.len() - 1
                }
            };
            if !out.contains(&index) {
                out.push(index);
            }
        }
        Ok(out)
    }

    /// The value of a `GROUPING(..)` / `GROUPING_ID(..)` call in each set, or an error for an
    /// argument that is not a key.
    pub fn grouping_values(&self, call: &Expr) -> Result<Vec<i64>, SqlError> {
        let Expr::Call(c) = call else { return Err(SqlError::invalid("internal: not a GROUPING call")) };
        if c.args.is_empty() || c.args.len() > 62 {
            return Err(SqlError::invalid(format!("{} takes 1 to 62 GROUP BY expressions", c.function)));
        }
        let positions = c
            .args
            .iter()
            .map(|a| {
                self.keys
                    .iter()
                    .position(|(k, _)| k == a)
                    .ok_or_else(|| SqlError::invalid(format!("the arguments of {} must be GROUP BY expressions", c.function)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.sets.iter().map(|set| positions.iter().fold(0i64, |bits, k| (bits << 1) | i64::from(!set.contains(k)))).collect())
    }
}

/// True for a `GROUPING(..)` or `GROUPING_ID(..)` call.
pub fn is_grouping_call(e: &Expr) -> bool {
    matches!(e, Expr::Call(c) if c.function == "GROUPING" || c.function == "GROUPING_ID")
}

/// Every distinct GROUPING call in `e`, appended to `out`.
pub fn grouping_calls(e: &Expr, out: &mut Vec<Expr>) {
    if is_grouping_call(e) {
        if !out.contains(e) {
            out.push(e.clone());
        }
        return;
    }
    match e {
        Expr::Call(c) => c.args.iter().for_each(|a| grouping_calls(a, out)),
        Expr::Cast(c) => grouping_calls(&c.expr, out),
        Expr::Case(c) => {
            c.operand.iter().for_each(|o| grouping_calls(o, out));
            c.when.iter().for_each(|w| {
                grouping_calls(&w.when, out);
                grouping_calls(&w.then, out);
            });
            c.else_result.iter().for_each(|x| grouping_calls(x, out));
        }
        Expr::Column(_) | Expr::Literal(_) => {}
    }
}

/// The aggregates of a grouped SELECT, shared by every grouping set.
pub struct Aggregates<'a> {
    /// The built-in aggregate calls.
    pub calls: &'a [AggregateCall],
    /// The user aggregate calls.
    pub user: &'a [UserAggregateCall],
    /// The GROUPING calls: a column name and its value per set.
    pub groupings: &'a [(String, Vec<i64>)],
    /// The state time-to-live of every set's aggregate (a `STATE_TTL` hint), in ms.
    pub state_ttl_ms: Option<u64>,
}

impl QueryPlanner<'_, '_> {
    /// One aggregate per grouping set over `input`, each padded to every key (NULL where the
    /// set does not group by it) and given the GROUPING columns, all unioned.
    pub fn grouping_union(&mut self, input: &Relation, keys: &[NamedExpr], sets: &[Vec<usize>], aggs: Aggregates<'_>) -> Result<Relation, SqlError> {
        // An aggregate needs keys or aggregates: without aggregates, the empty set counts rows
        // (unprojected), as a global aggregate it still gives its one row.
        let computed = if aggs.calls.is_empty() && aggs.user.is_empty() {
            vec![AggregateCall { name: "$rows".into(), function: AggregateFunction::Count, args: Vec::new(), distinct: false, filter: None }]
        } else {
            aggs.calls.to_vec()
        };
        let mut schemas = Vec::with_capacity(sets.len());
        for set in sets {
            let id = self.job.fresh_id("agg");
            let schema = self.job.add(Node::Aggregate(AggregateNode {
                id: id.clone(),
                input: input.node.clone(),
                group_by: set.iter().map(|&k| keys[k].clone()).collect(),
                aggregates: computed.clone(),
                user_aggregates: aggs.user.to_vec(),
                state_ttl_ms: aggs.state_ttl_ms,
            }))?;
            schemas.push((id, schema));
        }
        let key_type = |k: usize| -> DataType {
            sets.iter()
                .zip(&schemas)
                .find_map(|(set, (_, schema))| set.iter().position(|&x| x == k).and_then(|i| schema.fields.get(i)).map(|f| f.data_type))
                .unwrap_or(DataType::Null)
        };
        let key_types: Vec<DataType> = (0..keys.len()).map(key_type).collect();
        let value_names: Vec<String> = aggs.calls.iter().map(|c| c.name.clone()).chain(aggs.user.iter().map(|u| u.name.clone())).collect();
        let mut projects = Vec::with_capacity(sets.len());
        for (s, (set, (id, schema))) in sets.iter().zip(&schemas).enumerate() {
            let mut columns: Vec<NamedExpr> = keys
                .iter()
                .enumerate()
                .map(|(k, key)| {
                    let expr = if set.contains(&k) { Expr::col(&key.name) } else { typed(serde_json::Value::Null, key_types[k]) };
                    NamedExpr { name: key.name.clone(), expr }
                })
                .collect();
            columns.extend(value_names.iter().map(|n| NamedExpr { name: n.clone(), expr: Expr::col(n) }));
            columns.extend(aggs.groupings.iter().map(|(name, values)| NamedExpr { name: name.clone(), expr: typed(values[s].into(), DataType::BigInt) }));
            let rel = Relation::from_schema(id, schema, None);
            projects.push(self.job.project(&rel, columns)?.node);
        }
        let id = self.job.fresh_id("union");
        let schema = self.job.add(Node::Union(UnionNode { id: id.clone(), inputs: projects }))?;
        Ok(Relation::from_schema(&id, &schema, None))
    }
}

/// A literal `value` of type `data_type`.
fn typed(value: serde_json::Value, data_type: DataType) -> Expr {
    Expr::typed_lit(value, data_type)
}
