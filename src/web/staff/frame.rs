//! Uploading the business-register frame of a wave, as counts per stratum or as the named
//! register it derives from, and the wave's public agencies: checked line by line, all or
//! nothing, audited (`service::register`).

use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::tokio::io::AsyncReadExt;
use rocket::{Route, get, post, routes};
use serde::Serialize;

use super::{Administrator, StaffView};
use crate::auth::SecretToken;
use crate::service::register::{self, FrameError, import_agencies, import_frame, import_register};
use crate::web::{Page, WebError, blocking};

pub fn routes() -> Vec<Route> {
    routes![show, upload]
}

#[derive(Serialize)]
struct FrameSummary {
    wave: String,
    strata: usize,
    enterprises: i64,
    agencies: i64,
}

#[derive(Serialize)]
struct FramePage {
    staff: StaffView,
    waves: Vec<FrameSummary>,
    problems: Vec<String>,
    imported: Option<String>,
}

/// The page with every wave's frame, and the outcome of an upload: the problems found (422),
/// or what was imported.
async fn render(
    admin: &Administrator,
    page: &Page<'_>,
    problems: Vec<String>,
    imported: Option<String>,
) -> Result<(Status, RawHtml<String>), WebError> {
    let app = page.app.clone();
    let waves = blocking(move || register::frames(&app))
        .await??
        .into_iter()
        .map(|f| FrameSummary {
            wave: f.wave,
            strata: f.strata,
            enterprises: f.enterprises,
            agencies: f.agencies,
        })
        .collect();
    let status = if problems.is_empty() { Status::Ok } else { Status::UnprocessableEntity };
    let context = FramePage { staff: admin.0.view(), waves, problems, imported };
    Ok((status, page.html("admin/frame.html", &context)?))
}

#[get("/admin/frame")]
async fn show(admin: Administrator, page: Page<'_>) -> Result<(Status, RawHtml<String>), WebError> {
    render(&admin, &page, vec![], None).await
}

/// The upload form (multipart); every field optional so that a missing token is a 403 and a
/// missing file a clear message, not a parse error.
#[derive(FromForm)]
struct Upload<'r> {
    csrf: Option<&'r str>,
    wave: Option<&'r str>,
    /// `register` for a named register (one line per enterprise), `agencies` for the public
    /// agencies (one line per agency), else counts per stratum.
    kind: Option<&'r str>,
    file: Option<TempFile<'r>>,
}

#[post("/admin/frame", data = "<form>")]
async fn upload(
    admin: Administrator,
    form: Form<Upload<'_>>,
    page: Page<'_>,
) -> Result<(Status, RawHtml<String>), WebError> {
    if !SecretToken::from_client(&admin.0.csrf).matches(form.csrf.unwrap_or("")) {
        return Err(WebError::Status(Status::Forbidden));
    }
    let bytes = match &form.file {
        Some(file) => read_upload(file).await?,
        None => Vec::new(),
    };
    if bytes.is_empty() {
        return render(&admin, &page, vec![page.word("frame_no_file")], None).await;
    }
    let wave = form.wave.unwrap_or("").to_string();
    let (app, target, actor) = (page.app.clone(), wave.clone(), admin.0.actor(&page.address));
    let kind = form.kind.unwrap_or("frame").to_string();
    let imported = blocking(move || match kind.as_str() {
        "register" => import_register(&app, &target, bytes.as_slice(), &actor).map(|i| i.summary()),
        "agencies" => import_agencies(&app, &target, bytes.as_slice(), &actor).map(|a| a.summary()),
        _ => import_frame(&app, &target, bytes.as_slice(), &actor).map(|i| i.summary()),
    });
    match imported.await? {
        Ok(summary) => {
            let done = format!("{wave}: {summary}");
            render(&admin, &page, vec![], Some(done)).await
        }
        Err(FrameError::NoWave(_)) => {
            render(&admin, &page, vec![page.word("frame_choose_wave")], None).await
        }
        Err(FrameError::Invalid(problems)) => render(&admin, &page, problems, None).await,
        Err(FrameError::Store(e)) => Err(e.into()),
    }
}

/// The bytes of an uploaded file.
async fn read_upload(file: &TempFile<'_>) -> Result<Vec<u8>, WebError> {
    let mut bytes = Vec::new();
    let mut reader =
        file.open().await.map_err(|e| WebError::Internal(format!("reading the upload: {e}")))?;
    reader
        .read_to_end(&mut bytes)
        .await
        .map_err(|e| WebError::Internal(format!("reading the upload: {e}")))?;
    Ok(bytes)
}
