//! The figures of a wave: every indicator share and score mean, for the city and for each
//! breakdown, weighted to the frame when the wave has one, with small cells suppressed.
//! Reads the database once, streaming; the statistics themselves are in `stats`.

mod area;
mod calibration;
mod change;
mod group;
mod sample;
mod sampled;
mod variable;

use std::collections::BTreeMap;

pub use area::area_figures;
pub use calibration::{Calibration, MarginKind, SettingError};
pub use change::{Respondent, change, change_over};
pub use group::{Breakdown, Group, size_name};
pub use sample::{Sample, codes_of, key_index, sample, shown_codes, stratum_label};
pub use variable::{Measure, Variable, variables};

use crate::app::App;
use crate::policy::ShareRule;
use crate::reference::AreaCode;
use crate::stats::{self, Cell, Design, Estimate, Line, Suppression, Target, Values};
use crate::store::StoreError;
use sample::Keys;

/// One published (or suppressed) figure.
#[derive(Debug, Clone)]
pub struct Figure {
    pub group: Group,
    /// Position in `Figures::variables`.
    pub variable: usize,
    /// Respondents in the group.
    pub n: u32,
    /// `None` when suppressed.
    pub estimate: Option<Estimate>,
    pub suppression: Suppression,
}

impl Figure {
    pub fn breakdown(&self) -> Breakdown {
        self.group.breakdown()
    }

    /// Whether this is the figure of the whole population for variable `v`.
    pub fn is_total_of(&self, v: usize) -> bool {
        self.group == Group::All && self.variable == v
    }

    /// Whether this figure is of area `code` or of a cross of it.
    pub fn is_in_area(&self, code: &AreaCode) -> bool {
        self.group.area() == Some(code)
    }
}

/// Every figure of a questionnaire in a wave.
#[derive(Debug, Clone)]
pub struct Figures {
    pub wave: String,
    pub survey: String,
    pub version: u32,
    /// The VSIC version its sectors are in (its questionnaire's).
    pub vsic: crate::reference::VsicVersion,
    /// Weighted to a frame (representative) or not.
    pub weighted: bool,
    pub respondents: usize,
    pub threshold: u32,
    pub variables: Vec<Variable>,
    pub figures: Vec<Figure>,
    /// Every group of every breakdown with its respondents, and whether that count may be
    /// published (the threshold rule on units, with secondary suppression).
    pub counts: Vec<(Group, u32, Suppression)>,
    /// How many final strata, and how many of them are collapsed ones.
    pub strata: usize,
    pub collapsed: usize,
    /// Strata with respondents the frame does not list.
    pub frame_gaps: usize,
    /// The estimator the figures come from.
    pub estimator: stats::Estimator,
    /// Why a sample wave's calibration was not applied, when it was asked for and failed.
    pub calibration_problem: Option<String>,
    /// Counted responses of a sample wave left out because they are not of a sampled unit.
    pub outside_sample: usize,
    /// The response of a sample wave: unit and weighted rates over all its groups.
    pub response_rates: Option<(f64, f64)>,
}

/// The figure a questionnaire's pages and reports lead with: its first indicator that a target
/// names (targets in their file's order), else its first indicator. Data decides, so a new
/// questionnaire gets its own headline, and its target block once a target names it.
#[derive(Debug, Clone, Copy)]
pub struct Headline<'a> {
    /// Position in [`Figures::variables`].
    pub variable: usize,
    pub target: Option<&'a Target>,
}

impl Figures {
    /// The headline of these figures; `None` when the questionnaire has no indicator.
    pub fn headline<'a>(&self, targets: &'a [Target]) -> Option<Headline<'a>> {
        targets
            .iter()
            .find_map(|t| {
                self.indicator(&t.indicator).map(|variable| Headline { variable, target: Some(t) })
            })
            .or_else(|| {
                let variable = self.variables.iter().position(|v| v.measure.is_indicator())?;
                Some(Headline { variable, target: None })
            })
    }

    /// The position of indicator `id` among the variables.
    pub fn indicator(&self, id: &str) -> Option<usize> {
        self.variables.iter().position(|v| v.is_indicator(id))
    }

    /// The position of the variable whose column name is `column` (`ind_innovative`).
    pub fn variable(&self, column: &str) -> Option<usize> {
        self.variables.iter().position(|v| v.id() == column)
    }

    /// The figure of the whole population for variable `v`.
    pub fn total(&self, v: usize) -> Option<&Figure> {
        self.figures.iter().find(|f| f.is_total_of(v))
    }

    /// The respondents of `group`, when that count may be published.
    pub fn published_count(&self, group: &Group) -> Option<u32> {
        self.counts
            .iter()
            .find(|(g, _, _)| g == group)
            .filter(|(_, _, s)| *s == Suppression::Published)
            .map(|(_, n, _)| *n)
    }

    /// The figures of the whole population, one per variable.
    pub fn totals(&self) -> impl Iterator<Item = &Figure> {
        self.figures.iter().filter(|f| f.group == Group::All)
    }

    /// The figures of `breakdown` for variable `v`, in order.
    pub fn of(&self, breakdown: Breakdown, v: usize) -> impl Iterator<Item = &Figure> {
        self.figures.iter().filter(move |f| f.breakdown() == breakdown && f.variable == v)
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
    let mut counts = Vec::new();
    for breakdown in Breakdown::ALL {
        let groups = groups(design, &keys, breakdown);
        let suppressed = suppression(app, sample, &groups);
        for (g, (group, _)) in groups.iter().enumerate() {
            counts.push((group.clone(), suppressed.units[g], suppressed.by_units[g]));
        }
        for (g, (group, members)) in groups.iter().enumerate() {
            for (v, variable) in sample.variables.iter().enumerate() {
                let (n, state) = (suppressed.units[g], suppressed.of(v, g));
                let estimate = (state == Suppression::Published)
                    .then(|| {
                        stats::estimate(
                            design,
                            &sample.sums[v],
                            members.iter().copied(),
                            variable.kind(),
                        )
                    })
                    .flatten();
                figures.push(Figure {
                    group: group.clone(),
                    variable: v,
                    n,
                    estimate,
                    suppression: state,
                });
            }
        }
    }
    Figures {
        wave: wave_id.into(),
        survey: sample.survey.id.clone(),
        version: sample.survey.version,
        vsic: sample.survey.vsic,
        weighted: design.weighted,
        respondents: sample.respondents,
        threshold,
        variables: sample.variables.clone(),
        figures,
        counts,
        strata: design.strata.len(),
        collapsed: design.strata.iter().filter(|s| s.level != stats::Level::Full).count(),
        frame_gaps: design.frame_gaps.len(),
        estimator: design.estimator,
        calibration_problem: sample.calibration_problem.clone(),
        outside_sample: sample.outside_sample,
        response_rates: stats::GroupResponse::total(&design.response)
            .and_then(|t| t.unit_rate().zip(t.weighted_rate())),
    }
}

/// What is suppressed in one breakdown: for each group its units, and for each variable the
/// state of each group.
struct BreakdownSuppression {
    units: Vec<u32>,
    /// The state of each group's count of respondents.
    by_units: Vec<Suppression>,
    /// `states[v][g]`.
    states: Vec<Vec<Suppression>>,
}

impl BreakdownSuppression {
    fn of(&self, variable: usize, group: usize) -> Suppression {
        self.states[variable][group]
    }
}

/// Suppression of one breakdown (docs/disclosure.md, sections 2 and 3): every variable by the
/// units of each group; each indicator's share also by the units with and without it; each
/// mean also by its values (enough of them, and not all alike); the maturity levels as one
/// table, whose levels of a group add up to its units as well.
fn suppression(app: &App, sample: &Sample, groups: &[(Group, Vec<usize>)]) -> BreakdownSuppression {
    let k = app.policy.threshold();
    let design = &sample.design;
    let units: Vec<u32> = groups
        .iter()
        .map(|(_, members)| {
            members.iter().map(|&m| sample.counts.get(&design.keys[m]).copied().unwrap_or(0)).sum()
        })
        .collect();
    // Units with the attribute: the sum of a 0/1 variable over the group's strata.
    let with = |v: usize| -> Vec<u32> {
        groups
            .iter()
            .map(|(_, members)| {
                let sum: f64 = members.iter().map(|&m| sample.sums[v][m].sum).sum();
                sum.round() as u32
            })
            .collect()
    };
    let lines = lines(groups);
    let counts: Vec<Cell> = units.iter().map(|&n| Cell::units(n)).collect();
    let by_units = stats::suppress_cells(&counts, &lines, k).cells;
    let mut states = vec![by_units.clone(); sample.variables.len()];
    if app.policy.share_rule() == ShareRule::CountsOnly {
        return BreakdownSuppression { units, by_units, states };
    }
    let levels: Vec<usize> =
        (0..sample.variables.len()).filter(|&v| sample.variables[v].measure.is_level()).collect();
    for (v, variable) in sample.variables.iter().enumerate() {
        if variable.measure.is_indicator() {
            let cells: Vec<Cell> = units
                .iter()
                .zip(with(v))
                .map(|(&units, with)| Cell { units, with: Some(with), values: None })
                .collect();
            states[v] = stats::suppress_cells(&cells, &lines, k).cells;
        } else if variable.measure.is_score() {
            let cells: Vec<Cell> = units
                .iter()
                .zip(groups)
                .map(|(&units, (_, members))| {
                    let values = members
                        .iter()
                        .map(|&m| {
                            let s = &sample.sums[v][m];
                            Values { count: s.count, sum: s.sum, sum_sq: s.sum_sq }
                        })
                        .sum();
                    Cell { units, with: None, values: Some(values) }
                })
                .collect();
            states[v] = stats::suppress_cells(&cells, &lines, k).cells;
        }
    }
    for (l, states_of_level) in level_suppression(&units, &levels, &with, &lines, k) {
        states[l] = states_of_level;
    }
    BreakdownSuppression { units, by_units, states }
}

/// The maturity levels of every group as one table: cell `g * L + l` is level `l` of group `g`.
/// Each level is protected along the breakdown's lines, and the levels of each group along
/// the group (they add up to its units).
fn level_suppression(
    units: &[u32],
    levels: &[usize],
    with: &dyn Fn(usize) -> Vec<u32>,
    lines: &[Line],
    k: u32,
) -> Vec<(usize, Vec<Suppression>)> {
    let count = levels.len();
    if count == 0 {
        return vec![];
    }
    let at: Vec<Vec<u32>> = levels.iter().map(|&v| with(v)).collect();
    let cells: Vec<Cell> = (0..units.len() * count)
        .map(|i| Cell {
            units: units[i / count],
            with: Some(at[i % count][i / count]),
            values: None,
        })
        .collect();
    let mut table_lines: Vec<Line> = Vec::new();
    for l in 0..count {
        for line in lines {
            let Line::Groups(groups) = line else { continue };
            table_lines.push(Line::Groups(groups.iter().map(|g| g * count + l).collect()));
        }
    }
    table_lines.extend(
        (0..units.len()).map(|g| Line::Categories((0..count).map(|l| g * count + l).collect())),
    );
    let states = stats::suppress_cells(&cells, &table_lines, k).cells;
    levels
        .iter()
        .enumerate()
        .map(|(l, &v)| (v, (0..units.len()).map(|g| states[g * count + l]).collect()))
        .collect()
}

/// The groups of a breakdown and the frame strata in each; strata of an unknown area, section
/// or size class belong to no group but the city.
fn groups(design: &Design, keys: &Keys<'_>, breakdown: Breakdown) -> Vec<(Group, Vec<usize>)> {
    // Ordered by area as the reference lists them, section, then size class from micro to
    // large (not alphabetically).
    let mut groups: BTreeMap<(u16, u8, u8), (Group, Vec<usize>)> = BTreeMap::new();
    for (i, key) in design.keys.iter().enumerate() {
        let Some(group) = keys.group(key, breakdown) else { continue };
        let order = match breakdown {
            Breakdown::City => (0, 0, 0),
            Breakdown::Area => (key.area, 0, 0),
            Breakdown::VsicSection => (0, key.section, 0),
            Breakdown::SizeClass => (0, 0, key.size),
            Breakdown::AreaSizeClass => (key.area, 0, key.size),
            Breakdown::AreaSection => (key.area, key.section, 0),
        };
        groups.entry(order).or_insert_with(|| (group, Vec::new())).1.push(i);
    }
    groups.into_values().collect()
}

/// Lines of cells whose totals are published: every breakdown but the city adds up to the city;
/// the cells of area × size add up to each area and to each size class, and those of
/// area × section to each area and each section.
fn lines(groups: &[(Group, Vec<usize>)]) -> Vec<Line> {
    line_cells(groups).into_iter().map(Line::Groups).collect()
}

fn line_cells(groups: &[(Group, Vec<usize>)]) -> Vec<Vec<usize>> {
    let mut by_area: BTreeMap<&AreaCode, Vec<usize>> = BTreeMap::new();
    // Keyed by text as before typed groups, so that suppression visits lines in the same order.
    let mut by_class: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (group, _)) in groups.iter().enumerate() {
        match group {
            Group::All => return vec![],
            Group::Area(_) | Group::Section(_) | Group::Size(_) => {
                return vec![(0..groups.len()).collect()];
            }
            Group::AreaSize(area, _) | Group::AreaSection(area, _) => {
                by_area.entry(area).or_default().push(i);
                by_class.entry(group.without_area().to_string()).or_default().push(i);
            }
        }
    }
    by_area.into_values().chain(by_class.into_values()).collect()
}
