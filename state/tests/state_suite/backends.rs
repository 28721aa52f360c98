//! The raw backend contract: tables, ordered scans, range deletes.

use weir_state::ScanFlow;
use weir_state::backend::dump;

use crate::fixture::Fixture;

fn keys(f: &Fixture, table: &str, start: &[u8], end: Option<&[u8]>) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    f.store
        .backend()
        .scan(table, start, end, &mut |k, _| {
            out.push(k.to_vec());
            Ok(ScanFlow::Continue)
        })
        .expect("scan");
    out
}

fn get_put_delete(f: &mut Fixture) {
    let b = f.store.backend_mut();
    assert_eq!(b.get("t", b"k").unwrap(), None);
    b.put("t", b"k", b"v1").unwrap();
    b.put("t", b"k", b"v2").unwrap();
    b.put("u", b"k", b"other table").unwrap();
    assert_eq!(b.get("t", b"k").unwrap(), Some(b"v2".to_vec()));
    b.delete("t", b"k").unwrap();
    b.delete("t", b"never there").unwrap();
    b.delete("no such table", b"k").unwrap();
    assert_eq!(b.get("t", b"k").unwrap(), None);
    assert_eq!(b.get("u", b"k").unwrap(), Some(b"other table".to_vec()));
    assert_eq!(b.tables().unwrap(), vec!["u".to_string()]);
}

fn scans_are_ordered_and_bounded(f: &mut Fixture) {
    for k in [&b"b"[..], b"a", b"c\xff", b"c", b"", b"d"] {
        f.store.backend_mut().put("t", k, b"").unwrap();
    }
    assert_eq!(keys(f, "t", b"", None), vec![b"".to_vec(), b"a".to_vec(), b"b".to_vec(), b"c".to_vec(), b"c\xff".to_vec(), b"d".to_vec()]);
    assert_eq!(keys(f, "t", b"b", Some(b"d")), vec![b"b".to_vec(), b"c".to_vec(), b"c\xff".to_vec()]);
    assert!(keys(f, "t", b"d", Some(b"b")).is_empty());
    assert!(keys(f, "missing", b"", None).is_empty());
    let mut first = Vec::new();
    f.store
        .backend()
        .scan("t", b"a", None, &mut |k, _| {
            first.push(k.to_vec());
            Ok(ScanFlow::Stop)
        })
        .unwrap();
    assert_eq!(first, vec![b"a".to_vec()]);
}

fn delete_range_removes_only_the_range(f: &mut Fixture) {
    for k in [b"a", b"b", b"c", b"d"] {
        f.store.backend_mut().put("t", k, b"x").unwrap();
    }
    f.store.backend_mut().delete_range("t", b"b", Some(b"d")).unwrap();
    assert_eq!(keys(f, "t", b"", None), vec![b"a".to_vec(), b"d".to_vec()]);
    f.store.backend_mut().delete_range("t", b"b", None).unwrap();
    assert_eq!(keys(f, "t", b"", None), vec![b"a".to_vec()]);
    assert_eq!(dump(f.store.backend()).unwrap(), vec![("t".to_string(), b"a".to_vec(), b"x".to_vec())]);
}

backend_suite!(get_put_delete, scans_are_ordered_and_bounded, delete_range_removes_only_the_range);
