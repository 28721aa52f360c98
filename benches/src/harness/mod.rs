//! The pieces of the `weir-bench-groupby` harness: where datasets live ([`dataset`]), the Weir
//! job spec of the query ([`spec`]), the machine ([`machine`]), how each system under test is
//! run and its answer read ([`systems`]), and the results table and JSON file ([`report`]).

pub mod dataset;
pub mod machine;
pub mod report;
pub mod spec;
pub mod systems;
