//! Who may start a response, and starting with a personal access code. The rules, once:
//! - a wave is `invitation` only (the default once it has a named register) or `open`;
//! - an access code opens its organisation's response in the wave's questionnaire of its kind:
//!   a new draft whose identity comes from the register and cannot be changed (an enterprise's
//!   name, tax code, ward and sector; an agency's name, ward and kind), so the response is
//!   *verified*; or the draft already started, under a new private link (so the code is the
//!   way back when the link is lost: the old link stops working);
//! - a self-declared response of the same tax code (typed in an open wave before the code was
//!   used) gives way to the code: it is made void, with an audit entry;
//! - in an open wave anyone may start as a self-declared organisation, a few times per address
//!   and hour ([`super::limits::Limits`]); such responses are out of the estimates until an administrator
//!   confirms the identity;
//! - public agencies follow the same rules once the wave's register lists them; in a wave
//!   whose register does not, their questionnaire is open and their responses count as before.

use time::Date;

use super::respond::{Opened, RespondError, ensure_open};
use super::{invitations, waves};
use crate::answers::form::apply_page;
use crate::answers::{Answer, Answers};
use crate::app::App;
use crate::auth::SecretToken;
use crate::kernel::Lang;
use crate::reference::SizeClass;
use crate::response::new_response;
use crate::store::{
    self, IdentityCheck, Invitee, NewResponse, Origin, ResponseStatus, Standing, StoreError,
    UnitKind, Wave, WaveAccess,
};
use crate::survey::{Question, QuestionKind, RespondentKind, Role, Survey};

/// The roles whose answers an invited enterprise's register entry fixes.
pub const FROM_REGISTER: [Role; 4] =
    [Role::LegalName, Role::TaxCode, Role::Area, Role::VsicSection];

/// The roles whose answers an invited agency's register entry fixes.
pub const FROM_AGENCY_REGISTER: [Role; 3] = [Role::AgencyName, Role::Area, Role::AgencyLevel];

/// The roles the register fixes for an organisation answering `survey`.
fn fixed_roles(survey: &Survey) -> &'static [Role] {
    match survey.kind {
        RespondentKind::Enterprise => &FROM_REGISTER,
        RespondentKind::Agency => &FROM_AGENCY_REGISTER,
    }
}

/// The questions of `survey` whose answers the register fixes for `response` (none unless it
/// was started with an access code). An agency whose register kind is one that asks to be
/// specified ("other") specifies it itself.
pub fn locked_questions(opened: &Opened) -> Vec<usize> {
    if opened.response.identity_check != IdentityCheck::Verified {
        return Vec::new();
    }
    let survey = &opened.survey;
    fixed_roles(survey)
        .iter()
        .filter_map(|role| survey.role_question(*role))
        .filter(|i| !asks_to_specify(&survey.questions[*i], &opened.answers, *i))
        .collect()
}

/// Whether the answer to question `i` is a choice that asks to be specified.
fn asks_to_specify(question: &Question, answers: &Answers, i: usize) -> bool {
    match (&question.kind, answers.get(i)) {
        (QuestionKind::SingleChoice { choices, .. }, Some(Answer::Choice { choice, .. })) => {
            choices.get(usize::from(*choice)).is_some_and(|c| c.specify)
        }
        _ => false,
    }
}

/// The kinds of agency an agency register may give: the choices of `survey`'s kind-of-agency
/// question, with their labels in `lang`.
pub fn agency_kind_labels(survey: &Survey, lang: Lang) -> Vec<(String, String)> {
    let question = survey.role_question(Role::AgencyLevel).map(|i| &survey.questions[i].kind);
    match question {
        Some(QuestionKind::SingleChoice { choices, .. }) => {
            choices.iter().map(|c| (c.id.clone(), c.label.get(lang).to_string())).collect()
        }
        _ => Vec::new(),
    }
}

/// The ids of [`agency_kind_labels`].
pub fn agency_kinds(survey: &Survey) -> Vec<String> {
    agency_kind_labels(survey, Lang::Vi).into_iter().map(|(id, _)| id).collect()
}

/// What an access code opened: the private link of the response.
pub struct CodeOpened {
    pub token: SecretToken,
    /// True when the response was created now.
    pub created: bool,
}

/// Opens, or starts, the response of the organisation that `typed` is the access code of.
pub fn open_with_code(app: &App, typed: &str, today: Date) -> Result<CodeOpened, RespondError> {
    let (wave_id, invitee) =
        invitations::opened_by(app, typed)?.ok_or(RespondError::UnknownCode)?;
    let wave = app.store.read(|c| store::wave(c, &wave_id))?.ok_or(RespondError::NotFound)?;
    let existing = app.store.read(|c| store::response_of_unit(c, invitee.unit_id))?;
    let token = SecretToken::generate()
        .map_err(|e| RespondError::Internal(format!("random token: {e}")))?;
    if let Some(response) = existing {
        // A submitted response can be seen after its wave closes; a draft only while open.
        if response.status == ResponseStatus::Draft {
            ensure_open(app, &wave.id, today)?;
        }
        let hash = token.hash();
        app.store.write(|tx| store::set_resume_hash(tx, response.id, &hash))?;
        return Ok(CodeOpened { token, created: false });
    }
    ensure_open(app, &wave.id, today)?;
    let kind = match invitee.kind {
        UnitKind::Enterprise => RespondentKind::Enterprise,
        UnitKind::Agency => RespondentKind::Agency,
    };
    let survey = waves::questionnaire_for(app, &wave, kind).ok_or(RespondError::NotFound)?;
    create_verified(app, &survey, &wave, &invitee, &token)?;
    Ok(CodeOpened { token, created: true })
}

/// The register's answers to the questions it fixes, as the profile page's form would send them.
fn register_answers(
    app: &App,
    survey: &Survey,
    invitee: &Invitee,
) -> Result<Answers, RespondError> {
    let value = |role: Role| match role {
        Role::LegalName | Role::AgencyName => Some(invitee.name.clone()),
        Role::TaxCode => Some(invitee.code.clone()),
        Role::Area => Some(invitee.area_code.clone()),
        Role::VsicSection => invitee.vsic_section.clone(),
        Role::AgencyLevel => invitee.agency_kind.clone(),
        _ => None,
    };
    let mut fields: Vec<(String, String)> = fixed_roles(survey)
        .iter()
        .filter_map(|role| {
            let question = survey.role_question(*role)?;
            Some((survey.questions[question].id.clone(), value(*role)?))
        })
        .collect();
    fields.extend(prefilled(survey, &invitee.facts));
    let input =
        apply_page(survey, &survey.pages[0], &Answers::empty(survey), &fields, &app.reference)
            .map_err(|_| {
                RespondError::Internal("the profile page refuses register fields".into())
            })?;
    Ok(input.answers)
}

/// The profile answers the register fills in for the respondent to confirm or correct (not
/// fixed): employees, the revenue and capital bands holding its amounts, the founding year.
fn prefilled(survey: &Survey, facts: &crate::register::Facts) -> Vec<(String, String)> {
    let band = |role: Role, amount: Option<f64>| {
        let question = &survey.questions[survey.role_question(role)?];
        Some((question.id.clone(), band_holding(&question.kind, amount?)?.to_string()))
    };
    let whole = |role: Role, value: Option<i64>| {
        let question = &survey.questions[survey.role_question(role)?];
        Some((question.id.clone(), value?.to_string()))
    };
    [
        whole(Role::Employees, facts.employees),
        band(Role::Revenue, facts.revenue),
        band(Role::Capital, facts.capital),
        whole(Role::YearFounded, facts.year_founded),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The choice of a band question (choices with `upper_bound`) that holds `amount`: the band with
/// the smallest upper bound at or above it, else the one band without a bound.
fn band_holding(kind: &QuestionKind, amount: f64) -> Option<&str> {
    let choices = kind.choices();
    let bounded =
        choices.iter().filter(|c| c.upper_bound.is_some_and(|b| amount <= b)).min_by(|a, b| {
            a.upper_bound.partial_cmp(&b.upper_bound).unwrap_or(std::cmp::Ordering::Equal)
        });
    let open: Vec<&crate::survey::Choice> =
        choices.iter().filter(|c| c.upper_bound.is_none()).collect();
    match (bounded, open.as_slice()) {
        (Some(choice), _) => Some(choice.id.as_str()),
        (None, [only]) => Some(only.id.as_str()),
        _ => None,
    }
}

/// Stores the verified draft of `invitee`; a self-declared response of the same organisation
/// is made void first (the code proves who it is).
fn create_verified(
    app: &App,
    survey: &Survey,
    wave: &Wave,
    invitee: &Invitee,
    token: &SecretToken,
) -> Result<(), RespondError> {
    let answers = register_answers(app, survey, invitee)?;
    let mut draft = new_response(survey, &answers, &app.reference, &wave.id, ResponseStatus::Draft);
    draft.origin = Origin::verified(invitee.unit_id);
    draft.arm = crate::response::draw_arm(app, survey);
    keep_register_stratum(&mut draft, Some(invitee.stratum()));
    let hash = token.hash();
    let created = app.store.write(|tx| {
        if let Some(squatter) =
            store::response_id_of_identity(tx, &draft.wave_id, &draft.survey_id, &draft.identity)?
        {
            store::set_standing(tx, squatter, Standing::Void)?;
            let detail =
                format!("response {squatter}: superseded by the access code of {}", invitee.code);
            store::audit(tx, None, "response.void", Some(&wave.id), Some(&detail), None)?;
        }
        store::insert_response(tx, &draft, Some(&hash))
    });
    match created {
        Ok(_) => Ok(()),
        // The same code used twice at once: the other request created it.
        Err(StoreError::Conflict(_)) => Err(RespondError::Duplicate),
        Err(e) => Err(e.into()),
    }
}

/// Whether the register of `wave` names the organisations that answer `survey`: enterprises
/// are followed as soon as a wave has a register, agencies only when it lists them.
fn registered(wave: &Wave, survey: &Survey) -> bool {
    survey.kind == RespondentKind::Enterprise || wave.agency_register
}

/// Whether `survey` of `wave` takes self-declared starts: an agency questionnaire of a wave whose
/// register lists no agency is open, and its responses count as they did (agency figures are
/// not weighted); otherwise the wave's access decides.
pub fn takes_self_declared(wave: &Wave, survey: &Survey) -> bool {
    !registered(wave, survey) || wave.access == WaveAccess::Open
}

/// Refuses a self-declared start that [`takes_self_declared`] does not allow.
pub fn ensure_open_access(wave: &Wave, survey: &Survey) -> Result<(), RespondError> {
    if takes_self_declared(wave, survey) { Ok(()) } else { Err(RespondError::InvitationOnly) }
}

/// Who a self-declared start of `survey` in `wave` is from: out of the estimates until an
/// administrator confirms it, unless the register does not list such organisations (agencies
/// of a wave without an agency register count as they did).
pub fn self_declared_origin(wave: &Wave, survey: &Survey) -> Origin {
    if registered(wave, survey) { Origin::self_declared() } else { Origin::default() }
}

/// An invited organisation's stratum is its register entry's, whatever its answers say: its
/// sample was drawn there. `stratum` is the entry's ward, section and size class.
pub fn keep_register_stratum(draft: &mut NewResponse, stratum: Option<store::Stratum>) {
    let Some(stratum) = stratum else { return };
    draft.area_code = Some(stratum.area_code);
    if let Some(section) = stratum.vsic_section {
        draft.vsic_section = Some(section);
    }
    if let Some(size) = stratum.size_class.as_deref().and_then(SizeClass::parse) {
        draft.size_class = Some(size.as_str());
    }
}
