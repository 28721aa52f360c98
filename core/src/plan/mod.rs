//! The logical plan: the JSON job spec ([`JobSpec`]) and its validation into a typed plan.

mod spec;

pub use spec::*;
