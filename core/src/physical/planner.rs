//! Choosing the operator of every node: the one place that looks at the run mode, event time,
//! user aggregates and fusion to decide what runs; and the checks that depend on them.

use crate::connectors::SinkWriters;
use crate::error::{PlanError, SpecPath};
use crate::plan::{BoundOffset, JoinType, PlanNode, PlanOp, RankType, RuntimeMode, StateBackendSetting, ValidatedPlan, WindowKind};

use super::fusion::fused_window_aggregate;
use super::operator::Operator;

/// The operator of every node of `plan` in `mode`, in node order; fails, naming the node's
/// place in the spec, when a node cannot run in `mode` (an event-time operator without event
/// time in streaming mode).
pub(super) fn choose_operators(plan: &ValidatedPlan, mode: RuntimeMode) -> Result<Vec<Operator>, PlanError> {
    let durable = durable_state(plan);
    let mut operators = plan.nodes.iter().map(|node| choose(node, mode, durable, inputs_insert_only(plan, node))).collect::<Result<Vec<_>, _>>()?;
    for node in &plan.nodes {
        if let Some((window, operator)) = fused_window_aggregate(plan, node, mode) {
            operators[node.index] = operator;
            operators[window] = Operator::Fused { into: node.index };
        }
    }
    super::chain::chain_calcs(plan, &mut operators);
    Ok(operators)
}

/// Whether the job's state must be checkpointed (or restored), may outgrow memory, or must
/// expire (`table.exec.state.ttl`): then every stateful operator keeps it in the keyed state
/// backend.
fn durable_state(plan: &ValidatedPlan) -> bool {
    let config = &plan.config;
    config.checkpointing.is_some() || config.restore_from.is_some() || config.state_backend != StateBackendSetting::Memory || config.state_ttl_ms.is_some()
}

/// Whether the node's own time-to-live (a `STATE_TTL` hint) makes some of its state expire.
fn expires(node: &PlanNode) -> bool {
    (0..node.inputs.len()).any(|input| node.state_ttl_ms(input, None).is_some())
}

/// Whether every input of `node` only inserts rows.
pub(super) fn inputs_insert_only(plan: &ValidatedPlan, node: &PlanNode) -> bool {
    node.inputs.iter().all(|&i| plan.nodes.get(i).is_some_and(|n| n.append_only))
}

fn choose(node: &PlanNode, mode: RuntimeMode, durable: bool, inputs_insert_only: bool) -> Result<Operator, PlanError> {
    let streaming = mode == RuntimeMode::Streaming;
    Ok(match &node.op {
        PlanOp::Source { .. } => Operator::TableSourceScan,
        PlanOp::Filter { .. } | PlanOp::Project { .. } => Operator::Calc,
        PlanOp::FlatMap { .. } => Operator::Correlate,
        PlanOp::Window { window, .. } if window.kind == WindowKind::Session => {
            requires_event_time(node, mode, "SESSION windows", "time_column", node.time.window.is_some_and(|w| w.event_time))?;
            Operator::SessionWindowTableFunction
        }
        PlanOp::Window { .. } => Operator::WindowTableFunction,
        PlanOp::Over { event_time, .. } => {
            requires_event_time(node, mode, "OVER aggregates", "order_by", *event_time)?;
            Operator::OverAggregate
        }
        PlanOp::SortedOver { offsets, ranks, .. } if streaming => return Err(streaming_sorted_over(node, offsets, ranks)),
        PlanOp::SortedOver { .. } => Operator::SortedOverAggregate,
        PlanOp::IntervalJoin { event_time, .. } => {
            requires_event_time(node, mode, "interval joins", "left_time", *event_time)?;
            Operator::IntervalJoin
        }
        // Streaming event-time windows close with the watermark, on keyed state. Batch windows
        // stay off keyed state (aggregates and Top-N on differential arrangements, joins as a
        // `HashJoin` on the window columns): the keyed
        // operators, run with one final watermark, were measured 1.5-3.5x slower with 2-10x
        // the memory there (benches/README.md, "Window operators in batch mode").
        PlanOp::Aggregate { user_aggregates, window: Some(w), .. } if w.event_time && streaming => {
            if user_aggregates.is_empty() {
                Operator::WindowAggregate
            } else if durable {
                // With user aggregates: on keyed state (their arguments buffered per window,
                // one call per group when it fires) only when the job's state must be
                // checkpointed, may outgrow memory or expires; else by dropping the rows of
                // closed windows around the arrangement's group aggregate of live Python
                // objects, which was 2x faster with ~10k one-row groups per window (one call
                // per time for all of them), though 0.6x with 100 groups of 100 rows
                // (benches/README.md, "Python window aggregates on keyed state").
                Operator::PythonGroupWindowAggregate
            } else {
                Operator::ArrangedPythonGroupWindowAggregate
            }
        }
        // User (Python) aggregates run on keyed state, their accumulators pickled there, only in
        // streaming jobs whose state must be checkpointed, may outgrow memory or expires: the
        // arrangement, which keeps live Python objects, was 1.5x faster with 100k groups (the
        // keyed operator unpickles and pickles every group a time touches), though 0.6x with
        // 1k (benches/README.md, "Python group aggregates on keyed state").
        PlanOp::Aggregate { user_aggregates, .. } if !user_aggregates.is_empty() => {
            if streaming && (durable || expires(node)) {
                Operator::PythonGroupAggregate
            } else {
                Operator::ArrangedPythonGroupAggregate
            }
        }
        PlanOp::Aggregate { .. } => {
            if streaming {
                Operator::GroupAggregate
            } else {
                // In batch the arrangement aggregate ties the keyed one over few groups and is
                // 1.2x faster over millions (benches/README.md, "Batch GROUP BY").
                Operator::BatchGroupAggregate
            }
        }
        PlanOp::Join { window: Some(_), .. } if streaming => Operator::WindowJoin,
        // A regular join on differential arrangements is 3.5x faster than on keyed state
        // (benches/README.md, "Streaming joins on keyed state"), which only a job whose
        // state must be checkpointed, may outgrow memory or expires (a STATE_TTL hint) needs.
        PlanOp::Join { .. } if streaming && (durable || expires(node)) => Operator::Join,
        // Batch inner joins hash the smaller input and stream the other through it, sorting
        // neither (benches/README.md, "Hash join in batch mode"); outer joins, whose unmatched
        // rows need consolidated multiplicities, stay on arrangements.
        PlanOp::Join { join_type: JoinType::Inner, .. } if !streaming => Operator::HashJoin,
        // A streaming inner join of insert-only inputs keeps their rows in hash tables and
        // joins each arriving row at once: no sorting, no merging of batches, each row held
        // once (benches/README.md, "Streaming inner joins of insert-only inputs on hash tables").
        PlanOp::Join { join_type: JoinType::Inner, .. } if inputs_insert_only => Operator::SymmetricHashJoin,
        PlanOp::Join { .. } => Operator::ArrangedJoin,
        PlanOp::Distinct if streaming => Operator::Distinct,
        PlanOp::Distinct => Operator::BatchDistinct,
        PlanOp::Union { .. } => Operator::Union,
        PlanOp::TopN { rank_type, window_end, .. } if streaming && *rank_type != RankType::RowNumber => {
            return Err(streaming_rank(node, *rank_type, window_end.is_some()));
        }
        PlanOp::TopN { window_end: Some(_), .. } if streaming => Operator::WindowRank,
        // Top-N and deduplication run on keyed state in both modes: in streaming as fast as the
        // arrangement over append-only input, 0.80x its wall time over retracting input and
        // 0.74x for deduplication, with less memory; in batch within 2-6% of it either way
        // (benches/README.md, "Top-N and deduplication"). A window Top-N in batch keeps the
        // arrangement (above: 1.5x faster there).
        PlanOp::TopN { window_end: Some(_), .. } => Operator::ArrangedRank,
        PlanOp::TopN { .. } => Operator::Rank,
        PlanOp::Deduplicate { .. } => Operator::Deduplicate,
        PlanOp::Sort { .. } => Operator::Sort,
        PlanOp::Watermark { .. } => Operator::WatermarkAssigner,
        PlanOp::Process { event_time, .. } => Operator::KeyedProcess { event_time: *event_time && streaming },
        PlanOp::StreamWindow { event_time, .. } => Operator::WindowOperator { event_time: *event_time && streaming },
        // Nothing to write: the sink only has to see all of its input, on every worker.
        PlanOp::Sink { sink, .. } if sink.writers() == SinkWriters::None => Operator::DiscardSink,
        PlanOp::Sink { .. } => Operator::Sink,
    })
}

/// With checkpoints on, every stateful operator must keep its state where a checkpoint can
/// take it: in the keyed state backend. Differential arrangements and operators' own buffers
/// cannot be captured yet, so such a job is refused before it starts rather than restored
/// wrong.
pub(super) fn check_checkpointable(plan: &ValidatedPlan, nodes: &[super::PhysicalNode]) -> Result<(), PlanError> {
    use super::state::StateStore;
    for (node, phys) in plan.nodes.iter().zip(nodes) {
        let Some(state) = phys.state.as_ref() else { continue };
        if phys.operator == Operator::Sink || matches!(state.store, StateStore::KeyedMemory | StateStore::KeyedRocksDb) {
            continue;
        }
        let path = SpecPath::default().field("nodes").index(node.index);
        return Err(PlanError::new(
            &path,
            format!(
                "checkpointing (execution.checkpointing.interval) does not support {} in streaming mode yet (\"{}\": its state, {}, cannot be checkpointed); turn checkpointing off or run in batch mode",
                phys.operator.name(),
                node.id,
                state
            ),
        ));
    }
    Ok(())
}

/// In streaming mode, keyed event-time operators order and expire rows by the watermark, so
/// their time columns must be event-time columns.
fn requires_event_time(node: &PlanNode, mode: RuntimeMode, what: &str, field: &str, event_time: bool) -> Result<(), PlanError> {
    if mode == RuntimeMode::Batch || event_time {
        return Ok(());
    }
    let path = SpecPath::default().field("nodes").index(node.index).field(field);
    Err(PlanError::new(
        &path,
        format!("{what} in streaming mode need an event-time column (\"{}\": declare a watermark on the source, or run in batch mode)", node.id),
    ))
}

/// Flink ranks streams by row number only: its streaming Rank and WindowRank reject `RANK()`
/// and `DENSE_RANK()` with these messages.
fn streaming_rank(node: &PlanNode, rank_type: RankType, window: bool) -> PlanError {
    let path = SpecPath::default().field("nodes").index(node.index).field("rank_type");
    let name = rank_type.sql_name();
    let message = if window {
        format!("{name}() function is not supported on Window TopN currently, only ROW_NUMBER() is supported (\"{}\"; run in batch mode)", node.id)
    } else {
        format!("{name}() on streaming table is not supported currently (\"{}\": use ROW_NUMBER(), or run in batch mode)", node.id)
    };
    PlanError::new(&path, message)
}

/// Flink's streaming OVER orders by a time attribute and has no LEAD (these are its messages);
/// it numbers rows only to filter them (Top-N).
fn streaming_sorted_over(node: &PlanNode, offsets: &[BoundOffset], ranks: &[RankType]) -> PlanError {
    let path = SpecPath::default().field("nodes").index(node.index);
    let numbering;
    let message = if offsets.iter().any(|o| o.lead) {
        "LEAD Function is not supported in stream mode."
    } else if let Some(rank) = ranks.first() {
        let name = rank.sql_name();
        numbering = format!(
            "{name}() as a column needs batch mode; in streaming mode number rows only to filter them, the Top-N pattern `SELECT * FROM (SELECT .., {name}() OVER (..) AS rn FROM t) WHERE rn <= N`"
        );
        &numbering
    } else {
        "OVER windows' ordering in stream mode must be defined on a time attribute (one ascending event-time column); run in batch mode for any ORDER BY or none"
    };
    PlanError::new(&path, format!("{message} (\"{}\")", node.id))
}
