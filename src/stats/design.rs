//! The sampling design: strata (ward/commune × VSIC section × size class), their populations
//! from the business-register frame, and the collapsing of strata with too few respondents.
//!
//! Collapsing rule, documented in `docs/methodology.md` §2: a final stratum holds at least the
//! disclosure threshold's number of respondents (and at least two, which the variance needs),
//! so that microdata can show every respondent's stratum by its codes and no design column
//! says more than the codes (docs/disclosure.md §6). Size classes are pooled within a ward's
//! section, then sections within a ward; what a ward has left joins its smallest final stratum;
//! the rest of the city is one stratum. A stratum of the frame without respondents is collapsed
//! the same way, so that its population is represented by its nearest neighbours.

use std::collections::{BTreeMap, BTreeSet};

use super::calibration::{self, Bounds, CalibrationError, Distance, Fit, Margin, Problem};

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

    /// (1 − n_h/N_h) n_h/(n_h − 1): what the stratum's centred sum of squares is multiplied
    /// by in the variance; 0 for a stratum of fewer than two respondents.
    pub fn variance_factor(&self) -> f64 {
        let n = f64::from(self.respondents);
        if n < 2.0 { 0.0 } else { self.fpc() * n / (n - 1.0) }
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
    /// How much of its codes each key's respondents may show in microdata: the level of
    /// their final stratum when it was formed, so that no published stratum is finer than the
    /// codes its respondents show (docs/disclosure.md, section 6).
    pub shown: Vec<Level>,
    /// How the figures are estimated.
    pub estimator: Estimator,
    /// The weight of each respondent of each key.
    pub weights: Vec<f64>,
    /// Respondents per key.
    pub respondents: Vec<u32>,
    /// The calibration of a probability sample's weights, when there is one.
    pub calibration: Option<Calibrated>,
    /// Each final stratum's response of a probability sample (empty otherwise): the final
    /// strata are its response-homogeneity groups.
    pub response: Vec<GroupResponse>,
}

/// Which estimator a wave's figures come from (docs/methodology.md §3 and §3a).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Estimator {
    /// No frame: the respondents' own shares and means, not representative.
    Unweighted,
    /// An open wave: self-selected respondents weighted to the frame's strata, N_h / n_h.
    PostStratified,
    /// A probability sample from the register: design weights 1/π, adjusted for non-response
    /// within the final strata, calibrated to register totals when the wave asks for it.
    Sample { calibration: Option<CalibrationMethod> },
}

/// How a sample's weights were calibrated.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct CalibrationMethod {
    pub distance: Distance,
    pub bounds: Bounds,
}

impl Estimator {
    /// A stable code, as exports and the API give it.
    pub fn code(&self) -> &'static str {
        match self {
            Estimator::Unweighted => "unweighted",
            Estimator::PostStratified => "post_stratified",
            Estimator::Sample { calibration: None } => "sample_nonresponse_adjusted",
            Estimator::Sample { calibration: Some(c) } => match c.distance {
                Distance::Linear => "sample_calibrated_linear",
                Distance::Raking => "sample_calibrated_raking",
                Distance::Logit => "sample_calibrated_logit",
            },
        }
    }
}

/// A calibration as the variance needs it.
#[derive(Debug, Clone)]
pub struct Calibrated {
    /// The fit; its classes are the design's keys.
    pub fit: Fit,
    /// The weight of each respondent of each key before calibration.
    pub prior: Vec<f64>,
    /// T⁻¹, T = Σ_k prior_k r_k x_k x_kᵀ, row-major (`fit.width` square).
    pub t_inverse: Vec<f64>,
    /// T⁻¹ M T⁻¹, M the quadratic form of the residuals' fitted part over every stratum
    /// (`estimate::calibrated_variance` says how it enters).
    pub fitted_form: Vec<f64>,
    /// g_h = Σ_{k∈h} w_k r_k x_k of each final stratum, by column.
    pub stratum_columns: Vec<Vec<(usize, f64)>>,
}

impl Calibrated {
    /// Precomputes what every calibrated figure's variance shares, so that a figure costs in
    /// proportion to its domain, not to the whole design (BENCHMARKS.md, calibration).
    fn new(
        fit: Fit,
        prior: Vec<f64>,
        weights: &[f64],
        respondents: &[u32],
        stratum_of: &[usize],
        strata: &[Stratum],
    ) -> Calibrated {
        let p = fit.width;
        let t_inverse = fit.factor.inverse();
        let mut by_stratum: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); strata.len()];
        let mut m = vec![0.0; p * p];
        for (k, &r) in respondents.iter().enumerate().filter(|(_, r)| **r > 0) {
            let (h, w, r) = (stratum_of[k], weights[k], f64::from(r));
            let f = strata[h].variance_factor();
            for &a in &fit.columns[k] {
                *by_stratum[h].entry(a).or_default() += w * r;
                for &b in &fit.columns[k] {
                    m[a * p + b] += f * w * w * r;
                }
            }
        }
        let stratum_columns: Vec<Vec<(usize, f64)>> =
            by_stratum.into_iter().map(|g| g.into_iter().collect()).collect();
        for (h, g) in stratum_columns.iter().enumerate() {
            let f = strata[h].variance_factor() / f64::from(strata[h].respondents.max(1));
            for &(a, ga) in g {
                for &(b, gb) in g {
                    m[a * p + b] -= f * ga * gb;
                }
            }
        }
        let fitted_form = multiply(&multiply(&t_inverse, &m, p), &t_inverse, p);
        Calibrated { fit, prior, t_inverse, fitted_form, stratum_columns }
    }
}

/// The product of two row-major `n × n` matrices.
fn multiply(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for k in 0..n {
            let aik = a[i * n + k];
            if aik != 0.0 {
                let (row, b_row) = (&mut out[i * n..(i + 1) * n], &b[k * n..(k + 1) * n]);
                row.iter_mut().zip(b_row).for_each(|(o, x)| *o += aik * x);
            }
        }
    }
    out
}

/// A response-homogeneity group of a probability sample: who was sampled, who responded, and
/// the factor its respondents' design weights were multiplied by.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct GroupResponse {
    pub sampled: u32,
    pub responded: u32,
    /// Σ 1/π over the sampled and over the responding units.
    pub weighted_sampled: f64,
    pub weighted_responded: f64,
}

impl GroupResponse {
    /// The groups added up; `None` without a group.
    pub fn total(groups: &[GroupResponse]) -> Option<GroupResponse> {
        groups.iter().copied().reduce(|a, b| GroupResponse {
            sampled: a.sampled + b.sampled,
            responded: a.responded + b.responded,
            weighted_sampled: a.weighted_sampled + b.weighted_sampled,
            weighted_responded: a.weighted_responded + b.weighted_responded,
        })
    }

    pub fn unit_rate(&self) -> Option<f64> {
        (self.sampled > 0).then(|| f64::from(self.responded) / f64::from(self.sampled))
    }

    pub fn weighted_rate(&self) -> Option<f64> {
        (self.weighted_sampled > 0.0).then(|| self.weighted_responded / self.weighted_sampled)
    }

    /// The non-response adjustment, Σ_sampled 1/π ÷ Σ_responded 1/π (0 without respondents).
    pub fn factor(&self) -> f64 {
        if self.weighted_responded > 0.0 {
            self.weighted_sampled / self.weighted_responded
        } else {
            0.0
        }
    }
}

impl Design {
    /// The position of a key.
    pub fn index(&self, key: &StratumKey) -> Option<usize> {
        self.keys.binary_search(key).ok()
    }
}

/// The group a frame stratum falls in at one level of collapsing.
type GroupOf = fn(&StratumKey) -> (u16, u8, u8);

/// Builds the design from the respondents per stratum and, if there is one, the frame. Final
/// strata hold at least `min_respondents` respondents (at least 2, which the variance needs).
pub fn design(
    respondents: &BTreeMap<StratumKey, u32>,
    frame: Option<&BTreeMap<StratumKey, f64>>,
    min_respondents: u32,
) -> Design {
    let min = min_respondents.max(2);
    let Some(frame) = frame else {
        // Without a frame: one stratum, equal weights, no finite population correction. The
        // codes a response may show still follow the collapsing, which microdata needs.
        let keys: Vec<StratumKey> = respondents.keys().copied().collect();
        let count = |k: &StratumKey| respondents.get(k).copied().unwrap_or(0);
        let collapsed = collapse(&keys, &count, &|k| f64::from(count(k)), min);
        let total = respondents.values().sum();
        return Design {
            stratum_of: vec![0; keys.len()],
            weights: vec![1.0; keys.len()],
            respondents: keys.iter().map(count).collect(),
            keys,
            strata: vec![Stratum { level: Level::City, population: None, respondents: total }],
            shown: collapsed.shown,
            weighted: false,
            frame_gaps: vec![],
            estimator: Estimator::Unweighted,
            calibration: None,
            response: vec![],
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
    let Collapsed { stratum_of, strata, shown } = collapse(&keys, &count, &population, min);
    Design {
        weights: stratum_of.iter().map(|&h| strata[h].weight()).collect(),
        respondents: keys.iter().map(count).collect(),
        keys,
        stratum_of,
        strata,
        shown,
        weighted: true,
        frame_gaps,
        estimator: Estimator::PostStratified,
        calibration: None,
        response: vec![],
    }
}

/// A stratum of the register in a probability sample: its units, those sampled, and those
/// that responded (and count).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SampledStratum {
    pub population: f64,
    pub sampled: u32,
    pub responded: u32,
}

/// What a sample's weights are calibrated to: the margins, each key's category in each, and
/// the distance.
pub struct CalibrationTarget<'a> {
    pub margins: &'a [Margin],
    /// The category of a key in each margin, in the margins' order.
    pub category: &'a dyn Fn(&StratumKey) -> Vec<usize>,
    pub method: CalibrationMethod,
}

/// The design of a probability sample from the register (docs/methodology.md §3a): design
/// weights N_h / n_h (1/π), multiplied in each final stratum (the collapsing of §2 on the
/// respondents, which makes the response-homogeneity groups) by its sampled units' design
/// weights over its respondents'; then calibrated to the target's margins when there is one.
pub fn sample_design(
    strata: &BTreeMap<StratumKey, SampledStratum>,
    min_respondents: u32,
    target: Option<&CalibrationTarget<'_>>,
) -> Result<Design, CalibrationError> {
    let min = min_respondents.max(2);
    let keys: Vec<StratumKey> = strata.keys().copied().collect();
    let of = |k: &StratumKey| strata.get(k).copied().unwrap_or_default();
    let count = |k: &StratumKey| of(k).responded;
    // A final stratum's population, for its finite population correction, is that of the
    // register strata it samples.
    let sampled_population = |k: &StratumKey| {
        let s = of(k);
        if s.sampled > 0 { s.population } else { 0.0 }
    };
    let Collapsed { stratum_of, strata: finals, shown } =
        collapse(&keys, &count, &sampled_population, min);
    let design_weight = |k: &StratumKey| {
        let s = of(k);
        if s.sampled > 0 { s.population / f64::from(s.sampled) } else { 0.0 }
    };
    let mut response = vec![GroupResponse::default(); finals.len()];
    for (i, k) in keys.iter().enumerate() {
        let (s, group) = (of(k), &mut response[stratum_of[i]]);
        group.sampled += s.sampled;
        group.responded += s.responded;
        group.weighted_sampled += f64::from(s.sampled) * design_weight(k);
        group.weighted_responded += f64::from(s.responded) * design_weight(k);
    }
    let prior: Vec<f64> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| design_weight(k) * response[stratum_of[i]].factor())
        .collect();
    let respondents: Vec<u32> = keys.iter().map(count).collect();
    let (weights, calibration) = match target {
        None => (prior, None),
        Some(target) => {
            let weight: Vec<f64> =
                prior.iter().zip(&respondents).map(|(w, r)| w * f64::from(*r)).collect();
            let category: Vec<Vec<usize>> = keys.iter().map(|k| (target.category)(k)).collect();
            let fit = calibration::calibrate(&Problem {
                weight: &weight,
                category: &category,
                margins: target.margins,
                distance: target.method.distance,
                bounds: target.method.bounds,
            })?;
            let weights: Vec<f64> = prior.iter().zip(&fit.g).map(|(w, g)| w * g).collect();
            let calibrated =
                Calibrated::new(fit, prior, &weights, &respondents, &stratum_of, &finals);
            (weights, Some(calibrated))
        }
    };
    Ok(Design {
        keys,
        stratum_of,
        strata: finals,
        weighted: true,
        frame_gaps: vec![],
        shown,
        estimator: Estimator::Sample { calibration: target.map(|t| t.method) },
        weights,
        respondents,
        calibration,
        response,
    })
}

/// The outcome of collapsing: each key's final stratum, the strata, and each key's shown level.
struct Collapsed {
    stratum_of: Vec<usize>,
    strata: Vec<Stratum>,
    shown: Vec<Level>,
}

/// Pools the keys into final strata of at least `min` respondents (docs/methodology.md §2):
/// size classes pooled within a ward's section, then sections within a ward; what a ward still
/// has left joins its smallest final stratum, so that every ward with enough respondents keeps
/// all of them; the rest of the city is one stratum, joined to the smallest final stratum if
/// it has too few respondents itself.
fn collapse(
    keys: &[StratumKey],
    count: &dyn Fn(&StratumKey) -> u32,
    population: &dyn Fn(&StratumKey) -> f64,
    min: u32,
) -> Collapsed {
    let mut c = Collapsed {
        stratum_of: vec![usize::MAX; keys.len()],
        strata: Vec::new(),
        shown: vec![Level::City; keys.len()],
    };
    let levels: [(Level, GroupOf); 3] = [
        (Level::Full, |k| (k.area, k.section, k.size)),
        (Level::AreaSection, |k| (k.area, k.section, u8::MAX)),
        (Level::Area, |k| (k.area, u8::MAX, u8::MAX)),
    ];
    for (level, group_of) in levels {
        for members in c.unassigned_by(keys, group_of) {
            let n: u32 = members.iter().map(|&i| count(&keys[i])).sum();
            if n >= min {
                c.push(&members, level, n, members.iter().map(|&i| population(&keys[i])).sum());
            } else if level == Level::Area
                && let Some(smallest) = c.smallest(|i| keys[i].area == keys[members[0]].area)
            {
                c.join(smallest, &members, Level::Area, n, population, keys);
            }
        }
    }
    let rest: Vec<usize> = (0..keys.len()).filter(|&i| c.stratum_of[i] == usize::MAX).collect();
    if rest.is_empty() {
        return c;
    }
    let n: u32 = rest.iter().map(|&i| count(&keys[i])).sum();
    match c.smallest(|_| true) {
        Some(smallest) if n < min => {
            c.join(smallest, &rest, Level::City, n, population, keys);
        }
        _ => c.push(&rest, Level::City, n, rest.iter().map(|&i| population(&keys[i])).sum()),
    }
    c
}

impl Collapsed {
    /// The keys not yet in a final stratum, grouped as `group_of` groups them.
    fn unassigned_by(&self, keys: &[StratumKey], group_of: GroupOf) -> Vec<Vec<usize>> {
        let mut groups: BTreeMap<(u16, u8, u8), Vec<usize>> = BTreeMap::new();
        for (i, key) in keys.iter().enumerate().filter(|(i, _)| self.stratum_of[*i] == usize::MAX) {
            groups.entry(group_of(key)).or_default().push(i);
        }
        groups.into_values().collect()
    }

    fn push(&mut self, members: &[usize], level: Level, respondents: u32, population: f64) {
        for &i in members {
            self.stratum_of[i] = self.strata.len();
            self.shown[i] = level;
        }
        self.strata.push(Stratum { level, population: Some(population), respondents });
    }

    /// The final stratum with the fewest respondents among those that hold a key for which
    /// `holds(key index)`; the first such on a tie.
    fn smallest(&self, holds: impl Fn(usize) -> bool) -> Option<usize> {
        (0..self.stratum_of.len())
            .filter(|&i| self.stratum_of[i] != usize::MAX && holds(i))
            .map(|i| self.stratum_of[i])
            .min_by_key(|&h| (self.strata[h].respondents, h))
    }

    /// Adds `members` to stratum `h`. Joined at ward level, every key of the stratum shows only
    /// its ward from then on; joined at city level, the stratum's own keys keep what they show.
    fn join(
        &mut self,
        h: usize,
        members: &[usize],
        level: Level,
        respondents: u32,
        population: &dyn Fn(&StratumKey) -> f64,
        keys: &[StratumKey],
    ) {
        if level == Level::Area {
            for i in 0..self.stratum_of.len() {
                if self.stratum_of[i] == h {
                    self.shown[i] = Level::Area;
                }
            }
        }
        for &i in members {
            self.stratum_of[i] = h;
            self.shown[i] = level;
        }
        let stratum = &mut self.strata[h];
        stratum.level = stratum.level.max(level);
        stratum.respondents += respondents;
        stratum.population = Some(
            stratum.population.unwrap_or(0.0)
                + members.iter().map(|&i| population(&keys[i])).sum::<f64>(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(area: u16, section: u8, size: u8) -> StratumKey {
        StratumKey { area, section, size }
    }

    /// The stratum of a key, and what its respondents show.
    fn of(d: &Design, k: StratumKey) -> (&Stratum, Level) {
        let i = d.index(&k).unwrap();
        (&d.strata[d.stratum_of[i]], d.shown[i])
    }

    #[test]
    fn strata_with_fewer_than_two_respondents_are_pooled_step_by_step() {
        let respondents = BTreeMap::from([
            (key(0, 0, 0), 5), // full stratum
            (key(0, 0, 1), 1), // pooled with (0,0,2) at area × section: 1 + 1 = 2
            (key(0, 0, 2), 1),
            (key(0, 1, 0), 1), // alone in its section: pooled at area level with (0,2,0)
            (key(0, 2, 0), 1),
            (key(1, 0, 0), 1), // alone in its area: the rest of the city, joined to the smallest
        ]);
        let frame = BTreeMap::from([
            (key(0, 0, 0), 50.0),
            (key(0, 0, 1), 20.0),
            (key(0, 0, 2), 10.0),
            (key(0, 1, 0), 30.0),
            (key(0, 2, 0), 40.0),
            (key(1, 0, 0), 60.0),
            (key(1, 3, 3), 70.0), // no respondent: the rest of the city too
        ]);
        let d = design(&respondents, Some(&frame), 2);
        assert_eq!(
            of(&d, key(0, 0, 0)),
            (&Stratum { level: Level::Full, population: Some(50.0), respondents: 5 }, Level::Full)
        );
        assert_eq!(
            of(&d, key(0, 0, 1)).1,
            Level::AreaSection,
            "joined by the rest of the city, it keeps showing its section"
        );
        assert_eq!(
            of(&d, key(0, 1, 0)),
            (&Stratum { level: Level::Area, population: Some(70.0), respondents: 2 }, Level::Area)
        );
        // The rest of the city (1 respondent) joins the smallest stratum, (0,0,1)+(0,0,2).
        assert_eq!(
            of(&d, key(1, 3, 3)),
            (&Stratum { level: Level::City, population: Some(160.0), respondents: 3 }, Level::City)
        );
        assert_eq!(of(&d, key(0, 0, 0)).0.weight(), 10.0);
        // Every frame enterprise is in exactly one final stratum.
        let total: f64 = d.strata.iter().filter_map(|s| s.population).sum();
        assert_eq!(total, frame.values().sum::<f64>());
    }

    #[test]
    fn final_strata_hold_the_threshold_and_wards_keep_their_respondents() {
        let respondents = BTreeMap::from([
            (key(0, 0, 0), 6), // full stratum
            (key(0, 0, 1), 4), // with (0,0,2): 4 + 2 = 6 at area × section
            (key(0, 0, 2), 2),
            (key(0, 1, 0), 5), // full stratum, the ward's smallest: joined by what is left
            (key(0, 2, 0), 2), // left over in ward 0: 2 < 5
            (key(1, 0, 0), 3), // ward 1 has 3 < 5 in all: the rest of the city
            (key(2, 0, 0), 3), // ward 2 too: 3 + 3 = 6 for the rest of the city
        ]);
        let frame: BTreeMap<StratumKey, f64> =
            respondents.keys().map(|k| (*k, 10.0)).chain([(key(0, 3, 3), 5.0)]).collect();
        let d = design(&respondents, Some(&frame), 5);
        assert_eq!(of(&d, key(0, 0, 0)).1, Level::Full);
        assert_eq!(of(&d, key(0, 0, 2)).1, Level::AreaSection);
        assert_eq!(
            of(&d, key(0, 1, 0)),
            (&Stratum { level: Level::Area, population: Some(25.0), respondents: 7 }, Level::Area),
            "what ward 0 has left, and its empty frame stratum, join its smallest stratum"
        );
        assert_eq!(of(&d, key(0, 2, 0)).1, Level::Area);
        assert_eq!(
            of(&d, key(2, 0, 0)),
            (&Stratum { level: Level::City, population: Some(20.0), respondents: 6 }, Level::City)
        );
        assert!(d.strata.iter().all(|s| s.respondents >= 5), "{:?}", d.strata);
        // No stratum is finer than the codes its respondents show.
        for (i, k) in d.keys.iter().enumerate() {
            for (j, other) in d.keys.iter().enumerate() {
                if d.stratum_of[i] == d.stratum_of[j] && d.shown[i] == d.shown[j] {
                    match d.shown[i] {
                        Level::Area => assert_eq!(k.area, other.area),
                        Level::AreaSection => {
                            assert_eq!((k.area, k.section), (other.area, other.section));
                        }
                        Level::Full => assert_eq!(k, other),
                        Level::City => {}
                    }
                }
            }
        }
    }

    #[test]
    fn respondents_outside_the_frame_stand_for_themselves_and_are_reported() {
        let respondents = BTreeMap::from([(key(0, 0, 0), 3), (key(9, 9, 9), 2)]);
        let frame = BTreeMap::from([(key(0, 0, 0), 30.0)]);
        let d = design(&respondents, Some(&frame), 2);
        assert_eq!(d.frame_gaps, vec![key(9, 9, 9)]);
        let gap = &d.strata[d.stratum_of[d.index(&key(9, 9, 9)).unwrap()]];
        assert_eq!(gap.population, Some(2.0));
        assert_eq!(gap.weight(), 1.0);
        assert_eq!(gap.fpc(), 0.0);
    }

    #[test]
    fn without_a_frame_there_is_one_unweighted_stratum() {
        let respondents = BTreeMap::from([(key(0, 0, 0), 3), (key(1, 0, 0), 4)]);
        let d = design(&respondents, None, 2);
        assert!(!d.weighted);
        assert_eq!(
            d.strata,
            vec![Stratum { level: Level::City, population: None, respondents: 7 }]
        );
        assert_eq!(d.strata[0].weight(), 1.0);
        assert_eq!(d.strata[0].fpc(), 1.0);
    }
}
