//! Plans produced for typical queries.

use crate::expr::Expr;
use crate::plan::{AggregateFunction, JoinType, Keep, Node};

use super::{job, kinds, node, plan, session};
use crate::sql::SqlOutcome;

#[test]
fn filter_project_with_functions() {
    let spec = job("SELECT auction, UPPER(channel) AS ch, price * 2 FROM bids WHERE price > 10 AND channel LIKE 'a%'");
    assert_eq!(kinds(&spec), ["source", "filter", "project", "sink"]);
    let Node::Project(p) = &spec.nodes[2] else { panic!() };
    let names: Vec<&str> = p.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["auction", "ch", "EXPR$2"]);
    assert_eq!(p.columns[1].expr, Expr::call("UPPER", vec![Expr::col("channel")]));
    let Node::Sink(s) = spec.nodes.last().unwrap() else { panic!() };
    assert_eq!((s.id.as_str(), s.connector.as_str()), ("result", "collect"));
}

#[test]
fn session_windows_with_and_without_partition_keys() {
    let spec = job(
        "SELECT auction, window_start, window_end, COUNT(*) AS n FROM TABLE(SESSION(TABLE bids PARTITION BY auction, DESCRIPTOR(ts), INTERVAL '10' MINUTES)) GROUP BY auction, window_start, window_end",
    );
    let Some(Node::Window(w)) = spec.nodes.iter().find(|n| n.kind() == "window") else { panic!("no window node: {spec:?}") };
    assert_eq!((w.gap_ms, w.partition_by.clone(), w.size_ms), (Some(600_000), vec!["auction".to_string()], 0));
    assert!(kinds(&spec).contains(&"aggregate"));
    let spec = job(
        "SELECT window_start, COUNT(*) FROM TABLE(SESSION(TABLE bids PARTITION BY (auction, bidder), DESCRIPTOR(ts), INTERVAL '5' SECOND)) GROUP BY window_start, window_end",
    );
    let Some(Node::Window(w)) = spec.nodes.iter().find(|n| n.kind() == "window") else { panic!() };
    assert_eq!((w.gap_ms, w.partition_by.clone()), (Some(5_000), vec!["auction".to_string(), "bidder".to_string()]));
    let spec = job("SELECT window_start, COUNT(*) FROM TABLE(SESSION(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' SECOND)) GROUP BY window_start, window_end");
    let Some(Node::Window(w)) = spec.nodes.iter().find(|n| n.kind() == "window") else { panic!() };
    assert!(w.partition_by.is_empty());
}

#[test]
fn legacy_group_windows_plan_as_window_functions() {
    let spec = job(
        "SELECT bidder, COUNT(*) AS n, SESSION_START(ts, INTERVAL '10' SECOND) AS s, SESSION_END(ts, INTERVAL '10' SECOND) AS e FROM bids GROUP BY bidder, SESSION(ts, INTERVAL '10' SECOND)",
    );
    let Some(Node::Window(w)) = spec.nodes.iter().find(|n| n.kind() == "window") else { panic!("no window: {:?}", kinds(&spec)) };
    assert_eq!((w.gap_ms, w.partition_by.clone()), (Some(10_000), vec!["bidder".to_string()]));
    let Some(Node::Aggregate(a)) = spec.nodes.iter().find(|n| n.kind() == "aggregate") else { panic!() };
    let keys: Vec<&str> = a.group_by.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(keys, ["bidder", "window_start", "window_end"]);
    let spec = job(
        "SELECT HOP_END(ts, INTERVAL '1' MINUTE, INTERVAL '5' MINUTE) AS e, SUM(price) FROM bids GROUP BY HOP(ts, INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)",
    );
    let Some(Node::Window(w)) = spec.nodes.iter().find(|n| n.kind() == "window") else { panic!() };
    assert_eq!((w.size_ms, w.slide_ms), (300_000, Some(60_000)));
}

#[test]
fn time_bounded_joins_become_interval_joins() {
    let spec = job(
        "SELECT a.auction, b.price FROM bids a, bids b WHERE a.auction = b.auction AND b.ts BETWEEN a.ts - INTERVAL '1' SECOND AND a.ts + INTERVAL '1' MINUTE AND a.price > b.price",
    );
    let Some(Node::IntervalJoin(j)) = spec.nodes.iter().find(|n| n.kind() == "interval_join") else { panic!("no interval join: {:?}", kinds(&spec)) };
    assert_eq!((j.lower_ms, j.upper_ms), (-1000, 60_000));
    assert!(j.condition.is_some(), "a.price > b.price stays a residual condition");
    let spec = job("SELECT a.auction FROM bids a JOIN bids b ON a.auction = b.auction AND a.ts >= b.ts AND a.ts < b.ts + INTERVAL '10' SECOND");
    let Some(Node::IntervalJoin(j)) = spec.nodes.iter().find(|n| n.kind() == "interval_join") else { panic!("no interval join: {:?}", kinds(&spec)) };
    assert_eq!((j.lower_ms, j.upper_ms), (-9_999, 0));
    // One-sided bounds keep an ordinary join.
    let spec = job("SELECT a.auction FROM bids a JOIN bids b ON a.auction = b.auction AND a.ts >= b.ts");
    assert!(kinds(&spec).contains(&"join"));
}

#[test]
fn source_and_computed_columns() {
    let spec = job("SELECT price_x2 FROM bids");
    let Node::Source(src) = &spec.nodes[0] else { panic!() };
    assert_eq!(src.id, "bids");
    assert_eq!(src.connector, "datagen");
    assert_eq!(src.options.get("number-of-rows").map(String::as_str), Some("100"));
    assert_eq!(src.schema.len(), 5);
    assert!(!src.schema[0].nullable);
    assert_eq!(src.computed.len(), 1, "the source computes price_x2");
    assert_eq!((src.computed[0].name.as_str(), &src.computed[0].expr), ("price_x2", &Expr::call("*", vec![Expr::col("price"), Expr::lit(2)])));
}

#[test]
fn group_by_with_aggregates_and_having() {
    let spec = job("SELECT auction, COUNT(*) AS n, COUNT(DISTINCT bidder), SUM(price) FILTER (WHERE price > 5) AS s, \
         MIN(price), MAX(price), AVG(price), SUM(price) / COUNT(*) AS mean \
         FROM bids GROUP BY auction HAVING COUNT(*) > 1");
    assert_eq!(kinds(&spec), ["source", "agg", "filter", "project", "sink"].map(|k| if k == "agg" { "aggregate" } else { k }));
    let Node::Aggregate(a) = &spec.nodes[1] else { panic!() };
    assert_eq!(a.group_by[0].name, "auction");
    let fs: Vec<AggregateFunction> = a.aggregates.iter().map(|c| c.function).collect();
    use AggregateFunction::*;
    // SUM(price) without FILTER (in `mean`) is its own aggregate.
    assert_eq!(fs, [Count, Count, Sum, Min, Max, Avg, Sum]);
    assert!(a.aggregates[1].distinct);
    assert!(a.aggregates[2].filter.is_some());
    assert_eq!(a.aggregates[0].name, "n");
    let sum = &a.aggregates[6].name;
    let Node::Project(p) = &spec.nodes[3] else { panic!() };
    assert_eq!(p.columns[7].name, "mean");
    assert_eq!(p.columns[7].expr, Expr::call("/", vec![Expr::col(sum), Expr::col("n")]));
}

#[test]
fn global_aggregate_without_project() {
    let spec = job("SELECT COUNT(*) AS n, SUM(price) AS total FROM bids");
    assert_eq!(kinds(&spec), ["source", "aggregate", "sink"]);
}

#[test]
fn joins_split_equi_keys_and_residual() {
    for (kw, jt) in [("JOIN", JoinType::Inner), ("LEFT JOIN", JoinType::Left), ("RIGHT JOIN", JoinType::Right), ("FULL OUTER JOIN", JoinType::Full)] {
        let spec = job(&format!("SELECT b.auction, a.name FROM bids b {kw} auctions a ON b.auction = a.id AND b.price > a.category"));
        let j = spec.nodes.iter().find_map(|n| if let Node::Join(j) = n { Some(j) } else { None }).unwrap();
        assert_eq!(j.join_type, jt);
        assert_eq!(j.left_keys, [Expr::col("auction")]);
        assert_eq!(j.right_keys, [Expr::col("id")]);
        assert_eq!(j.condition, Some(Expr::call(">", vec![Expr::col("price"), Expr::col("category")])));
    }
}

#[test]
fn comma_join_takes_keys_from_where() {
    let spec = job("SELECT * FROM bids, auctions WHERE auction = id AND price > 3");
    let j = spec.nodes.iter().find_map(|n| if let Node::Join(j) = n { Some(j) } else { None }).unwrap();
    assert_eq!(j.left_keys, [Expr::col("auction")]);
    assert!(kinds(&spec).contains(&"filter"));
}

#[test]
fn join_renames_duplicate_names_like_flink() {
    let spec = job("SELECT * FROM auctions a JOIN auctions b ON a.id = b.seller");
    let Node::Sink(s) = spec.nodes.last().unwrap() else { panic!() };
    let plan = crate::plan::validate(&spec).unwrap();
    let names: Vec<&str> = plan.node(&s.input).unwrap().schema.names().collect();
    assert_eq!(names, ["id", "seller", "category", "name", "id0", "seller0", "category0", "name0"]);
}

#[test]
fn distinct_union_and_sort() {
    assert_eq!(kinds(&job("SELECT DISTINCT channel FROM bids")), ["source", "project", "distinct", "sink"]);
    let spec = job("SELECT auction FROM bids UNION ALL SELECT id FROM auctions");
    assert!(kinds(&spec).contains(&"union"));
    let spec = job("SELECT auction FROM bids UNION SELECT id FROM auctions");
    assert_eq!(kinds(&spec)[kinds(&spec).len() - 2], "distinct");
    let spec = job("SELECT auction, price FROM bids ORDER BY price DESC, 1 LIMIT 5 OFFSET 2");
    let Node::Sort(s) = &spec.nodes[spec.nodes.len() - 2] else { panic!() };
    assert_eq!((s.limit, s.offset), (Some(5), Some(2)));
    assert!(s.order_by[0].descending);
    assert_eq!(s.order_by[1].expr, Expr::col("auction"));
}

#[test]
fn top_n_and_dedup() {
    let spec = job("SELECT auction, price, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM bids) WHERE rn <= 3");
    let t = spec.nodes.iter().find_map(|n| if let Node::TopN(t) = n { Some(t) } else { None }).unwrap();
    assert_eq!((t.limit, t.row_number.as_deref()), (3, Some("rn")));
    assert_eq!(t.partition_by, [Expr::col("auction")]);
    let spec = job("SELECT auction, price FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY ts DESC) AS rn FROM bids) t WHERE rn = 1");
    let d = spec.nodes.iter().find_map(|n| if let Node::Deduplicate(d) = n { Some(d) } else { None }).unwrap();
    assert_eq!(d.keep, Keep::Last);
    assert_eq!(d.order_by, Expr::col("ts"));
    let spec = job("SELECT * FROM (SELECT auction, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY ts) AS rn FROM bids) WHERE rn = 1");
    assert!(kinds(&spec).contains(&"top_n"), "rn is selected through *: {:?}", kinds(&spec));
}

#[test]
fn star_over_a_ranked_subquery_keeps_the_row_number_once() {
    // Nexmark q19: SELECT * FROM (SELECT *, ROW_NUMBER() OVER (...) AS rank_number FROM bid) WHERE rank_number <= 10
    let spec = job("SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM bids) WHERE rn <= 10");
    let plan = crate::plan::validate(&spec).unwrap();
    let result = plan.nodes.last().unwrap();
    let names: Vec<&str> = result.schema.names().collect();
    assert_eq!(names.iter().filter(|n| n.starts_with("rn")).count(), 1, "{names:?}");
    assert_eq!(names.last(), Some(&"rn"));
}

#[test]
fn subqueries_in_from_and_where() {
    let spec = job("SELECT s.a FROM (SELECT auction AS a, price FROM bids WHERE price > 1) AS s WHERE s.price < 100");
    assert_eq!(kinds(&spec), ["source", "filter", "project", "filter", "project", "sink"]);
    let spec = job("SELECT auction FROM bids WHERE auction IN (SELECT id FROM auctions WHERE category = 1)");
    assert!(kinds(&spec).contains(&"join") && kinds(&spec).contains(&"distinct"));
    let spec = job("SELECT auction FROM bids b WHERE EXISTS (SELECT 1 FROM auctions a WHERE a.id = b.auction AND a.category = 2)");
    let j = spec.nodes.iter().find_map(|n| if let Node::Join(j) = n { Some(j) } else { None }).unwrap();
    assert_eq!(j.join_type, JoinType::Inner);
    let spec = job("SELECT auction FROM bids b WHERE NOT EXISTS (SELECT 1 FROM auctions a WHERE a.id = b.auction)");
    let j = spec.nodes.iter().find_map(|n| if let Node::Join(j) = n { Some(j) } else { None }).unwrap();
    assert_eq!(j.join_type, JoinType::Left);
}

#[test]
fn subqueries_inside_expressions_become_left_joined_columns() {
    let joins = |spec: &crate::plan::JobSpec| -> Vec<(JoinType, usize)> {
        spec.nodes.iter().filter_map(|n| if let Node::Join(j) = n { Some((j.join_type, j.left_keys.len())) } else { None }).collect()
    };
    let spec = job("SELECT auction, (SELECT MAX(price) FROM bids) FROM bids WHERE price > (SELECT AVG(price) FROM bids)");
    assert_eq!(joins(&spec), [(JoinType::Left, 0), (JoinType::Left, 0)]);
    let spec = job("SELECT b.auction FROM bids b WHERE price > (SELECT AVG(price) FROM bids b2 WHERE b2.bidder = b.bidder)");
    assert_eq!(joins(&spec), [(JoinType::Left, 1)]);
    // A non-aggregate scalar subquery is checked to return one row per key (a count joined in).
    let spec = job("SELECT b.auction, (SELECT a.name FROM auctions a WHERE a.id = b.auction) FROM bids b");
    assert_eq!(joins(&spec), [(JoinType::Inner, 1), (JoinType::Left, 1)]);
    // NOT IN: a mark join on the value and a join with the per-key counts.
    let spec = job("SELECT auction FROM bids WHERE auction NOT IN (SELECT id FROM auctions)");
    assert_eq!(joins(&spec), [(JoinType::Left, 1), (JoinType::Left, 0)]);
    let spec = job("SELECT b.auction FROM bids b WHERE b.price > 10 OR b.auction IN (SELECT a.id FROM auctions a WHERE a.seller = b.bidder)");
    assert_eq!(joins(&spec), [(JoinType::Left, 2), (JoinType::Left, 1)]);
    // A correlated IN conjunct is a semi join on the correlation key and the value.
    let spec = job("SELECT b.auction FROM bids b WHERE b.auction IN (SELECT a.id FROM auctions a WHERE a.seller = b.bidder)");
    assert_eq!(joins(&spec), [(JoinType::Inner, 2)]);
    // The subquery columns are not part of `*`.
    let spec = job("SELECT *, (SELECT MAX(id) FROM auctions) AS top FROM auctions");
    let plan = crate::plan::validate(&spec).unwrap();
    let names: Vec<&str> = plan.nodes.last().unwrap().schema.names().collect();
    assert_eq!(names, ["id", "seller", "category", "name", "top"]);
}

#[test]
fn literals_and_special_syntax() {
    let spec = job("SELECT 1, 10000000000, 1.5, 'x', TRUE, NULL, DATE '2023-01-01', TIMESTAMP '2023-01-01 00:00:00', \
         INTERVAL '1' SECOND, EXTRACT(YEAR FROM ts), channel || 'x', CAST(price AS STRING), TRY_CAST(channel AS INT), \
         CASE WHEN price > 1 THEN 'a' ELSE 'b' END, -price, price BETWEEN 1 AND 2, channel NOT IN ('a', 'b'), channel IS NOT NULL \
         FROM bids");
    let Node::Project(p) = &spec.nodes[1] else { panic!("{:?}", kinds(&spec)) };
    let e = |i: usize| serde_json::to_value(&p.columns[i].expr).unwrap();
    assert_eq!(e(0), serde_json::json!({"literal": 1}));
    assert_eq!(e(1), serde_json::json!({"literal": 10000000000i64}));
    assert_eq!(e(2), serde_json::json!({"literal": {"value": "1.5", "type": "DECIMAL(2, 1)"}}));
    assert_eq!(e(8), serde_json::json!({"literal": {"value": 1000, "type": "INTERVAL DAY TO SECOND"}}));
    assert_eq!(e(9), serde_json::json!({"call": {"function": "EXTRACT", "args": [{"literal": "YEAR"}, {"column": "ts"}]}}));
    assert_eq!(e(10)["call"]["function"], "CONCAT");
    assert_eq!(e(14)["call"]["function"], "NEGATE");
    assert_eq!(e(16)["call"]["function"], "NOT IN");
    assert_eq!(p.columns[3].name, "EXPR$3");
}

#[test]
fn insert_and_statement_set() {
    let spec = job("INSERT INTO out_sink SELECT auction, SUM(price) FROM bids GROUP BY auction");
    let Node::Sink(s) = spec.nodes.last().unwrap() else { panic!() };
    assert_eq!((s.id.as_str(), s.connector.as_str()), ("out_sink", "blackhole"));
    let Node::Project(p) = node(&spec, &s.input) else { panic!("{:?}", kinds(&spec)) };
    assert_eq!(p.columns[1].name, "total");
    let mut sess = session();
    let out = sess
        .execute_script(
            "SET 'parallelism.default' = '2';
             EXECUTE STATEMENT SET BEGIN
               INSERT INTO out_sink SELECT auction, price FROM bids;
               INSERT INTO out_sink SELECT id, seller FROM auctions;
             END;",
        )
        .unwrap();
    let SqlOutcome::Job(j) = &out[1] else { panic!("{out:?}") };
    assert_eq!(kinds(j).iter().filter(|k| **k == "sink").count(), 2);
    assert_eq!(j.config.get("parallelism.default").map(String::as_str), Some("2"));
}

#[test]
fn views_ctes_and_ddl_statements() {
    let mut s = session();
    let out = s
        .execute_script(
            "CREATE TEMPORARY VIEW big AS SELECT auction, price FROM bids WHERE price > 100;
             SELECT auction FROM big;
             WITH w AS (SELECT id FROM auctions) SELECT * FROM w;
             SHOW TABLES; SHOW VIEWS; DESCRIBE bids; DESC big;
             DROP VIEW big; DROP TABLE IF EXISTS nothing;
             SET 'execution.runtime-mode' = 'batch'; RESET 'execution.runtime-mode'; RESET;",
        )
        .unwrap();
    assert!(matches!(out[1], SqlOutcome::Query(_)));
    let SqlOutcome::Table(t) = &out[3] else { panic!() };
    assert_eq!(t.rows, [["auctions"], ["bids"], ["big"], ["out_sink"]]);
    let SqlOutcome::Table(d) = &out[5] else { panic!() };
    assert_eq!(d.rows[5], ["price_x2", "BIGINT", "TRUE", "", "AS price * 2", ""]);
    assert_eq!(d.rows[0][3], "PRI(auction)");
    assert_eq!(d.rows[4][5], "ts - INTERVAL '5' SECOND");
    assert!(s.catalog().view_names().is_empty());
}

#[test]
fn explain_shows_tree_and_json() {
    let SqlOutcome::Explain(text) = plan("EXPLAIN PLAN FOR SELECT auction FROM bids WHERE price > 1").unwrap() else { panic!() };
    assert!(text.contains("sink(result: connector=collect)"), "{text}");
    assert!(text.contains("\n    filter(filter_"), "{text}");
    assert!(text.contains("\"kind\": \"source\""), "{text}");
}

#[test]
fn set_options_reach_the_job_config() {
    let mut s = session();
    let out = s.execute_script("SET 'table.local-time-zone' = 'Europe/Paris'; SELECT auction FROM bids;").unwrap();
    let SqlOutcome::Query(j) = &out[1] else { panic!() };
    assert_eq!(j.config.get("table.local-time-zone").map(String::as_str), Some("Europe/Paris"));
}

#[test]
fn statistical_aggregates_reduce_to_sums_and_counts() {
    let spec = job("SELECT auction, STDDEV_POP(price) AS sp, VAR_SAMP(price) AS vs, VARIANCE(price) AS v, STDDEV(price) AS sd FROM bids GROUP BY auction");
    assert_eq!(kinds(&spec), ["source", "aggregate", "project", "sink"]);
    let Node::Aggregate(a) = &spec.nodes[1] else { panic!() };
    let fs: Vec<AggregateFunction> = a.aggregates.iter().map(|c| c.function).collect();
    // SUM(price * price), SUM(price) and COUNT(price), shared by all four.
    assert_eq!(fs, [AggregateFunction::Sum, AggregateFunction::Sum, AggregateFunction::Count]);
    assert_eq!(a.aggregates[0].args, [Expr::call("*", vec![Expr::col("price"), Expr::col("price")])]);
    let Node::Project(p) = &spec.nodes[2] else { panic!() };
    assert_eq!(p.columns[2].expr, p.columns[3].expr, "VARIANCE is VAR_SAMP");
    assert_ne!(p.columns[1].expr, p.columns[4].expr, "STDDEV is STDDEV_SAMP, not STDDEV_POP");
    let Expr::Cast(c) = &p.columns[1].expr else { panic!("{:?}", p.columns[1].expr) };
    assert_eq!(c.data_type, crate::types::DataType::BigInt, "Flink keeps the argument's type");
}

#[test]
fn statistical_aggregate_of_a_decimal_is_a_decimal_of_scale_six_or_more() {
    let spec = job("SELECT VAR_POP(CAST(price AS DECIMAL(10, 2))) AS v FROM bids");
    let Some(Node::Project(p)) = spec.nodes.iter().find(|n| n.kind() == "project") else { panic!() };
    let Expr::Cast(c) = &p.columns[0].expr else { panic!() };
    assert_eq!(c.data_type, crate::types::DataType::Decimal { precision: 38, scale: 6 });
}

#[test]
fn intersect_and_except_count_each_side_per_row() {
    let spec = job("SELECT auction, bidder FROM bids INTERSECT SELECT id, seller FROM auctions");
    // Each input: its SELECT, then the side tags.
    assert_eq!(kinds(&spec), ["source", "project", "source", "project", "project", "project", "union", "aggregate", "filter", "project", "sink"]);
    let Some(Node::Aggregate(a)) = spec.nodes.iter().find(|n| n.kind() == "aggregate") else { panic!() };
    let keys: Vec<&str> = a.group_by.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(keys, ["auction", "bidder"]);
    let Some(Node::Filter(f)) = spec.nodes.iter().find(|n| n.kind() == "filter") else { panic!() };
    let positive = |side: &str| Expr::call(">", vec![Expr::col(side), Expr::lit(0)]);
    assert_eq!(f.predicate, Expr::call("AND", vec![positive("$left"), positive("$right")]));
    let spec = job("SELECT auction FROM bids EXCEPT SELECT id FROM auctions");
    let Some(Node::Filter(f)) = spec.nodes.iter().find(|n| n.kind() == "filter") else { panic!() };
    assert_eq!(f.predicate, Expr::call("AND", vec![positive("$left"), Expr::call("=", vec![Expr::col("$right"), Expr::lit(0)])]));
}

#[test]
fn intersect_all_and_except_all_replicate_rows() {
    for (sql, copies) in [
        ("SELECT auction FROM bids EXCEPT ALL SELECT id FROM auctions", Expr::call("-", vec![Expr::col("$left"), Expr::col("$right")])),
        ("SELECT auction FROM bids INTERSECT ALL SELECT id FROM auctions", Expr::call("<", vec![Expr::col("$left"), Expr::col("$right")])),
    ] {
        let spec = job(sql);
        let Some(Node::FlatMap(f)) = spec.nodes.iter().find(|n| n.kind() == "flat_map") else { panic!("{:?}", kinds(&spec)) };
        assert_eq!(f.function, "GENERATE_SERIES");
        match &f.args[1] {
            Expr::Case(c) => assert_eq!(c.when[0].when, copies),
            other => assert_eq!(other, &copies),
        }
    }
}

/// The group keys of every aggregate node, in plan order.
fn aggregate_keys(spec: &crate::plan::JobSpec) -> Vec<Vec<String>> {
    spec.nodes
        .iter()
        .filter_map(|n| match n {
            Node::Aggregate(a) => Some(a.group_by.iter().map(|k| k.name.clone()).collect()),
            _ => None,
        })
        .collect()
}

#[test]
fn rollup_cube_and_grouping_sets_plan_one_aggregate_per_set() {
    let keys = |sql: &str| aggregate_keys(&job(sql));
    assert_eq!(keys("SELECT channel, auction, COUNT(*) FROM bids GROUP BY ROLLUP(channel, auction)"), [vec!["channel", "auction"], vec!["channel"], vec![]]);
    assert_eq!(keys("SELECT COUNT(*) FROM bids GROUP BY CUBE(channel, auction)"), [vec!["channel", "auction"], vec!["channel"], vec!["auction"], vec![]]);
    assert_eq!(
        keys("SELECT COUNT(*) FROM bids GROUP BY auction, GROUPING SETS ((channel), (bidder, auction), ())"),
        [vec!["auction", "channel"], vec!["auction", "bidder"], vec!["auction"]]
    );
    assert_eq!(keys("SELECT COUNT(*) FROM bids GROUP BY ROLLUP((channel, auction))"), [vec!["channel", "auction"], vec![]]);
    let spec = job("SELECT channel, COUNT(*) FROM bids GROUP BY GROUPING SETS ((channel), ())");
    assert_eq!(kinds(&spec).iter().filter(|k| **k == "union").count(), 1);
}

#[test]
fn grouping_is_a_constant_of_each_set() {
    let spec = job("SELECT channel, auction, GROUPING_ID(channel, auction) AS g, GROUPING(auction) AS ga FROM bids GROUP BY ROLLUP(channel, auction)");
    let projects: Vec<&crate::plan::ProjectNode> = spec
        .nodes
        .iter()
        .filter_map(|n| match n {
            Node::Project(p) if p.input.starts_with("agg") => Some(p),
            _ => None,
        })
        .collect();
    let values: Vec<Vec<Expr>> =
        projects.iter().map(|p| p.columns.iter().filter(|c| c.name.starts_with("$grouping")).map(|c| c.expr.clone()).collect()).collect();
    let big = |v: i64| Expr::typed_lit(v, crate::types::DataType::BigInt);
    assert_eq!(values, [vec![big(0), big(0)], vec![big(1), big(1)], vec![big(3), big(1)]]);
    let e = super::error("SELECT GROUPING(price) FROM bids GROUP BY ROLLUP(auction)");
    assert!(e.contains("the arguments of GROUPING must be GROUP BY expressions"), "{e}");
}

#[test]
fn group_by_a_constant_groups_by_its_value() {
    let spec = job("SELECT 'k' AS k, COUNT(*) AS n FROM bids GROUP BY 'k'");
    let Node::Aggregate(a) = &spec.nodes[1] else { panic!("{:?}", kinds(&spec)) };
    assert!(matches!(a.group_by[0].expr, Expr::Literal(_)), "{:?}", a.group_by);
}

#[test]
fn select_without_from_reads_one_row() {
    let spec = job("SELECT 1 AS one, UPPER('a') AS a");
    assert_eq!(kinds(&spec), ["values", "project", "sink"]);
    let Node::Values(v) = &spec.nodes[0] else { panic!() };
    assert_eq!(v.rows.len(), 1);
    let e = super::error("SELECT price");
    assert!(e.contains("column \"price\" not found"), "{e}");
}
