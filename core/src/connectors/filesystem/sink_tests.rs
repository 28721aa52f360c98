//! Tests of the `filesystem` sink: values, visibility, and the checkpoint protocol.

use super::*;
use crate::connectors::create_source;
use crate::connectors::filesystem::parts::hidden_name;
use crate::connectors::testing::{opts, read_all, schema};
use crate::types::{DataType, Decimal, Value};
use std::sync::Arc;

fn all_types() -> (Schema, Vec<Row>) {
    let s = schema(&[
        ("i", DataType::Int),
        ("b", DataType::BigInt),
        ("d", DataType::Double),
        ("m", DataType::Decimal { precision: 10, scale: 2 }),
        ("s", DataType::String),
        ("y", DataType::Bytes),
        ("f", DataType::Boolean),
        ("day", DataType::Date),
        ("ts", DataType::Timestamp),
        ("ltz", DataType::TimestampLtz),
        ("dt", DataType::IntervalDayTime),
        ("ym", DataType::IntervalYearMonth),
    ]);
    let row = |i: i32, s: &str| {
        Row::new(vec![
            Value::Int(i),
            Value::BigInt(i64::from(i) * 1_000_000_007),
            Value::double(f64::from(i) / 3.0 * 1e7),
            Value::Decimal(Decimal::new(i128::from(i) * 12345, 2)),
            Value::string(s),
            Value::Bytes(Arc::from(s.as_bytes())),
            Value::Boolean(i % 2 == 0),
            Value::Date(19_000 + i),
            Value::Timestamp(1_700_000_000_123 + i64::from(i)),
            Value::TimestampLtz(1_700_000_000_000),
            Value::IntervalDayTime(93_784_005),
            Value::IntervalYearMonth(-14),
        ])
    };
    let mut nulls = vec![Value::Null; 12];
    // With the default null literal (an empty field), NULL reads back as NULL in every
    // column but STRING and BYTES, where an empty field is an empty value.
    nulls[4] = Value::string("n");
    nulls[5] = Value::Bytes(Arc::from(&b""[..]));
    (s, vec![row(1, "plain"), row(-2, "with, comma and \"quotes\"\nand a newline"), Row::new(nulls)])
}

#[test]
fn round_trips_through_the_source() {
    let (s, rows) = all_types();
    for format in ["csv", "json"] {
        let dir = tempfile::tempdir().unwrap();
        let o = opts(&[("path", dir.path().to_str().unwrap()), ("format", format)]);
        let mut writer = FilesystemSink::new(&o, &s).unwrap().writer(0);
        let changes: Vec<(RowKind, Row)> = rows.iter().map(|r| (RowKind::Insert, r.clone())).collect();
        writer.write(&changes[..1]).unwrap();
        writer.write(&changes[1..]).unwrap();
        // Not visible to readers before finish.
        assert!(read_all(create_source("filesystem", &o, &s).unwrap().as_ref(), 1, 10).unwrap().is_empty());
        writer.finish().unwrap();
        assert_eq!(visible(dir.path()).len(), 1);
        assert_eq!(read_all(create_source("filesystem", &o, &s).unwrap().as_ref(), 1, 10).unwrap(), rows, "{format}");
    }
}

#[test]
fn rejects_updates_and_cleans_up_unfinished_files() {
    let (s, rows) = all_types();
    let dir = tempfile::tempdir().unwrap();
    let o = opts(&[("path", dir.path().to_str().unwrap()), ("format", "csv")]);
    let mut writer = FilesystemSink::new(&o, &s).unwrap().writer(0);
    let err = writer.write(&[(RowKind::UpdateBefore, rows[0].clone())]).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    drop(writer);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    let err = FilesystemSink::new(&opts(&[("path", "x"), ("format", "json"), ("csv.null-literal", "")]), &s).unwrap_err();
    assert!(err.message.starts_with("unknown option 'csv.null-literal' for connector 'filesystem'"));
}

#[test]
fn a_worker_without_rows_leaves_no_file() {
    let (s, rows) = all_types();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = opts(&[("path", out.to_str().unwrap()), ("format", "csv")]);
    let sink = FilesystemSink::new(&o, &s).unwrap();
    let (mut idle, mut busy) = (sink.writer(0), sink.writer(1));
    idle.write(&[]).unwrap();
    idle.finish().unwrap();
    assert!(!out.exists(), "not even the directory is created before a row arrives");
    busy.write(&[(RowKind::Insert, rows[0].clone())]).unwrap();
    busy.finish().unwrap();
    let names: Vec<String> = fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].starts_with("part-") && names[0].ends_with("-1-0.csv"), "{names:?}");
}

/// Visible (published) files in `dir`, sorted.
fn visible(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).filter(|n| !n.starts_with('.')).collect();
    names.sort();
    names
}

/// Every file in `dir`, hidden ones included.
fn all_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// A CSV sink of `(n BIGINT)` into `dir`, and what a reader of `dir` sees.
fn numbers(dir: &Path) -> (FilesystemSink, impl Fn() -> Vec<i64>) {
    let s = schema(&[("n", DataType::BigInt)]);
    let o = opts(&[("path", dir.to_str().unwrap()), ("format", "csv")]);
    let sink = FilesystemSink::new(&o, &s).unwrap();
    let read = move || {
        let rows = read_all(create_source("filesystem", &o, &s).unwrap().as_ref(), 1, 100).unwrap();
        let mut out: Vec<i64> = rows.iter().map(|r| if let Value::BigInt(n) = r.get(0) { *n } else { panic!("{r}") }).collect();
        out.sort_unstable();
        out
    };
    (sink, read)
}

fn inserts(range: std::ops::Range<i64>) -> Vec<(RowKind, Row)> {
    range.map(|n| (RowKind::Insert, Row::new(vec![Value::BigInt(n)]))).collect()
}

#[test]
fn parts_become_visible_only_when_their_checkpoint_completes() {
    let dir = tempfile::tempdir().unwrap();
    let (sink, read) = numbers(dir.path());
    let mut writer = sink.writer(3);
    writer.write(&inserts(0..5)).unwrap();
    let first = writer.snapshot(1).unwrap();
    assert_eq!(first.0["pending"].as_array().unwrap().len(), 1);
    writer.write(&inserts(5..8)).unwrap();
    let second = writer.snapshot(2).unwrap();
    assert_eq!(second.0["pending"].as_array().unwrap().len(), 2, "checkpoint 1 is not complete yet");
    assert!(read().is_empty() && visible(dir.path()).is_empty(), "pending parts are hidden");
    writer.commit(1).unwrap();
    assert_eq!(read(), (0..5).collect::<Vec<_>>());
    writer.commit(1).unwrap();
    writer.write(&inserts(8..9)).unwrap();
    writer.commit(2).unwrap();
    assert_eq!(read(), (0..8).collect::<Vec<_>>(), "row 8 is in progress for checkpoint 3");
    let names = visible(dir.path());
    assert!(names[0].starts_with("part-") && names[0].ends_with("-3-0.csv") && names[1].ends_with("-3-1.csv"), "{names:?}");
    writer.finish().unwrap();
    assert_eq!(read(), (0..9).collect::<Vec<_>>());
    assert_eq!(all_files(dir.path()).len(), 3, "no hidden file left: {:?}", all_files(dir.path()));
}

#[test]
fn a_crash_after_a_snapshot_restores_exactly_the_rows_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let (sink, read) = numbers(dir.path());
    let mut writer = sink.writer(0);
    writer.write(&inserts(0..4)).unwrap();
    let at_1 = writer.snapshot(1).unwrap();
    writer.write(&inserts(4..6)).unwrap();
    // Checkpoint 2's cut was taken but the checkpoint never completed; then more rows.
    writer.snapshot(2).unwrap();
    writer.write(&inserts(6..7)).unwrap();
    // A crash: the process dies without committing (a real crash leaves the in-progress part
    // too; drop removes it, so leave one behind as a torn write would).
    drop(writer);
    let torn = dir.path().join(hidden_name(&at_1.0["pending"][0]["name"].as_str().unwrap().replace("-0.csv", "-2.csv")));
    fs::write(&torn, "6\n7").unwrap();
    assert!(read().is_empty());
    // Recovery from checkpoint 1 (the last complete one): its pending part is published, the
    // parts started after it are removed; the job writes rows 4.. again.
    let mut restored = sink.writer(0);
    restored.restore(&at_1).unwrap();
    assert_eq!(read(), vec![0, 1, 2, 3]);
    assert_eq!(all_files(dir.path()).len(), 1, "{:?}", all_files(dir.path()));
    restored.write(&inserts(4..7)).unwrap();
    let at_2 = restored.snapshot(2).unwrap();
    restored.commit(2).unwrap();
    assert_eq!(read(), (0..7).collect::<Vec<_>>());
    // Restoring again from the same snapshot, or committing again, changes nothing.
    sink.writer(0).restore(&at_1).unwrap();
    sink.writer(0).restore(&at_2).unwrap();
    restored.commit(2).unwrap();
    assert_eq!(read(), (0..7).collect::<Vec<_>>());
}

#[test]
fn restore_refuses_a_lost_pending_part_and_a_foreign_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let (sink, _) = numbers(dir.path());
    let mut writer = sink.writer(0);
    writer.write(&inserts(0..2)).unwrap();
    let snapshot = writer.snapshot(1).unwrap();
    drop(writer);
    let name = snapshot.0["pending"][0]["name"].as_str().unwrap().to_string();
    fs::remove_file(dir.path().join(hidden_name(&name))).unwrap();
    let err = sink.writer(0).restore(&snapshot).unwrap_err();
    assert!(err.to_string().contains("pending part of checkpoint 1 is missing"), "{err}");
    let err = sink.writer(0).restore(&SinkSnapshot(serde_json::json!({"rows": 3}))).unwrap_err();
    assert!(err.to_string().contains("not a filesystem sink snapshot"), "{err}");
    sink.writer(0).restore(&SinkSnapshot::default()).unwrap();
}

#[test]
fn without_rows_a_snapshot_adds_no_part() {
    let dir = tempfile::tempdir().unwrap();
    let (sink, _) = numbers(&dir.path().join("out"));
    let mut writer = sink.writer(0);
    let snapshot = writer.snapshot(1).unwrap();
    assert_eq!(snapshot.0["pending"], serde_json::json!([]));
    writer.commit(1).unwrap();
    writer.finish().unwrap();
    assert!(!dir.path().join("out").exists());
}

#[test]
fn restore_removes_only_the_restored_writers_later_parts() {
    use crate::connectors::filesystem::parts::{PartFiles, WriterSnapshot};
    let dir = tempfile::tempdir().unwrap();
    let files = |run: &str, worker: usize| PartFiles { dir: dir.path().to_path_buf(), run: run.into(), worker, ext: "csv" };
    for (run, worker) in [("r", 1), ("r", 10), ("r2", 1)] {
        for n in 0..3 {
            let part = files(run, worker);
            fs::write(part.hidden_path(&part.name(n)), "1\n").unwrap();
        }
    }
    fs::write(dir.path().join("part-r-1-2.csv"), "published\n").unwrap();
    let snapshot = WriterSnapshot { run: "r".into(), worker: 1, next_part: 1, pending: Vec::new() };
    let mut removed = files("r", 1).remove_after(&snapshot).unwrap();
    removed.sort();
    assert_eq!(removed, [".part-r-1-1.csv.inprogress", ".part-r-1-2.csv.inprogress"]);
    assert_eq!(all_files(dir.path()).len(), 8, "worker 10, run r2, part 0 and visible files stay: {:?}", all_files(dir.path()));
}
