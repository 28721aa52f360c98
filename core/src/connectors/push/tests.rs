//! Tests of the push source in memory and with a log.

use super::*;
use crate::connectors::create_source;
use crate::connectors::testing::{opts, read_all, schema};
use crate::types::DataType;
use crate::types::Value;
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
        assert_eq!(input.push(vec![row("late", 1)]), Err(PushError::Closed));
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

/// A push source of `clicks` with a log in `dir` attached (as the server does).
fn logged_source(dir: &std::path::Path) -> (Arc<dyn SourceFactory>, PushInput) {
    let source = create_source("push", &opts(&[]), &clicks()).unwrap();
    let input = source.push_input().unwrap();
    input.attach_log(PushLog::open(dir, &["user_name", "n"]).unwrap().with_segment_bytes(64)).unwrap();
    (source, input)
}

/// Polls `reader` until it has `n` rows or is idle / finished.
fn poll_n(reader: &mut dyn SourceReader, n: usize, batch: usize) -> Vec<Row> {
    let mut out = Vec::new();
    while out.len() < n {
        let want = batch.min(n - out.len());
        if reader.poll(&mut out, want).unwrap() != SourcePoll::Ready {
            break;
        }
    }
    out
}

#[test]
fn a_logged_input_logs_before_queueing_and_worker_0_reads_in_sequence_order() {
    let dir = tempfile::tempdir().unwrap();
    let (source, input) = logged_source(dir.path());
    let rows: Vec<Row> = (0..10).map(|i| row(&format!("u{i}"), i)).collect();
    input.push(rows[..4].to_vec()).unwrap();
    input.push(rows[4..].to_vec()).unwrap();
    let log = PushLog::open(dir.path(), &["user_name", "n"]).unwrap();
    assert_eq!(log.next_seq(), 10, "on disk before push returned");
    let mut other = source.open(1, 2, None).unwrap();
    assert!(matches!(other.poll(&mut Vec::new(), 100).unwrap(), SourcePoll::Idle(_)), "only worker 0 reads");
    let mut reader = source.open(0, 2, None).unwrap();
    assert_eq!(poll_n(reader.as_mut(), 10, 3), rows);
    assert_eq!(reader.offset(), SourceOffset(json!({"seq": 10})));
    input.close();
    assert_eq!(reader.poll(&mut Vec::new(), 3).unwrap(), SourcePoll::Finished);
    assert_eq!(other.poll(&mut Vec::new(), 3).unwrap(), SourcePoll::Finished);
}

#[test]
fn a_reader_resumed_from_its_offset_replays_the_log_then_takes_new_rows() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<Row> = (0..12).map(|i| row(&format!("u{i}"), i)).collect();
    let offset = {
        let (source, input) = logged_source(dir.path());
        for chunk in rows[..9].chunks(2) {
            input.push(chunk.to_vec()).unwrap();
        }
        let mut reader = source.open(0, 1, None).unwrap();
        assert_eq!(poll_n(reader.as_mut(), 3, 2), rows[..3]);
        reader.offset()
        // The process "crashes": rows 3..9 were acknowledged but not read.
    };
    assert_eq!(offset, SourceOffset(json!({"seq": 3})));
    let (source, input) = logged_source(dir.path());
    assert_eq!(input.pushed(), 9, "sequence numbers continue the log's");
    input.push(rows[9..].to_vec()).unwrap();
    input.close();
    let mut reader = source.open(0, 1, Some(&offset)).unwrap();
    let mut out = poll_n(reader.as_mut(), 100, 4);
    assert_eq!(reader.poll(&mut out, 4).unwrap(), SourcePoll::Finished);
    assert_eq!(out, rows[3..], "each acknowledged row after the offset once, in order");
    assert_eq!(reader.offset(), SourceOffset(json!({"seq": 12})));
}

#[test]
fn a_restore_in_the_same_process_replays_rows_the_old_reader_had_taken() {
    let dir = tempfile::tempdir().unwrap();
    let (source, input) = logged_source(dir.path());
    let rows: Vec<Row> = (0..6).map(|i| row("a", i)).collect();
    input.push(rows[..4].to_vec()).unwrap();
    let mut old = source.open(0, 1, None).unwrap();
    assert_eq!(poll_n(old.as_mut(), 4, 10), rows[..4]);
    input.push(rows[4..].to_vec()).unwrap();
    drop(old);
    let mut restored = source.open(0, 1, Some(&SourceOffset(json!({"seq": 1})))).unwrap();
    assert_eq!(poll_n(restored.as_mut(), 100, 10), rows[1..]);
}

#[test]
fn without_an_offset_a_logged_reader_starts_at_the_oldest_retained_record() {
    let dir = tempfile::tempdir().unwrap();
    let (_, input) = logged_source(dir.path());
    let rows: Vec<Row> = (0..8).map(|i| row("abcdefgh", i)).collect();
    for r in &rows {
        input.push(vec![r.clone()]).unwrap();
    }
    // 64-byte segments hold one entry each here: records 0..5 go.
    assert_eq!(input.truncate_log_before(5).unwrap(), 5);
    let (source, _input) = logged_source(dir.path());
    let mut reader = source.open(0, 1, None).unwrap();
    assert_eq!(poll_n(reader.as_mut(), 100, 10), rows[5..]);
    let err = source.open(0, 1, Some(&SourceOffset(json!({"seq": 2})))).unwrap().poll(&mut Vec::new(), 10).unwrap_err();
    assert!(err.to_string().contains("cannot resume at record 2"), "{err}");
}

#[test]
fn a_log_can_only_be_attached_to_a_fresh_input_and_refusals_log_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = PushInput::new(clicks());
    input.push(vec![row("a", 1)]).unwrap();
    assert!(input.attach_log(PushLog::open(dir.path(), &["user_name", "n"]).unwrap()).is_err());
    let (_, input) = logged_source(dir.path());
    input.push_bounded(vec![row("a", 1), row("b", 2)], 3).unwrap();
    assert_eq!(input.push_bounded(vec![row("c", 3), row("d", 4)], 3), Err(PushError::Full { queued: 2, max: 3 }));
    input.close();
    assert_eq!(input.push(vec![row("e", 5)]), Err(PushError::Closed));
    assert_eq!(PushLog::open(dir.path(), &["user_name", "n"]).unwrap().next_seq(), 2);
}

#[test]
fn every_type_survives_the_log() {
    use crate::types::Decimal;
    let schema = schema(&[
        ("i", DataType::Int),
        ("d", DataType::Double),
        ("m", DataType::Decimal { precision: 10, scale: 2 }),
        ("y", DataType::Bytes),
        ("f", DataType::Boolean),
        ("day", DataType::Date),
        ("ts", DataType::Timestamp),
        ("ltz", DataType::TimestampLtz),
        ("dt", DataType::IntervalDayTime),
        ("ym", DataType::IntervalYearMonth),
        ("r", DataType::Float),
    ]);
    let names: Vec<&str> = schema.names().collect();
    let row = Row::new(vec![
        Value::Int(-7),
        Value::double(0.1 + 0.2),
        Value::Decimal(Decimal::new(-12345, 2)),
        Value::Bytes(Arc::from(&b"\x00\xffab"[..])),
        Value::Boolean(true),
        Value::Date(19_000),
        Value::Timestamp(1_700_000_000_123),
        Value::TimestampLtz(-1),
        Value::IntervalDayTime(93_784_005),
        Value::IntervalYearMonth(-14),
        Value::float(86.399_994),
    ]);
    let nulls = Row::new(vec![Value::Null; 11]);
    let dir = tempfile::tempdir().unwrap();
    let input = PushInput::new(schema.clone());
    input.attach_log(PushLog::open(dir.path(), &names).unwrap()).unwrap();
    input.push(vec![row.clone(), nulls.clone()]).unwrap();
    let mut reader = PushLog::open(dir.path(), &names).unwrap().read_from(0).unwrap();
    let (_, records) = reader.next_entry().unwrap().unwrap();
    assert_eq!(input.rows_from_log(&records).unwrap(), vec![row, nulls]);
}
