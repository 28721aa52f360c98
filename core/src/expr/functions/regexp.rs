//! Regular-expression functions with Flink's semantics: `REGEXP(s, pattern)` (does some
//! substring match), `REGEXP_EXTRACT(s, pattern[, group])` (a group of the first match; group
//! 0, the default, is the whole match) and `REGEXP_REPLACE(s, pattern, replacement)` (every
//! match replaced by the replacement taken literally, as Flink quotes it), `REGEXP_COUNT`
//! (the number of matches), `REGEXP_INSTR` (1-based place of the first match, 0 for none),
//! `REGEXP_SUBSTR` (the first match) and `REGEXP_EXTRACT_ALL` (a group of every match, as an
//! ARRAY<STRING>; group 1 by default, as in Flink).
//!
//! Patterns use the `regex` crate's syntax (Perl-like, as Java's for common patterns; no
//! look-around or backreferences). A literal pattern is compiled once, when the call is bound,
//! and a bad one is an error naming the function and the pattern; a pattern computed per row
//! is compiled when it changes, and a bad one gives Flink's result for it (NULL, or FALSE for
//! `REGEXP`).

use std::sync::{Arc, Mutex};

use regex::{NoExpand, Regex};

use crate::types::{DataType, Value};

use super::super::bound::{BoundExpr, Kernel, any_nullable};
use super::super::error::EvalError;
use super::super::error::ExprError;
use super::{CallSite, FunctionDef, Param, int_of, literal_int, literal_str, string_value, unexpected};

/// The regular-expression functions.
pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["REGEXP"], signature: "(STRING, pattern STRING)", bind: regexp },
    FunctionDef { names: &["REGEXP_EXTRACT"], signature: "(STRING, pattern STRING[, group INT])", bind: regexp_extract },
    FunctionDef { names: &["REGEXP_REPLACE"], signature: "(STRING, pattern STRING, replacement STRING)", bind: regexp_replace },
    FunctionDef { names: &["REGEXP_COUNT"], signature: "(STRING, pattern STRING)", bind: regexp_count },
    FunctionDef { names: &["REGEXP_INSTR"], signature: "(STRING, pattern STRING)", bind: regexp_instr },
    FunctionDef { names: &["REGEXP_SUBSTR"], signature: "(STRING, pattern STRING)", bind: regexp_substr },
    FunctionDef { names: &["REGEXP_EXTRACT_ALL"], signature: "(STRING, pattern STRING[, group INT])", bind: regexp_extract_all },
];

/// A call's pattern: compiled at bind time when it is a literal, else per distinct value.
struct Pattern {
    fixed: Option<Arc<Regex>>,
    last: Mutex<Option<Compiled>>,
}

/// A pattern's text and its regex (None when it does not compile).
type Compiled = (Arc<str>, Option<Arc<Regex>>);

impl Pattern {
    /// The pattern of `site`'s argument 1; a literal that does not compile is an error.
    fn bind(name: &str, arg: Option<&BoundExpr>) -> Result<Pattern, ExprError> {
        let fixed = match arg.and_then(literal_str) {
            Some(text) => {
                Some(Arc::new(Regex::new(text).map_err(|e| ExprError::new("args[1]", format!("{name}: bad regular expression '{text}': {}", reason(&e))))?))
            }
            None => None,
        };
        Ok(Pattern { fixed, last: Mutex::new(None) })
    }

    /// The regex for this row's pattern value; None when it does not compile.
    fn get(&self, text: &Value) -> Result<Option<Arc<Regex>>, EvalError> {
        if let Some(r) = &self.fixed {
            return Ok(Some(Arc::clone(r)));
        }
        let Value::String(text) = text else { return Err(unexpected(text)) };
        let mut last = self.last.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, regex)) = last.as_ref().filter(|(cached, _)| cached == text) {
            return Ok(regex.clone());
        }
        let regex = Regex::new(text).ok().map(Arc::new);
        *last = Some((Arc::clone(text), regex.clone()));
        Ok(regex)
    }
}

/// The one-line reason of a regex error (the crate's message spans several lines).
fn reason(e: &regex::Error) -> String {
    match e {
        regex::Error::Syntax(text) => text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or(text).trim().trim_start_matches("error: ").to_string(),
        other => other.to_string(),
    }
}

fn as_str(v: &Value) -> Result<&str, EvalError> {
    v.as_str().ok_or_else(|| unexpected(v))
}

/// `REGEXP(s, pattern)`: TRUE when some substring of `s` matches (Flink: an empty pattern
/// is FALSE).
fn regexp(site: CallSite) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String, Param::String], 2)?;
    let pattern = Pattern::bind(&name, args.get(1))?;
    let kernel = Kernel::Strict2(Arc::new(move |s, p| {
        if as_str(&p)?.is_empty() {
            return Ok(Value::Boolean(false));
        }
        let s = as_str(&s)?;
        Ok(Value::Boolean(pattern.get(&p)?.is_some_and(|r| r.is_match(s))))
    }));
    let nullable = any_nullable(&args);
    Ok(BoundExpr::call(&name, args, kernel, DataType::Boolean, nullable))
}

/// `REGEXP_EXTRACT(s, pattern[, group])`: group `group` of the first match, NULL when nothing
/// matches, the group did not take part, or it does not exist.
fn regexp_extract(site: CallSite) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String, Param::String, Param::BigInt], 2)?;
    let pattern = Pattern::bind(&name, args.get(1))?;
    if let (Some(regex), Some(group)) = (&pattern.fixed, args.get(2).and_then(literal_int)) {
        let groups = regex.captures_len() - 1;
        if group < 0 || group as usize > groups {
            let text = args.get(1).and_then(literal_str).unwrap_or_default();
            return Err(ExprError::new("args[2]", format!("{name}: group {group} does not exist in '{text}', which has {groups} group(s)")));
        }
    }
    let extract = move |s: &Value, p: &Value, group: i64| -> Result<Value, EvalError> {
        let (Some(regex), Ok(group)) = (pattern.get(p)?, usize::try_from(group)) else { return Ok(Value::Null) };
        let found = regex.captures(as_str(s)?).and_then(|c| c.get(group)).map(|m| Value::string(m.as_str()));
        Ok(found.unwrap_or(Value::Null))
    };
    let kernel = if args.len() == 2 {
        Kernel::Strict2(Arc::new(move |s, p| extract(&s, &p, 0)))
    } else {
        Kernel::Strict3(Arc::new(move |s, p, g| extract(&s, &p, int_of(&g)?)))
    };
    Ok(BoundExpr::call(&name, args, kernel, DataType::String, true))
}

/// `REGEXP_REPLACE(s, pattern, replacement)`: every match replaced by `replacement`, taken
/// literally (`$1` is the text `$1`, as Flink quotes the replacement).
fn regexp_replace(site: CallSite) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String, Param::String, Param::String], 3)?;
    let pattern = Pattern::bind(&name, args.get(1))?;
    let kernel = Kernel::Strict3(Arc::new(move |s, p, r| {
        let Some(regex) = pattern.get(&p)? else { return Ok(Value::Null) };
        Ok(string_value(regex.replace_all(as_str(&s)?, NoExpand(as_str(&r)?)).into_owned()))
    }));
    Ok(BoundExpr::call(&name, args, kernel, DataType::String, true))
}

/// A (STRING, pattern) function of the regex and the text; NULL when either is NULL or the
/// row's pattern does not compile.
fn with_match(site: CallSite, result: DataType, f: fn(&Regex, &str) -> Value) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String, Param::String], 2)?;
    let pattern = Pattern::bind(&name, args.get(1))?;
    let kernel = Kernel::Strict2(Arc::new(move |s, p| Ok(pattern.get(&p)?.map_or(Value::Null, |r| f(&r, as_str(&s).unwrap_or_default())))));
    Ok(BoundExpr::call(&name, args, kernel, result, true))
}

fn regexp_count(site: CallSite) -> Result<BoundExpr, ExprError> {
    with_match(site, DataType::Int, |r, s| Value::Int(r.find_iter(s).count() as i32))
}

fn regexp_instr(site: CallSite) -> Result<BoundExpr, ExprError> {
    with_match(site, DataType::Int, |r, s| Value::Int(r.find(s).map_or(0, |m| s[..m.start()].chars().count() as i32 + 1)))
}

fn regexp_substr(site: CallSite) -> Result<BoundExpr, ExprError> {
    with_match(site, DataType::String, |r, s| r.find(s).map_or(Value::Null, |m| Value::string(m.as_str())))
}

/// `REGEXP_EXTRACT_ALL(s, pattern[, group])`: group `group` (1 by default) of every match, in
/// order (a group that did not take part is NULL); NULL when the group does not exist.
fn regexp_extract_all(site: CallSite) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String, Param::String, Param::BigInt], 2)?;
    let pattern = Pattern::bind(&name, args.get(1))?;
    let kernel = Kernel::StrictN(Arc::new(move |values: &[Value]| {
        let group = match values.get(2) {
            Some(g) => int_of(g)?,
            None => 1,
        };
        let Some(regex) = pattern.get(&values[1])? else { return Ok(Value::Null) };
        let Ok(group) = usize::try_from(group) else { return Ok(Value::Null) };
        if group >= regex.captures_len() {
            return Ok(Value::Null);
        }
        let found = regex.captures_iter(as_str(&values[0])?).map(|c| c.get(group).map_or(Value::Null, |m| Value::string(m.as_str()))).collect();
        Ok(Value::array(found))
    }));
    Ok(BoundExpr::call(&name, args, kernel, DataType::array(DataType::String), true))
}
