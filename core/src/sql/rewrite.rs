//! Rewriting the function calls inside a SQL expression before it is planned: OVER aggregates
//! and legacy group-window functions become references to the columns that compute them.

use sqlparser::ast::{self, FunctionArg, FunctionArgExpr, FunctionArguments};

use super::error::SqlError;

/// Offers every function call in `e` to `replace`, outermost first. A call it returns an
/// expression for is replaced by it and not looked into; the arguments of the others are.
pub fn rewrite_calls(e: &mut ast::Expr, replace: &mut dyn FnMut(&ast::Function) -> Result<Option<ast::Expr>, SqlError>) -> Result<(), SqlError> {
    use ast::Expr as E;
    match e {
        E::Function(f) => match replace(f)? {
            Some(replacement) => *e = replacement,
            None => {
                if let FunctionArguments::List(list) = &mut f.args {
                    for arg in &mut list.args {
                        if let FunctionArg::Unnamed(FunctionArgExpr::Expr(a)) = arg {
                            rewrite_calls(a, replace)?;
                        }
                    }
                }
            }
        },
        E::BinaryOp { left, right, .. } => {
            rewrite_calls(left, replace)?;
            rewrite_calls(right, replace)?;
        }
        E::UnaryOp { expr, .. } | E::Nested(expr) | E::Cast { expr, .. } => rewrite_calls(expr, replace)?,
        E::Case { operand, conditions, else_result, .. } => {
            if let Some(o) = operand {
                rewrite_calls(o, replace)?;
            }
            for c in conditions {
                rewrite_calls(&mut c.condition, replace)?;
                rewrite_calls(&mut c.result, replace)?;
            }
            if let Some(x) = else_result {
                rewrite_calls(x, replace)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The positional expression arguments of a function call (`*` and named ones left out).
pub fn call_args(f: &ast::Function) -> Vec<&ast::Expr> {
    match &f.args {
        FunctionArguments::List(list) => list
            .args
            .iter()
            .filter_map(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}
