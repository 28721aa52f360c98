//! The Nexmark queries as SQL texts (`benches/nexmark/queries/qN.sql`, written as the Nexmark
//! project writes them for Flink SQL, each into a `blackhole` table) and the DDL of the three
//! source tables (`benches/nexmark/ddl.sql`). The texts are compiled in, so `weir-bench` needs no
//! checkout.

/// One Nexmark query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Query {
    /// Its name, `q0` ... `q22`, or `window-...` for the window benchmarks.
    pub name: &'static str,
    /// The `CREATE TABLE nexmark_qN (...) WITH ('connector' = 'blackhole'); INSERT INTO ...` text.
    pub sql: &'static str,
    /// Events per second of event time when `--tps` is not given (`None`: the suite's
    /// [`SUITE_TPS`]).
    pub tps: Option<u64>,
    /// Whether the harness also runs it in streaming mode (event-time watermarks) by default.
    pub streaming: bool,
}

impl Query {
    /// The rate of event time this query runs at: `tps` when given, else its own default.
    pub fn tps_or_default(&self, tps: Option<u64>) -> u64 {
        tps.or(self.tps).unwrap_or(SUITE_TPS)
    }
}

macro_rules! queries {
    ($tps:expr, $streaming:expr; $($name:literal),* $(,)?) => {
        &[$(Query {
            name: $name,
            sql: include_str!(concat!("../../nexmark/queries/", $name, ".sql")),
            tps: $tps,
            streaming: $streaming,
        }),*]
    };
}

/// Every query with a SQL text, in order. q6 (unsupported by Flink too), q10 (a partitioned
/// filesystem sink), q12 (processing time), q13 (a side-input file) and q14 (a Java UDF) are not
/// here.
pub const QUERIES: &[Query] = queries![None, false;
    "q0", "q1", "q2", "q3", "q4", "q5", "q7", "q8", "q9", "q11", "q15", "q16", "q17", "q18", "q19",
    "q20", "q21", "q22"
];

/// Event time of the window benchmarks advances at the Nexmark generator's default rate,
/// 10,000 events/s, so 10M events span 1,000 s: 100 tumbling windows of 10 s, and sessions with
/// a 10 s gap that actually end (at the suite's 10M/s, all of it would be one window).
pub const WINDOW_TPS: u64 = weir_core::connectors::nexmark::DEFAULT_RATE as u64;

/// The window benchmarks of the event-time issue (`--query windows`), each run in batch and in
/// streaming mode. `window-session` plans once the engine has SESSION windows; until then the
/// harness lists it with the engine's error.
pub const WINDOWS: &[Query] = queries![Some(WINDOW_TPS), true; "window-tumble", "window-session"];

/// The state benchmarks, run by name (`--query groupby-auction`): a regular streaming GROUP BY
/// over ever-new keys, for the memory run with and without `table.exec.state.ttl`.
pub const STATE: &[Query] = queries![None, true; "groupby-auction"];

/// The DDL of the `person`, `auction` and `bid` tables, with `${EVENTS_NUM}` and `${TPS}`.
pub const DDL: &str = include_str!("../../nexmark/ddl.sql");

/// Events per second of event time the Nexmark Flink suite configures (`TPS`).
pub const SUITE_TPS: u64 = 10_000_000;

/// The query named `name` (`q5` or `5`, `window-tumble`).
pub fn find(name: &str) -> Option<&'static Query> {
    let name = name.trim().to_ascii_lowercase();
    let numbered = name.strip_prefix('q').unwrap_or(&name);
    QUERIES.iter().find(|q| &q.name[1..] == numbered).or_else(|| WINDOWS.iter().chain(STATE).find(|q| q.name == name))
}

/// The whole script of `query` over a stream of `events` events whose event time advances at
/// `tps` events per second: the DDL, then the query.
pub fn script(query: &Query, events: u64, tps: u64) -> String {
    let ddl = DDL.replace("${EVENTS_NUM}", &events.to_string()).replace("${TPS}", &tps.to_string());
    format!("{ddl}\n{}", query.sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_placeholders() {
        assert_eq!(find("Q5").map(|q| q.name), Some("q5"));
        assert_eq!(find("1").map(|q| q.name), Some("q1"));
        assert!(find("q6").is_none());
        let s = script(find("q0").unwrap(), 1000, 10);
        assert!(s.contains("'events.num' = '1000'") && !s.contains("${"));
        assert_eq!(find("window-tumble").map(|q| q.tps), Some(Some(WINDOW_TPS)));
        assert!(find("indow-tumble").is_none());
        assert_eq!(find("groupby-auction").map(|q| q.name), Some("groupby-auction"));
        for q in QUERIES.iter().chain(WINDOWS).chain(STATE) {
            assert!(q.sql.contains(&format!("INSERT INTO nexmark_{}", q.name.replace('-', "_"))), "{}", q.name);
        }
    }
}
