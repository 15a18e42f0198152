//! The small kernel every other module may use and that uses none of them: the two languages
//! and bilingual text, and how numbers and dates are written in each language. Pages and PDFs
//! format through it, so the same figure reads the same everywhere.

pub mod format;
mod lang;
pub mod net;

pub use lang::{Lang, Text};

/// The 1-based line of a byte offset.
pub fn line_of(source: &str, offset: usize) -> usize {
    let end = offset.min(source.len());
    source.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}
