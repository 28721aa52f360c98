//! The reader polled as rows of integers against the same reader polled as rows, over
//! generated files full of bad values, empty fields, spaces, quotes, carriage returns and
//! blank lines, with and without `csv.ignore-parse-errors` and a null literal: the same values
//! and NULLs, the same skipped count, the same error (file and line included).

use proptest::prelude::*;

use super::super::FilesystemSource;
use crate::connectors::testing::{drain, opts};
use crate::connectors::{IntegerRows, IntegerSink, SourceFactory};
use crate::types::{DataType, Field, Schema, Value};

/// The columns asked for: a BIGINT, an INT NOT NULL, the BIGINT again.
const COLUMNS: [usize; 3] = [0, 1, 0];

/// Every row handed over, as text.
struct Collect(Vec<String>);

impl IntegerSink for Collect {
    fn rows(&mut self, rows: &IntegerRows) {
        for (values, nulls) in rows.values().chunks_exact(rows.width()).zip(rows.nulls()) {
            let text = values.iter().enumerate().map(|(i, v)| if nulls >> i & 1 == 1 { "NULL".to_string() } else { v.to_string() });
            self.0.push(text.collect::<Vec<_>>().join(","));
        }
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::Null => "NULL".to_string(),
        Value::BigInt(v) => v.to_string(),
        Value::Int(v) => v.to_string(),
        other => panic!("not an integer: {other:?}"),
    }
}

/// The rows of `source`'s columns `COLUMNS` read as rows by `peers` workers, and the skipped
/// count, or the error.
fn as_rows(source: &dyn SourceFactory, peers: usize, batch: usize) -> Result<(Vec<String>, u64), String> {
    let (mut rows, mut skipped) = (Vec::new(), 0);
    for w in 0..peers {
        let mut reader = source.open(w, peers, None).map_err(|e| e.to_string())?;
        for row in drain(reader.as_mut(), batch).map_err(|e| e.to_string())? {
            rows.push(COLUMNS.iter().map(|&c| text(row.get(c))).collect::<Vec<_>>().join(","));
        }
        skipped += reader.skipped_records();
    }
    Ok((rows, skipped))
}

/// The same read as rows of integers.
fn as_integers(source: &dyn SourceFactory, peers: usize, batch: usize) -> Result<(Vec<String>, u64), String> {
    let (mut sink, mut skipped) = (Collect(Vec::new()), 0);
    for w in 0..peers {
        let mut reader = source.open(w, peers, None).map_err(|e| e.to_string())?;
        loop {
            match reader.poll_integers(&COLUMNS, &mut sink, batch) {
                None => return Err("the reader cannot read integers".to_string()),
                Some(Err(e)) => return Err(e.to_string()),
                Some(Ok(crate::connectors::SourcePoll::Finished)) => break,
                Some(Ok(_)) => {}
            }
        }
        skipped += reader.skipped_records();
    }
    Ok((sink.0, skipped))
}

fn source(text: &[u8], options: &[(&str, &str)], threshold: u64) -> (tempfile::TempDir, std::sync::Arc<dyn SourceFactory>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.csv");
    std::fs::write(&path, text).unwrap();
    let mut o = opts(&[("path", path.to_str().unwrap()), ("format", "csv")]);
    o.extend(opts(options));
    let s = Schema::new(vec![Field::new("a", DataType::BigInt), Field::new("b", DataType::Int).with_nullable(false), Field::new("s", DataType::String)]);
    let projected = FilesystemSource::new(&o, &s).unwrap().with_split_threshold(threshold).project(&[0, 1]).unwrap();
    (dir, projected)
}

#[test]
fn a_reader_of_other_columns_reads_no_integers() {
    let (_dir, all) = {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.csv");
        std::fs::write(&path, b"1,2,x\n").unwrap();
        let o = opts(&[("path", path.to_str().unwrap()), ("format", "csv")]);
        let s = Schema::new(vec![Field::new("a", DataType::BigInt), Field::new("b", DataType::Int), Field::new("s", DataType::String)]);
        let source: std::sync::Arc<dyn SourceFactory> = std::sync::Arc::new(FilesystemSource::new(&o, &s).unwrap());
        (dir, source)
    };
    let mut reader = all.open(0, 1, None).unwrap();
    assert!(reader.poll_integers(&COLUMNS, &mut Collect(Vec::new()), 10).is_none(), "column s is read too");
    assert!(reader.poll_integers(&[2], &mut Collect(Vec::new()), 10).is_none(), "s is a STRING");
}

#[test]
fn integers_read_what_rows_read_in_known_cases() {
    let text = b"1,2,x\n-3, 4 ,\r\n,5,q\n\"7\",8,\"a,b\"\n9,2147483648,z\n10,,y\n11,x,z\n12,N,z\n 13 ,1\n";
    for options in [vec![], vec![("csv.ignore-parse-errors", "true")], vec![("csv.ignore-parse-errors", "true"), ("csv.null-literal", "N")]] {
        let (_dir, source) = source(text, &options, 1 << 30);
        let expected = as_rows(source.as_ref(), 1, 4);
        assert_eq!(as_integers(source.as_ref(), 1, 4), expected, "options {options:?}");
        if options.is_empty() {
            assert!(expected.is_err_and(|e| e.contains("data.csv:5")), "the INT out of range fails at its line");
        }
    }
}

fn text_strategy() -> impl Strategy<Value = Vec<u8>> {
    let alphabet = b"11122333-+ ,,,,,\"\r\n\n\n\nNx".to_vec();
    prop::collection::vec(prop::sample::select(alphabet), 0..240)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn integers_read_what_rows_read(
        text in text_strategy(),
        skip in any::<bool>(),
        null_literal in any::<bool>(),
        threshold in prop::sample::select(vec![16u64, 60, 1 << 30]),
        peers in 1usize..4,
        batch in 1usize..700,
    ) {
        let mut options = Vec::new();
        if skip {
            options.push(("csv.ignore-parse-errors", "true"));
        }
        if null_literal {
            options.push(("csv.null-literal", "N"));
        }
        let (_dir, source) = source(&text, &options, threshold);
        prop_assert_eq!(as_integers(source.as_ref(), peers, batch), as_rows(source.as_ref(), peers, batch));
    }
}
