//! Who may start a response, and starting with a personal access code. The rules, once:
//! - a wave is `invitation` only (the default once it has a named register) or `open`;
//! - an access code opens its organisation's response in the wave's enterprise questionnaire:
//!   a new draft whose name, tax code, ward and sector come from the register and cannot be
//!   changed (the response is *verified*), or the draft already started, under a new private
//!   link (so the code is the way back when the link is lost: the old link stops working);
//! - a self-declared response of the same tax code (typed in an open wave before the code was
//!   used) gives way to the code: it is made void, with an audit entry;
//! - in an open wave anyone may start as a self-declared organisation, a few times per address
//!   and hour ([`StartLimit`]); such responses are out of the estimates until an administrator
//!   confirms the identity;
//! - public agencies have no register yet: their questionnaire is open in every wave and their
//!   responses count as before.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use time::Date;

use super::respond::{RespondError, ensure_open};
use super::{invitations, waves};
use crate::answers::Answers;
use crate::answers::form::apply_page;
use crate::app::App;
use crate::auth::SecretToken;
use crate::response::new_response;
use crate::store::{
    self, IdentityCheck, Invitee, Origin, ResponseStatus, Standing, StoreError, StoredResponse,
    Wave, WaveAccess,
};
use crate::survey::{RespondentKind, Role, Survey};

/// The roles whose answers an invited organisation's register entry fixes.
pub const FROM_REGISTER: [Role; 4] =
    [Role::LegalName, Role::TaxCode, Role::Area, Role::VsicSection];

/// The questions of `survey` whose answers the register fixes for `response` (none unless it
/// was started with an access code).
pub fn locked_questions(survey: &Survey, response: &StoredResponse) -> Vec<usize> {
    if response.identity_check != IdentityCheck::Verified {
        return Vec::new();
    }
    FROM_REGISTER.iter().filter_map(|role| survey.role_question(*role)).collect()
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
    let survey = enterprise_questionnaire(app, &wave)?;
    create_verified(app, &survey, &wave, &invitee, &token)?;
    Ok(CodeOpened { token, created: true })
}

/// The questionnaire invited enterprises answer in `wave`.
fn enterprise_questionnaire(
    app: &App,
    wave: &Wave,
) -> Result<std::sync::Arc<Survey>, RespondError> {
    let id = waves::primary_questionnaire(app, wave).ok_or(RespondError::NotFound)?;
    wave.questionnaires
        .iter()
        .find(|(s, _)| *s == id)
        .and_then(|(s, v)| app.catalog.get(s, *v))
        .cloned()
        .ok_or(RespondError::NotFound)
}

/// The register's answers to the questions it fixes, as the profile page's form would send them.
fn register_answers(
    app: &App,
    survey: &Survey,
    invitee: &Invitee,
) -> Result<Answers, RespondError> {
    let value = |role: Role| match role {
        Role::LegalName => invitee.name.clone(),
        Role::TaxCode => invitee.tax_code.clone(),
        Role::Area => invitee.area_code.clone(),
        _ => invitee.vsic_section.clone(),
    };
    let fields: Vec<(String, String)> = FROM_REGISTER
        .iter()
        .filter_map(|role| {
            survey.role_question(*role).map(|i| (survey.questions[i].id.clone(), value(*role)))
        })
        .collect();
    let input =
        apply_page(survey, &survey.pages[0], &Answers::empty(survey), &fields, &app.reference)
            .map_err(|_| {
                RespondError::Internal("the profile page refuses register fields".into())
            })?;
    Ok(input.answers)
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
    let hash = token.hash();
    let created = app.store.write(|tx| {
        if let Some(squatter) =
            store::response_id_of_identity(tx, &draft.wave_id, &draft.survey_id, &draft.identity)?
        {
            store::set_standing(tx, squatter, Standing::Void)?;
            let detail = format!(
                "response {squatter}: superseded by the access code of {}",
                invitee.tax_code
            );
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

/// Whether `survey` of `wave` takes self-declared starts. The register lists enterprises only,
/// so an agency questionnaire is open in every wave, and its responses count as they did (agency
/// figures are not weighted); an enterprise questionnaire follows the wave's access.
pub fn takes_self_declared(wave: &Wave, survey: &Survey) -> bool {
    survey.kind == RespondentKind::Agency || wave.access == WaveAccess::Open
}

/// Refuses a self-declared start that [`takes_self_declared`] does not allow.
pub fn ensure_open_access(wave: &Wave, survey: &Survey) -> Result<(), RespondError> {
    if takes_self_declared(wave, survey) { Ok(()) } else { Err(RespondError::InvitationOnly) }
}

/// Who a self-declared start of `survey` is from: an enterprise's is out of the estimates
/// until an administrator confirms it; an agency's counts.
pub fn self_declared_origin(survey: &Survey) -> Origin {
    match survey.kind {
        RespondentKind::Enterprise => Origin::self_declared(),
        RespondentKind::Agency => Origin::default(),
    }
}

/// At most `per_hour` self-declared starts per client address and hour (a burst of that many,
/// then one every `3600 / per_hour` seconds). Kept in memory: a restart forgets it, which
/// costs an attacker nothing they could not get by waiting an hour.
pub struct StartLimit {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl StartLimit {
    pub fn per_hour(per_hour: u32) -> StartLimit {
        let n = NonZeroU32::new(per_hour.max(1)).unwrap_or(NonZeroU32::MIN);
        StartLimit { limiter: RateLimiter::keyed(Quota::per_hour(n)) }
    }

    /// Counts a start from `address`; `Err(seconds)` to wait when it is one too many.
    pub fn check(&self, address: IpAddr) -> Result<(), u64> {
        if self.limiter.len() > 100_000 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&address).map_err(|not_until| {
            let clock = governor::clock::DefaultClock::default();
            not_until.wait_time_from(governor::clock::Clock::now(&clock)).as_secs().max(1)
        })
    }
}
