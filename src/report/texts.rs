//! The wording of the PDF reports, kept as data in `reports/texts.toml` so that the city can
//! edit it without code. Every key must be there in both languages, with the same `{names}` to
//! fill in; the loader reports every problem with its line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;

use crate::survey::{Lang, LoadError, Problem, Text, line_of};

/// Declares the texts once: the struct the reports read, and the keys the file must have.
macro_rules! report_texts {
    ($($key:ident),* $(,)?) => {
        /// Every text of the reports.
        #[derive(Debug, Clone)]
        pub struct ReportTexts {
            $(pub $key: Text,)*
        }

        const KEYS: &[&str] = &[$(stringify!($key)),*];

        impl ReportTexts {
            fn take(texts: &mut BTreeMap<String, Text>) -> Option<ReportTexts> {
                Some(ReportTexts { $($key: texts.remove(stringify!($key))?,)* })
            }
        }
    };
}

report_texts!(
    publisher,
    page,
    generated,
    wave,
    suppressed_mark,
    suppressed_note,
    imprecise_note,
    not_weighted,
    column_group,
    column_respondents,
    column_estimate,
    column_interval,
    axis_percent,
    axis_score,
    axis_own_score,
    target_line,
    trajectory_mark,
    estimate_mark,
    city,
    yes,
    no,
    letter_title,
    letter_greeting,
    letter_body,
    letter_how,
    letter_code,
    letter_link,
    letter_deadline,
    letter_contact,
    letter_keep,
    letter_tax_code,
    letter_agency_body,
    letter_agency_keep,
    letter_agency_code,
    mail_agency_invitation_body,
    mail_agency_reminder_body,
    mail_invitation_subject,
    mail_invitation_body,
    mail_reminder_subject,
    mail_reminder_body,
    respondent_title,
    respondent_profile,
    respondent_organisation,
    respondent_area,
    respondent_sector,
    respondent_size,
    respondent_submitted,
    respondent_questionnaire,
    respondent_level,
    respondent_dimensions,
    respondent_dimensions_note,
    respondent_you,
    respondent_area_mean,
    respondent_sector_mean,
    respondent_peers_shown,
    respondent_peers_hidden,
    respondent_indicators,
    respondent_recommendations,
    respondent_recommendation_for,
    respondent_about,
    area_title,
    area_intro,
    area_members,
    coverage,
    coverage_submitted,
    coverage_drafts,
    coverage_frame,
    coverage_rate,
    coverage_response_rate,
    coverage_weighted_rate,
    coverage_no_frame,
    headline,
    headline_text,
    headline_trajectory,
    headline_change,
    headline_suppressed,
    headline_no_target,
    no_indicators,
    trend,
    trend_single,
    levels,
    dimensions,
    city_dimensions,
    by_section,
    by_size,
    methodology,
    methodology_text,
    methodology_sample_text,
    calibrated_to,
    city_title,
    city_intro,
    city_estimates,
    city_ranked,
    column_rank,
    column_area,
    column_indicator,
);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawText {
    vi: String,
    en: String,
}

impl ReportTexts {
    /// Loads `texts.toml` from the reports folder.
    pub fn load(dir: &Path) -> Result<ReportTexts, LoadError> {
        let path = dir.join("texts.toml");
        let file = path.display().to_string();
        let source = std::fs::read_to_string(&path).map_err(|e| LoadError {
            problems: vec![Problem {
                file: file.clone(),
                line: None,
                item: None,
                message: format!("cannot read the report texts: {e}"),
            }],
        })?;
        ReportTexts::parse(&source, &file)
    }

    /// Parses the texts of a file named `file` (for messages).
    pub fn parse(source: &str, file: &str) -> Result<ReportTexts, LoadError> {
        let problem = |line: Option<usize>, item: Option<&str>, message: String| Problem {
            file: file.to_string(),
            line,
            item: item.map(|k| format!("text '{k}'")),
            message,
        };
        let table: BTreeMap<String, toml::Value> = toml::from_str(source).map_err(|e| {
            let line = e.span().map(|s| line_of(source, s.start));
            LoadError { problems: vec![problem(line, None, e.message().trim().to_string())] }
        })?;
        let line = |key: &str| {
            source
                .lines()
                .position(|l| {
                    l.trim_start()
                        .strip_prefix(key)
                        .is_some_and(|r| r.trim_start().starts_with('='))
                })
                .map(|i| i + 1)
        };
        let mut problems = Vec::new();
        let mut texts = BTreeMap::new();
        for (key, value) in table {
            if !KEYS.contains(&key.as_str()) {
                problems.push(problem(
                    line(&key),
                    Some(&key),
                    "is not a text of the reports".into(),
                ));
                continue;
            }
            match value.try_into::<RawText>() {
                Ok(raw) if raw.vi.trim().is_empty() || raw.en.trim().is_empty() => problems.push(
                    problem(line(&key), Some(&key), "needs a Vietnamese and an English text".into()),
                ),
                Ok(raw) if names(&raw.vi) != names(&raw.en) => problems.push(problem(
                    line(&key),
                    Some(&key),
                    format!(
                        "the two languages must fill in the same {{names}}: vi has {:?}, en has {:?}",
                        names(&raw.vi),
                        names(&raw.en)
                    ),
                )),
                Ok(raw) => {
                    texts.insert(key, Text::new(raw.vi.trim(), raw.en.trim()));
                }
                Err(e) => problems.push(problem(
                    line(&key),
                    Some(&key),
                    format!("must be {{ vi = \"…\", en = \"…\" }}: {}", e.message().trim()),
                )),
            }
        }
        for key in KEYS.iter().filter(|k| !texts.contains_key(**k)) {
            if !problems.iter().any(|p| p.item.as_deref() == Some(&format!("text '{key}'"))) {
                problems.push(problem(None, Some(key), "is missing".into()));
            }
        }
        match ReportTexts::take(&mut texts) {
            Some(texts) if problems.is_empty() => Ok(texts),
            _ => Err(LoadError { problems }),
        }
    }
}

/// The `{names}` a text fills in.
fn names(text: &str) -> BTreeSet<&str> {
    text.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name)).collect()
}

/// `text` in `lang` with each `{name}` replaced by its value.
pub fn fill(text: &Text, lang: Lang, values: &[(&str, &str)]) -> String {
    let mut out = text.get(lang).to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> String {
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/reports/texts.toml")).unwrap()
    }

    #[test]
    fn the_shipped_texts_are_complete_and_fill_in() {
        let texts = ReportTexts::parse(&shipped(), "texts.toml").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fill(&texts.page, Lang::Vi, &[("page", "2"), ("pages", "3")]), "Trang 2/3");
        assert_eq!(fill(&texts.page, Lang::En, &[("page", "2"), ("pages", "3")]), "Page 2 of 3");
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let broken = shipped()
            .replace("page = { vi = \"Trang {page}/{pages}\"", "page = { vi = \"Trang {page}\"")
            .replace("yes = { vi = \"Có\", en = \"Yes\" }\n", "")
            .replace("no = { vi = \"Không\", en = \"No\" }", "no = { vi = \"\", en = \"No\" }")
            + "stray = { vi = \"a\", en = \"b\" }\n";
        let error = ReportTexts::parse(&broken, "texts.toml").expect_err("refused");
        let text = error.to_string();
        assert!(text.contains("text 'page'") && text.contains("same {names}"), "{text}");
        assert!(text.contains("text 'yes'") && text.contains("is missing"), "{text}");
        assert!(text.contains("text 'no'") && text.contains("needs a Vietnamese"), "{text}");
        assert!(text.contains("text 'stray'") && text.contains("not a text"), "{text}");
        let stray = error.problems.iter().find(|p| p.item.as_deref() == Some("text 'stray'"));
        assert_eq!(stray.and_then(|p| p.line), Some(broken.lines().count()));
        assert_eq!(error.problems.len(), 4, "{text}");
    }

    #[test]
    fn names_are_the_words_in_braces() {
        assert_eq!(names("a {x} b {y}{x}"), BTreeSet::from(["x", "y"]));
        assert!(names("no braces").is_empty());
    }
}
