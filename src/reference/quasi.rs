//! The quasi-identifiers of each questionnaire's microdata (`quasi_identifiers.toml`): the
//! answers that describe an organisation rather than what it does, which an intruder could
//! match against a register. Which they are is the statistics office's choice for a release,
//! as sdcMicro's key variables are, so it is reference data beside the questionnaires.

use std::path::Path;

use serde::Deserialize;

/// One quasi-identifier: a question of a questionnaire, and for a number the bands it is
/// published in (global recoding).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuasiIdentifier {
    pub survey: String,
    pub question: String,
    /// The lower bounds of the bands after the first, ascending (numbers only).
    #[serde(default)]
    pub bands: Vec<i64>,
}

impl QuasiIdentifier {
    /// The band a number falls in, written `low-high` from the question's bounds (`min` and
    /// `max`), or `<b` and `>=b` at an open end.
    pub fn band(&self, value: i64, min: Option<i64>, max: Option<i64>) -> String {
        let upper = self.bands.iter().position(|b| value < *b).unwrap_or(self.bands.len());
        let low = if upper == 0 { min } else { Some(self.bands[upper - 1]) };
        let high = match self.bands.get(upper) {
            Some(next) => Some(next - 1),
            None => max,
        };
        match (low, high) {
            (Some(l), Some(h)) => format!("{l}-{h}"),
            (None, Some(h)) => format!("<{}", h + 1),
            (Some(l), None) => format!(">={l}"),
            (None, None) => String::new(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuasiFile {
    #[serde(default)]
    quasi_identifiers: Vec<QuasiIdentifier>,
}

/// Reads the file if there is one: without it, microdata is protected on its design codes
/// alone. Bands must ascend.
pub(super) fn read_quasi_identifiers(
    path: &Path,
    problems: &mut Vec<String>,
) -> Vec<QuasiIdentifier> {
    let Ok(source) = std::fs::read_to_string(path) else { return Vec::new() };
    match toml::from_str::<QuasiFile>(&source) {
        Ok(file) => {
            for q in file.quasi_identifiers.iter().filter(|q| !q.bands.is_sorted_by(|a, b| a < b)) {
                let line = source
                    .lines()
                    .position(|l| l.contains(&format!("\"{}\"", q.question)))
                    .map_or(0, |i| i + 1);
                problems.push(format!(
                    "{}:{line}: the bands of '{}' must ascend: {:?}",
                    path.display(),
                    q.question,
                    q.bands
                ));
            }
            file.quasi_identifiers
        }
        Err(e) => {
            let line = e.span().map_or(0, |s| crate::kernel::line_of(&source, s.start));
            problems.push(format!("{}:{line}: {}", path.display(), e.message()));
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_fall_in_bands_named_by_their_bounds() {
        let q = QuasiIdentifier {
            survey: "s".into(),
            question: "year".into(),
            bands: vec![1990, 2000, 2010],
        };
        assert_eq!(q.band(1950, Some(1900), Some(2026)), "1900-1989");
        assert_eq!(q.band(1990, Some(1900), Some(2026)), "1990-1999");
        assert_eq!(q.band(2009, Some(1900), Some(2026)), "2000-2009");
        assert_eq!(q.band(2026, Some(1900), Some(2026)), "2010-2026");
        assert_eq!(q.band(1950, None, None), "<1990");
        assert_eq!(q.band(2020, None, None), ">=2010");
    }
}
