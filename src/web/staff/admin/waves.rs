//! Waves (`service::waves`): create, close, open again.

use rocket::http::Status;
use rocket::response::Redirect;
use rocket::response::content::RawHtml;
use rocket::{Route, get, post, routes};
use serde::Serialize;

use super::{FormError, checked, fields};
use crate::service::waves::{self, CreateWaveError, WaveProblem, WaveRequest, WaveRule};
use crate::store::{Wave, WaveStatus};
use crate::web::form::FormFields;
use crate::web::staff::{Administrator, StaffView};
use crate::web::{Page, WebError, blocking};

pub fn routes() -> Vec<Route> {
    routes![list, create, close, open]
}

/// What was typed in the new-wave form, shown again with its errors.
#[derive(Serialize)]
struct WaveForm {
    id: String,
    title_vi: String,
    title_en: String,
    opens_on: String,
    closes_on: String,
    questionnaires: Vec<String>,
}

impl WaveForm {
    fn read(form: &FormFields) -> WaveForm {
        WaveForm {
            id: form.get("id").trim().to_string(),
            title_vi: form.get("title_vi").trim().to_string(),
            title_en: form.get("title_en").trim().to_string(),
            opens_on: form.get("opens_on").trim().to_string(),
            closes_on: form.get("closes_on").trim().to_string(),
            questionnaires: fields(form, "questionnaire").map(str::to_string).collect(),
        }
    }

    fn request(&self) -> WaveRequest {
        WaveRequest {
            id: self.id.clone(),
            title_vi: self.title_vi.clone(),
            title_en: self.title_en.clone(),
            opens_on: self.opens_on.clone(),
            closes_on: self.closes_on.clone(),
            questionnaires: self.questionnaires.clone(),
        }
    }

    /// A refused field as the form shows it, in the person's language.
    fn error(&self, page: &Page<'_>, p: &WaveProblem) -> FormError {
        let (key, value) = match (p.problem, p.field) {
            (WaveRule::Id, _) => ("err_wave_id", self.id.as_str()),
            (WaveRule::DateFormat, "opens_on") => ("err_date_format", self.opens_on.as_str()),
            (WaveRule::DateFormat, _) => ("err_date_format", self.closes_on.as_str()),
            (WaveRule::DatesOrder, _) => ("err_wave_dates_order", ""),
            (WaveRule::NoQuestionnaire, _) => ("err_wave_questionnaires", ""),
            (WaveRule::Exists, _) => ("err_wave_exists", self.id.as_str()),
        };
        FormError::new(page, p.field, key, value)
    }
}

/// A wave with the VSIC version its sectors are in.
#[derive(Serialize)]
struct WaveRow {
    #[serde(flatten)]
    wave: Wave,
    vsic: String,
}

#[derive(Serialize)]
struct WavesPage {
    staff: StaffView,
    waves: Vec<WaveRow>,
    questionnaires: Vec<(String, u32, String)>,
    errors: Vec<FormError>,
    typed: Option<WaveForm>,
}

async fn render(
    admin: &Administrator,
    page: &Page<'_>,
    refused: Option<(WaveForm, Vec<FormError>)>,
) -> Result<(Status, RawHtml<String>), WebError> {
    let app = page.app.clone();
    let waves = blocking(move || app.store.read(crate::store::waves)).await??;
    let waves = waves
        .into_iter()
        .map(|wave| WaveRow { vsic: waves::vsic_of(page.app, &wave).name(), wave })
        .collect();
    let questionnaires = page
        .app
        .catalog
        .current_all()
        .iter()
        .map(|s| (s.id.clone(), s.version, s.title.get(page.lang).to_string()))
        .collect();
    let status = if refused.is_some() { Status::UnprocessableEntity } else { Status::Ok };
    let (typed, errors) = refused.map_or((None, vec![]), |(typed, errors)| (Some(typed), errors));
    let context = WavesPage { staff: admin.0.view(), waves, questionnaires, errors, typed };
    Ok((status, page.html("admin/waves.html", &context)?))
}

#[get("/admin/waves")]
async fn list(admin: Administrator, page: Page<'_>) -> Result<(Status, RawHtml<String>), WebError> {
    render(&admin, &page, None).await
}

/// Opens a new wave with the chosen questionnaires at their current versions.
#[post("/admin/waves", data = "<form>")]
async fn create(
    admin: Administrator,
    form: FormFields,
    page: Page<'_>,
) -> Result<(Status, RawHtml<String>), WebError> {
    checked(&admin, &form)?;
    let typed = WaveForm::read(&form);
    let (app, actor, request) = (page.app.clone(), admin.0.actor(&page.address), typed.request());
    match blocking(move || waves::create(&app, &actor, &request)).await? {
        Ok(()) => render(&admin, &page, None).await,
        Err(CreateWaveError::Refused(problems)) => {
            let errors = problems.iter().map(|p| typed.error(&page, p)).collect();
            render(&admin, &page, Some((typed, errors))).await
        }
        Err(CreateWaveError::Store(e)) => Err(e.into()),
    }
}

async fn set_status(
    admin: &Administrator,
    id: &str,
    status: WaveStatus,
    page: &Page<'_>,
) -> Result<Redirect, WebError> {
    let (app, actor, id) = (page.app.clone(), admin.0.actor(&page.address), id.to_string());
    let found = blocking(move || waves::set_status(&app, &actor, &id, status)).await??;
    if found { Ok(Redirect::to("/admin/waves")) } else { Err(WebError::Status(Status::NotFound)) }
}

#[post("/admin/waves/<id>/close", data = "<form>")]
async fn close(
    admin: Administrator,
    id: &str,
    form: FormFields,
    page: Page<'_>,
) -> Result<Redirect, WebError> {
    checked(&admin, &form)?;
    set_status(&admin, id, WaveStatus::Closed, &page).await
}

#[post("/admin/waves/<id>/open", data = "<form>")]
async fn open(
    admin: Administrator,
    id: &str,
    form: FormFields,
    page: Page<'_>,
) -> Result<Redirect, WebError> {
    checked(&admin, &form)?;
    set_status(&admin, id, WaveStatus::Open, &page).await
}
