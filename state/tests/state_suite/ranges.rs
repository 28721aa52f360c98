//! Range reads of `MapState` over its (order-preserving) user keys: the bounds, the extremes of
//! `i64`, empty ranges, isolation from other keys, removal and TTL.

use std::ops::Bound;
use std::time::Duration;

use weir_state::backend::dump;
use weir_state::{MapState, StateTtlConfig, TtlUpdateType};

use crate::fixture::Fixture;

const TIMES: [i64; 9] = [i64::MIN, i64::MIN + 1, -10, -1, 0, 1, 10, i64::MAX - 1, i64::MAX];

fn filled(f: &mut Fixture) -> MapState<i64, String> {
    let s: MapState<i64, String> = MapState::new("m");
    for t in TIMES {
        s.put(&mut f.store, b"k", &(), &t, &t.to_string()).unwrap();
        // Neighbours whose backend keys share bytes with those of "k".
        s.put(&mut f.store, b"kk", &(), &t, &"kk".to_string()).unwrap();
        s.put(&mut f.store, b"", &(), &t, &"empty".to_string()).unwrap();
    }
    s
}

fn user_keys(entries: Vec<(i64, String)>) -> Vec<i64> {
    for (k, v) in &entries {
        assert_eq!(&k.to_string(), v, "an entry of another key leaked into the range");
    }
    entries.into_iter().map(|(k, _)| k).collect()
}

fn range_bounds_are_exact(f: &mut Fixture) {
    let s = filled(f);
    let mut range = |bounds: (Bound<i64>, Bound<i64>)| user_keys(s.range(&mut f.store, b"k", &(), bounds).unwrap());
    use Bound::{Excluded, Included, Unbounded};
    assert_eq!(range((Included(-1), Included(1))), vec![-1, 0, 1]);
    assert_eq!(range((Excluded(-10), Excluded(10))), vec![-1, 0, 1]);
    assert_eq!(range((Included(-9), Included(9))), vec![-1, 0, 1]);
    assert_eq!(range((Unbounded, Included(-10))), vec![i64::MIN, i64::MIN + 1, -10]);
    assert_eq!(range((Unbounded, Excluded(-10))), vec![i64::MIN, i64::MIN + 1]);
    assert_eq!(range((Included(10), Unbounded)), vec![10, i64::MAX - 1, i64::MAX]);
    assert_eq!(range((Excluded(10), Unbounded)), vec![i64::MAX - 1, i64::MAX]);
    assert_eq!(range((Included(i64::MIN), Included(i64::MIN))), vec![i64::MIN]);
    assert_eq!(range((Included(i64::MAX), Included(i64::MAX))), vec![i64::MAX]);
    assert_eq!(range((Excluded(i64::MAX), Unbounded)), Vec::<i64>::new());
    assert_eq!(range((Unbounded, Excluded(i64::MIN))), Vec::<i64>::new());
    assert_eq!(range((Included(i64::MIN), Included(i64::MAX))), TIMES.to_vec());
    assert_eq!(range((Unbounded, Unbounded)), TIMES.to_vec());
    // Empty and inverted ranges read nothing.
    assert_eq!(range((Included(5), Included(3))), Vec::<i64>::new());
    assert_eq!(range((Included(7), Excluded(7))), Vec::<i64>::new());
    assert_eq!(range((Excluded(0), Excluded(1))), Vec::<i64>::new());
    assert_eq!(range((Included(2), Included(9))), Vec::<i64>::new());
    // Bounds an operator computed with saturating arithmetic next to the extremes.
    let (ts, width) = (i64::MAX - 1, 5);
    assert_eq!(range((Included(ts.saturating_sub(width)), Included(ts.saturating_add(width)))), vec![i64::MAX - 1, i64::MAX]);
    let ts = i64::MIN + 1;
    assert_eq!(range((Included(ts.saturating_sub(width)), Included(ts.saturating_add(width)))), vec![i64::MIN, i64::MIN + 1]);
    // The whole-map read agrees with the unbounded range; the neighbours are intact.
    assert_eq!(user_keys(s.entries(&mut f.store, b"k", &()).unwrap()), TIMES.to_vec());
    assert_eq!(s.range(&mut f.store, b"kk", &(), 0..=0).unwrap(), vec![(0, "kk".to_string())]);
    assert_eq!(s.range(&mut f.store, b"", &(), ..).unwrap().len(), TIMES.len());
}

fn drain_and_remove_take_only_their_range(f: &mut Fixture) {
    let s = filled(f);
    let drained = s.drain_range(&mut f.store, b"k", &(), ..=0).unwrap();
    assert_eq!(user_keys(drained), vec![i64::MIN, i64::MIN + 1, -10, -1, 0]);
    assert_eq!(user_keys(s.entries(&mut f.store, b"k", &()).unwrap()), vec![1, 10, i64::MAX - 1, i64::MAX]);
    assert_eq!(s.remove_range(&mut f.store, b"k", &(), 10..=i64::MAX).unwrap(), 3);
    assert_eq!(s.remove_range(&mut f.store, b"k", &(), 10..=i64::MAX).unwrap(), 0);
    assert_eq!(s.remove_range(&mut f.store, b"k", &(), (Bound::Included(3), Bound::Included(2))).unwrap(), 0);
    assert!(s.drain_range(&mut f.store, b"k", &(), 2..).unwrap().is_empty());
    assert_eq!(user_keys(s.entries(&mut f.store, b"k", &()).unwrap()), vec![1]);
    // Only "k"'s entries went: 1 of its own is left, all of the neighbours'.
    assert_eq!(dump(f.store.backend()).unwrap().len(), 1 + 2 * TIMES.len());
    assert_eq!(s.remove_range(&mut f.store, b"k", &(), ..).unwrap(), 1);
    assert!(s.is_empty(&mut f.store, b"k", &()).unwrap());
}

fn ranges_never_return_expired_entries(f: &mut Fixture) {
    let s: MapState<i64, u8> = MapState::new("m").with_ttl(StateTtlConfig::new(Duration::from_millis(100)));
    let st = &mut f.store;
    for t in 1..=3 {
        s.put(st, b"k", &(), &t, &0).unwrap();
    }
    f.clock.advance(50);
    s.put(st, b"k", &(), &2, &1).unwrap();
    s.put(st, b"k", &(), &4, &1).unwrap();
    s.put(st, b"k", &(), &5, &1).unwrap();
    f.clock.advance(50); // 1 and 3 have expired
    assert_eq!(s.range(st, b"k", &(), 2..=4).unwrap(), vec![(2, 1), (4, 1)]);
    // The read deleted the expired entry it met (3), not the one outside its range (1).
    assert_eq!(dump(st.backend()).unwrap().len(), 4);
    assert_eq!(s.drain_range(st, b"k", &(), ..=4).unwrap(), vec![(2, 1), (4, 1)]);
    assert_eq!(dump(st.backend()).unwrap().len(), 1);
    f.clock.advance(50); // 5 has expired too: removal counts it all the same
    assert_eq!(s.remove_range(st, b"k", &(), ..).unwrap(), 1);
    assert!(dump(st.backend()).unwrap().is_empty());
}

fn range_reads_refresh_with_on_read_and_write(f: &mut Fixture) {
    let ttl = StateTtlConfig::new(Duration::from_millis(100)).with_update_type(TtlUpdateType::OnReadAndWrite);
    let s: MapState<i64, u8> = MapState::new("m").with_ttl(ttl);
    let st = &mut f.store;
    s.put(st, b"k", &(), &1, &1).unwrap();
    s.put(st, b"k", &(), &2, &2).unwrap();
    f.clock.advance(60);
    assert_eq!(s.range(st, b"k", &(), 1..2).unwrap(), vec![(1, 1)]);
    f.clock.advance(60);
    assert_eq!(s.entries(st, b"k", &()).unwrap(), vec![(1, 1)]);
}

backend_suite!(range_bounds_are_exact, drain_and_remove_take_only_their_range, ranges_never_return_expired_entries, range_reads_refresh_with_on_read_and_write,);
