//! Split-ballot experiments: reading the `[experiment]` of a file, and the questionnaire as one
//! arm puts it (its page order and wordings).

use std::collections::{HashMap, HashSet};

use toml::Spanned;

use super::load::{At, Ctx, valid_id};
use super::model::*;
use super::question::Entry;
use super::raw::{RawArm, RawExperiment, RawWording};

impl Ctx<'_> {
    /// The experiment of the file, if it declares one; `pages` are the file's pages.
    pub(super) fn experiment(
        &mut self,
        raw: Option<Spanned<RawExperiment>>,
        questions: &[Entry],
        pages: &[Page],
        homes: &HashMap<String, Home>,
    ) -> Option<Experiment> {
        let raw = raw?;
        let span = raw.span();
        let raw = raw.into_inner();
        let id = raw.id.unwrap_or_default();
        let at = At { span, what: Some(format!("experiment '{id}'")) };
        if !valid_id(&id) {
            self.problem(&at, Some("id"), format!("experiment id '{id}' must be lower-case letters, digits and _, starting with a letter"));
        }
        let title = self.text(&at, "title", raw.title, true);
        let description = self.text(&at, "description", raw.description, false);
        if raw.arms.len() < 2 {
            self.problem(&at, None, "an experiment needs at least two [[experiment.arms]]");
        }
        let mut seen = HashMap::new();
        let mut arms = Vec::new();
        for (n, item) in raw.arms.iter().enumerate() {
            let Some((raw_arm, at)) = self.item::<RawArm>(item, "arm", n + 1) else { continue };
            if let Some(first) = seen.insert(raw_arm.id.clone(), n) {
                self.problem(
                    &at,
                    Some("id"),
                    format!("arm id '{}' is already used by arm #{}", raw_arm.id, first + 1),
                );
            }
            if !valid_id(&raw_arm.id) {
                self.problem(&at, Some("id"), format!("arm id '{}' must be lower-case letters, digits and _, starting with a letter", raw_arm.id));
            }
            if let Some(arm) = self.arm(raw_arm, &at, questions, pages, homes) {
                arms.push(arm);
            }
        }
        Some(Experiment { id, title: title?, description, arms })
    }

    fn arm(
        &mut self,
        raw: RawArm,
        at: &At,
        questions: &[Entry],
        pages: &[Page],
        homes: &HashMap<String, Home>,
    ) -> Option<Arm> {
        let label = self.text(at, "label", raw.label, true);
        let order = match &raw.order {
            Some(order) => self.order(at, order, pages, homes),
            None => Some((0..pages.len()).collect()),
        };
        if let Some(order) = &order {
            self.conditions_in_order(at, order, questions, pages);
        }
        let mut worded = HashSet::new();
        let wordings: Vec<Wording> = raw
            .wordings
            .into_iter()
            .filter_map(|w| self.wording(at, w, questions, &mut worded))
            .collect();
        Some(Arm { id: raw.id, label: label?, pages: order?, wordings })
    }

    /// The page positions an arm's `order` (ids of sections and dimensions) names, if it
    /// names every page once and starts with the first.
    fn order(
        &mut self,
        at: &At,
        order: &[String],
        pages: &[Page],
        homes: &HashMap<String, Home>,
    ) -> Option<Vec<usize>> {
        let mut positions = Vec::new();
        let mut fine = true;
        for id in order {
            let page = homes.get(id).and_then(|h| pages.iter().position(|p| p.home == *h));
            match page {
                None => {
                    self.problem(
                        at,
                        Some("order"),
                        format!(
                            "`order` names '{id}', which is no section or dimension of this file"
                        ),
                    );
                    fine = false;
                }
                Some(p) if positions.contains(&p) => {
                    self.problem(at, Some("order"), format!("`order` names '{id}' twice"));
                    fine = false;
                }
                Some(p) => positions.push(p),
            }
        }
        let name_of =
            |p: usize| homes.iter().find(|(_, h)| **h == pages[p].home).map(|(id, _)| id.clone());
        let missing: Vec<String> =
            (0..pages.len()).filter(|p| !positions.contains(p)).filter_map(name_of).collect();
        if fine && !missing.is_empty() {
            let list = missing.join("', '");
            self.problem(
                at,
                Some("order"),
                format!(
                    "`order` leaves out '{list}': it must name every section and dimension once"
                ),
            );
            fine = false;
        }
        if fine && positions.first() != Some(&0) {
            let first = name_of(0).unwrap_or_default();
            self.problem(
                at,
                Some("order"),
                format!(
                    "`order` must start with '{first}', the page that identifies the organisation"
                ),
            );
            fine = false;
        }
        fine.then_some(positions)
    }

    /// In the arm's order, no question may come before one its `show_if` names.
    fn conditions_in_order(
        &mut self,
        at: &At,
        order: &[usize],
        questions: &[Entry],
        pages: &[Page],
    ) {
        let asked = asking_order(order, pages, questions.len());
        for (q, entry) in questions.iter().enumerate() {
            let Some(condition) = entry.question.as_ref().and_then(|q| q.show_if.as_ref()) else {
                continue;
            };
            for named in condition.questions() {
                if asked[named] > asked[q] {
                    self.problem(at, Some("order"), format!(
                        "in this order question '{}' comes before '{}', which its show_if names",
                        entry.id, questions[named].id
                    ));
                }
            }
        }
    }

    fn wording(
        &mut self,
        arm: &At,
        raw: RawWording,
        questions: &[Entry],
        worded: &mut HashSet<String>,
    ) -> Option<Wording> {
        let what = format!(
            "{}, wording of question '{}'",
            arm.what.clone().unwrap_or_default(),
            raw.question
        );
        let at = At { span: arm.span.clone(), what: Some(what) };
        let Some(question) = questions.iter().position(|e| e.id == raw.question) else {
            self.problem(&at, None, format!("'{}' is no question of this file", raw.question));
            return None;
        };
        if !worded.insert(raw.question.clone()) {
            self.problem(&at, None, "the question is worded twice in this arm");
        }
        if raw.label.is_none() && raw.help.is_none() {
            self.problem(&at, None, "a wording gives a `label`, a `help`, or both");
        }
        let label = self.text(&at, "label", raw.label, false);
        let help = self.text(&at, "help", raw.help, false);
        Some(Wording { question, label, help })
    }
}

/// For each question, its place in the order an arm asks them: pages in `order`, questions in
/// file order within a page.
fn asking_order(order: &[usize], pages: &[Page], questions: usize) -> Vec<usize> {
    let mut asked = vec![0; questions];
    let mut next = 0;
    for &p in order {
        for q in pages[p].questions.clone() {
            asked[q] = next;
            next += 1;
        }
    }
    asked
}

impl Survey {
    /// The arm a response was assigned, by id; `None` for a questionnaire without experiment.
    pub fn arm_idx(&self, id: &str) -> Option<usize> {
        self.experiment.as_ref()?.arm_idx(id)
    }

    /// This questionnaire as arm `arm` of its experiment puts it: its pages in the arm's order,
    /// its questions in the arm's wording, each check on the page of the last question it names
    /// in that order. Scores do not change: they do not depend on order or wording.
    pub fn for_arm(&self, arm: usize) -> Survey {
        let mut survey = self.clone();
        let Some(arm) = self.experiment.as_ref().and_then(|e| e.arms.get(arm)) else {
            return survey;
        };
        survey.pages = arm.pages.iter().map(|&p| self.pages[p].clone()).collect();
        for wording in &arm.wordings {
            let question = &mut survey.questions[wording.question];
            if let Some(label) = &wording.label {
                question.label = label.clone();
            }
            if let Some(help) = &wording.help {
                question.help = Some(help.clone());
            }
        }
        let all: Vec<usize> = (0..survey.pages.len()).collect();
        let asked = asking_order(&all, &survey.pages, survey.questions.len());
        for check in &mut survey.checks {
            if let Some(last) = check.when.questions().into_iter().max_by_key(|&q| asked[q]) {
                check.last_question = last;
            }
        }
        survey
    }
}
