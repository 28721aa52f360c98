//! The `WINDOW` clause: `SELECT COUNT(*) OVER w FROM t WINDOW w AS (PARTITION BY k ORDER BY ts)`.
//! A SELECT's named windows are substituted into its OVER clauses before it is planned, so the
//! planner only ever sees inline window specifications (as Calcite resolves them for Flink).

use std::borrow::Cow;
use std::collections::HashMap;

use sqlparser::ast::{self, NamedWindowExpr, WindowSpec, WindowType};

use super::error::SqlError;
use super::rewrite::rewrite_calls;

/// `s` with every `OVER w` and `OVER (w ...)` of its select list replaced by the window `w` names
/// in its WINDOW clause, and the clause removed; `s` itself when it has no WINDOW clause.
pub fn resolve_named_windows(s: &ast::Select) -> Result<Cow<'_, ast::Select>, SqlError> {
    if s.named_window.is_empty() {
        return Ok(Cow::Borrowed(s));
    }
    let mut windows: HashMap<String, WindowSpec> = HashMap::new();
    for ast::NamedWindowDefinition(name, expr) in &s.named_window {
        let spec = match expr {
            NamedWindowExpr::NamedWindow(other) => lookup(&windows, other)?.clone(),
            NamedWindowExpr::WindowSpec(spec) => refine(&windows, spec)?,
        };
        if windows.insert(key(name), spec).is_some() {
            return Err(SqlError::invalid(format!("the window {name} is defined twice in one WINDOW clause")));
        }
    }
    let mut resolved = s.clone();
    resolved.named_window.clear();
    for item in &mut resolved.projection {
        if let ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. } = item {
            rewrite_calls(e, &mut |f| {
                let spec = match &f.over {
                    Some(WindowType::NamedWindow(name)) => lookup(&windows, name)?.clone(),
                    Some(WindowType::WindowSpec(spec)) if spec.window_name.is_some() => refine(&windows, spec)?,
                    _ => return Ok(None),
                };
                let mut call = f.clone();
                call.over = Some(WindowType::WindowSpec(spec));
                Ok(Some(ast::Expr::Function(call)))
            })?;
        }
    }
    Ok(Cow::Owned(resolved))
}

fn key(name: &ast::Ident) -> String {
    name.value.to_ascii_lowercase()
}

fn lookup<'w>(windows: &'w HashMap<String, WindowSpec>, name: &ast::Ident) -> Result<&'w WindowSpec, SqlError> {
    windows.get(&key(name)).ok_or_else(|| SqlError::invalid(format!("no window named {name} in the WINDOW clause")))
}

/// `spec` completed from the window it refines (`(w ORDER BY ts)`): the base's partitioning
/// and order where `spec` has none, and its frame unless `spec` gives one.
fn refine(windows: &HashMap<String, WindowSpec>, spec: &WindowSpec) -> Result<WindowSpec, SqlError> {
    let Some(base_name) = &spec.window_name else { return Ok(spec.clone()) };
    let base = lookup(windows, base_name)?;
    if !spec.partition_by.is_empty() && !base.partition_by.is_empty() {
        return Err(SqlError::invalid(format!("a window refining {base_name} cannot repartition it (PARTITION BY is in {base_name} already)")));
    }
    Ok(WindowSpec {
        window_name: None,
        partition_by: if spec.partition_by.is_empty() { base.partition_by.clone() } else { spec.partition_by.clone() },
        order_by: if spec.order_by.is_empty() { base.order_by.clone() } else { spec.order_by.clone() },
        window_frame: spec.window_frame.clone().or_else(|| base.window_frame.clone()),
    })
}
