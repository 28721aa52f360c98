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

use crate::codec::{DecodeError, i64_from_ordered, i64_to_ordered, read_bytes, take, write_bytes};

/// Builds the `(key, namespace)` prefix of a state entry.
pub(crate) fn entry_prefix(key: &[u8], namespace: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(key.len() + namespace.len() + 4);
    write_bytes(key, &mut out);
    write_bytes(namespace, &mut out);
    out
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
