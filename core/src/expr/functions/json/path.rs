//! JSON paths as Flink reads them (Calcite's path modes over Jayway JsonPath): an optional
//! mode, `lax` or `strict` followed by a space (no mode means **strict**, as in Flink), then
//! a path from `$`: `.name`, `['name']` / `["name"]` (also after a dot: `$.["a.b"]`), `[n]`
//! (a negative n counts from the end), `[n, m]`, `[*]` and `.*`. A path not starting with `$`
//! gets `$.` put in front, as Jayway does.
//!
//! A path of names and single indexes is *definite*: it selects one value or none. Any other
//! is *indefinite*: it selects an array of every match (missing members are skipped), which
//! may be empty. In strict mode a definite path that selects nothing is an error (Jayway's
//! `PathNotFoundException`); in lax mode it is empty, and so is a document that is not JSON.
//! Deep scans (`..`), filters (`[?(..)]`), slices (`[a:b]`) and functions (`.length()`) are
//! not supported and are rejected by name.

use super::document::Json;

/// A parsed path.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct JsonPath {
    /// Lax mode (else strict).
    pub(crate) lax: bool,
    steps: Vec<Step>,
}

/// One step from a value to its members.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    /// An object member by name.
    Member(String),
    /// Array elements by index (negative: from the end); one index is definite.
    Index(Vec<i64>),
    /// Every member of an object or element of an array.
    Wildcard,
}

/// Why a path cannot be read.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PathError {
    /// Malformed: Flink's evaluation fails (the function's ON ERROR behaviour applies).
    Invalid(String),
    /// A JsonPath feature Weir does not implement.
    Unsupported(String),
}

/// What a path selects from a document.
#[derive(Debug, PartialEq)]
pub(crate) enum Selected {
    /// A value (an indefinite path's array of matches, perhaps empty).
    Value(Json),
    /// Nothing, or JSON `null` (Flink's Java `null`).
    Empty,
    /// An error: strict mode's missing member, or a document that is not JSON.
    Error(String),
}

impl JsonPath {
    /// Parses `text` (mode and path).
    pub(crate) fn parse(text: &str) -> Result<JsonPath, PathError> {
        let trimmed = text.trim_start();
        let (lax, rest) = match trimmed.split_once(char::is_whitespace) {
            Some((mode, rest)) if mode.eq_ignore_ascii_case("lax") && !rest.trim().is_empty() => (true, rest.trim_start()),
            Some((mode, rest)) if mode.eq_ignore_ascii_case("strict") && !rest.trim().is_empty() => (false, rest.trim_start()),
            _ => (false, text),
        };
        let steps = parse_steps(rest)?;
        Ok(JsonPath { lax, steps })
    }

    /// Whether the path selects at most one value.
    pub(crate) fn is_definite(&self) -> bool {
        self.steps.iter().all(|s| matches!(s, Step::Member(_)) || matches!(s, Step::Index(i) if i.len() == 1))
    }

    /// What the path selects from the document `text`.
    pub(crate) fn select(&self, text: &str) -> Selected {
        match Json::parse(text) {
            Ok(doc) => self.select_in(&doc),
            Err(_) if self.lax => Selected::Empty,
            Err(e) => Selected::Error(format!("not JSON: {e}")),
        }
    }

    fn select_in(&self, doc: &Json) -> Selected {
        let mut current: Vec<&Json> = vec![doc];
        for step in &self.steps {
            current = current.into_iter().flat_map(|v| step.apply(v)).collect();
        }
        if !self.is_definite() {
            return Selected::Value(Json::Array(current.into_iter().cloned().collect()));
        }
        match current.first() {
            Some(Json::Null) => Selected::Empty,
            Some(v) => Selected::Value((*v).clone()),
            None if self.lax => Selected::Empty,
            None => Selected::Error("no value at the path (strict mode)".into()),
        }
    }
}

impl Step {
    fn apply<'j>(&self, v: &'j Json) -> Vec<&'j Json> {
        match (self, v) {
            (Step::Member(name), Json::Object(m)) => m.get(name).into_iter().collect(),
            (Step::Index(indexes), Json::Array(items)) => indexes
                .iter()
                .filter_map(|i| {
                    let at = if *i < 0 { i64::try_from(items.len()).ok()? + i } else { *i };
                    items.get(usize::try_from(at).ok()?)
                })
                .collect(),
            (Step::Wildcard, Json::Array(items)) => items.iter().collect(),
            (Step::Wildcard, Json::Object(m)) => m.values().collect(),
            _ => Vec::new(),
        }
    }
}

fn parse_steps(path: &str) -> Result<Vec<Step>, PathError> {
    let owned;
    let path = if path.starts_with('$') {
        path
    } else {
        owned = format!("$.{path}");
        owned.as_str()
    };
    let chars: Vec<char> = path.chars().collect();
    let mut at = 1;
    let mut steps = Vec::new();
    while at < chars.len() {
        match chars[at] {
            '.' if chars.get(at + 1) == Some(&'.') => return Err(PathError::Unsupported(format!("deep scan '..' in JSON path '{path}'"))),
            '.' if chars.get(at + 1) == Some(&'*') => {
                steps.push(Step::Wildcard);
                at += 2;
            }
            '.' if chars.get(at + 1) == Some(&'[') => at += 1,
            '.' => {
                let start = at + 1;
                let mut end = start;
                while end < chars.len() && !matches!(chars[end], '.' | '[' | ' ') {
                    end += 1;
                }
                let name: String = chars[start..end].iter().collect();
                if name.is_empty() {
                    return Err(PathError::Invalid(format!("JSON path '{path}': a member name is missing at offset {start}")));
                }
                if name.ends_with(')') {
                    return Err(PathError::Unsupported(format!("function {name} in JSON path '{path}'")));
                }
                steps.push(Step::Member(name));
                at = end;
            }
            '[' => {
                let close = chars[at..].iter().position(|c| *c == ']').map(|p| p + at);
                let Some(close) = close else {
                    return Err(PathError::Invalid(format!("JSON path '{path}': '[' at offset {at} is not closed")));
                };
                let inside: String = chars[at + 1..close].iter().collect();
                steps.push(bracket(inside.trim(), path)?);
                at = close + 1;
            }
            c => return Err(PathError::Invalid(format!("JSON path '{path}': unexpected '{c}' at offset {at}"))),
        }
    }
    Ok(steps)
}

/// The step written inside `[..]`.
fn bracket(inside: &str, path: &str) -> Result<Step, PathError> {
    if inside == "*" {
        return Ok(Step::Wildcard);
    }
    if inside.starts_with('?') {
        return Err(PathError::Unsupported(format!("filter [{inside}] in JSON path '{path}'")));
    }
    if inside.contains(':') && !inside.starts_with(['\'', '"']) {
        return Err(PathError::Unsupported(format!("array slice [{inside}] in JSON path '{path}'")));
    }
    if let Some(quote) = inside.chars().next().filter(|c| *c == '\'' || *c == '"') {
        let name = inside.strip_prefix(quote).and_then(|s| s.strip_suffix(quote));
        return match name {
            Some(n) if !n.contains(quote) => Ok(Step::Member(n.to_string())),
            Some(_) => Err(PathError::Unsupported(format!("several member names [{inside}] in JSON path '{path}'"))),
            None => Err(PathError::Invalid(format!("JSON path '{path}': unterminated name [{inside}]"))),
        };
    }
    let indexes = inside.split(',').map(|i| i.trim().parse::<i64>()).collect::<Result<Vec<_>, _>>();
    match indexes {
        Ok(i) => Ok(Step::Index(i)),
        Err(_) => Err(PathError::Invalid(format!("JSON path '{path}': [{inside}] is not an index, '*' or a quoted name"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn select(path: &str, doc: &str) -> Selected {
        JsonPath::parse(path).unwrap().select(doc)
    }

    fn value(text: &str) -> Selected {
        Selected::Value(Json::parse(text).unwrap())
    }

    #[test]
    fn definite_paths_select_one_value_and_strict_mode_is_the_default() {
        let doc = r#"{"a": {"b": [10, 20, {"c": null}]}, "a.b": [0.998, 0.996], "contains blank": "right"}"#;
        assert_eq!(select("$.a.b[1]", doc), value("20"));
        assert_eq!(select("$.a.b[-1]", doc), value(r#"{"c": null}"#));
        assert_eq!(select("$.[\"a.b\"][0]", doc), value("0.998"));
        assert_eq!(select("strict $.[\"contains blank\"]", doc), value("\"right\""));
        assert_eq!(select("a.b[0]", doc), value("10"));
        assert_eq!(select("$", "[1, 2]"), value("[1, 2]"));
        assert_eq!(select("$.a.b[2].c", doc), Selected::Empty);
        assert!(matches!(select("$.x", doc), Selected::Error(_)));
        assert!(matches!(select("$.a.b.c", doc), Selected::Error(_)));
        assert_eq!(select("lax $.x", doc), Selected::Empty);
        assert_eq!(select("LAX $.a.b[7]", doc), Selected::Empty);
        assert_eq!(select("lax $.a", "not json"), Selected::Empty);
        assert!(matches!(select("$.a", "not json"), Selected::Error(_)));
    }

    #[test]
    fn wildcards_and_index_lists_select_an_array_of_matches() {
        let doc = r#"{"a": [{"c": "c1"}, {"c": "c2"}, {"d": 1}], "o": {"y": 2, "x": 1}}"#;
        assert_eq!(select("lax $.a[*].c", doc), value(r#"["c1", "c2"]"#));
        assert_eq!(select("$.a[*].e", doc), value("[]"));
        assert_eq!(select("$.o.*", doc), value("[1, 2]"));
        assert_eq!(select("$.a[0, 1].c", doc), value(r#"["c1", "c2"]"#));
    }

    #[test]
    fn unsupported_and_malformed_paths_are_told_apart() {
        for path in ["$..a", "$.a[?(@.b > 1)]", "$.a[0:2]", "$.a.length()", "$['a','b']"] {
            assert!(matches!(JsonPath::parse(path), Err(PathError::Unsupported(_))), "{path}");
        }
        for path in ["$.", "$[", "$.a[x]", "$a"] {
            assert!(matches!(JsonPath::parse(path), Err(PathError::Invalid(_))), "{path}");
        }
    }
}
