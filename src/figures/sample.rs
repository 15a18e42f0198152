//! One pass over a wave's submitted responses: the stratified design and the sums of every
//! variable in every frame stratum, from which every figure is estimated.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::FiguresError;
use super::calibration::{Calibration, MarginKind};
use super::change::Respondent;
use super::group::{Breakdown, Group};
use super::sampled::SampledStrata;
use super::variable::{Variable, variables};
use crate::app::App;
use crate::reference::{AreaCode, Reference, SizeClass, VsicSection};
use crate::response::{has_indicator, stored_scores};
use crate::stats::{self, CalibrationTarget, Design, SampledStratum, StratumKey, Sums};
use crate::store::{self, StoreError};
use crate::survey::{RespondentKind, Survey};

/// Maps codes to the small indices strata are keyed by, and back.
pub(super) struct Keys<'a> {
    pub(super) reference: &'a Reference,
}

const UNKNOWN: u8 = u8::MAX;

impl Keys<'_> {
    pub(super) fn key(
        &self,
        area: Option<&str>,
        section: Option<&str>,
        size: Option<&str>,
    ) -> StratumKey {
        let area = area
            .and_then(|a| self.reference.area_position(a))
            .and_then(|i| u16::try_from(i).ok())
            .unwrap_or(u16::MAX);
        let section = section
            .and_then(|s| VsicSection::parse(s).ok())
            .map_or(UNKNOWN, |s| s.letter() as u8 - b'A');
        let size = size.and_then(SizeClass::parse).map_or(UNKNOWN, |s| s as u8);
        StratumKey { area, section, size }
    }

    pub(super) fn area(&self, key: &StratumKey) -> Option<AreaCode> {
        self.reference.areas.get(usize::from(key.area)).map(|a| a.code.clone())
    }

    pub(super) fn section(key: &StratumKey) -> Option<VsicSection> {
        VsicSection::all().nth(usize::from(key.section))
    }

    pub(super) fn size(key: &StratumKey) -> Option<SizeClass> {
        SizeClass::ALL.get(usize::from(key.size)).copied()
    }

    /// The group of `breakdown` a frame stratum belongs to; none when a code it needs is
    /// unknown (such strata count only for the whole population).
    pub(super) fn group(&self, key: &StratumKey, breakdown: Breakdown) -> Option<Group> {
        match breakdown {
            Breakdown::City => Some(Group::All),
            Breakdown::Area => self.area(key).map(Group::Area),
            Breakdown::VsicSection => Keys::section(key).map(Group::Section),
            Breakdown::SizeClass => Keys::size(key).map(Group::Size),
            Breakdown::AreaSizeClass => {
                self.area(key).zip(Keys::size(key)).map(|(a, s)| Group::AreaSize(a, s))
            }
            Breakdown::AreaSection => {
                self.area(key).zip(Keys::section(key)).map(|(a, s)| Group::AreaSection(a, s))
            }
        }
    }
}

/// What one pass over a wave's submitted responses gives: the design and the sums of every
/// variable in every frame stratum.
pub struct Sample {
    pub survey: Arc<Survey>,
    pub variables: Vec<Variable>,
    pub design: Design,
    /// Respondents per frame stratum.
    pub counts: BTreeMap<StratumKey, u32>,
    /// `sums[v][k]`: variable `v` in `design.keys[k]`.
    pub sums: Vec<Vec<Sums>>,
    pub respondents: usize,
    /// Counted responses of a sample wave left out because they are not of a sampled unit.
    pub outside_sample: usize,
    /// Why a sample wave's calibration was not applied, when it was asked for and failed.
    pub calibration_problem: Option<String>,
    /// The respondents with an organisation, sorted by it: the change between waves links
    /// them.
    pub linked: Vec<Respondent>,
    /// In a sample wave, each counted response of a sampled enterprise and its key in the
    /// design (by its register stratum), sorted by response id; `None` in an open wave.
    pub placed: Option<Vec<(i64, usize)>>,
}

/// Each response's key in the design, sorted by response id.
fn placements(design: &Design, mut placed: Vec<(i64, StratumKey)>) -> Vec<(i64, usize)> {
    placed.sort_unstable_by_key(|p| p.0);
    placed.into_iter().filter_map(|(id, key)| Some((id, design.index(&key)?))).collect()
}

/// Each organisation's key in the design, sorted by organisation.
fn linked(design: &Design, mut organisations: Vec<(i64, StratumKey, i64)>) -> Vec<Respondent> {
    organisations.sort_unstable_by_key(|o| o.0);
    organisations
        .into_iter()
        .filter_map(|(organisation, key, indicator_bits)| {
            let key = u32::try_from(design.index(&key)?).ok()?;
            Some(Respondent { organisation, key, indicator_bits })
        })
        .collect()
}

/// Reads the submitted responses of `survey_id` in `wave_id` once and builds the design,
/// weighted to the wave's frame for an enterprise questionnaire that has one.
pub fn sample(app: &App, wave_id: &str, survey_id: &str) -> Result<Sample, FiguresError> {
    let wave = app
        .store
        .read(|c| store::wave(c, wave_id))?
        .ok_or_else(|| FiguresError::NoWave(wave_id.into()))?;
    let survey = wave
        .questionnaires
        .iter()
        .find(|(id, _)| id == survey_id)
        .and_then(|(id, v)| crate::service::waves::in_wave(app, &wave, id, *v))
        .ok_or_else(|| FiguresError::NoSurvey(wave_id.into(), survey_id.into()))?;
    let variables = variables(&survey);
    let (indicators, dimensions) = (survey.indicators.len(), survey.dimensions.len());
    let keys = Keys { reference: &app.reference };

    let enterprise = survey.kind == RespondentKind::Enterprise;
    let drawn = enterprise && app.store.read(|c| store::sample_of(c, wave_id))?.is_some();
    // A sample wave places each response by its register unit's stratum, and leaves out those
    // of units not sampled (docs/methodology.md §3a); an open wave by the codes it answered.
    let units = if drawn { Some(SampledStrata::read(app, wave_id, &keys)?) } else { None };
    let mut strata: BTreeMap<StratumKey, (u32, Vec<Sums>)> = BTreeMap::new();
    let mut organisations: Vec<(i64, StratumKey, i64)> = Vec::new();
    let mut placed: Vec<(i64, StratumKey)> = Vec::new();
    let mut outside_sample = 0;
    let mut add = |row: store::StatRow<'_>| {
        let key = match &units {
            Some(units) => {
                let Some(key) = units.key(row.sample_stratum) else {
                    outside_sample += 1;
                    return;
                };
                placed.push((row.id, key));
                key
            }
            None => keys.key(row.area_code, row.vsic_section, row.size_class),
        };
        if let Some(organisation) = row.organisation {
            organisations.push((organisation, key, row.indicator_bits));
        }
        let (n, sums) =
            strata.entry(key).or_insert_with(|| (0, vec![Sums::default(); variables.len()]));
        *n += 1;
        for (i, s) in sums.iter_mut().take(indicators).enumerate() {
            s.add(f64::from(u8::from(has_indicator(row.indicator_bits, i))));
        }
        for (d, value) in stored_scores(row.score_values).take(dimensions + 1).enumerate() {
            if let Some(value) = value {
                sums[indicators + d].add(value);
            }
        }
        // The level follows from the overall score, the last value.
        if let Some(overall) = stored_scores(row.score_values).nth(dimensions).flatten() {
            let level = survey.level_for(overall);
            for (l, s) in sums[indicators + dimensions + 1..].iter_mut().enumerate() {
                s.add(f64::from(u8::from(l == level)));
            }
        }
    };
    let read = app.store.read(|c| store::for_each_submitted(c, wave_id, survey_id, &mut add))?;
    let respondents = read - outside_sample;
    let counts: BTreeMap<StratumKey, u32> = strata.iter().map(|(k, (n, _))| (*k, *n)).collect();
    let frame = if enterprise { frame_of(app, wave_id, &keys)? } else { None };
    let (design, calibration_problem) = match (&units, frame) {
        (Some(units), Some(register)) => {
            probability_design(app, wave_id, &keys, &counts, &register, &units.sampled)?
        }
        (_, frame) => (stats::design(&counts, frame.as_ref(), app.policy.min_stratum()), None),
    };
    let sums = (0..variables.len())
        .map(|v| {
            design
                .keys
                .iter()
                .map(|k| strata.get(k).map_or(Sums::default(), |(_, s)| s[v]))
                .collect()
        })
        .collect();
    let linked = linked(&design, organisations);
    let placed = units.map(|_| placements(&design, placed));
    Ok(Sample {
        survey,
        variables,
        design,
        counts,
        sums,
        respondents,
        outside_sample,
        calibration_problem,
        linked,
        placed,
    })
}

/// The design of a wave whose sample was drawn from its register (docs/methodology.md §3a),
/// calibrated as the wave asks; when calibration fails, non-response adjusted only, with the
/// reason.
fn probability_design(
    app: &App,
    wave_id: &str,
    keys: &Keys<'_>,
    respondents: &BTreeMap<StratumKey, u32>,
    register: &BTreeMap<StratumKey, f64>,
    sampled: &BTreeMap<StratumKey, u32>,
) -> Result<(Design, Option<String>), FiguresError> {
    let mut strata: BTreeMap<StratumKey, SampledStratum> = register
        .iter()
        .map(|(k, n)| (*k, SampledStratum { population: *n, ..SampledStratum::default() }))
        .collect();
    for (k, n) in sampled {
        strata.entry(*k).or_default().sampled = *n;
    }
    for (k, n) in respondents {
        strata.entry(*k).or_default().responded = *n;
    }
    let min = app.policy.min_stratum();
    let stored = app.store.read(|c| store::calibration_of(c, wave_id))?;
    let Some(stored) = stored else {
        return Ok((stats::sample_design(&strata, min, None).map_err(calibration_bug)?, None));
    };
    let setting = match Calibration::of_stored(&stored) {
        Ok(setting) => setting,
        Err(e) => {
            let design = stats::sample_design(&strata, min, None).map_err(calibration_bug)?;
            return Ok((design, Some(e.to_string())));
        }
    };
    let name = |kind: MarginKind, key: &StratumKey| category_name(keys, kind, key);
    let categories = setting.margins(register, &name);
    let category = |key: &StratumKey| categories.of(key);
    let target = CalibrationTarget {
        margins: &categories.margins,
        category: &category,
        method: setting.method,
    };
    match stats::sample_design(&strata, min, Some(&target)) {
        Ok(design) => Ok((design, None)),
        Err(e) => {
            let design = stats::sample_design(&strata, min, None).map_err(calibration_bug)?;
            Ok((design, Some(e.to_string())))
        }
    }
}

/// Without a target the sample design cannot fail; if it ever did, it is the store's error
/// kind that reaches the operator.
fn calibration_bug(e: stats::CalibrationError) -> FiguresError {
    FiguresError::Store(StoreError::Invalid(format!("sample design: {e}")))
}

/// How a category is named in messages: a ward's code, a section's letter, a size class, or
/// both.
fn category_name(keys: &Keys<'_>, kind: MarginKind, key: &StratumKey) -> String {
    let section = || Keys::section(key).map(String::from).unwrap_or_default();
    let size = || Keys::size(key).map(|s| s.as_str().to_string()).unwrap_or_default();
    match kind {
        MarginKind::Area => keys.area(key).map(String::from).unwrap_or_default(),
        MarginKind::Section => section(),
        MarginKind::Size => size(),
        MarginKind::SectionSize => format!("{} × {}", section(), size()),
    }
}

/// The position among the design's keys of the frame stratum a response's codes name.
pub fn key_index(
    app: &App,
    design: &Design,
    area: Option<&str>,
    section: Option<&str>,
    size: Option<&str>,
) -> Option<usize> {
    design.index(&Keys { reference: &app.reference }.key(area, section, size))
}

/// The label of final stratum `h`: its level and number.
pub fn stratum_label(design: &Design, h: usize) -> String {
    format!("{}-{h}", stratum_level(design.strata[h].level))
}

/// The codes the responses of the design's key `i` may show in microdata: those of its final
/// stratum as formed (blank where the stratum pools them).
pub fn shown_codes(app: &App, design: &Design, i: usize) -> (String, String, String) {
    let (area, section, size) = codes_of(app, &design.keys[i]);
    match design.shown[i] {
        stats::Level::Full => (area, section, size),
        stats::Level::AreaSection => (area, section, String::new()),
        stats::Level::Area => (area, String::new(), String::new()),
        stats::Level::City => (String::new(), String::new(), String::new()),
    }
}

/// The codes of a frame stratum: area code, section letter, size class ("" when unknown).
pub fn codes_of(app: &App, key: &StratumKey) -> (String, String, String) {
    let keys = Keys { reference: &app.reference };
    (
        keys.area(key).map(String::from).unwrap_or_default(),
        Keys::section(key).map(String::from).unwrap_or_default(),
        Keys::size(key).map(|s| s.as_str().to_string()).unwrap_or_default(),
    )
}

fn stratum_level(level: stats::Level) -> &'static str {
    match level {
        stats::Level::Full => "s",
        stats::Level::AreaSection => "as",
        stats::Level::Area => "a",
        stats::Level::City => "c",
    }
}

fn frame_of(
    app: &App,
    wave_id: &str,
    keys: &Keys<'_>,
) -> Result<Option<BTreeMap<StratumKey, f64>>, StoreError> {
    let rows = app.store.read(|c| store::frame(c, wave_id))?;
    if rows.is_empty() {
        return Ok(None);
    }
    #[allow(clippy::cast_precision_loss)]
    Ok(Some(
        rows.iter().map(|(a, s, z, n)| (keys.key(Some(a), Some(s), Some(z)), *n as f64)).collect(),
    ))
}
