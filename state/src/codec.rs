//! A compact, hand-written binary encoding for state values, map keys and namespaces.
//!
//! Fixed-width integers and floats are written big-endian with the sign bit flipped, so their
//! byte order equals their numeric order: map keys and namespaces made of integers (timestamps,
//! window bounds) sort correctly in a range scan. Strings and sequences carry a LEB128 length
//! prefix, so a composite encoding is self-delimiting; their byte order is *not* guaranteed to
//! match their natural order.

use std::fmt;

/// Why some bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

/// A type that can be stored in keyed state: encoded to bytes and decoded back.
///
/// Contract: `decode` consumes exactly the bytes `encode` wrote (the encoding is
/// self-delimiting) and returns an error, never panics, on truncated or malformed input.
pub trait StateCodec: Sized {
    /// Appends the encoding of `self` to `out`.
    fn encode(&self, out: &mut Vec<u8>);
    /// Reads one value from the front of `input`, advancing it past the bytes consumed.
    fn decode(input: &mut &[u8]) -> Result<Self, DecodeError>;
}

/// Encodes `value` into a fresh buffer.
pub fn encode_to_vec<T: StateCodec>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.encode(&mut out);
    out
}

/// Decodes a value that must occupy all of `bytes` (trailing bytes are an error).
pub fn decode_exact<T: StateCodec>(bytes: &[u8]) -> Result<T, DecodeError> {
    let mut input = bytes;
    let value = T::decode(&mut input)?;
    if !input.is_empty() {
        return Err(DecodeError(format!("{} trailing bytes after value", input.len())));
    }
    Ok(value)
}

/// The error of wanting `n` bytes where `left` are left (kept out of line: the unlikely path of
/// [`take`], which is inlined into every decoder).
#[cold]
fn truncated(n: usize, left: usize) -> DecodeError {
    DecodeError(format!("truncated: wanted {n} bytes, {left} left"))
}

/// Takes `n` bytes from the front of `input`.
#[inline]
pub(crate) fn take<'a>(input: &mut &'a [u8], n: usize) -> Result<&'a [u8], DecodeError> {
    if input.len() < n {
        return Err(truncated(n, input.len()));
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Ok(head)
}

/// Appends `value` as an unsigned LEB128 varint.
#[inline]
pub fn write_varint(mut value: u64, out: &mut Vec<u8>) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads an unsigned LEB128 varint from the front of `input`.
pub fn read_varint(input: &mut &[u8]) -> Result<u64, DecodeError> {
    let mut value: u64 = 0;
    for shift in (0..64).step_by(7) {
        let byte = take(input, 1)?[0];
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(DecodeError("varint longer than 10 bytes".into()))
}

/// Reads a varint length and checks it against the bytes left, so corrupt lengths cannot make
/// us allocate huge buffers.
pub(crate) fn read_len(input: &mut &[u8]) -> Result<usize, DecodeError> {
    let len = read_varint(input)?;
    if len > input.len() as u64 {
        return Err(DecodeError(format!("length {len} exceeds the {} bytes left", input.len())));
    }
    Ok(len as usize)
}

/// Appends a length-prefixed byte string.
#[inline]
pub fn write_bytes(bytes: &[u8], out: &mut Vec<u8>) {
    write_varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}

/// Reads a length-prefixed byte string.
pub fn read_bytes<'a>(input: &mut &'a [u8]) -> Result<&'a [u8], DecodeError> {
    let len = read_len(input)?;
    take(input, len)
}

/// Encodes an `i64` so that byte order equals numeric order (sign bit flipped, big-endian).
pub fn i64_to_ordered(value: i64) -> [u8; 8] {
    ((value as u64) ^ (1 << 63)).to_be_bytes()
}

/// Inverse of [`i64_to_ordered`].
pub fn i64_from_ordered(bytes: [u8; 8]) -> i64 {
    (u64::from_be_bytes(bytes) ^ (1 << 63)) as i64
}

macro_rules! unsigned_codec {
    ($($t:ty),*) => {$(
        impl StateCodec for $t {
            #[inline]
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_be_bytes());
            }
            #[inline]
            fn decode(input: &mut &[u8]) -> Result<Self, DecodeError> {
                let bytes = take(input, std::mem::size_of::<$t>())?;
                let mut buf = [0u8; std::mem::size_of::<$t>()];
                buf.copy_from_slice(bytes);
                Ok(<$t>::from_be_bytes(buf))
            }
        }
    )*};
}

macro_rules! signed_codec {
    ($($t:ty => $u:ty),*) => {$(
        impl StateCodec for $t {
            #[inline]
            fn encode(&self, out: &mut Vec<u8>) {
                let flipped = (*self as $u) ^ (1 << (<$u>::BITS - 1));
                out.extend_from_slice(&flipped.to_be_bytes());
            }
            #[inline]
            fn decode(input: &mut &[u8]) -> Result<Self, DecodeError> {
                let flipped = <$u as StateCodec>::decode(input)?;
                Ok((flipped ^ (1 << (<$u>::BITS - 1))) as $t)
            }
        }
    )*};
}

unsigned_codec!(u8, u16, u32, u64, u128);
signed_codec!(i8 => u8, i16 => u16, i32 => u32, i64 => u64, i128 => u128);

/// A [`StateCodec`] whose encoding orders as the values do: `a < b` exactly when
/// `encode(a) < encode(b)` byte-wise. Range reads over encoded keys
/// ([`crate::MapState::range`]) need it to mean what their bounds say.
///
/// Contract of an implementation: the encoding is order-preserving as above and prefix-free
/// (no value's encoding is a proper prefix of another's), so that composing encodings (tuples)
/// keeps both properties.
pub trait OrderedCodec: StateCodec + Ord {}

macro_rules! ordered_codec {
    ($($t:ty),*) => {$(impl OrderedCodec for $t {})*};
}

ordered_codec!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, bool, ());

impl StateCodec for usize {
    fn encode(&self, out: &mut Vec<u8>) {
        (*self as u64).encode(out);
    }
    fn decode(input: &mut &[u8]) -> Result<Self, DecodeError> {
        let v = u64::decode(input)?;
        usize::try_from(v).map_err(|_| DecodeError(format!("{v} does not fit in usize")))
    }
}

impl StateCodec for f64 {
    /// Total-order encoding: byte order equals `f64::total_cmp` order.
    fn encode(&self, out: &mut Vec<u8>) {
        let bits = self.to_bits();
        let ordered = if bits >> 63 == 1 { !bits } else { bits | (1 << 63) };
        out.extend_from_slice(&ordered.to_be_bytes());
    }
    fn decode(input: &mut &[u8]) -> Result<Self, DecodeError> {
        let ordered = u64::decode(input)?;
        let bits = if ordered >> 63 == 1 { ordered & !(1 << 63) } else { !ordered };
        Ok(f64::from_bits(bits))
    }
}

impl StateCodec for bool {
    #[inline]
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
    #[inline]
    fn decode(input: &mut &[u8]) -> Result<Self, DecodeError> {
        match take(input, 1)?[0] {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(DecodeError(format!("invalid bool byte {b}"))),
        }
    }
}

impl StateCodec for () {
    fn encode(&self, _out: &mut Vec<u8>) {}
    fn decode(_input: &mut &[u8]) -> Result<Self, DecodeError> {
        Ok(())
    }
}

impl StateCodec for String {
    fn encode(&self, out: &mut Vec<u8>) {
        write_bytes(self.as_bytes(), out);
    }
    fn decode(input: &mut &[u8]) -> Result<Self, DecodeError> {
        let bytes = read_bytes(input)?;
        String::from_utf8(bytes.to_vec()).map_err(|e| DecodeError(format!("invalid UTF-8: {e}")))
    }
}

impl<T: StateCodec> StateCodec for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        write_varint(self.len() as u64, out);
        for item in self {
            item.encode(out);
        }
    }
    fn decode(input: &mut &[u8]) -> Result<Self, DecodeError> {
        // A corrupt count must not make us loop or allocate without bound: every element we
        // support takes at least one byte, except `()`, whose vectors are only allowed empty.
        let count = read_len(input)?;
        let mut items = Vec::with_capacity(count);
        for _ in 0..count {
            items.push(T::decode(input)?);
        }
        Ok(items)
    }
}

impl<T: StateCodec> StateCodec for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                v.encode(out);
            }
        }
    }
    #[inline]
    fn decode(input: &mut &[u8]) -> Result<Self, DecodeError> {
        match take(input, 1)?[0] {
            0 => Ok(None),
            1 => Ok(Some(T::decode(input)?)),
            b => Err(DecodeError(format!("invalid option tag {b}"))),
        }
    }
}

macro_rules! tuple_codec {
    ($($name:ident),+) => {
        impl<$($name: StateCodec),+> StateCodec for ($($name,)+) {
            #[allow(non_snake_case)]
            fn encode(&self, out: &mut Vec<u8>) {
                let ($($name,)+) = self;
                $($name.encode(out);)+
            }
            fn decode(input: &mut &[u8]) -> Result<Self, DecodeError> {
                Ok(($($name::decode(input)?,)+))
            }
        }
    };
}

tuple_codec!(A);
tuple_codec!(A, B);
tuple_codec!(A, B, C);
tuple_codec!(A, B, C, D);

// Tuples compare lexicographically, as the concatenation of prefix-free encodings does.
impl<A: OrderedCodec> OrderedCodec for (A,) {}
impl<A: OrderedCodec, B: OrderedCodec> OrderedCodec for (A, B) {}
impl<A: OrderedCodec, B: OrderedCodec, C: OrderedCodec> OrderedCodec for (A, B, C) {}
impl<A: OrderedCodec, B: OrderedCodec, C: OrderedCodec, D: OrderedCodec> OrderedCodec for (A, B, C, D) {}

/// `Option`'s order (`None` first) is its tag byte's.
impl<T: OrderedCodec> OrderedCodec for Option<T> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: StateCodec + PartialEq + std::fmt::Debug>(v: T) {
        let bytes = encode_to_vec(&v);
        assert_eq!(decode_exact::<T>(&bytes).unwrap(), v);
    }

    #[test]
    fn values_round_trip() {
        round_trip(0u64);
        round_trip(-5i64);
        round_trip(i64::MIN);
        round_trip(-0.5f64);
        round_trip(String::from("héllo"));
        round_trip(vec![1u8, 2, 3]);
        round_trip(Some((1i32, String::from("x"), false)));
        round_trip(Vec::<()>::new());
    }

    #[test]
    fn integers_and_floats_keep_order() {
        let ints = [i64::MIN, -3, -1, 0, 1, 7, i64::MAX];
        let enc: Vec<_> = ints.iter().map(encode_to_vec).collect();
        assert!(enc.windows(2).all(|w| w[0] < w[1]));
        let floats = [f64::NEG_INFINITY, -2.5, -0.0, 0.0, 1e-9, 3.0, f64::INFINITY];
        let enc: Vec<_> = floats.iter().map(encode_to_vec).collect();
        assert!(enc.windows(2).all(|w| w[0] < w[1]));
    }

    /// The `OrderedCodec` contract, checked on every pair of a sample that includes the extremes.
    fn assert_ordered<T: OrderedCodec + Clone + std::fmt::Debug>(values: &[T]) {
        for a in values {
            for b in values {
                let (ea, eb) = (encode_to_vec(a), encode_to_vec(b));
                assert_eq!(a.cmp(b), ea.cmp(&eb), "{a:?} against {b:?}");
                assert!(a == b || !eb.starts_with(&ea), "{a:?} encodes to a prefix of {b:?}");
            }
        }
    }

    #[test]
    fn ordered_codecs_order_as_their_values() {
        assert_ordered(&[i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX - 1, i64::MAX]);
        assert_ordered(&[i8::MIN, -1, 0, 1, i8::MAX]);
        assert_ordered(&[0u32, 1, 255, 256, u32::MAX]);
        assert_ordered(&[0usize, 1, usize::MAX]);
        assert_ordered(&[false, true]);
        assert_ordered(&[None, Some(i16::MIN), Some(0), Some(i16::MAX)]);
        assert_ordered(&[(i32::MIN, 5u8), (-1, 0), (-1, 255), (0, 0), (i32::MAX, 0)]);
        assert_ordered(&[(0i64, false, ()), (0, true, ()), (1, false, ())]);
    }

    #[test]
    fn corrupt_input_is_an_error_not_a_panic() {
        assert!(decode_exact::<u64>(&[1, 2]).is_err());
        assert!(decode_exact::<String>(&[200, 1, b'a']).is_err());
        assert!(decode_exact::<Vec<u64>>(&[0xff; 11]).is_err());
        assert!(decode_exact::<bool>(&[7]).is_err());
        assert!(decode_exact::<u8>(&[1, 2]).is_err());
    }
}
