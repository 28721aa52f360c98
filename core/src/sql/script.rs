//! Splitting a script into statements: tokenize once (so every token keeps its script line and
//! column), cut at `;`, and recognise Flink's statement set blocks
//! (`EXECUTE STATEMENT SET BEGIN ...; ...; END;` and `BEGIN STATEMENT SET; ...; END;`).

use sqlparser::keywords::Keyword;
use sqlparser::parser::ParserError;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer, Whitespace};

use super::dialect::FlinkDialect;
use super::error::{SqlError, SqlPosition};

/// The tokens of one statement (without its `;`), comments and whitespace removed — except a
/// query hint, a `/*+ .. */` comment right after `SELECT`, which the parser reads. Any other
/// `/*+ .. */` is kept aside as a table hint, by the token it follows (a table name, when it is
/// one Flink accepts: see `table_hints`).
#[derive(Clone, Debug)]
pub struct StatementTokens {
    /// Significant tokens, each with its script position.
    pub tokens: Vec<TokenWithSpan>,
    /// The `/*+ .. */` comments that do not follow `SELECT`, in written order.
    pub table_hints: Vec<RawTableHint>,
}

/// A `/*+ .. */` comment that is not a query hint: a table hint if it follows a table name.
#[derive(Clone, Debug, PartialEq)]
pub struct RawTableHint {
    /// Where the significant token before it starts (the table name's last part, for a table
    /// hint); `None` at the start of a statement.
    pub after: Option<SqlPosition>,
    /// The comment's text after `/*+`.
    pub text: String,
    /// Where the comment starts.
    pub at: SqlPosition,
}

/// One top-level statement of a script.
#[derive(Clone, Debug)]
pub enum RawStatement {
    /// An ordinary statement.
    Single(StatementTokens),
    /// `EXECUTE STATEMENT SET BEGIN s1; s2; END`: statements planned into one job.
    StatementSet {
        /// The inner statements.
        statements: Vec<StatementTokens>,
        /// Where the block starts.
        at: SqlPosition,
    },
}

impl StatementTokens {
    /// Where the statement starts.
    pub fn start(&self) -> SqlPosition {
        self.tokens.first().map(|t| position(t.span.start)).unwrap_or_default()
    }

    /// Just past the statement's last token (where "found EOF" errors point).
    pub fn end(&self) -> SqlPosition {
        self.tokens.last().map(|t| position(t.span.end)).unwrap_or_default()
    }

    /// The upper-cased word at `index`, if that token is a word (keyword or unquoted name).
    pub fn word(&self, index: usize) -> Option<String> {
        match self.tokens.get(index).map(|t| &t.token) {
            Some(Token::Word(w)) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
            _ => None,
        }
    }

    /// True when the statement starts with these words.
    pub fn starts_with(&self, words: &[&str]) -> bool {
        words.iter().enumerate().all(|(i, w)| self.word(i).as_deref() == Some(*w))
    }

    /// Where the function a plan error is about is first called in the statement: the
    /// error's message starts with the function's name in capitals (`CURRENT_WATERMARK needs
    /// ...`, `CONVERT_TZ: ..`, `SOURCE_WATERMARK() is ..`), with `function NAME` (`function SUBSTRING expects ..`) or is `unknown function
    /// "name"`, and the statement has that name followed by `(`.
    pub fn call_position(&self, message: &str) -> Option<SqlPosition> {
        let name = match message.strip_prefix("unknown function \"") {
            Some(rest) => rest.split('"').next().unwrap_or_default().to_ascii_uppercase(),
            None if message.starts_with("function ") => message["function ".len()..].split(' ').next().unwrap_or_default().to_ascii_uppercase(),
            None => {
                let name: String = message.chars().take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_').collect();
                if !message[name.len()..].starts_with([' ', ':', '(']) {
                    return None;
                }
                name
            }
        };
        if name.len() < 2 {
            return None;
        }
        let at = (0..self.tokens.len())
            .find(|&i| self.word(i).as_deref() == Some(name.as_str()) && self.tokens.get(i + 1).is_some_and(|t| t.token == Token::LParen))?;
        Some(position(self.tokens[at].span.start))
    }

    /// The statement without its first `n` tokens (its table hints kept).
    pub fn skip(&self, n: usize) -> StatementTokens {
        StatementTokens { tokens: self.tokens.iter().skip(n).cloned().collect(), table_hints: self.table_hints.clone() }
    }
}

/// A script position from a tokenizer location.
pub fn position(loc: Location) -> SqlPosition {
    SqlPosition::new(loc.line, loc.column)
}

/// Tokenizes `script` and cuts it into statements.
pub fn split_script(script: &str) -> Result<Vec<RawStatement>, SqlError> {
    let tokens = Tokenizer::new(&FlinkDialect, script)
        .tokenize_with_location()
        .map_err(|e| SqlError::Parse { at: position(e.location), message: lower_first(&e.message) })?;
    let mut chunks = Vec::new();
    let mut current = Vec::new();
    let mut hints: Vec<RawTableHint> = Vec::new();
    for t in tokens {
        match &t.token {
            Token::SemiColon => chunks.push(StatementTokens { tokens: std::mem::take(&mut current), table_hints: std::mem::take(&mut hints) }),
            Token::Whitespace(Whitespace::MultiLineComment(text)) if text.starts_with('+') && current.last().is_some_and(hint_may_follow) => current.push(t),
            Token::Whitespace(Whitespace::MultiLineComment(text)) if text.starts_with('+') => {
                let after = current.last().map(|p: &TokenWithSpan| position(p.span.start));
                if after.is_some() && hints.last().is_some_and(|h| h.after == after) {
                    // Calcite's grammar has one hint comment after a table name.
                    return Err(SqlError::Parse {
                        at: position(t.span.start),
                        message: "only one /*+ .. */ may follow a table name (write its hints in one, separated by commas)".into(),
                    });
                }
                hints.push(RawTableHint { after, text: text[1..].to_string(), at: position(t.span.start) });
            }
            Token::Whitespace(_) | Token::EOF => {}
            _ => current.push(t),
        }
    }
    chunks.push(StatementTokens { tokens: current, table_hints: hints });
    if let Some(stray) = chunks.iter().find(|c| c.tokens.is_empty()).and_then(|c| c.table_hints.first()) {
        return Err(misplaced_hint(stray.at.clone()));
    }
    group_statement_sets(chunks.into_iter().filter(|c| !c.tokens.is_empty()).collect())
}

/// The error for a `/*+ .. */` that is neither a query hint (right after SELECT) nor a table
/// hint (right after a table name), where Flink's parser fails too.
pub fn misplaced_hint(at: SqlPosition) -> SqlError {
    SqlError::Parse {
        at,
        message: "unexpected /*+ .. */: a hint follows SELECT (query hints) or a table name in FROM or INSERT INTO (table hints: OPTIONS('key' = 'value'))"
            .into(),
    }
}

/// Whether a query hint may follow `token`: `SELECT` (Flink's query hints), or another hint.
fn hint_may_follow(token: &TokenWithSpan) -> bool {
    match &token.token {
        Token::Word(w) => w.quote_style.is_none() && w.keyword == Keyword::SELECT,
        Token::Whitespace(Whitespace::MultiLineComment(text)) => text.starts_with('+'),
        _ => false,
    }
}

fn group_statement_sets(chunks: Vec<StatementTokens>) -> Result<Vec<RawStatement>, SqlError> {
    let mut out = Vec::new();
    let mut iter = chunks.into_iter();
    while let Some(chunk) = iter.next() {
        let first = if chunk.starts_with(&["EXECUTE", "STATEMENT", "SET", "BEGIN"]) {
            Some(chunk.skip(4))
        } else if chunk.starts_with(&["BEGIN", "STATEMENT", "SET"]) && chunk.tokens.len() == 3 {
            None
        } else {
            out.push(RawStatement::Single(chunk));
            continue;
        };
        let at = chunk.start();
        let mut statements: Vec<StatementTokens> = first.into_iter().filter(|s| !s.tokens.is_empty()).collect();
        let mut closed = false;
        for inner in iter.by_ref() {
            if inner.starts_with(&["END"]) && inner.tokens.len() == 1 {
                closed = true;
                break;
            }
            statements.push(inner);
        }
        if !closed {
            let end = statements.last().map(|s| s.end()).unwrap_or_else(|| at.clone());
            return Err(SqlError::Parse { at: end, message: "expected END to close the statement set, found end of script".into() });
        }
        out.push(RawStatement::StatementSet { statements, at });
    }
    Ok(out)
}

/// Turns a `sqlparser` error into a positioned [`SqlError::Parse`]; `fallback` is used when
/// the message has no position (errors at the end of the statement).
pub fn parse_error(err: ParserError, fallback: SqlPosition) -> SqlError {
    let raw = match err {
        ParserError::ParserError(m) | ParserError::TokenizerError(m) => m,
        ParserError::RecursionLimitExceeded => "the statement is nested too deeply".to_string(),
    };
    let (text, at) = match raw.rfind(" at Line: ") {
        Some(i) => {
            let loc = &raw[i + " at Line: ".len()..];
            let mut parts = loc.split(", Column: ");
            let line = parts.next().and_then(|l| l.trim().parse().ok());
            let column = parts.next().and_then(|c| c.trim().parse().ok());
            match (line, column) {
                (Some(l), Some(c)) if l > 0 => (raw[..i].to_string(), SqlPosition::new(l, c)),
                _ => (raw[..i].to_string(), fallback),
            }
        }
        None => (raw, fallback),
    };
    SqlError::Parse { at, message: expected_found(&text) }
}

/// `Expected: FROM, found: FORM` → `expected FROM, found "FORM"`.
fn expected_found(text: &str) -> String {
    if let Some(rest) = text.strip_prefix("Expected: ")
        && let Some(i) = rest.rfind(", found: ")
    {
        let found = &rest[i + ", found: ".len()..];
        let found = if found == "EOF" { "end of statement".to_string() } else { format!("\"{}\"", bounded(found)) };
        return format!("expected {}, found {found}", &rest[..i]);
    }
    lower_first(text)
}

/// At most 40 characters of `text` (a token quoted in an error), marked with `…` when cut.
pub fn bounded(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// `text` with its first letter in lower case, unless its first word is a name written in
/// capitals (`JSON_QUERY(..) is ..`, `SQL ..`), which keeps its spelling.
pub(super) fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    let name = chars.clone().nth(1).is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || c == '_');
    match chars.next() {
        Some(c) if !name => c.to_lowercase().collect::<String>() + chars.as_str(),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::lower_first;

    #[test]
    fn a_message_starts_in_lower_case_unless_it_starts_with_a_name_in_capitals() {
        assert_eq!(lower_first("Unterminated string literal"), "unterminated string literal");
        assert_eq!(lower_first("A nested query"), "a nested query");
        assert_eq!(lower_first("JSON_QUERY(.. RETURNING ARRAY<STRING>) is not supported"), "JSON_QUERY(.. RETURNING ARRAY<STRING>) is not supported");
        assert_eq!(lower_first("SQL is hard"), "SQL is hard");
        assert_eq!(lower_first("X1 is a name"), "X1 is a name");
        assert_eq!(lower_first(""), "");
    }
}
