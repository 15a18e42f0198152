//! The business register of a wave, named or as a frame of counts: checked line by line,
//! replaced all or nothing, audited. The command line and the admin page both import through
//! here.

use std::io::Read;

use super::{Actor, access, waves};
use crate::app::App;
use crate::frame::{FrameRow, read_frame};
use crate::register::agency::for_each_agency;
use crate::register::for_each_unit;
use crate::store::{self, StoreError};
use crate::survey::RespondentKind;

/// Why a frame was not imported; nothing changed.
#[derive(Debug)]
pub enum FrameError {
    NoWave(String),
    /// Every problem of the file, each as `line N: …`.
    Invalid(Vec<String>),
    Store(StoreError),
}

impl From<StoreError> for FrameError {
    fn from(e: StoreError) -> Self {
        FrameError::Store(e)
    }
}

/// What was imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub strata: usize,
    pub enterprises: u64,
}

impl Imported {
    fn of(frame: &[FrameRow]) -> Imported {
        Imported { strata: frame.len(), enterprises: frame.iter().map(|r| r.enterprises).sum() }
    }

    /// As the audit log and the command line say it.
    pub fn summary(&self) -> String {
        format!("{} strata, {} enterprises", self.strata, self.enterprises)
    }
}

/// Replaces the frame of `wave` with the CSV `input`, in one transaction with its audit
/// entry, and drops the wave's figures computed against the old frame.
pub fn import_frame(
    app: &App,
    wave: &str,
    input: impl Read,
    actor: &Actor,
) -> Result<Imported, FrameError> {
    let vsic = super::waves::vsic_of(app, &existing_wave(app, wave)?);
    if app.store.read(|c| store::register_size(c, wave))? > 0 {
        return Err(FrameError::Invalid(vec![format!(
            "wave {wave} has a named register, from which its frame derives: import the \
             register again (`dxsurvey frame register`) rather than counts"
        )]));
    }
    let rows = read_frame(input, &app.reference, vsic).map_err(FrameError::Invalid)?;
    let imported = Imported::of(&rows);
    let detail = imported.summary();
    app.store.write(|tx| {
        store::replace_frame(tx, wave, &rows)?;
        let address = actor.address.as_deref();
        store::audit(tx, Some(&actor.name), "frame.import", Some(wave), Some(&detail), address)
    })?;
    app.figures.forget(wave);
    Ok(imported)
}

/// Replaces the named register of `wave` with the CSV `input` (`crate::register` says its
/// columns), and its frame with the register's counts per stratum, in one transaction with
/// its audit entry; drops the wave's figures computed against the old frame. The file is read
/// as it is written to the database, so memory stays flat whatever its size.
pub fn import_register(
    app: &App,
    wave: &str,
    input: impl Read,
    actor: &Actor,
) -> Result<Imported, FrameError> {
    let vsic = super::waves::vsic_of(app, &existing_wave(app, wave)?);
    if let Some(sample) = app.store.read(|c| store::sample_of(c, wave))? {
        return Err(FrameError::Invalid(vec![format!(
            "wave {wave} has its sample, drawn on {} from this register: the register cannot be \
             replaced",
            sample.drawn_at
        )]));
    }
    let mut problems = Vec::new();
    let written = app.store.write(|tx| {
        let frame = write_register(tx, (wave, vsic), input, &app.reference, &mut problems)?;
        store::replace_frame(tx, wave, &frame)?;
        let imported = Imported::of(&frame);
        let detail = format!("named register: {}", imported.summary());
        let address = actor.address.as_deref();
        store::audit(tx, Some(&actor.name), "register.import", Some(wave), Some(&detail), address)?;
        Ok(imported)
    });
    if !problems.is_empty() {
        return Err(FrameError::Invalid(problems));
    }
    let imported = written?;
    app.figures.forget(wave);
    Ok(imported)
}

/// What an agency register brought in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedAgencies {
    pub agencies: usize,
    /// In how many wards.
    pub wards: usize,
}

impl ImportedAgencies {
    /// As the audit log, the command line and the page say it.
    pub fn summary(&self) -> String {
        format!("{} agencies in {} ward(s)", self.agencies, self.wards)
    }
}

/// Replaces the public agencies of `wave` with the CSV `input` (`crate::register::agency` says
/// its columns), all of them in the wave's fieldwork (a census), in one transaction with its
/// audit entry. Refused once one of them has an access code (re-issue codes one by one
/// instead), and when the wave has no agency questionnaire, whose kinds of agency the file
/// must use.
pub fn import_agencies(
    app: &App,
    wave_id: &str,
    input: impl Read,
    actor: &Actor,
) -> Result<ImportedAgencies, FrameError> {
    let wave = app
        .store
        .read(|c| store::wave(c, wave_id))?
        .ok_or_else(|| FrameError::NoWave(wave_id.to_string()))?;
    let Some(survey) = waves::questionnaire_for(app, &wave, RespondentKind::Agency) else {
        return Err(FrameError::Invalid(vec![format!(
            "wave {wave_id} has no agency questionnaire: add one to the wave first"
        )]));
    };
    let (_, invited) = app.store.read(|c| store::agency_register_size(c, wave_id))?;
    if invited > 0 {
        return Err(FrameError::Invalid(vec![format!(
            "{invited} agencies of wave {wave_id} have their access codes: the agency register \
             cannot be replaced"
        )]));
    }
    let kinds = access::agency_kinds(&survey);
    let mut problems = Vec::new();
    let written = app.store.write(|tx| {
        store::clear_agencies(tx, wave_id)?;
        let (mut count, mut wards, mut failed) = (0, std::collections::BTreeSet::new(), None);
        problems = for_each_agency(input, &app.reference, &kinds, |agency| {
            count += 1;
            wards.insert(agency.area.clone());
            if failed.is_none() {
                failed = store::add_register_agency(tx, wave_id, &agency)
                    .err()
                    .map(|e| (agency.code, e));
            }
        });
        match failed {
            Some((code, StoreError::Conflict(_))) => problems.push(format!(
                "code {code} is already the tax code of an enterprise of the register"
            )),
            Some((_, e)) => return Err(e),
            None => {}
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid("the agency register has problems".into()));
        }
        let imported = ImportedAgencies { agencies: count, wards: wards.len() };
        let detail = imported.summary();
        let address = actor.address.as_deref();
        store::audit(
            tx,
            Some(&actor.name),
            "register.agencies",
            Some(wave_id),
            Some(&detail),
            address,
        )?;
        Ok(imported)
    });
    if !problems.is_empty() {
        return Err(FrameError::Invalid(problems));
    }
    Ok(written?)
}

/// The wave, or a refusal if it does not exist.
fn existing_wave(app: &App, wave: &str) -> Result<store::Wave, FrameError> {
    app.store.read(|c| store::wave(c, wave))?.ok_or_else(|| FrameError::NoWave(wave.to_string()))
}

/// Replaces the wave's register with the units of `input` as they are read, and returns the
/// frame they make. Any problem of the file goes into `problems` and fails the transaction, so
/// that the previous register and frame stay.
fn write_register(
    tx: &rusqlite::Transaction<'_>,
    (wave, vsic): (&str, crate::reference::VsicVersion),
    input: impl Read,
    reference: &crate::reference::Reference,
    problems: &mut Vec<String>,
) -> Result<Vec<FrameRow>, StoreError> {
    store::clear_register(tx, wave)?;
    let mut strata = std::collections::BTreeMap::new();
    let mut failed = None;
    *problems = for_each_unit(input, reference, vsic, |unit| {
        *strata.entry((unit.area.clone(), unit.section, unit.size)).or_insert(0u64) += 1;
        if failed.is_none() {
            failed = store::add_register_unit(tx, wave, &unit).err();
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    if !problems.is_empty() {
        return Err(StoreError::Invalid("the register has problems".into()));
    }
    Ok(strata
        .into_iter()
        .map(|((area, section, size), enterprises)| FrameRow { area, section, size, enterprises })
        .collect())
}

/// The frame of one wave, in totals.
#[derive(Debug, Clone)]
pub struct FrameTotals {
    pub wave: String,
    pub strata: usize,
    pub enterprises: i64,
    /// Public agencies in the register.
    pub agencies: i64,
}

/// The frame totals of every wave, newest first.
pub fn frames(app: &App) -> Result<Vec<FrameTotals>, StoreError> {
    app.store.read(|c| {
        let mut out = Vec::new();
        for w in store::waves(c)? {
            let frame = store::frame(c, &w.id)?;
            let enterprises = frame.iter().map(|r| r.3).sum();
            let (agencies, _) = store::agency_register_size(c, &w.id)?;
            out.push(FrameTotals { strata: frame.len(), enterprises, agencies, wave: w.id });
        }
        Ok(out)
    })
}
