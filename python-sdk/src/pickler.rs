//! `dumps_record`: a DataStream record's bytes (`records.py`), written natively when the record
//! is made of Python's plain values and by `pickle.dumps` otherwise. Either way the bytes are a
//! pickle that `pickle.loads` reads back, so every reader (window functions, process functions,
//! checkpoints written before) stays as it is. `pickle.dumps` makes a pickler, a frame and a
//! memo per call: for a tuple of three ints it costs about three times the native path.
//!
//! Plain values are exact `None`, `bool`, `int` (64-bit), `float`, `str` (valid UTF-8: no lone
//! surrogates), `bytes` and tuples of them, nested at most [`MAX_DEPTH`] deep; subclasses
//! (named tuples, `Row`, enums) and everything else go to `pickle`. Unlike `pickle.dumps`, the
//! native path keeps no memo, so a tuple holding one object twice reads back as two equal
//! objects: records are values, and plain values are immutable.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyInt, PyString, PyTuple};

/// Deepest tuple nesting written natively.
const MAX_DEPTH: usize = 16;

/// `pickle.dumps` and the protocol it is called with (`records.PROTOCOL`: the highest).
static PICKLE_DUMPS: PyOnceLock<(Py<PyAny>, Py<PyAny>)> = PyOnceLock::new();

/// `value`'s record bytes (see the module).
#[pyfunction]
pub fn dumps_record<'py>(py: Python<'py>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    let mut out = Vec::with_capacity(32);
    out.extend_from_slice(&[0x80, 4]); // PROTO 4
    if write(value, &mut out, 0) {
        out.push(b'.'); // STOP
        return Ok(PyBytes::new(py, &out));
    }
    let (dumps, protocol) = PICKLE_DUMPS.get_or_try_init(py, || -> PyResult<_> {
        let pickle = py.import("pickle")?;
        Ok((pickle.getattr("dumps")?.unbind(), pickle.getattr("HIGHEST_PROTOCOL")?.unbind()))
    })?;
    Ok(dumps.bind(py).call1((value, protocol.bind(py)))?.cast_into::<PyBytes>()?)
}

/// Appends `value`'s pickle opcodes to `out`; false (with `out` partly written) when it is not
/// a plain value.
fn write(value: &Bound<'_, PyAny>, out: &mut Vec<u8>, depth: usize) -> bool {
    if value.is_none() {
        out.push(b'N');
    } else if value.is_exact_instance_of::<PyBool>() {
        out.push(if value.is_truthy().unwrap_or(false) { 0x88 } else { 0x89 }); // NEWTRUE / NEWFALSE
    } else if value.is_exact_instance_of::<PyInt>() {
        let Ok(n) = value.extract::<i64>() else { return false };
        write_int(n, out);
    } else if value.is_exact_instance_of::<PyFloat>() {
        let Ok(f) = value.extract::<f64>() else { return false };
        out.push(b'G'); // BINFLOAT, big-endian
        out.extend_from_slice(&f.to_be_bytes());
    } else if let Ok(s) = value.cast_exact::<PyString>() {
        let Ok(text) = s.to_str() else { return false };
        return write_sized(out, text.as_bytes(), 0x8c, b'X'); // SHORT_BINUNICODE / BINUNICODE
    } else if let Ok(b) = value.cast_exact::<PyBytes>() {
        return write_sized(out, b.as_bytes(), b'C', b'B'); // SHORT_BINBYTES / BINBYTES
    } else if let Ok(t) = value.cast_exact::<PyTuple>() {
        if depth >= MAX_DEPTH {
            return false;
        }
        let n = t.len();
        if n > 3 {
            out.push(b'('); // MARK
        }
        for item in t.iter() {
            if !write(&item, out, depth + 1) {
                return false;
            }
        }
        out.push(match n {
            0 => b')', // EMPTY_TUPLE
            1 => 0x85, // TUPLE1
            2 => 0x86, // TUPLE2
            3 => 0x87, // TUPLE3
            _ => b't', // TUPLE (since the MARK)
        });
    } else {
        return false;
    }
    true
}

/// An int as pickle writes it: BININT1, BININT2, BININT (signed 32 bits) or LONG1.
fn write_int(n: i64, out: &mut Vec<u8>) {
    if let Ok(small) = u8::try_from(n) {
        out.extend_from_slice(&[b'K', small]);
    } else if let Ok(short) = u16::try_from(n) {
        out.push(b'M');
        out.extend_from_slice(&short.to_le_bytes());
    } else if let Ok(int) = i32::try_from(n) {
        out.push(b'J');
        out.extend_from_slice(&int.to_le_bytes());
    } else {
        // LONG1: the shortest little-endian two's complement bytes.
        let bytes = n.to_le_bytes();
        let mut len = 8;
        while len > 1 {
            let (last, next) = (bytes[len - 1], bytes[len - 2]);
            if (last == 0 && next & 0x80 == 0) || (last == 0xff && next & 0x80 != 0) {
                len -= 1;
            } else {
                break;
            }
        }
        out.extend_from_slice(&[0x8a, len as u8]);
        out.extend_from_slice(&bytes[..len]);
    }
}

/// A length-prefixed string or bytes: `short` with a one-byte length under 256 bytes, `long`
/// with a four-byte one otherwise; false from 4 GiB on (left to `pickle`'s 8-byte forms).
fn write_sized(out: &mut Vec<u8>, data: &[u8], short: u8, long: u8) -> bool {
    if let Ok(len) = u8::try_from(data.len()) {
        out.extend_from_slice(&[short, len]);
    } else if let Ok(len) = u32::try_from(data.len()) {
        out.push(long);
        out.extend_from_slice(&len.to_le_bytes());
    } else {
        return false;
    }
    out.extend_from_slice(data);
    true
}

/// Adds `dumps_record` to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(dumps_record, m)?)
}
