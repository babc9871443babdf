//! Reading one cell's text as a number, in either decimal convention.
//!
//! Exports write numbers the way their locale does: `1,234.56`, `1.234,56`, `1 234,56`,
//! `€12,50`, `12.5 %`, `(1,234.00)` for a negative amount. A column is typed as a whole
//! (see `schema`), so this module only answers, for one text and one convention, "is this a
//! number, and which?" — it never guesses the convention itself. Grouping is checked
//! strictly (groups of three digits), so `1,5` is *not* a number under the dot convention;
//! that is how a decimal-comma column is told apart from a thousands-grouped one.
//!
//! `NaN`, `Infinity` and values that overflow (`1e309`) are reported as non-finite so the
//! caller can treat them as missing and say so, instead of letting them poison statistics.

use serde::{Deserialize, Serialize};

/// Which character separates the whole part from the fraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
pub enum Decimal {
    /// `1,234.56`
    Dot,
    /// `1.234,56`
    Comma,
}

impl Decimal {
    /// The separator character.
    pub fn char(self) -> char {
        match self {
            Decimal::Dot => '.',
            Decimal::Comma => ',',
        }
    }
}

/// A number read from a cell, with what its text looked like.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number {
    /// The value (a percentage keeps its percent units: `12 %` is 12).
    pub value: f64,
    /// The text carried a currency symbol or code.
    pub currency: bool,
    /// The text ended in `%`.
    pub percent: bool,
    /// The text had no fraction and no exponent.
    pub integer: bool,
    /// The text started with a `0` followed by more digits (`02134`): a code, not a quantity.
    pub leading_zero: bool,
    /// The text ended in `+`, as a survey's top answer does ("7+": 7 or more); read as its
    /// number.
    pub at_least: bool,
}

/// The outcome of reading a cell as a number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NumberParse {
    /// A finite number.
    Number(Number),
    /// `NaN`, `Infinity` or an overflow such as `1e309`.
    NonFinite,
    /// Not a number under this convention.
    NotNumber,
}

const CURRENCY_SYMBOLS: &[&str] = &[
    "R$", "US$", "A$", "C$", "NZ$", "HK$", "S$", "$", "€", "£", "¥", "₹", "₩", "₽", "₺", "₪", "฿",
    "₫", "₱", "₴", "zł", "Kč", "kr.", "kr", "Fr.", "CHF", "Ft", "lei",
];

const CURRENCY_CODES: &[&str] = &[
    "USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF", "SEK", "NOK", "DKK", "PLN", "INR", "BRL",
    "MXN", "ZAR", "NZD", "SGD", "HKD", "CNY", "CZK", "HUF", "TRY", "ILS", "KRW", "RUB", "THB",
    "PHP", "IDR", "MYR", "AED", "SAR", "RON",
];

/// True for the spaces that locales use to group digits.
fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{a0}' || c == '\u{202f}' || c == '\u{2009}'
}

/// Removes one currency symbol or code from the start or end of `s`.
fn strip_currency(s: &str) -> (&str, bool) {
    // Every symbol and code starts and ends with a non-digit: plain numbers skip the search.
    if s.starts_with(|c: char| c.is_ascii_digit()) && s.ends_with(|c: char| c.is_ascii_digit()) {
        return (s, false);
    }
    // A symbol can only start (end) the text if its first (last) byte does: compared first,
    // a byte is cheaper than the slice comparison it usually saves.
    let (first, last) = (s.as_bytes().first(), s.as_bytes().last());
    for sym in CURRENCY_SYMBOLS.iter().chain(CURRENCY_CODES) {
        if sym.as_bytes().first() == first
            && let Some(rest) = s.strip_prefix(sym)
        {
            return (rest.trim_matches(is_space), true);
        }
        if sym.as_bytes().last() == last
            && let Some(rest) = s.strip_suffix(sym)
        {
            return (rest.trim_matches(is_space), true);
        }
    }
    (s, false)
}

/// Reads `text` as a number under the `decimal` convention.
pub fn parse_number(text: &str, decimal: Decimal) -> NumberParse {
    match plain_number(text, decimal) {
        Some(number) => NumberParse::Number(number),
        None => parse_any_number(text, decimal),
    }
}

/// The common case read directly: `-?digits`, or `-?digits.digits` under the dot
/// convention, with nothing around it. Gives what [`parse_any_number`] gives for such text
/// (`plain_numbers_read_as_the_general_reader_reads_them`) without its trimming, currency
/// search and copy; `None` sends anything else to it. Typing a column reads every
/// distinct value, and most are plain.
fn plain_number(text: &str, decimal: Decimal) -> Option<Number> {
    let bytes = text.as_bytes();
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    if digits.is_empty() || digits.len() > 40 || !digits.first()?.is_ascii_digit() {
        return None;
    }
    let mut point = None;
    for (i, &b) in digits.iter().enumerate() {
        if b == b'.' && decimal == Decimal::Dot && point.is_none() {
            point = Some(i);
        } else if !b.is_ascii_digit() {
            return None;
        }
    }
    if point.is_some_and(|p| p + 1 == digits.len()) {
        return None;
    }
    let unsigned = text.get(usize::from(negative)..)?;
    let value = unsigned.parse::<f64>().ok().filter(|v| v.is_finite())?;
    Some(Number {
        value: if negative { -value } else { value },
        currency: false,
        percent: false,
        integer: point.is_none(),
        leading_zero: digits.first() == Some(&b'0')
            && digits.get(1).is_some_and(u8::is_ascii_digit),
        at_least: false,
    })
}

/// Reads any text as a number under the `decimal` convention: signs, brackets, currency,
/// percent and grouping.
fn parse_any_number(text: &str, decimal: Decimal) -> NumberParse {
    let s = text.trim_matches(|c: char| c.is_whitespace() || is_space(c));
    if s.is_empty() || s.len() > 64 {
        return NumberParse::NotNumber;
    }
    let unsigned = s.trim_start_matches(['+', '-']);
    if ["nan", "inf", "infinity", "∞"]
        .iter()
        .any(|word| unsigned.eq_ignore_ascii_case(word))
    {
        return NumberParse::NonFinite;
    }
    // Every finite number has a digit: words end here, before the currency search.
    if !s.bytes().any(|b| b.is_ascii_digit()) {
        return NumberParse::NotNumber;
    }

    let mut negative = false;
    let mut s = s;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        s = inner.trim_matches(is_space);
    }
    let (after_sign, sign) = take_sign(s);
    negative ^= sign;
    s = after_sign;
    let (after_currency, currency) = strip_currency(s);
    s = after_currency;
    // A sign may also follow the currency symbol: `$-12`, `€ -3,50`; but only one sign.
    if currency && !sign {
        let (after_sign, sign) = take_sign(s);
        negative ^= sign;
        s = after_sign;
    }
    // "7+", "10+": a survey's top answer, 7 or more, read as its number (after a currency
    // symbol or before a percent sign too: "$500+", "50%+"). One `+` only: "C++" is no number.
    let mut at_least = false;
    if let Some(rest) = s.strip_suffix('+')
        && !rest.ends_with('+')
    {
        at_least = true;
        s = rest.trim_matches(is_space);
    }
    let mut percent = false;
    if let Some(rest) = s.strip_suffix('%') {
        percent = true;
        s = rest.trim_matches(is_space);
    }
    if s.is_empty() || !s.starts_with(|c: char| c.is_ascii_digit() || c == decimal.char()) {
        return NumberParse::NotNumber;
    }

    let Some(normalised) = normalise_digits(s, decimal) else {
        return NumberParse::NotNumber;
    };
    let integer = !normalised.contains(['.', 'e', 'E']);
    let leading_zero =
        s.len() > 1 && s.starts_with('0') && s.as_bytes().get(1).is_some_and(u8::is_ascii_digit);
    match normalised.parse::<f64>() {
        Ok(v) if v.is_finite() => NumberParse::Number(Number {
            value: if negative { -v } else { v },
            currency,
            percent,
            integer,
            leading_zero,
            at_least,
        }),
        Ok(_) => NumberParse::NonFinite,
        Err(_) => NumberParse::NotNumber,
    }
}

fn take_sign(s: &str) -> (&str, bool) {
    if let Some(rest) = s.strip_prefix('-').or_else(|| s.strip_prefix('\u{2212}')) {
        (rest.trim_start_matches(is_space), true)
    } else if let Some(rest) = s.strip_prefix('+') {
        (rest.trim_start_matches(is_space), false)
    } else {
        (s, false)
    }
}

/// Turns `1.234,56` (comma convention) or `1,234.56` (dot) into `1234.56`, checking that
/// group separators sit every three digits. Returns `None` when the text is not a
/// well-formed number in this convention.
fn normalise_digits(s: &str, decimal: Decimal) -> Option<String> {
    let dec = decimal.char();
    let (whole, rest) = match s.find(dec) {
        Some(i) => (&s[..i], Some(&s[i + dec.len_utf8()..])),
        None => (s, None),
    };
    // Exponent only in plain, ungrouped numbers: 1e5, 1.5E-3.
    let (fraction, exponent) = match rest {
        Some(r) => match r.find(['e', 'E']) {
            Some(i) => (Some(&r[..i]), Some(&r[i + 1..])),
            None => (Some(r), None),
        },
        None => match whole.find(['e', 'E']) {
            Some(i) => {
                let (w, e) = (&whole[..i], &whole[i + 1..]);
                return plain_with_exponent(w, None, e);
            }
            None => (None, None),
        },
    };
    if let Some(exp) = exponent {
        return plain_with_exponent(whole, fraction, exp);
    }

    let mut out = String::with_capacity(s.len());
    let mut groups = whole
        .split(|c: char| is_group_separator(c, decimal))
        .peekable();
    let first = groups.next()?;
    if groups.peek().is_none() {
        if !first.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out.push_str(first);
    } else {
        if first.is_empty() || first.len() > 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out.push_str(first);
        for g in groups {
            if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            out.push_str(g);
        }
    }
    if let Some(f) = fraction {
        if !f.bytes().all(|b| b.is_ascii_digit()) || (f.is_empty() && out.is_empty()) {
            return None;
        }
        out.push('.');
        out.push_str(f);
    }
    if out.is_empty() || out == "." {
        return None;
    }
    if out.starts_with('.') {
        out.insert(0, '0');
    }
    if out.ends_with('.') {
        out.push('0');
    }
    Some(out)
}

fn is_group_separator(c: char, decimal: Decimal) -> bool {
    is_space(c)
        || c == '\''
        || c == '’'
        || match decimal {
            Decimal::Dot => c == ',',
            Decimal::Comma => c == '.',
        }
}

fn plain_with_exponent(whole: &str, fraction: Option<&str>, exp: &str) -> Option<String> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(whole) || whole.is_empty() && fraction.is_some_and(digits)) {
        return None;
    }
    if fraction.is_some_and(|f| !f.is_empty() && !digits(f)) {
        return None;
    }
    let exp_digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
    if !digits(exp_digits) {
        return None;
    }
    let mut out = String::from(if whole.is_empty() { "0" } else { whole });
    if let Some(f) = fraction.filter(|f| !f.is_empty()) {
        out.push('.');
        out.push_str(f);
    }
    out.push('e');
    out.push_str(exp);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str, decimal: Decimal) -> Option<f64> {
        match parse_number(text, decimal) {
            NumberParse::Number(n) => Some(n.value),
            _ => None,
        }
    }

    #[test]
    fn both_conventions_with_grouping_currency_and_percent() {
        use Decimal::*;
        assert_eq!(value("1,234.56", Dot), Some(1234.56));
        assert_eq!(value("1.234,56", Comma), Some(1234.56));
        assert_eq!(value("1 234,56", Comma), Some(1234.56));
        assert_eq!(value("1\u{202f}234,56", Comma), Some(1234.56));
        assert_eq!(value("€12,50", Comma), Some(12.5));
        assert_eq!(value("12,50 €", Comma), Some(12.5));
        assert_eq!(value("$1,200", Dot), Some(1200.0));
        assert_eq!(value("USD 99.90", Dot), Some(99.9));
        assert_eq!(value("(1,234.00)", Dot), Some(-1234.0));
        assert_eq!(value("-€3,50", Comma), Some(-3.5));
        assert_eq!(value("12.5%", Dot), Some(12.5));
        assert_eq!(value("1e5", Dot), Some(100000.0));
        assert_eq!(value(".5", Dot), Some(0.5));
        assert_eq!(value("1'234.5", Dot), Some(1234.5));
    }

    #[test]
    fn grouping_is_strict_so_conventions_are_told_apart() {
        assert_eq!(
            value("1,5", Decimal::Dot),
            None,
            "a decimal comma is not a thousands comma"
        );
        assert_eq!(value("1.5", Decimal::Comma), None);
        assert_eq!(value("1,234", Decimal::Dot), Some(1234.0));
        assert_eq!(value("1,234", Decimal::Comma), Some(1.234));
        assert_eq!(value("12,34,567", Decimal::Dot), None);
    }

    #[test]
    fn non_finite_and_non_numbers() {
        assert_eq!(parse_number("NaN", Decimal::Dot), NumberParse::NonFinite);
        assert_eq!(
            parse_number("-Infinity", Decimal::Dot),
            NumberParse::NonFinite
        );
        assert_eq!(parse_number("1e309", Decimal::Dot), NumberParse::NonFinite);
        for text in [
            "", "abc", "12abc", "1-2", "--1", "1..2", "e5", "€", "%", "(12",
        ] {
            assert_eq!(
                parse_number(text, Decimal::Dot),
                NumberParse::NotNumber,
                "{text:?}"
            );
        }
    }

    /// A survey's top answer, "7+" (7 or more), is read as its number and marked; one `+`
    /// only, and a leading one is a sign.
    #[test]
    fn a_top_answer_with_a_plus_is_read_as_its_number() {
        let read = |text: &str| match parse_number(text, Decimal::Dot) {
            NumberParse::Number(n) => Some((n.value, n.at_least, n.currency, n.percent)),
            _ => None,
        };
        assert_eq!(read("7+"), Some((7.0, true, false, false)));
        assert_eq!(read(" 10 + "), Some((10.0, true, false, false)));
        assert_eq!(read("$500+"), Some((500.0, true, true, false)));
        assert_eq!(read("50%+"), Some((50.0, true, false, true)));
        assert_eq!(read("+7"), Some((7.0, false, false, false)));
        assert_eq!(read("7"), Some((7.0, false, false, false)));
        for text in ["C++", "7++", "+", "a+", "A+"] {
            assert_eq!(read(text), None, "{text:?}");
        }
    }

    #[test]
    fn plain_numbers_read_as_the_general_reader_reads_them() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        let alphabet = b"0123456789012345.-,+ e";
        let mut plain = 0;
        for _ in 0..200_000 {
            let len = rng.gen_range(1..12);
            let text: String = (0..len)
                .map(|_| char::from(alphabet[rng.gen_range(0..alphabet.len())]))
                .collect();
            for decimal in [Decimal::Dot, Decimal::Comma] {
                if let Some(number) = plain_number(&text, decimal) {
                    plain += 1;
                    let general = parse_any_number(&text, decimal);
                    assert_eq!(general, NumberParse::Number(number), "{text:?} {decimal:?}");
                    // Bit for bit, so that -0 stays -0.
                    let NumberParse::Number(g) = general else {
                        unreachable!()
                    };
                    assert_eq!(g.value.to_bits(), number.value.to_bits(), "{text:?}");
                }
            }
        }
        assert!(plain > 20_000, "the fast path was taken {plain} times");
        for text in [
            "0",
            "-0",
            "007",
            "12.50",
            "-3.25",
            "123456789012",
            "0.000001",
        ] {
            assert!(plain_number(text, Decimal::Dot).is_some(), "{text}");
        }
        for text in ["1,5", "1.", ".5", "+1", " 1", "1e3", "--1", "-", ""] {
            assert!(plain_number(text, Decimal::Dot).is_none(), "{text}");
        }
    }

    #[test]
    fn leading_zeros_are_flagged_for_codes() {
        let NumberParse::Number(n) = parse_number("02134", Decimal::Dot) else {
            panic!("not a number")
        };
        assert!(n.leading_zero && n.integer);
        let NumberParse::Number(n) = parse_number("0.5", Decimal::Dot) else {
            panic!("not a number")
        };
        assert!(!n.leading_zero);
    }
}
