//! Tests of the local combiner's group table against the general accumulators.

use super::*;
use crate::ops::accumulate::partials;
use crate::plan::AggregateFunction as F;

fn slots() -> Vec<AggregateSlot> {
    vec![
        AggregateSlot::new(F::Count, None, false, DataType::BigInt, false),
        AggregateSlot::new(F::Sum, Some(0), false, DataType::BigInt, false),
        AggregateSlot::new(F::Max, Some(0), false, DataType::BigInt, false),
        AggregateSlot::new(F::Min, Some(1), false, DataType::String, false),
        AggregateSlot::new(F::Avg, Some(0), false, DataType::BigInt, false),
        AggregateSlot::new(F::Min, Some(0), false, DataType::BigInt, false),
    ]
}

/// Folds `(key, slot values)` rows, each twice, through a table with keys of `key_type`, in
/// chunks; each group's partials as `key=partials`, sorted.
fn through_table(key_type: DataType, rows: &[(Value, [Value; 2])]) -> Vec<String> {
    let mut table = GroupTable::new(&slots(), &[key_type]);
    let mut chunk = RowChunk::new(1, 2);
    // Twice through one table: a drained table takes the groups of another time afresh.
    let rounds: Vec<Vec<String>> = (0..2)
        .map(|_| {
            for (k, v) in rows {
                let (keys, values) = chunk.buffers();
                keys.push(k.clone());
                values.extend(v.iter().cloned());
                chunk.push(2);
                if chunk.is_full() {
                    table.fold(&mut chunk);
                }
            }
            // A discarded row leaves nothing behind.
            let (keys, values) = chunk.buffers();
            keys.push(Value::Int(-1));
            values.push(Value::BigInt(1));
            chunk.discard();
            table.fold(&mut chunk);
            let mut out: Vec<String> = table.drain().into_iter().map(|(k, p)| format!("{k}={p}")).collect();
            out.sort();
            out
        })
        .collect();
    assert_eq!(rounds[0], rounds[1], "the second round, through the drained table");
    assert_eq!(table.len(), 0);
    rounds[0].clone()
}

/// The same through one general accumulator per aggregate and group.
fn reference(rows: &[(Value, [Value; 2])]) -> Vec<String> {
    let mut groups: Vec<(Value, Vec<Accumulator>)> = Vec::new();
    for (k, v) in rows {
        let at = match groups.iter().position(|(e, _)| e == k) {
            Some(at) => at,
            None => {
                groups.push((k.clone(), slots().iter().map(AggregateSlot::accumulator).collect()));
                groups.len() - 1
            }
        };
        for (acc, slot) in groups[at].1.iter_mut().zip(slots()) {
            acc.add(slot.input(v), 2);
        }
    }
    let mut out: Vec<String> = groups.iter().map(|(k, accs)| format!("{}={}", Row::new(vec![k.clone()]), partials(accs))).collect();
    out.sort();
    out
}

#[test]
fn groups_fold_as_the_general_accumulators_do() {
    let few = vec![
        (Value::Int(1), [Value::BigInt(5), Value::string("b")]),
        (Value::Int(2), [Value::Null, Value::Null]),
        (Value::Int(1), [Value::BigInt(-2), Value::string("a")]),
        (Value::Null, [Value::BigInt(9), Value::string("z")]),
        (Value::Int(1), [Value::Null, Value::string("c")]),
    ];
    // Enough groups to grow the table several times, and chunks with repeated keys.
    let many: Vec<(Value, [Value; 2])> =
        (0..5000i32).map(|i| (Value::Int((i * 7919) % 1300 - 650), [Value::BigInt(i64::from(i % 97) - 40), Value::string(&format!("s{}", i % 13))])).collect();
    for rows in [few, many] {
        let want = reference(&rows);
        for key_type in [DataType::Int, DataType::String] {
            assert_eq!(through_table(key_type, &rows), want, "keys of type {key_type}");
        }
    }
}

#[test]
fn integer_keys_come_back_with_their_type() {
    for (t, key) in [(DataType::Int, Value::Int(-7)), (DataType::BigInt, Value::BigInt(1 << 40))] {
        let mut table = GroupTable::new(&slots()[..1], &[t]);
        let mut chunk = RowChunk::new(1, 0);
        for k in [key.clone(), Value::Null, key.clone()] {
            chunk.buffers().0.push(k);
            chunk.push(1);
        }
        table.fold(&mut chunk);
        assert!(chunk.is_empty());
        let drained = table.drain();
        assert_eq!(drained, [(Row::new(vec![key]), Row::new(vec![Value::BigInt(2)])), (Row::new(vec![Value::Null]), Row::new(vec![Value::BigInt(1)]))]);
    }
}

/// Scalar aggregates only: a table that folds rows of integers.
fn integer_slots() -> Vec<AggregateSlot> {
    vec![
        AggregateSlot::new(F::Count, None, false, DataType::BigInt, false),
        AggregateSlot::new(F::Sum, Some(0), false, DataType::BigInt, false),
        AggregateSlot::new(F::Max, Some(0), false, DataType::BigInt, false),
        AggregateSlot::new(F::Min, Some(1), false, DataType::Int, false),
        AggregateSlot::new(F::Count, Some(1), false, DataType::BigInt, false),
        AggregateSlot::new(F::Max, Some(1), false, DataType::Int, false),
    ]
}

#[test]
fn rows_of_integers_fold_as_rows_of_values_do() {
    // Keys with NULLs among them, NULL values, extremes, wrapping sums, enough groups to grow.
    let rows: Vec<[Option<i64>; 3]> = (0..6000i64)
        .map(|i| {
            let key = (i % 11 != 3).then_some((i * 7919) % 1700 - 850);
            let v0 = (i % 5 != 1).then_some(if i % 997 == 0 { i64::MAX } else { i % 89 - 44 });
            let v1 = (i % 7 != 2).then_some(if i % 13 == 0 { i64::from(i32::MIN) } else { i % 31 - 15 });
            [key, v0, v1]
        })
        .collect();
    let value = |v: Option<i64>, int32: bool| match v {
        None => Value::Null,
        Some(v) if int32 => Value::Int(v as i32),
        Some(v) => Value::BigInt(v),
    };
    for key_type in [DataType::Int, DataType::BigInt] {
        let mut general = GroupTable::new(&integer_slots(), &[key_type]);
        let mut integers = GroupTable::new(&integer_slots(), &[key_type]);
        assert!(integers.folds_integers() && !GroupTable::new(&slots(), &[key_type]).folds_integers());
        let mut chunk = RowChunk::new(1, 2);
        let mut batch = IntegerRows::new(3);
        for (i, row) in rows.iter().enumerate() {
            let (keys, values) = chunk.buffers();
            keys.push(value(row[0], key_type == DataType::Int));
            values.extend([value(row[1], false), value(row[2], true)]);
            chunk.push(1);
            if chunk.is_full() {
                general.fold(&mut chunk);
            }
            let nulls = row.iter().enumerate().filter(|(_, v)| v.is_none()).fold(0, |bits, (c, _)| bits | 1 << c);
            batch.push(&row.map(|v| v.unwrap_or(0)), nulls);
            if batch.len() == 100 + i % 7 {
                integers.fold_integers(&batch);
                batch.clear();
            }
        }
        general.fold(&mut chunk);
        integers.fold_integers(&batch);
        let sorted = |mut table: GroupTable| {
            let mut out: Vec<String> = table.drain().into_iter().map(|(k, p)| format!("{k}={p}")).collect();
            out.sort();
            out
        };
        assert_eq!(sorted(integers), sorted(general), "keys of type {key_type}");
    }
}

/// A key of several integer-like values (a window aggregate's `(auction, window_start,
/// window_end)`): folded as words, the same groups and partials as the general accumulators,
/// with NULLs in any position and values at both ends of each type's range.
#[test]
fn keys_of_several_integer_values_fold_as_the_general_accumulators_do() {
    let types = [DataType::BigInt, DataType::Timestamp, DataType::Int, DataType::Date];
    let key = |i: i64| -> Vec<Value> {
        let pick = |v: Value| if i % 11 == 3 { Value::Null } else { v };
        vec![
            pick(Value::BigInt([i64::MIN, i64::MAX, i % 40][(i % 3) as usize])),
            Value::Timestamp(1_700_000_000_000 + (i % 7) * 10_000),
            if i % 13 == 5 { Value::Null } else { Value::Int(i32::MIN + (i % 2) as i32) },
            Value::Date((i % 5) as i32 - 2),
        ]
    };
    let rows: Vec<(Vec<Value>, [Value; 2])> =
        (0..4000i64).map(|i| (key(i * 7919 % 2311), [Value::BigInt(i % 97 - 40), Value::string(&format!("s{}", i % 13))])).collect();
    let run = |types: &[DataType]| {
        let mut table = GroupTable::new(&slots(), types);
        let mut chunk = RowChunk::new(types.len(), 2);
        for (k, v) in &rows {
            let (keys, values) = chunk.buffers();
            keys.extend(k.iter().cloned());
            values.extend(v.iter().cloned());
            chunk.push(1);
            if chunk.is_full() {
                table.fold(&mut chunk);
            }
        }
        table.fold(&mut chunk);
        let mut out: Vec<String> = table.drain().into_iter().map(|(k, p)| format!("{k}={p}")).collect();
        out.sort();
        out
    };
    let mut groups: Vec<(Vec<Value>, Vec<Accumulator>)> = Vec::new();
    for (k, v) in &rows {
        let at = groups.iter().position(|(e, _)| e == k).unwrap_or_else(|| {
            groups.push((k.clone(), slots().iter().map(AggregateSlot::accumulator).collect()));
            groups.len() - 1
        });
        for (acc, slot) in groups[at].1.iter_mut().zip(slots()) {
            acc.add(slot.input(v), 1);
        }
    }
    let mut want: Vec<String> = groups.iter().map(|(k, accs)| format!("{}={}", Row::new(k.clone()), partials(accs))).collect();
    want.sort();
    assert!(matches!(Keys::of(&types), Keys::Words(_)));
    assert_eq!(run(&types), want);
    // A STRING among them takes the general path.
    let mut general = types.to_vec();
    general.push(DataType::String);
    assert!(matches!(Keys::of(&general), Keys::General(_)));
}
