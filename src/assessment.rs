//! A respondent's self-assessment: level, dimension scores, comparison with peers (only as the
//! disclosure policy allows), indicators and recommendations for the weakest dimensions. The
//! result page shows it; `report::respondent` prints it.

use serde::Serialize;

use crate::answers::Answers;
use crate::app::App;
use crate::figures::Group;
use crate::kernel::format::{decimal, iso_date, number, rfc3339_local_date};
use crate::policy::BenchmarkRule;
use crate::profile::profile;
use crate::scoring::score;
use crate::store::{PeerMeans, StoredResponse};

/// One benchmark: the means of a group, and the day they stand for (none for live means).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Peers {
    pub means: PeerMeans,
    /// The Hanoi date of the snapshot: it holds the responses submitted before that day.
    pub as_of: Option<String>,
}
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
    /// How many responses the benchmark is over.
    pub count: i64,
    pub overall: Option<String>,
    /// The day the snapshot stands for, as the language writes it: it holds the responses
    /// submitted before that day.
    pub as_of: Option<String>,
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
    (area, sector): &(Peers, Peers),
    lang: Lang,
) -> Assessment {
    let card = score(survey, answers);
    let who = profile(survey, answers, &app.reference);
    let policy = &app.policy;
    // What the disclosure policy lets be shown: only for a group large enough, rounded as it
    // says, in the chart as in the text.
    let mean_of = |peers: &Peers, id: &str| {
        let means = &peers.means;
        policy
            .shows_peers(means.count)
            .then(|| means.dimensions.iter().find(|(d, _)| d == id).map(|(_, m)| *m))
            .flatten()
            .map(|m| policy.benchmark_value(m))
    };
    let peer_text = |m: f64| match policy.benchmark_rule() {
        BenchmarkRule::Protected => number(m, 0, lang),
        BenchmarkRule::Unprotected => decimal(m, lang),
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
                area_text: area_mean.map(peer_text),
                sector_text: sector_mean.map(peer_text),
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
    let peer_view = |peers: &Peers, name: String| PeerView {
        name,
        shown: policy.shows_peers(peers.means.count),
        count: peers.means.count,
        overall: peers
            .means
            .overall
            .filter(|_| policy.shows_peers(peers.means.count))
            .map(|o| peer_text(policy.benchmark_value(o))),
        as_of: peers.as_of.as_deref().map(|d| iso_date(d, lang)),
    };
    let area_name =
        who.area.as_ref().and_then(|a| app.reference.area(a)).map(|a| a.name.get(lang).to_string());
    let sector_name = who
        .vsic_section
        .and_then(|s| app.reference.sector(survey.vsic, s))
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
        submitted_at: response
            .submitted_at
            .as_deref()
            .and_then(rfc3339_local_date)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        size: who.size_class.map(|s| Group::Size(s).label(&app.reference, survey.vsic, lang)),
    }
}
