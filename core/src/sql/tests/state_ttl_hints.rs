//! `SELECT /*+ STATE_TTL(..) */`: which join sides and aggregates get which time-to-live, and
//! the errors Flink gives for hints it cannot apply.

use crate::plan::{JobSpec, Node};

use super::{error, job, kinds};

const DAY: u64 = 86_400_000;

/// What `of` reads from every node it applies to, in plan order.
fn ttls<T>(spec: &JobSpec, of: impl Fn(&Node) -> Option<T>) -> Vec<T> {
    spec.nodes.iter().filter_map(of).collect()
}

/// The (left, right) state time-to-live of every join node, in plan order.
fn join_ttls(spec: &JobSpec) -> Vec<(Option<u64>, Option<u64>)> {
    ttls(spec, |n| if let Node::Join(j) = n { Some((j.left_state_ttl_ms, j.right_state_ttl_ms)) } else { None })
}

/// The state time-to-live of every aggregate node, in plan order.
fn aggregate_ttls(spec: &JobSpec) -> Vec<Option<u64>> {
    ttls(spec, |n| if let Node::Aggregate(a) = n { Some(a.state_ttl_ms) } else { None })
}

#[test]
fn join_sides_take_the_ttl_of_their_alias_or_table_name() {
    let spec = job("SELECT /*+ STATE_TTL('b' = '1d', 'a' = '12h') */ b.price, a.name FROM bids b LEFT JOIN auctions a ON b.auction = a.id");
    assert_eq!(join_ttls(&spec), [(Some(DAY), Some(DAY / 2))]);
    let spec = job("SELECT /*+ state_ttl(auctions = '10 min') */ price, name FROM bids JOIN auctions ON auction = id");
    assert_eq!(join_ttls(&spec), [(None, Some(600_000))], "one side hinted: the other keeps the job's TTL");
    let spec = job("SELECT price FROM bids JOIN auctions ON auction = id");
    assert_eq!(join_ttls(&spec), [(None, None)], "no hint, no node TTL");
}

#[test]
fn a_group_aggregate_takes_the_ttl_of_its_input() {
    let spec = job("SELECT /*+ STATE_TTL('bids' = '5000 ms') */ auction, COUNT(*) FROM bids GROUP BY auction");
    assert_eq!(aggregate_ttls(&spec), [Some(5000)]);
    let spec = job("SELECT /*+ STATE_TTL('x' = '0 s') */ auction, SUM(price) FROM bids x GROUP BY ROLLUP (auction)");
    assert!(aggregate_ttls(&spec).len() > 1 && aggregate_ttls(&spec).iter().all(|t| *t == Some(0)), "{:?}", aggregate_ttls(&spec));
}

#[test]
fn cascaded_joins_name_only_their_direct_inputs() {
    // As Flink: the first join gets both sides, the second only its right side (its left
    // input is a join, which has no name).
    let spec = job(
        "SELECT /*+ STATE_TTL('b' = '1d', 'a' = '2d', 'c' = '3d') */ b.price FROM bids b JOIN auctions a ON b.auction = a.id JOIN auctions c ON a.seller = c.seller",
    );
    assert_eq!(join_ttls(&spec), [(Some(DAY), Some(2 * DAY)), (None, Some(3 * DAY))]);
    // A join's aggregate has a join as input: a hint on the join sides leaves it alone.
    let spec = job("SELECT /*+ STATE_TTL('b' = '1d', 'a' = '2d') */ a.name, SUM(b.price) FROM bids b JOIN auctions a ON b.auction = a.id GROUP BY a.name");
    assert_eq!((join_ttls(&spec), aggregate_ttls(&spec)), (vec![(Some(DAY), Some(2 * DAY))], vec![None]));
}

#[test]
fn views_and_subqueries_are_named_inputs_and_keep_their_own_hints() {
    let mut s = super::session();
    s.execute_script("CREATE VIEW counts AS SELECT /*+ STATE_TTL('bids' = '1 h') */ auction, COUNT(*) AS n FROM bids GROUP BY auction;").unwrap();
    let outcome = s
        .execute_script("SELECT /*+ STATE_TTL('counts' = '1d') */ counts.n, auctions.name FROM counts JOIN auctions ON counts.auction = auctions.id")
        .unwrap_or_else(|e| panic!("{e}"));
    let crate::sql::SqlOutcome::Query(spec) = &outcome[0] else { panic!("{outcome:?}") };
    assert_eq!(aggregate_ttls(spec), [Some(3_600_000)], "the view's own hint, not the outer one");
    assert_eq!(join_ttls(spec), [(Some(DAY), None)]);
    // An unhinted subquery is not touched by the hint of the query around it.
    let spec = job(
        "SELECT /*+ STATE_TTL('t' = '1d') */ t.auction, a.name FROM (SELECT auction, COUNT(*) AS n FROM bids GROUP BY auction) t JOIN auctions a ON t.auction = a.id",
    );
    assert_eq!((join_ttls(&spec), aggregate_ttls(&spec)), (vec![(Some(DAY), None)], vec![None]));
}

#[test]
fn last_value_of_a_key_wins_and_other_query_hints_are_ignored() {
    let spec =
        job("SELECT /*+ STATE_TTL('bids' = '2d', 'bids' = '1d'), BROADCAST(bids), STATE_TTL('bids' = '3d') */ auction, COUNT(*) FROM bids GROUP BY auction");
    assert_eq!(aggregate_ttls(&spec), [Some(3 * DAY)]);
    let spec = job("SELECT /*+ SHUFFLE_HASH(auctions) */ price FROM bids JOIN auctions ON auction = id");
    assert_eq!(join_ttls(&spec), [(None, None)]);
}

#[test]
fn a_block_without_join_or_aggregate_ignores_the_hint() {
    // Flink drops the hint of a block with no operator it applies to, unchecked keys included.
    let spec = job("SELECT /*+ STATE_TTL('nowhere' = '1d') */ auction, price FROM bids WHERE price > 10");
    assert_eq!(kinds(&spec), ["source", "filter", "project", "sink"]);
}

/// The state time-to-live of every distinct node, in plan order.
fn distinct_ttls(spec: &JobSpec) -> Vec<Option<u64>> {
    ttls(spec, |n| if let Node::Distinct(d) = n { Some(d.state_ttl_ms) } else { None })
}

#[test]
fn select_distinct_takes_the_hint_as_flink_plans_it_a_group_aggregate() {
    // Flink's compiled plan gives its GroupAggregate the hint's TTL
    // (tests/flink_reference/state_ttl_hints.py), by table name or alias.
    let spec = job("SELECT /*+ STATE_TTL('bids' = '1d') */ DISTINCT auction FROM bids");
    assert_eq!(distinct_ttls(&spec), [Some(DAY)]);
    let spec = job("SELECT /*+ STATE_TTL('x' = '0 s') */ DISTINCT auction FROM bids x");
    assert_eq!(distinct_ttls(&spec), [Some(0)]);
    let spec = job("SELECT DISTINCT auction FROM bids");
    assert_eq!(distinct_ttls(&spec), [None]);
    let e = error("SELECT /*+ STATE_TTL('nope' = '1d') */ DISTINCT auction FROM bids");
    assert!(e.contains("`nope` in `STATE_TTL`"), "{e}");
    // The DISTINCT of a UNION is not a SELECT block's: it stays unhinted.
    let spec = job("SELECT auction FROM bids UNION SELECT id FROM auctions");
    assert_eq!(distinct_ttls(&spec), [None]);
}

#[test]
fn top_n_and_deduplication_ignore_the_hint_as_in_flink() {
    // Flink keeps the job's TTL for Rank and Deduplicate and checks no keys there.
    for sql in [
        "SELECT auction, price FROM (SELECT /*+ STATE_TTL('nope' = '1d') */ auction, price, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM bids) WHERE rn <= 2",
        "SELECT auction, price FROM (SELECT /*+ STATE_TTL('bids' = '1d') */ auction, price, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM bids) WHERE rn = 1",
    ] {
        let spec = job(sql);
        assert!(kinds(&spec).contains(&"top_n"), "{:?}", kinds(&spec));
        assert_eq!((distinct_ttls(&spec), aggregate_ttls(&spec)), (vec![], vec![]));
    }
}

#[test]
fn comments_that_are_not_hints_stay_comments() {
    let spec = job("SELECT /* STATE_TTL('nowhere' = 'soon') */ auction, COUNT(*) /* not a hint */ FROM bids GROUP BY auction");
    assert_eq!(aggregate_ttls(&spec), [None]);
}

#[test]
fn hints_anywhere_but_after_select_or_a_table_are_rejected_at_their_place() {
    // After a table name a hint is a table hint (tests/table_hints.rs); elsewhere Flink fails to parse.
    let e = error("SELECT auction, COUNT(*) /*+ not a hint here */ FROM bids GROUP BY auction");
    assert!(e.contains("at line 1, column 26"), "{e}");
}

#[test]
fn keys_naming_no_input_are_flinks_error_at_the_select() {
    let e = error("SELECT auction FROM bids\nUNION ALL\nSELECT /*+ STATE_TTL('T5' = '1d', 'bids' = '1d', 'T6' = '2d') */ auction FROM bids GROUP BY auction");
    assert!(e.starts_with("The options of following hints cannot match the name of input tables or views: `T5, T6` in `STATE_TTL`"), "{e}");
    assert!(e.contains("(at line 3, column 1)"), "{e}");
    // A table of a subquery is not an input of the outer block.
    let e = error("SELECT /*+ STATE_TTL('auctions' = '1d') */ t.auction FROM bids b JOIN (SELECT a.id AS auction FROM auctions a) t ON b.auction = t.auction");
    assert!(e.contains("`auctions` in `STATE_TTL`"), "{e}");
    // With an alias, the alias names the input.
    let e = error("SELECT /*+ STATE_TTL('bids' = '1d') */ b.auction, COUNT(*) FROM bids b GROUP BY b.auction");
    assert!(e.contains("`bids` in `STATE_TTL`"), "{e}");
}

#[test]
fn malformed_hints_fail_with_flinks_messages() {
    let cases = [
        (
            "SELECT /*+ STATE_TTL() */ auction, COUNT(*) FROM bids GROUP BY auction",
            "Invalid STATE_TTL hint, expecting at least one key-value options specified.",
        ),
        ("SELECT /*+ STATE_TTL */ auction, COUNT(*) FROM bids GROUP BY auction", "Invalid STATE_TTL hint, expecting at least one key-value options specified."),
        ("SELECT /*+ STATE_TTL(bids) */ auction, COUNT(*) FROM bids GROUP BY auction", "Invalid STATE_TTL hint, expecting key-value options"),
        ("SELECT /*+ STATE_TTL('bids' = 'soon') */ auction, COUNT(*) FROM bids GROUP BY auction", "invalid STATE_TTL value for 'bids': expected a duration"),
        ("SELECT /*+ STATE_TTL('bids' = '-1 d') */ auction, COUNT(*) FROM bids GROUP BY auction", "invalid STATE_TTL value for 'bids'"),
        ("SELECT /*+ STATE_TL('bids' = '1d') */ auction, COUNT(*) FROM bids GROUP BY auction", "Hint: STATE_TL should be registered in the HintStrategyTable"),
        (
            "SELECT /*+ STATE_TTL('bids' = 1) */ auction, COUNT(*) FROM bids GROUP BY auction",
            "invalid hint: expected a quoted value for the hint option 'bids'",
        ),
        ("SELECT /*+ STATE_TTL('bids' = '1d') */ /*+ BROADCAST(bids) */ auction FROM bids", "only one hint block"),
    ];
    for (sql, want) in cases {
        let e = error(sql);
        assert!(e.contains(want) && e.contains("(at line 1, column 1)"), "{sql}\n  got: {e}\n  want: {want}");
    }
}

#[test]
fn explain_shows_the_hints_in_the_syntax_tree() {
    let outcome = super::plan("EXPLAIN SELECT /*+ STATE_TTL('b' = '1d') */ b.price, a.name FROM bids b JOIN auctions a ON b.auction = a.id").unwrap();
    let text = format!("{outcome:?}");
    assert!(text.contains("state ttl [left 1 d, right job]"), "{text}");
    assert!(text.contains("ttl=[left=1 d, right=off]"), "{text}");
}
