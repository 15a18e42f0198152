//! The result: level, dimension scores as an inline SVG chart, indicators, comparison with
//! peers (only when at least five others exist), and recommendations for the weakest
//! dimensions. Read-only once submitted.

use rocket::{State, get};
use serde::Serialize;

use super::{Reply, open};
use crate::app::App;
use crate::profile::profile;
use crate::scoring::score;
use crate::store::{self, PeerGroup, PeerMeans};
use crate::survey::Lang;
use crate::web::{Templates, WebError};

/// Fewest other responses a peer mean is shown for: fewer could reveal a single respondent.
pub const MIN_PEERS: i64 = 5;

#[derive(Serialize)]
struct ResultPage {
    survey_title: String,
    organisation: String,
    overall: String,
    level: LevelView,
    levels: usize,
    dimensions: Vec<DimensionRow>,
    indicators: Vec<IndicatorView>,
    area: PeerView,
    sector: PeerView,
    recommendations: Vec<Recommendation>,
    min_peers: i64,
    submitted_at: String,
}

#[derive(Serialize)]
struct LevelView {
    rank: usize,
    name: String,
    description: Option<String>,
}

#[derive(Serialize)]
struct DimensionRow {
    title: String,
    /// 0–100, for drawing.
    score: f64,
    score_text: String,
    area_mean: Option<f64>,
    sector_mean: Option<f64>,
    area_text: Option<String>,
    sector_text: Option<String>,
}

#[derive(Serialize)]
struct IndicatorView {
    label: String,
    description: Option<String>,
    value: bool,
}

#[derive(Serialize)]
struct PeerView {
    /// Name of the ward/commune or sector.
    name: String,
    shown: bool,
    count: i64,
    overall: Option<String>,
}

#[derive(Serialize)]
struct Recommendation {
    dimension: String,
    level: String,
    text: String,
}

/// A number with one decimal, written as the language writes it.
fn decimal(x: f64, lang: Lang) -> String {
    let text = format!("{x:.1}");
    if lang == Lang::Vi { text.replace('.', ",") } else { text }
}

#[get("/r/<token>/result")]
pub async fn show(
    token: &str,
    app: &State<App>,
    templates: &State<Templates>,
    lang: Lang,
) -> Result<Reply, WebError> {
    let opened = open(app, token).await?;
    if !opened.submitted() {
        return Ok(Reply::to(opened.url("review")));
    }
    let survey = &opened.survey;
    let card = score(survey, &opened.answers);
    let who = profile(survey, &opened.answers, &app.reference);
    let response = &opened.response;
    let (area, sector) = peers(app, response).await?;
    let mean_of = |peers: &PeerMeans, id: &str| {
        (peers.count >= MIN_PEERS)
            .then(|| peers.dimensions.iter().find(|(d, _)| d == id).map(|(_, m)| *m))
            .flatten()
    };
    let dimensions: Vec<DimensionRow> = survey
        .dimensions
        .iter()
        .zip(&card.dimensions)
        .map(|(d, s)| {
            let score = s.unwrap_or(0.0);
            let (area_mean, sector_mean) = (mean_of(&area, &d.id), mean_of(&sector, &d.id));
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
        shown: peers.count >= MIN_PEERS,
        count: peers.count,
        overall: peers.overall.filter(|_| peers.count >= MIN_PEERS).map(|o| decimal(o, lang)),
    };
    let area_name =
        who.area.as_ref().and_then(|a| app.reference.area(a)).map(|a| a.name.get(lang).to_string());
    let sector_name = who
        .vsic_section
        .and_then(|s| app.reference.sector(s))
        .map(|s| format!("{} – {}", s.section, s.name.get(lang)));
    let context = ResultPage {
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
        area: peer_view(&area, area_name.unwrap_or_default()),
        sector: peer_view(&sector, sector_name.unwrap_or_default()),
        recommendations,
        min_peers: MIN_PEERS,
        submitted_at: response.submitted_at.clone().unwrap_or_default().chars().take(10).collect(),
    };
    Ok(Reply::page(templates.render("result.html", lang, &context)?))
}

/// Means of the other submitted responses of the same ward/commune and the same sector.
async fn peers(
    app: &App,
    response: &store::StoredResponse,
) -> Result<(PeerMeans, PeerMeans), WebError> {
    let (wave, survey, id) = (response.wave_id.clone(), response.survey_id.clone(), response.id);
    let (area, sector) = (response.area_code.clone(), response.vsic_section.clone());
    Ok(app
        .store
        .call(move |s| {
            s.read(|c| {
                let of = |group: Option<PeerGroup<'_>>| match group {
                    Some(g) => store::peer_means(c, &wave, &survey, g, id),
                    None => Ok(PeerMeans::default()),
                };
                Ok((
                    of(area.as_deref().map(PeerGroup::Area))?,
                    of(sector.as_deref().map(PeerGroup::Sector))?,
                ))
            })
        })
        .await?)
}
