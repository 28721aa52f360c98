//! Which Nexmark queries Weir plans today; the others must fail with the engine's own message.

use weir_benches::nexmark::{queries::QUERIES, weir_query};

#[test]
fn every_query_plans_or_says_why() {
    for q in QUERIES {
        match weir_query::plan(q, 1000, 10_000_000) {
            Ok(_) => println!("{}: plans", q.name),
            Err(e) => {
                assert!(!e.trim().is_empty(), "{}", q.name);
                println!("{}: {}", q.name, e.lines().next().unwrap_or(""));
            }
        }
    }
}
