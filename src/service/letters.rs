//! Invitation letters for postal delivery by wards: one PDF per ward (`letters-<ward>.pdf`),
//! one page per invited enterprise, with its current code (printing again never changes a
//! code). Drawn on every core; each letter is recorded as a field event, and the batch audited.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use time::OffsetDateTime;

use super::Actor;
use super::invitations::{self, Issued};
use crate::app::App;
use crate::kernel::Text;
use crate::reference::AreaCode;
use crate::report::letter::{self, Batch, Letter};
use crate::store::{self, StoreError, UnitEvent, UnitEventKind, UnitKind};

/// Which letters to print.
#[derive(Clone)]
pub struct LetterRequest {
    pub wave: String,
    /// Only these wards' (an official's own), or every ward.
    pub areas: Option<Vec<String>>,
    /// The address respondents open (`public_url`).
    pub public_url: String,
    /// Whom to contact where a ward has no contact of its own (`contact` in the configuration).
    pub fallback_contact: Option<String>,
}

/// The letters written.
#[derive(Debug)]
pub struct Written {
    pub letters: usize,
    pub files: Vec<PathBuf>,
}

/// Why no letter was written.
#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    #[error("no wave '{0}'")]
    NoWave(String),
    #[error(
        "wave {0} has no invited enterprise{1}: issue the codes first (`dxsurvey invitations`)"
    )]
    NoneInvited(String, &'static str),
    #[error("{0}: {1}")]
    Write(PathBuf, std::io::Error),
    #[error(
        "no one to contact for ward {0}: add it to surveys/reference/contacts.csv, or set `contact` \
         in the configuration"
    )]
    NoContact(String),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// Writes the letters of `request` into `dir`, one PDF per ward, calling `progress(done, all)`
/// after each ward; records a `letter` event per enterprise and one audit entry.
pub fn write_letters(
    app: &App,
    actor: &Actor,
    request: &LetterRequest,
    dir: &Path,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Written, LetterError> {
    let (wave, issued) = invited(app, request)?;
    let wards = by_ward(&issued);
    std::fs::create_dir_all(dir).map_err(|e| LetterError::Write(dir.into(), e))?;
    let deadline = invitations::deadline(&wave);
    let site = invitations::site_of(&request.public_url);
    let batch = Batch { wave_title: &wave.title, deadline, site: &site };
    let files = draw_all(app, request, &batch, &wards, dir, issued.len(), progress)?;
    record(app, actor, &wave.id, &issued, request.areas.is_some())?;
    Ok(Written { letters: issued.len(), files })
}

/// The issued codes by ward, in ward order (they come sorted by ward and tax code).
fn by_ward(issued: &[Issued]) -> Vec<&[Issued]> {
    issued.chunk_by(|a, b| a.invitee.area_code == b.invitee.area_code).collect()
}

/// Draws every ward's PDF, on as many threads as there are cores.
fn draw_all(
    app: &App,
    request: &LetterRequest,
    batch: &Batch<'_>,
    wards: &[&[Issued]],
    dir: &Path,
    total: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<PathBuf>, LetterError> {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let failure = Mutex::new(None);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(wards.len());
    let created = OffsetDateTime::now_utc();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while let Some(ward) = wards.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if let Err(e) = write_ward(app, request, batch, ward, dir, created) {
                        failure.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(e);
                        return;
                    }
                    progress(done.fetch_add(ward.len(), Ordering::Relaxed) + ward.len(), total);
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    Ok(wards.iter().map(|w| file_of(dir, &w[0].invitee.area_code)).collect())
}

fn file_of(dir: &Path, area: &str) -> PathBuf {
    dir.join(format!("letters-{area}.pdf"))
}

/// One ward's letters as one PDF file in `dir`.
fn write_ward(
    app: &App,
    request: &LetterRequest,
    batch: &Batch<'_>,
    ward: &[Issued],
    dir: &Path,
    created: OffsetDateTime,
) -> Result<(), LetterError> {
    let bytes = ward_pdf(app, request, batch, ward, created)?;
    let path = file_of(dir, &ward[0].invitee.area_code);
    std::fs::write(&path, bytes).map_err(|e| LetterError::Write(path, e))
}

/// The letters of one ward, drawn.
fn ward_pdf(
    app: &App,
    request: &LetterRequest,
    batch: &Batch<'_>,
    ward: &[Issued],
    created: OffsetDateTime,
) -> Result<Vec<u8>, LetterError> {
    let area = &ward[0].invitee.area_code;
    let code = AreaCode::parse(area).ok();
    let name = code
        .as_ref()
        .and_then(|c| app.reference.area(c))
        .map_or_else(|| Text::new(area, area), |a| a.name.clone());
    let contact = invitations::contact_of(app, code.as_ref(), request.fallback_contact.as_deref())
        .ok_or_else(|| LetterError::NoContact(area.clone()))?;
    let codes: Vec<String> = ward.iter().map(|i| i.code.grouped()).collect();
    let links: Vec<String> =
        ward.iter().map(|i| invitations::link(&request.public_url, &i.code)).collect();
    let letters: Vec<Letter<'_>> = ward
        .iter()
        .enumerate()
        .map(|(k, i)| Letter {
            name: &i.invitee.name,
            agency: i.invitee.kind == UnitKind::Agency,
            unit_code: &i.invitee.code,
            address: i.invitee.address.as_deref(),
            ward: &name,
            code: &codes[k],
            link: &links[k],
            contact: contact.clone(),
        })
        .collect();
    Ok(letter::letters(&app.texts, batch, &letters, created))
}

/// The letters of the invited enterprises of one ward (an official prints them to deliver by
/// hand) as one PDF, recorded and audited like a batch.
pub fn ward_letters(
    app: &App,
    actor: &Actor,
    request: &LetterRequest,
    area: &str,
) -> Result<Vec<u8>, LetterError> {
    let request = LetterRequest { areas: Some(vec![area.to_string()]), ..request.clone() };
    let (wave, issued) = invited(app, &request)?;
    let site = invitations::site_of(&request.public_url);
    let deadline = invitations::deadline(&wave);
    let batch = Batch { wave_title: &wave.title, deadline, site: &site };
    let bytes = ward_pdf(app, &request, &batch, &issued, OffsetDateTime::now_utc())?;
    record(app, actor, &wave.id, &issued, true)?;
    Ok(bytes)
}

/// The wave of `request` and its invited enterprises, refused when there are none or a ward
/// has no one to contact.
fn invited(
    app: &App,
    request: &LetterRequest,
) -> Result<(crate::store::Wave, Vec<Issued>), LetterError> {
    let wave = app
        .store
        .read(|c| store::wave(c, &request.wave))?
        .ok_or_else(|| LetterError::NoWave(request.wave.clone()))?;
    let issued = invitations::current(app, &wave.id, request.areas.as_deref())?;
    if issued.is_empty() {
        let scope = if request.areas.is_some() { " in these wards" } else { "" };
        return Err(LetterError::NoneInvited(wave.id, scope));
    }
    for ward in by_ward(&issued) {
        let area = &ward[0].invitee.area_code;
        let code = AreaCode::parse(area).ok();
        if invitations::contact_of(app, code.as_ref(), request.fallback_contact.as_deref())
            .is_none()
        {
            return Err(LetterError::NoContact(area.clone()));
        }
    }
    Ok((wave, issued))
}

/// A `letter` event per enterprise and one audit entry, in one transaction.
fn record(
    app: &App,
    actor: &Actor,
    wave: &str,
    issued: &[Issued],
    some_wards: bool,
) -> Result<(), StoreError> {
    let event = UnitEvent { kind: UnitEventKind::Letter, channel: None, note: String::new() };
    let detail = format!(
        "{} letters{}",
        issued.len(),
        if some_wards { format!(" for wards {}", wards_of(issued)) } else { String::new() }
    );
    app.store.write(|tx| {
        for i in issued {
            store::record_unit_event(tx, i.invitee.unit_id, &event, Some(&actor.name))?;
        }
        let address = actor.address.as_deref();
        store::audit(tx, Some(&actor.name), "letters.print", Some(wave), Some(&detail), address)
    })
}

fn wards_of(issued: &[Issued]) -> String {
    by_ward(issued).iter().map(|w| w[0].invitee.area_code.as_str()).collect::<Vec<_>>().join(", ")
}
