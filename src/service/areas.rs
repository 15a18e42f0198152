//! Fieldwork by ward/commune for those who follow it up: responses against the frame for the
//! areas a person may see, and one area's progress and figures. Counts are shown as the
//! published figures show them (docs/disclosure.md, section 4): a page can never print a count
//! the API withholds.

use std::sync::Arc;

use super::figures::{self, Choice};
use crate::app::App;
use crate::auth::Access;
use crate::figures::{Figures, FiguresError, Group};
use crate::reference::{Area, AreaCode};
use crate::store::{self, Counts};
use crate::survey::Survey;

/// Responses of one area, as they may be shown: `None` is "fewer than the threshold", or a
/// count that would let a hidden one be worked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShownCounts {
    pub submitted: Option<u32>,
    pub drafts: Option<i64>,
}

impl ShownCounts {
    /// The counts of `area` in `figures` (its submitted responses as the figures publish them)
    /// and its drafts, shown when none or at least the threshold.
    fn of(app: &App, figures: &Figures, area: &AreaCode, counts: &Counts) -> ShownCounts {
        let submitted = match counts.submitted {
            0 => Some(0),
            _ => figures.published_count(&Group::Area(area.clone())),
        };
        let drafts = Some(counts.drafts).filter(|&n| app.policy.shows_count(n));
        ShownCounts { submitted, drafts }
    }
}

/// One area's responses to a questionnaire against its enterprises in the frame.
#[derive(Debug, Clone)]
pub struct AreaProgress<'a> {
    pub area: &'a Area,
    pub counts: ShownCounts,
    pub frame: Option<i64>,
    /// Submitted responses over the frame's enterprises, when the count is shown.
    pub coverage: Option<f64>,
}

/// The progress of every area `access` covers in the choice's questionnaire, in the reference's
/// order. Coverage counts only that questionnaire's responses, as the frame lists only its kind
/// of respondent.
pub fn progress<'a>(
    app: &'a App,
    access: &Access,
    choice: &Choice,
) -> Result<Vec<AreaProgress<'a>>, FiguresError> {
    let (wave, survey) = (&choice.wave.id, &choice.survey);
    let figures = figures::figures(app, choice)?;
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
            let raw =
                counts.iter().find(|(c, _)| c == code).map(|(_, n)| n.clone()).unwrap_or_default();
            let counts = ShownCounts::of(app, &figures, &area.code, &raw);
            let frame = frame.iter().find(|(c, _)| c == code).map(|(_, n)| *n);
            let coverage = frame
                .zip(counts.submitted)
                .and_then(|(n, submitted)| crate::stats::coverage(i64::from(submitted), n));
            AreaProgress { area, counts, frame, coverage }
        })
        .collect())
}

/// One questionnaire's responses in an area, as they may be shown.
#[derive(Debug, Clone)]
pub struct QuestionnaireProgress {
    pub survey: Arc<Survey>,
    pub counts: ShownCounts,
}

/// What an area's page shows: the progress of each of the wave's questionnaires, and the
/// figures of the choice's questionnaire (the page keeps the area's own rows; the maturity
/// levels are among them, as published shares).
pub struct AreaFieldwork {
    pub questionnaires: Vec<QuestionnaireProgress>,
    pub figures: Arc<Figures>,
}

/// The fieldwork of one area in a choice. The caller has checked that the person may see it.
pub fn area(app: &App, code: &AreaCode, choice: &Choice) -> Result<AreaFieldwork, FiguresError> {
    let wave = &choice.wave;
    let counts = app.store.read(|c| store::counts_in_area(c, &wave.id, code.as_str()))?;
    let mut questionnaires = Vec::new();
    for (id, version) in &wave.questionnaires {
        let Some(survey) = super::waves::in_wave(app, wave, id, *version) else { continue };
        let raw = counts.iter().find(|(s, _)| s == id).map(|(_, n)| n.clone()).unwrap_or_default();
        let (_, figures) = figures::computed(app, &wave.id, id)?;
        let counts = ShownCounts::of(app, &figures, code, &raw);
        questionnaires.push(QuestionnaireProgress { survey: survey.clone(), counts });
    }
    Ok(AreaFieldwork { questionnaires, figures: figures::figures(app, choice)? })
}
