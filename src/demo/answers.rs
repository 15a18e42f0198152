//! Answers a synthetic respondent of a given maturity would give, valid by construction.

use fastrand::Rng;

use super::population::{Enterprise, normal, pick};
use crate::answers::{Answer, Answers, ChoiceSet};
use crate::reference::{ConversionError, Reference, VsicSection, VsicVersion};
use crate::survey::{Facts, Home, Question, QuestionKind, Role, SCALE_STEPS, Survey};

/// Who is answering.
pub struct Respondent<'a> {
    pub enterprise: &'a Enterprise,
    pub name: String,
    pub tax_code: String,
    /// For each question, the chance that a "no" to it becomes "yes" (the simulated effect of
    /// an experiment's arm, see [`super::primed`]); empty for none.
    pub yes_bias: &'a [f64],
}

/// Answers every shown question a respondent would: all required ones, most others.
pub fn answer(
    survey: &Survey,
    who: &Respondent<'_>,
    reference: &Reference,
    rng: &mut Rng,
) -> Answers {
    let mut values: Vec<Option<Answer>> = vec![None; survey.questions.len()];
    let mut shown = vec![false; survey.questions.len()];
    for (i, question) in survey.questions.iter().enumerate() {
        shown[i] = question
            .show_if
            .as_ref()
            .is_none_or(|c| c.holds(&Facts { answers: &values, shown: &shown, indicators: &[] }));
        let skip = !question.required && rng.f64() < 0.05;
        if shown[i] && !skip {
            values[i] = if describes_the_firm(reference, survey, question) {
                // The same in every wave, as a firm's size, age and ownership are.
                let mut firm = Rng::with_seed(firm_seed(&who.tax_code, &question.id));
                value(question, who, reference, &mut firm)
            } else {
                value(question, who, reference, rng)
            };
            let bias = who.yes_bias.get(i).copied().unwrap_or(0.0);
            if bias > 0.0 && values[i] == Some(Answer::YesNo(false)) && rng.f64() < bias {
                values[i] = Some(Answer::YesNo(true));
            }
        }
    }
    Answers::from_values(survey, values)
}

/// Whether a question asks what the firm is (a key variable of the microdata) rather than
/// what it does.
fn describes_the_firm(reference: &Reference, survey: &Survey, question: &Question) -> bool {
    let quasi = &reference.quasi_identifiers;
    quasi.iter().any(|q| q.survey == survey.id && q.question == question.id)
}

/// A seed for what `tax_code`'s firm answers to `question` (FNV-1a).
fn firm_seed(tax_code: &str, question: &str) -> u64 {
    let bytes = tax_code.bytes().chain([0]).chain(question.bytes());
    bytes.fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

fn value(
    question: &Question,
    who: &Respondent<'_>,
    reference: &Reference,
    rng: &mut Rng,
) -> Option<Answer> {
    let firm = who.enterprise;
    if question.not_applicable && rng.f64() < 0.05 {
        return Some(Answer::NotApplicable);
    }
    if question.dont_know && rng.f64() < 0.03 {
        return Some(Answer::DontKnow);
    }
    let scored = matches!(question.home, Home::Dimension(_));
    // Innovation and other unscored facts: likely for innovators, rare for the others.
    let propensity = match (scored, firm.innovator) {
        (true, _) => firm.maturity,
        (false, true) => 0.5,
        (false, false) => 0.03,
    };
    let answer = match (&question.role, &question.kind) {
        (Some(Role::LegalName | Role::AgencyName), _) => Answer::Text(who.name.clone()),
        (Some(Role::TaxCode), _) => Answer::Text(who.tax_code.clone()),
        (_, QuestionKind::Area) => Answer::Text(reference.areas[firm.area].code.to_string()),
        (_, QuestionKind::VsicSection { version }) => {
            Answer::Text(section_in(reference, firm.section, *version, rng).to_string())
        }
        (Some(Role::Employees), _) => Answer::Integer(firm.employees),
        (Some(Role::Revenue | Role::Capital), QuestionKind::SingleChoice { choices, .. }) => {
            let band = (firm.size as usize + rng.usize(0..=1)).min(choices.len() - 1);
            Answer::Choice { choice: band as u8, other: None }
        }
        (_, QuestionKind::SingleChoice { choices, max_score }) => {
            let choice = if scored {
                let target = (propensity + 0.15 * normal(rng)).clamp(0.0, 1.0) * max_score;
                nearest(choices.iter().map(|c| c.score.unwrap_or(0.0)), target)
            } else {
                let weights: Vec<f64> =
                    (0..choices.len()).map(|i| 1.0 / (i as f64 + 1.0)).collect();
                pick(rng, &weights)
            } as u8;
            let other = choices[usize::from(choice)].specify.then(|| "Khác".to_string());
            Answer::Choice { choice, other }
        }
        (_, QuestionKind::MultipleChoice { choices, .. }) => {
            let chance = if scored { propensity } else { propensity / 2.0 };
            let mut set: ChoiceSet = (0..choices.len() as u8)
                .filter(|&i| {
                    let c = &choices[usize::from(i)];
                    !c.exclusive && (!scored || c.score.unwrap_or(0.0) > 0.0) && rng.f64() < chance
                })
                .collect();
            if set.is_empty() {
                let fallback = choices.iter().position(|c| c.exclusive).unwrap_or(0);
                set.insert(fallback as u8);
            }
            let other =
                set.iter().any(|i| choices[usize::from(i)].specify).then(|| "Khác".to_string());
            Answer::Choices { set, other }
        }
        (_, QuestionKind::Scale { .. }) => {
            let top = (SCALE_STEPS - 1) as f64;
            Answer::Scale((top * propensity + 0.8 * normal(rng)).round().clamp(0.0, top) as u8)
        }
        (_, QuestionKind::YesNo) => Answer::YesNo(rng.f64() < propensity),
        (_, QuestionKind::Integer { min, max, .. }) => {
            let (lo, hi) = match (min, max) {
                // A year, such as the year of founding.
                (Some(lo), Some(hi)) if *lo >= 1800 => ((*lo).max(1990), (*hi).min(2025).max(*lo)),
                (lo, hi) => (lo.unwrap_or(0), hi.unwrap_or(i64::MAX).min(lo.unwrap_or(0) + 30)),
            };
            Answer::Integer(rng.i64(lo..=hi.max(lo)))
        }
        (_, QuestionKind::Decimal { min, max, .. }) => {
            let lo = min.unwrap_or(0.0);
            let hi = max.unwrap_or(lo + 100.0).min(lo + 100.0);
            Answer::Decimal(((lo + rng.f64() * (hi - lo)) * 10.0).round() / 10.0)
        }
        (_, QuestionKind::ShortText { .. } | QuestionKind::LongText { .. }) => {
            if !question.required {
                return None;
            }
            Answer::Text("Dữ liệu mẫu".into())
        }
    };
    Some(answer)
}

fn nearest(scores: impl Iterator<Item = f64>, target: f64) -> usize {
    scores
        .enumerate()
        .min_by(|(_, a), (_, b)| (a - target).abs().total_cmp(&(b - target).abs()))
        .map_or(0, |(i, _)| i)
}

/// A synthetic firm's VSIC 2018 section as a questionnaire of `version` asks it; a section
/// that version splits goes to the part of a division drawn at random.
fn section_in(
    reference: &Reference,
    section: VsicSection,
    version: VsicVersion,
    rng: &mut Rng,
) -> VsicSection {
    let convert = |division: Option<&str>| {
        reference.vsic.convert(section, VsicVersion::V2018, version, division)
    };
    match convert(None) {
        Ok(converted) => converted,
        Err(ConversionError::Split { divisions, .. }) if !divisions.is_empty() => {
            convert(Some(&divisions[rng.usize(..divisions.len())])).unwrap_or(section)
        }
        Err(_) => section,
    }
}
