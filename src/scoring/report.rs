//! A score card with the questionnaire's ids and names, for JSON output and pages.

use serde::Serialize;

use super::ScoreCard;
use crate::survey::{Survey, Text};

/// A scored response, described by ids and names rather than positions.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreReport {
    pub survey: String,
    pub version: u32,
    /// Overall score, 0–100, rounded to 0.1.
    pub overall: Option<f64>,
    pub level: Option<LevelReport>,
    pub dimensions: Vec<DimensionReport>,
    pub indicators: Vec<IndicatorReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LevelReport {
    pub id: String,
    /// 0 for the first level.
    pub rank: usize,
    pub name: Text,
}

#[derive(Debug, Clone, Serialize)]
pub struct DimensionReport {
    pub id: String,
    pub title: Text,
    /// 0–100, rounded to 0.1; absent when no question of the dimension counts.
    pub score: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorReport {
    pub id: String,
    pub label: Text,
    pub value: bool,
}

fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

impl ScoreReport {
    /// Describes `card`, a score card of `survey`.
    pub fn new(survey: &Survey, card: &ScoreCard) -> ScoreReport {
        ScoreReport {
            survey: survey.id.clone(),
            version: survey.version,
            overall: card.overall.map(round),
            level: card.level.map(|rank| {
                let level = &survey.levels[rank];
                LevelReport { id: level.id.clone(), rank, name: level.name.clone() }
            }),
            dimensions: survey
                .dimensions
                .iter()
                .zip(&card.dimensions)
                .map(|(d, s)| DimensionReport {
                    id: d.id.clone(),
                    title: d.title.clone(),
                    score: s.map(round),
                })
                .collect(),
            indicators: survey
                .indicators
                .iter()
                .zip(&card.indicators)
                .map(|(i, v)| IndicatorReport {
                    id: i.id.clone(),
                    label: i.label.clone(),
                    value: *v,
                })
                .collect(),
        }
    }
}
