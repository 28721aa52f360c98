//! More of Flink's string functions: `LEFT`, `RIGHT`, `TRANSLATE`, `HEX`, `UNHEX`,
//! `URL_ENCODE`, `URL_DECODE`, `ELT` and `PARSE_URL`, with Flink's NULL rules (checked against PyFlink
//! 2.3): NULL in, NULL out, and NULL where Flink's implementation gives up (bad hex, bad
//! percent-encoding, an ELT index out of range).

use std::fmt::Write;
use std::sync::Arc;

use crate::types::{DataType, Value};

use super::super::bound::{BoundExpr, Kernel, any_nullable};
use super::super::error::ExprError;
use super::{CallSite, FunctionDef, Param, int_of, str1, string_value, unexpected};

pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["LEFT"], signature: "(STRING, INT)", bind: left },
    FunctionDef { names: &["RIGHT"], signature: "(STRING, INT)", bind: right },
    FunctionDef { names: &["TRANSLATE"], signature: "(STRING, from STRING, to STRING)", bind: translate },
    FunctionDef { names: &["HEX"], signature: "(BIGINT or STRING)", bind: hex },
    FunctionDef { names: &["UNHEX"], signature: "(STRING)", bind: unhex },
    FunctionDef { names: &["URL_ENCODE"], signature: "(STRING)", bind: url_encode },
    FunctionDef { names: &["URL_DECODE"], signature: "(STRING)", bind: url_decode },
    FunctionDef { names: &["ELT"], signature: "(INT, STRING, ..)", bind: elt },
    FunctionDef { names: &["PARSE_URL"], signature: "(STRING url, STRING part[, STRING key])", bind: parse_url },
];

/// `LEFT(s, n)` / `RIGHT(s, n)`: the first / last `n` characters; empty for a negative `n`.
fn side(site: CallSite, from_left: bool) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String, Param::BigInt], 2)?;
    let nullable = any_nullable(&args);
    let kernel = Kernel::Strict2(Arc::new(move |s, n| {
        let s = s.as_str().ok_or_else(|| unexpected(&s))?;
        let n = usize::try_from(int_of(&n)?.max(0)).unwrap_or(usize::MAX);
        let count = s.chars().count();
        let taken: String = if from_left { s.chars().take(n).collect() } else { s.chars().skip(count.saturating_sub(n)).collect() };
        Ok(string_value(taken))
    }));
    Ok(BoundExpr::call(&name, args, kernel, DataType::String, nullable))
}

fn left(site: CallSite) -> Result<BoundExpr, ExprError> {
    side(site, true)
}

fn right(site: CallSite) -> Result<BoundExpr, ExprError> {
    side(site, false)
}

/// `TRANSLATE(s, from, to)`: each character of `s` found in `from` replaced by the character
/// at the same place in `to`, or removed when `to` is shorter. NULL only when `s` is: a NULL
/// `from` leaves `s` as it is, a NULL `to` removes the characters of `from` (as Flink).
fn translate(site: CallSite) -> Result<BoundExpr, ExprError> {
    let args = site.expect(&[Param::String, Param::String, Param::String], 3)?;
    let nullable = args[0].nullable();
    let kernel = Kernel::AllN(Arc::new(|values: &[Value]| {
        let (Some(s), from, to) = (values.first().and_then(Value::as_str), values.get(1).and_then(Value::as_str), values.get(2).and_then(Value::as_str)) else {
            return Ok(Value::Null);
        };
        let Some(from) = from else { return Ok(string_value(s.to_string())) };
        let to: Vec<char> = to.unwrap_or_default().chars().collect();
        let out: String = s
            .chars()
            .filter_map(|c| match from.chars().position(|f| f == c) {
                Some(i) => to.get(i).copied(),
                None => Some(c),
            })
            .collect();
        Ok(string_value(out))
    }));
    Ok(BoundExpr::call("TRANSLATE", args, kernel, DataType::String, nullable))
}

/// `HEX(n)`: a BIGINT's two's-complement digits in upper-case hex (`HEX(-1)` is sixteen
/// `F`s); `HEX(s)`: the hex of the string's UTF-8 bytes.
fn hex(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(1, 1)?;
    let t = site.args[0].data_type();
    let nullable = any_nullable(&site.args);
    if t.is_integer() {
        let args = site.expect(&[Param::BigInt], 1)?;
        let kernel = super::strict1(|v| Ok(string_value(format!("{:X}", int_of(&v)?))));
        return Ok(BoundExpr::call("HEX", args, kernel, DataType::String, nullable));
    }
    let args = site.expect(&[Param::String], 1)?;
    let kernel = str1(|s| {
        let mut out = String::with_capacity(s.len() * 2);
        for b in s.bytes() {
            let _ = write!(out, "{b:02X}");
        }
        Ok(string_value(out))
    });
    Ok(BoundExpr::call("HEX", args, kernel, DataType::String, nullable))
}

/// `UNHEX(s)`: the BYTES the hex digits stand for; NULL when `s` is not hex or has an odd
/// number of digits (Flink gives a byte there that its documentation does not define).
fn unhex(site: CallSite) -> Result<BoundExpr, ExprError> {
    let args = site.expect(&[Param::String], 1)?;
    let kernel = str1(|s| {
        let digits: Option<Vec<u8>> = s.chars().map(|c| c.to_digit(16).map(|d| d as u8)).collect();
        let Some(digits) = digits.filter(|d| d.len().is_multiple_of(2)) else { return Ok(Value::Null) };
        Ok(Value::Bytes(digits.chunks(2).map(|p| p[0] << 4 | p[1]).collect::<Vec<u8>>().into()))
    });
    Ok(BoundExpr::call("UNHEX", args, kernel, DataType::Bytes, true))
}

/// `URL_ENCODE(s)`: Java's `URLEncoder.encode(s, UTF-8)`: letters, digits and `.-*_` kept,
/// space as `+`, every other byte as `%XX`.
fn url_encode(site: CallSite) -> Result<BoundExpr, ExprError> {
    let args = site.expect(&[Param::String], 1)?;
    let nullable = any_nullable(&args);
    let kernel = str1(|s| {
        let mut out = String::with_capacity(s.len());
        for b in s.bytes() {
            match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => out.push(char::from(b)),
                b' ' => out.push('+'),
                other => {
                    let _ = write!(out, "%{other:02X}");
                }
            }
        }
        Ok(string_value(out))
    });
    Ok(BoundExpr::call("URL_ENCODE", args, kernel, DataType::String, nullable))
}

/// `URL_DECODE(s)`: Java's `URLDecoder.decode(s, UTF-8)` (`+` is a space); NULL when a `%`
/// is not followed by two hex digits or the bytes are not UTF-8.
fn url_decode(site: CallSite) -> Result<BoundExpr, ExprError> {
    let args = site.expect(&[Param::String], 1)?;
    let kernel = str1(|s| {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' => {
                    let pair = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
                    let Some(byte) = pair else { return Ok(Value::Null) };
                    out.push(byte);
                    i += 2;
                }
                other => out.push(other),
            }
            i += 1;
        }
        Ok(String::from_utf8(out).map_or(Value::Null, string_value))
    });
    Ok(BoundExpr::call("URL_DECODE", args, kernel, DataType::String, true))
}

/// `ELT(n, a, b, ..)`: the n-th of the values (1-based); NULL when `n` is NULL or out of range.
fn elt(site: CallSite) -> Result<BoundExpr, ExprError> {
    if site.args.len() < 2 {
        return Err(site.mismatch());
    }
    let mut params = vec![Param::BigInt];
    params.resize(site.args.len(), Param::String);
    let n = site.args.len();
    let args = site.expect(&params, n)?;
    let kernel = Kernel::AllN(Arc::new(|values: &[Value]| {
        let Some((index, rest)) = values.split_first() else { return Ok(Value::Null) };
        if index.is_null() {
            return Ok(Value::Null);
        }
        let i = int_of(index)?;
        Ok(usize::try_from(i).ok().and_then(|i| i.checked_sub(1)).and_then(|i| rest.get(i)).cloned().unwrap_or(Value::Null))
    }));
    Ok(BoundExpr::call("ELT", args, kernel, DataType::String, true))
}

/// The parts of a URL as Java's `java.net.URL` splits it.
struct UrlParts<'a> {
    protocol: &'a str,
    authority: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

/// `url` split into its parts; `None` when Java's `URL` would not read it (no `://`, or a
/// protocol other than http, https, ftp, file, jar).
fn split_url(url: &str) -> Option<UrlParts<'_>> {
    let (protocol, rest) = url.split_once("://")?;
    if !["http", "https", "ftp", "file", "jar"].iter().any(|p| p.eq_ignore_ascii_case(protocol)) {
        return None;
    }
    let (rest, fragment) = match rest.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (rest, None),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    Some(UrlParts { protocol, authority, path, query, fragment })
}

/// The part `part` of `url` (PROTOCOL, HOST, PATH, QUERY, REF, FILE, AUTHORITY, USERINFO), or
/// with `key` the value of that query parameter; NULL when absent or the URL is not one.
fn url_part(url: &str, part: &str, key: Option<&str>) -> Option<String> {
    let u = split_url(url)?;
    let userinfo = u.authority.rsplit_once('@').map(|(info, _)| info);
    let host_port = u.authority.rsplit_once('@').map_or(u.authority, |(_, h)| h);
    let host = host_port.split(':').next().unwrap_or_default();
    Some(match (part, key) {
        ("QUERY", Some(key)) => {
            return u.query?.split('&').find_map(|pair| pair.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')).map(str::to_string));
        }
        (_, Some(_)) => return None,
        ("PROTOCOL", _) => u.protocol.to_string(),
        ("HOST", _) => host.to_string(),
        ("PATH", _) => u.path.to_string(),
        ("QUERY", _) => u.query?.to_string(),
        ("REF", _) => u.fragment?.to_string(),
        ("FILE", _) => u.query.map_or_else(|| u.path.to_string(), |q| format!("{}?{q}", u.path)),
        ("AUTHORITY", _) => u.authority.to_string(),
        ("USERINFO", _) => userinfo?.to_string(),
        _ => return None,
    })
}

/// `PARSE_URL(url, part[, key])`: a part of the URL (see [`url_part`]); NULL when any argument
/// is NULL, the part is absent or unknown, or the URL does not read.
fn parse_url(site: CallSite) -> Result<BoundExpr, ExprError> {
    let args = site.expect(&[Param::String, Param::String, Param::String], 2)?;
    let kernel = Kernel::StrictN(Arc::new(|values: &[Value]| {
        let text = |i: usize| values.get(i).and_then(Value::as_str);
        let (Some(url), Some(part)) = (text(0), text(1)) else { return Ok(Value::Null) };
        Ok(url_part(url, part, text(2)).map_or(Value::Null, string_value))
    }));
    Ok(BoundExpr::call("PARSE_URL", args, kernel, DataType::String, true))
}
