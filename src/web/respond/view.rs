//! What the page templates show of a question: labels in the respondent's language, the
//! current value (stored, or as typed when the page comes back with errors) and its error.

use std::collections::HashMap;

use serde::Serialize;

use crate::answers::{Answer, AnswerProblem, Answers, OTHER_SUFFIX};
use crate::reference::Reference;
use crate::survey::{Lang, Question, QuestionKind, Survey};

#[derive(Debug, Serialize)]
pub struct QuestionView {
    pub id: String,
    pub kind: &'static str,
    pub label: String,
    pub help: Option<String>,
    pub required: bool,
    pub not_applicable: bool,
    pub dont_know: bool,
    pub error: Option<String>,
    /// The value of a single-valued question, as text.
    pub value: String,
    /// The chosen ids of a multiple-choice question.
    pub values: Vec<String>,
    /// The text of a "please specify" choice.
    pub other: String,
    pub choices: Vec<OptionView>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub unit: Option<String>,
    pub max_length: Option<usize>,
    /// Shown but not changeable: it comes from the register (an invited organisation).
    pub locked: bool,
}

/// One option of a choice, a scale step, or an entry of a select (`group`: ward or commune).
#[derive(Debug, Serialize)]
pub struct OptionView {
    pub id: String,
    pub label: String,
    pub specify: bool,
    pub group: Option<String>,
}

/// Where a question's current value comes from.
pub enum Source<'a> {
    Stored(&'a Answers),
    Typed(&'a HashMap<String, Vec<String>>),
}

/// Builds the views of the questions at `indices`.
pub fn questions(
    survey: &Survey,
    indices: impl Iterator<Item = usize>,
    source: &Source<'_>,
    problems: &[AnswerProblem],
    reference: &Reference,
    lang: Lang,
) -> Vec<QuestionView> {
    indices
        .map(|i| {
            let q = &survey.questions[i];
            let error = problems.iter().find(|p| p.question == q.id).map(|p| p.message(lang));
            let (value, values, other) = match source {
                Source::Stored(answers) => stored_value(q, answers.get(i)),
                Source::Typed(fields) => typed_value(q, fields),
            };
            view(q, value, values, other, error, reference, lang)
        })
        .collect()
}

fn view(
    q: &Question,
    value: String,
    values: Vec<String>,
    other: String,
    error: Option<String>,
    reference: &Reference,
    lang: Lang,
) -> QuestionView {
    let text = |t: &crate::survey::Text| t.get(lang).to_string();
    let option = |id: String, label: String| OptionView { id, label, specify: false, group: None };
    let (choices, min, max, unit, max_length) = match &q.kind {
        QuestionKind::SingleChoice { choices, .. }
        | QuestionKind::MultipleChoice { choices, .. } => {
            let list = choices
                .iter()
                .map(|c| OptionView {
                    id: c.id.clone(),
                    label: text(&c.label),
                    specify: c.specify,
                    group: None,
                })
                .collect();
            (list, None, None, None, None)
        }
        QuestionKind::Scale { steps } => {
            let list =
                steps.iter().enumerate().map(|(n, s)| option(n.to_string(), text(s))).collect();
            (list, None, None, None, None)
        }
        QuestionKind::YesNo => {
            let (yes, no) = if lang == Lang::Vi { ("Có", "Không") } else { ("Yes", "No") };
            (
                vec![option("yes".into(), yes.into()), option("no".into(), no.into())],
                None,
                None,
                None,
                None,
            )
        }
        QuestionKind::Integer { min, max, unit, .. } => (
            vec![],
            min.map(|m| m.to_string()),
            max.map(|m| m.to_string()),
            unit.as_ref().map(text),
            None,
        ),
        QuestionKind::Decimal { min, max, unit } => (
            vec![],
            min.map(|m| m.to_string()),
            max.map(|m| m.to_string()),
            unit.as_ref().map(text),
            None,
        ),
        QuestionKind::ShortText { max_length } | QuestionKind::LongText { max_length } => {
            (vec![], None, None, None, Some(*max_length))
        }
        QuestionKind::Area => (area_options(reference, lang), None, None, None, None),
        QuestionKind::VsicSection { version } => {
            let list = reference
                .sectors(*version)
                .iter()
                .map(|s| {
                    option(s.section.to_string(), format!("{} – {}", s.section, s.name.get(lang)))
                })
                .collect();
            (list, None, None, None, None)
        }
    };
    QuestionView {
        id: q.id.clone(),
        kind: q.kind.name(),
        label: text(&q.label),
        help: q.help.as_ref().map(text),
        required: q.required,
        not_applicable: q.not_applicable,
        dont_know: q.dont_know,
        error,
        value,
        values,
        other,
        choices,
        min,
        max,
        unit,
        max_length,
        locked: false,
    }
}

/// Wards first, then communes, each in alphabetical order of their unaccented names.
fn area_options(reference: &Reference, lang: Lang) -> Vec<OptionView> {
    let mut areas: Vec<_> = reference.areas.iter().collect();
    areas.sort_by(|a, b| (a.kind != "phuong", &a.name.en).cmp(&(b.kind != "phuong", &b.name.en)));
    areas
        .into_iter()
        .map(|a| OptionView {
            id: a.code.to_string(),
            label: a.name.get(lang).to_string(),
            specify: false,
            group: Some(a.kind.clone()),
        })
        .collect()
}

fn stored_value(q: &Question, answer: Option<&Answer>) -> (String, Vec<String>, String) {
    let choice_id =
        |i: &u8| q.kind.choices().get(usize::from(*i)).map(|c| c.id.clone()).unwrap_or_default();
    match answer {
        None => (String::new(), vec![], String::new()),
        Some(Answer::Choice { choice, other }) => {
            (choice_id(choice), vec![], other.clone().unwrap_or_default())
        }
        Some(Answer::Choices { set, other }) => (
            String::new(),
            set.iter().map(|i| choice_id(&i)).collect(),
            other.clone().unwrap_or_default(),
        ),
        Some(Answer::Scale(step)) => (step.to_string(), vec![], String::new()),
        Some(Answer::YesNo(yes)) => {
            ((if *yes { "yes" } else { "no" }).into(), vec![], String::new())
        }
        Some(Answer::Integer(n)) => (n.to_string(), vec![], String::new()),
        Some(Answer::Decimal(x)) => (x.to_string(), vec![], String::new()),
        Some(Answer::Text(t)) => (t.clone(), vec![], String::new()),
        Some(Answer::NotApplicable) => ("na".into(), vec!["na".into()], String::new()),
        Some(Answer::DontKnow) => ("dk".into(), vec!["dk".into()], String::new()),
    }
}

fn typed_value(
    q: &Question,
    fields: &HashMap<String, Vec<String>>,
) -> (String, Vec<String>, String) {
    let given = fields.get(&q.id).cloned().unwrap_or_default();
    let other = fields
        .get(&format!("{}{OTHER_SUFFIX}", q.id))
        .and_then(|v| v.first().cloned())
        .unwrap_or_default();
    let single = if let Some(offered) = given.iter().find(|v| *v == "na" || *v == "dk") {
        offered.clone()
    } else {
        given.first().cloned().unwrap_or_default()
    };
    (single, given, other)
}

/// Groups form fields by name.
pub fn by_name(fields: &[(String, String)]) -> HashMap<String, Vec<String>> {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (name, value) in fields {
        map.entry(name.clone()).or_default().push(value.clone());
    }
    map
}

/// An answer as a person reads it, in `lang`.
pub fn display(q: &Question, answer: &Answer, reference: &Reference, lang: Lang) -> String {
    let choice = |i: u8| {
        q.kind
            .choices()
            .get(usize::from(i))
            .map(|c| c.label.get(lang).to_string())
            .unwrap_or_default()
    };
    let with_other = |text: String, other: &Option<String>| match other {
        Some(o) => format!("{text}: {o}"),
        None => text,
    };
    match answer {
        Answer::Choice { choice: c, other } => with_other(choice(*c), other),
        Answer::Choices { set, other } => {
            with_other(set.iter().map(choice).collect::<Vec<_>>().join("; "), other)
        }
        Answer::Scale(step) => match &q.kind {
            QuestionKind::Scale { steps } => {
                format!("{step} – {}", steps[usize::from(*step)].get(lang))
            }
            _ => step.to_string(),
        },
        Answer::YesNo(yes) => match (lang, yes) {
            (Lang::Vi, true) => "Có".into(),
            (Lang::Vi, false) => "Không".into(),
            (Lang::En, true) => "Yes".into(),
            (Lang::En, false) => "No".into(),
        },
        Answer::Integer(n) => n.to_string(),
        Answer::Decimal(x) => x.to_string(),
        Answer::Text(text) => match &q.kind {
            QuestionKind::Area => {
                reference.area_by_str(text).map_or(text.clone(), |a| a.name.get(lang).to_string())
            }
            QuestionKind::VsicSection { version } => crate::reference::VsicSection::parse(text)
                .ok()
                .and_then(|s| reference.sector(*version, s))
                .map_or(text.clone(), |s| format!("{} – {}", s.section, s.name.get(lang))),
            _ => text.clone(),
        },
        Answer::NotApplicable => {
            (if lang == Lang::Vi { "Không áp dụng" } else { "Not applicable" }).into()
        }
        Answer::DontKnow => (if lang == Lang::Vi { "Không biết" } else { "Don't know" }).into(),
    }
}
