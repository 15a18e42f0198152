//! Scoring: answers + questionnaire -> dimension scores, overall score, level, indicators.
//! Pure: no I/O, no web, no database (the rules are in `surveys/README.md`, "Scoring").

mod report;
#[cfg(test)]
mod tests;

pub use report::ScoreReport;

use crate::answers::{Answer, Answers};
use crate::survey::{Facts, QuestionKind, SCALE_STEPS, Survey};

/// The result of scoring one response.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreCard {
    /// Score of each dimension, 0–100; `None` when none of its questions counts.
    pub dimensions: Vec<Option<f64>>,
    /// Weighted mean of the dimension scores, 0–100.
    pub overall: Option<f64>,
    /// Position of the level in the questionnaire's levels.
    pub level: Option<usize>,
    /// Each indicator of the questionnaire, in order.
    pub indicators: Vec<bool>,
}

/// Scores `answers` against `survey`.
pub fn score(survey: &Survey, answers: &Answers) -> ScoreCard {
    let shown = answers.shown(survey);
    let mut sums = vec![(0.0_f64, 0.0_f64); survey.dimensions.len()];
    for (i, question) in survey.questions.iter().enumerate() {
        let Some(d) = question.scored_dimension().filter(|_| shown[i]) else { continue };
        if let Some(value) = answers.get(i).and_then(|a| value(&question.kind, a)) {
            sums[d].0 += question.weight * value;
            sums[d].1 += question.weight;
        }
    }
    let dimensions: Vec<Option<f64>> = sums
        .iter()
        .map(|&(weighted, weight)| {
            (weight > 0.0).then(|| (100.0 * weighted / weight).clamp(0.0, 100.0))
        })
        .collect();
    let overall = weighted_mean(
        dimensions.iter().zip(&survey.dimensions).filter_map(|(s, d)| s.map(|s| (s, d.weight))),
    );
    let level = overall.map(|o| survey.level_for(o));
    let mut indicators = Vec::with_capacity(survey.indicators.len());
    for indicator in &survey.indicators {
        let facts = Facts { answers: answers.values(), shown: &shown, indicators: &indicators };
        let holds = indicator.when.holds(&facts);
        indicators.push(holds);
    }
    ScoreCard { dimensions, overall, level, indicators }
}

/// The normalised value, 0–1, of an answer; `None` for "not applicable" and unscored types.
pub fn value(kind: &QuestionKind, answer: &Answer) -> Option<f64> {
    match (kind, answer) {
        (QuestionKind::SingleChoice { choices, max_score }, Answer::Choice { choice, .. }) => {
            let score = choices.get(usize::from(*choice))?.score?;
            Some(score / max_score)
        }
        (QuestionKind::MultipleChoice { choices, full_score }, Answer::Choices { set, .. }) => {
            let sum: f64 = set.iter().filter_map(|i| choices.get(usize::from(i))?.score).sum();
            Some((sum / full_score).min(1.0))
        }
        (QuestionKind::Scale { .. }, Answer::Scale(step)) => {
            Some(f64::from(*step) / (SCALE_STEPS - 1) as f64)
        }
        (QuestionKind::YesNo, Answer::YesNo(yes)) => Some(if *yes { 1.0 } else { 0.0 }),
        _ => None,
    }
}

fn weighted_mean(values: impl Iterator<Item = (f64, f64)>) -> Option<f64> {
    let (sum, weight) = values.fold((0.0, 0.0), |(s, w), (v, vw)| (s + v * vw, w + vw));
    (weight > 0.0).then(|| (sum / weight).clamp(0.0, 100.0))
}
