//! Numbers of the expression language.
//!
//! Asterisk computes in `long double` (64-bit mantissa) and prints with `"%.18Lg"`. We keep
//! exact rationals (i128 numerator and denominator) while they fit, which gives the same 18
//! printed digits as `long double` for the sums, products and quotients dialplans compute
//! (`10/3` prints `3.33333333333333333`, `0.1+0.2` prints `0.3`), and fall back to `f64` for
//! results of math functions and values too large for the rational form.

use std::cmp::Ordering;

/// Denominators are kept at or below this, so long division never overflows.
const MAX_DEN: i128 = 1_000_000_000_000_000_000_000_000_000_000; // 1e30

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Num {
    /// numerator / denominator, denominator > 0, reduced.
    Rat(i128, i128),
    Float(f64),
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

impl Num {
    pub fn int(i: i64) -> Num {
        Num::Rat(i as i128, 1)
    }

    fn rat(n: i128, d: i128) -> Option<Num> {
        if d == 0 {
            return None;
        }
        let (mut n, mut d) = if d < 0 {
            (n.checked_neg()?, d.checked_neg()?)
        } else {
            (n, d)
        };
        let g = gcd(n, d);
        if g > 1 {
            n /= g;
            d /= g;
        }
        if d > MAX_DEN {
            return None;
        }
        Some(Num::Rat(n, d))
    }

    pub fn to_f64(self) -> f64 {
        match self {
            Num::Rat(n, d) => n as f64 / d as f64,
            Num::Float(f) => f,
        }
    }

    pub fn is_zero(self) -> bool {
        match self {
            Num::Rat(n, _) => n == 0,
            Num::Float(f) => f == 0.0,
        }
    }

    /// `strtold` on a string: the longest decimal prefix (leading blanks and a sign allowed);
    /// 0 when there is none.
    pub fn parse_prefix(s: &str) -> Num {
        let s = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
        let (neg, rest) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let mut frac = "";
        if rest.as_bytes().get(int_len) == Some(&b'.') {
            let after = &rest[int_len + 1..];
            let flen = after.bytes().take_while(u8::is_ascii_digit).count();
            frac = &after[..flen];
        }
        let int = &rest[..int_len];
        if int.is_empty() && frac.is_empty() {
            return Num::int(0);
        }
        let digits = format!("{int}{frac}");
        let digits = digits.trim_start_matches('0');
        let value = if digits.len() <= 36 && frac.len() <= 30 {
            digits
                .parse::<i128>()
                .ok()
                .or(if digits.is_empty() { Some(0) } else { None })
                .and_then(|n| Num::rat(n, 10i128.pow(frac.len() as u32)))
        } else {
            None
        };
        let value = value.unwrap_or_else(|| {
            Num::Float(
                format!("{}.{}", if int.is_empty() { "0" } else { int }, frac)
                    .parse()
                    .unwrap_or(0.0),
            )
        });
        if neg {
            value.negate()
        } else {
            value
        }
    }

    pub fn negate(self) -> Num {
        match self {
            Num::Rat(n, d) => n
                .checked_neg()
                .map(|n| Num::Rat(n, d))
                .unwrap_or(Num::Float(-(n as f64) / d as f64)),
            Num::Float(f) => Num::Float(-f),
        }
    }

    pub fn plus(self, o: Num) -> Num {
        if let (Num::Rat(a, b), Num::Rat(c, d)) = (self, o) {
            let r = (|| {
                Num::rat(
                    a.checked_mul(d)?.checked_add(c.checked_mul(b)?)?,
                    b.checked_mul(d)?,
                )
            })();
            if let Some(r) = r {
                return r;
            }
        }
        Num::Float(self.to_f64() + o.to_f64())
    }

    pub fn minus(self, o: Num) -> Num {
        self.plus(o.negate())
    }

    pub fn times(self, o: Num) -> Num {
        if let (Num::Rat(a, b), Num::Rat(c, d)) = (self, o) {
            let r = (|| Num::rat(a.checked_mul(c)?, b.checked_mul(d)?))();
            if let Some(r) = r {
                return r;
            }
        }
        Num::Float(self.to_f64() * o.to_f64())
    }

    /// Division; the caller checks for a zero divisor.
    pub fn divide(self, o: Num) -> Num {
        if let (Num::Rat(a, b), Num::Rat(c, d)) = (self, o) {
            let r = (|| Num::rat(a.checked_mul(d)?, b.checked_mul(c)?))();
            if let Some(r) = r {
                return r;
            }
        }
        Num::Float(self.to_f64() / o.to_f64())
    }

    /// `fmodl`: the remainder has the sign of the dividend.
    pub fn fmod(self, o: Num) -> Num {
        if let (Num::Rat(a, b), Num::Rat(c, d)) = (self, o) {
            let r = (|| {
                // a/b - trunc((a/b)/(c/d)) * c/d
                let num = a.checked_mul(d)?;
                let den = b.checked_mul(c)?;
                let q = num.checked_div(den)?;
                let sub = Num::rat(q.checked_mul(c)?, d)?;
                Some(Num::Rat(a, b).minus(sub))
            })();
            if let Some(r) = r {
                return r;
            }
        }
        Num::Float(self.to_f64() % o.to_f64())
    }

    pub fn compare(self, o: Num) -> Ordering {
        if let (Num::Rat(a, b), Num::Rat(c, d)) = (self, o) {
            if let (Some(l), Some(r)) = (a.checked_mul(d), c.checked_mul(b)) {
                return l.cmp(&r);
            }
        }
        self.to_f64()
            .partial_cmp(&o.to_f64())
            .unwrap_or(Ordering::Equal)
    }

    /// Round toward zero / down / up / to nearest, exact on rationals.
    pub fn trunc(self) -> Num {
        match self {
            Num::Rat(n, d) => Num::Rat(n / d, 1),
            Num::Float(f) => Num::Float(f.trunc()),
        }
    }
    pub fn floor(self) -> Num {
        match self {
            Num::Rat(n, d) => Num::Rat(n.div_euclid(d), 1),
            Num::Float(f) => Num::Float(f.floor()),
        }
    }
    pub fn ceil(self) -> Num {
        self.negate().floor().negate()
    }
    /// `roundl`: halfway cases away from zero.
    pub fn round(self) -> Num {
        match self {
            Num::Rat(n, d) => {
                let half = Num::Rat(if n < 0 { -1 } else { 1 }, 2);
                Num::Rat(n, d).plus(half).trunc()
            }
            Num::Float(f) => Num::Float(f.round()),
        }
    }
    /// `rintl`: halfway cases to even.
    pub fn rint(self) -> Num {
        match self {
            Num::Rat(n, d) => {
                let fl = Num::Rat(n, d).floor();
                let diff = Num::Rat(n, d).minus(fl);
                match diff.compare(Num::Rat(1, 2)) {
                    Ordering::Less => fl,
                    Ordering::Greater => fl.plus(Num::int(1)),
                    Ordering::Equal => match fl {
                        Num::Rat(i, 1) if i % 2 == 0 => fl,
                        _ => fl.plus(Num::int(1)),
                    },
                }
            }
            Num::Float(f) => {
                let r = f.round();
                Num::Float(if (f - f.trunc()).abs() == 0.5 && r % 2.0 != 0.0 {
                    r - f.signum()
                } else {
                    r
                })
            }
        }
    }

    /// `printf("%.18Lg")`.
    pub fn format(self) -> String {
        match self {
            Num::Rat(n, d) => format_rat(n, d),
            Num::Float(f) => format_float(f),
        }
    }
}

const PRECISION: i32 = 18;

/// `%.18g` from a sign, significant digits (exactly 18, already rounded) and the decimal
/// exponent of the first digit.
fn format_g(neg: bool, digits: &[u8], exp: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let sig: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
    if !(-4..PRECISION).contains(&exp) {
        let mut mant = format!("{}.{}", &sig[..1], &sig[1..]);
        mant = mant.trim_end_matches('0').trim_end_matches('.').to_string();
        out.push_str(&mant);
        out.push_str(&format!(
            "e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        ));
    } else if exp < 0 {
        let s = format!("0.{}{}", "0".repeat((-exp - 1) as usize), sig);
        out.push_str(s.trim_end_matches('0').trim_end_matches('.'));
    } else {
        let point = (exp + 1) as usize;
        let s = format!("{}.{}", &sig[..point], &sig[point..]);
        out.push_str(s.trim_end_matches('0').trim_end_matches('.'));
    }
    out
}

fn format_rat(n: i128, d: i128) -> String {
    if n == 0 {
        return "0".to_string();
    }
    let neg = n < 0;
    let n = n.unsigned_abs();
    let d = d.unsigned_abs();
    // Produce 19 significant digits plus a sticky remainder flag.
    let mut digits: Vec<u8> = Vec::with_capacity(20);
    let int = n / d;
    let mut rem = n % d;
    let mut exp: i32;
    if int > 0 {
        let s = int.to_string();
        exp = s.len() as i32 - 1;
        digits.extend(s.bytes().map(|b| b - b'0'));
    } else {
        exp = -1;
        while rem * 10 < d {
            rem *= 10;
            exp -= 1;
        }
    }
    while digits.len() < (PRECISION as usize + 1) {
        rem *= 10;
        digits.push((rem / d) as u8);
        rem %= d;
    }
    let sticky = rem != 0 || digits[PRECISION as usize + 1..].iter().any(|&x| x != 0);
    let next = digits[PRECISION as usize];
    digits.truncate(PRECISION as usize);
    let last_odd = digits.last().is_some_and(|x| x % 2 == 1);
    if next > 5 || (next == 5 && (sticky || last_odd)) {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, 1);
                digits.truncate(PRECISION as usize);
                exp += 1;
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
    format_g(neg, &digits, exp)
}

fn format_float(f: f64) -> String {
    if f.is_nan() {
        return if f.is_sign_negative() { "-nan" } else { "nan" }.to_string();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf" } else { "inf" }.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    // {:.17e} gives 18 significant digits: d.ddddddddddddddddde±x
    let s = format!("{:.17e}", f.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: Vec<u8> = mant
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    format_g(f < 0.0, &digits, exp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Num {
        Num::parse_prefix(s)
    }

    #[test]
    fn integers_print_without_decimals() {
        assert_eq!(p("42").format(), "42");
        assert_eq!(p("-7").format(), "-7");
        assert_eq!(p("007").format(), "7");
        assert_eq!(p("0").format(), "0");
        assert_eq!(p("100").format(), "100");
    }

    #[test]
    fn eighteen_significant_digits_like_long_double() {
        assert_eq!(p("10").divide(p("3")).format(), "3.33333333333333333");
        assert_eq!(p("1").divide(p("3")).format(), "0.333333333333333333");
        assert_eq!(p("2").divide(p("3")).format(), "0.666666666666666667");
        assert_eq!(p("0.1").plus(p("0.2")).format(), "0.3");
        assert_eq!(p("7").divide(p("2")).format(), "3.5");
    }

    #[test]
    fn large_and_small_values_switch_to_exponent_form() {
        assert_eq!(p("999999999999999999").format(), "999999999999999999");
        assert_eq!(p("1000000000000000000").format(), "1e+18");
        assert_eq!(p("1234567890123456789").format(), "1.23456789012345679e+18");
        assert_eq!(p("0.0001").format(), "0.0001");
        assert_eq!(p("0.00001").format(), "1e-05");
    }

    #[test]
    fn strtold_prefix_parsing() {
        assert_eq!(p("1.2.3").format(), "1.2");
        assert_eq!(p("12abc").format(), "12");
        assert_eq!(p("").format(), "0");
        assert_eq!(p(".5").format(), "0.5");
        assert_eq!(p(" -3").format(), "-3");
    }

    #[test]
    fn fmod_keeps_sign_of_dividend() {
        assert_eq!(p("7").fmod(p("3")).format(), "1");
        assert_eq!(p("-7").fmod(p("3")).format(), "-1");
        assert_eq!(p("7.5").fmod(p("2")).format(), "1.5");
    }

    #[test]
    fn rounding_functions() {
        assert_eq!(p("2.5").round().format(), "3");
        assert_eq!(p("-2.5").round().format(), "-3");
        assert_eq!(p("2.5").rint().format(), "2");
        assert_eq!(p("3.5").rint().format(), "4");
        assert_eq!(p("-2.7").floor().format(), "-3");
        assert_eq!(p("-2.7").ceil().format(), "-2");
        assert_eq!(p("-2.7").trunc().format(), "-2");
    }

    #[test]
    fn floats_use_g_format() {
        assert_eq!(Num::Float(4.0).format(), "4");
        assert_eq!(Num::Float(0.5).format(), "0.5");
        assert_eq!(Num::Float(1e20).format(), "1e+20");
    }
}
