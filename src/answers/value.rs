//! Turning one raw value (from JSON or a form) into a checked [`Answer`].

use unicode_normalization::UnicodeNormalization;

use super::{Answer, ChoiceSet, ProblemKind};
use crate::reference::{Reference, TaxCode, VsicSection};
use crate::survey::{Question, QuestionKind, Role, SCALE_STEPS};

/// A value as it arrives, before it is checked against its question.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    Text(String),
    List(Vec<String>),
    Integer(i64),
    Decimal(f64),
}

/// Checks `raw` against `question`. `other` is the text typed for a "please specify" choice.
pub fn parse_value(
    question: &Question,
    raw: Raw,
    other: Option<&str>,
    reference: &Reference,
) -> Result<Answer, ProblemKind> {
    if let Raw::Text(t) = &raw {
        match t.trim() {
            "na" if question.not_applicable => return Ok(Answer::NotApplicable),
            "dk" if question.dont_know => return Ok(Answer::DontKnow),
            _ => {}
        }
    }
    let answer = parse_kind(question, raw, other, reference)?;
    match (question.role, answer) {
        (Some(Role::TaxCode), Answer::Text(text)) => match TaxCode::parse(&text) {
            Ok(code) => Ok(Answer::Text(code.as_str().to_string())),
            Err(_) => Err(ProblemKind::InvalidCode(text)),
        },
        (_, answer) => Ok(answer),
    }
}

fn parse_kind(
    question: &Question,
    raw: Raw,
    other: Option<&str>,
    reference: &Reference,
) -> Result<Answer, ProblemKind> {
    let other = other.map(clean_text).filter(|t| !t.is_empty());
    match &question.kind {
        QuestionKind::SingleChoice { choices, .. } => {
            let id = single_text(raw)?;
            let Some(choice) = question.kind.choice_idx(&id) else {
                return Err(ProblemKind::UnknownChoice(id));
            };
            let specify = choices[usize::from(choice)].specify;
            Ok(Answer::Choice { choice, other: specified(specify, other)? })
        }
        QuestionKind::MultipleChoice { choices, .. } => {
            let ids = match raw {
                Raw::List(ids) => ids,
                Raw::Text(id) => vec![id],
                _ => return Err(ProblemKind::WrongType),
            };
            let mut set = ChoiceSet::default();
            for id in ids {
                match question.kind.choice_idx(&id) {
                    Some(i) => set.insert(i),
                    None => return Err(ProblemKind::UnknownChoice(id)),
                }
            }
            if set.is_empty() {
                return Err(ProblemKind::Required);
            }
            if set.len() > 1
                && let Some(alone) = set.iter().find(|&i| choices[usize::from(i)].exclusive)
            {
                return Err(ProblemKind::Exclusive(choices[usize::from(alone)].id.clone()));
            }
            let specify = set.iter().any(|i| choices[usize::from(i)].specify);
            Ok(Answer::Choices { set, other: specified(specify, other)? })
        }
        QuestionKind::Scale { .. } => {
            let step = integer(raw)?;
            match u8::try_from(step) {
                Ok(step) if usize::from(step) < SCALE_STEPS => Ok(Answer::Scale(step)),
                _ => Err(ProblemKind::OutOfRange { min: "0".into(), max: "5".into() }),
            }
        }
        QuestionKind::YesNo => match single_text(raw)?.as_str() {
            "yes" => Ok(Answer::YesNo(true)),
            "no" => Ok(Answer::YesNo(false)),
            other => Err(ProblemKind::UnknownChoice(other.to_string())),
        },
        QuestionKind::Integer { min, max, .. } => {
            let n = integer(raw)?;
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                return Err(range(min.map(|m| m.to_string()), max.map(|m| m.to_string())));
            }
            Ok(Answer::Integer(n))
        }
        QuestionKind::Decimal { min, max, .. } => {
            let x = decimal(raw)?;
            if min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m) {
                return Err(range(min.map(|m| m.to_string()), max.map(|m| m.to_string())));
            }
            Ok(Answer::Decimal(x))
        }
        QuestionKind::ShortText { max_length } | QuestionKind::LongText { max_length } => {
            let text = clean_text(&single_text(raw)?);
            let multiline = matches!(question.kind, QuestionKind::LongText { .. });
            if text.chars().any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\t'))) {
                return Err(ProblemKind::ControlCharacters);
            }
            if text.chars().count() > *max_length {
                return Err(ProblemKind::TooLong(*max_length));
            }
            if text.is_empty() {
                return Err(ProblemKind::Required);
            }
            Ok(Answer::Text(text))
        }
        QuestionKind::Area => {
            let code = single_text(raw)?;
            match reference.area_by_str(&code) {
                Some(area) => Ok(Answer::Text(area.code.to_string())),
                None => Err(ProblemKind::UnknownArea(code)),
            }
        }
        QuestionKind::VsicSection { version } => {
            let code = single_text(raw)?;
            match VsicSection::parse(&code).ok().and_then(|s| reference.sector(*version, s)) {
                Some(sector) => Ok(Answer::Text(sector.section.to_string())),
                None => Err(ProblemKind::UnknownSection(code)),
            }
        }
    }
}

/// Trims, normalises to NFC (as PDFs and comparisons need) and unifies line ends.
fn clean_text(text: &str) -> String {
    text.trim().replace("\r\n", "\n").nfc().collect()
}

fn single_text(raw: Raw) -> Result<String, ProblemKind> {
    match raw {
        Raw::Text(text) => Ok(text),
        _ => Err(ProblemKind::WrongType),
    }
}

fn integer(raw: Raw) -> Result<i64, ProblemKind> {
    match raw {
        Raw::Integer(n) => Ok(n),
        Raw::Text(text) => text.trim().parse().map_err(|_| ProblemKind::WrongType),
        Raw::Decimal(x) if x.fract() == 0.0 && x.abs() < 9e15 => Ok(x as i64),
        _ => Err(ProblemKind::WrongType),
    }
}

fn decimal(raw: Raw) -> Result<f64, ProblemKind> {
    let x = match raw {
        // Whole numbers of this size are exact in f64 for every realistic answer.
        #[allow(clippy::cast_precision_loss)]
        Raw::Integer(n) => n as f64,
        Raw::Decimal(x) => x,
        // Vietnamese writes the decimal separator as a comma.
        Raw::Text(text) => {
            text.trim().replace(',', ".").parse().map_err(|_| ProblemKind::WrongType)?
        }
        Raw::List(_) => return Err(ProblemKind::WrongType),
    };
    if x.is_finite() { Ok(x) } else { Err(ProblemKind::WrongType) }
}

fn specified(specify: bool, other: Option<String>) -> Result<Option<String>, ProblemKind> {
    match (specify, other) {
        (true, None) => Err(ProblemKind::SpecifyMissing),
        (true, Some(text)) if text.chars().count() > 200 => Err(ProblemKind::TooLong(200)),
        (true, Some(text)) if text.chars().any(char::is_control) => {
            Err(ProblemKind::ControlCharacters)
        }
        (true, text) => Ok(text),
        (false, _) => Ok(None),
    }
}

fn range(min: Option<String>, max: Option<String>) -> ProblemKind {
    ProblemKind::OutOfRange {
        min: min.unwrap_or_else(|| "−∞".into()),
        max: max.unwrap_or_else(|| "∞".into()),
    }
}
