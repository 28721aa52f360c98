//! Changelogs as clients see them: rows as JSON arrays, and the materialized table a changelog
//! describes (`+I`/`+U` add a row, `-U`/`-D` remove one).

use weir_core::types::{Row, RowKind, value_to_json};

/// A row as a JSON array (values via `value_to_json`: numbers as numbers, DECIMAL and
/// temporal values as strings, NULL as null).
pub fn row_json(row: &Row) -> Vec<serde_json::Value> {
    row.values().iter().map(value_to_json).collect()
}

/// Flink's name of a row kind in the SQL gateway (`INSERT`, `UPDATE_BEFORE`, ...).
pub fn kind_name(kind: RowKind) -> &'static str {
    match kind {
        RowKind::Insert => "INSERT",
        RowKind::UpdateBefore => "UPDATE_BEFORE",
        RowKind::UpdateAfter => "UPDATE_AFTER",
        RowKind::Delete => "DELETE",
    }
}

/// The rows standing after `changes`, in the order they were (last) added: a retraction
/// removes the most recently added equal row. Emission order is kept so a sorted result
/// stays sorted; retractions of rows that are not there are ignored. The sequential
/// reference the result store is tested against.
#[cfg(test)]
pub fn materialize(changes: &[(RowKind, Row)]) -> Vec<Row> {
    use std::collections::{BTreeMap, HashMap};
    let mut by_seq: BTreeMap<usize, &Row> = BTreeMap::new();
    let mut seqs: HashMap<&Row, Vec<usize>> = HashMap::new();
    for (seq, (kind, row)) in changes.iter().enumerate() {
        if kind.is_addition() {
            by_seq.insert(seq, row);
            seqs.entry(row).or_default().push(seq);
        } else if let Some(at) = seqs.get_mut(row).and_then(Vec::pop) {
            by_seq.remove(&at);
        }
    }
    by_seq.into_values().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use weir_core::types::Value;

    fn row(v: i64) -> Row {
        Row::new(vec![Value::BigInt(v)])
    }

    #[test]
    fn replays_updates_and_deletes() {
        let changes = vec![
            (RowKind::Insert, row(1)),
            (RowKind::Insert, row(2)),
            (RowKind::UpdateBefore, row(1)),
            (RowKind::UpdateAfter, row(3)),
            (RowKind::Delete, row(9)),
            (RowKind::Insert, row(2)),
            (RowKind::Delete, row(2)),
        ];
        assert_eq!(materialize(&changes), vec![row(2), row(3)]);
    }
}
