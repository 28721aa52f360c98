//! Typing of literals: JSON scalars with an inferred type, or read as a declared type.

use serde_json::Value as Json;

use crate::types::{DataType, Value, parse_value};

use super::ast::Literal;
use super::bind::BindContext;
use super::bound::BoundExpr;
use super::error::ExprError;

/// Binds a literal. Plain JSON: an integer that fits 32 bits is INT, a larger one BIGINT, a
/// fraction DOUBLE, a string STRING, a boolean BOOLEAN, `null` NULL. Typed: the JSON scalar is
/// read as the declared type (strings through [`parse_value`]; TIMESTAMP_LTZ text as a
/// wall-clock time in the session zone).
pub(crate) fn bind_literal(lit: &Literal, ctx: &BindContext) -> Result<BoundExpr, ExprError> {
    match lit {
        Literal::Plain(json) => plain(json),
        Literal::Typed { value, data_type } => typed(value, *data_type, ctx),
    }
}

fn plain(json: &Json) -> Result<BoundExpr, ExprError> {
    let v = match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Boolean(*b),
        Json::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => match i32::try_from(i) {
                Ok(small) => Value::Int(small),
                Err(_) => Value::BigInt(i),
            },
            (None, Some(f)) if n.is_f64() => Value::double(f),
            _ => return Err(ExprError::new("", format!("the number {n} does not fit BIGINT; write it as a typed DECIMAL literal"))),
        },
        Json::String(s) => Value::string(s),
        Json::Array(_) | Json::Object(_) => {
            return Err(ExprError::new("", "a literal must be a JSON scalar (number, string, boolean or null)"));
        }
    };
    let t = v.data_type();
    Ok(BoundExpr::literal(v, t))
}

fn typed(json: &Json, t: DataType, ctx: &BindContext) -> Result<BoundExpr, ExprError> {
    let cannot = || {
        let shown = match json {
            Json::String(s) => format!("\"{s}\""),
            other => other.to_string(),
        };
        ExprError::new("value", format!("cannot read {shown} as {t}"))
    };
    let text = match json {
        Json::Null => return Ok(BoundExpr::literal(Value::Null, t)),
        Json::String(s) => s.clone(),
        Json::Number(n) if t.is_numeric() || t.is_interval() => n.to_string(),
        Json::Bool(b) if t == DataType::Boolean => b.to_string(),
        _ => return Err(cannot()),
    };
    let v = parse_value(&text, &t).map_err(|_| cannot())?;
    let v = match v {
        Value::TimestampLtz(local) => {
            let zone = ctx.zone().map_err(|m| ExprError::new("", m))?;
            Value::TimestampLtz(zone.to_instant(local))
        }
        other => other,
    };
    Ok(BoundExpr::literal(v, t))
}
