//! A respondent's answers, checked against the questionnaire they answer.
//!
//! Answers are held by question position, so scoring and conditions never look up strings.
//! They are built only through [`Answers::from_json`] (or, for forms, [`Answers::set`]), which
//! check every value against its question.

mod choice_set;
pub mod form;
mod json;
mod problem;
mod value;

pub use choice_set::ChoiceSet;
pub use json::OTHER_SUFFIX;
pub use problem::{AnswerProblem, ProblemKind};
pub use value::{Raw, parse_value};

use crate::survey::{Check, Facts, Survey};

/// One answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A single choice; `other` is the text of a "please specify" choice.
    Choice {
        choice: u8,
        other: Option<String>,
    },
    /// A multiple choice; `other` is the text of a "please specify" choice.
    Choices {
        set: ChoiceSet,
        other: Option<String>,
    },
    /// A step of a 0–5 scale.
    Scale(u8),
    YesNo(bool),
    Integer(i64),
    Decimal(f64),
    /// Text, or the code of an area or VSIC section.
    Text(String),
    NotApplicable,
    /// "Don't know": an answer, excluded from scores like "not applicable".
    DontKnow,
}

impl Answer {
    /// The answer as a number, for numeric comparisons.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Answer::Scale(step) => Some(f64::from(*step)),
            // Precision beyond 2^53 does not matter for comparisons in conditions.
            #[allow(clippy::cast_precision_loss)]
            Answer::Integer(n) => Some(*n as f64),
            Answer::Decimal(x) => Some(*x),
            _ => None,
        }
    }
}

/// All answers of one response, by question position.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answers {
    values: Vec<Option<Answer>>,
}

impl Answers {
    /// No answer yet to any question of `survey`.
    pub fn empty(survey: &Survey) -> Answers {
        Answers { values: vec![None; survey.questions.len()] }
    }

    /// Answers made by code that builds only valid values (the demo generator).
    pub(crate) fn from_values(survey: &Survey, mut values: Vec<Option<Answer>>) -> Answers {
        values.resize(survey.questions.len(), None);
        Answers { values }
    }

    /// The answers by question position.
    pub fn values(&self) -> &[Option<Answer>] {
        &self.values
    }

    /// The answer to the question at `idx`.
    pub fn get(&self, idx: usize) -> Option<&Answer> {
        self.values.get(idx).and_then(Option::as_ref)
    }

    /// Sets or clears one answer; the value must have been checked by [`parse_value`].
    pub fn set(&mut self, idx: usize, answer: Option<Answer>) {
        if let Some(slot) = self.values.get_mut(idx) {
            *slot = answer;
        }
    }

    /// Which questions are shown, given these answers: a question is shown when its
    /// `show_if` holds on the answers of the shown questions before it.
    pub fn shown(&self, survey: &Survey) -> Vec<bool> {
        let mut shown = vec![false; survey.questions.len()];
        for (i, question) in survey.questions.iter().enumerate() {
            shown[i] = match &question.show_if {
                None => true,
                Some(condition) => {
                    let facts = Facts { answers: &self.values, shown: &shown, indicators: &[] };
                    condition.holds(&facts)
                }
            };
        }
        shown
    }

    /// The consistency checks of page `page` that these answers raise: those whose condition
    /// holds and whose last question is on the page (see [`crate::survey::Check`]).
    pub fn raised_checks<'s>(&self, survey: &'s Survey, page: usize) -> Vec<&'s Check> {
        let questions = &survey.pages[page].questions;
        let shown = self.shown(survey);
        let facts = Facts { answers: &self.values, shown: &shown, indicators: &[] };
        survey
            .checks
            .iter()
            .filter(|c| questions.contains(&c.last_question) && c.when.holds(&facts))
            .collect()
    }

    /// What is missing before the response can be submitted: every shown, required question
    /// without an answer.
    pub fn missing(&self, survey: &Survey) -> Vec<AnswerProblem> {
        let shown = self.shown(survey);
        survey
            .questions
            .iter()
            .enumerate()
            .filter(|&(i, q)| q.required && shown[i] && self.values[i].is_none())
            .map(|(_, q)| AnswerProblem::new(&q.id, ProblemKind::Required))
            .collect()
    }
}

#[cfg(test)]
mod tests;
