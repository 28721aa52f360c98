//! The planner's operator choices, exchanges, changelog modes and checks, through EXPLAIN and
//! through the plan itself, for SQL jobs on datagen tables (planning needs no files).

use crate::plan::RuntimeMode;
use crate::prepare::{PrepareOptions, PreparedJob};
use crate::sql::{SqlOutcome, SqlSession};

use super::{ChangelogMode, Exchange, Operator};
use crate::ops::TumbleKey;

const DDL: &str = "
CREATE TABLE bids (auction BIGINT, bidder BIGINT, price BIGINT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'datagen', 'number-of-rows' = '10');
CREATE TABLE plain (k BIGINT, v BIGINT, ts TIMESTAMP(3)) WITH ('connector' = 'datagen', 'number-of-rows' = '10');
";

fn session() -> SqlSession {
    let mut s = SqlSession::new();
    s.execute_script(DDL).unwrap_or_else(|e| panic!("{e}"));
    s
}

/// The job of one query, prepared for `mode`.
fn prepare(sql: &str, mode: RuntimeMode) -> Result<PreparedJob, crate::Error> {
    let spec = match session().execute_script(sql).unwrap_or_else(|e| panic!("{sql}: {e}")).remove(0) {
        SqlOutcome::Query(spec) | SqlOutcome::Job(spec) => spec,
        other => panic!("not a job: {other:?}"),
    };
    PreparedJob::prepare(spec, &PrepareOptions { mode: Some(mode), ..PrepareOptions::default() })
}

fn operators(job: &PreparedJob) -> Vec<Operator> {
    job.plan.nodes.iter().map(|n| n.operator.clone()).collect()
}

#[test]
fn a_group_by_hashes_on_its_key_and_updates() {
    let job = prepare("SELECT auction, COUNT(*) AS n FROM bids GROUP BY auction", RuntimeMode::Streaming).unwrap();
    let (_, agg) = job.plan.iter().find(|(_, p)| p.operator == Operator::GroupAggregate).expect("a group aggregate");
    assert_eq!(agg.exchanges, vec![Exchange::Hash(vec!["auction".into()])]);
    assert_eq!(agg.changelog.to_string(), "[I,UB,UA]");
    let text = job.explain(true);
    assert!(
        text.contains("GroupAggregate(groupBy=[auction], select=[auction, COUNT(*) AS n], state=[accumulators per group @ hashmap], changelogMode=[I,UB,UA])"),
        "{text}"
    );
    assert!(text.contains("+- Exchange(distribution=[hash[auction]], changelogMode=[I])"), "{text}");
    assert!(text.starts_with("Sink(table=[result], connector=[collect]"), "{text}");
}

#[test]
fn a_batch_group_by_merges_partials_on_a_hash_table_unless_distinct() {
    let two_phase = prepare("SELECT auction, COUNT(*) AS n FROM bids GROUP BY auction", RuntimeMode::Batch).unwrap().explain(true);
    assert!(two_phase.contains("state=[accumulators per group @ memory]"), "{two_phase}");
    let distinct = prepare("SELECT auction, COUNT(DISTINCT bidder) AS n FROM bids GROUP BY auction", RuntimeMode::Batch).unwrap().explain(true);
    assert!(distinct.contains("state=[input rows and accumulators per group @ arrangement]"), "{distinct}");
}

#[test]
fn event_time_windows_close_on_keyed_state_in_streaming_only() {
    // A DISTINCT aggregate keeps the window table function unfused.
    let sql = "SELECT window_start, window_end, COUNT(DISTINCT bidder) AS n FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end";
    let streaming = prepare(sql, RuntimeMode::Streaming).unwrap();
    assert!(operators(&streaming).contains(&Operator::WindowAggregate), "{:?}", operators(&streaming));
    let batch = prepare(sql, RuntimeMode::Batch).unwrap();
    assert!(operators(&batch).contains(&Operator::BatchGroupAggregate), "{:?}", operators(&batch));
    assert!(!operators(&batch).contains(&Operator::WindowAggregate));
    let text = streaming.explain(false);
    assert!(text.contains("WindowTableFunction(window=[TUMBLE(time_col=[ts], size=[10000 ms])])"), "{text}");
}

#[test]
fn a_tumble_window_read_by_one_two_phase_aggregate_is_computed_by_its_combiner() {
    let sql = "SELECT auction, window_start, window_end, window_time, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY auction, window_start, window_end, window_time";
    let keys = vec![TumbleKey::Input, TumbleKey::Start, TumbleKey::End, TumbleKey::Time];
    for (mode, keyed) in [(RuntimeMode::Streaming, true), (RuntimeMode::Batch, false)] {
        let job = prepare(sql, mode).unwrap();
        let ops = operators(&job);
        assert!(ops.contains(&Operator::TumbleWindowAggregate { window: 1, keys: keys.clone(), keyed }), "{mode:?}: {ops:?}");
        assert!(ops.iter().any(|o| matches!(o, Operator::Fused { .. })), "{mode:?}: {ops:?}");
        let text = job.explain(false);
        assert!(
            text.contains("WindowAggregate(groupBy=[auction, window_start, window_end, window_time], window=[TUMBLE(time_col=[ts], size=[10000 ms])]"),
            "{text}"
        );
        assert!(text.contains("+- Exchange(distribution=[hash[auction, window_start, window_end, window_time]])"), "{text}");
        assert!(!text.contains("WindowTableFunction") && !text.contains("Fused"), "{text}");
    }
    // DISTINCT, a window column read by an aggregate, a group key computed from a window
    // column and a window read twice keep the window table function.
    let twice = "SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end \
        UNION ALL SELECT window_start, SUM(price) AS n FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end";
    let unfused = [
        sql.replace("COUNT(*)", "COUNT(DISTINCT bidder)"),
        sql.replace("COUNT(*)", "MAX(window_start)"),
        sql.replace("GROUP BY auction,", "GROUP BY auction + EXTRACT(SECOND FROM window_start),").replacen(
            "auction,",
            "auction + EXTRACT(SECOND FROM window_start) AS a,",
            1,
        ),
        twice.to_string(),
    ];
    for sql in unfused {
        for mode in [RuntimeMode::Streaming, RuntimeMode::Batch] {
            let ops = operators(&prepare(&sql, mode).unwrap());
            assert!(ops.contains(&Operator::WindowTableFunction), "{sql}: {ops:?}");
            assert!(!ops.iter().any(|o| matches!(o, Operator::TumbleWindowAggregate { .. } | Operator::Fused { .. })), "{sql}: {ops:?}");
        }
    }
}

#[test]
fn a_session_window_read_by_one_aggregate_is_fused_into_it() {
    let sql = "SELECT auction, window_start, window_end, SUM(price) AS total FROM TABLE(SESSION(TABLE bids PARTITION BY auction, DESCRIPTOR(ts), INTERVAL '5' SECOND)) GROUP BY auction, window_start, window_end";
    let job = prepare(sql, RuntimeMode::Streaming).unwrap();
    let ops = operators(&job);
    assert!(ops.iter().any(|o| matches!(o, Operator::SessionWindowAggregate { .. })), "{ops:?}");
    assert!(ops.iter().any(|o| matches!(o, Operator::Fused { .. })), "{ops:?}");
    let text = job.explain(false);
    assert!(text.contains("WindowAggregate(groupBy=[auction, window_start, window_end], window=[SESSION(time_col=[ts], gap=[5000 ms])]"), "{text}");
    assert!(!text.contains("Fused"), "{text}");
}

#[test]
fn hop_and_cumulate_windows_read_by_one_aggregate_run_sliced() {
    let hop = "SELECT auction, window_start, window_end, SUM(price) AS total FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '4' SECOND, INTERVAL '10' SECOND)) GROUP BY auction, window_start, window_end";
    let job = prepare(hop, RuntimeMode::Streaming).unwrap();
    let ops = operators(&job);
    assert!(ops.iter().any(|o| matches!(o, Operator::SlicedWindowAggregate { .. })), "{ops:?}");
    assert!(ops.iter().any(|o| matches!(o, Operator::Fused { .. })), "{ops:?}");
    let text = job.explain(false);
    let line = "WindowAggregate(groupBy=[auction, window_start, window_end], window=[HOP(time_col=[ts], size=[10000 ms], slide=[4000 ms])], slice=[2000 ms], select=[auction, window_start, window_end, SUM(price) AS total], state=[accumulators per key and slice @ hashmap])";
    assert!(text.contains(line), "{text}");
    assert!(text.contains("+- Exchange(distribution=[hash[auction]])"), "{text}");
    assert!(!text.contains("WindowTableFunction") && !text.contains("Fused"), "{text}");
    let cumulate = "SELECT window_start, window_end, COUNT(*) AS n FROM TABLE(CUMULATE(TABLE bids, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '6' SECOND)) GROUP BY window_start, window_end";
    let text = prepare(cumulate, RuntimeMode::Streaming).unwrap().explain(false);
    assert!(text.contains("window=[CUMULATE(time_col=[ts], max_size=[6000 ms], step=[2000 ms])], slice=[2000 ms]"), "{text}");
    assert!(text.contains("+- Exchange(distribution=[single])"), "{text}");
    // Batch runs it sliced too (every window fires at the end of the input); DISTINCT and a
    // window column read by an aggregate keep the unfused operators.
    assert!(operators(&prepare(hop, RuntimeMode::Batch).unwrap()).iter().any(|o| matches!(o, Operator::SlicedWindowAggregate { .. })));
    let unfused = [
        (hop.replace("SUM(price)", "COUNT(DISTINCT bidder)"), RuntimeMode::Streaming),
        (hop.replace("SUM(price)", "MAX(window_start)"), RuntimeMode::Streaming),
    ];
    for (sql, mode) in unfused {
        let ops = operators(&prepare(&sql, mode).unwrap());
        assert!(!ops.iter().any(|o| matches!(o, Operator::SlicedWindowAggregate { .. } | Operator::Fused { .. })), "{sql}: {ops:?}");
    }
}

#[test]
fn streaming_over_without_event_time_fails_at_planning_with_the_node_path() {
    let sql = "SELECT k, SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s FROM plain";
    let Err(crate::Error::Plan(error)) = prepare(sql, RuntimeMode::Streaming) else { panic!("must fail while planning") };
    assert!(error.path.0.starts_with("nodes[") && error.path.0.ends_with("].order_by"), "{error}");
    assert!(error.message.contains("OVER aggregates in streaming mode need an event-time column"), "{error}");
    let batch = prepare(sql, RuntimeMode::Batch).unwrap();
    assert!(operators(&batch).contains(&Operator::OverAggregate));
}

#[test]
fn row_numbers_as_columns_run_in_batch_and_are_refused_in_streaming_by_name() {
    let sql = "SELECT auction, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY ts) AS rn FROM bids";
    let Err(crate::Error::Plan(error)) = prepare(sql, RuntimeMode::Streaming) else { panic!("must fail while planning") };
    assert!(error.message.contains("ROW_NUMBER() as a column needs batch mode"), "{error}");
    let batch = prepare(sql, RuntimeMode::Batch).unwrap();
    assert!(operators(&batch).contains(&Operator::SortedOverAggregate));
}

#[test]
fn insert_only_inputs_stay_insert_only_and_retractions_carry_deletes() {
    let job = prepare("SELECT DISTINCT k FROM (SELECT k, COUNT(*) AS n FROM plain GROUP BY k)", RuntimeMode::Streaming).unwrap();
    let source = job.plan.nodes.first().expect("a source");
    assert_eq!(source.operator, Operator::TableSourceScan);
    assert_eq!(source.changelog, ChangelogMode::INSERT_ONLY);
    let (_, distinct) = job.plan.iter().find(|(_, p)| p.operator == Operator::Distinct).expect("a distinct");
    assert!(!distinct.inputs_insert_only);
    assert!(distinct.changelog.deletes, "{}", distinct.changelog);
}

#[test]
fn a_global_aggregate_over_retractions_deletes_in_streaming_only() {
    let sql = "SELECT COUNT(*) AS n FROM (SELECT k, SUM(v) AS s FROM plain GROUP BY k) WHERE s > 10";
    let global = |mode| {
        let job = prepare(sql, mode).unwrap();
        job.plan
            .iter()
            .filter(|(_, p)| matches!(p.operator, Operator::GroupAggregate | Operator::BatchGroupAggregate))
            .last()
            .map(|(_, p)| p.changelog)
            .expect("the global aggregate")
    };
    assert!(global(RuntimeMode::Streaming).deletes, "its row goes when every input row is retracted");
    assert!(!global(RuntimeMode::Batch).deletes, "batch keeps one row");
    let job = prepare("SELECT COUNT(*) AS n FROM plain", RuntimeMode::Streaming).unwrap();
    let (_, over_inserts) = job.plan.iter().find(|(_, p)| p.operator == Operator::GroupAggregate).expect("the aggregate");
    assert!(!over_inserts.changelog.deletes, "over an insert-only input it never goes");
}

#[test]
fn explain_statements_print_the_physical_plan_and_their_variants() {
    let mut s = session();
    let explain = |s: &mut SqlSession, sql: &str| match s.execute_script(sql).unwrap_or_else(|e| panic!("{e}")).remove(0) {
        SqlOutcome::Explain(text) => text,
        other => panic!("{other:?}"),
    };
    let text = explain(&mut s, "EXPLAIN SELECT auction FROM bids WHERE price > 1");
    assert!(text.contains("== Optimized Physical Plan ==\nSink(table=[result]"), "{text}");
    assert!(text.contains("+- Calc(where=["), "{text}");
    assert!(!text.contains("changelogMode"), "{text}");
    let text = explain(&mut s, "EXPLAIN CHANGELOG_MODE SELECT auction FROM bids WHERE price > 1");
    assert!(text.contains("changelogMode=[I]"), "{text}");
    let text = explain(&mut s, "EXPLAIN JSON SELECT auction FROM bids");
    assert!(text.trim_start().starts_with('{') && !text.contains("=="), "{text}");
    let bad = s.execute_script("EXPLAIN SELECT k, SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s FROM plain");
    assert!(bad.is_err_and(|e| e.to_string().contains("event-time column")));
}

#[test]
fn state_ttl_hints_pick_the_keyed_join_and_show_in_the_state_column() {
    let sql = "SELECT /*+ STATE_TTL('b' = '1d') */ b.price, p.v FROM bids b JOIN plain p ON b.auction = p.k";
    let streaming = prepare(sql, RuntimeMode::Streaming).unwrap();
    assert!(operators(&streaming).contains(&Operator::Join), "a join whose rows expire runs on keyed state: {:?}", operators(&streaming));
    let text = streaming.explain(false);
    assert!(text.contains("state=[rows of both inputs per key @ hashmap, ttl=[left=1 d, right=off]]"), "{text}");
    let batch = prepare(sql, RuntimeMode::Batch).unwrap();
    assert!(operators(&batch).contains(&Operator::HashJoin) && !batch.explain(false).contains("ttl="), "batch keeps no TTL");
    assert!(batch.explain(false).contains("state=[rows of both inputs until they end @ memory]"), "{}", batch.explain(false));
    // Outer joins in batch stay on arrangements: their unmatched rows need consolidated input.
    let left = prepare("SELECT b.price, p.v FROM bids b LEFT JOIN plain p ON b.auction = p.k", RuntimeMode::Batch).unwrap();
    assert!(operators(&left).contains(&Operator::ArrangedJoin), "{:?}", operators(&left));
    // A zero TTL keeps rows for ever: nothing expires, the in-memory join of insert-only
    // inputs serves.
    let forever = prepare("SELECT /*+ STATE_TTL('b' = '0 ms') */ b.price FROM bids b JOIN plain p ON b.auction = p.k", RuntimeMode::Streaming).unwrap();
    assert!(operators(&forever).contains(&Operator::SymmetricHashJoin), "{:?}", operators(&forever));
    assert!(forever.explain(false).contains("state=[rows of both inputs per key @ memory]"), "{}", forever.explain(false));
    // A streaming join of a retracting input stays on arrangements, which consolidate it.
    let retracting =
        prepare("SELECT b.price, a.n FROM bids b JOIN (SELECT k, COUNT(*) AS n FROM plain GROUP BY k) a ON b.auction = a.k", RuntimeMode::Streaming).unwrap();
    assert!(operators(&retracting).contains(&Operator::ArrangedJoin), "{:?}", operators(&retracting));

    // The side a hint leaves alone keeps the job's TTL.
    let mut outcomes = session().execute_script(&format!("SET 'table.exec.state.ttl' = '1 h'; {sql}")).unwrap_or_else(|e| panic!("{e}"));
    let SqlOutcome::Query(spec) = outcomes.remove(1) else { panic!("not a query") };
    let job = PreparedJob::prepare(spec, &PrepareOptions { mode: Some(RuntimeMode::Streaming), ..PrepareOptions::default() }).unwrap();
    assert!(job.explain(false).contains("ttl=[left=1 d, right=1 h]"), "{}", job.explain(false));
    let text = prepare("SELECT /*+ STATE_TTL('plain' = '90 s') */ k, COUNT(*) AS n FROM plain GROUP BY k", RuntimeMode::Streaming).unwrap().explain(false);
    assert!(text.contains("state=[accumulators per group @ hashmap, ttl=90 s]"), "{text}");
    let text = prepare("SELECT k, COUNT(*) AS n FROM plain GROUP BY k", RuntimeMode::Streaming).unwrap().explain(false);
    assert!(text.contains("state=[accumulators per group @ hashmap]"), "unhinted: no ttl shown: {text}");
    let text = prepare("SELECT /*+ STATE_TTL('plain' = '90 s') */ DISTINCT k FROM plain", RuntimeMode::Streaming).unwrap().explain(false);
    assert!(text.contains("state=[distinct rows @ hashmap, ttl=90 s]"), "{text}");
}

#[test]
fn sources_build_only_the_columns_their_readers_use() {
    let scan = |sql: &str, table: &str| {
        let text = prepare(sql, RuntimeMode::Batch).unwrap().explain(false);
        text.lines()
            .find(|l| l.contains(&format!("TableSourceScan(table=[{table}")))
            .map(|l| l.trim_start_matches([' ', '+', '-', ':']).to_string())
            .unwrap_or(text)
    };
    // The rowtime column stays, whoever reads it.
    let text = scan("SELECT auction, SUM(price) AS total FROM bids GROUP BY auction", "bids");
    assert_eq!(text, "TableSourceScan(table=[bids, project=[auction, price, ts]], connector=[datagen], fields=[auction, price, ts], watermark=[ts - 1000 ms])");
    // A sink writes every column: nothing to leave out.
    assert_eq!(scan("SELECT * FROM plain", "plain"), "TableSourceScan(table=[plain], connector=[datagen], fields=[k, v, ts])");
    // Through a join: each side its keys, its condition's columns and what is selected; a
    // filter's columns even when not selected.
    let join = "SELECT b.price FROM plain p JOIN bids b ON p.k = b.auction WHERE p.v > 1";
    assert_eq!(scan(join, "plain"), "TableSourceScan(table=[plain, project=[k, v]], connector=[datagen], fields=[k, v])");
    let bids = "TableSourceScan(table=[bids, project=[auction, price, ts]], connector=[datagen], fields=[auction, price, ts], watermark=[ts - 1000 ms])";
    assert_eq!(scan(join, "bids"), bids);
    let join = "SELECT p.k FROM plain p JOIN bids b ON p.k = b.auction AND b.bidder > p.v";
    assert_eq!(scan(join, "plain"), "TableSourceScan(table=[plain, project=[k, v]], connector=[datagen], fields=[k, v])");
    assert_eq!(
        scan(join, "bids"),
        "TableSourceScan(table=[bids, project=[auction, bidder, ts]], connector=[datagen], fields=[auction, bidder, ts], watermark=[ts - 1000 ms])"
    );
    assert_eq!(scan("SELECT COUNT(*) AS n FROM plain", "plain"), "TableSourceScan(table=[plain, project=[]], connector=[datagen], fields=[])");
    let distinct = "SELECT DISTINCT k, v FROM plain";
    assert_eq!(scan(distinct, "plain"), "TableSourceScan(table=[plain, project=[k, v]], connector=[datagen], fields=[k, v])");
}

/// The job of a script whose last statement is a query, prepared for `mode`.
fn prepare_script(script: &str, mode: RuntimeMode) -> Result<PreparedJob, crate::Error> {
    let spec = session()
        .execute_script(script)
        .unwrap_or_else(|e| panic!("{script}: {e}"))
        .into_iter()
        .find_map(|o| match o {
            SqlOutcome::Query(spec) | SqlOutcome::Job(spec) => Some(spec),
            _ => None,
        })
        .expect("a job");
    PreparedJob::prepare(spec, &PrepareOptions { mode: Some(mode), ..PrepareOptions::default() })
}

fn count(job: &PreparedJob, operator: impl Fn(&Operator) -> bool) -> usize {
    job.plan.nodes.iter().filter(|n| operator(&n.operator)).count()
}

/// Nexmark q5's shape: the same HOP aggregate over `bids` read twice.
const TWICE: &str = "SELECT a.auction, a.n FROM
  (SELECT auction, COUNT(*) AS n, window_start, window_end FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '10' SECOND)) GROUP BY auction, window_start, window_end) a
  JOIN (SELECT MAX(c.n) AS m, c.window_start, c.window_end FROM
    (SELECT auction, COUNT(*) AS n, window_start, window_end FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '10' SECOND)) GROUP BY auction, window_start, window_end) c
    GROUP BY c.window_start, c.window_end) b
  ON a.window_start = b.window_start AND a.window_end = b.window_end AND a.n >= b.m";

#[test]
fn equal_subplans_merge_into_one_node_printed_once() {
    for mode in [RuntimeMode::Streaming, RuntimeMode::Batch] {
        let job = prepare(TWICE, mode).unwrap();
        let text = job.explain(false);
        assert_eq!(count(&job, |o| *o == Operator::TableSourceScan), 1, "{mode:?}: {text}");
        assert_eq!(count(&job, |o| matches!(o, Operator::SlicedWindowAggregate { .. })), 1, "{mode:?}: {text}");
        assert_eq!(text.matches("TableSourceScan(").count(), 1, "{text}");
        assert_eq!(text.matches("(reuse_id=[1])").count(), 1, "{text}");
        assert_eq!(text.matches("Reused(reference_id=[1])").count(), 1, "{text}");
        assert!(text.contains("WindowAggregate(groupBy=[auction, window_start, window_end]") && text.contains("(reuse_id=[1])"), "{text}");
        // Every reader of a merged node reads the node it was merged into.
        for (node, phys) in job.plan.iter() {
            if let Operator::Reused { of } = phys.operator {
                assert_eq!(node.reused_as, Some(of));
                assert!(node.inputs.is_empty() && job.plan.logical.nodes[of].reused_as.is_none());
                assert!(job.plan.logical.nodes.iter().all(|n| !n.inputs.contains(&node.index)), "{} is still read", node.id);
            }
        }
    }
}

#[test]
fn a_self_join_reads_one_scan_of_the_union_of_its_columns() {
    let job = prepare("SELECT a.price FROM bids a JOIN bids b ON a.auction = b.auction", RuntimeMode::Batch).unwrap();
    let text = job.explain(false);
    assert_eq!(count(&job, |o| *o == Operator::TableSourceScan), 1, "{text}");
    let (join, _) = job.plan.iter().find(|(_, p)| p.operator == Operator::HashJoin).expect("a join");
    assert_eq!(join.inputs[0], join.inputs[1], "{text}");
    assert!(text.contains("TableSourceScan(table=[bids, project=[auction, price, ts]]"), "{text}");
    assert!(text.contains("Reused(reference_id=[1])"), "{text}");
}

/// `bids` again under another name: the same connector, options and columns.
const SAME_BIDS: &str = "CREATE TABLE bids_again (auction BIGINT, bidder BIGINT, price BIGINT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'datagen', 'number-of-rows' = '10');";

#[test]
fn scans_of_tables_with_the_same_connector_options_and_columns_merge() {
    let sql = format!("{SAME_BIDS} SELECT auction FROM bids UNION ALL SELECT auction FROM bids_again");
    let job = prepare_script(&sql, RuntimeMode::Batch).unwrap();
    assert_eq!(count(&job, |o| *o == Operator::TableSourceScan), 1, "{}", job.explain(false));
    assert_eq!(count(&job, |o| matches!(o, Operator::Reused { .. })), 2, "the scan and its projection");
    let off = prepare_script(&format!("SET 'table.optimizer.reuse-source-enabled' = 'FALSE'; {sql}"), RuntimeMode::Batch).unwrap();
    assert_eq!(count(&off, |o| *o == Operator::TableSourceScan), 2, "{}", off.explain(false));
    assert_eq!(count(&off, |o| matches!(o, Operator::Reused { .. })), 0);
    // Another option: other rows.
    let sql = format!("{} SELECT auction FROM bids UNION ALL SELECT auction FROM bids_again", SAME_BIDS.replace("'10'", "'11'"));
    assert_eq!(count(&prepare_script(&sql, RuntimeMode::Batch).unwrap(), |o| *o == Operator::TableSourceScan), 2);
}

#[test]
fn unequal_nodes_stay_apart_above_a_shared_scan() {
    let job = prepare("SELECT auction FROM bids WHERE price > 10 UNION ALL SELECT auction FROM bids WHERE price > 20", RuntimeMode::Batch).unwrap();
    let text = job.explain(false);
    assert_eq!(count(&job, |o| *o == Operator::TableSourceScan), 1, "{text}");
    assert!(text.contains("where=[>(price, 10)]") && text.contains("where=[>(price, 20)]"), "{text}");
    assert_eq!(count(&job, |o| matches!(o, Operator::Reused { .. })), 0, "{text}");
    // Different tables with the same columns are different sources.
    let job = prepare("SELECT k FROM plain UNION ALL SELECT auction FROM bids", RuntimeMode::Batch).unwrap();
    assert_eq!(count(&job, |o| *o == Operator::TableSourceScan), 2);
}

#[test]
fn non_deterministic_nodes_are_never_merged() {
    let sql = "SELECT auction FROM bids WHERE RAND() < 0.5 UNION ALL SELECT auction FROM bids WHERE RAND() < 0.5";
    let job = prepare(sql, RuntimeMode::Batch).unwrap();
    let text = job.explain(false);
    // Each filter draws its own numbers.
    assert_eq!(count(&job, |o| matches!(o, Operator::Reused { .. })), 0, "{text}");
    assert_eq!(text.matches("RAND()").count(), 2, "{text}");
    let sql = "SELECT auction, NOW() AS t FROM bids UNION ALL SELECT auction, NOW() AS t FROM bids";
    let text = prepare(sql, RuntimeMode::Batch).unwrap().explain(false);
    assert_eq!(text.matches("NOW()").count(), 2, "{text}");
    // The same filters without RAND() merge.
    let sql = "SELECT auction FROM bids WHERE price < 5 UNION ALL SELECT auction FROM bids WHERE price < 5";
    let job = prepare(sql, RuntimeMode::Batch).unwrap();
    assert_eq!(count(&job, |o| matches!(o, Operator::Reused { .. })), 2, "{}", job.explain(false));
}

#[test]
fn the_reuse_settings_turn_it_off() {
    let sliced = |job: &PreparedJob| count(job, |o| matches!(o, Operator::SlicedWindowAggregate { .. }));
    let off = prepare_script(&format!("SET 'table.optimizer.reuse-sub-plan-enabled' = 'false'; {TWICE}"), RuntimeMode::Streaming).unwrap();
    assert_eq!(count(&off, |o| matches!(o, Operator::Reused { .. })), 0);
    assert_eq!(sliced(&off), 2, "{}", off.explain(false));
    let on = prepare_script(&format!("SET 'table.optimizer.reuse-sub-plan-enabled' = 'true'; {TWICE}"), RuntimeMode::Streaming).unwrap();
    assert_eq!(sliced(&on), 1);
    let error = session().execute_script("SET 'table.optimizer.reuse-sub-plan-enabled' = 'yes'").expect_err("an error").to_string();
    assert!(error.contains("table.optimizer.reuse-sub-plan-enabled") && error.contains("expected 'true' or 'false', found 'yes'"), "{error}");
}
