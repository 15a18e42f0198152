//! The figures of a wave: every indicator share and score mean, for the city and for each
//! breakdown, weighted to the frame when the wave has one, with small cells suppressed.
//! Reads the database once, streaming; the statistics themselves are in `stats`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::app::App;
use crate::reference::{Reference, SizeClass, VsicSection};
use crate::stats::{self, Design, Estimate, Kind, StratumKey, Sums, Suppression};
use crate::store::{self, StoreError};
use crate::survey::{Lang, RespondentKind, Survey, Text};

/// How figures are broken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Breakdown {
    City,
    Area,
    VsicSection,
    SizeClass,
    AreaSizeClass,
    #[serde(rename = "area_vsic_section")]
    AreaSection,
}

impl Breakdown {
    pub const ALL: [Breakdown; 6] = [
        Breakdown::City,
        Breakdown::Area,
        Breakdown::VsicSection,
        Breakdown::SizeClass,
        Breakdown::AreaSizeClass,
        Breakdown::AreaSection,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Breakdown::City => "city",
            Breakdown::Area => "area",
            Breakdown::VsicSection => "vsic_section",
            Breakdown::SizeClass => "size_class",
            Breakdown::AreaSizeClass => "area_size_class",
            Breakdown::AreaSection => "area_vsic_section",
        }
    }

    /// For a cross of area and class (`area:class`), the area code and the class.
    pub fn split(self, group: &str) -> Option<(&str, &str)> {
        match self {
            Breakdown::AreaSizeClass | Breakdown::AreaSection => group.split_once(':'),
            _ => None,
        }
    }
}

/// A variable that is estimated: an indicator's share or a score's mean.
#[derive(Debug, Clone, Serialize)]
pub struct Variable {
    /// `ind_<indicator>`, `score_<dimension>` or `score_overall`.
    pub id: String,
    pub kind: Kind,
    pub label: Text,
}

/// One published (or suppressed) figure.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub breakdown: Breakdown,
    /// `all`, an area code, a section letter, a size class, or `area:size`.
    pub group: String,
    /// Position in `Figures::variables`.
    pub variable: usize,
    /// Respondents in the group.
    pub n: u32,
    /// `None` when suppressed.
    pub estimate: Option<Estimate>,
    pub suppression: Suppression,
}

/// Every figure of a questionnaire in a wave.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub wave: String,
    pub survey: String,
    pub version: u32,
    /// Weighted to a frame (representative) or not.
    pub weighted: bool,
    pub respondents: usize,
    pub threshold: u32,
    pub variables: Vec<Variable>,
    pub figures: Vec<Figure>,
    /// How many final strata, and how many of them are collapsed ones.
    pub strata: usize,
    pub collapsed: usize,
    /// Strata with respondents the frame does not list.
    pub frame_gaps: usize,
}

/// The figure a questionnaire's pages and reports lead with: its first indicator that a target
/// names (targets in their file's order), else its first indicator. Data decides, so a new
/// questionnaire gets its own headline, and its target block once a target names it.
#[derive(Debug, Clone, Copy)]
pub struct Headline<'a> {
    /// Position in [`Figures::variables`].
    pub variable: usize,
    pub target: Option<&'a crate::stats::Target>,
}

impl Figures {
    /// The headline of these figures; `None` when the questionnaire has no indicator.
    pub fn headline<'a>(&self, targets: &'a [crate::stats::Target]) -> Option<Headline<'a>> {
        let position = |indicator: &str| {
            self.variables
                .iter()
                .position(|v| v.id.strip_prefix("ind_").is_some_and(|id| id == indicator))
        };
        targets
            .iter()
            .find_map(|t| {
                position(&t.indicator).map(|variable| Headline { variable, target: Some(t) })
            })
            .or_else(|| {
                let variable = self.variables.iter().position(|v| v.id.starts_with("ind_"))?;
                Some(Headline { variable, target: None })
            })
    }
}

/// Why figures cannot be produced.
#[derive(Debug, thiserror::Error)]
pub enum FiguresError {
    #[error("no wave '{0}'")]
    NoWave(String),
    #[error("wave '{0}' has no questionnaire '{1}'")]
    NoSurvey(String, String),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// Maps codes to the small indices strata are keyed by.
struct Keys<'a> {
    reference: &'a Reference,
}

const UNKNOWN: u8 = u8::MAX;

impl Keys<'_> {
    fn key(&self, area: Option<&str>, section: Option<&str>, size: Option<&str>) -> StratumKey {
        let area = area
            .and_then(|a| self.reference.areas.iter().position(|x| x.code.as_str() == a))
            .map_or(u16::MAX, |i| i as u16);
        let section = section
            .and_then(|s| VsicSection::parse(s).ok())
            .map_or(UNKNOWN, |s| s.letter() as u8 - b'A');
        let size = size.and_then(SizeClass::parse).map_or(UNKNOWN, |s| s as u8);
        StratumKey { area, section, size }
    }

    fn area(&self, key: &StratumKey) -> Option<String> {
        self.reference.areas.get(usize::from(key.area)).map(|a| a.code.to_string())
    }

    fn section(key: &StratumKey) -> Option<String> {
        (key.section != UNKNOWN).then(|| char::from(b'A' + key.section).to_string())
    }

    fn size(key: &StratumKey) -> Option<&'static str> {
        SizeClass::ALL.get(usize::from(key.size)).map(|s| s.as_str())
    }
}

/// The variables of a questionnaire, in export order.
pub fn variables(survey: &Survey) -> Vec<Variable> {
    let indicators = survey.indicators.iter().map(|i| Variable {
        id: format!("ind_{}", i.id),
        kind: Kind::Share,
        label: i.label.clone(),
    });
    let scores = survey.dimensions.iter().map(|d| Variable {
        id: format!("score_{}", d.id),
        kind: Kind::Mean,
        label: d.title.clone(),
    });
    let overall = Variable {
        id: "score_overall".into(),
        kind: Kind::Mean,
        label: Text::new("Điểm tổng hợp", "Overall score"),
    };
    // The distribution over maturity levels: the share of enterprises at each level.
    let levels = survey.levels.iter().map(|l| Variable {
        id: format!("level_{}", l.id),
        kind: Kind::Share,
        label: Text::new(format!("Mức: {}", l.name.vi), format!("Level: {}", l.name.en)),
    });
    indicators.chain(scores).chain([overall]).chain(levels).collect()
}

/// What one pass over a wave's submitted responses gives: the design and the sums of every
/// variable in every frame stratum.
pub struct Sample {
    pub survey: std::sync::Arc<Survey>,
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
        .and_then(|(id, v)| app.catalog.get(id, *v))
        .ok_or_else(|| FiguresError::NoSurvey(wave_id.into(), survey_id.into()))?
        .clone();
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
                s.add(f64::from(u8::from(row.indicator_bits & (1 << i.min(62)) != 0)));
            }
            for (d, chunk) in row.score_values.chunks_exact(8).take(dimensions + 1).enumerate() {
                let value = f64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
                if !value.is_nan() {
                    sums[indicators + d].add(value);
                }
            }
            // The level follows from the overall score, the last value.
            let overall = row
                .score_values
                .chunks_exact(8)
                .nth(dimensions)
                .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
            if let Some(overall) = overall.filter(|o| !o.is_nan()) {
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
    let design = stats::design(&counts, frame.as_ref());
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

/// Computes every figure of `survey_id` in `wave_id`, suppressed as the application's
/// disclosure policy says.
pub fn figures(app: &App, wave_id: &str, survey_id: &str) -> Result<Figures, FiguresError> {
    let sample = sample(app, wave_id, survey_id)?;
    Ok(figures_of(app, wave_id, &sample))
}

/// The figures of a sample, suppressed as the application's disclosure policy says.
pub fn figures_of(app: &App, wave_id: &str, sample: &Sample) -> Figures {
    let keys = Keys { reference: &app.reference };
    let design = &sample.design;
    let threshold = app.policy.threshold();
    let mut figures = Vec::new();
    for breakdown in Breakdown::ALL {
        let groups = groups(design, &keys, breakdown);
        let n: Vec<u32> = groups
            .iter()
            .map(|(_, members)| {
                members
                    .iter()
                    .map(|&k| sample.counts.get(&design.keys[k]).copied().unwrap_or(0))
                    .sum()
            })
            .collect();
        let suppressed = stats::suppress(&n, &lines(&groups, breakdown), threshold).cells;
        for (g, (group, members)) in groups.iter().enumerate() {
            for (v, variable) in sample.variables.iter().enumerate() {
                let estimate = (suppressed[g] == Suppression::Published)
                    .then(|| {
                        stats::estimate(
                            design,
                            &sample.sums[v],
                            members.iter().copied(),
                            variable.kind,
                        )
                    })
                    .flatten();
                figures.push(Figure {
                    breakdown,
                    group: group.clone(),
                    variable: v,
                    n: n[g],
                    estimate,
                    suppression: suppressed[g],
                });
            }
        }
    }
    Figures {
        wave: wave_id.into(),
        survey: sample.survey.id.clone(),
        version: sample.survey.version,
        weighted: design.weighted,
        respondents: sample.respondents,
        threshold,
        variables: sample.variables.clone(),
        figures,
        strata: design.strata.len(),
        collapsed: design.strata.iter().filter(|s| s.level != stats::Level::Full).count(),
        frame_gaps: design.frame_gaps.len(),
    }
}

/// The final stratum of a response, by its codes: a label and the stratum.
pub fn stratum_of<'a>(
    app: &App,
    design: &'a Design,
    area: Option<&str>,
    section: Option<&str>,
    size: Option<&str>,
) -> Option<(String, &'a stats::Stratum)> {
    let keys = Keys { reference: &app.reference };
    let index = design.index(&keys.key(area, section, size))?;
    let h = design.stratum_of[index];
    let stratum = &design.strata[h];
    Some((format!("{}-{h}", stratum_level(stratum.level)), stratum))
}

/// The codes of a frame stratum: area code, section letter, size class ("" when unknown).
pub fn codes_of(app: &App, key: &StratumKey) -> (String, String, String) {
    let keys = Keys { reference: &app.reference };
    (
        keys.area(key).unwrap_or_default(),
        Keys::section(key).unwrap_or_default(),
        Keys::size(key).unwrap_or_default().to_string(),
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

/// The groups of a breakdown and the frame strata in each; strata of an unknown area, section
/// or size class belong to no group but the city.
fn groups(design: &Design, keys: &Keys<'_>, breakdown: Breakdown) -> Vec<(String, Vec<usize>)> {
    // Ordered by area, section, then size class from micro to large (not alphabetically).
    let mut groups: BTreeMap<(u16, u8, u8), (String, Vec<usize>)> = BTreeMap::new();
    for (i, key) in design.keys.iter().enumerate() {
        let (order, group) = match breakdown {
            Breakdown::City => ((0, 0, 0), Some("all".to_string())),
            Breakdown::Area => ((key.area, 0, 0), keys.area(key)),
            Breakdown::VsicSection => ((0, key.section, 0), Keys::section(key)),
            Breakdown::SizeClass => ((0, 0, key.size), Keys::size(key).map(str::to_string)),
            Breakdown::AreaSizeClass => (
                (key.area, 0, key.size),
                keys.area(key).zip(Keys::size(key)).map(|(a, s)| format!("{a}:{s}")),
            ),
            Breakdown::AreaSection => (
                (key.area, key.section, 0),
                keys.area(key).zip(Keys::section(key)).map(|(a, s)| format!("{a}:{s}")),
            ),
        };
        if let Some(group) = group {
            groups.entry(order).or_insert_with(|| (group, Vec::new())).1.push(i);
        }
    }
    groups.into_values().collect()
}

/// Lines of cells whose totals are published: every breakdown adds up to the city; the cells of
/// area × size add up to each area and to each size class, and those of area × section to each
/// area and each section.
fn lines(groups: &[(String, Vec<usize>)], breakdown: Breakdown) -> Vec<Vec<usize>> {
    match breakdown {
        Breakdown::City => vec![],
        Breakdown::Area | Breakdown::VsicSection | Breakdown::SizeClass => {
            vec![(0..groups.len()).collect()]
        }
        Breakdown::AreaSizeClass | Breakdown::AreaSection => {
            let mut by_area: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            let mut by_class: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for (i, (group, _)) in groups.iter().enumerate() {
                if let Some((area, size)) = group.split_once(':') {
                    by_area.entry(area).or_default().push(i);
                    by_class.entry(size).or_default().push(i);
                }
            }
            by_area.into_values().chain(by_class.into_values()).collect()
        }
    }
}

/// The name of a group of a breakdown, as a reader sees it.
pub fn group_label(reference: &Reference, breakdown: Breakdown, group: &str, lang: Lang) -> String {
    let area = |code: &str| {
        reference.area_by_str(code).map_or(code.to_string(), |a| a.name.get(lang).to_string())
    };
    let section = |letter: &str| {
        VsicSection::parse(letter)
            .ok()
            .and_then(|s| reference.sector(s))
            .map_or(letter.to_string(), |s| format!("{} – {}", s.section, s.name.get(lang)))
    };
    let size = |s: &str| match (lang, s) {
        (Lang::Vi, "micro") => "siêu nhỏ".to_string(),
        (Lang::Vi, "small") => "nhỏ".to_string(),
        (Lang::Vi, "medium") => "vừa".to_string(),
        (Lang::Vi, "large") => "lớn".to_string(),
        (_, other) => other.to_string(),
    };
    match breakdown {
        Breakdown::City => Text::new("Toàn thành phố", "Whole city").get(lang).to_string(),
        Breakdown::Area => area(group),
        Breakdown::VsicSection => section(group),
        Breakdown::SizeClass => size(group),
        Breakdown::AreaSizeClass => breakdown
            .split(group)
            .map_or(group.to_string(), |(a, s)| format!("{} · {}", area(a), size(s))),
        Breakdown::AreaSection => breakdown
            .split(group)
            .map_or(group.to_string(), |(a, s)| format!("{} · {}", area(a), section(s))),
    }
}

/// The figures of a group of areas (one ward/commune, or several): its total, with breakdown
/// `City` and group `all`, and its breakdowns by section and by size class. Each is the union
/// of cells of the wave's `figures` (area, area × section, area × size) and is published only
/// when every one of those cells is: what the dashboard suppresses stays suppressed, and no
/// difference of published figures reveals a suppressed cell. For one area the total is the
/// dashboard's area figure.
pub fn area_figures(
    app: &App,
    sample: &Sample,
    figures: &Figures,
    areas: &[String],
) -> Vec<Figure> {
    let keys = Keys { reference: &app.reference };
    let in_areas = |code: &str| areas.iter().any(|a| a == code);
    let mut out = Vec::new();
    let parts = [
        (Breakdown::City, Breakdown::Area),
        (Breakdown::VsicSection, Breakdown::AreaSection),
        (Breakdown::SizeClass, Breakdown::AreaSizeClass),
    ];
    for (breakdown, cells) in parts {
        // (group, respondents, suppression), in the figures' order. One suppressed member
        // suppresses the union: alone it keeps its reason, else the union is secondary.
        let mut groups: Vec<(String, u32, Suppression)> = Vec::new();
        for f in figures.figures.iter().filter(|f| f.breakdown == cells && f.variable == 0) {
            let (area, group) = cells.split(&f.group).unwrap_or((f.group.as_str(), "all"));
            if !in_areas(area) {
                continue;
            }
            match groups.iter_mut().find(|(g, _, _)| g == group) {
                Some((_, n, suppression)) => {
                    *n += f.n;
                    if f.suppression != Suppression::Published {
                        *suppression = Suppression::Secondary;
                    }
                }
                None => groups.push((group.to_string(), f.n, f.suppression)),
            }
        }
        groups.sort_by_key(|(g, _, _)| order(breakdown, g));
        for (group, n, suppression) in groups {
            let published = suppression == Suppression::Published;
            let members: Vec<usize> = sample
                .design
                .keys
                .iter()
                .enumerate()
                .filter(|(_, key)| {
                    keys.area(key).is_some_and(|a| in_areas(&a))
                        && match breakdown {
                            Breakdown::VsicSection => Keys::section(key).as_deref() == Some(&group),
                            Breakdown::SizeClass => Keys::size(key) == Some(group.as_str()),
                            _ => true,
                        }
                })
                .map(|(i, _)| i)
                .collect();
            for (v, variable) in sample.variables.iter().enumerate() {
                let estimate = published
                    .then(|| {
                        stats::estimate(
                            &sample.design,
                            &sample.sums[v],
                            members.iter().copied(),
                            variable.kind,
                        )
                    })
                    .flatten();
                out.push(Figure {
                    breakdown,
                    group: group.clone(),
                    variable: v,
                    n,
                    estimate,
                    suppression,
                });
            }
        }
    }
    out
}

/// Sections in letter order, size classes from micro to large.
fn order(breakdown: Breakdown, group: &str) -> (usize, String) {
    match breakdown {
        Breakdown::SizeClass => {
            (SizeClass::parse(group).map_or(usize::MAX, |s| s as usize), String::new())
        }
        _ => (0, group.to_string()),
    }
}
