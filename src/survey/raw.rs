//! The file format as serde reads it. Items are read one by one from their tables, so that a
//! mistake in one question does not hide the mistakes in the others.

use serde::Deserialize;
use toml::Spanned;

use super::model::Role;

/// A table of the file with its place in the source.
pub type Item = Spanned<toml::Table>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    pub id: Option<String>,
    pub version: Option<i64>,
    pub kind: Option<String>,
    pub title: Option<RawText>,
    pub description: Option<RawText>,
    pub observation_period: Option<RawText>,
    pub sources: Option<RawText>,
    pub vsic: Option<String>,
    #[serde(default)]
    pub sections: Vec<Item>,
    #[serde(default)]
    pub dimensions: Vec<Item>,
    #[serde(default)]
    pub levels: Vec<Item>,
    #[serde(default)]
    pub questions: Vec<Item>,
    #[serde(default)]
    pub indicators: Vec<Item>,
    #[serde(default)]
    pub checks: Vec<Item>,
    pub experiment: Option<Spanned<RawExperiment>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExperiment {
    pub id: Option<String>,
    pub title: Option<RawText>,
    pub description: Option<RawText>,
    #[serde(default)]
    pub arms: Vec<Item>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArm {
    pub id: String,
    pub label: Option<RawText>,
    pub order: Option<Vec<String>>,
    #[serde(default)]
    pub wordings: Vec<RawWording>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWording {
    pub question: String,
    pub label: Option<RawText>,
    pub help: Option<RawText>,
}

#[derive(Deserialize, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct RawText {
    pub vi: Option<String>,
    pub en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSection {
    pub id: String,
    pub title: Option<RawText>,
    pub description: Option<RawText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDimension {
    pub id: String,
    pub weight: Option<f64>,
    pub title: Option<RawText>,
    pub description: Option<RawText>,
    pub framework: Option<RawText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLevel {
    pub id: String,
    pub min_score: f64,
    pub name: Option<RawText>,
    pub description: Option<RawText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQuestion {
    pub id: String,
    pub section: Option<String>,
    pub dimension: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub role: Option<Role>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub not_applicable: bool,
    #[serde(default)]
    pub dont_know: bool,
    pub weight: Option<f64>,
    pub label: Option<RawText>,
    pub help: Option<RawText>,
    pub show_if: Option<String>,
    pub choices: Option<Vec<RawChoice>>,
    pub full_score: Option<f64>,
    pub steps: Option<Vec<RawText>>,
    pub min: Option<RawBound>,
    pub max: Option<RawBound>,
    pub unit: Option<RawText>,
    pub max_length: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChoice {
    pub id: String,
    pub label: Option<RawText>,
    pub score: Option<f64>,
    #[serde(default)]
    pub specify: bool,
    #[serde(default)]
    pub exclusive: bool,
    pub upper_bound: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    pub id: String,
    pub when: String,
    pub message: Option<RawText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIndicator {
    pub id: String,
    pub label: Option<RawText>,
    pub description: Option<RawText>,
    pub when: String,
}

/// A number's bound: a number, or a placeholder of the wave's years (`"{ref_year}"`).
#[derive(Deserialize, Clone, Debug)]
#[serde(untagged)]
pub enum RawBound {
    Number(f64),
    Placeholder(String),
}

impl RawBound {
    pub fn number(&self) -> Option<f64> {
        match self {
            RawBound::Number(n) => Some(*n),
            RawBound::Placeholder(_) => None,
        }
    }
}

impl RawQuestion {
    /// `min` when it is a number.
    pub fn min_number(&self) -> Option<f64> {
        self.min.as_ref().and_then(RawBound::number)
    }

    /// `max` when it is a number.
    pub fn max_number(&self) -> Option<f64> {
        self.max.as_ref().and_then(RawBound::number)
    }
}
