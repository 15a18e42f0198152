//! A sample wave's calibration to its register's totals (docs/methodology.md §3a): set or
//! removed with its audit entry, the wave's figures forgotten, then tried at once on the
//! responses so far, so that the office sees whether the totals can be met.

use super::Actor;
use crate::app::App;
use crate::figures::{Calibration, FiguresError};
use crate::store::{self, StoreError, StoredCalibration};
use crate::survey::RespondentKind;

/// Why a calibration was not set; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum CalibrationSettingError {
    #[error("no wave '{0}'")]
    NoWave(String),
    #[error(
        "wave {0} has no sample drawn from its register: calibration applies to a probability \
         sample (`dxsurvey sample`); an open wave's figures are post-stratified to its frame"
    )]
    NoSample(String),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// How the enterprise figures of a wave come out with the calibration now set.
#[derive(Debug, Clone, PartialEq)]
pub struct Tried {
    pub survey: String,
    /// The estimator's code (`sample_calibrated_linear`…).
    pub estimator: &'static str,
    /// Why the calibration did not hold, if it did not.
    pub problem: Option<String>,
    pub respondents: usize,
}

/// Sets (or, with `None`, removes) the calibration of sample wave `wave`, and tries it.
pub fn set_calibration(
    app: &App,
    wave: &str,
    calibration: Option<&Calibration>,
    actor: &Actor,
) -> Result<Vec<Tried>, CalibrationSettingError> {
    let found = app
        .store
        .read(|c| store::wave(c, wave))?
        .ok_or_else(|| CalibrationSettingError::NoWave(wave.into()))?;
    if app.store.read(|c| store::sample_of(c, wave))?.is_none() {
        return Err(CalibrationSettingError::NoSample(wave.into()));
    }
    let stored = calibration.map(|c| StoredCalibration {
        margins: c.margin_names(),
        distance: c.method.distance.as_str().into(),
        lower: c.method.bounds.lower.is_finite().then_some(c.method.bounds.lower),
        upper: c.method.bounds.upper.is_finite().then_some(c.method.bounds.upper),
        set_at: store::now(),
    });
    let detail = stored.as_ref().map_or_else(
        || "none: non-response adjusted weights".to_string(),
        |s| {
            let bound = |b: Option<f64>| b.map_or_else(|| "none".into(), |b| b.to_string());
            format!(
                "margins {}, distance {}, bounds {} to {}",
                s.margins,
                s.distance,
                bound(s.lower),
                bound(s.upper)
            )
        },
    );
    app.store.write(|tx| {
        store::set_calibration(tx, wave, stored.as_ref())?;
        let address = actor.address.as_deref();
        store::audit(tx, Some(&actor.name), "wave.calibrate", Some(wave), Some(&detail), address)
    })?;
    app.figures.forget(wave);
    let mut tried = Vec::new();
    for (id, version) in &found.questionnaires {
        let Some(survey) = super::waves::in_wave(app, &found, id, *version) else { continue };
        if survey.kind != RespondentKind::Enterprise {
            continue;
        }
        match crate::service::figures::computed(app, wave, id) {
            Ok((_, figures)) => tried.push(Tried {
                survey: id.clone(),
                estimator: figures.estimator.code(),
                problem: figures.calibration_problem.clone(),
                respondents: figures.respondents,
            }),
            Err(FiguresError::Store(e)) => return Err(e.into()),
            Err(_) => {}
        }
    }
    Ok(tried)
}
