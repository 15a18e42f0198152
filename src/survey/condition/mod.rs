//! Conditions on answers: `show_if` of questions and `when` of indicators.
//!
//! Source text is parsed ([`parse`]) and then resolved against the questionnaire into a
//! [`Condition`] that refers to questions, choices and indicators by position, so evaluating it
//! touches no strings but the codes of area and sector answers.

mod eval;
pub mod parse;
mod resolve;
mod satisfy;

pub use eval::Facts;
pub use parse::{CmpOp, KEYWORDS};
pub use resolve::{Scope, resolve};
pub use satisfy::impossible;

use crate::answers::ChoiceSet;

/// A resolved condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Any(Vec<Condition>),
    All(Vec<Condition>),
    Not(Box<Condition>),
    /// The answer is one of `targets` (or, negated, an answer that is none of them).
    Is {
        question: usize,
        targets: Vec<Target>,
        negate: bool,
    },
    /// A multiple-choice answer includes at least one of `choices`.
    Has {
        question: usize,
        choices: ChoiceSet,
    },
    /// A number or scale answer compares with `value`.
    Compare {
        question: usize,
        op: CmpOp,
        value: f64,
    },
    /// The question is shown and answered other than "not applicable".
    Answered(usize),
    /// An earlier indicator holds.
    Indicator(usize),
}

impl Condition {
    /// The questions the condition names (indicators not followed).
    pub fn questions(&self) -> Vec<usize> {
        match self {
            Condition::Any(terms) | Condition::All(terms) => {
                terms.iter().flat_map(Condition::questions).collect()
            }
            Condition::Not(inner) => inner.questions(),
            Condition::Is { question, .. }
            | Condition::Has { question, .. }
            | Condition::Compare { question, .. }
            | Condition::Answered(question) => vec![*question],
            Condition::Indicator(_) => Vec::new(),
        }
    }
}

/// A value an answer can be tested against.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Choice(u8),
    YesNo(bool),
    Code(String),
    NotApplicable,
    DontKnow,
}

#[cfg(test)]
mod tests;
