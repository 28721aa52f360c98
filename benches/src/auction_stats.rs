//! The result of the bounded group-by query — per auction `COUNT(*)`, `SUM(price)`,
//! `MAX(price)` — its checksum, and a plain sequential reference implementation.

use std::collections::HashMap;

use crate::rng::mix64;

/// One result row of the group-by query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AuctionStats {
    /// The group key.
    pub auction: i64,
    /// Number of bids on the auction.
    pub count: i64,
    /// Sum of their prices (wrapping on overflow, which the generated data never reaches).
    pub sum: i64,
    /// Highest price.
    pub max: i64,
}

impl AuctionStats {
    /// A hash of the row's four values, combined with `wrapping_add` into [`Summary::checksum`].
    /// `scripts/groupby_baselines.py` computes the same function, so runs of different systems can
    /// be compared by `(groups, checksum)` alone.
    pub fn hash(&self) -> u64 {
        let mut h = mix64(self.auction as u64);
        h = mix64(h ^ self.count as u64);
        h = mix64(h ^ self.sum as u64);
        mix64(h ^ self.max as u64)
    }

    /// The row as printed by `--print`: `auction,count,sum,max`.
    pub fn csv_line(&self) -> String {
        format!("{},{},{},{}", self.auction, self.count, self.sum, self.max)
    }
}

/// The number of result rows and their order-independent checksum.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Number of groups.
    pub groups: u64,
    /// Wrapping sum of [`AuctionStats::hash`] over all rows.
    pub checksum: u64,
}

impl Summary {
    /// Adds one result row.
    pub fn add(&mut self, row: &AuctionStats) {
        self.groups += 1;
        self.checksum = self.checksum.wrapping_add(row.hash());
    }

    /// Combines the summaries of disjoint sets of rows (e.g. of two workers).
    pub fn merge(self, other: Summary) -> Summary {
        Summary { groups: self.groups + other.groups, checksum: self.checksum.wrapping_add(other.checksum) }
    }

    /// The summary of `rows`.
    pub fn of<'a>(rows: impl IntoIterator<Item = &'a AuctionStats>) -> Summary {
        let mut s = Summary::default();
        rows.into_iter().for_each(|r| s.add(r));
        s
    }
}

/// The query computed by a `HashMap` fold over `(auction, price)` pairs: the reference every
/// engine's answer must equal. Rows sorted by auction.
pub fn fold_reference(bids: impl IntoIterator<Item = (i64, i64)>) -> Vec<AuctionStats> {
    let mut groups: HashMap<i64, (i64, i64, i64)> = HashMap::new();
    for (auction, price) in bids {
        let g = groups.entry(auction).or_insert((0, 0, i64::MIN));
        g.0 += 1;
        g.1 = g.1.wrapping_add(price);
        g.2 = g.2.max(price);
    }
    let mut rows: Vec<AuctionStats> = groups.into_iter().map(|(auction, (count, sum, max))| AuctionStats { auction, count, sum, max }).collect();
    rows.sort_unstable();
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_counts_sums_and_maxes() {
        let rows = fold_reference([(2, 5), (1, 3), (2, 7), (2, 1)]);
        assert_eq!(rows, vec![AuctionStats { auction: 1, count: 1, sum: 3, max: 3 }, AuctionStats { auction: 2, count: 3, sum: 13, max: 7 },]);
    }

    #[test]
    fn checksum_is_order_independent_and_matches_python() {
        let a = AuctionStats { auction: 1000, count: 5, sum: 23000, max: 9000 };
        let b = AuctionStats { auction: 1824, count: 1, sum: 7, max: 7 };
        assert_eq!(Summary::of([&a, &b]), Summary::of([&b, &a]));
        // Same value as `row_hash(1000, 5, 23000, 9000)` in scripts/groupby_baselines.py.
        assert_eq!(a.hash(), 0x049d_8eec_e4a6_6894);
    }
}
