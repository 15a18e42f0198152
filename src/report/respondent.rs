//! A respondent's self-assessment: level, dimension scores, comparison with peers (only when at
//! least five others exist), indicators and recommendations for the weakest dimensions. The
//! result page shows it; `respondent_report` prints it.

use serde::Serialize;
use time::OffsetDateTime;

use super::area::{ReportError, capitalised, finish};
use super::chart::{Bars, PRIMARY, SECONDARY, Series};
use super::chart_number;
use super::layout::{BODY, Flow, SMALL, STRONG};
use super::pdf::{Colour, Document};
use super::texts::{ReportTexts, fill};
use crate::answers::Answers;
use crate::app::App;
use crate::figures::{Breakdown, group_label};
use crate::kernel::format::{count, date, decimal};
use crate::profile::profile;
use crate::scoring::score;
use crate::store::{self, PeerMeans, StoreError, StoredResponse};
use crate::survey::{Lang, Survey};

#[derive(Serialize)]
pub struct Assessment {
    pub survey_title: String,
    pub organisation: String,
    pub overall: String,
    pub level: LevelView,
    pub levels: usize,
    pub dimensions: Vec<DimensionRow>,
    pub indicators: Vec<IndicatorView>,
    pub area: PeerView,
    pub sector: PeerView,
    pub recommendations: Vec<Recommendation>,
    pub min_peers: i64,
    pub submitted_at: String,
    /// The size class, as the language names it, when known.
    pub size: Option<String>,
}

#[derive(Serialize)]
pub struct LevelView {
    pub rank: usize,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Serialize)]
pub struct DimensionRow {
    pub title: String,
    /// 0–100, for drawing.
    pub score: f64,
    pub score_text: String,
    pub area_mean: Option<f64>,
    pub sector_mean: Option<f64>,
    pub area_text: Option<String>,
    pub sector_text: Option<String>,
}

#[derive(Serialize)]
pub struct IndicatorView {
    pub label: String,
    pub description: Option<String>,
    pub value: bool,
}

#[derive(Serialize)]
pub struct PeerView {
    /// Name of the ward/commune or sector.
    pub name: String,
    pub shown: bool,
    pub count: i64,
    pub overall: Option<String>,
}

#[derive(Serialize)]
pub struct Recommendation {
    pub dimension: String,
    pub level: String,
    pub text: String,
}

/// The self-assessment of a submitted response, with the means of its peers.
pub fn assess(
    app: &App,
    survey: &Survey,
    answers: &Answers,
    response: &StoredResponse,
    (area, sector): &(PeerMeans, PeerMeans),
    lang: Lang,
) -> Assessment {
    let card = score(survey, answers);
    let who = profile(survey, answers, &app.reference);
    let mean_of = |peers: &PeerMeans, id: &str| {
        app.policy
            .shows_peers(peers.count)
            .then(|| peers.dimensions.iter().find(|(d, _)| d == id).map(|(_, m)| *m))
            .flatten()
    };
    let dimensions: Vec<DimensionRow> = survey
        .dimensions
        .iter()
        .zip(&card.dimensions)
        .map(|(d, s)| {
            let score = s.unwrap_or(0.0);
            let (area_mean, sector_mean) = (mean_of(area, &d.id), mean_of(sector, &d.id));
            DimensionRow {
                title: d.title.get(lang).to_string(),
                score,
                score_text: s.map_or_else(|| "–".into(), |s| decimal(s, lang)),
                area_text: area_mean.map(|m| decimal(m, lang)),
                sector_text: sector_mean.map(|m| decimal(m, lang)),
                area_mean,
                sector_mean,
            }
        })
        .collect();
    let mut weakest: Vec<(usize, f64)> =
        card.dimensions.iter().enumerate().filter_map(|(i, s)| s.map(|s| (i, s))).collect();
    weakest.sort_by(|a, b| a.1.total_cmp(&b.1));
    let recommendations = weakest
        .iter()
        .take(2)
        .filter_map(|&(d, s)| {
            let dimension = &survey.dimensions[d];
            let level = &survey.levels[survey.level_for(s)];
            app.advice.get(&survey.id, &dimension.id, &level.id).map(|text| Recommendation {
                dimension: dimension.title.get(lang).to_string(),
                level: level.name.get(lang).to_string(),
                text: text.get(lang).to_string(),
            })
        })
        .collect();
    let level = &survey.levels[card.level.unwrap_or(0)];
    let peer_view = |peers: &PeerMeans, name: String| PeerView {
        name,
        shown: app.policy.shows_peers(peers.count),
        count: peers.count,
        overall: peers
            .overall
            .filter(|_| app.policy.shows_peers(peers.count))
            .map(|o| decimal(o, lang)),
    };
    let area_name =
        who.area.as_ref().and_then(|a| app.reference.area(a)).map(|a| a.name.get(lang).to_string());
    let sector_name = who
        .vsic_section
        .and_then(|s| app.reference.sector(s))
        .map(|s| format!("{} – {}", s.section, s.name.get(lang)));
    Assessment {
        survey_title: survey.title.get(lang).to_string(),
        organisation: who.name.unwrap_or_default(),
        overall: card.overall.map_or_else(|| "–".into(), |o| decimal(o, lang)),
        level: LevelView {
            rank: card.level.unwrap_or(0),
            name: level.name.get(lang).to_string(),
            description: level.description.as_ref().map(|d| d.get(lang).to_string()),
        },
        levels: survey.levels.len(),
        dimensions,
        indicators: survey
            .indicators
            .iter()
            .zip(&card.indicators)
            .map(|(i, v)| IndicatorView {
                label: i.label.get(lang).to_string(),
                description: i.description.as_ref().map(|d| d.get(lang).to_string()),
                value: *v,
            })
            .collect(),
        area: peer_view(area, area_name.unwrap_or_default()),
        sector: peer_view(sector, sector_name.unwrap_or_default()),
        recommendations,
        min_peers: i64::from(app.policy.min_peers()),
        submitted_at: response.submitted_at.clone().unwrap_or_default().chars().take(10).collect(),
        size: who
            .size_class
            .map(|s| group_label(&app.reference, Breakdown::SizeClass, s.as_str(), lang)),
    }
}

/// The self-assessment of one stored, submitted response (the command line).
pub fn load(app: &App, response_id: i64, lang: Lang) -> Result<Assessment, ReportError> {
    let response = app
        .store
        .read(|c| store::response_by_id(c, response_id))?
        .filter(|r| r.status == store::ResponseStatus::Submitted)
        .ok_or(ReportError::NoResponse(response_id))?;
    let (survey, answers) = crate::response::decode(app, &response)
        .map_err(|e| ReportError::Store(StoreError::Worker(e)))?;
    let peers = app.store.read(|c| store::peers_of(c, &response))?;
    Ok(assess(app, &survey, &answers, &response, &peers, lang))
}

/// The self-assessment as a PDF of one to three pages.
pub fn respondent_report(
    texts: &ReportTexts,
    a: &Assessment,
    lang: Lang,
    created: OffsetDateTime,
) -> Vec<u8> {
    let t = texts;
    let title = t.respondent_title.get(lang);
    let mut flow = Flow::new(Document::new(&format!("{title} – {}", a.organisation)));
    flow.title(title, &a.organisation);

    flow.heading(t.respondent_profile.get(lang), 25.0);
    let mut pairs = vec![(t.respondent_organisation.get(lang).to_string(), a.organisation.clone())];
    if !a.area.name.is_empty() {
        pairs.push((t.respondent_area.get(lang).into(), a.area.name.clone()));
    }
    if !a.sector.name.is_empty() {
        pairs.push((t.respondent_sector.get(lang).into(), a.sector.name.clone()));
    }
    if let Some(size) = &a.size {
        pairs.push((t.respondent_size.get(lang).into(), capitalised(size)));
    }
    pairs.push((t.respondent_questionnaire.get(lang).into(), a.survey_title.clone()));
    let submitted = time::Date::parse(
        &a.submitted_at,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_or_else(|_| a.submitted_at.clone(), |d| date(d, lang));
    pairs.push((t.respondent_submitted.get(lang).into(), submitted));
    flow.pairs(&pairs);

    let level = fill(
        &t.respondent_level,
        lang,
        &[("score", &a.overall), ("rank", &a.level.rank.to_string()), ("level", &a.level.name)],
    );
    flow.heading(&level, 12.0);
    if let Some(description) = &a.level.description {
        flow.paragraph(description, BODY);
    }

    let mut series = vec![Series { name: t.respondent_you.get(lang).into(), colour: PRIMARY }];
    let peers: Vec<(&PeerView, Option<&str>)> = [
        (&a.sector, t.respondent_sector_mean.get(lang)),
        (&a.area, t.respondent_area_mean.get(lang)),
    ]
    .into_iter()
    .map(|(p, name)| (p, p.shown.then_some(name)))
    .collect();
    // Lighter, then darker gray: whichever peers are shown, the first is always the lightest.
    let mut grays = [SECONDARY, Colour(120, 120, 120)].into_iter();
    for name in peers.iter().filter_map(|(_, name)| *name) {
        if let Some(colour) = grays.next() {
            series.push(Series { name: name.to_string(), colour });
        }
    }
    let rows = a
        .dimensions
        .iter()
        .map(|d| {
            let mut values = vec![Some(d.score)];
            if a.sector.shown {
                values.push(d.sector_mean);
            }
            if a.area.shown {
                values.push(d.area_mean);
            }
            (d.title.clone(), values)
        })
        .collect();
    let chart = Bars {
        rows,
        series,
        max: 100.0,
        axis: t.axis_own_score.get(lang).into(),
        mark: "–".into(),
        target: None,
        format: chart_number(lang),
    };
    let height = chart.height(flow.document());
    flow.heading(t.respondent_dimensions.get(lang), height);
    flow.block(height + 2.0, |page, top| chart.draw(page, top));
    flow.paragraph(t.respondent_dimensions_note.get(lang), SMALL);
    // An agency has no sector: nothing to say about its peers there.
    for (peer, _) in peers.iter().filter(|(p, _)| !p.name.is_empty()) {
        let template =
            if peer.shown { &t.respondent_peers_shown } else { &t.respondent_peers_hidden };
        flow.paragraph(
            &fill(
                template,
                lang,
                &[
                    ("count", &count(peer.count, lang)),
                    ("group", &peer.name),
                    ("min", &a.min_peers.to_string()),
                ],
            ),
            SMALL,
        );
    }

    flow.heading(t.respondent_indicators.get(lang), 20.0);
    let yes = t.yes.get(lang);
    let no = t.no.get(lang);
    let pairs: Vec<(String, String)> = a
        .indicators
        .iter()
        .map(|i| ((if i.value { yes } else { no }).to_string(), i.label.clone()))
        .collect();
    flow.pairs(&pairs);

    if !a.recommendations.is_empty() {
        flow.heading(t.respondent_recommendations.get(lang), 30.0);
        for r in &a.recommendations {
            flow.ensure(20.0);
            flow.paragraph(
                &fill(
                    &t.respondent_recommendation_for,
                    lang,
                    &[("dimension", &r.dimension), ("level", &r.level)],
                ),
                STRONG,
            );
            flow.paragraph(&r.text, BODY);
        }
    }
    flow.space(2.0);
    flow.paragraph(t.respondent_about.get(lang), SMALL);
    finish(flow, texts, lang, &a.organisation, created)
}
