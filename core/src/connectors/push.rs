//! The `push` source: rows handed in from outside the dataflow while the job runs (the REST
//! server's `POST /jobs/{jobid}/inputs/{table}`, tests, embedding programs).
//!
//! ```sql
//! CREATE TABLE clicks (user_name STRING, n BIGINT) WITH ('connector' = 'push')
//! ```
//!
//! The source is unbounded (`'push.bounded' = 'true'` reports it bounded; it still ends only
//! when its input is closed). Whoever started the job finds the source's [`PushInput`] through
//! [`SourceFactory::push_input`] (the runtime lists them by node id) and pushes rows into it;
//! every worker's reader drains the one shared queue, so each pushed row comes out exactly once
//! whatever the worker count. Readers are idle while the queue is empty and finish once the
//! input is closed and drained.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::error::RuntimeError;
use crate::types::{Row, Schema, Value, value_from_json};

use super::options::{check_known, parse_bool};
use super::registry::Connector;
use super::{Boundedness, ConnectorError, Options, SourceFactory, SourceOffset, SourcePoll, SourceReader};

/// How long an empty reader waits before it looks at the queue again.
const IDLE: Duration = Duration::from_millis(10);

/// Pushing into an input that was closed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the input is closed: no more rows can be pushed")]
pub struct PushClosed;

/// The rows pushed and not yet read, and whether more may come.
#[derive(Default)]
struct PushQueue {
    rows: VecDeque<Row>,
    pushed: u64,
    closed: bool,
}

/// The outside end of a push source: a cloneable, thread-safe handle to the queue its readers
/// drain. Rows pushed before the job starts wait in the queue.
#[derive(Clone)]
pub struct PushInput {
    queue: Arc<Mutex<PushQueue>>,
    schema: Arc<Schema>,
}

impl PushInput {
    /// An open, empty input of rows of `schema`.
    pub fn new(schema: Schema) -> PushInput {
        PushInput { queue: Arc::default(), schema: Arc::new(schema) }
    }

    /// The columns of the rows this input takes.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    fn lock(&self) -> MutexGuard<'_, PushQueue> {
        // A poisoned queue still holds whole rows: pushes and pops never panic midway.
        self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends `rows` (assumed to match [`PushInput::schema`]; see
    /// [`PushInput::rows_from_json`]) in order, all or none.
    pub fn push(&self, rows: Vec<Row>) -> Result<(), PushClosed> {
        let mut queue = self.lock();
        if queue.closed {
            return Err(PushClosed);
        }
        queue.pushed += rows.len() as u64;
        queue.rows.extend(rows);
        Ok(())
    }

    /// Ends the input: readers finish once they have drained what was pushed before.
    /// Closing twice is harmless.
    pub fn close(&self) {
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

    /// Rows pushed since the input was created.
    pub fn pushed(&self) -> u64 {
        self.lock().pushed
    }

    /// Reads JSON records as rows of this input's schema: each record is an object
    /// `{"column": value}` (missing columns are NULL) or an array of values in column order;
    /// values are read by [`value_from_json`]. Fails on the first bad record, naming its
    /// 0-based index in `records` and the column.
    pub fn rows_from_json(&self, records: &[serde_json::Value]) -> Result<Vec<Row>, String> {
        records.iter().enumerate().map(|(i, record)| row_from_json(record, &self.schema).map_err(|e| format!("record {i}{e}"))).collect()
    }
}

/// One JSON record as a row of `schema`; errors start with `, field "name": ...` or `: ...`.
fn row_from_json(record: &serde_json::Value, schema: &Schema) -> Result<Row, String> {
    let null = serde_json::Value::Null;
    let values: Vec<&serde_json::Value> = match record {
        serde_json::Value::Object(map) => {
            if let Some(key) = map.keys().find(|k| schema.index_of(k).is_none()) {
                let hint = schema.closest_name(key).map(|c| format!(" (did you mean \"{c}\"?)")).unwrap_or_default();
                let names: Vec<&str> = schema.names().collect();
                return Err(format!(", field \"{key}\": no such column{hint}; columns: {}", names.join(", ")));
            }
            schema.fields.iter().map(|f| map.get(&f.name).unwrap_or(&null)).collect()
        }
        serde_json::Value::Array(items) if items.len() == schema.len() => items.iter().collect(),
        serde_json::Value::Array(items) => {
            return Err(format!(": has {} values but the table has {} columns ({})", items.len(), schema.len(), schema.names().collect::<Vec<_>>().join(", ")));
        }
        other => return Err(format!(": expected an object {{\"column\": value}} or an array of values, found {other}")),
    };
    let mut row = Vec::with_capacity(values.len());
    for (field, json) in schema.fields.iter().zip(values) {
        let value = value_from_json(json, &field.data_type).map_err(|e| format!(", field \"{}\": {e}", field.name))?;
        if value == Value::Null && !field.nullable {
            return Err(format!(", field \"{}\": is null (or missing) but the column is NOT NULL", field.name));
        }
        row.push(value);
    }
    Ok(Row::new(row))
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

    /// Every split drains the same queue. `resume` is accepted but replays nothing: the queue
    /// keeps no history, so after a restart the pusher has to push again the rows after the
    /// checkpointed offset (replay needs the pusher's cooperation).
    fn open(&self, _worker: usize, _peers: usize, resume: Option<&SourceOffset>) -> Result<Box<dyn SourceReader>, RuntimeError> {
        let taken = resume.and_then(|o| o.0.get("rows")).and_then(serde_json::Value::as_u64).unwrap_or(0);
        Ok(Box::new(PushReader { input: self.input.clone(), taken }))
    }

    fn push_input(&self) -> Option<PushInput> {
        Some(self.input.clone())
    }
}

/// One worker's reader: takes whatever is queued, up to the batch size.
struct PushReader {
    input: PushInput,
    taken: u64,
}

impl SourceReader for PushReader {
    fn poll(&mut self, out: &mut Vec<Row>, max_rows: usize) -> Result<SourcePoll, RuntimeError> {
        let mut queue = self.input.lock();
        let n = queue.rows.len().min(max_rows);
        out.extend(queue.rows.drain(..n));
        self.taken += n as u64;
        Ok(match (n, queue.rows.is_empty(), queue.closed) {
            (0, true, true) => SourcePoll::Finished,
            (_, true, _) => SourcePoll::Idle(IDLE),
            _ => SourcePoll::Ready,
        })
    }

    /// `{"rows": n}`: the rows this split has taken from the queue.
    fn offset(&self) -> SourceOffset {
        SourceOffset(serde_json::json!({ "rows": self.taken }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::create_source;
    use crate::connectors::testing::{opts, read_all, schema};
    use crate::types::DataType;
    use serde_json::json;

    fn clicks() -> Schema {
        schema(&[("user_name", DataType::String), ("n", DataType::BigInt)])
    }

    fn row(user: &str, n: i64) -> Row {
        Row::new(vec![Value::String(user.into()), Value::BigInt(n)])
    }

    #[test]
    fn every_pushed_row_comes_out_once_on_any_worker_count() {
        for peers in [1, 3] {
            let source = create_source("push", &opts(&[("connector", "push")]), &clicks()).unwrap();
            let input = source.push_input().unwrap();
            let rows: Vec<Row> = (0..100).map(|i| row(&format!("u{}", i % 7), i)).collect();
            input.push(rows[..60].to_vec()).unwrap();
            input.push(rows[60..].to_vec()).unwrap();
            input.close();
            let mut out = read_all(source.as_ref(), peers, 16).unwrap();
            out.sort_by_key(|r| r.get(1).clone());
            assert_eq!(out, rows, "{peers} workers");
            assert_eq!(input.pushed(), 100);
            assert_eq!(input.push(vec![row("late", 1)]), Err(PushClosed));
        }
    }

    #[test]
    fn readers_idle_until_rows_come_and_finish_after_close() {
        let source = create_source("push", &opts(&[]), &clicks()).unwrap();
        let input = source.push_input().unwrap();
        let mut reader = source.open(0, 1, None).unwrap();
        let mut out = Vec::new();
        assert!(matches!(reader.poll(&mut out, 10).unwrap(), SourcePoll::Idle(_)));
        input.push(vec![row("a", 1), row("b", 2), row("c", 3)]).unwrap();
        assert_eq!(reader.poll(&mut out, 2).unwrap(), SourcePoll::Ready);
        assert!(matches!(reader.poll(&mut out, 2).unwrap(), SourcePoll::Idle(_)));
        assert_eq!(out.len(), 3);
        assert_eq!(reader.offset(), SourceOffset(json!({"rows": 3})));
        input.close();
        assert_eq!(reader.poll(&mut out, 2).unwrap(), SourcePoll::Finished);
        assert_eq!(source.boundedness(), Boundedness::Unbounded);
    }

    #[test]
    fn options_are_checked() {
        assert!(create_source("push", &opts(&[("push.bounded", "true")]), &clicks()).unwrap().boundedness() == Boundedness::Bounded);
        let err = create_source("push", &opts(&[("push.bound", "true")]), &clicks()).err().unwrap();
        assert_eq!(err.option.as_deref(), Some("push.bound"));
        assert!(create_source("push", &opts(&[("push.bounded", "maybe")]), &clicks()).is_err());
    }

    #[test]
    fn json_records_are_read_by_name_or_position_and_errors_name_record_and_field() {
        let input = PushInput::new(clicks());
        let rows = input.rows_from_json(&[json!({"user_name": "a", "n": 1}), json!(["b", "2"]), json!({"n": 3})]).unwrap();
        assert_eq!(rows[..2], [row("a", 1), row("b", 2)]);
        assert_eq!(rows[2].get(0), &Value::Null);
        let err = input.rows_from_json(&[json!(["a", 1]), json!({"user_name": "b", "n": "x"})]).unwrap_err();
        assert!(err.starts_with("record 1, field \"n\": "), "{err}");
        let err = input.rows_from_json(&[json!({"usr": "a"})]).unwrap_err();
        assert!(err.contains("record 0, field \"usr\"") && err.contains("user_name"), "{err}");
        assert!(input.rows_from_json(&[json!(["a"])]).unwrap_err().starts_with("record 0: has 1 values"));
        assert!(input.rows_from_json(&[json!(5)]).unwrap_err().starts_with("record 0: expected an object"));
        let strict = PushInput::new(Schema::new(vec![crate::types::Field::new("id", DataType::BigInt).with_nullable(false)]));
        assert!(strict.rows_from_json(&[json!({})]).unwrap_err().contains("NOT NULL"));
    }
}
