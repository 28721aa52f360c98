//! Deduplication on processing time keeping the first row (Flink's
//! `ProcTimeDeduplicateKeepFirstRowFunction`): `ROW_NUMBER() OVER (PARTITION BY k ORDER BY pt)
//! .. WHERE rn = 1` with `pt` a `PROCTIME()` attribute. The first row of a key to arrive is
//! the first in processing time, so it goes out and stays: every later row of the key is
//! dropped, and the output only ever inserts (`[I]`), as Flink's does. The state is one flag
//! per key; with a time-to-live it expires, and the key's next row goes out again (Flink's
//! behaviour with `table.exec.state.ttl`).

use std::collections::HashSet;

use weir_state::codec::encode_to_vec;
use weir_state::{KeyedStateStore, StateError, ValueState};

use crate::expr::CompiledExpr;
use crate::job::JobContext;
use crate::types::Row;

use super::super::{Evaluator, Rows};
use super::timed::{TimedLogic, timed, ttl};

/// The first row per `key` of the append-only `input`, in arrival order, on keyed state.
pub fn keyed_first_rows<'s>(node: &str, index: usize, input: Rows<'s>, key: Vec<CompiledExpr>, eval: Evaluator, ctx: JobContext) -> Rows<'s> {
    let keyed = input.flat_map(move |row| Some((eval.eval_row(&key, &row)?, row)));
    let seen = ValueState::new("first-row-seen");
    let logic = FirstRows {
        seen: match ttl(&ctx) {
            Some(ttl) => seen.with_ttl(ttl),
            None => seen,
        },
    };
    timed(node, index, "Deduplicate", keyed.inner, |(key, _): &(Row, Row)| key, logic, ctx)
}

/// The logic of a first-row deduplication (see the module docs).
struct FirstRows {
    /// Set once a key's first row has gone out.
    seen: ValueState<bool>,
}

impl TimedLogic for FirstRows {
    type Change = (Row, Row);

    /// Goes through one time's rows in arrival order: a key's first row goes out.
    fn apply(&mut self, store: &mut KeyedStateStore, changes: &mut Vec<((Row, Row), isize)>, out: &mut Vec<(Row, isize)>) -> Result<(), StateError> {
        for ((key, row), diff) in changes.drain(..) {
            if diff <= 0 {
                continue;
            }
            let key = encode_to_vec(&key);
            if self.seen.get(store, &key, &())?.is_none() {
                self.seen.update(store, &key, &(), &true)?;
                out.push((row, 1));
            }
        }
        Ok(())
    }

    /// Keeps each key's first row, in arrival order: the later ones can never go out.
    fn compact(&self, changes: &mut Vec<((Row, Row), isize)>) -> bool {
        let mut keys = HashSet::new();
        changes.retain(|((key, _), diff)| *diff > 0 && keys.insert(key.clone()));
        true
    }

    fn cleanup_expired(&mut self, store: &mut KeyedStateStore) -> Result<u64, StateError> {
        self.seen.cleanup_expired(store)
    }
}
