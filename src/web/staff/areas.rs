//! Fieldwork by ward/commune: counts only, and only of the areas the person may see.

use rocket::response::content::RawHtml;
use rocket::{Route, State, get, routes};
use serde::Serialize;

use super::{Staff, StaffView};
use crate::app::App;
use crate::figures::Breakdown;
use crate::service::waves;
use crate::stats;
use crate::store::{self, Counts, Wave};
use crate::survey::Lang;
use crate::web::FiguresCache;
use crate::web::{Templates, WebError};

pub fn routes() -> Vec<Route> {
    routes![list, area]
}

/// The wave asked for, else the newest with submissions, else the newest.
async fn chosen_wave(app: &App, wave: Option<&str>) -> Result<Option<Wave>, WebError> {
    let (app_ref, asked) = (app.clone(), wave.map(str::to_string));
    Ok(app.store.call(move |_| waves::choose(&app_ref, asked.as_deref(), None)).await?.1)
}

#[derive(Serialize)]
struct AreaRow {
    code: String,
    name: String,
    counts: Counts,
    /// Enterprises in the frame, and submitted responses per hundred of them.
    frame: Option<i64>,
    coverage: Option<String>,
}

#[derive(Serialize)]
struct AreasPage {
    staff: StaffView,
    wave: Option<String>,
    rows: Vec<AreaRow>,
    /// Groups of areas (former districts) every ward of which the person may see: code, name.
    groups: Vec<(String, String)>,
}

#[get("/areas?<wave>")]
async fn list(
    staff: Staff,
    wave: Option<&str>,
    app: &State<App>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<RawHtml<String>, WebError> {
    let wave = chosen_wave(app, wave).await?;
    let (counts, frame) = match &wave {
        Some(w) => {
            let id = w.id.clone();
            app.store
                .call(move |s| {
                    s.read(|c| Ok((store::counts_by_area(c, &id)?, store::frame_by_area(c, &id)?)))
                })
                .await?
        }
        None => (vec![], vec![]),
    };
    let rows = app
        .reference
        .areas
        .iter()
        .filter(|a| staff.access.covers(&a.code))
        .map(|a| {
            let counts = counts
                .iter()
                .find(|(c, _)| c == a.code.as_str())
                .map(|(_, n)| n.clone())
                .unwrap_or_default();
            let frame = frame.iter().find(|(c, _)| c == a.code.as_str()).map(|(_, n)| *n);
            let coverage = frame
                .and_then(|n| crate::stats::coverage(counts.submitted, n))
                .map(|share| crate::kernel::format::percent(share, lang));
            AreaRow {
                code: a.code.to_string(),
                name: a.name.get(lang).to_string(),
                counts,
                frame,
                coverage,
            }
        })
        .collect();
    let groups = app
        .reference
        .groups
        .iter()
        .filter(|g| g.areas.iter().all(|a| staff.access.covers(a)))
        .map(|g| (g.code.clone(), g.name.get(lang).to_string()))
        .collect();
    let page = AreasPage { staff: staff.view(), wave: wave.map(|w| w.id), rows, groups };
    Ok(RawHtml(templates.render("areas.html", lang, &page)?))
}

#[derive(Serialize)]
struct QuestionnaireCounts {
    title: String,
    counts: Counts,
    /// Level name and count, or `None` when the count is suppressed.
    levels: Vec<(String, Option<i64>)>,
}

/// One indicator or score of the area, as published.
#[derive(Serialize)]
struct AreaFigure {
    label: String,
    estimate: Option<String>,
    interval: Option<String>,
    n: u32,
    /// 0–100 positions of the estimate and its interval, for the inline chart.
    at: f64,
    low: f64,
    high: f64,
}

#[derive(Serialize)]
struct AreaPage {
    staff: StaffView,
    figures: Vec<AreaFigure>,
    weighted: bool,
    code: String,
    name: String,
    wave: Option<String>,
    /// Every wave, for the filter.
    waves: Vec<String>,
    questionnaires: Vec<QuestionnaireCounts>,
    min_cell: u32,
}

/// One area's fieldwork. An official asking for another area gets 403, whatever the code.
#[get("/areas/<code>?<wave>")]
#[allow(clippy::too_many_arguments)]
async fn area(
    staff: Staff,
    code: &str,
    wave: Option<&str>,
    app: &State<App>,
    cache: &State<FiguresCache>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<RawHtml<String>, WebError> {
    let area = staff.area(app, code)?;
    let wave = chosen_wave(app, wave).await?;
    let (figures, weighted) =
        area_figures(app, cache, wave.as_ref(), area.code.as_str(), lang).await?;
    let mut questionnaires = Vec::new();
    if let Some(w) = &wave {
        for (id, version) in &w.questionnaires {
            let Some(survey) = app.catalog.get(id, *version) else { continue };
            let (wave_id, survey_id, area_code) = (w.id.clone(), id.clone(), area.code.to_string());
            let (counts, levels) = app
                .store
                .call(move |s| {
                    s.read(|c| {
                        let counts = store::counts_in_area(c, &wave_id, &area_code)?;
                        let levels = store::levels_in_area(c, &wave_id, &survey_id, &area_code)?;
                        Ok((
                            counts
                                .into_iter()
                                .find(|(s, _)| *s == survey_id)
                                .map(|(_, n)| n)
                                .unwrap_or_default(),
                            levels,
                        ))
                    })
                })
                .await?;
            let levels = survey
                .levels
                .iter()
                .map(|l| {
                    let n = levels.iter().find(|(id, _)| *id == l.id).map_or(0, |(_, n)| *n);
                    // Small cells are suppressed: a count below the threshold could point at one respondent.
                    (l.name.get(lang).to_string(), app.policy.shows_count(n).then_some(n))
                })
                .collect();
            questionnaires.push(QuestionnaireCounts {
                title: survey.title.get(lang).to_string(),
                counts,
                levels,
            });
        }
    }
    let page = AreaPage {
        staff: staff.view(),
        figures,
        weighted,
        waves: app.store.call(|s| s.read(store::waves)).await?.into_iter().map(|w| w.id).collect(),
        code: area.code.to_string(),
        name: area.name.get(lang).to_string(),
        wave: wave.map(|w| w.id),
        questionnaires,
        min_cell: app.policy.threshold(),
    };
    Ok(RawHtml(templates.render("area.html", lang, &page)?))
}

/// The area's figures from the wave's enterprise questionnaire: the same figures as the city's
/// statistics, so a small area shows suppressed cells, never numbers resting on a few firms.
async fn area_figures(
    app: &App,
    cache: &FiguresCache,
    wave: Option<&Wave>,
    code: &str,
    lang: Lang,
) -> Result<(Vec<AreaFigure>, bool), WebError> {
    let Some(wave) = wave else { return Ok((vec![], false)) };
    let Some(survey) = waves::primary_questionnaire(app, wave) else {
        return Ok((vec![], false));
    };
    let figures = cache.get(app, &wave.id, &survey).await?;
    let number = |x: f64| crate::kernel::format::decimal(x, lang);
    let rows = figures
        .figures
        .iter()
        .filter(|f| f.breakdown == Breakdown::Area && f.group == code)
        .map(|f| {
            let variable = &figures.variables[f.variable];
            let scale = if variable.kind == stats::Kind::Share { 100.0 } else { 1.0 };
            let unit = if variable.kind == stats::Kind::Share { "%" } else { "" };
            AreaFigure {
                label: variable.label.get(lang).to_string(),
                estimate: f
                    .estimate
                    .as_ref()
                    .map(|e| format!("{}{unit}", number(e.estimate * scale))),
                interval: f.estimate.as_ref().map(|e| {
                    format!("{}–{}{unit}", number(e.ci_low * scale), number(e.ci_high * scale))
                }),
                at: f.estimate.as_ref().map_or(0.0, |e| e.estimate * scale),
                low: f.estimate.as_ref().map_or(0.0, |e| e.ci_low * scale),
                high: f.estimate.as_ref().map_or(0.0, |e| e.ci_high * scale),
                n: f.n,
            }
        })
        .collect();
    Ok((rows, figures.weighted))
}
