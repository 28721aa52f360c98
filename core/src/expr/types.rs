//! Typing rules shared by the operators: the common type of two types, and Flink's (Calcite's)
//! result precision and scale of DECIMAL arithmetic.

use crate::types::DataType;

/// Scale kept at least when a DECIMAL result must be cut to 38 digits (Flink's
/// `MINIMUM_ADJUSTED_SCALE`).
const MINIMUM_ADJUSTED_SCALE: u32 = 6;
const MAX_PRECISION: u32 = DataType::MAX_DECIMAL_PRECISION as u32;

/// The type both `a` and `b` convert to implicitly (for comparisons, UNION, CASE branches),
/// following Flink: INT with BIGINT is BIGINT; integers with DECIMAL are DECIMAL (wide enough
/// for both); any numeric with DOUBLE is DOUBLE; FLOAT with an integer is FLOAT, with DECIMAL
/// DOUBLE (Calcite's `leastRestrictive`); NULL goes with anything; DATE with TIMESTAMP is
/// TIMESTAMP; TIMESTAMP with TIMESTAMP_LTZ is TIMESTAMP_LTZ; ARRAYs (MAPs) have the ARRAY (MAP)
/// of their elements' common type. `None` when there is none
/// (e.g. STRING with INT).
pub fn common_type(a: DataType, b: DataType) -> Option<DataType> {
    use DataType::*;
    if a == b {
        return Some(a);
    }
    match (a, b) {
        (Null, t) | (t, Null) => Some(t),
        (Double, t) | (t, Double) if t.is_numeric() => Some(Double),
        (Float, Decimal { .. }) | (Decimal { .. }, Float) => Some(Double),
        (Float, t) | (t, Float) if t.is_numeric() => Some(Float),
        (Int, BigInt) | (BigInt, Int) => Some(BigInt),
        (Decimal { .. }, _) | (_, Decimal { .. }) if a.is_numeric() && b.is_numeric() => {
            let (p1, s1) = decimal_digits(a)?;
            let (p2, s2) = decimal_digits(b)?;
            let scale = s1.max(s2);
            let precision = ((p1 - s1).max(p2 - s2) + scale).min(MAX_PRECISION);
            Some(decimal(precision, scale.min(precision)))
        }
        (Date, Timestamp) | (Timestamp, Date) => Some(Timestamp),
        (Date | Timestamp, TimestampLtz) | (TimestampLtz, Date | Timestamp) => Some(TimestampLtz),
        (Time(p), Time(q)) => Some(Time(p.max(q))),
        (Array(x), Array(y)) => Some(DataType::array(common_type(*x, *y)?)),
        (Map(x), Map(y)) => Some(DataType::map(common_type(x.0, y.0)?, common_type(x.1, y.1)?)),
        _ => None,
    }
}

/// Precision and scale of a type seen as a DECIMAL: INT is DECIMAL(10, 0), BIGINT
/// DECIMAL(19, 0). `None` for non-exact types.
pub(crate) fn decimal_digits(t: DataType) -> Option<(u32, u32)> {
    match t {
        DataType::Int => Some((10, 0)),
        DataType::BigInt => Some((19, 0)),
        DataType::Decimal { precision, scale } => Some((u32::from(precision), u32::from(scale))),
        _ => None,
    }
}

/// The DECIMAL type with these digits (both already within 0..=38).
pub(crate) fn decimal(precision: u32, scale: u32) -> DataType {
    DataType::Decimal { precision: precision.clamp(1, MAX_PRECISION) as u8, scale: scale.min(MAX_PRECISION) as u8 }
}

/// Flink's `adjustPrecisionScale`: a result wider than 38 digits keeps its integer digits and
/// gives up scale, but keeps at least 6 digits of scale.
fn adjust(precision: u32, scale: u32) -> DataType {
    if precision <= MAX_PRECISION {
        return decimal(precision, scale);
    }
    let integer_digits = precision - scale;
    let min_scale = scale.min(MINIMUM_ADJUSTED_SCALE);
    let scale = MAX_PRECISION.saturating_sub(integer_digits).max(min_scale);
    decimal(MAX_PRECISION, scale)
}

/// An arithmetic operator, for result typing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%` / `MOD`
    Mod,
}

impl ArithOp {
    /// The operator as written.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Mod => "%",
        }
    }
}

/// The result type of a DECIMAL operation (at least one side DECIMAL, the other exact), as
/// Flink's `LogicalTypeMerging`: `+ -` keep the larger scale, `*` adds scales, `/` keeps
/// `max(6, s1 + p2 + 1)` digits of scale, `%` the larger scale; all capped at 38 digits.
pub(crate) fn decimal_result(op: ArithOp, a: DataType, b: DataType) -> Option<DataType> {
    let (p1, s1) = decimal_digits(a)?;
    let (p2, s2) = decimal_digits(b)?;
    Some(match op {
        ArithOp::Add | ArithOp::Sub => {
            let scale = s1.max(s2);
            adjust((p1 - s1).max(p2 - s2) + scale + 1, scale)
        }
        ArithOp::Mul => adjust(p1 + p2 + 1, s1 + s2),
        ArithOp::Div => {
            let scale = MINIMUM_ADJUSTED_SCALE.max(s1 + p2 + 1);
            adjust(p1 - s1 + s2 + scale, scale)
        }
        ArithOp::Mod => {
            let scale = s1.max(s2);
            adjust((p1 - s1).min(p2 - s2) + scale, scale)
        }
    })
}

/// The result type of `ROUND(DECIMAL(p, s), r)` (Flink's `findRoundDecimalType`); also FLOOR
/// and CEIL with `r = 0`.
pub(crate) fn round_decimal(precision: u8, scale: u8, round: i32) -> DataType {
    let (p, s) = (i64::from(precision), i64::from(scale));
    let r = i64::from(round);
    if r >= s {
        return DataType::Decimal { precision, scale };
    }
    if r < 0 {
        return decimal((1 + p - s).min(i64::from(MAX_PRECISION)) as u32, 0);
    }
    decimal((1 + p - s + r).min(i64::from(MAX_PRECISION)) as u32, r as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use DataType::*;

    fn dec(p: u8, s: u8) -> DataType {
        Decimal { precision: p, scale: s }
    }

    #[test]
    fn common_types_follow_flink() {
        let cases = [
            (Int, BigInt, Some(BigInt)),
            (Int, Double, Some(Double)),
            (dec(10, 2), Double, Some(Double)),
            (Float, Double, Some(Double)),
            (Float, Int, Some(Float)),
            (Float, BigInt, Some(Float)),
            (Float, dec(10, 2), Some(Double)),
            (Float, String, None),
            (Int, dec(5, 2), Some(dec(12, 2))),
            (BigInt, dec(5, 2), Some(dec(21, 2))),
            (dec(10, 2), dec(5, 4), Some(dec(12, 4))),
            (Null, String, Some(String)),
            (String, String, Some(String)),
            (String, Int, None),
            (Timestamp, TimestampLtz, Some(TimestampLtz)),
            (Date, Timestamp, Some(Timestamp)),
            (Boolean, Int, None),
            (DataType::array(Int), DataType::array(BigInt), Some(DataType::array(BigInt))),
            (DataType::array(Int), DataType::array(String), None),
            (DataType::map(String, Int), DataType::map(String, Double), Some(DataType::map(String, Double))),
        ];
        for (a, b, want) in cases {
            assert_eq!(common_type(a, b), want, "{a} with {b}");
            assert_eq!(common_type(b, a), want, "{b} with {a}");
        }
    }

    #[test]
    fn decimal_results_follow_flink() {
        use ArithOp::*;
        let cases = [
            (Add, dec(10, 2), dec(5, 4), dec(13, 4)),
            (Mul, dec(10, 2), dec(5, 4), dec(16, 6)),
            (Div, dec(10, 2), dec(5, 4), dec(20, 8)),
            (Div, Int, dec(10, 2), dec(23, 11)),
            (Mod, dec(10, 2), dec(5, 4), dec(5, 4)),
            (Mul, dec(38, 10), dec(38, 10), dec(38, 6)),
            (Add, dec(38, 10), dec(38, 10), dec(38, 9)),
        ];
        for (op, a, b, want) in cases {
            assert_eq!(decimal_result(op, a, b), Some(want), "{a} {} {b}", op.symbol());
        }
        assert_eq!(round_decimal(10, 4, 2), dec(9, 2));
        assert_eq!(round_decimal(10, 4, -1), dec(7, 0));
        assert_eq!(round_decimal(10, 4, 6), dec(10, 4));
    }
}
