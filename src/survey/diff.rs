//! What changed between two versions of a questionnaire, item by item: each item (the file's
//! texts, a section, dimension, level, question, indicator, check, the experiment) rendered as
//! the text a reviewer reads in each language, with its settings (type, scores, conditions),
//! and compared. The changelog (`dxsurvey changelog`) shows old and new side by side.

use super::model::*;
use crate::kernel::{Lang, Text};

/// An item as a reviewer sees it: its kind, id, and in each language its texts and settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemView {
    pub kind: &'static str,
    pub id: String,
    /// Vietnamese, then English: one line per text or setting.
    pub lines: [Vec<String>; 2],
}

impl ItemView {
    /// The lines in `lang`.
    pub fn in_lang(&self, lang: Lang) -> &[String] {
        &self.lines[usize::from(lang == Lang::En)]
    }
}

/// An item that differs between the versions: absent in one, or with other texts or settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemChange {
    pub kind: &'static str,
    pub id: String,
    pub old: Option<ItemView>,
    pub new: Option<ItemView>,
}

/// Every item of `old` and `new` that differs, in the new version's order, then the removed
/// ones in the old version's order.
pub fn changes(old: &Survey, new: &Survey) -> Vec<ItemChange> {
    let (before, after) = (items(old), items(new));
    let find = |list: &[ItemView], item: &ItemView| {
        list.iter().find(|i| i.kind == item.kind && i.id == item.id).cloned()
    };
    let mut found: Vec<ItemChange> = after
        .iter()
        .filter_map(|item| {
            let previous = find(&before, item);
            (previous.as_ref() != Some(item)).then(|| ItemChange {
                kind: item.kind,
                id: item.id.clone(),
                old: previous,
                new: Some(item.clone()),
            })
        })
        .collect();
    found.extend(before.iter().filter(|item| find(&after, item).is_none()).map(|item| {
        ItemChange { kind: item.kind, id: item.id.clone(), old: Some(item.clone()), new: None }
    }));
    found
}

/// Every item of a questionnaire as a reviewer reads it.
pub fn items(survey: &Survey) -> Vec<ItemView> {
    let mut items = vec![file_view(survey)];
    items.extend(survey.sections.iter().map(|s| {
        view("section", &s.id, |lang| {
            let mut lines = vec![s.title.get(lang).to_string()];
            lines.extend(s.description.as_ref().map(|d| d.get(lang).to_string()));
            lines
        })
    }));
    items.extend(survey.dimensions.iter().map(|d| {
        view("dimension", &d.id, |lang| {
            let mut lines = vec![d.title.get(lang).to_string(), format!("weight = {}", d.weight)];
            lines.extend(d.description.as_ref().map(|t| t.get(lang).to_string()));
            lines.extend(d.framework.as_ref().map(|t| t.get(lang).to_string()));
            lines
        })
    }));
    items.extend(survey.levels.iter().map(|l| {
        view("level", &l.id, |lang| {
            let mut lines =
                vec![l.name.get(lang).to_string(), format!("min_score = {}", l.min_score)];
            lines.extend(l.description.as_ref().map(|t| t.get(lang).to_string()));
            lines
        })
    }));
    items.extend(survey.questions.iter().map(|q| question_view(survey, q)));
    items.extend(survey.indicators.iter().map(|i| {
        view("indicator", &i.id, |lang| {
            let mut lines = vec![i.label.get(lang).to_string()];
            lines.extend(i.description.as_ref().map(|t| t.get(lang).to_string()));
            lines.push(format!("when = {}", i.when_source));
            lines
        })
    }));
    items.extend(survey.checks.iter().map(|c| {
        view("check", &c.id, |lang| {
            vec![c.message.get(lang).to_string(), format!("when = {}", c.when_source)]
        })
    }));
    items.extend(survey.experiment.as_ref().map(|e| experiment_view(survey, e)));
    items
}

fn view(kind: &'static str, id: &str, lines: impl Fn(Lang) -> Vec<String>) -> ItemView {
    ItemView { kind, id: id.to_string(), lines: [lines(Lang::Vi), lines(Lang::En)] }
}

fn file_view(survey: &Survey) -> ItemView {
    let text = |t: &Text, lang: Lang| t.get(lang).to_string();
    view("file", "file", |lang| {
        let mut lines = vec![
            text(&survey.title, lang),
            text(&survey.description, lang),
            text(&survey.observation_period, lang),
        ];
        lines.extend(survey.sources.as_ref().map(|s| text(s, lang)));
        lines.push(format!("vsic = {}", survey.vsic.as_str()));
        lines
    })
}

fn home_id(survey: &Survey, home: Home) -> &str {
    match home {
        Home::Section(s) => &survey.sections[s].id,
        Home::Dimension(d) => &survey.dimensions[d].id,
    }
}

fn question_view(survey: &Survey, q: &Question) -> ItemView {
    view("question", &q.id, |lang| {
        let mut lines = vec![q.label.get(lang).to_string()];
        lines.extend(q.help.as_ref().map(|h| h.get(lang).to_string()));
        let mut settings =
            vec![q.kind.name().to_string(), format!("page = {}", home_id(survey, q.home))];
        if q.required {
            settings.push("required".into());
        }
        if q.not_applicable {
            settings.push("not_applicable".into());
        }
        if q.dont_know {
            settings.push("dont_know".into());
        }
        if q.kind.is_scorable() && matches!(q.home, Home::Dimension(_)) {
            settings.push(format!("weight = {}", q.weight));
        }
        if let Some(role) = q.role {
            settings.push(format!("role = {}", role.name()));
        }
        lines.push(settings.join(", "));
        lines.extend(kind_lines(&q.kind, lang));
        lines.extend(q.show_if_source.as_ref().map(|s| format!("show_if = {s}")));
        lines
    })
}

/// The choices, steps, bounds and unit of a question.
fn kind_lines(kind: &QuestionKind, lang: Lang) -> Vec<String> {
    match kind {
        QuestionKind::SingleChoice { choices, .. }
        | QuestionKind::MultipleChoice { choices, .. } => {
            let mut lines: Vec<String> = choices
                .iter()
                .map(|c| {
                    let mut line = format!("– {}: {}", c.id, c.label.get(lang));
                    if let Some(score) = c.score {
                        line.push_str(&format!(" [{score}]"));
                    }
                    if c.exclusive {
                        line.push_str(" [exclusive]");
                    }
                    line
                })
                .collect();
            if let QuestionKind::MultipleChoice { full_score, .. } = kind {
                lines.push(format!("full_score = {full_score}"));
            }
            lines
        }
        QuestionKind::Scale { steps } => {
            steps.iter().enumerate().map(|(i, s)| format!("{i}: {}", s.get(lang))).collect()
        }
        QuestionKind::Integer { min, max, unit, wave_bounds } => {
            let unit = unit.as_ref().map(|u| u.get(lang).to_string()).unwrap_or_default();
            let show = |n: Option<i64>, year: &Option<String>| {
                year.as_ref().map_or_else(|| bound(n), |name| format!("{{{name}}}"))
            };
            let (low, high) = (show(*min, &wave_bounds.min), show(*max, &wave_bounds.max));
            vec![format!("{low}–{high} {unit}").trim_end().to_string()]
        }
        QuestionKind::Decimal { min, max, unit } => {
            let unit = unit.as_ref().map(|u| u.get(lang).to_string()).unwrap_or_default();
            let show = |x: Option<f64>| x.map_or_else(|| "…".to_string(), |v| v.to_string());
            vec![format!("{}–{} {unit}", show(*min), show(*max)).trim_end().to_string()]
        }
        QuestionKind::VsicSection { version } => vec![version.name()],
        _ => Vec::new(),
    }
}

fn bound(x: Option<i64>) -> String {
    x.map_or_else(|| "…".to_string(), |v| v.to_string())
}

fn experiment_view(survey: &Survey, experiment: &Experiment) -> ItemView {
    view("experiment", &experiment.id, |lang| {
        let mut lines = vec![experiment.title.get(lang).to_string()];
        for arm in &experiment.arms {
            let order: Vec<&str> =
                arm.pages.iter().map(|&p| home_id(survey, survey.pages[p].home)).collect();
            lines.push(format!("{}: {} ({})", arm.id, arm.label.get(lang), order.join(", ")));
            for w in &arm.wordings {
                let label = w.label.as_ref().map(|t| t.get(lang)).unwrap_or_default();
                lines.push(format!("  {}: {label}", survey.questions[w.question].id));
            }
        }
        lines
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTERPRISE: &str = include_str!("../../surveys/archive/enterprise-dx.v1.toml");

    fn parsed(source: &str) -> Survey {
        crate::survey::parse(source, "test.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_same_file_has_no_change() {
        let survey = parsed(ENTERPRISE);
        assert!(changes(&survey, &survey).is_empty());
    }

    #[test]
    fn a_changed_label_a_changed_score_an_added_and_a_removed_question_are_found() {
        let old = parsed(ENTERPRISE);
        let edited = ENTERPRISE
            .replace("version = 1", "version = 2")
            .replace("Năm thành lập doanh nghiệp", "Năm doanh nghiệp được thành lập")
            .replace("id = \"year_founded\"", "id = \"founded_in\"");
        let new = parsed(&edited);
        let found = changes(&old, &new);
        let ids: Vec<(&str, &str, bool, bool)> = found
            .iter()
            .map(|c| (c.kind, c.id.as_str(), c.old.is_some(), c.new.is_some()))
            .collect();
        assert!(ids.contains(&("question", "founded_in", false, true)), "{ids:?}");
        assert!(ids.contains(&("question", "year_founded", true, false)), "{ids:?}");
        assert_eq!(found.len(), 2, "{ids:?}");
        let founded = found.iter().find(|c| c.id == "founded_in").unwrap();
        assert_eq!(
            founded.new.as_ref().unwrap().in_lang(Lang::Vi)[0],
            "Năm doanh nghiệp được thành lập"
        );
    }
}
