//! The collection types `ARRAY<T>`, `MAP<K, V>` and `MULTISET<T>`: interning their element types (so that
//! [`DataType`] stays a small `Copy` value) and reading their text form.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use super::data_type::DataType;

/// Interned element types. A type is leaked once and shared by every use: the set of distinct
/// collection types a process ever sees is small (those written in its queries and specs).
fn arrays() -> &'static Mutex<HashSet<&'static DataType>> {
    static SET: OnceLock<Mutex<HashSet<&'static DataType>>> = OnceLock::new();
    SET.get_or_init(Mutex::default)
}

fn maps() -> &'static Mutex<HashSet<&'static (DataType, DataType)>> {
    static SET: OnceLock<Mutex<HashSet<&'static (DataType, DataType)>>> = OnceLock::new();
    SET.get_or_init(Mutex::default)
}

fn intern<T: Eq + std::hash::Hash + 'static>(set: &Mutex<HashSet<&'static T>>, value: T) -> &'static T {
    let mut set = set.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(found) = set.get(&value) {
        return found;
    }
    let leaked: &'static T = Box::leak(Box::new(value));
    set.insert(leaked);
    leaked
}

/// The shared `&'static` element type of `ARRAY<element>`.
pub(super) fn intern_array(element: DataType) -> &'static DataType {
    intern(arrays(), element)
}

/// The shared `&'static` key and value types of `MAP<key, value>`.
pub(super) fn intern_map(key: DataType, value: DataType) -> &'static (DataType, DataType) {
    intern(maps(), (key, value))
}

/// Reads `ARRAY<T>` / `MAP<K, V>` / `MULTISET<T>` from whitespace-normalised upper-case text; `None` when the
/// text is not a collection type, `Some(Err(hint))` when it is one but malformed.
pub(super) fn parse_composite(norm: &str) -> Option<Result<DataType, String>> {
    let (kind, rest) = if let Some(rest) = norm.strip_prefix("ARRAY") {
        ("ARRAY", rest)
    } else if let Some(rest) = norm.strip_prefix("MULTISET") {
        ("MULTISET", rest)
    } else if let Some(rest) = norm.strip_prefix("MAP") {
        ("MAP", rest)
    } else {
        return None;
    };
    let rest = rest.trim_start();
    let inner = rest.strip_prefix('<')?;
    let Some(inner) = inner.trim_end().strip_suffix('>') else {
        return Some(Err(format!("; {kind}<..> is missing its '>'")));
    };
    let parts = split_top_level(inner);
    Some(match (kind, parts.as_slice()) {
        ("ARRAY", [element]) => element_type(element).map(DataType::array),
        ("MULTISET", [element]) => element_type(element).map(DataType::multiset),
        ("MULTISET", _) => Err("; MULTISET takes one element type: MULTISET<STRING>".into()),
        ("MAP", [key, value]) => element_type(key).and_then(|k| element_type(value).map(|v| DataType::map(k, v))),
        ("ARRAY", _) => Err("; ARRAY takes one element type: ARRAY<INT>".into()),
        _ => Err("; MAP takes a key and a value type: MAP<STRING, INT>".into()),
    })
}

/// One element type, with a trailing `NOT NULL` / `NULL` dropped.
fn element_type(text: &str) -> Result<DataType, String> {
    let t = text.trim();
    let t = t.strip_suffix("NOT NULL").or_else(|| t.strip_suffix(" NULL")).unwrap_or(t).trim();
    t.parse::<DataType>().map_err(|e| format!("; in the element type: {e}"))
}

/// `text` split at the commas outside `<..>` and `(..)`.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '<' | '(' => depth += 1,
            '>' | ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}
