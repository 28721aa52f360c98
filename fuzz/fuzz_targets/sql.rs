//! The SQL front end: a script is split, parsed, planned and validated after a prelude of
//! tables (the golden cases' scripts declare their own); every planned job must encode as
//! JSON and read back as a job spec. Errors are fine; panics, stack overflows and hangs are not.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use weir_core::sql::{SqlOutcome, SqlSession};

const PRELUDE: &str = "
CREATE TABLE bids (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'datagen', 'number-of-rows' = '10');
CREATE TABLE auctions (id BIGINT, seller BIGINT, category BIGINT, name STRING)
  WITH ('connector' = 'datagen', 'number-of-rows' = '10');
CREATE TABLE persons (id BIGINT, name STRING, state STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '10');
";

fn prelude() -> &'static SqlSession {
    static SESSION: OnceLock<SqlSession> = OnceLock::new();
    SESSION.get_or_init(|| {
        let mut session = SqlSession::new();
        if let Err(e) = session.execute_script(PRELUDE) {
            panic!("the fuzz prelude does not plan: {e}");
        }
        session
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(script) = std::str::from_utf8(data) else { return };
    let mut session = prelude().clone();
    let Ok(outcomes) = session.execute_script(script) else { return };
    for outcome in outcomes {
        if let SqlOutcome::Query(spec) | SqlOutcome::Job(spec) = outcome {
            let text = match serde_json::to_string(&spec) {
                Ok(text) => text,
                Err(e) => panic!("a planned job does not encode as JSON: {e}"),
            };
            if let Err(e) = weir_core::plan::parse_job_spec(&text) {
                panic!("a planned job does not read back: {e}\n{text}");
            }
        }
    }
});
