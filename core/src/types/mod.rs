//! The data model: SQL types, values, rows and schemas.

mod composite;
mod data_type;
mod decimal;
mod decimal_arith;
mod java_hash;
mod row;
mod schema;
pub mod temporal;
mod value;

pub use data_type::{DataType, ParseTypeError};
pub use decimal::{Decimal, pow10};
pub use row::Row;
pub use schema::{Field, Schema, edit_distance};
pub use value::{F32, F64, Value, format_collection, format_double, format_float};
mod parse;
mod state_codec;
pub use parse::{ParseValueError, parse_value};
pub(crate) use state_codec::{decode_row_values, encode_row_values};
mod row_kind;
pub use row_kind::RowKind;
mod json;
pub use json::{float_json_number, value_from_json, value_to_json};
