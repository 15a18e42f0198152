//! What a response says about its organisation: identity and statistical stratum, read from
//! the answers to the questions that carry a profile role.

mod check;

pub use check::check;

use crate::answers::{Answer, Answers};
use crate::reference::{Amount, AreaCode, Reference, SizeClass, TaxCode, VsicSection};
use crate::survey::{QuestionKind, RespondentKind, Role, Survey};

/// The organisation as far as the answers tell.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub kind: RespondentKind,
    pub name: Option<String>,
    pub tax_code: Option<TaxCode>,
    pub area: Option<AreaCode>,
    pub vsic_section: Option<VsicSection>,
    /// Derived per Decree 80/2021 for enterprises whose answers allow it.
    pub size_class: Option<SizeClass>,
}

impl Profile {
    /// What makes the organisation one: its tax code, or for an agency its area and name
    /// (case and spacing ignored). `None` until the profile says enough.
    pub fn identity(&self) -> Option<String> {
        match self.kind {
            RespondentKind::Enterprise => self.tax_code.as_ref().map(|t| t.as_str().to_string()),
            RespondentKind::Agency => {
                let name = self
                    .name
                    .as_ref()?
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase();
                Some(format!("agency/{}/{name}", self.area.as_ref()?))
            }
        }
    }
}

/// Reads the profile from answers that were checked against `survey`.
pub fn profile(survey: &Survey, answers: &Answers, reference: &Reference) -> Profile {
    let answer =
        |role: Role| survey.role_question(role).and_then(|i| answers.get(i).map(|a| (i, a)));
    let text = |role: Role| match answer(role) {
        Some((_, Answer::Text(t))) => Some(t.clone()),
        _ => None,
    };
    let name = text(Role::LegalName).or_else(|| text(Role::AgencyName));
    let tax_code = text(Role::TaxCode).and_then(|t| TaxCode::parse(&t).ok());
    let area = text(Role::Area).and_then(|t| AreaCode::parse(&t).ok());
    let vsic_section = text(Role::VsicSection).and_then(|t| VsicSection::parse(&t).ok());
    let employees = match answer(Role::Employees) {
        Some((_, Answer::Integer(n))) => u64::try_from(*n).ok(),
        _ => None,
    };
    let band = |role: Role| match answer(role) {
        Some((i, Answer::Choice { choice, .. })) => match &survey.questions[i].kind {
            QuestionKind::SingleChoice { choices, .. } => Some(
                choices[usize::from(*choice)].upper_bound.map_or(Amount::Unbounded, Amount::AtMost),
            ),
            _ => None,
        },
        _ => None,
    };
    let size_class = match (vsic_section, employees, band(Role::Revenue), band(Role::Capital)) {
        (Some(section), Some(employees), Some(revenue), Some(capital)) => {
            Some(reference.sizes.classify(section, employees, revenue, capital))
        }
        _ => None,
    };
    Profile { kind: survey.kind, name, tax_code, area, vsic_section, size_class }
}
