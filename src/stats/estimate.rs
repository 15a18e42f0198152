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

use super::design::Design;
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
}

/// An estimate with everything a published figure carries.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Estimate {
    pub estimate: f64,
    pub se: f64,
    pub ci_low: f64,
    pub ci_high: f64,
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
    // Only the strata the domain touches: a domain of one ward is a handful of them.
    let mut touched: Vec<(usize, Sums)> = Vec::new();
    let (mut count, mut total) = (0.0, 0.0);
    for k in domain {
        let s = sums[k];
        if s.count > 0.0 {
            touched.push((design.stratum_of[k], s));
            count += s.count;
            total += s.sum;
        }
    }
    if count == 0.0 {
        return None;
    }
    touched.sort_unstable_by_key(|(h, _)| *h);
    let mut per_stratum: Vec<(usize, Sums)> = Vec::with_capacity(touched.len());
    for (h, s) in touched {
        match per_stratum.last_mut() {
            Some((last, acc)) if *last == h => {
                acc.count += s.count;
                acc.sum += s.sum;
                acc.sum_sq += s.sum_sq;
            }
            _ => per_stratum.push((h, s)),
        }
    }
    let weight = |h: usize| design.strata[h].weight();
    let weighted_n: f64 = per_stratum.iter().map(|(h, s)| weight(*h) * s.count).sum();
    let weighted_sum: f64 = per_stratum.iter().map(|(h, s)| weight(*h) * s.sum).sum();
    let p = weighted_sum / weighted_n;
    let mut variance = 0.0;
    for (h, s) in &per_stratum {
        let stratum = &design.strata[*h];
        let n_h = f64::from(stratum.respondents);
        if n_h < 2.0 {
            continue;
        }
        let w = stratum.weight();
        let linear = w * (s.sum - p * s.count) / weighted_n;
        let squares =
            w * w * (s.sum_sq - 2.0 * p * s.sum + p * p * s.count) / (weighted_n * weighted_n);
        variance += stratum.fpc() * n_h / (n_h - 1.0) * (squares - linear * linear / n_h);
    }
    let se = variance.max(0.0).sqrt();
    let strata_in_domain = per_stratum.len() as f64;
    let df = (count - strata_in_domain).max(1.0);
    let n = count as u32;
    let unweighted = total / count;
    let (ci_low, ci_high, method) = match kind {
        Kind::Share if design.weighted && p > 0.0 && p < 1.0 => {
            let (low, high) = logit_interval(p, se, df);
            (low, high, IntervalMethod::Logit)
        }
        Kind::Share => {
            let (low, high) = wilson(p, count);
            (low, high, IntervalMethod::Wilson)
        }
        Kind::Mean => {
            let t = t_975(df);
            (p - t * se, p + t * se, IntervalMethod::Symmetric)
        }
    };
    Some(Estimate {
        estimate: p,
        se,
        ci_low,
        ci_high,
        cv: (p != 0.0).then(|| se / p.abs()),
        n,
        weighted_n,
        unweighted,
        df,
        method,
    })
}

/// The 97.5% quantile of Student's t, remembered per degrees of freedom: a wave's thousands of
/// figures share a few hundred distinct values, and each costs a root search.
fn t_975(df: f64) -> f64 {
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
