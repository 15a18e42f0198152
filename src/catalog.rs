//! Every questionnaire version the database holds, parsed once, and which version of each is
//! the current one (the one in the files).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use crate::store::StoredQuestionnaire;
use crate::survey::period::Period;
use crate::survey::{LoadError, Survey, SurveyFile, parse};

/// A version as a wave of a period shows it (if it names placeholders), in one arm of its
/// experiment.
type VariantKey = (String, u32, Option<Period>, Option<usize>);

/// All known questionnaire versions.
#[derive(Debug, Default)]
pub struct Catalog {
    versions: HashMap<(String, u32), Arc<Survey>>,
    current: HashMap<String, u32>,
    /// The versions whose texts name a placeholder of the wave's period.
    with_placeholders: HashSet<(String, u32)>,
    /// Versions as a wave and an experiment's arm put them, made once each.
    variants: Mutex<HashMap<VariantKey, Arc<Survey>>>,
}

impl Catalog {
    /// Builds the catalogue from the stored versions and the files read at start.
    pub fn new(stored: &[StoredQuestionnaire], files: &[SurveyFile]) -> Result<Catalog, LoadError> {
        let mut catalog = Catalog::default();
        let mut problems = Vec::new();
        for q in stored {
            let name = format!("stored questionnaire {} version {}", q.survey_id, q.version);
            match parse(&q.source, &name) {
                Ok(survey) => {
                    catalog.versions.insert((q.survey_id.clone(), q.version), Arc::new(survey));
                }
                Err(e) => problems.extend(e.problems),
            }
        }
        for file in files {
            let key = (file.survey.id.clone(), file.survey.version);
            catalog.versions.entry(key).or_insert_with(|| Arc::new(file.survey.clone()));
            catalog.current.insert(file.survey.id.clone(), file.survey.version);
        }
        catalog.with_placeholders = catalog
            .versions
            .iter()
            .filter(|(_, s)| s.has_placeholders())
            .map(|(key, _)| key.clone())
            .collect();
        if problems.is_empty() { Ok(catalog) } else { Err(LoadError { problems }) }
    }

    /// A given version of a questionnaire as a wave of `period` shows it: its placeholders
    /// (`{ref_year}`, ...) filled.
    pub fn in_period(&self, id: &str, version: u32, period: Period) -> Option<Arc<Survey>> {
        self.variant(id, version, Some(period), None)
    }

    /// A given version of a questionnaire as a wave of `period` shows it to a respondent
    /// assigned `arm` of its experiment (see [`Survey::for_arm`]).
    pub fn variant(
        &self,
        id: &str,
        version: u32,
        period: Option<Period>,
        arm: Option<usize>,
    ) -> Option<Arc<Survey>> {
        let plain = self.get(id, version)?;
        let key = (id.to_string(), version);
        let period = period.filter(|_| self.with_placeholders.contains(&key));
        let arm = arm.filter(|_| plain.experiment.is_some());
        if period.is_none() && arm.is_none() {
            return Some(plain.clone());
        }
        let mut variants = self.variants.lock().unwrap_or_else(PoisonError::into_inner);
        let survey = variants.entry((key.0, key.1, period, arm)).or_insert_with(|| {
            let survey = arm.map_or_else(|| plain.as_ref().clone(), |a| plain.for_arm(a));
            Arc::new(period.map_or_else(|| survey.clone(), |p| survey.in_period(p)))
        });
        Some(survey.clone())
    }

    /// A given version of a questionnaire.
    pub fn get(&self, id: &str, version: u32) -> Option<&Arc<Survey>> {
        self.versions.get(&(id.to_string(), version))
    }

    /// The current version of a questionnaire.
    pub fn current(&self, id: &str) -> Option<&Arc<Survey>> {
        self.current.get(id).and_then(|v| self.get(id, *v))
    }

    /// Every version of a questionnaire, oldest first.
    pub fn versions_of(&self, id: &str) -> Vec<&Survey> {
        let mut versions: Vec<&Survey> = self
            .versions
            .iter()
            .filter(|((sid, _), _)| sid == id)
            .map(|(_, s)| s.as_ref())
            .collect();
        versions.sort_by_key(|s| s.version);
        versions
    }

    /// The current version of every questionnaire, by id.
    pub fn current_all(&self) -> Vec<&Arc<Survey>> {
        let mut all: Vec<&Arc<Survey>> =
            self.current.keys().filter_map(|id| self.current(id)).collect();
        all.sort_by(|a, b| a.id.cmp(&b.id));
        all
    }
}
