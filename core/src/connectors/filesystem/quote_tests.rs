//! Tests of what the CSV and JSON readers do with broken quotes, empty fields and huge or
//! foreign fields: every line is read, reported, or skipped and counted, never silently lost;
//! error texts stay small. Expected rows are written out by hand.

use std::fs;
use std::path::Path;

use super::*;
use crate::connectors::SourceFactory;
use crate::connectors::testing::{drain, opts, read_all, schema, sorted};
use crate::error::RuntimeError;
use crate::types::{DataType, Row, Value};

fn source(path: &Path, format: &str, extra: &[(&str, &str)], s: &Schema, threshold: u64) -> FilesystemSource {
    let mut o = opts(&[("path", path.to_str().unwrap()), ("format", format)]);
    o.extend(opts(extra));
    FilesystemSource::new(&o, s).unwrap().with_split_threshold(threshold)
}

/// Rows and the number of skipped records, read by one worker.
fn read_counting(source: &FilesystemSource) -> Result<(Vec<String>, u64), RuntimeError> {
    let mut reader = source.open(0, 1, None)?;
    let rows = drain(reader.as_mut(), 2)?;
    Ok((rows.iter().map(Row::to_string).collect(), reader.skipped_records()))
}

fn id_text() -> Schema {
    schema(&[("id", DataType::BigInt), ("text", DataType::String)])
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn an_unterminated_quote_is_an_error_at_its_line_or_one_skipped_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "data.csv", "1,a\n2,\"b\n3,c\n4,d\n5,e\n");
    let err = read_counting(&source(&path, "csv", &[], &id_text(), 1 << 30)).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}:2: a quoted field is not closed", path.display())), "{err}");
    let ignoring = source(&path, "csv", &[("csv.ignore-parse-errors", "true")], &id_text(), 1 << 30);
    assert_eq!(read_counting(&ignoring).unwrap(), (vec!["1, a".into(), "3, c".into(), "4, d".into(), "5, e".into()], 1));
}

#[test]
fn a_quote_still_open_at_the_end_of_the_file_is_an_error_with_or_without_a_last_line_break() {
    // Flink's CSV format fails both with "Missing closing quote for value".
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [("bare.csv", "1,a\n2,\"b"), ("broken.csv", "1,a\n2,\"b\n")] {
        let path = write(&dir, name, text);
        let err = read_counting(&source(&path, "csv", &[], &id_text(), 1 << 30)).unwrap_err().to_string();
        assert!(err.starts_with(&format!("{}:2: a quoted field is not closed", path.display())), "{err}");
        let ignoring = source(&path, "csv", &[("csv.ignore-parse-errors", "true")], &id_text(), 1 << 30);
        assert_eq!(read_counting(&ignoring).unwrap(), (vec!["1, a".into()], 1), "{name}");
    }
    // A closed quote in the last record, with no line break after it, is read.
    let path = write(&dir, "closed.csv", "1,a\n2,\"b\"");
    assert_eq!(read_counting(&source(&path, "csv", &[], &id_text(), 1 << 30)).unwrap(), (vec!["1, a".into(), "2, b".into()], 0));
}

#[test]
fn a_stray_quote_closed_lines_later_does_not_swallow_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "data.csv", "1,a\n2,\"b\n3,c\n4,\"d\"\n5,e\n");
    let err = read_counting(&source(&path, "csv", &[], &id_text(), 1 << 30)).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}:2: a quoted field is not closed on its line", path.display())), "{err}");
    let ignoring = source(&path, "csv", &[("csv.ignore-parse-errors", "true")], &id_text(), 1 << 30);
    assert_eq!(read_counting(&ignoring).unwrap(), (vec!["1, a".into(), "3, c".into(), "4, d".into(), "5, e".into()], 1));
}

#[test]
fn quoted_line_breaks_are_read_in_whole_files_and_refused_in_split_ones() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("\n1,\"x\ny, \"\"z\"\"\"\n\n2,w\n");
    let path = write(&dir, "whole.csv", &text);
    let (rows, skipped) = read_counting(&source(&path, "csv", &[], &id_text(), 1 << 30)).unwrap();
    assert_eq!((rows, skipped), (vec!["1, x\ny, \"z\"".to_string(), "2, w".to_string()], 0));
    // Cut between workers, a record spanning lines is an error, even when ignoring errors.
    for i in 3..200 {
        text.push_str(&format!("{i},t{i}\n"));
    }
    let path = write(&dir, "split.csv", &text);
    for extra in [&[][..], &[("csv.ignore-parse-errors", "true")][..]] {
        let err = read_all(&source(&path, "csv", extra, &id_text(), 16), 3, 7).unwrap_err().to_string();
        assert!(err.contains("split between workers"), "{err}");
    }
}

#[test]
fn quotes_on_one_line_are_safe_at_any_split_boundary() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    let mut expected = Vec::new();
    for i in 0..300i64 {
        text.push_str(&format!("{i},\"a, \"\"{i}\"\", b\"\n"));
        expected.push(Row::new(vec![Value::BigInt(i), Value::string(&format!("a, \"{i}\", b"))]));
    }
    let path = write(&dir, "data.csv", &text);
    for peers in 1..=5 {
        let rows = read_all(&source(&path, "csv", &[], &id_text(), 64), peers, 13).unwrap();
        assert_eq!(sorted(rows), expected, "{peers} workers");
    }
}

#[test]
fn empty_fields_follow_flinks_csv_format() {
    let dir = tempfile::tempdir().unwrap();
    let s = schema(&[("id", DataType::BigInt), ("text", DataType::String), ("score", DataType::Double)]);
    let path = write(&dir, "data.csv", "1,,\n,x,1.5\n\\N,\\N,\\N\n3,\"\",\n");
    let (rows, _) = read_counting(&source(&path, "csv", &[("csv.null-literal", "\\N")], &s, 1 << 30)).unwrap();
    assert_eq!(rows, ["1, , null", "null, x, 1.5", "null, null, null", "3, , null"]);
    let (rows, _) = read_counting(&source(&path, "csv", &[("csv.ignore-parse-errors", "true")], &s, 1 << 30)).unwrap();
    // Without a null literal, `\N` is text: a STRING, but no BIGINT or DOUBLE (skipped).
    assert_eq!(rows, ["1, , null", "null, x, 1.5", "3, , null"]);
}

#[test]
fn errors_show_only_a_prefix_of_a_field() {
    let dir = tempfile::tempdir().unwrap();
    let huge = "9".repeat(1_000_000) + "x";
    let path = write(&dir, "data.csv", &format!("1,a\n{huge},b\n"));
    let err = read_counting(&source(&path, "csv", &[], &id_text(), 1 << 30)).unwrap_err().to_string();
    assert!(err.len() < 300 && err.contains("(1000001 bytes)"), "{} bytes: {}", err.len(), &err[..err.len().min(300)]);
    // A file of another format, read as numbers, is not echoed back line by line.
    let secret = "root:$6$saltsaltsalt$0123456789abcdefghijklmnopqrstuvwxyz0123456789:19000:0:99999:7:::";
    let path = write(&dir, "shadow", &format!("{secret}\n"));
    let err = read_counting(&source(&path, "csv", &[], &schema(&[("n", DataType::BigInt)]), 1 << 30)).unwrap_err().to_string();
    assert!(!err.contains("0123456789abcdefghijklmnopqrstuvwxyz"), "{err}");
    let path = write(&dir, "data.json", &format!("{{\"id\": \"{huge}\"}}\n"));
    let err = read_counting(&source(&path, "json", &[], &id_text(), 1 << 30)).unwrap_err().to_string();
    assert!(err.len() < 400, "{} bytes", err.len());
}

#[test]
fn a_json_line_with_an_unterminated_string_loses_no_other_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "data.json", "{\"id\": 1}\n{\"id\": 2, \"text\": \"ab\n{\"id\": 3, \"text\": \"c\"}\n");
    let err = read_counting(&source(&path, "json", &[], &id_text(), 1 << 30)).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}:2: invalid JSON object", path.display())), "{err}");
    let ignoring = source(&path, "json", &[("json.ignore-parse-errors", "true")], &id_text(), 1 << 30);
    assert_eq!(read_counting(&ignoring).unwrap(), (vec!["1, null".into(), "3, c".into()], 1));
}
