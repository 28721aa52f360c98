//! Whether the process takes its memory from the kernel in transparent huge pages (2 MiB) or
//! in base pages (4 KiB).
//!
//! Weir's rows, batches and state are many small allocations that mimalloc spreads over large
//! arenas it asks the kernel to back with huge pages. Each first touch of such a range then
//! faults in and zeroes a whole 2 MiB page, most of which a sparse arena may never use, and
//! memory freed and reused faults in again after mimalloc hands it back. Measured on the
//! benchmark machines (`benches/README.md`, "Transparent huge pages"), base pages cut Nexmark
//! q7 to 0.70x the CPU, q5 and `window-tumble` to 0.90–0.94x, and the 10M-row group-by's peak
//! memory from ~150 to ~115 MiB, at 1–4% more user time (more TLB misses). Redis and
//! MongoDB advise the same for theirs.

/// The environment variable (mimalloc's own) that, when set, decides instead: `1` keeps
/// transparent huge pages, `0` turns them off.
pub const ALLOW_THP_VARIABLE: &str = "MIMALLOC_ALLOW_THP";

/// Turns transparent huge pages off for this whole process (Linux's `PR_SET_THP_DISABLE`),
/// unless [`ALLOW_THP_VARIABLE`] is set, in which case mimalloc has applied that choice at
/// start-up. Call it first thing in `main`, before the workers allocate. Elsewhere than on
/// Linux, and where the kernel refuses, nothing changes (it is a speed setting, never an error).
pub fn prefer_base_pages() {
    if std::env::var_os(ALLOW_THP_VARIABLE).is_some() {
        return;
    }
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes one integer argument (the rest must be 0) and only
    // changes how the kernel backs this process's future page faults.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether transparent huge pages are off for this process (`THP_enabled: 0` in
    /// `/proc/self/status`), or `None` where the kernel does not say.
    fn base_pages_preferred() -> Option<bool> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find_map(|l| l.strip_prefix("THP_enabled:"))?;
        Some(line.trim() == "0")
    }

    #[test]
    fn the_process_runs_on_base_pages_unless_told_otherwise() {
        if std::env::var_os(ALLOW_THP_VARIABLE).is_some() {
            return;
        }
        prefer_base_pages();
        if let Some(off) = base_pages_preferred() {
            assert!(off, "THP_enabled is still 1 after PR_SET_THP_DISABLE");
        }
    }
}
