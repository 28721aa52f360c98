//! The bounded group-by query written by hand in timely/differential dataflow:
//!
//! ```sql
//! SELECT auction, COUNT(*), SUM(price), MAX(price) FROM bids GROUP BY auction
//! ```
//!
//! Each worker reads its byte range of the CSV file ([`crate::csv_range`]) and feeds
//! `(auction, price)` into a differential collection, all at time 0; closing the input completes
//! the time and the aggregation fires. Two formulations ([`Strategy`]):
//!
//! * [`Strategy::Reduce`]: `arrange_by_key` + `reduce` over all prices of an auction. General: it
//!   would handle retractions (MAX needs every value), and it is what a relational engine on
//!   differential does for an arbitrary aggregate. The arrangement holds every bid.
//! * [`Strategy::DiffAgg`]: the aggregate travels in the difference ([`AggDiff`]) and `consolidate`
//!   accumulates it while sorting, so the arrangement holds one update per auction. Only valid for
//!   append-only input, which a bounded batch job is. Materialize plans aggregates of monotonic
//!   (append-only) inputs the same way.
//! * [`Strategy::PreAgg`]: as `DiffAgg`, but each worker first folds its rows into a hash map
//!   (a combiner) and feeds differential one update per auction per map flush — what an engine
//!   that knows its input is bounded and append-only can do before the exchange.
//!
//! Result rows are gathered on the worker that owns their key, consolidated, checked to have
//! multiplicity one, and summarised ([`Summary`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use differential_dataflow::consolidation::consolidate;
use differential_dataflow::difference::Semigroup;
use differential_dataflow::input::{Input, InputSession};
use timely::dataflow::operators::probe::Handle as ProbeHandle;
use timely::worker::Worker;

use crate::BenchError;
use crate::agg_diff::AggDiff;
use crate::auction_stats::{AuctionStats, Summary};
use crate::csv_range::{ByteRange, for_each_record, i64_field};
use crate::mix_hasher::MixBuildHasher;

/// Workers call `worker.step()` after feeding this many records, so data flows into the
/// arrangement's batcher as it is read instead of queueing in channels.
const STEP_EVERY: u64 = 1 << 15;

/// [`Strategy::PreAgg`] hands its hash map to differential when it holds this many auctions
/// (bounding its memory), and at the end of the input.
const COMBINER_CAPACITY: usize = 1 << 20;

/// How the aggregation is expressed in differential; see the module documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Strategy {
    /// `arrange_by_key` + `reduce` over all prices (retraction-capable, holds every bid).
    Reduce,
    /// Aggregates carried in the difference and accumulated by `consolidate` (append-only).
    DiffAgg,
    /// A per-worker hash-map combiner before `DiffAgg` (append-only, bounded).
    PreAgg,
    /// No dataflow: read and parse every row, and drop it. The cost of I/O and CSV parsing that
    /// every strategy pays; produces no groups.
    ParseOnly,
}

/// One run of the query.
#[derive(Clone, Debug)]
pub struct GroupByJob {
    /// Headerless CSV `auction,bidder,price,ts_ms`.
    pub path: PathBuf,
    /// Number of timely worker threads in this process.
    pub workers: usize,
    /// How to aggregate.
    pub strategy: Strategy,
    /// Keep the result rows (for `--print` and tests); otherwise only their summary.
    pub keep_rows: bool,
}

/// What a run produced.
#[derive(Clone, Debug, Default)]
pub struct GroupByOutcome {
    /// Number of groups and checksum of the result rows.
    pub summary: Summary,
    /// Number of CSV records read, over all workers.
    pub input_rows: u64,
    /// The result rows sorted by auction, if [`GroupByJob::keep_rows`]; otherwise empty.
    pub rows: Vec<AuctionStats>,
}

/// Runs `job` on `job.workers` threads and waits for the result.
pub fn run(job: &GroupByJob) -> Result<GroupByOutcome, BenchError> {
    let shared = job.clone();
    let config = timely::Config::process(job.workers.max(1));
    let guards = timely::execute(config, move |worker| run_worker(worker, &shared)).map_err(BenchError::Dataflow)?;
    let mut outcome = GroupByOutcome::default();
    for result in guards.join() {
        let part = result.map_err(|panic| BenchError::Dataflow(format!("worker panicked: {panic}")))??;
        outcome.summary = outcome.summary.merge(part.summary);
        outcome.input_rows += part.input_rows;
        outcome.rows.extend(part.rows);
    }
    outcome.rows.sort_unstable();
    Ok(outcome)
}

/// One worker: build the dataflow, feed its byte range, drain, summarise its share of the output.
fn run_worker(worker: &mut Worker, job: &GroupByJob) -> Result<GroupByOutcome, BenchError> {
    let len = std::fs::metadata(&job.path).map_err(|source| BenchError::Io { path: job.path.clone(), source })?.len();
    let range = ByteRange::for_worker(len, worker.index(), worker.peers());
    let (input_rows, mut rows) = match job.strategy {
        Strategy::Reduce => run_reduce(worker, &job.path, range)?,
        Strategy::DiffAgg => run_diff_agg(worker, &job.path, range, false)?,
        Strategy::PreAgg => run_diff_agg(worker, &job.path, range, true)?,
        Strategy::ParseOnly => {
            let mut sink = 0i64;
            let read = feed(worker, &job.path, range, |auction, price| sink = sink.wrapping_add(auction ^ price))?;
            std::hint::black_box(sink);
            (read, Vec::new())
        }
    };
    rows.sort_unstable();
    let summary = Summary::of(&rows);
    if !job.keep_rows {
        rows = Vec::new();
    }
    Ok(GroupByOutcome { summary, input_rows, rows })
}

/// Output updates gathered by an `inspect` at the end of the dataflow.
type Gathered<D, R> = Rc<RefCell<Vec<(D, R)>>>;

/// [`Strategy::Reduce`]: returns (records read, this worker's result rows).
fn run_reduce(worker: &mut Worker, path: &Path, range: ByteRange) -> Result<(u64, Vec<AuctionStats>), BenchError> {
    let gathered: Gathered<AuctionStats, isize> = Default::default();
    let sink = gathered.clone();
    let probe = ProbeHandle::new();
    let mut input: InputSession<u64, (i64, i64), isize> = worker.dataflow::<u64, _, _>(|scope| {
        let (input, bids) = scope.new_collection::<(i64, i64), isize>();
        bids.reduce(|_auction, prices: &[(&i64, isize)], out: &mut Vec<((i64, i64, i64), isize)>| {
            // `prices` is sorted ascending with accumulated (here: positive) multiplicities.
            let (mut count, mut sum) = (0i64, 0i64);
            for &(price, n) in prices {
                count += n as i64;
                sum = sum.wrapping_add(price.wrapping_mul(n as i64));
            }
            let max = *prices[prices.len() - 1].0;
            out.push(((count, sum, max), 1));
        })
        .inspect(move |((auction, (count, sum, max)), _time, diff)| {
            let row = AuctionStats { auction: *auction, count: *count, sum: *sum, max: *max };
            sink.borrow_mut().push((row, *diff));
        })
        .probe_with(&probe);
        input
    });
    let read = feed(worker, path, range, |auction, price| input.update((auction, price), 1))?;
    input.close();
    worker.step_while(|| !probe.done());
    let mut updates = gathered.take();
    consolidate(&mut updates);
    let rows = updates
        .into_iter()
        .map(|(row, diff)| match diff {
            1 => Ok(row),
            _ => Err(BenchError::Dataflow(format!("result row {row:?} has multiplicity {diff}"))),
        })
        .collect::<Result<_, _>>()?;
    Ok((read, rows))
}

/// [`Strategy::DiffAgg`], or with `pre_aggregate` [`Strategy::PreAgg`]: returns
/// (records read, this worker's result rows).
fn run_diff_agg(worker: &mut Worker, path: &Path, range: ByteRange, pre_aggregate: bool) -> Result<(u64, Vec<AuctionStats>), BenchError> {
    let gathered: Gathered<i64, AggDiff> = Default::default();
    let sink = gathered.clone();
    let probe = ProbeHandle::new();
    let mut input: InputSession<u64, i64, AggDiff> = worker.dataflow::<u64, _, _>(|scope| {
        let (input, bids) = scope.new_collection::<i64, AggDiff>();
        bids.consolidate().inspect(move |(auction, _time, agg)| sink.borrow_mut().push((*auction, *agg))).probe_with(&probe);
        input
    });
    let read = if pre_aggregate {
        let mut combiner: HashMap<i64, AggDiff, MixBuildHasher> = HashMap::default();
        let read = feed(worker, path, range, |auction, price| {
            combiner.entry(auction).and_modify(|a| a.plus_equals(&AggDiff::bid(price))).or_insert(AggDiff::bid(price));
            if combiner.len() >= COMBINER_CAPACITY {
                combiner.drain().for_each(|(auction, agg)| input.update(auction, agg));
            }
        })?;
        combiner.drain().for_each(|(auction, agg)| input.update(auction, agg));
        read
    } else {
        feed(worker, path, range, |auction, price| input.update(auction, AggDiff::bid(price)))?
    };
    input.close();
    worker.step_while(|| !probe.done());
    let mut updates = gathered.take();
    consolidate(&mut updates);
    let rows = updates.into_iter().map(|(auction, a)| AuctionStats { auction, count: a.count, sum: a.sum, max: a.max }).collect();
    Ok((read, rows))
}

/// Reads the worker's range, passing `(auction, price)` of each record to `push` and stepping
/// the worker every [`STEP_EVERY`] records. Returns the number of records read.
fn feed(worker: &mut Worker, path: &Path, range: ByteRange, mut push: impl FnMut(i64, i64)) -> Result<u64, BenchError> {
    let mut since_step = 0;
    for_each_record(path, range, |record, byte| {
        if record.len() != 4 {
            return Err(BenchError::Row {
                path: path.to_owned(),
                byte,
                message: format!("expected 4 fields (auction,bidder,price,ts_ms), found {}", record.len()),
            });
        }
        let auction = i64_field(path, record, byte, 0, "auction")?;
        let price = i64_field(path, record, byte, 2, "price")?;
        push(auction, price);
        since_step += 1;
        if since_step == STEP_EVERY {
            since_step = 0;
            worker.step();
        }
        Ok(())
    })
}
