//! The reference year and observation period of a wave, which questionnaire texts name through
//! placeholders (`{ref_year}`, `{period_start}`, `{period_end}`), so that no label is edited per
//! wave. A wave that opens in year Y asks about year Y − 1 (its reference year, the last whole
//! year), and its innovation questions about the three years ending then, as the Community
//! Innovation Survey does: a wave opening in 2026 asks about 2025 and 2023–2025.

use super::model::{QuestionKind, Survey, WaveBounds};
use crate::kernel::Text;

/// The placeholders a questionnaire text may hold.
pub const PLACEHOLDERS: [&str; 3] = ["ref_year", "period_start", "period_end"];

/// The years a wave's questions refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    /// The last whole year before the wave opens.
    pub ref_year: i32,
}

impl Period {
    /// The period of a wave opening on `opens_on` (`YYYY-MM-DD`); `None` if the date is not one.
    pub fn of_wave_opening(opens_on: &str) -> Option<Period> {
        let year: i32 = opens_on.get(..4)?.parse().ok()?;
        Some(Period { ref_year: year - 1 })
    }

    /// The first year of the three-year observation period.
    pub fn start(self) -> i32 {
        self.ref_year - 2
    }

    /// The value of placeholder `name`.
    fn value(self, name: &str) -> Option<String> {
        match name {
            "ref_year" | "period_end" => Some(self.ref_year.to_string()),
            "period_start" => Some(self.start().to_string()),
            _ => None,
        }
    }

    /// `text` with its placeholders filled.
    pub fn fill(self, text: &str) -> String {
        if !text.contains('{') {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}').and_then(|close| Some((close, self.value(&after[..close])?))) {
                Some((close, value)) => {
                    out.push_str(&value);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn fill_text(self, text: &mut Text) {
        text.vi = self.fill(&text.vi);
        text.en = self.fill(&text.en);
    }
}

/// The names between braces in `text` that are not placeholders.
pub fn unknown_placeholders(text: &str) -> Vec<String> {
    let mut unknown = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            unknown.push(name.to_string());
        }
        rest = &after[close + 1..];
    }
    unknown
}

impl Survey {
    /// Whether any of its texts names a placeholder.
    pub fn has_placeholders(&self) -> bool {
        let bounded = self.questions.iter().any(|q| {
            matches!(&q.kind, QuestionKind::Integer { wave_bounds, .. } if *wave_bounds != WaveBounds::default())
        });
        let mut found = bounded;
        self.clone().each_text(&mut |t: &mut Text| {
            found |= t.vi.contains('{') || t.en.contains('{');
        });
        found
    }

    /// This questionnaire as a wave of `period` shows it: every placeholder filled, in texts
    /// and in the bounds of numbers (`max = "{ref_year}"`).
    pub fn in_period(&self, period: Period) -> Survey {
        let mut survey = self.clone();
        survey.each_text(&mut |t: &mut Text| period.fill_text(t));
        for q in &mut survey.questions {
            if let QuestionKind::Integer { min, max, wave_bounds, .. } = &mut q.kind {
                let year = |name: &Option<String>| {
                    name.as_deref().and_then(|n| period.value(n)).and_then(|v| v.parse().ok())
                };
                *min = year(&wave_bounds.min).or(*min);
                *max = year(&wave_bounds.max).or(*max);
            }
        }
        survey
    }

    /// Calls `f` on every text a respondent or a reader may see.
    fn each_text(&mut self, f: &mut impl FnMut(&mut Text)) {
        let some = |t: &mut Option<Text>, f: &mut dyn FnMut(&mut Text)| {
            if let Some(t) = t {
                f(t);
            }
        };
        f(&mut self.title);
        f(&mut self.description);
        f(&mut self.observation_period);
        some(&mut self.sources, f);
        for s in &mut self.sections {
            f(&mut s.title);
            some(&mut s.description, f);
        }
        for d in &mut self.dimensions {
            f(&mut d.title);
            some(&mut d.description, f);
            some(&mut d.framework, f);
        }
        for l in &mut self.levels {
            f(&mut l.name);
            some(&mut l.description, f);
        }
        for i in &mut self.indicators {
            f(&mut i.label);
            some(&mut i.description, f);
        }
        if let Some(e) = &mut self.experiment {
            f(&mut e.title);
            some(&mut e.description, f);
            for arm in &mut e.arms {
                f(&mut arm.label);
                for w in &mut arm.wordings {
                    some(&mut w.label, f);
                    some(&mut w.help, f);
                }
            }
        }
        for q in &mut self.questions {
            f(&mut q.label);
            some(&mut q.help, f);
            match &mut q.kind {
                QuestionKind::SingleChoice { choices, .. }
                | QuestionKind::MultipleChoice { choices, .. } => {
                    choices.iter_mut().for_each(|c| f(&mut c.label));
                }
                QuestionKind::Scale { steps } => steps.iter_mut().for_each(&mut *f),
                QuestionKind::Integer { unit, .. } | QuestionKind::Decimal { unit, .. } => {
                    some(unit, f);
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wave_opening_in_2026_asks_about_2025_and_2023_to_2025() {
        let period = Period::of_wave_opening("2026-03-01").unwrap();
        let text = "Năm {ref_year}; giai đoạn {period_start}–{period_end}; {khác}; {";
        assert_eq!(period.fill(text), "Năm 2025; giai đoạn 2023–2025; {khác}; {");
        assert_eq!(Period::of_wave_opening("bad"), None);
    }

    #[test]
    fn unknown_names_between_braces_are_found() {
        assert_eq!(unknown_placeholders("{ref_year} {refyear} {period_end}"), ["refyear"]);
        assert!(unknown_placeholders("no braces").is_empty());
    }
}
