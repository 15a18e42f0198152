//! A respondent's self-assessment: level, dimension scores, comparison with peers (only as the
//! disclosure policy allows), indicators and recommendations for the weakest dimensions. The
//! result page shows it; `report::respondent` prints it.

use serde::Serialize;

use crate::answers::Answers;
use crate::app::App;
use crate::figures::Group;
use crate::kernel::format::decimal;
use crate::profile::profile;
use crate::scoring::score;
use crate::store::{PeerMeans, StoredResponse};
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
        size: who.size_class.map(|s| Group::Size(s).label(&app.reference, lang)),
    }
}
