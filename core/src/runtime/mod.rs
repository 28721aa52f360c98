//! The job runtime: runs a validated plan on N timely workers, drives them until every sink has
//! seen all of its input (or the job is cancelled or fails), and reports the outcome. The
//! state the workers share while they run is in [`crate::job`].

mod attempt;
mod backoff;
pub mod huge_pages;
mod run;
mod state_dir;

pub use attempt::{AttemptFailure, JobAttempts};
pub use run::{JobOutcome, RunOptions, RunningJob, default_workers, push_inputs, run_job, start_job, start_physical};
