//! The error type of the benchmark library: bad input files (always naming the place) and
//! dataflows that could not start or whose workers failed.

use std::path::PathBuf;

/// A benchmark run failed. Input errors name the file, and parse errors the byte offset of the
/// offending line, so a bad dataset can be inspected with `tail -c +OFFSET FILE | head -1`.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The file could not be opened, sized, sought or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The CSV reader rejected the bytes (e.g. invalid quoting).
    #[error("{path}: CSV error near byte {byte}: {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// Byte offset of the line being read.
        byte: u64,
        /// What the CSV reader said.
        source: csv::Error,
    },
    /// A line has the wrong number of fields or a field is not what the schema says.
    #[error("{path}: line at byte {byte}: {message}")]
    Row {
        /// The file.
        path: PathBuf,
        /// Byte offset of the line's first byte.
        byte: u64,
        /// What is wrong, quoting the field.
        message: String,
    },
    /// timely could not start its workers, a worker panicked, or the dataflow produced something
    /// impossible (e.g. a result row with multiplicity other than one).
    #[error("dataflow: {0}")]
    Dataflow(String),
}
