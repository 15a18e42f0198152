//! Evaluating a resolved condition.

use super::{Condition, Target};
use crate::answers::Answer;

/// What a condition may look at: the answers of shown questions and the indicators so far.
pub struct Facts<'a> {
    /// Answers by question position.
    pub answers: &'a [Option<Answer>],
    /// Whether each question is shown; answers of hidden questions do not count.
    pub shown: &'a [bool],
    /// Indicators computed so far.
    pub indicators: &'a [bool],
}

impl Facts<'_> {
    fn answer(&self, question: usize) -> Option<&Answer> {
        if self.shown.get(question).copied().unwrap_or(false) {
            self.answers.get(question).and_then(Option::as_ref)
        } else {
            None
        }
    }
}

impl Condition {
    /// Whether the condition holds. Every test on an unanswered or hidden question is false.
    pub fn holds(&self, facts: &Facts<'_>) -> bool {
        match self {
            Condition::Any(terms) => terms.iter().any(|t| t.holds(facts)),
            Condition::All(terms) => terms.iter().all(|t| t.holds(facts)),
            Condition::Not(inner) => !inner.holds(facts),
            Condition::Is { question, targets, negate } => match facts.answer(*question) {
                Some(answer) => targets.iter().any(|t| matches(answer, t)) != *negate,
                None => false,
            },
            Condition::Has { question, choices } => match facts.answer(*question) {
                Some(Answer::Choices { set, .. }) => set.intersects(*choices),
                _ => false,
            },
            Condition::Compare { question, op, value } => facts
                .answer(*question)
                .and_then(Answer::as_number)
                .is_some_and(|n| op.holds(n, *value)),
            // "Not applicable" and "don't know" are answers, but say nothing of the matter.
            Condition::Answered(question) => facts
                .answer(*question)
                .is_some_and(|a| !matches!(a, Answer::NotApplicable | Answer::DontKnow)),
            Condition::Indicator(i) => facts.indicators.get(*i).copied().unwrap_or(false),
        }
    }
}

fn matches(answer: &Answer, target: &Target) -> bool {
    match (answer, target) {
        (Answer::Choice { choice, .. }, Target::Choice(t)) => choice == t,
        (Answer::YesNo(yes), Target::YesNo(t)) => yes == t,
        (Answer::Text(text), Target::Code(code)) => text == code,
        (Answer::NotApplicable, Target::NotApplicable) => true,
        (Answer::DontKnow, Target::DontKnow) => true,
        _ => false,
    }
}
