//! The questionnaire as the rest of the program sees it: built only by the loader, after every
//! check has passed, so no other code needs to re-check it.

use std::collections::HashMap;
use std::ops::Range;

use super::condition::Condition;
use crate::kernel::Text;
use crate::reference::VsicVersion;

/// Index of a question within its questionnaire.
pub type QuestionIdx = usize;

/// A questionnaire of one version.
#[derive(Debug, Clone)]
pub struct Survey {
    /// Stable id, e.g. `enterprise-dx`.
    pub id: String,
    /// Version of the definition; grows with every change.
    pub version: u32,
    /// Who answers it.
    pub kind: RespondentKind,
    pub title: Text,
    pub description: Text,
    /// The period innovation questions refer to.
    pub observation_period: Text,
    /// Public frameworks it follows.
    pub sources: Option<Text>,
    /// The VSIC version its sector question asks, and its sectors are published in.
    pub vsic: VsicVersion,
    /// Unscored pages.
    pub sections: Vec<Section>,
    /// Scored pillars.
    pub dimensions: Vec<Dimension>,
    /// Maturity levels, ascending by `min_score`, the first at 0.
    pub levels: Vec<Level>,
    /// Questions in the order respondents see them.
    pub questions: Vec<Question>,
    /// Yes/no results derived from answers.
    pub indicators: Vec<Indicator>,
    /// Answers that seldom go together, put to the respondent as a question.
    pub checks: Vec<Check>,
    /// Pages in order, each a contiguous run of questions.
    pub pages: Vec<Page>,
    /// A split-ballot experiment: orders or wordings randomly assigned per respondent.
    pub experiment: Option<Experiment>,
    pub(crate) question_index: HashMap<String, QuestionIdx>,
}

impl Survey {
    /// The question with this id.
    pub fn question_idx(&self, id: &str) -> Option<QuestionIdx> {
        self.question_index.get(id).copied()
    }

    /// The question that carries `role`, if any.
    pub fn role_question(&self, role: Role) -> Option<QuestionIdx> {
        self.questions.iter().position(|q| q.role == Some(role))
    }

    /// The level for an overall score.
    pub fn level_for(&self, score: f64) -> usize {
        self.levels.iter().rposition(|l| l.min_score <= score).unwrap_or(0)
    }
}

/// Who fills in a questionnaire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RespondentKind {
    Enterprise,
    Agency,
}

impl RespondentKind {
    /// The name used in files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            RespondentKind::Enterprise => "enterprise",
            RespondentKind::Agency => "agency",
        }
    }
}

/// An unscored page such as the profile.
#[derive(Debug, Clone)]
pub struct Section {
    pub id: String,
    pub title: Text,
    pub description: Option<Text>,
}

/// A scored pillar.
#[derive(Debug, Clone)]
pub struct Dimension {
    pub id: String,
    /// Weight in the overall score, > 0.
    pub weight: f64,
    pub title: Text,
    pub description: Option<Text>,
    /// The public framework this pillar follows.
    pub framework: Option<Text>,
}

/// A maturity level.
#[derive(Debug, Clone)]
pub struct Level {
    pub id: String,
    /// Lower bound on the 0–100 overall score.
    pub min_score: f64,
    pub name: Text,
    pub description: Option<Text>,
}

/// A yes/no result computed from the answers.
#[derive(Debug, Clone)]
pub struct Indicator {
    pub id: String,
    pub label: Text,
    pub description: Option<Text>,
    pub when: Condition,
    /// The condition as written, for codebooks.
    pub when_source: String,
}

/// Answers that seldom go together (R&D done, but nothing spent on innovation): when `when`
/// holds, the respondent is asked whether the answers are right, and may keep them.
#[derive(Debug, Clone)]
pub struct Check {
    pub id: String,
    pub when: Condition,
    /// The condition as written, for codebooks.
    pub when_source: String,
    /// What the respondent is asked.
    pub message: Text,
    /// The last question the condition names: the check is put on that question's page.
    pub last_question: QuestionIdx,
}

/// A split-ballot experiment: each respondent is assigned one arm at random, and the
/// indicators of the arms are compared, so that the effect of an order or a wording can be
/// measured (in a pilot) rather than guessed.
#[derive(Debug, Clone)]
pub struct Experiment {
    pub id: String,
    pub title: Text,
    pub description: Option<Text>,
    /// Two or more; the first is the reference the others are compared with.
    pub arms: Vec<Arm>,
}

impl Experiment {
    /// The position of arm `id`.
    pub fn arm_idx(&self, id: &str) -> Option<usize> {
        self.arms.iter().position(|a| a.id == id)
    }
}

/// One way of putting the questionnaire to a respondent.
#[derive(Debug, Clone)]
pub struct Arm {
    pub id: String,
    pub label: Text,
    /// Positions in `Survey::pages`, in the order this arm shows them; the first page (which
    /// identifies the organisation) always comes first.
    pub pages: Vec<usize>,
    /// Questions this arm words differently.
    pub wordings: Vec<Wording>,
}

/// A question's text in one arm.
#[derive(Debug, Clone)]
pub struct Wording {
    pub question: QuestionIdx,
    pub label: Option<Text>,
    pub help: Option<Text>,
}

/// Where a question stands: an unscored section or a scored dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Home {
    Section(usize),
    Dimension(usize),
}

/// A page: a section or a dimension and the questions on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub home: Home,
    pub questions: Range<QuestionIdx>,
}

/// A question.
#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    pub home: Home,
    pub label: Text,
    pub help: Option<Text>,
    pub kind: QuestionKind,
    /// Must be answered when shown.
    pub required: bool,
    /// Offers "not applicable", which is excluded from scores.
    pub not_applicable: bool,
    /// Offers "don't know", which is excluded from scores like "not applicable" and kept apart
    /// from it in exports.
    pub dont_know: bool,
    /// Weight within its dimension, > 0.
    pub weight: f64,
    pub show_if: Option<Condition>,
    /// The condition as written, for codebooks.
    pub show_if_source: Option<String>,
    /// What the answer means for the organisation's profile.
    pub role: Option<Role>,
}

/// The answers besides the question's own that it offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Offers {
    pub not_applicable: bool,
    pub dont_know: bool,
}

impl Question {
    /// What the question offers besides its own answers.
    pub fn offers(&self) -> Offers {
        Offers { not_applicable: self.not_applicable, dont_know: self.dont_know }
    }

    /// The dimension whose score this question feeds, if it is scored.
    pub fn scored_dimension(&self) -> Option<usize> {
        match self.home {
            Home::Dimension(d) if self.kind.is_scorable() => Some(d),
            _ => None,
        }
    }
}

/// The most choices a question may have (a multiple-choice answer is a 64-bit set).
pub const MAX_CHOICES: usize = 64;

/// Steps of a maturity scale: 0 to 5.
pub const SCALE_STEPS: usize = 6;

/// A question's type and its settings.
#[derive(Debug, Clone)]
pub enum QuestionKind {
    SingleChoice {
        choices: Vec<Choice>,
        max_score: f64,
    },
    MultipleChoice {
        choices: Vec<Choice>,
        full_score: f64,
    },
    /// Six descriptors, for steps 0 to 5.
    Scale {
        steps: Vec<Text>,
    },
    YesNo,
    Integer {
        min: Option<i64>,
        max: Option<i64>,
        unit: Option<Text>,
        /// Bounds that are a wave's year (`max = "{ref_year}"`): set when a wave shows it.
        wave_bounds: WaveBounds,
    },
    Decimal {
        min: Option<f64>,
        max: Option<f64>,
        unit: Option<Text>,
    },
    ShortText {
        max_length: usize,
    },
    LongText {
        max_length: usize,
    },
    /// A ward/commune code from the reference list.
    Area,
    /// A VSIC section letter of the file's VSIC version.
    VsicSection {
        version: VsicVersion,
    },
}

impl QuestionKind {
    /// The name used in files.
    pub fn name(&self) -> &'static str {
        match self {
            QuestionKind::SingleChoice { .. } => "single_choice",
            QuestionKind::MultipleChoice { .. } => "multiple_choice",
            QuestionKind::Scale { .. } => "scale",
            QuestionKind::YesNo => "yes_no",
            QuestionKind::Integer { .. } => "integer",
            QuestionKind::Decimal { .. } => "decimal",
            QuestionKind::ShortText { .. } => "short_text",
            QuestionKind::LongText { .. } => "long_text",
            QuestionKind::Area => "area",
            QuestionKind::VsicSection { .. } => "vsic_section",
        }
    }

    /// Whether answers of this type give a score.
    pub fn is_scorable(&self) -> bool {
        matches!(
            self,
            QuestionKind::SingleChoice { .. }
                | QuestionKind::MultipleChoice { .. }
                | QuestionKind::Scale { .. }
                | QuestionKind::YesNo
        )
    }

    /// The choices of a choice question.
    pub fn choices(&self) -> &[Choice] {
        match self {
            QuestionKind::SingleChoice { choices, .. }
            | QuestionKind::MultipleChoice { choices, .. } => choices,
            _ => &[],
        }
    }

    /// The position of a choice id.
    pub fn choice_idx(&self, id: &str) -> Option<u8> {
        self.choices().iter().position(|c| c.id == id).and_then(|i| u8::try_from(i).ok())
    }
}

/// The placeholders (`ref_year`, …) whose year bounds an integer question in a wave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WaveBounds {
    pub min: Option<String>,
    pub max: Option<String>,
}

/// One answer option of a choice question.
#[derive(Debug, Clone)]
pub struct Choice {
    pub id: String,
    pub label: Text,
    /// Score, >= 0; absent on unscored questions.
    pub score: Option<f64>,
    /// "Other, please specify": choosing it requires a text.
    pub specify: bool,
    /// Cannot be combined with other choices ("none of these").
    pub exclusive: bool,
    /// Upper limit of a revenue or capital band, in billion VND.
    pub upper_bound: Option<f64>,
}

/// What a profile answer means for the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    LegalName,
    TaxCode,
    Area,
    VsicSection,
    Employees,
    Revenue,
    Capital,
    Ownership,
    AgencyName,
    AgencyLevel,
    /// The year the enterprise was founded: filled in from the register when it gives one.
    YearFounded,
}

impl Role {
    /// Roles an enterprise questionnaire must carry.
    pub const ENTERPRISE: [Role; 7] = [
        Role::LegalName,
        Role::TaxCode,
        Role::Area,
        Role::VsicSection,
        Role::Employees,
        Role::Revenue,
        Role::Capital,
    ];

    /// Roles an agency questionnaire must carry.
    pub const AGENCY: [Role; 2] = [Role::AgencyName, Role::Area];

    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Role::LegalName => "legal_name",
            Role::TaxCode => "tax_code",
            Role::Area => "area",
            Role::VsicSection => "vsic_section",
            Role::Employees => "employees",
            Role::Revenue => "revenue",
            Role::Capital => "capital",
            Role::Ownership => "ownership",
            Role::AgencyName => "agency_name",
            Role::AgencyLevel => "agency_level",
            Role::YearFounded => "year_founded",
        }
    }

    /// The question type the role needs.
    pub fn kind_name(self) -> &'static str {
        match self {
            Role::LegalName | Role::TaxCode | Role::AgencyName => "short_text",
            Role::Area => "area",
            Role::VsicSection => "vsic_section",
            Role::Employees | Role::YearFounded => "integer",
            Role::Revenue | Role::Capital | Role::Ownership | Role::AgencyLevel => "single_choice",
        }
    }
}
