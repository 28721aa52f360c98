//! The `print` sink: each change on standard output (or error) as Flink prints it, `+I[a, b]`.

use std::io::Write;

use crate::error::RuntimeError;
use crate::types::{value_to_json, Row, RowKind};

use super::sinks::{PrintFormat, SinkWriter};
use super::Options;

/// Options of the `print` connector (Flink's names).
pub const OPTIONS: &[&str] = &["print-identifier", "standard-error", "sink.parallelism"];

/// Writes `[identifier> ]+I[f1, f2]` lines (or JSON lines).
pub struct PrintSink {
    prefix: String,
    to_stderr: bool,
    format: PrintFormat,
}

impl PrintSink {
    /// A print sink configured by `options`, writing lines in `format`.
    pub fn new(options: &Options, format: PrintFormat) -> PrintSink {
        let prefix = options.get("print-identifier").map(|p| format!("{p}> ")).unwrap_or_default();
        let to_stderr = options.get("standard-error").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        PrintSink { prefix, to_stderr, format }
    }
}

/// One change as a JSON line without the newline: `{"op":"+I","row":[1,"abc"]}`.
pub fn json_line(kind: RowKind, row: &Row) -> String {
    let values: Vec<serde_json::Value> = row.values().iter().map(value_to_json).collect();
    serde_json::json!({"op": kind.short(), "row": values}).to_string()
}

/// One changelog line without the newline: `+I[1824, 5, 23000]`.
pub fn changelog_line(kind: RowKind, row: &Row) -> String {
    format!("{}[{row}]", kind.short())
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
