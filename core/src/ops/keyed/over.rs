//! OVER aggregates ordered by event time: each row followed by aggregates over the rows of its
//! partition in a frame ending at the row — `ROWS BETWEEN n PRECEDING AND CURRENT ROW`,
//! `RANGE BETWEEN INTERVAL 'd' PRECEDING AND CURRENT ROW`, or `UNBOUNDED PRECEDING`.
//!
//! As in Flink, rows wait in state until the watermark passes their event time, then are
//! processed in event-time order (rows with equal times in arrival order); under RANGE, rows
//! with equal times are peers and share one result. State per key: the waiting rows (a list
//! per event time, with a timer), and the frame — the aggregate arguments of the last `n`
//! rows, or of the rows within `d`, or running partial aggregates when unbounded. `LAG(x, n,
//! default)` calls take `x` of the row `n` rows earlier in that order (state: the LAG
//! arguments of the last rows). A DISTINCT aggregate takes each argument value of the frame
//! once; over an unbounded frame the values taken are kept per key (a map entry per value).
//!
//! Late rows (sent behind the watermark) follow Flink's operators. Over an unbounded frame
//! (`RowTimeUnboundedPrecedingOver`) a row at or behind the watermark is dropped and counted.
//! Over a bounded frame (`RowTimeRowsBoundedPrecedingFunction`,
//! `RowTimeRangeBoundedPrecedingFunction`) a row is dropped only when it is at or before the
//! last timer its key fired (`lastTriggeringTs`; every row is checked, as Flink checks them,
//! so rows on time for another split never come out of order after a late row's catch-up);
//! a later one waits for a timer at its own time,
//! which Flink fires at the next watermark: here once the frontier passes the time the row was
//! sent at, so rows sent behind one watermark are aggregated together in event-time order,
//! however they are batched. Before a late row is judged, the key's timers that the watermark it
//! arrived behind had passed fire (they fired before it in Flink). A RANGE frame also keeps
//! Flink's cleanup timer, `1.5 d` after the key's last row: when it fires, the key's frame and
//! progress are dropped (so a row behind the key's last row is taken again, over an empty
//! frame), and any earlier cleanup timer, superseded, still counts as a fired timer.

use weir_state::{ListState, MapState, StateError, ValueState};

use crate::expr::CompiledExpr;
use crate::job::JobContext;
use crate::plan::{AggregateFunction, FrameUnit, OverFrame};
use crate::types::{DataType, Row, Value};

use super::super::accumulate::partials;
use super::super::over_accumulators::FrameAccumulators;
use super::super::{Evaluator, OffsetSpec, Rows};
use super::{KeyedContext, KeyedLogic, keyed};

/// Which rows precede the current one in its frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OverFrameBound {
    /// `ROWS BETWEEN n PRECEDING AND CURRENT ROW`.
    Rows(u64),
    /// `RANGE BETWEEN INTERVAL 'ms' PRECEDING AND CURRENT ROW`.
    Range(u64),
    /// `ROWS|RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`; `true` for RANGE (peers share
    /// a result).
    Unbounded(bool),
}

/// One OVER aggregate, ready to run.
#[derive(Clone)]
pub struct OverAggregate {
    /// The function.
    pub function: AggregateFunction,
    /// Its argument (`None`: `COUNT(*)`).
    pub arg: Option<CompiledExpr>,
    /// `DISTINCT`: each argument value of the frame is taken once.
    pub distinct: bool,
    /// The result type.
    pub output_type: DataType,
}

/// An OVER node, ready to run.
pub struct OverSpec {
    /// PARTITION BY.
    pub partition_by: Vec<CompiledExpr>,
    /// The event-time column ordered by.
    pub time_column: usize,
    /// The frame.
    pub frame: OverFrame,
    /// The aggregates, appended to each row in order.
    pub aggregates: Vec<OverAggregate>,
    /// The LAG calls, appended after the aggregates.
    pub lags: Vec<OffsetSpec>,
}

/// Each row of `input` followed by its OVER aggregates.
pub fn over<'s>(node: &str, index: usize, input: Rows<'s>, spec: OverSpec, eval: Evaluator, ctx: JobContext) -> Option<Rows<'s>> {
    let logic = Over {
        time_column: spec.time_column,
        frame: match (spec.frame.unit, spec.frame.preceding) {
            (FrameUnit::Rows, Some(n)) => OverFrameBound::Rows(n),
            (FrameUnit::Range, Some(ms)) => OverFrameBound::Range(ms),
            (unit, None) => OverFrameBound::Unbounded(unit == FrameUnit::Range),
        },
        aggregates: spec.aggregates,
        history: spec.lags.iter().map(|l| usize::try_from(l.offset).unwrap_or(usize::MAX)).max().unwrap_or(0),
        lags: spec.lags,
        eval: eval.clone(),
        waiting: ListState::new("over-waiting"),
        recent: ValueState::new("over-frame"),
        running: ValueState::new("over-running"),
        taken: MapState::new("over-distinct"),
        lagged: ValueState::new("over-lagged"),
        last_fired: ValueState::new("over-last-fired"),
        cleanups: ValueState::new("over-cleanups"),
        deferred: ValueState::new("over-deferred"),
    };
    keyed(node, index, vec![(input, spec.partition_by)], logic, eval, ctx)
}

struct Over {
    time_column: usize,
    frame: OverFrameBound,
    aggregates: Vec<OverAggregate>,
    lags: Vec<OffsetSpec>,
    /// How many earlier rows the LAG calls reach back.
    history: usize,
    eval: Evaluator,
    /// Rows whose event time the watermark has not passed, by event time.
    waiting: ListState<Row, i64>,
    /// Bounded frames: `(event time, aggregate arguments)` of the rows still in the frame.
    recent: ValueState<Vec<(i64, Row)>>,
    /// Unbounded frames: the partial aggregates of every row so far.
    running: ValueState<Row>,
    /// Unbounded frames: the values each DISTINCT aggregate (by index) has taken.
    taken: MapState<Value, (), usize>,
    /// The LAG arguments of the last `history` rows, oldest first.
    lagged: ValueState<Vec<Row>>,
    /// Bounded frames: the key's last fired timer (Flink's `lastTriggeringTs`).
    last_fired: ValueState<i64>,
    /// RANGE frames: the key's pending cleanup timers, ascending (the last is Flink's
    /// `cleanupTsState`).
    cleanups: ValueState<Vec<i64>>,
    /// Bounded frames: the timers (ascending) of rows sent behind the watermark, which fire
    /// once the frontier passes the time they were sent at (a timer at that time stands for
    /// them).
    deferred: ValueState<Vec<i64>>,
}

impl Over {
    /// The aggregate arguments of `row` (TRUE for `COUNT(*)`), or `None` after a reported error.
    fn arguments(&self, row: &Row) -> Option<Row> {
        self.aggregates
            .iter()
            .map(|a| match &a.arg {
                Some(arg) => self.eval.eval(arg, row),
                None => Some(Value::Boolean(true)),
            })
            .collect::<Option<Vec<_>>>()
            .map(Row::new)
    }

    /// The results over the arguments of `frame`.
    fn over_frame(&self, frame: &[(i64, Row)]) -> Row {
        let mut accs = FrameAccumulators::new(&self.aggregates);
        for (_, args) in frame {
            accs.add(args.values());
        }
        Row::new(accs.results())
    }

    /// The key's running accumulators (unbounded frames).
    fn running(&self, cx: &mut KeyedContext<'_>) -> Result<FrameAccumulators<'_>, StateError> {
        let mut accs = FrameAccumulators::new(&self.aggregates);
        let key = cx.key().to_vec();
        if let Some(partials) = self.running.get(cx.store, &key, &())? {
            accs.merge(partials.values());
        }
        Ok(accs)
    }

    /// Adds one row's arguments to the key's running accumulators, a DISTINCT aggregate only
    /// when the key has not had the value before.
    fn add_running(&self, cx: &mut KeyedContext<'_>, accs: &mut FrameAccumulators<'_>, args: &Row) -> Result<(), StateError> {
        let key = cx.key();
        accs.add_checked(args.values(), |i, value| {
            if self.taken.contains(cx.store, key, &i, value)? {
                return Ok(false);
            }
            self.taken.put(cx.store, key, &i, value, &())?;
            Ok(true)
        })
    }

    /// The aggregate results of the rows at `ts` (their arguments `args`, in order).
    fn aggregate(&self, cx: &mut KeyedContext<'_>, ts: i64, args: Vec<Row>) -> Result<Vec<Row>, StateError> {
        if self.aggregates.is_empty() {
            return Ok(vec![Row::empty(); args.len()]);
        }
        let key = cx.key().to_vec();
        match self.frame {
            OverFrameBound::Unbounded(peers) => {
                let mut accs = self.running(cx)?;
                let mut out = Vec::with_capacity(args.len());
                for a in &args {
                    self.add_running(cx, &mut accs, a)?;
                    if !peers {
                        out.push(Row::new(accs.results()));
                    }
                }
                if peers {
                    out = vec![Row::new(accs.results()); args.len()];
                }
                self.running.update(cx.store, &key, &(), &partials(accs.accumulators()))?;
                Ok(out)
            }
            OverFrameBound::Rows(preceding) => {
                let mut frame = self.recent.get(cx.store, &key, &())?.unwrap_or_default();
                let keep = usize::try_from(preceding).unwrap_or(usize::MAX);
                let mut out = Vec::with_capacity(args.len());
                for a in args {
                    frame.push((ts, a));
                    let excess = frame.len().saturating_sub(keep.saturating_add(1));
                    frame.drain(..excess);
                    out.push(self.over_frame(&frame));
                }
                let excess = frame.len().saturating_sub(keep);
                frame.drain(..excess);
                self.recent.update(cx.store, &key, &(), &frame)?;
                Ok(out)
            }
            OverFrameBound::Range(preceding) => {
                let mut frame = self.recent.get(cx.store, &key, &())?.unwrap_or_default();
                let oldest = ts.saturating_sub(i64::try_from(preceding).unwrap_or(i64::MAX));
                frame.retain(|(t, _)| *t >= oldest);
                let n = args.len();
                frame.extend(args.into_iter().map(|a| (ts, a)));
                let results = self.over_frame(&frame);
                self.recent.update(cx.store, &key, &(), &frame)?;
                Ok(vec![results; n])
            }
        }
    }

    /// The LAG values of `rows`, in order, reading and extending the key's history.
    fn lag(&self, cx: &mut KeyedContext<'_>, rows: &[Row]) -> Result<Vec<Row>, StateError> {
        if self.lags.is_empty() {
            return Ok(vec![Row::empty(); rows.len()]);
        }
        let key = cx.key().to_vec();
        let mut history = self.lagged.get(cx.store, &key, &())?.unwrap_or_default();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let own: Row = self.lags.iter().map(|l| self.eval.eval(&l.arg, row).unwrap_or(Value::Null)).collect();
            let values: Row = self
                .lags
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let back = usize::try_from(l.offset).unwrap_or(usize::MAX);
                    let earlier = if back == 0 { Some(&own) } else { history.len().checked_sub(back).and_then(|j| history.get(j)) };
                    match earlier {
                        Some(r) => r.get(i).clone(),
                        None => l.default.as_ref().and_then(|d| self.eval.eval(d, row)).unwrap_or(Value::Null),
                    }
                })
                .collect();
            out.push(values);
            history.push(own);
            let excess = history.len().saturating_sub(self.history);
            history.drain(..excess);
        }
        self.lagged.update(cx.store, &key, &(), &history)?;
        Ok(out)
    }
}

impl Over {
    /// Whether the frame is bounded (Flink's late-row rule by key progress applies).
    fn bounded(&self) -> bool {
        !matches!(self.frame, OverFrameBound::Unbounded(_))
    }

    /// Asks for the timer `ts`: directly for a row on time, and for a row sent behind the
    /// watermark at `arrival` once the frontier passes `arrival` (Flink fires a timer
    /// registered behind the watermark at the next watermark).
    fn schedule(&self, cx: &mut KeyedContext<'_>, ts: i64, arrival: Option<i64>) -> Result<(), StateError> {
        let Some(arrival) = arrival.filter(|a| ts < *a) else { return cx.register_timer(ts) };
        let key = cx.key().to_vec();
        let mut deferred = self.deferred.get(cx.store, &key, &())?.unwrap_or_default();
        if let Err(at) = deferred.binary_search(&ts) {
            deferred.insert(at, ts);
            self.deferred.update(cx.store, &key, &(), &deferred)?;
        }
        cx.register_timer(arrival)
    }

    /// RANGE frames: Flink's cleanup timer for a row at `ts`, `1.5 d` after it, registered when
    /// the pending one comes less than `d` after the row.
    fn schedule_cleanup(&self, cx: &mut KeyedContext<'_>, ts: i64, arrival: Option<i64>) -> Result<(), StateError> {
        let OverFrameBound::Range(preceding) = self.frame else { return Ok(()) };
        let preceding = i64::try_from(preceding).unwrap_or(i64::MAX);
        let earliest = ts.saturating_add(preceding).saturating_add(1);
        let at = earliest.saturating_add(preceding / 2);
        let key = cx.key().to_vec();
        let mut cleanups = self.cleanups.get(cx.store, &key, &())?.unwrap_or_default();
        if cleanups.last().is_some_and(|c| *c >= earliest) {
            return Ok(());
        }
        cleanups.push(at);
        self.cleanups.update(cx.store, &key, &(), &cleanups)?;
        self.schedule(cx, at, arrival)
    }

    /// Fires the key's timers up to `watermark` not fired yet: the ones Flink fired before a row
    /// that arrived behind that watermark.
    fn catch_up(&self, cx: &mut KeyedContext<'_>, watermark: i64) -> Result<(), StateError> {
        if watermark <= cx.fired_watermark() {
            return Ok(());
        }
        for ts in cx.take_due_timers(watermark)? {
            self.on_timer_at(cx, ts)?;
        }
        Ok(())
    }

    /// The timer `ts` fired: first the deferred timers it stands for, in time order.
    fn on_timer_at(&self, cx: &mut KeyedContext<'_>, ts: i64) -> Result<(), StateError> {
        if self.bounded() {
            let key = cx.key().to_vec();
            let mut deferred = self.deferred.get(cx.store, &key, &())?.unwrap_or_default();
            if !deferred.is_empty() {
                let due: Vec<i64> = deferred.drain(..deferred.partition_point(|d| *d <= ts)).collect();
                match deferred.is_empty() {
                    true => self.deferred.clear(cx.store, &key, &())?,
                    false => self.deferred.update(cx.store, &key, &(), &deferred)?,
                }
                for d in due {
                    self.fire(cx, d)?;
                }
            }
        }
        self.fire(cx, ts)
    }

    /// Flink's timer `ts` of the key: the rows waiting at `ts` are aggregated and emitted (or,
    /// RANGE, the key's state is dropped by its cleanup timer). A timer that stood only for
    /// deferred ones is none of Flink's and changes nothing.
    fn fire(&self, cx: &mut KeyedContext<'_>, ts: i64) -> Result<(), StateError> {
        let key = cx.key().to_vec();
        let mut cleanup = false;
        if let OverFrameBound::Range(_) = self.frame {
            let mut cleanups = self.cleanups.get(cx.store, &key, &())?.unwrap_or_default();
            if cleanups.last().is_some_and(|c| *c <= ts) {
                self.recent.clear(cx.store, &key, &())?;
                self.lagged.clear(cx.store, &key, &())?;
                self.last_fired.clear(cx.store, &key, &())?;
                return self.cleanups.clear(cx.store, &key, &());
            }
            let pending = cleanups.len();
            cleanups.retain(|c| *c > ts);
            cleanup = cleanups.len() < pending;
            if cleanup {
                self.cleanups.update(cx.store, &key, &(), &cleanups)?;
            }
        }
        let rows = self.waiting.get(cx.store, &key, &ts)?;
        if rows.is_empty() && !cleanup {
            return Ok(());
        }
        if self.bounded() {
            self.last_fired.update(cx.store, &key, &(), &ts)?;
        }
        if rows.is_empty() {
            return Ok(());
        }
        self.waiting.clear(cx.store, &key, &ts)?;
        let Some(args) = rows.iter().map(|r| self.arguments(r)).collect::<Option<Vec<_>>>() else { return Ok(()) };
        let results = self.aggregate(cx, ts, args)?;
        let lags = self.lag(cx, &rows)?;
        for ((row, results), lags) in rows.iter().zip(results).zip(lags) {
            cx.emit(row.concat(&results).concat(&lags));
        }
        Ok(())
    }
}

impl KeyedLogic for Over {
    fn on_row(&mut self, cx: &mut KeyedContext<'_>, _input: usize, row: Row) -> Result<(), StateError> {
        let Some(ts) = row.get(self.time_column).as_i64() else { return Ok(()) };
        let key = cx.key().to_vec();
        // Sent behind the watermark, at the watermark plus one (see `keyed`).
        let arrival = cx.row_time().filter(|_| cx.is_late_for(ts)).map(|t| i64::try_from(t).unwrap_or(i64::MAX));
        match arrival {
            Some(_) if !self.bounded() => {
                // Rows up to the watermark it arrived behind are aggregated in time order
                // without it; it would come out of order (Flink drops it too).
                cx.drop_late();
                return Ok(());
            }
            Some(arrival) => self.catch_up(cx, arrival.saturating_sub(1))?,
            None => {}
        }
        // Flink checks every row: with several splits, a late row of one can have fired the
        // key's timers past a row of another that is on time for its split.
        if self.bounded() && self.last_fired.get(cx.store, &key, &())?.is_some_and(|last| ts <= last) {
            cx.drop_late();
            return Ok(());
        }
        self.waiting.add(cx.store, &key, &ts, &row)?;
        self.schedule(cx, ts, arrival)?;
        self.schedule_cleanup(cx, ts, arrival)
    }

    fn on_timer(&mut self, cx: &mut KeyedContext<'_>, ts: i64) -> Result<(), StateError> {
        self.on_timer_at(cx, ts)
    }
}
