//! Checking questions: their home, type, type-specific keys, choices, condition and role.

use std::collections::HashMap;

use super::condition::Scope;
use super::load::{At, Ctx};
use super::model::*;
use super::raw::*;
use crate::kernel::Text;

/// Default and largest `max_length` of short and long texts.
const SHORT_TEXT: (usize, usize) = (200, 1_000);
const LONG_TEXT: (usize, usize) = (4_000, 20_000);

/// A question as read: its id, the question if it is valid, and where it stands.
pub(super) struct Entry {
    pub id: String,
    pub question: Option<Question>,
    pub at: At,
}

/// Which keys each type accepts beyond the common ones.
fn accepts(kind: &str, key: &str) -> bool {
    match key {
        "choices" => matches!(kind, "single_choice" | "multiple_choice"),
        "full_score" => kind == "multiple_choice",
        "steps" => kind == "scale",
        "min" | "max" | "unit" => matches!(kind, "integer" | "decimal"),
        "max_length" => matches!(kind, "short_text" | "long_text"),
        _ => true,
    }
}

/// Words Stata, SPSS or R do not take as a variable name (lower-case ids only).
const RESERVED_NAMES: [&str; 30] = [
    "all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with", "byte",
    "double", "float", "if", "in", "int", "long", "using", "else", "repeat", "while", "function",
    "for", "next", "break", "strl", "str",
];

impl Ctx<'_> {
    pub(super) fn questions(
        &mut self,
        items: &[Item],
        sections: &[(Section, At)],
        dimensions: &[(Dimension, At)],
        ids: &mut HashMap<String, String>,
        kind: RespondentKind,
    ) -> Vec<Entry> {
        if items.is_empty() {
            self.problems_push_file("a questionnaire needs [[questions]]");
        }
        let mut entries: Vec<Entry> = Vec::new();
        for (n, item) in items.iter().enumerate() {
            let id = item.get_ref().get("id").and_then(|v| v.as_str()).unwrap_or("").to_string();
            let Some((raw, at)) = self.item::<RawQuestion>(item, "question", n + 1) else {
                let at = At { span: item.span(), what: Some(format!("question '{id}'")) };
                entries.push(Entry { id, question: None, at });
                continue;
            };
            self.id(&at, &raw.id, ids);
            if RESERVED_NAMES.contains(&raw.id.as_str()) {
                let problem = format!(
                    "question id '{}' is a reserved word of Stata, SPSS or R, which name the microdata's columns after questions: choose another",
                    raw.id
                );
                self.problem(&at, Some("id"), problem);
            }
            // Later questions are listed too, so that naming one is reported as "not yet
            // asked" rather than "unknown".
            let later = items[n..].iter().map(|i| {
                let id = i.get_ref().get("id").and_then(|v| v.as_str()).unwrap_or("");
                (id, None, Offers::default())
            });
            let scope_entries: Vec<(&str, Option<&QuestionKind>, Offers)> =
                super::items::scope_entries(&entries).into_iter().chain(later).collect();
            let scope = Scope { questions: &scope_entries, before: n, indicators: &[] };
            let show_if = match &raw.show_if {
                Some(source) => self.condition(&at, "show_if", source, &scope).map(Some),
                None => Some(None),
            };
            let question = self.question(raw, &at, sections, dimensions, show_if);
            entries.push(Entry { id, question, at });
        }
        self.roles(items, &entries, kind);
        self.other_keys(&entries);
        entries
    }

    fn question(
        &mut self,
        raw: RawQuestion,
        at: &At,
        sections: &[(Section, At)],
        dimensions: &[(Dimension, At)],
        show_if: Option<Option<super::condition::Condition>>,
    ) -> Option<Question> {
        let home = match (&raw.section, &raw.dimension) {
            (Some(s), None) => {
                sections.iter().position(|(x, _)| &x.id == s).map(Home::Section).or_else(|| {
                    self.problem(
                        at,
                        Some("section"),
                        format!("no section '{s}' is declared in [[sections]]"),
                    );
                    None
                })
            }
            (None, Some(d)) => {
                dimensions.iter().position(|(x, _)| &x.id == d).map(Home::Dimension).or_else(|| {
                    self.problem(
                        at,
                        Some("dimension"),
                        format!("no dimension '{d}' is declared in [[dimensions]]"),
                    );
                    None
                })
            }
            _ => {
                self.problem(at, None, "a question needs exactly one of `section` or `dimension`");
                None
            }
        };
        let present = [
            ("choices", raw.choices.is_some()),
            ("full_score", raw.full_score.is_some()),
            ("steps", raw.steps.is_some()),
            ("min", raw.min.is_some()),
            ("max", raw.max.is_some()),
            ("unit", raw.unit.is_some()),
            ("max_length", raw.max_length.is_some()),
        ];
        for (key, _) in present.iter().filter(|(key, given)| *given && !accepts(&raw.kind, key)) {
            self.problem(
                at,
                Some(key),
                format!("`{key}` does not apply to a {} question", raw.kind),
            );
        }
        let weight = raw.weight.unwrap_or(1.0);
        if !(weight.is_finite() && weight > 0.0) {
            self.problem(
                at,
                Some("weight"),
                format!("`weight` must be a positive number, not {weight}"),
            );
        }
        let scored = matches!(home, Some(Home::Dimension(_)));
        let label = self.text(at, "label", raw.label.clone(), true);
        let help = self.text(at, "help", raw.help.clone(), false);
        let kind = self.kind(&raw, at, scored);
        if let Some(role) = raw.role {
            self.role(at, role, &raw, kind.as_ref());
        }
        Some(Question {
            id: raw.id,
            home: home?,
            label: label?,
            help,
            kind: kind?,
            required: raw.required,
            not_applicable: raw.not_applicable,
            dont_know: raw.dont_know,
            weight,
            show_if: show_if?,
            show_if_source: raw.show_if,
            role: raw.role,
        })
    }

    fn kind(&mut self, raw: &RawQuestion, at: &At, scored: bool) -> Option<QuestionKind> {
        let number = |ctx: &mut Self, whole: bool| {
            for (key, value) in [("min", raw.min_number()), ("max", raw.max_number())] {
                if let Some(v) = value.filter(|v| !v.is_finite() || (whole && v.fract() != 0.0)) {
                    ctx.problem(
                        at,
                        Some(key),
                        format!(
                            "`{key}` must be a {} number, not {v}",
                            if whole { "whole" } else { "finite" }
                        ),
                    );
                }
            }
            // Exports code an empty answer as −1 to −5 (SPSS's user-missing values), so a
            // number asked must not go below zero (docs/microdata.md).
            if raw.min.is_none() || raw.min_number().is_some_and(|m| m < 0.0) {
                ctx.problem(
                    at,
                    Some("min"),
                    "`min` must be 0 or more: exports code an empty answer as a negative number",
                );
            }
            if let (Some(min), Some(max)) = (raw.min_number(), raw.max_number())
                && min > max
            {
                ctx.problem(at, Some("max"), format!("`max` ({max}) is below `min` ({min})"));
            }
        };
        let unit = |ctx: &mut Self| ctx.text(at, "unit", raw.unit.clone(), false);
        match raw.kind.as_str() {
            "single_choice" => {
                let choices = self.choices(raw, at, scored)?;
                let max_score = choices.iter().filter_map(|c| c.score).fold(0.0, f64::max);
                if scored && max_score <= 0.0 {
                    self.problem(
                        at,
                        Some("choices"),
                        "no choice has a positive score, so the question cannot be scored",
                    );
                }
                Some(QuestionKind::SingleChoice { choices, max_score })
            }
            "multiple_choice" => {
                let choices = self.choices(raw, at, scored)?;
                let positive: f64 =
                    choices.iter().filter_map(|c| c.score).filter(|s| *s > 0.0).sum();
                let full_score = raw.full_score.unwrap_or(positive);
                if scored && !(full_score.is_finite() && full_score > 0.0) {
                    self.problem(
                        at,
                        Some("full_score"),
                        "`full_score` must be positive (or some choice must have a positive score)",
                    );
                }
                Some(QuestionKind::MultipleChoice { choices, full_score })
            }
            "scale" => {
                let Some(steps) = &raw.steps else {
                    self.problem(
                        at,
                        None,
                        "a scale question needs `steps`: six descriptors, for steps 0 to 5",
                    );
                    return None;
                };
                if steps.len() != SCALE_STEPS {
                    self.problem(at, Some("steps"), format!("`steps` has {} descriptors; a scale needs {SCALE_STEPS}, for steps 0 to 5", steps.len()));
                }
                let steps: Vec<Option<Text>> =
                    steps.iter().map(|s| self.text(at, "steps", Some(s.clone()), true)).collect();
                Some(QuestionKind::Scale { steps: steps.into_iter().collect::<Option<Vec<_>>>()? })
            }
            "yes_no" => Some(QuestionKind::YesNo),
            "integer" => {
                number(self, true);
                let unit = unit(self);
                let wave_bounds = WaveBounds {
                    min: self.placeholder_bound(raw, at, "min", raw.min.as_ref()),
                    max: self.placeholder_bound(raw, at, "max", raw.max.as_ref()),
                };
                // min and max were checked to be whole numbers above.
                #[allow(clippy::cast_possible_truncation)]
                Some(QuestionKind::Integer {
                    min: raw.min_number().map(|v| v as i64),
                    max: raw.max_number().map(|v| v as i64),
                    unit,
                    wave_bounds,
                })
            }
            "decimal" => {
                number(self, false);
                let unit = unit(self);
                for (key, bound) in [("min", &raw.min), ("max", &raw.max)] {
                    if let Some(RawBound::Placeholder(text)) = bound {
                        self.problem(
                            at,
                            Some(key),
                            format!("`{key}` of a decimal question must be a number, not '{text}'"),
                        );
                    }
                }
                Some(QuestionKind::Decimal { min: raw.min_number(), max: raw.max_number(), unit })
            }
            "short_text" => self
                .max_length(raw, at, SHORT_TEXT)
                .map(|max_length| QuestionKind::ShortText { max_length }),
            "long_text" => self
                .max_length(raw, at, LONG_TEXT)
                .map(|max_length| QuestionKind::LongText { max_length }),
            "area" => Some(QuestionKind::Area),
            "vsic_section" => Some(QuestionKind::VsicSection { version: self.vsic }),
            other => {
                self.problem(at, Some("type"), format!(
                    "unknown type '{other}'; use one of single_choice, multiple_choice, scale, yes_no, integer, decimal, short_text, long_text, area, vsic_section"
                ));
                None
            }
        }
    }

    /// The placeholder a bound names (`"{ref_year}"`), checked; `None` for a number or none.
    fn placeholder_bound(
        &mut self,
        _raw: &RawQuestion,
        at: &At,
        key: &str,
        bound: Option<&RawBound>,
    ) -> Option<String> {
        let Some(RawBound::Placeholder(text)) = bound else { return None };
        let name = text.strip_prefix('{').and_then(|t| t.strip_suffix('}'));
        match name.filter(|n| super::period::PLACEHOLDERS.contains(n)) {
            Some(name) => Some(name.to_string()),
            None => {
                let known = super::period::PLACEHOLDERS.map(|p| format!("\"{{{p}}}\"")).join(", ");
                self.problem(
                    at,
                    Some(key),
                    format!("`{key}` must be a whole number or one of {known}, not '{text}'"),
                );
                None
            }
        }
    }

    fn max_length(
        &mut self,
        raw: &RawQuestion,
        at: &At,
        (default, cap): (usize, usize),
    ) -> Option<usize> {
        match raw.max_length {
            None => Some(default),
            Some(n) => match usize::try_from(n) {
                Ok(n) if (1..=cap).contains(&n) => Some(n),
                _ => {
                    self.problem(
                        at,
                        Some("max_length"),
                        format!("`max_length` must be between 1 and {cap}, not {n}"),
                    );
                    None
                }
            },
        }
    }

    fn choices(&mut self, raw: &RawQuestion, at: &At, scored: bool) -> Option<Vec<Choice>> {
        let Some(raw_choices) = raw.choices.as_ref().filter(|c| !c.is_empty()) else {
            self.problem(at, None, format!("a {} question needs `choices`", raw.kind));
            return None;
        };
        if raw_choices.len() > MAX_CHOICES {
            self.problem(
                at,
                Some("choices"),
                format!("{} choices; a question may have at most {MAX_CHOICES}", raw_choices.len()),
            );
        }
        let multiple = raw.kind == "multiple_choice";
        let banded = matches!(raw.role, Some(Role::Revenue | Role::Capital));
        let mut choices: Vec<Choice> = Vec::new();
        let mut ok = true;
        for (i, c) in raw_choices.iter().enumerate() {
            let mut bad = |ctx: &mut Self, message: String| {
                ok = false;
                ctx.problem(at, Some("choices"), format!("choice '{}': {message}", c.id));
            };
            if !super::load::valid_id(&c.id) {
                bad(
                    self,
                    "choice ids are lower-case letters, digits and _, starting with a letter"
                        .into(),
                );
            } else if c.id == "na" {
                bad(
                    self,
                    "'na' is reserved for \"not applicable\"; use `not_applicable = true`".into(),
                );
            } else if c.id == "dk" {
                bad(self, "'dk' is reserved for \"don't know\"; use `dont_know = true`".into());
            }
            if raw_choices[..i].iter().any(|earlier| earlier.id == c.id) {
                bad(self, "this choice id appears twice".into());
            }
            match c.score {
                Some(s) if !(s.is_finite() && s >= 0.0) => {
                    bad(self, format!("`score` must be 0 or more, not {s}"));
                }
                None if scored => {
                    bad(self, "every choice of a scored question needs a `score`".into());
                }
                _ => {}
            }
            if c.exclusive && !multiple {
                bad(self, "`exclusive` applies to multiple-choice questions only".into());
            }
            if c.upper_bound.is_some() && !banded {
                bad(
                    self,
                    "`upper_bound` applies to revenue and capital band questions only".into(),
                );
            }
            let label = self.text(at, "choices", c.label.clone(), true);
            if let Some(label) = label {
                choices.push(Choice {
                    id: c.id.clone(),
                    label,
                    score: c.score,
                    specify: c.specify,
                    exclusive: c.exclusive,
                    upper_bound: c.upper_bound,
                });
            } else {
                ok = false;
            }
        }
        if banded {
            self.bands(raw_choices, at);
        }
        ok.then_some(choices)
    }

    /// Band choices carry ascending upper bounds; the last, open band has none.
    fn bands(&mut self, choices: &[RawChoice], at: &At) {
        let Some((last, rest)) = choices.split_last() else { return };
        if last.upper_bound.is_some() {
            self.problem(
                at,
                Some("choices"),
                format!("the last band '{}' is open-ended and must have no `upper_bound`", last.id),
            );
        }
        let mut previous = 0.0;
        for c in rest {
            match c.upper_bound {
                Some(b) if b.is_finite() && b > previous => previous = b,
                Some(b) => self.problem(
                    at,
                    Some("choices"),
                    format!(
                        "band '{}': `upper_bound` {b} must be above the previous band's {previous}",
                        c.id
                    ),
                ),
                None => self.problem(
                    at,
                    Some("choices"),
                    format!("band '{}' needs an `upper_bound` in billion VND", c.id),
                ),
            }
        }
    }

    fn role(&mut self, at: &At, role: Role, raw: &RawQuestion, kind: Option<&QuestionKind>) {
        if raw.kind != role.kind_name() {
            self.problem(
                at,
                Some("role"),
                format!(
                    "role '{}' needs a {} question, not {}",
                    role.name(),
                    role.kind_name(),
                    raw.kind
                ),
            );
        }
        if !raw.required {
            self.problem(
                at,
                Some("role"),
                format!("a question with role '{}' must be required", role.name()),
            );
        }
        if raw.show_if.is_some() {
            self.problem(
                at,
                Some("show_if"),
                format!("a question with role '{}' must always be shown", role.name()),
            );
        }
        if role == Role::TaxCode
            && let Some(QuestionKind::ShortText { max_length }) = kind
            && *max_length < 14
        {
            self.problem(
                at,
                Some("max_length"),
                "a tax code needs `max_length` of at least 14 (10 digits-3 digits)",
            );
        }
    }

    fn roles(&mut self, items: &[Item], entries: &[Entry], kind: RespondentKind) {
        let with_role: Vec<(Role, &Entry)> = entries
            .iter()
            .filter_map(|e| e.question.as_ref().and_then(|q| q.role).map(|r| (r, e)))
            .collect();
        for (i, (role, entry)) in with_role.iter().enumerate() {
            if with_role[..i].iter().any(|(r, _)| r == role) {
                let message = format!("role '{}' is given to more than one question", role.name());
                self.problem(&entry.at, Some("role"), message);
            }
        }
        let needed: &[Role] = match kind {
            RespondentKind::Enterprise => &Role::ENTERPRISE,
            RespondentKind::Agency => &Role::AGENCY,
        };
        // The profile is asked first: the organisation must be known before anything is saved.
        let first_home = entries.iter().find_map(|e| e.question.as_ref().map(|q| q.home));
        for (role, entry) in &with_role {
            if entry.question.as_ref().map(|q| q.home) != first_home {
                let message =
                    format!("a question with role '{}' must be on the first page", role.name());
                self.problem(&entry.at, Some("role"), message);
            }
        }
        // Roles written on questions that are otherwise invalid still count as present.
        let declared: Vec<&str> =
            items.iter().filter_map(|i| i.get_ref().get("role")?.as_str()).collect();
        for role in needed.iter().filter(|r| !declared.contains(&r.name())) {
            self.problems_push_file(format!(
                "an {} questionnaire needs a question with role '{}'",
                kind.as_str(),
                role.name()
            ));
        }
    }

    /// The text of a "please specify" choice travels as `<id>_other`: no question may be
    /// called so.
    fn other_keys(&mut self, entries: &[Entry]) {
        for entry in entries {
            let Some(base) = entry.id.strip_suffix(crate::answers::OTHER_SUFFIX) else { continue };
            let clash = entries.iter().any(|e| {
                e.id == base
                    && e.question
                        .as_ref()
                        .is_some_and(|q| q.kind.choices().iter().any(|c| c.specify))
            });
            if clash {
                let message = format!(
                    "id '{}' is taken by the \"please specify\" text of question '{base}'",
                    entry.id
                );
                self.problem(&entry.at, Some("id"), message);
            }
        }
    }
}
