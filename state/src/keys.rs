//! The physical layout of keys inside a backend table.
//!
//! A state entry lives in the table named after its state, under the key
//! `varint(len(key)) key varint(len(ns)) ns [user_key]`, where `ns` is the encoded namespace and
//! `user_key` the encoded map key (map state only). The two length prefixes make the
//! `(key, namespace)` part a prefix of every map entry of that pair and of nothing else.
//!
//! A timer lives in its timer table under `ordered_be(timestamp) varint(len(key)) key ns`, so a
//! forward scan visits timers in timestamp order and a scan up to `ordered_be(t + 1)` visits
//! exactly the timers due at `t`.

use crate::codec::{DecodeError, StateCodec, i64_from_ordered, i64_to_ordered, read_bytes, take, write_bytes, write_varint};

/// Appends the `(key, namespace)` prefix of a state entry to `out`,
/// `varint(len(key)) key varint(len(ns)) ns`, encoding the namespace in place.
pub(crate) fn write_entry_prefix<N: StateCodec>(key: &[u8], namespace: &N, out: &mut Vec<u8>) {
    write_bytes(key, out);
    // The namespace's length comes before it: reserve one byte, the length of every namespace
    // but the longest, and widen it afterwards if need be.
    let at = out.len();
    out.push(0);
    namespace.encode(out);
    let len = out.len() - at - 1;
    if len < 0x80 {
        out[at] = len as u8;
    } else {
        let mut varint = Vec::with_capacity(10);
        write_varint(len as u64, &mut varint);
        out.splice(at..at + 1, varint);
    }
}

/// The smallest byte string greater than every string that starts with `prefix`, or `None` when
/// no such string exists (the prefix is empty or all `0xff`).
pub(crate) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Builds the key of a timer.
pub(crate) fn timer_key(timestamp: i64, key: &[u8], namespace: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + key.len() + namespace.len() + 2);
    out.extend_from_slice(&i64_to_ordered(timestamp));
    write_bytes(key, &mut out);
    out.extend_from_slice(namespace);
    out
}

/// Splits a timer key into `(timestamp, key, namespace)`.
pub(crate) fn split_timer(raw: &[u8]) -> Result<(i64, &[u8], &[u8]), DecodeError> {
    let mut input = raw;
    let mut ts = [0u8; 8];
    ts.copy_from_slice(take(&mut input, 8)?);
    let key = read_bytes(&mut input)?;
    Ok((i64_from_ordered(ts), key, input))
}

/// The exclusive upper bound of a scan over the timers due at `t` (all timestamps `<= t`), or
/// `None` when every timer is due (`t == i64::MAX`).
pub(crate) fn timers_due_end(t: i64) -> Option<Vec<u8>> {
    t.checked_add(1).map(|next| i64_to_ordered(next).to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `(key, namespace)` prefix built from the namespace's encoding `namespace`, as the
    /// layout in the module documentation says: the reference [`write_entry_prefix`] must match.
    fn entry_prefix(key: &[u8], namespace: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(key.len() + namespace.len() + 4);
        write_bytes(key, &mut out);
        write_bytes(namespace, &mut out);
        out
    }

    #[test]
    fn entry_prefix_separates_keys_that_share_bytes() {
        let a = entry_prefix(b"ab", b"");
        let b = entry_prefix(b"a", b"b");
        assert_ne!(a, b);
        let mut with_user_key = entry_prefix(b"k", b"n");
        with_user_key.extend_from_slice(b"uk");
        assert!(with_user_key.starts_with(&entry_prefix(b"k", b"n")));
        assert!(!with_user_key.starts_with(&entry_prefix(b"k", b"nu")));
    }

    #[test]
    fn prefixes_written_in_place_equal_built_ones() {
        for ns_len in [0usize, 1, 0x7f, 0x80, 0x3fff, 0x4000] {
            let namespace = "n".repeat(ns_len);
            let mut out = b"head".to_vec();
            write_entry_prefix(b"key", &namespace, &mut out);
            let mut expected = b"head".to_vec();
            expected.extend_from_slice(&entry_prefix(b"key", &crate::codec::encode_to_vec(&namespace)));
            assert_eq!(out, expected, "namespace of {ns_len} bytes");
        }
    }

    #[test]
    fn prefix_end_is_the_successor() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(&[1, 0xff]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xff, 0xff]), None);
    }

    #[test]
    fn timer_keys_sort_by_time_then_key() {
        let t = |ts, k: &[u8]| timer_key(ts, k, b"");
        assert!(t(-1, b"z") < t(0, b"a"));
        assert!(t(5, b"a") < t(5, b"b"));
        assert_eq!(split_timer(&timer_key(-7, b"k", b"ns")).unwrap(), (-7, &b"k"[..], &b"ns"[..]));
        assert!(t(3, b"zzz") < timers_due_end(3).unwrap());
        assert!(t(4, b"") >= timers_due_end(3).unwrap());
    }
}
