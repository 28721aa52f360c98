//! State time-to-live, after Flink's `StateTtlConfig`.
//!
//! A state with TTL stores, beside each value (each list element, each map entry), the
//! processing time it was last written (or read, with [`TtlUpdateType::OnReadAndWrite`]). A value
//! whose stamp plus the TTL is not after "now" is *expired*: it is never returned (Flink's
//! `NeverReturnExpired` visibility), and it is deleted when a read finds it (cleanup on read)
//! or when the state's `cleanup_expired` full scan runs.
//!
//! Time is processing time in milliseconds from the store's [`crate::Clock`].

use std::time::Duration;

use crate::codec::{DecodeError, i64_from_ordered, i64_to_ordered, take};

/// When the TTL stamp of a value is refreshed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TtlUpdateType {
    /// On creation and on every write (Flink's default).
    #[default]
    OnCreateAndWrite,
    /// On creation, every write, and every read that returns the value.
    OnReadAndWrite,
}

/// The TTL of one state: how long values live and what refreshes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateTtlConfig {
    /// How long a value lives after its last refresh, in milliseconds (at least 1).
    pub ttl_millis: i64,
    /// What refreshes a value's stamp.
    pub update_type: TtlUpdateType,
}

impl StateTtlConfig {
    /// Values live for `ttl` after creation or their last write. A TTL under a millisecond is
    /// rounded up to one millisecond.
    pub fn new(ttl: Duration) -> Self {
        let millis = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1);
        StateTtlConfig { ttl_millis: millis, update_type: TtlUpdateType::OnCreateAndWrite }
    }

    /// Sets what refreshes a value's stamp.
    pub fn with_update_type(mut self, update_type: TtlUpdateType) -> Self {
        self.update_type = update_type;
        self
    }

    /// Whether a value stamped at `stamp` has expired at processing time `now`.
    pub fn is_expired(&self, stamp: i64, now: i64) -> bool {
        stamp.saturating_add(self.ttl_millis) <= now
    }

    /// Whether reads refresh stamps.
    pub(crate) fn refresh_on_read(&self) -> bool {
        self.update_type == TtlUpdateType::OnReadAndWrite
    }
}

/// Prepends the TTL stamp `now` to `payload`.
pub(crate) fn stamp(now: i64, payload: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&i64_to_ordered(now));
    out.extend_from_slice(payload);
}

/// Splits a stamp off the front of `input`.
pub(crate) fn read_stamp(input: &mut &[u8]) -> Result<i64, DecodeError> {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(take(input, 8)?);
    Ok(i64_from_ordered(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_inclusive_of_the_deadline() {
        let ttl = StateTtlConfig::new(Duration::from_millis(10));
        assert!(!ttl.is_expired(100, 109));
        assert!(ttl.is_expired(100, 110));
        assert!(!ttl.is_expired(i64::MAX - 1, i64::MAX - 1));
    }

    #[test]
    fn stamps_round_trip() {
        let mut buf = Vec::new();
        stamp(-42, b"xy", &mut buf);
        let mut input = &buf[..];
        assert_eq!(read_stamp(&mut input).unwrap(), -42);
        assert_eq!(input, b"xy");
    }
}
