//! Push inputs made durable and bounded: every batch pushed into a job's `push` table is
//! appended to that table's input log and fsynced *before* it enters the job's queue (and
//! before the server answers 2xx); a queue already holding `--max-push-queue-rows` rows refuses
//! more with 429 and `Retry-After`, so a fast pusher cannot grow the server's memory.
//!
//! The log is replayable (recovery is issue #16's): one file per job and table,
//! `<data-dir>/push-log/<jobid>/<table>.log`, written only by appending:
//!
//! ```text
//! WEIRPUSH1\n                                     magic and format version
//! {"job": "<jobid>", "table": "...", "columns": ["a", "b"]}\n
//! frame*: u32 LE payload length | u32 LE CRC-32 of payload | payload
//! ```
//!
//! Each frame is one accepted request: a JSON array of rows, each an array of values in column
//! order (`value_to_json`, read back by `PushInput::rows_from_json`). A torn tail (a crash
//! mid-append) shows as a frame whose length runs past the end of the file or whose CRC does
//! not match; [`read_log`] stops there and says so. Such a frame was never acknowledged.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use weir_core::connectors::PushInput;
use weir_core::types::Row;

use super::changelog::row_json;
use super::error::ApiError;
use super::registry::{push_log_dir, sync_dir};

/// First line of every push-input log.
pub const MAGIC: &[u8] = b"WEIRPUSH1\n";

/// A push input of a running job with its log and queue bound.
pub struct LoggedInput {
    /// The job's end of the input.
    pub input: PushInput,
    log: Mutex<Option<File>>,
    path: PathBuf,
    header: serde_json::Value,
    max_queue: usize,
}

/// Where a job's table logs go: a file name that keeps letters, digits, `_` and `-`, and
/// escapes every other byte as `%XX` (a table name is a SQL identifier, never a path).
fn file_name(table: &str) -> String {
    let mut name = String::with_capacity(table.len() + 4);
    for b in table.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            name.push(b as char);
        } else {
            name.push_str(&format!("%{b:02X}"));
        }
    }
    name + ".log"
}

impl LoggedInput {
    /// The input `table` of job `jid`, logged under `data_dir`, queue bounded to `max_queue`.
    pub fn new(input: PushInput, data_dir: &Path, jid: &str, table: &str, max_queue: usize) -> LoggedInput {
        let columns: Vec<&str> = input.schema().names().collect();
        let header = serde_json::json!({"job": jid, "table": table, "columns": columns});
        LoggedInput { path: push_log_dir(data_dir, jid).join(file_name(table)), input, log: Mutex::new(None), header, max_queue }
    }

    /// The log file's path.
    #[cfg_attr(not(test), expect(dead_code, reason = "for recovery (issue #16) and tests"))]
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, Option<File>> {
        self.log.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn open(&self) -> std::io::Result<File> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&self.path)?;
        if file.metadata()?.len() == 0 {
            file.write_all(MAGIC)?;
            file.write_all(self.header.to_string().as_bytes())?;
            file.write_all(b"\n")?;
            file.sync_all()?;
            sync_dir(dir)?;
        }
        Ok(file)
    }

    /// Logs `rows` durably, then queues them into the job, all or none. Blocking (fsync):
    /// call it from a blocking thread. 429 when the queue would exceed its bound, 409 when the
    /// input is closed, 500 when the log cannot be written (nothing is queued then).
    pub fn push(&self, table: &str, rows: Vec<Row>) -> Result<(), ApiError> {
        let mut log = self.lock();
        if self.input.is_closed() {
            return Err(ApiError::Conflict(format!("table \"{table}\": the input is closed: no more rows can be pushed")));
        }
        let queued = self.input.queued();
        if queued + rows.len() > self.max_queue {
            return Err(ApiError::Backpressure(format!(
                "table \"{table}\": {queued} pushed rows are waiting for the job (the queue holds at most {}, --max-push-queue-rows); retry later",
                self.max_queue
            )));
        }
        let payload =
            serde_json::to_vec(&rows.iter().map(row_json).collect::<Vec<_>>()).map_err(|e| ApiError::Internal(format!("cannot encode pushed rows: {e}")))?;
        let len = u32::try_from(payload.len()).map_err(|_| ApiError::BadRequest("a push batch must encode to less than 4 GiB".into()))?;
        let cannot = |e: std::io::Error| ApiError::Internal(format!("cannot write the push log {}: {e}", self.path.display()));
        if log.is_none() {
            *log = Some(self.open().map_err(cannot)?);
        }
        let file = log.as_mut().ok_or_else(|| ApiError::Internal("push log not open".into()))?;
        let mut frame = Vec::with_capacity(payload.len() + 8);
        frame.extend_from_slice(&len.to_le_bytes());
        frame.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        frame.extend_from_slice(&payload);
        if let Err(e) = file.write_all(&frame).and_then(|()| file.sync_data()) {
            // The file may now end in a torn frame; reopen (appending after it) next time.
            *log = None;
            return Err(cannot(e));
        }
        self.input.push(rows).map_err(|e| ApiError::Conflict(format!("table \"{table}\": {e}")))
    }

    /// Ends the input (after any push in progress).
    pub fn close(&self) {
        let mut log = self.lock();
        self.input.close();
        *log = None;
    }
}

/// What a push-input log holds.
#[derive(Debug)]
#[cfg_attr(not(test), expect(dead_code, reason = "read by recovery (issue #16) and tests"))]
pub struct LogContents {
    /// The header (`job`, `table`, `columns`).
    pub header: serde_json::Value,
    /// Each acknowledged batch: rows as arrays of JSON values.
    pub batches: Vec<Vec<serde_json::Value>>,
    /// Whether the file ends in a torn (never acknowledged) frame, ignored here.
    pub torn_tail: bool,
}

/// Reads a push-input log (for replay and tests).
#[cfg_attr(not(test), expect(dead_code, reason = "read by recovery (issue #16) and tests"))]
pub fn read_log(path: &Path) -> Result<LogContents, String> {
    let mut bytes = Vec::new();
    File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let rest = bytes.strip_prefix(MAGIC).ok_or_else(|| format!("{} is not a push-input log (no WEIRPUSH1 line)", path.display()))?;
    let newline = rest.iter().position(|b| *b == b'\n').ok_or_else(|| format!("{}: the header line is torn", path.display()))?;
    let header = serde_json::from_slice(&rest[..newline]).map_err(|e| format!("{}: bad header: {e}", path.display()))?;
    let mut at = &rest[newline + 1..];
    let mut batches = Vec::new();
    let mut torn_tail = false;
    while !at.is_empty() {
        let Some((len, crc)) = at.get(..8).map(|h| (u32::from_le_bytes([h[0], h[1], h[2], h[3]]) as usize, u32::from_le_bytes([h[4], h[5], h[6], h[7]])))
        else {
            torn_tail = true;
            break;
        };
        match at.get(8..8 + len) {
            Some(payload) if crc32fast::hash(payload) == crc => {
                let rows: Vec<serde_json::Value> = serde_json::from_slice(payload).map_err(|e| format!("{}: a frame is not JSON: {e}", path.display()))?;
                batches.push(rows);
                at = &at[8 + len..];
            }
            _ => {
                torn_tail = true;
                break;
            }
        }
    }
    Ok(LogContents { header, batches, torn_tail })
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

    #[test]
    fn batches_are_logged_before_they_are_queued_and_a_torn_tail_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let logged = LoggedInput::new(input(), dir.path(), "ab", "clicks/../x", 10);
        logged.push("t", vec![row("a", 1), row("b", 2)]).unwrap();
        logged.push("t", vec![row("c", 3)]).unwrap();
        assert_eq!(logged.path().file_name().unwrap(), "clicks%2F%2E%2E%2Fx.log");
        let contents = read_log(logged.path()).unwrap();
        assert_eq!(contents.header["columns"], serde_json::json!(["name", "n"]));
        assert_eq!(contents.batches, vec![vec![serde_json::json!(["a", 1]), serde_json::json!(["b", 2])], vec![serde_json::json!(["c", 3])]]);
        assert!(!contents.torn_tail);
        // Replay reads the rows back as the input's rows.
        assert_eq!(logged.input.rows_from_json(&contents.batches[0]).unwrap(), vec![row("a", 1), row("b", 2)]);
        // A crash mid-append: half a frame.
        let mut bytes = std::fs::read(logged.path()).unwrap();
        bytes.truncate(bytes.len() - 3);
        std::fs::write(logged.path(), &bytes).unwrap();
        let contents = read_log(logged.path()).unwrap();
        assert_eq!(contents.batches.len(), 1);
        assert!(contents.torn_tail);
    }

    #[test]
    fn a_full_queue_refuses_with_backpressure_and_logs_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let logged = LoggedInput::new(input(), dir.path(), "ab", "t", 3);
        logged.push("t", vec![row("a", 1), row("b", 2)]).unwrap();
        let err = logged.push("t", vec![row("c", 3), row("d", 4)]).unwrap_err();
        assert!(matches!(err, ApiError::Backpressure(_)), "{err}");
        assert_eq!(read_log(logged.path()).unwrap().batches.len(), 1);
        assert_eq!(logged.input.queued(), 2);
        logged.close();
        assert!(matches!(logged.push("t", vec![row("e", 5)]), Err(ApiError::Conflict(_))));
    }
}
