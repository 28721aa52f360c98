//! EXPLAIN output, as Flink prints it: the plan as written (an indented tree of the job spec's
//! nodes, sinks at the top, each followed by its inputs, with output columns and types), the
//! physical plan (the operators that will run, see [`crate::physical`]), then the JSON job
//! spec. `EXPLAIN CHANGELOG_MODE` adds each operator's changelog mode; `EXPLAIN JSON` prints
//! the job spec alone.

use std::fmt::Write;

use sqlparser::tokenizer::Token;

use crate::expr::{ColumnRef, Expr, Literal};
use crate::physical::{self, PhysicalPlan};
use crate::plan::{Node, SortKey, validate_with_functions};

use super::builder::PlannedJob;
use super::error::SqlError;
use super::script::StatementTokens;
use super::session::{SqlOutcome, SqlSession};

/// What an `EXPLAIN` statement asked for besides the plan (Flink's `ExplainDetail`s).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExplainDetails {
    /// `CHANGELOG_MODE`: each physical operator's changelog mode.
    pub changelog_mode: bool,
    /// `JSON`: only the JSON job spec.
    pub json: bool,
}

impl SqlSession {
    /// `EXPLAIN [PLAN FOR] [CHANGELOG_MODE | JSON [, ...]] <query or INSERT>`: plans the
    /// statement down to its physical operators (in the session's runtime mode) without
    /// running it; a job that could not run fails here as it would when submitted.
    pub(super) fn explain_statement(&self, st: &StatementTokens) -> Result<SqlOutcome, SqlError> {
        let mut rest = st.skip(if st.starts_with(&["EXPLAIN", "PLAN", "FOR"]) { 3 } else { 1 });
        let mut details = ExplainDetails::default();
        loop {
            match rest.word(0).as_deref() {
                Some("CHANGELOG_MODE") => details.changelog_mode = true,
                Some("JSON") => details.json = true,
                _ => break,
            }
            let comma = matches!(rest.tokens.get(1).map(|t| &t.token), Some(Token::Comma));
            rest = rest.skip(if comma { 2 } else { 1 });
        }
        if rest.starts_with(&["STATEMENT", "SET", "BEGIN"]) || rest.starts_with(&["EXECUTE", "STATEMENT", "SET", "BEGIN"]) {
            return Err(SqlError::unsupported("EXPLAIN STATEMENT SET (explain each INSERT)"));
        }
        let job = self.plan_dml(&rest)?;
        let at = Some(st.start());
        let validated = validate_with_functions(&job.spec, self.catalog().functions()).map_err(|error| SqlError::Plan { error, at: at.clone() })?;
        let mode = validated.config.mode.unwrap_or_default();
        let plan = PhysicalPlan::new(validated, mode).map_err(|error| SqlError::Plan { error, at })?;
        Ok(SqlOutcome::Explain(explain(&job, &plan, details)))
    }
}

/// The text EXPLAIN returns for `job`, whose physical plan is `plan`.
pub fn explain(job: &PlannedJob, plan: &PhysicalPlan, details: ExplainDetails) -> String {
    let spec = serde_json::to_string_pretty(&job.spec).unwrap_or_else(|e| format!("<cannot serialize: {e}>"));
    if details.json {
        return spec + "\n";
    }
    let mut out = String::from("== Abstract Syntax Tree ==\n");
    for node in job.spec.nodes.iter().filter(|n| matches!(n, Node::Sink(_))) {
        render(job, node, 0, &mut out);
    }
    out.push_str("\n== Optimized Physical Plan ==\n");
    let wanted: &[physical::ExplainDetail] = if details.changelog_mode { &[physical::ExplainDetail::ChangelogMode] } else { &[] };
    out.push_str(&physical::explain(plan, wanted));
    out.push_str("\n== JSON Job Spec ==\n");
    out.push_str(&spec);
    out.push('\n');
    out
}

fn render(job: &PlannedJob, node: &Node, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    let _ = write!(out, "{indent}{}({}", node.kind(), node.id());
    let details = details(node);
    if !details.is_empty() {
        let _ = write!(out, ": {details}");
    }
    out.push(')');
    if let Some(schema) = job.schemas.get(node.id()).filter(|_| !matches!(node, Node::Sink(_))) {
        let cols: Vec<String> = schema.fields.iter().map(|f| format!("{}: {}{}", f.name, f.data_type, if f.nullable { "" } else { " NOT NULL" })).collect();
        let _ = write!(out, " -> [{}]", cols.join(", "));
    }
    out.push('\n');
    if depth > 64 {
        return;
    }
    for (_, input) in node.inputs() {
        if let Some(child) = job.spec.nodes.iter().find(|n| n.id() == input) {
            render(job, child, depth + 1, out);
        }
    }
}

fn details(node: &Node) -> String {
    let list = |es: &[Expr]| es.iter().map(expr).collect::<Vec<_>>().join(", ");
    match node {
        Node::Source(n) => {
            let opts: Vec<String> = n.options.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let computed: String = n.computed.iter().map(|c| format!(", {}", named(&c.name, &c.expr))).collect();
            let watermark = n.watermark.as_ref().map(|w| format!(", watermark {} - {} ms", w.column, w.delay_ms)).unwrap_or_default();
            format!("connector={}{}{}{computed}{watermark}", n.connector, if opts.is_empty() { "" } else { ", " }, opts.join(", "))
        }
        Node::Values(n) => format!("{} rows", n.rows.len()),
        Node::Filter(n) => expr(&n.predicate),
        Node::Project(n) => n.columns.iter().map(|c| named(&c.name, &c.expr)).collect::<Vec<_>>().join(", "),
        Node::FlatMap(n) => format!("{}({})", n.function, list(&n.args)),
        Node::Aggregate(n) => {
            let keys: Vec<String> = n.group_by.iter().map(|g| named(&g.name, &g.expr)).collect();
            let aggs: Vec<String> = n
                .aggregates
                .iter()
                .map(|a| {
                    let args = if a.args.is_empty() { "*".to_string() } else { list(&a.args) };
                    let distinct = if a.distinct { "DISTINCT " } else { "" };
                    let filter = a.filter.as_ref().map(|f| format!(" FILTER (WHERE {})", expr(f))).unwrap_or_default();
                    format!("{}({distinct}{args}){filter} AS {}", a.function.sql_name(), a.name)
                })
                .collect();
            let ttl = n.state_ttl_ms.map(|ms| format!(", state ttl {}", physical::ttl_text((ms > 0).then_some(ms)))).unwrap_or_default();
            format!("group by [{}], {}{ttl}", keys.join(", "), aggs.join(", "))
        }
        Node::Window(n) if n.gap_ms.is_some() => {
            let by = if n.partition_by.is_empty() { String::new() } else { format!(", partition by [{}]", n.partition_by.join(", ")) };
            format!("session on {}, gap {} ms{by}", n.time_column, n.gap_ms.unwrap_or_default())
        }
        Node::Window(n) => {
            let every = n.slide_ms.or(n.step_ms).map(|s| format!(", every {s} ms")).unwrap_or_default();
            let offset = if n.offset_ms == 0 { String::new() } else { format!(", offset {} ms", n.offset_ms) };
            format!("{:?} on {}, size {} ms{every}{offset}", n.window, n.time_column, n.size_ms).to_lowercase()
        }
        Node::Over(n) => {
            let frame = match n.frame.preceding {
                Some(p) => format!("{p}{} preceding", if n.frame.unit == crate::plan::FrameUnit::Range { " ms" } else { "" }),
                None => "unbounded preceding".into(),
            };
            let aggs: Vec<String> = n
                .aggregates
                .iter()
                .map(|a| format!("{}({}) AS {}", a.function.sql_name(), if a.args.is_empty() { "*".into() } else { list(&a.args) }, a.name))
                .collect();
            format!("partition by [{}], order by {}, {:?} {frame}: {}", list(&n.partition_by), n.order_by, n.frame.unit, aggs.join(", ")).to_lowercase()
        }
        Node::SortedOver(n) => {
            let frame = match n.frame {
                None => "whole partition".to_string(),
                Some(f) => match f.preceding {
                    Some(p) => format!("{:?} {p} preceding", f.unit),
                    None => format!("{:?} unbounded preceding", f.unit),
                },
            };
            let mut calls: Vec<String> = n
                .aggregates
                .iter()
                .map(|a| format!("{}({}) AS {}", a.function.sql_name(), if a.args.is_empty() { "*".into() } else { list(&a.args) }, a.name))
                .collect();
            calls.extend(n.offsets.iter().map(|o| format!("{}({}, {}) AS {}", if o.lead { "LEAD" } else { "LAG" }, expr(&o.arg), o.offset, o.name)));
            format!("partition by [{}], order by [{}], {frame}: {}", list(&n.partition_by), sort_keys(&n.order_by), calls.join(", ")).to_lowercase()
        }
        Node::IntervalJoin(n) => {
            let keys: Vec<String> = n.left_keys.iter().zip(&n.right_keys).map(|(l, r)| format!("{} = {}", expr(l), expr(r))).collect();
            let cond = n.condition.as_ref().map(|c| format!(", where {}", expr(c))).unwrap_or_default();
            format!("keys [{}], {} - {} between {} and {} ms{cond}", keys.join(", "), n.right_time, n.left_time, n.lower_ms, n.upper_ms)
        }
        Node::Join(n) => {
            let keys: Vec<String> = n.left_keys.iter().zip(&n.right_keys).map(|(l, r)| format!("{} = {}", expr(l), expr(r))).collect();
            let cond = n.condition.as_ref().map(|c| format!(", where {}", expr(c))).unwrap_or_default();
            let side = |ttl: Option<u64>| ttl.map(|ms| physical::ttl_text((ms > 0).then_some(ms))).unwrap_or_else(|| "job".into());
            let ttl = match (n.left_state_ttl_ms, n.right_state_ttl_ms) {
                (None, None) => String::new(),
                (l, r) => format!(", state ttl [left {}, right {}]", side(l), side(r)),
            };
            format!("{:?}, keys [{}]{cond}", n.join_type, keys.join(", ")).to_lowercase() + &ttl
        }
        Node::Distinct(n) => n.state_ttl_ms.map(|ms| format!("state ttl {}", physical::ttl_text((ms > 0).then_some(ms)))).unwrap_or_default(),
        Node::Union(_) => String::new(),
        Node::TopN(n) => format!(
            "{}, partition by [{}], order by [{}], ranks {} to {}{}",
            n.rank_type.sql_name().to_lowercase(),
            list(&n.partition_by),
            sort_keys(&n.order_by),
            n.rank_start,
            n.limit,
            n.row_number.as_ref().map(|r| format!(", row number as {r}")).unwrap_or_default()
        ),
        Node::Deduplicate(n) => format!("key [{}], order by {}, keep {:?}", list(&n.key), expr(&n.order_by), n.keep).to_lowercase(),
        Node::Sort(n) => {
            let mut s = format!("order by [{}]", sort_keys(&n.order_by));
            if let Some(l) = n.limit {
                let _ = write!(s, ", limit {l}");
            }
            if let Some(o) = n.offset {
                let _ = write!(s, ", offset {o}");
            }
            s
        }
        Node::Watermark(n) => format!("column={}, delay_ms={}", n.column, n.delay_ms),
        Node::Process(n) => format!("function={}", n.function),
        Node::StreamWindow(n) => format!("function={}, assigner={}", n.function, n.assigner.describe()),
        Node::Sink(n) => format!("connector={}", n.connector),
    }
}

fn named(name: &str, e: &Expr) -> String {
    let text = expr(e);
    if text == name { text } else { format!("{text} AS {name}") }
}

fn sort_keys(keys: &[SortKey]) -> String {
    keys.iter().map(|k| format!("{}{}", expr(&k.expr), if k.descending { " DESC" } else { "" })).collect::<Vec<_>>().join(", ")
}

/// An expression as SQL-like text.
pub fn expr(e: &Expr) -> String {
    match e {
        Expr::Column(ColumnRef::Name(n)) => n.clone(),
        Expr::Column(ColumnRef::Index(i)) => format!("${i}"),
        Expr::Literal(Literal::Plain(v)) => match v {
            serde_json::Value::String(s) => format!("'{}'", s.replace('\'', "''")),
            serde_json::Value::Null => "NULL".into(),
            other => other.to_string(),
        },
        Expr::Literal(Literal::Typed { value, data_type }) => {
            let v = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("{data_type} '{v}'")
        }
        Expr::Call(c) => {
            let infix = ["+", "-", "*", "/", "%", "=", "<>", "<", "<=", ">", ">=", "AND", "OR"];
            match c.args.as_slice() {
                [a, b] if infix.contains(&c.function.as_str()) => format!("({} {} {})", expr(a), c.function, expr(b)),
                [a] if c.function.starts_with("IS ") => format!("({} {})", expr(a), c.function),
                _ => format!("{}({})", c.function, c.args.iter().map(expr).collect::<Vec<_>>().join(", ")),
            }
        }
        Expr::Cast(c) => format!("{}({} AS {})", if c.try_cast { "TRY_CAST" } else { "CAST" }, expr(&c.expr), c.data_type),
        Expr::Case(c) => {
            let mut s = String::from("CASE");
            if let Some(o) = &c.operand {
                let _ = write!(s, " {}", expr(o));
            }
            for w in &c.when {
                let _ = write!(s, " WHEN {} THEN {}", expr(&w.when), expr(&w.then));
            }
            if let Some(e) = &c.else_result {
                let _ = write!(s, " ELSE {}", expr(e));
            }
            s.push_str(" END");
            s
        }
    }
}
