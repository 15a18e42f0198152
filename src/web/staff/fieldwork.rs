//! Following up a ward's sample (`service::followup`): the sampled organisations with their
//! status (never an answer), contacts recorded, letters printed. Only for those who may see the
//! ward; an official asking for another ward gets 403.

use rocket::Either;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::response::content::RawHtml;
use rocket::{Route, get, post, routes};
use serde::Serialize;

use super::{Staff, StaffView};
use crate::kernel::{Lang, format};
use crate::service::followup::{self, Contact, FieldStatus};
use crate::service::letters::{self, LetterError, LetterRequest};
use crate::service::{access, waves};
use crate::store::{Channel, FieldUnit, UnitEventKind};
use crate::survey::RespondentKind;
use crate::web::form::FormFields;
use crate::web::reports::Pdf;
use crate::web::stats::{FiguresQuery, chosen};
use crate::web::{BaseUrl, Page, WebError, blocking};

pub fn routes() -> Vec<Route> {
    routes![show, record, letters_pdf]
}

#[derive(Serialize)]
struct UnitRow {
    /// The tax code, or the agency's code.
    code: String,
    /// An enterprise's sector and size, or an agency's kind.
    kind: crate::store::UnitKind,
    class: String,
    name: String,
    address: String,
    phone: String,
    status: &'static str,
    last_contact: Option<String>,
    mail_failed: bool,
}

impl UnitRow {
    fn new(
        unit: FieldUnit,
        status: FieldStatus,
        lang: Lang,
        kinds: &[(String, String)],
    ) -> UnitRow {
        let class = match (&unit.agency_kind, &unit.vsic_section, &unit.size_class) {
            (Some(kind), _, _) => {
                kinds.iter().find(|(id, _)| id == kind).map_or(kind.clone(), |(_, l)| l.clone())
            }
            (None, Some(section), Some(size)) => format!("{section} · {size}"),
            _ => String::new(),
        };
        UnitRow {
            status: status.as_str(),
            mail_failed: unit.mail_failed,
            last_contact: unit.last_contact.as_deref().map(|at| format::rfc3339_moment(at, lang)),
            class,
            kind: unit.kind,
            code: unit.code,
            name: unit.name,
            address: unit.address.unwrap_or_default(),
            phone: unit.phone.unwrap_or_default(),
        }
    }
}

#[derive(Serialize)]
struct FieldworkPage {
    staff: StaffView,
    code: String,
    name: String,
    wave: String,
    units: Vec<UnitRow>,
    /// Sampled, responded, unit and weighted rates (formatted).
    sampled: usize,
    responded: usize,
    unit_rate: String,
    weighted_rate: String,
    /// The ward's agencies, when the register lists some: responded, invited, rate.
    agencies: Option<(usize, usize, String)>,
    recorded: bool,
    /// The tax code of the unit whose form was refused, and why.
    problem: Option<(String, String)>,
    channels: Vec<&'static str>,
}

#[get("/areas/<code>/fieldwork?<recorded>&<query..>")]
async fn show(
    staff: Staff,
    code: &str,
    recorded: bool,
    query: FiguresQuery<'_>,
    page: Page<'_>,
) -> Result<RawHtml<String>, WebError> {
    let area = staff.area(page.app, code)?;
    let choice = chosen(page.app, &query).await?;
    let shown = Shown { recorded, problem: None };
    Ok(render(&staff, &page, area, &choice.wave, shown).await?.1)
}

/// What the page says about the last form sent.
struct Shown {
    recorded: bool,
    /// A refused form: the unit's tax code and the message.
    problem: Option<(String, String)>,
}

async fn render(
    staff: &Staff,
    page: &Page<'_>,
    area: &crate::reference::Area,
    wave: &crate::store::Wave,
    shown: Shown,
) -> Result<(Status, RawHtml<String>), WebError> {
    let (app, wave_id, area_code) = (page.app.clone(), wave.id.clone(), area.code.to_string());
    let units = blocking(move || followup::units_of_area(&app, &wave_id, &area_code)).await??;
    let plain: Vec<FieldUnit> = units.iter().map(|(u, _)| u.clone()).collect();
    let rates = followup::rates(&plain);
    let city = rates.iter().find(|r| r.breakdown == "city");
    let agencies = rates.iter().find(|r| r.breakdown == "agencies");
    let lang = page.lang;
    let kinds = waves::questionnaire_for(page.app, wave, RespondentKind::Agency)
        .map(|s| access::agency_kind_labels(&s, lang))
        .unwrap_or_default();
    let percent = |x: f64| format::percent(x, lang);
    let status = if shown.problem.is_some() { Status::UnprocessableEntity } else { Status::Ok };
    let context = FieldworkPage {
        staff: staff.view(),
        code: area.code.to_string(),
        name: area.name.get(lang).to_string(),
        wave: wave.id.clone(),
        sampled: city.as_ref().map_or(0, |r| r.sampled),
        responded: city.as_ref().map_or(0, |r| r.responded),
        unit_rate: city.as_ref().map_or_else(String::new, |r| percent(r.unit_rate)),
        weighted_rate: city.as_ref().map_or_else(String::new, |r| percent(r.weighted_rate)),
        agencies: agencies.map(|r| (r.responded, r.sampled, percent(r.unit_rate))),
        units: units.into_iter().map(|(u, s)| UnitRow::new(u, s, lang, &kinds)).collect(),
        recorded: shown.recorded,
        problem: shown.problem,
        channels: Channel::ALL.iter().map(|c| c.as_str()).collect(),
    };
    Ok((status, page.html("staff/fieldwork.html", &context)?))
}

/// Records a contact with a sampled organisation of the ward, then shows the list again.
#[post("/areas/<code>/fieldwork?<query..>", data = "<form>")]
async fn record(
    staff: Staff,
    code: &str,
    form: FormFields,
    query: FiguresQuery<'_>,
    page: Page<'_>,
) -> Result<Either<Redirect, (Status, RawHtml<String>)>, WebError> {
    if !staff.sent(&form) {
        return Err(WebError::Status(Status::Forbidden));
    }
    let place = staff.area(page.app, code)?;
    let area = place.code.to_string();
    let choice = chosen(page.app, &query).await?;
    let kind = UnitEventKind::parse(form.get("outcome"))
        .filter(|k| {
            matches!(
                k,
                UnitEventKind::Contact | UnitEventKind::Refused | UnitEventKind::Unreachable
            )
        })
        .ok_or(WebError::Status(Status::UnprocessableEntity))?;
    let channel = Channel::parse(form.get("channel"));
    let note: String = form.get("note").trim().chars().take(2000).collect();
    let contact = Contact { kind, channel, note };
    let (app, actor) = (page.app.clone(), staff.actor(&page.address));
    let (wave, code, ward) = (choice.wave.id.clone(), form.get("code").to_string(), area.clone());
    let recorded =
        blocking(move || followup::record_contact(&app, &actor, &wave, &ward, &code, contact))
            .await?;
    match recorded {
        Ok(true) => Ok(Either::Left(Redirect::to(format!(
            "/areas/{area}/fieldwork?wave={}&recorded=true",
            choice.wave.id
        )))),
        Ok(false) => Err(WebError::Status(Status::NotFound)),
        Err(crate::service::cases::CaseError::NoReason) => {
            let problem = Some((form.get("code").to_string(), page.word("err_note_needed")));
            let shown = Shown { recorded: false, problem };
            Ok(Either::Right(render(&staff, &page, place, &choice.wave, shown).await?))
        }
        Err(e) => Err(WebError::Internal(e.to_string())),
    }
}

#[derive(Serialize)]
struct NoContactPage {
    status: u16,
    message: String,
    staff: StaffView,
}

/// The letters of the ward's invited organisations, to deliver by hand.
#[get("/areas/<code>/letters.pdf?<query..>")]
async fn letters_pdf(
    staff: Staff,
    code: &str,
    query: FiguresQuery<'_>,
    page: Page<'_>,
    base: BaseUrl,
) -> Result<Either<Pdf, (Status, RawHtml<String>)>, WebError> {
    let area = staff.area(page.app, code)?.code.to_string();
    let choice = chosen(page.app, &query).await?;
    let request = LetterRequest {
        wave: choice.wave.id.clone(),
        areas: None,
        public_url: base.0,
        fallback_contact: page.config.contact.clone(),
    };
    let (app, actor, ward) = (page.app.clone(), staff.actor(&page.address), area.clone());
    match blocking(move || letters::ward_letters(&app, &actor, &request, &ward)).await? {
        Ok(bytes) => {
            Ok(Either::Left(Pdf::named(bytes, &format!("letters-{area}-{}.pdf", choice.wave.id))))
        }
        Err(LetterError::NoneInvited(..)) => Err(WebError::Status(Status::NotFound)),
        Err(LetterError::NoContact(_)) => {
            // Whom the letters name is the survey office's to set: say what is missing.
            let message = page.word("letters_no_contact");
            let context = NoContactPage { status: 409, message, staff: staff.view() };
            Ok(Either::Right((Status::Conflict, page.html("error.html", &context)?)))
        }
        Err(other) => Err(WebError::Internal(other.to_string())),
    }
}
