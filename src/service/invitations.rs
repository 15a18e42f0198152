//! Personal access codes for the sampled units of a wave: issued once per unit (only their
//! hashes kept; the code itself can be derived again with the secret key, see
//! [`AccessCode::derive`]), re-issued on request with a reason (the old code stops working), each
//! audited, and handed to the office as letters, e-mails or a mail-merge file.

use std::io::Write;

use super::Actor;
use crate::app::App;
use crate::auth::AccessCode;
use crate::kernel::Text;
use crate::reference::AreaCode;
use crate::store::{self, Invitee, StoreError};

/// A unit and the code just issued to it (the only time the code is known).
#[derive(Debug, Clone)]
pub struct Issued {
    pub invitee: Invitee,
    pub code: AccessCode,
}

/// Why no code was issued; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    #[error(
        "wave {0} has no sample and no agency yet: draw a sample (`dxsurvey sample`) or import \
         its agencies (`dxsurvey frame agencies`) first"
    )]
    NoSample(String),
    #[error("no sampled enterprise or agency of wave {0} has the code {1}")]
    NotSampled(String, String),
    #[error("say why the code is issued again")]
    NoReason,
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// The code of `invitee` in `generation`.
fn code_for(app: &App, wave: &str, invitee: Invitee, generation: i64) -> Issued {
    let code = AccessCode::derive(&app.secret, wave, invitee.unit_id, generation);
    Issued { invitee: Invitee { generation: Some(generation), ..invitee }, code }
}

/// The current code of every invited unit of `wave` (of `areas` only, when given), to print
/// their letters again; the codes do not change.
pub fn current(app: &App, wave: &str, areas: Option<&[String]>) -> Result<Vec<Issued>, StoreError> {
    let invited = app.store.read(|c| store::invited(c, wave, areas))?;
    Ok(invited
        .into_iter()
        .filter_map(|i| i.generation.map(|g| code_for(app, wave, i, g)))
        .collect())
}

/// Issues a code to every sampled enterprise and every agency of `wave` that has none, in one
/// transaction with its audit entry.
pub fn issue(app: &App, wave: &str, actor: &Actor) -> Result<Vec<Issued>, InvitationError> {
    let sampled = app.store.read(|c| store::sample_of(c, wave))?.is_some();
    if !sampled && app.store.read(|c| store::agency_register_size(c, wave))?.0 == 0 {
        return Err(InvitationError::NoSample(wave.into()));
    }
    let uninvited = app.store.read(|c| store::uninvited(c, wave))?;
    let issued: Vec<Issued> = uninvited.into_iter().map(|i| code_for(app, wave, i, 1)).collect();
    let detail = format!("{} access codes", issued.len());
    app.store.write(|tx| {
        let now = store::now();
        for i in &issued {
            store::set_access_code(tx, i.invitee.unit_id, &i.code.hash(), 1, &now)?;
        }
        let address = actor.address.as_deref();
        store::audit(tx, Some(&actor.name), "invitations.issue", Some(wave), Some(&detail), address)
    })?;
    Ok(issued)
}

/// Issues a new code to the sampled enterprise or agency `code` (its old code stops working),
/// saying why, audited.
pub fn reissue(
    app: &App,
    wave: &str,
    code: &str,
    reason: &str,
    actor: &Actor,
) -> Result<Issued, InvitationError> {
    if reason.trim().is_empty() {
        return Err(InvitationError::NoReason);
    }
    let invitee = app
        .store
        .read(|c| store::sampled_unit(c, wave, code.trim()))?
        .ok_or_else(|| InvitationError::NotSampled(wave.into(), code.into()))?;
    let generation = invitee.generation.unwrap_or(0) + 1;
    let issued = code_for(app, wave, invitee, generation);
    let detail = format!("{}: {}", issued.invitee.code, reason.trim());
    app.store.write(|tx| {
        let hash = issued.code.hash();
        store::set_access_code(tx, issued.invitee.unit_id, &hash, generation, &store::now())?;
        let address = actor.address.as_deref();
        store::audit(
            tx,
            Some(&actor.name),
            "invitation.reissue",
            Some(wave),
            Some(&detail),
            address,
        )
    })?;
    Ok(issued)
}

/// The wave and unit a typed or linked code opens, if any.
pub fn opened_by(app: &App, typed: &str) -> Result<Option<(String, Invitee)>, StoreError> {
    match AccessCode::parse(typed) {
        Some(code) => app.store.read(|c| store::invitee_by_code(c, &code.hash())),
        None => Ok(None),
    }
}

/// `https://khaosat.hanoi.gov.vn/` as people type it: `khaosat.hanoi.gov.vn`.
pub fn site_of(public_url: &str) -> String {
    let without_scheme = public_url.split_once("://").map_or(public_url, |(_, rest)| rest);
    without_scheme.trim_end_matches('/').to_string()
}

/// The date invitations ask for an answer by: the wave's closing date.
pub fn deadline(wave: &crate::store::Wave) -> time::Date {
    crate::kernel::format::parse_iso_date(&wave.closes_on)
        .unwrap_or_else(crate::kernel::format::today)
}

/// The personal link of a code: `<public_url>/i/<code>`.
pub fn link(public_url: &str, code: &AccessCode) -> String {
    format!("{}/i/{}", public_url.trim_end_matches('/'), code.as_str())
}

/// The ward's own contact, else the survey office's, in each language.
pub fn contact_of(app: &App, area: Option<&AreaCode>, fallback: Option<&str>) -> Option<Text> {
    match area.and_then(|a| app.reference.contacts.get(a)) {
        Some(c) => {
            let reach = [c.phone.as_str(), c.email.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            Some(Text::new(
                format!("{}, {reach}", c.office.vi),
                format!("{}, {reach}", c.office.en),
            ))
        }
        None => fallback.filter(|f| !f.trim().is_empty()).map(|f| Text::new(f.trim(), f.trim())),
    }
}

/// The mail-merge file of every invited enterprise and agency of `wave` with its current code (writing it
/// again changes no code), audited as an export of the codes; returns how many.
pub fn export_mail_merge(
    app: &App,
    actor: &Actor,
    wave: &str,
    public_url: &str,
    out: impl Write,
) -> Result<usize, InvitationError> {
    let issued = current(app, wave, None)?;
    write_mail_merge(app, &issued, public_url, out)
        .map_err(|e| InvitationError::Store(StoreError::Invalid(e.to_string())))?;
    let detail = format!("{} codes", issued.len());
    app.store.write(|tx| {
        let address = actor.address.as_deref();
        store::audit(
            tx,
            Some(&actor.name),
            "invitations.export",
            Some(wave),
            Some(&detail),
            address,
        )
    })?;
    Ok(issued.len())
}

/// The mail-merge file of issued codes, for offices that print or send letters themselves:
/// `kind` (enterprise or agency) and `unit_code` (its tax code, or the agency's code) first.
pub fn write_mail_merge(
    app: &App,
    issued: &[Issued],
    public_url: &str,
    out: impl Write,
) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "kind",
        "unit_code",
        "name",
        "area_code",
        "ward",
        "address",
        "email",
        "phone",
        "code",
        "link",
    ])?;
    for i in issued {
        let who = &i.invitee;
        let ward = crate::reference::AreaCode::parse(&who.area_code)
            .ok()
            .and_then(|a| app.reference.area(&a).map(|a| a.name.vi.clone()))
            .unwrap_or_default();
        let neutral = |text: &Option<String>| {
            crate::export::neutralise(text.as_deref().unwrap_or_default()).into_owned()
        };
        writer.write_record([
            who.kind.as_str(),
            who.code.as_str(),
            &crate::export::neutralise(&who.name),
            &who.area_code,
            &ward,
            &neutral(&who.address),
            &neutral(&who.email),
            &neutral(&who.phone),
            &i.code.grouped(),
            &link(public_url, &i.code),
        ])?;
    }
    writer.flush()?;
    Ok(())
}
