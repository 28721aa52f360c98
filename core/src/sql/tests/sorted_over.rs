//! OVER with any ORDER BY or none, LAG/LEAD and row numbers as columns: `sorted_over` nodes
//! (batch mode).

use crate::expr::Expr;
use crate::plan::{FrameUnit, JobSpec, Node, RankType, SortedOverNode};

use super::{error, job, kinds};

fn sorted_over(spec: &JobSpec) -> &SortedOverNode {
    spec.nodes.iter().find_map(|n| if let Node::SortedOver(o) = n { Some(o) } else { None }).unwrap_or_else(|| panic!("no sorted_over in {:?}", kinds(spec)))
}

#[test]
fn a_time_order_stays_an_event_time_over_and_any_other_is_sorted() {
    let spec = job("SELECT auction, SUM(price) OVER (PARTITION BY auction ORDER BY ts) FROM bids");
    assert!(kinds(&spec).contains(&"over"), "{:?}", kinds(&spec));
    let spec = job("SELECT auction, SUM(price) OVER (PARTITION BY auction ORDER BY price DESC, ts) FROM bids");
    let o = sorted_over(&spec);
    assert_eq!(o.order_by.len(), 2);
    assert!(o.order_by[0].descending && !o.order_by[1].descending);
    assert_eq!(o.frame.map(|f| (f.unit, f.preceding)), Some((FrameUnit::Range, None)), "the default frame");
    let spec = job("SELECT auction, SUM(price) OVER (PARTITION BY auction ORDER BY ts DESC ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) FROM bids");
    assert_eq!(sorted_over(&spec).frame.map(|f| (f.unit, f.preceding)), Some((FrameUnit::Rows, Some(3))));
}

#[test]
fn without_order_by_the_frame_is_the_partition() {
    let spec = job("SELECT auction, MAX(price) OVER (PARTITION BY auction) AS hi FROM bids");
    let o = sorted_over(&spec);
    assert!(o.order_by.is_empty() && o.frame.is_none());
    let e = error("SELECT MAX(price) OVER (PARTITION BY auction ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM bids");
    assert!(e.contains("an OVER frame without ORDER BY"), "{e}");
}

#[test]
fn lag_and_lead_take_an_offset_and_a_default() {
    let spec = job("SELECT LAG(price) OVER w, LEAD(price, 2, 0) OVER w, LAG(channel, 0) OVER w FROM bids WINDOW w AS (PARTITION BY auction ORDER BY ts)");
    let o = sorted_over(&spec);
    let calls: Vec<(bool, u64, bool)> = o.offsets.iter().map(|c| (c.lead, c.offset, c.default.is_some())).collect();
    assert_eq!(calls, [(false, 1, false), (true, 2, true), (false, 0, false)]);
    assert_eq!(o.offsets[0].arg, Expr::col("price"));
    assert!(o.aggregates.is_empty());
}

#[test]
fn bad_offsets_and_range_intervals_are_errors() {
    let e = error("SELECT LAG(price, auction) OVER (ORDER BY ts) FROM bids");
    assert!(e.contains("LAG() offset auction: expected an integer literal"), "{e}");
    let e = error("SELECT LEAD(price, 1, 0, 2) OVER (ORDER BY ts) FROM bids");
    assert!(e.contains("LEAD() takes 1 to 3 arguments"), "{e}");
    let e = error("SELECT SUM(price) OVER (ORDER BY ts DESC RANGE BETWEEN INTERVAL '5' MINUTE PRECEDING AND CURRENT ROW) FROM bids");
    assert!(e.contains("RANGE BETWEEN .. PRECEDING over an ORDER BY other than one ascending time column"), "{e}");
}

#[test]
fn lag_by_event_time_stays_an_event_time_over() {
    let spec = job("SELECT LAG(price) OVER w, COUNT(*) OVER w FROM bids WINDOW w AS (PARTITION BY auction ORDER BY ts)");
    let Some(Node::Over(o)) = spec.nodes.iter().find(|n| n.kind() == "over") else { panic!("no over node: {:?}", kinds(&spec)) };
    assert_eq!((o.aggregates.len(), o.offsets.len()), (1, 1));
}

#[test]
fn row_numbers_outside_a_top_n_filter_are_columns() {
    let spec =
        job("SELECT auction, ROW_NUMBER() OVER w AS rn, RANK() OVER w + 1 AS r, DENSE_RANK() OVER w FROM bids WINDOW w AS (PARTITION BY auction ORDER BY ts)");
    let o = sorted_over(&spec);
    let ranks: Vec<RankType> = o.ranks.iter().map(|r| r.rank_type).collect();
    assert_eq!(ranks, [RankType::RowNumber, RankType::Rank, RankType::DenseRank], "ordered by time, still a sorted_over");
    let e = error("SELECT auction, ROW_NUMBER() OVER (PARTITION BY auction) AS rn FROM bids");
    assert!(e.contains("ROW_NUMBER() requires ORDER BY in its window"), "{e}");
    let e = error("SELECT auction, RANK() OVER (PARTITION BY auction ORDER BY price ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM bids");
    assert!(e.contains("ROWS/RANGE frames are not allowed with RANK()"), "{e}");
    let e = error("SELECT ROW_NUMBER(price) OVER (ORDER BY ts) FROM bids");
    assert!(e.contains("ROW_NUMBER() takes no arguments"), "{e}");
}
