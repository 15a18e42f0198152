//! One pass over a wave's submitted responses: the stratified design and the sums of every
//! variable in every frame stratum, from which every figure is estimated.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::FiguresError;
use super::group::{Breakdown, Group};
use super::variable::{Variable, variables};
use crate::app::App;
use crate::reference::{AreaCode, Reference, SizeClass, VsicSection};
use crate::response::{has_indicator, stored_scores};
use crate::stats::{self, Design, StratumKey, Sums};
use crate::store::{self, StoreError};
use crate::survey::{RespondentKind, Survey};

/// Maps codes to the small indices strata are keyed by, and back.
pub(super) struct Keys<'a> {
    pub(super) reference: &'a Reference,
}

const UNKNOWN: u8 = u8::MAX;

impl Keys<'_> {
    fn key(&self, area: Option<&str>, section: Option<&str>, size: Option<&str>) -> StratumKey {
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

    let mut strata: BTreeMap<StratumKey, (u32, Vec<Sums>)> = BTreeMap::new();
    let respondents = app.store.read(|c| {
        store::for_each_submitted(c, wave_id, survey_id, |row| {
            let key = keys.key(row.area_code, row.vsic_section, row.size_class);
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
        })
    })?;
    let frame = if survey.kind == RespondentKind::Enterprise {
        frame_of(app, wave_id, &keys)?
    } else {
        None
    };
    let counts: BTreeMap<StratumKey, u32> = strata.iter().map(|(k, (n, _))| (*k, *n)).collect();
    let design = stats::design(&counts, frame.as_ref(), app.policy.min_stratum());
    let sums = (0..variables.len())
        .map(|v| {
            design
                .keys
                .iter()
                .map(|k| strata.get(k).map_or(Sums::default(), |(_, s)| s[v]))
                .collect()
        })
        .collect();
    Ok(Sample { survey, variables, design, counts, sums, respondents })
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
