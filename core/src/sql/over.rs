//! OVER aggregates in SQL: `agg(x) OVER (PARTITION BY k ORDER BY ts [ROWS|RANGE BETWEEN ..
//! PRECEDING AND CURRENT ROW])` in a select list. The calls become one `over` node over the
//! FROM/WHERE relation, and each call in the select list a reference to its output column.
//!
//! As in Flink, every OVER aggregate of one SELECT must use the same window; without a frame,
//! Flink's default `RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW` applies. Ordered by one
//! time column ascending, they and `LAG` become an `over` node (streaming and batch); ordered
//! by anything else, without ORDER BY (the whole partition is the frame), with `LEAD` or with
//! `ROW_NUMBER`/`RANK`/`DENSE_RANK` as columns (not a Top-N filter), a `sorted_over` node,
//! which runs in batch mode only (Flink's streaming OVER orders by a time attribute and has no
//! LEAD).

use sqlparser::ast::{self, WindowFrameBound, WindowFrameUnits, WindowType};
use sqlparser::parser::Parser;

use crate::expr::Expr;
use crate::plan::{AggregateCall, AggregateFunction, FrameUnit, Node, OffsetCall, OverFrame, OverNode, RankCall, RankType, SortKey, SortedOverNode};
use crate::types::DataType;

use super::dialect::FlinkDialect;
use super::error::SqlError;
use super::expr::{Translator, aggregate_function};
use super::list_aggregates::separator_literal;
use super::query::QueryPlanner;
use super::rewrite::{call_args, rewrite_calls};
use super::scope::{Relation, ScopeColumn};
use super::statistics::{Statistic, statistic_type};
use super::topn::rank_call;
use super::window::interval_ms;

/// The column name of the `i`-th OVER aggregate (never user-visible: the select list names it).
fn over_column(i: usize) -> String {
    format!("$over{i}")
}

/// Replaces every aggregate call with an OVER clause in `e` by a reference to its column (or
/// an expression over its columns), collecting the calls in `found`; `type_of` types an
/// argument (for the statistical aggregates' result type).
fn extract(e: &mut ast::Expr, found: &mut Vec<ast::Function>, type_of: &mut dyn FnMut(&ast::Expr) -> Result<DataType, SqlError>) -> Result<(), SqlError> {
    rewrite_calls(e, &mut |f| {
        if f.over.is_none() {
            return Ok(None);
        }
        let upper = f.name.to_string().to_ascii_uppercase();
        if let Some(statistic) = Statistic::from_name(&upper) {
            return statistic_over(statistic, &upper, f, found, type_of).map(Some);
        }
        found.push(f.clone());
        let column = over_column(found.len() - 1);
        if upper == "LISTAGG" {
            return listagg_result(f, &column).map(Some);
        }
        Ok(Some(ast::Expr::Identifier(ast::Ident::new(column))))
    })
}

/// Parses `text`, an expression Weir writes itself.
fn parse(text: &str) -> Result<ast::Expr, SqlError> {
    Parser::new(&FlinkDialect)
        .try_with_sql(text)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| SqlError::invalid(format!("{text}: {e} (a bug in Weir: please report it)")))
}

/// `VAR_POP(x) OVER (..)` and the other statistical aggregates reduced as Flink reduces them
/// (see `statistics`): `SUM(x * x)`, `SUM(x)` and `COUNT(x)` over the same window, pushed to
/// `found`, and the expression that combines their columns.
fn statistic_over(
    statistic: Statistic,
    upper: &str,
    f: &ast::Function,
    found: &mut Vec<ast::Function>,
    type_of: &mut dyn FnMut(&ast::Expr) -> Result<DataType, SqlError>,
) -> Result<ast::Expr, SqlError> {
    let args = call_args(f);
    let [x] = args.as_slice() else { return Err(SqlError::invalid(format!("{upper} takes exactly one argument"))) };
    let arg_type = type_of(x)?;
    let result = statistic_type(upper, arg_type)?;
    let x = if arg_type == result { format!("({x})") } else { format!("CAST({x} AS {result})") };
    let distinct = if matches!(&f.args, ast::FunctionArguments::List(l) if l.duplicate_treatment.is_some()) { "DISTINCT " } else { "" };
    let mut columns = Vec::new();
    for call in [format!("SUM({distinct}{x} * {x})"), format!("SUM({distinct}{x})"), format!("COUNT({distinct}{x})")] {
        let ast::Expr::Function(mut part) = parse(&call)? else { return Err(SqlError::invalid(format!("{call}: not a call (a bug in Weir)"))) };
        part.over = f.over.clone();
        found.push(part);
        columns.push(format!("`{}`", over_column(found.len() - 1)));
    }
    let (squares, sum, count) = (&columns[0], &columns[1], &columns[2]);
    let denominator = if statistic.biased() { count.clone() } else { format!("CASE WHEN {count} <> 1 THEN {count} - 1 END") };
    let variance = format!("(({squares} - {sum} * {sum} / {count}) / {denominator})");
    let value = if statistic.sqrt() { format!("POWER({variance}, 0.5)") } else { variance };
    parse(&format!("CAST({value} AS {result})"))
}

/// `LISTAGG([DISTINCT] x [, sep]) OVER (..)` as computed from the ARRAY_AGG of `x` over the
/// frame in `column`: its non-NULL values joined by `sep` (`,` by default), NULL when there are
/// none, as Flink's `ListAggWsWithRetractAggFunction` gives.
fn listagg_result(f: &ast::Function, column: &str) -> Result<ast::Expr, SqlError> {
    let separator = match call_args(f).as_slice() {
        [_] => "','".to_string(),
        [_, sep] => {
            separator_literal(sep)?;
            sep.to_string()
        }
        _ => return Err(SqlError::invalid("LISTAGG takes a value and an optional separator: LISTAGG(x [, ',' ])")),
    };
    parse(&format!("CASE WHEN CARDINALITY(ARRAY_REMOVE(`{column}`, NULL)) = 0 THEN NULL ELSE ARRAY_JOIN(`{column}`, {separator}) END"))
}

/// The frame of a window specification.
fn frame(spec: &ast::WindowSpec) -> Result<OverFrame, SqlError> {
    let Some(f) = &spec.window_frame else {
        return Ok(OverFrame { unit: FrameUnit::Range, preceding: None });
    };
    if !matches!(f.end_bound, None | Some(WindowFrameBound::CurrentRow)) {
        return Err(SqlError::unsupported(format!(
            "OVER frame ending at {} (frames end at CURRENT ROW)",
            f.end_bound.as_ref().map(|b| b.to_string()).unwrap_or_default()
        )));
    }
    let unit = match f.units {
        WindowFrameUnits::Rows => FrameUnit::Rows,
        WindowFrameUnits::Range => FrameUnit::Range,
        WindowFrameUnits::Groups => return Err(SqlError::unsupported("OVER frame GROUPS")),
    };
    let preceding = match (&f.start_bound, unit) {
        (WindowFrameBound::Preceding(None), _) => None,
        (WindowFrameBound::CurrentRow, _) => Some(0),
        (WindowFrameBound::Preceding(Some(n)), FrameUnit::Rows) => match n.as_ref() {
            ast::Expr::Value(v) => match &v.value {
                ast::Value::Number(text, _) => {
                    Some(text.parse::<u64>().map_err(|_| SqlError::invalid(format!("ROWS {text} PRECEDING: expected a non-negative row count")))?)
                }
                other => return Err(SqlError::invalid(format!("ROWS {other} PRECEDING: expected a row count"))),
            },
            other => return Err(SqlError::invalid(format!("ROWS {other} PRECEDING: expected a row count"))),
        },
        (WindowFrameBound::Preceding(Some(n)), FrameUnit::Range) => Some(interval_ms(n)?),
        (WindowFrameBound::Following(_), _) => {
            return Err(SqlError::unsupported(format!("OVER frame starting at {} (frames start before the current row)", f.start_bound)));
        }
    };
    if unit == FrameUnit::Range && preceding == Some(0) {
        return Err(SqlError::unsupported("RANGE BETWEEN CURRENT ROW AND CURRENT ROW"));
    }
    Ok(OverFrame { unit, preceding })
}

impl<'b, 'c> QueryPlanner<'b, 'c> {
    /// When the select list of `s` has OVER aggregates: an `over` node computing them over
    /// `rel`, and a copy of `s` whose items refer to its columns instead. `None` otherwise.
    pub fn over_aggregates(&mut self, s: &ast::Select, rel: &Relation) -> Result<Option<(ast::Select, Relation)>, SqlError> {
        let mut rewritten = s.clone();
        let mut found = Vec::new();
        let mut translator = Translator::new(rel);
        let mut type_of = |x: &ast::Expr| translator.expr(x).and_then(|x| translator.type_of(&x));
        for item in &mut rewritten.projection {
            if let ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. } = item {
                extract(e, &mut found, &mut type_of)?;
            }
        }
        let Some(first) = found.first() else { return Ok(None) };
        if !matches!(&s.group_by, ast::GroupByExpr::Expressions(g, _) if g.is_empty()) {
            return Err(SqlError::unsupported("OVER aggregates together with GROUP BY in one SELECT (aggregate in a subquery first)"));
        }
        let spec = match &first.over {
            Some(WindowType::WindowSpec(spec)) => spec.clone(),
            Some(WindowType::NamedWindow(name)) => return Err(SqlError::unsupported(format!("named window OVER {name} (write the window inline)"))),
            None => return Ok(None),
        };
        if found.iter().any(|f| !matches!(&f.over, Some(WindowType::WindowSpec(other)) if *other == spec)) {
            return Err(SqlError::unsupported("OVER aggregates with different windows in one SELECT"));
        }
        let partition_by = spec.partition_by.iter().map(|p| translator.expr(p)).collect::<Result<Vec<_>, _>>()?;
        let mut aggregates = Vec::new();
        let mut offsets = Vec::new();
        let mut ranks = Vec::new();
        for (i, f) in found.iter().enumerate() {
            if let Some(rank_type) = rank_call(&ast::Expr::Function(f.clone())) {
                ranks.push(rank_column(f, over_column(i), rank_type)?);
                continue;
            }
            let upper = f.name.to_string().to_ascii_uppercase();
            if let Some(lead) = offset_function(&upper) {
                offsets.push(offset_call(f, over_column(i), lead, &mut translator)?);
                continue;
            }
            // ARRAY_AGG's SQL form is planned elsewhere (for IGNORE NULLS); here it has none.
            // LISTAGG is the ARRAY_AGG of its value, joined in the select list (`extract`).
            let listagg = upper == "LISTAGG";
            let array_agg = upper == "ARRAY_AGG" || listagg;
            let Some(function) = aggregate_function(&upper).or(array_agg.then_some(AggregateFunction::ArrayAgg)) else {
                return Err(SqlError::unsupported(format!(
                    "{upper}() OVER (..) (OVER aggregates: COUNT, SUM, MIN, MAX, AVG, FIRST_VALUE, LAST_VALUE, ARRAY_AGG, LISTAGG, COLLECT, STDDEV_POP, STDDEV_SAMP, VAR_POP, VAR_SAMP, LAG, LEAD)"
                )));
            };
            let distinct = matches!(&f.args, ast::FunctionArguments::List(l) if l.duplicate_treatment.is_some());
            let clauses = matches!(&f.args, ast::FunctionArguments::List(l) if !l.clauses.is_empty());
            if clauses || f.null_treatment.is_some() {
                return Err(SqlError::unsupported(format!("IGNORE/RESPECT NULLS or ORDER BY in the OVER aggregate {upper}")));
            }
            if f.filter.is_some() {
                return Err(SqlError::unsupported(format!("{upper}(..) FILTER (WHERE ..) in an OVER aggregate")));
            }
            let mut args = call_args(f).into_iter().map(|e| translator.expr(e)).collect::<Result<Vec<_>, _>>()?;
            if listagg {
                args.truncate(1);
                let arg_type = args.first().map(|a| translator.type_of(a)).transpose()?;
                if let Some(t) = arg_type.filter(|t| !matches!(t, DataType::String | DataType::Null)) {
                    return Err(SqlError::invalid(format!("LISTAGG needs a STRING value, found {t} (CAST it to STRING)")));
                }
            }
            aggregates.push(AggregateCall { name: over_column(i), function, args, distinct, filter: None });
        }
        if let Some(rank) = ranks.first() {
            ranked_window(&spec, rank.rank_type)?;
        }
        let id = self.job.fresh_id("over");
        let node = match time_order(&spec, &mut translator, rel)? {
            // Ordered by one time column and looking back only: the event-time OVER of
            // streaming mode (batch runs it too).
            Some(order_by) if offsets.iter().all(|o| !o.lead) && ranks.is_empty() => {
                Node::Over(OverNode { id: id.clone(), input: rel.node.clone(), partition_by, order_by, frame: frame(&spec)?, aggregates, offsets })
            }
            _ => {
                let order_by = sort_keys(&spec, &mut translator)?;
                let frame = match (spec.window_frame.is_some(), order_by.is_empty()) {
                    (true, true) => return Err(SqlError::unsupported("an OVER frame without ORDER BY (without one the frame is the whole partition)")),
                    (_, true) => None,
                    (_, false) => Some(frame(&spec)?),
                };
                if frame.is_some_and(|f| f.unit == FrameUnit::Range && f.preceding.is_some()) {
                    return Err(SqlError::unsupported("RANGE BETWEEN .. PRECEDING over an ORDER BY other than one ascending time column (use ROWS)"));
                }
                Node::SortedOver(SortedOverNode { id: id.clone(), input: rel.node.clone(), partition_by, order_by, frame, aggregates, offsets, ranks })
            }
        };
        let schema = self.job.add(node)?;
        let mut out = rel.clone().moved_to(&id);
        for f in schema.fields.iter().skip(out.columns.len()) {
            out.columns.push(ScopeColumn { qualifier: None, name: f.name.clone(), field: f.name.clone(), data_type: f.data_type });
        }
        Ok(Some((rewritten, out)))
    }
}

/// `ROW_NUMBER()`, `RANK()` or `DENSE_RANK()` (no arguments) as a rank call named `name`.
fn rank_column(f: &ast::Function, name: String, rank_type: RankType) -> Result<RankCall, SqlError> {
    if !call_args(f).is_empty() || f.filter.is_some() || f.null_treatment.is_some() {
        return Err(SqlError::invalid(format!("{}() takes no arguments", rank_type.sql_name())));
    }
    Ok(RankCall { name, rank_type })
}

/// Checks the window of row-numbering calls as Flink (Calcite) does: it needs an ORDER BY and
/// takes no frame.
fn ranked_window(spec: &ast::WindowSpec, rank_type: RankType) -> Result<(), SqlError> {
    let name = rank_type.sql_name();
    if spec.order_by.is_empty() {
        return Err(SqlError::invalid(format!("{name}() requires ORDER BY in its window (OVER (PARTITION BY .. ORDER BY ..))")));
    }
    if spec.window_frame.is_some() {
        return Err(SqlError::invalid(format!("ROWS/RANGE frames are not allowed with {name}()")));
    }
    Ok(())
}

/// `Some(lead)` for LAG (false) and LEAD (true).
fn offset_function(upper: &str) -> Option<bool> {
    match upper {
        "LAG" => Some(false),
        "LEAD" => Some(true),
        _ => None,
    }
}

/// `LAG(x [, offset [, default]])` / `LEAD(..)` as an offset call named `name`.
fn offset_call(f: &ast::Function, name: String, lead: bool, translator: &mut Translator<'_>) -> Result<OffsetCall, SqlError> {
    let upper = if lead { "LEAD" } else { "LAG" };
    if f.null_treatment.is_some() || f.filter.is_some() || matches!(&f.args, ast::FunctionArguments::List(l) if l.duplicate_treatment.is_some()) {
        return Err(SqlError::unsupported(format!("{upper}() with IGNORE/RESPECT NULLS, DISTINCT or FILTER")));
    }
    let args = call_args(f);
    let (arg, offset, default) = match args.as_slice() {
        [arg] => (arg, None, None),
        [arg, offset] => (arg, Some(offset), None),
        [arg, offset, default] => (arg, Some(offset), Some(default)),
        _ => return Err(SqlError::invalid(format!("{upper}() takes 1 to 3 arguments (value, offset, default), found {}", args.len()))),
    };
    let offset = match offset {
        None => 1,
        Some(ast::Expr::Value(v)) if matches!(&v.value, ast::Value::Number(..)) => {
            v.value.to_string().parse::<u64>().map_err(|_| SqlError::invalid(format!("{upper}() offset {v}: expected a non-negative integer")))?
        }
        Some(other) => return Err(SqlError::invalid(format!("{upper}() offset {other}: expected an integer literal"))),
    };
    let default = default.map(|d| translator.expr(d)).transpose()?;
    Ok(OffsetCall { name, lead, arg: translator.expr(arg)?, offset, default })
}

/// The time column of a window ordered by exactly one TIMESTAMP column, ascending.
fn time_order(spec: &ast::WindowSpec, translator: &mut Translator<'_>, rel: &Relation) -> Result<Option<String>, SqlError> {
    let [order] = spec.order_by.as_slice() else { return Ok(None) };
    if matches!(order.options.sort, Some(ast::OrderBySort::Desc)) {
        return Ok(None);
    }
    Ok(match translator.expr(&order.expr)? {
        Expr::Column(crate::expr::ColumnRef::Name(name)) if rel.by_field(&name).is_some_and(|c| c.data_type.is_timestamp()) => Some(name),
        _ => None,
    })
}

/// The ORDER BY of a window as sort keys.
fn sort_keys(spec: &ast::WindowSpec, translator: &mut Translator<'_>) -> Result<Vec<SortKey>, SqlError> {
    spec.order_by
        .iter()
        .map(|o| {
            Ok(SortKey {
                expr: translator.expr(&o.expr)?,
                descending: matches!(o.options.sort, Some(ast::OrderBySort::Desc)),
                nulls_first: o.options.nulls_first,
            })
        })
        .collect()
}
