//! Reading a value of a given type from a JSON scalar (VALUES rows, JSON records, typed
//! literals) and writing values as JSON.

use std::sync::Arc;

use super::data_type::DataType;
use super::decimal::Decimal;
use super::parse::parse_value;
use super::value::Value;

/// Reads `json` as a value of type `data_type`: JSON numbers for numeric columns (an integer
/// for INT/BIGINT), strings for everything (parsed as `CAST(s AS t)` would), booleans,
/// `null` for NULL. Errors say what was found.
pub fn value_from_json(json: &serde_json::Value, data_type: &DataType) -> Result<Value, String> {
    use serde_json::Value as J;
    let mismatch = || format!("cannot read {json} as {data_type}");
    Ok(match (json, data_type) {
        (J::Null, _) => Value::Null,
        (J::String(s), DataType::String) => Value::String(Arc::from(s.as_str())),
        (J::String(s), t) => parse_value(s, t).map_err(|e| e.to_string())?,
        (J::Bool(b), DataType::Boolean) => Value::Boolean(*b),
        (J::Number(n), DataType::Int) => Value::Int(n.as_i64().and_then(|v| i32::try_from(v).ok()).ok_or_else(mismatch)?),
        (J::Number(n), DataType::BigInt) => Value::BigInt(n.as_i64().ok_or_else(mismatch)?),
        (J::Number(n), DataType::Double) => Value::double(n.as_f64().ok_or_else(mismatch)?),
        (J::Number(n), DataType::Decimal { precision, scale }) => {
            let d = Decimal::parse(&n.to_string()).and_then(|d| d.rescale(*scale)).ok_or_else(mismatch)?;
            if d.precision() > *precision {
                return Err(format!("{n} does not fit {data_type}"));
            }
            Value::Decimal(d)
        }
        (J::Number(n), DataType::TimestampLtz | DataType::Timestamp) => {
            let ms = n.as_i64().ok_or_else(mismatch)?;
            if *data_type == DataType::Timestamp { Value::Timestamp(ms) } else { Value::TimestampLtz(ms) }
        }
        (J::Number(n), DataType::String) => Value::String(Arc::from(n.to_string().as_str())),
        (J::Bool(b), DataType::String) => Value::String(Arc::from(b.to_string().as_str())),
        _ => return Err(mismatch()),
    })
}

/// A value as JSON: numbers as numbers (DECIMAL as a string to keep its digits), everything
/// else as its printed text, NULL as `null`.
pub fn value_to_json(value: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::Null => J::Null,
        Value::Boolean(b) => J::Bool(*b),
        Value::Int(v) => J::from(*v),
        Value::BigInt(v) => J::from(*v),
        Value::Double(v) => serde_json::Number::from_f64(v.get()).map(J::Number).unwrap_or_else(|| J::String(value.to_string())),
        other => J::String(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_scalars_by_type() {
        assert_eq!(value_from_json(&json!(5), &DataType::Int), Ok(Value::Int(5)));
        assert_eq!(value_from_json(&json!("5"), &DataType::BigInt), Ok(Value::BigInt(5)));
        assert_eq!(value_from_json(&json!(null), &DataType::Date), Ok(Value::Null));
        assert!(value_from_json(&json!(5000000000i64), &DataType::Int).is_err());
        assert!(value_from_json(&json!(true), &DataType::BigInt).is_err());
        assert_eq!(value_from_json(&json!(1.5), &DataType::Decimal { precision: 4, scale: 2 }).map(|v| v.to_string()), Ok("1.50".into()));
    }
}
