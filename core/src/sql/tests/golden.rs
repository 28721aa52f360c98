//! Every golden case under `tests/sql/` plans (its CSV paths resolved against the case
//! directory); the runner in `tests/` executes them and compares with DuckDB.

use std::path::Path;

use crate::sql::{SqlOutcome, SqlSession};

#[test]
fn golden_cases_plan() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/sql");
    let mut cases: Vec<_> = std::fs::read_dir(&root).expect("tests/sql exists").flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    assert!(cases.len() >= 10, "{} cases", cases.len());
    for dir in cases {
        let script = std::fs::read_to_string(dir.join("query.sql")).expect("query.sql");
        let mut session = SqlSession::new();
        session.set_base_dir(&dir);
        let out = session.execute_script(&script).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let Some(SqlOutcome::Query(job)) = out.last() else { panic!("{}: the last statement is not a query", dir.display()) };
        crate::plan::validate(job).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
}
