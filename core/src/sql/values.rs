//! Planning `VALUES (..), (..)` into the plan's `values` node, typed as Flink types literal
//! rows: each column takes the common type of its cells (`1` and `2.5` give DECIMAL, `1` and
//! `10000000000` BIGINT), a NULL cell fits any column (a column of only NULLs has type NULL),
//! and the columns are named `EXPR$0`, `EXPR$1`, ... unless an alias renames them
//! (`(VALUES ..) AS t(id, name)`). Cells are constant expressions, evaluated while planning.

use sqlparser::ast::{self, Spanned};

use crate::expr::{BoundExpr, bind, common_type};
use crate::plan::{Node, ValuesNode};
use crate::types::{DataType, Field, Row, Schema, Value};

use super::error::{SqlError, SqlPosition};
use super::expr::Translator;
use super::query::QueryPlanner;
use super::scope::Relation;
use super::script::position;

impl<'b, 'c> QueryPlanner<'b, 'c> {
    /// Plans a VALUES list as a `values` node; the relation's columns are unqualified.
    pub fn values(&mut self, v: &ast::Values) -> Result<Relation, SqlError> {
        let cells = self.bind_cells(v)?;
        let width = cells[0].len();
        let mut types = vec![DataType::Null; width];
        for (r, row) in cells.iter().enumerate() {
            for (c, (cell, at)) in row.iter().enumerate() {
                types[c] = common_type(types[c], cell.data_type()).ok_or_else(|| SqlError::Invalid {
                    message: format!(
                        "VALUES column {} has no common type: {} in row {} does not mix with {} in the rows before",
                        c + 1,
                        cell.data_type(),
                        r + 1,
                        types[c]
                    ),
                    at: at.clone(),
                })?;
            }
        }
        let zone = self.job.bind_context().zone().map_err(SqlError::invalid)?;
        let mut nullable = vec![false; width];
        let mut rows = Vec::with_capacity(cells.len());
        for (r, row) in cells.into_iter().enumerate() {
            let mut out = Vec::with_capacity(width);
            for (c, (cell, at)) in row.into_iter().enumerate() {
                let place = |message: String| SqlError::Invalid { message: format!("VALUES row {}, column {}: {message}", r + 1, c + 1), at: at.clone() };
                let cast = cell.cast_to_in(types[c], &zone).map_err(|e| place(e.message))?;
                let value = cast.compile().eval(&Row::empty()).map_err(|e| place(e.message))?;
                nullable[c] |= value.is_null();
                out.push(spec_json(&value).ok_or_else(|| place(format!("the value {value} cannot be written in a job spec")))?);
            }
            rows.push(out);
        }
        let schema = types.iter().zip(&nullable).enumerate().map(|(c, (t, n))| Field::new(format!("EXPR${c}"), *t).with_nullable(*n)).collect();
        let id = self.job.fresh_id("values");
        let schema = self.job.add(Node::Values(ValuesNode { id: id.clone(), schema, rows }))?;
        Ok(Relation::from_schema(&id, &schema, None))
    }

    /// Every cell bound (over no columns), with its position; rows all of one width.
    fn bind_cells(&self, v: &ast::Values) -> Result<Vec<Vec<Cell>>, SqlError> {
        let Some(first) = v.rows.first() else {
            return Err(SqlError::invalid("VALUES needs at least one row"));
        };
        let width = first.content.len();
        if width == 0 {
            return Err(SqlError::invalid("a VALUES row needs at least one value"));
        }
        let nothing = Relation { node: String::new(), columns: Vec::new() };
        let no_columns = Schema::new(Vec::new());
        let ctx = self.job.bind_context();
        let mut out = Vec::with_capacity(v.rows.len());
        for (r, row) in v.rows.iter().enumerate() {
            let row_at = known(row.opening_token.0.span.start);
            if row.content.len() != width {
                return Err(SqlError::Invalid { message: format!("VALUES row {} has {} values but row 1 has {width}", r + 1, row.content.len()), at: row_at });
            }
            let mut cells = Vec::with_capacity(width);
            for (c, e) in row.content.iter().enumerate() {
                let at = known(e.span().start).or_else(|| row_at.clone());
                let expr = Translator::new(&nothing).expr(e).map_err(|err| match err {
                    SqlError::ColumnNotFound { column, at: col_at, .. } => {
                        SqlError::Invalid { message: format!("VALUES cells are constants; \"{column}\" is not a column here"), at: col_at.or(at.clone()) }
                    }
                    other => other.or_at(at.clone()),
                })?;
                let bound = bind(&expr, &no_columns, ctx)
                    .map_err(|e| SqlError::Invalid { message: format!("VALUES row {}, column {}: {}", r + 1, c + 1, e.message), at: at.clone() })?;
                if !bound.is_constant() {
                    return Err(SqlError::Invalid { message: format!("VALUES row {}, column {}: {e} is not a constant", r + 1, c + 1), at });
                }
                cells.push((bound, at));
            }
            out.push(cells);
        }
        Ok(out)
    }
}

/// One VALUES cell, bound, and where it was written.
type Cell = (BoundExpr, Option<SqlPosition>);

/// A position, unless the parser did not know it (line 0).
fn known(loc: sqlparser::tokenizer::Location) -> Option<SqlPosition> {
    (loc.line > 0).then(|| position(loc))
}

/// A value as the JSON scalar a `values` row holds for it (read back by the column's type):
/// numbers for numbers, dates (epoch days), timestamps (epoch ms) and intervals, text for
/// DECIMAL and STRING. None for BYTES that are not UTF-8, which the spec cannot carry.
fn spec_json(v: &Value) -> Option<serde_json::Value> {
    use serde_json::Value as J;
    Some(match v {
        Value::Null => J::Null,
        Value::Boolean(b) => J::Bool(*b),
        Value::Int(x) | Value::Date(x) | Value::IntervalYearMonth(x) | Value::Time(x) => J::from(*x),
        Value::BigInt(x) | Value::Timestamp(x) | Value::TimestampLtz(x) | Value::IntervalDayTime(x) => J::from(*x),
        Value::Double(x) => serde_json::Number::from_f64(x.get()).map(J::Number).unwrap_or_else(|| J::String(v.to_string())),
        Value::Float(x) => crate::types::float_json_number(x.get()).map(J::Number).unwrap_or_else(|| J::String(v.to_string())),
        Value::Decimal(_) => J::String(v.to_string()),
        Value::String(s) => J::String(s.to_string()),
        Value::Bytes(b) => J::String(std::str::from_utf8(b).ok()?.to_string()),
        Value::Array(items) => J::Array(items.iter().map(spec_json).collect::<Option<_>>()?),
        Value::Map(entries) => J::Array(entries.iter().map(|(k, v)| Some(J::Array(vec![spec_json(k)?, spec_json(v)?]))).collect::<Option<_>>()?),
    })
}
