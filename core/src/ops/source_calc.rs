//! `source_calc`: the Calc chained into the source it reads (Flink chains it into the source
//! task). The source evaluates the chain's filters and projections on each record it has just
//! read, in the reader's scratch row ([`RecordSink`](crate::connectors::RecordSink)), and sends
//! only the rows that pass, built once at their final width: a record a filter drops costs no
//! row, and no intermediate row is built and dropped between source and Calc.
//!
//! Each step stays its plan node for everything but the operator: its expressions fail the job
//! naming it, and its output count is its own (a per-poll tally added to the job's metrics).
//! Chains whose expressions read `CURRENT_WATERMARK` are not chained (the planner keeps them
//! as their own operator, which knows the input frontier).

use crate::expr::CompiledExpr;
use crate::job::JobMetrics;
use crate::types::{Row, Value};

use super::Evaluator;

/// One filter or projection of a chain, with the plan node it computes.
#[derive(Clone)]
enum Step {
    /// Keeps rows whose predicate is TRUE.
    Filter { predicate: CompiledExpr },
    /// Computes each output column; `moves[i]` is the input column that output `i` is, when
    /// it is a plain column no other expression of the step reads, which a step reading the
    /// record itself moves out of the reader's scratch row instead of cloning.
    Project { exprs: Vec<CompiledExpr>, moves: Vec<Option<usize>> },
    /// Picks columns by position (cloned: moving them out of the scratch row measured slower,
    /// 1.08x the CPU of Nexmark q0).
    Columns { indices: Vec<usize> },
    /// Every column in its place: the row passes as it is.
    Pass,
}

/// The Filter/Project chain a source computes, in the order its rows pass it.
#[derive(Clone, Default)]
pub struct SourceCalc {
    steps: Vec<(Step, Evaluator)>,
    /// The plan node of each step.
    nodes: Vec<usize>,
    /// Per step, rows it let through since the last [`SourceCalc::count`].
    passed: Vec<u64>,
    /// The values a projection computes, held until its row is built.
    computed: Vec<Value>,
}

impl SourceCalc {
    /// An empty chain (it passes every row).
    pub fn new() -> SourceCalc {
        SourceCalc::default()
    }

    /// Whether the chain has no step.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Appends plan node `node`, a filter keeping rows where `predicate` is TRUE.
    pub fn filter(&mut self, node: usize, predicate: CompiledExpr, eval: Evaluator) {
        self.push(node, Step::Filter { predicate }, eval);
    }

    /// Appends plan node `node`, a projection: the values of `exprs`, or, when `columns` is
    /// given (every expression a plain column), those columns by position; `identity` when
    /// they are every column in its place. `moves` says, per expression, the column it moves
    /// (see `Step::Project`; empty: none).
    pub fn project(&mut self, node: usize, exprs: Vec<CompiledExpr>, columns: Option<Vec<usize>>, identity: bool, moves: Vec<Option<usize>>, eval: Evaluator) {
        let step = match columns {
            _ if identity => Step::Pass,
            Some(indices) => Step::Columns { indices },
            None => Step::Project { exprs, moves },
        };
        self.push(node, step, eval);
    }

    fn push(&mut self, node: usize, step: Step, eval: Evaluator) {
        self.steps.push((step, eval));
        self.nodes.push(node);
        self.passed.push(0);
    }

    /// The row the chain makes of `record` (the reader's scratch row), or `None` when a filter
    /// drops it or an expression failed (the failure reported, naming its node).
    pub fn apply(&mut self, record: &mut Row) -> Option<Row> {
        let mut made: Option<Row> = None;
        for ((step, eval), passed) in self.steps.iter().zip(self.passed.iter_mut()) {
            let current = made.as_ref().unwrap_or(record);
            match step {
                Step::Filter { predicate } => {
                    if !matches!(eval.eval(predicate, current), Some(Value::Boolean(true))) {
                        return None;
                    }
                }
                Step::Project { exprs, moves } if made.is_none() && moves.iter().any(Option::is_some) => {
                    evaluate_computed(exprs, moves, record, eval, &mut self.computed)?;
                    made = Some(project_moving(moves, record, &mut self.computed));
                }
                Step::Project { exprs, .. } => {
                    let row = eval.eval_row_reusing(exprs, current, &mut self.computed)?;
                    made = Some(row);
                }
                Step::Columns { indices } => {
                    let row = current.project(indices);
                    made = Some(row);
                }
                Step::Pass => {}
            }
            *passed += 1;
        }
        // Filters only: the record itself, which the reader then stops overwriting.
        Some(made.unwrap_or_else(|| record.clone()))
    }

    /// Adds each step's rows since the last call to its node's output count.
    pub fn count(&mut self, metrics: &JobMetrics) {
        for (&node, passed) in self.nodes.iter().zip(self.passed.iter_mut()) {
            if *passed > 0 {
                metrics.add_out(node, std::mem::take(passed));
            }
        }
    }
}

/// Evaluates the expressions of `exprs` that `moves` does not move, in order, into `computed`;
/// `None` after a reported failure.
fn evaluate_computed(exprs: &[CompiledExpr], moves: &[Option<usize>], record: &Row, eval: &Evaluator, computed: &mut Vec<Value>) -> Option<()> {
    computed.clear();
    for (expr, moved) in exprs.iter().zip(moves) {
        if moved.is_none() {
            computed.push(eval.eval(expr, record)?);
        }
    }
    Some(())
}

/// The row of a projection over the reader's `record` and the `computed` values of the
/// columns `moves` does not move: the moved columns taken out of the record (cloned when it is
/// shared). The values are swapped into a fresh row of NULLs, leaving NULLs behind: building
/// the row from an iterator of values measured slower, as each value passed through the stack.
fn project_moving(moves: &[Option<usize>], record: &mut Row, computed: &mut [Value]) -> Row {
    let mut made = Row::nulls(moves.len());
    let Some(out) = made.values_mut() else { return made };
    let mut computed = computed.iter_mut();
    match record.values_mut() {
        Some(columns) => {
            for (slot, moved) in out.iter_mut().zip(moves) {
                let value = match moved {
                    Some(c) => columns.get_mut(*c),
                    None => computed.next(),
                };
                if let Some(value) = value {
                    std::mem::swap(slot, value);
                }
            }
        }
        None => {
            for (slot, moved) in out.iter_mut().zip(moves) {
                match moved {
                    Some(c) => *slot = record.get(*c).clone(),
                    None => {
                        if let Some(value) = computed.next() {
                            std::mem::swap(slot, value);
                        }
                    }
                }
            }
        }
    }
    made
}
