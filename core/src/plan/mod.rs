//! The logical plan: the JSON job spec ([`JobSpec`]) and its validation into a typed plan
//! ([`ValidatedPlan`]) that the compiler turns into a dataflow.

pub mod checkpointing;
mod join_spec;
mod limits;
mod load;
mod over_spec;
pub mod paths;
mod projection;
pub mod restart;
mod reuse;
mod sorted_over;
mod spec;
mod stateful;
mod time;
mod typed;
mod validate;

pub use limits::{
    DeepJsonError, HARD_MAX_EXPRESSION_DEPTH, Limits, MAX_EXPRESSION_DEPTH, MAX_PLAN_NODES, MAX_STATEMENT_LENGTH, json_depth, parse_deep_json, with_stack,
};
pub use load::{job_spec_schema, parse_job_spec, parse_job_spec_with};
pub use projection::push_projections;
pub use reuse::{REUSE_SOURCE_CONFIG, REUSE_SUB_PLAN_CONFIG, ReuseSettings, merge_equal_subplans};
pub use spec::*;
pub use time::WINDOW_COLUMNS;
pub use typed::*;
pub use validate::{PlanValidator, aggregate_type, job_config, validate, validate_with_functions};
