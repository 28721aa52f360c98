//! Event-time window aggregates with user (Python) aggregate functions on keyed state (Flink's
//! `PythonGroupWindowAggregate`, streaming): a GROUP BY over a window's bounds (TUMBLE, HOP,
//! CUMULATE or SESSION, whose table function has put the bounds on each row) whose groups each
//! lie in one window, so that checkpoints take it and RocksDB can hold it.
//!
//! Per group the state holds its key values and the built-in aggregates' partials, updated as
//! each row arrives (as in `window_aggregate`, DISTINCT values in a map state), and the user
//! aggregates' arguments of its rows, buffered until the window fires, as Flink's Python group
//! window operator buffers them for its Python worker. A timer at the window's last
//! millisecond — Flink's firing when the watermark reaches `end - 1` — creates each user
//! accumulator and feeds it the buffered arguments in one call (sorted, equal ones as one
//! change with their count: the order the arrangement operator feeds them), emits the group's
//! row and drops the buffer.
//!
//! Late rows are dropped and counted as the built-in window aggregate's are. With an allowed
//! lateness (`table.exec.emit.allow-lateness`) the fired group keeps its accumulators, pickled,
//! until `end - 1 + lateness`: a late row updates them and the group's row is retracted and
//! emitted again; then a second timer forgets the group.

use std::sync::Arc;

use weir_state::codec::DecodeError;
use weir_state::{KeyedStateStore, ListState, MapState, StateCodec, StateError, ValueState};

use crate::expr::CompiledExpr;
use crate::job::JobContext;
use crate::types::Row;
use crate::udf::UserAggregateFunction;

use super::super::accumulate::{Accumulator, partials};
use super::super::{Evaluator, Rows};
use super::KeyMap;
use super::user_group_aggregate::{UserCalls, UserInput};
use super::window_aggregate::{Calls, Group, WindowAggregateCall, last_ms};
use super::{KeyedContext, KeyedLogic, keyed};

/// A window aggregate with user aggregate functions, ready to run.
pub struct UserWindowAggregateSpec {
    /// The group keys (the window's start and end among them).
    pub group_by: Vec<CompiledExpr>,
    /// The position of `window_end` among the group keys.
    pub end_key: usize,
    /// The built-in aggregates per group; their results follow the group keys.
    pub aggregates: Vec<WindowAggregateCall>,
    /// The user aggregates, in output order (after the built-in ones), each with its arguments.
    pub users: Vec<(Arc<dyn UserAggregateFunction>, Vec<CompiledExpr>)>,
    /// How long after its end a window still takes late rows, in ms.
    pub lateness_ms: u64,
}

/// The rows of a window aggregate with user aggregates over `input` (append-only): the group
/// keys, the built-in aggregates, then the user aggregates, once per group when the watermark
/// passes its window's end (again for late rows within the allowed lateness). A failing user
/// function fails the job through `eval`.
pub fn user_window_aggregate<'s>(
    node: &str,
    index: usize,
    input: Rows<'s>,
    spec: UserWindowAggregateSpec,
    eval: Evaluator,
    ctx: JobContext,
) -> Option<Rows<'s>> {
    let keys = spec.group_by.clone();
    let widths = spec.users.iter().map(|(f, args)| (Arc::clone(f), args.len())).collect();
    let logic = UserWindowAggregate {
        group_by: spec.group_by,
        end_key: spec.end_key,
        lateness: i64::try_from(spec.lateness_ms).unwrap_or(i64::MAX),
        aggregates: Aggregates {
            builtins: Calls { calls: spec.aggregates, eval: eval.clone(), seen: MapState::new("window-distinct") },
            args: spec.users.into_iter().flat_map(|(_, args)| args).collect(),
            users: UserCalls { users: widths, offset: 0, eval: eval.clone() },
        },
        windows: ValueState::new("python-windows"),
        buffered: ListState::new("python-window-rows"),
        late: ListState::new("python-window-late"),
        live: KeyMap::default(),
    };
    keyed(node, index, vec![(input, keys)], logic, eval, ctx)
}

/// A group's state: the built-in window aggregate's, and once the window has fired with
/// rows, the user accumulators as their functions encoded them and their results.
#[derive(Clone, Debug)]
struct Window {
    group: Group,
    accumulators: Vec<Vec<u8>>,
    results: Row,
}

impl StateCodec for Window {
    fn encode(&self, out: &mut Vec<u8>) {
        self.group.encode(out);
        self.accumulators.encode(out);
        self.results.encode(out);
    }

    fn decode(input: &mut &[u8]) -> Result<Self, DecodeError> {
        Ok(Window { group: Group::decode(input)?, accumulators: Vec::decode(input)?, results: Row::decode(input)? })
    }
}

/// A group being updated: [`Window`] with its built-in accumulators decoded, and the user
/// arguments of the rows it took in this batch (appended to the buffer when the batch ends).
struct Live {
    window: Window,
    accs: Vec<Accumulator>,
    arrived: Vec<Row>,
}

/// The aggregates of the operator: built-in and user ones.
struct Aggregates {
    builtins: Calls,
    /// The user aggregates' arguments, one after the other.
    args: Vec<CompiledExpr>,
    users: UserCalls,
}

impl Aggregates {
    fn live(&self, window: Window) -> Live {
        Live { accs: self.builtins.restore(&window.group.partials), window, arrived: Vec::new() }
    }

    fn stored(live: &Live) -> Window {
        let mut window = live.window.clone();
        window.group.partials = partials(&live.accs);
        window
    }

    fn result(&self, live: &Live) -> Row {
        live.window.group.keys.concat(&self.builtins.finish(&live.accs)).concat(&live.window.results)
    }

    /// Adds `rows` to `live`: the built-in aggregates at once, the user aggregates' arguments
    /// into the buffer until the window fires; after that, into the user accumulators, and
    /// the changed result goes out again (a late firing: the old row retracted, the new one
    /// emitted).
    fn add(&self, cx: &mut KeyedContext<'_>, live: &mut Live, rows: &[Row]) -> Result<(), StateError> {
        let before = (live.window.group.fired && live.window.group.rows > 0).then(|| self.result(live));
        let mut arrived = Vec::new();
        for row in rows {
            let Some(args) = self.builtins.eval.eval_row(&self.args, row) else { continue };
            if self.builtins.accumulate(cx, &mut live.accs, row)?.is_some() {
                live.window.group.rows += 1;
                arrived.push(args);
            }
        }
        if !live.window.group.fired {
            live.arrived.append(&mut arrived);
            return Ok(());
        }
        if arrived.is_empty() || !self.update_users(&mut live.window, arrived) {
            return Ok(());
        }
        cx.replace(before, self.result(live));
        Ok(())
    }

    /// Feeds `args` to the window's user accumulators (created when it has none yet) and keeps
    /// their results; false after a reported failure.
    fn update_users(&self, window: &mut Window, mut args: Vec<Row>) -> bool {
        let count = self.users.users.len();
        let accumulators = match std::mem::take(&mut window.accumulators) {
            stored if stored.len() == count => stored.into_iter().map(Some).collect(),
            _ => vec![None; count],
        };
        args.sort();
        let changes = args.chunk_by(|a, b| a == b).map(|same| (&same[0], same.len() as isize)).collect();
        let mut input = [UserInput { accumulators, changes }];
        let Some(results) = self.users.call(&mut input).and_then(|r| r.into_iter().next()) else { return false };
        let [input] = input;
        window.accumulators = input.accumulators.into_iter().map(Option::unwrap_or_default).collect();
        window.results = results;
        true
    }
}

struct UserWindowAggregate {
    group_by: Vec<CompiledExpr>,
    end_key: usize,
    lateness: i64,
    aggregates: Aggregates,
    windows: ValueState<Window>,
    /// The user aggregates' arguments of a group's rows, until its window fires.
    buffered: ListState<Row>,
    /// Late rows waiting for their window to fire first, by the time they arrived at.
    late: ListState<Row, i64>,
    /// The groups the current batch of rows has touched, by encoded key.
    live: KeyMap<Live>,
}

/// The last millisecond of `window`'s window, whose end is group key `end_key` (`None`: no
/// end, never fires).
fn last(window: &Window, end_key: usize) -> Option<i64> {
    window.group.keys.get(end_key).as_i64().map(last_ms)
}

impl KeyedLogic for UserWindowAggregate {
    fn on_row(&mut self, cx: &mut KeyedContext<'_>, _input: usize, row: Row) -> Result<(), StateError> {
        if !self.live.contains_key(cx.key()) {
            let stored = self.windows.get(cx.store, cx.key(), &())?;
            let fresh = stored.is_none();
            let window = match stored {
                Some(window) => window,
                None => {
                    let Some(keys) = self.aggregates.builtins.eval.eval_row(&self.group_by, &row) else { return Ok(()) };
                    let group = Group { keys, partials: Row::empty(), rows: 0, fired: false };
                    Window { group, accumulators: Vec::new(), results: Row::empty() }
                }
            };
            let Some(last) = last(&window, self.end_key) else { return Ok(()) };
            if cx.is_late_for(last.saturating_add(self.lateness)) {
                cx.drop_late();
                return Ok(());
            }
            if fresh {
                cx.register_timer(last)?;
            }
            self.live.insert(cx.key().to_vec(), self.aggregates.live(window));
        }
        let Some(live) = self.live.get_mut(cx.key()) else { return Ok(()) };
        let Some(last) = last(&live.window, self.end_key) else { return Ok(()) };
        if cx.is_late_for(last.saturating_add(self.lateness)) {
            cx.drop_late();
            return Ok(());
        }
        if !live.window.group.fired && cx.is_late_for(last) {
            // The window fires before this row's time without it: the row updates the result
            // after that, at its own time (whatever order rows and timers come in).
            let arrival = cx.row_time().map_or(i64::MAX, |t| i64::try_from(t).unwrap_or(i64::MAX));
            self.late.add(cx.store, cx.key(), &arrival, &row)?;
            return cx.register_timer(arrival);
        }
        self.aggregates.add(cx, live, std::slice::from_ref(&row))
    }

    fn flush(&mut self, store: &mut KeyedStateStore) -> Result<(), StateError> {
        for (key, live) in self.live.drain() {
            self.windows.update(store, &key, &(), &Aggregates::stored(&live))?;
            self.buffered.add_all(store, &key, &(), &live.arrived)?;
        }
        Ok(())
    }

    fn on_timer(&mut self, cx: &mut KeyedContext<'_>, timestamp: i64) -> Result<(), StateError> {
        let key = cx.key().to_vec();
        let Some(window) = self.windows.get(cx.store, &key, &())? else { return Ok(()) };
        let Some(last) = last(&window, self.end_key) else { return Ok(()) };
        let mut live = self.aggregates.live(window);
        if !live.window.group.fired && timestamp >= last {
            let args = self.buffered.get(cx.store, &key, &())?;
            self.buffered.clear(cx.store, &key, &())?;
            live.window.group.fired = true;
            if live.window.group.rows > 0 && self.aggregates.update_users(&mut live.window, args) {
                cx.emit(self.aggregates.result(&live));
            }
            if self.lateness > 0 {
                cx.register_timer(last.saturating_add(self.lateness))?;
            }
        }
        let late = self.late.get(cx.store, &key, &timestamp)?;
        if !late.is_empty() {
            self.late.clear(cx.store, &key, &timestamp)?;
            self.aggregates.add(cx, &mut live, &late)?;
        }
        if timestamp >= last.saturating_add(self.lateness) {
            self.windows.clear(cx.store, &key, &())?;
            return self.aggregates.builtins.clear(cx);
        }
        self.windows.update(cx.store, &key, &(), &Aggregates::stored(&live))
    }
}
