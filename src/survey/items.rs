//! Checking the items of a questionnaire other than questions.

use std::collections::HashMap;

use super::condition::Scope;
use super::load::{At, Ctx};
use super::model::*;
use super::question::Entry;
use super::raw::*;

impl Ctx<'_> {
    pub(super) fn sections(
        &mut self,
        items: &[Item],
        ids: &mut HashMap<String, String>,
    ) -> Vec<(Section, At)> {
        let mut sections = Vec::new();
        for (n, item) in items.iter().enumerate() {
            let Some((raw, at)) = self.item::<RawSection>(item, "section", n + 1) else { continue };
            self.id(&at, &raw.id, ids);
            let title = self.text(&at, "title", raw.title, true);
            let description = self.text(&at, "description", raw.description, false);
            if let Some(title) = title {
                sections.push((Section { id: raw.id, title, description }, at));
            }
        }
        sections
    }

    pub(super) fn dimensions(
        &mut self,
        items: &[Item],
        ids: &mut HashMap<String, String>,
    ) -> Vec<(Dimension, At)> {
        if items.is_empty() {
            self.problems_push_file("a questionnaire needs at least one [[dimensions]] to score");
        }
        let mut dimensions = Vec::new();
        for (n, item) in items.iter().enumerate() {
            let Some((raw, at)) = self.item::<RawDimension>(item, "dimension", n + 1) else {
                continue;
            };
            self.id(&at, &raw.id, ids);
            let weight = raw.weight.unwrap_or(1.0);
            if !(weight.is_finite() && weight > 0.0) {
                self.problem(
                    &at,
                    Some("weight"),
                    format!("`weight` must be a positive number, not {weight}"),
                );
            }
            let title = self.text(&at, "title", raw.title, true);
            let description = self.text(&at, "description", raw.description, false);
            let framework = self.text(&at, "framework", raw.framework, false);
            if let Some(title) = title {
                dimensions
                    .push((Dimension { id: raw.id, weight, title, description, framework }, at));
            }
        }
        dimensions
    }

    pub(super) fn levels(&mut self, items: &[Item]) -> Vec<Level> {
        if items.is_empty() {
            self.problems_push_file(
                "a questionnaire needs [[levels]], the first with min_score = 0",
            );
        }
        let mut levels: Vec<Level> = Vec::new();
        let mut ids = HashMap::new();
        for (n, item) in items.iter().enumerate() {
            let Some((raw, at)) = self.item::<RawLevel>(item, "level", n + 1) else { continue };
            self.id(&at, &raw.id, &mut ids);
            let name = self.text(&at, "name", raw.name, true);
            let description = self.text(&at, "description", raw.description, false);
            let min = raw.min_score;
            if !(0.0..=100.0).contains(&min) {
                self.problem(
                    &at,
                    Some("min_score"),
                    format!("`min_score` must be between 0 and 100, not {min}"),
                );
            } else if n == 0 && min != 0.0 {
                self.problem(&at, Some("min_score"), "the first level must start at min_score = 0");
            } else if let Some(previous) = levels.last().filter(|l| l.min_score >= min) {
                self.problem(
                    &at,
                    Some("min_score"),
                    format!(
                        "level bounds must ascend: {min} is not above {} of level '{}'",
                        previous.min_score, previous.id
                    ),
                );
            }
            if let Some(name) = name {
                levels.push(Level { id: raw.id, min_score: min, name, description });
            }
        }
        levels
    }

    pub(super) fn indicators(
        &mut self,
        items: &[Item],
        questions: &[Entry],
        ids: &mut HashMap<String, String>,
    ) -> Vec<Indicator> {
        let entries = scope_entries(questions);
        let mut names: Vec<&str> = Vec::new();
        let mut indicators = Vec::new();
        for (n, item) in items.iter().enumerate() {
            let Some((raw, at)) = self.item::<RawIndicator>(item, "indicator", n + 1) else {
                continue;
            };
            self.id(&at, &raw.id, ids);
            let label = self.text(&at, "label", raw.label, true);
            let description = self.text(&at, "description", raw.description, false);
            let scope = Scope { questions: &entries, before: entries.len(), indicators: &names };
            let when = self.condition(&at, "when", &raw.when, &scope);
            if let (Some(label), Some(when)) = (label, when) {
                indicators.push(Indicator {
                    id: raw.id,
                    label,
                    description,
                    when,
                    when_source: raw.when,
                });
            }
            names.push(item.get_ref().get("id").and_then(|v| v.as_str()).unwrap_or(""));
        }
        indicators
    }

    /// The consistency checks: each an id, a condition on any questions, and what to ask.
    pub(super) fn checks(
        &mut self,
        items: &[Item],
        questions: &[Entry],
        ids: &mut HashMap<String, String>,
    ) -> Vec<Check> {
        let entries = scope_entries(questions);
        let mut checks = Vec::new();
        for (n, item) in items.iter().enumerate() {
            let Some((raw, at)) = self.item::<RawCheck>(item, "check", n + 1) else {
                continue;
            };
            self.id(&at, &raw.id, ids);
            let message = self.text(&at, "message", raw.message, true);
            let scope = Scope { questions: &entries, before: entries.len(), indicators: &[] };
            let Some(when) = self.condition(&at, "when", &raw.when, &scope) else { continue };
            let Some(last_question) = when.questions().into_iter().max() else {
                self.problem(&at, Some("when"), "a check must name the questions it compares");
                continue;
            };
            if let Some(message) = message {
                checks.push(Check {
                    id: raw.id,
                    when,
                    when_source: raw.when,
                    message,
                    last_question,
                });
            }
        }
        checks
    }

    /// Pages in order of first appearance; each section or dimension must be one contiguous
    /// run of questions, and must have at least one question.
    pub(super) fn pages(
        &mut self,
        questions: &[Entry],
        sections: &[(Section, At)],
        dimensions: &[(Dimension, At)],
    ) -> Vec<Page> {
        let mut pages: Vec<Page> = Vec::new();
        for (i, entry) in questions.iter().enumerate() {
            let Some(question) = &entry.question else { continue };
            match pages.last_mut() {
                Some(page) if page.home == question.home => page.questions.end = i + 1,
                _ => {
                    if let Some(earlier) = pages.iter().find(|p| p.home == question.home) {
                        let name = self.home_name(question.home, sections, dimensions);
                        let first = &questions[earlier.questions.start].id;
                        let message = format!(
                            "belongs to {name}, whose questions must stand together (it starts at question '{first}')"
                        );
                        let key = if matches!(question.home, Home::Section(_)) {
                            "section"
                        } else {
                            "dimension"
                        };
                        self.problem(&entry.at, Some(key), message);
                    }
                    pages.push(Page { home: question.home, questions: i..i + 1 });
                }
            }
        }
        if questions.iter().any(|e| e.question.is_none()) {
            // Pages of invalid questions are unknown: "has no question" could be wrong.
            return pages;
        }
        for (d, (dimension, at)) in dimensions.iter().enumerate() {
            if !pages.iter().any(|p| p.home == Home::Dimension(d)) {
                self.problem(at, None, format!("dimension '{}' has no question", dimension.id));
            }
        }
        for (s, (section, at)) in sections.iter().enumerate() {
            if !pages.iter().any(|p| p.home == Home::Section(s)) {
                self.problem(at, None, format!("section '{}' has no question", section.id));
            }
        }
        pages
    }

    fn home_name(
        &self,
        home: Home,
        sections: &[(Section, At)],
        dimensions: &[(Dimension, At)],
    ) -> String {
        match home {
            Home::Section(s) => format!("section '{}'", sections[s].0.id),
            Home::Dimension(d) => format!("dimension '{}'", dimensions[d].0.id),
        }
    }
}

/// The questions as a condition's scope sees them: id, type (`None` if the question is
/// invalid) and what it offers besides its own answers.
pub(super) fn scope_entries(questions: &[Entry]) -> Vec<(&str, Option<&QuestionKind>, Offers)> {
    questions
        .iter()
        .map(|e| {
            let q = e.question.as_ref();
            (e.id.as_str(), q.map(|q| &q.kind), q.map(Question::offers).unwrap_or_default())
        })
        .collect()
}
