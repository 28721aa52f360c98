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
//!
//! `loads_record` is the way back: it reads a pickle of plain values natively (those of
//! `dumps_record`, and `pickle.dumps`'s with their frames and memo marks) and hands any other
//! to `pickle.loads`; either way the value is `pickle.loads`'s.

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

/// `pickle.loads`, as it is looked up once.
static PICKLE_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The value the pickle `data` holds: read natively when it holds only plain values (as
/// [`dumps_record`] and `pickle.dumps` write them), by `pickle.loads` otherwise, so the result
/// is always `pickle.loads(data)`'s. `pickle.loads` makes an unpickler per call: for a small
/// record that costs more than reading it.
#[pyfunction]
pub fn loads_record<'py>(py: Python<'py>, data: &Bound<'py, PyBytes>) -> PyResult<Bound<'py, PyAny>> {
    if let Some(value) = read(py, data.as_bytes()) {
        return Ok(value);
    }
    let loads = PICKLE_LOADS.get_or_try_init(py, || -> PyResult<_> { Ok(py.import("pickle")?.getattr("loads")?.unbind()) })?;
    loads.bind(py).call1((data,))
}

/// The plain value `data` pickles, or None when it holds any other opcode (left to `pickle`).
fn read<'py>(py: Python<'py>, data: &[u8]) -> Option<Bound<'py, PyAny>> {
    let mut stack: Vec<Bound<'py, PyAny>> = Vec::with_capacity(4);
    let mut marks: Vec<usize> = Vec::new();
    let mut at = 0;
    let take = |at: &mut usize, n: usize| -> Option<&[u8]> {
        let bytes = data.get(*at..at.checked_add(n)?)?;
        *at += n;
        Some(bytes)
    };
    loop {
        let op = *take(&mut at, 1)?.first()?;
        let value = match op {
            0x80 => {
                take(&mut at, 1)?; // PROTO
                continue;
            }
            0x95 => {
                take(&mut at, 8)?; // FRAME: the length of what follows
                continue;
            }
            0x94 => continue, // MEMOIZE: only a later BINGET reads the memo, and that is left to pickle
            b'.' => return if stack.len() == 1 && marks.is_empty() && at == data.len() { stack.pop() } else { None },
            b'N' => py.None().into_bound(py),
            0x88 => PyBool::new(py, true).to_owned().into_any(),
            0x89 => PyBool::new(py, false).to_owned().into_any(),
            b'K' => take(&mut at, 1)?[0].into_pyobject(py).ok()?.into_any(),
            b'M' => u16::from_le_bytes(take(&mut at, 2)?.try_into().ok()?).into_pyobject(py).ok()?.into_any(),
            b'J' => i32::from_le_bytes(take(&mut at, 4)?.try_into().ok()?).into_pyobject(py).ok()?.into_any(),
            0x8a => {
                let n = usize::from(take(&mut at, 1)?[0]);
                let bytes = take(&mut at, n)?;
                if n == 0 || n > 8 {
                    return None;
                }
                // Sign-extend the little-endian two's complement.
                let fill = if bytes[n - 1] & 0x80 != 0 { 0xff } else { 0 };
                let mut full = [fill; 8];
                full[..n].copy_from_slice(bytes);
                i64::from_le_bytes(full).into_pyobject(py).ok()?.into_any()
            }
            b'G' => PyFloat::new(py, f64::from_be_bytes(take(&mut at, 8)?.try_into().ok()?)).into_any(),
            0x8c => {
                let n = usize::from(take(&mut at, 1)?[0]);
                PyString::new(py, std::str::from_utf8(take(&mut at, n)?).ok()?).into_any()
            }
            b'X' => {
                let n = usize::try_from(u32::from_le_bytes(take(&mut at, 4)?.try_into().ok()?)).ok()?;
                PyString::new(py, std::str::from_utf8(take(&mut at, n)?).ok()?).into_any()
            }
            b'C' => {
                let n = usize::from(take(&mut at, 1)?[0]);
                PyBytes::new(py, take(&mut at, n)?).into_any()
            }
            b'B' => {
                let n = usize::try_from(u32::from_le_bytes(take(&mut at, 4)?.try_into().ok()?)).ok()?;
                PyBytes::new(py, take(&mut at, n)?).into_any()
            }
            b'(' => {
                marks.push(stack.len());
                continue;
            }
            b')' => PyTuple::empty(py).into_any(),
            0x85..=0x87 => {
                let n = usize::from(op - 0x84);
                let items = stack.split_off(stack.len().checked_sub(n)?);
                PyTuple::new(py, items).ok()?.into_any()
            }
            b't' => {
                let from = marks.pop()?;
                let items = stack.split_off(from);
                PyTuple::new(py, items).ok()?.into_any()
            }
            _ => return None,
        };
        stack.push(value);
    }
}

/// Adds `dumps_record` and `loads_record` to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(dumps_record, m)?)?;
    m.add_function(wrap_pyfunction!(loads_record, m)?)
}
