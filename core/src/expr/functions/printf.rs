//! `PRINTF(format, args..)`: Flink's `PrintfFunction`, which formats with Java's
//! `java.util.Formatter` in `Locale.US`. This is that formatter's syntax —
//! `%[index$][flags][width][.precision]conversion` with the flags `-#+ 0,(` and `<` — for the
//! conversions `b s c d o x e f g %` and `n` (and their upper-case forms), on the values Flink
//! hands it: its internal ones, so a DATE is its day number, a TIME its milliseconds and a
//! TIMESTAMP prints as Java's `LocalDateTime` (`2024-01-02T03:04:05`). Floating-point values
//! round half up on their shortest decimal digits, as Java's do. A NULL argument prints as
//! `null` (`false` for `%b`); a NULL format gives NULL. What Java's formatter rejects (a
//! conversion that does not fit its argument, a missing argument, bad flags) is an error.

use std::sync::Arc;

use crate::types::{DataType, Decimal, Value, temporal};

use super::super::bound::{BoundExpr, Kernel};
use super::super::error::{EvalError, ExprError};
use super::{CallSite, FunctionDef, string_value};

pub(crate) const FUNCTIONS: &[FunctionDef] = &[FunctionDef { names: &["PRINTF"], signature: "(format STRING, value, ..)", bind: printf }];

fn printf(site: CallSite) -> Result<BoundExpr, ExprError> {
    if site.args.is_empty() || !matches!(site.args[0].data_type(), DataType::String | DataType::Null) {
        return Err(site.mismatch());
    }
    if let Some(i) = site.args.iter().position(|a| matches!(a.data_type(), DataType::Array(_) | DataType::Map(_) | DataType::Multiset(_) | DataType::Bytes)) {
        return Err(site.arg_error(i, format!("PRINTF formats scalar values, not {}", site.args[i].data_type())));
    }
    let nullable = site.args[0].nullable();
    let kernel = Kernel::AllN(Arc::new(|values: &[Value]| match values.split_first() {
        Some((Value::String(format), args)) => format_java(format, args).map(string_value).map_err(|m| EvalError::new(format!("PRINTF: {m}"))),
        _ => Ok(Value::Null),
    }));
    Ok(BoundExpr::call("PRINTF", site.args, kernel, DataType::String, nullable))
}

/// One format specifier's flags, width and precision.
#[derive(Default)]
struct Spec {
    left: bool,
    alternate: bool,
    plus: bool,
    space: bool,
    zero: bool,
    group: bool,
    paren: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

/// `format` filled from `args` as Java's `String.format(Locale.US, format, args)`.
pub(crate) fn format_java(format: &str, args: &[Value]) -> Result<String, String> {
    let mut out = String::new();
    let chars: Vec<char> = format.chars().collect();
    let (mut i, mut next, mut last) = (0, 0usize, None::<usize>);
    while i < chars.len() {
        if chars[i] != '%' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        let digits = |i: &mut usize| {
            let from = *i;
            while *i < chars.len() && chars[*i].is_ascii_digit() {
                *i += 1;
            }
            chars[from..*i].iter().collect::<String>()
        };
        // An argument index (`2$`) or, failing that, the digits are the width.
        let mut index = None;
        let mut j = i;
        let lead = digits(&mut j);
        if !lead.is_empty() && chars.get(j) == Some(&'$') {
            index = Some(lead.parse::<usize>().map_err(|_| format!("bad argument index in \"{format}\""))?);
            i = j + 1;
        }
        let (mut spec, mut relative) = (Spec::default(), false);
        while let Some(&c) = chars.get(i) {
            match c {
                '-' => spec.left = true,
                '#' => spec.alternate = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '0' => spec.zero = true,
                ',' => spec.group = true,
                '(' => spec.paren = true,
                '<' => relative = true,
                _ => break,
            }
            i += 1;
        }
        let width = digits(&mut i);
        spec.width = if width.is_empty() { None } else { Some(width.parse().map_err(|_| format!("width {width} is too large"))?) };
        if chars.get(i) == Some(&'.') {
            i += 1;
            let p = digits(&mut i);
            if p.is_empty() {
                return Err(format!("a precision needs digits in \"{}\"", chars[start..i].iter().collect::<String>()));
            }
            spec.precision = Some(p.parse().map_err(|_| format!("precision {p} is too large"))?);
        }
        let Some(&conversion) = chars.get(i) else {
            return Err(format!("the format ends inside the specifier \"{}\"", chars[start..].iter().collect::<String>()));
        };
        i += 1;
        let text: String = chars[start..i].iter().collect();
        check_flags(&spec, &text)?;
        match conversion {
            '%' => out.push_str(&pad(&spec, "%".into())),
            'n' => out.push('\n'),
            _ => {
                let position = match (relative, index) {
                    (true, _) => last.ok_or_else(|| format!("no previous argument for \"{text}\""))?,
                    (false, Some(0)) => return Err(format!("illegal argument index 0 in \"{text}\"")),
                    (false, Some(n)) => n - 1,
                    (false, None) => {
                        next += 1;
                        next - 1
                    }
                };
                last = Some(position);
                let arg = args.get(position).ok_or_else(|| format!("no argument for the format specifier \"{text}\""))?;
                let formatted = convert(conversion.to_ascii_lowercase(), &spec, arg, &text)?;
                out.push_str(&if conversion.is_ascii_uppercase() { formatted.to_uppercase() } else { formatted });
            }
        }
    }
    Ok(out)
}

fn check_flags(spec: &Spec, text: &str) -> Result<(), String> {
    if (spec.left || spec.zero) && spec.width.is_none() {
        return Err(format!("\"{text}\" needs a width for its '-' or '0' flag"));
    }
    if (spec.left && spec.zero) || (spec.plus && spec.space) {
        return Err(format!("\"{text}\" combines flags that exclude each other"));
    }
    Ok(())
}

/// One argument formatted by a lower-case `conversion`.
fn convert(conversion: char, spec: &Spec, arg: &Value, text: &str) -> Result<String, String> {
    let mismatch = || format!("\"{text}\" cannot format the {} value {arg}", arg.data_type());
    let numeric_flags = spec.plus || spec.space || spec.zero || spec.group || spec.paren;
    match conversion {
        'b' | 's' => {
            if numeric_flags || spec.alternate {
                return Err(format!("\"{text}\" takes only the '-' flag"));
            }
            let shown = match (conversion, arg) {
                ('b', Value::Null) => "false".to_string(),
                ('b', Value::Boolean(b)) => b.to_string(),
                ('b', _) => "true".to_string(),
                (_, v) => java_text(v),
            };
            let shown = match spec.precision {
                Some(p) => shown.chars().take(p).collect(),
                None => shown,
            };
            Ok(pad(spec, shown))
        }
        'c' => {
            if spec.precision.is_some() || numeric_flags {
                return Err(format!("\"{text}\" takes no precision and only the '-' flag"));
            }
            let shown = match arg {
                Value::Null => "null".to_string(),
                Value::Int(cp) => char::from_u32(*cp as u32).ok_or_else(|| format!("{cp} is not a Unicode code point"))?.to_string(),
                _ => return Err(mismatch()),
            };
            Ok(pad(spec, shown))
        }
        'd' | 'o' | 'x' => {
            if spec.precision.is_some() {
                return Err(format!("\"{text}\" takes no precision"));
            }
            let Some((n, bits)) = integral(arg) else {
                return if arg.is_null() { Ok(pad(spec, "null".into())) } else { Err(mismatch()) };
            };
            if conversion == 'd' {
                if spec.alternate {
                    return Err(format!("\"{text}\" takes no '#' flag"));
                }
                let magnitude = n.unsigned_abs().to_string();
                return Ok(number(spec, n < 0, if spec.group { grouped(&magnitude) } else { magnitude }, ""));
            }
            if spec.plus || spec.space || spec.group || spec.paren {
                return Err(format!("\"{text}\" takes only the '-', '#' and '0' flags"));
            }
            // Java prints a negative INT or BIGINT as its two's complement.
            let unsigned = if bits == 32 { u64::from(n as i32 as u32) } else { n as u64 };
            let (digits, prefix) = if conversion == 'o' { (format!("{unsigned:o}"), "0") } else { (format!("{unsigned:x}"), "0x") };
            Ok(number(spec, false, digits, if spec.alternate { prefix } else { "" }))
        }
        'e' | 'f' | 'g' => {
            let (negative, digits) = match arg {
                Value::Null => return Ok(pad(spec, "null".into())),
                Value::Double(_) | Value::Float(_) => {
                    let v = arg.as_f64().unwrap_or(0.0);
                    if !v.is_finite() {
                        let shown = if v.is_nan() { "NaN" } else { "Infinity" };
                        let negative = v < 0.0;
                        let signed = match (negative, spec.paren, spec.plus, spec.space) {
                            (true, true, ..) => format!("({shown})"),
                            (true, false, ..) => format!("-{shown}"),
                            (false, _, true, _) if !v.is_nan() => format!("+{shown}"),
                            (false, _, _, true) if !v.is_nan() => format!(" {shown}"),
                            _ => shown.to_string(),
                        };
                        return Ok(pad(spec, signed));
                    }
                    (v.is_sign_negative(), Digits::of_double(v.abs()))
                }
                Value::Decimal(d) => (d.mantissa < 0, Digits::of_decimal(d)),
                _ => return Err(mismatch()),
            };
            if spec.group && conversion == 'e' {
                return Err(format!("\"{text}\" takes no ',' flag"));
            }
            let shown = match conversion {
                'f' => digits.fixed(spec.precision.unwrap_or(6), spec.group),
                'e' => digits.scientific(spec.precision.unwrap_or(6)),
                _ => digits.general(spec.precision.map_or(6, |p| p.max(1)), spec.group),
            };
            let shown = if spec.alternate && !shown.contains('.') && conversion != 'g' { shown.replacen('e', ".e", 1) } else { shown };
            Ok(number(spec, negative && !digits.is_zero(), shown, ""))
        }
        other => Err(format!("unknown or unsupported conversion '{other}' in \"{text}\"")),
    }
}

/// An integral argument and its width in bits (32 for INT and the INT-backed types).
fn integral(v: &Value) -> Option<(i64, u32)> {
    match v {
        Value::Int(i) | Value::Date(i) | Value::Time(i) | Value::IntervalYearMonth(i) => Some((i64::from(*i), 32)),
        Value::BigInt(i) | Value::IntervalDayTime(i) => Some((*i, 64)),
        _ => None,
    }
}

/// How Java's `String.valueOf` shows the value Flink passes for `v`.
fn java_text(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Boolean(b) => b.to_string(),
        Value::Date(i) | Value::Time(i) | Value::IntervalYearMonth(i) => i.to_string(),
        Value::IntervalDayTime(i) => i.to_string(),
        Value::Timestamp(ms) | Value::TimestampLtz(ms) => local_date_time(*ms),
        other => other.to_string(),
    }
}

/// Java's `LocalDateTime.toString()`: seconds only when not zero, then 3 fraction digits when
/// there are milliseconds.
fn local_date_time(ms: i64) -> String {
    let text = temporal::format_timestamp(ms);
    let (date_time, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let date_time = date_time.replacen(' ', "T", 1);
    let fraction = fraction.trim_end_matches('0');
    match (date_time.strip_suffix(":00"), fraction.is_empty()) {
        (Some(minutes), true) => minutes.to_string(),
        _ if fraction.is_empty() => date_time,
        _ => format!("{date_time}.{fraction:0<3}"),
    }
}

/// `text` padded with spaces to the width (on the right with the '-' flag).
fn pad(spec: &Spec, text: String) -> String {
    let len = text.chars().count();
    match spec.width {
        Some(w) if w > len && spec.left => format!("{text}{}", " ".repeat(w - len)),
        Some(w) if w > len => format!("{}{text}", " ".repeat(w - len)),
        _ => text,
    }
}

/// A number's magnitude with its sign (or parentheses), prefix and zero padding, as Java lays
/// them out: `-0042`, `(42)`, `+42`, `0x002a`.
fn number(spec: &Spec, negative: bool, magnitude: String, prefix: &str) -> String {
    let (lead, trail) = match (negative, spec.paren) {
        (true, true) => ("(", ")"),
        (true, false) => ("-", ""),
        (false, _) if spec.plus => ("+", ""),
        (false, _) if spec.space => (" ", ""),
        _ => ("", ""),
    };
    let mut body = format!("{prefix}{magnitude}");
    if spec.zero
        && let Some(w) = spec.width
    {
        let used = lead.len() + trail.len() + body.chars().count();
        if w > used {
            body = format!("{prefix}{}{magnitude}", "0".repeat(w - used));
        }
    }
    pad(spec, format!("{lead}{body}{trail}"))
}

/// `digits` with a ',' between each group of three.
fn grouped(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A non-negative decimal number: `0.d1d2d3.. × 10^(exponent + 1)`, i.e. the first digit's
/// place is `10^exponent`. Doubles carry their shortest digits (what Java rounds), decimals
/// their exact ones.
#[derive(Clone, Debug)]
struct Digits {
    digits: Vec<u8>,
    exponent: i64,
}

impl Digits {
    fn of_double(v: f64) -> Digits {
        if v == 0.0 {
            return Digits { digits: vec![0], exponent: 0 };
        }
        let text = format!("{v:e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let digits = mantissa.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
        Digits { digits, exponent: exponent.parse().unwrap_or(0) }.trimmed()
    }

    fn of_decimal(d: &Decimal) -> Digits {
        let text = d.mantissa.unsigned_abs().to_string();
        let digits: Vec<u8> = text.bytes().map(|b| b - b'0').collect();
        let exponent = digits.len() as i64 - 1 - i64::from(d.scale);
        Digits { digits, exponent }.trimmed()
    }

    /// Without trailing zero digits (zero itself keeps one).
    fn trimmed(mut self) -> Digits {
        while self.digits.len() > 1 && self.digits.last() == Some(&0) {
            self.digits.pop();
        }
        if self.digits.iter().all(|d| *d == 0) {
            self.digits = vec![0];
            self.exponent = 0;
        }
        self
    }

    fn is_zero(&self) -> bool {
        self.digits == [0]
    }

    /// Rounded half up to keep the digits down to the place `10^lowest`.
    fn rounded_at(&self, lowest: i64) -> Digits {
        let keep = self.exponent - lowest + 1;
        if keep >= self.digits.len() as i64 {
            return self.clone();
        }
        if keep < 0 {
            return Digits { digits: vec![0], exponent: 0 };
        }
        let keep = keep as usize;
        let mut digits = self.digits[..keep].to_vec();
        let mut exponent = self.exponent;
        if self.digits[keep] >= 5 {
            let mut i = keep;
            loop {
                if i == 0 {
                    digits.insert(0, 1);
                    exponent += 1;
                    break;
                }
                i -= 1;
                if digits[i] == 9 {
                    digits[i] = 0;
                } else {
                    digits[i] += 1;
                    break;
                }
            }
        }
        Digits { digits, exponent }.trimmed()
    }

    /// The digit at place `10^place` (0 outside the digits).
    fn at(&self, place: i64) -> u8 {
        let i = self.exponent - place;
        if i < 0 { 0 } else { self.digits.get(i as usize).copied().unwrap_or(0) }
    }

    /// `%f`: `precision` fraction digits.
    fn fixed(&self, precision: usize, group: bool) -> String {
        let r = self.rounded_at(-(precision as i64));
        let integer: String = if r.exponent < 0 { "0".into() } else { (0..=r.exponent).rev().map(|p| char::from(b'0' + r.at(p))).collect() };
        let integer = if group { grouped(&integer) } else { integer };
        if precision == 0 {
            return integer;
        }
        let fraction: String = (1..=precision as i64).map(|p| char::from(b'0' + r.at(-p))).collect();
        format!("{integer}.{fraction}")
    }

    /// `%e`: one digit, `precision` fraction digits, and a signed exponent of two digits or more.
    fn scientific(&self, precision: usize) -> String {
        let r = self.rounded_at(self.exponent - precision as i64);
        let exponent = if r.is_zero() { 0 } else { r.exponent };
        let mantissa: String = (0..=precision as i64).map(|i| char::from(b'0' + r.at(exponent - i))).collect();
        let (first, rest) = mantissa.split_at(1);
        let sign = if exponent < 0 { '-' } else { '+' };
        let dot = if precision > 0 { "." } else { "" };
        format!("{first}{dot}{rest}e{sign}{:02}", exponent.abs())
    }

    /// `%g`: `precision` significant digits, fixed for magnitudes from 10^-4 up to
    /// 10^precision and scientific otherwise.
    fn general(&self, precision: usize, group: bool) -> String {
        if self.is_zero() {
            return self.fixed(precision - 1, group);
        }
        let r = self.rounded_at(self.exponent - precision as i64 + 1);
        if r.exponent >= -4 && r.exponent < precision as i64 {
            self.fixed((precision as i64 - 1 - r.exponent).max(0) as usize, group)
        } else {
            self.scientific(precision - 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(format: &str, args: &[Value]) -> String {
        format_java(format, args).unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn formats_as_javas_formatter() {
        // Each expected text is what Java 17's String.format(Locale.US, ..) gives.
        let (i, d, s) = (Value::Int, Value::double, Value::string);
        for (format, args, want) in [
            ("%s and %s", vec![s("a"), i(1)], "a and 1"),
            ("%5s|%-5s|%.2s", vec![s("ab"), s("ab"), s("abc")], "   ab|ab   |ab"),
            ("%d %5d %-5d| %05d %+d % d %(d", vec![i(1), i(-2), i(3), i(-42), i(7), i(7), i(-7)], "1    -2 3    | -0042 +7  7 (7)"),
            ("%,d %,d", vec![Value::BigInt(1_234_567), i(-1000)], "1,234,567 -1,000"),
            ("%x %X %o %#x %#o %08x", vec![i(255), i(255), i(8), i(255), i(8), i(-1)], "ff FF 10 0xff 010 ffffffff"),
            ("%x", vec![Value::BigInt(-1)], "ffffffffffffffff"),
            ("%f %.2f %.0f %.1f %.2f", vec![d(1.23456), d(2.675), d(2.5), d(0.25), d(1.005)], "1.234560 2.68 3 0.3 1.01"),
            ("%e %.2e %E", vec![d(12345.678), d(0.000123), d(0.0)], "1.234568e+04 1.23e-04 0.000000E+00"),
            ("%g %g %g %.3g", vec![d(0.0001), d(123456789.0), d(0.0), d(1234.5)], "0.000100000 1.23457e+08 0.00000 1.23e+03"),
            ("%,.2f %010.3f %-8.1f|", vec![d(1234567.891), d(-3.5), d(2.25)], "1,234,567.89 -00003.500 2.3     |"),
            ("%b %b %B %b", vec![Value::Boolean(false), Value::Null, s("x"), i(0)], "false false TRUE true"),
            ("%c%C", vec![i(97), i(98)], "aB"),
            ("%2$s %1$s %<s", vec![s("a"), s("b")], "b a a"),
            ("100%% %n", vec![], "100% \n"),
            ("%s %d %f", vec![Value::Null, Value::Null, Value::Null], "null null null"),
            ("%s|%.1f", vec![Value::Decimal(Decimal::new(12345, 2)), Value::Decimal(Decimal::new(-125, 2))], "123.45|-1.3"),
            ("%s %s", vec![d(1.0e7), Value::float(0.1)], "1.0E7 0.1"),
            ("%.2f", vec![Value::float(0.1)], "0.10"),
            ("%f %s", vec![d(f64::NAN), d(f64::NEG_INFINITY)], "NaN -Infinity"),
            ("%s|%s", vec![Value::Timestamp(1_700_000_000_000), Value::Timestamp(1_700_000_000_500)], "2023-11-14T22:13:20|2023-11-14T22:13:20.500"),
            ("%s", vec![Value::Timestamp(1_699_999_980_000)], "2023-11-14T22:13"),
        ] {
            assert_eq!(f(format, &args), want, "{format}");
        }
    }

    #[test]
    fn rejects_what_javas_formatter_rejects() {
        for (format, args) in [
            ("%d", vec![Value::string("a")]),
            ("%f", vec![Value::Int(1)]),
            ("%s %s", vec![Value::Int(1)]),
            ("%-d", vec![Value::Int(1)]),
            ("%q", vec![Value::Int(1)]),
            ("%.2d", vec![Value::Int(1)]),
            ("%+x", vec![Value::Int(1)]),
            ("%0$s", vec![Value::Int(1)]),
            ("abc %", vec![]),
        ] {
            assert!(format_java(format, &args).is_err(), "{format} should fail");
        }
    }
}
