//! Expressions: the JSON/SQL syntax tree ([`Expr`]), binding it to an input schema into a
//! typed [`BoundExpr`] (names resolved, types checked, implicit casts inserted), and compiling
//! that once into a [`CompiledExpr`] that evaluates a row without re-interpreting anything.
//!
//! Every function and operator, with its signature and result type, is listed in
//! `docs/functions.md`. Table functions (for the plan's `flat_map` node) live in
//! [`table_functions`].

mod ast;
mod bind;
mod bound;
mod compile;
mod equality;
mod error;
mod functions;
mod java_format;
mod like;
mod literal;
mod native;
pub mod table_functions;
mod types;
mod unnest;
mod watermark;
mod zone;

#[cfg(test)]
mod tests;

pub use ast::{Call, Case, Cast, ColumnRef, Expr, Literal, WhenThen};
pub use bind::{BindContext, bind};
pub use bound::BoundExpr;
pub use compile::CompiledExpr;
pub use error::{EvalError, ExprError};
pub use functions::function_names;
pub use table_functions::{BoundTableFunction, CompiledTableFunction, TableFunction, TableFunctionRegistry, bind_table_function};
pub use types::common_type;
pub use unnest::UNNEST_WITH_ORDINALITY;
pub use watermark::{RowClock, WatermarkScope};
