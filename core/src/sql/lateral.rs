//! Planning Flink's lateral table function calls into the plan's `flat_map` node:
//! `FROM t, LATERAL TABLE(SPLIT(t.s, ',')) AS T(word)` and `t [CROSS] JOIN LATERAL TABLE(..)`
//! (inner: a row the function returns nothing for vanishes; an ON condition other than TRUE
//! filters the joined rows), and `t LEFT JOIN LATERAL TABLE(..) AS T(a) ON TRUE` (left: such a
//! row stays, with NULLs in the function's columns). The function is a built-in table
//! function or a user table function registered in the session; its arguments are
//! expressions over the columns to its left. Flink's `CROSS JOIN UNNEST(a) AS t(x)` (and
//! `, UNNEST(..)`, `LEFT JOIN UNNEST(..) ON TRUE`, `WITH ORDINALITY`) is the same join with
//! the built-in table function `UNNEST`.

use sqlparser::ast::{self, FunctionArg, FunctionArgExpr, FunctionArguments, TableFactor};

use crate::expr::bind;
use crate::plan::{FlatMapNode, Node};
use crate::types::{Field, Schema};

use super::error::{SqlError, SqlPosition};
use super::expr::Translator;
use super::query::QueryPlanner;
use super::scope::{Relation, ScopeColumn, ident_position};

/// A `LATERAL TABLE(f(args)) [AS alias(columns)]` or `UNNEST(x)` FROM item, not planned yet.
pub struct LateralCall<'a> {
    /// The table function's name as written.
    name: String,
    /// Where the name is written.
    at: Option<SqlPosition>,
    /// The argument expressions.
    args: Vec<&'a ast::Expr>,
    alias: Option<&'a ast::TableAlias>,
}

/// How a lateral call joins the rows to its left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LateralJoin {
    /// Rows the function returns nothing for vanish.
    Inner,
    /// Rows the function returns nothing for stay, padded with NULLs.
    Left,
}

/// The lateral call `f` is, if it is one; an error for LATERAL forms Weir does not read.
pub fn lateral_call(f: &TableFactor) -> Result<Option<LateralCall<'_>>, SqlError> {
    if let TableFactor::UNNEST { alias, array_exprs, with_offset, with_ordinality, .. } = f {
        let at = array_exprs.first().and_then(super::subquery_ast::expr_position);
        if *with_offset {
            return Err(SqlError::Unsupported { feature: "UNNEST(..) WITH OFFSET (Flink writes WITH ORDINALITY)".into(), at });
        }
        if array_exprs.len() != 1 {
            return Err(SqlError::Unsupported { feature: "UNNEST of several collections at once (unnest each in its own join)".into(), at });
        }
        let name = if *with_ordinality { crate::expr::UNNEST_WITH_ORDINALITY } else { "UNNEST" };
        return Ok(Some(LateralCall { name: name.into(), at, args: array_exprs.iter().collect(), alias: alias.as_ref() }));
    }
    let TableFactor::Function { lateral: true, name, args, with_ordinality, alias } = f else {
        return Ok(None);
    };
    let is_table = matches!(name.0.as_slice(), [part] if part.as_ident().is_some_and(|i| i.quote_style.is_none() && i.value.eq_ignore_ascii_case("TABLE")));
    let at = name.0.last().and_then(|p| p.as_ident()).and_then(ident_position);
    if !is_table {
        return Err(SqlError::Unsupported { feature: format!("LATERAL {name}(..) (write LATERAL TABLE({name}(..)))"), at });
    }
    if *with_ordinality {
        return Err(SqlError::Unsupported { feature: "LATERAL TABLE(..) WITH ORDINALITY".into(), at });
    }
    let function = match args.as_slice() {
        [FunctionArg::Unnamed(FunctionArgExpr::Expr(ast::Expr::Function(function)))] => function,
        _ => return Err(SqlError::Invalid { message: "LATERAL TABLE(..) takes one table function call, such as LATERAL TABLE(SPLIT(s, ','))".into(), at }),
    };
    let name = function.name.0.last().and_then(|p| p.as_ident()).map(|i| i.value.clone()).unwrap_or_else(|| function.name.to_string());
    let at = function.name.0.last().and_then(|p| p.as_ident()).and_then(ident_position);
    let args = function_args(function, &name).map_err(|e| e.or_at(at.clone()))?;
    Ok(Some(LateralCall { name, at, args, alias: alias.as_ref() }))
}

/// The argument expressions of a table function call.
fn function_args<'a>(f: &'a ast::Function, name: &str) -> Result<Vec<&'a ast::Expr>, SqlError> {
    if f.over.is_some() || f.filter.is_some() {
        return Err(SqlError::invalid(format!("{name} in LATERAL TABLE(..) is a table function: no OVER or FILTER")));
    }
    let list = match &f.args {
        FunctionArguments::None => return Ok(Vec::new()),
        FunctionArguments::Subquery(_) => return Err(SqlError::unsupported(format!("subquery argument to {name}"))),
        FunctionArguments::List(list) => list,
    };
    if list.duplicate_treatment.is_some() || !list.clauses.is_empty() {
        return Err(SqlError::unsupported(format!("DISTINCT or ORDER BY inside {name}(..)")));
    }
    let mut out = Vec::new();
    for a in &list.args {
        match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => out.push(e),
            FunctionArg::Unnamed(_) => return Err(SqlError::invalid(format!("* is not an argument of {name}"))),
            _ => return Err(SqlError::unsupported(format!("named arguments to {name}"))),
        }
    }
    Ok(out)
}

/// True when `on` is the literal TRUE (`LEFT JOIN LATERAL TABLE(..) ON TRUE`).
pub fn is_true(on: &ast::Expr) -> bool {
    match on {
        ast::Expr::Nested(inner) => is_true(inner),
        ast::Expr::Value(v) => matches!(v.value, ast::Value::Boolean(true)),
        _ => false,
    }
}

impl<'b, 'c> QueryPlanner<'b, 'c> {
    /// Joins `left` with the rows `call` returns for each of its rows: a `flat_map` node.
    /// The function's columns are qualified by the alias (else the function's name).
    pub fn lateral(&mut self, left: Relation, call: &LateralCall<'_>, join: LateralJoin) -> Result<Relation, SqlError> {
        let (name, at) = (call.name.clone(), call.at.clone());
        let args = call.args.iter().map(|e| Translator::new(&left).expr(e)).collect::<Result<Vec<_>, _>>().map_err(|e| e.or_at(at.clone()))?;
        let output = self.table_function_output(&left, &name, &args, at.clone())?;
        let names = match call.alias {
            Some(a) if !a.columns.is_empty() => {
                if a.columns.len() != output.len() {
                    return Err(SqlError::Invalid {
                        message: format!(
                            "alias {} names {} columns but {name} returns {} ({})",
                            a.name.value,
                            a.columns.len(),
                            output.len(),
                            output.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                        at: ident_position(&a.name),
                    });
                }
                a.columns.iter().map(|c| c.name.value.clone()).collect()
            }
            _ => Vec::new(),
        };
        let id = self.job.fresh_id("lateral");
        let node =
            FlatMapNode { id: id.clone(), input: left.node.clone(), function: name.clone(), args, columns: names.clone(), outer: join == LateralJoin::Left };
        let schema = self.job.add(Node::FlatMap(node))?;
        let qualifier = call.alias.map(|a| a.name.value.clone()).unwrap_or_else(|| if name.starts_with('$') { "UNNEST".into() } else { name });
        let width = left.columns.len();
        let mut columns: Vec<ScopeColumn> = left.columns.into_iter().zip(&schema.fields).map(|(c, f)| ScopeColumn { field: f.name.clone(), ..c }).collect();
        for (k, f) in schema.fields[width..].iter().enumerate() {
            columns.push(ScopeColumn {
                qualifier: Some(qualifier.clone()),
                name: names.get(k).cloned().unwrap_or_else(|| output[k].name.clone()),
                field: f.name.clone(),
                data_type: f.data_type,
            });
        }
        Ok(Relation { node: id, columns })
    }

    /// The columns `name(args)` returns, or an error at `at` (unknown function, bad arguments).
    fn table_function_output(&self, left: &Relation, name: &str, args: &[crate::expr::Expr], at: Option<SqlPosition>) -> Result<Vec<Field>, SqlError> {
        let schema = Schema::new(left.columns.iter().map(|c| Field::new(c.field.clone(), c.data_type)).collect());
        let ctx = self.job.bind_context();
        let invalid = |message: String| SqlError::Invalid { message, at: at.clone() };
        let bound = args
            .iter()
            .enumerate()
            .map(|(i, a)| bind(a, &schema, ctx).map_err(|e| invalid(format!("argument {} of {name}: {}", i + 1, e.message))))
            .collect::<Result<Vec<_>, _>>()?;
        let function = ctx.functions.bind_table_function(name, bound).map_err(|e| invalid(e.message))?;
        Ok(function.output_fields())
    }
}
