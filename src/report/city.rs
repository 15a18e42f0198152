//! The city overview: the city's estimates, every ward/commune ranked by its innovation-active
//! share with its interval (suppressed ones last, marked), and the area report's charts at
//! city scale.

use time::OffsetDateTime;

use super::area::{Inputs, Summary, finish, flagged, interval};
use super::layout::{BODY, Column, Flow, WIDTH};
use super::pdf::Document;
use super::texts::{ReportTexts, fill};
use crate::app::App;
use crate::figures::{Breakdown, Figure, Group};
use crate::kernel::format::count;
use crate::stats::Suppression;
use crate::survey::Lang;

/// The overview of the whole city in the inputs' wave.
pub fn city_report(
    app: &App,
    texts: &ReportTexts,
    inputs: &Inputs,
    lang: Lang,
    created: OffsetDateTime,
) -> Vec<u8> {
    let summary = Summary::new(app, texts, lang, inputs, None);
    let figures = &inputs.latest().figures;
    let title = texts.city_title.get(lang);
    let mut flow = Flow::new(Document::new(title));
    let wave = fill(&texts.wave, lang, &[("wave", &inputs.wave.id)]);
    flow.title(title, &wave);
    flow.paragraph(
        &fill(
            &texts.city_intro,
            lang,
            &[
                ("respondents", &count(figures.respondents as i64, lang)),
                ("survey", &summary.survey),
            ],
        ),
        BODY,
    );
    summary.coverage(&mut flow);
    summary.without_indicators(&mut flow);
    summary.headline(&mut flow);

    flow.heading(texts.city_estimates.get(lang), 30.0);
    let mut columns = summary.columns();
    columns[0].title = texts.column_indicator.get(lang).into();
    let rows: Vec<Vec<String>> = figures
        .figures
        .iter()
        .filter(|f| f.group == Group::All && !figures.variables[f.variable].measure.is_level())
        .map(|f| summary.row(figures.variables[f.variable].label.get(lang), f))
        .collect();
    flow.table(&columns, &rows, &[]);

    summary.levels(&mut flow);
    summary.dimensions(&mut flow);
    ranked(&mut flow, app, texts, lang, &summary, figures);
    summary.breakdowns(&mut flow);
    summary.methodology(&mut flow, created);
    finish(flow, texts, lang, texts.city.get(lang), created)
}

/// Every area by its innovation-active share, highest first; suppressed ones after, by name.
fn ranked(
    flow: &mut Flow,
    app: &App,
    texts: &ReportTexts,
    lang: Lang,
    summary: &Summary<'_>,
    figures: &crate::figures::Figures,
) {
    let Some(v) = summary.headline.map(|h| h.variable) else { return };
    let mut areas: Vec<&Figure> = figures.of(Breakdown::Area, v).collect();
    let name = |f: &Figure| f.group.label(&app.reference, figures.vsic, lang);
    areas.sort_by(|a, b| {
        let key = |f: &Figure| f.estimate.as_ref().map(|e| -e.estimate);
        match (key(a), key(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => name(a).cmp(&name(b)),
        }
    });
    let mark = texts.suppressed_mark.get(lang);
    let kind = figures.variables[v].kind();
    let rows: Vec<Vec<String>> = areas
        .iter()
        .enumerate()
        .map(|(i, f)| match (&f.estimate, f.suppression) {
            (Some(e), Suppression::Published) => vec![
                (i + 1).to_string(),
                name(f),
                count(i64::from(f.n), lang),
                flagged(&app.policy, e, kind, lang),
                interval(e, kind, lang),
            ],
            _ => vec![mark.into(), name(f), mark.into(), mark.into(), mark.into()],
        })
        .collect();
    let columns = summary.columns();
    let ranked_columns = [
        Column::right(texts.column_rank.get(lang), 12.0),
        Column::left(texts.column_area.get(lang), WIDTH - 94.0),
        columns[1].clone(),
        columns[2].clone(),
        columns[3].clone(),
    ];
    let indicator = summary.headline_label().unwrap_or_default();
    let areas = app.reference.areas.len().to_string();
    flow.heading(
        &fill(&texts.city_ranked, lang, &[("indicator", &indicator), ("areas", &areas)]),
        30.0,
    );
    flow.table(&ranked_columns, &rows, &[]);
    summary.table_notes(flow);
}
