//! `UNNEST(array_or_map) [WITH ORDINALITY]` as a table function of the plan's `flat_map`
//! node: one row per ARRAY element (column `EXPR$0`) or per MAP entry (`KEY`, `VALUE`), with
//! its 1-based place (`ORDINALITY`) when asked; a NULL or empty collection gives no rows.

use crate::types::{DataType, Field, Row, Value};

use super::error::EvalError;
use super::table_functions::{TableFunction, TableSignature};

/// The table function behind `UNNEST(..)`; `ordinality` adds the `ORDINALITY` column.
pub(crate) struct Unnest {
    /// `WITH ORDINALITY`.
    pub(crate) ordinality: bool,
}

/// The name the SQL planner calls `UNNEST(..) WITH ORDINALITY` by.
pub const UNNEST_WITH_ORDINALITY: &str = "$UNNEST_WITH_ORDINALITY";

impl TableFunction for Unnest {
    fn name(&self) -> &str {
        if self.ordinality { UNNEST_WITH_ORDINALITY } else { "UNNEST" }
    }

    fn signature(&self, arg_types: &[DataType]) -> Result<TableSignature, String> {
        let mut output = match arg_types {
            [DataType::Array(element)] => vec![Field::new("EXPR$0", **element)],
            [DataType::Map(kv)] => vec![Field::new("KEY", kv.0), Field::new("VALUE", kv.1)],
            _ => return Err("expects one ARRAY or MAP".into()),
        };
        if self.ordinality {
            output.push(Field::new("ORDINALITY", DataType::Int).with_nullable(false));
        }
        Ok(TableSignature { params: arg_types.to_vec(), output })
    }

    fn eval(&self, args: &[Value], out: &mut Vec<Row>) -> Result<(), EvalError> {
        let ordinal = |i: usize| self.ordinality.then(|| Value::Int(i as i32 + 1));
        match args.first() {
            Some(Value::Array(items)) => {
                out.extend(items.iter().enumerate().map(|(i, x)| Row::new(std::iter::once(x.clone()).chain(ordinal(i)).collect())));
            }
            Some(Value::Map(entries)) => {
                out.extend(entries.iter().enumerate().map(|(i, (k, v))| Row::new([k.clone(), v.clone()].into_iter().chain(ordinal(i)).collect())));
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unnests_arrays_and_maps() {
        let mut out = Vec::new();
        let array = Value::array(vec![Value::Int(5), Value::Null]);
        Unnest { ordinality: true }.eval(&[array], &mut out).unwrap_or_default();
        assert_eq!(out, vec![Row::new(vec![Value::Int(5), Value::Int(1)]), Row::new(vec![Value::Null, Value::Int(2)])]);
        out.clear();
        let map = Value::map(vec![(Value::string("a"), Value::Int(1))]);
        Unnest { ordinality: false }.eval(&[map, Value::Null], &mut out).unwrap_or_default();
        assert_eq!(out, vec![Row::new(vec![Value::string("a"), Value::Int(1)])]);
        out.clear();
        Unnest { ordinality: false }.eval(&[Value::Null], &mut out).unwrap_or_default();
        assert!(out.is_empty());
        assert!(Unnest { ordinality: false }.signature(&[DataType::Int]).is_err());
        let fields = Unnest { ordinality: true }.signature(&[DataType::map(DataType::String, DataType::Int)]).map(|s| s.output.len());
        assert_eq!(fields, Ok(3));
    }
}
