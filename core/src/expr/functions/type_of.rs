//! `TYPEOF(value [, force_serializable])`: the SQL type of its argument as Flink writes it
//! (`INT NOT NULL`, `DECIMAL(10, 2)`, `ARRAY<STRING>`), from the type Weir gives the argument.
//! Weir's types are coarser than Flink's in places, and TYPEOF shows Weir's: `VARCHAR(n)` and
//! `CHAR(n)` (a string literal is `CHAR(n)` in Flink) are `STRING`, `TINYINT`/`SMALLINT` are
//! `INT`, timestamps are `TIMESTAMP(3)`, and collections do not record whether their elements
//! may be NULL.

use crate::types::{DataType, Value};

use super::super::bound::BoundExpr;
use super::super::error::ExprError;
use super::{CallSite, FunctionDef};

pub(crate) const FUNCTIONS: &[FunctionDef] = &[FunctionDef { names: &["TYPEOF"], signature: "(value[, force_serializable BOOLEAN])", bind: type_of }];

fn type_of(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(1, 2)?;
    if site.args.get(1).is_some_and(|a| !matches!(a.as_literal(), Some(Value::Boolean(_)))) {
        return Err(site.arg_error(1, "TYPEOF's second argument must be the literal TRUE or FALSE"));
    }
    let arg = &site.args[0];
    let text = match arg.data_type() {
        DataType::Null => "NULL".to_string(),
        t if arg.nullable() => t.to_string(),
        t => format!("{t} NOT NULL"),
    };
    Ok(BoundExpr::literal(Value::string(&text), DataType::String))
}
