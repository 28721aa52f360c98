//! Evictors (Flink's `CountEvictor`, `TimeEvictor` and user-written ones, `DeltaEvictor` among
//! them): what a firing window's elements lose before the function sees them, or after. Count
//! and time evictors run here; a user-written one is asked through the window function.
//!
//! A window with an evictor stores each element with its timestamp ([`stamp`]): a flag byte
//! (1: a timestamp follows), the timestamp's 8 bytes (big endian), then the record.

use weir_state::StateError;

use crate::expr::EvalError;
use crate::udf::window::{Window, WindowEvictor};

use super::super::KeyedContext;
use super::function::FunctionCell;

/// A window's element as the evictor sees it: its timestamp and its record.
pub(super) type Stamped = (Option<i64>, Vec<u8>);

/// `element` with its `timestamp`, as stored.
pub(super) fn stamp(timestamp: Option<i64>, element: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(element.len() + 9);
    match timestamp {
        Some(t) => {
            out.push(1);
            out.extend_from_slice(&t.to_be_bytes());
        }
        None => out.extend_from_slice(&[0; 9]),
    }
    out.extend_from_slice(element);
    out
}

/// A stored element back as its timestamp and record.
pub(super) fn unstamp(stored: &[u8]) -> Result<Stamped, EvalError> {
    let (head, element) = stored.split_at_checked(9).ok_or_else(|| EvalError::new("a window element without its timestamp"))?;
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&head[1..]);
    let timestamp = (head[0] == 1).then(|| i64::from_be_bytes(bytes));
    Ok((timestamp, element.to_vec()))
}

/// A window operator's evictor.
#[derive(Clone, Debug)]
pub(super) struct Evictor(pub(super) WindowEvictor);

impl Evictor {
    /// Removes from `items` (window `w`'s elements, in arrival order) what the evictor evicts
    /// `before` the function runs, or after it.
    pub(super) fn evict(
        &self,
        f: &mut FunctionCell,
        cx: &mut KeyedContext<'_>,
        w: Window,
        items: &mut Vec<Stamped>,
        before: bool,
        watermark: i64,
    ) -> Result<(), StateError> {
        match self.0 {
            WindowEvictor::Count { max_count, evict_after } if evict_after != before => {
                let keep = usize::try_from(max_count).unwrap_or(usize::MAX);
                if items.len() > keep {
                    items.drain(..items.len() - keep);
                }
            }
            // Flink's TimeEvictor: nothing without timestamps (judged by the first element);
            // else elements at or before the newest timestamp minus the window size go.
            WindowEvictor::Time { window_ms, evict_after } if evict_after != before && items.first().is_some_and(|(t, _)| t.is_some()) => {
                let newest = items.iter().filter_map(|(t, _)| *t).max().unwrap_or(i64::MIN);
                let cutoff = newest.saturating_sub(window_ms);
                items.retain(|(t, _)| t.unwrap_or(i64::MIN) > cutoff);
            }
            WindowEvictor::User => {
                let elements: Vec<Vec<u8>> = items.iter().map(|(_, e)| e.clone()).collect();
                let timestamps: Vec<Option<i64>> = items.iter().map(|(t, _)| *t).collect();
                let mut kept = None;
                f.with_scope(cx, watermark, |f, scope| {
                    kept = Some(f.evict(scope, w, &elements, &timestamps, before)?);
                    Ok(())
                })?;
                if let Some(kept) = kept {
                    let mut all: Vec<Option<Stamped>> = std::mem::take(items).into_iter().map(Some).collect();
                    items.extend(kept.into_iter().filter_map(|i| all.get_mut(i).and_then(Option::take)));
                }
            }
            _ => {}
        }
        Ok(())
    }
}
