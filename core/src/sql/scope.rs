//! Name resolution: which plan column a SQL name (`price`, `b.price`) refers to.

use sqlparser::ast::Ident;

use crate::types::{DataType, Schema};

use super::error::{SqlError, SqlPosition};
use super::script::position;

/// One column visible to SQL.
#[derive(Clone, Debug, PartialEq)]
pub struct ScopeColumn {
    /// The table name or alias that qualifies it (`b` in `b.price`), if any.
    pub qualifier: Option<String>,
    /// The name SQL sees.
    pub name: String,
    /// The column's name in the plan node's output (differs after joins: `id0`).
    pub field: String,
    /// Its type.
    pub data_type: DataType,
}

/// A planned relation: the node that produces it and the columns SQL can name.
#[derive(Clone, Debug, PartialEq)]
pub struct Relation {
    /// Plan node id.
    pub node: String,
    /// Columns in output order.
    pub columns: Vec<ScopeColumn>,
}

impl Relation {
    /// A relation over `node` whose columns are `schema`'s, all qualified by `qualifier`.
    pub fn from_schema(node: &str, schema: &Schema, qualifier: Option<&str>) -> Relation {
        Relation {
            node: node.to_string(),
            columns: schema
                .fields
                .iter()
                .map(|f| ScopeColumn { qualifier: qualifier.map(str::to_string), name: f.name.clone(), field: f.name.clone(), data_type: f.data_type })
                .collect(),
        }
    }

    /// The same relation with every column qualified by `qualifier` (a FROM alias).
    pub fn requalified(mut self, qualifier: Option<&str>) -> Relation {
        for c in &mut self.columns {
            c.qualifier = qualifier.map(str::to_string);
        }
        self
    }

    /// The same columns, now produced by `node` under the same field names.
    pub fn moved_to(mut self, node: &str) -> Relation {
        self.node = node.to_string();
        self
    }

    /// Finds the column a (possibly qualified) name refers to.
    pub fn resolve(&self, parts: &[Ident]) -> Result<&ScopeColumn, SqlError> {
        let (qualifier, name) = match parts {
            [name] => (None, name),
            [.., q, name] => (Some(q), name),
            [] => return Err(SqlError::invalid("empty column name")),
        };
        let at = Some(position(name.span.start));
        let written = parts.iter().map(|p| p.value.as_str()).collect::<Vec<_>>().join(".");
        if let Some(q) = qualifier
            && !self.columns.iter().any(|c| c.qualifier.as_deref() == Some(q.value.as_str()))
        {
            let known = self.qualifiers();
            let suggestion = closest(&q.value, known.iter().map(String::as_str));
            return Err(SqlError::TableNotFound { name: q.value.clone(), suggestion, at: Some(position(q.span.start)) });
        }
        let matches: Vec<&ScopeColumn> =
            self.columns.iter().filter(|c| c.name == name.value && qualifier.is_none_or(|q| c.qualifier.as_deref() == Some(q.value.as_str()))).collect();
        match matches.as_slice() {
            [one] => Ok(one),
            [] => {
                let candidates =
                    self.columns.iter().filter(|c| qualifier.is_none_or(|q| c.qualifier.as_deref() == Some(q.value.as_str()))).map(|c| c.name.as_str());
                Err(SqlError::ColumnNotFound {
                    column: written,
                    relation: self.describe(qualifier.map(|q| q.value.as_str())),
                    suggestion: closest(&name.value, candidates),
                    at,
                })
            }
            many => Err(SqlError::AmbiguousColumn {
                column: written,
                candidates: many
                    .iter()
                    .map(|c| match &c.qualifier {
                        Some(q) => format!("{q}.{}", c.name),
                        None => c.name.clone(),
                    })
                    .collect(),
                at,
            }),
        }
    }

    /// The distinct qualifiers in scope, in order.
    pub fn qualifiers(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for q in self.columns.iter().filter_map(|c| c.qualifier.clone()) {
            if !out.contains(&q) {
                out.push(q);
            }
        }
        out
    }

    fn describe(&self, qualifier: Option<&str>) -> String {
        match qualifier {
            Some(q) => format!("table {q}"),
            None => match self.qualifiers().as_slice() {
                [one] => format!("table {one}"),
                [] => "the input".to_string(),
                many => format!("tables {}", many.join(", ")),
            },
        }
    }

    /// The columns qualified by `qualifier` (for `t.*`).
    pub fn columns_of(&self, qualifier: &str) -> Vec<&ScopeColumn> {
        self.columns.iter().filter(|c| c.qualifier.as_deref() == Some(qualifier)).collect()
    }

    /// The column whose plan field is `field`.
    pub fn by_field(&self, field: &str) -> Option<&ScopeColumn> {
        self.columns.iter().find(|c| c.field == field)
    }
}

/// The candidate closest to `name` (case-insensitive edit distance at most 2).
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let target = name.to_lowercase();
    candidates
        .map(|c| (crate::types::edit_distance(&c.to_lowercase(), &target), c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

/// Makes `name` unique among `taken` the way Flink does (`a`, `a0`, `a1`, ...), and records it.
pub fn unique_name(name: &str, taken: &mut Vec<String>) -> String {
    let mut candidate = name.to_string();
    let mut n = 0;
    while taken.contains(&candidate) {
        candidate = format!("{name}{n}");
        n += 1;
    }
    taken.push(candidate.clone());
    candidate
}

/// A position for error messages from an identifier.
pub fn ident_position(ident: &Ident) -> Option<SqlPosition> {
    if ident.span.start.line == 0 { None } else { Some(position(ident.span.start)) }
}
