//! Fieldwork by ward/commune (`service::areas`): counts only, and only of the areas the person
//! may see.

use rocket::response::content::RawHtml;
use rocket::{Route, get, routes};
use serde::Serialize;

use super::{Staff, StaffView};
use crate::app::App;
use crate::figures::{Figure, Figures, Group};
use crate::kernel::format;
use crate::reference::Area;
use crate::service::areas::{self, AreaFieldwork, QuestionnaireProgress};
use crate::service::figures::Choice;
use crate::stats::Kind;
use crate::survey::Lang;
use crate::web::stats::{FiguresQuery, chosen};
use crate::web::{Page, WebError, blocking};

pub fn routes() -> Vec<Route> {
    routes![list, area]
}

#[derive(Serialize)]
struct AreaRow {
    code: String,
    name: String,
    /// As published: none when hidden.
    submitted: Option<u32>,
    drafts: Option<i64>,
    /// Enterprises in the frame, and submitted responses per hundred of them.
    frame: Option<i64>,
    coverage: Option<String>,
}

#[derive(Serialize)]
struct AreasPage {
    staff: StaffView,
    wave: String,
    /// The questionnaire counted.
    survey: String,
    rows: Vec<AreaRow>,
    /// Groups of areas (former districts) every ward of which the person may see: code, name.
    groups: Vec<(String, String)>,
}

#[get("/areas?<query..>")]
async fn list(
    staff: Staff,
    query: FiguresQuery<'_>,
    page: Page<'_>,
) -> Result<RawHtml<String>, WebError> {
    let choice = chosen(page.app, &query).await?;
    let (app, access, lang) = (page.app.clone(), staff.access.clone(), page.lang);
    let choice_ref = choice.clone();
    let rows = blocking(move || {
        let rows = areas::progress(&app, &access, &choice_ref)?
            .into_iter()
            .map(|p| AreaRow {
                code: p.area.code.to_string(),
                name: p.area.name.get(lang).to_string(),
                submitted: p.counts.submitted,
                drafts: p.counts.drafts,
                frame: p.frame,
                coverage: p.coverage.map(|share| format::percent(share, lang)),
            })
            .collect::<Vec<_>>();
        Ok::<_, crate::figures::FiguresError>(rows)
    })
    .await??;
    let survey = title(page.app, &choice.wave, &choice.survey, lang);
    let groups = super::visible_groups(page.app, &staff, lang);
    let context = AreasPage { staff: staff.view(), wave: choice.wave.id, survey, rows, groups };
    page.html("staff/areas.html", &context)
}

/// The title of a wave's questionnaire in the person's language.
fn title(app: &App, wave: &crate::store::Wave, survey: &str, lang: Lang) -> String {
    wave.questionnaires
        .iter()
        .find(|(id, _)| id == survey)
        .and_then(|(id, v)| crate::service::waves::in_wave(app, wave, id, *v))
        .map_or(survey.to_string(), |s| s.title.get(lang).to_string())
}

#[derive(Serialize)]
struct QuestionnaireCounts {
    title: String,
    /// As published: none when hidden.
    submitted: Option<u32>,
    drafts: Option<i64>,
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

impl AreaFigure {
    fn new(figures: &Figures, f: &Figure, lang: Lang) -> AreaFigure {
        let variable = &figures.variables[f.variable];
        let share = variable.kind() == Kind::Share;
        let (scale, unit) = if share { (100.0, "%") } else { (1.0, "") };
        let number = |x: f64| format!("{}{unit}", format::decimal(x * scale, lang));
        let e = f.estimate.as_ref();
        AreaFigure {
            label: variable.label.get(lang).to_string(),
            estimate: e.map(|e| number(e.estimate)),
            interval: e.map(|e| match e.interval {
                Some(i) => format!(
                    "{}–{}{unit}",
                    format::decimal(i.low * scale, lang),
                    format::decimal(i.high * scale, lang)
                ),
                None => "–".into(),
            }),
            at: e.map_or(0.0, |e| e.estimate * scale),
            low: e.map_or(0.0, |e| e.interval.map_or(e.estimate, |i| i.low) * scale),
            high: e.map_or(0.0, |e| e.interval.map_or(e.estimate, |i| i.high) * scale),
            n: f.n,
        }
    }
}

#[derive(Serialize)]
struct AreaPage {
    staff: StaffView,
    figures: Vec<AreaFigure>,
    weighted: bool,
    code: String,
    name: String,
    wave: String,
    /// Every wave, for the filter.
    waves: Vec<String>,
    questionnaires: Vec<QuestionnaireCounts>,
    min_cell: u32,
}

impl AreaPage {
    fn new(
        page: &Page<'_>,
        staff: StaffView,
        area: &Area,
        fieldwork: &AreaFieldwork,
        choice: Choice,
    ) -> AreaPage {
        let lang = page.lang;
        let figures = &fieldwork.figures;
        let own = |f: &&Figure| matches!(&f.group, Group::Area(a) if *a == area.code);
        let questionnaire = |q: &QuestionnaireProgress| QuestionnaireCounts {
            title: q.survey.title.get(lang).to_string(),
            submitted: q.counts.submitted,
            drafts: q.counts.drafts,
        };
        AreaPage {
            staff,
            figures: figures
                .figures
                .iter()
                .filter(own)
                .map(|f| AreaFigure::new(figures, f, lang))
                .collect(),
            weighted: figures.weighted,
            code: area.code.to_string(),
            name: area.name.get(lang).to_string(),
            wave: choice.wave.id,
            waves: choice.waves.into_iter().map(|w| w.id).collect(),
            questionnaires: fieldwork.questionnaires.iter().map(questionnaire).collect(),
            min_cell: page.app.policy.threshold(),
        }
    }
}

/// One area's fieldwork and published figures. An official asking for another area gets 403,
/// whatever the code.
#[get("/areas/<code>?<query..>")]
async fn area(
    staff: Staff,
    code: &str,
    query: FiguresQuery<'_>,
    page: Page<'_>,
) -> Result<RawHtml<String>, WebError> {
    let area = staff.area(page.app, code)?;
    let choice = chosen(page.app, &query).await?;
    let (app, code, choice_ref) = (page.app.clone(), area.code.clone(), choice.clone());
    let fieldwork = blocking(move || areas::area(&app, &code, &choice_ref)).await??;
    let context = AreaPage::new(&page, staff.view(), area, &fieldwork, choice);
    page.html("staff/area.html", &context)
}
