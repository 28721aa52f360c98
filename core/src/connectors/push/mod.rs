//! The `push` source: rows handed in from outside the dataflow while the job runs (the REST
//! server's `POST /jobs/{jobid}/inputs/{table}`, tests, embedding programs).
//!
//! ```sql
//! CREATE TABLE clicks (user_name STRING, n BIGINT) WITH ('connector' = 'push')
//! ```
//!
//! The source is unbounded (`'push.bounded' = 'true'` reports it bounded; it still ends only
//! when its input is closed). Whoever started the job finds the source's [`PushInput`] through
//! [`SourceFactory::push_input`] (the runtime lists them by node id) and pushes rows into it.
//! Readers are idle while nothing is queued and finish once the input is closed and drained.
//!
//! Two modes:
//!
//! * **In memory** (`weir run`, the Python SDK, tests): every worker's reader drains the one
//!   shared queue, so each pushed row comes out exactly once whatever the worker count. A
//!   reader's offset is `{"rows": n}`, the rows it took; resuming from it replays nothing (the
//!   queue keeps no history).
//! * **Logged** ([`PushInput::attach_log`]; the REST server does it for every push table under
//!   its data directory): a push is appended to the table's [`PushLog`] and synced before it
//!   is queued and before [`PushInput::push`] returns (values encoded losslessly, see
//!   [`PushInput::rows_from_log`]), and every record has a sequence number.
//!   Worker 0's reader reads every record in sequence order (the other workers' readers only
//!   wait for the end), so its offset `{"seq": n}` — the sequence number of the next record it
//!   will return — is a position in the log, and a reader opened with that offset replays the
//!   log from there before it takes newly pushed records: a job restored from a checkpoint sees
//!   every acknowledged record exactly once. Readers only see records already in the log.

mod json;
pub mod log;

#[cfg(test)]
mod log_tests;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::error::RuntimeError;
use crate::types::{Row, Schema};

use self::json::{row_from_json, row_from_log, row_to_log};
pub use self::log::{LogReader, PushLog};
use super::options::{check_known, parse_bool};
use super::registry::Connector;
use super::{Boundedness, ConnectorError, Options, SourceFactory, SourceOffset, SourcePoll, SourceReader};

/// How long an empty reader waits before it looks at the queue again.
const IDLE: Duration = Duration::from_millis(10);

/// Why a push was refused; nothing of the batch was logged or queued.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PushError {
    /// The input was closed.
    #[error("the input is closed: no more rows can be pushed")]
    Closed,
    /// The queue holds `queued` rows the job has not read and may hold at most `max`.
    #[error("{queued} pushed rows are waiting for the job (the queue holds at most {max})")]
    Full {
        /// Rows waiting.
        queued: usize,
        /// The bound the pusher asked for.
        max: usize,
    },
    /// The log could not be written.
    #[error("{0}")]
    Log(RuntimeError),
}

/// The rows pushed and not yet read, and whether more may come.
#[derive(Default)]
struct PushQueue {
    rows: VecDeque<Row>,
    /// Rows pushed in all; with a log, the sequence number of the next row pushed, so the
    /// first queued row's is `pushed - rows.len()`.
    pushed: u64,
    closed: bool,
    logged: bool,
}

/// The outside end of a push source: a cloneable, thread-safe handle to the queue its readers
/// drain (and to its log, once attached). Rows pushed before the job starts wait in the queue.
#[derive(Clone)]
pub struct PushInput {
    queue: Arc<Mutex<PushQueue>>,
    /// Taken before `queue` by whoever takes both.
    log: Arc<Mutex<Option<PushLog>>>,
    schema: Arc<Schema>,
}

impl PushInput {
    /// An open, empty input of rows of `schema`, in memory.
    pub fn new(schema: Schema) -> PushInput {
        PushInput { queue: Arc::default(), log: Arc::default(), schema: Arc::new(schema) }
    }

    /// The columns of the rows this input takes.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    fn lock(&self) -> MutexGuard<'_, PushQueue> {
        // A poisoned queue still holds whole rows: pushes and pops never panic midway.
        self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lock_log(&self) -> MutexGuard<'_, Option<PushLog>> {
        self.log.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Makes the input durable: from now on pushes are appended to `log` first, sequence
    /// numbers continue the log's, and readers replay it from their offset (see the module
    /// doc). Attach it before the job's readers first poll when the job resumes from offsets;
    /// fails if rows were pushed already or a log is attached.
    pub fn attach_log(&self, log: PushLog) -> Result<(), RuntimeError> {
        let mut slot = self.lock_log();
        let mut queue = self.lock();
        if slot.is_some() || queue.pushed > 0 {
            return Err(RuntimeError::Io {
                context: format!("push-input log {}", log.dir().display()),
                message: "a log can only be attached to a fresh input".into(),
            });
        }
        queue.pushed = log.next_seq();
        queue.logged = true;
        *slot = Some(log);
        Ok(())
    }

    /// Appends `rows` (assumed to match [`PushInput::schema`]; see
    /// [`PushInput::rows_from_json`]) in order, all or none; with a log, returns once they are
    /// in it on disk. Blocking (fsync) when logged.
    pub fn push(&self, rows: Vec<Row>) -> Result<(), PushError> {
        self.push_bounded(rows, usize::MAX)
    }

    /// [`PushInput::push`], refused with [`PushError::Full`] when the queue would then hold
    /// more than `max_queued` rows not yet read.
    pub fn push_bounded(&self, rows: Vec<Row>, max_queued: usize) -> Result<(), PushError> {
        let mut log = self.lock_log();
        {
            let queue = self.lock();
            if queue.closed {
                return Err(PushError::Closed);
            }
            if queue.rows.len().saturating_add(rows.len()) > max_queued {
                return Err(PushError::Full { queued: queue.rows.len(), max: max_queued });
            }
        }
        if let Some(log) = log.as_mut() {
            let json: Vec<serde_json::Value> = rows.iter().map(row_to_log).collect();
            log.append(&json).map_err(PushError::Log)?;
        }
        let mut queue = self.lock();
        queue.pushed += rows.len() as u64;
        queue.rows.extend(rows);
        Ok(())
    }

    /// Ends the input (after any push in progress): readers finish once they have drained what
    /// was pushed before. Closing twice is harmless.
    pub fn close(&self) {
        let _log = self.lock_log();
        self.lock().closed = true;
    }

    /// Whether [`PushInput::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Rows pushed and not yet read by the job (for pushers that bound the queue).
    pub fn queued(&self) -> usize {
        self.lock().rows.len()
    }

    /// Rows pushed in all (with a log: the sequence number the next pushed row gets, which
    /// counts the rows logged before the log was attached).
    pub fn pushed(&self) -> u64 {
        self.lock().pushed
    }

    /// The log's directory, when one is attached.
    pub fn log_dir(&self) -> Option<std::path::PathBuf> {
        self.lock_log().as_ref().map(|log| log.dir().to_path_buf())
    }

    /// Deletes the log's records before sequence number `seq` as far as whole segments allow
    /// (retention: `seq` is the smallest `{"seq": n}` offset of the retained checkpoints); the
    /// number of segments deleted, 0 without a log. See [`PushLog::truncate_before`].
    pub fn truncate_log_before(&self, seq: u64) -> Result<usize, RuntimeError> {
        self.lock_log().as_mut().map_or(Ok(0), |log| log.truncate_before(seq))
    }

    /// Reads records as the log stores them (arrays of values in column order; see the
    /// module [`log`]) as rows of this input's schema, for readers of the log.
    pub fn rows_from_log(&self, records: &[serde_json::Value]) -> Result<Vec<Row>, String> {
        records.iter().enumerate().map(|(i, record)| row_from_log(record, &self.schema).map_err(|e| format!("record {i}, {e}"))).collect()
    }

    /// Reads JSON records as rows of this input's schema: each record is an object
    /// `{"column": value}` (missing columns are NULL) or an array of values in column order;
    /// values are read by [`crate::types::value_from_json`]. Fails on the first bad record,
    /// naming its 0-based index in `records` and the column.
    pub fn rows_from_json(&self, records: &[serde_json::Value]) -> Result<Vec<Row>, String> {
        records.iter().enumerate().map(|(i, record)| row_from_json(record, &self.schema).map_err(|e| format!("record {i}{e}"))).collect()
    }
}

/// The `push` connector (a source of rows pushed while the job runs).
pub struct PushConnector;

impl Connector for PushConnector {
    fn name(&self) -> &'static str {
        "push"
    }

    fn is_source(&self) -> bool {
        true
    }

    fn create_source(&self, options: &Options, schema: &Schema) -> Result<Arc<dyn SourceFactory>, ConnectorError> {
        Ok(Arc::new(PushSource::new(options, schema)?))
    }
}

/// A configured push source; owns the job's [`PushInput`].
pub struct PushSource {
    input: PushInput,
    bounded: bool,
}

impl PushSource {
    /// A push source of rows of `schema`; the only option is `push.bounded` (default false).
    pub fn new(options: &Options, schema: &Schema) -> Result<PushSource, ConnectorError> {
        check_known("push", options, &["push.bounded"], |k| k == "push.bounded")?;
        let bounded = parse_bool(options, "push.bounded", false)?;
        Ok(PushSource { input: PushInput::new(schema.clone()), bounded })
    }
}

impl SourceFactory for PushSource {
    fn boundedness(&self) -> Boundedness {
        if self.bounded { Boundedness::Bounded } else { Boundedness::Unbounded }
    }

    /// In memory, every split drains the same queue and `resume` replays nothing. With a log,
    /// worker 0's split reads every record from `resume`'s `{"seq": n}` on (from the oldest
    /// record in the log without one).
    fn open(&self, worker: usize, _peers: usize, resume: Option<&SourceOffset>) -> Result<Box<dyn SourceReader>, RuntimeError> {
        let field = |name: &str| resume.and_then(|o| o.0.get(name)).and_then(serde_json::Value::as_u64);
        let next = field("seq");
        Ok(Box::new(PushReader { input: self.input.clone(), worker, taken: field("rows").unwrap_or(0), next, replay: None, replayed: VecDeque::new() }))
    }

    fn push_input(&self) -> Option<PushInput> {
        Some(self.input.clone())
    }
}

/// One worker's reader (see the module doc for the two modes).
struct PushReader {
    input: PushInput,
    worker: usize,
    /// In memory: rows taken from the queue.
    taken: u64,
    /// With a log: the sequence number of the next row to return (`None` until the first poll
    /// of a reader opened without an offset).
    next: Option<u64>,
    /// With a log, while replaying: where the log is read, and rows read from it not yet
    /// returned (sequence numbers `next..`).
    replay: Option<LogReader>,
    replayed: VecDeque<Row>,
}

impl PushReader {
    fn poll_memory(&mut self, out: &mut Vec<Row>, max_rows: usize) -> SourcePoll {
        let mut queue = self.input.lock();
        let n = queue.rows.len().min(max_rows);
        out.extend(queue.rows.drain(..n));
        self.taken += n as u64;
        match (n, queue.rows.is_empty(), queue.closed) {
            (0, true, true) => SourcePoll::Finished,
            (_, true, _) => SourcePoll::Idle(IDLE),
            _ => SourcePoll::Ready,
        }
    }

    fn poll_logged(&mut self, out: &mut Vec<Row>, max_rows: usize) -> Result<SourcePoll, RuntimeError> {
        if self.worker != 0 {
            return Ok(if self.input.is_closed() { SourcePoll::Finished } else { SourcePoll::Idle(IDLE) });
        }
        let next = match self.next {
            Some(next) => next,
            None => self.input.lock_log().as_ref().map_or(0, PushLog::first_seq),
        };
        self.next = Some(next);
        if !self.replayed.is_empty() {
            return Ok(self.take_replayed(out, max_rows));
        }
        let first_queued = {
            let mut queue = self.input.lock();
            let mut first = queue.pushed - queue.rows.len() as u64;
            // Rows read before a restore within the same process.
            while first < next && queue.rows.pop_front().is_some() {
                first += 1;
            }
            if first == next {
                let n = queue.rows.len().min(max_rows);
                out.extend(queue.rows.drain(..n));
                self.next = Some(next + n as u64);
                return Ok(match (n, queue.rows.is_empty(), queue.closed) {
                    (0, true, true) => SourcePoll::Finished,
                    (_, true, _) => SourcePoll::Idle(IDLE),
                    _ => SourcePoll::Ready,
                });
            }
            first
        };
        self.replay_until(next, first_queued)?;
        Ok(self.take_replayed(out, max_rows))
    }

    /// Reads the log's next entry into `replayed`, up to (not including) record `until`.
    fn replay_until(&mut self, next: u64, until: u64) -> Result<(), RuntimeError> {
        if self.replay.is_none() {
            let log = self.input.lock_log();
            let log = log.as_ref().ok_or_else(|| RuntimeError::Io { context: "push input".into(), message: "no log to replay".into() })?;
            self.replay = Some(log.read_from(next)?);
        }
        let Some(reader) = self.replay.as_mut() else { return Ok(()) };
        let Some((first, mut records)) = reader.next_entry()? else {
            return Err(RuntimeError::Io { context: "push-input log".into(), message: format!("records {next}..{until} are missing") });
        };
        records.truncate(until.saturating_sub(first) as usize);
        for (i, record) in records.iter().enumerate() {
            let row = row_from_log(record, &self.input.schema)
                .map_err(|e| RuntimeError::Io { context: format!("push-input log, record {}", first + i as u64), message: e })?;
            self.replayed.push_back(row);
        }
        if reader.position() >= until {
            self.replay = None;
        }
        Ok(())
    }

    fn take_replayed(&mut self, out: &mut Vec<Row>, max_rows: usize) -> SourcePoll {
        let n = self.replayed.len().min(max_rows);
        out.extend(self.replayed.drain(..n));
        self.next = self.next.map(|next| next + n as u64);
        SourcePoll::Ready
    }
}

impl SourceReader for PushReader {
    fn poll(&mut self, out: &mut Vec<Row>, max_rows: usize) -> Result<SourcePoll, RuntimeError> {
        let logged = self.input.lock().logged;
        if logged { self.poll_logged(out, max_rows) } else { Ok(self.poll_memory(out, max_rows)) }
    }

    /// In memory `{"rows": n}`, the rows this split took; with a log `{"seq": n}`, the sequence
    /// number of the next record it returns.
    fn offset(&self) -> SourceOffset {
        match self.next {
            Some(next) => SourceOffset(serde_json::json!({ "seq": next })),
            None => SourceOffset(serde_json::json!({ "rows": self.taken })),
        }
    }
}
