//! Applying one page of a web form to a response's answers.
//!
//! Field names are question ids (`<id>_other` for a "please specify" text). Visibility is
//! recomputed on the server in question order, so a question hidden by an answer on this page
//! is never required and its old answer is dropped.
//!
//! Applying a page never loses a valid answer: every valid value is taken, a value of the
//! wrong form leaves the question's previous answer in place, and both kinds of problem are
//! reported. Whether a missing required answer stops the respondent is the caller's choice
//! ("next" insists; "save draft" and "back" do not).

use std::collections::HashMap;

use super::{Answer, AnswerProblem, Answers, OTHER_SUFFIX, ProblemKind, Raw, parse_value};
use crate::reference::Reference;
use crate::survey::{Facts, Page, QuestionKind, Survey};

/// A page's fields as submitted, in order.
pub type Fields = [(String, String)];

/// Form fields that are not answers: the button pressed, and the consistency checks the
/// respondent has said are right (`confirm_check`, see [`Answers::raised_checks`]).
pub const CONTROL_FIELDS: [&str; 2] = ["action", "confirm_check"];

/// What applying a page gives.
#[derive(Debug, Clone, PartialEq)]
pub struct PageInput {
    /// The answers with every valid value of the page taken.
    pub answers: Answers,
    /// Questions of this page that the new answers show, that were hidden before, and that are
    /// still unanswered.
    pub revealed: Vec<String>,
    /// Values of the wrong form (their questions keep their previous answers) and missing
    /// required answers, in question order.
    pub problems: Vec<AnswerProblem>,
}

impl PageInput {
    /// Whether every answer given was valid and every required question answered.
    pub fn is_complete(&self) -> bool {
        self.problems.is_empty()
    }

    /// The problems other than missing answers: what even a draft cannot be saved with.
    pub fn wrong_values(&self) -> Vec<AnswerProblem> {
        self.problems.iter().filter(|p| p.kind != ProblemKind::Required).cloned().collect()
    }
}

/// A form that no page of ours could have sent: an unknown field or a repeated single value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignField(pub String);

/// Applies `fields` to the questions of `page`, on top of `answers`.
pub fn apply_page(
    survey: &Survey,
    page: &Page,
    answers: &Answers,
    fields: &Fields,
    reference: &Reference,
) -> Result<PageInput, ForeignField> {
    let values = group(survey, page, fields)?;
    let before = answers.shown(survey);
    let mut next = answers.clone();
    let mut shown = vec![false; survey.questions.len()];
    let mut problems = Vec::new();
    let mut revealed = Vec::new();
    for (i, question) in survey.questions.iter().enumerate() {
        shown[i] = question.show_if.as_ref().is_none_or(|c| {
            c.holds(&Facts { answers: next.values(), shown: &shown, indicators: &[] })
        });
        if !page.questions.contains(&i) {
            continue;
        }
        next.set(i, None);
        if !shown[i] {
            continue;
        }
        let given: Vec<&str> = values
            .get(question.id.as_str())
            .map_or(vec![], |v| v.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect());
        if given.is_empty() {
            if !before[i] {
                revealed.push(question.id.clone());
            } else if question.required {
                problems.push(AnswerProblem::new(&question.id, ProblemKind::Required));
            }
            continue;
        }
        let raw = if question.not_applicable && given.contains(&"na") {
            Raw::Text("na".into())
        } else if question.dont_know && given.contains(&"dk") {
            Raw::Text("dk".into())
        } else if matches!(question.kind, QuestionKind::MultipleChoice { .. }) {
            Raw::List(given.iter().map(|s| (*s).to_string()).collect())
        } else if let [one] = given[..] {
            Raw::Text(one.to_string())
        } else {
            return Err(ForeignField(question.id.clone()));
        };
        let other_key = format!("{}{OTHER_SUFFIX}", question.id);
        let other = values.get(other_key.as_str()).and_then(|v| v.first().copied());
        match parse_value(question, raw, other, reference) {
            Ok(answer) => next.set(i, Some(answer)),
            Err(kind) => {
                next.set(i, answers.get(i).cloned());
                problems.push(AnswerProblem::new(&question.id, kind));
            }
        }
    }
    Ok(PageInput { answers: next, revealed, problems })
}

/// Groups values by field name, refusing names that are not on the page.
fn group<'a>(
    survey: &Survey,
    page: &Page,
    fields: &'a Fields,
) -> Result<HashMap<&'a str, Vec<&'a str>>, ForeignField> {
    let on_page = |id: &str| survey.question_idx(id).is_some_and(|i| page.questions.contains(&i));
    let mut values: HashMap<&str, Vec<&str>> = HashMap::new();
    for (name, value) in fields {
        let known = on_page(name)
            || CONTROL_FIELDS.contains(&name.as_str())
            || name.strip_suffix(OTHER_SUFFIX).is_some_and(on_page);
        if !known {
            return Err(ForeignField(name.clone()));
        }
        values.entry(name.as_str()).or_default().push(value.as_str());
    }
    Ok(values)
}

impl Answers {
    /// The answers without those to hidden questions: what is kept on submission.
    pub fn without_hidden(&self, survey: &Survey) -> Answers {
        let shown = self.shown(survey);
        let mut kept = self.clone();
        for (i, visible) in shown.iter().enumerate() {
            if !visible {
                kept.set(i, None);
            }
        }
        kept
    }

    /// How many shown questions there are, and how many of them are answered.
    pub fn progress(&self, survey: &Survey) -> (usize, usize) {
        let shown = self.shown(survey);
        let total = shown.iter().filter(|s| **s).count();
        let answered =
            shown.iter().enumerate().filter(|(i, s)| **s && self.get(*i).is_some()).count();
        (total, answered)
    }
}

/// Whether an answer is "not applicable".
pub fn is_not_applicable(answer: Option<&Answer>) -> bool {
    matches!(answer, Some(Answer::NotApplicable))
}

/// The fields a browser sends for page `page` when the answers are `answers` (as stored: JSON
/// keyed by question id), the "next" button included. The inverse of applying a page; the
/// harness and the tests fill forms with it.
pub fn page_fields(
    survey: &Survey,
    page: usize,
    answers: &serde_json::Map<String, serde_json::Value>,
) -> Vec<(String, String)> {
    use serde_json::Value;
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut fields = Vec::new();
    for i in survey.pages[page].questions.clone() {
        let id = &survey.questions[i].id;
        match answers.get(id) {
            Some(Value::Array(items)) => fields.extend(items.iter().map(|v| (id.clone(), text(v)))),
            Some(value) => fields.push((id.clone(), text(value))),
            None => {}
        }
        if let Some(Value::String(other)) = answers.get(&format!("{id}{OTHER_SUFFIX}")) {
            fields.push((format!("{id}{OTHER_SUFFIX}"), other.clone()));
        }
    }
    fields.push(("action".into(), "next".into()));
    fields
}
