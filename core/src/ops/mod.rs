//! Operators: one module per plan node kind, each turning input collections of rows into an
//! output collection. Relational operators are differential collections of `(row, time, diff)`,
//! so retractions flow through them; sinks turn the diffs into Flink's changelog.

mod accumulate;
mod accumulate_scalar;
mod aggregate;
mod backpressure;
mod combiner;
mod distinct;
mod filter;
mod flat_map;
mod group_table;
mod hash_aggregate;
mod hash_join;
mod in_order;
mod join;
mod keyed;
mod ordering;
mod over_accumulators;
mod project;
mod sink;
mod slicing;
mod sort;
mod sorted_over;
mod source;
mod source_calc;
mod source_output;
mod time;
mod top_n;
mod union;
mod user_aggregate;
mod watermark;
mod watermark_assigner;
mod window;

pub use aggregate::{GroupBy, aggregate, keyed_aggregate, keyed_distinct, keyed_user_aggregate, tumble_aggregate};
pub use combiner::AggregateInput;
pub use distinct::distinct;
pub use filter::filter;
pub use flat_map::flat_map;
pub use hash_join::{hash_join, symmetric_hash_join};
pub use in_order::{count_in_order, filter_map_in_order, filter_map_in_order_at_frontier};
pub use join::{JoinSpec, join};
pub use keyed::{
    IntervalJoinSpec, OverAggregate, OverSpec, ProcessSpec, SessionAggregateSpec, SlicedAggregateSpec, StreamWindowSpec, UserWindowAggregateSpec,
    WindowAggregateCall, WindowAggregateSpec, WindowJoinSpec, WindowKey, WindowTopNSpec, interval_join, keyed_first_rows, keyed_top_n, over, process,
    session_aggregate, session_windows, sliced_aggregate, stream_join, stream_window, user_window_aggregate, window_aggregate, window_join, window_top_n,
};
pub use ordering::{SortSpec, compare_by};
pub use project::project;
pub use sink::{SinkSpec, changelog, sink};
pub use slicing::Slicing;
pub use sort::sort;
pub use sorted_over::{OffsetSpec, SortedFrame, SortedOverSpec, sorted_over};
pub use source::processing_time;
pub use source::{SourceSpec, source};
pub use source_calc::SourceCalc;
pub use time::{Time, at, frontier_epoch, frontier_meet, frontier_ms, with_ms};
pub use top_n::{Ranking, top_n};
pub use union::union;
pub use user_aggregate::user_aggregate;
pub use watermark::{EventClock, Stamp};
pub use watermark_assigner::{Reclock, assign_watermarks};
pub use window::{LateCounter, TumbleKey, TumbleKeys, close_windows, drop_retractions, window, windows_of};

use differential_dataflow::VecCollection;

use crate::error::RuntimeError;
use crate::expr::{CompiledExpr, EvalError};
use crate::job::JobContext;
use crate::types::{Row, Value};

/// A changing multiset of rows: the edges of a compiled job.
pub type Rows<'s> = VecCollection<'s, Time, Row, isize>;

/// Evaluation of compiled expressions inside an operator, reporting failures to the job.
#[derive(Clone)]
pub struct Evaluator {
    operator: String,
    ctx: JobContext,
}

impl Evaluator {
    /// An evaluator for plan node `operator` of the job `ctx`.
    pub fn new(operator: &str, ctx: &JobContext) -> Evaluator {
        Evaluator { operator: operator.to_string(), ctx: ctx.clone() }
    }

    /// `expr` on `row`; on failure the job fails and `None` is returned (the row is dropped).
    pub fn eval(&self, expr: &CompiledExpr, row: &Row) -> Option<Value> {
        match expr.eval(row) {
            Ok(v) => Some(v),
            Err(e) => {
                self.report(e);
                None
            }
        }
    }

    /// The values of `exprs` on `row` as a row, or `None` after a reported failure.
    pub fn eval_row(&self, exprs: &[CompiledExpr], row: &Row) -> Option<Row> {
        let mut values = Vec::with_capacity(exprs.len());
        for e in exprs {
            values.push(self.eval(e, row)?);
        }
        Some(Row::new(values))
    }

    /// [`Evaluator::eval_row`] for a caller evaluating row after row: the values go through
    /// `computed` (its buffer, reused) and are swapped into a fresh row of NULLs, which
    /// measured faster than collecting them (each value passed through the stack).
    pub fn eval_row_reusing(&self, exprs: &[CompiledExpr], row: &Row, computed: &mut Vec<Value>) -> Option<Row> {
        computed.clear();
        for expr in exprs {
            computed.push(self.eval(expr, row)?);
        }
        let mut made = Row::nulls(computed.len());
        if let Some(values) = made.values_mut() {
            values.swap_with_slice(computed);
        }
        Some(made)
    }

    /// The values of `exprs` on `row`, each NULL where it failed (the failure reported): a
    /// sort key, which must rank every row even while the job is failing.
    pub fn sort_key(&self, exprs: &[CompiledExpr], row: &Row) -> Vec<Value> {
        exprs.iter().map(|e| self.eval(e, row).unwrap_or(Value::Null)).collect()
    }

    /// Fails the job with `error`.
    pub fn report(&self, error: EvalError) {
        self.ctx.fail(RuntimeError::Eval { operator: self.operator.clone(), message: error.message });
    }
}
