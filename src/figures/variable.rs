//! The variables a questionnaire's figures estimate, as types: what is measured decides how it
//! is estimated, exported and drawn; the column name (`ind_…`, `score_…`, `level_…`) is only
//! its text form.

use crate::stats::Kind;
use crate::survey::{Survey, Text};

/// What a variable measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Measure {
    /// The share with an indicator (its id).
    Indicator(String),
    /// The mean score of a dimension (its id).
    Score(String),
    /// The mean overall score.
    Overall,
    /// The share at a maturity level (its id).
    Level(String),
}

impl Measure {
    /// The column name in exports and the API.
    pub fn column(&self) -> String {
        match self {
            Measure::Indicator(id) => format!("ind_{id}"),
            Measure::Score(id) => format!("score_{id}"),
            Measure::Overall => "score_overall".into(),
            Measure::Level(id) => format!("level_{id}"),
        }
    }

    /// A share (of organisations with an indicator, or at a level) or a mean score.
    pub fn kind(&self) -> Kind {
        match self {
            Measure::Indicator(_) | Measure::Level(_) => Kind::Share,
            Measure::Score(_) | Measure::Overall => Kind::Mean,
        }
    }

    pub fn is_indicator(&self) -> bool {
        matches!(self, Measure::Indicator(_))
    }

    pub fn is_score(&self) -> bool {
        matches!(self, Measure::Score(_) | Measure::Overall)
    }

    pub fn is_level(&self) -> bool {
        matches!(self, Measure::Level(_))
    }
}

/// A variable that is estimated, with its column name and its label.
#[derive(Debug, Clone)]
pub struct Variable {
    pub measure: Measure,
    pub label: Text,
    column: String,
}

impl Variable {
    pub fn new(measure: Measure, label: Text) -> Variable {
        Variable { column: measure.column(), measure, label }
    }

    /// The column name in exports and the API.
    pub fn id(&self) -> &str {
        &self.column
    }

    pub fn kind(&self) -> Kind {
        self.measure.kind()
    }

    /// Whether this variable is the indicator `id`.
    pub fn is_indicator(&self, id: &str) -> bool {
        matches!(&self.measure, Measure::Indicator(i) if i == id)
    }
}

/// The variables of a questionnaire, in export order: indicators, dimension scores, the overall
/// score, then the distribution over maturity levels.
pub fn variables(survey: &Survey) -> Vec<Variable> {
    let indicators = survey
        .indicators
        .iter()
        .map(|i| Variable::new(Measure::Indicator(i.id.clone()), i.label.clone()));
    let scores = survey
        .dimensions
        .iter()
        .map(|d| Variable::new(Measure::Score(d.id.clone()), d.title.clone()));
    let overall = Variable::new(Measure::Overall, Text::new("Điểm tổng hợp", "Overall score"));
    let levels = survey.levels.iter().map(|l| {
        // Levels are the questionnaire's own scale, not an official classification.
        let label = Text::new(
            format!("Mức (theo thang của bảng hỏi này): {}", l.name.vi),
            format!("Level (on this questionnaire's own scale): {}", l.name.en),
        );
        Variable::new(Measure::Level(l.id.clone()), label)
    });
    indicators.chain(scores).chain([overall]).chain(levels).collect()
}
