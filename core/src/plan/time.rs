//! Event time in the plan: checking source watermarks and window nodes, and following the
//! event-time (`rowtime`) and window columns from node to node, so that a GROUP BY over a
//! window's start and end can be recognised as a window aggregate.

use crate::error::{PlanError, SpecPath};
use crate::expr::BoundExpr;
use crate::types::{DataType, Field, Schema};

use super::spec::{JoinType, WatermarkDef, WindowKind, WindowNode};
use super::typed::{PlanNode, PlanOp, SourceWatermark, TimeColumns, WindowAggregate, WindowColumns, WindowJoin, WindowSpec};

/// The names of the columns a window node appends, in order.
pub const WINDOW_COLUMNS: [&str; 3] = ["window_start", "window_end", "window_time"];

/// Resolves a source's `watermark` against its columns, the last of which are `computed`.
pub(super) fn source_watermark(w: &WatermarkDef, schema: &Schema, computed: &[BoundExpr], path: &SpecPath) -> Result<SourceWatermark, PlanError> {
    let at = path.field("column");
    let Some(column) = schema.index_of(&w.column) else {
        let hint = schema.closest_name(&w.column).map(|c| format!("; did you mean \"{c}\"?")).unwrap_or_default();
        return Err(PlanError::new(&at, format!("no column \"{}\" in the source{hint}", w.column)));
    };
    if proctime_column(schema, computed) == Some(column) {
        return Err(PlanError::new(&at, format!("\"{}\" is a processing-time column (PROCTIME()): a watermark needs an event-time column", w.column)));
    }
    let data_type = schema.fields[column].data_type;
    if !data_type.is_timestamp() {
        return Err(PlanError::new(&at, format!("the watermark column must be TIMESTAMP(3) or TIMESTAMP_LTZ(3), \"{}\" is {data_type}", w.column)));
    }
    Ok(SourceWatermark { column, delay_ms: w.delay_ms, idle_timeout_ms: None })
}

/// The first of a source's `computed` columns (the last columns of `schema`) that is
/// `PROCTIME()`.
fn proctime_column(schema: &Schema, computed: &[BoundExpr]) -> Option<usize> {
    let first = schema.len().checked_sub(computed.len())?;
    computed.iter().position(is_proctime).map(|i| first + i)
}

fn is_proctime(e: &BoundExpr) -> bool {
    e.function_name().is_some_and(|n| n.eq_ignore_ascii_case("PROCTIME"))
}

/// The rowtime attribute of `input`'s rows when they are timed by event time — descending
/// from a source with a WATERMARK or from a `watermark` node, the column passed on unchanged —
/// as `CURRENT_WATERMARK` needs it. A processing-time attribute (`PROCTIME()`, the rowtime of
/// rows from a source without a watermark) is not one. `nodes` are the plan's nodes so far.
pub(super) fn event_time_attribute(nodes: &[PlanNode], input: &PlanNode) -> Option<usize> {
    let rowtime = input.time.rowtime?;
    let mut node = input;
    loop {
        match &node.op {
            PlanOp::Source { watermark, .. } => return watermark.is_some().then_some(rowtime),
            PlanOp::Watermark { .. } | PlanOp::Process { .. } | PlanOp::StreamWindow { .. } => return Some(rowtime),
            _ => node = nodes.get(*node.inputs.first()?)?,
        }
    }
}

/// Checks a window node over `input`: its output schema and operation.
pub(super) fn check_window(n: &WindowNode, input: &PlanNode, path: &SpecPath) -> Result<(Schema, PlanOp), PlanError> {
    let at = path.field("time_column");
    let time_column = resolve_column(&n.time_column, &input.schema, &at)?;
    let time_type = input.schema.fields[time_column].data_type;
    if !time_type.is_timestamp() {
        return Err(PlanError::new(&at, format!("windows need a TIMESTAMP(3) or TIMESTAMP_LTZ(3) column, \"{}\" is {time_type}", n.time_column)));
    }
    for name in WINDOW_COLUMNS {
        if input.schema.index_of(name).is_some() {
            return Err(PlanError::new(&path.field("input"), format!("the input already has a column \"{name}\"; rename it first")));
        }
    }
    let added = Schema::new(vec![
        Field::new(WINDOW_COLUMNS[0], DataType::Timestamp).with_nullable(false),
        Field::new(WINDOW_COLUMNS[1], DataType::Timestamp).with_nullable(false),
        Field::new(WINDOW_COLUMNS[2], time_type).with_nullable(false),
    ]);
    if n.window == WindowKind::Session {
        let window = check_session(n, path)?;
        let partition_by = resolve_columns(&n.partition_by, &input.schema, &path.field("partition_by"))?;
        return Ok((input.schema.join(&added), PlanOp::Window { window, time_column, partition_by }));
    }
    if let Some(name) = [("gap_ms", n.gap_ms.is_some()), ("partition_by", !n.partition_by.is_empty())].iter().find_map(|(f, set)| set.then_some(*f)) {
        return Err(PlanError::new(&path.field(name), format!("{name} applies to session windows only")));
    }
    if n.size_ms == 0 {
        return Err(PlanError::new(&path.field("size_ms"), "the window size must be positive"));
    }
    let (field, given, other) = match n.window {
        WindowKind::Tumble => ("", None, [("slide_ms", n.slide_ms), ("step_ms", n.step_ms)]),
        WindowKind::Hop => ("slide_ms", n.slide_ms, [("step_ms", n.step_ms), ("", None)]),
        WindowKind::Cumulate | WindowKind::Session => ("step_ms", n.step_ms, [("slide_ms", n.slide_ms), ("", None)]),
    };
    if let Some((name, _)) = other.iter().find(|(_, v)| v.is_some()) {
        return Err(PlanError::new(&path.field(name), format!("{name} does not apply to {:?} windows", n.window).to_lowercase()));
    }
    let slide_ms = match (field, given) {
        ("", _) => n.size_ms,
        (name, None) => return Err(PlanError::new(&path.field(name), format!("{:?} windows need {name}", n.window).to_lowercase())),
        (name, Some(0)) => return Err(PlanError::new(&path.field(name), format!("{name} must be positive"))),
        (name, Some(s)) if n.window == WindowKind::Cumulate && !n.size_ms.is_multiple_of(s) => {
            return Err(PlanError::new(&path.field(name), format!("the window size ({} ms) must be a multiple of {name} ({s} ms)", n.size_ms)));
        }
        (_, Some(s)) => s,
    };
    let window = WindowSpec { kind: n.window, size_ms: n.size_ms, slide_ms, offset_ms: n.offset_ms };
    Ok((input.schema.join(&added), PlanOp::Window { window, time_column, partition_by: Vec::new() }))
}

/// The gap of a SESSION window node, as its window spec.
fn check_session(n: &WindowNode, path: &SpecPath) -> Result<WindowSpec, PlanError> {
    for (name, set) in [("size_ms", n.size_ms != 0), ("slide_ms", n.slide_ms.is_some()), ("step_ms", n.step_ms.is_some()), ("offset_ms", n.offset_ms != 0)] {
        if set {
            return Err(PlanError::new(&path.field(name), format!("{name} does not apply to session windows (give gap_ms)")));
        }
    }
    match n.gap_ms {
        None => Err(PlanError::new(&path.field("gap_ms"), "session windows need gap_ms")),
        Some(0) => Err(PlanError::new(&path.field("gap_ms"), "the session gap must be positive")),
        Some(gap) => Ok(WindowSpec { kind: WindowKind::Session, size_ms: gap, slide_ms: gap, offset_ms: 0 }),
    }
}

/// The positions of the named columns of `schema`.
pub(super) fn resolve_columns(names: &[String], schema: &Schema, path: &SpecPath) -> Result<Vec<usize>, PlanError> {
    names.iter().enumerate().map(|(i, name)| resolve_column(name, schema, &path.index(i))).collect()
}

/// The position of column `name` of `schema`, or an error with the closest name.
pub(super) fn resolve_column(name: &str, schema: &Schema, path: &SpecPath) -> Result<usize, PlanError> {
    schema.index_of(name).ok_or_else(|| {
        let hint = schema.closest_name(name).map(|c| format!("; did you mean \"{c}\"?")).unwrap_or_default();
        PlanError::new(path, format!("no column \"{name}\"{hint}"))
    })
}

/// A GROUP BY over `input` is a window aggregate when its keys include the window's start and
/// end columns unchanged (each group then lies in exactly one window).
pub(super) fn window_aggregate(input: &PlanNode, group_by: &[BoundExpr]) -> Option<WindowAggregate> {
    let w = input.time.window?;
    let key_of = |column: usize| group_by.iter().position(|g| g.as_column() == Some(column));
    key_of(w.start)?;
    let end_key = key_of(w.end)?;
    Some(WindowAggregate { end_column: w.end, end_key, event_time: w.event_time, lateness_ms: 0 })
}

/// An inner join of two append-only event-time window relations whose keys pair the
/// windows' starts and ends is a window join.
pub(super) fn window_join(join_type: JoinType, left: &PlanNode, right: &PlanNode, left_keys: &[BoundExpr], right_keys: &[BoundExpr]) -> Option<WindowJoin> {
    let (lw, rw) = (left.time.window?, right.time.window?);
    if join_type != JoinType::Inner || !lw.event_time || !rw.event_time || !left.append_only || !right.append_only {
        return None;
    }
    let pairs: Vec<(Option<usize>, Option<usize>)> = left_keys.iter().zip(right_keys).map(|(l, r)| (l.as_column(), r.as_column())).collect();
    let paired = |l: usize, r: usize| pairs.contains(&(Some(l), Some(r)));
    (paired(lw.start, rw.start) && paired(lw.end, rw.end)).then_some(WindowJoin { left_end: lw.end, right_end: rw.end })
}

/// A Top-N over an append-only event-time window relation whose partitions include the
/// window's start and end is a window Top-N: the `window_end` column.
pub(super) fn window_top_n(input: &PlanNode, partition_by: &[BoundExpr]) -> Option<usize> {
    let w = input.time.window?;
    let has = |c: usize| partition_by.iter().any(|p| p.as_column() == Some(c));
    (w.event_time && input.append_only && has(w.start) && has(w.end)).then_some(w.end)
}

/// The event-time and window columns of a node computing `op` over `inputs`, with output
/// `schema`.
pub(super) fn time_columns(op: &PlanOp, schema: &Schema, inputs: &[&PlanNode]) -> TimeColumns {
    let first = inputs.first().map(|n| n.time).unwrap_or_default();
    match op {
        // Without a watermark a source times its rows by the wall clock, so a `PROCTIME()`
        // column of it is the processing-time attribute.
        PlanOp::Source { watermark: Some(w), .. } => TimeColumns { rowtime: Some(w.column), window: None },
        PlanOp::Source { watermark: None, computed, .. } => TimeColumns { rowtime: proctime_column(schema, computed), window: None },
        PlanOp::Filter { .. } | PlanOp::Sink { .. } | PlanOp::FlatMap { .. } | PlanOp::Over { .. } => first,
        // The left input's columns come first and keep their positions.
        PlanOp::IntervalJoin { .. } => TimeColumns { rowtime: first.rowtime, window: None },
        PlanOp::Project { exprs } => {
            let moved = |c: usize| exprs.iter().position(|e| e.as_column() == Some(c));
            let window = first.window.and_then(|w| Some(WindowColumns { start: moved(w.start)?, end: moved(w.end)?, event_time: w.event_time }));
            // `PROCTIME()` computed right after a source without a watermark is the processing-
            // time attribute: that source times its rows by the wall clock, so the frontier is
            // processing time and windows on it close as it passes.
            let processing_time = matches!(inputs.first().map(|n| &n.op), Some(PlanOp::Source { watermark: None, .. }));
            let proctime = || exprs.iter().position(is_proctime).filter(|_| processing_time);
            TimeColumns { rowtime: first.rowtime.and_then(moved).or_else(proctime), window }
        }
        PlanOp::Union { .. } if inputs.iter().all(|n| n.time == first) => first,
        PlanOp::Watermark { column, .. } => TimeColumns { rowtime: Some(*column), window: None },
        // A process function's rows go out at their input row's or their timer's time: still
        // timed by event time, in the function's timestamp column when it has one.
        PlanOp::Process { function, event_time: true, .. } => TimeColumns { rowtime: function.output_timestamp(), window: None },
        PlanOp::StreamWindow { function, event_time: true, .. } => TimeColumns { rowtime: function.output_timestamp(), window: None },
        // A window aggregate grouped by the window's bounds keeps them as window columns, so a
        // GROUP BY or join on them downstream is again windowed (cascading windows).
        PlanOp::Aggregate { group_by, window: Some(w), .. } if w.event_time => {
            let start = first.window.and_then(|iw| group_by.iter().position(|g| g.as_column() == Some(iw.start)));
            let window = start.map(|start| WindowColumns { start, end: w.end_key, event_time: true });
            TimeColumns { rowtime: None, window }
        }
        PlanOp::Join { window: Some(_), .. } | PlanOp::TopN { window_end: Some(_), .. } => TimeColumns { rowtime: None, window: first.window },
        PlanOp::Window { time_column, .. } => {
            let width = inputs.first().map(|n| n.schema.len()).unwrap_or(0);
            let event_time = first.rowtime == Some(*time_column);
            TimeColumns { rowtime: first.rowtime, window: Some(WindowColumns { start: width, end: width + 1, event_time }) }
        }
        _ => TimeColumns::default(),
    }
}

#[cfg(test)]
mod tests {
    use crate::plan::{parse_job_spec, validate};

    /// A datagen source with `computed` columns and `watermark`, read by a blackhole sink.
    fn spec(computed: &str, watermark: &str) -> String {
        format!(
            r#"{{"nodes": [
              {{"kind": "source", "id": "s", "connector": "datagen", "options": {{"number-of-rows": "1"}},
               "schema": [{{"name": "ts_ms", "type": "BIGINT"}}], "computed": {computed}, "watermark": {watermark}}},
              {{"kind": "sink", "id": "out", "input": "s", "connector": "blackhole"}}]}}"#
        )
    }

    fn error(computed: &str, watermark: &str) -> String {
        let parsed = parse_job_spec(&spec(computed, watermark)).unwrap_or_else(|e| panic!("{e}"));
        validate(&parsed).err().map(|e| e.to_string()).unwrap_or_else(|| panic!("{computed} {watermark} validates"))
    }

    const TS: &str = r#"[{"name": "ts", "expr": {"call": {"function": "TO_TIMESTAMP_LTZ", "args": [{"column": "ts_ms"}, {"literal": 3}]}}}]"#;

    #[test]
    fn a_source_watermark_may_name_a_computed_column() {
        let parsed = parse_job_spec(&spec(TS, r#"{"column": "ts", "delay_ms": 500}"#)).unwrap_or_else(|e| panic!("{e}"));
        let plan = validate(&parsed).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.nodes[0].schema.names().collect::<Vec<_>>(), ["ts_ms", "ts"]);
        assert_eq!(plan.nodes[0].time.rowtime, Some(1));
    }

    #[test]
    fn computed_column_mistakes_name_their_json_path() {
        let e = error(r#"[{"name": "ts", "expr": {"column": "nope"}}]"#, "null");
        assert!(e.contains("nodes[0].computed[0].expr") && e.contains("nope"), "{e}");
        let e = error(r#"[{"name": "ts_ms", "expr": {"column": "ts_ms"}}]"#, "null");
        assert!(e.contains("nodes[0].computed[0].name") && e.contains("duplicate column"), "{e}");
        let e = error(r#"[{"name": "a", "expr": {"literal": 1}}, {"name": "b", "expr": {"column": "a"}}]"#, "null");
        assert!(e.contains("nodes[0].computed[1].expr"), "computed columns read the physical ones only: {e}");
        let e = error(r#"[{"name": "pt", "expr": {"call": {"function": "PROCTIME"}}}]"#, r#"{"column": "pt"}"#);
        assert!(e.contains("nodes[0].watermark.column") && e.contains("processing-time column"), "{e}");
    }
}
