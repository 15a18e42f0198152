//! Case management for administrators: find a response or a register entry, confirm a
//! self-declared identity, release a wrong claim, void a test or fraudulent response, record a
//! refusal. Every change needs a reason and is audited in its transaction; nothing is deleted.

use super::Actor;
use crate::app::App;
use crate::store::{self, CaseRow, IdentityCheck, Standing, StoreError, StoredResponse, UnitEvent};

/// Why a case action was not carried out; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("say why: the reason is kept in the audit log")]
    NoReason,
    #[error("no response numbered {0}")]
    NoResponse(i64),
    #[error("response {0} is void already")]
    AlreadyVoid(i64),
    #[error(
        "response {0} was started with its organisation's access code: it is not a claim to release; void it if it must go"
    )]
    Verified(i64),
    #[error("response {0} already counts: its identity is {1}")]
    NothingToConfirm(i64, &'static str),
    #[error("no sampled enterprise or agency of wave {0} has the code {1}")]
    NotSampled(String, String),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// What an administrator does to one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseAction {
    /// The self-declared identity was checked: the response counts.
    Confirm,
    /// Someone claimed an organisation that is not theirs: the place is freed for the real one.
    Release,
    /// A test or fraudulent response: kept, flagged, out of every figure.
    Void,
}

impl ResponseAction {
    fn audit_action(self) -> &'static str {
        match self {
            ResponseAction::Confirm => "response.confirm",
            ResponseAction::Release => "response.release",
            ResponseAction::Void => "response.void",
        }
    }

    /// Refuses an action that does not apply to `response`.
    fn check(self, response: &StoredResponse) -> Result<(), CaseError> {
        let id = response.id;
        if response.standing == Standing::Void {
            return Err(CaseError::AlreadyVoid(id));
        }
        match self {
            ResponseAction::Confirm if response.standing == Standing::Counted => {
                Err(CaseError::NothingToConfirm(id, response.identity_check.as_str()))
            }
            ResponseAction::Release if response.identity_check == IdentityCheck::Verified => {
                Err(CaseError::Verified(id))
            }
            _ => Ok(()),
        }
    }
}

/// Carries out `action` on response `id`, saying why, audited.
pub fn act(
    app: &App,
    actor: &Actor,
    id: i64,
    action: ResponseAction,
    reason: &str,
) -> Result<(), CaseError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(CaseError::NoReason);
    }
    let wave = app.store.write(|tx| {
        let Some(response) = store::response_by_id(tx, id)? else {
            return Ok(Err(CaseError::NoResponse(id)));
        };
        if let Err(e) = action.check(&response) {
            return Ok(Err(e));
        }
        match action {
            ResponseAction::Confirm => store::confirm_identity(tx, id)?,
            ResponseAction::Release | ResponseAction::Void => {
                store::set_standing(tx, id, Standing::Void)?;
            }
        }
        let detail = format!("response {id} ({}): {reason}", response.identity);
        let address = actor.address.as_deref();
        let wave = Some(response.wave_id.as_str());
        store::audit(tx, Some(&actor.name), action.audit_action(), wave, Some(&detail), address)?;
        Ok(Ok(response.wave_id))
    })??;
    app.figures.forget(&wave);
    Ok(())
}

/// Confirms every self-declared response of `wave` awaiting confirmation (after the office
/// checked them against its own list), with one audit entry; returns how many.
pub fn confirm_all(app: &App, actor: &Actor, wave: &str, reason: &str) -> Result<usize, CaseError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(CaseError::NoReason);
    }
    let confirmed = app.store.write(|tx| {
        let ids = store::unconfirmed_responses(tx, wave)?;
        for id in &ids {
            store::confirm_identity(tx, *id)?;
        }
        let detail = format!("{} responses: {reason}", ids.len());
        let address = actor.address.as_deref();
        store::audit(
            tx,
            Some(&actor.name),
            "response.confirm",
            Some(wave),
            Some(&detail),
            address,
        )?;
        Ok(ids.len())
    })?;
    app.figures.forget(wave);
    Ok(confirmed)
}

/// Records a field event of the sampled enterprise or agency `code` of `wave` (a refusal, an
/// unreachable address, a contact), audited when it is a refusal or unreachable.
pub fn record_event(
    app: &App,
    actor: &Actor,
    wave: &str,
    code: &str,
    event: &UnitEvent,
) -> Result<(), CaseError> {
    let unit = app
        .store
        .read(|c| store::sampled_unit(c, wave, code.trim()))?
        .ok_or_else(|| CaseError::NotSampled(wave.into(), code.into()))?;
    if event.kind.needs_reason() && event.note.trim().is_empty() {
        return Err(CaseError::NoReason);
    }
    app.store.write(|tx| {
        store::record_unit_event(tx, unit.unit_id, event, Some(&actor.name))?;
        if event.kind.needs_reason() {
            let detail = format!("{}: {}", unit.code, event.note.trim());
            let address = actor.address.as_deref();
            let action = format!("unit.{}", event.kind.as_str());
            store::audit(tx, Some(&actor.name), &action, Some(wave), Some(&detail), address)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Responses and sampled register entries of `wave` whose tax code starts with, or whose name
/// contains, `query`; at most 50.
pub fn find(app: &App, wave: &str, query: &str) -> Result<Vec<CaseRow>, StoreError> {
    let query = query.trim();
    if query.is_empty() {
        return Ok(Vec::new());
    }
    app.store.read(|c| store::find_cases(c, wave, query, 50))
}
