//! A deterministic, Nexmark-like generator of bid rows, written as headerless CSV
//! `auction,bidder,price,ts_ms`.
//!
//! Distributions (after the Nexmark generator, simplified to the bid stream):
//! * **auction**: `rows / 100` auctions (at least one), ids from [`FIRST_AUCTION_ID`]. Half of the
//!   bids go to the *hot* auctions (every 100th id), the other half uniformly to any auction, so
//!   with 10M rows ~1,000 hot auctions get ~5,000 bids each and the ~100,000 others ~50.
//! * **bidder**: `rows / 20` persons (at least one), ids from [`FIRST_PERSON_ID`]; a quarter of the
//!   bids come from hot bidders (every 100th id), the rest uniformly.
//! * **price**: log-uniform in `1..=1_000_000` (many small bids, a long tail of large ones).
//! * **ts_ms**: row `i` happens at `BASE_TIME_MS + i * INTER_EVENT_MS` plus a jitter in
//!   `0..MAX_JITTER_MS`: increasing overall, slightly out of order locally, like real event time.
//!
//! Rows are generated in blocks of [`BLOCK_ROWS`]; each block draws from its own generator seeded
//! from `(seed, block index)`, so blocks are formatted in parallel and the output depends only on
//! `(rows, seed)`, never on the number of threads.

use std::io::{self, Write};

use crate::rng::{SplitMix64, mix64};

/// The first auction id, as in Nexmark.
pub const FIRST_AUCTION_ID: i64 = 1000;
/// The first person (bidder) id, as in Nexmark.
pub const FIRST_PERSON_ID: i64 = 1000;
/// Event time of the first row: 2023-11-14T22:13:20Z in epoch milliseconds.
pub const BASE_TIME_MS: i64 = 1_700_000_000_000;
/// Event-time spacing between consecutive rows (1,000 bids per second of event time).
pub const INTER_EVENT_MS: i64 = 1;
/// Timestamps are jittered forward by `0..MAX_JITTER_MS`.
pub const MAX_JITTER_MS: u64 = 50;
/// Rows per independently seeded block.
pub const BLOCK_ROWS: u64 = 1 << 16;
/// Highest generated price.
pub const MAX_PRICE: i64 = 1_000_000;

/// What to generate: the number of rows and the seed. Same config, same bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BidsConfig {
    /// Number of rows.
    pub rows: u64,
    /// Seed of the whole dataset.
    pub seed: u64,
}

/// One generated bid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bid {
    /// Auction id.
    pub auction: i64,
    /// Bidder (person) id.
    pub bidder: i64,
    /// Price, in `1..=MAX_PRICE`.
    pub price: i64,
    /// Event time, epoch milliseconds.
    pub ts_ms: i64,
}

impl BidsConfig {
    /// Number of distinct auction ids that can occur.
    pub fn auctions(&self) -> u64 {
        (self.rows / 100).max(1)
    }

    /// Number of distinct bidder ids that can occur.
    pub fn persons(&self) -> u64 {
        (self.rows / 20).max(1)
    }

    /// Number of blocks the rows are split into.
    pub fn blocks(&self) -> u64 {
        self.rows.div_ceil(BLOCK_ROWS)
    }

    /// The bids of block `block`, in row order.
    pub fn block(&self, block: u64) -> impl Iterator<Item = Bid> + use<> {
        let first = block * BLOCK_ROWS;
        let last = (first + BLOCK_ROWS).min(self.rows);
        let mut rng = SplitMix64::new(mix64(self.seed ^ mix64(block.wrapping_add(1))));
        let (auctions, persons) = (self.auctions(), self.persons());
        (first..last).map(move |row| next_bid(&mut rng, row, auctions, persons))
    }

    /// All bids, in row order.
    pub fn bids(&self) -> impl Iterator<Item = Bid> + use<> {
        let cfg = *self;
        (0..cfg.blocks()).flat_map(move |b| cfg.block(b))
    }
}

/// Draws row `row`'s bid.
fn next_bid(rng: &mut SplitMix64, row: u64, auctions: u64, persons: u64) -> Bid {
    let auction = hot_or_uniform(rng, auctions, 2);
    let bidder = hot_or_uniform(rng, persons, 4);
    let price = (10f64.powf(rng.unit_f64() * 6.0).round() as i64).clamp(1, MAX_PRICE);
    let jitter = rng.below(MAX_JITTER_MS) as i64;
    Bid {
        auction: FIRST_AUCTION_ID + auction as i64,
        bidder: FIRST_PERSON_ID + bidder as i64,
        price,
        ts_ms: BASE_TIME_MS + row as i64 * INTER_EVENT_MS + jitter,
    }
}

/// With probability `1 / one_in`, a hot id (a multiple of 100) in `0..n`; otherwise uniform.
fn hot_or_uniform(rng: &mut SplitMix64, n: u64, one_in: u64) -> u64 {
    let id = rng.below(n);
    if rng.below(one_in) == 0 { id / 100 * 100 } else { id }
}

/// Appends the CSV line of `bid` (with its `\n`) to `buf`.
pub fn push_csv_line(buf: &mut Vec<u8>, bid: &Bid) {
    push_i64(buf, bid.auction);
    buf.push(b',');
    push_i64(buf, bid.bidder);
    buf.push(b',');
    push_i64(buf, bid.price);
    buf.push(b',');
    push_i64(buf, bid.ts_ms);
    buf.push(b'\n');
}

/// Appends the decimal form of `v` to `buf` (no allocation, unlike `write!`).
fn push_i64(buf: &mut Vec<u8>, v: i64) {
    if v < 0 {
        buf.push(b'-');
    }
    let mut n = v.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

/// The CSV text of block `block`.
pub fn block_csv(cfg: &BidsConfig, block: u64) -> Vec<u8> {
    let mut buf = Vec::with_capacity(BLOCK_ROWS as usize * 40);
    for bid in cfg.block(block) {
        push_csv_line(&mut buf, &bid);
    }
    buf
}

/// Writes the whole dataset to `out`, formatting up to `threads` blocks at a time in parallel.
/// Returns the number of bytes written.
pub fn write_csv<W: Write>(cfg: &BidsConfig, threads: usize, mut out: W) -> io::Result<u64> {
    let threads = threads.max(1) as u64;
    let mut written = 0u64;
    let mut next = 0u64;
    while next < cfg.blocks() {
        let upto = (next + threads).min(cfg.blocks());
        let chunks: Vec<Vec<u8>> = std::thread::scope(|s| {
            let handles: Vec<_> = (next..upto).map(|b| s.spawn(move || block_csv(cfg, b))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
        });
        for chunk in &chunks {
            out.write_all(chunk)?;
            written += chunk.len() as u64;
        }
        next = upto;
    }
    out.flush()?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distributions_stay_in_range() {
        let cfg = BidsConfig { rows: 200_000, seed: 3 };
        for (i, b) in cfg.bids().enumerate() {
            assert!((FIRST_AUCTION_ID..FIRST_AUCTION_ID + cfg.auctions() as i64).contains(&b.auction));
            assert!((FIRST_PERSON_ID..FIRST_PERSON_ID + cfg.persons() as i64).contains(&b.bidder));
            assert!((1..=MAX_PRICE).contains(&b.price));
            let base = BASE_TIME_MS + i as i64 * INTER_EVENT_MS;
            assert!(b.ts_ms >= base && b.ts_ms < base + MAX_JITTER_MS as i64);
        }
        assert_eq!(cfg.bids().count(), 200_000);
    }

    #[test]
    fn push_i64_formats_like_display() {
        for v in [0, 7, -7, 10, 1_700_000_000_000, i64::MAX, i64::MIN] {
            let mut buf = Vec::new();
            push_i64(&mut buf, v);
            assert_eq!(String::from_utf8(buf).unwrap(), v.to_string());
        }
    }

    #[test]
    fn output_does_not_depend_on_threads() {
        let cfg = BidsConfig { rows: 3 * BLOCK_ROWS + 5, seed: 11 };
        let (mut a, mut b) = (Vec::new(), Vec::new());
        write_csv(&cfg, 1, &mut a).unwrap();
        write_csv(&cfg, 3, &mut b).unwrap();
        assert_eq!(a, b);
    }
}
