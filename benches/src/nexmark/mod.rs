//! The Nexmark benchmark: the queries as SQL ([`queries`]), Weir running one of them
//! ([`weir_query`]), the generator alone ([`generator`]), hand-written timely/differential
//! baselines of q0–q2, q5 and the tumbling-window count fed by the same generator
//! ([`baseline`], [`baseline_windows`]), the harness behind `weir-bench nexmark` that runs them
//! all as measured subprocesses ([`harness`], [`report`]), and the memory run of a query on an
//! unbounded source ([`memory`]); [`settings`]: a run's `SET`s and checkpoint interval;
//! Apache Flink over the bids written as CSV ([`csv_input`], [`flink`]), next to Weir over the
//! same files.

pub mod baseline;
pub mod baseline_windows;
pub mod csv_input;
pub mod exec;
pub mod flink;
pub mod generator;
pub mod harness;
pub mod memory;
pub mod queries;
pub mod report;
pub mod settings;
pub mod weir_query;
