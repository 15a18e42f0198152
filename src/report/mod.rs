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
pub mod letter;
pub mod respondent;

use crate::kernel::Lang;
use crate::kernel::format::decimal;

/// Chart value labels, which take no language argument.
fn chart_number(lang: Lang) -> fn(f64) -> String {
    match lang {
        Lang::Vi => |x| decimal(x, Lang::Vi),
        Lang::En => |x| decimal(x, Lang::En),
    }
}
