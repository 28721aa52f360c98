//! Flink's table hints, dynamic table options: `FROM t /*+ OPTIONS('k' = 'v') */` and
//! `INSERT INTO t /*+ OPTIONS('k' = 'v') */ SELECT ..`. The options override the table's WITH
//! options for that one reference, so two references of one table may read two paths (each
//! hinted reference is its own source; references with the same options share one).
//!
//! The script reader keeps every `/*+ .. */` that does not follow `SELECT` aside, by the token
//! before it ([`RawTableHint`]); [`TableHints::read`] parses a statement's (or a view body's)
//! hints, and the planner takes the hint that follows a table name when it reads that name.
//! A hint that no table name took is misplaced, as it is a parse error in Flink. As in Flink:
//! `OPTIONS` needs key-value options (`Hint [OPTIONS] only support non empty key value
//! options`); several `OPTIONS` merge and the last value of a key wins; query hint names
//! (`STATE_TTL`, `BROADCAST`, ..) after a table are dropped; other names are an error; a hint
//! on a view or WITH query is an error (`.. cannot be enriched with new options. Hints can only
//! be applied to tables.`); `table.dynamic-table-options.enabled = false` refuses `OPTIONS`.
//! The merged options are checked as WITH options are, and an error names the hint's place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sqlparser::ast;

use crate::plan::paths::PathPolicy;

use super::error::{SqlError, SqlPosition};
use super::hints::{HintOptions, IGNORED_HINTS, STATE_TTL, parse_hints};
use super::scope::ident_position;
use super::script::{RawTableHint, misplaced_hint};

/// Flink's setting that allows `OPTIONS` table hints (`true` by default).
pub const DYNAMIC_OPTIONS_CONFIG: &str = "table.dynamic-table-options.enabled";

/// The table hint name that carries options.
const OPTIONS: &str = "OPTIONS";

/// The hints after table names of one statement (or of one view's body).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TableHints {
    /// The hint comments, in written order.
    hints: Vec<TableHint>,
    /// Per hint, whether a table reference took it.
    used: Vec<bool>,
}

/// The options of one hint comment after a table name.
#[derive(Clone, Debug, PartialEq)]
pub struct TableHint {
    /// Where the token before the comment starts (the table name's last part).
    after: Option<SqlPosition>,
    /// Where the comment starts: where errors about its options point.
    pub at: SqlPosition,
    /// The options of its `OPTIONS` hints, merged in written order; `None` when it holds only
    /// query hints, which Flink drops at a table.
    pub options: Option<BTreeMap<String, String>>,
}

impl TableHints {
    /// Parses the hint comments of a statement (or of several, a statement set's).
    pub fn read<'a>(raw: impl IntoIterator<Item = &'a RawTableHint>) -> Result<TableHints, SqlError> {
        let hints = raw.into_iter().map(read_hint).collect::<Result<Vec<_>, _>>()?;
        Ok(TableHints { used: vec![false; hints.len()], hints })
    }

    /// The hint written right after `name` (a table name's last part), marked as taken.
    pub fn take(&mut self, name: &ast::Ident) -> Option<TableHint> {
        let at = ident_position(name)?;
        let i = self.hints.iter().position(|h| h.after.as_ref().is_some_and(|p| p.line == at.line && p.column == at.column))?;
        self.used[i] = true;
        Some(self.hints[i].clone())
    }

    /// Fails on the first hint no table reference took: it is not after a table name.
    pub fn check_all_taken(&self) -> Result<(), SqlError> {
        match self.hints.iter().zip(&self.used).find(|(_, used)| !**used) {
            Some((hint, _)) => Err(misplaced_hint(hint.at.clone())),
            None => Ok(()),
        }
    }

    /// The same hints, none taken yet (a view's, planned again at each use).
    pub fn fresh(&self) -> TableHints {
        TableHints { hints: self.hints.clone(), used: vec![false; self.hints.len()] }
    }
}

fn read_hint(raw: &RawTableHint) -> Result<TableHint, SqlError> {
    let invalid = |message: String| SqlError::Invalid { message, at: Some(raw.at.clone()) };
    let parsed = parse_hints(&raw.text).map_err(|e| invalid(format!("invalid hint: {e}")))?;
    let mut options: Option<BTreeMap<String, String>> = None;
    for hint in parsed {
        let name = hint.name.to_ascii_uppercase();
        if name == STATE_TTL || IGNORED_HINTS.contains(&name.as_str()) {
            continue;
        }
        if name != OPTIONS {
            return Err(invalid(format!("Hint: {name} should be registered in the HintStrategyTable (the table hint is OPTIONS('key' = 'value', ..))")));
        }
        match hint.options {
            HintOptions::KeyValues(pairs) if !pairs.is_empty() => options.get_or_insert_default().extend(pairs),
            _ => return Err(invalid("Hint [OPTIONS] only support non empty key value options (write OPTIONS('key' = 'value', ..))".into())),
        }
    }
    Ok(TableHint { after: raw.after.clone(), at: raw.at.clone(), options })
}

/// A connector and its options, as one reference to a table reads or writes it.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectorOptions {
    /// The `'connector'` option.
    pub connector: String,
    /// The other options.
    pub options: BTreeMap<String, String>,
}

/// A table's connector and WITH options with a hint's options over them (`'connector'` in the
/// hint replaces the connector); `None` when the hint has no options. Fails when the session
/// turned dynamic options off (Flink's message).
pub fn hinted_options(
    connector: &str,
    options: &BTreeMap<String, String>,
    hint: &TableHint,
    config: &BTreeMap<String, String>,
) -> Result<Option<ConnectorOptions>, SqlError> {
    let Some(extra) = &hint.options else { return Ok(None) };
    if !dynamic_options_enabled(config) {
        return Err(SqlError::Invalid {
            message: format!("The 'OPTIONS' hint is allowed only when the config option '{DYNAMIC_OPTIONS_CONFIG}' is set to true."),
            at: Some(hint.at.clone()),
        });
    }
    let mut merged = options.clone();
    let mut connector = connector.to_string();
    for (key, value) in extra {
        if key == "connector" {
            connector = value.clone();
        } else {
            merged.insert(key.clone(), value.clone());
        }
    }
    Ok(Some(ConnectorOptions { connector, options: merged }))
}

/// Whether `OPTIONS` hints are allowed: Flink's setting, `true` unless set to `false`.
fn dynamic_options_enabled(config: &BTreeMap<String, String>) -> bool {
    !config.get(DYNAMIC_OPTIONS_CONFIG).is_some_and(|v| v.eq_ignore_ascii_case("false"))
}

/// Checks the value of [`DYNAMIC_OPTIONS_CONFIG`] (a boolean, as Flink reads it).
pub fn check_dynamic_options_setting(value: &str) -> Result<(), String> {
    if value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false") { Ok(()) } else { Err(format!("expected 'true' or 'false', found '{value}'")) }
}

/// Points an error about a hinted node's options or connector at the hint.
pub fn at_hint(error: SqlError, hint: Option<&TableHint>) -> SqlError {
    match (error, hint) {
        (SqlError::Plan { error, at }, Some(hint)) => {
            let path = error.path.to_string();
            let about_options = path.contains(".options") || path.ends_with(".connector");
            SqlError::Plan { error, at: if about_options { Some(hint.at.clone()) } else { at } }
        }
        (other, _) => other,
    }
}

/// How the session rewrites the path options of a table (as CREATE TABLE writes them, or as a
/// hint gives them): resolved against the script's directory, or held to a server's policy.
#[derive(Clone, Debug, Default)]
pub struct OptionPaths {
    /// The directory relative `'path'` options are resolved against (`weir run`).
    pub base_dir: Option<PathBuf>,
    /// The directories paths must lie under (`weir serve`); takes precedence over `base_dir`.
    pub policy: Option<PathPolicy>,
}

impl OptionPaths {
    /// Rewrites `options`' paths for `connector`; the error names the option.
    pub fn apply(&self, table: &str, connector: &str, options: &mut BTreeMap<String, String>, at: SqlPosition) -> Result<(), SqlError> {
        if let Some(policy) = &self.policy {
            return policy
                .check_table_options(connector, options)
                .map_err(|(key, e)| SqlError::Invalid { message: format!("table {table}: option '{key}': {e}"), at: Some(at) });
        }
        if let (Some(base), Some(path)) = (&self.base_dir, options.get("path"))
            && Path::new(path).is_relative()
            && !path.contains("://")
        {
            let joined = base.join(path).to_string_lossy().into_owned();
            options.insert("path".into(), joined);
        }
        Ok(())
    }
}
