//! The window function as a window operator holds it: made on its worker's thread on first
//! use, called with the operator's scope for the current key, and stopped for good at its first
//! failure (reported once).

use std::collections::HashMap;
use std::sync::Arc;

use weir_state::StateError;
use weir_state::codec::decode_exact;

use crate::expr::EvalError;
use crate::types::Row;
use crate::udf::window::{UserWindowFunction, WindowInstance};

use super::super::super::Evaluator;
use super::super::KeyedContext;
use super::super::process::{Handle, Scope};

/// A window operator's function and its instance.
pub(super) struct FunctionCell {
    function: Arc<dyn UserWindowFunction>,
    /// Made on the first call, on the worker's thread.
    instance: Option<Box<dyn WindowInstance>>,
    worker: (usize, usize),
    /// The state a window function's context uses (`ProcessWindowFunction.Context`).
    states: HashMap<String, Handle>,
    eval: Evaluator,
    /// The function failed: the operator does nothing more.
    pub(super) failed: bool,
}

impl FunctionCell {
    pub(super) fn new(function: Arc<dyn UserWindowFunction>, worker: (usize, usize), eval: Evaluator) -> Self {
        FunctionCell { function, instance: None, worker, states: HashMap::new(), eval, failed: false }
    }

    /// The function's instance, made on first use; `None` once the function failed.
    pub(super) fn instance(&mut self) -> Option<&mut (dyn WindowInstance + 'static)> {
        if self.failed {
            return None;
        }
        if self.instance.is_none() {
            match self.function.instantiate(self.worker.0, self.worker.1) {
                Ok(i) => self.instance = Some(i),
                Err(e) => {
                    self.fail(e);
                    return None;
                }
            }
        }
        self.instance.as_deref_mut()
    }

    /// Reports `e` (the first failure only) and stops the operator.
    pub(super) fn fail(&mut self, e: EvalError) {
        if !self.failed {
            self.failed = true;
            self.eval.report(e);
        }
    }

    /// Whether the instance (if made) wants to hear of windows being cleaned up.
    pub(super) fn clears(&self) -> bool {
        self.instance.as_deref().is_some_and(|i| i.clears())
    }

    /// Runs `f` with the function's view of the operator for the current key.
    pub(super) fn with_scope(
        &mut self,
        cx: &mut KeyedContext<'_>,
        watermark: i64,
        f: impl FnOnce(&mut dyn WindowInstance, &mut Scope<'_, '_>) -> Result<(), EvalError>,
    ) -> Result<(), StateError> {
        let key: Row = decode_exact(cx.key()).map_err(|e| StateError::CorruptValue { state: "window key".into(), detail: e.to_string() })?;
        if self.instance().is_none() {
            return Ok(());
        }
        let Some(instance) = self.instance.as_deref_mut() else { return Ok(()) };
        let mut scope = Scope { cx, key, watermark, states: &mut self.states };
        if let Err(e) = f(instance, &mut scope) {
            self.fail(e);
        }
        Ok(())
    }

    /// The input has ended: closes the instance.
    pub(super) fn close(&mut self) {
        if self.failed {
            return;
        }
        if let Some(e) = self.instance.as_deref_mut().and_then(|i| i.close().err()) {
            self.fail(e);
        }
    }
}
