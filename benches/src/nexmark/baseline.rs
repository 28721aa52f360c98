//! Hand-written timely/differential versions of Nexmark q0, q1 and q2 (here) and of the windowed
//! q5 and `window-tumble` ([`super::baseline_windows`]): the floor of Weir's overhead for the
//! same queries. They read the same events as Weir's `nexmark` source (the
//! `nexmark` crate's generator, bids only, worker `w` of `p` taking bids `w, w + p, ...`, base
//! time pinned) and feed them into a differential collection at one time, as a bounded batch.
//!
//! Rows are native tuples (no `Row`, no expression interpreter): q0 passes
//! `(auction, bidder, price, dateTime, extra)` through, q1 converts the price to euros as a
//! scaled integer (`price × 908`, scale 3 — the exact value of Weir's `DECIMAL(23, 3)`), q2 keeps
//! `(auction, price)` where `auction % 123 = 0`. Output rows are counted, then dropped.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use differential_dataflow::input::Input;
use nexmark::EventGenerator;
use nexmark::config::NexmarkConfig;
use nexmark::event::{Event, EventType};
use timely::dataflow::operators::probe::Handle as ProbeHandle;
use timely::worker::Worker;

use weir_core::connectors::nexmark::DEFAULT_BASE_TIME_MS;

use super::baseline_windows::{self, WINDOW_QUERIES, WindowRow};

/// The queries with a baseline.
pub const BASELINE_QUERIES: &[&str] = &["q0", "q1", "q2", "q5", "window-tumble"];

/// Updates fed between two steps of the worker, so the dataflow drains as the input grows.
pub(crate) const STEP_EVERY: u64 = 1 << 14;

/// What a baseline run produced and cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BaselineRun {
    /// Bids generated, over all workers.
    pub rows_in: u64,
    /// Rows that reached the end of the dataflow.
    pub rows_out: u64,
    /// From starting the workers to the last one finishing.
    pub elapsed: Duration,
}

/// Bids among the first `events` events of the standard stream (46 of every 50, from event 4
/// of each cycle on).
pub fn bid_count(events: u64) -> u64 {
    (events / 50) * 46 + (events % 50).saturating_sub(4).min(46)
}

/// The generator configuration Weir's source uses by default, at `tps` events per second of
/// event time.
pub fn config(tps: u64) -> NexmarkConfig {
    let rate = tps as usize;
    NexmarkConfig { base_time: DEFAULT_BASE_TIME_MS, first_rate: rate, next_rate: rate, ..NexmarkConfig::default() }
}

/// Runs the baseline of `query` (`q0`, `q1`, `q2`) over a stream of `events` events on
/// `workers` threads.
pub fn run(query: &str, events: u64, workers: usize, tps: u64) -> Result<BaselineRun, String> {
    if !BASELINE_QUERIES.contains(&query) {
        return Err(format!("no hand-written baseline for {query}; there are: {}", BASELINE_QUERIES.join(", ")));
    }
    let query = query.to_string();
    let started = Instant::now();
    let guards = timely::execute(timely::Config::process(workers.max(1)), move |worker| {
        if WINDOW_QUERIES.contains(&query.as_str()) {
            let (fed, out, _) = baseline_windows::run_worker(worker, &query, events, tps, false);
            (fed, out)
        } else {
            run_worker(worker, &query, events, tps)
        }
    })?;
    let mut total = BaselineRun { rows_in: 0, rows_out: 0, elapsed: Duration::ZERO };
    for result in guards.join() {
        let (rows_in, rows_out) = result.map_err(|panic| format!("worker panicked: {panic}"))?;
        total.rows_in += rows_in;
        total.rows_out += rows_out;
    }
    total.elapsed = started.elapsed();
    Ok(total)
}

/// The result rows of the windowed baseline of `query` (`q5`, `window-tumble`) with their
/// multiplicities, over a stream of `events` events on `workers` threads.
pub fn window_rows(query: &str, events: u64, workers: usize, tps: u64) -> Result<Vec<(WindowRow, isize)>, String> {
    if !WINDOW_QUERIES.contains(&query) {
        return Err(format!("no windowed baseline for {query}"));
    }
    let query = query.to_string();
    let guards = timely::execute(timely::Config::process(workers.max(1)), move |worker| baseline_windows::run_worker(worker, &query, events, tps, true).2)?;
    let mut rows = Vec::new();
    for result in guards.join() {
        rows.extend(result.map_err(|panic| format!("worker panicked: {panic}"))?);
    }
    Ok(rows)
}

/// The bids worker `index` of `peers` generates among the first `events` events: bids
/// `index, index + peers, ...` of the bid stream, as Weir's `nexmark` source splits it.
pub(crate) fn worker_bids(index: u64, peers: u64, events: u64, tps: u64) -> impl Iterator<Item = Event> {
    let total = bid_count(events);
    let mine = if total > index { (total - index).div_ceil(peers) } else { 0 };
    EventGenerator::new(config(tps)).with_type_filter(EventType::Bid).with_offset(index).with_step(peers).take(mine as usize)
}

/// One worker: builds the query's dataflow, feeds its share of the bids, runs to completion.
/// Returns (bids fed, rows out).
fn run_worker(worker: &mut Worker, query: &str, events: u64, tps: u64) -> (u64, u64) {
    let (index, peers) = (worker.index() as u64, worker.peers() as u64);
    let out = Rc::new(Cell::new(0u64));
    let count = Rc::clone(&out);
    let probe = ProbeHandle::new();
    let query = query.to_string();
    let mut input = worker.dataflow::<u64, _, _>(|scope| {
        let (input, bids) = scope.new_collection::<(i64, i64, i64, i64, String), isize>();
        match query.as_str() {
            "q0" => {
                bids.map(|(auction, bidder, price, date_time, extra)| (auction, bidder, price, date_time, extra)).inspect(counter(&count)).probe_with(&probe);
            }
            "q1" => {
                bids.map(|(auction, bidder, price, date_time, extra)| (auction, bidder, i128::from(price) * 908, date_time, extra))
                    .inspect(counter(&count))
                    .probe_with(&probe);
            }
            _ => {
                bids.flat_map(|(auction, _, price, _, _)| (auction % 123 == 0).then_some((auction, price))).inspect(counter(&count)).probe_with(&probe);
            }
        }
        input
    });
    let mut mine = 0u64;
    for (fed, event) in worker_bids(index, peers, events, tps).enumerate() {
        mine += 1;
        if let Event::Bid(b) = event {
            input.update((b.auction as i64, b.bidder as i64, b.price as i64, b.date_time as i64, b.extra), 1);
        }
        if (fed as u64 + 1).is_multiple_of(STEP_EVERY) {
            input.flush();
            worker.step();
        }
    }
    input.close();
    worker.step_while(|| !probe.done());
    (mine, out.get())
}

/// An `inspect` closure that counts what passes.
fn counter<X>(cell: &Rc<Cell<u64>>) -> impl FnMut(&X) + 'static {
    let cell = Rc::clone(cell);
    move |_| cell.set(cell.get() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baselines_agree_across_worker_counts() {
        assert_eq!(bid_count(10_000), 9_200);
        assert_eq!(bid_count(53), 46);
        for q in BASELINE_QUERIES {
            let one = run(q, 3_000, 1, 10_000).unwrap();
            let three = run(q, 3_000, 3, 10_000).unwrap();
            assert_eq!(one.rows_in, bid_count(3_000));
            assert_eq!((one.rows_in, one.rows_out), (three.rows_in, three.rows_out), "{q}");
        }
        assert_eq!(run("q0", 1000, 2, 10).unwrap().rows_out, bid_count(1000));
        assert!(run("q3", 10, 1, 10).is_err());
    }
}
