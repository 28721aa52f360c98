//! `JSON_QUOTE(s)` and `JSON_UNQUOTE(s)`, as Flink's `JsonQuoteFunction` and
//! `JsonUnquoteFunction` compute them.
//!
//! `JSON_QUOTE` wraps `s` in double quotes, escaping `"`, `\`, `/` and the control characters
//! `\b \f \n \r \t`; every other ASCII character stays as it is (other control characters
//! too), and each non-ASCII character becomes `\u` and its code in lower-case hex, per UTF-16
//! position as Java walks the string: a character outside the BMP gives its whole code point
//! (`\u1f600`) followed by its low surrogate (`\ude00`), as in Flink.
//!
//! `JSON_UNQUOTE` returns `s` unchanged unless it is valid JSON that starts and ends with a
//! double quote: then it is the JSON string's text, its escapes (`\" \\ \/ \b \f \n \r \t \uXXXX`)
//! resolved. So a JSON array, object or number, text that is not JSON, and a quoted string with
//! a bad escape all pass through unchanged. Known differences: a string escaping a lone
//! surrogate (`"\ud800"`) passes through unchanged, where Flink makes a character of it; and
//! text after the closing quote (`"a"b"`) makes it pass through, where Flink's Jackson reader
//! stops after the first value (as for `IS JSON`, see `docs/functions.md`).

use std::fmt::Write;

use crate::types::DataType;

use super::super::super::bound::{BoundExpr, any_nullable};
use super::super::super::error::ExprError;
use super::super::{CallSite, Param, str1, string_value};

/// `JSON_QUOTE(s)`: `s` as a JSON string literal.
pub(super) fn json_quote(site: CallSite<'_>) -> Result<BoundExpr, ExprError> {
    let args = site.expect(&[Param::String], 1)?;
    let nullable = any_nullable(&args);
    Ok(BoundExpr::call("JSON_QUOTE", args, str1(|s| Ok(string_value(quote(s)))), DataType::String, nullable))
}

/// `JSON_UNQUOTE(s)`: the text of the JSON string literal `s`, or `s` when it is not one.
pub(super) fn json_unquote(site: CallSite<'_>) -> Result<BoundExpr, ExprError> {
    let args = site.expect(&[Param::String], 1)?;
    let nullable = any_nullable(&args);
    Ok(BoundExpr::call("JSON_UNQUOTE", args, str1(|s| Ok(string_value(unquote(s)))), DataType::String, nullable))
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_ascii() => out.push(c),
            c => {
                // Java's `codePointAt` per UTF-16 index: the code point, then (for a
                // supplementary character) its low surrogate on its own.
                let _ = write!(out, "\\u{:04x}", u32::from(c));
                let mut units = [0u16; 2];
                if let [_, low] = c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{:04x}", low);
                }
            }
        }
    }
    out.push('"');
    out
}

fn unquote(s: &str) -> String {
    let quoted = s.len() >= 2 && s.starts_with('"') && s.ends_with('"');
    match serde_json::from_str::<String>(s) {
        Ok(text) if quoted => text,
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_as_flink_does() {
        for (input, want) in [
            ("Hello, World!", r#""Hello, World!""#),
            ("Complex string with / and \\", r#""Complex string with \/ and \\""#),
            ("a\"b\tc\nd\re\u{8}f\u{c}", r#""a\"b\tc\nd\re\bf\f""#),
            ("\u{1}", "\"\u{1}\""),
            ("héllo €", r#""h\u00e9llo \u20ac""#),
            ("😀", r#""\u1f600\ude00""#),
            ("", r#""""#),
        ] {
            assert_eq!(quote(input), want, "{input:?}");
        }
    }

    #[test]
    fn unquote_reads_json_string_literals_and_passes_the_rest() {
        for (input, want) in [
            (r#""abc""#, "abc"),
            (r#""\"a\" \\ \/ \b\f\n\r\t""#, "\"a\" \\ / \u{8}\u{c}\n\r\t"),
            (r#""h\u00e9llo \ud83d\ude00""#, "héllo 😀"),
            (r#"[1, "a"]"#, r#"[1, "a"]"#),
            (r#"{"a": 1}"#, r#"{"a": 1}"#),
            ("123", "123"),
            ("abc", "abc"),
            (r#""abc"#, r#""abc"#),
            (r#""a\qb""#, r#""a\qb""#),
            (" \"a\" ", " \"a\" "),
            ("\"", "\""),
            ("", ""),
        ] {
            assert_eq!(unquote(input), want, "{input:?}");
        }
    }

    #[test]
    fn unquote_inverts_quote_within_the_bmp() {
        for s in ["plain", "a/b\\c\"d", "tab\tnew\nline", "héllo €"] {
            assert_eq!(unquote(&quote(s)), s);
        }
        // Flink's quoting of a character beyond U+FFFF is not JSON's (`\u1f600` reads as
        // U+1F60 and a `0`), and the lone surrogate after it is not valid here.
        assert_eq!(unquote(&quote("😀")), quote("😀"));
    }
}
