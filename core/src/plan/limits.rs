//! Size and depth limits of jobs: how long a SQL text, how deeply nested an expression, how
//! many plan nodes. Everything that recurses over a job (the SQL parser and planner, binding,
//! expression compilation, serde of the spec) is bounded by these, and each is checked
//! *iteratively* before anything recursive runs, so an oversized job is a clear error naming
//! the limit's key and the place, never a stack overflow.
//!
//! The recursive stages also run on a stack sized for the limit ([`with_stack`]), so the
//! limits hold on any thread (a server's 2 MiB worker thread, a debug build's larger frames).

use std::collections::BTreeMap;

use crate::error::{PlanError, SpecPath};

/// `table.exec.sql.max-statement-length`: characters of SQL text submitted at once.
pub const MAX_STATEMENT_LENGTH: &str = "table.exec.sql.max-statement-length";
/// `table.exec.sql.max-expression-depth`: nesting depth of an expression (or query).
pub const MAX_EXPRESSION_DEPTH: &str = "table.exec.sql.max-expression-depth";
/// `table.exec.plan.max-nodes`: nodes of one job's plan.
pub const MAX_PLAN_NODES: &str = "table.exec.plan.max-nodes";

/// The highest expression depth any setting may ask for: the stack reserved for planning
/// grows with the depth, and this keeps it within a few hundred MiB of address space.
pub const HARD_MAX_EXPRESSION_DEPTH: usize = 10_000;

/// JSON nesting levels a spec may use per level of expression (`{"call": {"args": [..]}}`
/// is three), plus a fixed allowance for the spec's own structure.
const JSON_LEVELS_PER_EXPR: usize = 3;
const JSON_BASE_DEPTH: usize = 32;

/// Stack reserved per level of expression depth for the recursive stages (generous: a debug
/// build's planner uses about 20 KiB per level).
const STACK_PER_LEVEL: usize = 64 << 10;
const STACK_BASE: usize = 8 << 20;

/// The limits in force for a job. [`Limits::default`] accepts every golden case and real
/// queries of some size (a 200-term sum, a 1,000-way `CASE`, a 10,000-item `IN` list).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Characters of SQL text submitted at once (a script or a statement).
    pub max_statement_length: usize,
    /// Nesting depth of an expression or query: operators chained (`a + b + c` is 3 deep),
    /// parentheses, `CASE`, function calls and subqueries nested. For a JSON spec, the JSON
    /// nesting of a node may be three times this (plus 32).
    pub max_expression_depth: usize,
    /// Nodes of one job's plan.
    pub max_plan_nodes: usize,
    /// Whether a job's settings (`SET`, a spec's `config`) may raise the limits above these.
    /// A server sets this to false, making its limits a ceiling that settings may only lower.
    pub raisable: bool,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_statement_length: 1 << 20, max_expression_depth: 1000, max_plan_nodes: 5000, raisable: true }
    }
}

impl Limits {
    /// The limits after the job's settings (`SET 'table.exec.sql.max-expression-depth' = '50'`
    /// or the spec's `config`): a setting may lower a limit, and raise it only when these
    /// limits are [`raisable`](Limits::raisable). `path` is where the settings are (for errors).
    pub fn with_config(&self, config: &BTreeMap<String, String>, path: &SpecPath) -> Result<Limits, PlanError> {
        let mut out = self.clone();
        for (key, slot, base, hard) in [
            (MAX_STATEMENT_LENGTH, &mut out.max_statement_length, self.max_statement_length, usize::MAX),
            (MAX_EXPRESSION_DEPTH, &mut out.max_expression_depth, self.max_expression_depth, HARD_MAX_EXPRESSION_DEPTH),
            (MAX_PLAN_NODES, &mut out.max_plan_nodes, self.max_plan_nodes, usize::MAX),
        ] {
            let Some(text) = config.get(key) else { continue };
            let at = path.field(key);
            let value: usize = text
                .trim()
                .parse()
                .ok()
                .filter(|v| *v > 0)
                .ok_or_else(|| PlanError::new(&at, format!("expected a positive whole number, found '{}'", bounded(text))))?;
            if value > hard {
                return Err(PlanError::new(&at, format!("{value} is above the highest allowed value, {hard}")));
            }
            if value > base && !self.raisable {
                return Err(PlanError::new(&at, format!("{value} is above this server's limit of {base}, which a job may only lower")));
            }
            *slot = value;
        }
        Ok(out)
    }

    /// The deepest JSON nesting a spec may have under these limits.
    pub fn max_json_depth(&self) -> usize {
        self.max_expression_depth.saturating_mul(JSON_LEVELS_PER_EXPR).saturating_add(JSON_BASE_DEPTH)
    }

    /// Stack to reserve for recursive stages working under these limits.
    pub fn stack_size(&self) -> usize {
        let depth = self.max_expression_depth.min(HARD_MAX_EXPRESSION_DEPTH);
        STACK_BASE + depth * STACK_PER_LEVEL
    }
}

/// Runs `f` on a stack of at least `limits.stack_size()` bytes (a fresh one, mapped lazily,
/// when the current thread has less left), so that recursion bounded by `limits` cannot
/// overflow whatever thread calls it.
pub fn with_stack<R>(limits: &Limits, f: impl FnOnce() -> R) -> R {
    let size = limits.stack_size();
    stacker::maybe_grow(size, size, f)
}

/// The deepest nesting of objects and arrays in `text` (JSON), found by scanning, without
/// recursion; `Err(byte offset)` at the first opening bracket that goes deeper than `max`.
pub fn json_depth(text: &str, max: usize) -> Result<usize, usize> {
    let bytes = text.as_bytes();
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > max {
                    return Err(i);
                }
                deepest = deepest.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(deepest)
}

/// Parses JSON text of any depth up to `max_depth` (serde_json's own limit of 128 is lifted,
/// the depth checked first by [`json_depth`] and the parse run on a stack sized for it). For
/// readers of what Weir wrote itself (a job registry), as well as of job specs.
pub fn parse_deep_json<T: serde::de::DeserializeOwned>(text: &str, max_depth: usize) -> Result<T, DeepJsonError> {
    if let Err(offset) = json_depth(text, max_depth) {
        let (line, column) = line_column(text, offset);
        return Err(DeepJsonError::TooDeep { max_depth, line, column });
    }
    let stack = STACK_BASE + max_depth.min(HARD_MAX_EXPRESSION_DEPTH * JSON_LEVELS_PER_EXPR) * (STACK_PER_LEVEL / JSON_LEVELS_PER_EXPR);
    stacker::maybe_grow(stack, stack, || {
        let mut de = serde_json::Deserializer::from_str(text);
        de.disable_recursion_limit();
        let value = T::deserialize(&mut de).map_err(DeepJsonError::Json)?;
        de.end().map_err(DeepJsonError::Json)?;
        Ok(value)
    })
}

/// Why [`parse_deep_json`] failed.
#[derive(Debug, thiserror::Error)]
pub enum DeepJsonError {
    /// The text nests deeper than allowed.
    #[error("JSON nested deeper than {max_depth} levels at line {line} column {column}")]
    TooDeep {
        /// The limit.
        max_depth: usize,
        /// 1-based line of the bracket that went too deep.
        line: usize,
        /// 1-based column (in bytes) of that bracket.
        column: usize,
    },
    /// Malformed JSON, or JSON of the wrong shape.
    #[error("{0}")]
    Json(serde_json::Error),
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = offset - before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
    (line, column)
}

/// At most 40 characters of `text`, for error messages about values a user supplied.
fn bounded(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_depth_counts_brackets_outside_strings() {
        assert_eq!(json_depth(r#"{"a": [1, {"b": "[[[{"}]}"#, 10), Ok(3));
        assert_eq!(json_depth(r#"{"a": "\"[[["}"#, 10), Ok(1));
        assert_eq!(json_depth("[[[[]]]]", 3), Err(3));
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(json_depth(&deep, 100_000), Ok(100_000));
    }

    #[test]
    fn deep_json_reads_back_beyond_serdes_default() {
        let deep = format!("{}1{}", "[".repeat(2000), "]".repeat(2000));
        assert!(serde_json::from_str::<serde_json::Value>(&deep).is_err(), "serde_json's own limit is 128");
        let value: serde_json::Value = parse_deep_json(&deep, 2000).unwrap();
        drop(value);
        let err = parse_deep_json::<serde_json::Value>(&format!("\n  {deep}"), 1999).unwrap_err();
        assert_eq!(err.to_string(), "JSON nested deeper than 1999 levels at line 2 column 2002");
    }

    #[test]
    fn settings_lower_and_raise_within_the_ceiling() {
        let path = SpecPath::default().field("config");
        let config = |k: &str, v: &str| BTreeMap::from([(k.to_string(), v.to_string())]);
        let open = Limits::default();
        assert_eq!(open.with_config(&config(MAX_EXPRESSION_DEPTH, "50"), &path).unwrap().max_expression_depth, 50);
        assert_eq!(open.with_config(&config(MAX_PLAN_NODES, "9000"), &path).unwrap().max_plan_nodes, 9000);
        let err = open.with_config(&config(MAX_EXPRESSION_DEPTH, "99999"), &path).unwrap_err();
        assert_eq!(err.path.0, "config.table.exec.sql.max-expression-depth");
        let server = Limits { raisable: false, ..Limits::default() };
        assert_eq!(server.with_config(&config(MAX_PLAN_NODES, "10"), &path).unwrap().max_plan_nodes, 10);
        let err = server.with_config(&config(MAX_PLAN_NODES, "9000"), &path).unwrap_err();
        assert!(err.message.contains("may only lower"), "{err}");
        assert!(open.with_config(&config(MAX_STATEMENT_LENGTH, "-1"), &path).is_err());
    }
}
