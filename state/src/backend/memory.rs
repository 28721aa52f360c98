//! The in-memory backend: a map per table, hashed or ordered (`memory_table`). Snapshots are
//! one checksummed file (format: `memory_format`).

use std::borrow::Cow;
use std::io::Write;
use std::ops::Bound;
use std::path::Path;

use crate::backend::memory_format::{read_snapshot, write_snapshot};
use crate::backend::memory_table::{Table, overwrite};
use crate::backend::table_key::TableKey;
use crate::backend::{BackendKind, Rewrite, ScanFlow, ScanVisitor, SnapshotFile, StateBackend, Update, verify_files};
use crate::error::{StateError, StateResult};
use crate::fsutil;

/// The name of the memory backend's snapshot file inside a part directory.
pub const MEMORY_SNAPSHOT_FILE: &str = "state.bin";

/// State kept in memory: one map per table, hashed while it is accessed by key only, ordered
/// once it is scanned (`memory_table`), short keys held in place (`table_key`). Fast and
/// simple; the whole state must fit in memory. The default backend.
#[derive(Debug, Default, Clone)]
pub struct MemoryBackend {
    /// The tables with their names, searched in order: an operator keeps a handful, and
    /// comparing a short name with a few others is cheaper than hashing it on every access.
    tables: Vec<(String, Table)>,
    /// Where [`StateBackend::rewrite`] has the new value written, kept between calls.
    spare: Vec<u8>,
}

impl MemoryBackend {
    /// An empty backend.
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads a snapshot part written by [`StateBackend::snapshot_to`] of a memory backend.
    pub fn restore_from(dir: &Path, files: &[SnapshotFile]) -> StateResult<Self> {
        verify_files(dir, files)?;
        let path = dir.join(MEMORY_SNAPSHOT_FILE);
        let bytes = std::fs::read(&path).map_err(|e| StateError::io("read memory snapshot", &path, e))?;
        let tables = read_snapshot(&bytes).map_err(|e| StateError::CorruptSnapshot { path, detail: e.0 })?;
        Ok(MemoryBackend { tables: tables.into_iter().collect(), spare: Vec::new() })
    }

    /// The position of the table named `table`, if it exists.
    fn position(&self, table: &str) -> Option<usize> {
        self.tables.iter().position(|(name, _)| name == table)
    }

    /// The table named `table`, if it exists.
    fn table(&self, table: &str) -> Option<&Table> {
        self.tables.iter().find(|(name, _)| name == table).map(|(_, t)| t)
    }

    /// The table named `table` for writing, if it exists.
    fn existing_mut(&mut self, table: &str) -> Option<&mut Table> {
        self.tables.iter_mut().find(|(name, _)| name == table).map(|(_, t)| t)
    }

    /// The table named `table`, created empty if it is not there yet (the name is copied only
    /// then).
    fn table_mut(&mut self, table: &str) -> &mut Table {
        let at = match self.position(table) {
            Some(at) => at,
            None => {
                self.tables.push((table.to_string(), Table::for_name(table)));
                self.tables.len() - 1
            }
        };
        &mut self.tables[at].1
    }
}

/// The largest buffer [`StateBackend::rewrite`] keeps for the next call.
const SPARE_BYTES: usize = 64 << 10;

impl StateBackend for MemoryBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Memory
    }

    fn get(&self, table: &str, key: &[u8]) -> StateResult<Option<Vec<u8>>> {
        Ok(self.table(table).and_then(|t| t.get(key)).cloned())
    }

    fn get_ref(&self, table: &str, key: &[u8]) -> StateResult<Option<Cow<'_, [u8]>>> {
        Ok(self.table(table).and_then(|t| t.get(key)).map(|v| Cow::Borrowed(v.as_slice())))
    }

    fn append(&mut self, table: &str, key: &[u8], bytes: &[u8]) -> StateResult<()> {
        let t = self.table_mut(table);
        match t.get_mut(key) {
            Some(value) => value.extend_from_slice(bytes),
            None => {
                t.insert(TableKey::from(key), bytes.to_vec());
            }
        }
        Ok(())
    }

    fn put(&mut self, table: &str, key: &[u8], value: &[u8]) -> StateResult<()> {
        self.table_mut(table).put(key, value);
        Ok(())
    }

    fn update(&mut self, table: &str, key: &[u8], update: &mut dyn FnMut(Option<&[u8]>) -> StateResult<Update>) -> StateResult<()> {
        let t = self.table_mut(table);
        // One search of the map when the entry exists (the common case: a count updated), a
        // second only to insert or remove; the key is copied only when inserted.
        match t.get_mut(key) {
            Some(value) => match update(Some(value))? {
                Update::Keep => {}
                Update::Put(new) => *value = new,
                Update::Delete => {
                    t.remove(key);
                }
            },
            None => {
                if let Update::Put(value) = update(None)? {
                    t.insert(TableKey::from(key), value);
                }
            }
        }
        Ok(())
    }

    fn rewrite(&mut self, table: &str, key: &[u8], rewrite: &mut Rewrite<'_>) -> StateResult<()> {
        let mut new = std::mem::take(&mut self.spare);
        new.clear();
        let t = self.table_mut(table);
        // The new value is copied into the entry's buffer (reused when it fits) rather than
        // moved there, so that entries never hold the spare buffer's capacity; the key is
        // copied only when inserted.
        let written = match t.get_mut(key) {
            Some(old) => rewrite(Some(old), &mut new).map(|()| overwrite(old, &new)),
            None => rewrite(None, &mut new).map(|()| t.insert(TableKey::from(key), new.clone())),
        };
        if new.capacity() <= SPARE_BYTES {
            self.spare = new;
        }
        written
    }

    fn delete(&mut self, table: &str, key: &[u8]) -> StateResult<()> {
        if let Some(t) = self.existing_mut(table) {
            t.remove(key);
        }
        Ok(())
    }

    fn scan(&self, table: &str, start: &[u8], end: Option<&[u8]>, visit: &mut ScanVisitor<'_>) -> StateResult<()> {
        let Some(t) = self.table(table) else {
            return Ok(());
        };
        if end.is_some_and(|e| e <= start) {
            return Ok(());
        }
        // One search for the start, then the end checked as the scan goes: the keyed join reads
        // a key's rows of the other side, mostly none, once per key.
        t.visit_from(start, &mut |k, v| Ok(end.is_none_or(|e| k < e) && visit(k, v)? == ScanFlow::Continue))
    }

    fn pop_first(&mut self, table: &str, end: Option<&[u8]>) -> StateResult<Option<Vec<u8>>> {
        let Some(t) = self.existing_mut(table) else {
            return Ok(None);
        };
        match t.sorted().first_entry() {
            Some(first) if end.is_none_or(|e| first.key().as_slice() < e) => Ok(Some(first.remove_entry().0.into_vec())),
            _ => Ok(None),
        }
    }

    fn delete_range(&mut self, table: &str, start: &[u8], end: Option<&[u8]>) -> StateResult<()> {
        let Some(t) = self.existing_mut(table) else {
            return Ok(());
        };
        if end.is_some_and(|e| e <= start) {
            return Ok(());
        }
        let t = t.sorted();
        let upper = end.map_or(Bound::Unbounded, Bound::Excluded);
        if t.range::<[u8], _>((Bound::Unbounded, Bound::Excluded(start))).next().is_some() {
            // Keys before the range (clearing one key's map, say): the range's own entries
            // are removed one by one, since splitting the map off and appending the rest back
            // would rebuild the whole table.
            let doomed: Vec<TableKey> = t.range::<[u8], _>((Bound::Included(start), upper)).map(|(k, _)| k.clone()).collect();
            for key in doomed {
                t.remove(&key);
            }
        } else {
            // The range starts the table (due timers): what follows it becomes the table.
            let mut tail = t.split_off(start);
            *t = match end {
                Some(end) => tail.split_off(end),
                None => Default::default(),
            };
        }
        Ok(())
    }

    fn known_empty(&self, table: &str) -> bool {
        self.table(table).is_none_or(|t| t.is_empty())
    }

    fn entry_count(&self) -> StateResult<u64> {
        Ok(self.tables.iter().map(|(_, t)| t.len() as u64).sum())
    }

    fn tables(&self) -> StateResult<Vec<String>> {
        let mut names: Vec<String> = self.tables.iter().filter(|(_, t)| !t.is_empty()).map(|(n, _)| n.clone()).collect();
        names.sort();
        Ok(names)
    }

    fn snapshot_to(&mut self, dir: &Path) -> StateResult<Vec<SnapshotFile>> {
        fsutil::create_new_dir(dir)?;
        let path = dir.join(MEMORY_SNAPSHOT_FILE);
        let mut file = std::fs::File::create(&path).map_err(|e| StateError::io("create file", &path, e))?;
        let written = write_snapshot(&self.tables, &mut |block| file.write_all(block)).map_err(|e| StateError::io("write file", &path, e))?;
        file.sync_all().map_err(|e| StateError::io("fsync file", &path, e))?;
        fsutil::sync_dir(dir)?;
        Ok(vec![SnapshotFile { path: MEMORY_SNAPSHOT_FILE.to_string(), bytes: written.bytes, crc32: Some(written.crc32) }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::table_key::INLINE;

    #[test]
    fn snapshots_restore_what_was_written() {
        let mut b = MemoryBackend::new();
        b.put("t", b"k", b"v").unwrap();
        b.put("u", b"", b"").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("part");
        let files = b.snapshot_to(&part).unwrap();
        let bytes = std::fs::read(part.join(MEMORY_SNAPSHOT_FILE)).unwrap();
        assert_eq!((files[0].bytes, files[0].crc32), (bytes.len() as u64, Some(crc32fast::hash(&bytes))));
        let back = MemoryBackend::restore_from(&part, &files).unwrap();
        assert_eq!(back.get("t", b"k").unwrap(), Some(b"v".to_vec()));
        assert_eq!(back.tables().unwrap(), vec!["t".to_string(), "u".to_string()]);
    }

    #[test]
    fn update_keeps_puts_and_deletes() {
        let mut b = MemoryBackend::new();
        let mut seen = Vec::new();
        for step in [Update::Put(b"1".to_vec()), Update::Keep, Update::Put(b"2".to_vec()), Update::Delete, Update::Delete] {
            let mut step = Some(step);
            b.update("t", b"k", &mut |old| {
                seen.push(old.map(<[u8]>::to_vec));
                Ok(step.take().unwrap_or(Update::Keep))
            })
            .unwrap();
        }
        let values: Vec<Option<&[u8]>> = vec![None, Some(b"1"), Some(b"1"), Some(b"2"), None];
        assert_eq!(seen, values.into_iter().map(|v| v.map(<[u8]>::to_vec)).collect::<Vec<_>>());
        assert_eq!(b.entry_count().unwrap(), 0);
    }

    #[test]
    fn rewrite_reads_then_stores_under_short_and_long_keys() {
        let mut b = MemoryBackend::new();
        for key in [vec![1u8; 3], vec![2u8; INLINE + 5]] {
            let mut seen = Vec::new();
            for step in 0..3u8 {
                b.rewrite("t", &key, &mut |old, new| {
                    seen.push(old.map(<[u8]>::to_vec));
                    new.extend_from_slice(&[step; 2]);
                    Ok(())
                })
                .unwrap();
            }
            assert_eq!(seen, vec![None, Some(vec![0, 0]), Some(vec![1, 1])]);
            let failed = b.rewrite("t", &key, &mut |_, new| {
                new.push(9);
                Err(StateError::corrupt("t", "no"))
            });
            assert!(failed.is_err());
            assert_eq!(b.get("t", &key).unwrap(), Some(vec![2, 2]), "a failed rewrite stores nothing");
        }
        assert!(b.rewrite("t", b"absent", &mut |_, _| Err(StateError::corrupt("t", "no"))).is_err());
        assert_eq!(b.entry_count().unwrap(), 2);
    }

    #[test]
    fn delete_range_keeps_outside_keys() {
        let mut b = MemoryBackend::new();
        for k in [b"a", b"b", b"c", b"d"] {
            b.put("t", k, b"").unwrap();
        }
        b.delete_range("t", b"b", Some(b"d")).unwrap();
        let mut left = Vec::new();
        b.scan("t", b"", None, &mut |k, _| {
            left.push(k.to_vec());
            Ok(ScanFlow::Continue)
        })
        .unwrap();
        assert_eq!(left, vec![b"a".to_vec(), b"d".to_vec()]);
        // (start, end, the keys left)
        type Case = (&'static [u8], Option<&'static [u8]>, &'static [&'static [u8]]);
        let cases: [Case; 5] = [
            (b"", Some(b"c"), &[b"c", b"d"]),
            (b"a", None, &[]),
            (b"e", None, &[b"a", b"b", b"c", b"d"]),
            (b"b", Some(b"c"), &[b"a", b"c", b"d"]),
            (b"bb", None, &[b"a", b"b"]),
        ];
        for (start, end, kept) in cases {
            let mut b = MemoryBackend::new();
            for k in [b"a", b"b", b"c", b"d"] {
                b.put("t", k, b"").unwrap();
            }
            b.delete_range("t", start, end).unwrap();
            let mut left = Vec::new();
            b.scan("t", b"", None, &mut |k, _| {
                left.push(k.to_vec());
                Ok(ScanFlow::Continue)
            })
            .unwrap();
            assert_eq!(left, kept.iter().map(|k| k.to_vec()).collect::<Vec<_>>(), "{start:?}..{end:?}");
        }
    }
}
