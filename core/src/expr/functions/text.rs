//! More string functions, with Flink's runtime semantics (`SqlFunctionUtils`): `INSTR`,
//! `ASCII`, `CHR`, `OVERLAY`, and `SIMILAR TO` (SQL regular expressions, Calcite's
//! translation). Positions count characters from 1.

use std::sync::Arc;

use regex::Regex;

use crate::types::{DataType, Value};

use super::super::bound::{BoundExpr, Kernel, any_nullable};
use super::super::error::{EvalError, ExprError};
use super::{CallSite, FunctionDef, Param, int_of, literal_str, str1, strict1, string_value, unexpected};

/// The functions of this module.
pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["INSTR"], signature: "(STRING, STRING[, start INT[, nth INT]])", bind: instr },
    FunctionDef { names: &["ASCII"], signature: "(STRING)", bind: ascii },
    FunctionDef { names: &["CHR"], signature: "(INT|BIGINT)", bind: chr },
    FunctionDef { names: &["OVERLAY"], signature: "(STRING, replacement STRING, start INT[, length INT])", bind: overlay },
    FunctionDef { names: &["SIMILAR TO"], signature: "(STRING, pattern STRING[, escape STRING])", bind: similar },
    FunctionDef { names: &["NOT SIMILAR TO"], signature: "(STRING, pattern STRING[, escape STRING])", bind: not_similar },
];

fn text(v: &Value) -> Result<&str, EvalError> {
    v.as_str().ok_or_else(|| unexpected(v))
}

/// The first index `>= from` where `needle` occurs in `hay`; an empty needle is found at 0, as
/// Flink's `BinaryStringData.indexOf`.
fn find(hay: &[char], needle: &[char], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    (from..=hay.len().checked_sub(needle.len())?).find(|&i| hay[i..i + needle.len()] == *needle)
}

/// Flink's `INSTR`: the 1-based position of the `nth` occurrence of `needle` searching from
/// `start` (from the end when negative), 0 when there is none.
fn instr_of(hay: &[char], needle: &[char], start: i64, nth: i64) -> Result<i64, EvalError> {
    if nth <= 0 {
        return Err(EvalError::new(format!("INSTR: the occurrence must be positive, got {nth}")));
    }
    if start == 0 {
        return Ok(0);
    }
    if start < 0 {
        let (rev_hay, rev_needle): (Vec<char>, Vec<char>) = (hay.iter().rev().copied().collect(), needle.iter().rev().copied().collect());
        let pos = instr_of(&rev_hay, &rev_needle, -start, nth)?;
        return Ok(if pos == 0 { 0 } else { hay.len() as i64 + 2 - pos - needle.len() as i64 });
    }
    let mut from = usize::try_from(start - 1).unwrap_or(usize::MAX);
    let mut index = 0;
    for _ in 0..nth {
        match find(hay, needle, from) {
            Some(p) => {
                index = p as i64 + 1;
                from = p + 1;
            }
            None => return Ok(0),
        }
    }
    Ok(index)
}

/// `INSTR(s, sub[, start[, nth]])` → INT.
fn instr(site: CallSite) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String, Param::String, Param::BigInt, Param::BigInt], 2)?;
    let nullable = any_nullable(&args);
    let kernel = Kernel::StrictN(Arc::new(|v: &[Value]| {
        let (Some(s), Some(sub)) = (v.first(), v.get(1)) else { return Ok(Value::Null) };
        let start = v.get(2).map(int_of).transpose()?.unwrap_or(1);
        let nth = v.get(3).map(int_of).transpose()?.unwrap_or(1);
        let (hay, needle): (Vec<char>, Vec<char>) = (text(s)?.chars().collect(), text(sub)?.chars().collect());
        Ok(Value::Int(i32::try_from(instr_of(&hay, &needle, start, nth)?).unwrap_or(0)))
    }));
    Ok(BoundExpr::call(&name, args, kernel, DataType::Int, nullable))
}

/// `ASCII(s)` → INT: the first byte of `s` (signed, as Java's `byte`), 0 for an empty string.
fn ascii(site: CallSite) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String], 1)?;
    let nullable = any_nullable(&args);
    let kernel = str1(|s| Ok(Value::Int(s.as_bytes().first().map_or(0, |b| i32::from(*b as i8)))));
    Ok(BoundExpr::call(&name, args, kernel, DataType::Int, nullable))
}

/// `CHR(n)` → STRING: the character with code `n mod 256` (Latin-1); empty for a negative `n`.
fn chr(site: CallSite) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::BigInt], 1)?;
    let nullable = any_nullable(&args);
    let kernel = strict1(|v| {
        let n = int_of(&v)?;
        Ok(if n < 0 { Value::string("") } else { string_value(char::from((n & 0xFF) as u8).to_string()) })
    });
    Ok(BoundExpr::call(&name, args, kernel, DataType::String, nullable))
}

/// Flink's `OVERLAY(s PLACING r FROM start [FOR length])`: `s` unchanged when `start` is
/// outside it; else `s` up to `start`, then `r`, then the rest of `s` after `length`
/// characters (default: the length of `r`) only when that rest exists and `length > 0`.
fn overlay(site: CallSite) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String, Param::String, Param::BigInt, Param::BigInt], 3)?;
    let nullable = any_nullable(&args);
    let kernel = Kernel::StrictN(Arc::new(|v: &[Value]| {
        let (Some(s), Some(r), Some(start)) = (v.first(), v.get(1), v.get(2)) else { return Ok(Value::Null) };
        let (s, r, start) = (text(s)?, text(r)?, int_of(start)?);
        let chars: Vec<char> = s.chars().collect();
        let len = match v.get(3) {
            Some(l) => int_of(l)?,
            None => r.chars().count() as i64,
        };
        if start <= 0 || start > chars.len() as i64 {
            return Ok(Value::string(s));
        }
        let at = (start - 1) as usize;
        let mut out: String = chars[..at].iter().collect();
        out.push_str(r);
        if len > 0 && start.saturating_add(len) <= chars.len() as i64 {
            out.extend(&chars[at + len as usize..]);
        }
        Ok(string_value(out))
    }));
    Ok(BoundExpr::call(&name, args, kernel, DataType::String, nullable))
}

/// A SQL `SIMILAR TO` pattern as an anchored regular expression (Calcite's
/// `sqlToRegexSimilar`): `%` is any run, `_` one character, `| * + ? {m,n} ( ) [..]` keep
/// their regular-expression meaning, every other character is literal, and the escape
/// character makes the next one literal.
fn similar_regex(pattern: &str, escape: Option<char>) -> Result<Regex, String> {
    let mut out = String::from("(?s)^(?:");
    let mut chars = pattern.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        if Some(c) == escape {
            let next = chars.next().ok_or_else(|| format!("SIMILAR TO: the pattern \"{pattern}\" ends with its escape character"))?;
            out.push_str(&regex::escape(&next.to_string()));
            continue;
        }
        match c {
            '[' => {
                in_class = true;
                out.push(c);
            }
            ']' => {
                in_class = false;
                out.push(c);
            }
            '^' | '-' if in_class => out.push(c),
            '%' if !in_class => out.push_str(".*"),
            '_' if !in_class => out.push('.'),
            '|' | '*' | '+' | '?' | '{' | '}' | '(' | ')' | ',' if !in_class => out.push(c),
            other => out.push_str(&regex::escape(&other.to_string())),
        }
    }
    out.push_str(")$");
    Regex::new(&out).map_err(|e| format!("SIMILAR TO: bad pattern \"{pattern}\": {e}"))
}

fn escape_of(text: &str) -> Result<Option<char>, String> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(Some(c)),
        _ => Err(format!("the SIMILAR TO escape must be a single character, got \"{text}\"")),
    }
}

fn similar(site: CallSite) -> Result<BoundExpr, ExprError> {
    bind_similar(site, false)
}

fn not_similar(site: CallSite) -> Result<BoundExpr, ExprError> {
    bind_similar(site, true)
}

/// `s [NOT] SIMILAR TO pattern [ESCAPE e]` → BOOLEAN; a literal pattern is compiled here.
fn bind_similar(site: CallSite, negated: bool) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String, Param::String, Param::String], 2)?;
    let nullable = any_nullable(&args);
    let literal_escape = match args.get(2) {
        None => Some(None),
        Some(e) => literal_str(e).map(|t| escape_of(t).map_err(|m| ExprError::new("args[2]", m))).transpose()?,
    };
    let fixed = match (args.get(1).and_then(literal_str), literal_escape) {
        (Some(p), Some(escape)) => Some(similar_regex(p, escape).map_err(|m| ExprError::new("args[1]", m))?),
        _ => None,
    };
    let kernel = Kernel::StrictN(Arc::new(move |v: &[Value]| {
        let (Some(s), Some(p)) = (v.first(), v.get(1)) else { return Ok(Value::Null) };
        let matched = match &fixed {
            Some(re) => re.is_match(text(s)?),
            None => {
                let escape = v.get(2).map(|e| text(e).and_then(|t| escape_of(t).map_err(EvalError::new))).transpose()?.flatten();
                similar_regex(text(p)?, escape).map_err(EvalError::new)?.is_match(text(s)?)
            }
        };
        Ok(Value::Boolean(matched != negated))
    }));
    Ok(BoundExpr::call(&name, args, kernel, DataType::Boolean, nullable))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn instr_counts_occurrences_from_either_end() {
        let hay = chars("abcabcabc");
        assert_eq!(instr_of(&hay, &chars("bc"), 1, 1).ok(), Some(2));
        assert_eq!(instr_of(&hay, &chars("bc"), 1, 2).ok(), Some(5));
        assert_eq!(instr_of(&hay, &chars("bc"), 3, 1).ok(), Some(5));
        assert_eq!(instr_of(&hay, &chars("bc"), -1, 1).ok(), Some(8));
        assert_eq!(instr_of(&hay, &chars("bc"), -1, 3).ok(), Some(2));
        assert_eq!(instr_of(&hay, &chars("x"), 1, 1).ok(), Some(0));
        assert_eq!(instr_of(&hay, &chars("a"), 0, 1).ok(), Some(0));
        assert!(instr_of(&hay, &chars("a"), 1, 0).is_err());
    }

    #[test]
    fn similar_patterns_read_as_calcite() {
        let m = |p: &str, s: &str| similar_regex(p, None).map(|r| r.is_match(s)).unwrap_or(false);
        assert!(m("a%", "abc"));
        assert!(m("(ab|cd)_", "cdx"));
        assert!(!m("(ab|cd)_", "cdxy"));
        assert!(m("a.c", "a.c"), "a dot is literal");
        assert!(!m("a.c", "abc"));
        assert!(m("[a-c]+", "abcab"));
        assert!(m("a{2}", "aa"));
        assert!(similar_regex("a!%", Some('!')).map(|r| r.is_match("a%") && !r.is_match("ab")).unwrap_or(false));
    }
}
