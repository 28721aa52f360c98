//! What a source split sends ([`SplitOutput`]): the rows it reads, after its chained Calc
//! ([`SplitRows`]), or the partial aggregates of the local combiner chained into it
//! ([`SplitPartials`]). The split's loop (`source::split_source`) is the same for both: it
//! polls its reader through [`SplitOutput::read`], sends through [`SplitOutput::send`], and
//! calls [`SplitOutput::flush`] before its capability moves on or is dropped.

use std::collections::BTreeMap;

use timely::container::CapacityContainerBuilder;
use timely::dataflow::operators::Capability;
use timely::dataflow::operators::generic::OutputBuilderSession;
use timely::order::PartialOrder;

use crate::connectors::{IntegerRows, IntegerSink, RecordSink, SourcePoll, SourceReader};
use crate::error::RuntimeError;
use crate::job::JobContext;
use crate::types::Row;

use super::combiner::{LocalCombiner, SpareTables};
use super::group_table::{GroupTable, RowChunk};
use super::source_calc::SourceCalc;
use super::watermark::{EventClock, Stamp};
use super::{Time, with_ms};

/// The output of a split sending `D`s.
pub(super) type SplitSession<'a, D> = OutputBuilderSession<'a, Time, CapacityContainerBuilder<Vec<(D, Time, isize)>>>;

/// One poll of a split: the reader's outcome, the records read, and how many of them had no
/// event time (dropped).
pub(super) struct Polled {
    pub(super) outcome: Result<SourcePoll, RuntimeError>,
    pub(super) records: usize,
    pub(super) untimed: usize,
}

/// What a split makes of the records it reads, and sends.
pub(super) trait SplitOutput: 'static {
    /// What it sends.
    type Item: Clone + 'static;

    /// Reads up to `max` records of `split`, each stamped by `clock` first when the split has
    /// event time; adds a chained Calc's counts to the job's metrics.
    fn read(&mut self, split: &mut dyn SourceReader, max: usize, clock: Option<&mut EventClock>, ctx: &JobContext) -> Polled;

    /// Sends what the last read made that can go now, at `cap`'s time (rows stamped with an
    /// event time at theirs); returns how many items it sent, which a processing-time split
    /// counts as in flight.
    fn send(&mut self, cap: &Capability<Time>, output: &mut SplitSession<'_, Self::Item>) -> u64;

    /// Items it holds at the capability's time, not sent yet: what a processing-time split
    /// counts with those sent at that time before it moves on to the next.
    fn held(&self) -> u64 {
        0
    }

    /// Sends everything it holds at times that `next` is not at or before (all of it when
    /// `None`): the capability is about to move on to `next`, or the split has finished.
    /// Returns how many items it sent.
    fn flush(&mut self, cap: &Capability<Time>, output: &mut SplitSession<'_, Self::Item>, next: Option<&Time>) -> u64;
}

/// A split sending the rows it reads (after its chained Calc, if any).
pub(super) struct SplitRows {
    calc: Option<SourceCalc>,
    rows: Vec<Row>,
    /// Rows of an event-time split, with their times.
    timed: Vec<(u64, Row)>,
}

impl SplitRows {
    /// Rows made by `calc` (as read, without).
    pub(super) fn new(calc: Option<SourceCalc>, capacity: usize) -> SplitRows {
        SplitRows { calc, rows: Vec::with_capacity(capacity), timed: Vec::new() }
    }
}

impl SplitOutput for SplitRows {
    type Item = Row;

    fn read(&mut self, split: &mut dyn SourceReader, max: usize, clock: Option<&mut EventClock>, ctx: &JobContext) -> Polled {
        self.rows.clear();
        match self.calc.as_mut() {
            None => {
                let outcome = split.poll(&mut self.rows, max);
                let records = self.rows.len();
                let untimed = clock.map_or(0, |clock| stamp_rows(clock, &mut self.rows, &mut self.timed));
                Polled { outcome, records, untimed }
            }
            Some(calc) => {
                let mut sink = CalcRecords { calc, clock, rows: &mut self.rows, timed: &mut self.timed, records: 0, untimed: 0 };
                let outcome = split.poll_records(&mut sink, max);
                let (records, untimed) = (sink.records, sink.untimed);
                calc.count(&ctx.metrics);
                Polled { outcome, records, untimed }
            }
        }
    }

    fn send(&mut self, cap: &Capability<Time>, output: &mut SplitSession<'_, Row>) -> u64 {
        // Every stamped time is at or after the watermark the capability holds.
        self.timed.sort_by_key(|(time, _)| *time);
        let mut rest = self.timed.drain(..).peekable();
        while let Some((ms, row)) = rest.next() {
            let time = super::with_ms(cap.time(), ms);
            let at = cap.delayed(&time);
            let mut session = output.session(&at);
            session.give((row, time, 1));
            while let Some((_, row)) = rest.next_if(|(t, _)| *t == ms) {
                session.give((row, time, 1));
            }
        }
        let (time, sent) = (*cap.time(), self.rows.len() as u64);
        if sent > 0 {
            output.session(cap).give_iterator(self.rows.drain(..).map(|row| (row, time, 1)));
        }
        sent
    }

    fn flush(&mut self, _cap: &Capability<Time>, _output: &mut SplitSession<'_, Row>, _next: Option<&Time>) -> u64 {
        0
    }
}

/// Stamps `rows` by `clock` into `timed`, emptying `rows`; returns how many had no time (a
/// NULL rowtime), which are dropped.
fn stamp_rows(clock: &mut EventClock, rows: &mut Vec<Row>, timed: &mut Vec<(u64, Row)>) -> usize {
    let mut untimed = 0;
    for row in rows.drain(..) {
        match clock.stamp(&row) {
            Stamp::At(time) => timed.push((time, row)),
            Stamp::NoTime => untimed += 1,
        }
    }
    untimed
}

/// The records of one poll of a split whose source computes a chained Calc: each stamped by
/// the event-time clock first (every record moves the watermark, whether the Calc keeps it or
/// not), then made into its output row, if any.
struct CalcRecords<'a> {
    calc: &'a mut SourceCalc,
    clock: Option<&'a mut EventClock>,
    /// Output rows of a split without event time.
    rows: &'a mut Vec<Row>,
    /// Output rows of an event-time split, with their times.
    timed: &'a mut Vec<(u64, Row)>,
    /// Records read.
    records: usize,
    /// Records without an event time (dropped).
    untimed: usize,
}

impl RecordSink for CalcRecords<'_> {
    fn record(&mut self, row: &mut Row) {
        self.records += 1;
        match self.clock.as_deref_mut() {
            None => self.rows.extend(self.calc.apply(row)),
            Some(clock) => match clock.stamp(row) {
                Stamp::At(time) => self.timed.extend(self.calc.apply(row).map(|out| (time, out))),
                Stamp::NoTime => self.untimed += 1,
            },
        }
    }
}

/// A split that runs the local combiner of the aggregate reading it (see `combiner`): it folds
/// each record, after its chained Calc, into the group table of its time and sends the
/// partials `((key, partials), time, 1)` when the capability moves past that time. Without
/// event time every record of a poll has the capability's time; with it, each record its
/// stamped event time, and a time's groups wait until the watermark passes it, as the
/// combiner operator's would (no row is built per record). What it holds and sends are
/// groups, not records: a time may fold any number of records, the more the fewer partials
/// per record go on to the aggregate.
pub(super) struct SplitPartials {
    calc: Option<SourceCalc>,
    /// The columns read as rows of integers (see [`LocalCombiner::integer_columns`]), while
    /// the reader can; `None` once it cannot, or when the combiner cannot fold them.
    integers: Option<Vec<usize>>,
    combiner: LocalCombiner,
    chunk: RowChunk,
    /// The groups of the capability's time, once it has records.
    groups: Option<GroupTable>,
    /// An event-time split's groups, by the time (ms, in the capability's epoch) of their
    /// records.
    timed: BTreeMap<u64, GroupTable>,
    /// The time of the records in `chunk`, for an event-time split.
    chunk_ms: Option<u64>,
    /// Tables drained, for the groups of later times.
    spare: SpareTables,
}

impl SplitPartials {
    /// The partials of `combiner` over the rows `calc` makes of the records (the records as
    /// read, without).
    pub(super) fn new(calc: Option<SourceCalc>, combiner: LocalCombiner) -> SplitPartials {
        let integers = combiner.integer_columns().filter(|_| calc.is_none());
        SplitPartials { calc, integers, chunk: combiner.chunk(), combiner, groups: None, timed: BTreeMap::new(), chunk_ms: None, spare: SpareTables::default() }
    }

    /// Reads up to `max` records of an event-time split, each folded into the groups of the
    /// time `clock` stamps it with.
    fn read_timed(&mut self, split: &mut dyn SourceReader, max: usize, clock: &mut EventClock, ctx: &JobContext) -> Polled {
        let mut sink = FoldTimedRecords {
            calc: self.calc.as_mut(),
            clock,
            combiner: &self.combiner,
            chunk: &mut self.chunk,
            chunk_ms: &mut self.chunk_ms,
            timed: &mut self.timed,
            spare: &mut self.spare,
            records: 0,
            untimed: 0,
        };
        let outcome = split.poll_records(&mut sink, max);
        let (records, untimed) = (sink.records, sink.untimed);
        sink.fold_chunk();
        if let Some(calc) = self.calc.as_mut() {
            calc.count(&ctx.metrics);
        }
        Polled { outcome, records, untimed }
    }
}

impl SplitOutput for SplitPartials {
    type Item = (Row, Row);

    fn read(&mut self, split: &mut dyn SourceReader, max: usize, clock: Option<&mut EventClock>, ctx: &JobContext) -> Polled {
        if let Some(clock) = clock {
            return self.read_timed(split, max, clock, ctx);
        }
        let groups = self.groups.get_or_insert_with(|| self.spare.take(&self.combiner, None));
        if let Some(columns) = &self.integers {
            let mut sink = FoldIntegers { groups: &mut *groups, records: 0 };
            match split.poll_integers(columns, &mut sink, max) {
                Some(outcome) => return Polled { outcome, records: sink.records, untimed: 0 },
                None => self.integers = None,
            }
        }
        let mut sink = FoldRecords { calc: self.calc.as_mut(), combiner: &self.combiner, chunk: &mut self.chunk, groups, records: 0 };
        let outcome = split.poll_records(&mut sink, max);
        let records = sink.records;
        if let Some(calc) = self.calc.as_mut() {
            calc.count(&ctx.metrics);
        }
        Polled { outcome, records, untimed: 0 }
    }

    fn send(&mut self, _cap: &Capability<Time>, _output: &mut SplitSession<'_, (Row, Row)>) -> u64 {
        0
    }

    fn held(&self) -> u64 {
        self.groups.as_ref().map_or(0, |groups| groups.len() as u64)
    }

    fn flush(&mut self, cap: &Capability<Time>, output: &mut SplitSession<'_, (Row, Row)>, next: Option<&Time>) -> u64 {
        let mut sent = 0;
        if let Some(mut groups) = self.groups.take() {
            if !self.chunk.is_empty() {
                groups.fold(&mut self.chunk);
            }
            sent += send_partials(&mut groups, cap, *cap.time(), output);
            self.spare.keep(groups);
        }
        while let Some(entry) = self.timed.first_entry() {
            let time = with_ms(cap.time(), *entry.key());
            if next.is_some_and(|next| next.less_equal(&time)) {
                break;
            }
            let mut groups = entry.remove();
            sent += send_partials(&mut groups, &cap.delayed(&time), time, output);
            self.spare.keep(groups);
        }
        sent
    }
}

/// Sends the partials of `groups` at `time` (`cap`'s), draining it; returns how many.
fn send_partials(groups: &mut GroupTable, cap: &Capability<Time>, time: Time, output: &mut SplitSession<'_, (Row, Row)>) -> u64 {
    let partials = groups.drain();
    let sent = partials.len() as u64;
    if sent > 0 {
        output.session(cap).give_iterator(partials.into_iter().map(|group| (group, time, 1)));
    }
    sent
}

/// The records of one poll of a split running a local combiner, as rows of integers folded
/// straight into the groups.
struct FoldIntegers<'a> {
    groups: &'a mut GroupTable,
    /// Records read.
    records: usize,
}

impl IntegerSink for FoldIntegers<'_> {
    fn rows(&mut self, rows: &IntegerRows) {
        self.records += rows.len();
        self.groups.fold_integers(rows);
    }
}

/// The records of one poll of a split running a local combiner: each through the chained Calc,
/// if any, then its group key and slot values computed from the row in place and folded.
struct FoldRecords<'a> {
    calc: Option<&'a mut SourceCalc>,
    combiner: &'a LocalCombiner,
    chunk: &'a mut RowChunk,
    groups: &'a mut GroupTable,
    /// Records read.
    records: usize,
}

impl RecordSink for FoldRecords<'_> {
    fn record(&mut self, row: &mut Row) {
        self.records += 1;
        if push_record(self.calc.as_deref_mut(), self.combiner, self.chunk, row) && self.chunk.is_full() {
            self.groups.fold(self.chunk);
        }
    }
}

/// The records of one poll of an event-time split running a local combiner: each stamped by
/// the clock (every record moves the watermark), then, through the chained Calc if any, folded
/// into the groups of its time, a chunk of records of one time at a time.
struct FoldTimedRecords<'a> {
    calc: Option<&'a mut SourceCalc>,
    clock: &'a mut EventClock,
    combiner: &'a LocalCombiner,
    chunk: &'a mut RowChunk,
    chunk_ms: &'a mut Option<u64>,
    timed: &'a mut BTreeMap<u64, GroupTable>,
    spare: &'a mut SpareTables,
    /// Records read.
    records: usize,
    /// Records without an event time (dropped).
    untimed: usize,
}

impl FoldTimedRecords<'_> {
    /// Folds the chunk into the groups of its time.
    fn fold_chunk(&mut self) {
        let Some(ms) = self.chunk_ms.filter(|_| !self.chunk.is_empty()) else { return };
        if let Some(groups) = self.timed.get_mut(&ms) {
            return groups.fold(self.chunk);
        }
        // A new time's table is sized from the groups of the latest one.
        let mut groups = self.spare.take(self.combiner, self.timed.values().next_back());
        groups.fold(self.chunk);
        self.timed.insert(ms, groups);
    }
}

impl RecordSink for FoldTimedRecords<'_> {
    fn record(&mut self, row: &mut Row) {
        self.records += 1;
        let ms = match self.clock.stamp(row) {
            Stamp::At(ms) => ms,
            Stamp::NoTime => {
                self.untimed += 1;
                return;
            }
        };
        if *self.chunk_ms != Some(ms) {
            self.fold_chunk();
            *self.chunk_ms = Some(ms);
        }
        if push_record(self.calc.as_deref_mut(), self.combiner, self.chunk, row) && self.chunk.is_full() {
            self.fold_chunk();
        }
    }
}

/// Appends the key and slot values of the row `calc` makes of `record` (the record itself
/// without a Calc) to `chunk`; false when the Calc drops it.
fn push_record(calc: Option<&mut SourceCalc>, combiner: &LocalCombiner, chunk: &mut RowChunk, record: &mut Row) -> bool {
    match calc {
        None => combiner.push(chunk, record, 1),
        Some(calc) => match calc.apply(record) {
            Some(out) => combiner.push(chunk, &out, 1),
            None => return false,
        },
    }
    true
}
