//! PDF reports. `pdf` is the drawing layer: A4 pages, embedded fonts, measured text.

pub mod pdf;
