//! Timers: time order, dedup, delete, domains, firing that registers more timers.

use weir_state::{TimeDomain, Timer, TimerService};

use crate::fixture::Fixture;

const EVENT: TimeDomain = TimeDomain::EventTime;
const PROC: TimeDomain = TimeDomain::ProcessingTime;

fn summary(timers: &[Timer<u32>]) -> Vec<(i64, Vec<u8>, u32)> {
    timers.iter().map(|t| (t.timestamp, t.key.clone(), t.namespace)).collect()
}

fn timers_pop_in_time_order_deduplicated(f: &mut Fixture) {
    let t: TimerService<u32> = TimerService::new("op");
    let st = &mut f.store;
    for (key, ns, ts) in [(&b"b"[..], 0, 30), (b"a", 0, 10), (b"b", 1, 10), (b"a", 0, 10), (b"c", 0, -5), (b"a", 0, 20)] {
        t.register_event_time_timer(st, key, &ns, ts).unwrap();
    }
    assert_eq!(t.next_timestamp(st, EVENT).unwrap(), Some(-5));
    let due = t.pop_due(st, EVENT, 20).unwrap();
    assert_eq!(summary(&due), vec![(-5, b"c".to_vec(), 0), (10, b"a".to_vec(), 0), (10, b"b".to_vec(), 1), (20, b"a".to_vec(), 0)]);
    assert!(t.pop_due(st, EVENT, 20).unwrap().is_empty());
    assert_eq!(summary(&t.pending(st, EVENT).unwrap()), vec![(30, b"b".to_vec(), 0)]);
    assert_eq!(summary(&t.pop_due(st, EVENT, i64::MAX).unwrap()), vec![(30, b"b".to_vec(), 0)]);
    assert_eq!(t.next_timestamp(st, EVENT).unwrap(), None);
}

fn deleted_timers_do_not_fire(f: &mut Fixture) {
    let t: TimerService<u32> = TimerService::new("op");
    let st = &mut f.store;
    t.register_event_time_timer(st, b"k", &0, 5).unwrap();
    t.register_event_time_timer(st, b"k", &1, 5).unwrap();
    t.delete_event_time_timer(st, b"k", &0, 5).unwrap();
    t.delete_event_time_timer(st, b"k", &0, 99).unwrap(); // never registered: no-op
    assert_eq!(summary(&t.pop_due(st, EVENT, 10).unwrap()), vec![(5, b"k".to_vec(), 1)]);
}

fn domains_and_services_are_separate(f: &mut Fixture) {
    let a: TimerService<u32> = TimerService::new("a");
    let b: TimerService<u32> = TimerService::new("b");
    let st = &mut f.store;
    a.register_event_time_timer(st, b"k", &0, 1).unwrap();
    a.register_processing_time_timer(st, b"k", &0, 2).unwrap();
    b.register_event_time_timer(st, b"k", &0, 3).unwrap();
    let proc_due = a.pop_due(st, PROC, 100).unwrap();
    assert_eq!(proc_due.len(), 1);
    assert_eq!(proc_due[0].domain, PROC);
    assert_eq!(summary(&a.pop_due(st, EVENT, 100).unwrap()), vec![(1, b"k".to_vec(), 0)]);
    assert_eq!(summary(&b.pop_due(st, EVENT, 100).unwrap()), vec![(3, b"k".to_vec(), 0)]);
    a.delete_processing_time_timer(st, b"k", &0, 2).unwrap();
}

fn pop_next_sees_timers_registered_while_firing(f: &mut Fixture) {
    let t: TimerService = TimerService::new("op");
    let st = &mut f.store;
    t.register_event_time_timer(st, b"k", &(), 1).unwrap();
    let mut fired = Vec::new();
    while let Some(timer) = t.pop_next(st, EVENT, 10).unwrap() {
        fired.push(timer.timestamp);
        if timer.timestamp < 8 {
            // A callback that re-arms itself, still within the watermark.
            t.register_event_time_timer(st, b"k", &(), timer.timestamp * 2).unwrap();
        }
    }
    assert_eq!(fired, vec![1, 2, 4, 8]);
}

fn pop_next_stops_at_its_bound_and_any_between_is_strict(f: &mut Fixture) {
    let t: TimerService = TimerService::new("op");
    let st = &mut f.store;
    for (key, ts) in [(&b"a"[..], 10), (b"b", 14), (b"a", 20)] {
        t.register_event_time_timer(st, key, &(), ts).unwrap();
    }
    assert!(t.any_between(st, EVENT, 10, 20).unwrap(), "b's timer at 14, of another key");
    assert!(!t.any_between(st, EVENT, 14, 20).unwrap(), "both ends excluded");
    assert!(!t.any_between(st, EVENT, 10, 14).unwrap());
    assert!(!t.any_between(st, EVENT, 20, 10).unwrap(), "an empty range");
    assert!(!t.any_between(st, PROC, 0, 100).unwrap(), "another domain");
    assert_eq!(t.pop_next(st, EVENT, 9).unwrap(), None);
    assert_eq!(t.pop_next(st, EVENT, 14).unwrap().map(|t| (t.timestamp, t.key)), Some((10, b"a".to_vec())));
    assert_eq!(t.pop_next(st, EVENT, 14).unwrap().map(|t| (t.timestamp, t.key)), Some((14, b"b".to_vec())));
    assert_eq!(t.pop_next(st, EVENT, 14).unwrap(), None);
    assert_eq!(t.pop_next(st, EVENT, i64::MAX).unwrap().map(|t| t.timestamp), Some(20));
    assert_eq!(t.next_timestamp(st, EVENT).unwrap(), None);
}

backend_suite!(
    timers_pop_in_time_order_deduplicated,
    pop_next_stops_at_its_bound_and_any_between_is_strict,
    deleted_timers_do_not_fire,
    domains_and_services_are_separate,
    pop_next_sees_timers_registered_while_firing,
);
