//! The data model: SQL types, values, rows and schemas.

mod data_type;
mod decimal;
mod decimal_arith;
mod row;
mod schema;
pub mod temporal;
mod value;

pub use data_type::{DataType, ParseTypeError};
pub use decimal::{pow10, Decimal};
pub use row::Row;
pub use schema::{edit_distance, Field, Schema};
pub use value::{format_double, Value, F64};
mod state_codec;
mod parse;
pub use parse::{parse_value, ParseValueError};
mod row_kind;
pub use row_kind::RowKind;
mod json;
pub use json::{value_from_json, value_to_json};
