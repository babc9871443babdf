//! Reading dates and date-times, with the day/month order decided for a whole column.
//!
//! `03/04/2025` is the 3rd of April in most of the world and March 4th in the US. One value
//! cannot tell; a column can: any first part above 12 proves day-first, any second part above
//! 12 proves month-first. A column with both is not a date column; a column with neither is
//! ambiguous and read day-first unless its file uses US-style numbers (see `schema`), and the
//! reason shown to the user says so.
//!
//! Accepted shapes: ISO `2025-04-03` (with optional `T`/space time and zone), `2025/04/03`,
//! `03/04/2025`, `03-04-2025`, `03.04.2025` (two-digit years too), with an optional time
//! `14:05`, `14:05:09`, `2:05 PM`; month names `3 Apr 2025`, `April 3, 2025`,
//! `Apr 3 2025`; and ISO 8601's basic format `20250403`, eight digits without separators, as
//! databases and older shop systems export them (CDNOW's real log of 69,659 orders dates
//! them so), when the year is from 1900 to 2100 and the month and day exist. An arbitrary
//! eight-digit number is such a date about once in thirty, so a column is read as dates
//! only when nine values in ten are (`kinds`). Values become days since 1970-01-01
//! (fractional for times), so they can be turned into "days since" and "tenure" behaviours.

use serde::{Deserialize, Serialize};

/// The order of day and month in slashed dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateOrder {
    /// `dd/mm/yyyy`
    DayFirst,
    /// `mm/dd/yyyy`
    MonthFirst,
}

/// What a column's values say about day/month order.
#[derive(Debug, Default, Clone, Copy)]
pub struct OrderEvidence {
    /// Values whose first part is over 12.
    pub day_first: usize,
    /// Values whose second part is over 12.
    pub month_first: usize,
    /// Values whose day and month could be either way round (`03/04/2025`, not
    /// `2025-04-03` or `3 Apr 2025`).
    pub ambiguous: usize,
}

/// A date read from text, before the day/month order is applied.
#[derive(Debug, Clone, Copy, PartialEq)]
struct RawDate {
    a: u32,
    b: u32,
    year: i32,
    /// True when `a`/`b` are ambiguous parts of a slashed date; false when the month is known.
    ambiguous: bool,
    /// Seconds after midnight.
    seconds: f64,
    has_time: bool,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_from_name(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    let prefix = w.get(..3)?;
    let idx = MONTHS.iter().position(|m| *m == prefix)?;
    // "march" and "mar" both fine; "marble" is not a month.
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let name = full.get(idx)?;
    (name.starts_with(&w) || w == "sept").then_some(idx as u32 + 1)
}

fn parse_time(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() {
        return Some(0.0);
    }
    let lower = without_zone_name(t).to_ascii_lowercase();
    let (clock, pm) = if let Some(c) = lower.strip_suffix("pm") {
        (c.trim(), Some(true))
    } else if let Some(c) = lower.strip_suffix("am") {
        (c.trim(), Some(false))
    } else {
        (lower.as_str(), None)
    };
    // Drop a zone: Z, +01:00, -0500, " UTC".
    let clock = clock.trim_end_matches('z').trim_end_matches(" utc");
    let clock = match clock.rfind(['+', '-']) {
        Some(i) if i >= 5 => &clock[..i],
        _ => clock,
    };
    let mut parts = clock.split(':');
    let h: u32 = parts.next()?.trim().parse().ok()?;
    let m: u32 = parts.next()?.trim().parse().ok()?;
    let s: f64 = match parts.next() {
        Some(s) => s.trim().parse().ok()?,
        None => 0.0,
    };
    if parts.next().is_some() || m > 59 || !(0.0..61.0).contains(&s) {
        return None;
    }
    let h = match pm {
        Some(true) if (1..=11).contains(&h) => h + 12,
        Some(false) if h == 12 => 0,
        Some(_) if !(1..=12).contains(&h) => return None,
        _ => h,
    };
    if h > 23 {
        return None;
    }
    Some(f64::from(h * 3600 + m * 60) + s)
}

/// The time without a zone named after it: "GMT", "UTC+2", "GMT-05:00", "CEST" (Google Forms
/// writes its timestamps "2026/10/01 9:00:00 AM GMT+1"). The zone is dropped, as an offset is.
fn without_zone_name(t: &str) -> &str {
    let Some((clock, zone)) = t.rsplit_once(' ') else {
        return t;
    };
    let offset = |rest: &str| {
        rest.is_empty()
            || (rest.len() <= 6
                && rest.starts_with(['+', '-'])
                && rest
                    .bytes()
                    .skip(1)
                    .all(|b| b.is_ascii_digit() || b == b':')
                && rest.bytes().skip(1).any(|b| b.is_ascii_digit()))
    };
    let upper = zone.to_ascii_uppercase();
    let gmt_or_utc = ["GMT", "UTC"]
        .iter()
        .any(|z| upper.strip_prefix(z).is_some_and(offset));
    // An abbreviation as zones are written: three or four capitals ending in T (EST, CEST).
    let abbreviation = (3..=4).contains(&zone.len())
        && zone.ends_with('T')
        && zone.bytes().all(|b| b.is_ascii_uppercase());
    if gmt_or_utc || abbreviation {
        clock.trim_end()
    } else {
        t
    }
}

fn full_year(y: u32, digits: usize) -> Option<i32> {
    match digits {
        4 if (1800..=2200).contains(&y) => i32::try_from(y).ok(),
        2 => i32::try_from(if y < 70 { 2000 + y } else { 1900 + y }).ok(),
        _ => None,
    }
}

fn parse_raw(text: &str) -> Option<RawDate> {
    let t = text.trim();
    if t.len() < 6 || t.len() > 40 {
        return None;
    }
    // Split date from time at 'T' (ISO) or the first space after a numeric date.
    let (date, time) = match t.find(['T', ' ']) {
        Some(i)
            if t[..i]
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'-' || b == b'/' || b == b'.') =>
        {
            (&t[..i], &t[i + 1..])
        }
        _ => (t, ""),
    };
    if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
        return compact(date, time);
    }
    let numeric = date
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'-' || b == b'/' || b == b'.')
        && date.bytes().any(|b| !b.is_ascii_digit());
    if numeric {
        let sep = date.bytes().find(|b| !b.is_ascii_digit())?;
        let parts: Vec<&str> = date.split(sep as char).collect();
        if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4) {
            return None;
        }
        let nums: Vec<u32> = parts
            .iter()
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        let seconds = parse_time(time)?;
        let has_time = !time.trim().is_empty();
        if parts[0].len() == 4 {
            // Year first: always y-m-d.
            let year = full_year(nums[0], 4)?;
            return valid(RawDate {
                a: nums[2],
                b: nums[1],
                year,
                ambiguous: false,
                seconds,
                has_time,
            });
        }
        if parts[2].len() != 4 && parts[2].len() != 2 {
            return None;
        }
        // "2025" as a dotted decimal is not a date: require separators that dates use.
        if sep == b'.' && parts[2].len() == 2 && parts[0].len() > 2 {
            return None;
        }
        let year = full_year(nums[2], parts[2].len())?;
        if parts[0].len() > 2 || parts[1].len() > 2 {
            return None;
        }
        return valid(RawDate {
            a: nums[0],
            b: nums[1],
            year,
            ambiguous: true,
            seconds,
            has_time,
        });
    }
    // Month names: "3 Apr 2025", "April 3, 2025", "Apr 3 2025 14:00", "03-Apr-2025".
    let cleaned: String = t
        .chars()
        .map(|c| {
            if c == ',' || c == '-' || c == '/' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    if words.len() < 3 {
        return None;
    }
    let rest_time = words.get(3..).map(|w| w.join(" ")).unwrap_or_default();
    let seconds = parse_time(&rest_time)?;
    let has_time = !rest_time.is_empty();
    let (day, month, year) = if let Some(m) = month_from_name(words[0]) {
        (
            words[1].trim_end_matches(['s', 't', 'n', 'd', 'r', 'h']),
            m,
            words[2],
        )
    } else if let Some(m) = month_from_name(words[1]) {
        (
            words[0].trim_end_matches(['s', 't', 'n', 'd', 'r', 'h']),
            m,
            words[2],
        )
    } else {
        return None;
    };
    let day: u32 = day.parse().ok()?;
    let year = full_year(year.parse().ok()?, year.len())?;
    valid(RawDate {
        a: day,
        b: month,
        year,
        ambiguous: false,
        seconds,
        has_time,
    })
}

/// ISO 8601's basic format, `yyyymmdd`, years 1900 to 2100 only.
fn compact(date: &str, time: &str) -> Option<RawDate> {
    let part = |range: std::ops::Range<usize>| date.get(range)?.parse::<u32>().ok();
    let year = i32::try_from(part(0..4)?).ok()?;
    if !(1900..=2100).contains(&year) {
        return None;
    }
    valid(RawDate {
        a: part(6..8)?,
        b: part(4..6)?,
        year,
        ambiguous: false,
        seconds: parse_time(time)?,
        has_time: !time.trim().is_empty(),
    })
}

fn valid(d: RawDate) -> Option<RawDate> {
    let ok = |day: u32, month: u32| {
        (1..=12).contains(&month) && day >= 1 && day <= days_in_month(d.year, month)
    };
    if d.ambiguous {
        (ok(d.a, d.b) || ok(d.b, d.a)).then_some(d)
    } else {
        ok(d.a, d.b).then_some(d)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Adds what `text` says about day/month order to `evidence`; returns false if `text` is not a date.
pub fn observe(text: &str, evidence: &mut OrderEvidence) -> bool {
    match parse_raw(text) {
        Some(d) => {
            if d.ambiguous {
                evidence.ambiguous += 1;
                evidence.day_first += usize::from(d.a > 12);
                evidence.month_first += usize::from(d.b > 12);
            }
            true
        }
        None => false,
    }
}

/// True when the text carries a time of day.
pub fn has_time(text: &str) -> bool {
    parse_raw(text).is_some_and(|d| d.has_time)
}

/// Reads `text` as days since 1970-01-01 under `order`.
pub fn parse(text: &str, order: DateOrder) -> Option<f64> {
    let d = parse_raw(text)?;
    let (day, month) = if d.ambiguous && order == DateOrder::MonthFirst {
        (d.b, d.a)
    } else {
        (d.a, d.b)
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(d.year, month) {
        return None;
    }
    Some(days_from_civil(d.year, month, day) as f64 + d.seconds / 86_400.0)
}

/// Formats days since 1970-01-01 as `yyyy-mm-dd` (Hinnant's `civil_from_days`).
pub fn format_day(days: f64) -> String {
    let z = libm::floor(days) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_slashed_dotted_and_named_dates() {
        let day = days_from_civil(2025, 4, 3) as f64;
        for text in [
            "2025-04-03",
            "2025/04/03",
            "03/04/2025",
            "03.04.2025",
            "3 Apr 2025",
            "April 3, 2025",
            "03-Apr-2025",
            "3rd April 2025",
            "20250403",
        ] {
            assert_eq!(parse(text, DateOrder::DayFirst), Some(day), "{text}");
        }
        assert_eq!(parse("04/03/2025", DateOrder::MonthFirst), Some(day));
        assert_eq!(
            parse("2025-04-03T12:00:00Z", DateOrder::DayFirst),
            Some(day + 0.5)
        );
        assert_eq!(
            parse("03/04/2025 6:00 PM", DateOrder::DayFirst),
            Some(day + 0.75)
        );
        // Google Forms' own download names the zone after the time.
        for text in [
            "2025/04/03 6:00:00 PM GMT",
            "2025/04/03 6:00:00 PM GMT+1",
            "2025/04/03 6:00:00 pm UTC-05:00",
            "3 Apr 2025 18:00 CEST",
            "03/04/2025 18:00 EST",
        ] {
            assert_eq!(parse(text, DateOrder::DayFirst), Some(day + 0.75), "{text}");
        }
        for text in ["2025/04/03 6:00:00 PM GMT+x", "2025/04/03 6:00 PM Tuesday"] {
            assert_eq!(parse(text, DateOrder::DayFirst), None, "{text}");
        }
        assert_eq!(format_day(day), "2025-04-03");
        assert_eq!(days_from_civil(1970, 1, 1), 0);
    }

    #[test]
    fn impossible_dates_and_non_dates_are_rejected() {
        for text in [
            "31/02/2025",
            "2025-13-01",
            "12.5",
            "1,234.56",
            "hello",
            "12/2025",
            "99/99/99",
            "Marble 3 2025",
            "20251301",
            "20250231",
            "18991231",
            "12345678",
            "2025040",
        ] {
            assert_eq!(parse(text, DateOrder::DayFirst), None, "{text}");
        }
    }

    #[test]
    fn day_month_order_evidence() {
        let mut e = OrderEvidence::default();
        assert!(observe("25/12/2024", &mut e));
        assert!(observe("01/02/2024", &mut e));
        assert_eq!((e.day_first, e.month_first), (1, 0));
        let mut e = OrderEvidence::default();
        assert!(observe("12/25/2024", &mut e));
        assert_eq!((e.day_first, e.month_first), (0, 1));
    }
}
