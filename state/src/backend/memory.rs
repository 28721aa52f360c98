//! The in-memory backend: a sorted map per table. Snapshots are one checksummed file.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::path::Path;

use crate::backend::{BackendKind, ScanFlow, ScanVisitor, SnapshotFile, StateBackend, verify_files};
use crate::codec::{DecodeError, read_bytes, read_varint, write_bytes, write_varint};
use crate::error::{StateError, StateResult};
use crate::fsutil;

/// The name of the memory backend's snapshot file inside a part directory.
pub const MEMORY_SNAPSHOT_FILE: &str = "state.bin";
const MAGIC: &[u8; 8] = b"WEIRMEM\x01";

/// State kept in memory: one `BTreeMap` per table. Fast and simple; the whole state must fit in
/// memory. The default backend.
#[derive(Debug, Default, Clone)]
pub struct MemoryBackend {
    tables: HashMap<String, BTreeMap<Vec<u8>, Vec<u8>>>,
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
        decode_snapshot(&bytes).map_err(|e| StateError::CorruptSnapshot { path, detail: e.0 })
    }

    /// Serializes the whole state into the snapshot file format.
    fn encode_snapshot(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        let mut names: Vec<&String> = self.tables.keys().collect();
        names.sort();
        write_varint(names.len() as u64, &mut out);
        for name in names {
            let table = &self.tables[name];
            write_bytes(name.as_bytes(), &mut out);
            write_varint(table.len() as u64, &mut out);
            for (k, v) in table {
                write_bytes(k, &mut out);
                write_bytes(v, &mut out);
            }
        }
        let checksum = fnv1a64(&out);
        out.extend_from_slice(&checksum.to_be_bytes());
        out
    }
}

fn decode_snapshot(bytes: &[u8]) -> Result<MemoryBackend, DecodeError> {
    if bytes.len() < MAGIC.len() + 8 || &bytes[..MAGIC.len()] != MAGIC {
        return Err(DecodeError("not a Weir memory snapshot (bad magic or too short)".into()));
    }
    let (body, tail) = bytes.split_at(bytes.len() - 8);
    let mut stored = [0u8; 8];
    stored.copy_from_slice(tail);
    if u64::from_be_bytes(stored) != fnv1a64(body) {
        return Err(DecodeError("checksum mismatch".into()));
    }
    let mut input = &body[MAGIC.len()..];
    let mut backend = MemoryBackend::new();
    for _ in 0..read_varint(&mut input)? {
        let name = std::str::from_utf8(read_bytes(&mut input)?).map_err(|e| DecodeError(format!("table name is not UTF-8: {e}")))?.to_string();
        let mut table = BTreeMap::new();
        for _ in 0..read_varint(&mut input)? {
            let k = read_bytes(&mut input)?.to_vec();
            let v = read_bytes(&mut input)?.to_vec();
            table.insert(k, v);
        }
        backend.tables.insert(name, table);
    }
    if !input.is_empty() {
        return Err(DecodeError("trailing bytes after the last table".into()));
    }
    Ok(backend)
}

/// FNV-1a, 64 bit: a cheap checksum that catches truncation and bit rot in snapshot files.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3))
}

impl StateBackend for MemoryBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Memory
    }

    fn get(&self, table: &str, key: &[u8]) -> StateResult<Option<Vec<u8>>> {
        Ok(self.tables.get(table).and_then(|t| t.get(key)).cloned())
    }

    fn append(&mut self, table: &str, key: &[u8], bytes: &[u8]) -> StateResult<()> {
        let t = match self.tables.get_mut(table) {
            Some(t) => t,
            None => self.tables.entry(table.to_string()).or_default(),
        };
        match t.get_mut(key) {
            Some(value) => value.extend_from_slice(bytes),
            None => {
                t.insert(key.to_vec(), bytes.to_vec());
            }
        }
        Ok(())
    }

    fn put(&mut self, table: &str, key: &[u8], value: &[u8]) -> StateResult<()> {
        let t = match self.tables.get_mut(table) {
            Some(t) => t,
            None => self.tables.entry(table.to_string()).or_default(),
        };
        // Overwriting in place (a timer set again, a value updated) keeps the entry's key and,
        // when the new value fits, its value buffer.
        match t.get_mut(key) {
            Some(old) => {
                old.clear();
                old.extend_from_slice(value);
            }
            None => {
                t.insert(key.to_vec(), value.to_vec());
            }
        }
        Ok(())
    }

    fn delete(&mut self, table: &str, key: &[u8]) -> StateResult<()> {
        if let Some(t) = self.tables.get_mut(table) {
            t.remove(key);
        }
        Ok(())
    }

    fn scan(&self, table: &str, start: &[u8], end: Option<&[u8]>, visit: &mut ScanVisitor<'_>) -> StateResult<()> {
        let Some(t) = self.tables.get(table) else {
            return Ok(());
        };
        if end.is_some_and(|e| e <= start) {
            return Ok(());
        }
        let upper = end.map_or(Bound::Unbounded, Bound::Excluded);
        for (k, v) in t.range::<[u8], _>((Bound::Included(start), upper)) {
            if visit(k, v)? == ScanFlow::Stop {
                break;
            }
        }
        Ok(())
    }

    fn pop_first(&mut self, table: &str, end: Option<&[u8]>) -> StateResult<Option<Vec<u8>>> {
        let Some(t) = self.tables.get_mut(table) else {
            return Ok(None);
        };
        match t.first_entry() {
            Some(first) if end.is_none_or(|e| first.key().as_slice() < e) => Ok(Some(first.remove_entry().0)),
            _ => Ok(None),
        }
    }

    fn delete_range(&mut self, table: &str, start: &[u8], end: Option<&[u8]>) -> StateResult<()> {
        let Some(t) = self.tables.get_mut(table) else {
            return Ok(());
        };
        if end.is_some_and(|e| e <= start) {
            return Ok(());
        }
        let mut tail = t.split_off(start);
        if let Some(end) = end {
            let mut after = tail.split_off(end);
            t.append(&mut after);
        }
        Ok(())
    }

    fn entry_count(&self) -> StateResult<u64> {
        Ok(self.tables.values().map(|t| t.len() as u64).sum())
    }

    fn tables(&self) -> StateResult<Vec<String>> {
        let mut names: Vec<String> = self.tables.iter().filter(|(_, t)| !t.is_empty()).map(|(n, _)| n.clone()).collect();
        names.sort();
        Ok(names)
    }

    fn snapshot_to(&mut self, dir: &Path) -> StateResult<Vec<SnapshotFile>> {
        fsutil::create_new_dir(dir)?;
        let bytes = self.encode_snapshot();
        let path = dir.join(MEMORY_SNAPSHOT_FILE);
        fsutil::write_synced(&path, &bytes)?;
        fsutil::sync_dir(dir)?;
        Ok(vec![SnapshotFile { path: MEMORY_SNAPSHOT_FILE.to_string(), bytes: bytes.len() as u64, crc32: Some(crc32fast::hash(&bytes)) }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_bytes_round_trip_and_detect_corruption() {
        let mut b = MemoryBackend::new();
        b.put("t", b"k", b"v").unwrap();
        b.put("u", b"", b"").unwrap();
        let bytes = b.encode_snapshot();
        let back = decode_snapshot(&bytes).unwrap();
        assert_eq!(back.get("t", b"k").unwrap(), Some(b"v".to_vec()));
        for cut in 0..bytes.len() {
            assert!(decode_snapshot(&bytes[..cut]).is_err());
        }
        let mut flipped = bytes.clone();
        flipped[10] ^= 1;
        assert!(decode_snapshot(&flipped).is_err());
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
    }
}
