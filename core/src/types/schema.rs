//! Schemas: the named, typed columns of a table or of a plan node's output.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::data_type::DataType;

/// One column: its name, type and whether it may hold NULL.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct Field {
    /// Column name (case-sensitive, as in Flink).
    pub name: String,
    /// Column type.
    #[serde(rename = "type")]
    pub data_type: DataType,
    /// Whether the column may be NULL (`NOT NULL` columns set this to false).
    #[serde(default = "default_nullable")]
    pub nullable: bool,
}

fn default_nullable() -> bool {
    true
}

impl Field {
    /// A nullable column.
    pub fn new(name: impl Into<String>, data_type: DataType) -> Field {
        Field { name: name.into(), data_type, nullable: true }
    }

    /// The same column with the given nullability.
    pub fn with_nullable(mut self, nullable: bool) -> Field {
        self.nullable = nullable;
        self
    }
}

/// The ordered columns of a relation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Schema {
    /// Columns in order.
    pub fields: Vec<Field>,
}

impl Schema {
    /// A schema with these columns.
    pub fn new(fields: Vec<Field>) -> Schema {
        Schema { fields }
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// True when there are no columns.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Index of the column named `name`, if any (the first one when names repeat).
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// The column names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.name.as_str())
    }

    /// The column name closest to `name` (case-insensitive edit distance at most 2, or the
    /// same name in other case), to suggest in "did you mean" errors.
    pub fn closest_name(&self, name: &str) -> Option<&str> {
        let target = name.to_lowercase();
        self.names().map(|n| (edit_distance(&n.to_lowercase(), &target), n)).filter(|(d, _)| *d <= 2).min_by_key(|(d, _)| *d).map(|(_, n)| n)
    }

    /// This schema's columns followed by `other`'s; a right-hand name that repeats a name
    /// already present gets a numeric suffix (`id` → `id0`), as Flink names join outputs.
    pub fn join(&self, other: &Schema) -> Schema {
        let mut fields = self.fields.clone();
        for f in &other.fields {
            let mut name = f.name.clone();
            let mut n = 0;
            while fields.iter().any(|g| g.name == name) {
                name = format!("{}{n}", f.name);
                n += 1;
            }
            fields.push(Field { name, ..f.clone() });
        }
        Schema { fields }
    }
}

/// Levenshtein distance between two strings, by characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_renames_duplicates_and_suggests() {
        let a = Schema::new(vec![Field::new("id", DataType::BigInt), Field::new("price", DataType::BigInt)]);
        let j = a.join(&a);
        assert_eq!(j.names().collect::<Vec<_>>(), ["id", "price", "id0", "price0"]);
        assert_eq!(a.closest_name("pricee"), Some("price"));
        assert_eq!(a.closest_name("zzzzzz"), None);
    }
}
