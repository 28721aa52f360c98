//! The `print` sink: each change on standard output (or error) as Flink prints it, `+I[a, b]`.
//!
//! One writer (worker 0), unlike Flink's parallel print subtasks: the lines of a job come out
//! in one stable order (time order; final batch rows sorted as the query asked, else by row),
//! whatever the worker count, so that printed results can be compared and read.
//! `sink.parallelism` is accepted for Flink compatibility and has no effect.

use std::fmt::Write as _;
use std::io::Write;
use std::sync::Arc;

use crate::error::RuntimeError;
use crate::types::{Row, RowKind, Schema, value_to_json};

use super::options::{check_known, parse_bool};
use super::registry::Connector;
use super::sinks::{PrintFormat, SinkContext, SinkFactory, SinkOutput, SinkWriter, SinkWriters};
use super::{ConnectorError, Options};

/// Options of the `print` connector (Flink's names).
const OPTIONS: &[&str] = &["print-identifier", "standard-error", "sink.parallelism"];

/// The `print` connector.
pub struct PrintConnector;

impl Connector for PrintConnector {
    fn name(&self) -> &'static str {
        "print"
    }

    fn sink_output(&self) -> Option<SinkOutput> {
        Some(SinkOutput::Console)
    }

    fn create_sink(&self, options: &Options, _schema: &Schema) -> Result<Arc<dyn SinkFactory>, ConnectorError> {
        check_known(self.name(), options, OPTIONS, |k| OPTIONS.contains(&k))?;
        let to_stderr = parse_bool(options, "standard-error", false)?;
        let prefix = options.get("print-identifier").map(|p| format!("{p}> ")).unwrap_or_default();
        Ok(Arc::new(PrintSinkFactory { prefix, to_stderr }))
    }
}

/// A checked `print` sink.
struct PrintSinkFactory {
    prefix: String,
    to_stderr: bool,
}

impl SinkFactory for PrintSinkFactory {
    fn writers(&self) -> SinkWriters {
        SinkWriters::One
    }

    fn open(&self, _sink_id: &str, _worker: usize, ctx: &SinkContext) -> Result<Box<dyn SinkWriter>, RuntimeError> {
        Ok(Box::new(PrintSink { prefix: self.prefix.clone(), to_stderr: self.to_stderr, format: ctx.print_format }))
    }
}

/// Writes `[identifier> ]+I[f1, f2]` lines (or JSON lines).
struct PrintSink {
    prefix: String,
    to_stderr: bool,
    format: PrintFormat,
}

/// One change as a JSON line without the newline: `{"op":"+I","row":[1,"abc"]}`.
pub fn json_line(kind: RowKind, row: &Row) -> String {
    let values: Vec<serde_json::Value> = row.values().iter().map(value_to_json).collect();
    serde_json::json!({"op": kind.short(), "row": values}).to_string()
}

/// One changelog line without the newline: `+I[1824, 5, 23000]`. As Flink's `print`
/// connector, a TIMESTAMP_LTZ is written as the instant it is (`2023-11-14T22:13:20Z`), a
/// TIMESTAMP as a local date-time (`2023-11-14T22:13:20`, `2023-11-14T22:13` when the seconds
/// are zero): [`Value`]'s display.
pub fn changelog_line(kind: RowKind, row: &Row) -> String {
    let mut line = format!("{}[", kind.short());
    for (i, value) in row.values().iter().enumerate() {
        if i > 0 {
            line.push_str(", ");
        }
        let _ = write!(line, "{value}");
    }
    line.push(']');
    line
}

impl SinkWriter for PrintSink {
    fn write(&mut self, changes: &[(RowKind, Row)]) -> Result<(), RuntimeError> {
        let mut text = String::new();
        for (kind, row) in changes {
            text.push_str(&self.prefix);
            match self.format {
                PrintFormat::Changelog => text.push_str(&changelog_line(*kind, row)),
                PrintFormat::Json => text.push_str(&json_line(*kind, row)),
            }
            text.push('\n');
        }
        let result = if self.to_stderr {
            std::io::stderr().lock().write_all(text.as_bytes())
        } else {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|_| out.flush())
        };
        match result {
            Ok(()) => Ok(()),
            // A closed pipe (`weir run job | head`) ends output, not the job with an error.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(RuntimeError::Io { context: "print sink".into(), message: e.to_string() }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Value;

    #[test]
    fn changelog_lines_print_as_flink_print_does() {
        let row = Row::new(vec![Value::Int(1), Value::Null, Value::Timestamp(1_500), Value::TimestampLtz(1_000), Value::TimestampLtz(-500)]);
        assert_eq!(changelog_line(RowKind::Insert, &row), "+I[1, null, 1970-01-01T00:00:01.500, 1970-01-01T00:00:01Z, 1969-12-31T23:59:59.500Z]");
        assert_eq!(changelog_line(RowKind::UpdateBefore, &Row::new(vec![])), "-U[]");
        // Flink 2.3's print connector: `TIMESTAMP '2023-01-01 10:00:00'` prints as Java's
        // LocalDateTime, `2023-01-01T10:00`; `TIME '10:00:00'` as `10:00`, `TIME(3)
        // '12:34:56.5'` as `12:34:56.500`, in arrays too; BYTES as Java's signed bytes.
        let ts = 1_672_567_200_000;
        let row = Row::new(vec![
            Value::Timestamp(ts),
            Value::Timestamp(ts + 30_000),
            Value::Time(36_000_000),
            Value::Time(45_296_500),
            Value::array(vec![Value::Timestamp(ts)]),
            Value::TimestampLtz(ts),
            Value::Bytes(vec![97, 255].into()),
        ]);
        assert_eq!(
            changelog_line(RowKind::Insert, &row),
            "+I[2023-01-01T10:00, 2023-01-01T10:00:30, 10:00, 12:34:56.500, [2023-01-01T10:00], 2023-01-01T10:00:00Z, [97, -1]]"
        );
    }
}
