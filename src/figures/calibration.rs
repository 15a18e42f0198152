//! A sample wave's calibration: which register margins, how, and the margins' totals from the
//! register's strata. The arithmetic is `stats::calibration`.

use std::collections::BTreeMap;

use crate::stats::{Bounds, CalibrationMethod, Distance, Margin, StratumKey};
use crate::store::StoredCalibration;

/// A margin of the register a wave can be calibrated to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarginKind {
    Area,
    Section,
    Size,
    SectionSize,
}

impl MarginKind {
    pub const ALL: [MarginKind; 4] =
        [MarginKind::Area, MarginKind::Section, MarginKind::Size, MarginKind::SectionSize];

    pub fn as_str(self) -> &'static str {
        match self {
            MarginKind::Area => "area",
            MarginKind::Section => "section",
            MarginKind::Size => "size",
            MarginKind::SectionSize => "section_size",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        MarginKind::ALL.into_iter().find(|m| m.as_str() == text)
    }

    /// The category of a register stratum in this margin.
    fn category(self, key: &StratumKey) -> u32 {
        let (area, section, size) =
            (u32::from(key.area), u32::from(key.section), u32::from(key.size));
        match self {
            MarginKind::Area => area,
            MarginKind::Section => section,
            MarginKind::Size => size,
            MarginKind::SectionSize => section * 256 + size,
        }
    }
}

/// A wave's calibration, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    pub margins: Vec<MarginKind>,
    pub method: CalibrationMethod,
}

/// Why a calibration setting is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SettingError {
    #[error("unknown margin '{0}': margins are area, section, size and section_size")]
    Margin(String),
    #[error("margin '{0}' is named twice")]
    Twice(String),
    #[error("name at least one margin")]
    NoMargin,
    #[error("unknown distance '{0}': linear, raking or logit")]
    Distance(String),
    #[error("bounds must satisfy lower < 1 < upper (got {0}, {1})")]
    Bounds(f64, f64),
    #[error("logit calibration needs both bounds (--lower and --upper)")]
    LogitBounds,
}

impl Calibration {
    /// Checks a setting: margins by name (comma-separated), distance, optional bounds.
    pub fn parse(
        margins: &str,
        distance: &str,
        lower: Option<f64>,
        upper: Option<f64>,
    ) -> Result<Calibration, SettingError> {
        let mut kinds = Vec::new();
        for name in margins.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let kind = MarginKind::parse(name).ok_or_else(|| SettingError::Margin(name.into()))?;
            if kinds.contains(&kind) {
                return Err(SettingError::Twice(name.into()));
            }
            kinds.push(kind);
        }
        if kinds.is_empty() {
            return Err(SettingError::NoMargin);
        }
        let distance =
            Distance::parse(distance).ok_or_else(|| SettingError::Distance(distance.into()))?;
        let bounds = Bounds {
            lower: lower.unwrap_or(f64::NEG_INFINITY),
            upper: upper.unwrap_or(f64::INFINITY),
        };
        if !(bounds.lower < 1.0 && bounds.upper > 1.0) {
            return Err(SettingError::Bounds(bounds.lower, bounds.upper));
        }
        if distance == Distance::Logit && (lower.is_none() || upper.is_none()) {
            return Err(SettingError::LogitBounds);
        }
        Ok(Calibration { margins: kinds, method: CalibrationMethod { distance, bounds } })
    }

    pub fn of_stored(stored: &StoredCalibration) -> Result<Calibration, SettingError> {
        Calibration::parse(&stored.margins, &stored.distance, stored.lower, stored.upper)
    }

    /// The margins' names, comma-separated, as stored.
    pub fn margin_names(&self) -> String {
        self.margins.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(",")
    }

    /// The margins with the register's totals, and the category of each stratum in each.
    /// `name` names a category for messages (a margin and a stratum of that category).
    pub fn margins(
        &self,
        register: &BTreeMap<StratumKey, f64>,
        name: &dyn Fn(MarginKind, &StratumKey) -> String,
    ) -> Categories {
        let mut categories: Vec<BTreeMap<u32, (String, f64)>> =
            vec![BTreeMap::new(); self.margins.len()];
        for (key, population) in register {
            for (m, kind) in self.margins.iter().enumerate() {
                let entry = categories[m]
                    .entry(kind.category(key))
                    .or_insert_with(|| (name(*kind, key), 0.0));
                entry.1 += population;
            }
        }
        let margins = self
            .margins
            .iter()
            .zip(&categories)
            .map(|(kind, c)| Margin {
                name: kind.as_str().into(),
                categories: c.values().cloned().collect(),
            })
            .collect();
        let positions = categories
            .iter()
            .map(|c| c.keys().enumerate().map(|(i, k)| (*k, i)).collect())
            .collect();
        Categories { margins, kinds: self.margins.clone(), positions }
    }
}

/// The margins of a calibration and the position of each category.
pub struct Categories {
    pub margins: Vec<Margin>,
    kinds: Vec<MarginKind>,
    positions: Vec<BTreeMap<u32, usize>>,
}

impl Categories {
    /// The category of `key` in each margin; a stratum the register does not have falls in no
    /// category of the register and gets position `usize::MAX` (never asked: in a sample wave
    /// every respondent's stratum is the register's).
    pub fn of(&self, key: &StratumKey) -> Vec<usize> {
        self.kinds
            .iter()
            .zip(&self.positions)
            .map(|(kind, at)| at.get(&kind.category(key)).copied().unwrap_or(usize::MAX))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_with_what_is_wrong_named() {
        let ok = Calibration::parse("area, section_size", "raking", None, None).unwrap();
        assert_eq!(ok.margin_names(), "area,section_size");
        let refused = |m, d, l, u| Calibration::parse(m, d, l, u).unwrap_err().to_string();
        assert!(refused("ward", "linear", None, None).contains("unknown margin 'ward'"));
        assert!(refused("area,area", "linear", None, None).contains("named twice"));
        assert!(refused("", "linear", None, None).contains("at least one"));
        assert!(refused("area", "greg", None, None).contains("unknown distance 'greg'"));
        assert!(refused("area", "linear", Some(1.2), None).contains("lower < 1 < upper"));
        assert!(refused("area", "logit", Some(0.5), None).contains("needs both bounds"));
    }

    #[test]
    fn totals_come_from_the_register_strata() {
        let key = |area, section, size| StratumKey { area, section, size };
        let register =
            BTreeMap::from([(key(0, 0, 0), 10.0), (key(0, 1, 0), 20.0), (key(1, 0, 1), 30.0)]);
        let setting = Calibration::parse("area,section_size", "linear", None, None).unwrap();
        let c = setting.margins(&register, &|kind, k| format!("{}{}", kind.as_str(), k.area));
        assert_eq!(c.margins[0].categories, [("area0".into(), 30.0), ("area1".into(), 30.0)]);
        assert_eq!(c.margins[1].categories.len(), 3);
        assert_eq!(c.of(&key(1, 0, 1)), [1, 1]);
        assert_eq!(c.of(&key(0, 1, 0)), [0, 2]);
    }
}
