//! PDF reports: a respondent's self-assessment, an area's summary and the city's overview.
//! `pdf` is the drawing layer, `layout` flows text and tables down pages, `chart` draws the
//! charts, `texts` holds the wording (data in `reports/texts.toml`).

pub mod chart;
pub mod layout;
pub mod pdf;
pub mod texts;

pub use texts::ReportTexts;

pub mod area;
pub mod city;
pub mod respondent;

use crate::survey::Lang;

/// `x` with one decimal, as the language writes it (`41,2` in Vietnamese).
pub fn decimal(x: f64, lang: Lang) -> String {
    let text = format!("{x:.1}");
    if lang == Lang::Vi { text.replace('.', ",") } else { text }
}

/// A share (0–1) as a percentage with one decimal.
pub fn percent(share: f64, lang: Lang) -> String {
    format!("{}%", decimal(share * 100.0, lang))
}

/// Chart value labels, which take no language argument.
fn chart_number(lang: Lang) -> fn(f64) -> String {
    match lang {
        Lang::Vi => |x| decimal(x, Lang::Vi),
        Lang::En => |x| decimal(x, Lang::En),
    }
}

/// A date as the language writes it.
fn date(date: time::Date, lang: Lang) -> String {
    let (y, m, d) = (date.year(), u8::from(date.month()), date.day());
    match lang {
        Lang::Vi => format!("{d:02}/{m:02}/{y}"),
        Lang::En => format!("{y}-{m:02}-{d:02}"),
    }
}
