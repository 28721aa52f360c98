//! The file format of a memory backend's snapshot part (`state.bin`).
//!
//! ```text
//! magic (8 bytes)  varint(tables)  { bytes(name) varint(entries) { bytes(key) bytes(value) } }  checksum
//! ```
//!
//! with tables in name order and entries in key order (`bytes` = varint length, then the
//! bytes). Two versions differ only in the checksum of everything before it: version 2
//! (written now) ends in the CRC-32 (IEEE) as 4 bytes big-endian, version 1 in FNV-1a 64 as
//! 8 bytes big-endian. FNV-1a goes one byte at a time (about 0.4 s per 150 MB), CRC-32 with
//! SIMD; both versions restore.
//!
//! The writer streams the file in blocks of [`BLOCK`] bytes, so a snapshot never holds a
//! second copy of the state in memory, and computes in the same pass the CRC-32 of the whole
//! file that the checkpoint manifest records.

use std::collections::HashMap;

use crate::backend::memory_table::Table;
use crate::backend::table_key::TableKey;
use crate::codec::{DecodeError, read_bytes, read_varint, write_bytes, write_varint};

/// The magic of version 1 (FNV-1a 64 trailer).
const MAGIC_V1: &[u8; 8] = b"WEIRMEM\x01";
/// The magic of version 2 (CRC-32 trailer).
const MAGIC_V2: &[u8; 8] = b"WEIRMEM\x02";
/// About how many bytes the writer hands its sink at once.
pub(crate) const BLOCK: usize = 1 << 20;

/// What writing a snapshot produced: its length and the CRC-32 of the whole file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Written {
    /// Bytes written.
    pub bytes: u64,
    /// CRC-32 (IEEE) of all of them, trailer included.
    pub crc32: u32,
}

/// Writes `tables` in the version 2 format to `sink`, block by block
/// (`(name, table)` pairs with distinct names, in any order).
pub(crate) fn write_snapshot<E>(tables: &[(String, Table)], sink: &mut dyn FnMut(&[u8]) -> Result<(), E>) -> Result<Written, E> {
    let mut out = Blocks { buf: Vec::with_capacity(BLOCK + 1024), crc: crc32fast::Hasher::new(), bytes: 0, sink };
    out.buf.extend_from_slice(MAGIC_V2);
    let mut sorted: Vec<&(String, Table)> = tables.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    write_varint(sorted.len() as u64, &mut out.buf);
    for (name, table) in sorted {
        write_bytes(name.as_bytes(), &mut out.buf);
        write_varint(table.len() as u64, &mut out.buf);
        for (k, v) in table.entries_sorted() {
            write_bytes(k.as_slice(), &mut out.buf);
            write_bytes(v, &mut out.buf);
            out.flush_full()?;
        }
    }
    out.flush()?;
    let body = out.crc.clone().finalize();
    out.buf.extend_from_slice(&body.to_be_bytes());
    out.flush()?;
    Ok(Written { bytes: out.bytes, crc32: out.crc.finalize() })
}

/// The writer's buffer: what is not yet handed to the sink, and the checksum and length of
/// what was.
struct Blocks<'s, E> {
    buf: Vec<u8>,
    crc: crc32fast::Hasher,
    bytes: u64,
    sink: &'s mut dyn FnMut(&[u8]) -> Result<(), E>,
}

impl<E> Blocks<'_, E> {
    /// Hands the buffer to the sink once it holds a block.
    fn flush_full(&mut self) -> Result<(), E> {
        if self.buf.len() >= BLOCK { self.flush() } else { Ok(()) }
    }

    /// Hands the buffer to the sink.
    fn flush(&mut self) -> Result<(), E> {
        self.crc.update(&self.buf);
        self.bytes += self.buf.len() as u64;
        (self.sink)(&self.buf)?;
        self.buf.clear();
        Ok(())
    }
}

/// The tables of a snapshot file of either version, its checksum checked.
pub(crate) fn read_snapshot(bytes: &[u8]) -> Result<HashMap<String, Table>, DecodeError> {
    let magic = bytes.get(..MAGIC_V1.len()).ok_or_else(|| DecodeError("not a Weir memory snapshot (too short)".into()))?;
    let v1 = match magic {
        m if m == MAGIC_V1 => true,
        m if m == MAGIC_V2 => false,
        _ => return Err(DecodeError("not a Weir memory snapshot (bad magic)".into())),
    };
    let trailer = if v1 { 8 } else { 4 };
    if bytes.len() < MAGIC_V1.len() + trailer {
        return Err(DecodeError("not a Weir memory snapshot (too short)".into()));
    }
    let (body, tail) = bytes.split_at(bytes.len() - trailer);
    let stored = tail.iter().fold(0u64, |n, b| (n << 8) | u64::from(*b));
    let computed = if v1 { fnv1a64(body) } else { u64::from(crc32fast::hash(body)) };
    if stored != computed {
        return Err(DecodeError("checksum mismatch".into()));
    }
    let mut input = &body[MAGIC_V1.len()..];
    let mut tables: HashMap<String, Table> = HashMap::new();
    for _ in 0..read_varint(&mut input)? {
        let name = std::str::from_utf8(read_bytes(&mut input)?).map_err(|e| DecodeError(format!("table name is not UTF-8: {e}")))?.to_string();
        let mut table = Table::for_name(&name);
        for _ in 0..read_varint(&mut input)? {
            let k = TableKey::from(read_bytes(&mut input)?);
            let v = read_bytes(&mut input)?.to_vec();
            table.insert(k, v);
        }
        tables.insert(name, table);
    }
    if !input.is_empty() {
        return Err(DecodeError("trailing bytes after the last table".into()));
    }
    Ok(tables)
}

/// FNV-1a, 64 bit: version 1's checksum.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(entries: &[(&str, &[u8], &[u8])]) -> HashMap<String, Table> {
        let mut tables: HashMap<String, Table> = HashMap::new();
        for (name, k, v) in entries {
            tables.entry(name.to_string()).or_default().insert(TableKey::from(*k), v.to_vec());
        }
        tables
    }

    fn written(tables: &HashMap<String, Table>) -> (Vec<u8>, Written) {
        let mut bytes = Vec::new();
        let pairs: Vec<(String, Table)> = tables.clone().into_iter().collect();
        let done = write_snapshot::<()>(&pairs, &mut |block| {
            bytes.extend_from_slice(block);
            Ok(())
        });
        (bytes, done.unwrap())
    }

    /// The version 1 file of `tables`, as the writer before version 2 wrote it.
    fn version_1(tables: &HashMap<String, Table>) -> Vec<u8> {
        let (v2, _) = written(tables);
        let mut out = MAGIC_V1.to_vec();
        out.extend_from_slice(&v2[MAGIC_V2.len()..v2.len() - 4]);
        let checksum = fnv1a64(&out);
        out.extend_from_slice(&checksum.to_be_bytes());
        out
    }

    #[test]
    fn both_versions_read_back_and_detect_corruption() {
        let state = tables(&[("t", b"k", b"v"), ("t", b"a", b"w"), ("u", b"", b"")]);
        let (v2, done) = written(&state);
        assert_eq!(done, Written { bytes: v2.len() as u64, crc32: crc32fast::hash(&v2) });
        for bytes in [v2, version_1(&state)] {
            assert_eq!(read_snapshot(&bytes).unwrap(), state);
            for cut in 0..bytes.len() {
                assert!(read_snapshot(&bytes[..cut]).is_err());
            }
            for at in [3, 10, bytes.len() - 1] {
                let mut flipped = bytes.clone();
                flipped[at] ^= 1;
                assert!(read_snapshot(&flipped).is_err());
            }
        }
    }

    #[test]
    fn a_large_state_goes_out_in_blocks() {
        let state: Vec<(String, Table)> = vec![("t".to_string(), (0u32..50_000).map(|i| (TableKey::from(&i.to_be_bytes()[..]), vec![7; 40])).collect())];
        let mut blocks = Vec::new();
        let mut bytes = Vec::new();
        let done = write_snapshot::<()>(&state, &mut |block| {
            blocks.push(block.len());
            bytes.extend_from_slice(block);
            Ok(())
        })
        .unwrap();
        assert!(blocks.len() > 1 && blocks.iter().all(|n| *n < BLOCK + 1024), "{blocks:?}");
        assert_eq!(done.crc32, crc32fast::hash(&bytes));
        assert_eq!(read_snapshot(&bytes).unwrap(), state.into_iter().collect());
    }
}
