//! Dataflow time: a checkpoint epoch and a timestamp in milliseconds, ordered as a product.
//!
//! The timestamp (`inner`) is what the rest of `ops` reasons about: event time in streaming
//! jobs with a watermark, processing time (the tick) in other streaming jobs, 0 in batch jobs.
//! The epoch (`outer`) counts checkpoints: sources start at the epoch of the checkpoint they
//! resume from and move to the next epoch when a checkpoint cuts their input, without moving
//! their timestamp. Epoch `e` is complete at an operator once no time of its input frontier has
//! an epoch `<= e`: everything read before the cut has been processed there. That is how a
//! checkpoint finds its consistent cut without holding back, or moving, event time.
//!
//! Times are ordered as a product, so a frontier can hold several times (a source still in
//! epoch 3 at watermark 100, another in epoch 4 at watermark 90): the watermark is the least
//! timestamp of the frontier ([`frontier_ms`]), the epoch still open the least epoch
//! ([`frontier_epoch`]). A job without checkpoints stays in epoch 0, where the order is the
//! timestamp's.

use serde::{Deserialize, Serialize};
use timely::order::PartialOrder;
use timely::progress::frontier::AntichainRef;
use timely::progress::timestamp::{PathSummary, Refines, Timestamp};

/// A dataflow time: a checkpoint epoch and a timestamp in milliseconds, partially ordered as
/// a product (`Ord` sorts by epoch, then timestamp).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Time {
    /// The checkpoint epoch.
    pub epoch: u64,
    /// Event or processing time in milliseconds since the Unix epoch (0 for batch jobs).
    pub ms: u64,
}

/// The time at `ms` in checkpoint epoch `epoch`.
pub fn at(epoch: u64, ms: u64) -> Time {
    Time { epoch, ms }
}

/// The time at `ms` in the epoch of `time`.
pub fn with_ms(time: &Time, ms: u64) -> Time {
    Time { epoch: time.epoch, ms }
}

impl PartialOrder for Time {
    fn less_equal(&self, other: &Time) -> bool {
        self.epoch <= other.epoch && self.ms <= other.ms
    }
}

impl Timestamp for Time {
    /// The dataflow has no cycles: a path only ever adds nothing (or, were there loops, both
    /// coordinates' distances).
    type Summary = Time;

    fn minimum() -> Time {
        Time::default()
    }
}

impl PathSummary<Time> for Time {
    fn results_in(&self, src: &Time) -> Option<Time> {
        Some(Time { epoch: self.epoch.checked_add(src.epoch)?, ms: self.ms.checked_add(src.ms)? })
    }

    fn followed_by(&self, other: &Time) -> Option<Time> {
        self.results_in(other)
    }
}

impl Refines<()> for Time {
    fn to_inner(_: ()) -> Time {
        Time::default()
    }

    fn to_outer(self) {}

    fn summarize(_: Time) {}
}

impl differential_dataflow::lattice::Lattice for Time {
    fn join(&self, other: &Time) -> Time {
        Time { epoch: self.epoch.max(other.epoch), ms: self.ms.max(other.ms) }
    }

    fn meet(&self, other: &Time) -> Time {
        Time { epoch: self.epoch.min(other.epoch), ms: self.ms.min(other.ms) }
    }
}

/// The least timestamp of `frontier`: Flink's watermark plus one for event-time inputs;
/// `None` when the input has ended.
pub fn frontier_ms(frontier: AntichainRef<'_, Time>) -> Option<u64> {
    frontier.iter().map(|t| t.ms).min()
}

/// The least epoch of `frontier`: every epoch before it is complete at this input; `None` when
/// the input has ended.
pub fn frontier_epoch(frontier: AntichainRef<'_, Time>) -> Option<u64> {
    frontier.iter().map(|t| t.epoch).min()
}

/// The greatest time at or before every time of `frontier` (its meet): a capability there
/// never holds back more than the input already does. `None` when the input has ended.
pub fn frontier_meet(frontier: AntichainRef<'_, Time>) -> Option<Time> {
    Some(at(frontier_epoch(frontier)?, frontier_ms(frontier)?))
}

#[cfg(test)]
mod tests {
    use timely::progress::Antichain;

    use super::*;

    #[test]
    fn an_epoch_completes_without_the_timestamp_moving() {
        let frontier = Antichain::from_elem(at(4, 100));
        let data_of_epoch_3 = at(3, 5_000);
        assert!(!frontier.less_equal(&data_of_epoch_3), "epoch 3 is complete at any timestamp");
        assert!(frontier.less_equal(&at(4, 100)));
        assert!(!frontier.less_equal(&at(4, 99)), "nothing of epoch 4 can come before the watermark");
    }

    #[test]
    fn the_watermark_is_the_least_timestamp_of_the_frontier() {
        let frontier = Antichain::from(vec![at(3, 100), at(4, 90)]);
        assert_eq!(frontier_ms(frontier.borrow()), Some(90));
        assert_eq!(frontier_epoch(frontier.borrow()), Some(3));
        let meet = frontier_meet(frontier.borrow()).map(|m| frontier.iter().all(|t| m.less_equal(t)));
        assert_eq!(meet, Some(true));
        assert_eq!(frontier_ms(Antichain::<Time>::new().borrow()), None);
    }
}
