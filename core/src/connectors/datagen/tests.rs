//! Tests of the `datagen` source: determinism across worker counts, sequences, bounds,
//! resuming, rate limiting and option errors.

use super::*;
use crate::connectors::create_source;
use crate::connectors::testing::{assert_projects, drain, opts, read_all, schema, sorted, split_and_resume};
use crate::types::{DataType, Value};

fn all_types() -> Schema {
    schema(&[
        ("id", DataType::BigInt),
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
    ])
}

fn all_types_options() -> Options {
    opts(&[
        ("number-of-rows", "500"),
        ("fields.id.kind", "sequence"),
        ("fields.id.start", "1"),
        ("fields.id.end", "1000"),
        ("fields.i.min", "-5"),
        ("fields.i.max", "5"),
        ("fields.d.min", "10"),
        ("fields.d.max", "20"),
        ("fields.s.length", "8"),
        ("fields.s.var-len", "true"),
        ("fields.s.null-rate", "0.2"),
        ("fields.y.length", "4"),
        ("fields.ts.max-past", "60000"),
    ])
}

#[test]
fn same_rows_for_any_worker_count() {
    let source = create_source("datagen", &all_types_options(), &all_types()).unwrap();
    assert_eq!(source.boundedness(), Boundedness::Bounded);
    let one = sorted(read_all(source.as_ref(), 1, 64).unwrap());
    assert_eq!(one.len(), 500);
    for peers in [2, 3, 4, 7] {
        assert_eq!(sorted(read_all(source.as_ref(), peers, 13).unwrap()), one, "{peers} workers");
    }
    // Values respect their options.
    for row in &one {
        let i = row[1].as_i64().unwrap();
        assert!((-5..=5).contains(&i));
        let d = row[3].as_f64().unwrap();
        assert!((10.0..=20.0).contains(&d));
        if let Some(s) = row[5].as_str() {
            assert!((1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()));
        }
        assert!(matches!(&row[6], Value::Bytes(b) if b.len() == 4));
        assert!(matches!(row[7], Value::Boolean(_)));
        assert!(matches!(row[9], Value::Timestamp(ms) if (source_now() - ms) < 3_600_000));
    }
    assert!(one.iter().any(|r| r[5].is_null()) && one.iter().any(|r| !r[5].is_null()));
    assert!(one.iter().any(|r| r[7] == Value::Boolean(true)) && one.iter().any(|r| r[7] == Value::Boolean(false)));
}

fn source_now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[test]
fn sequences_are_complete_and_bound_the_source() {
    let s = schema(&[("id", DataType::Int), ("name", DataType::String), ("x", DataType::Decimal { precision: 5, scale: 1 })]);
    let o = opts(&[
        ("fields.id.kind", "sequence"),
        ("fields.id.start", "-3"),
        ("fields.id.end", "96"),
        ("fields.name.kind", "sequence"),
        ("fields.name.start", "10"),
        ("fields.name.end", "1000"),
        ("fields.x.kind", "sequence"),
        ("fields.x.start", "0"),
        ("fields.x.end", "9999"),
    ]);
    let source = create_source("datagen", &o, &s).unwrap();
    assert_eq!(source.boundedness(), Boundedness::Bounded);
    for peers in [1, 3, 7] {
        let mut ids: Vec<i64> = read_all(source.as_ref(), peers, 10).unwrap().iter().map(|r| r[0].as_i64().unwrap()).collect();
        ids.sort();
        assert_eq!(ids, (-3..=96).collect::<Vec<_>>());
    }
    let first = read_all(source.as_ref(), 1, 10).unwrap().remove(0);
    assert_eq!(first.to_string(), "-3, 10, 0.0");
}

#[test]
fn scan_parallelism_one_reads_every_row_in_order_on_worker_zero() {
    let s = schema(&[("v", DataType::BigInt)]);
    let o = opts(&[("scan.parallelism", "1"), ("fields.v.kind", "sequence"), ("fields.v.start", "0"), ("fields.v.end", "99")]);
    let source = create_source("datagen", &o, &s).unwrap();
    for peers in [1, 2, 5] {
        let first = drain(source.open(0, peers, None).unwrap().as_mut(), 7).unwrap();
        let values: Vec<i64> = first.iter().map(|r| r[0].as_i64().unwrap()).collect();
        assert_eq!(values, (0..100).collect::<Vec<_>>(), "{peers} workers");
        for w in 1..peers {
            assert!(drain(source.open(w, peers, None).unwrap().as_mut(), 7).unwrap().is_empty());
        }
    }
    let two = opts(&[("scan.parallelism", "2"), ("fields.v.kind", "sequence"), ("fields.v.start", "0"), ("fields.v.end", "99")]);
    let source = create_source("datagen", &two, &s).unwrap();
    assert_eq!(sorted(read_all(source.as_ref(), 4, 9).unwrap()).len(), 100);
    assert!(drain(source.open(3, 4, None).unwrap().as_mut(), 9).unwrap().is_empty());
    let zero = create_source("datagen", &opts(&[("scan.parallelism", "0")]), &s).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(zero.contains("scan.parallelism"), "{zero}");
}

#[test]
fn unbounded_without_limits_and_bounded_by_number_of_rows() {
    let s = schema(&[("v", DataType::BigInt)]);
    let source = create_source("datagen", &opts(&[]), &s).unwrap();
    assert_eq!(source.boundedness(), Boundedness::Unbounded);
    let mut reader = source.open(0, 1, None).unwrap();
    let mut rows = Vec::new();
    assert_eq!(reader.poll(&mut rows, 1000).unwrap(), SourcePoll::Ready);
    assert_eq!(rows.len(), 1000);

    let o = opts(&[("number-of-rows", "10"), ("fields.v.kind", "sequence"), ("fields.v.start", "0"), ("fields.v.end", "100")]);
    let source = create_source("datagen", &o, &s).unwrap();
    assert_eq!(read_all(source.as_ref(), 4, 100).unwrap().len(), 10);
    let zero = create_source("datagen", &opts(&[("number-of-rows", "0")]), &s).unwrap();
    assert!(read_all(zero.as_ref(), 3, 100).unwrap().is_empty());
}

#[test]
fn resume_gives_exactly_the_remaining_rows() {
    let source = create_source("datagen", &all_types_options(), &all_types()).unwrap();
    for (worker, peers) in [(0, 1), (1, 3), (2, 3)] {
        let all = drain(source.open(worker, peers, None).unwrap().as_mut(), 50).unwrap();
        let (first, offset, rest) = split_and_resume(source.as_ref(), worker, peers, 37);
        assert_eq!(offset.0, serde_json::json!({"rows": 37}));
        assert_eq!([first, rest].concat(), all);
    }
}

#[test]
fn rate_limit_waits_with_idle() {
    let s = schema(&[("v", DataType::BigInt)]);
    let source = create_source("datagen", &opts(&[("rows-per-second", "100")]), &s).unwrap();
    let mut reader = source.open(0, 2, None).unwrap();
    let mut rows = Vec::new();
    let mut idles = 0;
    for _ in 0..5 {
        match reader.poll(&mut rows, 1000).unwrap() {
            SourcePoll::Idle(d) => {
                assert!(d <= Duration::from_secs(1));
                idles += 1;
            }
            other => assert_eq!(other, SourcePoll::Ready),
        }
    }
    // Worker 0 of 2 at 100 rows/s overall may make one row at once, then one per 20 ms.
    assert!(rows.len() <= 3, "{} rows", rows.len());
    assert!(idles >= 1);
}

#[test]
fn option_errors_name_the_option() {
    let s = schema(&[("id", DataType::BigInt), ("name", DataType::String), ("ok", DataType::Boolean)]);
    let err = |pairs: &[(&str, &str)]| match create_source("datagen", &opts(pairs), &s) {
        Err(e) => (e.option.unwrap_or_default(), e.message),
        Ok(_) => panic!("{pairs:?} should fail"),
    };
    let (option, message) = err(&[("rows-per-sec", "5")]);
    assert_eq!(option, "rows-per-sec");
    assert!(message.starts_with("unknown option 'rows-per-sec' for connector 'datagen' (did you mean 'rows-per-second'?); known options: number-of-rows, rows-per-second, fields.<f>.kind"), "{message}");
    assert!(err(&[("fields.nope.kind", "random")]).1.contains("names column 'nope', which the table does not have; columns: id, name, ok"));
    assert!(err(&[("fields.id.kind", "seq")]).1.contains("invalid value 'seq' for option 'fields.id.kind': expected 'sequence' or 'random'"));
    assert_eq!(err(&[("fields.id.kind", "sequence"), ("fields.id.start", "1")]).1, "column 'id' is a sequence: option 'fields.id.end' is required");
    assert!(err(&[("fields.id.length", "5")]).1.starts_with("option 'fields.id.length' does not apply to a random BIGINT column"));
    assert!(err(&[("fields.id.min", "9"), ("fields.id.max", "1")]).1.contains("is below"));
    assert!(err(&[("fields.ok.kind", "sequence")]).1.contains("kind 'sequence' supports"));
    assert!(err(&[("number-of-rows", "-1")]).1.contains("invalid value '-1' for option 'number-of-rows'"));
    assert!(err(&[("rows-per-second", "0")]).1.contains("expected a positive number"));
    assert!(err(&[("fields.name.null-rate", "2")]).1.contains("between 0 and 1"));
    assert!(err(&[("fields.id.kind", "sequence"), ("fields.id.start", "5"), ("fields.id.end", "1")]).1.contains("ends (1) before it starts (5)"));
}

#[test]
fn a_projected_source_generates_the_same_values_in_the_columns_read() {
    let source = create_source("datagen", &all_types_options(), &all_types()).unwrap();
    assert_projects(source.as_ref(), &[1, 5, 9]);
    // A sequence no reader uses still bounds the rows.
    assert_projects(source.as_ref(), &[2]);
}
