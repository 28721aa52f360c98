//! The job runtime: runs a validated plan on N timely workers, drives them until every sink has
//! seen all of its input (or the job is cancelled or fails), and reports the outcome.

mod context;
mod metrics;
mod run;

pub use context::{CancelToken, JobContext};
pub use metrics::{JobMetrics, OperatorMetrics, OperatorMetricsSnapshot};
pub use run::{default_workers, run_job, start_job, start_physical, JobOutcome, RunOptions, RunningJob};
