//! The order Flink prints a MAP's (or MULTISET's) entries in: Flink converts a map to a
//! `java.util.HashMap` before printing it, so its entries come in that hash table's order —
//! by bucket (the key's Java `hashCode`, spread as `HashMap.hash` does, masked by the table
//! size), and by insertion within a bucket. The table has 16 buckets and doubles whenever it
//! holds more than three quarters of that many entries.
//!
//! Keys are hashed as their Java value types hash (`String`, `Integer`, `Long`, `Boolean`,
//! `Double`, `Float`, `BigDecimal`, `LocalDate`, `LocalTime`, `LocalDateTime`); a map with a
//! key of another type (BYTES, a collection, an interval, TIMESTAMP_LTZ) keeps its own order,
//! as there Java's hash is an object's identity or not worth imitating.

use super::Value;

/// The positions of `entries` in Flink's printing order, `None` when a key has no Java hash
/// Weir imitates.
pub fn print_order(entries: &[(Value, Value)]) -> Option<Vec<usize>> {
    let hashes: Vec<i32> = entries.iter().map(|(k, _)| java_hash(k)).collect::<Option<_>>()?;
    let mut buckets: usize = 16;
    while entries.len() * 4 > buckets * 3 {
        buckets *= 2;
    }
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| {
        let h = hashes[i] as u32;
        (h ^ (h >> 16)) as usize & (buckets - 1)
    });
    Some(order)
}

/// Java's `hashCode` of the value Flink hands over for `v`, if Weir imitates it.
fn java_hash(v: &Value) -> Option<i32> {
    Some(match v {
        Value::Null => 0,
        Value::Boolean(b) => {
            if *b {
                1231
            } else {
                1237
            }
        }
        Value::Int(i) => *i,
        Value::BigInt(i) => long_hash(*i),
        Value::String(s) => s.encode_utf16().fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c))),
        Value::Double(d) => {
            let v = d.get();
            long_hash(if v.is_nan() { 0x7ff8_0000_0000_0000 } else { v.to_bits() as i64 })
        }
        Value::Float(f) => {
            let v = f.get();
            if v.is_nan() { 0x7fc0_0000 } else { v.to_bits() as i32 }
        }
        Value::Decimal(d) => {
            // BigDecimal: 31 * unscaled.hashCode() + scale, the BigInteger's hash over its
            // magnitude's 32-bit words (most significant first) times its sign.
            let magnitude = d.mantissa.unsigned_abs();
            let words = (0..4).rev().map(|i| (magnitude >> (32 * i)) as u32).skip_while(|w| *w == 0);
            let h = words.fold(0i32, |h, w| h.wrapping_mul(31).wrapping_add(w as i32));
            let signed = if d.mantissa < 0 { h.wrapping_neg() } else { h };
            signed.wrapping_mul(31).wrapping_add(i32::from(d.scale))
        }
        Value::Date(days) => local_date_hash(i64::from(*days))?,
        Value::Time(ms) => long_hash(i64::from(*ms) * 1_000_000),
        Value::Timestamp(ms) => {
            let (days, millis) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
            local_date_hash(days)? ^ long_hash(millis * 1_000_000)
        }
        _ => return None,
    })
}

/// `Long.hashCode`.
fn long_hash(v: i64) -> i32 {
    (v ^ ((v as u64) >> 32) as i64) as i32
}

/// `LocalDate.hashCode` of the date `days` after 1970-01-01.
fn local_date_hash(days: i64) -> Option<i32> {
    use chrono::Datelike;
    let date = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?.checked_add_signed(chrono::TimeDelta::try_days(days)?)?;
    let (year, month, day) = (date.year(), date.month() as i32, date.day() as i32);
    Some((year & 0xFFFF_F800u32 as i32) ^ (year.wrapping_shl(11).wrapping_add(month << 6).wrapping_add(day)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Decimal;

    #[test]
    fn hashes_as_java() {
        // Each expected value is Java 17's hashCode of the corresponding object.
        assert_eq!(java_hash(&Value::string("hello")), Some(99_162_322));
        assert_eq!(java_hash(&Value::string("é€")), Some(233 * 31 + 8364));
        // UTF-16 code units: a surrogate pair hashes as two.
        assert_eq!(java_hash(&Value::string("😀")), Some(0xD83D * 31 + 0xDE00));
        assert_eq!(java_hash(&Value::BigInt(-1)), Some(0));
        assert_eq!(java_hash(&Value::BigInt(1 << 40)), Some(256));
        assert_eq!(java_hash(&Value::double(1.5)), Some(1_073_217_536));
        assert_eq!(java_hash(&Value::Boolean(true)), Some(1231));
        assert_eq!(java_hash(&Value::Decimal(Decimal::new(150, 2))), Some(31 * 150 + 2));
        assert_eq!(java_hash(&Value::Decimal(Decimal::new(-150, 2))), Some(-31 * 150 + 2));
        // LocalDate.of(2024, 1, 2).hashCode()
        assert_eq!(java_hash(&Value::Date(19_724)), Some((2024 & 0xFFFF_F800u32 as i32) ^ ((2024 << 11) + (1 << 6) + 2)));
    }

    #[test]
    fn orders_entries_as_a_java_hash_map() {
        let entries = |keys: &[&str]| keys.iter().map(|k| (Value::string(k), Value::Int(1))).collect::<Vec<_>>();
        // new HashMap<>() with "b", "a", "c" put in that order iterates a, b, c (buckets 1..3).
        assert_eq!(print_order(&entries(&["b", "a", "c"])), Some(vec![1, 0, 2]));
        // "Aa" and "BB" share a hash (2112): they keep their insertion order in one bucket.
        assert_eq!(print_order(&entries(&["BB", "z", "Aa"])), Some(vec![0, 2, 1]));
        assert_eq!(print_order(&[(Value::Bytes(vec![1].into()), Value::Null)]), None);
    }
}
