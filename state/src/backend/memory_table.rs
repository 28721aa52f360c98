//! [`Table`]: one table of the memory backend, hashed while it is only read and written by
//! key, ordered once something asks for its keys in order.
//!
//! Most tables of a window operator are only ever accessed by key: a group's or a slice's
//! value, a window's list of rows. A hash map finds those keys without the comparisons of an
//! ordered map's search (a `memcmp` per node on the way down). The tables that are scanned —
//! timers popped in time order, a map state's entries by prefix, a join's rows of one key —
//! need their keys ordered. So a table starts hashed and becomes an ordered `BTreeMap` the
//! first time an ordered access meets a write: a range removal or a first-key pop turns it at
//! once; a scan (which only reads) sorts its keys aside, and the next insertion or removal
//! turns the table (a key set that scans keep reading without writes keeps its sorted keys).
//! Either way every access sees the same entries, and scans see them in ascending key order;
//! a table is turned at most once. A timer table (`__timers/...`) is ordered from its
//! creation: its timers are always popped in order, and turning it at the first pop would sort
//! every pending timer in one pause.

use std::cell::OnceCell;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};

use crate::backend::table_key::TableKey;
use crate::timers::TIMER_TABLE_PREFIX;

/// The hasher of hashed tables: foldhash, fast on short keys (SipHash costs more than a
/// search of a small ordered map).
type Hasher = foldhash::fast::RandomState;

/// A visitor of a table's entries, in ascending key order: whether to go on.
pub(crate) type Visit<'a, E> = dyn FnMut(&[u8], &[u8]) -> Result<bool, E> + 'a;

/// The entries of a table, hashed or ordered (see the module docs).
#[derive(Debug, Clone)]
pub(crate) enum Table {
    /// Accessed by key only so far (or only scanned since its last insertion or removal).
    Hashed {
        /// The entries.
        map: HashMap<TableKey, Vec<u8>, Hasher>,
        /// The keys of `map`, sorted, once a scan has asked for them: valid while no key is
        /// inserted or removed (values may change), and a sign that the table is scanned.
        order: OnceCell<Vec<TableKey>>,
    },
    /// Scanned or range-accessed: ordered by key bytes.
    Sorted(BTreeMap<TableKey, Vec<u8>>),
}

impl Default for Table {
    fn default() -> Table {
        Table::Hashed { map: HashMap::default(), order: OnceCell::new() }
    }
}

impl PartialEq for Table {
    /// Two tables are equal when they hold the same entries, whatever their layout.
    fn eq(&self, other: &Table) -> bool {
        self.len() == other.len() && self.entries_sorted().into_iter().all(|(k, v)| other.get(k.as_slice()) == Some(v))
    }
}

impl FromIterator<(TableKey, Vec<u8>)> for Table {
    fn from_iter<I: IntoIterator<Item = (TableKey, Vec<u8>)>>(entries: I) -> Table {
        Table::Hashed { map: entries.into_iter().collect(), order: OnceCell::new() }
    }
}

impl Table {
    /// A new, empty table named `name`: a timer table is ordered from the start, since timers
    /// are popped in order (turning a hashed one would sort every pending timer at the first
    /// pop); any other starts hashed.
    pub(crate) fn for_name(name: &str) -> Table {
        if name.starts_with(TIMER_TABLE_PREFIX) { Table::Sorted(BTreeMap::new()) } else { Table::default() }
    }

    /// The number of entries.
    pub(crate) fn len(&self) -> usize {
        match self {
            Table::Hashed { map, .. } => map.len(),
            Table::Sorted(map) => map.len(),
        }
    }

    /// Whether the table holds no entry.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value under `key`.
    pub(crate) fn get(&self, key: &[u8]) -> Option<&Vec<u8>> {
        match self {
            Table::Hashed { map, .. } => map.get(key),
            Table::Sorted(map) => map.get(key),
        }
    }

    /// The value under `key`, to change in place (the keys stay as they are).
    pub(crate) fn get_mut(&mut self, key: &[u8]) -> Option<&mut Vec<u8>> {
        match self {
            Table::Hashed { map, .. } => map.get_mut(key),
            Table::Sorted(map) => map.get_mut(key),
        }
    }

    /// Stores `value` under `key`, a key not in the table.
    pub(crate) fn insert(&mut self, key: TableKey, value: Vec<u8>) {
        match self.keys_changing() {
            Table::Hashed { map, .. } => map.insert(key, value),
            Table::Sorted(map) => map.insert(key, value),
        };
    }

    /// Stores `value` under `key`, overwriting in place when it is there (a timer set again, a
    /// value updated: the entry's key and, when the new value fits, its value buffer kept). An
    /// ordered table is searched once, with the key copied first (inline when short, as a
    /// timer's is), where a lookup then an insertion would search it twice.
    pub(crate) fn put(&mut self, key: &[u8], value: &[u8]) {
        if let Table::Sorted(map) = self {
            match map.entry(TableKey::from(key)) {
                Entry::Occupied(mut old) => overwrite(old.get_mut(), value),
                Entry::Vacant(slot) => {
                    slot.insert(value.to_vec());
                }
            }
            return;
        }
        match self.get_mut(key) {
            Some(old) => overwrite(old, value),
            None => self.insert(TableKey::from(key), value.to_vec()),
        }
    }

    /// Removes `key` (nothing when absent).
    pub(crate) fn remove(&mut self, key: &[u8]) {
        let present = match self {
            Table::Hashed { map, .. } => map.contains_key(key),
            Table::Sorted(_) => true,
        };
        if !present {
            return;
        }
        match self.keys_changing() {
            Table::Hashed { map, .. } => map.remove(key),
            Table::Sorted(map) => map.remove(key),
        };
    }

    /// The table, about to gain or lose a key: turned ordered first when scans have asked for
    /// its keys in order (their sorted keys would go stale).
    fn keys_changing(&mut self) -> &mut Table {
        if matches!(self, Table::Hashed { order, .. } if order.get().is_some()) {
            self.sorted();
        }
        self
    }

    /// The table as an ordered map, turned so first when hashed.
    pub(crate) fn sorted(&mut self) -> &mut BTreeMap<TableKey, Vec<u8>> {
        if let Table::Hashed { map, .. } = self {
            let ordered: BTreeMap<TableKey, Vec<u8>> = std::mem::take(map).into_iter().collect();
            *self = Table::Sorted(ordered);
        }
        match self {
            Table::Sorted(map) => map,
            Table::Hashed { .. } => unreachable!("a hashed table was just turned ordered"),
        }
    }

    /// Visits the entries with `start <= key` in ascending key order while `visit` returns
    /// true (the caller checks its end as the scan goes).
    pub(crate) fn visit_from<E>(&self, start: &[u8], visit: &mut Visit<'_, E>) -> Result<(), E> {
        match self {
            Table::Sorted(map) => {
                for (k, v) in map.range::<[u8], _>((std::ops::Bound::Included(start), std::ops::Bound::Unbounded)) {
                    if !visit(k.as_slice(), v)? {
                        break;
                    }
                }
            }
            Table::Hashed { map, order } => {
                let keys = order.get_or_init(|| {
                    let mut keys: Vec<TableKey> = map.keys().cloned().collect();
                    keys.sort_unstable();
                    keys
                });
                let from = keys.partition_point(|k| k.as_slice() < start);
                for k in &keys[from..] {
                    let Some(v) = map.get(k.as_slice()) else { continue };
                    if !visit(k.as_slice(), v)? {
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// Every entry, in ascending key order (a snapshot's order).
    pub(crate) fn entries_sorted(&self) -> Vec<(&TableKey, &Vec<u8>)> {
        match self {
            Table::Sorted(map) => map.iter().collect(),
            Table::Hashed { map, .. } => {
                let mut entries: Vec<(&TableKey, &Vec<u8>)> = map.iter().collect();
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                entries
            }
        }
    }
}

/// Writes `new` over `value`, keeping its buffer when it fits.
pub(crate) fn overwrite(value: &mut Vec<u8>, new: &[u8]) {
    value.clear();
    value.extend_from_slice(new);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(table: &Table, start: &[u8]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        table
            .visit_from::<()>(start, &mut |k, _| {
                out.push(k.to_vec());
                Ok(true)
            })
            .unwrap();
        out
    }

    #[test]
    fn a_put_overwrites_in_either_layout_and_timer_tables_start_ordered() {
        for name in ["values", "__timers/op/event"] {
            let mut t = Table::for_name(name);
            assert_eq!(matches!(t, Table::Sorted(_)), name.starts_with(TIMER_TABLE_PREFIX));
            t.put(b"k", b"first value");
            t.put(b"j", b"");
            t.put(b"k", b"second");
            assert_eq!((t.len(), t.get(b"k").map(Vec::as_slice)), (2, Some(&b"second"[..])), "{name}");
            assert_eq!(keys(&t, b""), vec![b"j".to_vec(), b"k".to_vec()]);
        }
    }

    #[test]
    fn a_table_reads_the_same_hashed_scanned_and_ordered() {
        let mut t = Table::default();
        for k in [b"c", b"a", b"d", b"b"] {
            t.insert(TableKey::from(&k[..]), k.to_vec());
        }
        assert!(matches!(t, Table::Hashed { .. }));
        assert_eq!(keys(&t, b"b"), vec![b"b".to_vec(), b"c".to_vec(), b"d".to_vec()]);
        // A value changed in place keeps the scan's sorted keys; a removal turns the table.
        if let Some(v) = t.get_mut(b"a") {
            v.push(1);
        }
        assert!(matches!(t, Table::Hashed { .. }));
        assert_eq!(keys(&t, b""), vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec(), b"d".to_vec()]);
        let before = t.clone();
        t.remove(b"zz");
        assert!(matches!(t, Table::Hashed { .. }), "removing an absent key changes nothing");
        t.remove(b"c");
        assert!(matches!(t, Table::Sorted(_)));
        assert_eq!(keys(&t, b""), vec![b"a".to_vec(), b"b".to_vec(), b"d".to_vec()]);
        assert_eq!(t.get(b"a"), Some(&b"a\x01".to_vec()));
        t.insert(TableKey::from(&b"c"[..]), b"c".to_vec());
        assert_eq!(t, before, "equal entries, hashed or ordered");
    }

    #[test]
    fn an_insertion_after_a_scan_turns_the_table() {
        let mut t: Table = [(TableKey::from(&b"b"[..]), vec![]), (TableKey::from(&b"a"[..]), vec![])].into_iter().collect();
        t.insert(TableKey::from(&b"c"[..]), vec![]);
        assert!(matches!(t, Table::Hashed { .. }), "not scanned: stays hashed");
        assert_eq!(keys(&t, b""), vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
        t.insert(TableKey::from(&b"0"[..]), vec![]);
        assert!(matches!(t, Table::Sorted(_)));
        assert_eq!(keys(&t, b""), vec![b"0".to_vec(), b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
        let entries: Vec<Vec<u8>> = t.entries_sorted().into_iter().map(|(k, _)| k.as_slice().to_vec()).collect();
        assert_eq!(entries, keys(&t, b""));
    }
}
