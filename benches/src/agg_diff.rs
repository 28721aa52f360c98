//! `COUNT`, `SUM` and `MAX` carried in differential's difference component.
//!
//! Differential accumulates the differences of equal `(data, time)` updates wherever it
//! consolidates: in the batcher that sorts input into an arrangement and when it merges batches.
//! Making the aggregate the difference lets the arrangement hold one update per auction instead of
//! one per bid (the idiom of differential's TPC-H examples). `MAX` is not invertible, so this
//! type is only a [`Semigroup`]: it is correct for append-only input (a bounded batch job), and a
//! retraction cannot be expressed with it — which is what `reduce` is for.

use differential_dataflow::difference::{IsZero, Semigroup};
use serde::{Deserialize, Serialize};

/// The running `(count, sum, max)` of the prices of one auction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AggDiff {
    /// Number of bids.
    pub count: i64,
    /// Sum of prices (wrapping).
    pub sum: i64,
    /// Highest price.
    pub max: i64,
}

impl AggDiff {
    /// The contribution of one bid at `price`.
    #[inline]
    pub fn bid(price: i64) -> Self {
        Self { count: 1, sum: price, max: price }
    }
}

impl IsZero for AggDiff {
    /// No bids: nothing to keep. Never true for accumulated bids, which have `count >= 1`.
    fn is_zero(&self) -> bool {
        self.count == 0
    }
}

impl Semigroup for AggDiff {
    #[inline]
    fn plus_equals(&mut self, rhs: &Self) {
        self.count += rhs.count;
        self.sum = self.sum.wrapping_add(rhs.sum);
        self.max = self.max.max(rhs.max);
    }
}
