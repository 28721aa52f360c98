//! Flink's query hints, `SELECT /*+ NAME(options) [, NAME(options)]* */`, written once per
//! SELECT block (the script reader keeps a `/*+ .. */` comment only right after `SELECT`).
//!
//! `STATE_TTL('name' = 'duration', ..)` gives the regular joins and the group aggregate of its
//! block (and its `SELECT DISTINCT`, which Flink plans as one; not a Top-N or deduplication,
//! which Flink leaves at the job's TTL) their own state time-to-live, in place of
//! `table.exec.state.ttl` (Flink 1.19, FLIP-373):
//! a key names an input of one of them — a table or view by name, or a FROM alias (the alias
//! when there is one), or a subquery's alias — and the operator keeps that input's state for
//! the duration. Flink's rules are kept: a key that names no such input of the block is an
//! error (`The options of following hints cannot match the name of input tables or views`),
//! a block without a join or group aggregate ignores the hint, several `STATE_TTL` hints merge
//! and the last value of a key wins, and a hint applies to its own block only (not to views or
//! subqueries it reads, nor to the query around it). Flink's other query hints — the join
//! strategies `BROADCAST`, `SHUFFLE_HASH`, `SHUFFLE_MERGE`, `NEST_LOOP` and `LOOKUP` — do not
//! change results and are accepted and ignored; any other name is an error, as in Flink.

use sqlparser::ast;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::connectors::options::parse_duration_text;

use super::dialect::FlinkDialect;
use super::error::{SqlError, SqlPosition};
use super::scope::Relation;
use super::script::{lower_first, position};

/// The hint that sets state time-to-live.
pub(super) const STATE_TTL: &str = "STATE_TTL";

/// Flink's query hints that only choose how a join runs: accepted, and planned without.
pub(super) const IGNORED_HINTS: [&str; 5] = ["BROADCAST", "SHUFFLE_HASH", "SHUFFLE_MERGE", "NEST_LOOP", "LOOKUP"];

/// The `STATE_TTL` hint of one SELECT block, and which of its keys named an input.
#[derive(Debug, Default)]
pub struct StateTtlHint {
    /// (input name, time-to-live in milliseconds; 0: for ever), one per key, in written order
    /// with the last value written for the key.
    entries: Vec<(String, u64)>,
    /// Per entry, whether an input of a join or aggregate of the block has its name.
    matched: Vec<bool>,
    /// Whether the block planned a join or group aggregate (otherwise the hint is ignored).
    applied: bool,
    /// The block's SELECT keyword, where hint errors point.
    at: Option<SqlPosition>,
}

impl StateTtlHint {
    /// The `STATE_TTL` hint of `select` (empty without one); fails on a hint Flink rejects.
    pub fn of(select: &ast::Select) -> Result<StateTtlHint, SqlError> {
        let start = select.select_token.0.span.start;
        let at = (start.line > 0).then(|| position(start));
        let hints: Vec<&ast::OptimizerHint> = select.optimizer_hints.iter().filter(|h| h.prefix.is_empty()).collect();
        let invalid = |message: String| SqlError::Invalid { message, at: at.clone() };
        if hints.len() > 1 {
            return Err(invalid("only one hint block /*+ .. */ may follow SELECT (write the hints in one, separated by commas)".into()));
        }
        let mut hint = StateTtlHint { at: at.clone(), ..StateTtlHint::default() };
        let parsed = hints.iter().map(|h| parse_hints(&h.text)).collect::<Result<Vec<_>, _>>().map_err(|e| invalid(format!("invalid hint: {e}")))?;
        for parsed in parsed.into_iter().flatten() {
            let name = parsed.name.to_ascii_uppercase();
            if IGNORED_HINTS.contains(&name.as_str()) {
                continue;
            }
            if name != STATE_TTL {
                return Err(invalid(format!(
                    "Hint: {name} should be registered in the HintStrategyTable (unknown hint; Weir applies STATE_TTL and ignores {})",
                    IGNORED_HINTS.join(", ")
                )));
            }
            let pairs = match parsed.options {
                HintOptions::KeyValues(pairs) if !pairs.is_empty() => pairs,
                HintOptions::KeyValues(_) => return Err(invalid("Invalid STATE_TTL hint, expecting at least one key-value options specified.".into())),
                HintOptions::List(_) => return Err(invalid("Invalid STATE_TTL hint, expecting key-value options such as STATE_TTL('orders' = '1d')".into())),
            };
            for (key, value) in pairs {
                let ttl = parse_duration_text(&value).map_err(|what| invalid(format!("invalid STATE_TTL value for '{key}': expected {what}")))?;
                let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
                // A sub-millisecond TTL still expires (as `table.exec.state.ttl` does).
                let ms = if ttl.is_zero() { 0 } else { ms.max(1) };
                match hint.entries.iter_mut().find(|(k, _)| *k == key) {
                    Some(entry) => entry.1 = ms,
                    None => hint.entries.push((key, ms)),
                }
            }
        }
        hint.matched = vec![false; hint.entries.len()];
        Ok(hint)
    }

    /// The time-to-live the hint gives `input`, an input of a join or group aggregate of the
    /// block, in milliseconds (0: for ever; `None`: the hint does not name it). An input has a
    /// name when it is one table, view or subquery (one qualifier), not when it is a join.
    pub fn ttl_of(&mut self, input: &Relation) -> Option<u64> {
        self.applied = true;
        let [name] = input.qualifiers().try_into().ok()?;
        let i = self.entries.iter().position(|(key, _)| *key == name)?;
        self.matched[i] = true;
        Some(self.entries[i].1)
    }

    /// Fails when the block planned a join or group aggregate but a key named none of their
    /// inputs (Flink's message; `inputs` lists the names there were).
    pub fn check_matched(&self) -> Result<(), SqlError> {
        if !self.applied {
            return Ok(());
        }
        let unmatched: Vec<&str> = self.entries.iter().zip(&self.matched).filter(|(_, m)| !**m).map(|((k, _), _)| k.as_str()).collect();
        if unmatched.is_empty() {
            return Ok(());
        }
        Err(SqlError::Invalid {
            message: format!(
                "The options of following hints cannot match the name of input tables or views: `{}` in `STATE_TTL` (a key names a table, view or alias that is an input of a join or of the GROUP BY of this SELECT)",
                unmatched.join(", ")
            ),
            at: self.at.clone(),
        })
    }
}

/// One hint as written.
#[derive(Debug, PartialEq)]
pub(super) struct Hint {
    /// Its name, as written.
    pub(super) name: String,
    /// Its options.
    pub(super) options: HintOptions,
}

/// A hint's options: `NAME(a, b)` or `NAME('k' = 'v', ..)`; `NAME` and `NAME()` have no
/// key-value options.
#[derive(Debug, PartialEq)]
pub(super) enum HintOptions {
    /// Plain options.
    List(Vec<String>),
    /// Key-value options, in written order.
    KeyValues(Vec<(String, String)>),
}

/// A token of hint text.
#[derive(Debug, PartialEq, Clone)]
enum HintToken {
    /// A name (unquoted or in backticks).
    Name(String),
    /// A string literal.
    Text(String),
    /// A number.
    Number(String),
    /// `(`, `)`, `,` or `=`.
    Symbol(char),
}

/// The hints of a hint comment's text (after `/*+`): `hint [[,] hint]*`, each `NAME`,
/// `NAME(option, ..)` or `NAME(key = 'value', ..)`, as Calcite reads them.
pub(super) fn parse_hints(text: &str) -> Result<Vec<Hint>, String> {
    let tokens = tokenize(text)?;
    let mut hints = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if !hints.is_empty() && tokens[i] == HintToken::Symbol(',') {
            i += 1;
        }
        let Some(HintToken::Name(name)) = tokens.get(i) else {
            return Err(format!("expected a hint name, found {}", describe(tokens.get(i))));
        };
        i += 1;
        let options = if tokens.get(i) == Some(&HintToken::Symbol('(')) {
            let (options, next) = parse_options(&tokens, i + 1)?;
            i = next;
            options
        } else {
            HintOptions::KeyValues(Vec::new())
        };
        hints.push(Hint { name: name.clone(), options });
    }
    if hints.is_empty() {
        return Err("the hint comment /*+ */ is empty".into());
    }
    Ok(hints)
}

/// The options from `tokens[i]` to the closing `)`, and the position after it.
fn parse_options(tokens: &[HintToken], mut i: usize) -> Result<(HintOptions, usize), String> {
    let key_values = tokens.get(i + 1) == Some(&HintToken::Symbol('='));
    let (mut list, mut pairs) = (Vec::new(), Vec::new());
    if tokens.get(i) == Some(&HintToken::Symbol(')')) {
        return Ok((HintOptions::KeyValues(pairs), i + 1));
    }
    loop {
        let option = match tokens.get(i) {
            Some(HintToken::Name(s) | HintToken::Text(s)) => s.clone(),
            Some(HintToken::Number(n)) if !key_values => n.clone(),
            other => return Err(format!("expected a hint option, found {}", describe(other))),
        };
        i += 1;
        if key_values {
            if tokens.get(i) != Some(&HintToken::Symbol('=')) {
                return Err(format!("expected '=' after the hint option key '{option}', found {}", describe(tokens.get(i))));
            }
            let Some(HintToken::Text(value)) = tokens.get(i + 1) else {
                return Err(format!("expected a quoted value for the hint option '{option}', found {}", describe(tokens.get(i + 1))));
            };
            pairs.push((option, value.clone()));
            i += 2;
        } else {
            list.push(option);
        }
        match tokens.get(i) {
            Some(HintToken::Symbol(',')) => i += 1,
            Some(HintToken::Symbol(')')) => break,
            other => return Err(format!("expected ',' or ')' in the hint options, found {}", describe(other))),
        }
    }
    let options = if key_values { HintOptions::KeyValues(pairs) } else { HintOptions::List(list) };
    Ok((options, i + 1))
}

/// A token for an error message.
fn describe(token: Option<&HintToken>) -> String {
    match token {
        None => "the end of the hint".into(),
        Some(HintToken::Name(n)) => format!("'{n}'"),
        Some(HintToken::Text(t)) => format!("'{t}'"),
        Some(HintToken::Number(n)) => n.clone(),
        Some(HintToken::Symbol(c)) => format!("'{c}'"),
    }
}

/// Cuts hint text into names, quoted strings (`''` is a quote), numbers and symbols, with the
/// SQL tokenizer.
fn tokenize(text: &str) -> Result<Vec<HintToken>, String> {
    let tokens = Tokenizer::new(&FlinkDialect, text).tokenize().map_err(|e| format!("{} in the hint", lower_first(&e.message)))?;
    let mut out = Vec::new();
    for token in tokens {
        out.push(match token {
            Token::Whitespace(_) | Token::EOF => continue,
            Token::Word(w) => HintToken::Name(w.value),
            Token::SingleQuotedString(s) => HintToken::Text(s),
            Token::Number(n, _) => HintToken::Number(n),
            Token::LParen => HintToken::Symbol('('),
            Token::RParen => HintToken::Symbol(')'),
            Token::Comma => HintToken::Symbol(','),
            Token::Eq => HintToken::Symbol('='),
            other => return Err(format!("unexpected '{other}' in the hint")),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(pairs: &[(&str, &str)]) -> HintOptions {
        HintOptions::KeyValues(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn reads_calcite_hint_syntax() {
        let hints = parse_hints(" STATE_TTL('o' = '1d', p='12 h'), BROADCAST(t1, `t 2`) lookup('table'='D')").unwrap();
        assert_eq!(hints.len(), 3);
        assert_eq!(hints[0], Hint { name: "STATE_TTL".into(), options: kv(&[("o", "1d"), ("p", "12 h")]) });
        assert_eq!(hints[1], Hint { name: "BROADCAST".into(), options: HintOptions::List(vec!["t1".into(), "t 2".into()]) });
        assert_eq!(hints[2].options, kv(&[("table", "D")]));
        assert_eq!(parse_hints("STATE_TTL()").unwrap()[0].options, kv(&[]));
        assert_eq!(parse_hints("x('it''s' = '1')").unwrap()[0].options, kv(&[("it's", "1")]));
    }

    #[test]
    fn syntax_errors_say_what_was_expected() {
        assert_eq!(parse_hints("").unwrap_err(), "the hint comment /*+ */ is empty");
        assert!(parse_hints("STATE_TTL('o' = 1d)").unwrap_err().contains("expected a quoted value for the hint option 'o'"));
        assert!(parse_hints("STATE_TTL('o' = '1d'").unwrap_err().contains("expected ',' or ')'"));
        assert!(parse_hints("STATE_TTL('o' = '1d', p)").unwrap_err().contains("expected '=' after the hint option key 'p'"));
        assert!(parse_hints("STATE_TTL('o' = '1d").unwrap_err().contains("unterminated string"));
        assert!(parse_hints("(x)").unwrap_err().contains("expected a hint name, found '('"));
        assert!(parse_hints("A; B").unwrap_err().contains("unexpected ';'"));
    }
}
