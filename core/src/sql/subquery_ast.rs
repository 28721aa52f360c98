//! Finding and replacing the subqueries inside a SQL expression (scalar `(SELECT ..)`,
//! `[NOT] EXISTS (..)`, `x [NOT] IN (SELECT ..)`), wherever they stand in it: under OR, NOT,
//! CASE, function calls, comparisons.

use sqlparser::ast::{self, FunctionArg, FunctionArgExpr, FunctionArguments, Spanned};

use super::error::{SqlError, SqlPosition};
use super::script::position;

/// Offers every subquery expression in `e` to `replace`, outermost first, and puts what it
/// returns in its place. Subqueries inside a subquery are not visited (they are its own).
pub fn replace_subqueries(e: &mut ast::Expr, replace: &mut dyn FnMut(&ast::Expr) -> Result<ast::Expr, SqlError>) -> Result<(), SqlError> {
    use ast::Expr as E;
    match e {
        E::Subquery(_) | E::Exists { .. } | E::In { target: ast::InTarget::Subquery(_), .. } => *e = replace(e)?,
        E::Function(f) => {
            if let FunctionArguments::List(list) = &mut f.args {
                for arg in &mut list.args {
                    if let FunctionArg::Unnamed(FunctionArgExpr::Expr(a)) = arg {
                        replace_subqueries(a, replace)?;
                    }
                }
            }
        }
        E::BinaryOp { left, right, .. } | E::IsDistinctFrom(left, right) | E::IsNotDistinctFrom(left, right) => {
            replace_subqueries(left, replace)?;
            replace_subqueries(right, replace)?;
        }
        E::UnaryOp { expr, .. }
        | E::Nested(expr)
        | E::Cast { expr, .. }
        | E::IsNull(expr)
        | E::IsNotNull(expr)
        | E::IsTrue(expr)
        | E::IsNotTrue(expr)
        | E::IsFalse(expr)
        | E::IsNotFalse(expr) => replace_subqueries(expr, replace)?,
        E::Between { expr, low, high, .. } => {
            replace_subqueries(expr, replace)?;
            replace_subqueries(low, replace)?;
            replace_subqueries(high, replace)?;
        }
        E::In { expr, target: ast::InTarget::List(list), .. } => {
            replace_subqueries(expr, replace)?;
            for item in list {
                replace_subqueries(item, replace)?;
            }
        }
        E::Like { expr, pattern, .. } | E::ILike { expr, pattern, .. } => {
            replace_subqueries(expr, replace)?;
            replace_subqueries(pattern, replace)?;
        }
        E::Case { operand, conditions, else_result, .. } => {
            if let Some(o) = operand {
                replace_subqueries(o, replace)?;
            }
            for c in conditions {
                replace_subqueries(&mut c.condition, replace)?;
                replace_subqueries(&mut c.result, replace)?;
            }
            if let Some(x) = else_result {
                replace_subqueries(x, replace)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// True when `e` holds a subquery expression that [`replace_subqueries`] would reach.
pub fn has_subquery(e: &ast::Expr) -> bool {
    let mut found = false;
    let mut copy = e.clone();
    let _ = replace_subqueries(&mut copy, &mut |s| {
        found = true;
        Ok(s.clone())
    });
    found
}

/// Where `e` starts in the script, if the parser recorded it.
pub fn expr_position(e: &ast::Expr) -> Option<SqlPosition> {
    let start = e.span().start;
    if start.line == 0 { None } else { Some(position(start)) }
}

/// An unqualified reference to the planner's column `field` (wrapped in parentheses, so that
/// a select item made of it keeps Flink's `EXPR$i` name rather than the column's).
pub fn column_ref(field: &str) -> ast::Expr {
    ast::Expr::Nested(Box::new(ast::Expr::Identifier(ast::Ident::new(field))))
}
