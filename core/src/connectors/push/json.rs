//! Pushed JSON records as rows of a push table's schema.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::types::{DataType, Row, Schema, Value, value_from_json};

/// One JSON record as a row of `schema`; errors start with `, field "name": ...` or `: ...`.
pub(super) fn row_from_json(record: &serde_json::Value, schema: &Schema) -> Result<Row, String> {
    let null = serde_json::Value::Null;
    let values: Vec<&serde_json::Value> = match record {
        serde_json::Value::Object(map) => {
            if let Some(key) = map.keys().find(|k| schema.index_of(k).is_none()) {
                let hint = schema.closest_name(key).map(|c| format!(" (did you mean \"{c}\"?)")).unwrap_or_default();
                let names: Vec<&str> = schema.names().collect();
                return Err(format!(", field \"{key}\": no such column{hint}; columns: {}", names.join(", ")));
            }
            schema.fields.iter().map(|f| map.get(&f.name).unwrap_or(&null)).collect()
        }
        serde_json::Value::Array(items) if items.len() == schema.len() => items.iter().collect(),
        serde_json::Value::Array(items) => {
            return Err(format!(": has {} values but the table has {} columns ({})", items.len(), schema.len(), schema.names().collect::<Vec<_>>().join(", ")));
        }
        other => return Err(format!(": expected an object {{\"column\": value}} or an array of values, found {other}")),
    };
    let mut row = Vec::with_capacity(values.len());
    for (field, json) in schema.fields.iter().zip(values) {
        let value = value_from_json(json, &field.data_type).map_err(|e| format!(", field \"{}\": {e}", field.name))?;
        if value == Value::Null && !field.nullable {
            return Err(format!(", field \"{}\": is null (or missing) but the column is NOT NULL", field.name));
        }
        row.push(value);
    }
    Ok(Row::new(row))
}

/// A row as the push-input log stores it: a JSON array of its values in column order,
/// losslessly (integers, dates, timestamps and intervals as numbers, DOUBLE and FLOAT as the
/// shortest text that reads back to the same number, DECIMAL as text, BYTES in base64); read back by
/// [`row_from_log`].
pub(super) fn row_to_log(row: &Row) -> serde_json::Value {
    use serde_json::Value as J;
    let value = |v: &Value| match v {
        Value::Null => J::Null,
        Value::Boolean(b) => J::Bool(*b),
        Value::Int(n) | Value::Date(n) | Value::IntervalYearMonth(n) => J::from(*n),
        Value::BigInt(n) | Value::Timestamp(n) | Value::TimestampLtz(n) | Value::IntervalDayTime(n) => J::from(*n),
        Value::Double(d) => J::String(d.get().to_string()),
        Value::Float(f) => J::String(f.get().to_string()),
        Value::Bytes(b) => J::String(BASE64.encode(b)),
        other => J::String(other.to_string()),
    };
    J::Array(row.values().iter().map(value).collect())
}

/// A row of `schema` from its log form (see [`row_to_log`]).
pub(super) fn row_from_log(json: &serde_json::Value, schema: &Schema) -> Result<Row, String> {
    use serde_json::Value as J;
    let items = json.as_array().filter(|a| a.len() == schema.len()).ok_or_else(|| format!("not an array of {} values: {json}", schema.len()))?;
    let mut row = Vec::with_capacity(items.len());
    for (item, field) in items.iter().zip(&schema.fields) {
        let bad = |e: &dyn std::fmt::Display| format!("column \"{}\": {e}", field.name);
        row.push(match (item, field.data_type) {
            (J::String(s), DataType::Bytes) => Value::Bytes(BASE64.decode(s).map_err(|e| bad(&e))?.into()),
            (J::String(s), DataType::Double) => Value::double(s.parse::<f64>().map_err(|e| bad(&e))?),
            (J::String(s), DataType::Float) => Value::float(s.parse::<f32>().map_err(|e| bad(&e))?),
            (other, data_type) => value_from_json(other, &data_type).map_err(|e| bad(&e))?,
        });
    }
    Ok(Row::new(row))
}
