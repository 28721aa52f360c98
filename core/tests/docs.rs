//! The job-spec documentation stays true: every example job in docs/job-spec.md validates, and
//! the published JSON Schema is the one the code generates.

use std::path::PathBuf;

use weir_core::plan::{job_spec_schema, parse_job_spec, validate};

fn repo_file(path: &str) -> String {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("cannot read {}: {e}", full.display()))
}

#[test]
fn every_documented_example_validates() {
    let doc = repo_file("docs/job-spec.md");
    let mut examples = 0;
    for block in doc.split("```json").skip(1) {
        let Some((json, _)) = block.split_once("```") else { panic!("unclosed json block") };
        let spec = parse_job_spec(json).unwrap_or_else(|e| panic!("example does not parse: {e}\n{json}"));
        validate(&spec).unwrap_or_else(|e| panic!("example does not validate: {e}\n{json}"));
        examples += 1;
    }
    assert!(examples >= 12, "expected an example per node kind, found {examples}");
}

#[test]
fn published_schema_is_current() {
    let published: serde_json::Value = serde_json::from_str(&repo_file("docs/job-spec.schema.json")).expect("schema file is JSON");
    assert_eq!(published, job_spec_schema(), "regenerate with: weir schema > docs/job-spec.schema.json");
}
