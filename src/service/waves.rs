//! Survey waves: when respondents may answer, and which wave and questionnaire a dashboard,
//! an area page, a report or an export shows by default.

use std::sync::Arc;

use time::Date;

use super::Actor;
use crate::app::App;
use crate::kernel::format::{parse_iso_date, rfc3339_local_date};
use crate::reference::VsicVersion;
use crate::store::{self, StoreError, Wave, WaveStatus};
use crate::survey::period::Period;
use crate::survey::{RespondentKind, Survey};

/// Whether respondents can answer in a wave on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// Before its opening date.
    NotYetOpen(Date),
    Open,
    /// After its closing date, or closed by an administrator: since that day.
    Closed(Date),
}

impl Availability {
    pub fn is_open(self) -> bool {
        self == Availability::Open
    }
}

/// A wave is open between its opening and closing dates (both included), unless an
/// administrator has closed it.
pub fn availability(wave: &Wave, today: Date) -> Availability {
    let opens = parse_iso_date(&wave.opens_on).unwrap_or(Date::MAX);
    let closes = parse_iso_date(&wave.closes_on).unwrap_or(Date::MIN);
    if wave.status == WaveStatus::Closed {
        let closed = wave.closed_at.as_deref().and_then(rfc3339_local_date);
        return Availability::Closed(closed.map_or(closes, |on| on.min(closes)));
    }
    if today < opens {
        Availability::NotYetOpen(opens)
    } else if today > closes {
        Availability::Closed(closes)
    } else {
        Availability::Open
    }
}

/// The waves respondents can answer in today, newest first.
pub fn open_today(app: &App, today: Date) -> Result<Vec<Wave>, StoreError> {
    let waves = app.store.read(store::waves)?;
    Ok(waves.into_iter().filter(|w| availability(w, today).is_open()).collect())
}

/// The wave a figures page shows: the one asked for, else the newest with submitted responses
/// (to `survey_id` when given), else the newest. `None` only when there is no wave at all or
/// the one asked for does not exist.
pub fn for_figures(
    waves: &[Wave],
    with_submissions: &[String],
    asked: Option<&str>,
) -> Option<Wave> {
    match asked {
        Some(id) => waves.iter().find(|w| w.id == id),
        None => waves.iter().find(|w| with_submissions.contains(&w.id)).or(waves.first()),
    }
    .cloned()
}

/// Every wave, newest first, and the one a figures page shows (see [`for_figures`]).
pub fn choose(
    app: &App,
    asked: Option<&str>,
    survey_id: Option<&str>,
) -> Result<(Vec<Wave>, Option<Wave>), StoreError> {
    let (waves, with_submissions) =
        app.store.read(|c| Ok((store::waves(c)?, store::waves_with_submissions(c, survey_id)?)))?;
    let chosen = for_figures(&waves, &with_submissions, asked);
    Ok((waves, chosen))
}

/// The questionnaire a wave's figures, reports and exports show unless another is asked for:
/// an enterprise questionnaire with an indicator a target names (the city's targets are about
/// enterprises), else the first enterprise questionnaire, else the first of the wave.
pub fn primary_questionnaire(app: &App, wave: &Wave) -> Option<String> {
    let (catalog, targets) = (&app.catalog, &app.reference.targets);
    let surveys: Vec<&Arc<Survey>> =
        wave.questionnaires.iter().filter_map(|(id, v)| catalog.get(id, *v)).collect();
    let targeted =
        |s: &Survey| s.indicators.iter().any(|i| targets.iter().any(|t| t.indicator == i.id));
    let enterprise = |s: &Survey| s.kind == RespondentKind::Enterprise;
    surveys
        .iter()
        .find(|s| enterprise(s) && targeted(s))
        .or_else(|| surveys.iter().find(|s| enterprise(s)))
        .or(surveys.first())
        .map(|s| s.id.clone())
}

/// Questionnaire `id` of `version` as `wave` shows it: placeholders filled with its years.
pub fn in_wave(app: &App, wave: &Wave, id: &str, version: u32) -> Option<Arc<Survey>> {
    match Period::of_wave_opening(&wave.opens_on) {
        Some(period) => app.catalog.in_period(id, version, period),
        None => app.catalog.get(id, version).cloned(),
    }
}

/// The VSIC version of `wave`: the one its enterprise questionnaire asks, in which its register,
/// frame and figures give sectors.
pub fn vsic_of(app: &App, wave: &Wave) -> VsicVersion {
    questionnaire_for(app, wave, RespondentKind::Enterprise)
        .map_or_else(VsicVersion::default, |s| s.vsic)
}

/// The questionnaire the organisations of `kind` answer in `wave`: the primary one for
/// enterprises, the first agency questionnaire for agencies.
pub fn questionnaire_for(app: &App, wave: &Wave, kind: RespondentKind) -> Option<Arc<Survey>> {
    let version = |id: &str| wave.questionnaires.iter().find(|(s, _)| s == id).map(|(_, v)| *v);
    let id = match kind {
        RespondentKind::Enterprise => primary_questionnaire(app, wave)?,
        RespondentKind::Agency => wave
            .questionnaires
            .iter()
            .filter_map(|(id, v)| app.catalog.get(id, *v))
            .find(|s| s.kind == RespondentKind::Agency)?
            .id
            .clone(),
    };
    in_wave(app, wave, &id, version(&id)?).filter(|s| s.kind == kind)
}

/// The waves of a trend ending at `wave`: those that opened no later and ask `survey`, oldest
/// first, with the year each opened.
pub fn trend(waves: &[Wave], wave: &Wave, survey: &str) -> Vec<(i32, String)> {
    let mut ordered: Vec<&Wave> = waves
        .iter()
        .filter(|w| w.opens_on <= wave.opens_on && w.id != wave.id)
        .filter(|w| w.questionnaires.iter().any(|(s, _)| s == survey))
        .collect();
    ordered.sort_by(|a, b| a.opens_on.cmp(&b.opens_on));
    ordered.push(wave);
    ordered.iter().map(|w| (opening_year(w), w.id.clone())).collect()
}

fn opening_year(wave: &Wave) -> i32 {
    wave.opens_on.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0)
}

/// A wave as an administrator asks for it, every field as typed.
#[derive(Debug, Clone, Default)]
pub struct WaveRequest {
    pub id: String,
    pub title_vi: String,
    pub title_en: String,
    pub opens_on: String,
    pub closes_on: String,
    /// Questionnaire ids, each taken at its current version.
    pub questionnaires: Vec<String>,
}

/// A field of a wave request that was refused, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaveProblem {
    pub field: &'static str,
    pub problem: WaveRule,
}

/// The rules a new wave must keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaveRule {
    /// 1–32 letters, digits, `-` or `_`.
    Id,
    /// A date written YYYY-MM-DD.
    DateFormat,
    /// Closing before opening.
    DatesOrder,
    /// No questionnaire of the catalog chosen.
    NoQuestionnaire,
    /// A wave with that id exists.
    Exists,
}

impl WaveRequest {
    /// The wave to create, or every problem of the request.
    pub fn checked(&self, app: &App) -> Result<store::NewWave, Vec<WaveProblem>> {
        let problem = |field, problem| WaveProblem { field, problem };
        let mut problems = Vec::new();
        let questionnaires: Vec<(String, u32)> = self
            .questionnaires
            .iter()
            .filter_map(|q| app.catalog.current(q.trim()).map(|s| (s.id.clone(), s.version)))
            .collect();
        let id = self.id.trim();
        let valid_id = !id.is_empty()
            && id.len() <= 32
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid_id {
            problems.push(problem("id", WaveRule::Id));
        }
        let date = |field: &'static str, text: &str| {
            parse_iso_date(text.trim()).ok_or(problem(field, WaveRule::DateFormat))
        };
        match (date("opens_on", &self.opens_on), date("closes_on", &self.closes_on)) {
            (Ok(open), Ok(close)) if close < open => {
                problems.push(problem("closes_on", WaveRule::DatesOrder));
            }
            (opens, closes) => problems.extend([opens.err(), closes.err()].into_iter().flatten()),
        }
        if questionnaires.is_empty() {
            problems.push(problem("questionnaire", WaveRule::NoQuestionnaire));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let (vi, en) = (self.title_vi.trim(), self.title_en.trim());
        let title = if vi.is_empty() || en.is_empty() {
            crate::app::default_wave_title(id)
        } else {
            crate::kernel::Text::new(vi, en)
        };
        Ok(store::NewWave {
            id: id.to_string(),
            title,
            opens_on: self.opens_on.trim().to_string(),
            closes_on: self.closes_on.trim().to_string(),
            questionnaires,
        })
    }
}

/// Why a wave was not created.
#[derive(Debug)]
pub enum CreateWaveError {
    Refused(Vec<WaveProblem>),
    Store(StoreError),
}

/// Creates a wave, with its audit entry.
pub fn create(app: &App, actor: &Actor, request: &WaveRequest) -> Result<(), CreateWaveError> {
    let wave = request.checked(app).map_err(CreateWaveError::Refused)?;
    let detail = format!("{} to {}", wave.opens_on, wave.closes_on);
    let created = app.store.write(|tx| {
        store::create_wave(tx, &wave)?;
        let address = actor.address.as_deref();
        store::audit(tx, Some(&actor.name), "wave.create", Some(&wave.id), Some(&detail), address)
    });
    match created {
        Ok(()) => Ok(()),
        Err(StoreError::Conflict(_)) => Err(CreateWaveError::Refused(vec![WaveProblem {
            field: "id",
            problem: WaveRule::Exists,
        }])),
        Err(e) => Err(CreateWaveError::Store(e)),
    }
}

/// Closes a wave (no more answers, submissions included) or opens it again, with its audit
/// entry; `false` when there is no such wave.
pub fn set_status(
    app: &App,
    actor: &Actor,
    id: &str,
    status: WaveStatus,
) -> Result<bool, StoreError> {
    let action = if status == WaveStatus::Open { "wave.open" } else { "wave.close" };
    app.store.write(|tx| {
        let found = store::set_wave_status(tx, id, status)?;
        if found {
            store::audit(tx, Some(&actor.name), action, Some(id), None, actor.address.as_deref())?;
        }
        Ok(found)
    })
}

/// Sets who may start a response in a wave (see [`super::access`]), with its audit entry;
/// `false` when there is no such wave.
pub fn set_access(
    app: &App,
    actor: &Actor,
    id: &str,
    access: store::WaveAccess,
) -> Result<bool, StoreError> {
    app.store.write(|tx| {
        let found = store::set_wave_access(tx, id, access)?;
        if found {
            let address = actor.address.as_deref();
            let detail = Some(access.as_str());
            store::audit(tx, Some(&actor.name), "wave.access", Some(id), detail, address)?;
        }
        Ok(found)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::Text;
    use time::macros::date;

    fn wave(status: WaveStatus, closed_at: Option<&str>) -> Wave {
        Wave {
            id: "2027".into(),
            title: Text::new("Đợt 2027", "2027 wave"),
            opens_on: "2027-03-01".into(),
            closes_on: "2027-06-30".into(),
            status,
            closed_at: closed_at.map(str::to_string),
            questionnaires: vec![],
            access: crate::store::WaveAccess::Open,
            agency_register: false,
        }
    }

    #[test]
    fn a_wave_is_open_only_between_its_dates() {
        let open = wave(WaveStatus::Open, None);
        assert_eq!(
            availability(&open, date!(2027 - 02 - 28)),
            Availability::NotYetOpen(date!(2027 - 03 - 01))
        );
        assert!(availability(&open, date!(2027 - 03 - 01)).is_open());
        assert!(availability(&open, date!(2027 - 06 - 30)).is_open());
        assert_eq!(
            availability(&open, date!(2027 - 07 - 01)),
            Availability::Closed(date!(2027 - 06 - 30))
        );
    }

    #[test]
    fn a_wave_closed_by_an_administrator_is_closed_since_that_day_in_hanoi() {
        // 20:00 UTC is already the next day in Hanoi.
        let closed = wave(WaveStatus::Closed, Some("2027-04-10T20:00:00Z"));
        assert_eq!(
            availability(&closed, date!(2027 - 04 - 20)),
            Availability::Closed(date!(2027 - 04 - 11))
        );
        let never_opened = wave(WaveStatus::Closed, None);
        assert_eq!(
            availability(&never_opened, date!(2027 - 01 - 01)),
            Availability::Closed(date!(2027 - 06 - 30))
        );
    }

    #[test]
    fn figures_default_to_the_newest_wave_with_submissions() {
        let mut newer = wave(WaveStatus::Open, None);
        newer.id = "2028".into();
        let waves = vec![newer, wave(WaveStatus::Closed, None)];
        let chosen = |with: &[&str], asked| {
            let with: Vec<String> = with.iter().map(|s| s.to_string()).collect();
            for_figures(&waves, &with, asked).map(|w| w.id)
        };
        assert_eq!(chosen(&["2027"], None).as_deref(), Some("2027"));
        assert_eq!(chosen(&[], None).as_deref(), Some("2028"));
        assert_eq!(chosen(&["2027"], Some("2028")).as_deref(), Some("2028"));
        assert_eq!(chosen(&[], Some("1999")), None);
    }
}
