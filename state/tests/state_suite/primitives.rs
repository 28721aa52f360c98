//! Value, list, map and reducing state semantics, identical on both backends.

use weir_state::backend::dump;
use weir_state::codec::DecodeError;
use weir_state::{ListState, MapState, ReducingState, StateCodec, StateError, ValueState};

use crate::fixture::Fixture;

fn value_state_get_update_clear(f: &mut Fixture) {
    let s: ValueState<String> = ValueState::new("v");
    let st = &mut f.store;
    assert_eq!(s.get(st, b"k", &()).unwrap(), None);
    s.update(st, b"k", &(), &"one".to_string()).unwrap();
    s.update(st, b"k2", &(), &"two".to_string()).unwrap();
    assert_eq!(s.get(st, b"k", &()).unwrap().as_deref(), Some("one"));
    s.update(st, b"k", &(), &"uno".to_string()).unwrap();
    assert_eq!(s.get(st, b"k", &()).unwrap().as_deref(), Some("uno"));
    s.clear(st, b"k", &()).unwrap();
    assert_eq!(s.get(st, b"k", &()).unwrap(), None);
    assert_eq!(s.get(st, b"k2", &()).unwrap().as_deref(), Some("two"));
}

fn keys_namespaces_and_states_are_isolated(f: &mut Fixture) {
    let a: ValueState<u64, (i64, i64)> = ValueState::new("a");
    let b: ValueState<u64, (i64, i64)> = ValueState::new("b");
    let st = &mut f.store;
    // Keys that share bytes across the key/namespace boundary must not collide.
    a.update(st, b"ab", &(0, 10), &1).unwrap();
    a.update(st, b"a", &(0, 10), &2).unwrap();
    a.update(st, b"ab", &(10, 20), &3).unwrap();
    b.update(st, b"ab", &(0, 10), &4).unwrap();
    assert_eq!(a.get(st, b"ab", &(0, 10)).unwrap(), Some(1));
    assert_eq!(a.get(st, b"a", &(0, 10)).unwrap(), Some(2));
    assert_eq!(a.get(st, b"ab", &(10, 20)).unwrap(), Some(3));
    assert_eq!(b.get(st, b"ab", &(0, 10)).unwrap(), Some(4));
    assert_eq!(a.get(st, b"", &(0, 10)).unwrap(), None);
}

fn list_state_appends_in_order(f: &mut Fixture) {
    let s: ListState<i32> = ListState::new("l");
    let st = &mut f.store;
    assert!(s.get(st, b"k", &()).unwrap().is_empty());
    s.add(st, b"k", &(), &3).unwrap();
    s.add_all(st, b"k", &(), &[1, 2]).unwrap();
    s.add(st, b"other", &(), &9).unwrap();
    assert_eq!(s.get(st, b"k", &()).unwrap(), vec![3, 1, 2]);
    s.update(st, b"k", &(), &[7]).unwrap();
    assert_eq!(s.get(st, b"k", &()).unwrap(), vec![7]);
    s.update(st, b"k", &(), &[]).unwrap();
    assert!(s.get(st, b"k", &()).unwrap().is_empty());
    s.clear(st, b"other", &()).unwrap();
    assert!(s.get(st, b"other", &()).unwrap().is_empty());
}

fn map_state_entries_in_key_order(f: &mut Fixture) {
    let s: MapState<i64, String> = MapState::new("m");
    let st = &mut f.store;
    assert!(s.is_empty(st, b"k", &()).unwrap());
    for (k, v) in [(5, "five"), (-3, "minus three"), (100, "hundred")] {
        s.put(st, b"k", &(), &k, &v.to_string()).unwrap();
    }
    s.put(st, b"k2", &(), &1, &"other".to_string()).unwrap();
    assert_eq!(s.keys(st, b"k", &()).unwrap(), vec![-3, 5, 100]);
    assert_eq!(s.get(st, b"k", &(), &5).unwrap().as_deref(), Some("five"));
    assert!(s.contains(st, b"k", &(), &100).unwrap());
    s.remove(st, b"k", &(), &100).unwrap();
    assert!(!s.contains(st, b"k", &(), &100).unwrap());
    let extra = [(7, "seven".to_string())];
    s.put_all(st, b"k", &(), extra.iter().map(|(k, v)| (k, v))).unwrap();
    assert_eq!(s.values(st, b"k", &()).unwrap(), vec!["minus three", "five", "seven"]);
    s.clear(st, b"k", &()).unwrap();
    assert!(s.is_empty(st, b"k", &()).unwrap());
    assert_eq!(s.entries(st, b"k2", &()).unwrap(), vec![(1, "other".to_string())]);
    let counts: MapState<i64, i64> = MapState::new("counts");
    for delta in [2, 3, -5, 4] {
        counts.update(st, b"k", &(), &9, |n| Some(n.unwrap_or(0) + delta).filter(|n| *n != 0)).unwrap();
    }
    assert_eq!(counts.entries(st, b"k", &()).unwrap(), vec![(9, 4)], "a count that reached zero was removed, then began again");
}

fn reducing_state_folds(f: &mut Fixture) {
    let s = ReducingState::<i64, _, u32>::new("r", |a: &i64, b: &i64| (*a).max(*b));
    let st = &mut f.store;
    assert_eq!(s.get(st, b"k", &1).unwrap(), None);
    for v in [3, 9, -1, 4] {
        s.add(st, b"k", &1, &v).unwrap();
    }
    s.add(st, b"k", &2, &-5).unwrap();
    assert_eq!(s.get(st, b"k", &1).unwrap(), Some(9));
    assert_eq!(s.get(st, b"k", &2).unwrap(), Some(-5));
    s.clear(st, b"k", &1).unwrap();
    assert_eq!(s.get(st, b"k", &1).unwrap(), None);
}

fn corrupt_bytes_are_a_typed_error(f: &mut Fixture) {
    let wrote: ValueState<u8> = ValueState::new("shape");
    let reads: ValueState<u64> = ValueState::new("shape");
    wrote.update(&mut f.store, b"k", &(), &1).unwrap();
    match reads.get(&mut f.store, b"k", &()) {
        Err(StateError::CorruptValue { state, .. }) => assert_eq!(state, "shape"),
        other => panic!("expected CorruptValue, got {other:?}"),
    }
    let list: ListState<u64> = ListState::new("shape");
    assert!(matches!(list.get(&mut f.store, b"k", &()), Err(StateError::CorruptValue { .. })));
}

/// A rewrite sees what `get` reads and stores what `update` would: the same bytes.
fn value_state_rewrite_reads_and_stores_encodings(f: &mut Fixture) {
    let (s, reference): (ValueState<u64>, ValueState<u64>) = (ValueState::new("v"), ValueState::new("r"));
    let st = &mut f.store;
    let add = |stored: Option<&[u8]>, out: &mut Vec<u8>| -> Result<(), DecodeError> {
        let old = stored.map(|mut b| u64::decode(&mut b)).transpose()?.unwrap_or(0);
        (old + 5).encode(out);
        Ok(())
    };
    for _ in 0..3 {
        s.rewrite(st, b"k", &(), add).unwrap();
        let old = reference.get(st, b"k", &()).unwrap().unwrap_or(0);
        reference.update(st, b"k", &(), &(old + 5)).unwrap();
    }
    assert_eq!(s.get(st, b"k", &()).unwrap(), Some(15));
    let bytes = |name: &str| dump(st.backend()).unwrap().into_iter().filter(|(t, _, _)| t == name).map(|(_, k, v)| (k, v)).collect::<Vec<_>>();
    assert_eq!(bytes("v"), bytes("r"));
    let failed = s.rewrite(st, b"k", &(), |_, out| {
        out.push(1);
        Err(DecodeError("no".into()))
    });
    assert!(matches!(failed, Err(StateError::CorruptValue { .. })), "{failed:?}");
    assert_eq!(s.get(st, b"k", &()).unwrap(), Some(15), "a failed rewrite stores nothing");
}

backend_suite!(
    value_state_rewrite_reads_and_stores_encodings,
    value_state_get_update_clear,
    keys_namespaces_and_states_are_isolated,
    list_state_appends_in_order,
    map_state_entries_in_key_order,
    reducing_state_folds,
    corrupt_bytes_are_a_typed_error,
);
