//! Weir's engine: the data model, expressions, the logical plan (= the JSON job spec), the SQL
//! front end, the compiler from plan to timely/differential dataflow, operators, connectors and
//! the job runtime.
//!
//! The path a job takes: [`sql`] → [`plan`] → [`physical`] → [`compile`] → [`ops`] + [`connectors`] →
//! [`runtime`]; [`job`] is the entry point front ends call.
#![forbid(missing_docs)]

pub mod compile;
pub mod connectors;
pub mod error;
pub mod expr;
pub mod job;
pub mod ops;
pub mod physical;
pub mod plan;
pub mod prepare;
pub mod runtime;
pub mod sql;
pub mod types;
pub mod udf;

pub use error::{Error, PlanError, RuntimeError, SpecPath};
