//! Flink's legacy group windows: `GROUP BY k, TUMBLE(ts, size)` (and `HOP(ts, slide, size)`,
//! `SESSION(ts, gap)`) with `TUMBLE_START(ts, size)`, `TUMBLE_END(..)`, `TUMBLE_ROWTIME(..)`
//! (and the HOP_ and SESSION_ ones) in the select list — the form Nexmark q11 is written in.
//! They are planned as the window table-valued functions: a `window` node over the FROM/WHERE
//! relation (SESSION partitioned by the other group keys), the window call in GROUP BY
//! replaced by `window_start, window_end`, and the auxiliary functions by those columns.

use sqlparser::ast::{self, GroupByExpr, Ident};

use crate::plan::{WINDOW_COLUMNS, WindowKind, WindowNode};

use super::error::SqlError;
use super::query::QueryPlanner;
use super::rewrite::{call_args, rewrite_calls};
use super::scope::Relation;
use super::window::interval_ms;

fn name_of(f: &ast::Function) -> String {
    f.name.to_string().to_ascii_uppercase()
}

/// Which window a GROUP BY call names, if it is a group window.
fn group_window_kind(f: &ast::Function) -> Option<WindowKind> {
    match name_of(f).as_str() {
        "TUMBLE" => Some(WindowKind::Tumble),
        "HOP" => Some(WindowKind::Hop),
        "SESSION" => Some(WindowKind::Session),
        _ => None,
    }
}

/// Replaces `TUMBLE_START(..)`-style calls in `e` by the window column they name.
fn replace_auxiliary(e: &mut ast::Expr) -> Result<(), SqlError> {
    rewrite_calls(e, &mut |f| {
        let upper = name_of(f);
        let Some(suffix) = ["TUMBLE_", "HOP_", "SESSION_"].iter().find_map(|p| upper.strip_prefix(p)) else { return Ok(None) };
        let column = match suffix {
            "START" => WINDOW_COLUMNS[0],
            "END" => WINDOW_COLUMNS[1],
            "ROWTIME" => WINDOW_COLUMNS[2],
            other => return Err(SqlError::unsupported(format!("group window function {upper} (_START, _END and _ROWTIME exist, not _{other})"))),
        };
        Ok(Some(ast::Expr::Identifier(Ident::new(column))))
    })
}

impl<'b, 'c> QueryPlanner<'b, 'c> {
    /// When `s` groups by a legacy group window: the window node over `rel` and a copy of `s`
    /// grouping by `window_start, window_end` instead. `None` otherwise.
    pub fn group_window(&mut self, s: &ast::Select, rel: &Relation) -> Result<Option<(ast::Select, Relation)>, SqlError> {
        let GroupByExpr::Expressions(keys, _) = &s.group_by else { return Ok(None) };
        let found: Vec<(usize, &ast::Function, WindowKind)> = keys
            .iter()
            .enumerate()
            .filter_map(|(i, k)| match k {
                ast::Expr::Function(f) => group_window_kind(f).map(|kind| (i, f, kind)),
                _ => None,
            })
            .collect();
        let [(position, call, window)] = found.as_slice() else {
            return match found.len() {
                0 => Ok(None),
                _ => Err(SqlError::unsupported("more than one group window in GROUP BY")),
            };
        };
        let call_args = call_args(call);
        let expected = if *window == WindowKind::Hop { 3 } else { 2 };
        if call_args.len() == expected + 1 && *window != WindowKind::Session {
            // Calcite's alignment-time argument, which Flink rejects by this name too.
            return Err(SqlError::unsupported(format!(
                "{} window with alignment (its last argument; Flink rejects it too): use TABLE({}(TABLE t, DESCRIPTOR(time), .., offset))",
                name_of(call),
                name_of(call)
            )));
        }
        if call_args.len() != expected {
            return Err(SqlError::invalid(format!(
                "{}(time, {}) takes {expected} arguments",
                name_of(call),
                if expected == 3 { "slide, size" } else { "size" }
            )));
        }
        let time = match call_args[0] {
            ast::Expr::Identifier(id) => rel.resolve(std::slice::from_ref(id))?,
            ast::Expr::CompoundIdentifier(parts) => rel.resolve(parts)?,
            other => return Err(SqlError::unsupported(format!("{}({other}, ..) over an expression (name the time column)", name_of(call)))),
        };
        let sizes = call_args[1..].iter().map(|a| interval_ms(a)).collect::<Result<Vec<_>, _>>()?;
        let (size_ms, slide_ms, gap_ms) = match window {
            WindowKind::Tumble => (sizes[0], None, None),
            WindowKind::Hop => (sizes[1], Some(sizes[0]), None),
            _ => (0, None, Some(sizes[0])),
        };
        // A session window is per group: the other group keys, which must be columns.
        let mut partition_by = Vec::new();
        if *window == WindowKind::Session {
            for (i, k) in keys.iter().enumerate().filter(|(i, _)| i != position) {
                let column = match k {
                    ast::Expr::Identifier(id) => rel.resolve(std::slice::from_ref(id))?,
                    ast::Expr::CompoundIdentifier(parts) => rel.resolve(parts)?,
                    other => return Err(SqlError::unsupported(format!("GROUP BY {other} (key {}) with a SESSION window: group by columns", i + 1))),
                };
                partition_by.push(column.field.clone());
            }
        }
        let id = self.job.fresh_id("window");
        let node = WindowNode {
            id: id.clone(),
            input: rel.node.clone(),
            window: *window,
            time_column: time.field.clone(),
            size_ms,
            slide_ms,
            step_ms: None,
            offset_ms: 0,
            gap_ms,
            partition_by,
        };
        let out = self.add_window(node, rel.clone())?;
        let mut rewritten = s.clone();
        if let GroupByExpr::Expressions(keys, _) = &mut rewritten.group_by {
            keys.splice(*position..=*position, WINDOW_COLUMNS[..2].iter().map(|c| ast::Expr::Identifier(Ident::new(*c))));
        }
        for item in &mut rewritten.projection {
            if let ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. } = item {
                replace_auxiliary(e)?;
            }
        }
        if let Some(h) = &mut rewritten.having {
            replace_auxiliary(h)?;
        }
        Ok(Some((rewritten, out)))
    }
}
