//! The fieldwork of a wave for administrators: who may start, the register, the sample (its
//! expected precision per ward shown before it is drawn), the access codes, e-mail, and the
//! mail-merge file. Every change goes through its use case, audited.

use rocket::http::{ContentType, Header, Status};
use rocket::response::content::RawHtml;
use rocket::{Responder, Route, get, post, routes};
use serde::Serialize;

use super::checked;
use crate::app::App;
use crate::kernel::format;
use crate::service::sample::{self, SampleRequest};
use crate::service::{invitations, mail, waves};
use crate::store::{self, MailKind, WaveAccess};
use crate::web::form::FormFields;
use crate::web::staff::{Administrator, StaffView};
use crate::web::{BaseUrl, Page, WebError, blocking};

pub fn routes() -> Vec<Route> {
    routes![show, set_access, sample_form, issue_codes, queue_mail, schedule_reminder, mail_merge]
}

#[derive(Serialize)]
struct SampleView {
    total: u32,
    seed: u64,
    min_per_ward_size: u32,
    prior: String,
    drawn_at: String,
}

/// A sample proposed and not yet drawn, with the precision it would give each ward.
#[derive(Serialize)]
struct ProposalView {
    size: u32,
    min_per_ward_size: u32,
    prior: f64,
    prior_wave: Option<String>,
    seed: u64,
    strata: usize,
    take_all: u32,
    /// Ward name and expected standard error of its share, in percentage points.
    wards: Vec<(String, String)>,
}

#[derive(Serialize)]
struct FieldworkPage {
    staff: StaffView,
    waves: Vec<String>,
    wave: String,
    access: &'static str,
    register: i64,
    /// Public agencies in the register (all invited).
    agencies: i64,
    sample: Option<SampleView>,
    proposal: Option<ProposalView>,
    invited: usize,
    uninvited: usize,
    mail: Vec<(String, String, i64)>,
    /// Reminder dates (as people read them) and whether each is done.
    reminders: Vec<(String, bool)>,
    smtp: bool,
    message: Option<String>,
    problems: Vec<String>,
}

/// What the page shows besides the wave's state.
#[derive(Default)]
struct Outcome {
    proposal: Option<ProposalView>,
    message: Option<String>,
    problems: Vec<String>,
}

/// The wave asked for, or the newest.
fn wave_or_newest(app: &App, asked: Option<&str>) -> Result<(Vec<String>, String), WebError> {
    let all: Vec<String> = app.store.read(store::waves)?.into_iter().map(|w| w.id).collect();
    let wave = match asked {
        Some(id) if all.iter().any(|w| w == id) => id.to_string(),
        Some(_) => return Err(WebError::Status(Status::NotFound)),
        None => all.first().cloned().ok_or(WebError::Status(Status::NotFound))?,
    };
    Ok((all, wave))
}

async fn render(
    admin: &Administrator,
    page: &Page<'_>,
    wave: Option<&str>,
    outcome: Outcome,
) -> Result<(Status, RawHtml<String>), WebError> {
    let (app, asked) = (page.app.clone(), wave.map(str::to_string));
    let state = blocking(move || -> Result<_, WebError> {
        let (waves, wave) = wave_or_newest(&app, asked.as_deref())?;
        let found =
            app.store.read(|c| store::wave(c, &wave))?.ok_or(WebError::Status(Status::NotFound))?;
        let counts = app.store.read(|c| {
            Ok((
                (store::register_size(c, &wave)?, store::agency_register_size(c, &wave)?.0),
                store::sample_of(c, &wave)?,
                store::invited(c, &wave, None)?.len(),
                store::uninvited(c, &wave)?.len(),
                store::mail_counts(c, &wave)?,
                store::reminder_dates(c, &wave)?,
            ))
        })?;
        Ok((waves, found, counts))
    })
    .await??;
    let (waves, wave, (register, sample, invited, uninvited, mail, reminders)) = state;
    let status = if outcome.problems.is_empty() { Status::Ok } else { Status::UnprocessableEntity };
    let context = FieldworkPage {
        staff: admin.0.view(),
        waves,
        access: wave.access.as_str(),
        register: register.0,
        agencies: register.1,
        sample: sample.map(|s| SampleView {
            total: s.total,
            seed: s.seed,
            min_per_ward_size: s.min_per_ward_size,
            prior: format::decimal(s.prior, page.lang),
            drawn_at: format::rfc3339_moment(&s.drawn_at, page.lang),
        }),
        proposal: outcome.proposal,
        invited,
        uninvited,
        mail,
        reminders: reminders
            .into_iter()
            .map(|(on, done)| (format::iso_date(&on, page.lang), done.is_some()))
            .collect(),
        smtp: page.config.smtp.is_some(),
        message: outcome.message,
        problems: outcome.problems,
        wave: wave.id,
    };
    Ok((status, page.html("admin/fieldwork.html", &context)?))
}

#[get("/admin/fieldwork?<wave>")]
async fn show(
    admin: Administrator,
    wave: Option<&str>,
    page: Page<'_>,
) -> Result<(Status, RawHtml<String>), WebError> {
    render(&admin, &page, wave, Outcome::default()).await
}

#[post("/admin/fieldwork/access?<wave>", data = "<form>")]
async fn set_access(
    admin: Administrator,
    wave: &str,
    form: FormFields,
    page: Page<'_>,
) -> Result<(Status, RawHtml<String>), WebError> {
    checked(&admin, &form)?;
    let access = WaveAccess::parse(form.get("access"))
        .ok_or(WebError::Status(Status::UnprocessableEntity))?;
    let (app, actor, id) = (page.app.clone(), admin.0.actor(&page.address), wave.to_string());
    if !blocking(move || waves::set_access(&app, &actor, &id, access)).await?? {
        return Err(WebError::Status(Status::NotFound));
    }
    let message = Some(page.word(&format!("access_{}", access.as_str())));
    render(&admin, &page, Some(wave), Outcome { message, ..Outcome::default() }).await
}

/// The sample form: `action=propose` shows the allocation and each ward's expected precision;
/// `action=draw` draws it (once).
#[post("/admin/fieldwork/sample?<wave>", data = "<form>")]
async fn sample_form(
    admin: Administrator,
    wave: &str,
    form: FormFields,
    page: Page<'_>,
) -> Result<(Status, RawHtml<String>), WebError> {
    checked(&admin, &form)?;
    let number = |name: &str| form.get(name).trim().parse::<f64>().ok();
    let (Some(size), Some(min), Some(prior), Some(seed)) =
        (number("size"), number("min_per_ward_size"), number("prior"), number("seed"))
    else {
        let problems = vec![page.word("err_sample_numbers")];
        return render(&admin, &page, Some(wave), Outcome { problems, ..Outcome::default() }).await;
    };
    let request = SampleRequest {
        total: size.max(0.0) as u32,
        min_per_ward_size: min.max(0.0) as u32,
        prior,
        prior_wave: Some(form.get("prior_wave").trim())
            .filter(|w| !w.is_empty())
            .map(str::to_string),
        seed: seed.max(0.0) as u64,
    };
    let draw = form.get("action") == "draw";
    let (app, actor, id, lang) =
        (page.app.clone(), admin.0.actor(&page.address), wave.to_string(), page.lang);
    let outcome = blocking(move || {
        let proposal = sample::propose(&app, &id, &request)?;
        if draw {
            let drawn = sample::draw(&app, &id, &request, &proposal, &actor)?;
            return Ok(Outcome {
                message: Some(format!("{} / {}", drawn.units, drawn.strata)),
                ..Outcome::default()
            });
        }
        let wards = proposal
            .wards
            .iter()
            .map(|(area, se)| {
                let name = app
                    .reference
                    .area(area)
                    .map_or(area.to_string(), |a| a.name.get(lang).to_string());
                (name, format::decimal(se * 100.0, lang))
            })
            .collect();
        let view = ProposalView {
            size: request.total,
            min_per_ward_size: request.min_per_ward_size,
            prior: request.prior,
            prior_wave: request.prior_wave.clone(),
            seed: request.seed,
            strata: proposal.strata.len(),
            take_all: proposal.take_all,
            wards,
        };
        Ok::<_, sample::SampleError>(Outcome { proposal: Some(view), ..Outcome::default() })
    })
    .await?
    .unwrap_or_else(|e| Outcome { problems: vec![e.to_string()], ..Outcome::default() });
    render(&admin, &page, Some(wave), outcome).await
}

#[post("/admin/fieldwork/invitations?<wave>", data = "<form>")]
async fn issue_codes(
    admin: Administrator,
    wave: &str,
    form: FormFields,
    page: Page<'_>,
) -> Result<(Status, RawHtml<String>), WebError> {
    checked(&admin, &form)?;
    let (app, actor, id) = (page.app.clone(), admin.0.actor(&page.address), wave.to_string());
    let outcome = match blocking(move || invitations::issue(&app, &id, &actor)).await? {
        Ok(issued) => Outcome {
            message: Some(page.word("codes_issued").replace("{count}", &issued.len().to_string())),
            ..Outcome::default()
        },
        Err(e) => Outcome { problems: vec![e.to_string()], ..Outcome::default() },
    };
    render(&admin, &page, Some(wave), outcome).await
}

#[post("/admin/fieldwork/mail?<wave>", data = "<form>")]
async fn queue_mail(
    admin: Administrator,
    wave: &str,
    form: FormFields,
    page: Page<'_>,
) -> Result<(Status, RawHtml<String>), WebError> {
    checked(&admin, &form)?;
    let kind = match form.get("kind") {
        "invitation" => MailKind::Invitation,
        "reminder" => MailKind::Reminder,
        _ => return Err(WebError::Status(Status::UnprocessableEntity)),
    };
    let (app, actor, id) = (page.app.clone(), admin.0.actor(&page.address), wave.to_string());
    let outcome = match blocking(move || mail::queue(&app, &actor, &id, kind)).await? {
        Ok(queued) => Outcome {
            message: Some(page.word("mail_queued").replace("{count}", &queued.to_string())),
            ..Outcome::default()
        },
        Err(e) => Outcome { problems: vec![e.to_string()], ..Outcome::default() },
    };
    render(&admin, &page, Some(wave), outcome).await
}

/// Adds a reminder date: on it the server reminds those who have not submitted.
#[post("/admin/fieldwork/reminders?<wave>", data = "<form>")]
async fn schedule_reminder(
    admin: Administrator,
    wave: &str,
    form: FormFields,
    page: Page<'_>,
) -> Result<(Status, RawHtml<String>), WebError> {
    checked(&admin, &form)?;
    let (app, actor, id) = (page.app.clone(), admin.0.actor(&page.address), wave.to_string());
    let dates = vec![form.get("on").to_string()];
    let outcome = match blocking(move || mail::schedule(&app, &actor, &id, &dates)).await? {
        Ok(()) => Outcome { message: Some(page.word("reminder_scheduled")), ..Outcome::default() },
        Err(mail::ScheduleError::Store(e)) => return Err(e.into()),
        Err(mail::ScheduleError::NotADate(typed)) => Outcome {
            problems: vec![page.word("err_date_format").replace("{value}", &typed)],
            ..Outcome::default()
        },
        Err(e) => Outcome { problems: vec![e.to_string()], ..Outcome::default() },
    };
    render(&admin, &page, Some(wave), outcome).await
}

/// A CSV served as a download.
#[derive(Responder)]
struct Csv {
    body: (ContentType, Vec<u8>),
    disposition: Header<'static>,
}

/// Every invited enterprise's code and link, for offices that print or send letters another
/// way (the codes do not change by being written again).
#[get("/admin/fieldwork/mail-merge.csv?<wave>")]
async fn mail_merge(
    admin: Administrator,
    wave: &str,
    page: Page<'_>,
    base: BaseUrl,
) -> Result<Csv, WebError> {
    let (app, id, actor) = (page.app.clone(), wave.to_string(), admin.0.actor(&page.address));
    let bytes = blocking(move || -> Result<Vec<u8>, WebError> {
        let mut bytes = Vec::new();
        invitations::export_mail_merge(&app, &actor, &id, &base.0, &mut bytes)
            .map_err(|e| WebError::Internal(e.to_string()))?;
        Ok(bytes)
    })
    .await??;
    let disposition = format!("attachment; filename=\"mail-merge-{wave}.csv\"");
    Ok(Csv {
        body: (ContentType::CSV, bytes),
        disposition: Header::new("Content-Disposition", disposition),
    })
}
