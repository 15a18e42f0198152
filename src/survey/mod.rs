//! Questionnaires: the model, the strict loader of `surveys/*.toml`, and the condition
//! language. The file format is documented in `surveys/README.md`.

pub mod condition;
pub mod diff;
mod experiment;
mod items;
mod load;
mod model;
pub mod period;
mod problem;
mod question;
mod raw;
pub mod reading;
pub mod reasons;

pub use crate::kernel::{Lang, Text};
pub use condition::{Condition, Facts};
pub use load::{SurveyFile, load_file, load_paths, parse, valid_id};
pub use model::*;
pub use problem::{LoadError, Problem, line_of};
#[cfg(test)]
mod tests;
