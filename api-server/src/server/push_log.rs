//! Push inputs made durable and bounded: when a job starts, every `push` table of it gets a
//! [`PushLog`] under the data directory, attached to its input, so every batch pushed is
//! appended to the log and synced *before* it enters the job's queue (and before the server
//! answers 2xx); a queue already holding `--max-push-queue-rows` rows refuses more with 429
//! and `Retry-After`, so a fast pusher cannot grow the server's memory.
//!
//! One log per job and table: the directory `<data-dir>/push-log/<jobid>/<table>/` of segment
//! files (format, sequence numbers, torn tails, retention: `weir_core::connectors::push::log`,
//! and docs/fault-tolerance.md). A table name is a SQL identifier, never a path: letters,
//! digits, `_` and `-` are kept and every other byte is escaped as `%XX`.

use std::path::{Path, PathBuf};

use weir_core::connectors::{PushError, PushInput, PushLog};
use weir_core::types::Row;

use super::error::ApiError;
use super::registry::push_log_dir;

/// A push input of a running job with its log and queue bound.
pub struct LoggedInput {
    /// The job's end of the input.
    pub input: PushInput,
    /// Why the log could not be opened, if it could not: pushes are refused then.
    log_error: Option<String>,
    max_queue: usize,
}

/// The directory of table `table`'s log in the job's push-log directory.
fn dir_name(table: &str) -> String {
    let mut name = String::with_capacity(table.len());
    for b in table.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            name.push(b as char);
        } else {
            name.push_str(&format!("%{b:02X}"));
        }
    }
    name
}

/// Where the log of table `table` of job `jid` is kept.
pub fn log_dir(data_dir: &Path, jid: &str, table: &str) -> PathBuf {
    push_log_dir(data_dir, jid).join(dir_name(table))
}

impl LoggedInput {
    /// The input `table` of job `jid`, logged under `data_dir`, queue bounded to `max_queue`.
    /// Opens (or reopens, continuing its sequence numbers) the table's log and attaches it,
    /// unless a log is attached already (a job restored from a checkpoint gets its log before
    /// it starts, so that its readers can replay it).
    pub fn new(input: PushInput, data_dir: &Path, jid: &str, table: &str, max_queue: usize) -> LoggedInput {
        if input.log_dir().is_some() {
            return LoggedInput { input, log_error: None, max_queue };
        }
        let columns: Vec<&str> = input.schema().names().collect();
        let attached = PushLog::open(&log_dir(data_dir, jid, table), &columns).and_then(|log| input.attach_log(log));
        let log_error = attached.err().map(|e| {
            tracing::error!(job = jid, table, error = %e, "cannot open the push-input log; pushes will be refused");
            e.to_string()
        });
        LoggedInput { input, log_error, max_queue }
    }

    /// Logs `rows` durably, then queues them into the job, all or none. Blocking (fsync):
    /// call it from a blocking thread. 429 when the queue would exceed its bound, 409 when the
    /// input is closed, 500 when the log cannot be written (nothing is queued then).
    pub fn push(&self, table: &str, rows: Vec<Row>) -> Result<(), ApiError> {
        if let Some(e) = &self.log_error {
            return Err(ApiError::Internal(format!("table \"{table}\": the push-input log is unavailable: {e}")));
        }
        self.input.push_bounded(rows, self.max_queue).map_err(|e| match e {
            PushError::Closed => ApiError::Conflict(format!("table \"{table}\": {e}")),
            PushError::Full { .. } => ApiError::Backpressure(format!("table \"{table}\": {e} (--max-push-queue-rows); retry later")),
            PushError::Log(e) => ApiError::Internal(format!("table \"{table}\": cannot write the push-input log: {e}")),
        })
    }

    /// Ends the input (after any push in progress).
    pub fn close(&self) {
        self.input.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use weir_core::types::{DataType, Field, Schema, Value};

    fn input() -> PushInput {
        PushInput::new(Schema::new(vec![Field::new("name", DataType::String), Field::new("n", DataType::BigInt)]))
    }

    fn row(name: &str, n: i64) -> Row {
        Row::new(vec![Value::String(name.into()), Value::BigInt(n)])
    }

    /// The rows in the log of `logged`, read back independently of the input.
    fn logged_rows(dir: &Path) -> Vec<Row> {
        let log = PushLog::open(dir, &["name", "n"]).unwrap();
        let mut reader = log.read_from(0).unwrap();
        let mut rows = Vec::new();
        while let Some((_, records)) = reader.next_entry().unwrap() {
            rows.extend(input().rows_from_log(&records).unwrap());
        }
        rows
    }

    #[test]
    fn batches_are_logged_before_they_are_queued_under_an_escaped_name() {
        let dir = tempfile::tempdir().unwrap();
        let logged = LoggedInput::new(input(), dir.path(), "ab", "clicks/../x", 10);
        logged.push("t", vec![row("a", 1), row("b", 2)]).unwrap();
        logged.push("t", vec![row("c", 3)]).unwrap();
        let log = log_dir(dir.path(), "ab", "clicks/../x");
        assert_eq!(log.file_name().unwrap(), "clicks%2F%2E%2E%2Fx");
        assert_eq!(logged.input.log_dir(), Some(log.clone()));
        assert_eq!(logged_rows(&log), vec![row("a", 1), row("b", 2), row("c", 3)]);
    }

    #[test]
    fn a_full_queue_refuses_with_backpressure_and_logs_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let logged = LoggedInput::new(input(), dir.path(), "ab", "t", 3);
        logged.push("t", vec![row("a", 1), row("b", 2)]).unwrap();
        let err = logged.push("t", vec![row("c", 3), row("d", 4)]).unwrap_err();
        assert!(matches!(err, ApiError::Backpressure(_)), "{err}");
        assert_eq!(logged_rows(&log_dir(dir.path(), "ab", "t")).len(), 2);
        assert_eq!(logged.input.queued(), 2);
        logged.close();
        assert!(matches!(logged.push("t", vec![row("e", 5)]), Err(ApiError::Conflict(_))));
    }

    #[test]
    fn an_input_attached_before_the_job_started_keeps_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let log = log_dir(dir.path(), "ab", "t");
        let mut earlier = PushLog::open(&log, &["name", "n"]).unwrap();
        earlier.append(&[serde_json::json!(["a", 1])]).unwrap();
        drop(earlier);
        let restored = input();
        restored.attach_log(PushLog::open(&log, &["name", "n"]).unwrap()).unwrap();
        let logged = LoggedInput::new(restored, dir.path(), "ab", "t", 10);
        logged.push("t", vec![row("b", 2)]).unwrap();
        assert_eq!(logged.input.pushed(), 2);
        assert_eq!(logged_rows(&log), vec![row("a", 1), row("b", 2)]);
    }

    #[test]
    fn a_log_that_cannot_be_opened_refuses_pushes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("push-log"), "a file where the directory goes").unwrap();
        let logged = LoggedInput::new(input(), dir.path(), "ab", "t", 3);
        let err = logged.push("t", vec![row("a", 1)]).unwrap_err();
        assert!(matches!(err, ApiError::Internal(ref m) if m.contains("push-input log is unavailable")), "{err}");
        assert_eq!(logged.input.queued(), 0);
    }
}
