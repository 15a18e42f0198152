//! The split-ballot experiment as the dashboard shows it.

use serde::Serialize;

use crate::kernel::format;
use crate::service::experiments::{ExperimentEffects, Published};
use crate::survey::Lang;

/// An experiment's arms and, per indicator, each arm's share and its difference from the
/// reference arm.
#[derive(Serialize)]
pub struct ExperimentView {
    title: String,
    arms: Vec<ArmView>,
    reference: String,
    rows: Vec<RowView>,
    unassigned: u32,
}

#[derive(Serialize)]
struct ArmView {
    label: String,
    /// Empty while too few to show.
    respondents: String,
}

#[derive(Serialize)]
struct RowView {
    label: String,
    shares: Vec<CellView>,
    effects: Vec<CellView>,
}

/// A share or a difference: its text and interval, or withheld.
#[derive(Serialize)]
struct CellView {
    estimate: String,
    interval: String,
    suppressed: bool,
    /// For a difference: its interval leaves out 0.
    clear: bool,
}

impl ExperimentView {
    pub fn new(effects: &ExperimentEffects, lang: Lang) -> ExperimentView {
        let arms = effects
            .arms
            .iter()
            .map(|a| ArmView {
                label: a.label.get(lang).to_string(),
                respondents: a
                    .respondents
                    .map(|n| format::count(i64::from(n), lang))
                    .unwrap_or_default(),
            })
            .collect();
        let rows = effects
            .indicators
            .iter()
            .map(|i| RowView {
                label: i.label.get(lang).to_string(),
                shares: i.shares.iter().map(|s| cell(s, lang, false)).collect(),
                effects: i.effects.iter().map(|e| cell(&e.difference, lang, true)).collect(),
            })
            .collect();
        ExperimentView {
            title: effects.title.get(lang).to_string(),
            arms,
            reference: effects
                .arms
                .first()
                .map(|a| a.label.get(lang).to_string())
                .unwrap_or_default(),
            rows,
            unassigned: effects.unassigned,
        }
    }
}

/// A share in per cent, or a difference in percentage points with its sign.
fn cell(published: &Published, lang: Lang, signed: bool) -> CellView {
    let points = |x: f64| {
        let text = format::number(x * 100.0, 1, lang);
        if signed && x > 0.0 { format!("+{text}") } else { text }
    };
    match published.value {
        Some(v) => CellView {
            estimate: points(v.estimate),
            interval: format!("{} – {}", points(v.ci_low), points(v.ci_high)),
            suppressed: false,
            clear: v.ci_low > 0.0 || v.ci_high < 0.0,
        },
        None => CellView {
            estimate: String::new(),
            interval: String::new(),
            suppressed: published.suppressed,
            clear: false,
        },
    }
}
