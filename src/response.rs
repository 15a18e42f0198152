//! A response ready to store: answers with the profile and, once submitted, the scores they
//! give. The one place where a response's derived columns are computed.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::app::App;
use crate::store::StoredResponse;

use crate::answers::Answers;
use crate::profile::profile;
use crate::reference::Reference;
use crate::scoring::{ScoreCard, score};
use crate::store::{NewResponse, Origin, ResponseStatus};
use crate::survey::Survey;

/// The questionnaire and the answers of a stored response, checked against that questionnaire.
pub fn decode(app: &App, response: &StoredResponse) -> Result<(Arc<Survey>, Answers), String> {
    let not_loaded =
        || format!("questionnaire {} v{} is not loaded", response.survey_id, response.version);
    let plain = app.catalog.get(&response.survey_id, response.version).ok_or_else(not_loaded)?;
    let arm = match &response.arm {
        Some(id) => Some(plain.arm_idx(id).ok_or_else(|| {
            format!(
                "response {} was assigned arm '{id}', which {} v{} does not declare",
                response.id, response.survey_id, response.version
            )
        })?),
        None => None,
    };
    let survey = app
        .questionnaire_in_wave(&response.wave_id, &response.survey_id, response.version, arm)
        .map_err(|e| e.to_string())?
        .ok_or_else(not_loaded)?;
    let json: serde_json::Value =
        serde_json::from_str(&response.answers).map_err(|e| format!("stored answers: {e}"))?;
    let object = json.as_object().cloned().unwrap_or_default();
    let answers = Answers::from_json(&survey, &object, &app.reference)
        .map_err(|p| format!("stored answers of response {} do not fit: {p:?}", response.id))?;
    Ok((survey, answers))
}

/// Builds the stored form of a response in `wave_id`.
pub fn new_response(
    survey: &Survey,
    answers: &Answers,
    reference: &Reference,
    wave_id: &str,
    status: ResponseStatus,
) -> NewResponse {
    let profile = profile(survey, answers, reference);
    let card = (status == ResponseStatus::Submitted).then(|| score(survey, answers));
    let json = answers.to_json(survey);
    NewResponse {
        wave_id: wave_id.to_string(),
        survey_id: survey.id.clone(),
        version: survey.version,
        organisation_kind: survey.kind.as_str(),
        identity: profile.identity().unwrap_or_default(),
        tax_code: profile.tax_code.map(|t| t.as_str().to_string()),
        organisation_name: profile.name.unwrap_or_default(),
        status,
        answers: Value::Object(json.clone()).to_string(),
        area_code: profile.area.map(|a| a.to_string()),
        vsic_section: profile.vsic_section.map(|s| s.to_string()),
        size_class: profile.size_class.map(|s| s.as_str()),
        overall_score: card.as_ref().and_then(|c| c.overall),
        level: card.as_ref().and_then(|c| c.level).map(|l| survey.levels[l].id.clone()),
        scores: card.as_ref().map(|c| scores_json(survey, c)),
        indicators: card.as_ref().map(|c| indicators_json(survey, c)),
        indicator_bits: card.as_ref().map(indicator_bits),
        score_values: card.as_ref().map(score_values),
        cells: card.as_ref().map(|_| crate::export::microdata::cells_fragment(survey, &json)),
        origin: Origin::default(),
        arm: None,
    }
}

/// An arm of the questionnaire's split-ballot experiment, drawn at random with equal chances;
/// `None` when it declares none or the installation runs no experiment (`split_ballot = false`:
/// the file's order, the reference arm). Drawn once, when a response is first stored.
pub fn draw_arm(app: &App, survey: &Survey) -> Option<String> {
    if !app.split_ballot {
        return None;
    }
    let arms = &survey.experiment.as_ref()?.arms;
    arms.get(fastrand::usize(..arms.len())).map(|a| a.id.clone())
}

/// Indicator i of the questionnaire as bit i (a questionnaire has at most 63 indicators).
fn indicator_bits(card: &ScoreCard) -> i64 {
    card.indicators
        .iter()
        .enumerate()
        .filter(|(_, v)| **v)
        .fold(0, |bits, (i, _)| bits | (1 << i.min(62)))
}

/// Dimension scores as little-endian f64, NaN for a dimension without a score, then the overall.
fn score_values(card: &ScoreCard) -> Vec<u8> {
    card.dimensions
        .iter()
        .copied()
        .chain([card.overall])
        .flat_map(|s| s.unwrap_or(f64::NAN).to_le_bytes())
        .collect()
}

/// The scores [`score_values`] stored: each dimension's, then the overall; `None` where there
/// was none.
pub fn stored_scores(blob: &[u8]) -> impl Iterator<Item = Option<f64>> + '_ {
    blob.chunks_exact(8).map(|chunk| {
        let value = f64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        (!value.is_nan()).then_some(value)
    })
}

/// Whether indicator `i` is set in the stored indicator bits.
pub fn has_indicator(bits: i64, i: usize) -> bool {
    bits & (1 << i.min(62)) != 0
}

fn scores_json(survey: &Survey, card: &ScoreCard) -> String {
    let object: Map<String, Value> = survey
        .dimensions
        .iter()
        .zip(&card.dimensions)
        .map(|(d, s)| (d.id.clone(), s.map_or(Value::Null, Value::from)))
        .collect();
    Value::Object(object).to_string()
}

fn indicators_json(survey: &Survey, card: &ScoreCard) -> String {
    let object: Map<String, Value> = survey
        .indicators
        .iter()
        .zip(&card.indicators)
        .map(|(i, v)| (i.id.clone(), Value::Bool(*v)))
        .collect();
    Value::Object(object).to_string()
}
