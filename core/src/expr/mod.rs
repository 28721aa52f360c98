//! Expressions: the JSON/SQL syntax tree ([`Expr`]), binding it to an input schema into a
//! typed [`BoundExpr`] (names resolved, types checked, implicit casts inserted), and compiling
//! that once into a [`CompiledExpr`] that evaluates a row without re-interpreting anything.

mod ast;
mod bind;
mod compile;

pub use ast::{Call, Case, Cast, ColumnRef, Expr, Literal, WhenThen};
pub use bind::{bind, common_type, BindContext, BoundExpr, ExprError};
pub use compile::{CompiledExpr, EvalError};
