//! Values between Rust and Python: `Value` → Python object (int, float, str, bytes, bool,
//! `decimal.Decimal`, `datetime.date`/`datetime`, `timedelta`, `datetime.time`, None; ARRAY a list, MAP a dict),
//! and a Python object →
//! `Value` of a declared type, with errors that say what was found.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use weir_core::types::{DataType, Decimal, Row, Value, temporal};

/// Days from 0001-01-01 (Python's ordinal 1) to 1970-01-01.
const EPOCH_ORDINAL: i64 = 719_163;

/// The Python object for `value`.
pub fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Boolean(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Int(v) => PyInt::new(py, *v).into_any(),
        Value::BigInt(v) => PyInt::new(py, *v).into_any(),
        Value::Double(v) => PyFloat::new(py, v.get()).into_any(),
        // The exact double the float widens to, as PyFlink's float coder unpacks it.
        Value::Float(v) => PyFloat::new(py, f64::from(v.get())).into_any(),
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Bytes(b) => PyBytes::new(py, b).into_any(),
        Value::Decimal(d) => py.import("decimal")?.getattr("Decimal")?.call1((d.to_string(),))?,
        Value::Date(days) => py.import("datetime")?.getattr("date")?.call_method1("fromordinal", (i64::from(*days) + EPOCH_ORDINAL,))?,
        Value::Timestamp(ms) | Value::TimestampLtz(ms) => {
            let dt = py.import("datetime")?;
            let epoch = dt.getattr("datetime")?.call1((1970, 1, 1))?;
            let delta = dt.getattr("timedelta")?.call((), Some(&[("milliseconds", *ms)].into_py_dict(py)?))?;
            epoch.call_method1("__add__", (delta,))?
        }
        Value::IntervalDayTime(ms) => py.import("datetime")?.getattr("timedelta")?.call((), Some(&[("milliseconds", *ms)].into_py_dict(py)?))?,
        Value::IntervalYearMonth(months) => PyInt::new(py, *months).into_any(),
        Value::Time(ms) => {
            let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
            py.import("datetime")?.getattr("time")?.call1((h, rest / 60_000, rest / 1000 % 60, rest % 1000 * 1000))?
        }
        Value::Array(items) => PyList::new(py, items.iter().map(|v| to_py(py, v)).collect::<PyResult<Vec<_>>>()?)?.into_any(),
        Value::Map(entries) => {
            let dict = PyDict::new(py);
            for (k, v) in entries.iter() {
                dict.set_item(to_py(py, k)?, to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// A row as a Python tuple.
pub fn row_to_py<'py>(py: Python<'py>, row: &Row) -> PyResult<Bound<'py, PyTuple>> {
    let items = row.values().iter().map(|v| to_py(py, v)).collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, items)
}

/// Reads `obj` as a value of type `t`; `Err` carries a message naming the type.
pub fn from_py(obj: &Bound<'_, PyAny>, t: DataType) -> Result<Value, String> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    let bad = |what: &str| format!("cannot convert {} {what} to {t}", type_name(obj));
    let int = || -> Result<i64, String> {
        if obj.is_instance_of::<PyBool>() {
            return Err(bad("(a bool)"));
        }
        obj.extract::<i64>().map_err(|_| bad(&short_repr(obj)))
    };
    Ok(match t {
        DataType::Null => Value::Null,
        DataType::Boolean => Value::Boolean(obj.extract::<bool>().map_err(|_| bad(&short_repr(obj)))?),
        DataType::Int => Value::Int(i32::try_from(int()?).map_err(|_| format!("{} does not fit INT", short_repr(obj)))?),
        DataType::BigInt => Value::BigInt(int()?),
        DataType::Double => Value::double(obj.extract::<f64>().map_err(|_| bad(&short_repr(obj)))?),
        // Rounded to the nearest float, as PyFlink's float coder packs it.
        DataType::Float => Value::float(obj.extract::<f64>().map_err(|_| bad(&short_repr(obj)))? as f32),
        DataType::String => match obj.cast::<PyString>() {
            Ok(s) => Value::String(Arc::from(s.to_str().map_err(|e| e.to_string())?)),
            Err(_) => return Err(bad(&short_repr(obj))),
        },
        DataType::Bytes => match obj.cast::<PyBytes>() {
            Ok(b) => Value::Bytes(Arc::from(b.as_bytes())),
            Err(_) => return Err(bad(&short_repr(obj))),
        },
        DataType::Decimal { precision, scale } => {
            let text = obj.str().map_err(|e| e.to_string())?.to_string();
            let d = Decimal::parse(&text).and_then(|d| d.rescale(scale)).ok_or_else(|| bad(&text))?;
            if d.precision() > precision {
                return Err(format!("{text} does not fit {t}"));
            }
            Value::Decimal(d)
        }
        DataType::Date => {
            let ordinal: i64 = obj.call_method0("toordinal").and_then(|o| o.extract()).map_err(|_| bad(&short_repr(obj)))?;
            Value::Date(i32::try_from(ordinal - EPOCH_ORDINAL).map_err(|_| bad(&short_repr(obj)))?)
        }
        DataType::TimestampLtz if obj.hasattr("to_epoch_milli").unwrap_or(false) => {
            // `weir.common.time.Instant` (PyFlink's `Types.INSTANT()` values): an instant is a
            // TIMESTAMP_LTZ, as Flink maps `java.time.Instant`.
            Value::TimestampLtz(obj.call_method0("to_epoch_milli").and_then(|o| o.extract::<i64>()).map_err(|_| bad(&short_repr(obj)))?)
        }
        DataType::Timestamp | DataType::TimestampLtz => {
            let text = obj.call_method1("isoformat", (" ", "milliseconds")).map_err(|_| bad(&short_repr(obj)))?.to_string();
            let ms = temporal::parse_timestamp(&text).ok_or_else(|| bad(&text))?;
            if t == DataType::Timestamp { Value::Timestamp(ms) } else { Value::TimestampLtz(ms) }
        }
        DataType::IntervalDayTime => {
            let seconds: f64 = obj.call_method0("total_seconds").and_then(|o| o.extract()).map_err(|_| bad(&short_repr(obj)))?;
            Value::IntervalDayTime((seconds * 1000.0).round() as i64)
        }
        DataType::IntervalYearMonth => Value::IntervalYearMonth(i32::try_from(int()?).map_err(|_| bad(&short_repr(obj)))?),
        DataType::Time(p) => {
            let field = |name: &str| obj.getattr(name).and_then(|v| v.extract::<i32>()).map_err(|_| bad(&short_repr(obj)));
            let ms = ((field("hour")? * 60 + field("minute")?) * 60 + field("second")?) * 1000 + field("microsecond")? / 1000;
            Value::Time(temporal::truncate_time(ms, p))
        }
        DataType::Array(element) => {
            if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyDict>() {
                return Err(bad(&short_repr(obj)));
            }
            let items = obj.try_iter().map_err(|_| bad(&short_repr(obj)))?;
            let values = items.map(|item| item.map_err(|e| e.to_string()).and_then(|item| from_py(&item, *element))).collect::<Result<Vec<_>, _>>()?;
            Value::array(values)
        }
        DataType::Map((key, value)) => {
            let dict = obj.cast::<PyDict>().map_err(|_| bad(&short_repr(obj)))?;
            let mut entries = Vec::with_capacity(dict.len());
            for (k, v) in dict.iter() {
                entries.push((from_py(&k, *key)?, from_py(&v, *value)?));
            }
            Value::map(entries)
        }
        DataType::Multiset(element) => {
            // A MULTISET arrives as PyFlink gives one: a dict of element -> count.
            let dict = obj.cast::<PyDict>().map_err(|_| bad(&short_repr(obj)))?;
            let mut entries = Vec::with_capacity(dict.len());
            for (k, n) in dict.iter() {
                let count = n.extract::<i32>().map_err(|_| bad(&short_repr(&n)))?;
                entries.push((from_py(&k, *element)?, Value::Int(count)));
            }
            Value::map(entries)
        }
    })
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".into())
}

fn short_repr(obj: &Bound<'_, PyAny>) -> String {
    let text = obj.repr().map(|r| r.to_string()).unwrap_or_else(|_| "<unprintable>".into());
    if text.chars().count() > 60 { format!("{}...", text.chars().take(57).collect::<String>()) } else { text }
}
