//! Rows and values as keyed state: how the stateful operators store them in `weir-state`.
//!
//! A row is its bincode (serde) encoding behind a 4-byte big-endian length, so the encoding is
//! self-delimiting as [`StateCodec`] requires and rows can sit inside lists and tuples.

use bincode::Options;
use weir_state::StateCodec;
use weir_state::codec::DecodeError;

use super::{Row, Value};

fn encode_serde<T: serde::Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    // Serializing plain data into a Vec cannot fail; an empty body would fail to decode loudly.
    if bincode::serialize_into(&mut *out, value).is_err() {
        out.truncate(start + 4);
    }
    let len = u32::try_from(out.len() - start - 4).unwrap_or(u32::MAX);
    out[start..start + 4].copy_from_slice(&len.to_be_bytes());
}

fn decode_serde<T: serde::de::DeserializeOwned>(input: &mut &[u8], what: &str) -> Result<T, DecodeError> {
    let (body, rest) = framed(input, what)?;
    let value = bincode::deserialize(body).map_err(|e| DecodeError(format!("corrupt {what}: {e}")))?;
    *input = rest;
    Ok(value)
}

/// Splits the body of an encoding off `input` by its length: (body, what follows).
fn framed<'i>(input: &'i [u8], what: &str) -> Result<(&'i [u8], &'i [u8]), DecodeError> {
    let truncated = || DecodeError(format!("truncated {what}"));
    let (len, rest) = input.split_first_chunk::<4>().ok_or_else(truncated)?;
    let len = u32::from_be_bytes(*len) as usize;
    if rest.len() < len {
        return Err(truncated());
    }
    Ok(rest.split_at(len))
}

/// Appends the encoding of a row holding `values` (the bytes [`Row`]'s [`StateCodec::encode`]
/// writes) without building the row.
pub(crate) fn encode_row_values(values: &[Value], out: &mut Vec<u8>) {
    encode_serde(values, out)
}

/// Decodes a row encoded by [`Row`]'s [`StateCodec::encode`] into `values` (emptied first),
/// reusing its buffer rather than allocating a row.
pub(crate) fn decode_row_values(input: &mut &[u8], values: &mut Vec<Value>) -> Result<(), DecodeError> {
    let (body, rest) = framed(input, "row")?;
    values.clear();
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .allow_trailing_bytes()
        .deserialize_seed(ValuesInto(values), body)
        .map_err(|e| DecodeError(format!("corrupt row: {e}")))?;
    *input = rest;
    Ok(())
}

/// Deserializes a sequence of values by pushing them onto a vector.
struct ValuesInto<'v>(&'v mut Vec<Value>);

impl<'de> serde::de::DeserializeSeed<'de> for ValuesInto<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for ValuesInto<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a sequence of values")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(value) = seq.next_element()? {
            self.0.push(value);
        }
        Ok(())
    }
}

impl StateCodec for Row {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_serde(self, out)
    }

    fn decode(input: &mut &[u8]) -> Result<Self, DecodeError> {
        decode_serde(input, "row")
    }
}

impl StateCodec for Value {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_serde(self, out)
    }

    fn decode(input: &mut &[u8]) -> Result<Self, DecodeError> {
        decode_serde(input, "value")
    }
}

#[cfg(test)]
mod tests {
    use weir_state::codec::{decode_exact, encode_to_vec};

    use super::*;

    #[test]
    fn row_values_encode_and_decode_as_rows() {
        let rows = [Row::new(vec![Value::BigInt(-3), Value::string("a,b"), Value::Null, Value::double(1.5)]), Row::empty()];
        let mut values = vec![Value::BigInt(9)];
        for row in rows {
            let mut bytes = Vec::new();
            encode_row_values(row.values(), &mut bytes);
            assert_eq!(bytes, encode_to_vec(&row));
            bytes.push(7);
            let mut input = &bytes[..];
            decode_row_values(&mut input, &mut values).unwrap();
            assert_eq!((values.as_slice(), input), (row.values(), &[7u8][..]));
        }
        assert!(decode_row_values(&mut &[0, 0, 0, 9, 1][..], &mut values).is_err(), "truncated bytes are an error");
    }

    #[test]
    fn rows_round_trip_inside_lists() {
        let rows = vec![
            Row::new(vec![Value::BigInt(-3), Value::string("a,b"), Value::Null]),
            Row::empty(),
            Row::new(vec![Value::double(1.5), Value::Timestamp(1_700_000_000_000)]),
        ];
        let bytes = encode_to_vec(&rows);
        assert_eq!(decode_exact::<Vec<Row>>(&bytes), Ok(rows));
        assert!(decode_exact::<Vec<Row>>(&bytes[..bytes.len() - 1]).is_err(), "truncated bytes are an error");
    }
}
