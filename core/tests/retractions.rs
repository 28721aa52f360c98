//! Property tests: feeding an operator a random sequence of insertions and retractions over
//! many epochs ends in the same result as computing it from scratch on the final input.

use std::sync::{Arc, Mutex};

use differential_dataflow::input::Input;
use proptest::prelude::*;
use timely::dataflow::operators::probe::Handle as ProbeHandle;

use weir_core::connectors::SinkContext;
use weir_core::expr::{bind, BindContext, Expr};
use weir_core::ops::{self, Evaluator, JoinSpec, Ranking, Rows, SortSpec};
use weir_core::plan::{AggregateFunction, BoundAggregate, JoinType, RuntimeMode};
use weir_core::runtime::{CancelToken, JobContext, JobMetrics};
use weir_core::types::{DataType, Field, Row, Schema, Value};

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
        let (mut left, mut right) = worker.dataflow::<u64, _, _>(|scope| {
            let (left_in, left) = scope.new_collection::<Row, isize>();
            let (right_in, right) = scope.new_collection::<Row, isize>();
            build(left, right, Evaluator::new("op", &ctx))
                .inspect(move |(row, _t, diff)| sink.lock().expect("sink lock").push((row.clone(), *diff)))
                .probe_with(&probe);
            (left_in, right_in)
        });
        for (epoch, changes) in epochs.iter().enumerate() {
            if worker.index() == 0 {
                for (is_left, row, diff) in changes {
                    let input = if *is_left { &mut left } else { &mut right };
                    input.update(row.clone(), *diff);
                }
            }
            left.advance_to(epoch as u64 + 1);
            right.advance_to(epoch as u64 + 1);
            left.flush();
            right.flush();
            worker.step_while(|| probe.less_than(left.time()));
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

fn join_op<'s>(left: Rows<'s>, right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    let spec = JoinSpec { join_type: JoinType::Full, left_keys: vec![col("k")], right_keys: vec![col("k")], condition: None, left_width: 2, right_width: 2 };
    ops::join(left, right, spec, eval)
}

fn top_n_op<'s>(left: Rows<'s>, _right: Rows<'s>, eval: Evaluator) -> Rows<'s> {
    let ranking = Ranking {
        partition_by: vec![col("k")],
        order_by: vec![col("v")],
        specs: vec![SortSpec { descending: true, nulls_first: false }],
        offset: 0,
        limit: 2,
        row_number: true,
        append_only: false,
    };
    ops::top_n(left, ranking, eval)
}

fn distinct_op<'s>(left: Rows<'s>, _right: Rows<'s>, _eval: Evaluator) -> Rows<'s> {
    ops::distinct(left)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn incremental_equals_from_scratch(epochs in changes()) {
        for (name, build) in [("aggregate", aggregate_op as Build), ("full join", join_op), ("top-n", top_n_op), ("distinct", distinct_op)] {
            let expected = run(build, from_scratch(&epochs), 1);
            prop_assert!(expected.iter().all(|(_, d)| *d > 0), "{name}: negative multiplicity {expected:?}");
            let incremental = run(build, epochs.clone(), 2);
            prop_assert_eq!(&incremental, &expected, "{}", name);
        }
    }
}
