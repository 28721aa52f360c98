//! Exact decimal numbers: an `i128` mantissa with a decimal scale (`DECIMAL(p, s)`).

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

/// An exact decimal `mantissa * 10^-scale`. Ordering, equality and hashing follow the numeric
/// value, so `1.50` equals `1.5`.
/// Packed to 8-byte alignment so a [`crate::types::Value`] stays 32 bytes (an `i128` would
/// otherwise align the whole value to 16 and make it 48).
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[repr(C, packed(8))]
pub struct Decimal {
    /// The digits as an integer.
    pub mantissa: i128,
    /// Number of digits after the decimal point.
    pub scale: u8,
}

/// Powers of ten up to 10^38, the range of a DECIMAL(38).
pub fn pow10(exp: u8) -> i128 {
    10i128.pow(u32::from(exp.min(38)))
}

impl Decimal {
    /// A decimal from its mantissa and scale.
    pub fn new(mantissa: i128, scale: u8) -> Self {
        Decimal { mantissa, scale }
    }

    /// The same value with `scale` digits after the point, rounding half away from zero when
    /// digits are dropped; `None` on overflow.
    pub fn rescale(self, scale: u8) -> Option<Decimal> {
        match scale.cmp(&self.scale) {
            Ordering::Equal => Some(self),
            Ordering::Greater => self.mantissa.checked_mul(pow10(scale - self.scale)).map(|m| Decimal::new(m, scale)),
            Ordering::Less => {
                let div = pow10(self.scale - scale);
                let (q, r) = (self.mantissa / div, self.mantissa % div);
                // Compared without doubling `r`, which could overflow at 38 digits.
                let q = if r.unsigned_abs() >= div.unsigned_abs() - r.unsigned_abs() { q + self.mantissa.signum() } else { q };
                Some(Decimal::new(q, scale))
            }
        }
    }

    /// Number of significant digits of the integer part plus the scale, as in DECIMAL(p, s).
    pub fn precision(&self) -> u8 {
        let mut digits = 1u8;
        let mut m = self.mantissa.unsigned_abs() / 10;
        while m > 0 {
            digits += 1;
            m /= 10;
        }
        digits.max(self.scale)
    }

    /// The nearest double.
    pub fn to_f64(self) -> f64 {
        self.mantissa as f64 / 10f64.powi(i32::from(self.scale))
    }

    /// The decimal nearest to `v` with `scale` digits, or `None` when out of range or not finite.
    pub fn from_f64(v: f64, scale: u8) -> Option<Decimal> {
        let scaled = (v * 10f64.powi(i32::from(scale))).round();
        if !scaled.is_finite() || scaled.abs() >= 1e38 {
            return None;
        }
        Some(Decimal::new(scaled as i128, scale))
    }

    /// The integer part, truncated toward zero.
    pub fn trunc_to_i128(self) -> i128 {
        self.mantissa / pow10(self.scale)
    }

    /// Parses `-12.345`, `+1`, `.5`, `1e3`; keeps the scale written (at least 0).
    pub fn parse(text: &str) -> Option<Decimal> {
        let t = text.trim();
        let (mant_text, exp) = match t.find(['e', 'E']) {
            Some(i) => (&t[..i], t[i + 1..].parse::<i32>().ok()?),
            None => (t, 0),
        };
        let (neg, digits) = match mant_text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, mant_text.strip_prefix('+').unwrap_or(mant_text)),
        };
        let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        if !int_part.bytes().chain(frac_part.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut mantissa: i128 = 0;
        for b in int_part.bytes().chain(frac_part.bytes()) {
            mantissa = mantissa.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        let mut scale = frac_part.len() as i32 - exp;
        while scale < 0 {
            mantissa = mantissa.checked_mul(10)?;
            scale += 1;
        }
        if scale > 38 {
            return Decimal::new(mantissa, 38).rescale(38).map(|d| if neg { Decimal::new(-d.mantissa, 38) } else { d });
        }
        Some(Decimal::new(if neg { -mantissa } else { mantissa }, scale as u8))
    }

    fn aligned(self, other: Decimal) -> Option<(i128, i128)> {
        let scale = self.scale.max(other.scale);
        Some((self.rescale(scale)?.mantissa, other.rescale(scale)?.mantissa))
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Decimal {}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        match self.aligned(*other) {
            Some((a, b)) => a.cmp(&b),
            None => self.to_f64().total_cmp(&other.to_f64()),
        }
    }
}

impl Hash for Decimal {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Strip trailing zeros so that equal values hash alike.
        let (mut m, mut s) = (self.mantissa, self.scale);
        while s > 0 && m % 10 == 0 {
            m /= 10;
            s -= 1;
        }
        m.hash(state);
        s.hash(state);
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.mantissa.unsigned_abs().to_string();
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let scale = usize::from(self.scale);
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = if digits.len() <= scale { format!("{}{}", "0".repeat(scale + 1 - digits.len()), digits) } else { digits };
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_display_and_compare() {
        let d = Decimal::parse("-12.345").unwrap();
        assert_eq!((d.mantissa, d.scale), (-12345, 3));
        assert_eq!(d.to_string(), "-12.345");
        assert_eq!(Decimal::parse("0.05").unwrap().to_string(), "0.05");
        assert_eq!(Decimal::parse("1.50").unwrap(), Decimal::parse("1.5").unwrap());
        assert!(Decimal::parse("1.49").unwrap() < Decimal::parse("1.5").unwrap());
        assert_eq!(Decimal::parse("2.345").unwrap().rescale(2).unwrap().to_string(), "2.35");
        assert_eq!(Decimal::parse("-2.345").unwrap().rescale(2).unwrap().to_string(), "-2.35");
        assert_eq!(Decimal::parse("1e2").unwrap().to_string(), "100");
        assert!(Decimal::parse("1.2.3").is_none());
        assert!(Decimal::parse("abc").is_none());
    }
}
