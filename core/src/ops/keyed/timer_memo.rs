//! [`TimerMemo`]: what a keyed operator knows of its event-time timers without asking the
//! store, so that the timer traffic of window operators costs no search of the timer table
//! where the answer is known already.
//!
//! A window operator registers the same timer again and again (a window join: one per row of
//! the window), deletes timers that are mostly not there (a sliced aggregate firing the next
//! window itself), and asks whether any timer lies between two times (before each such
//! firing) — per key and window. Each is a search of an ordered table of every key's timers.
//! The memo remembers the timers it saw registered lately (registering one again changes
//! nothing) and ranges of time known to hold no timer (learned when asked, forgotten in part
//! when a timer is registered inside them). It never changes what the timers are: a
//! registration it skips is of a timer present, a deletion it skips is of a timer absent.
//!
//! It stays true only while every event-time timer of the operator is registered and removed
//! through it ([`TimerMemo::register`], [`TimerMemo::delete`], [`TimerMemo::popped`]); the
//! keyed operator does all of that (its restore happens before the memo learns anything).

use weir_state::{KeyedStateStore, StateError, TimeDomain, TimerService};

/// How many registered timers the memo remembers (the most recent; a window join's open
/// windows per worker, a few keys of a window aggregate's batch).
const REGISTERED: usize = 32;

/// How many timer-free ranges the memo remembers.
const EMPTY_RANGES: usize = 8;

/// What is known of one keyed operator's event-time timers (see the module docs).
#[derive(Default)]
pub(super) struct TimerMemo {
    /// Timers known to be registered, by timestamp and key, oldest first.
    registered: Vec<(i64, Vec<u8>)>,
    /// Inclusive ranges of timestamps known to hold no timer of any key.
    empty: Vec<(i64, i64)>,
}

impl TimerMemo {
    /// Whether no timer of any key is known to lie at `timestamp`.
    fn known_free(&self, timestamp: i64) -> bool {
        self.empty.iter().any(|&(lo, hi)| lo <= timestamp && timestamp <= hi)
    }

    /// Registers the event-time timer `timestamp` of `key` (deduplicated, as the service does).
    pub(super) fn register(&mut self, service: &TimerService<()>, store: &mut KeyedStateStore, key: &[u8], timestamp: i64) -> Result<(), StateError> {
        if self.registered.iter().any(|(t, k)| *t == timestamp && k.as_slice() == key) {
            return Ok(());
        }
        service.register_event_time_timer(store, key, &(), timestamp)?;
        self.empty.retain(|&(lo, hi)| timestamp < lo || hi < timestamp);
        if self.registered.len() == REGISTERED {
            self.registered.remove(0);
        }
        self.registered.push((timestamp, key.to_vec()));
        Ok(())
    }

    /// Deletes the event-time timer `timestamp` of `key`, if registered.
    pub(super) fn delete(&mut self, service: &TimerService<()>, store: &mut KeyedStateStore, key: &[u8], timestamp: i64) -> Result<(), StateError> {
        if self.known_free(timestamp) {
            return Ok(());
        }
        self.popped(key, timestamp);
        service.delete_event_time_timer(store, key, &(), timestamp)
    }

    /// The timer `timestamp` of `key` has been taken out of the store (it fired).
    pub(super) fn popped(&mut self, key: &[u8], timestamp: i64) {
        self.registered.retain(|(t, k)| *t != timestamp || k.as_slice() != key);
    }

    /// Whether some event-time timer of any key lies strictly between `after` and `before`.
    pub(super) fn any_between(&mut self, service: &TimerService<()>, store: &KeyedStateStore, after: i64, before: i64) -> Result<bool, StateError> {
        let (Some(lo), Some(hi)) = (after.checked_add(1), before.checked_sub(1)) else { return Ok(false) };
        if lo > hi || self.empty.iter().any(|&(l, h)| l <= lo && hi <= h) {
            return Ok(false);
        }
        let next = service.next_timestamp_after(store, TimeDomain::EventTime, after)?;
        let free_until = next.map_or(i64::MAX, |t| t - 1);
        if free_until >= lo {
            if self.empty.len() == EMPTY_RANGES {
                self.empty.remove(0);
            }
            self.empty.push((lo, free_until));
        }
        Ok(next.is_some_and(|t| t < before))
    }
}

#[cfg(test)]
mod tests {
    use weir_state::{KeyedStateStore, MemoryBackend, TimeDomain, TimerService};

    use super::TimerMemo;

    fn pending(service: &TimerService<()>, store: &KeyedStateStore) -> Vec<(i64, Vec<u8>)> {
        service.pending(store, TimeDomain::EventTime).unwrap().into_iter().map(|t| (t.timestamp, t.key)).collect()
    }

    #[test]
    fn the_memo_answers_as_the_store_would() {
        let service = TimerService::<()>::new("memo");
        let mut store = KeyedStateStore::new(Box::new(MemoryBackend::new()));
        let mut memo = TimerMemo::default();
        memo.register(&service, &mut store, b"a", 10).unwrap();
        memo.register(&service, &mut store, b"a", 10).unwrap();
        memo.register(&service, &mut store, b"b", 30).unwrap();
        assert_eq!(pending(&service, &store), vec![(10, b"a".to_vec()), (30, b"b".to_vec())]);
        assert!(!memo.any_between(&service, &store, 10, 30).unwrap());
        assert!(memo.any_between(&service, &store, 10, 31).unwrap());
        assert!(!memo.any_between(&service, &store, 12, 20).unwrap(), "known from the first question");
        memo.register(&service, &mut store, b"c", 15).unwrap();
        assert!(memo.any_between(&service, &store, 12, 20).unwrap(), "a registration inside a free range");
        memo.delete(&service, &mut store, b"a", 11).unwrap();
        memo.delete(&service, &mut store, b"c", 15).unwrap();
        assert_eq!(pending(&service, &store), vec![(10, b"a".to_vec()), (30, b"b".to_vec())]);
        let popped = service.pop_next(&mut store, TimeDomain::EventTime, 10).unwrap().unwrap();
        memo.popped(&popped.key, popped.timestamp);
        memo.register(&service, &mut store, b"a", 10).unwrap();
        assert_eq!(pending(&service, &store), vec![(10, b"a".to_vec()), (30, b"b".to_vec())], "registered again once fired");
        assert!(!memo.any_between(&service, &store, i64::MAX - 1, i64::MAX).unwrap());
        assert!(!memo.any_between(&service, &store, 30, i64::MAX).unwrap());
    }
}
