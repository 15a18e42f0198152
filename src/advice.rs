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
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    problems.push(problem(
                        None,
                        format!(
                            "questionnaire '{}' has no recommendations: every questionnaire needs this file, with a text per dimension and level (format: reports/README.md)",
                            survey.id
                        ),
                    ));
                    continue;
                }
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::survey::parse;

    fn small() -> Survey {
        parse(include_str!("../tests/fixtures/small/small.toml"), "small.toml").unwrap()
    }

    fn load(text: &str) -> Result<Advice, LoadError> {
        let dir = tempfile::TempDir::new().unwrap();
        std::fs::write(dir.path().join("small.toml"), text).unwrap();
        Advice::load(dir.path(), &[&small()])
    }

    const COMPLETE: &str = r#"
survey = "small"
[a]
low = { vi = "Thấp A", en = "Low A" }
mid = { vi = "Vừa A", en = "Middle A" }
high = { vi = "Cao A", en = "High A" }
[b]
low = { vi = "Thấp B", en = "Low B" }
mid = { vi = "Vừa B", en = "Middle B" }
high = { vi = "Cao B", en = "High B" }
"#;

    #[test]
    fn a_complete_file_gives_every_text() {
        let advice = load(COMPLETE).unwrap();
        assert_eq!(advice.get("small", "b", "mid").unwrap().en, "Middle B");
        assert!(advice.get("small", "c", "mid").is_none());
    }

    #[test]
    fn gaps_and_strangers_are_each_reported() {
        let broken = COMPLETE
            .replace("high = { vi = \"Cao B\", en = \"High B\" }", "")
            .replace("[b]", "[b]\nextra = { vi = \"x\", en = \"y\" }")
            + "[zz]\nlow = { vi = \"x\", en = \"y\" }\n";
        let problems: Vec<String> =
            load(&broken).unwrap_err().problems.iter().map(|p| p.message.clone()).collect();
        let text = problems.join("\n");
        assert!(text.contains("[b] needs `high`"), "{text}");
        assert!(text.contains("'extra' is not a level"), "{text}");
        assert!(text.contains("'zz' is not a dimension"), "{text}");
    }

    #[test]
    fn the_shipped_recommendations_cover_both_questionnaires() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let files = crate::survey::load_paths(&[root.join("surveys")]).unwrap();
        let surveys: Vec<&Survey> = files.iter().map(|f| &f.survey).collect();
        Advice::load(&root.join("reports/recommendations"), &surveys)
            .unwrap_or_else(|e| panic!("{e}"));
    }
}
