//! The shape of a labelled microdata file, shared by every writer (CSV, Stata, SPSS, Excel):
//! its variables with their labels, storage and value labels, and the cells of a row. Writers
//! stream: they take the rows one at a time and hold none of them.

use std::io;

/// Why a cell holds no value: distinct codes, documented in every file's codebook
/// (docs/microdata.md). Numeric variables carry them as Stata's extended missing values
/// `.a`–`.e` and SPSS's user-missing values −1 to −5; text variables carry them as an empty
/// text, whose reason the variable's label names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Missing {
    /// Not asked: routed past, not in the questionnaire version answered, or (for an optional
    /// question) left blank.
    Skipped,
    /// Answered "not applicable".
    NotApplicable,
    /// Answered "don't know".
    DontKnow,
    /// Withheld because the row's stratum pools the categories (design codes).
    Coarsened,
    /// Withheld by local suppression, so that no combination of key variables is rarer than
    /// the disclosure threshold.
    Suppressed,
}

impl Missing {
    pub const ALL: [Missing; 5] = [
        Missing::Skipped,
        Missing::NotApplicable,
        Missing::DontKnow,
        Missing::Coarsened,
        Missing::Suppressed,
    ];

    /// The SPSS user-missing value (and the numeric code everywhere a number is needed).
    pub fn code(self) -> i32 {
        -1 - self as i32
    }

    /// Stata's extended missing value: `.a` for skipped … `.e` for suppressed.
    pub fn stata_letter(self) -> char {
        char::from(b'a' + self as u8)
    }

    /// How a CSV file writes it.
    pub fn token(self) -> &'static str {
        match self {
            Missing::Skipped => "skipped",
            Missing::NotApplicable => "na",
            Missing::DontKnow => "dk",
            Missing::Coarsened => "coarsened",
            Missing::Suppressed => "suppressed",
        }
    }

    /// Its value label.
    pub fn label(self, lang: crate::kernel::Lang) -> &'static str {
        use crate::kernel::Lang;
        match (self, lang) {
            (Missing::Skipped, Lang::En) => "Skipped (not asked)",
            (Missing::Skipped, Lang::Vi) => "Bỏ qua (không được hỏi)",
            (Missing::NotApplicable, Lang::En) => "Not applicable",
            (Missing::NotApplicable, Lang::Vi) => "Không áp dụng",
            (Missing::DontKnow, Lang::En) => "Don't know",
            (Missing::DontKnow, Lang::Vi) => "Không biết",
            (Missing::Coarsened, Lang::En) => "Coarsened (stratum pools categories)",
            (Missing::Coarsened, Lang::Vi) => "Gộp (tầng gộp nhiều nhóm)",
            (Missing::Suppressed, Lang::En) => "Suppressed (confidentiality)",
            (Missing::Suppressed, Lang::Vi) => "Ẩn (bảo mật)",
        }
    }
}

/// How a variable is stored. Numbers that are codes use the smallest type that holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// Integers from −5 to 100 (codes, 0/1 flags).
    Byte,
    /// Integers from −5 to 32,000.
    Int,
    /// Integers from −5 to 2,000,000,000.
    Long,
    /// Any number.
    Double,
    /// A calendar date (cells are [`Cell::Date`]).
    Date,
    /// UTF-8 text of at most `width` bytes (at least 1).
    Text { width: usize },
}

impl Storage {
    pub fn is_text(self) -> bool {
        matches!(self, Storage::Text { .. })
    }
}

/// The level of measurement, which SPSS records and R's factors follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Nominal,
    Ordinal,
    Scale,
}

/// One variable (column).
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// At most 32 ASCII characters: a lower-case letter, then letters, digits and `_` (valid in
    /// Stata, SPSS and R alike).
    pub name: String,
    /// The full label in the file's language; each writer shortens it to its format's limit
    /// with [`shorten`] (the full text stays in the codebook).
    pub label: String,
    pub storage: Storage,
    pub measure: Measure,
    /// Index into [`Table::value_labels`] (numeric variables only).
    pub value_labels: Option<usize>,
    /// Whether the missing codes of [`Missing`] are declared for it (numeric variables only).
    pub missing: bool,
}

/// A named set of value labels: code and label, ascending by code. The labels of the missing
/// codes are not listed here: writers add them to every set of a variable with `missing`.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueLabels {
    /// At most 32 ASCII characters, as a variable name.
    pub name: String,
    pub labels: Vec<(i32, String)>,
}

/// The dictionary of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The dataset's label (Stata: 80 characters; writers shorten it).
    pub label: String,
    pub lang: crate::kernel::Lang,
    pub variables: Vec<Variable>,
    pub value_labels: Vec<ValueLabels>,
}

/// One cell of a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Number(f64),
    /// Days since 1970-01-01.
    Date(i32),
    Text(&'a str),
    Missing(Missing),
}

/// The Julian day of 1970-01-01, from which [`Cell::Date`] counts.
const EPOCH_JULIAN_DAY: i32 = 2_440_588;

/// The [`Cell::Date`] of a calendar date.
pub fn epoch_days(date: time::Date) -> i32 {
    date.to_julian_day() - EPOCH_JULIAN_DAY
}

/// `YYYY-MM-DD` of a [`Cell::Date`].
pub fn iso_date(days: i32) -> String {
    time::Date::from_julian_day(EPOCH_JULIAN_DAY + days)
        .map_or_else(|_| String::new(), |d| d.to_string())
}

/// `n` in decimal, written into `digits`: most cells are 0/1 flags, and `format!` costs more
/// than the rest of a row.
pub fn decimal(n: i64, digits: &mut [u8; 20]) -> &str {
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        at -= 1;
        digits[at] = b'-';
    }
    // Only ASCII digits and a sign were written.
    std::str::from_utf8(&digits[at..]).unwrap_or_default()
}

/// A writer of one file format: `row` for every row, in order, then `finish`.
pub trait RowWriter {
    fn row(&mut self, cells: &[Cell<'_>]) -> io::Result<()>;
    fn finish(self: Box<Self>) -> io::Result<()>;
}

/// `text` in at most `max_chars` characters and `max_bytes` UTF-8 bytes, cut at a word
/// boundary where one is near, with "…" to show the cut.
pub fn shorten(text: &str, max_chars: usize, max_bytes: usize) -> String {
    let fits = |s: &str| s.chars().count() <= max_chars && s.len() <= max_bytes;
    if fits(text) {
        return text.to_string();
    }
    let ellipsis = '…';
    let room_chars = max_chars.saturating_sub(1);
    let room_bytes = max_bytes.saturating_sub(ellipsis.len_utf8());
    let mut end = 0;
    for (count, (i, c)) in text.char_indices().enumerate() {
        if count >= room_chars || i + c.len_utf8() > room_bytes {
            break;
        }
        end = i + c.len_utf8();
    }
    let cut = &text[..end];
    // A word boundary within the last fifth reads better than a word cut in two.
    let cut = match cut.rfind(' ') {
        Some(space) if space * 5 >= cut.len() * 4 => &cut[..space],
        _ => cut,
    };
    format!("{}{ellipsis}", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_codes_are_distinct_in_every_form() {
        let codes: Vec<i32> = Missing::ALL.iter().map(|m| m.code()).collect();
        assert_eq!(codes, [-1, -2, -3, -4, -5]);
        let letters: String = Missing::ALL.iter().map(|m| m.stata_letter()).collect();
        assert_eq!(letters, "abcde");
        let tokens: std::collections::BTreeSet<&str> =
            Missing::ALL.iter().map(|m| m.token()).collect();
        assert_eq!(tokens.len(), 5);
    }

    #[test]
    fn dates_count_days_from_1970() {
        assert_eq!(iso_date(0), "1970-01-01");
        assert_eq!(iso_date(20_790), "2026-12-03");
        let day = time::Date::from_calendar_date(2026, time::Month::December, 3).unwrap();
        assert_eq!(epoch_days(day), 20_790);
    }

    #[test]
    fn long_labels_are_cut_at_a_word_within_both_limits() {
        assert_eq!(shorten("short", 80, 320), "short");
        let long = "Doanh nghiệp có sử dụng dịch vụ điện toán đám mây trong hoạt động sản xuất kinh doanh không?";
        let cut = shorten(long, 40, 160);
        assert!(cut.chars().count() <= 40, "{cut}");
        assert!(cut.ends_with('…') && !cut.ends_with(" …"), "{cut}");
        let bytes = shorten(long, 80, 30);
        assert!(bytes.len() <= 30, "{bytes}");
        assert_eq!(shorten("abcdefghij", 5, 100), "abcd…");
    }
}
