//! The change of a share or mean between two waves, with its 95% interval, counting the
//! covariance of the organisations that responded in both (docs/methodology.md §5a).
//!
//! Each wave's estimate is linearised as for its own variance: a_i = w_i e_i, the weighted
//! influence value of respondent i (its calibration residual when the weights are calibrated).
//! Within a final stratum that is the same in both waves (the same frame strata, the same
//! population N), the respondents of each wave are taken as simple random samples of the
//! stratum that share the n₁₂ respondents of both, as in a rotating panel (Tam 1984; Qualité
//! and Tillé 2008, Survey Methodology 34(2)). Conditionally on n₁₂, the covariance of the two
//! estimates is estimated from the respondents of both:
//!
//! ```text
//! C_h = (n₁₂ − n₁ n₂ / N) · Σ_{i ∈ both} (a₁ᵢ − ā₁)(a₂ᵢ − ā₂) / (n₁₂ − 1)
//! v(Δ) = v₁ + v₂ − 2 Σ_h C_h
//! ```
//!
//! With the same respondents in both waves this is v₁ itself, so a wave compared with itself
//! changes by 0 ± 0; without respondents in common it is v₁ + v₂. Respondents of both waves
//! whose final strata differ between the waves (a stratum pooled differently, a firm that
//! moved) add no covariance: for a share that persists, the interval is then wider than it
//! could be, not narrower. The interval is Δ ± t · SE, t on Welch–Satterthwaite's degrees of
//! freedom from the two waves' variances; none when either wave has none.

use std::collections::BTreeMap;

use super::design::{Design, StratumKey};
use super::estimate::{self, Estimate, Interval, Kind, Linearisation, Sums, t_975};

/// One wave as the change sees it: its design, the sums of the variable in each of its keys,
/// and the domain (positions in `design.keys`, ascending).
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub design: &'a Design,
    pub sums: &'a [Sums],
    pub domain: &'a [usize],
}

/// An organisation's response in one wave: its key in that wave's design and its value of the
/// variable (`None` when it has none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Response {
    pub key: usize,
    pub value: Option<f64>,
}

/// An organisation that responded in both waves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Linked {
    pub first: Response,
    pub second: Response,
}

/// The change from the first wave to the second.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Change {
    /// Second estimate minus first.
    pub change: f64,
    pub se: f64,
    /// `None` when either wave has no degrees of freedom.
    #[serde(flatten)]
    pub interval: Option<Interval>,
    /// Welch–Satterthwaite's degrees of freedom.
    pub df: f64,
    /// The estimated covariance of the two estimates.
    pub covariance: f64,
    /// Organisations that responded in both waves.
    pub common: u32,
    /// Of those, the ones in the same final stratum in both waves, whose covariance counts.
    pub counted: u32,
    #[serde(skip)]
    pub first: Estimate,
    #[serde(skip)]
    pub second: Estimate,
}

/// The change of the variable between the two waves over their domains; `None` when either
/// domain has no respondent with a value.
pub fn change(first: Side<'_>, second: Side<'_>, linked: &[Linked], kind: Kind) -> Option<Change> {
    let estimate_of = |side: Side<'_>| {
        estimate::estimate(side.design, side.sums, side.domain.iter().copied(), kind)
    };
    let (one, two) = (estimate_of(first)?, estimate_of(second)?);
    let covariance = Covariance::of(first, second, linked);
    let (v1, v2) = (one.se * one.se, two.se * two.se);
    let se = (v1 + v2 - 2.0 * covariance.total).max(0.0).sqrt();
    let change = two.estimate - one.estimate;
    let df = satterthwaite(v1, one.df, v2, two.df);
    let interval = (one.df >= 1.0 && two.df >= 1.0).then(|| {
        let half = t_975(df) * se;
        let (low, high) = (change - half, change + half);
        match kind {
            Kind::Share => Interval { low: low.max(-1.0), high: high.min(1.0) },
            Kind::Mean => Interval { low, high },
        }
    });
    Some(Change {
        change,
        se,
        interval,
        df,
        covariance: covariance.total,
        common: linked.len() as u32,
        counted: covariance.counted,
        first: one,
        second: two,
    })
}

/// (v₁ + v₂)² / (v₁²/df₁ + v₂²/df₂); df₁ + df₂ when both variances are 0.
fn satterthwaite(v1: f64, df1: f64, v2: f64, df2: f64) -> f64 {
    let denominator = v1 * v1 / df1.max(1.0) + v2 * v2 / df2.max(1.0);
    if denominator > 0.0 { (v1 + v2).powi(2) / denominator } else { df1 + df2 }
}

/// The covariance of two waves' estimates, summed over the final strata they share.
struct Covariance {
    total: f64,
    counted: u32,
}

/// Σ a₁, Σ a₂, Σ a₁a₂ and the count of the respondents of both waves in one shared stratum.
#[derive(Default)]
struct Products {
    n: f64,
    first: f64,
    second: f64,
    cross: f64,
}

impl Covariance {
    fn of(first: Side<'_>, second: Side<'_>, linked: &[Linked]) -> Covariance {
        let (Some(one), Some(two)) = (linearised(first), linearised(second)) else {
            return Covariance { total: 0.0, counted: 0 };
        };
        let (strata_one, strata_two) = (compositions(first.design), compositions(second.design));
        // Summed in stratum order, so that the same data give the same digits.
        let mut shared: BTreeMap<(usize, usize), Products> = BTreeMap::new();
        for pair in linked {
            let h1 = first.design.stratum_of[pair.first.key];
            let h2 = second.design.stratum_of[pair.second.key];
            let same = strata_one[h1] == strata_two[h2]
                && first.design.strata[h1].population == second.design.strata[h2].population;
            if !same {
                continue;
            }
            let a1 = contribution(first, &one, pair.first);
            let a2 = contribution(second, &two, pair.second);
            let p = shared.entry((h1, h2)).or_default();
            p.n += 1.0;
            p.first += a1;
            p.second += a2;
            p.cross += a1 * a2;
        }
        let mut total = 0.0;
        let mut counted = 0;
        for ((h1, h2), p) in &shared {
            counted += p.n as u32;
            if p.n < 2.0 {
                continue;
            }
            let stratum = &first.design.strata[*h1];
            let n1 = f64::from(stratum.respondents);
            let n2 = f64::from(second.design.strata[*h2].respondents);
            let expected = stratum.population.filter(|n| *n > 0.0).map_or(0.0, |n| n1 * n2 / n);
            let centred = p.cross - p.first * p.second / p.n;
            total += (p.n - expected) * centred / (p.n - 1.0);
        }
        Covariance { total, counted }
    }
}

fn linearised(side: Side<'_>) -> Option<Linearisation> {
    estimate::linearise(side.design, side.sums, side.domain.iter().copied())
}

/// a_i of a response: its value counts only inside the wave's domain.
fn contribution(side: Side<'_>, linearisation: &Linearisation, response: Response) -> f64 {
    let inside = side.domain.binary_search(&response.key).is_ok();
    let value = response.value.filter(|_| inside);
    linearisation.value(side.design, response.key, value)
}

/// The frame strata of each final stratum, in key order.
fn compositions(design: &Design) -> Vec<Vec<StratumKey>> {
    let mut strata = vec![Vec::new(); design.strata.len()];
    for (k, &h) in design.stratum_of.iter().enumerate() {
        strata[h].push(design.keys[k]);
    }
    strata
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::stats::design;

    fn key(area: u16, size: u8) -> StratumKey {
        StratumKey { area, section: 0, size }
    }

    /// Four strata of 40 enterprises with 10 respondents each; respondent `i` of stratum `s`
    /// has value `values(s, i)`.
    fn wave(values: impl Fn(usize, usize) -> f64) -> (Design, Vec<Sums>, Vec<Vec<f64>>) {
        let keys = [key(0, 0), key(0, 1), key(1, 0), key(1, 1)];
        let respondents: BTreeMap<StratumKey, u32> = keys.iter().map(|k| (*k, 10)).collect();
        let frame: BTreeMap<StratumKey, f64> = keys.iter().map(|k| (*k, 40.0)).collect();
        let design = design(&respondents, Some(&frame), 5);
        let mut sums = vec![Sums::default(); design.keys.len()];
        let mut by_key = vec![Vec::new(); design.keys.len()];
        for (s, k) in keys.iter().enumerate() {
            let at = design.index(k).unwrap();
            for i in 0..10 {
                let y = values(s, i);
                sums[at].add(y);
                by_key[at].push(y);
            }
        }
        (design, sums, by_key)
    }

    fn all(design: &Design) -> Vec<usize> {
        (0..design.keys.len()).collect()
    }

    /// Respondent `i` of each key, linked to the same in the other wave, for `i < common`.
    fn linked(first: &[Vec<f64>], second: &[Vec<f64>], common: usize) -> Vec<Linked> {
        let mut pairs = Vec::new();
        for k in 0..first.len() {
            for i in 0..common.min(first[k].len()) {
                pairs.push(Linked {
                    first: Response { key: k, value: Some(first[k][i]) },
                    second: Response { key: k, value: Some(second[k][i]) },
                });
            }
        }
        pairs
    }

    fn share(s: usize, i: usize) -> f64 {
        f64::from(u8::from((i * 7 + s * 3) % 10 < 3 + s))
    }

    #[test]
    fn a_wave_compared_with_itself_changes_by_nothing_with_no_uncertainty() {
        let (design, sums, values) = wave(share);
        let domain = all(&design);
        let side = Side { design: &design, sums: &sums, domain: &domain };
        let c = change(side, side, &linked(&values, &values, 10), Kind::Share).unwrap();
        assert_eq!(c.change, 0.0);
        // v₁ + v₂ − 2C in floating point: what is left is rounding, √(1e-18).
        assert!(c.se < 1e-6 * c.first.se, "SE {} of {}", c.se, c.first.se);
        assert!((c.covariance - c.first.se * c.first.se).abs() < 1e-15);
        assert_eq!((c.common, c.counted), (40, 40));
    }

    #[test]
    fn without_organisations_in_common_the_variances_add_up() {
        let (d1, s1, _) = wave(share);
        let (d2, s2, _) = wave(|s, i| share(s, (i + 3) % 10));
        let (a, b) = (all(&d1), all(&d2));
        let c = change(
            Side { design: &d1, sums: &s1, domain: &a },
            Side { design: &d2, sums: &s2, domain: &b },
            &[],
            Kind::Share,
        )
        .unwrap();
        let independent = (c.first.se.powi(2) + c.second.se.powi(2)).sqrt();
        assert!((c.se - independent).abs() < 1e-15);
        assert_eq!(c.covariance, 0.0);
        let i = c.interval.unwrap();
        assert!(i.low < c.change && c.change < i.high);
        assert!(c.df > 36.0 - 1e-9 && c.df <= 72.0, "df {}", c.df);
    }

    #[test]
    fn persistent_values_in_common_narrow_the_interval_and_moved_ones_do_not() {
        // The second wave keeps 8 of 10 respondents per stratum, with the same values.
        let (d1, s1, v1) = wave(share);
        let (d2, s2, v2) = wave(|s, i| if i < 8 { share(s, i) } else { share(s, i + 1) });
        let (a, b) = (all(&d1), all(&d2));
        let sides = (
            Side { design: &d1, sums: &s1, domain: &a },
            Side { design: &d2, sums: &s2, domain: &b },
        );
        let pairs = linked(&v1, &v2, 8);
        let c = change(sides.0, sides.1, &pairs, Kind::Share).unwrap();
        let independent = (c.first.se.powi(2) + c.second.se.powi(2)).sqrt();
        assert!(c.covariance > 0.0 && c.se < independent, "{c:?}");
        assert_eq!(c.counted, 32);
        // Organisations whose stratum differs between the waves add nothing.
        let moved: Vec<Linked> = pairs
            .iter()
            .map(|p| Linked { second: Response { key: (p.second.key + 1) % 4, ..p.second }, ..*p })
            .collect();
        let c = change(sides.0, sides.1, &moved, Kind::Share).unwrap();
        assert_eq!((c.covariance, c.counted, c.common), (0.0, 0, 32));
        assert!((c.se - independent).abs() < 1e-15);
    }

    #[test]
    fn a_wave_without_degrees_of_freedom_gives_no_interval() {
        let respondents: BTreeMap<StratumKey, u32> = [(key(0, 0), 1)].into();
        let frame: BTreeMap<StratumKey, f64> = [(key(0, 0), 10.0)].into();
        let d1 = design(&respondents, Some(&frame), 1);
        let mut s1 = vec![Sums::default(); d1.keys.len()];
        s1[0].add(0.5);
        let (d2, s2, _) = wave(|_, i| i as f64);
        let (a, b) = (all(&d1), all(&d2));
        let c = change(
            Side { design: &d1, sums: &s1, domain: &a },
            Side { design: &d2, sums: &s2, domain: &b },
            &[],
            Kind::Mean,
        )
        .unwrap();
        assert_eq!(c.interval, None);
        assert!((c.change - 4.0).abs() < 1e-12);
    }
}
