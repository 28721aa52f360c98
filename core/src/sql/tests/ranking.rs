//! Top-N with RANK() / DENSE_RANK() and rank ranges (Flink's rankStart/rankEnd).

use crate::plan::{JobSpec, Node, RankType, TopNNode};

use super::{error, job, kinds};

fn top_n(spec: &JobSpec) -> &TopNNode {
    spec.nodes.iter().find_map(|n| if let Node::TopN(t) = n { Some(t) } else { None }).unwrap_or_else(|| panic!("no top_n in {:?}", kinds(spec)))
}

fn ranked(rank: &str, filter: &str) -> String {
    format!("SELECT auction, price, rn FROM (SELECT auction, price, {rank}() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM bids) WHERE {filter}")
}

#[test]
fn the_outer_filter_bounds_the_rank_from_both_sides() {
    for (filter, range) in [
        ("rn > 2 AND rn <= 6", (3, 6)),
        ("rn BETWEEN 2 AND 6", (2, 6)),
        ("rn = 4", (4, 4)),
        ("6 >= rn AND 2 < rn", (3, 6)),
        ("rn >= 2 AND rn < 9 AND rn <= 5", (2, 5)),
        ("rn < 4", (1, 3)),
    ] {
        let spec = job(&ranked("ROW_NUMBER", filter));
        let t = top_n(&spec);
        assert_eq!((t.rank_start, t.limit), range, "{filter}");
        assert!(!kinds(&spec).contains(&"filter"), "{filter}: every bound is in the Top-N: {:?}", kinds(&spec));
    }
}

#[test]
fn other_conditions_on_the_rank_stay_filters() {
    let spec = job(&ranked("ROW_NUMBER", "rn <= 5 AND rn <> 3"));
    assert_eq!((top_n(&spec).rank_start, top_n(&spec).limit), (1, 5));
    let after = kinds(&spec).iter().position(|k| *k == "top_n").map(|i| kinds(&spec)[i + 1..].to_vec()).unwrap_or_default();
    assert!(after.contains(&"filter"), "{after:?}");
}

#[test]
fn rank_and_dense_rank_are_ranking_functions() {
    assert_eq!(top_n(&job(&ranked("RANK", "rn <= 3"))).rank_type, RankType::Rank);
    assert_eq!(top_n(&job(&ranked("dense_rank", "rn <= 3"))).rank_type, RankType::DenseRank);
    assert_eq!(top_n(&job(&ranked("ROW_NUMBER", "rn <= 3"))).rank_type, RankType::RowNumber);
}

#[test]
fn a_first_row_by_time_is_deduplication_only_for_row_number_one() {
    let q = |rank: &str, filter: &str| {
        job(&format!("SELECT auction, price FROM (SELECT auction, price, {rank}() OVER (PARTITION BY auction ORDER BY ts) AS rn FROM bids) WHERE {filter}"))
    };
    assert!(kinds(&q("ROW_NUMBER", "rn = 1")).contains(&"deduplicate"));
    assert_eq!(top_n(&q("ROW_NUMBER", "rn = 2")).rank_start, 2);
    assert_eq!(top_n(&q("RANK", "rn = 1")).rank_type, RankType::Rank);
}

#[test]
fn ranges_without_an_end_or_without_ranks_are_errors() {
    let e = error(&ranked("RANK", "rn > 2"));
    assert!(e.contains("RANK() without an outer filter bounding it from above"), "{e}");
    let e = error(&ranked("ROW_NUMBER", "rn > 5 AND rn <= 3"));
    assert!(e.contains("keeps no rank (from 6 to 3)"), "{e}");
    let e = error(&ranked("ROW_NUMBER", "rn < 1"));
    assert!(e.contains("keeps no rank"), "{e}");
}

#[test]
fn two_ranking_functions_under_one_filter_are_rejected() {
    let e = error("SELECT * FROM (SELECT auction, RANK() OVER (ORDER BY price) AS a, ROW_NUMBER() OVER (ORDER BY price) AS b FROM bids) WHERE a <= 2");
    assert!(e.contains("more than one ranking function"), "{e}");
}
