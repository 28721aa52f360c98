//! Hand-written timely/differential versions of the windowed queries: Nexmark q5 (hot items,
//! HOP windows of 10 s sliding 2 s) and `window-tumble` (bids per auction and 10-second
//! tumbling window). Same events as Weir's `nexmark` source (see [`super::baseline`]), fed as a
//! bounded batch at one time; only the two columns the queries read, `(auction, dateTime)`,
//! enter the dataflow, as native integers.
//!
//! Windows are assigned as Flink assigns them (offset 0, epoch-aligned): a tumbling window of
//! size `s` holding `t` starts at `t - t mod s`; the HOP windows holding `t` are those starting at
//! multiples of the slide in `(t - size, t]`.

use std::cell::RefCell;
use std::rc::Rc;

use differential_dataflow::VecCollection;
use differential_dataflow::input::Input;
use nexmark::event::Event;
use timely::dataflow::operators::probe::Handle as ProbeHandle;
use timely::worker::Worker;

use super::baseline::{STEP_EVERY, worker_bids};

/// q5's HOP window: size 10 s, slide 2 s.
pub const HOP_SIZE_MS: i64 = 10_000;
/// q5's HOP slide.
pub const HOP_SLIDE_MS: i64 = 2_000;
/// `window-tumble`'s window size, 10 s.
pub const TUMBLE_MS: i64 = 10_000;

/// The windowed queries with a baseline here.
pub const WINDOW_QUERIES: &[&str] = &["q5", "window-tumble"];

/// A result row of a windowed baseline: q5's `(auction, num)`, or `window-tumble`'s
/// `(auction, window_start, window_end, count)` padded as `(auction, count, start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WindowRow {
    /// The auction.
    pub auction: i64,
    /// Its bids in the window.
    pub num: i64,
    /// Window start, epoch ms (0 for q5, whose output has no window columns).
    pub start: i64,
    /// Window end, epoch ms (0 for q5).
    pub end: i64,
}

/// Starts of the HOP windows (`size`, `slide`, offset 0) that hold event time `t`.
pub fn hop_starts(t: i64, size: i64, slide: i64) -> impl Iterator<Item = i64> {
    let last = t - t.rem_euclid(slide);
    (0..).map(move |k| last - k * slide).take_while(move |start| *start > t - size)
}

/// Start of the tumbling window of `size` holding `t`.
pub fn tumble_start(t: i64, size: i64) -> i64 {
    t - t.rem_euclid(size)
}

/// q5 over `(auction, dateTime)`: per HOP window, the auctions whose bid count is the
/// window's largest, as `(auction, num)`.
pub fn q5<'s>(bids: VecCollection<'s, u64, (i64, i64), isize>) -> VecCollection<'s, u64, WindowRow, isize> {
    let counts = bids
        .flat_map(|(auction, t)| hop_starts(t, HOP_SIZE_MS, HOP_SLIDE_MS).map(move |start| (start, auction)))
        .count()
        .map(|((start, auction), n)| (start, (auction, n as i64)));
    let max = counts.clone().map(|(start, (_, n))| (start, n)).reduce(|_start, ns: &[(&i64, isize)], out: &mut Vec<(i64, isize)>| {
        if let Some((n, _)) = ns.last() {
            out.push((**n, 1));
        }
    });
    counts
        .join_map(max, |_start, &(auction, n), &max| (auction, n, max))
        .flat_map(|(auction, num, max)| (num >= max).then_some(WindowRow { auction, num, start: 0, end: 0 }))
}

/// `window-tumble` over `(auction, dateTime)`: bids per auction and 10-second tumbling window.
pub fn tumble_count<'s>(bids: VecCollection<'s, u64, (i64, i64), isize>) -> VecCollection<'s, u64, WindowRow, isize> {
    bids.map(|(auction, t)| (auction, tumble_start(t, TUMBLE_MS))).count().map(|((auction, start), n)| WindowRow {
        auction,
        num: n as i64,
        start,
        end: start + TUMBLE_MS,
    })
}

/// One worker of a windowed baseline: builds `query`'s dataflow, feeds its share of the bids'
/// `(auction, dateTime)`, runs to completion. Returns (bids fed, rows out — the sum of the
/// output's multiplicities, as a sink would count them —, the rows when `keep_rows`).
pub fn run_worker(worker: &mut Worker, query: &str, events: u64, tps: u64, keep_rows: bool) -> (u64, u64, Vec<(WindowRow, isize)>) {
    let (index, peers) = (worker.index() as u64, worker.peers() as u64);
    let seen = Rc::new(RefCell::new((0u64, Vec::new())));
    let sink = Rc::clone(&seen);
    let probe = ProbeHandle::new();
    let tumble = query == "window-tumble";
    let mut input = worker.dataflow::<u64, _, _>(|scope| {
        let (input, bids) = scope.new_collection::<(i64, i64), isize>();
        let out = if tumble { tumble_count(bids) } else { q5(bids) };
        out.inspect(move |(row, _time, diff)| {
            let mut seen = sink.borrow_mut();
            seen.0 += diff.unsigned_abs() as u64;
            if keep_rows {
                seen.1.push((*row, *diff));
            }
        })
        .probe_with(&probe);
        input
    });
    let mut fed = 0u64;
    for event in worker_bids(index, peers, events, tps) {
        if let Event::Bid(b) = event {
            input.update((b.auction as i64, b.date_time as i64), 1);
        }
        fed += 1;
        if fed.is_multiple_of(STEP_EVERY) {
            input.flush();
            worker.step();
        }
    }
    input.close();
    worker.step_while(|| !probe.done());
    let (out, rows) = seen.take();
    (fed, out, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_assignment() {
        assert_eq!(hop_starts(12_345, 10_000, 2_000).collect::<Vec<_>>(), vec![12_000, 10_000, 8_000, 6_000, 4_000]);
        assert_eq!(hop_starts(12_000, 10_000, 2_000).count(), 5);
        assert_eq!(hop_starts(12_000, 10_000, 2_000).last(), Some(4_000), "a window ending at t does not hold t");
        assert_eq!(tumble_start(19_999, 10_000), 10_000);
        assert_eq!(tumble_start(20_000, 10_000), 20_000);
    }
}
