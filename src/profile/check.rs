//! Profile checks beyond each answer's own type, with the `validator` crate: the rules an
//! organisation's identity must meet before a response is created.

use validator::{Validate, ValidationError, ValidationErrors};

use super::Profile;
use crate::answers::{AnswerProblem, ProblemKind};
use crate::reference::TaxCode;
use crate::survey::{RespondentKind, Role, Survey};

/// The identity fields of a profile, as `validator` sees them.
#[derive(Validate)]
struct Identity<'a> {
    #[validate(length(min = 2, max = 200))]
    name: &'a str,
    #[validate(custom(function = "valid_tax_code"))]
    tax_code: Option<&'a str>,
}

fn valid_tax_code(code: &str) -> Result<(), ValidationError> {
    TaxCode::parse(code).map(|_| ()).map_err(|_| ValidationError::new("tax_code"))
}

/// Problems with a profile's identity, each tied to the question that carries the field.
pub fn check(survey: &Survey, profile: &Profile) -> Vec<AnswerProblem> {
    let identity = Identity {
        name: profile.name.as_deref().unwrap_or(""),
        tax_code: match survey.kind {
            RespondentKind::Enterprise => {
                Some(profile.tax_code.as_ref().map_or("", |t| t.as_str()))
            }
            RespondentKind::Agency => None,
        },
    };
    let mut found = match identity.validate() {
        Ok(()) => Vec::new(),
        Err(errors) => problems(survey, &errors, &identity),
    };
    // The statistical unit is the enterprise: a branch answers for it, with its code.
    if let Some(code) = profile.tax_code.as_ref().filter(|c| c.is_branch())
        && let Some(i) = survey.role_question(Role::TaxCode)
    {
        let question = &survey.questions[i].id;
        found.push(AnswerProblem::new(question, ProblemKind::BranchCode(code.as_str().into())));
    }
    found
}

fn problems(
    survey: &Survey,
    errors: &ValidationErrors,
    identity: &Identity<'_>,
) -> Vec<AnswerProblem> {
    let name_role = match survey.kind {
        RespondentKind::Enterprise => Role::LegalName,
        RespondentKind::Agency => Role::AgencyName,
    };
    let question = |role: Role| {
        survey.role_question(role).map(|i| survey.questions[i].id.clone()).unwrap_or_default()
    };
    let mut problems = Vec::new();
    for (field, _) in errors.field_errors() {
        match field.as_ref() {
            "name" => problems.push(AnswerProblem::new(
                &question(name_role),
                ProblemKind::Length { min: 2, max: 200 },
            )),
            "tax_code" => problems.push(AnswerProblem::new(
                &question(Role::TaxCode),
                ProblemKind::InvalidCode(identity.tax_code.unwrap_or("").to_string()),
            )),
            _ => {}
        }
    }
    problems.sort_by(|a, b| a.question.cmp(&b.question));
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::TaxCode;

    fn enterprise() -> Survey {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/surveys/enterprise-dx.toml");
        crate::survey::load_file(std::path::Path::new(path)).unwrap().survey
    }

    fn profile(name: &str, tax_code: Option<&str>) -> Profile {
        Profile {
            kind: RespondentKind::Enterprise,
            name: Some(name.into()),
            tax_code: tax_code.map(|t| TaxCode::parse(t).unwrap()),
            area: None,
            vsic_section: None,
            size_class: None,
        }
    }

    #[test]
    fn a_dependent_branch_code_is_refused_with_the_reason() {
        let found =
            check(&enterprise(), &profile("Chi nhánh Công ty An Phát", Some("0101234567-001")));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].question, "tax_code");
        assert_eq!(found[0].kind, ProblemKind::BranchCode("0101234567-001".into()));
        assert!(
            found[0]
                .message(crate::kernel::Lang::Vi)
                .contains("mã số thuế 10 chữ số của doanh nghiệp")
        );
    }

    #[test]
    fn a_sound_identity_passes() {
        assert_eq!(
            check(&enterprise(), &profile("Công ty TNHH An Phát", Some("0101234567"))),
            vec![]
        );
    }

    #[test]
    fn a_one_letter_name_and_a_missing_tax_code_are_tied_to_their_questions() {
        let survey = enterprise();
        let problems = check(&survey, &profile("A", None));
        let ids: Vec<&str> = problems.iter().map(|p| p.question.as_str()).collect();
        let name = &survey.questions[survey.role_question(Role::LegalName).unwrap()].id;
        let tax = &survey.questions[survey.role_question(Role::TaxCode).unwrap()].id;
        assert!(ids.contains(&name.as_str()) && ids.contains(&tax.as_str()), "{ids:?}");
    }
}
