//! Figures as JSON, a page at a time: the city's (statisticians and administrators) and one
//! ward's (anyone who may see that ward). Each answer says when its figures were computed (they
//! are kept a few minutes, `service::figures`), how many there are in all, and the link to the
//! next page.

use rocket::get;
use rocket::http::{ContentType, RawStr};
use serde::Serialize;

use super::{Api, Conditions, Problem, Reply, blocking, choose, given, moment};
use crate::app::App;
use crate::figures::{Breakdown, Figure, Figures};
use crate::reference::AreaCode;
use crate::service::Actor;
use crate::service::figures as figures_service;
use crate::service::publish::{self, ApiFigures, ApiScope};
use crate::stats::{self, Suppression};
use crate::web::WebError;
use crate::web::staff::{CityViewer, Staff};

/// Figures in a page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: usize = 1_000;
/// The most figures in a page.
pub const MAX_LIMIT: usize = 10_000;

/// The city's figures.
#[get("/api/v1/figures?<wave>&<survey>&<breakdown>&<indicator>&<limit>&<offset>")]
pub async fn figures(
    api: Api<'_, CityViewer>,
    wave: Option<&str>,
    survey: Option<&str>,
    breakdown: Option<&str>,
    indicator: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> Result<Reply, Problem> {
    let asked = Asked::parse([wave, survey, breakdown, indicator, limit, offset], &Breakdown::ALL)?;
    let actor = api.who.0.actor(&api.page.address);
    answer(api.page.app, actor, api.conditions, asked, ApiScope::City).await
}

/// One ward's figures: its `area`, `area_size_class` and `area_vsic_section` rows, as published
/// (suppressed cells stay suppressed). An official asking for another ward gets 403.
#[allow(clippy::too_many_arguments)] // Rocket hands over each query parameter as an argument.
#[get("/api/v1/areas/<code>/figures?<wave>&<survey>&<breakdown>&<indicator>&<limit>&<offset>")]
pub async fn area_figures(
    api: Api<'_, Staff>,
    code: &str,
    wave: Option<&str>,
    survey: Option<&str>,
    breakdown: Option<&str>,
    indicator: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> Result<Reply, Problem> {
    let area = api.who.area(api.page.app, code).map_err(|e| match e {
        WebError::Status(s) if s.code == 404 => Problem::unknown_area(code),
        other => other.into(),
    })?;
    const OF_AREAS: [Breakdown; 3] =
        [Breakdown::Area, Breakdown::AreaSizeClass, Breakdown::AreaSection];
    let asked = Asked::parse([wave, survey, breakdown, indicator, limit, offset], &OF_AREAS)?;
    let actor = api.who.actor(&api.page.address);
    let scope = ApiScope::Area(area.code.clone());
    answer(api.page.app, actor, api.conditions, asked, scope).await
}

/// A page of figures: from `offset`, at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub limit: usize,
    pub offset: usize,
}

impl Paging {
    pub fn parse(limit: Option<&str>, offset: Option<&str>) -> Result<Paging, Problem> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(text) => text
                .parse()
                .ok()
                .filter(|l| (1..=MAX_LIMIT).contains(l))
                .ok_or_else(|| Problem::bad_parameter("limit", "bad_limit", text))?,
        };
        let offset = match offset {
            None => 0,
            Some(text) => {
                text.parse().map_err(|_| Problem::bad_parameter("offset", "bad_offset", text))?
            }
        };
        Ok(Paging { limit, offset })
    }
}

/// What a figures request asks for, parsed.
struct Asked {
    wave: Option<String>,
    survey: Option<String>,
    breakdown: Option<Breakdown>,
    indicator: Option<String>,
    paging: Paging,
}

impl Asked {
    /// wave, survey, breakdown (one of `breakdowns`), indicator, limit, offset.
    fn parse(query: [Option<&str>; 6], breakdowns: &[Breakdown]) -> Result<Asked, Problem> {
        let [wave, survey, breakdown, indicator, limit, offset] = query;
        let breakdown = match breakdown {
            None => None,
            Some(name) => Some(
                Breakdown::parse(name).filter(|b| breakdowns.contains(b)).ok_or_else(|| {
                    let names: Vec<&str> = breakdowns.iter().map(|b| b.as_str()).collect();
                    Problem::bad_choice("breakdown", "bad_breakdown", &names)
                })?,
            ),
        };
        Ok(Asked {
            wave: given("wave", wave)?,
            survey: given("survey", survey)?,
            breakdown,
            indicator: given("indicator", indicator)?,
            paging: Paging::parse(limit, offset)?,
        })
    }

    /// The link to the page after this one, on the same wave and questionnaire.
    fn next(&self, path: &str, wave: &str, survey: &str, total: usize) -> Option<String> {
        let Paging { limit, offset } = self.paging;
        let next = offset.checked_add(limit).filter(|n| *n < total)?;
        let mut query = vec![("wave", wave), ("survey", survey)];
        if let Some(b) = self.breakdown {
            query.push(("breakdown", b.as_str()));
        }
        if let Some(i) = &self.indicator {
            query.push(("indicator", i));
        }
        let mut link = format!("{path}?");
        for (name, value) in query {
            link.push_str(&format!("{name}={}&", RawStr::new(value).percent_encode()));
        }
        Some(format!("{link}limit={limit}&offset={next}"))
    }
}

/// The answer of `asked` for `scope`, audited by the use case; 400 for an indicator the
/// questionnaire does not have, checked before anything is audited.
async fn answer(
    app: &App,
    actor: Actor,
    conditions: Conditions,
    asked: Asked,
    scope: ApiScope,
) -> Result<Reply, Problem> {
    let app = app.clone();
    blocking(move || {
        let choice = choose(&app, asked.wave.as_deref(), asked.survey.as_deref())?;
        if let Some(indicator) = &asked.indicator {
            let figures = figures_service::figures(&app, &choice)?;
            if !figures.variables.iter().any(|v| v.id() == indicator) {
                return Err(Problem::bad_parameter("indicator", "bad_indicator", indicator));
            }
        }
        let answer = publish::api_figures(&app, &actor, &choice, &scope)?;
        let body = body(&answer, &asked, &scope)?;
        Ok(Reply::bytes(body, ContentType::JSON, &conditions).computed(answer.computed_at))
    })
    .await?
}

/// One figure in the API.
#[derive(Serialize)]
struct ApiFigure<'a> {
    breakdown: &'static str,
    group: String,
    indicator: &'a str,
    estimate: Option<f64>,
    se: Option<f64>,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
    cv: Option<f64>,
    n: Option<u32>,
    weighted_n: Option<f64>,
    suppressed: bool,
}

impl<'a> ApiFigure<'a> {
    fn new(figures: &'a Figures, f: &Figure) -> ApiFigure<'a> {
        let e = f.estimate.as_ref();
        let published = f.suppression == Suppression::Published;
        ApiFigure {
            breakdown: f.breakdown().as_str(),
            group: f.group.to_string(),
            indicator: figures.variables[f.variable].id(),
            estimate: e.map(|e| e.estimate),
            se: e.map(|e| e.se),
            ci_low: e.and_then(|e| e.interval).map(|i| i.low),
            ci_high: e.and_then(|e| e.interval).map(|i| i.high),
            cv: e.and_then(|e| e.cv),
            n: published.then_some(f.n),
            weighted_n: e.map(|e| e.weighted_n),
            suppressed: !published,
        }
    }
}

#[derive(Serialize)]
struct FiguresAnswer<'a> {
    wave: &'a str,
    survey: &'a str,
    version: u32,
    /// The ward asked for, for a ward's figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    area: Option<&'a str>,
    weighted: bool,
    /// docs/methodology.md §3 and §3a: unweighted, post_stratified,
    /// sample_nonresponse_adjusted, sample_calibrated_<distance>.
    estimator: &'static str,
    /// Why a sample wave's calibration does not hold, when it was asked for.
    calibration_problem: Option<&'a str>,
    /// Counted responses of enterprises outside a sample wave's sample.
    outside_sample: usize,
    threshold: u32,
    respondents: usize,
    /// When these figures were computed (RFC 3339, UTC).
    computed_at: String,
    /// Figures asked for in all pages; this page's `offset` and `limit`; the next page's link.
    total: usize,
    offset: usize,
    limit: usize,
    next: Option<String>,
    figures: Vec<ApiFigure<'a>>,
    /// Each target's indicator: its change since the first wave whose estimate is published
    /// (docs/methodology.md §5a).
    changes: Vec<ApiChange<'a>>,
}

/// The change of a target's indicator between two waves, in the API.
#[derive(Serialize)]
struct ApiChange<'a> {
    indicator: &'a str,
    from_wave: &'a str,
    to_wave: &'a str,
    #[serde(flatten)]
    change: &'a stats::Change,
}

/// The JSON of the page `asked` of `answer`'s figures in `scope`.
fn body(answer: &ApiFigures, asked: &Asked, scope: &ApiScope) -> Result<Vec<u8>, Problem> {
    let figures = &answer.figures;
    let indicator = asked.indicator.as_deref();
    let area: Option<&AreaCode> = match scope {
        ApiScope::City => None,
        ApiScope::Area(code) => Some(code),
    };
    let keep = |f: &&Figure| {
        area.is_none_or(|a| f.is_in_area(a))
            && asked.breakdown.is_none_or(|b| f.breakdown() == b)
            && indicator.is_none_or(|i| figures.variables[f.variable].id() == i)
    };
    let total = figures.figures.iter().filter(keep).count();
    let Paging { limit, offset } = asked.paging;
    let changes = answer
        .changes
        .iter()
        .filter_map(|(id, trend)| {
            let column = figures.variables.iter().find(|v| v.is_indicator(id))?.id();
            let change = trend.change.as_ref()?;
            let (first, last) = (trend.series.first()?, trend.series.last()?);
            Some(ApiChange { indicator: column, from_wave: &first.1, to_wave: &last.1, change })
        })
        .filter(|c| indicator.is_none_or(|i| i == c.indicator))
        .collect();
    let path = match area {
        None => "/api/v1/figures".to_string(),
        Some(code) => format!("/api/v1/areas/{code}/figures"),
    };
    let answer = FiguresAnswer {
        wave: &figures.wave,
        survey: &figures.survey,
        version: figures.version,
        area: area.map(AreaCode::as_str),
        weighted: figures.weighted,
        estimator: figures.estimator.code(),
        calibration_problem: figures.calibration_problem.as_deref(),
        outside_sample: figures.outside_sample,
        threshold: figures.threshold,
        respondents: figures.respondents,
        computed_at: moment(answer.computed_at),
        total,
        offset,
        limit,
        next: asked.next(&path, &figures.wave, &figures.survey, total),
        figures: figures
            .figures
            .iter()
            .filter(keep)
            .skip(offset)
            .take(limit)
            .map(|f| ApiFigure::new(figures, f))
            .collect(),
        changes,
    };
    serde_json::to_vec(&answer).map_err(|e| WebError::Internal(e.to_string()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_and_offset_are_bounded_whole_numbers() {
        assert_eq!(Paging::parse(None, None), Ok(Paging { limit: 1000, offset: 0 }));
        assert_eq!(Paging::parse(Some("10000"), Some("7")), Ok(Paging { limit: 10000, offset: 7 }));
        for (limit, offset, parameter) in [
            (Some("0"), None, "limit"),
            (Some("10001"), None, "limit"),
            (Some("ten"), None, "limit"),
            (None, Some("-1"), "offset"),
            (None, Some(""), "offset"),
        ] {
            let problem = Paging::parse(limit, offset).unwrap_err();
            assert_eq!(
                (problem.code, problem.parameter.as_deref()),
                ("bad_parameter", Some(parameter))
            );
        }
    }

    #[test]
    fn the_next_link_keeps_the_question_and_stops_at_the_end() {
        let asked = Asked::parse(
            [None, None, Some("area"), Some("ind_x"), Some("100"), Some("200")],
            &Breakdown::ALL,
        )
        .unwrap();
        assert_eq!(
            asked.next("/api/v1/figures", "2026", "enterprise-dx", 301).as_deref(),
            Some(
                "/api/v1/figures?wave=2026&survey=enterprise-dx&breakdown=area&indicator=ind_x&limit=100&offset=300"
            )
        );
        assert_eq!(asked.next("/api/v1/figures", "2026", "enterprise-dx", 300), None);
        let bogus = Asked::parse([None, None, Some("bogus"), None, None, None], &Breakdown::ALL);
        assert_eq!(bogus.err().and_then(|p| p.parameter).as_deref(), Some("breakdown"));
    }
}
