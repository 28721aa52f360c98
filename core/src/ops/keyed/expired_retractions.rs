//! Retractions that arrive after the state of their row expired (a time-to-live), in the
//! keyed operators that apply complete times (`timed`): each test drives an operator's logic
//! on a manual clock, so state expires exactly where the test says, however loaded the machine.
//! What is expected is what Flink's operators do (`GroupAggFunction`, `StreamingJoinOperator`,
//! `RetractableTopNFunction`): no count goes below zero, so later rows count as they should.
//! Also the global aggregate's group, which like any group exists only while it has rows.

use std::sync::Arc;
use std::time::Duration;

use differential_dataflow::consolidation::consolidate;
use weir_state::{KeyedStateStore, ManualClock, MemoryBackend, StateTtlConfig};

use crate::connectors::SinkContext;
use crate::expr::BoundExpr;
use crate::job::{CancelToken, JobContext, JobMetrics};
use crate::plan::{AggregateFunction, JoinType, RankType, RuntimeMode};
use crate::types::{DataType, Row, Value};

use super::super::aggregate::AggregateSlot;
use super::super::{Evaluator, JoinSpec, Ranking, SortSpec};
use super::group_aggregate::{GroupAggregateSpec, GroupInput, Groups};
use super::join::StreamJoin;
use super::rank::KeyedRank;
use super::timed::TimedLogic;
use super::user_group_aggregate::{UserGroupAggregateSpec, UserGroups};
use crate::expr::EvalError;
use crate::udf::{AggregateSignature, GroupUpdate, UserAggregateFunction};

/// The time-to-live of the expiring states.
const TTL: Duration = Duration::from_millis(1000);

/// A row of BIGINTs.
fn row(values: &[i64]) -> Row {
    Row::new(values.iter().map(|v| Value::BigInt(*v)).collect())
}

/// A row of BIGINTs and NULLs.
fn padded(values: &[Option<i64>]) -> Row {
    Row::new(values.iter().map(|v| v.map_or(Value::Null, Value::BigInt)).collect())
}

/// An operator's logic with its store, on a clock that moves only when told to.
struct Harness<L: TimedLogic> {
    logic: L,
    store: KeyedStateStore,
    clock: ManualClock,
}

impl<L: TimedLogic> Harness<L> {
    fn new(logic: L) -> Harness<L> {
        let clock = ManualClock::new(1_000_000);
        let store = KeyedStateStore::new(Box::new(MemoryBackend::new())).with_clock(Arc::new(clock.clone()));
        Harness { logic, store, clock }
    }

    /// Applies one time's `changes`: the output, consolidated and sorted.
    fn apply(&mut self, changes: Vec<(L::Change, isize)>) -> Vec<(Row, isize)> {
        let (mut changes, mut out) = (changes, Vec::new());
        self.logic.apply(&mut self.store, &mut changes, &mut out).unwrap_or_else(|e| panic!("apply failed: {e}"));
        consolidate(&mut out);
        out
    }

    /// Moves the clock past the time-to-live (writes after this are fresh again), sweeping
    /// the expired entries on every other call as the operator's background cleanup does.
    fn expire(&mut self, sweep: bool) {
        self.clock.advance(2 * TTL.as_millis() as i64);
        if sweep {
            self.logic.cleanup_expired(&mut self.store).unwrap_or_else(|e| panic!("cleanup failed: {e}"));
        }
    }
}

fn evaluator() -> Evaluator {
    let ctx = JobContext::new(RuntimeMode::Streaming, CancelToken::new(), Arc::new(JobMetrics::new(std::iter::empty())), SinkContext::default(), 200);
    Evaluator::new("test", &ctx)
}

/// `SELECT k, COUNT(*), SUM(x) .. GROUP BY k` over a retracting input: changes (k, (x)).
fn count_and_sum() -> Harness<Groups> {
    let slots = vec![
        AggregateSlot::new(AggregateFunction::Count, None, false, DataType::BigInt, true),
        AggregateSlot::new(AggregateFunction::Sum, Some(0), false, DataType::BigInt, true),
    ];
    let spec = GroupAggregateSpec { slots, input: GroupInput::Arguments, retracting: true };
    Harness::new(Groups::new(spec, Some(StateTtlConfig::new(TTL))))
}

#[test]
fn a_group_skips_a_retraction_after_its_state_expired() {
    for sweep in [false, true] {
        let mut agg = count_and_sum();
        let change = |x: i64, diff: isize| ((row(&[1]), row(&[x])), diff);
        assert_eq!(agg.apply(vec![change(5, 1)]), [(row(&[1, 1, 5]), 1)]);
        agg.expire(sweep);
        // The group is gone: Flink creates no accumulator for a retraction.
        assert_eq!(agg.apply(vec![change(5, -1)]), []);
        // So the next row starts the group again, counted from one.
        assert_eq!(agg.apply(vec![change(7, 1)]), [(row(&[1, 1, 7]), 1)]);
        assert_eq!(agg.apply(vec![change(8, 1)]), [(row(&[1, 1, 7]), -1), (row(&[1, 2, 15]), 1)]);
    }
}

#[test]
fn an_update_of_an_expired_row_inserts_the_new_row() {
    let mut agg = count_and_sum();
    let change = |x: i64, diff: isize| ((row(&[1]), row(&[x])), diff);
    assert_eq!(agg.apply(vec![change(5, 1)]), [(row(&[1, 1, 5]), 1)]);
    agg.expire(false);
    // -U of the expired row, +U of its new value, in one time.
    assert_eq!(agg.apply(vec![change(5, -1), change(6, 1)]), [(row(&[1, 1, 6]), 1)]);
    // A group that retracts more rows than it holds loses them all and starts afresh.
    assert_eq!(agg.apply(vec![change(5, -1)]), [(row(&[1, 1, 6]), -1)]);
    assert_eq!(agg.apply(vec![change(6, -1)]), []);
    assert_eq!(agg.apply(vec![change(9, 1)]), [(row(&[1, 1, 9]), 1)]);
}

#[test]
fn a_retraction_before_its_insertion_in_one_time_is_no_expired_one() {
    // Without expiry: a time's changes arrive in any order, so they are netted per row first.
    let mut agg = count_and_sum();
    let change = |x: i64, diff: isize| ((row(&[1]), row(&[x])), diff);
    assert_eq!(agg.apply(vec![change(5, -1), change(5, 1), change(6, 1)]), [(row(&[1, 1, 6]), 1)]);
    assert_eq!(agg.apply(vec![change(6, -1), change(7, 1), change(6, 1), change(7, -1)]), []);
    assert_eq!(agg.apply(vec![change(6, -1), change(8, 1)]), [(row(&[1, 1, 6]), -1), (row(&[1, 1, 8]), 1)]);
}

#[test]
fn a_distinct_row_retracted_after_expiry_comes_back_when_inserted_again() {
    // SELECT DISTINCT: a group per row, without aggregates.
    let spec = GroupAggregateSpec { slots: Vec::new(), input: GroupInput::Arguments, retracting: true };
    let mut distinct = Harness::new(Groups::new(spec, Some(StateTtlConfig::new(TTL))));
    let change = |diff: isize| ((row(&[3]), Row::new(vec![Value::Boolean(true)])), diff);
    assert_eq!(distinct.apply(vec![change(1)]), [(row(&[3]), 1)]);
    distinct.expire(true);
    assert_eq!(distinct.apply(vec![change(-1)]), []);
    assert_eq!(distinct.apply(vec![change(1)]), [(row(&[3]), 1)]);
}

/// A join of (k, a) with (k, b) on k whose left rows expire and right rows do not.
fn join(join_type: JoinType) -> Harness<StreamJoin> {
    let spec =
        JoinSpec { join_type, left_keys: Vec::new(), right_keys: Vec::new(), condition: None, left_width: 2, right_width: 2, state_ttl: [Some(TTL), None] };
    Harness::new(StreamJoin::new(spec, evaluator()))
}

/// A change of the left (side 0) or right (side 1) input under key 1.
fn side(side: u8, value: i64, diff: isize) -> ((u8, Row, Row), isize) {
    ((side, row(&[1]), row(&[1, value])), diff)
}

#[test]
fn an_inner_join_retracts_the_pairs_of_an_expired_row_and_stores_no_negative_count() {
    let mut j = join(JoinType::Inner);
    assert_eq!(j.apply(vec![side(0, 10, 1), side(1, 20, 1)]), [(row(&[1, 10, 1, 20]), 1)]);
    j.expire(true);
    // Flink retracts what the row forms with the other side's current rows.
    assert_eq!(j.apply(vec![side(0, 10, -1)]), [(row(&[1, 10, 1, 20]), -1)]);
    assert_eq!(j.apply(vec![side(0, 10, 1)]), [(row(&[1, 10, 1, 20]), 1)]);
    // The row is stored once again: a new right row matches it.
    assert_eq!(j.apply(vec![side(1, 30, 1)]), [(row(&[1, 10, 1, 30]), 1)]);
}

#[test]
fn a_left_join_retracts_an_expired_row_once() {
    let mut j = join(JoinType::Left);
    assert_eq!(j.apply(vec![side(0, 10, 1)]), [(padded(&[Some(1), Some(10), None, None]), 1)]);
    assert_eq!(j.apply(vec![side(1, 20, 1)]), [(padded(&[Some(1), Some(10), None, None]), -1), (row(&[1, 10, 1, 20]), 1)]);
    j.expire(false);
    assert_eq!(j.apply(vec![side(0, 10, -1)]), [(row(&[1, 10, 1, 20]), -1)]);
    // The left row is gone: the right row's retraction leaves nothing to pad.
    assert_eq!(j.apply(vec![side(1, 20, -1)]), []);
    // An expired left row without a match retracts its padded row.
    assert_eq!(j.apply(vec![side(0, 11, 1)]), [(padded(&[Some(1), Some(11), None, None]), 1)]);
    j.expire(true);
    assert_eq!(j.apply(vec![side(0, 11, -1)]), [(padded(&[Some(1), Some(11), None, None]), -1)]);
}

#[test]
fn a_right_join_pads_the_rows_an_expired_left_row_leaves_without_a_match() {
    let mut j = join(JoinType::Right);
    assert_eq!(j.apply(vec![side(0, 10, 1), side(1, 20, 1)]), [(row(&[1, 10, 1, 20]), 1)]);
    j.expire(true);
    // Flink: -D[left+right], and +I[null+right] for a right row that had this one match.
    assert_eq!(j.apply(vec![side(0, 10, -1)]), [(padded(&[None, None, Some(1), Some(20)]), 1), (row(&[1, 10, 1, 20]), -1)]);
    assert_eq!(j.apply(vec![side(1, 20, -1)]), [(padded(&[None, None, Some(1), Some(20)]), -1)]);
}

#[test]
fn a_top_n_ignores_a_retraction_after_expiry() {
    // Top-1 per partition by x descending: changes (partition, (partition, x)).
    let ranking = Ranking {
        partition_by: Vec::new(),
        order_by: vec![BoundExpr::column(1, DataType::BigInt, false).compile()],
        specs: vec![SortSpec { descending: true, nulls_first: false }],
        rank_type: RankType::RowNumber,
        offset: 0,
        limit: 1,
        row_number: false,
        append_only: false,
    };
    let mut rank = Harness::new(KeyedRank::new(ranking, evaluator(), Some(StateTtlConfig::new(TTL))));
    let change = |x: i64, diff: isize| ((row(&[1]), row(&[1, x])), diff);
    assert_eq!(rank.apply(vec![change(5, 1)]), [(row(&[1, 5]), 1)]);
    rank.expire(true);
    assert_eq!(rank.apply(vec![change(5, -1)]), []);
    assert_eq!(rank.apply(vec![change(5, 1)]), [(row(&[1, 5]), 1)]);
    assert_eq!(rank.apply(vec![change(4, 1)]), []);
    assert_eq!(rank.apply(vec![change(5, -1)]), [(row(&[1, 4]), 1), (row(&[1, 5]), -1)]);
}

#[test]
fn a_global_aggregate_exists_only_while_it_has_rows() {
    // No GROUP BY: the empty key. Flink's streaming mode: `+I` with the first row, `-D` when
    // the last is retracted (tests/flink_reference/global_aggregate.py).
    let mut agg = count_and_sum();
    let change = |x: i64, diff: isize| ((Row::empty(), row(&[x])), diff);
    assert_eq!(agg.apply(vec![]), []);
    assert_eq!(agg.apply(vec![change(1, 1)]), [(row(&[1, 1]), 1)]);
    assert_eq!(agg.apply(vec![change(5, 1)]), [(row(&[1, 1]), -1), (row(&[2, 6]), 1)]);
    assert_eq!(agg.apply(vec![change(1, -1), change(5, -1)]), [(row(&[2, 6]), -1)]);
}

/// A user aggregate counting the operations its accumulator has taken (accumulations and
/// retractions, each copy once): a fresh accumulator shows as a count from one again.
struct Operations;

impl UserAggregateFunction for Operations {
    fn name(&self) -> &str {
        "operations"
    }

    fn signature(&self, _arg_types: &[DataType]) -> Result<AggregateSignature, String> {
        Ok(AggregateSignature { params: vec![DataType::BigInt], result: DataType::BigInt })
    }

    fn update(&self, _groups: &mut [GroupUpdate<'_>]) -> Result<Vec<Value>, EvalError> {
        Err(EvalError::new("the keyed operator keeps encoded accumulators"))
    }

    fn update_encoded(&self, groups: &mut [GroupUpdate<'_, Vec<u8>>]) -> Result<Vec<Value>, EvalError> {
        let mut out = Vec::new();
        for g in groups.iter_mut() {
            let before = match g.accumulator.as_deref() {
                Some(bytes) => i64::from_le_bytes(bytes.try_into().map_err(|_| EvalError::new("not 8 bytes"))?),
                None => 0,
            };
            let count = before + g.changes.iter().map(|(_, diff)| diff.unsigned_abs() as i64).sum::<i64>();
            *g.accumulator = Some(count.to_le_bytes().to_vec());
            out.push(Value::BigInt(count));
        }
        Ok(out)
    }
}

#[test]
fn user_accumulators_expire_and_restart_with_their_group() {
    // SELECT k, COUNT(*), operations(x) .. GROUP BY k: changes (k, (x)).
    let builtins = GroupAggregateSpec {
        slots: vec![AggregateSlot::new(AggregateFunction::Count, None, false, DataType::BigInt, true)],
        input: GroupInput::Arguments,
        retracting: true,
    };
    let spec = UserGroupAggregateSpec { builtins, users: vec![(Arc::new(Operations) as Arc<dyn UserAggregateFunction>, 1)], offset: 0 };
    let mut agg = Harness::new(UserGroups::new(spec, Some(StateTtlConfig::new(TTL)), evaluator()));
    let change = |x: i64, diff: isize| ((row(&[1]), row(&[x])), diff);
    assert_eq!(agg.apply(vec![change(5, 1)]), [(row(&[1, 1, 1]), 1)]);
    assert_eq!(agg.apply(vec![change(7, 1)]), [(row(&[1, 1, 1]), -1), (row(&[1, 2, 2]), 1)]);
    agg.expire(true);
    // The group and its accumulator expired: the retraction finds nothing to retract.
    assert_eq!(agg.apply(vec![change(5, -1)]), []);
    assert_eq!(agg.apply(vec![change(9, 1)]), [(row(&[1, 1, 1]), 1)]);
    assert_eq!(agg.apply(vec![change(3, 1), change(9, -1)]), [(row(&[1, 1, 1]), -1), (row(&[1, 1, 3]), 1)]);
    // The group loses its last row (-D) without a call: its accumulator goes with it.
    assert_eq!(agg.apply(vec![change(3, -1)]), [(row(&[1, 1, 3]), -1)]);
    assert_eq!(agg.apply(vec![change(4, 1)]), [(row(&[1, 1, 1]), 1)]);
    // A group emptied and filled again in one time starts from a new accumulator too.
    assert_eq!(agg.apply(vec![change(6, 1)]), [(row(&[1, 1, 1]), -1), (row(&[1, 2, 2]), 1)]);
    assert_eq!(agg.apply(vec![change(4, -1), change(6, -1), change(8, 1)]), [(row(&[1, 1, 1]), 1), (row(&[1, 2, 2]), -1)]);
}
