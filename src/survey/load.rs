//! Reading questionnaire files strictly: every problem is collected and located, and a
//! [`Survey`] exists only when there is none.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::condition::{self, Condition, Scope};
use super::model::*;
use super::problem::{LoadError, Problem, line_of};
use super::raw::*;
use crate::kernel::Text;

/// The longest id allowed: ids become CSV column names.
const MAX_ID_LEN: usize = 48;

/// A questionnaire with the source it was read from.
#[derive(Debug, Clone)]
pub struct SurveyFile {
    pub path: PathBuf,
    pub source: String,
    pub survey: Survey,
}

/// Reads one questionnaire file.
pub fn load_file(path: &Path) -> Result<SurveyFile, LoadError> {
    let name = path.display().to_string();
    let source = std::fs::read_to_string(path).map_err(|e| LoadError {
        problems: vec![Problem {
            file: name.clone(),
            line: None,
            item: None,
            message: format!("cannot read: {e}"),
        }],
    })?;
    let survey = parse(&source, &name)?;
    Ok(SurveyFile { path: path.to_path_buf(), source, survey })
}

/// Reads every `*.toml` questionnaire of a folder (not its subfolders), or one file, and checks
/// that no two share an id.
pub fn load_paths(paths: &[PathBuf]) -> Result<Vec<SurveyFile>, LoadError> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        if path.is_dir() {
            match questionnaire_files(path) {
                Ok(found) if found.is_empty() => problems.push(Problem {
                    file: path.display().to_string(),
                    line: None,
                    item: None,
                    message: "holds no questionnaire (*.toml)".into(),
                }),
                Ok(found) => files.extend(found),
                Err(e) => problems.push(Problem {
                    file: path.display().to_string(),
                    line: None,
                    item: None,
                    message: format!("cannot list: {e}"),
                }),
            }
        } else {
            files.push(path.clone());
        }
    }
    let mut loaded: Vec<SurveyFile> = Vec::new();
    for file in files {
        match load_file(&file) {
            Ok(survey_file) => {
                if let Some(other) = loaded.iter().find(|s| s.survey.id == survey_file.survey.id) {
                    problems.push(Problem {
                        file: file.display().to_string(),
                        line: None,
                        item: None,
                        message: format!(
                            "questionnaire id '{}' is also used by {}",
                            other.survey.id,
                            other.path.display()
                        ),
                    });
                }
                loaded.push(survey_file);
            }
            Err(e) => problems.extend(e.problems),
        }
    }
    if problems.is_empty() { Ok(loaded) } else { Err(LoadError { problems }) }
}

fn questionnaire_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        // `<id>.changes.toml` beside a questionnaire says why it changed (`dxsurvey changelog`).
        .filter(|p| !p.to_string_lossy().ends_with(".changes.toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// Parses and checks the source of one questionnaire; `file` names it in problems.
pub fn parse(source: &str, file: &str) -> Result<Survey, LoadError> {
    let mut ctx = Ctx { file, source, problems: Vec::new(), vsic: Default::default() };
    let raw: RawFile = match toml::from_str(source) {
        Ok(raw) => raw,
        Err(e) => {
            let line = e.span().map(|s| line_of(source, s.start));
            ctx.problems.push(Problem {
                file: file.into(),
                line,
                item: line.and_then(|l| item_at(source, l)),
                message: e.message().trim().to_string(),
            });
            return Err(LoadError { problems: ctx.problems });
        }
    };
    let survey = ctx.build(raw);
    if ctx.problems.is_empty() { Ok(survey) } else { Err(LoadError { problems: ctx.problems }) }
}

/// The item whose block holds `line` (1-based), e.g. `question 'q3'`, read from the text alone:
/// a syntax error leaves no parsed file to ask.
fn item_at(source: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = source.lines().collect();
    let last = line.min(lines.len());
    let header = (0..last).rev().find(|&i| lines[i].trim_start().starts_with("[["))?;
    let table = lines[header].trim().trim_start_matches("[[").split(']').next()?.trim();
    let kind = match table {
        "questions" => "question",
        "dimensions" => "dimension",
        "sections" => "section",
        "levels" => "level",
        "indicators" => "indicator",
        "checks" => "check",
        "experiment.arms" => "arm",
        _ => return None,
    };
    let id =
        lines[header + 1..].iter().take_while(|l| !l.trim_start().starts_with('[')).find_map(|l| {
            let (key, value) = l.split_once('=')?;
            (key.trim() == "id").then(|| value.trim().trim_matches('"').to_string())
        });
    Some(match id {
        Some(id) => format!("{kind} '{id}'"),
        None => format!("the {kind} that starts on line {}", header + 1),
    })
}

/// Whether `id` is a valid id of a question, dimension, section, level, indicator or choice.
pub fn valid_id(id: &str) -> bool {
    id.len() <= MAX_ID_LEN
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Where an item stands, for locating its problems.
pub(super) struct At {
    pub(super) span: Range<usize>,
    /// E.g. `question 'q3'`; `None` for the file's top level.
    pub(super) what: Option<String>,
}

pub(super) struct Ctx<'a> {
    file: &'a str,
    source: &'a str,
    problems: Vec<Problem>,
    /// The file's VSIC version, which its sector question asks.
    pub(super) vsic: crate::reference::VsicVersion,
}

impl Ctx<'_> {
    /// Records a problem of an item (or of the top level), on the line of `key` within it if
    /// it can be found.
    pub(super) fn problem(&mut self, at: &At, key: Option<&str>, message: impl Into<String>) {
        let line = match (key, &at.what) {
            (Some(k), _) => Some(self.key_line(at, k)),
            (None, Some(_)) => Some(self.item_line(at)),
            // A key missing from the top level has no line.
            (None, None) => None,
        };
        self.problems.push(Problem {
            file: self.file.into(),
            line,
            item: at.what.clone(),
            message: message.into(),
        });
    }

    pub(super) fn problems_push_file(&mut self, message: impl Into<String>) {
        self.file_problem(message);
    }

    fn file_problem(&mut self, message: impl Into<String>) {
        self.problems.push(Problem {
            file: self.file.into(),
            line: None,
            item: None,
            message: message.into(),
        });
    }

    fn item_line(&self, at: &At) -> usize {
        line_of(self.source, at.span.start)
    }

    /// The first line within the item that assigns `key`, or the item's first line. An item
    /// runs from its `[[header]]` (the span toml gives) to the next table header.
    fn key_line(&self, at: &At, key: &str) -> usize {
        let mut offset = at.span.start.min(self.source.len());
        for (n, line) in self.source[offset..].split_inclusive('\n').enumerate() {
            let trimmed = line.trim_start();
            let header = trimmed.starts_with("[[")
                || (trimmed.starts_with('[')
                    && trimmed[1..].starts_with(|c: char| c.is_ascii_alphabetic()));
            if n > 0 && header {
                break;
            }
            let assigns = line.match_indices(key).any(|(i, _)| {
                let before = line[..i].chars().next_back();
                let after = line[i + key.len()..].trim_start();
                !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                    && after.starts_with('=')
            });
            if assigns {
                return line_of(self.source, offset);
            }
            offset += line.len();
        }
        self.item_line(at)
    }

    /// Reads one item of kind `kind` ("question", …) from its table.
    pub(super) fn item<T: DeserializeOwned>(
        &mut self,
        item: &Item,
        kind: &str,
        n: usize,
    ) -> Option<(T, At)> {
        let id = item.get_ref().get("id").and_then(|v| v.as_str());
        let what = match id {
            Some(id) => format!("{kind} '{id}'"),
            None => format!("{kind} #{n}"),
        };
        let at = At { span: item.span(), what: Some(what) };
        match toml::Value::Table(item.get_ref().clone()).try_into::<T>() {
            Ok(value) => Some((value, at)),
            Err(e) => {
                let message = e.message().trim().to_string();
                let key = message
                    .strip_prefix("unknown field `")
                    .and_then(|rest| rest.split('`').next())
                    .map(str::to_string);
                self.problem(&at, key.as_deref(), message);
                None
            }
        }
    }

    /// A bilingual text; a missing or incomplete one is a problem unless it is optional and
    /// absent.
    pub(super) fn text(
        &mut self,
        at: &At,
        key: &str,
        raw: Option<RawText>,
        required: bool,
    ) -> Option<Text> {
        let Some(raw) = raw else {
            if required {
                self.problem(at, None, format!("missing `{key}`"));
            }
            return None;
        };
        let filled = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        match (filled(raw.vi), filled(raw.en)) {
            (Some(vi), Some(en)) => {
                let unknown: Vec<String> = [&vi, &en]
                    .iter()
                    .flat_map(|t| super::period::unknown_placeholders(t))
                    .collect();
                for name in unknown {
                    let known = super::period::PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ");
                    self.problem(
                        at,
                        Some(key),
                        format!("`{key}` names {{{name}}}, which is not a placeholder; the placeholders are {known}"),
                    );
                }
                Some(Text::new(vi.trim(), en.trim()))
            }
            (vi, _) => {
                let missing = if vi.is_none() { "Vietnamese (vi)" } else { "English (en)" };
                self.problem(at, Some(key), format!("`{key}` has no {missing} text"));
                None
            }
        }
    }

    /// Records an id, refusing invalid and duplicate ones.
    pub(super) fn id(&mut self, at: &At, id: &str, seen: &mut HashMap<String, String>) {
        if !valid_id(id) {
            self.problem(
                at,
                Some("id"),
                format!("id '{id}' must be lower-case letters, digits and _, start with a letter, at most {MAX_ID_LEN} characters"),
            );
        } else if condition::KEYWORDS.contains(&id) {
            self.problem(at, Some("id"), format!("id '{id}' is a word of the condition language"));
        }
        if let Some(first) = seen.insert(id.to_string(), at.what.clone().unwrap_or_default()) {
            self.problem(at, Some("id"), format!("id '{id}' is already used by {first}"));
        }
    }

    /// Parses and resolves a condition, reporting every problem under `key`.
    pub(super) fn condition(
        &mut self,
        at: &At,
        key: &str,
        source: &str,
        scope: &Scope<'_>,
    ) -> Option<Condition> {
        let parsed = match condition::parse::parse(source) {
            Ok(parsed) => parsed,
            Err(e) => {
                self.problem(at, Some(key), format!("`{key}`: {e}"));
                return None;
            }
        };
        match condition::resolve(&parsed, scope) {
            Ok(resolved) => {
                if let Some(why) = condition::impossible(&resolved, scope) {
                    self.problem(at, Some(key), format!("`{key}` can never hold: {why}"));
                }
                Some(resolved)
            }
            Err(errors) => {
                for error in errors {
                    self.problem(at, Some(key), format!("`{key}`: {error}"));
                }
                None
            }
        }
    }

    fn build(&mut self, raw: RawFile) -> Survey {
        let id = raw.id.clone().unwrap_or_default();
        let survey_id_ok = !id.is_empty()
            && id.len() <= MAX_ID_LEN
            && id.starts_with(|c: char| c.is_ascii_lowercase())
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !survey_id_ok {
            self.file_problem(
                "`id` must be lower-case letters, digits, '-' and '_', starting with a letter",
            );
        }
        let version = match raw.version.map(u32::try_from) {
            Some(Ok(v)) if v >= 1 => v,
            Some(_) => {
                self.file_problem("`version` must be a whole number of at least 1");
                0
            }
            None => {
                self.file_problem("missing `version`");
                0
            }
        };
        let kind = match raw.kind.as_deref() {
            Some("enterprise") => RespondentKind::Enterprise,
            Some("agency") => RespondentKind::Agency,
            Some(other) => {
                self.file_problem(format!(
                    "`kind` is '{other}'; it must be 'enterprise' or 'agency'"
                ));
                RespondentKind::Enterprise
            }
            None => {
                self.file_problem("missing `kind` ('enterprise' or 'agency')");
                RespondentKind::Enterprise
            }
        };
        // Top-level keys stand before the first table header: the key search finds their line.
        let top = At { span: 0..0, what: None };
        let title = self.text(&top, "title", raw.title, true);
        let description = self.text(&top, "description", raw.description, true);
        let observation_period =
            self.text(&top, "observation_period", raw.observation_period, true);
        let sources = self.text(&top, "sources", raw.sources, false);
        let vsic = match raw.vsic.as_deref().map(crate::reference::VsicVersion::parse) {
            None => crate::reference::VsicVersion::default(),
            Some(Some(version)) => version,
            Some(None) => {
                let line = Some("vsic");
                self.problem(
                    &top,
                    line,
                    "`vsic` is the VSIC version the sector question asks: \"2018\" or \"2025\"",
                );
                crate::reference::VsicVersion::default()
            }
        };
        self.vsic = vsic;

        let mut ids = HashMap::new();
        let sections = self.sections(&raw.sections, &mut ids);
        let dimensions = self.dimensions(&raw.dimensions, &mut ids);
        let levels = self.levels(&raw.levels);
        let questions = self.questions(&raw.questions, &sections, &dimensions, &mut ids, kind);
        let indicators = self.indicators(&raw.indicators, &questions, &mut ids);
        let checks = self.checks(&raw.checks, &questions, &mut ids);
        let pages = self.pages(&questions, &sections, &dimensions);
        let homes: HashMap<String, Home> = sections
            .iter()
            .enumerate()
            .map(|(i, (s, _))| (s.id.clone(), Home::Section(i)))
            .chain(
                dimensions.iter().enumerate().map(|(i, (d, _))| (d.id.clone(), Home::Dimension(i))),
            )
            .collect();
        let experiment = self.experiment(raw.experiment, &questions, &pages, &homes);

        let questions: Vec<Question> = questions.into_iter().filter_map(|e| e.question).collect();
        let question_index = questions.iter().enumerate().map(|(i, q)| (q.id.clone(), i)).collect();
        let blank = || Text::new("", "");
        Survey {
            id,
            version,
            kind,
            title: title.unwrap_or_else(blank),
            description: description.unwrap_or_else(blank),
            observation_period: observation_period.unwrap_or_else(blank),
            sources,
            vsic,
            sections: sections.into_iter().map(|(s, _)| s).collect(),
            dimensions: dimensions.into_iter().map(|(d, _)| d).collect(),
            levels,
            questions,
            indicators,
            checks,
            pages,
            experiment,
            question_index,
        }
    }
}
