//! The Nexmark benchmark: the queries as SQL ([`queries`]), Weir running one of them
//! ([`weir_query`]), the generator alone ([`generator`]), hand-written timely/differential
//! baselines of q0–q2 fed by the same generator ([`baseline`]), and the harness behind
//! `weir bench nexmark` that runs them all as measured subprocesses ([`harness`], [`report`]).

pub mod baseline;
pub mod exec;
pub mod generator;
pub mod harness;
pub mod queries;
pub mod report;
pub mod weir_query;
