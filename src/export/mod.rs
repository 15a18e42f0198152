//! Exports for statisticians: `aggregates.csv` (tidy long form), `microdata.csv`
//! (de-identified) and `datapackage.json` (a Frictionless Data descriptor, the codebook).
//! UTF-8; text that a spreadsheet would run as a formula is neutralised.

mod aggregates;
pub mod anonymise;
mod csv_out;
mod datapackage;
pub mod dta;
mod groups;
pub mod microdata;
mod package;
mod panel;
#[doc(hidden)]
pub mod readers;
mod release;
pub mod sav;
pub use package::zip_folder;
mod rscript;
mod shape;
pub mod table;
mod threaded;
mod write;
mod xlsx;

pub use aggregates::write_aggregates;
pub use datapackage::datapackage;
pub use write::{ExportError, ExportOptions, Format, export};

/// Prefixes text that begins like a spreadsheet formula (`=`, `+`, `-`, `@`, tab, carriage
/// return) with an apostrophe, so that opening the CSV never runs it (OWASP's advice).
pub fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formulas_are_neutralised_and_other_text_is_not() {
        for formula in ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"] {
            assert!(neutralise(formula).starts_with('\''), "{formula:?}");
        }
        assert_eq!(neutralise("Công ty = 1"), "Công ty = 1");
        assert_eq!(neutralise("00070"), "00070");
    }
}
