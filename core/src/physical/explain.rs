//! The physical plan as text, the way Flink's `EXPLAIN` prints its optimized physical plan: one
//! line per operator with its attributes (`Op(key=[..], ...)`), children below it behind
//! `+-` (last child) or `:-`, and an `Exchange(distribution=[..])` line where rows are
//! redistributed. Sinks are the roots, in node order. A node with several readers (sub-plan
//! reuse, or one query read by several INSERTs) is printed in full once, marked
//! `(reuse_id=[N])`, and as `Reused(reference_id=[N])` where it is read again, as Flink
//! prints it.

use std::fmt::Write;

use crate::ops::Slicing;
use crate::plan::{BoundAggregate, BoundOffset, BoundSortKey, FrameUnit, Keep, OverFrame, PlanNode, PlanOp, WindowKind, WindowSpec};
use crate::types::Schema;

use super::exchange::expr_text;
use super::{Exchange, Operator, PhysicalNode, PhysicalPlan};

/// Extra detail `EXPLAIN` may add to each operator (Flink's `ExplainDetail`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExplainDetail {
    /// `changelogMode=[I,UB,UA,D]` on every operator (`EXPLAIN CHANGELOG_MODE`).
    ChangelogMode,
}

/// Deeper trees are cut.
const MAX_DEPTH: usize = 200;

/// Longer texts are cut (a shared node is printed once, so only a very large plan reaches it).
const MAX_BYTES: usize = 1 << 20;

/// The operator tree of `plan`, one line per operator, with `details`.
pub fn explain(plan: &PhysicalPlan, details: &[ExplainDetail]) -> String {
    let mut out = String::new();
    let mut readers = vec![0usize; plan.nodes.len()];
    for (node, _) in plan.iter().filter(|(_, p)| !matches!(p.operator, Operator::Reused { .. })) {
        for &input in &node.inputs {
            if let Some(r) = readers.get_mut(input) {
                *r += 1;
            }
        }
    }
    let mut printer = Printer {
        plan,
        changelog: details.contains(&ExplainDetail::ChangelogMode),
        shared: readers.iter().map(|&r| r > 1).collect(),
        reuse_ids: vec![None; plan.nodes.len()],
        next_id: 0,
    };
    for (i, (node, _)) in plan.iter().filter(|(_, p)| matches!(p.operator, Operator::Sink | Operator::DiscardSink)).enumerate() {
        if i > 0 {
            out.push('\n');
        }
        printer.node(node.index, "", "", 0, &mut out);
    }
    out
}

struct Printer<'p> {
    plan: &'p PhysicalPlan,
    changelog: bool,
    /// Per node, whether several readers read it.
    shared: Vec<bool>,
    /// Per shared node, its `reuse_id` once printed.
    reuse_ids: Vec<Option<usize>>,
    /// The last `reuse_id` given.
    next_id: usize,
}

impl Printer<'_> {
    /// Prints node `index` after `lead` and its children after `prefix`.
    fn node(&mut self, index: usize, lead: &str, prefix: &str, depth: usize, out: &mut String) {
        let (Some(node), Some(phys)) = (self.plan.logical.nodes.get(index), self.plan.nodes.get(index)) else { return };
        if let Operator::Fused { .. } = phys.operator {
            // Computed by its reader: print what it reads in its place.
            if let Some(&input) = node.inputs.first() {
                self.node(input, lead, prefix, depth, out);
            }
            return;
        }
        let mut reuse = String::new();
        if self.shared.get(index).copied().unwrap_or(false) {
            if let Some(id) = self.reuse_ids.get(index).copied().flatten() {
                let _ = writeln!(out, "{lead}Reused(reference_id=[{id}])");
                return;
            }
            self.next_id += 1;
            self.reuse_ids[index] = Some(self.next_id);
            reuse = format!("(reuse_id=[{}])", self.next_id);
        }
        let mut attributes = attributes(self.plan, node, phys);
        if let Some(state) = &phys.state {
            attributes.push(("state", state.to_string()));
        }
        if self.changelog {
            attributes.push(("changelogMode", phys.changelog.to_string().trim_matches(['[', ']']).to_string()));
        }
        let text: Vec<String> = attributes.iter().map(|(k, v)| format!("{k}=[{v}]")).collect();
        let _ = writeln!(out, "{lead}{}({}){reuse}", display_name(node, phys), text.join(", "));
        if depth > MAX_DEPTH || out.len() > MAX_BYTES {
            let _ = writeln!(out, "{prefix}+- ...");
            return;
        }
        let count = node.inputs.len();
        for (k, &input) in node.inputs.iter().enumerate() {
            let last = k + 1 == count;
            let (lead, mut prefix) = if last { (format!("{prefix}+- "), format!("{prefix}   ")) } else { (format!("{prefix}:- "), format!("{prefix}:  ")) };
            let mut lead = lead;
            if let Some(exchange @ (Exchange::Hash(_) | Exchange::Single)) = phys.exchanges.get(k) {
                let mode = match self.plan.nodes.get(input) {
                    Some(p) if self.changelog => format!(", changelogMode=[{}]", p.changelog.to_string().trim_matches(['[', ']'])),
                    _ => String::new(),
                };
                let _ = writeln!(out, "{lead}Exchange(distribution=[{exchange}]{mode})");
                lead = format!("{prefix}+- ");
                prefix = format!("{prefix}   ");
            }
            self.node(input, &lead, &prefix, depth + 1, out);
        }
    }
}

/// Flink splits some operators' names by a property: `Sort` with a limit is `SortLimit`.
fn display_name(node: &PlanNode, phys: &PhysicalNode) -> &'static str {
    match (&node.op, &phys.operator) {
        (PlanOp::Sort { limit: Some(_), .. }, _) => "SortLimit",
        (_, operator) => operator.name(),
    }
}

fn list<T>(items: &[T], text: impl Fn(&T) -> String) -> String {
    items.iter().map(text).collect::<Vec<_>>().join(", ")
}

fn input_schema(plan: &PhysicalPlan, node: &PlanNode, k: usize) -> Schema {
    node.inputs.get(k).and_then(|&i| plan.logical.nodes.get(i)).map(|n| n.schema.clone()).unwrap_or_default()
}

fn sort_keys(keys: &[BoundSortKey], schema: &Schema) -> String {
    list(keys, |k| format!("{} {}", expr_text(&k.expr, schema), if k.descending { "DESC" } else { "ASC" }))
}

/// `FUNC(arg) AS name` for each aggregate; `names` are their output columns.
/// `LAG(x, 1, default) AS name` per offset call.
fn offset_calls(calls: &[BoundOffset], names: &[String], schema: &Schema) -> Vec<String> {
    calls
        .iter()
        .zip(names)
        .map(|(o, name)| {
            let default = o.default.as_ref().map(|d| format!(", {}", expr_text(d, schema))).unwrap_or_default();
            format!("{}({}, {}{default}) AS {name}", if o.lead { "LEAD" } else { "LAG" }, expr_text(&o.arg, schema), o.offset)
        })
        .collect()
}

fn aggregates(calls: &[BoundAggregate], names: &[String], schema: &Schema) -> Vec<String> {
    calls
        .iter()
        .zip(names)
        .map(|(a, name)| {
            let arg = a.arg.as_ref().map_or_else(|| "*".to_string(), |e| expr_text(e, schema));
            let distinct = if a.distinct { "DISTINCT " } else { "" };
            let filter = a.filter.as_ref().map(|f| format!(" FILTER {}", expr_text(f, schema))).unwrap_or_default();
            format!("{}({distinct}{arg}){filter} AS {name}", a.function.sql_name())
        })
        .collect()
}

fn window_text(spec: &WindowSpec, time: &str) -> String {
    let (size_ms, slide_ms) = (spec.size_ms, spec.slide_ms);
    let offset = if spec.offset_ms == 0 { String::new() } else { format!(", offset=[{} ms]", spec.offset_ms) };
    match spec.kind {
        WindowKind::Tumble => format!("TUMBLE(time_col=[{time}], size=[{size_ms} ms]{offset})"),
        WindowKind::Hop => format!("HOP(time_col=[{time}], size=[{size_ms} ms], slide=[{slide_ms} ms]{offset})"),
        WindowKind::Cumulate => format!("CUMULATE(time_col=[{time}], max_size=[{size_ms} ms], step=[{slide_ms} ms]{offset})"),
        WindowKind::Session => format!("SESSION(time_col=[{time}], gap=[{size_ms} ms])"),
    }
}

/// The `key=[value]` attributes of one operator.
fn attributes(plan: &PhysicalPlan, node: &PlanNode, phys: &PhysicalNode) -> Vec<(&'static str, String)> {
    let input = input_schema(plan, node, 0);
    let names: Vec<String> = node.schema.fields.iter().map(|f| f.name.clone()).collect();
    let fields = names.join(", ");
    match &node.op {
        PlanOp::Source { connector, watermark, computed, projection, .. } => {
            let mut a = match projection {
                // Flink's way: the scan's table names the columns it reads, its fields are those.
                Some(columns) => {
                    let read = list(columns, |&c| names.get(c).cloned().unwrap_or_default());
                    vec![("table", format!("{}, project=[{read}]", node.id)), ("connector", connector.clone()), ("fields", read)]
                }
                None => vec![("table", node.id.clone()), ("connector", connector.clone()), ("fields", fields)],
            };
            if !computed.is_empty() {
                // Computed columns come last, as expressions over the physical ones before them.
                let physical = Schema::new(node.schema.fields[..node.schema.len() - computed.len()].to_vec());
                let first = physical.len();
                let text = computed.iter().zip(&names[first..]).map(|(e, name)| format!("{} AS {name}", expr_text(e, &physical)));
                a.push(("computed", text.collect::<Vec<_>>().join(", ")));
            }
            if let Some(w) = watermark {
                let column = names.get(w.column).cloned().unwrap_or_default();
                a.push(("watermark", format!("{column} - {} ms", w.delay_ms)));
            }
            a
        }
        PlanOp::Filter { predicate } => vec![("where", expr_text(predicate, &input))],
        PlanOp::Project { exprs } => {
            let select = exprs.iter().zip(&names).map(|(e, n)| {
                let text = expr_text(e, &input);
                if &text == n { text } else { format!("{text} AS {n}") }
            });
            vec![("select", select.collect::<Vec<_>>().join(", "))]
        }
        PlanOp::FlatMap { function, outer } => {
            vec![("invocation", function.name().to_string()), ("joinType", if *outer { "LEFT" } else { "INNER" }.into()), ("select", fields)]
        }
        PlanOp::Window { window, time_column, partition_by } => {
            let time = input.fields.get(*time_column).map(|f| f.name.clone()).unwrap_or_default();
            let mut a = vec![("window", window_text(window, &time))];
            if !partition_by.is_empty() {
                a.push(("partitionBy", list(partition_by, |&c| input.fields.get(c).map(|f| f.name.clone()).unwrap_or_default())));
            }
            a
        }
        PlanOp::SortedOver { partition_by, order_by, frame, aggregates: calls, offsets, ranks } => {
            let window = match frame {
                None => "RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING".to_string(),
                Some(OverFrame { unit: FrameUnit::Rows, preceding: Some(n) }) => format!("ROWS BETWEEN {n} PRECEDING AND CURRENT ROW"),
                Some(OverFrame { unit: FrameUnit::Rows, .. }) => "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW".to_string(),
                Some(OverFrame { unit: FrameUnit::Range, .. }) => "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW".to_string(),
            };
            let added = names.get(input.fields.len()..).unwrap_or_default();
            let mut select = aggregates(calls, added, &input);
            select.extend(offset_calls(offsets, added.get(calls.len()..).unwrap_or_default(), &input));
            let numbered = added.get(calls.len() + offsets.len()..).unwrap_or_default();
            select.extend(ranks.iter().zip(numbered).map(|(r, name)| format!("{}() AS {name}", r.sql_name())));
            vec![
                ("partitionBy", list(partition_by, |e| expr_text(e, &input))),
                ("orderBy", sort_keys(order_by, &input)),
                ("window", window),
                ("select", select.join(", ")),
            ]
        }
        PlanOp::Over { partition_by, time_column, frame, aggregates: calls, offsets, .. } => {
            let time = input.fields.get(*time_column).map(|f| f.name.clone()).unwrap_or_default();
            let unit = if frame.unit == FrameUnit::Rows { "ROWS" } else { "RANGE" };
            let from = match (frame.preceding, frame.unit) {
                (None, _) => "UNBOUNDED".to_string(),
                (Some(n), FrameUnit::Rows) => n.to_string(),
                (Some(n), FrameUnit::Range) => format!("{n} ms"),
            };
            let added = names.get(input.fields.len()..).unwrap_or_default();
            let mut select = aggregates(calls, added, &input);
            select.extend(offset_calls(offsets, added.get(calls.len()..).unwrap_or_default(), &input));
            vec![
                ("partitionBy", list(partition_by, |e| expr_text(e, &input))),
                ("orderBy", format!("{time} ASC")),
                ("window", format!("{unit} BETWEEN {from} PRECEDING AND CURRENT ROW")),
                ("select", select.join(", ")),
            ]
        }
        PlanOp::Aggregate { group_by, aggregates: calls, user_aggregates, window } => {
            let mut a = vec![("groupBy", list(group_by, |e| expr_text(e, &input)))];
            if let (Some(w), Operator::WindowAggregate | Operator::PythonGroupWindowAggregate | Operator::ArrangedPythonGroupWindowAggregate) =
                (window, &phys.operator)
            {
                a.push(("window", format!("window_end=[{}]", input.fields.get(w.end_column).map(|f| f.name.clone()).unwrap_or_default())));
                if w.lateness_ms > 0 {
                    a.push(("allowLateness", format!("{} ms", w.lateness_ms)));
                }
            }
            if let Operator::SessionWindowAggregate { window: fused, .. }
            | Operator::SlicedWindowAggregate { window: fused, .. }
            | Operator::TumbleWindowAggregate { window: fused, .. } = &phys.operator
                && let Some(PlanNode { op: PlanOp::Window { window: spec, time_column, .. }, .. }) = plan.logical.nodes.get(*fused)
            {
                let time = input.fields.get(*time_column).map(|f| f.name.clone()).unwrap_or_default();
                a.push(("window", window_text(spec, &time)));
                if let (Operator::SlicedWindowAggregate { .. }, Some(slicing)) = (&phys.operator, Slicing::new(spec)) {
                    a.push(("slice", format!("{} ms", slicing.slice_ms())));
                }
                if let (Operator::SlicedWindowAggregate { .. } | Operator::TumbleWindowAggregate { keyed: true, .. }, Some(w)) = (&phys.operator, window)
                    && w.lateness_ms > 0
                {
                    a.push(("allowLateness", format!("{} ms", w.lateness_ms)));
                }
            }
            let mut select: Vec<String> = names.iter().take(group_by.len()).cloned().collect();
            select.extend(aggregates(calls, names.get(group_by.len()..).unwrap_or_default(), &input));
            let users = names.get(group_by.len() + calls.len()..).unwrap_or_default();
            select.extend(user_aggregates.iter().zip(users).map(|(u, n)| format!("{}({}) AS {n}", u.function.name(), list(&u.args, |e| expr_text(e, &input)))));
            a.push(("select", select.join(", ")));
            a
        }
        PlanOp::Join { join_type, left_keys, right_keys, condition, window, .. } => {
            let right = input_schema(plan, node, 1);
            let keys = left_keys.iter().zip(right_keys).map(|(l, r)| format!("{} = {}", expr_text(l, &input), expr_text(r, &right)));
            let mut a = vec![("joinType", format!("{join_type:?}Join")), ("keys", keys.collect::<Vec<_>>().join(", "))];
            if let Some(c) = condition {
                a.push(("where", expr_text(c, &input.join(&right))));
            }
            if let (Some(w), Operator::WindowJoin) = (window, &phys.operator) {
                let end = |s: &Schema, c: usize| s.fields.get(c).map(|f| f.name.clone()).unwrap_or_default();
                a.push(("window", format!("leftEnd=[{}], rightEnd=[{}]", end(&input, w.left_end), end(&right, w.right_end))));
            }
            a.push(("select", fields));
            if phys.operator == Operator::HashJoin {
                a.push(("build", "smaller input".into()));
            }
            a
        }
        PlanOp::IntervalJoin { left_keys, right_keys, left_time, right_time, lower_ms, upper_ms, condition, join_type, .. } => {
            let right = input_schema(plan, node, 1);
            let name = |s: &Schema, c: usize| s.fields.get(c).map(|f| f.name.clone()).unwrap_or_default();
            let keys = left_keys.iter().zip(right_keys).map(|(l, r)| format!("{} = {}", expr_text(l, &input), expr_text(r, &right)));
            let mut a = vec![
                ("joinType", format!("{join_type:?}Join")),
                ("keys", keys.collect::<Vec<_>>().join(", ")),
                ("interval", format!("{} - {} BETWEEN {lower_ms} ms AND {upper_ms} ms", name(&right, *right_time), name(&input, *left_time))),
            ];
            if let Some(c) = condition {
                a.push(("where", expr_text(c, &input.join(&right))));
            }
            a.push(("select", fields));
            a
        }
        PlanOp::Distinct => vec![("groupBy", fields.clone()), ("select", fields)],
        PlanOp::Union { .. } => vec![("all", "true".into()), ("union", fields)],
        PlanOp::TopN { partition_by, order_by, limit, rank_start, rank_type, row_number, window_end } => {
            let mut a = vec![
                ("rankType", rank_type.sql_name().to_string()),
                ("rankRange", format!("rankStart={rank_start}, rankEnd={limit}")),
                ("partitionBy", list(partition_by, |e| expr_text(e, &input))),
                ("orderBy", sort_keys(order_by, &input)),
            ];
            if let (Some(end), Operator::WindowRank) = (window_end, &phys.operator) {
                a.push(("window", format!("window_end=[{}]", input.fields.get(*end).map(|f| f.name.clone()).unwrap_or_default())));
            }
            a.push(("outputRankNumber", row_number.to_string()));
            a
        }
        PlanOp::Deduplicate { key, order_by, keep, first_arrival } => vec![
            ("keep", if *keep == Keep::First { "FirstRow" } else { "LastRow" }.into()),
            ("key", list(key, |e| expr_text(e, &input))),
            ("order", if *first_arrival { "PROCTIME".into() } else { expr_text(order_by, &input) }),
        ],
        PlanOp::Sort { order_by, limit, offset } => {
            let mut a = vec![("orderBy", sort_keys(order_by, &input))];
            if let Some(limit) = limit {
                a.push(("offset", offset.to_string()));
                a.push(("fetch", limit.to_string()));
            }
            a
        }
        PlanOp::Watermark { column, delay_ms, sql } => {
            let time = input.fields.get(*column).map(|f| f.name.clone()).unwrap_or_default();
            // Flink's watermark: the DataStream API's bounded out-of-orderness is one ms behind.
            let behind = delay_ms + u64::from(!*sql);
            vec![("rowtime", time.clone()), ("watermark", format!("{time} - {behind} ms"))]
        }
        PlanOp::Process { function, keys, .. } => {
            let inputs: Vec<String> = keys.iter().enumerate().map(|(k, ks)| list(ks, |e| expr_text(e, &input_schema(plan, node, k)))).collect();
            let timers = if matches!(phys.operator, Operator::KeyedProcess { event_time: true }) { "watermark" } else { "end of input" };
            vec![("function", function.name().to_string()), ("keys", inputs.join("; ")), ("eventTimers", timers.into())]
        }
        PlanOp::StreamWindow { function, key, assigner, trigger, evictor, allowed_lateness_ms, .. } => {
            let timers = if matches!(phys.operator, Operator::WindowOperator { event_time: true }) { "watermark" } else { "end of input" };
            let mut window = match trigger {
                Some(t) => format!("{}, trigger {}", assigner.describe(), t.describe()),
                None => assigner.describe(),
            };
            if let Some(e) = evictor {
                window = format!("{window}, evictor {}", e.describe());
            }
            vec![
                ("function", function.name().to_string()),
                ("keys", list(key, |e| expr_text(e, &input_schema(plan, node, 0)))),
                ("window", window),
                ("allowedLateness", format!("{allowed_lateness_ms} ms")),
                ("eventTimers", timers.into()),
            ]
        }
        PlanOp::Sink { connector, .. } => vec![
            ("table", node.id.clone()),
            ("connector", connector.clone()),
            ("fields", input.fields.iter().map(|f| f.name.clone()).collect::<Vec<_>>().join(", ")),
        ],
    }
}
