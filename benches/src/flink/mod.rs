//! Apache Flink as a baseline (issue 15): the runtime that PyPI's `apache-flink` ships, run on
//! the same machine in the same harness run as Weir, over the same CSV input, into a
//! `blackhole` table.
//!
//! * [`install`]: the virtualenv with PyFlink and the OpenJDK 17 it runs on, set up only when a
//!   Flink system is asked for (a clear error when pip or Java is missing).
//! * [`driver`]: the job file given to `scripts/flink_driver.py` (one JVM per measured run:
//!   a warm-up job, the timed job, the answer job) and the figures it prints.
//! * [`answer`]: reading the CSV files of an answer back and comparing them with Weir's, so a
//!   Flink figure is only reported when Flink's answer is Weir's.
//! * [`sql`]: cutting a SQL script into statements and pointing a query's sink elsewhere.
//! * [`warmup`]: the small input of the warm-up job.

pub mod answer;
pub mod driver;
pub mod install;
pub mod sql;
pub mod warmup;
