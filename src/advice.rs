//! Recommendations per questionnaire, dimension and level: report content kept as data in
//! `reports/recommendations/<questionnaire id>.toml` (format in `reports/README.md`).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

use crate::survey::{LoadError, Problem, Survey, Text, line_of};

/// Recommendations of every questionnaire, by dimension and level.
#[derive(Debug, Default)]
pub struct Advice {
    texts: HashMap<String, HashMap<(String, String), Text>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawText {
    vi: String,
    en: String,
}

impl Advice {
    /// Loads the recommendations of each questionnaire and checks that every dimension and
    /// level of it has a text in both languages.
    pub fn load(dir: &Path, surveys: &[&Survey]) -> Result<Advice, LoadError> {
        let mut advice = Advice::default();
        let mut problems = Vec::new();
        for survey in surveys {
            let path = dir.join(format!("{}.toml", survey.id));
            let file = path.display().to_string();
            let problem = |line: Option<usize>, message: String| Problem {
                file: file.clone(),
                line,
                item: None,
                message,
            };
            let source = match std::fs::read_to_string(&path) {
                Ok(source) => source,
                Err(e) => {
                    problems.push(problem(
                        None,
                        format!("cannot read the recommendations of '{}': {e}", survey.id),
                    ));
                    continue;
                }
            };
            let mut table: BTreeMap<String, toml::Value> = match toml::from_str(&source) {
                Ok(table) => table,
                Err(e) => {
                    problems.push(problem(
                        e.span().map(|s| line_of(&source, s.start)),
                        e.message().trim().to_string(),
                    ));
                    continue;
                }
            };
            let line = |key: &str| {
                source.lines().position(|l| l.trim_start().starts_with(key)).map(|i| i + 1)
            };
            match table.remove("survey").as_ref().and_then(toml::Value::as_str) {
                Some(id) if id == survey.id => {}
                _ => problems
                    .push(problem(line("survey"), format!("`survey` must be \"{}\"", survey.id))),
            }
            for key in table.keys().filter(|k| !survey.dimensions.iter().any(|d| &d.id == *k)) {
                problems.push(problem(
                    line(&format!("[{key}]")),
                    format!("'{key}' is not a dimension of '{}'", survey.id),
                ));
            }
            let mut texts = HashMap::new();
            for dimension in &survey.dimensions {
                let levels: BTreeMap<String, RawText> = match table
                    .get(&dimension.id)
                    .cloned()
                    .map(toml::Value::try_into)
                    .transpose()
                {
                    Ok(levels) => levels.unwrap_or_default(),
                    Err(e) => {
                        let at = line(&format!("[{}]", dimension.id));
                        problems.push(problem(
                            at,
                            format!("[{}]: {}", dimension.id, e.message().trim()),
                        ));
                        continue;
                    }
                };
                for key in levels.keys().filter(|k| !survey.levels.iter().any(|l| &l.id == *k)) {
                    problems.push(problem(
                        None,
                        format!("[{}]: '{key}' is not a level of '{}'", dimension.id, survey.id),
                    ));
                }
                for level in &survey.levels {
                    match levels.get(&level.id) {
                        Some(t) if !t.vi.trim().is_empty() && !t.en.trim().is_empty() => {
                            texts.insert(
                                (dimension.id.clone(), level.id.clone()),
                                Text::new(t.vi.trim(), t.en.trim()),
                            );
                        }
                        _ => problems.push(problem(
                            None,
                            format!(
                                "[{}] needs `{}` with a Vietnamese and an English text",
                                dimension.id, level.id
                            ),
                        )),
                    }
                }
            }
            advice.texts.insert(survey.id.clone(), texts);
        }
        if problems.is_empty() { Ok(advice) } else { Err(LoadError { problems }) }
    }

    /// The recommendation for a dimension at a level.
    pub fn get(&self, survey: &str, dimension: &str, level: &str) -> Option<&Text> {
        self.texts.get(survey)?.get(&(dimension.to_string(), level.to_string()))
    }
}
