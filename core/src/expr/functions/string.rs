//! String functions, with Flink's semantics: positions count characters (not bytes) from 1,
//! and NULL in gives NULL out unless stated (CONCAT_WS skips NULL arguments).

use std::sync::Arc;

use crate::types::{DataType, Value};

use super::super::bound::{BoundExpr, Kernel, any_nullable};
use super::super::error::EvalError;
use super::super::error::ExprError;
use super::super::like::LikePattern;
use super::super::native::NativeOp;
use super::{CallSite, FunctionDef, Param, int_of, literal_str, str1, str2, string_value, unexpected};

/// The string functions.
pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["UPPER", "UCASE"], signature: "(STRING)", bind: upper },
    FunctionDef { names: &["LOWER", "LCASE"], signature: "(STRING)", bind: lower },
    FunctionDef { names: &["CHAR_LENGTH", "CHARACTER_LENGTH", "LENGTH"], signature: "(STRING)", bind: char_length },
    FunctionDef { names: &["SUBSTRING", "SUBSTR"], signature: "(STRING, INT[, INT])", bind: substring },
    FunctionDef { names: &["CONCAT", "||"], signature: "(STRING, STRING, ...)", bind: concat },
    FunctionDef { names: &["CONCAT_WS"], signature: "(STRING, STRING, ...)", bind: concat_ws },
    FunctionDef { names: &["TRIM", "BTRIM"], signature: "(STRING[, chars STRING]) or ('BOTH'|'LEADING'|'TRAILING', chars STRING, STRING)", bind: trim },
    FunctionDef { names: &["LTRIM"], signature: "(STRING[, chars STRING])", bind: ltrim },
    FunctionDef { names: &["RTRIM"], signature: "(STRING[, chars STRING])", bind: rtrim },
    FunctionDef { names: &["REPLACE"], signature: "(STRING, STRING, STRING)", bind: replace },
    FunctionDef { names: &["SPLIT_INDEX"], signature: "(STRING, STRING, INT)", bind: split_index },
    FunctionDef { names: &["POSITION"], signature: "(STRING, STRING)", bind: position },
    FunctionDef { names: &["LOCATE"], signature: "(STRING, STRING[, INT])", bind: locate },
    FunctionDef { names: &["REVERSE"], signature: "(STRING)", bind: reverse },
    FunctionDef { names: &["REPEAT"], signature: "(STRING, INT)", bind: repeat },
    FunctionDef { names: &["LPAD"], signature: "(STRING, INT, STRING)", bind: lpad },
    FunctionDef { names: &["RPAD"], signature: "(STRING, INT, STRING)", bind: rpad },
    FunctionDef { names: &["INITCAP"], signature: "(STRING)", bind: initcap },
    FunctionDef { names: &["LIKE"], signature: "(STRING, STRING[, escape STRING])", bind: like },
    FunctionDef { names: &["NOT LIKE"], signature: "(STRING, STRING[, escape STRING])", bind: not_like },
    FunctionDef { names: &["ILIKE"], signature: "(STRING, STRING[, escape STRING])", bind: ilike },
    FunctionDef { names: &["NOT ILIKE"], signature: "(STRING, STRING[, escape STRING])", bind: not_ilike },
];

/// Longest string REPEAT/LPAD/RPAD will build, so a bad count cannot exhaust memory.
const MAX_BUILT_CHARS: i64 = 16 * 1024 * 1024;

fn call(site_name: &str, args: Vec<BoundExpr>, kernel: Kernel, t: DataType) -> Result<BoundExpr, ExprError> {
    let nullable = any_nullable(&args);
    Ok(BoundExpr::call(site_name, args, kernel, t, nullable))
}

fn unary(site: CallSite, kernel: Kernel, t: DataType) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String], 1)?;
    call(&name, args, kernel, t)
}

fn upper(site: CallSite) -> Result<BoundExpr, ExprError> {
    unary(site, str1(|s| Ok(string_value(s.to_uppercase()))), DataType::String)
}

fn lower(site: CallSite) -> Result<BoundExpr, ExprError> {
    unary(site, str1(|s| Ok(string_value(s.to_lowercase()))), DataType::String)
}

fn reverse(site: CallSite) -> Result<BoundExpr, ExprError> {
    unary(site, str1(|s| Ok(string_value(s.chars().rev().collect()))), DataType::String)
}

/// `INITCAP(s)` as Flink (Calcite's `SqlFunctions.initcap`) computes it: words are runs of
/// ASCII letters and digits; their first letter is upper-cased and the rest lower-cased.
/// Every other character, non-ASCII letters included, is kept as is and ends a word.
fn initcap(site: CallSite) -> Result<BoundExpr, ExprError> {
    let kernel = str1(|s| {
        let mut out = String::with_capacity(s.len());
        let mut start = true;
        for c in s.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(if start { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() });
                start = false;
            } else {
                out.push(c);
                start = true;
            }
        }
        Ok(string_value(out))
    });
    unary(site, kernel, DataType::String)
}

fn char_length(site: CallSite) -> Result<BoundExpr, ExprError> {
    unary(site, str1(|s| Ok(Value::Int(char_count(s)))), DataType::Int)
}

fn char_count(s: &str) -> i32 {
    i32::try_from(s.chars().count()).unwrap_or(i32::MAX)
}

/// Byte offset of character `n` (0-based) of `s`, or `s.len()` when past the end.
fn byte_at(s: &str, n: usize) -> usize {
    if s.is_ascii() {
        return n.min(s.len());
    }
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

/// Flink's `SUBSTRING(s, pos[, len])`: `pos` counts from 1; a negative `pos` counts from the
/// end; 0 means 1; a negative `len` gives NULL.
fn substring_of(s: &str, pos: i64, len: Option<i64>) -> Value {
    if len.is_some_and(|l| l < 0) {
        return Value::Null;
    }
    let chars = i64::from(char_count(s));
    let start = match pos {
        p if p > 0 => p - 1,
        p if p < 0 => chars + p,
        _ => 0,
    };
    if start >= chars || start < 0 {
        return Value::string("");
    }
    let end = len.map_or(chars, |l| start.saturating_add(l).min(chars));
    let (b0, b1) = (byte_at(s, start as usize), byte_at(s, end as usize));
    Value::string(&s[b0..b1])
}

fn substring(site: CallSite) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String, Param::BigInt, Param::BigInt], 2)?;
    let kernel = if args.len() == 2 {
        Kernel::Strict2(Arc::new(|s, p| Ok(substring_of(as_str(&s)?, int_of(&p)?, None))))
    } else {
        Kernel::Strict3(Arc::new(|s, p, l| Ok(substring_of(as_str(&s)?, int_of(&p)?, Some(int_of(&l)?)))))
    };
    let nullable = true;
    Ok(BoundExpr::call(&name, args, kernel, DataType::String, nullable))
}

fn as_str(v: &Value) -> Result<&str, EvalError> {
    v.as_str().ok_or_else(|| unexpected(v))
}

fn strings(site: CallSite, min: usize) -> Result<(String, Vec<BoundExpr>), ExprError> {
    let name = site.name.clone();
    let n = site.args.len().max(min);
    let args = site.expect(&vec![Param::String; n], min)?;
    Ok((name, args))
}

fn concat(site: CallSite) -> Result<BoundExpr, ExprError> {
    let (name, args) = strings(site, 1)?;
    let kernel = Kernel::StrictN(Arc::new(|values: &[Value]| {
        let mut out = String::new();
        for v in values {
            out.push_str(as_str(v)?);
        }
        Ok(string_value(out))
    }));
    call(if name == "||" { "CONCAT" } else { &name }, args, kernel, DataType::String)
}

/// `CONCAT_WS(sep, s1, s2, ...)`: NULL when `sep` is NULL; NULL strings are skipped.
fn concat_ws(site: CallSite) -> Result<BoundExpr, ExprError> {
    let (name, args) = strings(site, 2)?;
    let nullable = args.first().is_some_and(BoundExpr::nullable);
    let kernel = Kernel::AllN(Arc::new(|values: &[Value]| {
        let Some((Value::String(sep), rest)) = values.split_first() else { return Ok(Value::Null) };
        let parts: Vec<&str> = rest.iter().filter_map(Value::as_str).collect();
        Ok(string_value(parts.join(sep)))
    }));
    Ok(BoundExpr::call(&name, args, kernel, DataType::String, nullable))
}

#[derive(Clone, Copy)]
enum TrimMode {
    Both,
    Leading,
    Trailing,
}

fn trim_kernel(mode: TrimMode, with_chars: bool) -> Kernel {
    let apply = move |s: &str, chars: &str| -> Value {
        let matches = |c: char| chars.contains(c);
        Value::string(match mode {
            TrimMode::Both => s.trim_matches(matches),
            TrimMode::Leading => s.trim_start_matches(matches),
            TrimMode::Trailing => s.trim_end_matches(matches),
        })
    };
    if with_chars { str2(move |s, chars| Ok(apply(s, chars))) } else { str1(move |s| Ok(apply(s, " "))) }
}

/// `TRIM(s[, chars])` trims `chars` (default a space) from both ends; `TRIM(mode, chars, s)`
/// with mode BOTH, LEADING or TRAILING trims the given ends.
fn trim(site: CallSite) -> Result<BoundExpr, ExprError> {
    if site.args.len() < 3 {
        return side_trim(site, TrimMode::Both);
    }
    let mode = match site.args.first().and_then(literal_str).map(|m| m.to_ascii_uppercase()) {
        Some(m) if m == "BOTH" => TrimMode::Both,
        Some(m) if m == "LEADING" => TrimMode::Leading,
        Some(m) if m == "TRAILING" => TrimMode::Trailing,
        _ => return Err(site.mismatch()),
    };
    let name = site.name.clone();
    let mut args = site.expect(&[Param::String, Param::String, Param::String], 3)?;
    args.remove(0);
    // Our kernels take the string first: (s, chars).
    args.reverse();
    call(&name, args, trim_kernel(mode, true), DataType::String)
}

fn side_trim(site: CallSite, mode: TrimMode) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String, Param::String], 1)?;
    let kernel = trim_kernel(mode, args.len() == 2);
    call(&name, args, kernel, DataType::String)
}

fn ltrim(site: CallSite) -> Result<BoundExpr, ExprError> {
    side_trim(site, TrimMode::Leading)
}

fn rtrim(site: CallSite) -> Result<BoundExpr, ExprError> {
    side_trim(site, TrimMode::Trailing)
}

/// `REPLACE(s, from, to)`: every occurrence, as Java's `String.replace`.
fn replace(site: CallSite) -> Result<BoundExpr, ExprError> {
    let (name, args) = strings(site, 3)?;
    if args.len() != 3 {
        return Err(ExprError::new("", format!("function {name} expects (STRING, STRING, STRING)")));
    }
    let kernel = Kernel::Strict3(Arc::new(|s, from, to| Ok(string_value(as_str(&s)?.replace(as_str(&from)?, as_str(&to)?)))));
    call(&name, args, kernel, DataType::String)
}

/// `SPLIT_INDEX(s, delimiter, i)`: the i-th (0-based) piece of `s` split at `delimiter`, NULL
/// when out of range (as Flink: an empty `s` has no pieces).
fn split_index(site: CallSite) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String, Param::String, Param::BigInt], 3)?;
    let kernel = Kernel::Strict3(Arc::new(|s, delim, i| {
        let (s, delim, i) = (as_str(&s)?, as_str(&delim)?, int_of(&i)?);
        let Ok(i) = usize::try_from(i) else { return Ok(Value::Null) };
        let piece = if s.is_empty() {
            None
        } else if delim.is_empty() {
            s.split_whitespace().nth(i)
        } else {
            s.split(delim).nth(i)
        };
        Ok(piece.map_or(Value::Null, Value::string))
    }));
    Ok(BoundExpr::call(&name, args, kernel, DataType::String, true))
}

/// 1-based character position of `needle` in `s` at or after character `from` (0-based), 0
/// when absent.
fn position_of(needle: &str, s: &str, from: usize) -> i32 {
    let start = byte_at(s, from);
    match s[start..].find(needle) {
        Some(b) => char_count(&s[..start + b]) + 1,
        None => 0,
    }
}

/// `POSITION(needle, s)` (SQL `POSITION(needle IN s)`).
fn position(site: CallSite) -> Result<BoundExpr, ExprError> {
    let (name, args) = strings(site, 2)?;
    if args.len() != 2 {
        return Err(ExprError::new("", format!("function {name} expects (STRING, STRING)")));
    }
    call(&name, args, str2(|needle, s| Ok(Value::Int(position_of(needle, s, 0)))), DataType::Int)
}

/// `LOCATE(needle, s[, start])`: like POSITION, searching from character `start` (1-based).
fn locate(site: CallSite) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String, Param::String, Param::BigInt], 2)?;
    let kernel = if args.len() == 2 {
        str2(|needle, s| Ok(Value::Int(position_of(needle, s, 0))))
    } else {
        Kernel::Strict3(Arc::new(|needle, s, start| {
            let start = int_of(&start)?;
            if start < 1 {
                return Ok(Value::Int(0));
            }
            Ok(Value::Int(position_of(as_str(&needle)?, as_str(&s)?, (start - 1) as usize)))
        }))
    };
    call(&name, args, kernel, DataType::Int)
}

/// `REPEAT(s, n)`: `s` n times (empty for n <= 0).
fn repeat(site: CallSite) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String, Param::BigInt], 2)?;
    let kernel = Kernel::Strict2(Arc::new(|s, n| {
        let (s, n) = (as_str(&s)?, int_of(&n)?.max(0));
        if n.saturating_mul(s.chars().count() as i64) > MAX_BUILT_CHARS {
            return Err(EvalError::new(format!("REPEAT would build a string over {MAX_BUILT_CHARS} characters")));
        }
        Ok(string_value(s.repeat(n as usize)))
    }));
    call(&name, args, kernel, DataType::String)
}

fn pad(site: CallSite, left: bool) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String, Param::BigInt, Param::String], 3)?;
    let kernel = Kernel::Strict3(Arc::new(move |s, len, fill| {
        let (s, len, fill) = (as_str(&s)?, int_of(&len)?, as_str(&fill)?);
        // As Flink: a negative length or an empty fill gives NULL, even when no padding is needed.
        if len < 0 || fill.is_empty() {
            return Ok(Value::Null);
        }
        if len > MAX_BUILT_CHARS {
            return Err(EvalError::new(format!("padding to {len} characters is over the limit of {MAX_BUILT_CHARS}")));
        }
        let len = len as usize;
        let have = s.chars().count();
        if have >= len {
            return Ok(Value::string(&s[..byte_at(s, len)]));
        }
        let padding: String = fill.chars().cycle().take(len - have).collect();
        Ok(string_value(if left { padding + s } else { format!("{s}{padding}") }))
    }));
    Ok(BoundExpr::call(&name, args, kernel, DataType::String, true))
}

fn lpad(site: CallSite) -> Result<BoundExpr, ExprError> {
    pad(site, true)
}

fn rpad(site: CallSite) -> Result<BoundExpr, ExprError> {
    pad(site, false)
}

fn like(site: CallSite) -> Result<BoundExpr, ExprError> {
    bind_like(site, false, false)
}

fn not_like(site: CallSite) -> Result<BoundExpr, ExprError> {
    bind_like(site, true, false)
}

fn ilike(site: CallSite) -> Result<BoundExpr, ExprError> {
    bind_like(site, false, true)
}

fn not_ilike(site: CallSite) -> Result<BoundExpr, ExprError> {
    bind_like(site, true, true)
}

fn escape_char(text: &str) -> Result<Option<char>, String> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(Some(c)),
        _ => Err(format!("the LIKE escape must be a single character, got \"{text}\"")),
    }
}

/// `s LIKE pattern [ESCAPE e]`; a literal pattern is compiled once, here. ILIKE compares
/// lower-cased text and pattern.
fn bind_like(site: CallSite, negated: bool, fold_case: bool) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String, Param::String, Param::String], 2)?;
    // `Err(())`: the escape is not a literal, so the pattern is compiled per row.
    let escape: Result<Option<char>, ()> = match args.get(2) {
        None => Ok(None),
        Some(e) => match e.as_literal() {
            Some(Value::String(t)) => Ok(escape_char(t).map_err(|m| ExprError::new("args[2]", m))?),
            _ => Err(()),
        },
    };
    let nullable = any_nullable(&args);
    let fixed = match (args.get(1).and_then(literal_str), escape) {
        (Some(p), Ok(escape)) => Some(LikePattern::new(&folded(p, fold_case), escape).map_err(|m| ExprError::new("args[1]", m))?),
        _ => None,
    };
    let native = fixed.clone().map(|pattern| NativeOp::Like { pattern: Arc::new(pattern), negated, fold_case });
    let kernel = match fixed {
        Some(pattern) => Kernel::Lazy(Arc::new(move |args, row| {
            let Some(s) = args.first() else { return Ok(Value::Null) };
            match s.eval(row)? {
                Value::String(s) => Ok(Value::Boolean(pattern.matches(&folded(&s, fold_case)) != negated)),
                _ => Ok(Value::Null),
            }
        })),
        None => Kernel::StrictN(Arc::new(move |values: &[Value]| {
            let escape = match values.get(2) {
                Some(e) => escape_char(as_str(e)?).map_err(EvalError::new)?,
                None => None,
            };
            let (Some(s), Some(p)) = (values.first(), values.get(1)) else { return Ok(Value::Null) };
            let pattern = LikePattern::new(&folded(as_str(p)?, fold_case), escape).map_err(EvalError::new)?;
            Ok(Value::Boolean(pattern.matches(&folded(as_str(s)?, fold_case)) != negated))
        })),
    };
    let call = BoundExpr::call(&name, args, kernel, DataType::Boolean, nullable);
    Ok(match native {
        Some(op) => call.with_native(op),
        None => call,
    })
}

/// `s` in lower case when `fold_case` (ILIKE), else `s` itself.
pub(crate) fn folded(s: &str, fold_case: bool) -> std::borrow::Cow<'_, str> {
    if fold_case { std::borrow::Cow::Owned(s.to_lowercase()) } else { std::borrow::Cow::Borrowed(s) }
}
