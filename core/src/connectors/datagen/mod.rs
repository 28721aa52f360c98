//! The `datagen` source, with Flink's options: rows of random values or sequences, bounded by
//! `number-of-rows` or by its sequences, optionally rate-limited by `rows-per-second`
//! (a rate for the whole source, shared by its workers; a waiting reader returns
//! [`SourcePoll::Idle`], it never sleeps).
//!
//! Rows have a global index `0, 1, 2, ...`; worker `w` of `p` makes rows `w, w + p, w + 2p, ...`,
//! and every value is a function of its row index and column alone (random values come from a
//! generator seeded by both). So sequences are complete and unique, and the same rows come out
//! for any number of workers. Differences from Flink, by design:
//!
//! * `scan.parallelism` limits the workers that read (Flink's option of the same name): with 1,
//!   worker 0 makes every row, in index order.
//! * Without `rows-per-second` there is no rate limit (Flink's default is 10000 rows/s).
//! * Random data is the same on every run (fixed seed); timestamps are taken relative to the
//!   time the source was created (plus `index / rows-per-second` seconds when rate-limited), so
//!   they are "now" minus a random amount up to `fields.<f>.max-past` milliseconds.
//! * Random FLOATs and DOUBLEs default to `[0, 1)`; random DECIMAL(p, s) to `[0, 10^(p-s))`; random
//!   INTERVAL DAY TO SECOND to up to a day, YEAR TO MONTH to up to 100 years.

mod field;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use self::field::{FIELD_OPTIONS, FieldGen};
use super::options::{bad_value, check_known, parse_opt};
use super::registry::Connector;
use super::{Boundedness, ConnectorError, Options, SourceFactory, SourceOffset, SourcePoll, SourceReader};
use crate::error::RuntimeError;
use crate::types::{Row, Schema, Value};

const KNOWN: &[&str] = &[
    "number-of-rows",
    "rows-per-second",
    "fields.<f>.kind",
    "fields.<f>.start",
    "fields.<f>.end",
    "fields.<f>.min",
    "fields.<f>.max",
    "fields.<f>.length",
    "fields.<f>.var-len",
    "fields.<f>.null-rate",
    "fields.<f>.max-past",
    "scan.parallelism",
];

/// The `datagen` connector (a source of generated rows).
pub struct DatagenConnector;

impl Connector for DatagenConnector {
    fn name(&self) -> &'static str {
        "datagen"
    }

    fn is_source(&self) -> bool {
        true
    }

    fn create_source(&self, options: &Options, schema: &Schema) -> Result<Arc<dyn SourceFactory>, ConnectorError> {
        Ok(Arc::new(DatagenSource::new(options, schema)?))
    }
}

/// A configured `datagen` source.
#[derive(Debug)]
pub struct DatagenSource {
    fields: Vec<FieldGen>,
    /// Per column, whether a reader of the plan uses it: the others are NULL, not generated
    /// (every value is a function of its row and column alone, so the rest do not change).
    read: Arc<[bool]>,
    /// Total rows over all workers, when bounded.
    total: Option<u64>,
    rows_per_second: Option<f64>,
    /// `scan.parallelism`: how many workers read, when fewer than all.
    parallelism: Option<u64>,
    now_ms: i64,
}

impl DatagenSource {
    /// Checks `options` against `schema` and builds the source.
    pub fn new(options: &Options, schema: &Schema) -> Result<DatagenSource, ConnectorError> {
        check_known("datagen", options, KNOWN, |key| is_known(key, schema))?;
        for key in options.keys() {
            if let Some((column, _)) = key.strip_prefix("fields.").and_then(|rest| rest.rsplit_once('.'))
                && schema.index_of(column).is_none()
            {
                return Err(ConnectorError::option(
                    key,
                    format!(
                        "option '{key}' names column '{column}', which the table does not have; columns: {}",
                        schema.names().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        let fields = schema.fields.iter().map(|f| FieldGen::from_options(f, options)).collect::<Result<Vec<_>, _>>()?;
        let number_of_rows = parse_opt::<u64>(options, "number-of-rows", "a non-negative integer")?;
        let rows_per_second = parse_opt::<f64>(options, "rows-per-second", "a positive number")?;
        if let Some(r) = rows_per_second
            && !(r > 0.0 && r.is_finite())
        {
            return Err(bad_value("rows-per-second", &options["rows-per-second"], "a positive number"));
        }
        let parallelism = parse_opt::<u64>(options, "scan.parallelism", "a positive integer")?;
        if parallelism == Some(0) {
            return Err(bad_value("scan.parallelism", &options["scan.parallelism"], "a positive integer"));
        }
        let total = fields.iter().filter_map(FieldGen::sequence_len).chain(number_of_rows).min();
        let now_ms = chrono::Utc::now().timestamp_millis();
        let read = vec![true; fields.len()].into();
        Ok(DatagenSource { fields, read, total, rows_per_second, parallelism, now_ms })
    }
}

/// True for the options of [`KNOWN`], `fields.<f>.x` with `x` a known suffix and `f` any name
/// (that `f` is a column is checked separately, with its own message).
fn is_known(key: &str, _schema: &Schema) -> bool {
    if matches!(key, "number-of-rows" | "rows-per-second" | "scan.parallelism") {
        return true;
    }
    match key.strip_prefix("fields.").and_then(|rest| rest.rsplit_once('.')) {
        Some((column, suffix)) => !column.is_empty() && FIELD_OPTIONS.contains(&suffix),
        None => false,
    }
}

impl SourceFactory for DatagenSource {
    fn boundedness(&self) -> Boundedness {
        if self.total.is_some() { Boundedness::Bounded } else { Boundedness::Unbounded }
    }

    fn open(&self, worker: usize, peers: usize, resume: Option<&SourceOffset>) -> Result<Box<dyn SourceReader>, RuntimeError> {
        let produced = match resume {
            None => 0,
            Some(offset) => offset.0.get("rows").and_then(serde_json::Value::as_u64).ok_or_else(|| RuntimeError::Io {
                context: "datagen source".into(),
                message: format!("cannot resume from offset {}: expected {{\"rows\": <count>}}", offset.0),
            })?,
        };
        let source = DatagenSource { fields: self.fields.clone(), read: Arc::clone(&self.read), ..*self };
        let readers = self.parallelism.map_or(peers.max(1) as u64, |p| p.min(peers.max(1) as u64));
        let reads = (worker as u64) < readers;
        Ok(Box::new(DatagenReader { source: Arc::new(source), worker: worker as u64, peers: readers, reads, produced, clock: None }))
    }

    /// Generates only `columns`; sequences no reader uses still bound the rows.
    fn project(&self, columns: &[usize]) -> Option<Arc<dyn SourceFactory>> {
        let read = super::column_mask(self.fields.len(), columns).into();
        Some(Arc::new(DatagenSource { fields: self.fields.clone(), read, ..*self }))
    }
}

/// One worker's share of a `datagen` source: global rows `worker + k * peers`.
struct DatagenReader {
    source: Arc<DatagenSource>,
    worker: u64,
    /// The workers that read (all, or `scan.parallelism`).
    peers: u64,
    /// False on a worker beyond `scan.parallelism`: it makes no rows.
    reads: bool,
    /// Rows produced by this split (`k` of the next row).
    produced: u64,
    /// When rate-limited: the instant of the first poll and `produced` at that instant.
    clock: Option<(Instant, u64)>,
}

impl DatagenReader {
    /// How many rows the rate limit lets this split produce now, or how long to wait.
    fn allowance(&mut self, rate: f64) -> Result<u64, Duration> {
        let (t0, k0) = *self.clock.get_or_insert((Instant::now(), self.produced));
        // Global row `worker + k * peers` is due `(worker + (k - k0) * peers) / rate` seconds in.
        let due_rows = t0.elapsed().as_secs_f64() * rate;
        let done = self.produced - k0;
        let allowed = if due_rows >= self.worker as f64 { ((due_rows - self.worker as f64) / self.peers as f64).floor() as u64 + 1 } else { 0 };
        if allowed > done {
            return Ok(allowed - done);
        }
        let next_due = (self.worker as f64 + done as f64 * self.peers as f64) / rate;
        let wait = next_due - t0.elapsed().as_secs_f64();
        Err(Duration::from_secs_f64(wait.clamp(0.001, 1.0)))
    }
}

impl SourceReader for DatagenReader {
    fn poll(&mut self, out: &mut Vec<Row>, max_rows: usize) -> Result<SourcePoll, RuntimeError> {
        let src = Arc::clone(&self.source);
        if !self.reads {
            return Ok(SourcePoll::Finished);
        }
        let (worker, peers) = (self.worker, self.peers);
        let next = move |k: u64| worker.checked_add(k.checked_mul(peers)?);
        let remaining = match (src.total, next(self.produced)) {
            (Some(total), Some(i)) if i < total => (total - i).div_ceil(self.peers),
            (Some(_), _) => return Ok(SourcePoll::Finished),
            (None, _) => u64::MAX,
        };
        let mut budget = (max_rows as u64).min(remaining);
        if let Some(rate) = src.rows_per_second {
            match self.allowance(rate) {
                Ok(n) => budget = budget.min(n),
                Err(wait) => return Ok(SourcePoll::Idle(wait)),
            }
        }
        for _ in 0..budget {
            let Some(i) = next(self.produced) else { break };
            let now_ms = match src.rows_per_second {
                Some(rate) => src.now_ms.saturating_add((i as f64 * 1000.0 / rate) as i64),
                None => src.now_ms,
            };
            out.push(
                src.fields.iter().zip(src.read.iter()).enumerate().map(|(f, (g, &read))| if read { g.value(i, f, now_ms) } else { Value::Null }).collect(),
            );
            self.produced += 1;
        }
        Ok(SourcePoll::Ready)
    }

    fn offset(&self) -> SourceOffset {
        SourceOffset(json!({ "rows": self.produced }))
    }
}

#[cfg(test)]
mod tests;
