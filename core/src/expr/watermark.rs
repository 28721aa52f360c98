//! `CURRENT_WATERMARK(rowtime)`: the event-time watermark at the operator evaluating the
//! expression, as Flink defines it — the last watermark the operator has received on its
//! input (the least over its upstream channels), NULL while none has been, of the rowtime's
//! type. Only a Calc (a projection or filter) evaluates it, and only over a rowtime attribute
//! (the column a WATERMARK was declared for, passed on unchanged).
//!
//! Weir carries event time as the dataflow time (see `ops::time`): an operator's input
//! frontier `f` is Flink's watermark plus one, and a row's time is at or before its event time
//! unless it arrived behind its source's watermark (late), when it is sent *at* that frontier
//! (`ops::watermark`). The operator hands each row's time `t` and its input frontier to a
//! [`RowClock`]; the watermark the row sees is then:
//!
//! * `t - 1` for a row that arrived late (`ts < t`): the watermark it arrived behind. In Flink
//!   that watermark went down the channel before the row, so the operator had it when the row
//!   came; Weir's keyed event-time operators (OVER, windows) likewise drop such a row as late
//!   by its time alone (`KeyedContext::is_late_for`).
//! * `min(f, t) - 1` for any other row: the watermark the operator has received. The frontier
//!   cannot pass a row not yet processed, so `f <= t <= ts` and the row is on time
//!   (`ts > CURRENT_WATERMARK(ts)`).
//!
//! So `ts <= CURRENT_WATERMARK(ts)` holds exactly for the rows an OVER aggregate drops as
//! late, whatever the batching and tick. The value for an on-time row depends on how far the
//! frontier has come when the operator gets to it, as Flink's depends on when its periodic
//! watermarks were emitted: progress and rows are not ordered in one channel in timely, so it
//! may already reflect rows its source read in the same batch after it (never reaching the
//! row's own event time). Why not the row's time alone: an on-time row is sent at its event
//! time (rounded down to the tick), which is not a watermark at all. A
//! frontier of 0 means no watermark yet (NULL); in batch mode every row is at time 0, so the
//! function is NULL there, as in Flink, which has no watermarks in batch mode.
//!
//! Expressions that do not call it pay nothing: the binder marks the call
//! ([`super::BoundExpr::reads_watermark`]) and only then does the Calc compile the expression
//! against a [`RowClock`] and tell it each row's time.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::types::{DataType, Value};

use super::bound::{BoundExpr, Kernel};
use super::error::{EvalError, ExprError};
use super::functions::{CallSite, FunctionDef};

/// The function's name, as the binder and EXPLAIN spell it.
pub(crate) const CURRENT_WATERMARK: &str = "CURRENT_WATERMARK";

/// The watermark functions.
pub(crate) const FUNCTIONS: &[FunctionDef] = &[FunctionDef { names: &[CURRENT_WATERMARK], signature: "(rowtime attribute)", bind: bind_current_watermark }];

/// Where an expression is bound, as far as `CURRENT_WATERMARK` is concerned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WatermarkScope {
    /// Not in a Calc (a projection or filter): `CURRENT_WATERMARK` is rejected.
    #[default]
    Unavailable,
    /// In a Calc whose input rows have this rowtime attribute (`None`: they have none, e.g.
    /// a table without a WATERMARK, or a processing-time attribute).
    Calc {
        /// The input column holding the event time the watermark was declared for.
        rowtime: Option<usize>,
    },
}

/// What an operator tells the expressions it evaluates about the row at hand: the row's
/// dataflow time and the operator's input frontier, in milliseconds. One per operator instance
/// (a worker's copy of a Calc): it is set before each row is evaluated, on that worker's
/// thread, so the atomics never contend.
#[derive(Clone, Debug, Default)]
pub struct RowClock(Arc<[AtomicU64; 2]>);

impl RowClock {
    /// A clock for one operator instance.
    pub fn new() -> RowClock {
        RowClock::default()
    }

    /// The next row evaluated has dataflow time `row_ms`; the operator's input frontier is at
    /// `frontier_ms` (`None`: the input has ended).
    pub fn set(&self, row_ms: u64, frontier_ms: Option<u64>) {
        self.0[0].store(row_ms, Ordering::Relaxed);
        self.0[1].store(frontier_ms.unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// The watermark a row with event time `event_ms` sees, plus one (0: none yet). See the
    /// module documentation.
    fn frontier_for(&self, event_ms: Option<i64>) -> u64 {
        let row = self.0[0].load(Ordering::Relaxed);
        let frontier = self.0[1].load(Ordering::Relaxed);
        let late = event_ms.is_some_and(|ts| i128::from(ts) < i128::from(row));
        if late { row } else { frontier.min(row) }
    }

    /// `CURRENT_WATERMARK` of a row with event time `event`, of type `data_type`.
    pub(crate) fn watermark(&self, event: &Value, data_type: DataType) -> Value {
        match self.frontier_for(event.as_i64()) {
            0 => Value::Null,
            next => {
                let ms = i64::try_from(next - 1).unwrap_or(i64::MAX);
                if data_type == DataType::TimestampLtz { Value::TimestampLtz(ms) } else { Value::Timestamp(ms) }
            }
        }
    }
}

/// The error of a `CURRENT_WATERMARK` compiled without a clock: the binder only allows it in a
/// Calc, which always passes one.
pub(crate) fn no_clock() -> EvalError {
    EvalError::new("internal error: CURRENT_WATERMARK evaluated outside a Calc")
}

/// `CURRENT_WATERMARK(rowtime)`: only in a Calc, over its input's rowtime attribute.
fn bind_current_watermark(site: CallSite) -> Result<BoundExpr, ExprError> {
    let rowtime = match site.ctx.watermark {
        WatermarkScope::Unavailable => {
            return Err(ExprError::new("", "CURRENT_WATERMARK can only be used in a projection or filter (the SELECT list or WHERE of a query)"));
        }
        WatermarkScope::Calc { rowtime } => rowtime,
    };
    let [arg] = <[BoundExpr; 1]>::try_from(site.args)
        .map_err(|args| ExprError::new("", format!("function CURRENT_WATERMARK expects one argument, a rowtime attribute; got {}", args.len())))?;
    let column = arg.as_column();
    if column.is_none() || column != rowtime {
        let why = match rowtime {
            None => "the input has no rowtime attribute (declare a WATERMARK for an event-time column)".to_string(),
            Some(_) if column.is_none() => "the argument must be the rowtime attribute itself, not an expression".to_string(),
            Some(_) => "it is not the input's rowtime attribute (the column its WATERMARK is declared for)".to_string(),
        };
        return Err(ExprError::new("args[0]", format!("CURRENT_WATERMARK needs a rowtime attribute: {why}")));
    }
    let data_type = arg.data_type();
    let call = BoundExpr::call(CURRENT_WATERMARK, vec![arg], Kernel::Watermark(data_type), data_type, true);
    Ok(call.non_deterministic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(clock: &RowClock, row_ms: u64, frontier: Option<u64>, ts: i64) -> Value {
        clock.set(row_ms, frontier);
        clock.watermark(&Value::Timestamp(ts), DataType::Timestamp)
    }

    #[test]
    fn an_on_time_row_sees_the_input_frontier_minus_one() {
        let clock = RowClock::new();
        assert_eq!(at(&clock, 5_000, Some(4_051), 5_050), Value::Timestamp(4_050), "Flink's watermark is the frontier minus one");
        assert_eq!(at(&clock, 4_051, Some(4_051), 4_051), Value::Timestamp(4_050), "ts = W + 1 is on time");
        assert_eq!(at(&clock, 5_000, None, 5_050), Value::Timestamp(4_999), "never past the row's own time");
    }

    #[test]
    fn a_late_row_sees_the_watermark_it_arrived_behind() {
        let clock = RowClock::new();
        // Sent at the source's frontier 4 051 (Flink's watermark 4 050) though the operator's
        // input frontier is still behind it.
        assert_eq!(at(&clock, 4_051, Some(3_000), 4_050), Value::Timestamp(4_050), "ts = W is late");
        assert_eq!(at(&clock, 4_051, Some(3_000), -7), Value::Timestamp(4_050), "before 1970: late");
    }

    #[test]
    fn no_watermark_yet_and_batch_mode_give_null() {
        let clock = RowClock::new();
        assert_eq!(at(&clock, 0, Some(0), 1_000), Value::Null, "frontier 0: nothing emitted yet");
        assert_eq!(at(&clock, 0, None, 1_000), Value::Null, "batch: every row at time 0");
        assert_eq!(at(&clock, 0, Some(0), -5), Value::Null, "batch: rows before 1970 too");
    }

    #[test]
    fn the_value_has_the_rowtime_type() {
        let clock = RowClock::new();
        clock.set(10, Some(10));
        assert_eq!(clock.watermark(&Value::TimestampLtz(20), DataType::TimestampLtz), Value::TimestampLtz(9));
    }
}
