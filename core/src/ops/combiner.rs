//! `combiner`: the local phase of a two-phase aggregate (Flink's `LocalGroupAggregate` and
//! `LocalWindowAggregate`): per worker, group and time, the partial aggregates of the rows
//! read, sent on when their time is complete, so that one row per group and time crosses
//! workers instead of every row.
//!
//! It runs in one of two places ([`AggregateInput`]):
//! * its own operator (`LocalAggregate`, [`combine`]) reading a collection of rows, emitting a
//!   time's partials when the input frontier passes it;
//! * chained into the source it reads ([`source_partials`]), as Flink chains the local
//!   aggregate into the source task: each split folds the records it reads, after its chained
//!   Calc, straight from the reader's scratch row into its group table, building no row per
//!   record, and sends a time's partials before its capability moves past that time or it
//!   finishes (an event-time split: each record's time, until the watermark passes it). The
//!   partials are the same either way, so the global phase does not know where they came
//!   from.

use std::collections::BTreeMap;
use std::rc::Rc;

use differential_dataflow::{AsCollection, VecCollection};
use timely::dataflow::Scope;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::Capability;
use timely::dataflow::operators::generic::Operator;

use crate::types::{DataType, Row, Value};

use super::aggregate::{AggregateSlot, SlotSource, eval_slots};
use super::group_table::{GroupTable, RowChunk};
use super::source::{SourceSpec, source, source_partials};
use super::{Evaluator, Rows, Time};

/// Partial aggregates per group key and time: `((key, partials), time, 1)`.
pub type Partials<'s> = VecCollection<'s, Time, (Row, Row), isize>;

/// The rows an aggregate reads: a collection, or a source whose splits it may read itself.
pub enum AggregateInput<'s> {
    /// Rows made by another operator.
    Rows(Rows<'s>),
    /// A source node read by this aggregate alone (through its chained Calc, if any): when the
    /// aggregate has a local phase, the source's splits compute it; else the source is built
    /// as it would be on its own.
    Source(Scope<'s, Time>, Box<SourceSpec>),
}

impl<'s> From<Rows<'s>> for AggregateInput<'s> {
    fn from(rows: Rows<'s>) -> AggregateInput<'s> {
        AggregateInput::Rows(rows)
    }
}

impl<'s> AggregateInput<'s> {
    /// The input as rows (the source built as its own operator).
    pub fn rows(self) -> Rows<'s> {
        match self {
            AggregateInput::Rows(rows) => rows,
            AggregateInput::Source(scope, spec) => source(scope, *spec),
        }
    }

    /// The partials of `combiner` over the input, computed by the source's splits when the
    /// input is a source, else by a `LocalAggregate` operator.
    pub(super) fn combined(self, combiner: LocalCombiner) -> Partials<'s> {
        match self {
            AggregateInput::Rows(rows) => combine(rows, combiner),
            AggregateInput::Source(scope, spec) => source_partials(scope, *spec, combiner),
        }
    }
}

/// Appends a row's group key values to a buffer (see [`LocalCombiner`]).
type KeyOf = dyn Fn(&Row, &mut Vec<Value>) -> Option<()>;

/// What a local phase computes: a record's group key and the values its aggregates absorb,
/// and the aggregates.
#[derive(Clone)]
pub(super) struct LocalCombiner {
    /// Appends a row's group key values (of `key_types`) to a buffer; `None` for a row in no
    /// group (a window row without a time), or after a reported evaluation failure.
    key_of: Rc<KeyOf>,
    key_types: Vec<DataType>,
    sources: Rc<[SlotSource]>,
    /// When every key and every slot value is a plain column of the row: those columns,
    /// copied as they are instead of evaluated (the same values, without an expression call).
    columns: Option<Rc<PlainColumns>>,
    slots: Vec<AggregateSlot>,
    eval: Evaluator,
}

/// The columns of a row that are its group key values and its slot values, in order.
struct PlainColumns {
    keys: Vec<usize>,
    values: Vec<usize>,
}

impl LocalCombiner {
    /// The local phase of `slots` (their values computed by `sources`) per group key `key_of`.
    pub(super) fn new(
        key_of: impl Fn(&Row, &mut Vec<Value>) -> Option<()> + 'static,
        key_types: Vec<DataType>,
        sources: Vec<SlotSource>,
        slots: Vec<AggregateSlot>,
        eval: Evaluator,
    ) -> LocalCombiner {
        LocalCombiner { key_of: Rc::new(key_of), key_types, sources: sources.into(), columns: None, slots, eval }
    }

    /// The same combiner, told that its group key values are the row's columns `keys` (as
    /// `key_of` computes them; `None`: some key is computed): when every slot value is a
    /// plain column too, the combiner copies the columns instead of evaluating anything.
    pub(super) fn reading_columns(mut self, keys: Option<Vec<usize>>) -> LocalCombiner {
        let values: Option<Vec<usize>> = self.sources.iter().map(SlotSource::plain_column).collect();
        self.columns = keys.zip(values).map(|(keys, values)| Rc::new(PlainColumns { keys, values }));
        self
    }

    /// Whether it copies plain columns instead of evaluating (see [`LocalCombiner::reading_columns`]).
    #[cfg(test)]
    pub(super) fn reads_columns(&self) -> bool {
        self.columns.is_some()
    }

    /// The columns of a record that are its group key and slot values, in the order of a
    /// [`RowChunk`]'s, when the combiner can fold them as rows of integers (see
    /// [`GroupTable::fold_integers`]): every one a plain column, the key one INT or BIGINT,
    /// every aggregate a scalar COUNT, integer SUM, MIN or MAX. The source checks that the
    /// columns are integers.
    pub(super) fn integer_columns(&self) -> Option<Vec<usize>> {
        let columns = self.columns.as_ref()?;
        let integer_key = matches!(self.key_types.as_slice(), [DataType::Int | DataType::BigInt]);
        (integer_key && self.table().folds_integers()).then(|| columns.keys.iter().chain(&columns.values).copied().collect())
    }

    /// An empty chunk of rows to fold.
    pub(super) fn chunk(&self) -> RowChunk {
        RowChunk::new(self.key_types.len(), self.sources.len())
    }

    /// An empty table of groups (one per time).
    pub(super) fn table(&self) -> GroupTable {
        GroupTable::new(&self.slots, &self.key_types)
    }

    /// Appends `row`'s group key and slot values to `chunk`, `copies` times; leaves out a row
    /// in no group or whose key or values failed to evaluate (the failure reported).
    #[inline]
    pub(super) fn push(&self, chunk: &mut RowChunk, row: &Row, copies: isize) {
        let (key, values) = chunk.buffers();
        if let Some(columns) = &self.columns {
            key.extend(columns.keys.iter().map(|&c| row.get(c).clone()));
            values.extend(columns.values.iter().map(|&c| row.get(c).clone()));
            chunk.push(copies);
            return;
        }
        if (self.key_of)(row, key).is_none() || eval_slots(&self.sources, row, &self.eval, values).is_none() {
            chunk.discard();
            return;
        }
        chunk.push(copies);
    }
}

/// Drained group tables of one operator instance, kept for the groups of later times: a
/// time's table starts with the slots an earlier one grew to instead of growing again from a
/// few (an event-time input has a table per watermark tick).
#[derive(Default)]
pub(super) struct SpareTables(Vec<GroupTable>);

/// How many drained tables an operator instance keeps: times end one by one as the
/// watermark passes them, so a table drained is mostly taken again before the next one is.
const SPARE_TABLES: usize = 2;

/// The most slots a kept table may have: a larger one (a bounded input's only time) is
/// freed, not held for a time that may never come.
const SPARE_SLOTS: usize = 1 << 16;

impl SpareTables {
    /// An empty table of `combiner`'s groups, a spare one when there is one, else a new one
    /// with room for half as many again as the groups of `latest` (the table of the latest
    /// time: the next time's count varies around it).
    pub(super) fn take(&mut self, combiner: &LocalCombiner, latest: Option<&GroupTable>) -> GroupTable {
        let groups = latest.map_or(0, GroupTable::len);
        self.0.pop().unwrap_or_else(|| GroupTable::for_groups(&combiner.slots, &combiner.key_types, groups.saturating_add(groups / 2)))
    }

    /// Keeps `table`, drained, for a later time (while few are kept and it is not large).
    pub(super) fn keep(&mut self, table: GroupTable) {
        if self.0.len() < SPARE_TABLES && table.len() == 0 && table.slots() <= SPARE_SLOTS {
            self.0.push(table);
        }
    }
}

/// The `LocalAggregate` operator: partial results per group and time of one worker's rows,
/// emitted when the frontier passes the time. Rows are folded into their groups a chunk at a
/// time (see [`GroupTable`]), without building a key row per record.
pub(super) fn combine(input: Rows<'_>, combiner: LocalCombiner) -> Partials<'_> {
    input
        .inner
        .unary_frontier::<timely::container::CapacityContainerBuilder<Vec<((Row, Row), Time, isize)>>, _, _, _>(
            Pipeline,
            "LocalAggregate",
            move |_cap, _info| {
                let mut pending: BTreeMap<Time, (Capability<Time>, GroupTable)> = BTreeMap::new();
                let mut spare = SpareTables::default();
                let mut chunk = combiner.chunk();
                move |(input, frontier), output| {
                    input.for_each(|cap, data| {
                        let mut fold = |time: Time, chunk: &mut RowChunk| {
                            if let Some((_, groups)) = pending.get_mut(&time) {
                                return groups.fold(chunk);
                            }
                            let mut groups = spare.take(&combiner, pending.values().next_back().map(|(_, latest)| latest));
                            groups.fold(chunk);
                            pending.insert(time, (cap.delayed(&time, output.output_index()), groups));
                        };
                        let mut chunk_time = None;
                        for (row, time, diff) in data.drain(..) {
                            if let Some(at) = chunk_time.filter(|at| *at != time || chunk.is_full()) {
                                fold(at, &mut chunk);
                            }
                            chunk_time = Some(time);
                            combiner.push(&mut chunk, &row, diff);
                        }
                        if let Some(at) = chunk_time.filter(|_| !chunk.is_empty()) {
                            fold(at, &mut chunk);
                        }
                    });
                    while let Some((&time, _)) = pending.first_key_value() {
                        if frontier.less_equal(&time) {
                            break;
                        }
                        let Some((_, (cap, mut groups))) = pending.pop_first() else { break };
                        let mut session = output.session(&cap);
                        for group in groups.drain() {
                            session.give((group, time, 1));
                        }
                        spare.keep(groups);
                    }
                }
            },
        )
        .as_collection()
}

#[cfg(test)]
#[path = "combiner_tests.rs"]
mod tests;
