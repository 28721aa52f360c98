//! Event-time and processing-time timers per key, stored in the state backend.
//!
//! A timer is a `(timestamp, key, namespace)` triple in one time domain. Registering the same
//! triple twice keeps one timer (Flink's deduplication); timers come out in timestamp order,
//! ties broken by key bytes then namespace bytes. Because timers live in the backend, they are
//! part of every snapshot and survive a restore.

use std::marker::PhantomData;

use crate::backend::ScanFlow;
use crate::codec::{StateCodec, decode_exact, encode_to_vec};
use crate::error::{StateError, StateResult};
use crate::keys::{split_timer, timer_key, timers_due_end};
use crate::store::KeyedStateStore;

/// Which clock a timer follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeDomain {
    /// Fires when the watermark (the dataflow frontier) reaches the timestamp.
    EventTime,
    /// Fires when the wall clock reaches the timestamp.
    ProcessingTime,
}

/// A timer due or pending: the key it belongs to, its namespace and its time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timer<N> {
    /// The time domain.
    pub domain: TimeDomain,
    /// When it fires, in milliseconds (event time or processing time per `domain`).
    pub timestamp: i64,
    /// The key bytes it was registered for.
    pub key: Vec<u8>,
    /// The namespace (e.g. window) it was registered for.
    pub namespace: N,
}

/// The prefix of every timer table's name.
pub(crate) const TIMER_TABLE_PREFIX: &str = "__timers/";

/// The timers of one operator: an event-time and a processing-time queue, each a backend table
/// (`__timers/<name>/event`, `__timers/<name>/processing`).
#[derive(Debug, Clone)]
pub struct TimerService<N = ()> {
    event_table: String,
    processing_table: String,
    _types: PhantomData<fn() -> N>,
}

impl<N: StateCodec> TimerService<N> {
    /// The timer service named `name` (unique per operator).
    pub fn new(name: &str) -> Self {
        TimerService {
            event_table: format!("{TIMER_TABLE_PREFIX}{name}/event"),
            processing_table: format!("{TIMER_TABLE_PREFIX}{name}/processing"),
            _types: PhantomData,
        }
    }

    fn table(&self, domain: TimeDomain) -> &str {
        match domain {
            TimeDomain::EventTime => &self.event_table,
            TimeDomain::ProcessingTime => &self.processing_table,
        }
    }

    /// Registers a timer; registering an existing `(domain, timestamp, key, namespace)` again is
    /// a no-op.
    pub fn register(&self, store: &mut KeyedStateStore, domain: TimeDomain, key: &[u8], namespace: &N, timestamp: i64) -> StateResult<()> {
        let raw = timer_key(timestamp, key, &encode_to_vec(namespace));
        store.backend_mut().put(self.table(domain), &raw, &[])
    }

    /// Deletes a timer (no-op when it is not registered).
    pub fn delete(&self, store: &mut KeyedStateStore, domain: TimeDomain, key: &[u8], namespace: &N, timestamp: i64) -> StateResult<()> {
        let raw = timer_key(timestamp, key, &encode_to_vec(namespace));
        store.backend_mut().delete(self.table(domain), &raw)
    }

    /// Registers an event-time timer.
    pub fn register_event_time_timer(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, timestamp: i64) -> StateResult<()> {
        self.register(store, TimeDomain::EventTime, key, namespace, timestamp)
    }

    /// Registers a processing-time timer.
    pub fn register_processing_time_timer(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, timestamp: i64) -> StateResult<()> {
        self.register(store, TimeDomain::ProcessingTime, key, namespace, timestamp)
    }

    /// Deletes an event-time timer.
    pub fn delete_event_time_timer(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, timestamp: i64) -> StateResult<()> {
        self.delete(store, TimeDomain::EventTime, key, namespace, timestamp)
    }

    /// Deletes a processing-time timer.
    pub fn delete_processing_time_timer(&self, store: &mut KeyedStateStore, key: &[u8], namespace: &N, timestamp: i64) -> StateResult<()> {
        self.delete(store, TimeDomain::ProcessingTime, key, namespace, timestamp)
    }

    fn decode(&self, domain: TimeDomain, raw: &[u8]) -> StateResult<Timer<N>> {
        let corrupt = |e| StateError::corrupt(self.table(domain), e);
        let (timestamp, key, namespace) = split_timer(raw).map_err(corrupt)?;
        let namespace = decode_exact(namespace).map_err(corrupt)?;
        Ok(Timer { domain, timestamp, key: key.to_vec(), namespace })
    }

    /// Visits the raw keys of timers with timestamp `<= up_to`, in order, at most `limit`.
    fn due_raw(&self, store: &KeyedStateStore, domain: TimeDomain, up_to: i64, limit: usize) -> StateResult<Vec<Vec<u8>>> {
        let end = timers_due_end(up_to);
        let mut raw = Vec::new();
        store.backend().scan(self.table(domain), &[], end.as_deref(), &mut |k, _| {
            raw.push(k.to_vec());
            Ok(if raw.len() >= limit { ScanFlow::Stop } else { ScanFlow::Continue })
        })?;
        Ok(raw)
    }

    /// The earliest pending timestamp in `domain`, if any.
    pub fn next_timestamp(&self, store: &KeyedStateStore, domain: TimeDomain) -> StateResult<Option<i64>> {
        match self.due_raw(store, domain, i64::MAX, 1)?.first() {
            Some(raw) => Ok(Some(self.decode(domain, raw)?.timestamp)),
            None => Ok(None),
        }
    }

    /// Whether some timer in `domain` (of any key) has a timestamp strictly between `after`
    /// and `before`.
    pub fn any_between(&self, store: &KeyedStateStore, domain: TimeDomain, after: i64, before: i64) -> StateResult<bool> {
        // The timers due after `after` and not yet at `before`, by the keys' timestamp prefix.
        let (Some(from), Some(until)) = (timers_due_end(after), before.checked_sub(1).and_then(timers_due_end)) else {
            return Ok(false);
        };
        if from >= until {
            return Ok(false);
        }
        let mut any = false;
        store.backend().scan(self.table(domain), &from, Some(&until), &mut |_, _| {
            any = true;
            Ok(ScanFlow::Stop)
        })?;
        Ok(any)
    }

    /// The earliest pending timestamp in `domain` strictly after `after`, if any: with it a
    /// caller learns at once that no timer lies in `(after, that timestamp)`.
    pub fn next_timestamp_after(&self, store: &KeyedStateStore, domain: TimeDomain, after: i64) -> StateResult<Option<i64>> {
        let Some(from) = timers_due_end(after) else { return Ok(None) };
        let mut first = None;
        store.backend().scan(self.table(domain), &from, None, &mut |k, _| {
            first = Some(k.to_vec());
            Ok(ScanFlow::Stop)
        })?;
        match first {
            Some(raw) => Ok(Some(self.decode(domain, &raw)?.timestamp)),
            None => Ok(None),
        }
    }

    /// Removes and returns the earliest timer with timestamp `<= up_to`. Use this in a loop
    /// (`while let Some(t) = pop_next(..)`) when firing a timer may register another that is
    /// already due: it will be returned by a later call of the same loop.
    pub fn pop_next(&self, store: &mut KeyedStateStore, domain: TimeDomain, up_to: i64) -> StateResult<Option<Timer<N>>> {
        let end = timers_due_end(up_to);
        let Some(raw) = store.backend_mut().pop_first(self.table(domain), end.as_deref())? else {
            return Ok(None);
        };
        self.decode(domain, &raw).map(Some)
    }

    /// Removes and returns every timer with timestamp `<= up_to`, in order.
    pub fn pop_due(&self, store: &mut KeyedStateStore, domain: TimeDomain, up_to: i64) -> StateResult<Vec<Timer<N>>> {
        let raw = self.due_raw(store, domain, up_to, usize::MAX)?;
        if raw.is_empty() {
            return Ok(Vec::new());
        }
        let timers = raw.iter().map(|r| self.decode(domain, r)).collect::<StateResult<Vec<_>>>()?;
        let end = timers_due_end(up_to);
        store.backend_mut().delete_range(self.table(domain), &[], end.as_deref())?;
        Ok(timers)
    }

    /// Every pending timer in `domain`, in firing order, without removing them.
    pub fn pending(&self, store: &KeyedStateStore, domain: TimeDomain) -> StateResult<Vec<Timer<N>>> {
        self.due_raw(store, domain, i64::MAX, usize::MAX)?.iter().map(|r| self.decode(domain, r)).collect()
    }
}
