//! Property tests: feeding an operator a random sequence of insertions and retractions over
//! many epochs ends in the same result as computing it from scratch on the final input.

use std::sync::{Arc, Mutex};

use differential_dataflow::AsCollection;
use proptest::prelude::*;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::operators::core::UnorderedInput;
use timely::dataflow::operators::probe::Handle as ProbeHandle;

use weir_core::connectors::SinkContext;
use weir_core::expr::{BindContext, Expr, bind};
use weir_core::job::{CancelToken, JobContext, JobMetrics};
use weir_core::ops::{self, Evaluator, JoinSpec, Ranking, Rows, SortSpec};
use weir_core::plan::{AggregateFunction, BoundAggregate, BoundUserAggregate, JoinType, RankType, RuntimeMode};
use weir_core::types::{DataType, Field, Row, Schema, Value};

mod common;
use common::UserSum;

/// An operator under test: builds its output from one or two input collections.
type Build = for<'s> fn(Rows<'s>, Rows<'s>, Evaluator) -> Rows<'s>;

fn schema() -> Schema {
    Schema::new(vec![Field::new("k", DataType::BigInt), Field::new("v", DataType::BigInt)])
}

fn col(name: &str) -> weir_core::expr::CompiledExpr {
    bind(&Expr::col(name), &schema(), &BindContext::default()).map(|e| e.compile()).expect("column binds")
}

fn context() -> JobContext {
    JobContext::new(RuntimeMode::Streaming, CancelToken::new(), Arc::new(JobMetrics::default()), SinkContext::default(), 1)
}

fn row(k: i64, v: Option<i64>) -> Row {
    Row::new(vec![Value::BigInt(k), v.map(Value::BigInt).unwrap_or(Value::Null)])
}

/// Runs `build` over `epochs` of (input side, row, diff) changes on `workers` workers and
/// returns the consolidated final output.
fn run(build: Build, epochs: Vec<Vec<(bool, Row, isize)>>, workers: usize) -> Vec<(Row, isize)> {
    let out: Arc<Mutex<Vec<(Row, isize)>>> = Arc::default();
    let sink = out.clone();
    let epochs = Arc::new(epochs);
    timely::execute(timely::Config::process(workers), move |worker| {
        let probe = ProbeHandle::new();
        let sink = sink.clone();
        let ctx = context();
        let ((mut left, mut left_cap), (mut right, mut right_cap)) = worker.dataflow::<ops::Time, _, _>(|scope| {
            let (left_in, left) = scope.new_unordered_input::<CapacityContainerBuilder<Vec<(Row, ops::Time, isize)>>>();
            let (right_in, right) = scope.new_unordered_input::<CapacityContainerBuilder<Vec<(Row, ops::Time, isize)>>>();
            build(left.as_collection(), right.as_collection(), Evaluator::new("op", &ctx))
                .inspect(move |(row, _t, diff)| sink.lock().expect("sink lock").push((row.clone(), *diff)))
                .probe_with(&probe);
            (left_in, right_in)
        });
        for (epoch, changes) in epochs.iter().enumerate() {
            if worker.index() == 0 {
                for (is_left, row, diff) in changes {
                    let (input, cap) = if *is_left { (&mut left, &left_cap) } else { (&mut right, &right_cap) };
                    input.activate().session(cap).give((row.clone(), *cap.time(), *diff));
                }
            }
            let next = ops::at(0, epoch as u64 + 1);
            left_cap = left_cap.delayed(&next);
            right_cap = right_cap.delayed(&next);
            worker.step_while(|| probe.less_than(&next));
        }
    })
    .expect("timely runs");
    let mut result = out.lock().expect("out lock").clone();
    differential_dataflow::consolidation::consolidate(&mut result);
    result
}

/// Random changes that never retract more copies of a row than are present.
fn changes() -> impl Strategy<Value = Vec<Vec<(bool, Row, isize)>>> {
    let change = (any::<bool>(), 0i64..4, prop::option::weighted(0.9, 0i64..6), any::<bool>());
    prop::collection::vec(prop::collection::vec(change, 0..8), 1..6).prop_map(|epochs| {
        let mut present: Vec<(bool, Row)> = Vec::new();
        epochs
            .into_iter()
            .map(|epoch| {
                epoch
                    .into_iter()
                    .map(|(side, k, v, retract)| {
                        let r = row(k, v);
                        match present.iter().position(|(s, p)| *s == side && *p == r) {
                            Some(i) if retract => {
                                present.swap_remove(i);
                                (side, r, -1)
                            }
                            _ => {
                                present.push((side, r.clone()));
                                (side, r, 1)
                            }
                        }
                    })
                    .collect()
            })
            .collect()
    })
}

/// The final input as a single epoch.
fn from_scratch(epochs: &[Vec<(bool, Row, isize)>]) -> Vec<Vec<(bool, Row, isize)>> {
    vec![epochs.iter().flatten().cloned().collect()]
}

fn aggregate_op<'s>(left: Rows<'s>, _right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    let arg = bind(&Expr::col("v"), &schema(), &BindContext::default()).ok();
    let aggs: Vec<BoundAggregate> = [AggregateFunction::Count, AggregateFunction::Sum, AggregateFunction::Min, AggregateFunction::Max, AggregateFunction::Avg]
        .into_iter()
        .map(|function| BoundAggregate { function, arg: arg.clone(), distinct: false, filter: None, output_type: DataType::BigInt })
        .collect();
    ops::aggregate(left, vec![col("k")], vec![DataType::BigInt], &aggs, None, false, eval)
}

fn builtins() -> Vec<BoundAggregate> {
    let arg = bind(&Expr::col("v"), &schema(), &BindContext::default()).ok();
    let mut aggs: Vec<BoundAggregate> =
        [AggregateFunction::Count, AggregateFunction::Sum, AggregateFunction::Min, AggregateFunction::Max, AggregateFunction::Avg]
            .into_iter()
            .map(|function| BoundAggregate { function, arg: arg.clone(), distinct: false, filter: None, output_type: DataType::BigInt })
            .collect();
    aggs.push(BoundAggregate { function: AggregateFunction::Count, arg, distinct: true, filter: None, output_type: DataType::BigInt });
    aggs
}

/// The built-in aggregates and a user SUM, in the user-aggregate operator.
fn user_aggregate_op<'s>(left: Rows<'s>, _right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    let arg = bind(&Expr::col("v"), &schema(), &BindContext::default()).expect("binds");
    let user = vec![BoundUserAggregate { function: Arc::new(UserSum), args: vec![arg], output_type: DataType::BigInt }];
    ops::user_aggregate(left, vec![col("k")], &builtins(), &user, None, eval)
}

/// The built-in aggregates and a user SUM on keyed state (the streaming operator).
fn keyed_user_aggregate_op<'s>(left: Rows<'s>, _right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    let arg = bind(&Expr::col("v"), &schema(), &BindContext::default()).expect("binds");
    let user = vec![BoundUserAggregate { function: Arc::new(UserSum), args: vec![arg], output_type: DataType::BigInt }];
    ops::keyed_user_aggregate("op", 0, left, vec![col("k")], &builtins(), &user, false, eval, context())
}

/// The same columns from the built-in operator, with SUM in the user SUM's place.
fn builtin_aggregate_op<'s>(left: Rows<'s>, _right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    let mut aggs = builtins();
    aggs.push(aggs[1].clone());
    ops::aggregate(left, vec![col("k")], vec![DataType::BigInt], &aggs, None, false, eval)
}

fn join_op<'s>(left: Rows<'s>, right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    let spec = JoinSpec {
        join_type: JoinType::Full,
        left_keys: vec![col("k")],
        right_keys: vec![col("k")],
        condition: None,
        left_width: 2,
        right_width: 2,
        state_ttl: [None, None],
    };
    ops::join(left, right, spec, eval)
}

/// `l.v < r.v` over a joined (k, v, k, v) row.
fn smaller_left_value() -> weir_core::expr::CompiledExpr {
    let joined = Schema::new(vec![
        Field::new("k", DataType::BigInt),
        Field::new("v", DataType::BigInt),
        Field::new("k2", DataType::BigInt),
        Field::new("v2", DataType::BigInt),
    ]);
    let expr = Expr::call("<", vec![Expr::col("v"), Expr::col("v2")]);
    bind(&expr, &joined, &BindContext::default()).map(|e| e.compile()).expect("condition binds")
}

/// A join of `join_type` on `k`, with `l.v < r.v` as its residual condition or without; or,
/// for `Shape::TwoKeys`, on both `k` and `v`.
fn join_spec(join_type: JoinType, shape: Shape) -> JoinSpec {
    let keys = || if shape == Shape::TwoKeys { vec![col("k"), col("v")] } else { vec![col("k")] };
    let condition = (shape == Shape::Condition).then(smaller_left_value);
    JoinSpec { join_type, left_keys: keys(), right_keys: keys(), condition, left_width: 2, right_width: 2, state_ttl: [None, None] }
}

/// The joins each join type is tried as.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// On `k`.
    OneKey,
    /// On `k`, with a residual condition.
    Condition,
    /// On `k` and `v`.
    TwoKeys,
}

/// Every join type, in each [`Shape`], on differential arrangements...
fn arranged_joins<'s>(left: Rows<'s>, right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    joins(left, right, eval, |l, r, spec, eval| ops::join(l, r, spec, eval))
}

/// ... and on the streaming join's keyed state.
fn keyed_joins<'s>(left: Rows<'s>, right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    joins(left, right, eval, |l, r, spec, eval| ops::stream_join("op", 0, l, r, spec, eval, context()))
}

/// ... and with a time-to-live on the right side only (a `STATE_TTL` hint), which keeps the
/// right rows in a state of their own; a day never passes here, so nothing expires.
fn keyed_joins_right_ttl<'s>(left: Rows<'s>, right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    joins(left, right, eval, |l, r, spec, eval| {
        let spec = JoinSpec { state_ttl: [None, Some(std::time::Duration::from_secs(86_400))], ..spec };
        ops::stream_join("op", 0, l, r, spec, eval, context())
    })
}

/// The inner joins, in each [`Shape`], on differential arrangements...
fn arranged_inner_joins<'s>(left: Rows<'s>, right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    inner_joins(left, right, eval, |l, r, spec, eval| ops::join(l, r, spec, eval))
}

/// ... and on the streaming join's hash tables.
fn symmetric_hash_joins<'s>(left: Rows<'s>, right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    inner_joins(left, right, eval, |l, r, spec, eval| ops::symmetric_hash_join(l, r, spec, eval))
}

/// The twelve joins' rows (four types, three [`Shape`]s), each tagged with its join (a leading
/// column) and concatenated.
fn joins<'s>(left: Rows<'s>, right: Rows<'s>, eval: Evaluator, join: impl Fn(Rows<'s>, Rows<'s>, JoinSpec, Evaluator) -> Rows<'s>) -> Rows<'s> {
    joins_of(&[JoinType::Inner, JoinType::Left, JoinType::Right, JoinType::Full], left, right, eval, join)
}

/// The inner joins' rows (one per [`Shape`]), tagged as [`joins`] tags them.
fn inner_joins<'s>(left: Rows<'s>, right: Rows<'s>, eval: Evaluator, join: impl Fn(Rows<'s>, Rows<'s>, JoinSpec, Evaluator) -> Rows<'s>) -> Rows<'s> {
    joins_of(&[JoinType::Inner], left, right, eval, join)
}

/// The rows of each join of `types`, in each [`Shape`], tagged and concatenated.
fn joins_of<'s>(
    types: &[JoinType],
    left: Rows<'s>,
    right: Rows<'s>,
    eval: Evaluator,
    join: impl Fn(Rows<'s>, Rows<'s>, JoinSpec, Evaluator) -> Rows<'s>,
) -> Rows<'s> {
    let mut all: Option<Rows<'s>> = None;
    for (tag, &join_type) in types.iter().enumerate() {
        for (variant, shape) in [Shape::OneKey, Shape::Condition, Shape::TwoKeys].into_iter().enumerate() {
            let tag = Value::BigInt(tag as i64 * 3 + variant as i64);
            let rows = join(left.clone(), right.clone(), join_spec(join_type, shape), eval.clone()).map(move |r| Row::new(vec![tag.clone()]).concat(&r));
            all = Some(match all {
                Some(a) => a.concat(rows),
                None => rows,
            });
        }
    }
    all.expect("a join")
}

fn top_n_op<'s>(left: Rows<'s>, _right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    let ranking = Ranking {
        partition_by: vec![col("k")],
        order_by: vec![col("v")],
        specs: vec![SortSpec { descending: true, nulls_first: false }],
        rank_type: RankType::RowNumber,
        offset: 0,
        limit: 2,
        row_number: true,
        append_only: false,
    };
    ops::top_n(left, ranking, eval)
}

/// `RANK()` kept from rank 2 to 3: ties share ranks, so retractions move whole groups of rows.
fn rank_range_op<'s>(left: Rows<'s>, _right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    let ranking = Ranking {
        partition_by: vec![col("k")],
        order_by: vec![col("v")],
        specs: vec![SortSpec { descending: true, nulls_first: false }],
        rank_type: RankType::Rank,
        offset: 1,
        limit: 2,
        row_number: true,
        append_only: false,
    };
    ops::top_n(left, ranking, eval)
}

fn distinct_op<'s>(left: Rows<'s>, _right: Rows<'s>, _eval: Evaluator) -> Rows<'s> {
    ops::distinct(left)
}

/// The built-in aggregates (COUNT DISTINCT included) on the differential operator.
fn arranged_aggregate_op<'s>(left: Rows<'s>, _right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    ops::aggregate(left, vec![col("k")], vec![DataType::BigInt], &builtins(), None, false, eval)
}

/// The same aggregates on the streaming operator's keyed state.
fn keyed_aggregate_op<'s>(left: Rows<'s>, _right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    ops::keyed_aggregate("op", 0, left, vec![col("k")], vec![DataType::BigInt], &builtins(), false, eval, context())
}

/// The keyed operator told its input is append-only: local partials merged per group.
fn keyed_append_only_aggregate_op<'s>(left: Rows<'s>, _right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    let aggs: Vec<BoundAggregate> = builtins().into_iter().filter(|a| !a.distinct).collect();
    ops::keyed_aggregate("op", 0, left, vec![col("k")], vec![DataType::BigInt], &aggs, true, eval, context())
}

fn arranged_append_only_aggregate_op<'s>(left: Rows<'s>, _right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    let aggs: Vec<BoundAggregate> = builtins().into_iter().filter(|a| !a.distinct).collect();
    ops::aggregate(left, vec![col("k")], vec![DataType::BigInt], &aggs, None, true, eval)
}

fn keyed_distinct_op<'s>(left: Rows<'s>, _right: Rows<'s>, _eval: Evaluator) -> Rows<'s> {
    ops::keyed_distinct("op", 0, left, false, context())
}

fn ranking(rank_type: RankType, offset: u64, limit: u64, append_only: bool) -> Ranking {
    Ranking {
        partition_by: vec![col("k")],
        order_by: vec![col("v")],
        specs: vec![SortSpec { descending: true, nulls_first: false }],
        rank_type,
        offset,
        limit,
        row_number: true,
        append_only,
    }
}

/// ROW_NUMBER Top-2 and RANK ranks 2 to 3, each row tagged with its ranking, on keyed state...
fn keyed_rankings<'s>(left: Rows<'s>, _right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    let first = ops::keyed_top_n("a", 0, left.clone(), ranking(RankType::RowNumber, 0, 2, false), eval.clone(), context());
    let range = ops::keyed_top_n("b", 1, left, ranking(RankType::Rank, 1, 2, false), eval, context());
    first.map(|r| Row::new(vec![Value::BigInt(0)]).concat(&r)).concat(range.map(|r| Row::new(vec![Value::BigInt(1)]).concat(&r)))
}

/// ... and on arrangements.
fn arranged_rankings<'s>(left: Rows<'s>, _right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    let first = ops::top_n(left.clone(), ranking(RankType::RowNumber, 0, 2, false), eval.clone());
    let range = ops::top_n(left, ranking(RankType::Rank, 1, 2, false), eval);
    first.map(|r| Row::new(vec![Value::BigInt(0)]).concat(&r)).concat(range.map(|r| Row::new(vec![Value::BigInt(1)]).concat(&r)))
}

/// A keyed Top-2 told its input only grows: it forgets rows ranked beyond 2.
fn keyed_append_only_top_n<'s>(left: Rows<'s>, _right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    ops::keyed_top_n("op", 0, left, ranking(RankType::RowNumber, 0, 2, true), eval, context())
}

fn arranged_top_n<'s>(left: Rows<'s>, _right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    ops::top_n(left, ranking(RankType::RowNumber, 0, 2, false), eval)
}

/// Only the insertions of `epochs`.
fn insertions(epochs: &[Vec<(bool, Row, isize)>]) -> Vec<Vec<(bool, Row, isize)>> {
    epochs.iter().map(|e| e.iter().filter(|(_, _, d)| *d > 0).cloned().collect()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn incremental_equals_from_scratch(epochs in changes()) {
        for (name, build) in [("aggregate", aggregate_op as Build), ("full join", join_op), ("top-n", top_n_op), ("rank range", rank_range_op), ("distinct", distinct_op)] {
            let expected = run(build, from_scratch(&epochs), 1);
            prop_assert!(expected.iter().all(|(_, d)| *d > 0), "{name}: negative multiplicity {expected:?}");
            let incremental = run(build, epochs.clone(), 2);
            prop_assert_eq!(&incremental, &expected, "{}", name);
        }
    }

    #[test]
    fn keyed_operators_equal_the_arranged_ones_from_scratch(epochs in changes()) {
        for (name, keyed, arranged) in [
            ("keyed aggregate", keyed_aggregate_op as Build, arranged_aggregate_op as Build),
            ("keyed distinct", keyed_distinct_op, distinct_op),
            ("keyed joins", keyed_joins, arranged_joins),
            ("keyed joins, right TTL", keyed_joins_right_ttl, arranged_joins),
            ("keyed rankings", keyed_rankings, arranged_rankings),
            ("symmetric hash joins", symmetric_hash_joins, arranged_inner_joins),
        ] {
            let expected = run(arranged, from_scratch(&epochs), 1);
            let incremental = run(keyed, epochs.clone(), 2);
            prop_assert_eq!(&incremental, &expected, "{}", name);
        }
        let appended = insertions(&epochs);
        let expected = run(arranged_append_only_aggregate_op, from_scratch(&appended), 1);
        prop_assert_eq!(run(keyed_append_only_aggregate_op, appended.clone(), 2), expected, "append-only keyed aggregate");
        let expected = run(arranged_top_n, from_scratch(&appended), 1);
        prop_assert_eq!(run(keyed_append_only_top_n, appended.clone(), 2), expected, "append-only keyed top-n");
        let expected = run(arranged_inner_joins, from_scratch(&appended), 1);
        prop_assert_eq!(run(symmetric_hash_joins, appended, 2), expected, "append-only symmetric hash joins");
    }

    #[test]
    fn user_aggregates_retract_like_the_builtin_aggregate(epochs in changes()) {
        let expected = run(builtin_aggregate_op, from_scratch(&epochs), 1);
        let incremental = run(user_aggregate_op, epochs.clone(), 2);
        prop_assert_eq!(&incremental, &expected);
        let keyed = run(keyed_user_aggregate_op, epochs, 2);
        prop_assert_eq!(keyed, expected, "keyed user aggregate");
    }
}
