//! Slices of HOP and CUMULATE windows, as Flink's `SliceAssigners` cut them: the time axis is
//! divided into slices that never straddle a window boundary, so every window is a run of
//! whole slices and a row belongs to exactly one slice, however many windows hold it.
//!
//! * HOP windows `[start, start + size)`, starts `slide` apart: slices of `gcd(size, slide)`
//!   (the slide itself when it divides the size, as Flink requires; the GCD keeps windows whose
//!   slide does not divide the size, which Weir supports, a run of whole slices too). A window
//!   is its `size / slice` slices; a slice is in up to `size / slide` windows (none when the
//!   slide is larger than the size and the slice lies in a gap between windows).
//! * CUMULATE windows `[start, start + k * step)` for `k = 1 ..= size / step`, starts `size`
//!   apart: slices of one step. A window is the slices from its start to its end.
//!
//! Slices are named by their end (exclusive, epoch ms), windows by theirs.

use crate::plan::{WindowKind, WindowSpec};

use super::window::start_with_offset;

/// How one HOP or CUMULATE window specification cuts time into slices (see the module
/// documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slicing {
    /// HOP or CUMULATE.
    cumulate: bool,
    /// The window size (CUMULATE: the largest window).
    size: i64,
    /// HOP: how far window starts are apart; CUMULATE: the step between window ends.
    slide: i64,
    /// How far window starts shift from the epoch.
    offset: i64,
    /// The slice length: divides both `size` and `slide`.
    slice: i64,
}

/// The greatest common divisor of two positive numbers.
fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

impl Slicing {
    /// The slicing of `spec`; `None` for TUMBLE and SESSION windows (a tumbling window is its
    /// own slice; sessions depend on their rows) and for sizes that do not fit an `i64`.
    pub fn new(spec: &WindowSpec) -> Option<Slicing> {
        let size = i64::try_from(spec.size_ms).ok().filter(|s| *s > 0)?;
        let slide = i64::try_from(spec.slide_ms).ok().filter(|s| *s > 0)?;
        let (cumulate, slice) = match spec.kind {
            WindowKind::Hop => (false, gcd(size, slide)),
            WindowKind::Cumulate if size % slide == 0 => (true, slide),
            _ => return None,
        };
        Some(Slicing { cumulate, size, slide, offset: spec.offset_ms, slice })
    }

    /// The slice length in ms.
    pub fn slice_ms(&self) -> i64 {
        self.slice
    }

    /// How many slices the largest window spans (HOP: every window).
    pub fn slices_per_window(&self) -> i64 {
        self.size / self.slice
    }

    /// The end of the slice holding event time `ts`.
    pub fn slice_end(&self, ts: i64) -> i64 {
        start_with_offset(ts, self.offset, self.slice).saturating_add(self.slice)
    }

    /// The ends of the first and the last window holding the slice ending at `slice_end`, or
    /// `None` when no window holds it (a HOP gap).
    pub fn windows_of_slice(&self, slice_end: i64) -> Option<(i64, i64)> {
        if self.cumulate {
            let start = start_with_offset(slice_end - 1, self.offset, self.size);
            return Some((slice_end, start.saturating_add(self.size)));
        }
        // Window starts `s` on the slide's grid with `slice_end - size <= s <= slice_end - slice`.
        let lowest = slice_end.saturating_sub(self.size);
        let first = lowest.saturating_add((self.offset - lowest).rem_euclid(self.slide));
        let last = start_with_offset(slice_end - self.slice, self.offset, self.slide);
        (first <= last).then(|| (first.saturating_add(self.size), last.saturating_add(self.size)))
    }

    /// Whether some window ends at `end`.
    pub fn is_window_end(&self, end: i64) -> bool {
        // HOP ends lie `size` after the starts' grid; CUMULATE ends on the steps' grid.
        let origin = if self.cumulate { self.offset } else { self.offset.wrapping_add(self.size) };
        end.wrapping_sub(origin).rem_euclid(self.slide) == 0
    }

    /// The start of the window ending at `end` (a window end).
    pub fn window_start(&self, end: i64) -> i64 {
        if self.cumulate { start_with_offset(end - 1, self.offset, self.size) } else { end.saturating_sub(self.size) }
    }

    /// The end of the window after the one ending at `end` that can share its slices: HOP the
    /// next one; CUMULATE the next one of the same period, `None` after its largest window.
    pub fn next_window(&self, end: i64) -> Option<i64> {
        let next = end.saturating_add(self.slide);
        (!self.cumulate || next <= self.window_start(end).saturating_add(self.size)).then_some(next)
    }

    /// Whether a window is merged from its last slice back to its first (HOP, as Flink's
    /// `HoppingSliceAssigner` lists them) rather than from its first on (CUMULATE, whose
    /// windows Flink grows slice by slice). The order shows in FLOAT sums.
    pub fn merges_backwards(&self) -> bool {
        !self.cumulate
    }
}

#[cfg(test)]
mod tests {
    use super::super::window::windows_of;
    use super::*;

    fn spec(kind: WindowKind, size_ms: u64, slide_ms: u64, offset_ms: i64) -> WindowSpec {
        WindowSpec { kind, size_ms, slide_ms, offset_ms }
    }

    /// The windows of `ts` by way of its slice, as `windows_of` assigns them directly.
    fn windows_by_slice(s: &Slicing, ts: i64) -> Vec<(i64, i64)> {
        let Some((first, last)) = s.windows_of_slice(s.slice_end(ts)) else { return Vec::new() };
        let mut out = Vec::new();
        let mut end = first;
        while end <= last {
            assert!(s.is_window_end(end), "{end} is a window end");
            out.push((s.window_start(end), end));
            match s.next_window(end) {
                Some(next) => end = next,
                None => break,
            }
        }
        out
    }

    #[test]
    fn every_row_lies_in_the_windows_of_its_slice() {
        let specs = [
            spec(WindowKind::Hop, 10, 5, 0),
            spec(WindowKind::Hop, 10, 4, 1),
            spec(WindowKind::Hop, 5, 2, 0),
            spec(WindowKind::Hop, 2, 5, 0),
            spec(WindowKind::Hop, 6, 6, -2),
            spec(WindowKind::Cumulate, 10, 2, 0),
            spec(WindowKind::Cumulate, 8, 4, 2),
            spec(WindowKind::Cumulate, 6, 2, -1),
        ];
        for spec in specs {
            let slicing = Slicing::new(&spec).expect("a sliced window");
            for ts in -40..40 {
                assert_eq!(windows_by_slice(&slicing, ts), windows_of(&spec, ts), "{spec:?} at {ts}");
                let end = slicing.slice_end(ts);
                assert!(end > ts && end - slicing.slice_ms() <= ts, "{spec:?}: {ts} in its slice");
            }
        }
    }

    #[test]
    fn slices_are_the_gcd_of_size_and_slide_or_the_step() {
        let hop = Slicing::new(&spec(WindowKind::Hop, 10_000, 4_000, 0)).expect("hop");
        assert_eq!((hop.slice_ms(), hop.slices_per_window(), hop.merges_backwards()), (2_000, 5, true));
        let cumulate = Slicing::new(&spec(WindowKind::Cumulate, 60, 20, 0)).expect("cumulate");
        assert_eq!((cumulate.slice_ms(), cumulate.slices_per_window(), cumulate.merges_backwards()), (20, 3, false));
        assert_eq!(cumulate.next_window(60), None, "a period's last window shares nothing with the next period");
        assert_eq!(Slicing::new(&spec(WindowKind::Tumble, 10, 10, 0)), None);
        assert_eq!(Slicing::new(&spec(WindowKind::Hop, 2, 5, 0)).and_then(|s| s.windows_of_slice(4)), None, "a gap between windows");
    }
}
