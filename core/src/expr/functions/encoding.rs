//! `ENCODE(string, charset)` and `DECODE(bytes, charset)` with the character sets Flink names
//! (`US-ASCII`, `ISO-8859-1`, `UTF-8`, `UTF-16BE`, `UTF-16LE`, `UTF-16`), as Java's
//! `String.getBytes` / `new String(bytes, charset)` convert: a character the set cannot hold is
//! encoded as `?`, bytes that do not decode become U+FFFD, `UTF-16` writes a big-endian byte
//! order mark before the first character and reads one if present (big-endian otherwise). NULL
//! in, NULL out; an unknown character set is an error (at binding when it is a literal).

use std::sync::Arc;

use crate::types::{DataType, Value};

use super::super::bound::{BoundExpr, Kernel, any_nullable};
use super::super::error::{EvalError, ExprError};
use super::{CallSite, FunctionDef, Param, literal_str, string_value, unexpected};

pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["ENCODE"], signature: "(STRING, charset STRING)", bind: encode },
    FunctionDef { names: &["DECODE"], signature: "(BYTES, charset STRING)", bind: decode },
];

/// A character set of ENCODE and DECODE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Charset {
    Ascii,
    Latin1,
    Utf8,
    Utf16Be,
    Utf16Le,
    /// UTF-16 with a byte order mark.
    Utf16,
}

/// The character set a name (any case, with Java's common aliases) names.
fn charset(name: &str) -> Result<Charset, String> {
    Ok(match name.trim().to_ascii_uppercase().replace('_', "-").as_str() {
        "US-ASCII" | "ASCII" => Charset::Ascii,
        "ISO-8859-1" | "ISO8859-1" | "LATIN1" => Charset::Latin1,
        "UTF-8" | "UTF8" => Charset::Utf8,
        "UTF-16BE" => Charset::Utf16Be,
        "UTF-16LE" => Charset::Utf16Le,
        "UTF-16" | "UTF16" => Charset::Utf16,
        _ => return Err(format!("unsupported character set \"{name}\" (one of US-ASCII, ISO-8859-1, UTF-8, UTF-16BE, UTF-16LE, UTF-16)")),
    })
}

/// Checks a literal character set argument now, so that a bad one fails at its place.
fn check_literal(site: &CallSite) -> Result<(), ExprError> {
    match site.args.get(1).and_then(literal_str) {
        Some(name) => charset(name).map(|_| ()).map_err(|m| site.arg_error(1, m)),
        None => Ok(()),
    }
}

fn encode(site: CallSite) -> Result<BoundExpr, ExprError> {
    check_literal(&site)?;
    let args = site.expect(&[Param::String, Param::String], 2)?;
    let nullable = any_nullable(&args);
    let kernel = Kernel::Strict2(Arc::new(|s, name| {
        let (Some(s), Some(name)) = (s.as_str(), name.as_str()) else { return Err(unexpected(&s)) };
        let set = charset(name).map_err(EvalError::new)?;
        Ok(Value::Bytes(Arc::from(encode_text(s, set))))
    }));
    Ok(BoundExpr::call("ENCODE", args, kernel, DataType::Bytes, nullable))
}

fn decode(site: CallSite) -> Result<BoundExpr, ExprError> {
    check_literal(&site)?;
    site.expect_count(2, 2)?;
    if !matches!(site.args[0].data_type(), DataType::Bytes | DataType::Null) {
        return Err(site.mismatch());
    }
    let mut args = site.args;
    let name = args.pop().ok_or_else(|| ExprError::new("", "DECODE needs a character set"))?;
    let name = if name.data_type() == DataType::String { name } else { name.cast_to(DataType::String)? };
    args.push(name);
    let nullable = any_nullable(&args);
    let kernel = Kernel::Strict2(Arc::new(|b, name| {
        let (Value::Bytes(bytes), Some(name)) = (&b, name.as_str()) else { return Err(unexpected(&b)) };
        let set = charset(name).map_err(EvalError::new)?;
        Ok(string_value(decode_bytes(bytes, set)))
    }));
    Ok(BoundExpr::call("DECODE", args, kernel, DataType::String, nullable))
}

/// `s` in `set`, as Java's `String.getBytes(charset)`.
fn encode_text(s: &str, set: Charset) -> Vec<u8> {
    let narrow = |limit: u32| s.chars().map(|c| if (c as u32) < limit { c as u32 as u8 } else { b'?' }).collect();
    match set {
        Charset::Ascii => narrow(0x80),
        Charset::Latin1 => narrow(0x100),
        Charset::Utf8 => s.as_bytes().to_vec(),
        Charset::Utf16Be => s.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        Charset::Utf16Le => s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        Charset::Utf16 if s.is_empty() => Vec::new(),
        Charset::Utf16 => [0xFE, 0xFF].into_iter().chain(s.encode_utf16().flat_map(u16::to_be_bytes)).collect(),
    }
}

/// `bytes` read in `set`, as Java's `new String(bytes, charset)`.
fn decode_bytes(bytes: &[u8], set: Charset) -> String {
    match set {
        Charset::Ascii => bytes.iter().map(|&b| if b < 0x80 { b as char } else { char::REPLACEMENT_CHARACTER }).collect(),
        Charset::Latin1 => bytes.iter().map(|&b| b as char).collect(),
        Charset::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
        Charset::Utf16Be => utf16(bytes, u16::from_be_bytes),
        Charset::Utf16Le => utf16(bytes, u16::from_le_bytes),
        Charset::Utf16 => match bytes {
            [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes),
            [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes),
            _ => utf16(bytes, u16::from_be_bytes),
        },
    }
}

/// UTF-16 code units read with `unit`; unpaired surrogates and a trailing odd byte become
/// U+FFFD.
fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|p| unit([p[0], p[1]]));
    let mut out: String = char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect();
    if bytes.len() % 2 == 1 {
        out.push(char::REPLACEMENT_CHARACTER);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_java_does() {
        assert_eq!(encode_text("aé€", Charset::Ascii), b"a??");
        assert_eq!(encode_text("aé€", Charset::Latin1), [b'a', 0xE9, b'?']);
        assert_eq!(encode_text("a€", Charset::Utf16), [0xFE, 0xFF, 0x00, b'a', 0x20, 0xAC]);
        assert_eq!(encode_text("", Charset::Utf16), Vec::<u8>::new());
        assert_eq!(encode_text("a", Charset::Utf16Le), [b'a', 0]);
        assert_eq!(encode_text("😀", Charset::Ascii), b"?");
    }

    #[test]
    fn decodes_as_java_does() {
        assert_eq!(decode_bytes(&[b'a', 0xE9], Charset::Ascii), "a\u{FFFD}");
        assert_eq!(decode_bytes(&[b'a', 0xE9], Charset::Latin1), "aé");
        assert_eq!(decode_bytes(&[0xFF, 0xFE, b'a', 0], Charset::Utf16), "a");
        assert_eq!(decode_bytes(&[0, b'a', 0], Charset::Utf16Be), "a\u{FFFD}");
        assert_eq!(decode_bytes(&[0xC3], Charset::Utf8), "\u{FFFD}");
        for set in [Charset::Utf8, Charset::Utf16, Charset::Utf16Be, Charset::Utf16Le] {
            assert_eq!(decode_bytes(&encode_text("héllo €😀", set), set), "héllo €😀");
        }
    }
}
