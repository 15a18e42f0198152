//! Numbers and dates as each language writes them, one function per kind of value. Pages (as
//! template filters) and PDFs call these and nothing else, so `40,4%` on a Vietnamese page is
//! `40,4%` in the Vietnamese PDF, and `40.4%` in both English ones.

use time::{Date, Month, OffsetDateTime, UtcOffset};

use super::Lang;

/// Hanoi's time zone, UTC+7 all year (Vietnam has no daylight saving time).
pub const LOCAL_OFFSET: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// `x` with `places` decimals, the decimal separator and thousands grouping of the language:
/// `12.345,6` in Vietnamese, `12,345.6` in English.
pub fn number(x: f64, places: usize, lang: Lang) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let text = format!("{:.*}", places, x.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let (group, point) = separators(lang);
    let mut out = String::with_capacity(text.len() + whole.len() / 3 + 1);
    if x < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        out.push('-');
    }
    out.push_str(&grouped(whole, group));
    if !fraction.is_empty() {
        out.push(point);
        out.push_str(fraction);
    }
    out
}

/// One decimal: scores, means, percentages before the sign.
pub fn decimal(x: f64, lang: Lang) -> String {
    number(x, 1, lang)
}

/// A share (0–1) as a percentage with one decimal: `40,4%`.
pub fn percent(share: f64, lang: Lang) -> String {
    format!("{}%", decimal(share * 100.0, lang))
}

/// A change of a share (−1 to 1) in percentage points, signed, one decimal: `+2,4 điểm phần
/// trăm`, `-0.8 percentage points`. A change of shares is not a percentage of anything.
pub fn points(change: f64, lang: Lang) -> String {
    format!("{} {}", signed_points(change, lang), points_unit(lang))
}

/// A 95% interval of a change of a share: `-6,6 đến +1,7 điểm phần trăm`, `-6.6 to +1.7
/// percentage points`.
pub fn points_range(low: f64, high: f64, lang: Lang) -> String {
    let to = match lang {
        Lang::Vi => "đến",
        Lang::En => "to",
    };
    let (low, high) = (signed_points(low, lang), signed_points(high, lang));
    format!("{low} {to} {high} {}", points_unit(lang))
}

fn signed_points(change: f64, lang: Lang) -> String {
    let value = decimal(change * 100.0, lang);
    let zero = value.chars().all(|c| matches!(c, '0' | ',' | '.'));
    if value.starts_with('-') || zero { value } else { format!("+{value}") }
}

fn points_unit(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "điểm phần trăm",
        Lang::En => "percentage points",
    }
}

/// A count, its thousands grouped: `1.730` in Vietnamese, `1,730` in English.
pub fn count(n: i64, lang: Lang) -> String {
    let (group, _) = separators(lang);
    let digits = grouped(&n.unsigned_abs().to_string(), group);
    if n < 0 { format!("-{digits}") } else { digits }
}

/// A calendar date as people read it: `31/12/2026` in Vietnamese, `31 Dec 2026` in English.
pub fn date(date: Date, lang: Lang) -> String {
    let (y, d) = (date.year(), date.day());
    match lang {
        Lang::Vi => format!("{d:02}/{:02}/{y}", u8::from(date.month())),
        Lang::En => format!("{d} {} {y}", month_abbreviation(date.month())),
    }
}

/// An ISO date (`2026-12-31`) as people read it; anything else is shown as it is.
pub fn iso_date(iso: &str, lang: Lang) -> String {
    parse_iso_date(iso).map_or_else(|| iso.to_string(), |d| date(d, lang))
}

/// A moment in Hanoi's time, to the minute: `01/12/2026 14:05` or `1 Dec 2026 14:05`.
pub fn moment(at: OffsetDateTime, lang: Lang) -> String {
    let local = at.to_offset(LOCAL_OFFSET);
    format!("{} {:02}:{:02}", date(local.date(), lang), local.hour(), local.minute())
}

/// A stored RFC 3339 timestamp as [`moment`]; anything else is shown as it is.
pub fn rfc3339_moment(stamp: &str, lang: Lang) -> String {
    OffsetDateTime::parse(stamp, &time::format_description::well_known::Rfc3339)
        .map_or_else(|_| stamp.to_string(), |at| moment(at, lang))
}

/// Today's date in Hanoi.
pub fn today() -> Date {
    OffsetDateTime::now_utc().to_offset(LOCAL_OFFSET).date()
}

/// The moment `day` begins in Hanoi, as a stored RFC 3339 UTC timestamp compares: written with
/// nine fraction digits so that text order is time order against any stored fraction.
pub fn day_start_utc(day: Date) -> String {
    let start = day.midnight().assume_offset(LOCAL_OFFSET).to_offset(time::UtcOffset::UTC);
    let (date, time) = (start.date(), start.time());
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000000000Z",
        date.year(),
        u8::from(date.month()),
        date.day(),
        time.hour(),
        time.minute(),
        time.second()
    )
}

/// The date in Hanoi of a stored RFC 3339 timestamp.
pub fn rfc3339_local_date(stamp: &str) -> Option<Date> {
    OffsetDateTime::parse(stamp, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|at| at.to_offset(LOCAL_OFFSET).date())
}

/// Parses `YYYY-MM-DD`.
pub fn parse_iso_date(iso: &str) -> Option<Date> {
    Date::parse(iso, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

fn separators(lang: Lang) -> (char, char) {
    match lang {
        Lang::Vi => ('.', ','),
        Lang::En => (',', '.'),
    }
}

fn grouped(digits: &str, separator: char) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

fn month_abbreviation(month: Month) -> &'static str {
    const NAMES: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    NAMES[usize::from(u8::from(month)) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn vietnamese_uses_a_decimal_comma_and_thousands_points() {
        assert_eq!(decimal(40.44, Lang::Vi), "40,4");
        assert_eq!(percent(0.404, Lang::Vi), "40,4%");
        assert_eq!(count(1730, Lang::Vi), "1.730");
        assert_eq!(count(999, Lang::Vi), "999");
        assert_eq!(number(107_145.0, 0, Lang::Vi), "107.145");
        assert_eq!(number(0.031, 3, Lang::Vi), "0,031");
        assert_eq!(number(-1234.56, 1, Lang::Vi), "-1.234,6");
    }

    #[test]
    fn english_uses_a_decimal_point_and_thousands_commas() {
        assert_eq!(percent(0.041, Lang::En), "4.1%");
        assert_eq!(count(-1_234_567, Lang::En), "-1,234,567");
        assert_eq!(number(107_145.0, 0, Lang::En), "107,145");
        assert_eq!(number(-0.01, 1, Lang::En), "0.0");
    }

    #[test]
    fn dates_read_as_people_write_them() {
        assert_eq!(date(date!(2026 - 12 - 01), Lang::Vi), "01/12/2026");
        assert_eq!(date(date!(2026 - 12 - 01), Lang::En), "1 Dec 2026");
        assert_eq!(iso_date("2026-12-31", Lang::Vi), "31/12/2026");
        assert_eq!(iso_date("soon", Lang::En), "soon");
    }

    #[test]
    fn moments_are_in_hanoi_time_to_the_minute() {
        let at = datetime!(2026-12-01 20:05:59.123456789 UTC);
        assert_eq!(moment(at, Lang::Vi), "02/12/2026 03:05");
        assert_eq!(rfc3339_moment("2026-12-01T20:05:59.123456789Z", Lang::En), "2 Dec 2026 03:05");
    }

    #[test]
    fn a_change_of_shares_is_in_signed_percentage_points() {
        assert_eq!(points(0.0243, Lang::Vi), "+2,4 điểm phần trăm");
        assert_eq!(points(-0.0243, Lang::En), "-2.4 percentage points");
        assert_eq!(points(0.0001, Lang::En), "0.0 percentage points");
        assert_eq!(points_range(-0.066, 0.017, Lang::Vi), "-6,6 đến +1,7 điểm phần trăm");
        assert_eq!(points_range(-0.066, 0.017, Lang::En), "-6.6 to +1.7 percentage points");
    }
}
