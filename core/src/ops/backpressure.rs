//! Backpressure for processing-time sources: a split that has sent more rows than the job's
//! sinks have seen through waits, so that a source faster than the operators after it does not
//! fill memory with rows in flight (timely's channels are unbounded).
//!
//! A split counts the rows it sends per dataflow time. A time is through once the frontier at
//! the job's sinks (the probe every sink feeds) has passed it: every operator on the way has
//! applied its rows. While more than [`IN_FLIGHT_ROWS`] rows are not through, the split reads
//! nothing. So that a time can complete while the wall clock still reads the same millisecond,
//! a split moves to the next millisecond after [`ROWS_PER_TIME`] rows of one time. Event-time
//! splits are not held back: their rows complete only when their own watermark moves on, which
//! needs more rows read. Nor is a split whose oldest time has not got through for
//! [`STALL`]: an operator that holds its output back for longer (until its input ends, say)
//! must not stop its own input; the split goes on unthrottled, and says so once.
//!
//! A split running the local combiner of the aggregate after it sends partials, not rows: it
//! counts the partials it sends when its time moves on, and what it holds at one time is its
//! groups, which [`GROUPS_PER_TIME`] bounds instead of the records it folded (any number of
//! records may fold into one time, and the more do, the fewer partials reach the aggregate).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use timely::dataflow::operators::probe::Handle as ProbeHandle;

use super::Time;

/// Rows a processing-time split may have sent that are not yet through to the sinks.
pub const IN_FLIGHT_ROWS: u64 = 1 << 18;

/// Rows a processing-time split sends with one time before it moves to the next millisecond.
pub const ROWS_PER_TIME: u64 = 1 << 16;

/// Groups a split folding its records into partials holds at one time before it moves to the
/// next millisecond. Moving on sends one partial per group, which then count as rows in flight,
/// so it may hold as many as it may have in flight: the fewer times its groups are cut into,
/// the fewer partials the aggregate after it merges and the fewer changes it emits.
pub const GROUPS_PER_TIME: u64 = IN_FLIGHT_ROWS;

/// How long the oldest time in flight may stay there before the split stops waiting for it.
pub const STALL: Duration = Duration::from_secs(30);

/// The rows one split has sent and the sinks have not yet seen through, by time.
pub struct InFlight {
    sinks: ProbeHandle<Time>,
    times: VecDeque<(Time, u64)>,
    rows: u64,
    /// When a time last got through (or the first was sent).
    progress: Instant,
    stalled: bool,
}

impl InFlight {
    /// Rows in flight towards the sinks that `sinks` probes.
    pub fn new(sinks: ProbeHandle<Time>) -> InFlight {
        InFlight { sinks, times: VecDeque::new(), rows: 0, progress: Instant::now(), stalled: false }
    }

    /// `rows` more were sent at `time` (times come in order).
    pub fn sent(&mut self, time: Time, rows: u64) {
        if let Some((last, n)) = self.times.back_mut()
            && *last == time
        {
            *n += rows;
        } else {
            if self.times.is_empty() {
                self.progress = Instant::now();
            }
            self.times.push_back((time, rows));
        }
        self.rows += rows;
    }

    /// How many rows were sent at `time`, if it is the latest time.
    pub fn at(&self, time: &Time) -> u64 {
        self.times.back().filter(|(t, _)| t == time).map_or(0, |(_, n)| *n)
    }

    /// Whether the split must wait: too many rows are not yet through, after forgetting the
    /// times the sinks have passed (never once the sinks have stalled).
    pub fn full(&mut self) -> bool {
        while let Some((time, n)) = self.times.front() {
            if self.sinks.less_equal(time) {
                break;
            }
            self.rows -= n;
            self.times.pop_front();
            self.progress = Instant::now();
        }
        if self.rows < IN_FLIGHT_ROWS || self.stalled {
            return false;
        }
        if self.progress.elapsed() >= STALL {
            self.stalled = true;
            tracing::warn!("a source split stops waiting for its rows to reach the sinks: nothing got through for {STALL:?}");
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use timely::container::CapacityContainerBuilder;
    use timely::dataflow::operators::Probe;
    use timely::dataflow::operators::core::UnorderedInput;

    use super::*;
    use crate::ops::at;

    #[test]
    fn a_split_waits_until_its_rows_get_through() {
        timely::execute_directly(|worker| {
            let sinks = ProbeHandle::new();
            let (_input, cap) = worker.dataflow::<Time, _, _>(|scope| {
                let (input, stream) = scope.new_unordered_input::<CapacityContainerBuilder<Vec<u64>>>();
                stream.probe_with(&sinks);
                input
            });
            let mut flow = InFlight::new(sinks.clone());
            flow.sent(at(0, 0), IN_FLIGHT_ROWS - 1);
            assert!(!flow.full(), "under the limit");
            flow.sent(at(0, 1), 1);
            assert_eq!(flow.at(&at(0, 1)), 1);
            assert!(flow.full(), "at the limit, nothing through yet");
            let later = cap.delayed(&at(0, 1));
            drop(cap);
            worker.step_while(|| sinks.less_than(later.time()));
            assert!(!flow.full(), "time 0 got through: its rows are no longer in flight");
            flow.sent(at(0, 1), IN_FLIGHT_ROWS);
            assert!(flow.full());
        });
    }
}
