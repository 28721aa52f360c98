//! Window Top-N: the rows numbered `rank_start..=limit` in each partition of each event-time
//! window (Flink's window Top-N ranks by ROW_NUMBER only), emitted once
//! when the watermark reaches the window's last millisecond (`end - 1`, Flink's window Top-N),
//! then forgotten. Rows wait in keyed state under it.

use weir_state::{ListState, StateError};

use crate::expr::CompiledExpr;
use crate::job::JobContext;
use crate::types::{Row, Value};

use super::super::{Evaluator, Rows, SortSpec, compare_by};
use super::{KeyedContext, KeyedLogic, keyed};

/// A window Top-N, ready to run.
pub struct WindowTopNSpec {
    /// Partition keys (including the window bounds).
    pub partition_by: Vec<CompiledExpr>,
    /// Ranking order within a partition.
    pub order_by: Vec<CompiledExpr>,
    /// Direction and NULL placement of each ordering key.
    pub specs: Vec<SortSpec>,
    /// The first row number kept (rankStart, at least 1).
    pub rank_start: u64,
    /// The last row number kept per partition and window (rankEnd).
    pub limit: u64,
    /// Whether the rank (1-based, BIGINT) is appended.
    pub row_number: bool,
    /// `window_end` among the input columns.
    pub end_column: usize,
}

/// The rows numbered `spec.rank_start..=spec.limit` in each partition of each window of `input`.
pub fn window_top_n<'s>(node: &str, index: usize, input: Rows<'s>, spec: WindowTopNSpec, eval: Evaluator, ctx: JobContext) -> Option<Rows<'s>> {
    let logic = WindowTopN {
        order_by: spec.order_by,
        specs: spec.specs,
        rank_start: spec.rank_start,
        limit: spec.limit,
        row_number: spec.row_number,
        end_column: spec.end_column,
        eval: eval.clone(),
        rows: ListState::new("window-top-n"),
    };
    keyed(node, index, vec![(input, spec.partition_by)], logic, eval, ctx)
}

struct WindowTopN {
    order_by: Vec<CompiledExpr>,
    specs: Vec<SortSpec>,
    rank_start: u64,
    limit: u64,
    row_number: bool,
    end_column: usize,
    eval: Evaluator,
    /// A partition's rows by their window's last millisecond (`end - 1`).
    rows: ListState<Row, i64>,
}

impl KeyedLogic for WindowTopN {
    fn on_row(&mut self, cx: &mut KeyedContext<'_>, _input: usize, row: Row) -> Result<(), StateError> {
        let Some(end) = row.get(self.end_column).as_i64() else { return Ok(()) };
        let last = end.saturating_sub(1);
        if cx.is_late_for(last) {
            // Its window's ranking has gone out.
            cx.drop_late();
            return Ok(());
        }
        let key = cx.key().to_vec();
        self.rows.add(cx.store, &key, &last, &row)?;
        // A window aggregate emits its rows at the window's last millisecond: the timer fires
        // once every row at that time has arrived.
        cx.register_timer(last)
    }

    fn on_timer(&mut self, cx: &mut KeyedContext<'_>, last: i64) -> Result<(), StateError> {
        let key = cx.key().to_vec();
        let rows = self.rows.get(cx.store, &key, &last)?;
        self.rows.clear(cx.store, &key, &last)?;
        let mut ranked: Vec<(Vec<Value>, Row)> = rows.into_iter().map(|r| (self.eval.sort_key(&self.order_by, &r), r)).collect();
        // Ties are broken by the whole row, as the regular Top-N does, so results are deterministic.
        ranked.sort_by(|a, b| compare_by(&a.0, &b.0, &self.specs).then_with(|| a.1.cmp(&b.1)));
        for (rank, (_, row)) in (1..=self.limit).zip(ranked) {
            if rank < self.rank_start {
                continue;
            }
            let row = if self.row_number { row.concat(&Row::new(vec![Value::BigInt(rank as i64)])) } else { row };
            cx.emit(row);
        }
        Ok(())
    }
}
