//! `source`: a timely operator that drains one split of a connector into the
//! dataflow, a batch of rows per activation so that other operators keep running.
//!
//! Batch jobs emit everything at time 0 and then release their capability, which flushes the
//! whole dataflow. Streaming jobs stamp rows with processing time (epoch milliseconds, rounded
//! down to the tick) and advance their capability with the clock, so the dataflow frontier
//! moves and downstream results are emitted tick by tick. Streaming sources with a watermark
//! stamp rows with their event time instead and hold their capability at the watermark
//! ([`EventClock`]); rows behind it (late) are sent at the watermark, and the event-time
//! operators downstream decide what to do with them. With an idle timeout, a
//! split that reads nothing for that long follows its source's other splits instead
//! ([`IdleTracker`]), so that one quiet split does not stall event time for the whole job.
//!
//! What a split sends is its [`SplitOutput`]: the rows it reads (after its chained Calc), or,
//! when the aggregate reading the source runs its local phase in the splits
//! ([`source_partials`]), the partial aggregates of the records it read at its capability's
//! time, sent before that capability moves on.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use differential_dataflow::{AsCollection, VecCollection};
use timely::container::CapacityContainerBuilder;
use timely::dataflow::Scope;
use timely::dataflow::operators::Capability;
use timely::dataflow::operators::generic::operator::source as timely_source;
use timely::dataflow::operators::probe::Handle as ProbeHandle;

use crate::connectors::{SourceFactory, SourceOffset, SourcePoll, SourceReader};
use crate::job::{Contribution, JobContext, SplitMark, source_participant};
use crate::plan::{RuntimeMode, SourceWatermark};

use super::backpressure::{GROUPS_PER_TIME, InFlight, ROWS_PER_TIME};
use super::combiner::{LocalCombiner, Partials};
use super::source_calc::SourceCalc;
use super::source_output::{Polled, SplitOutput, SplitPartials, SplitRows, SplitSession};
use super::watermark::EventClock;
use super::{Rows, Time, at, with_ms};

/// Rows asked of a reader per poll, and most rows a source sends per activation: few
/// enough that they are still in the core's cache when the operators after it run (1,024 rows
/// of a few columns are ~200 KB; 4,096 rows per poll and 5 ms of polls per activation were
/// megabytes, written to memory by the source and read back by the next operator).
const POLL_ROWS: usize = 1024;
/// Longest a source keeps its worker busy per activation.
const SLICE: Duration = Duration::from_millis(5);

/// The current processing time, rounded down to a multiple of `tick_ms`.
pub fn processing_time(tick_ms: u64) -> u64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
    now - now % tick_ms.max(1)
}

/// A source node, as its splits are built: what [`source`] reads and how.
#[derive(Clone)]
pub struct SourceSpec {
    /// The plan node's index.
    pub node: usize,
    /// The plan node's id (the operator's name).
    pub name: String,
    /// The connector's splits.
    pub factory: Arc<dyn SourceFactory>,
    /// The column and delay that time rows in streaming mode, when the source has event time.
    pub watermark: Option<SourceWatermark>,
    /// The Filter/Project chain reading the source, chained into it.
    pub calc: Option<SourceCalc>,
    /// The job.
    pub ctx: JobContext,
    /// The job's sinks, which a processing-time split waits for (see [`source`]).
    pub sinks: Option<ProbeHandle<Time>>,
}

/// The rows of plan node `spec.node`, read by this worker from its split of `spec.factory`;
/// timed by `spec.watermark`'s column in streaming mode when given. A processing-time split
/// waits while too many of its rows have not got through to `spec.sinks` (no waiting without:
/// the compiler passes none when a `watermark` node re-times the rows on their way, so that the
/// sinks' frontier says nothing about the source's times). A job restored from a checkpoint
/// taken with another worker count reads the checkpoint's splits on, each on one worker. With a
/// `spec.calc` (the Filter/Project chain reading the source, chained into it), each split
/// computes it on the records it reads and sends only the rows that pass; the watermark, the
/// source's own count and its offsets still follow every record read.
pub fn source<'s>(scope: Scope<'s, Time>, spec: SourceSpec) -> Rows<'s> {
    splits(scope, &spec, |spec| SplitRows::new(spec.calc.clone(), POLL_ROWS))
}

/// The partials of `combiner` over the rows [`source`] would send, computed by the splits
/// themselves (see `combiner`): each folds what it reads into the groups of its records' time
/// (the capability's, or in streaming mode with event time each record's) and sends their
/// partials before the capability moves past that time (a new processing-time tick, the
/// watermark, a checkpoint's epoch, or [`GROUPS_PER_TIME`] groups held at one time) or the
/// split finishes, so that a checkpoint cut finds no partials held.
pub(super) fn source_partials<'s>(scope: Scope<'s, Time>, spec: SourceSpec, combiner: LocalCombiner) -> Partials<'s> {
    splits(scope, &spec, |spec| SplitPartials::new(spec.calc.clone(), combiner.clone()))
}

/// This worker's splits of `spec`, each sending what `output` makes of its records.
fn splits<'s, O: SplitOutput>(scope: Scope<'s, Time>, spec: &SourceSpec, output: impl Fn(&SourceSpec) -> O) -> VecCollection<'s, Time, O::Item, isize> {
    let peers = scope.peers();
    let restored = spec.ctx.checkpoints.as_ref().filter(|_| spec.ctx.mode == RuntimeMode::Streaming).and_then(|c| c.source_splits(spec.node));
    match restored {
        Some(splits) if splits != peers => {
            let split = |assigned| split_source(scope, spec, output(spec), assigned);
            let mut streams = (0..splits).map(|s| split(Some((s, splits))));
            let first = streams.next().unwrap_or_else(|| split(None));
            first.concatenate(streams.collect::<Vec<_>>())
        }
        _ => split_source(scope, spec, output(spec), None),
    }
}

/// One split of a source: `assigned` is `(split, splits)`, read by worker `split % peers`;
/// `None` for the split of each worker (split = worker, splits = peers). A processing-time
/// split waits while too many of its records are not yet through to the job's sinks
/// (`spec.sinks`, when given).
fn split_source<'s, O: SplitOutput>(
    scope: Scope<'s, Time>,
    spec: &SourceSpec,
    mut out: O,
    assigned: Option<(usize, usize)>,
) -> VecCollection<'s, Time, O::Item, isize> {
    let SourceSpec { node, name, factory, watermark, ctx, sinks, .. } = spec.clone();
    let (worker, peers) = (scope.index(), scope.peers());
    let streaming = ctx.mode == RuntimeMode::Streaming;
    let mut in_flight = sinks.filter(|_| streaming && watermark.is_none()).map(InFlight::new);
    let (split_index, splits) = assigned.unwrap_or((worker, peers));
    let reads_here = split_index % peers == worker;
    timely_source::<_, CapacityContainerBuilder<Vec<(O::Item, Time, isize)>>, _, _>(scope, &name, move |capability, info| {
        let activator = scope.activator_for(info.address);
        let checkpoints = ctx.checkpoints.clone().filter(|_| streaming && reads_here);
        let participant = source_participant(node, split_index);
        let (resume, restored_clock) = match checkpoints.as_ref().and_then(|c| {
            c.register(&participant);
            c.restored(&participant)
        }) {
            Some(Contribution::Source { offset, clock }) => (Some(SourceOffset(offset)), clock),
            _ => (None, None),
        };
        let opened = if reads_here { factory.open(split_index, splits, resume.as_ref()).map(Some) } else { Ok(None) };
        let mut reader: Option<Box<dyn SourceReader>> = match opened {
            Ok(reader) => reader,
            Err(e) => {
                ctx.fail(e);
                None
            }
        };
        let mut capability = reads_here.then_some(capability);
        let mut clock = watermark.filter(|_| streaming).map(|w| EventClock::new(w, ctx.tick_ms));
        if let (Some(checkpoints), Some(cap)) = (checkpoints.as_ref(), capability.as_mut()) {
            let held = match (clock.as_mut(), restored_clock.as_ref()) {
                (Some(clock), Some(state)) => clock.restore(state),
                _ => 0,
            };
            cap.downgrade(&at(checkpoints.first_epoch(), held));
        }
        let mut idle = watermark.filter(|_| streaming).and_then(|w| w.idle_timeout_ms).map(|ms| IdleTracker::new(node, split_index, ms));
        move |output| {
            let (Some(cap), Some(split)) = (capability.as_mut(), reader.as_mut()) else {
                capability = None;
                return;
            };
            if streaming && clock.is_none() {
                let now = processing_time(ctx.tick_ms);
                if now > cap.time().ms {
                    let next = with_ms(cap.time(), now);
                    move_on(&mut out, cap, output, next, in_flight.as_mut());
                }
            }
            if let Some(checkpoints) = checkpoints.as_ref() {
                match checkpoints.poll() {
                    Ok(Some(id)) if id > cap.time().epoch => {
                        // The cut: everything emitted so far is before it, in the epochs before `id`.
                        if let Err(e) = checkpoints.contribute(id, &participant, position(split.as_ref(), clock.as_ref())) {
                            ctx.fail(e);
                        }
                        let next = at(id, cap.time().ms);
                        move_on(&mut out, cap, output, next, in_flight.as_mut());
                    }
                    Ok(_) => {}
                    Err(e) => ctx.fail(e),
                }
                if checkpoints.pending() == Some(cap.time().epoch) && !ctx.should_stop() {
                    // Paused: nothing is read after the cut until the checkpoint completes.
                    activator.activate_after(Duration::from_millis(1));
                    return;
                }
            }
            if in_flight.as_mut().is_some_and(InFlight::full) && !ctx.should_stop() {
                // Backpressure: the sinks have not seen enough of what was sent through yet.
                activator.activate_after(Duration::from_millis(1));
                return;
            }
            let started = Instant::now();
            let mut read = 0;
            let mut finished = ctx.should_stop();
            while !finished {
                let Polled { outcome, records, untimed } = out.read(split.as_mut(), POLL_ROWS - read, clock.as_mut(), &ctx);
                read += records;
                if let Some(idle) = idle.as_mut().filter(|_| records > 0) {
                    idle.saw_rows();
                }
                if records > 0 {
                    // Every record read, whether a chained Calc keeps it or not.
                    ctx.metrics.add_out(node, (records - untimed) as u64);
                }
                let time = *cap.time();
                let sent = out.send(cap, output);
                if let Some(clock) = clock.as_mut().filter(|_| records > 0) {
                    ctx.metrics.add_skipped(node, untimed as u64);
                    if clock.watermark() > cap.time().ms {
                        move_on(&mut out, cap, output, with_ms(&time, clock.hold()), None);
                    }
                    ctx.metrics.set_watermark(node, split_index, flink_watermark(cap.time().ms));
                } else if let Some(flow) = in_flight.as_mut() {
                    if sent > 0 {
                        flow.sent(time, sent);
                    }
                    if flow.at(&time) >= ROWS_PER_TIME || out.held() >= GROUPS_PER_TIME {
                        // The next records get the next millisecond, so that these can complete.
                        move_on(&mut out, cap, output, with_ms(&time, time.ms + 1), Some(flow));
                    }
                }
                let throttled = in_flight.as_mut().is_some_and(InFlight::full);
                match outcome {
                    Ok(SourcePoll::Ready) if throttled => activator.activate_after(Duration::from_millis(1)),
                    Ok(SourcePoll::Ready) if read < POLL_ROWS && started.elapsed() < SLICE => continue,
                    Ok(SourcePoll::Ready) => activator.activate(),
                    Ok(SourcePoll::Idle(wait)) => activator.activate_after(if streaming { wait.min(Duration::from_millis(ctx.tick_ms)) } else { wait }),
                    Ok(SourcePoll::Finished) => finished = true,
                    Err(e) => {
                        ctx.fail(e);
                        finished = true;
                    }
                }
                break;
            }
            if let (Some(idle), Some(clock)) = (idle.as_mut(), clock.as_mut()) {
                if finished {
                    idle.finish(&ctx);
                } else if let Some(follow) = idle.update(&ctx, cap.time().ms) {
                    clock.raise_to(follow);
                    let next = with_ms(cap.time(), clock.hold());
                    move_on(&mut out, cap, output, next, None);
                    ctx.metrics.set_watermark(node, split_index, flink_watermark(cap.time().ms));
                }
                if !finished && !ctx.should_stop() {
                    // An idle split must notice the others moving even when it reads nothing.
                    activator.activate_after(Duration::from_millis(ctx.tick_ms));
                }
            }
            if finished {
                out.flush(cap, output, None);
                ctx.metrics.add_skipped(node, split.skipped_records());
                if let Some(checkpoints) = checkpoints.as_ref()
                    && let Err(e) = checkpoints.finish(&participant, position(split.as_ref(), clock.as_ref()))
                {
                    ctx.fail(e);
                }
                capability = None;
                reader = None;
            } else if streaming && clock.is_none() && !ctx.should_stop() {
                // Keep processing time moving even when no rows arrive.
                activator.activate_after(Duration::from_millis(ctx.tick_ms));
            }
        }
    })
    .as_collection()
}

/// Moves a split's capability on to `next`, after `out` has sent what it holds at the current
/// time (counted in `flow`, a processing-time split's items in flight).
fn move_on<O: SplitOutput>(out: &mut O, cap: &mut Capability<Time>, output: &mut SplitSession<'_, O::Item>, next: Time, flow: Option<&mut InFlight>) {
    let sent = out.flush(cap, output, Some(&next));
    if let Some(flow) = flow.filter(|_| sent > 0) {
        flow.sent(*cap.time(), sent);
    }
    cap.downgrade(&next);
}

/// Where a split stands, as a checkpoint keeps it: its offset and event-time clock.
fn position(split: &dyn SourceReader, clock: Option<&EventClock>) -> Contribution {
    Contribution::Source { offset: split.offset().0, clock: clock.map(EventClock::state) }
}

/// The watermark Flink would report for an event-time frontier: the frontier is the first time
/// still to come, Flink's watermark the last time complete (see [`EventClock`]).
fn flink_watermark(frontier: u64) -> u64 {
    frontier.saturating_sub(1)
}

/// Idleness of one event-time split: after `timeout` without rows it stops holding back the
/// watermark and follows the smallest watermark of its source's active splits.
struct IdleTracker {
    node: usize,
    split: usize,
    timeout: Duration,
    last_rows: Instant,
}

impl IdleTracker {
    fn new(node: usize, split: usize, timeout_ms: u64) -> IdleTracker {
        IdleTracker { node, split, timeout: Duration::from_millis(timeout_ms), last_rows: Instant::now() }
    }

    /// The split read rows just now.
    fn saw_rows(&mut self) {
        self.last_rows = Instant::now();
    }

    /// Publishes where the split stands (its watermark is `held`); when it is idle, the
    /// watermark to move up to, if the splits it follows are past `held`.
    fn update(&self, ctx: &JobContext, held: u64) -> Option<u64> {
        if self.last_rows.elapsed() < self.timeout {
            ctx.splits.set(self.node, self.split, Some(SplitMark::Active(held)));
            return None;
        }
        let since = self.last_rows + self.timeout;
        ctx.splits.set(self.node, self.split, Some(SplitMark::Idle { watermark: held, since }));
        ctx.splits.follow(self.node, self.split).filter(|w| *w > held)
    }

    /// The split has finished: it holds nothing back any more.
    fn finish(&self, ctx: &JobContext) {
        ctx.splits.set(self.node, self.split, None);
    }
}
