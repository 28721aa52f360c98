//! The logical plan: the JSON job spec ([`JobSpec`]) and its validation into a typed plan
//! ([`ValidatedPlan`]) that the compiler turns into a dataflow.

mod load;
pub mod paths;
mod spec;
mod stateful;
mod time;
mod typed;
mod validate;

pub use load::{job_spec_schema, parse_job_spec};
pub use spec::*;
pub use time::WINDOW_COLUMNS;
pub use typed::*;
pub use validate::{aggregate_type, job_config, validate, validate_with_functions, PlanValidator};
