//! Answers from a JSON object: question id -> value (format in `surveys/README.md`).

use serde_json::{Map, Value};

use super::{Answer, AnswerProblem, Answers, ProblemKind, Raw, parse_value};
use crate::reference::Reference;
use crate::survey::Survey;

/// Suffix of the key that holds the text of a "please specify" choice.
pub const OTHER_SUFFIX: &str = "_other";

impl Answers {
    /// Reads answers from a JSON object, reporting every problem. Answers to questions that
    /// end up hidden are kept but count nowhere.
    pub fn from_json(
        survey: &Survey,
        object: &Map<String, Value>,
        reference: &Reference,
    ) -> Result<Answers, Vec<AnswerProblem>> {
        let mut answers = Answers::empty(survey);
        let mut problems = Vec::new();
        for (key, value) in object {
            let Some(idx) = survey.question_idx(key) else {
                let is_other_text = key
                    .strip_suffix(OTHER_SUFFIX)
                    .and_then(|base| survey.question_idx(base))
                    .is_some_and(|i| survey.questions[i].kind.choices().iter().any(|c| c.specify));
                if !is_other_text {
                    problems.push(AnswerProblem::new(key, ProblemKind::UnknownQuestion));
                }
                continue;
            };
            if value.is_null() {
                continue;
            }
            let question = &survey.questions[idx];
            let other = object.get(&format!("{key}{OTHER_SUFFIX}")).and_then(Value::as_str);
            let parsed = raw(value)
                .ok_or(ProblemKind::WrongType)
                .and_then(|raw| parse_value(question, raw, other, reference));
            match parsed {
                Ok(answer) => answers.set(idx, Some(answer)),
                Err(kind) => problems.push(AnswerProblem::new(key, kind)),
            }
        }
        if problems.is_empty() { Ok(answers) } else { Err(problems) }
    }
}

fn raw(value: &Value) -> Option<Raw> {
    match value {
        Value::String(s) => Some(Raw::Text(s.clone())),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Some(Raw::Integer(i)),
            None => n.as_f64().map(Raw::Decimal),
        },
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .map(Raw::List),
        _ => None,
    }
}

impl Answers {
    /// The answers as a JSON object, the inverse of [`Answers::from_json`]: the stored form.
    pub fn to_json(&self, survey: &Survey) -> Map<String, Value> {
        let mut object = Map::new();
        for (question, answer) in survey.questions.iter().zip(self.values()) {
            let Some(answer) = answer else { continue };
            let choice_id =
                |i: u8| Value::String(question.kind.choices()[usize::from(i)].id.clone());
            let (value, other) = match answer {
                Answer::Choice { choice, other } => (choice_id(*choice), other.as_ref()),
                Answer::Choices { set, other } => {
                    (Value::Array(set.iter().map(choice_id).collect()), other.as_ref())
                }
                Answer::Scale(step) => (Value::from(*step), None),
                Answer::YesNo(yes) => (Value::from(if *yes { "yes" } else { "no" }), None),
                Answer::Integer(n) => (Value::from(*n), None),
                Answer::Decimal(x) => (Value::from(*x), None),
                Answer::Text(text) => (Value::from(text.as_str()), None),
                Answer::NotApplicable => (Value::from("na"), None),
                Answer::DontKnow => (Value::from("dk"), None),
            };
            object.insert(question.id.clone(), value);
            if let Some(other) = other {
                object
                    .insert(format!("{}{OTHER_SUFFIX}", question.id), Value::from(other.as_str()));
            }
        }
        object
    }
}
