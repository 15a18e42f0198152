//! Fieldwork by ward/commune for those who follow it up: responses against the frame for the
//! areas a person may see, and one area's progress and figures, as the disclosure policy lets
//! them be shown.

use std::sync::Arc;

use super::figures::{self, Choice};
use crate::app::App;
use crate::auth::Access;
use crate::figures::{Figures, FiguresError};
use crate::reference::{Area, AreaCode};
use crate::store::{self, Counts, StoreError};
use crate::survey::Survey;

/// One area's responses to a questionnaire against its enterprises in the frame.
#[derive(Debug, Clone)]
pub struct AreaProgress<'a> {
    pub area: &'a Area,
    pub counts: Counts,
    pub frame: Option<i64>,
    /// Submitted responses over the frame's enterprises.
    pub coverage: Option<f64>,
}

/// The progress of every area `access` covers in the choice's questionnaire, in the reference's
/// order. Coverage counts only that questionnaire's responses, as the frame lists only its kind
/// of respondent.
pub fn progress<'a>(
    app: &'a App,
    access: &Access,
    choice: &Choice,
) -> Result<Vec<AreaProgress<'a>>, StoreError> {
    let (wave, survey) = (&choice.wave.id, &choice.survey);
    let (counts, frame) = app.store.read(|c| {
        Ok((store::survey_counts_by_area(c, wave, survey)?, store::frame_by_area(c, wave)?))
    })?;
    Ok(app
        .reference
        .areas
        .iter()
        .filter(|a| access.covers(&a.code))
        .map(|area| {
            let code = area.code.as_str();
            let counts =
                counts.iter().find(|(c, _)| c == code).map(|(_, n)| n.clone()).unwrap_or_default();
            let frame = frame.iter().find(|(c, _)| c == code).map(|(_, n)| *n);
            let coverage = frame.and_then(|n| crate::stats::coverage(counts.submitted, n));
            AreaProgress { area, counts, frame, coverage }
        })
        .collect())
}

/// One questionnaire's responses in an area, with the number at each maturity level where the
/// disclosure policy lets it be shown.
#[derive(Debug, Clone)]
pub struct QuestionnaireProgress {
    pub survey: Arc<Survey>,
    pub counts: Counts,
    /// One per level of the questionnaire, in order; `None` when suppressed.
    pub levels: Vec<Option<i64>>,
}

/// What an area's page shows: the progress of each of the wave's questionnaires, and the
/// figures of the choice's questionnaire (the page keeps the area's own rows).
pub struct AreaFieldwork {
    pub questionnaires: Vec<QuestionnaireProgress>,
    pub figures: Arc<Figures>,
}

/// The fieldwork of one area in a choice. The caller has checked that the person may see it.
pub fn area(app: &App, code: &AreaCode, choice: &Choice) -> Result<AreaFieldwork, FiguresError> {
    let wave = &choice.wave;
    let mut questionnaires = Vec::new();
    for (id, version) in &wave.questionnaires {
        let Some(survey) = app.catalog.get(id, *version) else { continue };
        let (counts, levels) = app.store.read(|c| {
            let counts = store::counts_in_area(c, &wave.id, code.as_str())?;
            Ok((counts, store::levels_in_area(c, &wave.id, id, code.as_str())?))
        })?;
        let counts = counts.into_iter().find(|(s, _)| s == id).map(|(_, n)| n).unwrap_or_default();
        let levels = survey
            .levels
            .iter()
            .map(|l| {
                let n = levels.iter().find(|(id, _)| *id == l.id).map_or(0, |(_, n)| *n);
                app.policy.shows_count(n).then_some(n)
            })
            .collect();
        questionnaires.push(QuestionnaireProgress { survey: survey.clone(), counts, levels });
    }
    Ok(AreaFieldwork { questionnaires, figures: figures::figures(app, choice)? })
}
