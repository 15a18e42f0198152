//! Uploading the business-register frame of a wave: checked line by line, all or nothing,
//! audited.

use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::tokio::io::AsyncReadExt;
use rocket::{Route, State, get, post, routes};
use serde::Serialize;

use super::{Administrator, ClientAddress, StaffView};
use crate::app::App;
use crate::auth::SecretToken;
use crate::service::register::{FrameError, import_frame};
use crate::store;
use crate::survey::Lang;
use crate::web::{FiguresCache, Templates, WebError};

pub fn routes() -> Vec<Route> {
    routes![show, upload]
}

#[derive(Serialize)]
struct FrameSummary {
    wave: String,
    strata: usize,
    enterprises: i64,
}

#[derive(Serialize)]
struct FramePage {
    staff: StaffView,
    waves: Vec<FrameSummary>,
    problems: Vec<String>,
    imported: Option<String>,
}

async fn page(
    admin: &Administrator,
    app: &App,
    templates: &Templates,
    lang: Lang,
    problems: Vec<String>,
    imported: Option<String>,
) -> Result<(Status, RawHtml<String>), WebError> {
    let waves = app
        .store
        .call(|s| {
            s.read(|c| {
                let mut out = Vec::new();
                for w in store::waves(c)? {
                    let frame = store::frame(c, &w.id)?;
                    out.push(FrameSummary {
                        strata: frame.len(),
                        enterprises: frame.iter().map(|r| r.3).sum(),
                        wave: w.id,
                    });
                }
                Ok(out)
            })
        })
        .await?;
    let status = if problems.is_empty() { Status::Ok } else { Status::UnprocessableEntity };
    let page = FramePage { staff: admin.0.view(), waves, problems, imported };
    Ok((status, RawHtml(templates.render("admin_frame.html", lang, &page)?)))
}

#[get("/admin/frame")]
async fn show(
    admin: Administrator,
    app: &State<App>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<(Status, RawHtml<String>), WebError> {
    page(&admin, app, templates, lang, vec![], None).await
}

/// The upload form (multipart); every field optional so that a missing token is a 403 and a
/// missing file a clear message, not a parse error.
#[derive(FromForm)]
struct Upload<'r> {
    csrf: Option<&'r str>,
    wave: Option<&'r str>,
    file: Option<TempFile<'r>>,
}

#[post("/admin/frame", data = "<form>")]
#[allow(clippy::too_many_arguments)]
async fn upload(
    admin: Administrator,
    form: Form<Upload<'_>>,
    address: ClientAddress,
    app: &State<App>,
    cache: &State<FiguresCache>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<(Status, RawHtml<String>), WebError> {
    if !SecretToken::from_client(&admin.0.csrf).matches(form.csrf.unwrap_or("")) {
        return Err(WebError::Status(Status::Forbidden));
    }
    let wave = form.wave.unwrap_or("").to_string();
    let bytes = match &form.file {
        Some(file) => read_upload(file).await?,
        None => Vec::new(),
    };
    let complaint = |key: &str| vec![templates.word(key, lang).to_string()];
    if bytes.is_empty() {
        return page(&admin, app, templates, lang, complaint("frame_no_file"), None).await;
    }
    let (app_ref, target, actor, from) =
        (app.inner().clone(), wave.clone(), admin.0.email.clone(), address.0);
    let imported = app
        .store
        .call(move |_| Ok(import_frame(&app_ref, &target, bytes.as_slice(), &actor, Some(&from))))
        .await?;
    match imported {
        Ok(imported) => {
            cache.forget(&wave);
            let done = format!("{wave}: {}", imported.summary());
            page(&admin, app, templates, lang, vec![], Some(done)).await
        }
        Err(FrameError::NoWave(_)) => {
            page(&admin, app, templates, lang, complaint("frame_choose_wave"), None).await
        }
        Err(FrameError::Invalid(problems)) => {
            page(&admin, app, templates, lang, problems, None).await
        }
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
