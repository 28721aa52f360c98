//! `INET_ATON(string)` and `INET_NTOA(number)`: IPv4 addresses as numbers and back, with
//! Flink's (MySQL's) rules. `INET_ATON` reads dotted decimal parts (leading zeros are decimal)
//! with the C library's short forms — `a` is the 32-bit number itself, `a.b` is `a.0.0.b`,
//! `a.b.c` is `a.b.0.c` — and is NULL for anything else (an empty string, a part over 255, a
//! fifth part, a sign or a space). `INET_NTOA` is NULL outside 0..4294967295, and reads a
//! negative INT as unsigned (`-1` is `255.255.255.255`), as Flink's INT overload does.

use std::sync::Arc;

use crate::types::{DataType, Value};

use super::super::bound::{BoundExpr, Kernel};
use super::super::error::ExprError;
use super::{CallSite, FunctionDef, Param, str1, string_value, unexpected};

pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["INET_ATON"], signature: "(STRING)", bind: inet_aton },
    FunctionDef { names: &["INET_NTOA"], signature: "(INT or BIGINT)", bind: inet_ntoa },
];

const MAX_ADDRESS: i64 = 0xFFFF_FFFF;

fn inet_aton(site: CallSite) -> Result<BoundExpr, ExprError> {
    let args = site.expect(&[Param::String], 1)?;
    let kernel = str1(|s| Ok(address_number(s).map(Value::BigInt).unwrap_or(Value::Null)));
    Ok(BoundExpr::call("INET_ATON", args, kernel, DataType::BigInt, true))
}

fn inet_ntoa(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(1, 1)?;
    if !matches!(site.args[0].data_type(), DataType::Int | DataType::BigInt | DataType::Null) {
        return Err(site.mismatch());
    }
    let kernel = Kernel::Strict1(Arc::new(|v| {
        let n = match v {
            Value::Int(i) => i64::from(i as u32),
            Value::BigInt(i) => i,
            other => return Err(unexpected(&other)),
        };
        Ok(if (0..=MAX_ADDRESS).contains(&n) { string_value(dotted(n)) } else { Value::Null })
    }));
    Ok(BoundExpr::call("INET_NTOA", site.args, kernel, DataType::String, true))
}

/// The number of an IPv4 address text, `None` when it is not one.
fn address_number(text: &str) -> Option<i64> {
    let mut parts = Vec::with_capacity(4);
    for part in text.split('.') {
        if part.is_empty() || parts.len() == 4 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // Digits only, so the only failure is a value past u64: far past the range anyway.
        let value = part.parse::<u64>().ok().filter(|v| *v <= MAX_ADDRESS as u64)? as i64;
        parts.push(value);
    }
    let octets = |ps: &[i64]| ps.iter().all(|p| *p <= 255);
    match parts.as_slice() {
        [a] => Some(*a),
        [a, b] if octets(&parts) => Some(a << 24 | b),
        [a, b, c] if octets(&parts) => Some(a << 24 | b << 16 | c),
        [a, b, c, d] if octets(&parts) => Some(a << 24 | b << 16 | c << 8 | d),
        _ => None,
    }
}

/// `n` (within 0..=0xFFFFFFFF) in dotted decimal.
fn dotted(n: i64) -> String {
    format!("{}.{}.{}.{}", n >> 24 & 255, n >> 16 & 255, n >> 8 & 255, n & 255)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_addresses_as_flink_does() {
        for (text, want) in [
            ("127.0.0.1", Some(2_130_706_433)),
            ("127.1", Some(2_130_706_433)),
            ("127.0.1", Some(2_130_706_433)),
            ("10.0.0.1", Some(167_772_161)),
            ("0.0.0.0", Some(0)),
            ("1", Some(1)),
            ("4294967295", Some(4_294_967_295)),
            ("4294967296", None),
            ("010.000.000.001", Some(167_772_161)),
            ("256.0.0.1", None),
            ("1.2.3.4.5", None),
            ("1..2", None),
            ("", None),
            (" 1.2.3.4", None),
            ("-1", None),
            ("99999999999999999999999", None),
        ] {
            assert_eq!(address_number(text), want, "{text}");
        }
        assert_eq!(dotted(2_130_706_433), "127.0.0.1");
        assert_eq!(dotted(MAX_ADDRESS), "255.255.255.255");
    }
}
