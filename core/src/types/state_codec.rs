//! Rows and values as keyed state: how the stateful operators store them in `weir-state`.
//!
//! A row is its bincode (serde) encoding behind a 4-byte big-endian length, so the encoding is
//! self-delimiting as [`StateCodec`] requires and rows can sit inside lists and tuples.

use weir_state::StateCodec;
use weir_state::codec::DecodeError;

use super::{Row, Value};

fn encode_serde<T: serde::Serialize>(value: &T, out: &mut Vec<u8>) {
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
    let truncated = || DecodeError(format!("truncated {what}"));
    let (len, rest) = input.split_first_chunk::<4>().ok_or_else(truncated)?;
    let len = u32::from_be_bytes(*len) as usize;
    if rest.len() < len {
        return Err(truncated());
    }
    let (body, rest) = rest.split_at(len);
    let value = bincode::deserialize(body).map_err(|e| DecodeError(format!("corrupt {what}: {e}")))?;
    *input = rest;
    Ok(value)
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
