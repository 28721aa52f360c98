//! Tests of the `filesystem` source: rows read equal rows written for any worker count and any
//! split boundary, directories, CSV and JSON options, error messages, skipping, resuming.

use std::fs;
use std::path::Path;

use super::split::{Segment, SegmentQueue};
use super::*;
use crate::connectors::testing::{assert_projects, drain, opts, read_all, schema, sorted, split_and_resume};
use crate::connectors::{SourceReader, create_source};
use crate::types::{DataType, Row, Value};

/// A small deterministic generator for test data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn id_text_schema() -> Schema {
    schema(&[("id", DataType::BigInt), ("text", DataType::String)])
}

/// `rows` lines `id,text` with texts of random length (0..max_len) and the expected rows.
fn csv_lines(rng: &mut Lcg, first_id: i64, rows: usize, max_len: u64) -> (Vec<String>, Vec<Row>) {
    let mut lines = Vec::new();
    let mut expected = Vec::new();
    for i in 0..rows {
        let id = first_id + i as i64;
        let text: String = (0..rng.next(max_len)).map(|_| char::from(b'a' + rng.next(26) as u8)).collect();
        lines.push(format!("{id},{text}"));
        expected.push(Row::new(vec![Value::BigInt(id), Value::string(&text)]));
    }
    (lines, expected)
}

fn csv_source(path: &Path, extra: &[(&str, &str)], s: &Schema, threshold: u64) -> FilesystemSource {
    let mut o = opts(&[("path", path.to_str().unwrap()), ("format", "csv")]);
    o.extend(opts(extra));
    FilesystemSource::new(&o, s).unwrap().with_split_threshold(threshold)
}

fn json_source(path: &Path, extra: &[(&str, &str)], s: &Schema, threshold: u64) -> FilesystemSource {
    let mut o = opts(&[("path", path.to_str().unwrap()), ("format", "json")]);
    o.extend(opts(extra));
    FilesystemSource::new(&o, s).unwrap().with_split_threshold(threshold)
}

/// Reads the file of `source` as two splits cut at byte `cut`.
fn read_cut(source: &FilesystemSource, len: u64, cut: u64) -> Vec<Row> {
    let segments = [Segment { file: 0, start: 0, end: cut }, Segment { file: 0, start: cut, end: len }];
    let mut rows = Vec::new();
    for seg in segments {
        let queue = SegmentQueue::new(Arc::clone(&source.files), vec![seg], None);
        let mut reader: Box<dyn SourceReader> = match &source.format {
            Format::Csv(f) => Box::new(CsvReader::new(Arc::clone(f), queue)),
            Format::Json(f) => Box::new(JsonReader::new(Arc::clone(f), queue)),
        };
        rows.extend(drain(reader.as_mut(), 4).unwrap());
    }
    rows
}

#[test]
fn rows_read_equal_rows_written_for_any_worker_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Lcg(1);
    for (n, rows) in [0usize, 1, 10, 300, 2000].into_iter().enumerate() {
        let (lines, expected) = csv_lines(&mut rng, 0, rows, 40);
        let path = dir.path().join(format!("f{n}.csv"));
        fs::write(&path, lines.join("\n") + "\n").unwrap();
        for threshold in [0, 1 << 30] {
            let source = csv_source(&path, &[], &id_text_schema(), threshold);
            for peers in [1, 2, 3, 7] {
                let got = read_all(&source, peers, 7).unwrap();
                assert_eq!(sorted(got), sorted(expected.clone()), "{rows} rows, {peers} workers, threshold {threshold}");
            }
        }
    }
}

#[test]
fn split_boundary_torture() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Lcg(7);
    for (variant, (crlf, trailing)) in [(false, true), (false, false), (true, true), (true, false)].into_iter().enumerate() {
        let (lines, expected) = csv_lines(&mut rng, 100, 40, 12);
        let sep = if crlf { "\r\n" } else { "\n" };
        let mut text = lines.join(sep);
        if trailing {
            text.push_str(sep);
        }
        let path = dir.path().join(format!("t{variant}.csv"));
        fs::write(&path, &text).unwrap();
        let json_path = dir.path().join(format!("t{variant}.json"));
        let json_lines: Vec<String> = expected.iter().map(|r| format!("{{\"id\": {}, \"text\": \"{}\"}}", r[0], r[1])).collect();
        let mut json_text = json_lines.join(sep);
        if trailing {
            json_text.push_str(sep);
        }
        fs::write(&json_path, &json_text).unwrap();
        let sources =
            [(csv_source(&path, &[], &id_text_schema(), 0), text.len() as u64), (json_source(&json_path, &[], &id_text_schema(), 0), json_text.len() as u64)];
        for (source, len) in &sources {
            // Every cut point: mid-line, on `\r`, on `\n`, at 0 and at EOF.
            for cut in 0..=*len {
                assert_eq!(read_cut(source, *len, cut), expected, "variant {variant}, cut at {cut}");
            }
            for peers in 1..=12 {
                assert_eq!(sorted(read_all(source, peers, 5).unwrap()), sorted(expected.clone()), "{peers} workers");
            }
        }
    }
}

#[test]
fn byte_order_mark_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bom.csv");
    fs::write(&path, "\u{FEFF}id,text\r\n1,a\r\n2,b\r\n").unwrap();
    let source = csv_source(&path, &[("csv.ignore-first-line", "true")], &id_text_schema(), 1 << 30);
    let got: Vec<String> = read_all(&source, 1, 10).unwrap().iter().map(Row::to_string).collect();
    assert_eq!(got, ["1, a", "2, b"]);
    // Resuming just after a short header does not skip a line again.
    fs::write(&path, "h\n1,a\n2,b\n").unwrap();
    let source = csv_source(&path, &[("csv.ignore-first-line", "true")], &id_text_schema(), 1 << 30);
    for n in 0..3 {
        let (first, _, rest) = split_and_resume(&source, 0, 1, n);
        assert_eq!((first.len(), rest.len()), (n, 2 - n));
    }
    fs::write(&path, "\u{FEFF}7,x\n").unwrap();
    let source = csv_source(&path, &[], &id_text_schema(), 0);
    assert_eq!(read_all(&source, 2, 10).unwrap().iter().map(Row::to_string).collect::<Vec<_>>(), ["7, x"]);
}

#[test]
fn directory_reads_visible_files_in_order() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("sub")).unwrap();
    fs::create_dir(dir.path().join(".hidden_dir")).unwrap();
    fs::write(dir.path().join("b.csv"), "2,b\n").unwrap();
    fs::write(dir.path().join("a.csv"), "1,a\n").unwrap();
    fs::write(dir.path().join("sub/c.csv"), "3,c").unwrap();
    fs::write(dir.path().join(".hidden.csv"), "9,x\n").unwrap();
    fs::write(dir.path().join("_SUCCESS"), "").unwrap();
    fs::write(dir.path().join(".hidden_dir/d.csv"), "9,y\n").unwrap();
    fs::write(dir.path().join("empty.csv"), "").unwrap();
    let source = csv_source(dir.path(), &[], &id_text_schema(), 1 << 30);
    let got: Vec<String> = read_all(&source, 1, 10).unwrap().iter().map(Row::to_string).collect();
    assert_eq!(got, ["1, a", "2, b", "3, c"]);
    for peers in [2, 3, 7] {
        assert_eq!(read_all(&source, peers, 10).unwrap().len(), 3);
    }
}

#[test]
fn csv_options() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.tsv");
    fs::write(&path, "id\tname\tscore\n# a comment\n1\t'a\tb'\t\n2\tNA\t3.5\n\n3\t\t4\n4\t'multi\nline'\t5\n").unwrap();
    let s = schema(&[("id", DataType::Int), ("name", DataType::String), ("score", DataType::Double)]);
    let extra = [
        ("csv.field-delimiter", "\\t"),
        ("csv.quote-character", "'"),
        ("csv.allow-comments", "true"),
        ("csv.null-literal", "NA"),
        ("csv.ignore-first-line", "true"),
    ];
    let got: Vec<String> = read_all(&csv_source(&path, &extra, &s, 1 << 30), 1, 10).unwrap().iter().map(Row::to_string).collect();
    assert_eq!(got, ["1, a\tb, null", "2, null, 3.5", "3, , 4.0", "4, multi\nline, 5.0"]);
}

#[test]
fn bad_values_name_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    let mut text = String::new();
    for i in 0..100 {
        text.push_str(&format!("{i},x{i}\n"));
    }
    text.push_str("\n\nx7,oops\n");
    fs::write(&path, &text).unwrap();
    let at = format!("{}:103", path.display());
    for peers in [1, 3] {
        let source = csv_source(&path, &[], &id_text_schema(), 0);
        let err = read_all(&source, peers, 10).unwrap_err();
        assert_eq!(err, RuntimeError::BadRecord { location: at.clone(), message: "column id: cannot parse \"x7\" as BIGINT".into() });
        assert_eq!(err.to_string(), format!("{at}: column id: cannot parse \"x7\" as BIGINT"));
    }
    fs::write(&path, "1,a\n2\n").unwrap();
    let err = read_all(&csv_source(&path, &[], &id_text_schema(), 0), 1, 10).unwrap_err();
    assert_eq!(err.to_string(), format!("{}:2: expected 2 fields, found 1", path.display()));
    fs::write(&path, "# c\n\n#d\n1,a,3\n").unwrap();
    let err = read_all(&csv_source(&path, &[("csv.allow-comments", "true")], &id_text_schema(), 0), 1, 10).unwrap_err();
    assert_eq!(err.to_string(), format!("{}:4: expected 2 fields, found 3", path.display()));

    let json_path = dir.path().join("bad.json");
    fs::write(&json_path, "{\"id\": 1}\n\n{\"id\": \"z\"}\n").unwrap();
    let err = read_all(&json_source(&json_path, &[], &id_text_schema(), 0), 1, 10).unwrap_err();
    assert_eq!(err.to_string(), format!("{}:3: column id: cannot parse \"z\" as BIGINT", json_path.display()));
    fs::write(&json_path, "{\"id\": 1}\n{\"id\": 2,\n").unwrap();
    let err = read_all(&json_source(&json_path, &[], &id_text_schema(), 0), 1, 10).unwrap_err();
    assert!(err.to_string().starts_with(&format!("{}:2: invalid JSON object: ", json_path.display())), "{err}");
}

#[test]
fn ignore_parse_errors_skips_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.csv");
    fs::write(&path, "1,a\nx,b\n3\n4,d\n5,e,f\n").unwrap();
    let source = csv_source(&path, &[("csv.ignore-parse-errors", "true")], &id_text_schema(), 1 << 30);
    let mut reader = source.open(0, 1, None).unwrap();
    let rows = drain(reader.as_mut(), 10).unwrap();
    assert_eq!(rows.iter().map(Row::to_string).collect::<Vec<_>>(), ["1, a", "4, d"]);
    assert_eq!(reader.skipped_records(), 3);

    let json_path = dir.path().join("mixed.json");
    fs::write(&json_path, "{\"id\": 1, \"text\": \"a\"}\nnot json\n[1]\n{\"id\": true}\n{\"text\": \"only\"}\n").unwrap();
    let source = json_source(&json_path, &[("json.ignore-parse-errors", "true")], &id_text_schema(), 1 << 30);
    let mut reader = source.open(0, 1, None).unwrap();
    let rows = drain(reader.as_mut(), 10).unwrap();
    assert_eq!(rows.iter().map(Row::to_string).collect::<Vec<_>>(), ["1, a", "null, only"]);
    assert_eq!(reader.skipped_records(), 3);
}

#[test]
fn json_missing_fields_and_types() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.json");
    fs::write(&path, "{\"id\": 1, \"at\": \"2023-11-14 22:13:20\", \"m\": 1.25, \"extra\": 0}\n{\"id\": 2, \"text\": {\"a\": [1]}}\n").unwrap();
    let s = schema(&[("id", DataType::BigInt), ("text", DataType::String), ("at", DataType::Timestamp), ("m", DataType::Decimal { precision: 5, scale: 2 })]);
    let got: Vec<String> = read_all(&json_source(&path, &[], &s, 1 << 30), 1, 10).unwrap().iter().map(Row::to_string).collect();
    assert_eq!(got, ["1, null, 2023-11-14T22:13:20, 1.25", "2, {\"a\":[1]}, null, null"]);
    let err = read_all(&json_source(&path, &[("json.fail-on-missing-field", "true")], &s, 1 << 30), 1, 10).unwrap_err();
    assert_eq!(err.to_string(), format!("{}:1: column text: field is missing", path.display()));
}

#[test]
fn resume_from_offset_reads_exactly_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Lcg(3);
    let mut text = String::from("id,text\r\n");
    let (lines, _) = csv_lines(&mut rng, 0, 200, 30);
    text.push_str(&lines.join("\r\n"));
    fs::write(dir.path().join("a.csv"), &text).unwrap();
    fs::write(dir.path().join("b.csv"), "id,text\n1000,z\n1001,y\n").unwrap();
    let json: String = (0..150).map(|i| format!("{{\"id\": {i}}}\n")).collect();
    fs::write(dir.path().join("c.json"), json).unwrap();
    let csv_dir = tempfile::tempdir().unwrap();
    for f in ["a.csv", "b.csv"] {
        fs::rename(dir.path().join(f), csv_dir.path().join(f)).unwrap();
    }
    let sources = [
        csv_source(csv_dir.path(), &[("csv.ignore-first-line", "true")], &id_text_schema(), 0),
        csv_source(csv_dir.path(), &[("csv.ignore-first-line", "true")], &id_text_schema(), 1 << 30),
        json_source(&dir.path().join("c.json"), &[], &id_text_schema(), 0),
    ];
    for source in &sources {
        for peers in [1, 2, 3] {
            for worker in 0..peers {
                let all = drain(source.open(worker, peers, None).unwrap().as_mut(), 9).unwrap();
                for n in [0, 1, 17, all.len().saturating_sub(1), all.len(), all.len() + 5] {
                    let (first, offset, rest) = split_and_resume(source, worker, peers, n);
                    assert_eq!([first, rest].concat(), all, "worker {worker}/{peers}, {n} rows then resume from {offset:?}");
                }
            }
        }
        assert_eq!(read_all(source, 1, 50).unwrap().len(), if matches!(source.format, Format::Json(_)) { 150 } else { 202 });
    }
}

#[test]
fn option_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.csv");
    fs::write(&file, "1,a\n").unwrap();
    let p = file.to_str().unwrap();
    let s = id_text_schema();
    let err = |pairs: &[(&str, &str)]| match create_source("filesystem", &opts(pairs), &s) {
        Err(e) => (e.option.unwrap_or_default(), e.message),
        Ok(_) => panic!("{pairs:?} should fail"),
    };
    assert_eq!(
        err(&[("path", p), ("format", "csv"), ("csv.delimiter", ";")]),
        (
            "csv.delimiter".into(),
            "unknown option 'csv.delimiter' for connector 'filesystem'; known options: path, format, source.monitor-interval, csv.field-delimiter, csv.quote-character, csv.disable-quote-character, csv.escape-character, csv.allow-comments, csv.null-literal, csv.ignore-parse-errors, csv.ignore-first-line, csv.array-element-delimiter".into()
        )
    );
    assert!(
        err(&[("path", p), ("format", "json"), ("csv.allow-comments", "true")]).1.starts_with("unknown option 'csv.allow-comments' for connector 'filesystem'")
    );
    let missing = dir.path().join("nope");
    let (option, message) = err(&[("path", missing.to_str().unwrap()), ("format", "csv")]);
    assert_eq!(option, "path");
    assert!(message.starts_with(&format!("cannot read path '{}': ", missing.display())), "{message}");
    assert_eq!(err(&[("format", "csv")]).1, "missing required option 'path' for connector 'filesystem'");
    assert_eq!(err(&[("path", p)]).1, "missing required option 'format' for connector 'filesystem'");
    assert_eq!(err(&[("path", p), ("format", "avro")]).1, "invalid value 'avro' for option 'format': expected 'csv' or 'json'");
    assert!(err(&[("path", p), ("format", "csv"), ("csv.field-delimiter", ";;")]).1.contains("expected a single ASCII character"));
    assert!(err(&[("path", p), ("format", "csv"), ("csv.ignore-parse-errors", "yes")]).1.contains("expected true or false"));
    assert!(create_source("filesystem", &opts(&[("connector", "filesystem"), ("path", p), ("format", "CSV")]), &s).is_ok());
    assert!(create_source("kafka", &opts(&[]), &s).is_err());
}

#[test]
fn a_projected_source_converts_only_the_columns_read() {
    let dir = tempfile::tempdir().unwrap();
    let s = schema(&[("id", DataType::BigInt), ("n", DataType::Int), ("text", DataType::String)]);
    let (csv, json) = (dir.path().join("a.csv"), dir.path().join("a.json"));
    fs::write(&csv, "1,10,a\n2,x,b\n3,30,\n").unwrap();
    fs::write(&json, "{\"id\": 1, \"n\": 10, \"text\": \"a\"}\n{\"id\": 2, \"n\": {\"x\": [1]}, \"text\": \"b\"}\n{\"id\": 3}\n").unwrap();
    let bad = [csv_source(&csv, &[], &s, 0), json_source(&json, &[("json.fail-on-missing-field", "true")], &s, 0)];
    for source in &bad {
        // Row 2's `n` is no INT (and row 3 has no `text` in JSON): an error when read...
        let err = read_all(source, 1, 10).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("column n"), "{err}");
        // ...but nothing at all when no reader uses the column, as in Flink.
        let projected = source.project(&[0]).unwrap();
        let ids: Vec<Row> = [1, 2, 3].into_iter().map(|id| Row::new(vec![Value::BigInt(id), Value::Null, Value::Null])).collect();
        assert_eq!(read_all(projected.as_ref(), 2, 10).unwrap().len(), 3);
        assert_eq!(sorted(read_all(projected.as_ref(), 2, 10).unwrap()), ids);
    }
    // A record with a wrong number of fields is malformed whatever is read; broken JSON too.
    fs::write(&csv, "1,10\n").unwrap();
    fs::write(&json, "{\"id\": 1, \"n\": [}\n").unwrap();
    for source in [csv_source(&csv, &[], &s, 0), json_source(&json, &[], &s, 0)] {
        assert!(read_all(source.project(&[0]).unwrap().as_ref(), 1, 10).is_err());
    }
    let (lines, _) = csv_lines(&mut Lcg(3), 0, 500, 30);
    fs::write(&csv, lines.join("\n") + "\n").unwrap();
    for threshold in [0, 1 << 30] {
        assert_projects(&csv_source(&csv, &[], &id_text_schema(), threshold), &[1]);
    }
}
