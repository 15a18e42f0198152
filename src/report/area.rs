//! The summary of a ward/commune or a group of them: coverage, the innovation-active share
//! against the city's target, the trend over waves, levels, dimension means beside the city's,
//! breakdowns by sector and size with suppressed cells marked, and the methodology. The city
//! overview draws the same sections at city scale.

use std::sync::Arc;

use time::OffsetDateTime;

use super::chart::{Bars, Intervals, Marker, PRIMARY, SECONDARY, Series};
use super::chart_number;
use super::layout::{BODY, Column, Flow, SMALL, WIDTH};
use super::pdf::Document;
use super::texts::{ReportTexts, fill};
use crate::app::App;
use crate::figures::{
    Breakdown, Figure, Figures, FiguresError, Group, Headline, Sample, area_figures,
};
use crate::kernel::format::{count, date, decimal, percent, points, points_range};
use crate::policy::{DisclosurePolicy, Precision};
use crate::reference::{AreaCode, Reference};
use crate::stats::WardSample;
use crate::stats::{self, Estimate, Estimator, Kind, Suppression, Target};
use crate::store::{Counts, StoreError, Wave};
use crate::survey::{Lang, Text};

/// Why a report cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("no wave '{0}'")]
    NoWave(String),
    #[error("wave '{0}' has no questionnaire")]
    NoSurvey(String),
    #[error("no ward/commune or group of them with code '{0}'")]
    NoArea(String),
    #[error("no submitted response numbered {0}")]
    NoResponse(i64),
    #[error("{0}")]
    Figures(#[from] FiguresError),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// A ward/commune, or a group of them such as a former district.
#[derive(Debug, Clone)]
pub struct Place {
    pub code: String,
    pub name: Text,
    pub areas: Vec<AreaCode>,
}

impl Place {
    /// The area or group `code` names.
    pub fn find(reference: &Reference, code: &str) -> Option<Place> {
        if let Some(area) = reference.area_by_str(code) {
            return Some(Place {
                code: area.code.to_string(),
                name: area.name.clone(),
                areas: vec![area.code.clone()],
            });
        }
        reference.groups.iter().find(|g| g.code == code.trim()).map(|g| Place {
            code: g.code.clone(),
            name: g.name.clone(),
            areas: g.areas.clone(),
        })
    }
}

/// The figures of one wave, with the sample area figures are aggregated from.
#[derive(Clone)]
pub struct WaveFigures {
    pub year: i32,
    pub sample: Arc<Sample>,
    pub figures: Arc<Figures>,
}

/// Everything the area and city reports of a wave draw from, read once for all of them.
pub struct Inputs {
    pub wave: Wave,
    /// This wave and the earlier ones with the same questionnaire, oldest first.
    pub series: Vec<WaveFigures>,
    /// Responses of the questionnaire per area code.
    pub counts: Vec<(String, Counts)>,
    /// Enterprises of the frame per area code.
    pub frame: Vec<(String, i64)>,
    /// The wave's sample per ward (empty without a sample).
    pub sample: Vec<WardSample>,
}

impl Inputs {
    pub fn latest(&self) -> &WaveFigures {
        // The trend always ends with the report's own wave.
        &self.series[self.series.len() - 1]
    }
}

/// The figures of a place in a wave: its total (`City`, `all`) and its breakdowns by section and
/// size; for no place, the city's own.
fn figures_for(app: &App, wave: &WaveFigures, place: Option<&Place>) -> Vec<Figure> {
    match place {
        Some(place) => area_figures(app, &wave.sample, &wave.figures, &place.areas),
        None => wave
            .figures
            .figures
            .iter()
            .filter(|f| {
                matches!(
                    f.breakdown(),
                    Breakdown::City | Breakdown::VsicSection | Breakdown::SizeClass
                )
            })
            .cloned()
            .collect(),
    }
}

/// What the sections of a summary share.
pub(super) struct Summary<'a> {
    pub app: &'a App,
    pub texts: &'a ReportTexts,
    pub lang: Lang,
    pub inputs: &'a Inputs,
    /// The ward/commune or group; `None` for the whole city.
    pub place: Option<&'a Place>,
    /// The place's figures in each wave of the series, in the same order.
    own: Vec<Vec<Figure>>,
    /// The place's name ("whole city" for the city).
    pub name: String,
    /// The figure the report leads with, and its target; `None` without indicators.
    pub headline: Option<Headline<'a>>,
    /// The questionnaire's title.
    pub survey: String,
}

impl<'a> Summary<'a> {
    pub fn new(
        app: &'a App,
        texts: &'a ReportTexts,
        lang: Lang,
        inputs: &'a Inputs,
        place: Option<&'a Place>,
    ) -> Summary<'a> {
        let own = inputs.series.iter().map(|w| figures_for(app, w, place)).collect();
        let name = place.map_or(&texts.city, |p| &p.name).get(lang).to_string();
        let latest = &inputs.latest().figures;
        let headline = latest.headline(&app.reference.targets);
        let survey = app
            .catalog
            .get(&latest.survey, latest.version)
            .map_or_else(|| latest.survey.clone(), |s| s.title.get(lang).to_string());
        Summary { app, texts, lang, inputs, place, own, name, headline, survey }
    }

    fn is_city(&self) -> bool {
        self.place.is_none()
    }

    fn latest(&self) -> &[Figure] {
        &self.own[self.own.len() - 1]
    }

    fn figures(&self) -> &Figures {
        &self.inputs.latest().figures
    }

    fn total<'f>(&self, figures: &'f [Figure], variable: usize) -> Option<&'f Figure> {
        figures.iter().find(|f| f.breakdown() == Breakdown::City && f.variable == variable)
    }

    fn mark(&self) -> String {
        self.texts.suppressed_mark.get(self.lang).to_string()
    }

    pub fn coverage(&self, flow: &mut Flow) {
        let lang = self.lang;
        let t = self.texts;
        let in_place =
            |code: &str| self.place.is_none_or(|p| p.areas.iter().any(|a| a.as_str() == code));
        let (submitted, drafts) = self
            .inputs
            .counts
            .iter()
            .filter(|(code, _)| in_place(code))
            .fold((0, 0), |(s, d), (_, c)| (s + c.submitted, d + c.drafts));
        // Counts as the figures publish them (docs/disclosure.md, section 4): the place's only
        // when every ward's count is published.
        let figures = self.figures();
        let published = match self.place {
            None => figures.published_count(&Group::All).is_some(),
            Some(place) => place
                .areas
                .iter()
                .all(|a| figures.published_count(&Group::Area(a.clone())).is_some()),
        };
        let mark = t.suppressed_mark.get(lang);
        let shown = |n: i64, show: bool| if show || n == 0 { count(n, lang) } else { mark.into() };
        let frame: i64 =
            self.inputs.frame.iter().filter(|(code, _)| in_place(code)).map(|(_, n)| n).sum();
        let rate = stats::coverage(submitted, frame)
            .filter(|_| published)
            .map(|share| percent(share, lang));
        flow.heading(t.coverage.get(lang), 25.0);
        let sampled = self.inputs.sample.iter().filter(|w| in_place(&w.area_code));
        let response_rates = WardSample::rates(sampled).map(|(unit, weighted)| {
            [
                (t.coverage_response_rate.get(lang).to_string(), percent(unit, lang)),
                (t.coverage_weighted_rate.get(lang).to_string(), percent(weighted, lang)),
            ]
        });
        let mut pairs = vec![
            (t.coverage_submitted.get(lang).into(), shown(submitted, published)),
            (
                t.coverage_drafts.get(lang).into(),
                shown(drafts, self.app.policy.shows_count(drafts)),
            ),
            (
                t.coverage_frame.get(lang).into(),
                if frame > 0 { count(frame, lang) } else { t.coverage_no_frame.get(lang).into() },
            ),
            (
                t.coverage_rate.get(lang).into(),
                rate.unwrap_or_else(|| {
                    if frame > 0 { mark.into() } else { t.coverage_no_frame.get(lang).into() }
                }),
            ),
        ];
        pairs.extend(response_rates.into_iter().flatten());
        flow.pairs(&pairs);
        if !self.figures().weighted {
            flow.paragraph(t.not_weighted.get(lang), SMALL);
        }
    }

    /// The headline indicator's label.
    pub fn headline_label(&self) -> Option<String> {
        let v = self.headline?.variable;
        Some(self.figures().variables[v].label.get(self.lang).to_string())
    }

    /// Says plainly what a report of a questionnaire without indicators leaves out.
    pub fn without_indicators(&self, flow: &mut Flow) {
        if self.headline.is_none() {
            let text = fill(&self.texts.no_indicators, self.lang, &[("survey", &self.survey)]);
            flow.paragraph(&text, BODY);
        }
    }

    /// The headline share and its interval against its target and trajectory when it has one,
    /// then its trend over the waves.
    pub fn headline(&self, flow: &mut Flow) {
        let (lang, t) = (self.lang, self.texts);
        let Some(Headline { variable: v, target }) = self.headline else { return };
        let indicator = self.headline_label().unwrap_or_default();
        let published: Vec<(&WaveFigures, Estimate)> = self
            .inputs
            .series
            .iter()
            .zip(&self.own)
            .filter_map(|(w, own)| {
                self.total(own, v).and_then(|f| f.estimate.clone()).map(|e| (w, e))
            })
            .collect();
        let series: Vec<(i32, Estimate)> =
            published.iter().map(|(w, e)| (w.year, e.clone())).collect();
        // With one wave the trajectory is the estimate itself: nothing to compare yet.
        let progress =
            target.filter(|_| series.len() > 1).and_then(|target| stats::progress(target, &series));
        flow.heading(&fill(&t.headline, lang, &[("indicator", &indicator)]), 40.0);
        let latest = self.total(self.latest(), v).and_then(|f| f.estimate.as_ref());
        match (latest, target) {
            (Some(e), Some(target)) => {
                let mut text = fill(
                    &t.headline_text,
                    lang,
                    &[
                        ("indicator", &indicator),
                        ("estimate", &percent(e.estimate, lang)),
                        ("interval", &interval(e, Kind::Share, lang)),
                        ("target", &percent(target.value, lang)),
                        ("year", &target.year.to_string()),
                    ],
                );
                if let Some(p) = &progress {
                    text.push(' ');
                    text.push_str(&fill(
                        &t.headline_trajectory,
                        lang,
                        &[
                            ("first", &p.first_year.to_string()),
                            ("latest", &p.latest_year.to_string()),
                            ("trajectory", &percent(p.trajectory, lang)),
                        ],
                    ));
                    if let Some(change) = self.change(&published, target) {
                        text.push(' ');
                        text.push_str(&change);
                    }
                }
                flow.paragraph(&text, BODY);
            }
            (Some(e), None) => {
                let values = [
                    ("indicator", indicator.as_str()),
                    ("estimate", &percent(e.estimate, lang)),
                    ("interval", &interval(e, Kind::Share, lang)),
                ];
                flow.paragraph(&fill(&t.headline_no_target, lang, &values), BODY);
            }
            (None, _) => flow.paragraph(
                &fill(&t.headline_suppressed, lang, &[("place", self.name.as_str())]),
                BODY,
            ),
        }
        let mut rows = vec![(self.name.clone(), latest.map(as_percent))];
        if !self.is_city() {
            let city = self
                .figures()
                .figures
                .iter()
                .find(|f| f.breakdown() == Breakdown::City && f.variable == v);
            rows.push((
                t.city.get(lang).into(),
                city.and_then(|f| f.estimate.as_ref()).map(as_percent),
            ));
        }
        let chart = Intervals {
            rows,
            estimate_label: t.estimate_mark.get(lang).into(),
            target: target.map(|target| Marker {
                at: target.value * 100.0,
                label: fill(
                    &t.target_line,
                    lang,
                    &[("target", &percent(target.value, lang)), ("year", &target.year.to_string())],
                ),
            }),
            trajectory: progress.as_ref().map(|p| Marker {
                at: p.trajectory * 100.0,
                label: fill(
                    &t.trajectory_mark,
                    lang,
                    &[
                        ("year", &p.latest_year.to_string()),
                        ("value", &percent(p.trajectory, lang)),
                    ],
                ),
            }),
            axis: t.axis_percent.get(lang).into(),
            mark: self.mark(),
            format: chart_number(lang),
        };
        flow.block(chart.height(flow.document()) + 3.0, |page, top| chart.draw(page, top));

        flow.heading(t.trend.get(lang), 30.0);
        if self.inputs.series.len() < 2 {
            flow.paragraph(t.trend_single.get(lang), BODY);
            return;
        }
        let rows = self
            .inputs
            .series
            .iter()
            .zip(&self.own)
            .map(|(w, own)| {
                let label = fill(&t.wave, lang, &[("wave", &w.figures.wave)]);
                (label, self.total(own, v).and_then(|f| f.estimate.as_ref()).map(as_percent))
            })
            .collect();
        let trend = Intervals { rows, trajectory: None, ..chart };
        flow.block(trend.height(flow.document()) + 3.0, |page, top| trend.draw(page, top));
    }

    /// The change of the target's indicator from the first to the latest published wave, with
    /// its interval (docs/methodology.md §5a).
    fn change(&self, published: &[(&WaveFigures, Estimate)], target: &Target) -> Option<String> {
        let ((first, _), (latest, _)) = (published.first()?, published.last()?);
        let areas = self.place.map(|p| p.areas.as_slice());
        let samples: Vec<&Sample> = published.iter().map(|(w, _)| w.sample.as_ref()).collect();
        let change = crate::figures::change_over(self.app, &samples, &target.indicator, areas)?;
        let lang = self.lang;
        let interval =
            change.interval.map_or_else(|| "–".to_string(), |i| points_range(i.low, i.high, lang));
        Some(fill(
            &self.texts.headline_change,
            lang,
            &[
                ("first", &first.figures.wave),
                ("latest", &latest.figures.wave),
                ("change", &points(change.change, lang)),
                ("interval", &interval),
            ],
        ))
    }

    /// The shares of enterprises at each maturity level.
    pub fn levels(&self, flow: &mut Flow) {
        let (lang, t) = (self.lang, self.texts);
        let figures = self.figures();
        let rows: Vec<(String, Vec<Option<f64>>)> = figures
            .variables
            .iter()
            .enumerate()
            .filter(|(_, v)| v.measure.is_level())
            .enumerate()
            .map(|(rank, (i, v))| {
                let name = v.label.get(lang).split_once(": ").map_or(v.label.get(lang), |(_, n)| n);
                let value = self.total(self.latest(), i).and_then(|f| f.estimate.as_ref());
                (format!("{rank} – {name}"), vec![value.map(|e| e.estimate * 100.0)])
            })
            .collect();
        let chart = Bars {
            rows,
            series: vec![Series { name: self.name.clone(), colour: PRIMARY }],
            max: 100.0,
            axis: t.axis_percent.get(lang).into(),
            mark: self.mark(),
            target: None,
            format: chart_number(lang),
        };
        flow.heading(t.levels.get(lang), chart.height(flow.document()));
        flow.block(chart.height(flow.document()) + 3.0, |page, top| chart.draw(page, top));
    }

    /// Dimension means of the place beside the city's.
    pub fn dimensions(&self, flow: &mut Flow) {
        let (lang, t) = (self.lang, self.texts);
        let figures = self.figures();
        let city =
            |v: usize| figures.total(v).and_then(|f| f.estimate.as_ref()).map(|e| e.estimate);
        let rows = figures
            .variables
            .iter()
            .enumerate()
            .filter(|(_, v)| v.measure.is_score())
            .map(|(i, v)| {
                let own = self.total(self.latest(), i).and_then(|f| f.estimate.as_ref());
                let mut values = vec![own.map(|e| e.estimate)];
                if !self.is_city() {
                    values.push(city(i));
                }
                (v.label.get(lang).to_string(), values)
            })
            .collect();
        let mut series = vec![Series { name: self.name.clone(), colour: PRIMARY }];
        if !self.is_city() {
            series.push(Series { name: t.city.get(lang).into(), colour: SECONDARY });
        }
        let chart = Bars {
            rows,
            series,
            max: 100.0,
            axis: t.axis_score.get(lang).into(),
            mark: self.mark(),
            target: None,
            format: chart_number(lang),
        };
        let title = if self.is_city() { &t.city_dimensions } else { &t.dimensions };
        flow.heading(title.get(lang), chart.height(flow.document()));
        flow.block(chart.height(flow.document()) + 3.0, |page, top| chart.draw(page, top));
    }

    /// The headline share by section and by size class, suppressed cells marked.
    pub fn breakdowns(&self, flow: &mut Flow) {
        let (lang, t) = (self.lang, self.texts);
        let Some(Headline { variable: v, .. }) = self.headline else { return };
        let indicator = self.headline_label().unwrap_or_default();
        for (breakdown, title) in
            [(Breakdown::VsicSection, &t.by_section), (Breakdown::SizeClass, &t.by_size)]
        {
            let rows: Vec<Vec<String>> = self
                .latest()
                .iter()
                .filter(|f| f.breakdown() == breakdown && f.variable == v)
                .map(|f| {
                    let label = f.group.label(&self.app.reference, self.figures().vsic, lang);
                    self.row(&capitalised(&label), f)
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            let vsic = self.figures().vsic.name();
            flow.heading(&fill(title, lang, &[("indicator", &indicator), ("vsic", &vsic)]), 20.0);
            flow.table(&self.columns(), &rows, &[]);
        }
        self.table_notes(flow);
    }

    /// What the marks of a table of figures mean.
    pub fn table_notes(&self, flow: &mut Flow) {
        let (lang, t) = (self.lang, self.texts);
        let threshold = self.figures().threshold.to_string();
        flow.paragraph(&fill(&t.suppressed_note, lang, &[("threshold", &threshold)]), SMALL);
        flow.paragraph(t.imprecise_note.get(lang), SMALL);
    }

    /// The columns of a table of figures: group, responses, estimate, interval.
    pub fn columns(&self) -> Vec<Column> {
        let t = self.texts;
        let lang = self.lang;
        vec![
            Column::left(t.column_group.get(lang), WIDTH - 82.0),
            Column::right(t.column_respondents.get(lang), 22.0),
            Column::right(t.column_estimate.get(lang), 24.0),
            Column::right(t.column_interval.get(lang), 36.0),
        ]
    }

    /// A table row for a figure: a suppressed one shows the mark in every number.
    pub fn row(&self, label: &str, f: &Figure) -> Vec<String> {
        let lang = self.lang;
        let kind = self.figures().variables[f.variable].kind();
        match (&f.estimate, f.suppression) {
            (Some(e), Suppression::Published) => vec![
                label.to_string(),
                count(i64::from(f.n), lang),
                flagged(&self.app.policy, e, kind, lang),
                interval(e, kind, lang),
            ],
            _ => vec![label.to_string(), self.mark(), self.mark(), self.mark()],
        }
    }

    pub fn methodology(&self, flow: &mut Flow, created: OffsetDateTime) {
        let (lang, t) = (self.lang, self.texts);
        flow.heading(t.methodology.get(lang), 25.0);
        let threshold = self.figures().threshold.to_string();
        let text = match self.figures().estimator {
            Estimator::Sample { calibration } => {
                let calibration = calibration.map_or_else(String::new, |c| {
                    fill(&t.calibrated_to, lang, &[("distance", c.distance.as_str())])
                });
                fill(
                    &t.methodology_sample_text,
                    lang,
                    &[("threshold", &threshold), ("calibration", &calibration)],
                )
            }
            _ => fill(&t.methodology_text, lang, &[("threshold", &threshold)]),
        };
        flow.paragraph(&text, BODY);
        flow.paragraph(&fill(&t.generated, lang, &[("date", &date(created.date(), lang))]), SMALL);
    }
}

/// `text` with its first letter in capitals ("siêu nhỏ" → "Siêu nhỏ").
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// An estimate as printed: a share in percent, a score with one decimal.
pub fn value(x: f64, kind: Kind, lang: Lang) -> String {
    match kind {
        Kind::Share => percent(x, lang),
        Kind::Mean => decimal(x, lang),
    }
}

/// An estimate as printed in a table: with `*` when the policy calls it too imprecise to use,
/// as the dashboard does.
pub fn flagged(policy: &DisclosurePolicy, e: &Estimate, kind: Kind, lang: Lang) -> String {
    let text = value(e.estimate, kind, lang);
    if policy.precision_of(e) == Precision::Poor { format!("{text}*") } else { text }
}

/// A 95% interval as printed.
/// A 95% interval as printed ("–" for an estimate without one).
pub fn interval(e: &Estimate, kind: Kind, lang: Lang) -> String {
    let Some(i) = e.interval else { return "–".into() };
    match kind {
        Kind::Share => {
            format!("{}–{}%", decimal(i.low * 100.0, lang), decimal(i.high * 100.0, lang))
        }
        Kind::Mean => format!("{}–{}", decimal(i.low, lang), decimal(i.high, lang)),
    }
}

/// The estimate and its interval in percent; an estimate without an interval is drawn as a
/// point.
fn as_percent(e: &Estimate) -> (f64, f64, f64) {
    let i = e.interval.unwrap_or(crate::stats::Interval { low: e.estimate, high: e.estimate });
    (e.estimate * 100.0, i.low * 100.0, i.high * 100.0)
}

/// The summary of a ward/commune or group `place` in the inputs' wave.
pub fn area_report(
    app: &App,
    texts: &ReportTexts,
    inputs: &Inputs,
    place: &Place,
    lang: Lang,
    created: OffsetDateTime,
) -> Vec<u8> {
    let summary = Summary::new(app, texts, lang, inputs, Some(place));
    let title = texts.area_title.get(lang);
    let mut flow = Flow::new(Document::new(&format!("{title} – {}", summary.name)));
    let wave = fill(&texts.wave, lang, &[("wave", &inputs.wave.id)]);
    flow.title(title, &format!("{} – {wave}", summary.name));
    let intro = [("area", summary.name.as_str()), ("survey", &summary.survey)];
    flow.paragraph(&fill(&texts.area_intro, lang, &intro), BODY);
    if place.areas.len() > 1 {
        let names: Vec<String> = place
            .areas
            .iter()
            .filter_map(|code| app.reference.area(code))
            .map(|a| a.name.get(lang).to_string())
            .collect();
        flow.paragraph(
            &fill(
                &texts.area_members,
                lang,
                &[("count", &names.len().to_string()), ("names", &names.join(", "))],
            ),
            SMALL,
        );
    }
    summary.coverage(&mut flow);
    summary.without_indicators(&mut flow);
    summary.headline(&mut flow);
    summary.levels(&mut flow);
    summary.dimensions(&mut flow);
    summary.breakdowns(&mut flow);
    summary.methodology(&mut flow, created);
    finish(flow, texts, lang, &summary.name, created)
}

/// Every ward/commune of the reference data, as places to report on.
pub fn every_area(reference: &Reference) -> Vec<Place> {
    reference.areas.iter().filter_map(|a| Place::find(reference, a.code.as_str())).collect()
}

/// Draws the summary of each of `places` on one worker per core, handing each PDF to
/// `drawn(place, pdf)` on the worker's thread as soon as it is drawn. Returns the workers used.
pub fn each_area_report(
    app: &App,
    inputs: &Inputs,
    places: &[Place],
    lang: Lang,
    created: OffsetDateTime,
    drawn: impl Fn(&Place, Vec<u8>) + Sync,
) -> usize {
    let workers = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(place) =
                    places.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                {
                    drawn(place, area_report(app, &app.texts, inputs, place, lang, created));
                }
            });
        }
    });
    workers
}

/// Footers on every page, then the bytes.
pub(super) fn finish(
    flow: Flow,
    texts: &ReportTexts,
    lang: Lang,
    what: &str,
    created: OffsetDateTime,
) -> Vec<u8> {
    let mut doc = flow.into_document();
    let footer = format!("{} · {what}", texts.publisher.get(lang));
    doc.add_footers(&footer, |page, pages| {
        fill(&texts.page, lang, &[("page", &page.to_string()), ("pages", &pages.to_string())])
    });
    doc.finish(created)
}
