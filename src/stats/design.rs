//! The sampling design: strata (ward/commune × VSIC section × size class), their populations
//! from the business-register frame, and the collapsing of strata with fewer than two
//! respondents (the variance needs two per stratum).
//!
//! Collapsing rule, documented in `docs/methodology.md`: strata that still need a home are
//! grouped by area × section (size classes pooled); groups with at least two respondents become
//! final strata; what remains is grouped by area (sections pooled), then by the whole city. A
//! stratum of the frame without respondents is collapsed the same way, so that its population
//! is represented by its nearest neighbours rather than dropped.

use std::collections::{BTreeMap, BTreeSet};

/// A stratum of the frame: indices of the area, the VSIC section and the size class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StratumKey {
    pub area: u16,
    pub section: u8,
    pub size: u8,
}

/// How far a final stratum had to be collapsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Area × section × size: no collapsing.
    Full,
    AreaSection,
    Area,
    City,
}

/// A stratum as estimated: one or more frame strata pooled.
#[derive(Debug, Clone, PartialEq)]
pub struct Stratum {
    pub level: Level,
    /// Enterprises in the population (`None` without a frame).
    pub population: Option<f64>,
    pub respondents: u32,
}

impl Stratum {
    /// The design weight of each of its respondents, N_h / n_h (1 without a frame).
    pub fn weight(&self) -> f64 {
        match self.population {
            Some(n) if self.respondents > 0 => n / f64::from(self.respondents),
            _ => 1.0,
        }
    }

    /// The finite population correction, 1 − n_h / N_h (1 without a frame).
    pub fn fpc(&self) -> f64 {
        match self.population {
            Some(n) if n > 0.0 => (1.0 - f64::from(self.respondents) / n).max(0.0),
            _ => 1.0,
        }
    }
}

/// The design of one wave.
#[derive(Debug, Clone)]
pub struct Design {
    /// Every frame stratum (and every stratum with respondents), in key order.
    pub keys: Vec<StratumKey>,
    /// The final stratum of each key.
    pub stratum_of: Vec<usize>,
    pub strata: Vec<Stratum>,
    /// Whether estimates are weighted to a frame.
    pub weighted: bool,
    /// Strata with respondents that the frame does not list: they stand for themselves.
    pub frame_gaps: Vec<StratumKey>,
}

impl Design {
    /// The position of a key.
    pub fn index(&self, key: &StratumKey) -> Option<usize> {
        self.keys.binary_search(key).ok()
    }
}

/// The group a frame stratum falls in at one level of collapsing.
type GroupOf = fn(&StratumKey) -> (u16, u8, u8);

/// Builds the design from the respondents per stratum and, if there is one, the frame.
pub fn design(
    respondents: &BTreeMap<StratumKey, u32>,
    frame: Option<&BTreeMap<StratumKey, f64>>,
) -> Design {
    let Some(frame) = frame else {
        // Without a frame: one stratum, equal weights, no finite population correction.
        let keys: Vec<StratumKey> = respondents.keys().copied().collect();
        let total = respondents.values().sum();
        return Design {
            stratum_of: vec![0; keys.len()],
            keys,
            strata: vec![Stratum { level: Level::City, population: None, respondents: total }],
            weighted: false,
            frame_gaps: vec![],
        };
    };
    let keys: Vec<StratumKey> = frame
        .keys()
        .chain(respondents.keys())
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let frame_gaps: Vec<StratumKey> =
        respondents.keys().filter(|k| !frame.contains_key(k)).copied().collect();
    let count = |k: &StratumKey| respondents.get(k).copied().unwrap_or(0);
    // A stratum missing from the frame stands for itself: N_h = n_h.
    let population = |k: &StratumKey| frame.get(k).copied().unwrap_or_else(|| f64::from(count(k)));

    let mut stratum_of = vec![usize::MAX; keys.len()];
    let mut strata = Vec::new();
    let levels: [(Level, GroupOf); 4] = [
        (Level::Full, |k| (k.area, k.section, k.size)),
        (Level::AreaSection, |k| (k.area, k.section, u8::MAX)),
        (Level::Area, |k| (k.area, u8::MAX, u8::MAX)),
        (Level::City, |_| (u16::MAX, u8::MAX, u8::MAX)),
    ];
    for (level, group_of) in levels {
        let mut groups: BTreeMap<(u16, u8, u8), Vec<usize>> = BTreeMap::new();
        for (i, key) in keys.iter().enumerate().filter(|(i, _)| stratum_of[*i] == usize::MAX) {
            groups.entry(group_of(key)).or_default().push(i);
        }
        for members in groups.into_values() {
            let n: u32 = members.iter().map(|&i| count(&keys[i])).sum();
            if n >= 2 || level == Level::City {
                let pop: f64 = members.iter().map(|&i| population(&keys[i])).sum();
                for &i in &members {
                    stratum_of[i] = strata.len();
                }
                strata.push(Stratum { level, population: Some(pop), respondents: n });
            }
        }
    }
    Design { keys, stratum_of, strata, weighted: true, frame_gaps }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(area: u16, section: u8, size: u8) -> StratumKey {
        StratumKey { area, section, size }
    }

    #[test]
    fn strata_with_fewer_than_two_respondents_are_pooled_step_by_step() {
        let respondents = BTreeMap::from([
            (key(0, 0, 0), 5), // full stratum
            (key(0, 0, 1), 1), // pooled with (0,0,2) at area × section: 1 + 1 = 2
            (key(0, 0, 2), 1),
            (key(0, 1, 0), 1), // alone in its section: pooled at area level with (0,2,0)
            (key(0, 2, 0), 1),
            (key(1, 0, 0), 1), // alone in its area: pooled at city level
        ]);
        let frame = BTreeMap::from([
            (key(0, 0, 0), 50.0),
            (key(0, 0, 1), 20.0),
            (key(0, 0, 2), 10.0),
            (key(0, 1, 0), 30.0),
            (key(0, 2, 0), 40.0),
            (key(1, 0, 0), 60.0),
            (key(1, 3, 3), 70.0), // no respondent: pooled at city level too
        ]);
        let d = design(&respondents, Some(&frame));
        let stratum = |k: StratumKey| &d.strata[d.stratum_of[d.index(&k).unwrap()]];
        assert_eq!(
            stratum(key(0, 0, 0)),
            &Stratum { level: Level::Full, population: Some(50.0), respondents: 5 }
        );
        assert_eq!(
            stratum(key(0, 0, 1)),
            &Stratum { level: Level::AreaSection, population: Some(30.0), respondents: 2 }
        );
        assert_eq!(
            stratum(key(0, 1, 0)),
            &Stratum { level: Level::Area, population: Some(70.0), respondents: 2 }
        );
        assert_eq!(
            stratum(key(1, 3, 3)),
            &Stratum { level: Level::City, population: Some(130.0), respondents: 1 }
        );
        assert_eq!(stratum(key(0, 0, 0)).weight(), 10.0);
        // Every frame enterprise is in exactly one final stratum.
        let total: f64 = d.strata.iter().filter_map(|s| s.population).sum();
        assert_eq!(total, frame.values().sum::<f64>());
    }

    #[test]
    fn respondents_outside_the_frame_stand_for_themselves_and_are_reported() {
        let respondents = BTreeMap::from([(key(0, 0, 0), 3), (key(9, 9, 9), 2)]);
        let frame = BTreeMap::from([(key(0, 0, 0), 30.0)]);
        let d = design(&respondents, Some(&frame));
        assert_eq!(d.frame_gaps, vec![key(9, 9, 9)]);
        let gap = &d.strata[d.stratum_of[d.index(&key(9, 9, 9)).unwrap()]];
        assert_eq!(gap.population, Some(2.0));
        assert_eq!(gap.weight(), 1.0);
        assert_eq!(gap.fpc(), 0.0);
    }

    #[test]
    fn without_a_frame_there_is_one_unweighted_stratum() {
        let respondents = BTreeMap::from([(key(0, 0, 0), 3), (key(1, 0, 0), 4)]);
        let d = design(&respondents, None);
        assert!(!d.weighted);
        assert_eq!(
            d.strata,
            vec![Stratum { level: Level::City, population: None, respondents: 7 }]
        );
        assert_eq!(d.strata[0].weight(), 1.0);
        assert_eq!(d.strata[0].fpc(), 1.0);
    }
}
