//! Event time in SQL: `WATERMARK FOR ts AS ts - INTERVAL ..` lowered to a source's watermark,
//! and the window table-valued functions `TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), size
//! [, offset]))`, `HOP(.., slide, size [, offset])`, `CUMULATE(.., step, size [, offset])` and
//! `SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), gap)` lowered to a `window` node.
//!
//! The parser cannot read `TABLE t` as a function argument, so [`strip_tvf_table_keyword`]
//! drops that `TABLE` from the tokens first; the planner then sees `TUMBLE(t, ...)`.

use sqlparser::ast::{self, BinaryOperator, FunctionArg, FunctionArgExpr, FunctionArguments};
use sqlparser::tokenizer::{Token, TokenWithSpan};

use crate::expr::{Expr, Literal};
use crate::plan::{Node, WINDOW_COLUMNS, WatermarkDef, WindowKind, WindowNode};
use crate::types::DataType;

use super::catalog::TableDef;
use super::error::SqlError;
use super::expr::{Translator, and_all};
use super::from::aliased;
use super::literal;
use super::query::QueryPlanner;
use super::scope::{Relation, ScopeColumn};
use super::subquery_ast::has_subquery;

/// The window table-valued functions Weir plans.
pub const WINDOW_TVFS: [&str; 4] = ["TUMBLE", "HOP", "CUMULATE", "SESSION"];

/// The function a SESSION window's `PARTITION BY` clause is rewritten to.
const PARTITION_BY: &str = "__PARTITION_BY";

/// Removes the `TABLE` keyword of `TUMBLE(TABLE t, ...)` (and HOP, CUMULATE, SESSION) from
/// `tokens`, and rewrites SESSION's `TABLE t PARTITION BY a` (or `PARTITION BY (a, b)`) into
/// an argument the parser can read: `t, __PARTITION_BY(a)`.
pub fn strip_tvf_table_keyword(tokens: &mut Vec<TokenWithSpan>) {
    let is_word = |t: &TokenWithSpan, names: &[&str]| matches!(&t.token, Token::Word(w) if w.quote_style.is_none() && names.iter().any(|n| w.value.eq_ignore_ascii_case(n)));
    let mut i = 0;
    while i + 2 < tokens.len() {
        if is_word(&tokens[i], &WINDOW_TVFS) && tokens[i + 1].token == Token::LParen && is_word(&tokens[i + 2], &["TABLE"]) {
            tokens.remove(i + 2);
            // tokens[i + 2] is the table name now.
            let at = i + 3;
            if at + 1 < tokens.len() && is_word(&tokens[at], &["PARTITION"]) && is_word(&tokens[at + 1], &["BY"]) {
                let span = tokens[at].span;
                tokens[at] = TokenWithSpan::new(Token::Comma, span);
                tokens[at + 1] = TokenWithSpan::new(Token::make_word(PARTITION_BY, None), span);
                if tokens.get(at + 2).is_some_and(|t| t.token != Token::LParen) {
                    // One column, perhaps qualified: wrap `a` or `t.a` in parentheses.
                    let mut end = at + 3;
                    while tokens.get(end).is_some_and(|t| t.token == Token::Period) && end + 1 < tokens.len() {
                        end += 2;
                    }
                    tokens.insert(end, TokenWithSpan::new(Token::RParen, span));
                    tokens.insert(at + 2, TokenWithSpan::new(Token::LParen, span));
                }
            }
        }
        i += 1;
    }
}

/// The source watermark a table's `WATERMARK FOR ts AS ..` declares, on a physical or a
/// computed column: Flink's bounded-out-of-orderness strategies `ts` (ascending) and
/// `ts - INTERVAL '..' unit` (one or more DAY TO SECOND intervals subtracted, e.g.
/// `ts - INTERVAL '0.001' SECOND`). Other watermark expressions are rejected by name.
///
/// `SOURCE_WATERMARK()` asks the source for watermarks of its own (Flink pushes it into a
/// source that implements `SupportsSourceWatermark`); none of Weir's sources, `source` names
/// the one reading (`connector 'filesystem'`), emits any, so it is refused by name.
pub fn table_watermark(table: &TableDef, source: &str) -> Result<Option<WatermarkDef>, SqlError> {
    let Some(w) = &table.watermark else { return Ok(None) };
    if is_source_watermark(&w.expr) {
        return Err(SqlError::unsupported(format!(
            "WATERMARK FOR {} AS SOURCE_WATERMARK() on table {}: {source} emits no watermarks of its own (Flink's SupportsSourceWatermark); declare a strategy such as WATERMARK FOR {0} AS {0} - INTERVAL '5' SECOND",
            w.column, table.name
        )));
    }
    let delay_ms = watermark_delay(&w.expr, &w.column).ok_or_else(|| {
        SqlError::unsupported(format!("WATERMARK FOR {} AS {} (supported: `{0}` and `{0} - INTERVAL '..' unit`, a bounded out-of-orderness)", w.column, w.expr))
    })?;
    Ok(Some(WatermarkDef { column: w.column.clone(), delay_ms }))
}

/// Whether `e` is the call `SOURCE_WATERMARK()`.
fn is_source_watermark(e: &ast::Expr) -> bool {
    let ast::Expr::Function(f) = strip(e) else { return false };
    let no_args = match &f.args {
        FunctionArguments::None => true,
        FunctionArguments::List(l) => l.args.is_empty(),
        FunctionArguments::Subquery(_) => false,
    };
    no_args && f.name.to_string().eq_ignore_ascii_case("SOURCE_WATERMARK")
}

/// The delay of watermark expression `e` on `column`: 0 for the column itself, plus each
/// interval subtracted from it; `None` for any other expression.
fn watermark_delay(e: &ast::Expr, column: &str) -> Option<u64> {
    match strip(e) {
        ast::Expr::Identifier(i) if i.value == column => Some(0),
        ast::Expr::BinaryOp { left, op: BinaryOperator::Minus, right } => watermark_delay(left, column)?.checked_add(interval_ms(right).ok()?),
        _ => None,
    }
}

fn strip(e: &ast::Expr) -> &ast::Expr {
    match e {
        ast::Expr::Nested(inner) => strip(inner),
        other => other,
    }
}

/// A non-negative DAY TO SECOND interval literal in milliseconds.
pub(super) fn interval_ms(e: &ast::Expr) -> Result<u64, SqlError> {
    let ms = signed_interval_ms(e)?;
    u64::try_from(ms).map_err(|_| SqlError::invalid(format!("the interval {e} must not be negative")))
}

/// A DAY TO SECOND interval literal in milliseconds, perhaps negative (`INTERVAL '-5' MINUTE`
/// or `-INTERVAL '5' MINUTE`): a window offset.
fn signed_interval_ms(e: &ast::Expr) -> Result<i64, SqlError> {
    if let ast::Expr::UnaryOp { op: ast::UnaryOperator::Minus, expr } = strip(e) {
        return signed_interval_ms(expr)?.checked_neg().ok_or_else(|| SqlError::invalid(format!("the interval {e} is out of range")));
    }
    let ast::Expr::Interval(i) = strip(e) else {
        return Err(SqlError::invalid(format!("expected an interval literal such as INTERVAL '10' SECOND, found {e}")));
    };
    match literal::interval(i)? {
        Expr::Literal(Literal::Typed { value, data_type: DataType::IntervalDayTime }) => {
            value.as_i64().ok_or_else(|| SqlError::invalid(format!("the interval {e} is out of range")))
        }
        _ => Err(SqlError::invalid(format!("{e}: windows need a DAY TO SECOND interval (SECOND, MINUTE, HOUR, DAY)"))),
    }
}

/// How a window TVF is called, for errors.
fn tvf_signature(window: WindowKind) -> &'static str {
    match window {
        WindowKind::Tumble => "TUMBLE(TABLE t, DESCRIPTOR(ts), size [, offset])",
        WindowKind::Hop => "HOP(TABLE t, DESCRIPTOR(ts), slide, size [, offset])",
        WindowKind::Cumulate => "CUMULATE(TABLE t, DESCRIPTOR(ts), step, size [, offset])",
        WindowKind::Session => "SESSION(TABLE t [PARTITION BY col], DESCRIPTOR(ts), gap)",
    }
}

impl<'b, 'c> QueryPlanner<'b, 'c> {
    /// Adds the window `node` over `rel`: `rel`'s columns followed by the window columns.
    pub(super) fn add_window(&mut self, node: WindowNode, rel: Relation) -> Result<Relation, SqlError> {
        let id = node.id.clone();
        let schema = self.job.add(Node::Window(node))?;
        let mut out = rel.moved_to(&id);
        for (name, f) in WINDOW_COLUMNS.iter().zip(schema.fields.iter().skip(out.columns.len())) {
            out.columns.push(ScopeColumn { qualifier: None, name: name.to_string(), field: f.name.clone(), data_type: f.data_type });
        }
        Ok(out)
    }

    /// Plans `TABLE(TUMBLE(..))`, `TABLE(HOP(..))` or `TABLE(CUMULATE(..))` in FROM.
    ///
    /// `terms` are the WHERE conjuncts of the block when the TVF is its only FROM item: those
    /// over the input's columns alone go below a SESSION window, as Flink's planner pushes
    /// them, so that a filtered-out row does not extend a session (TUMBLE, HOP and CUMULATE
    /// give the same rows either way and keep them above).
    pub fn window_tvf(&mut self, expr: &ast::Expr, alias: Option<&ast::TableAlias>, terms: Option<&mut Vec<&ast::Expr>>) -> Result<Relation, SqlError> {
        let ast::Expr::Function(f) = expr else {
            return Err(SqlError::unsupported(format!("TABLE({expr}) (only the window functions TUMBLE, HOP and CUMULATE)")));
        };
        let upper = f.name.to_string().to_ascii_uppercase();
        let window = match upper.as_str() {
            "TUMBLE" => WindowKind::Tumble,
            "HOP" => WindowKind::Hop,
            "CUMULATE" => WindowKind::Cumulate,
            "SESSION" => WindowKind::Session,
            _ => return Err(SqlError::unsupported(format!("table function {upper} (supported: TUMBLE, HOP, CUMULATE, SESSION)"))),
        };
        let FunctionArguments::List(list) = &f.args else {
            return Err(SqlError::invalid(format!("{upper} needs arguments (TABLE t, DESCRIPTOR(time column), INTERVAL ..)")));
        };
        let args = list
            .args
            .iter()
            .map(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Ok(e),
                _ => Err(SqlError::unsupported(format!("named or * arguments to {upper}"))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut args = args;
        let partition_by = match args.get(1) {
            Some(ast::Expr::Function(p)) if window == WindowKind::Session && p.name.to_string().eq_ignore_ascii_case(PARTITION_BY) => {
                let columns = match &p.args {
                    FunctionArguments::List(l) => l
                        .args
                        .iter()
                        .map(|a| match a {
                            FunctionArg::Unnamed(FunctionArgExpr::Expr(ast::Expr::Identifier(c))) => Ok(c.value.clone()),
                            FunctionArg::Unnamed(FunctionArgExpr::Expr(ast::Expr::CompoundIdentifier(c))) => {
                                Ok(c.last().map(|c| c.value.clone()).unwrap_or_default())
                            }
                            other => Err(SqlError::unsupported(format!("SESSION ... PARTITION BY {other} (name columns)"))),
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                    _ => Vec::new(),
                };
                args.remove(1);
                columns
            }
            _ => Vec::new(),
        };
        let expected = if matches!(window, WindowKind::Tumble | WindowKind::Session) { 3 } else { 4 };
        let offset_allowed = window != WindowKind::Session;
        if args.len() != expected && !(offset_allowed && args.len() == expected + 1) {
            let count = if offset_allowed { format!("{expected} or {}", expected + 1) } else { expected.to_string() };
            return Err(SqlError::invalid(format!("{upper} takes {count} arguments, found {}: {}", args.len(), tvf_signature(window))));
        }
        let ast::Expr::Identifier(table) = args[0] else {
            return Err(SqlError::unsupported(format!("{upper} over {} (name a table or view: TABLE t)", args[0])));
        };
        let mut rel = self.named_relation(table)?;
        if let (WindowKind::Session, Some(terms)) = (window, terms) {
            let scope = aliased(rel.clone(), &table.value, alias)?;
            let mut below = Vec::new();
            terms.retain(|t| match Translator::new(&scope).expr(t) {
                Ok(e) if !has_subquery(t) => {
                    below.push(e);
                    false
                }
                _ => true,
            });
            if let Some(predicate) = and_all(below) {
                rel = self.job.filter(rel, predicate)?;
            }
        }
        let time = descriptor_column(args[1], &upper)?;
        let Some(time_column) = rel.columns.iter().find(|c| c.name == time) else {
            return Err(SqlError::invalid(format!("column \"{time}\" not found in {}", table.value)));
        };
        let sizes = args[2..expected].iter().map(|a| interval_ms(a)).collect::<Result<Vec<_>, _>>()?;
        let offset_ms = args.get(expected).map(|a| signed_interval_ms(a)).transpose()?.unwrap_or(0);
        let (size_ms, slide_ms, step_ms, gap_ms) = match window {
            WindowKind::Tumble => (sizes[0], None, None, None),
            WindowKind::Hop => (sizes[1], Some(sizes[0]), None, None),
            WindowKind::Cumulate => (sizes[1], None, Some(sizes[0]), None),
            WindowKind::Session => (0, None, None, Some(sizes[0])),
        };
        let mut partition_fields = Vec::new();
        for name in &partition_by {
            let Some(c) = rel.columns.iter().find(|c| c.name.eq_ignore_ascii_case(name)) else {
                return Err(SqlError::invalid(format!("column \"{name}\" not found in {}", table.value)));
            };
            partition_fields.push(c.field.clone());
        }
        let id = self.job.fresh_id("window");
        let node = WindowNode {
            id: id.clone(),
            input: rel.node.clone(),
            window,
            time_column: time_column.field.clone(),
            size_ms,
            slide_ms,
            step_ms,
            offset_ms,
            gap_ms,
            partition_by: partition_fields,
        };
        let out = self.add_window(node, rel)?;
        aliased(out, &table.value, alias)
    }
}

/// The column named by `DESCRIPTOR(col)`.
fn descriptor_column(e: &ast::Expr, function: &str) -> Result<String, SqlError> {
    if let ast::Expr::Function(f) = e
        && f.name.to_string().eq_ignore_ascii_case("DESCRIPTOR")
        && let FunctionArguments::List(list) = &f.args
        && let [FunctionArg::Unnamed(FunctionArgExpr::Expr(ast::Expr::Identifier(col)))] = list.args.as_slice()
    {
        return Ok(col.value.clone());
    }
    Err(SqlError::invalid(format!("the second argument of {function} must be DESCRIPTOR(time column), found {e}")))
}
