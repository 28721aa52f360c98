//! Hashes and Base64, as Flink computes them over the UTF-8 bytes of a STRING: `MD5`, `SHA1`,
//! `SHA224`, `SHA256`, `SHA384`, `SHA512` and `SHA2(s, bits)` give the digest as lower-case hex;
//! `TO_BASE64` encodes and `FROM_BASE64` decodes (standard alphabet, with padding).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::Digest;

use crate::types::DataType;

use super::super::bound::{BoundExpr, Kernel, any_nullable};
use super::super::error::{EvalError, ExprError};
use super::{CallSite, FunctionDef, Param, literal_int, str1, string_value};

/// The hash and Base64 functions.
pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["MD5"], signature: "(STRING)", bind: md5 },
    FunctionDef { names: &["SHA1"], signature: "(STRING)", bind: sha1 },
    FunctionDef { names: &["SHA224"], signature: "(STRING)", bind: sha224 },
    FunctionDef { names: &["SHA256"], signature: "(STRING)", bind: sha256 },
    FunctionDef { names: &["SHA384"], signature: "(STRING)", bind: sha384 },
    FunctionDef { names: &["SHA512"], signature: "(STRING)", bind: sha512 },
    FunctionDef { names: &["SHA2"], signature: "(STRING, bits 224|256|384|512)", bind: sha2_bits },
    FunctionDef { names: &["TO_BASE64"], signature: "(STRING)", bind: to_base64 },
    FunctionDef { names: &["FROM_BASE64"], signature: "(STRING)", bind: from_base64 },
];

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// A digest of a STRING's UTF-8 bytes.
type HashFn = fn(&[u8]) -> Vec<u8>;

fn digest_of<D: Digest>(bytes: &[u8]) -> Vec<u8> {
    D::digest(bytes).to_vec()
}

fn hashing(site: CallSite, f: HashFn) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String], 1)?;
    let nullable = any_nullable(&args);
    let kernel = str1(move |s| Ok(string_value(hex(&f(s.as_bytes())))));
    Ok(BoundExpr::call(&name, args, kernel, DataType::String, nullable))
}

fn md5(site: CallSite) -> Result<BoundExpr, ExprError> {
    hashing(site, digest_of::<md5::Md5>)
}
fn sha1(site: CallSite) -> Result<BoundExpr, ExprError> {
    hashing(site, digest_of::<sha1::Sha1>)
}
fn sha224(site: CallSite) -> Result<BoundExpr, ExprError> {
    hashing(site, digest_of::<sha2::Sha224>)
}
fn sha256(site: CallSite) -> Result<BoundExpr, ExprError> {
    hashing(site, digest_of::<sha2::Sha256>)
}
fn sha384(site: CallSite) -> Result<BoundExpr, ExprError> {
    hashing(site, digest_of::<sha2::Sha384>)
}
fn sha512(site: CallSite) -> Result<BoundExpr, ExprError> {
    hashing(site, digest_of::<sha2::Sha512>)
}

/// `SHA2(s, bits)`: the SHA-2 digest of that length; `bits` must be a literal.
fn sha2_bits(site: CallSite) -> Result<BoundExpr, ExprError> {
    let bits = site.args.get(1).and_then(literal_int);
    let f: HashFn = match bits {
        Some(224) => digest_of::<sha2::Sha224>,
        Some(256) => digest_of::<sha2::Sha256>,
        Some(384) => digest_of::<sha2::Sha384>,
        Some(512) => digest_of::<sha2::Sha512>,
        _ => return Err(site.arg_error(1, "the SHA2 length must be the literal 224, 256, 384 or 512")),
    };
    let mut site = site;
    site.args.truncate(1);
    hashing(site, f)
}

fn to_base64(site: CallSite) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String], 1)?;
    let nullable = any_nullable(&args);
    let kernel = str1(|s| Ok(string_value(STANDARD.encode(s.as_bytes()))));
    Ok(BoundExpr::call(&name, args, kernel, DataType::String, nullable))
}

/// `FROM_BASE64(s)` → STRING (the decoded bytes read as UTF-8); text that is not Base64 is an
/// error, as in Flink.
fn from_base64(site: CallSite) -> Result<BoundExpr, ExprError> {
    let name = site.name.clone();
    let args = site.expect(&[Param::String], 1)?;
    let nullable = any_nullable(&args);
    let kernel: Kernel = str1(|s| match STANDARD.decode(s.as_bytes()) {
        Ok(bytes) => Ok(string_value(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) => Err(EvalError::new(format!("FROM_BASE64: \"{s}\" is not Base64: {e}"))),
    });
    Ok(BoundExpr::call(&name, args, kernel, DataType::String, nullable))
}
