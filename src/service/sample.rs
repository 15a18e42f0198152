//! A wave's sample, drawn from its named register (`crate::sampling`): proposed with the
//! expected precision of every ward, then drawn once, stored with every unit's inclusion
//! probability, audited.

use std::collections::HashMap;

use super::Actor;
use crate::app::App;
use crate::reference::{AreaCode, SizeClass, VsicSection};
use crate::sampling::{self, AllocationError, Plan, Stratum};
use crate::store::{self, StoreError, StoredSample};

/// What the office asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleRequest {
    pub total: u32,
    pub min_per_ward_size: u32,
    /// The share of the target indicator expected in every stratum.
    pub prior: f64,
    /// A previous wave whose shares replace the prior where it has enough respondents (see
    /// [`previous_shares`]).
    pub prior_wave: Option<String>,
    pub seed: u64,
}

/// Why no sample was proposed or drawn; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    #[error("no wave '{0}'")]
    NoWave(String),
    #[error("wave {0} has no named register: import one first (`dxsurvey frame register`)")]
    NoRegister(String),
    #[error("wave {0} already has its sample, drawn on {1}: a sample is drawn once")]
    AlreadyDrawn(String, String),
    #[error("the prior share must be between 0 and 1, not {0}")]
    Prior(f64),
    #[error(
        "wave {0} has no submitted response of an enterprise questionnaire with a target indicator to take the shares from"
    )]
    NoPriorWave(String),
    #[error("{0}")]
    Allocation(#[from] AllocationError),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// A sample as proposed: the size of every stratum, and what each ward can expect.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub strata: Vec<Stratum>,
    pub sizes: Vec<u32>,
    /// Units of the take-all strata.
    pub take_all: u32,
    /// Each ward's expected standard error of the indicator's share.
    pub wards: Vec<(AreaCode, f64)>,
    ids: Vec<Vec<i64>>,
}

/// The allocation of `request` over the register of `wave`, not yet drawn.
pub fn propose(app: &App, wave: &str, request: &SampleRequest) -> Result<Proposal, SampleError> {
    if !(0.0..=1.0).contains(&request.prior) {
        return Err(SampleError::Prior(request.prior));
    }
    if app.store.read(|c| store::wave(c, wave))?.is_none() {
        return Err(SampleError::NoWave(wave.into()));
    }
    let register = app.store.read(|c| store::register_strata(c, wave))?;
    if register.is_empty() {
        return Err(SampleError::NoRegister(wave.into()));
    }
    let shares = match &request.prior_wave {
        Some(previous) => previous_shares(app, previous, request.prior)?,
        None => Shares { by_cell: HashMap::new(), overall: request.prior },
    };
    let mut strata = Vec::with_capacity(register.len());
    let mut ids = Vec::with_capacity(register.len());
    for ((area, section, size), units) in register {
        let (Ok(area), Ok(section), Some(size)) =
            (AreaCode::parse(&area), VsicSection::parse(&section), SizeClass::parse(&size))
        else {
            return Err(StoreError::Invalid(format!("register stratum {area} {section} {size}")))?;
        };
        let population = u32::try_from(units.len()).unwrap_or(u32::MAX);
        let share = shares.of(section, size);
        strata.push(Stratum { area, section, size, population, share });
        ids.push(units);
    }
    let plan = Plan {
        total: request.total,
        min_per_ward_size: request.min_per_ward_size,
        take_all: vec![SizeClass::Large],
    };
    let sizes = sampling::allocate(&strata, &plan)?;
    let take_all = strata
        .iter()
        .zip(&sizes)
        .filter(|(s, _)| plan.take_all.contains(&s.size))
        .map(|(_, n)| n)
        .sum();
    let wards = sampling::ward_precision(&strata, &sizes);
    Ok(Proposal { strata, sizes, take_all, wards, ids })
}

/// Expected shares of the target indicator by VSIC section × size class.
struct Shares {
    by_cell: HashMap<(VsicSection, SizeClass), f64>,
    /// Where a cell has too few respondents.
    overall: f64,
}

impl Shares {
    fn of(&self, section: VsicSection, size: SizeClass) -> f64 {
        self.by_cell.get(&(section, size)).copied().unwrap_or(self.overall)
    }
}

/// The shares of the target indicator among the counted responses of wave `previous`, by VSIC
/// section × size class (finer cells would rest on too few): a cell's own share where it has
/// at least 30 respondents, else the wave's share (if it has 30), else `prior`. Unweighted:
/// the allocation needs only a rough S_h, and rough is what a previous wave's cell gives.
fn previous_shares(app: &App, previous: &str, prior: f64) -> Result<Shares, SampleError> {
    const ENOUGH: u32 = 30;
    let wave = app
        .store
        .read(|c| store::wave(c, previous))?
        .ok_or_else(|| SampleError::NoWave(previous.into()))?;
    let no_shares = || SampleError::NoPriorWave(previous.into());
    let survey_id = super::waves::primary_questionnaire(app, &wave).ok_or_else(no_shares)?;
    let version = wave.questionnaires.iter().find(|(id, _)| *id == survey_id).map(|(_, v)| *v);
    let survey = version.and_then(|v| app.catalog.get(&survey_id, v)).ok_or_else(no_shares)?;
    let bit = survey
        .indicators
        .iter()
        .position(|i| app.reference.targets.iter().any(|t| t.indicator == i.id))
        .ok_or_else(no_shares)?;
    let mut cells: HashMap<(VsicSection, SizeClass), (u32, u32)> = HashMap::new();
    let (mut n, mut yes) = (0u32, 0u32);
    app.store.read(|c| {
        store::for_each_submitted(c, &wave.id, &survey_id, |row| {
            let has = row.indicator_bits >> bit & 1 == 1;
            n += 1;
            yes += u32::from(has);
            let section = row.vsic_section.and_then(|s| VsicSection::parse(s).ok());
            if let (Some(section), Some(size)) =
                (section, row.size_class.and_then(SizeClass::parse))
            {
                let cell = cells.entry((section, size)).or_default();
                cell.0 += 1;
                cell.1 += u32::from(has);
            }
        })
    })?;
    if n == 0 {
        return Err(no_shares());
    }
    let overall = if n >= ENOUGH { f64::from(yes) / f64::from(n) } else { prior };
    let by_cell = cells
        .into_iter()
        .filter(|(_, (n, _))| *n >= ENOUGH)
        .map(|(cell, (n, yes))| (cell, f64::from(yes) / f64::from(n)))
        .collect();
    Ok(Shares { by_cell, overall })
}

/// What was drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drawn {
    pub units: usize,
    pub strata: usize,
}

/// Draws `proposal` (made by [`propose`] with `request`) for `wave`, once, in one transaction
/// with its audit entry.
pub fn draw(
    app: &App,
    wave: &str,
    request: &SampleRequest,
    proposal: &Proposal,
    actor: &Actor,
) -> Result<Drawn, SampleError> {
    let drawn = sampling::draw(&proposal.ids, &proposal.sizes, request.seed);
    // Strata with a sampled unit, numbered from 1 as stored; each unit with its stratum.
    let mut strata = Vec::new();
    let mut units: Vec<store::SampledUnit> = Vec::new();
    for (drawn, s) in drawn.iter().zip(&proposal.strata).filter(|(d, _)| !d.is_empty()) {
        strata.push(store::SampleStratum {
            area_code: s.area.to_string(),
            vsic_section: s.section.to_string(),
            size_class: s.size.as_str().to_string(),
            sampled: drawn.len() as i64,
        });
        let inclusion = drawn.len() as f64 / f64::from(s.population);
        let stratum = strata.len() as i64;
        units.extend(drawn.iter().map(|&unit| store::SampledUnit { unit, inclusion, stratum }));
    }
    let stored = StoredSample {
        seed: request.seed,
        total: request.total,
        min_per_ward_size: request.min_per_ward_size,
        prior: request.prior,
        drawn_at: store::now(),
    };
    let detail = format!(
        "{} units from {} strata, seed {}, at least {} per ward and size class, prior {}{}",
        units.len(),
        proposal.strata.len(),
        request.seed,
        request.min_per_ward_size,
        request.prior,
        request.prior_wave.as_ref().map(|w| format!(", shares of wave {w}")).unwrap_or_default()
    );
    app.store
        .write(|tx| {
            if let Some(existing) = store::sample_of(tx, wave)? {
                return Err(StoreError::Conflict(existing.drawn_at));
            }
            store::save_sample(tx, wave, &stored, &strata, &units)?;
            let address = actor.address.as_deref();
            store::audit(tx, Some(&actor.name), "sample.draw", Some(wave), Some(&detail), address)
        })
        .map_err(|e| match e {
            StoreError::Conflict(when) => SampleError::AlreadyDrawn(wave.into(), when),
            e => SampleError::Store(e),
        })?;
    Ok(Drawn { units: units.len(), strata: proposal.strata.len() })
}
