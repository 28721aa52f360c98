//! The expression tree as written in a JSON job spec (and produced by the SQL planner).
//!
//! This is syntax only: names are not resolved and nothing is typed. [`crate::expr::bind`]
//! turns it into a typed expression against an input schema, and that is compiled once
//! per operator; the tree is never walked per record.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::types::DataType;

/// An expression over the columns of one input row.
///
/// JSON forms: `{"column": "price"}`, `{"column": 2}`, `{"literal": 5}`,
/// `{"literal": {"value": "2023-11-14", "type": "DATE"}}`,
/// `{"call": {"function": "+", "args": [..]}}`, `{"cast": {"expr": .., "type": "BIGINT"}}`,
/// `{"case": {"when": [{"when": .., "then": ..}], "else": ..}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Expr {
    /// A column of the input, by name or by position (0-based).
    Column(ColumnRef),
    /// A constant.
    Literal(Literal),
    /// A function or operator applied to arguments (`+`, `=`, `AND`, `UPPER`, `LIKE`, ...).
    Call(Call),
    /// `CAST(expr AS type)`, or `TRY_CAST` (NULL instead of an error) when `try` is set.
    Cast(Cast),
    /// `CASE [operand] WHEN .. THEN .. [ELSE ..] END`.
    Case(Case),
}

/// A column reference: its name, or its 0-based position in the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ColumnRef {
    /// By position.
    Index(usize),
    /// By name (case-sensitive).
    Name(String),
}

/// A constant: a JSON scalar whose type is inferred (integers that fit 32 bits are INT,
/// larger ones BIGINT, decimals DOUBLE, strings STRING, `null` NULL), or an explicitly typed
/// value whose JSON scalar is read as that type (`{"value": "2023-11-14", "type": "DATE"}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Literal {
    /// A value with its type spelled out.
    Typed {
        /// The value, as a JSON scalar (dates, timestamps and decimals as strings).
        value: serde_json::Value,
        /// Its SQL type.
        #[serde(rename = "type")]
        data_type: DataType,
    },
    /// A JSON scalar with an inferred type.
    Plain(serde_json::Value),
}

/// A function call. Function names are case-insensitive; operators are written as in SQL:
/// `+ - * / %`, `= <> < <= > >=`, `AND OR NOT`, `IS NULL`, `IS NOT NULL`, `IN`, `NOT IN`,
/// `BETWEEN`, `NOT BETWEEN`, `LIKE`, `NOT LIKE`, `NEGATE` (unary minus), and the named
/// functions listed in `docs/job-spec.md`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Call {
    /// Function or operator name.
    pub function: String,
    /// Arguments, in order.
    #[serde(default)]
    pub args: Vec<Expr>,
}

/// A conversion to another type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Cast {
    /// The value to convert.
    pub expr: Box<Expr>,
    /// The target type.
    #[serde(rename = "type")]
    pub data_type: DataType,
    /// `TRY_CAST`: a value that cannot be converted becomes NULL instead of failing the job.
    #[serde(default, rename = "try", skip_serializing_if = "std::ops::Not::not")]
    pub try_cast: bool,
}

/// A CASE expression. With an `operand`, each `when` is compared to it for equality;
/// without, each `when` is a condition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Case {
    /// The value compared against each branch (simple CASE), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operand: Option<Box<Expr>>,
    /// The branches, tried in order.
    pub when: Vec<WhenThen>,
    /// The result when no branch matches (NULL when absent).
    #[serde(default, rename = "else", skip_serializing_if = "Option::is_none")]
    pub else_result: Option<Box<Expr>>,
}

/// One `WHEN .. THEN ..` branch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WhenThen {
    /// The condition (or the value compared to the operand).
    pub when: Expr,
    /// The result when it matches.
    pub then: Expr,
}

impl Expr {
    /// `{"column": name}`.
    pub fn col(name: &str) -> Expr {
        Expr::Column(ColumnRef::Name(name.to_string()))
    }

    /// `{"column": index}`.
    pub fn col_at(index: usize) -> Expr {
        Expr::Column(ColumnRef::Index(index))
    }

    /// A literal from a JSON scalar.
    pub fn lit(value: impl Into<serde_json::Value>) -> Expr {
        Expr::Literal(Literal::Plain(value.into()))
    }

    /// A typed literal.
    pub fn typed_lit(value: impl Into<serde_json::Value>, data_type: DataType) -> Expr {
        Expr::Literal(Literal::Typed { value: value.into(), data_type })
    }

    /// `function(args..)`.
    pub fn call(function: &str, args: Vec<Expr>) -> Expr {
        Expr::Call(Call { function: function.to_string(), args })
    }

    /// `CAST(self AS data_type)`.
    pub fn cast(self, data_type: DataType) -> Expr {
        Expr::Cast(Cast { expr: Box::new(self), data_type, try_cast: false })
    }
}
