//! `aggregate`: GROUP BY keys with COUNT, SUM, MIN, MAX, AVG (optionally DISTINCT or
//! FILTERed). Built on differential's `reduce`, which re-derives a group's result from its
//! current values whenever they change, so MIN and MAX stay right under retractions.

use std::collections::BTreeSet;

use crate::expr::CompiledExpr;
use crate::plan::{AggregateFunction, BoundAggregate};
use crate::types::{DataType, Decimal, Row, Value};

use super::{Evaluator, Rows};

/// One aggregate, ready to run: which slot of the value row it reads.
#[derive(Clone, Debug)]
pub struct AggregateSlot {
    function: AggregateFunction,
    /// Position of its argument in the value row (`None` for an unfiltered COUNT(*)).
    slot: Option<usize>,
    distinct: bool,
    output_type: DataType,
}

/// Builds the per-row value extraction and the per-aggregate slots. Plain-column arguments
/// that repeat (`SUM(price), MAX(price)`) share one slot, so the value row stays small.
fn plan_slots(aggregates: &[BoundAggregate]) -> (Vec<SlotSource>, Vec<AggregateSlot>) {
    let mut sources: Vec<SlotSource> = Vec::new();
    let mut slots = Vec::new();
    for a in aggregates {
        let source = match (&a.arg, &a.filter) {
            (None, None) => None,
            (None, Some(f)) => Some(SlotSource { arg: None, filter: Some(f.compile()), column: None }),
            (Some(arg), filter) => Some(SlotSource { arg: Some(arg.compile()), filter: filter.as_ref().map(|f| f.compile()), column: arg.as_column().filter(|_| filter.is_none()) }),
        };
        let slot = source.map(|s| match s.column.and_then(|c| sources.iter().position(|o| o.column == Some(c))) {
            Some(shared) => shared,
            None => {
                sources.push(s);
                sources.len() - 1
            }
        });
        slots.push(AggregateSlot { function: a.function, slot, distinct: a.distinct, output_type: a.output_type });
    }
    (sources, slots)
}

/// How one value-row slot is computed from an input row.
struct SlotSource {
    /// The argument; `None` for a filtered COUNT(*), whose slot is TRUE when the row counts.
    arg: Option<CompiledExpr>,
    /// A FILTER clause: when not TRUE the slot is NULL (ignored by every aggregate).
    filter: Option<CompiledExpr>,
    /// The input column, when the argument is a plain unfiltered column (for sharing).
    column: Option<usize>,
}

/// Groups `input` by `group_by` and computes `aggregates` per group. Output rows are the key
/// columns followed by the aggregate values. With no keys, a single row is produced even for
/// empty input (COUNT 0, others NULL), as SQL requires of a global aggregate.
pub fn aggregate<'s>(input: Rows<'s>, group_by: Vec<CompiledExpr>, aggregates: &[BoundAggregate], seed: Option<Rows<'s>>, eval: Evaluator) -> Rows<'s> {
    let (sources, slots) = plan_slots(aggregates);
    let keyed = input.flat_map(move |row| {
        let key = eval.eval_row(&group_by, &row)?;
        let mut values = Vec::with_capacity(sources.len());
        for s in &sources {
            let passes = match &s.filter {
                Some(f) => matches!(eval.eval(f, &row)?, Value::Boolean(true)),
                None => true,
            };
            values.push(match (&s.arg, passes) {
                (_, false) => Value::Null,
                (None, true) => Value::Boolean(true),
                (Some(a), true) => eval.eval(a, &row)?,
            });
        }
        Some((key, Row::new(values)))
    });
    // The seed is one marker value (an empty row) under the empty key, so a global aggregate
    // has a group even when the input is empty; the reduction skips it.
    let keyed = match seed {
        Some(seed) => keyed.concat(seed.map(|_| (Row::empty(), Row::empty()))),
        None => keyed,
    };
    keyed
        .reduce_named("Aggregate", move |_key, vals: &[(&Row, isize)], out: &mut Vec<(Row, isize)>| {
            let vals: Vec<(&Row, isize)> = vals.iter().filter(|(v, r)| !v.is_empty() && *r > 0).map(|(v, r)| (*v, *r)).collect();
            out.push((Row::new(slots.iter().map(|s| compute(s, &vals)).collect()), 1));
        })
        .map(|(key, values)| key.concat(&values))
}

/// One aggregate over a group's current values (each with its multiplicity).
fn compute(agg: &AggregateSlot, vals: &[(&Row, isize)]) -> Value {
    let Some(slot) = agg.slot else {
        return Value::BigInt(vals.iter().map(|(_, r)| *r as i64).sum());
    };
    let present = vals.iter().map(|(v, r)| (v.get(slot), *r)).filter(|(v, _)| !v.is_null());
    let items: Vec<(&Value, isize)> = if agg.distinct {
        present.map(|(v, _)| v).collect::<BTreeSet<_>>().into_iter().map(|v| (v, 1)).collect()
    } else {
        present.collect()
    };
    match agg.function {
        AggregateFunction::Count => Value::BigInt(items.iter().map(|(_, r)| *r as i64).sum()),
        AggregateFunction::Min => items.iter().map(|(v, _)| *v).min().cloned().unwrap_or(Value::Null),
        AggregateFunction::Max => items.iter().map(|(v, _)| *v).max().cloned().unwrap_or(Value::Null),
        AggregateFunction::Sum => sum(&items, agg.output_type).unwrap_or(Value::Null),
        AggregateFunction::Avg => average(&items, agg.output_type).unwrap_or(Value::Null),
    }
}

/// SUM with the output type's arithmetic: INT and BIGINT wrap as Java's do (Flink's
/// behaviour), DOUBLE adds floats, DECIMAL adds exactly. `None` for no values.
fn sum(items: &[(&Value, isize)], output: DataType) -> Option<Value> {
    if items.is_empty() {
        return None;
    }
    Some(match output {
        DataType::Int => Value::Int(items.iter().fold(0i32, |acc, (v, r)| acc.wrapping_add((v.as_i64().unwrap_or(0) as i32).wrapping_mul(*r as i32)))),
        DataType::BigInt => Value::BigInt(items.iter().fold(0i64, |acc, (v, r)| acc.wrapping_add(v.as_i64().unwrap_or(0).wrapping_mul(*r as i64)))),
        DataType::Double => Value::double(items.iter().map(|(v, r)| v.as_f64().unwrap_or(0.0) * *r as f64).sum()),
        DataType::Decimal { scale, .. } => Value::Decimal(Decimal::new(decimal_total(items, scale)?, scale)),
        _ => return None,
    })
}

fn decimal_total(items: &[(&Value, isize)], scale: u8) -> Option<i128> {
    items.iter().try_fold(0i128, |acc, (v, r)| match v {
        Value::Decimal(d) => acc.checked_add(d.rescale(scale)?.mantissa.checked_mul(*r as i128)?),
        _ => Some(acc),
    })
}

/// AVG: integer averages truncate toward zero (Flink's AVG of INT is an INT).
fn average(items: &[(&Value, isize)], output: DataType) -> Option<Value> {
    let count: i64 = items.iter().map(|(_, r)| *r as i64).sum();
    if count <= 0 {
        return None;
    }
    Some(match output {
        DataType::Int | DataType::BigInt => {
            let total: i128 = items.iter().map(|(v, r)| i128::from(v.as_i64().unwrap_or(0)) * *r as i128).sum();
            let avg = total / i128::from(count);
            if output == DataType::Int { Value::Int(avg as i32) } else { Value::BigInt(avg as i64) }
        }
        DataType::Double => Value::double(items.iter().map(|(v, r)| v.as_f64().unwrap_or(0.0) * *r as f64).sum::<f64>() / count as f64),
        DataType::Decimal { scale, .. } => {
            let total = decimal_total(items, scale)?;
            let c = i128::from(count);
            let (q, rem) = (total / c, total % c);
            let q = if rem.abs() * 2 >= c { q + total.signum() } else { q };
            Value::Decimal(Decimal::new(q, scale))
        }
        _ => return None,
    })
}
