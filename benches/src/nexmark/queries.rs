//! The Nexmark queries as SQL texts (`benches/nexmark/queries/qN.sql`, written as the Nexmark
//! project writes them for Flink SQL, each into a `blackhole` table) and the DDL of the three
//! source tables (`benches/nexmark/ddl.sql`). The texts are compiled in, so `weir bench` needs no
//! checkout.

/// One Nexmark query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Query {
    /// Its name, `q0` ... `q22`.
    pub name: &'static str,
    /// The `CREATE TABLE nexmark_qN (...) WITH ('connector' = 'blackhole'); INSERT INTO ...` text.
    pub sql: &'static str,
}

macro_rules! queries {
    ($($name:literal),* $(,)?) => {
        &[$(Query { name: $name, sql: include_str!(concat!("../../nexmark/queries/", $name, ".sql")) }),*]
    };
}

/// Every query with a SQL text, in order. q6 (unsupported by Flink too), q10 (a partitioned
/// filesystem sink), q12 (processing time), q13 (a side-input file) and q14 (a Java UDF) are not
/// here.
pub const QUERIES: &[Query] = queries![
    "q0", "q1", "q2", "q3", "q4", "q5", "q7", "q8", "q9", "q11", "q15", "q16", "q17", "q18", "q19",
    "q20", "q21", "q22"
];

/// The DDL of the `person`, `auction` and `bid` tables, with `${EVENTS_NUM}` and `${TPS}`.
pub const DDL: &str = include_str!("../../nexmark/ddl.sql");

/// Events per second of event time the Nexmark Flink suite configures (`TPS`).
pub const SUITE_TPS: u64 = 10_000_000;

/// The query named `name` (`q5` or `5`).
pub fn find(name: &str) -> Option<&'static Query> {
    let name = name.trim().to_ascii_lowercase();
    let name = name.strip_prefix('q').unwrap_or(&name);
    QUERIES.iter().find(|q| &q.name[1..] == name)
}

/// The whole script of `query` over a stream of `events` events whose event time advances at
/// `tps` events per second: the DDL, then the query.
pub fn script(query: &Query, events: u64, tps: u64) -> String {
    let ddl = DDL
        .replace("${EVENTS_NUM}", &events.to_string())
        .replace("${TPS}", &tps.to_string());
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
        for q in QUERIES {
            assert!(
                q.sql.contains(&format!("INSERT INTO nexmark_{}", q.name)),
                "{}",
                q.name
            );
        }
    }
}
