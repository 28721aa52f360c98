//! A window's contents: the elements a batch of rows gathered for it ([`KeyBatch`]), stored
//! when the batch ends or the contents are needed; an accumulator's elements waiting for it and
//! folded in one call; firing the function with the contents (through the evictor, if any);
//! purging them; moving merged windows' contents into the merged window.

use weir_state::{KeyedStateStore, StateError};

use crate::udf::window::{Fired, Window, WindowContents};

use super::super::KeyedContext;
use super::evict::{self, Evictor};
use super::{Element, FOLD_AT, WindowOperator, elements, ns, stored};

/// What one key gathered in the current batch of rows: elements per window, not yet in
/// state, and the default trigger's timers already registered (registering again would be a
/// no-op).
#[derive(Default)]
pub(super) struct KeyBatch {
    pub(super) windows: Vec<(Window, Vec<Vec<u8>>)>,
    pub(super) timers: Vec<(i64, bool)>,
    /// The key's element count (count windows), written back at the end of the batch.
    pub(super) count: Option<i64>,
}

impl WindowOperator {
    /// Adds an element to `w` (gathered until the batch ends or the contents are needed).
    pub(super) fn add(&mut self, key: &[u8], w: Window, element: Vec<u8>) {
        let batch = match self.pending.get_mut(key) {
            Some(b) => b,
            None => self.pending.entry(key.to_vec()).or_default(),
        };
        match batch.windows.iter_mut().find(|(x, _)| *x == w) {
            Some((_, elements)) => elements.push(element),
            None => batch.windows.push((w, vec![element])),
        }
    }

    /// Stores the gathered elements of `w`.
    fn settle(&mut self, store: &mut KeyedStateStore, key: &[u8], w: Window) -> Result<(), StateError> {
        let Some(batch) = self.pending.get_mut(key) else { return Ok(()) };
        let Some(slot) = batch.windows.iter_mut().find(|(x, _)| *x == w) else { return Ok(()) };
        let elements = std::mem::take(&mut slot.1);
        self.store_elements(store, key, w, elements)
    }

    /// Appends `elements` to `w`'s contents (for an accumulator: to the elements waiting for
    /// it, folded once [`FOLD_AT`] of them wait).
    pub(super) fn store_elements(&mut self, store: &mut KeyedStateStore, key: &[u8], w: Window, elements: Vec<Vec<u8>>) -> Result<(), StateError> {
        if elements.is_empty() {
            return Ok(());
        }
        match self.contents {
            WindowContents::Elements => self.elements.add_all(store, key, &ns(w), &stored(elements)),
            WindowContents::Accumulator => {
                let count = elements.len();
                self.unfolded.add_all(store, key, &ns(w), &stored(elements))?;
                let waiting = self.waiting.entry((key.to_vec(), w)).or_default();
                *waiting += count;
                if *waiting >= FOLD_AT { self.fold(store, key, w) } else { Ok(()) }
            }
        }
    }

    /// Folds the elements waiting for `w`'s accumulator into it.
    fn fold(&mut self, store: &mut KeyedStateStore, key: &[u8], w: Window) -> Result<(), StateError> {
        self.waiting.remove(&(key.to_vec(), w));
        let elements = elements(self.unfolded.get(store, key, &ns(w))?);
        if elements.is_empty() {
            return Ok(());
        }
        self.unfolded.clear(store, key, &ns(w))?;
        let current = self.acc.get(store, key, &ns(w))?;
        let Some(instance) = self.f.instance() else { return Ok(()) };
        match instance.accumulate(current.as_deref(), &elements) {
            Ok(acc) => self.acc.update(store, key, &ns(w), &acc),
            Err(e) => {
                self.f.fail(e);
                Ok(())
            }
        }
    }

    /// Evaluates `w` of the current key (nothing when it is empty).
    pub(super) fn fire(&mut self, cx: &mut KeyedContext<'_>, w: Window, watermark: i64) -> Result<(), StateError> {
        let key = cx.key();
        self.settle(cx.store, key, w)?;
        match self.contents {
            WindowContents::Accumulator => {
                self.fold(cx.store, key, w)?;
                let Some(acc) = self.acc.get(cx.store, key, &ns(w))? else { return Ok(()) };
                self.f.with_scope(cx, watermark, |f, scope| f.fire(scope, w, Fired::Accumulator(&acc)))
            }
            WindowContents::Elements => {
                let elements = elements(self.elements.get(cx.store, key, &ns(w))?);
                if elements.is_empty() {
                    return Ok(());
                }
                match self.evictor.clone() {
                    Some(evictor) => self.fire_evicting(cx, w, &evictor, &elements, watermark),
                    None => self.f.with_scope(cx, watermark, |f, scope| f.fire(scope, w, Fired::Elements(&elements))),
                }
            }
        }
    }

    /// Evaluates `w` of the current key whose `stored` elements (with their timestamps) the
    /// evictor thins before and after the function runs; writes back what remains.
    fn fire_evicting(&mut self, cx: &mut KeyedContext<'_>, w: Window, evictor: &Evictor, stored: &[Vec<u8>], watermark: i64) -> Result<(), StateError> {
        let mut items = match stored.iter().map(|s| evict::unstamp(s)).collect::<Result<Vec<_>, _>>() {
            Ok(items) => items,
            Err(e) => return Err(StateError::CorruptValue { state: "window/elements".into(), detail: e.to_string() }),
        };
        evictor.evict(&mut self.f, cx, w, &mut items, true, watermark)?;
        let values: Vec<Vec<u8>> = items.iter().map(|(_, e)| e.clone()).collect();
        if !values.is_empty() {
            self.f.with_scope(cx, watermark, |f, scope| f.fire(scope, w, Fired::Elements(&values)))?;
        }
        evictor.evict(&mut self.f, cx, w, &mut items, false, watermark)?;
        if items.len() != stored.len() {
            let kept: Vec<Element> = items.into_iter().map(|(t, e)| Element(evict::stamp(t, &e))).collect();
            if kept.is_empty() {
                self.elements.clear(cx.store, cx.key(), &ns(w))?;
            } else {
                self.elements.update(cx.store, cx.key(), &ns(w), &kept)?;
            }
        }
        Ok(())
    }

    /// Drops `w`'s contents; whether it had any in state.
    pub(super) fn purge(&mut self, cx: &mut KeyedContext<'_>, w: Window) -> Result<bool, StateError> {
        let key = cx.key();
        if let Some(batch) = self.pending.get_mut(key)
            && let Some(slot) = batch.windows.iter_mut().find(|(x, _)| *x == w)
        {
            slot.1.clear();
        }
        let existed = match self.contents {
            WindowContents::Accumulator => {
                self.waiting.remove(&(key.to_vec(), w));
                let unfolded = !self.unfolded.get(cx.store, key, &ns(w))?.is_empty();
                self.unfolded.clear(cx.store, key, &ns(w))?;
                let existed = unfolded || self.acc.get(cx.store, key, &ns(w))?.is_some();
                self.acc.clear(cx.store, key, &ns(w))?;
                existed
            }
            WindowContents::Elements => {
                let existed = !self.elements.get(cx.store, key, &ns(w))?.is_empty();
                self.elements.clear(cx.store, key, &ns(w))?;
                existed
            }
        };
        Ok(existed)
    }

    /// Moves the contents of `parts` (in window order) into `result`.
    pub(super) fn merge_contents(&mut self, cx: &mut KeyedContext<'_>, parts: &[Window], result: Window) -> Result<(), StateError> {
        let key = cx.key();
        for &w in parts {
            self.settle(cx.store, key, w)?;
        }
        match self.contents {
            WindowContents::Elements => {
                let mut all = Vec::new();
                for &w in parts {
                    all.extend(self.elements.get(cx.store, key, &ns(w))?);
                    self.elements.clear(cx.store, key, &ns(w))?;
                }
                if !all.is_empty() {
                    self.elements.update(cx.store, key, &ns(result), &all)?;
                }
            }
            WindowContents::Accumulator => {
                let mut accs = Vec::new();
                for &w in parts {
                    self.fold(cx.store, key, w)?;
                    accs.extend(self.acc.get(cx.store, key, &ns(w))?);
                    self.acc.clear(cx.store, key, &ns(w))?;
                }
                let merged = match accs.len() {
                    0 => return Ok(()),
                    1 => accs.pop(),
                    _ => match self.f.instance().map(|i| i.merge(&accs)) {
                        Some(Ok(acc)) => Some(acc),
                        Some(Err(e)) => {
                            self.f.fail(e);
                            None
                        }
                        None => None,
                    },
                };
                if let Some(acc) = merged {
                    self.acc.update(cx.store, key, &ns(result), &acc)?;
                }
            }
        }
        Ok(())
    }
}
