//! Errors of the SQL front end: syntax errors with a caret under the offending token, semantic
//! errors naming the column or table (with a "did you mean"), and unsupported features by name.

use std::fmt;

use crate::error::PlanError;

/// A place in the SQL script: 1-based line and column, and the text of that line once known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SqlPosition {
    /// Line in the script, from 1.
    pub line: u64,
    /// Column (in characters), from 1.
    pub column: u64,
    /// The script's line at `line`, shown with a caret under `column` when present; a long
    /// line only around `column` (see [`SqlPosition::attach_snippet`]).
    pub snippet: Option<String>,
    /// Characters of the line cut off before `snippet` (0 unless the line was long).
    pub snippet_start: u64,
}

/// Characters of a script line shown either side of an error's column.
const SNIPPET_RADIUS: usize = 60;

impl SqlPosition {
    /// A position without its line of text.
    pub fn new(line: u64, column: u64) -> SqlPosition {
        SqlPosition { line, column, snippet: None, snippet_start: 0 }
    }

    /// Fills in the line of text from the script, if the position is inside it: at most
    /// 60 characters either side of the column, so that an error in a huge one-line statement
    /// stays small.
    pub fn attach_snippet(&mut self, script: &str) {
        if self.snippet.is_none() && self.line > 0 {
            let Some(line) = script.lines().nth((self.line - 1) as usize) else { return };
            let column = self.column.saturating_sub(1) as usize;
            let start = column.saturating_sub(SNIPPET_RADIUS);
            let text: String = line.chars().skip(start).take(2 * SNIPPET_RADIUS).collect();
            self.snippet = Some(text);
            self.snippet_start = start as u64;
        }
    }

    fn write_snippet(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(text) = &self.snippet {
            let caret = " ".repeat(self.column.saturating_sub(1 + self.snippet_start) as usize);
            write!(f, "\n  {text}\n  {caret}^")?;
        }
        Ok(())
    }
}

impl fmt::Display for SqlPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Why a SQL statement cannot be planned. Every variant names what is wrong; those that know
/// where carry a [`SqlPosition`], rendered as `at line L, column C` plus a caret line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SqlError {
    /// The text is not valid SQL.
    Parse {
        /// Where the parser stopped.
        at: SqlPosition,
        /// What it expected and found (`expected FROM, found "FORM"`).
        message: String,
    },
    /// A column name that no input has.
    ColumnNotFound {
        /// The name as written (`pricee`, `b.pricee`).
        column: String,
        /// Where it was looked for (`table bids`, `the FROM clause`).
        relation: String,
        /// The closest existing name.
        suggestion: Option<String>,
        /// Where it was written.
        at: Option<SqlPosition>,
    },
    /// An unqualified column name that more than one input has.
    AmbiguousColumn {
        /// The name as written.
        column: String,
        /// The qualified candidates (`a.id`, `b.id`).
        candidates: Vec<String>,
        /// Where it was written.
        at: Option<SqlPosition>,
    },
    /// A table or view that the catalog does not have.
    TableNotFound {
        /// The name as written.
        name: String,
        /// The closest existing name.
        suggestion: Option<String>,
        /// Where it was written.
        at: Option<SqlPosition>,
    },
    /// CREATE of a name that already exists (without IF NOT EXISTS).
    AlreadyExists {
        /// `table` or `view`.
        kind: &'static str,
        /// The name.
        name: String,
    },
    /// Valid SQL that Weir does not run (yet), by name.
    Unsupported {
        /// The feature (`MATCH_RECOGNIZE`).
        feature: String,
        /// Where it was written.
        at: Option<SqlPosition>,
    },
    /// Any other semantic error (a column missing from GROUP BY, a bad option, a bad literal).
    Invalid {
        /// What is wrong.
        message: String,
        /// Where, when known.
        at: Option<SqlPosition>,
    },
    /// The statement is larger than a limit allows (too long, nested too deeply, too many
    /// plan nodes); the message names the limit's key.
    LimitExceeded {
        /// Which limit, its value and its key.
        message: String,
        /// Where the limit was passed, when known.
        at: Option<SqlPosition>,
    },
    /// The plan the statement produced failed validation (usually a type error).
    Plan {
        /// The validator's error, naming the node and field.
        error: PlanError,
        /// The statement (or expression) it came from, when known.
        at: Option<SqlPosition>,
    },
}

impl SqlError {
    /// An unsupported feature, without position.
    pub fn unsupported(feature: impl Into<String>) -> SqlError {
        SqlError::Unsupported { feature: feature.into(), at: None }
    }

    /// A semantic error, without position.
    pub fn invalid(message: impl Into<String>) -> SqlError {
        SqlError::Invalid { message: message.into(), at: None }
    }

    /// A stable code clients can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            SqlError::Parse { .. } => "sql_parse_error",
            SqlError::ColumnNotFound { .. } => "sql_column_not_found",
            SqlError::AmbiguousColumn { .. } => "sql_ambiguous_column",
            SqlError::TableNotFound { .. } => "sql_table_not_found",
            SqlError::AlreadyExists { .. } => "sql_already_exists",
            SqlError::Unsupported { .. } => "sql_unsupported",
            SqlError::Invalid { .. } => "sql_invalid",
            SqlError::LimitExceeded { .. } => "sql_limit_exceeded",
            SqlError::Plan { .. } => "sql_invalid_plan",
        }
    }

    /// The position, if the error has one.
    pub fn position(&self) -> Option<&SqlPosition> {
        match self {
            SqlError::Parse { at, .. } => Some(at),
            SqlError::ColumnNotFound { at, .. }
            | SqlError::AmbiguousColumn { at, .. }
            | SqlError::TableNotFound { at, .. }
            | SqlError::Unsupported { at, .. }
            | SqlError::Invalid { at, .. }
            | SqlError::LimitExceeded { at, .. }
            | SqlError::Plan { at, .. } => at.as_ref(),
            SqlError::AlreadyExists { .. } => None,
        }
    }

    fn position_mut(&mut self) -> Option<&mut Option<SqlPosition>> {
        match self {
            SqlError::ColumnNotFound { at, .. }
            | SqlError::AmbiguousColumn { at, .. }
            | SqlError::TableNotFound { at, .. }
            | SqlError::Unsupported { at, .. }
            | SqlError::Invalid { at, .. }
            | SqlError::LimitExceeded { at, .. }
            | SqlError::Plan { at, .. } => Some(at),
            SqlError::Parse { .. } | SqlError::AlreadyExists { .. } => None,
        }
    }

    /// The same error placed at `at` unless it already has a position.
    pub fn or_at(mut self, at: Option<SqlPosition>) -> SqlError {
        if let Some(slot) = self.position_mut()
            && slot.is_none()
        {
            *slot = at;
        }
        self
    }

    /// Fills in the line of script text under the position, for the caret display.
    pub fn with_snippet(mut self, script: &str) -> SqlError {
        match &mut self {
            SqlError::Parse { at, .. } => at.attach_snippet(script),
            other => {
                if let Some(Some(at)) = other.position_mut() {
                    at.attach_snippet(script);
                }
            }
        }
        self
    }
}

fn write_at(f: &mut fmt::Formatter<'_>, at: &Option<SqlPosition>) -> fmt::Result {
    if let Some(at) = at {
        write!(f, " (at {at})")?;
        at.write_snippet(f)?;
    }
    Ok(())
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlError::Parse { at, message } => {
                write!(f, "SQL parse error at {at}: {message}")?;
                at.write_snippet(f)
            }
            SqlError::ColumnNotFound { column, relation, suggestion, at } => {
                write!(f, "column \"{column}\" not found in {relation}")?;
                if let Some(s) = suggestion {
                    write!(f, "; did you mean \"{s}\"?")?;
                }
                write_at(f, at)
            }
            SqlError::AmbiguousColumn { column, candidates, at } => {
                write!(f, "column \"{column}\" is ambiguous: it could be {}; qualify it", candidates.join(" or "))?;
                write_at(f, at)
            }
            SqlError::TableNotFound { name, suggestion, at } => {
                write!(f, "table \"{name}\" not found")?;
                if let Some(s) = suggestion {
                    write!(f, "; did you mean \"{s}\"?")?;
                }
                write_at(f, at)
            }
            SqlError::AlreadyExists { kind, name } => {
                write!(f, "{kind} \"{name}\" already exists; use DROP {} first or CREATE ... IF NOT EXISTS", kind.to_uppercase())
            }
            SqlError::Unsupported { feature, at } => {
                write!(f, "unsupported: {feature}")?;
                write_at(f, at)
            }
            SqlError::Invalid { message, at } | SqlError::LimitExceeded { message, at } => {
                f.write_str(message)?;
                write_at(f, at)
            }
            SqlError::Plan { error, at } => {
                write!(f, "invalid plan: {error}")?;
                write_at(f, at)
            }
        }
    }
}

impl std::error::Error for SqlError {}

impl From<PlanError> for SqlError {
    fn from(error: PlanError) -> SqlError {
        SqlError::Plan { error, at: None }
    }
}
