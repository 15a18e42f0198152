//! Estimates of shares and means for a domain (the city, an area, a sector...), with their
//! standard errors and 95% intervals.
//!
//! A domain estimate is the ratio Σ w y / Σ w over the domain's respondents. Its variance is
//! the linearised one of a stratified simple random sample with finite population correction,
//! computed over every respondent of each stratum (those outside the domain contribute zero):
//!
//! ```text
//! z_i = 1{i ∈ d} (y_i − p̂) / N̂_d
//! v(p̂) = Σ_h (1 − n_h/N_h) · n_h/(n_h − 1) · Σ_{i∈h} (w_h z_i − mean_h(w z))²
//! ```
//!
//! For the whole population this is Cochran's Σ W_h² (1 − f_h) p̂_h (1 − p̂_h)/(n_h − 1); in
//! general it is what R's `survey` package computes for `svymean` on a subset.

use super::calibration;
use super::design::{Calibrated, Design};
use super::distributions::{normal_quantile, student_t_quantile};

/// The sufficient statistics of one variable in one frame stratum.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sums {
    /// Respondents with a value.
    pub count: f64,
    pub sum: f64,
    pub sum_sq: f64,
}

impl Sums {
    /// Adds one respondent's value.
    pub fn add(&mut self, y: f64) {
        self.count += 1.0;
        self.sum += y;
        self.sum_sq += y * y;
    }
}

/// Whether the variable is a yes/no share or a mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Share,
    Mean,
}

/// How the interval was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IntervalMethod {
    /// expit(logit p̂ ± t · SE / (p̂ (1 − p̂))), t on the design's degrees of freedom.
    Logit,
    /// Wilson's score interval on the respondents: for unweighted shares, and for a weighted
    /// share of exactly 0 or 1, where the logit interval does not exist.
    Wilson,
    /// p̂ ± t · SE.
    Symmetric,
    /// None: the domain has no degrees of freedom (one respondent in each stratum it touches),
    /// so Student's t, and the interval, do not exist (R gives NaN). The estimate is published
    /// without an interval and flagged as unreliable.
    Withheld,
}

/// A 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Interval {
    #[serde(rename = "ci_low")]
    pub low: f64,
    #[serde(rename = "ci_high")]
    pub high: f64,
}

/// An estimate with everything a published figure carries.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Estimate {
    pub estimate: f64,
    pub se: f64,
    /// `None` when the domain has no degrees of freedom ([`IntervalMethod::Withheld`]).
    #[serde(flatten)]
    pub interval: Option<Interval>,
    /// SE / estimate; `None` for an estimate of 0.
    pub cv: Option<f64>,
    /// Respondents in the domain with a value.
    pub n: u32,
    /// The estimated population of the domain, Σ w.
    pub weighted_n: f64,
    /// The plain share or mean of the respondents.
    pub unweighted: f64,
    /// Degrees of freedom: respondents minus strata, in the domain.
    pub df: f64,
    pub method: IntervalMethod,
}

/// Estimates a share or mean over the domain made of the frame strata `domain` (positions in
/// `design.keys`). `sums[k]` are the statistics of `design.keys[k]`. `None` when the domain has
/// no respondent.
pub fn estimate(
    design: &Design,
    sums: &[Sums],
    domain: impl IntoIterator<Item = usize>,
    kind: Kind,
) -> Option<Estimate> {
    let mut members = members_with_values(sums, domain)?;
    let ratio = Ratio::of(design, sums, &members);
    let (p, weighted_n) = (ratio.estimate(), ratio.weighted_n);
    let influence = |k: usize| influence(sums[k], p, weighted_n);
    members.sort_unstable_by_key(|&k| design.stratum_of[k]);
    let variance = match &design.calibration {
        None => stratified_variance(design, &members, &influence),
        Some(calibrated) => calibrated_variance(design, calibrated, &members, &influence),
    };
    let se = variance.max(0.0).sqrt();
    let df = degrees_of_freedom(design, &members, ratio.count);
    let count = ratio.count;
    let interval = |(low, high): (f64, f64)| Some(Interval { low, high });
    let (interval, method) = match kind {
        Kind::Share if !design.weighted || p == 0.0 || p == 1.0 => {
            (interval(wilson(p, count)), IntervalMethod::Wilson)
        }
        _ if df < 1.0 => (None, IntervalMethod::Withheld),
        Kind::Share => (interval(logit_interval(p, se, df)), IntervalMethod::Logit),
        Kind::Mean => {
            let t = t_975(df);
            (interval((p - t * se, p + t * se)), IntervalMethod::Symmetric)
        }
    };
    Some(Estimate {
        estimate: p,
        se,
        interval,
        cv: (p != 0.0).then(|| se / p.abs()),
        n: count as u32,
        weighted_n,
        unweighted: ratio.total / count,
        df,
        method,
    })
}

/// The domain's keys that have respondents with a value; `None` when there are none.
fn members_with_values(
    sums: &[Sums],
    domain: impl IntoIterator<Item = usize>,
) -> Option<Vec<usize>> {
    let members: Vec<usize> = domain.into_iter().filter(|&k| sums[k].count > 0.0).collect();
    (!members.is_empty()).then_some(members)
}

/// The sums a domain's ratio estimate Σ w y / Σ w is made of.
struct Ratio {
    count: f64,
    total: f64,
    weighted_n: f64,
    weighted_sum: f64,
}

impl Ratio {
    fn of(design: &Design, sums: &[Sums], members: &[usize]) -> Ratio {
        let w = &design.weights;
        let mut ratio = Ratio { count: 0.0, total: 0.0, weighted_n: 0.0, weighted_sum: 0.0 };
        for &k in members {
            let s = sums[k];
            ratio.count += s.count;
            ratio.total += s.sum;
            ratio.weighted_n += w[k] * s.count;
            ratio.weighted_sum += w[k] * s.sum;
        }
        ratio
    }

    fn estimate(&self) -> f64 {
        self.weighted_sum / self.weighted_n
    }
}

/// A key's share of the influence values z_i = (y_i − p̂) / N̂: their sum and the sum of their
/// squares over the key's respondents in the domain.
fn influence(s: Sums, p: f64, weighted_n: f64) -> (f64, f64) {
    let linear = (s.sum - p * s.count) / weighted_n;
    let squares = (s.sum_sq - 2.0 * p * s.sum + p * p * s.count) / (weighted_n * weighted_n);
    (linear, squares)
}

/// Respondents minus the final strata they are in; `members` are sorted by stratum.
fn degrees_of_freedom(design: &Design, members: &[usize], count: f64) -> f64 {
    let mut strata_in_domain = members.iter().map(|&k| design.stratum_of[k]).collect::<Vec<_>>();
    strata_in_domain.dedup();
    (count - strata_in_domain.len() as f64).max(0.0)
}

/// What each respondent contributes to a domain estimate's variance: a_i = w_i e_i, the
/// weighted influence value, replaced by its calibration residual when the weights are
/// calibrated. The variance is Σ_h f_h [Σ_{i∈h} a_i² − (Σ_{i∈h} a_i)²/n_h] over every
/// respondent; the change between two waves (`change`) needs the a_i themselves.
#[derive(Debug, Clone)]
pub struct Linearisation {
    pub estimate: f64,
    weighted_n: f64,
    /// B, the coefficients of the regression on the calibration's categories.
    coefficients: Option<Vec<f64>>,
}

impl Linearisation {
    /// a_i of a respondent of key `k` whose value is `y`: `None` when it has no value or is
    /// outside the domain (z_i = 0, but a calibrated weight still gives it a residual).
    pub fn value(&self, design: &Design, k: usize, y: Option<f64>) -> f64 {
        let z = y.map_or(0.0, |y| (y - self.estimate) / self.weighted_n);
        let fitted = match (&design.calibration, &self.coefficients) {
            (Some(calibrated), Some(b)) => calibration::fitted(&calibrated.fit, b, k),
            _ => 0.0,
        };
        design.weights[k] * (z - fitted)
    }
}

/// The linearisation of the estimate over `domain`, as [`estimate`] takes it; `None` when the
/// domain has no respondent with a value.
pub fn linearise(
    design: &Design,
    sums: &[Sums],
    domain: impl IntoIterator<Item = usize>,
) -> Option<Linearisation> {
    let members = members_with_values(sums, domain)?;
    let ratio = Ratio::of(design, sums, &members);
    let (p, weighted_n) = (ratio.estimate(), ratio.weighted_n);
    let coefficients = design.calibration.as_ref().map(|calibrated| {
        coefficients(calibrated, &members, &|k| influence(sums[k], p, weighted_n)).0
    });
    Some(Linearisation { estimate: p, weighted_n, coefficients })
}

/// Σ_h (1 − n_h/N_h) n_h/(n_h − 1) Σ_{i∈h} (a_i − ā_h)², a_i = w_i z_i, from each stratum's
/// Σ a and Σ a² (respondents outside the domain have a = 0).
fn stratum_term(design: &Design, h: usize, sum: f64, sum_sq: f64) -> f64 {
    let stratum = &design.strata[h];
    let n_h = f64::from(stratum.respondents.max(1));
    stratum.variance_factor() * (sum_sq - sum * sum / n_h)
}

/// The variance without calibration: only the strata the domain touches contribute.
/// `members` are sorted by stratum.
fn stratified_variance(
    design: &Design,
    members: &[usize],
    influence: &dyn Fn(usize) -> (f64, f64),
) -> f64 {
    let mut variance = 0.0;
    let mut at = 0;
    while at < members.len() {
        let h = design.stratum_of[members[at]];
        let (mut sum, mut sum_sq) = (0.0, 0.0);
        while at < members.len() && design.stratum_of[members[at]] == h {
            let k = members[at];
            let (linear, squares) = influence(k);
            let w = design.weights[k];
            sum += w * linear;
            sum_sq += w * w * squares;
            at += 1;
        }
        variance += stratum_term(design, h, sum, sum_sq);
    }
    variance
}

/// The variance of a calibrated estimate, as R's `svyrecvar` computes it: the influence values
/// z_i replaced by their residuals e_i = z_i − x_iᵀB from the regression on the calibration's
/// categories weighted by the prior weights, B = T⁻¹β, β = Σ_{i∈d} prior_i x_i z_i. Every
/// respondent has a residual, inside the domain or not; with c_k = x_kᵀB, G_h = g_hᵀB and
/// D_h = Σ_{k∈h∩d} w_k s_k (s_k, SS_k: the key's Σ z and Σ z² in the domain), the sum over all
/// strata of f_h [Σ (w e)² − (Σ w e)²/n_h] is
///
/// ```text
/// Σ_{h∩d≠∅} f_h [Σ_{k∈h∩d} w_k² SS_k − D_h²/n_h]       (as without calibration)
///   + βᵀ T⁻¹ M T⁻¹ β                                    (precomputed form, all strata)
///   − 2 Σ_{k∈d} f_h w_k² c_k s_k + 2 Σ_{h∩d≠∅} f_h D_h G_h / n_h
/// ```
///
/// so a figure costs in proportion to its domain and to the columns β touches.
fn calibrated_variance(
    design: &Design,
    calibrated: &Calibrated,
    members: &[usize],
    influence: &dyn Fn(usize) -> (f64, f64),
) -> f64 {
    let fit = &calibrated.fit;
    let p = fit.width;
    let (b, beta, touched) = coefficients(calibrated, members, influence);
    let form = &calibrated.fitted_form;
    let mut variance: f64 = touched
        .iter()
        .map(|&i| beta[i] * touched.iter().map(|&j| form[i * p + j] * beta[j]).sum::<f64>())
        .sum();
    // `members` are sorted by stratum.
    let mut at = 0;
    while at < members.len() {
        let h = design.stratum_of[members[at]];
        let stratum = &design.strata[h];
        let f = stratum.variance_factor();
        let n_h = f64::from(stratum.respondents.max(1));
        let (mut d, mut squares, mut cross) = (0.0, 0.0, 0.0);
        while at < members.len() && design.stratum_of[members[at]] == h {
            let k = members[at];
            let (s, ss) = influence(k);
            let w = design.weights[k];
            let c = calibration::fitted(fit, &b, k);
            d += w * s;
            squares += w * w * ss;
            cross += w * w * c * s;
            at += 1;
        }
        let g: f64 = calibrated.stratum_columns[h].iter().map(|&(j, gj)| gj * b[j]).sum();
        variance += f * (squares - d * d / n_h) - 2.0 * f * cross + 2.0 * f * d * g / n_h;
    }
    variance
}

/// B = T⁻¹β, β = Σ_{i∈d} prior_i x_i z_i; also β and the columns it touches, sorted.
fn coefficients(
    calibrated: &Calibrated,
    members: &[usize],
    influence: &dyn Fn(usize) -> (f64, f64),
) -> (Vec<f64>, Vec<f64>, Vec<usize>) {
    let fit = &calibrated.fit;
    let p = fit.width;
    let mut beta = vec![0.0; p];
    let mut touched: Vec<usize> = Vec::new();
    for &k in members {
        let value = calibrated.prior[k] * influence(k).0;
        for &j in &fit.columns[k] {
            if beta[j] == 0.0 {
                touched.push(j);
            }
            beta[j] += value;
        }
    }
    touched.sort_unstable();
    touched.dedup();
    let mut b = vec![0.0; p];
    for &j in &touched {
        let column = &calibrated.t_inverse;
        for (i, bi) in b.iter_mut().enumerate() {
            *bi += column[i * p + j] * beta[j];
        }
    }
    (b, beta, touched)
}

/// The 97.5% quantile of Student's t, remembered per degrees of freedom: a wave's thousands of
/// figures share a few hundred distinct values, and each costs a root search.
pub(super) fn t_975(df: f64) -> f64 {
    thread_local! {
        static KNOWN: std::cell::RefCell<std::collections::HashMap<u64, f64>> = std::cell::RefCell::default();
    }
    KNOWN.with(|known| {
        *known.borrow_mut().entry(df.to_bits()).or_insert_with(|| student_t_quantile(0.975, df))
    })
}

/// The logit interval of a share, as R's `svyciprop(method = "logit")` computes it.
pub fn logit_interval(p: f64, se: f64, df: f64) -> (f64, f64) {
    let t = t_975(df);
    let logit = (p / (1.0 - p)).ln();
    let half = t * se / (p * (1.0 - p));
    let expit = |x: f64| 1.0 / (1.0 + (-x).exp());
    (expit(logit - half), expit(logit + half))
}

/// Wilson's 95% score interval for a share `p` of `n` respondents.
pub fn wilson(p: f64, n: f64) -> (f64, f64) {
    let z = normal_quantile(0.975);
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // At 0 and 1 the bound is exact; computed, it would be off by rounding.
    let low = if p == 0.0 { 0.0 } else { (centre - half).max(0.0) };
    let high = if p == 1.0 { 1.0 } else { (centre + half).min(1.0) };
    (low, high)
}
