//! Figures of a wave, kept for a few minutes: pages and the API ask for them often, and they
//! change only as responses arrive.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::app::App;
use crate::figures::{Figures, FiguresError, figures};

/// How long figures are reused.
const FRESH_FOR: Duration = Duration::from_secs(300);

/// (wave, questionnaire, threshold) -> when computed, and the figures.
type Entries = HashMap<(String, String, u32), (Instant, Arc<Figures>)>;

pub struct FiguresCache {
    entries: Mutex<Entries>,
    threshold: u32,
}

impl FiguresCache {
    /// A cache of figures suppressed below `threshold` respondents (never below 3).
    pub fn new(threshold: u32) -> FiguresCache {
        FiguresCache {
            entries: Mutex::default(),
            threshold: threshold.max(crate::stats::MIN_THRESHOLD),
        }
    }

    /// The suppression threshold of every figure it gives.
    pub fn threshold(&self) -> u32 {
        self.threshold
    }

    /// The figures of a questionnaire in a wave, computed off the async threads when stale.
    #[allow(clippy::similar_names)]
    pub async fn get(
        &self,
        app: &App,
        wave: &str,
        survey: &str,
    ) -> Result<Arc<Figures>, FiguresError> {
        let threshold = self.threshold;
        let key = (wave.to_string(), survey.to_string(), threshold);
        if let Some((_, figures)) =
            self.lock().get(&key).filter(|(at, _)| at.elapsed() < FRESH_FOR).cloned()
        {
            return Ok(figures);
        }
        let (app_ref, wave_id, survey_id) = (app.clone(), wave.to_string(), survey.to_string());
        let computed = rocket::tokio::task::spawn_blocking(move || {
            figures(&app_ref, &wave_id, &survey_id, threshold)
        })
        .await
        .map_err(|e| FiguresError::Store(crate::store::StoreError::Worker(e.to_string())))??;
        let computed = Arc::new(computed);
        self.lock().insert(key, (Instant::now(), computed.clone()));
        Ok(computed)
    }

    /// Drops the figures of a wave (its frame changed).
    pub fn forget(&self, wave: &str) {
        self.lock().retain(|(w, _, _), _| w != wave);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
