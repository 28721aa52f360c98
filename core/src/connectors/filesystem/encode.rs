//! How the `filesystem` sink writes rows into a part file: CSV records or JSON lines, with
//! values written so that the `filesystem` source reads them back (see [`super::sink`]); or
//! a changelog of rows as Debezium JSON envelopes, Flink's `debezium-json` format.

use std::fs::File;
use std::io::{BufWriter, Write};

use crate::types::{Field, Row, RowKind, Value, format_double, format_float, temporal};

/// A part file's format with its options.
#[derive(Clone, Debug)]
pub(super) enum SinkFormat {
    /// CSV with the sink's `csv.*` options.
    Csv { delimiter: u8, quote: Option<u8>, null_literal: String, array_delimiter: String },
    /// One JSON object per line.
    Json,
    /// One Debezium change event per line: `{"before":..,"after":..,"op":"c"|"d"}`, as Flink's
    /// `debezium-json` writes them (an insert or update-after is a create, an update-before or
    /// delete a delete).
    DebeziumJson,
}

impl SinkFormat {
    /// The extension of part files of this format.
    pub(super) fn extension(&self) -> &'static str {
        if matches!(self, SinkFormat::Csv { .. }) { "csv" } else { "json" }
    }

    /// Whether the format writes updates and deletes, not only insertions.
    pub(super) fn is_changelog(&self) -> bool {
        matches!(self, SinkFormat::DebeziumJson)
    }
}

/// Writes rows into one open part file.
pub(super) enum Encoder {
    Csv { writer: Box<::csv::Writer<BufWriter<File>>>, null_literal: String, array_delimiter: String, field: Vec<u8> },
    Json { out: BufWriter<File>, line: String, envelope: bool },
}

impl Encoder {
    /// An encoder of rows in `format` into `file`.
    pub(super) fn new(file: File, format: &SinkFormat) -> Encoder {
        let out = BufWriter::with_capacity(256 << 10, file);
        match format {
            SinkFormat::Csv { delimiter, quote, null_literal, array_delimiter } => {
                let writer = ::csv::WriterBuilder::new()
                    .delimiter(*delimiter)
                    .quote(quote.unwrap_or(b'"'))
                    .quote_style(if quote.is_some() { ::csv::QuoteStyle::Necessary } else { ::csv::QuoteStyle::Never })
                    .from_writer(out);
                Encoder::Csv { writer: Box::new(writer), null_literal: null_literal.clone(), array_delimiter: array_delimiter.clone(), field: Vec::new() }
            }
            SinkFormat::Json => Encoder::Json { out, line: String::new(), envelope: false },
            SinkFormat::DebeziumJson => Encoder::Json { out, line: String::new(), envelope: true },
        }
    }

    /// Writes one change of a row of `columns` (buffered); formats that are no changelog
    /// write insertions only (the sink refuses other changes before).
    pub(super) fn write_row(&mut self, kind: RowKind, row: &Row, columns: &[Field]) -> Result<(), String> {
        match self {
            Encoder::Csv { writer, null_literal, array_delimiter, field } => {
                for value in row.values() {
                    field.clear();
                    match value {
                        // Flink's CSV format: an ARRAY's elements joined by the delimiter.
                        Value::Array(items) => {
                            for (i, item) in items.iter().enumerate() {
                                if i > 0 {
                                    field.extend_from_slice(array_delimiter.as_bytes());
                                }
                                csv_field(item, null_literal, field);
                            }
                        }
                        other => csv_field(other, null_literal, field),
                    }
                    writer.write_field(&field[..]).map_err(|e| e.to_string())?;
                }
                writer.write_record(None::<&[u8]>).map_err(|e| e.to_string())
            }
            Encoder::Json { out, line, envelope } => {
                line.clear();
                let created = matches!(kind, RowKind::Insert | RowKind::UpdateAfter);
                if *envelope {
                    line.push_str(if created { "{\"before\":null,\"after\":" } else { "{\"before\":" });
                }
                line.push('{');
                for (i, (value, column)) in row.values().iter().zip(columns).enumerate() {
                    if i > 0 {
                        line.push(',');
                    }
                    line.push_str(&json_string(&column.name));
                    line.push(':');
                    line.push_str(&json_value(value));
                }
                line.push('}');
                if *envelope {
                    line.push_str(if created { ",\"op\":\"c\"}" } else { ",\"after\":null,\"op\":\"d\"}" });
                }
                line.push('\n');
                out.write_all(line.as_bytes()).map_err(|e| e.to_string())
            }
        }
    }

    /// Flushes what is buffered and hands back the file (not yet synced).
    pub(super) fn into_file(self) -> Result<File, String> {
        match self {
            Encoder::Csv { writer, .. } => writer.into_inner().map_err(|e| e.to_string()).and_then(|w| w.into_inner().map_err(|e| e.to_string())),
            Encoder::Json { out, .. } => out.into_inner().map_err(|e| e.to_string()),
        }
    }
}

/// `value`'s CSV text appended to `field` (NULL as the null literal).
fn csv_field(value: &Value, null_literal: &str, field: &mut Vec<u8>) {
    match value {
        Value::Null => field.extend_from_slice(null_literal.as_bytes()),
        Value::Bytes(b) => field.extend_from_slice(b),
        other => field.extend_from_slice(text(other).as_bytes()),
    }
}

/// The text of a non-NULL value as written into files (see the sink's module doc).
fn text(value: &Value) -> String {
    match value {
        Value::Timestamp(ms) | Value::TimestampLtz(ms) => temporal::format_timestamp(*ms).replacen('T', " ", 1),
        Value::Time(ms) => temporal::format_time(*ms),
        Value::IntervalDayTime(ms) => ms.to_string(),
        Value::IntervalYearMonth(m) => m.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => other.to_string(),
    }
}

fn json_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

fn json_value(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Boolean(b) => b.to_string(),
        Value::Int(_) | Value::BigInt(_) | Value::Decimal(_) | Value::IntervalDayTime(_) | Value::IntervalYearMonth(_) => text(value),
        Value::Double(d) if d.get().is_finite() => format_double(d.get()),
        Value::Float(d) if d.get().is_finite() => format_float(d.get()),
        Value::Array(items) => format!("[{}]", items.iter().map(json_value).collect::<Vec<_>>().join(",")),
        Value::Map(entries) => {
            let fields: Vec<String> =
                entries.iter().map(|(k, v)| format!("{}:{}", json_string(&if k.is_null() { "null".into() } else { text(k) }), json_value(v))).collect();
            format!("{{{}}}", fields.join(","))
        }
        other => json_string(&text(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_writes_arrays_as_flinks_csv_format() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("part.csv");
        let format = SinkFormat::Csv { delimiter: b',', quote: Some(b'"'), null_literal: "N".into(), array_delimiter: ";".into() };
        let mut encoder = Encoder::new(File::create(&path).expect("the part file opens"), &format);
        let row = Row::new(vec![Value::Int(1), Value::array(vec![Value::string("a"), Value::Null, Value::string("b,c")]), Value::array(vec![]), Value::Null]);
        encoder.write_row(RowKind::Insert, &row, &[]).expect("the row is written");
        drop(encoder.into_file().expect("the file flushes"));
        // A field holding the delimiter is quoted whole; a NULL element is the null literal.
        assert_eq!(std::fs::read_to_string(&path).expect("the part file reads"), "1,\"a;N;b,c\",,N\n");
    }
}
