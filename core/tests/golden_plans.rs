//! The physical plan of every golden case (`tests/golden/<case>/job.json`) is checked in beside
//! it as `job.plan` — the plan in batch and in streaming mode, as `weir explain` prints it — so
//! that a change of operator choice is a reviewed diff. `WEIR_UPDATE_PLANS=1` rewrites them.
//! `tests/python/test_golden.py` compares the same files with the `weir` binary's output.

use std::path::{Path, PathBuf};

use weir_core::plan::{RuntimeMode, parse_job_spec};
use weir_core::prepare::{PrepareOptions, PreparedJob};

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.join("job.json").exists() && p.join("oracle.sql").exists())
        .collect();
    cases.sort();
    cases
}

/// What `weir explain job.json --mode <mode>` prints for the case in the current directory
/// (the first line of its error when planning fails).
fn explain(mode: RuntimeMode) -> String {
    let text = std::fs::read_to_string("job.json").expect("job.json reads");
    let spec = parse_job_spec(&text).expect("job.json parses");
    match PreparedJob::prepare(spec, &PrepareOptions { mode: Some(mode), ..PrepareOptions::default() }) {
        Ok(job) => job.explain(true),
        Err(e) => format!("error: job.json: {e}\n"),
    }
}

#[test]
fn every_golden_case_has_its_physical_plan_checked_in() {
    let cases = cases();
    assert!(cases.len() >= 5, "golden cases are missing");
    let update = std::env::var("WEIR_UPDATE_PLANS").is_ok_and(|v| v == "1");
    let mut changed = Vec::new();
    for case in cases {
        // Connector paths are relative to the case directory, as when `weir` runs there. This
        // is the only test of this binary, so changing the directory races with nothing.
        std::env::set_current_dir(&case).expect("the case directory exists");
        let plans = [RuntimeMode::Batch, RuntimeMode::Streaming]
            .map(|mode| format!("== {} ==\n{}", if mode == RuntimeMode::Batch { "batch" } else { "streaming" }, explain(mode)))
            .join("\n");
        let file = case.join("job.plan");
        if update {
            std::fs::write(&file, &plans).expect("job.plan writes");
        }
        if std::fs::read_to_string(&file).ok().as_deref() != Some(plans.as_str()) {
            changed.push(format!("{}:\n{plans}", case.display()));
        }
    }
    assert!(changed.is_empty(), "physical plans changed (review, then regenerate with WEIR_UPDATE_PLANS=1):\n{}", changed.join("\n"));
}
