//! Tests of the push-input log: append, reopen, torn tails, reading from a position,
//! retention.

use std::fs;

use serde_json::{Value, json};

use super::log::{MAGIC, PushLog};

const COLUMNS: &[&str] = &["name", "n"];

fn rows(from: i64, to: i64) -> Vec<Value> {
    (from..to).map(|i| json!([format!("r{i}"), i])).collect()
}

/// Every record from `from` on, with its sequence number.
fn read(log: &PushLog, from: u64) -> Vec<(u64, Value)> {
    let mut reader = log.read_from(from).unwrap();
    let mut out = Vec::new();
    while let Some((first, records)) = reader.next_entry().unwrap() {
        out.extend(records.into_iter().enumerate().map(|(i, r)| (first + i as u64, r)));
    }
    out
}

fn segments(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn appends_get_consecutive_sequence_numbers_and_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = PushLog::open(dir.path(), COLUMNS).unwrap();
    assert_eq!((log.first_seq(), log.next_seq()), (0, 0));
    assert_eq!(log.append(&rows(0, 3)).unwrap(), 0..3);
    assert_eq!(log.append(&[]).unwrap(), 3..3);
    assert_eq!(log.append(&rows(3, 5)).unwrap(), 3..5);
    drop(log);
    let mut log = PushLog::open(dir.path(), COLUMNS).unwrap();
    assert_eq!(log.next_seq(), 5);
    assert_eq!(log.append(&rows(5, 6)).unwrap(), 5..6);
    let all = read(&log, 0);
    assert_eq!(all.iter().map(|(s, _)| *s).collect::<Vec<_>>(), (0..6).collect::<Vec<_>>());
    assert_eq!(all.into_iter().map(|(_, r)| r).collect::<Vec<_>>(), rows(0, 6));
    assert_eq!(segments(dir.path()), ["00000000000000000000.log"]);
    let bytes = fs::read(dir.path().join("00000000000000000000.log")).unwrap();
    assert!(bytes.starts_with(MAGIC));
}

#[test]
fn reading_from_a_position_starts_inside_an_entry_and_crosses_segments() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = PushLog::open(dir.path(), COLUMNS).unwrap().with_segment_bytes(100);
    for i in 0..6 {
        log.append(&rows(i * 3, i * 3 + 3)).unwrap();
    }
    assert!(segments(dir.path()).len() > 2, "{:?}", segments(dir.path()));
    for from in [0, 1, 4, 9, 17, 18] {
        let got: Vec<Value> = read(&log, from).into_iter().map(|(_, r)| r).collect();
        assert_eq!(got, rows(from as i64, 18), "from {from}");
    }
    assert!(log.read_from(19).is_err());
}

#[test]
fn a_torn_tail_is_cut_off_on_reopen_and_appending_continues_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = PushLog::open(dir.path(), COLUMNS).unwrap();
    log.append(&rows(0, 2)).unwrap();
    log.append(&rows(2, 4)).unwrap();
    drop(log);
    let path = dir.path().join("00000000000000000000.log");
    let whole = fs::read(&path).unwrap();
    for cut in [1, 7, 12] {
        // A crash mid-append: the last entry is incomplete.
        fs::write(&path, &whole[..whole.len() - cut]).unwrap();
        let log = PushLog::open(dir.path(), COLUMNS).unwrap();
        assert_eq!(log.next_seq(), 2, "cut {cut}");
        assert!(fs::metadata(&path).unwrap().len() < whole.len() as u64 - cut as u64, "the torn bytes are gone");
    }
    // A complete entry whose bytes were damaged: its CRC does not match.
    let mut damaged = whole.clone();
    let last = damaged.len() - 2;
    damaged[last] ^= 0x20;
    fs::write(&path, &damaged).unwrap();
    let mut log = PushLog::open(dir.path(), COLUMNS).unwrap();
    assert_eq!(log.next_seq(), 2);
    assert_eq!(log.append(&rows(2, 3)).unwrap(), 2..3);
    drop(log);
    let log = PushLog::open(dir.path(), COLUMNS).unwrap();
    assert_eq!(read(&log, 0).into_iter().map(|(_, r)| r).collect::<Vec<_>>(), rows(0, 3));
}

#[test]
fn a_segment_with_a_torn_header_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = PushLog::open(dir.path(), COLUMNS).unwrap().with_segment_bytes(10);
    log.append(&rows(0, 2)).unwrap();
    drop(log);
    // A crash while the next segment was being created.
    fs::write(dir.path().join("00000000000000000002.log"), &MAGIC[..4]).unwrap();
    let mut log = PushLog::open(dir.path(), COLUMNS).unwrap().with_segment_bytes(10);
    assert_eq!(segments(dir.path()), ["00000000000000000000.log"]);
    assert_eq!(log.next_seq(), 2);
    log.append(&rows(2, 3)).unwrap();
    assert_eq!(segments(dir.path()).len(), 2);
    assert_eq!(read(&log, 1).len(), 2);
}

#[test]
fn a_log_of_other_columns_or_another_format_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    PushLog::open(dir.path(), COLUMNS).unwrap().append(&rows(0, 1)).unwrap();
    let err = PushLog::open(dir.path(), &["name", "m"]).unwrap_err();
    assert!(err.to_string().contains("written for columns (name, n), not (name, m)"), "{err}");
    fs::write(dir.path().join("00000000000000000005.log"), b"WEIRPUSH1\nxx").unwrap();
    let err = PushLog::open(dir.path(), COLUMNS).unwrap_err();
    assert!(err.to_string().contains("not a push-input log"), "{err}");
}

#[test]
fn truncate_before_deletes_only_whole_segments_before_the_position() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = PushLog::open(dir.path(), COLUMNS).unwrap().with_segment_bytes(10);
    for i in 0..5 {
        log.append(&rows(i * 2, i * 2 + 2)).unwrap();
    }
    // Segments start at 0, 2, 4, 6, 8.
    assert_eq!(segments(dir.path()).len(), 5);
    assert_eq!(log.truncate_before(5).unwrap(), 2, "0..2 and 2..4 go; 4..6 holds record 5");
    assert_eq!(log.first_seq(), 4);
    assert_eq!(read(&log, 5).into_iter().map(|(_, r)| r).collect::<Vec<_>>(), rows(5, 10));
    assert!(log.read_from(3).is_err());
    assert_eq!(log.truncate_before(4).unwrap(), 0);
    assert_eq!(log.truncate_before(100).unwrap(), 2, "never the active segment");
    assert_eq!(segments(dir.path()), ["00000000000000000008.log"]);
    drop(log);
    let log = PushLog::open(dir.path(), COLUMNS).unwrap();
    assert_eq!((log.first_seq(), log.next_seq()), (8, 10));
}
