//! [`RowBatch`]: the rows of one input message of a keyed operator, as its logic walks
//! through them ([`KeyedLogic::on_rows`](super::KeyedLogic::on_rows)).
//!
//! Each row is handled for its own key, exactly as if it were handed over alone: moving to
//! the next row first sends what the logic asked for while it handled the previous one (its
//! results, at that row's time, and the capabilities its timers need), then gives the next
//! row's key, time and state. A logic that calls out per row (a Python process function)
//! can so take the whole message in one call and still see every row alone.

use timely::dataflow::operators::{Capability, InputCapability};
use weir_state::{StateCodec, StateError};

use crate::types::{Row, Value};

use super::{Keyed, KeyedContext, Output, Time, Timers};

/// The row being handled: what its context is made of.
struct Current {
    input: usize,
    key: Row,
    encoded: Vec<u8>,
    row: Row,
    time: Time,
    /// Copies of the row still to hand over (its multiplicity minus those handed).
    left: isize,
    null_key: bool,
}

/// The rows of one input message, in arrival order (see the module).
pub struct RowBatch<'b, 'o> {
    op: &'b mut Timers,
    output: &'b mut Output<'o>,
    cap: &'b InputCapability<Time>,
    rows: std::vec::Drain<'b, (Keyed, Time, isize)>,
    current: Option<Current>,
    /// The capability the last row's requests went out under: the next row of the same time
    /// (most of a message) reuses it.
    sent_under: Option<Capability<Time>>,
    watermark: i64,
    null_keys_match: bool,
    fail: &'b dyn Fn(StateError),
    retraction: &'b dyn Fn(),
}

impl<'b, 'o> RowBatch<'b, 'o> {
    /// The rows of `data`, arrived under `cap`; `fail` reports a logic's state failure,
    /// `retraction` a retraction in the input (a broken invariant: the input is append-only).
    #[expect(clippy::too_many_arguments, reason = "the operator's parts a batch borrows, built in one place")]
    pub(super) fn new(
        op: &'b mut Timers,
        output: &'b mut Output<'o>,
        cap: &'b InputCapability<Time>,
        data: &'b mut Vec<(Keyed, Time, isize)>,
        watermark: i64,
        null_keys_match: bool,
        fail: &'b dyn Fn(StateError),
        retraction: &'b dyn Fn(),
    ) -> RowBatch<'b, 'o> {
        RowBatch { op, output, cap, rows: data.drain(..), current: None, sent_under: None, watermark, null_keys_match, fail, retraction }
    }

    /// Moves to the next row (a row of multiplicity `n` comes `n` times), sending what the
    /// logic asked for while handling the previous one; the row's input and the row, or None
    /// when the batch is over.
    pub fn advance(&mut self) -> Option<(usize, Row)> {
        self.finish_current();
        if let Some(current) = self.current.as_mut().filter(|c| c.left > 0) {
            current.left -= 1;
            return Some((current.input, current.row.clone()));
        }
        loop {
            let ((input, key, row), time, diff) = self.rows.next()?;
            if diff <= 0 {
                (self.retraction)();
                continue;
            }
            let null_key = self.null_keys_match && key.values().iter().any(Value::is_null);
            // The previous row's key buffer takes this one's encoding.
            let mut encoded = self.current.take().map(|c| c.encoded).unwrap_or_default();
            encoded.clear();
            key.encode(&mut encoded);
            let handed = row.clone();
            self.current = Some(Current { input, key, encoded, row, time, left: diff - 1, null_key });
            return Some((input, handed));
        }
    }

    /// The context of the current row: its key, time, state and timers. Before the first
    /// [`RowBatch::advance`] or after the last, a context with no key (a logic asks none then).
    pub fn context(&mut self) -> KeyedContext<'_> {
        match &self.current {
            Some(c) => self.op.context(&c.encoded, self.watermark, Some(c.time.ms), c.null_key),
            None => self.op.context(&[], self.watermark, None, false),
        }
    }

    /// The current row's key values (the key expressions on the row).
    pub fn key(&self) -> Option<&Row> {
        self.current.as_ref().map(|c| &c.key)
    }

    /// The current processing time in epoch milliseconds (the store's clock).
    pub fn current_processing_time(&self) -> i64 {
        self.op.store.now_millis()
    }

    /// Reports a failure of the logic's state (the job fails with it).
    pub fn fail(&self, e: StateError) {
        (self.fail)(e);
    }

    /// Sends what the logic asked for while handling the current row, at its time.
    fn finish_current(&mut self) {
        let Some(current) = &self.current else { return };
        if self.op.requests.is_empty() {
            return;
        }
        let at = match self.sent_under.take() {
            Some(cap) if *cap.time() == current.time => cap,
            _ => self.cap.delayed(&current.time, self.output.output_index()),
        };
        self.op.send(&at, current.time);
        self.sent_under = Some(at);
    }
}

impl Drop for RowBatch<'_, '_> {
    /// The last row's requests go out too, also when a logic stopped before the end (it
    /// failed: the rows it left are dropped with the failing job).
    fn drop(&mut self) {
        self.finish_current();
    }
}
