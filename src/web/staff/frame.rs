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
use crate::frame::read_frame;
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
    let waves = app.store.call(|s| s.read(store::waves)).await?;
    if !waves.iter().any(|w| w.id == wave) {
        return page(
            &admin,
            app,
            templates,
            lang,
            vec![templates.word("frame_choose_wave", lang).to_string()],
            None,
        )
        .await;
    }
    let mut bytes = Vec::new();
    if let Some(file) = &form.file {
        let mut reader = file
            .open()
            .await
            .map_err(|e| WebError::Internal(format!("reading the upload: {e}")))?;
        reader
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| WebError::Internal(format!("reading the upload: {e}")))?;
    }
    if bytes.is_empty() {
        return page(
            &admin,
            app,
            templates,
            lang,
            vec![templates.word("frame_no_file", lang).to_string()],
            None,
        )
        .await;
    }
    let rows = match read_frame(bytes.as_slice(), &app.reference) {
        Ok(rows) => rows,
        Err(problems) => return page(&admin, app, templates, lang, problems, None).await,
    };
    let total: u64 = rows.iter().map(|r| r.enterprises).sum();
    let detail = format!("{} strata, {total} enterprises", rows.len());
    let (actor, target, from, note) =
        (admin.0.email.clone(), wave.clone(), address.0, detail.clone());
    app.store
        .call(move |s| {
            s.write(|tx| {
                store::replace_frame(tx, &target, &rows)?;
                store::audit(
                    tx,
                    Some(&actor),
                    "frame.import",
                    Some(&target),
                    Some(&note),
                    Some(&from),
                )
            })
        })
        .await?;
    cache.forget(&wave);
    page(&admin, app, templates, lang, vec![], Some(format!("{wave}: {detail}"))).await
}
