//! Figures of a wave, kept for a few minutes: pages and the API ask for them often, and they
//! change only as responses arrive.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::app::App;
use crate::figures::{Figures, FiguresError, Sample, figures_of, sample};

/// How long figures are reused.
const FRESH_FOR: Duration = Duration::from_secs(300);

/// A wave's sample (what area reports aggregate) and its figures.
pub type Computed = (Arc<Sample>, Arc<Figures>);

/// (wave, questionnaire) -> when computed, and what.
type Entries = HashMap<(String, String), (Instant, Computed)>;

/// Figures as the application's disclosure policy suppresses them.
#[derive(Default)]
pub struct FiguresCache {
    entries: Mutex<Entries>,
}

impl FiguresCache {
    /// The figures of a questionnaire in a wave, computed off the async threads when stale.
    pub async fn get(
        &self,
        app: &App,
        wave: &str,
        survey: &str,
    ) -> Result<Arc<Figures>, FiguresError> {
        Ok(self.get_with_sample(app, wave, survey).await?.1)
    }

    /// The figures and the sample they come from.
    pub async fn get_with_sample(
        &self,
        app: &App,
        wave: &str,
        survey: &str,
    ) -> Result<Computed, FiguresError> {
        let key = (wave.to_string(), survey.to_string());
        if let Some((_, computed)) =
            self.lock().get(&key).filter(|(at, _)| at.elapsed() < FRESH_FOR).cloned()
        {
            return Ok(computed);
        }
        let (app_ref, wave_id, survey_id) = (app.clone(), wave.to_string(), survey.to_string());
        let computed = rocket::tokio::task::spawn_blocking(move || {
            let sample = sample(&app_ref, &wave_id, &survey_id)?;
            let figures = figures_of(&app_ref, &wave_id, &sample);
            Ok::<_, FiguresError>((Arc::new(sample), Arc::new(figures)))
        })
        .await
        .map_err(|e| FiguresError::Store(crate::store::StoreError::Worker(e.to_string())))??;
        self.lock().insert(key, (Instant::now(), computed.clone()));
        Ok(computed)
    }

    /// Drops the figures of a wave (its frame changed).
    pub fn forget(&self, wave: &str) {
        self.lock().retain(|(w, _), _| w != wave);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
