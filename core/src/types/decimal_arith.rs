//! Exact arithmetic on [`Decimal`]s at a chosen result scale: add, subtract, multiply, divide,
//! remainder and rounding. Rounding is HALF_UP (ties away from zero) as in Java's `BigDecimal`,
//! intermediate products use 256 bits so no digits are lost, and every operation returns `None`
//! when the result does not fit 38 digits. No operation panics.

use super::decimal::{Decimal, pow10};

/// The largest mantissa a DECIMAL(38) holds.
const MAX_MANTISSA: u128 = 99_999_999_999_999_999_999_999_999_999_999_999_999;

impl Decimal {
    /// `self + other` with `scale` digits after the point; `None` beyond 38 digits.
    pub fn checked_add_at(self, other: Decimal, scale: u8) -> Option<Decimal> {
        let (a, b) = (self.rescale(scale)?, other.rescale(scale)?);
        within_38(a.mantissa.checked_add(b.mantissa)?, scale)
    }

    /// `self - other` with `scale` digits after the point; `None` beyond 38 digits.
    pub fn checked_sub_at(self, other: Decimal, scale: u8) -> Option<Decimal> {
        let (a, b) = (self.rescale(scale)?, other.rescale(scale)?);
        within_38(a.mantissa.checked_sub(b.mantissa)?, scale)
    }

    /// `self * other` rounded HALF_UP to `scale` digits; `None` beyond 38 digits.
    pub fn checked_mul_at(self, other: Decimal, scale: u8) -> Option<Decimal> {
        if u32::from(self.scale) + u32::from(other.scale) == u32::from(scale) {
            // At its natural scale a product needs no rounding: one 128-bit multiply, unless it
            // overflows (then it has more than 38 digits, which the wide path also finds).
            if let Some(product) = self.mantissa.checked_mul(other.mantissa) {
                return within_38(product, scale);
            }
        }
        let negative = (self.mantissa < 0) != (other.mantissa < 0);
        let product = U256::mul(self.mantissa.unsigned_abs(), other.mantissa.unsigned_abs());
        let natural = u32::from(self.scale) + u32::from(other.scale);
        let target = u32::from(scale);
        let magnitude = if natural >= target { product.div_pow10_half_up(natural - target)? } else { product.mul_pow10(target - natural)?.to_u128()? };
        signed(magnitude, negative, scale)
    }

    /// `self / other` rounded HALF_UP to `scale` digits; `None` when `other` is zero or the
    /// result exceeds 38 digits.
    pub fn checked_div_at(self, other: Decimal, scale: u8) -> Option<Decimal> {
        if other.mantissa == 0 {
            return None;
        }
        let negative = (self.mantissa < 0) != (other.mantissa < 0);
        // a/10^sa / (b/10^sb) * 10^s = a * 10^(s + sb - sa) / b
        let exp = i32::from(scale) + i32::from(other.scale) - i32::from(self.scale);
        let mut numerator = U256::from(self.mantissa.unsigned_abs());
        let mut divisor = other.mantissa.unsigned_abs();
        if exp >= 0 {
            numerator = numerator.mul_pow10(exp as u32)?;
        } else {
            divisor = divisor.checked_mul(10u128.checked_pow(exp.unsigned_abs())?)?;
        }
        let (q, r) = numerator.div_rem(divisor);
        let round_up = r >= divisor - r;
        let q = q.to_u128()?.checked_add(u128::from(round_up))?;
        signed(q, negative, scale)
    }

    /// The remainder of `self / other` (sign of `self`, as Java's `%`), with `scale` digits;
    /// `None` when `other` is zero or on overflow.
    pub fn checked_rem_at(self, other: Decimal, scale: u8) -> Option<Decimal> {
        let common = self.scale.max(other.scale);
        let (a, b) = (self.rescale(common)?, other.rescale(common)?);
        if b.mantissa == 0 {
            return None;
        }
        Decimal::new(a.mantissa % b.mantissa, common).rescale(scale)
    }

    /// Rounds HALF_UP to `digits` after the point (negative: to tens, hundreds, ...). The result
    /// has scale `max(digits, 0)` capped at the current scale; `None` on overflow.
    pub fn round_half_up(self, digits: i32) -> Option<Decimal> {
        if digits >= i32::from(self.scale) {
            return Some(self);
        }
        if digits >= 0 {
            return self.rescale(digits as u8);
        }
        let drop = i64::from(self.scale) - i64::from(digits);
        if drop > 38 {
            return Some(Decimal::new(0, 0));
        }
        let div = pow10(drop as u8);
        let (q, r) = (self.mantissa / div, self.mantissa % div);
        let q = if r.unsigned_abs() >= div.unsigned_abs() - r.unsigned_abs() { q + self.mantissa.signum() } else { q };
        let mantissa = q.checked_mul(10i128.checked_pow(digits.unsigned_abs())?)?;
        within_38(mantissa, 0)
    }

    /// Cuts to `digits` after the point, toward zero (negative: to tens, hundreds, ...); the
    /// result has scale `max(digits, 0)` capped at the current scale; `None` on overflow.
    pub fn truncate_to(self, digits: i32) -> Option<Decimal> {
        if digits >= i32::from(self.scale) {
            return Some(self);
        }
        let drop = i64::from(self.scale) - i64::from(digits);
        let kept_scale = digits.max(0) as u8;
        if drop > 38 {
            return Some(Decimal::new(0, kept_scale));
        }
        let q = self.mantissa / pow10(drop as u8);
        if digits >= 0 {
            return Some(Decimal::new(q, kept_scale));
        }
        let mantissa = q.checked_mul(10i128.checked_pow(digits.unsigned_abs())?)?;
        within_38(mantissa, 0)
    }

    /// The largest integer not greater than this value, at scale 0.
    pub fn floor(self) -> Decimal {
        Decimal::new(self.mantissa.div_euclid(pow10(self.scale)), 0)
    }

    /// The smallest integer not less than this value, at scale 0.
    pub fn ceil(self) -> Decimal {
        let div = pow10(self.scale);
        Decimal::new(self.mantissa.div_euclid(div) + i128::from(self.mantissa.rem_euclid(div) != 0), 0)
    }

    /// True when the value fits `DECIMAL(precision, self.scale)`.
    pub fn fits_precision(&self, precision: u8) -> bool {
        self.precision() <= precision
    }
}

fn within_38(mantissa: i128, scale: u8) -> Option<Decimal> {
    (mantissa.unsigned_abs() <= MAX_MANTISSA).then_some(Decimal::new(mantissa, scale))
}

fn signed(magnitude: u128, negative: bool, scale: u8) -> Option<Decimal> {
    if magnitude > MAX_MANTISSA {
        return None;
    }
    let m = magnitude as i128;
    Some(Decimal::new(if negative { -m } else { m }, scale))
}

/// An unsigned 256-bit integer, just enough for exact decimal products and quotients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct U256 {
    hi: u128,
    lo: u128,
}

impl U256 {
    fn from(v: u128) -> U256 {
        U256 { hi: 0, lo: v }
    }

    /// The full product of two 128-bit numbers.
    fn mul(a: u128, b: u128) -> U256 {
        const MASK: u128 = u64::MAX as u128;
        let (a1, a0, b1, b0) = (a >> 64, a & MASK, b >> 64, b & MASK);
        let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
        let mid = (p00 >> 64) + (p01 & MASK) + (p10 & MASK);
        U256 { hi: p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64), lo: (p00 & MASK) | (mid << 64) }
    }

    fn checked_mul_small(self, m: u128) -> Option<U256> {
        let low = U256::mul(self.lo, m);
        let high = U256::mul(self.hi, m);
        if high.hi != 0 {
            return None;
        }
        Some(U256 { hi: high.lo.checked_add(low.hi)?, lo: low.lo })
    }

    fn mul_pow10(self, exp: u32) -> Option<U256> {
        let mut v = self;
        let mut left = exp;
        while left > 0 {
            let step = left.min(38);
            v = v.checked_mul_small(10u128.pow(step))?;
            left -= step;
        }
        Some(v)
    }

    /// Quotient and remainder by a non-zero divisor.
    fn div_rem(self, d: u128) -> (U256, u128) {
        // A dividend that fits 128 bits (most do: a DECIMAL mantissa scaled by a few powers of
        // ten) takes one machine division instead of 128 steps of the long one.
        if self.hi == 0 {
            return (U256::from(self.lo / d), self.lo % d);
        }
        self.long_div_rem(d)
    }

    /// [`U256::div_rem`] by bitwise long division, for any 256-bit dividend.
    fn long_div_rem(self, d: u128) -> (U256, u128) {
        let (qh, rh) = (self.hi / d, self.hi % d);
        let mut r = rh;
        let mut q: u128 = 0;
        for i in (0..128).rev() {
            let carry = r >> 127;
            r = (r << 1) | ((self.lo >> i) & 1);
            q <<= 1;
            if carry == 1 || r >= d {
                r = r.wrapping_sub(d);
                q |= 1;
            }
        }
        (U256 { hi: qh, lo: q }, r)
    }

    /// `self / 10^exp`, rounded HALF_UP, as a 128-bit number if it fits.
    fn div_pow10_half_up(self, exp: u32) -> Option<u128> {
        if exp == 0 {
            return self.to_u128();
        }
        let mut v = self;
        let mut left = exp - 1;
        while left > 0 {
            let step = left.min(38);
            v = v.div_rem(10u128.pow(step)).0;
            left -= step;
        }
        let (q, last_digit) = v.div_rem(10);
        q.to_u128()?.checked_add(u128::from(last_digit >= 5))
    }

    fn to_u128(self) -> Option<u128> {
        (self.hi == 0).then_some(self.lo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::parse(text).unwrap()
    }

    #[test]
    fn short_division_equals_the_long_one() {
        let mut x: u128 = 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for i in 0..2000u32 {
            let n = next() >> (i % 128);
            let d = (next() >> (i * 7 % 128)).max(1);
            let (q, r) = U256::from(n).div_rem(d);
            let (lq, lr) = U256::from(n).long_div_rem(d);
            assert_eq!((q.hi, q.lo, r), (lq.hi, lq.lo, lr), "{n} / {d}");
        }
    }

    #[test]
    fn arithmetic_at_scale() {
        assert_eq!(d("1.25").checked_add_at(d("2.5"), 2).unwrap().to_string(), "3.75");
        assert_eq!(d("1.25").checked_sub_at(d("2.5"), 2).unwrap().to_string(), "-1.25");
        assert_eq!(d("1.25").checked_mul_at(d("-2.5"), 3).unwrap().to_string(), "-3.125");
        assert_eq!(d("1.25").checked_mul_at(d("2.5"), 2).unwrap().to_string(), "3.13");
        assert_eq!(d("10").checked_div_at(d("3"), 6).unwrap().to_string(), "3.333333");
        assert_eq!(d("-2").checked_div_at(d("3"), 6).unwrap().to_string(), "-0.666667");
        assert_eq!(d("1").checked_div_at(d("0"), 6), None);
        assert_eq!(d("7.5").checked_rem_at(d("2"), 1).unwrap().to_string(), "1.5");
        assert_eq!(d("-7.5").checked_rem_at(d("2"), 1).unwrap().to_string(), "-1.5");
        // 38-digit operands: the 256-bit product keeps every digit before rounding.
        let big = d("1234567890123456789.0123456789012345678");
        assert_eq!(big.checked_mul_at(d("1.0000000000000000000"), 6).unwrap().to_string(), "1234567890123456789.012346");
        assert_eq!(big.checked_mul_at(big, 0).unwrap().to_string(), "1524157875323883675049535156256668194");
        let huge = d("12345678901234567890123.456");
        assert_eq!(huge.checked_mul_at(huge, 0), None);
        assert_eq!(d("99999999999999999999999999999999999999").checked_add_at(d("1"), 0), None);
        // At the natural scale (the sum of the operands'): exact, no rounding, 38 digits at most.
        assert_eq!(d("0.908").checked_mul_at(d("-12345"), 3).unwrap().to_string(), "-11209.260");
        assert_eq!(d("9999999999999999999").checked_mul_at(d("10000000000000000000"), 0).unwrap().to_string(), "99999999999999999990000000000000000000");
        assert_eq!(d("99999999999999999999").checked_mul_at(d("10000000000000000000"), 0), None);
    }

    #[test]
    fn rounding() {
        assert_eq!(d("2.5").round_half_up(0).unwrap().to_string(), "3");
        assert_eq!(d("-2.5").round_half_up(0).unwrap().to_string(), "-3");
        assert_eq!(d("1250").round_half_up(-2).unwrap().to_string(), "1300");
        assert_eq!(d("1.234").round_half_up(5).unwrap().to_string(), "1.234");
        assert_eq!(d("-1.5").floor().to_string(), "-2");
        assert_eq!(d("-1.5").ceil().to_string(), "-1");
        assert_eq!(d("1.2").ceil().to_string(), "2");
    }
}
