//! The watermarks of every event-time source split of a job, shared by its workers, so that a
//! split that went idle can follow the others instead of holding the watermark back (see
//! `ops::source`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Where one split of an event-time source stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SplitMark {
    /// Reading rows; its watermark.
    Active(u64),
    /// No rows for the idle timeout since `since`: not holding the watermark back.
    Idle {
        /// Its watermark.
        watermark: u64,
        /// When it went idle (its last rows plus the timeout).
        since: Instant,
    },
}

/// The splits of a job's event-time sources, by (plan node, worker), shared by the workers.
#[derive(Debug, Default)]
pub struct SplitWatermarks {
    marks: Mutex<HashMap<(usize, usize), SplitMark>>,
}

impl SplitWatermarks {
    /// Records where split `worker` of source `node` stands; `None` when it has finished.
    pub fn set(&self, node: usize, worker: usize, mark: Option<SplitMark>) {
        let mut marks = self.marks.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match mark {
            Some(m) => marks.insert((node, worker), m),
            None => marks.remove(&(node, worker)),
        };
    }

    /// What idle split `worker` of `node` follows: the smallest watermark of the other splits
    /// that are active; when all are idle, the largest of theirs. `None` when it is alone.
    /// Callers only ever move a watermark up, so following is never a step back.
    pub fn follow(&self, node: usize, worker: usize) -> Option<u64> {
        let marks = self.marks.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let others = || marks.iter().filter(move |((n, w), _)| *n == node && *w != worker).map(|(_, m)| *m);
        let active = others().filter_map(|m| match m {
            SplitMark::Active(t) => Some(t),
            SplitMark::Idle { .. } => None,
        });
        active.min().or_else(|| {
            others()
                .map(|m| match m {
                    SplitMark::Active(t) | SplitMark::Idle { watermark: t, .. } => t,
                })
                .max()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_splits_follow_the_slowest_active_split() {
        let t0 = Instant::now();
        let later = t0 + std::time::Duration::from_millis(50);
        let board = SplitWatermarks::default();
        board.set(7, 0, Some(SplitMark::Active(5_000)));
        board.set(7, 1, Some(SplitMark::Active(3_000)));
        board.set(7, 2, Some(SplitMark::Idle { watermark: 0, since: t0 }));
        board.set(8, 0, Some(SplitMark::Active(1_000)));
        assert_eq!(board.follow(7, 2), Some(3_000));
        assert_eq!(board.follow(7, 1), Some(5_000), "a split does not follow itself; idle ones hold nothing");
        board.set(7, 1, None);
        // Split 0 goes idle too: every split is idle, each follows the most advanced other one
        // (split 0 would "follow" split 2 down to 0, which a caller never does: it only moves up).
        board.set(7, 0, Some(SplitMark::Idle { watermark: 5_000, since: later }));
        assert_eq!(board.follow(7, 2), Some(5_000));
        assert_eq!(board.follow(7, 0), Some(0));
        assert_eq!(SplitWatermarks::default().follow(7, 0), None, "alone: nothing to follow");
    }
}
