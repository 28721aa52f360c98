//! TTL: expiry, refresh on read, per-element expiry, full-scan cleanup. Time is a manual clock.

use std::time::Duration;

use weir_state::backend::dump;
use weir_state::{ListState, MapState, ReducingState, StateTtlConfig, TtlUpdateType, ValueState};

use crate::fixture::Fixture;

fn ttl(ms: u64) -> StateTtlConfig {
    StateTtlConfig::new(Duration::from_millis(ms))
}

fn value_expires_after_ttl_since_last_write(f: &mut Fixture) {
    let s: ValueState<u32> = ValueState::new("v").with_ttl(ttl(100));
    s.update(&mut f.store, b"k", &(), &1).unwrap();
    f.clock.advance(60);
    assert_eq!(s.get(&mut f.store, b"k", &()).unwrap(), Some(1));
    s.update(&mut f.store, b"k", &(), &2).unwrap(); // write refreshes
    f.clock.advance(60);
    assert_eq!(s.get(&mut f.store, b"k", &()).unwrap(), Some(2));
    f.clock.advance(40);
    assert_eq!(s.get(&mut f.store, b"k", &()).unwrap(), None);
    // Cleanup on read deleted the entry itself.
    assert!(dump(f.store.backend()).unwrap().is_empty());
}

fn read_refreshes_with_on_read_and_write(f: &mut Fixture) {
    let s: ValueState<u32> = ValueState::new("v").with_ttl(ttl(100).with_update_type(TtlUpdateType::OnReadAndWrite));
    let plain: ValueState<u32> = ValueState::new("p").with_ttl(ttl(100));
    s.update(&mut f.store, b"k", &(), &1).unwrap();
    plain.update(&mut f.store, b"k", &(), &1).unwrap();
    for _ in 0..5 {
        f.clock.advance(60);
        assert_eq!(s.get(&mut f.store, b"k", &()).unwrap(), Some(1));
    }
    assert_eq!(plain.get(&mut f.store, b"k", &()).unwrap(), None);
    f.clock.advance(100);
    assert_eq!(s.get(&mut f.store, b"k", &()).unwrap(), None);
}

fn list_elements_expire_one_by_one(f: &mut Fixture) {
    let s: ListState<u32> = ListState::new("l").with_ttl(ttl(100));
    s.add(&mut f.store, b"k", &(), &1).unwrap();
    f.clock.advance(50);
    s.add_all(&mut f.store, b"k", &(), &[2, 3]).unwrap();
    f.clock.advance(50);
    assert_eq!(s.get(&mut f.store, b"k", &()).unwrap(), vec![2, 3]);
    f.clock.advance(50);
    assert!(s.get(&mut f.store, b"k", &()).unwrap().is_empty());
    assert!(dump(f.store.backend()).unwrap().is_empty());
}

fn map_entries_expire_one_by_one(f: &mut Fixture) {
    let s: MapState<u8, u8> = MapState::new("m").with_ttl(ttl(100));
    s.put(&mut f.store, b"k", &(), &1, &10).unwrap();
    f.clock.advance(50);
    s.put(&mut f.store, b"k", &(), &2, &20).unwrap();
    f.clock.advance(50);
    assert_eq!(s.get(&mut f.store, b"k", &(), &1).unwrap(), None);
    assert_eq!(s.entries(&mut f.store, b"k", &()).unwrap(), vec![(2, 20)]);
    f.clock.advance(50);
    assert!(s.is_empty(&mut f.store, b"k", &()).unwrap());
}

fn map_updates_see_expired_entries_as_absent(f: &mut Fixture) {
    let s: MapState<u8, u8> = MapState::new("m").with_ttl(ttl(100));
    let add = |f: &mut Fixture, n: u8| {
        let mut seen = None;
        s.update(&mut f.store, b"k", &(), &1, |old| {
            seen = old;
            Some(old.unwrap_or(0) + n)
        })
        .unwrap();
        seen
    };
    assert_eq!(add(f, 1), None);
    f.clock.advance(60);
    assert_eq!(add(f, 2), Some(1), "a live entry is read");
    f.clock.advance(60);
    assert_eq!(s.get(&mut f.store, b"k", &(), &1).unwrap(), Some(3), "the update refreshed the stamp");
    f.clock.advance(100);
    assert_eq!(add(f, 5), None, "an expired entry reads as absent");
    assert_eq!(s.get(&mut f.store, b"k", &(), &1).unwrap(), Some(5));
    // Unchanged, an entry keeps its stamp; removed by `None`, it is gone.
    f.clock.advance(60);
    s.update(&mut f.store, b"k", &(), &1, |old| old).unwrap();
    f.clock.advance(40);
    assert_eq!(s.get(&mut f.store, b"k", &(), &1).unwrap(), None);
    add(f, 1);
    s.update(&mut f.store, b"k", &(), &1, |_| None).unwrap();
    assert!(dump(f.store.backend()).unwrap().is_empty());
}

fn reducing_restarts_after_expiry(f: &mut Fixture) {
    let s = ReducingState::<u64, _>::new("r", |a: &u64, b: &u64| a + b).with_ttl(ttl(100));
    s.add(&mut f.store, b"k", &(), &5).unwrap();
    s.add(&mut f.store, b"k", &(), &5).unwrap();
    assert_eq!(s.get(&mut f.store, b"k", &()).unwrap(), Some(10));
    f.clock.advance(100);
    s.add(&mut f.store, b"k", &(), &1).unwrap();
    assert_eq!(s.get(&mut f.store, b"k", &()).unwrap(), Some(1));
}

fn full_scan_cleanup_removes_only_expired(f: &mut Fixture) {
    let v: ValueState<u8, u8> = ValueState::new("v").with_ttl(ttl(100));
    let l: ListState<u8> = ListState::new("l").with_ttl(ttl(100));
    let m: MapState<u8, u8> = MapState::new("m").with_ttl(ttl(100));
    for ns in 0..4 {
        v.update(&mut f.store, b"k", &ns, &ns).unwrap();
        m.put(&mut f.store, b"k", &(), &ns, &ns).unwrap();
    }
    l.add(&mut f.store, b"a", &(), &1).unwrap();
    l.add(&mut f.store, b"b", &(), &1).unwrap();
    f.clock.advance(50);
    v.update(&mut f.store, b"k", &0, &0).unwrap();
    m.put(&mut f.store, b"k", &(), &0, &0).unwrap();
    l.add(&mut f.store, b"a", &(), &2).unwrap();
    f.clock.advance(50);
    assert_eq!(v.cleanup_expired(&mut f.store).unwrap(), 3);
    assert_eq!(m.cleanup_expired(&mut f.store).unwrap(), 3);
    assert_eq!(l.cleanup_expired(&mut f.store).unwrap(), 2); // "a" rewritten, "b" deleted
    let tables: Vec<String> = dump(f.store.backend()).unwrap().into_iter().map(|(t, _, _)| t).collect();
    assert_eq!(tables, vec!["l", "m", "v"]);
    assert_eq!(l.get(&mut f.store, b"a", &()).unwrap(), vec![2]);
    assert_eq!(v.cleanup_expired(&mut f.store).unwrap(), 0);
}

/// A rewrite reads an expired value as absent and stamps what it writes, as `update` does.
fn value_rewrite_sees_expiry_and_stamps(f: &mut Fixture) {
    let s: ValueState<u32> = ValueState::new("v").with_ttl(ttl(100));
    let bump = |stored: Option<&[u8]>, out: &mut Vec<u8>| -> Result<(), weir_state::codec::DecodeError> {
        let old = stored.map(|mut b| <u32 as weir_state::StateCodec>::decode(&mut b)).transpose()?.unwrap_or(0);
        weir_state::StateCodec::encode(&(old + 1), out);
        Ok(())
    };
    s.rewrite(&mut f.store, b"k", &(), bump).unwrap();
    f.clock.advance(60);
    s.rewrite(&mut f.store, b"k", &(), bump).unwrap(); // a rewrite refreshes
    f.clock.advance(60);
    assert_eq!(s.get(&mut f.store, b"k", &()).unwrap(), Some(2));
    f.clock.advance(100);
    s.rewrite(&mut f.store, b"k", &(), bump).unwrap();
    assert_eq!(s.get(&mut f.store, b"k", &()).unwrap(), Some(1), "the expired value read as absent");
}

backend_suite!(
    value_rewrite_sees_expiry_and_stamps,
    value_expires_after_ttl_since_last_write,
    read_refreshes_with_on_read_and_write,
    list_elements_expire_one_by_one,
    map_entries_expire_one_by_one,
    map_updates_see_expired_entries_as_absent,
    reducing_restarts_after_expiry,
    full_scan_cleanup_removes_only_expired,
);
