//! Tests of the `nexmark` source: the same rows for any worker count, the 1:3:46 proportions,
//! resuming, the table layouts, event time and option errors.

use super::*;
use crate::connectors::create_source;
use crate::connectors::testing::{assert_projects, opts, read_all, schema, sorted, split_and_resume};
use crate::types::{DataType, Value};

fn table(name: &str, events: &str) -> Arc<dyn SourceFactory> {
    let t = NexmarkTable::parse(name).unwrap();
    create_source("nexmark", &opts(&[("connector", "nexmark"), ("nexmark.table", name), ("events.num", events)]), &t.schema()).unwrap()
}

#[test]
fn same_rows_for_any_worker_count() {
    for name in ["person", "auction", "bid"] {
        let source = table(name, "1234");
        assert_eq!(source.boundedness(), Boundedness::Bounded);
        let one = read_all(source.as_ref(), 1, 100).unwrap();
        for peers in [2, 3, 4, 7] {
            assert_eq!(sorted(read_all(source.as_ref(), peers, 17).unwrap()), sorted(one.clone()), "{name}, {peers} workers");
        }
    }
}

#[test]
fn proportions_are_1_3_46() {
    let counts: Vec<usize> = ["person", "auction", "bid"].iter().map(|t| read_all(table(t, "10000").as_ref(), 3, 64).unwrap().len()).collect();
    assert_eq!(counts, vec![200, 600, 9200]);
    // Streams that stop inside a cycle of 50: event 50 is a person, 51..=53 auctions, 54.. bids.
    for (events, expected) in [("52", [2, 4, 46]), ("53", [2, 5, 46]), ("57", [2, 6, 49])] {
        let counts: Vec<usize> = ["person", "auction", "bid"].iter().map(|t| read_all(table(t, events).as_ref(), 2, 64).unwrap().len()).collect();
        assert_eq!(counts, expected, "{events} events");
    }
}

#[test]
fn deterministic_per_seed_and_run() {
    let read = |seed: &str| {
        let o = opts(&[("nexmark.table", "bid"), ("events.num", "500"), ("seed", seed)]);
        read_all(create_source("nexmark", &o, &NexmarkTable::Bid.schema()).unwrap().as_ref(), 2, 50).unwrap()
    };
    assert_eq!(read("0"), read("0"));
    assert_eq!(read("7"), read("7"));
    assert_ne!(read("0"), read("7"));
    // Seed 0 is the default, and the standard stream: the crate's own first bid.
    let first = read_all(table("bid", "50").as_ref(), 1, 64).unwrap();
    let config = nexmark::config::NexmarkConfig { base_time: DEFAULT_BASE_TIME_MS, first_rate: DEFAULT_RATE, next_rate: DEFAULT_RATE, ..Default::default() };
    let Some(nexmark::event::Event::Bid(bid)) = EventGenerator::new(config).nth(4) else { panic!("event 4 is a bid") };
    assert_eq!(first[0][0], Value::BigInt(bid.auction as i64));
    assert_eq!(first[0][6].as_str(), Some(bid.extra.as_str()));
    assert_eq!(first[0][5], Value::Timestamp(bid.date_time as i64));
}

#[test]
fn resume_yields_exactly_the_rest() {
    let source = table("bid", "3000");
    for (worker, peers, n) in [(0, 1, 0), (0, 1, 1000), (1, 3, 250), (2, 3, 999), (2, 3, 5000)] {
        let whole = crate::connectors::testing::drain(source.open(worker, peers, None).unwrap().as_mut(), 64).unwrap();
        let (first, offset, rest) = split_and_resume(source.as_ref(), worker, peers, n);
        assert_eq!(offset.0["rows"].as_u64(), Some(first.len() as u64));
        assert_eq!([first, rest].concat(), whole, "worker {worker} of {peers} after {n}");
    }
    let bad = source.open(0, 1, Some(&SourceOffset(serde_json::json!({"row": 3})))).err().unwrap();
    assert!(bad.to_string().contains("cannot resume"), "{bad}");
}

#[test]
fn rows_have_the_suite_layout_and_event_time_advances_at_the_rate() {
    // 1,000 events per second of event time: event n is at base + n ms.
    let o = opts(&[("nexmark.table", "bid"), ("events.num", "100"), ("first-event.rate", "1000"), ("base-time", "1000000")]);
    let rows = read_all(create_source("nexmark", &o, &NexmarkTable::Bid.schema()).unwrap().as_ref(), 1, 64).unwrap();
    assert_eq!(rows.len(), 92);
    // The first bid is event 4 of the stream.
    assert_eq!(rows[0][5], Value::Timestamp(1_000_004));
    assert!(rows.windows(2).all(|w| w[0][5] <= w[1][5]));
    for row in &rows {
        assert!(row[0].as_i64().unwrap() >= 1000 && row[1].as_i64().unwrap() >= 1000 && row[2].as_i64().unwrap() > 0);
        assert!(row[4].as_str().unwrap().starts_with("https://www.nexmark.com/"));
    }
    // Auctions: expires after dateTime; the default base time is pinned.
    let auctions = read_all(table("auction", "200").as_ref(), 1, 64).unwrap();
    assert!(auctions.iter().all(|a| a[6] > a[5]));
    assert_eq!(auctions[0][5], Value::Timestamp(DEFAULT_BASE_TIME_MS as i64));
    // Bids name auctions and persons of the same stream.
    let persons = read_all(table("person", "5000").as_ref(), 1, 64).unwrap();
    let person_ids: Vec<i64> = persons.iter().map(|p| p[0].as_i64().unwrap()).collect();
    assert_eq!(person_ids, (1000..1100).collect::<Vec<_>>());
}

#[test]
fn declared_columns_are_a_projection() {
    let s = schema(&[("price", DataType::BigInt), ("dateTime", DataType::Timestamp), ("AUCTION", DataType::BigInt)]);
    let o = opts(&[("nexmark.table", "bid"), ("events.num", "60")]);
    let narrow = read_all(create_source("nexmark", &o, &s).unwrap().as_ref(), 1, 64).unwrap();
    let wide = read_all(table("bid", "60").as_ref(), 1, 64).unwrap();
    assert_eq!(narrow.len(), wide.len());
    for (n, w) in narrow.iter().zip(&wide) {
        assert_eq!((&n[0], &n[1], &n[2]), (&w[2], &w[5], &w[0]));
    }
}

#[test]
fn unbounded_without_events_num() {
    for events in [None, Some("0")] {
        let mut o = opts(&[("nexmark.table", "person")]);
        if let Some(e) = events {
            o.insert("events.num".into(), e.into());
        }
        let source = create_source("nexmark", &o, &NexmarkTable::Person.schema()).unwrap();
        assert_eq!(source.boundedness(), Boundedness::Unbounded);
        let mut reader = source.open(0, 1, None).unwrap();
        let mut rows = Vec::new();
        for _ in 0..3 {
            assert_eq!(reader.poll(&mut rows, 10).unwrap(), SourcePoll::Ready);
        }
        assert_eq!(rows.len(), 30);
    }
}

#[test]
fn option_and_schema_errors_name_the_place() {
    let err = |pairs: &[(&str, &str)], s: &Schema| create_source("nexmark", &opts(pairs), s).err().unwrap();
    let bid = NexmarkTable::Bid.schema();
    assert!(err(&[], &bid).message.contains("missing required option 'nexmark.table'"));
    let e = err(&[("nexmark.table", "bids")], &bid);
    assert_eq!(e.option.as_deref(), Some("nexmark.table"));
    assert!(e.message.contains("person, auction or bid"), "{}", e.message);
    assert!(err(&[("nexmark.table", "bid"), ("events.nun", "5")], &bid).message.contains("did you mean 'events.num'"));
    assert!(err(&[("nexmark.table", "bid"), ("first-event.rate", "0")], &bid).message.contains("positive integer"));
    assert!(err(&[("nexmark.table", "bid"), ("seed", "70000")], &bid).message.contains("0 to 65535"));
    let e = err(&[("nexmark.table", "bid")], &schema(&[("prise", DataType::BigInt)]));
    assert!(e.message.contains("no column 'prise' (did you mean 'price'?)"), "{}", e.message);
    let e = err(&[("nexmark.table", "bid")], &schema(&[("price", DataType::Int)]));
    assert!(e.message.contains("has type BIGINT, not INT"), "{}", e.message);
}

#[test]
fn a_projected_table_builds_only_the_columns_read() {
    for (name, columns) in [("person", &[0, 6][..]), ("auction", &[0, 7, 8]), ("bid", &[0, 2]), ("bid", &[])] {
        assert_projects(table(name, "600").as_ref(), columns);
    }
}
