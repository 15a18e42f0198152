//! `aggregates.csv`: one row per breakdown group and variable.

use std::io::Write;

use super::neutralise;
use crate::figures::Figures;
use crate::stats::Suppression;

/// The columns, in order.
pub const COLUMNS: [&str; 12] = [
    "wave",
    "breakdown",
    "group",
    "indicator",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "cv",
    "n",
    "weighted_n",
    "suppressed",
];

/// Writes the figures; a suppressed row has empty estimate columns and `suppressed` = `true`.
pub fn write_aggregates(figures: &Figures, out: impl Write) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(COLUMNS)?;
    let number = |x: f64| format!("{x}");
    for f in &figures.figures {
        let variable = &figures.variables[f.variable];
        let group = f.group.to_string();
        let fixed =
            [figures.wave.as_str(), f.breakdown().as_str(), &neutralise(&group), variable.id()];
        let values: [String; 8] = match (&f.estimate, f.suppression) {
            (Some(e), Suppression::Published) => [
                number(e.estimate),
                number(e.se),
                number(e.ci_low),
                number(e.ci_high),
                e.cv.map(number).unwrap_or_default(),
                f.n.to_string(),
                number(e.weighted_n),
                "false".into(),
            ],
            // Nothing about a suppressed group is published: not even its count.
            (_, Suppression::Primary | Suppression::Secondary) => [
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                "true".into(),
            ],
            // A group whose respondents all lack this variable (a score with no answer).
            (None, Suppression::Published) => [
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                f.n.to_string(),
                String::new(),
                "false".into(),
            ],
        };
        writer.write_record(
            fixed.iter().map(|s| s.as_bytes()).chain(values.iter().map(String::as_bytes)),
        )?;
    }
    writer.flush()?;
    Ok(())
}
