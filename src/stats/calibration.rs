//! Calibration of weights to known totals (Deville & Särndal 1992), as R's `survey`
//! `calibrate()` computes it.
//!
//! Respondents come in *classes* whose members share their margins' categories and their
//! weight before calibration (in dxsurvey, a class is a stratum of the register: ward ×
//! section × size class). Calibration finds a factor g_c for each class so that the weighted
//! count of every category of every margin equals its register total:
//!
//! ```text
//! Σ_c D_c g_c x_c = t,   g_c = 1 + F(x_cᵀ λ)
//! ```
//!
//! D_c being the sum of the class's weights before calibration, x_c its 0/1 vector of
//! categories and F the distance's inverse derivative: linear (GREG, g = 1 + u, truncated to
//! the bounds when there are any), raking (g = eᵘ) or logit (raking kept within bounds L < g
//! < U). λ is found by Newton's method from 0, as R's `grake` does; linear calibration without
//! bounds is solved in one step, as R's `regcalibrate` does.
//!
//! The basis holds every category of the first margin and every category but the first of the
//! others: it spans what R's `model.matrix(~ a + b)` spans, so weights and residuals are the
//! same; the left-out categories' totals follow from the others when margins agree on the
//! population, which is checked.

use super::linalg::{Cholesky, Symmetric};

/// The distance function between the calibrated and the prior weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Distance {
    /// GREG: g = 1 + u (R: `calfun = "linear"`).
    Linear,
    /// g = exp(u) (R: `calfun = "raking"`).
    Raking,
    /// Raking kept within the bounds (R: `calfun = "logit"`); needs bounds.
    Logit,
}

impl Distance {
    pub fn as_str(self) -> &'static str {
        match self {
            Distance::Linear => "linear",
            Distance::Raking => "raking",
            Distance::Logit => "logit",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Distance::Linear, Distance::Raking, Distance::Logit]
            .into_iter()
            .find(|d| d.as_str() == text)
    }
}

/// Bounds on g, the ratio of a calibrated weight to its prior weight.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Bounds {
    pub lower: f64,
    pub upper: f64,
}

impl Bounds {
    pub const NONE: Bounds = Bounds { lower: f64::NEG_INFINITY, upper: f64::INFINITY };

    pub fn is_none(&self) -> bool {
        *self == Bounds::NONE
    }
}

/// A margin: its name and each category's name and total.
#[derive(Debug, Clone, PartialEq)]
pub struct Margin {
    pub name: String,
    pub categories: Vec<(String, f64)>,
}

/// What is calibrated: per class, its prior weight total and its category in each margin.
#[derive(Debug, Clone, Copy)]
pub struct Problem<'a> {
    /// D_c: the sum of the prior weights of the class's respondents (0 for a class without).
    pub weight: &'a [f64],
    /// `category[c][m]`: the category of class `c` in margin `m`.
    pub category: &'a [Vec<usize>],
    pub margins: &'a [Margin],
    pub distance: Distance,
    pub bounds: Bounds,
}

/// Calibrated factors and what the variance needs.
#[derive(Debug, Clone)]
pub struct Fit {
    /// g of each class.
    pub g: Vec<f64>,
    /// The columns of each class in the basis.
    pub columns: Vec<Vec<usize>>,
    /// Columns in the basis.
    pub width: usize,
    /// The Cholesky factor of Σ_c D_c x_c x_cᵀ, for the regression of the variance residuals.
    pub factor: Cholesky,
    pub iterations: u32,
}

/// Why weights cannot be calibrated to the totals asked for.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalibrationError {
    #[error(
        "{margin} '{category}' has a register total of {total} but no respondent: pool it with a neighbour or leave that margin out"
    )]
    NoRespondent { margin: String, category: String, total: f64 },
    #[error("{margin} '{category}' has respondents but a register total of 0")]
    NoPopulation { margin: String, category: String },
    #[error(
        "the totals of {margin} add up to {total}, those of {first} to {first_total}: margins must count the same population"
    )]
    Totals { first: String, first_total: f64, margin: String, total: f64 },
    #[error(
        "the margins are not independent for these respondents (a category is fixed by the others): leave one out"
    )]
    Singular,
    #[error(
        "bounds must satisfy lower < 1 < upper, and logit calibration needs both (got {lower}, {upper})"
    )]
    Bounds { lower: f64, upper: f64 },
    #[error(
        "calibration did not converge in {iterations} iterations: {margin} '{category}' stays {misfit:.3} away from its total; widen the bounds or pool categories"
    )]
    NotConverged { iterations: u32, margin: String, category: String, misfit: f64 },
}

/// Newton iterations before giving up (R's `maxit` is 50).
const MAX_ITERATIONS: u32 = 100;
/// Halvings of one Newton step before it is taken as it is.
const MAX_HALVINGS: u32 = 60;
/// Relative misfit at which a category counts as met: |t − t̂| / (1 + |t|).
const TOLERANCE: f64 = 1e-10;

/// Calibrates the classes' weights to the margins' totals.
pub fn calibrate(problem: &Problem<'_>) -> Result<Fit, CalibrationError> {
    let Problem { weight, margins, distance, bounds, .. } = *problem;
    check_bounds(distance, bounds)?;
    check_totals(margins)?;
    let basis = Basis::of(problem)?;
    let x = |c: usize| basis.columns[c].as_slice();
    let mut sample_total = vec![0.0; basis.width];
    let mut prior = Symmetric::zeros(basis.width);
    for (c, &w) in weight.iter().enumerate() {
        for &j in x(c) {
            sample_total[j] += w;
        }
        prior.add_outer(x(c), w);
    }
    let factor = prior.cholesky().ok_or(CalibrationError::Singular)?;
    // R rescales weights that are all far below the totals before iterating (grake's
    // SOMETHRESHOLD), which changes only the path; done the same way here.
    let scales: Vec<f64> = basis.total.iter().zip(&sample_total).map(|(t, s)| t / s).collect();
    let scale = if scales.iter().all(|s| *s > 20.0) {
        scales.iter().sum::<f64>() / scales.len() as f64
    } else {
        1.0
    };
    let d: Vec<f64> = weight.iter().map(|w| w * scale).collect();
    let f = |u: f64| inverse(distance, bounds, u);
    let mut eta = vec![0.0; basis.width];
    let u = |eta: &[f64], c: usize| x(c).iter().map(|&j| eta[j]).sum::<f64>();
    let misfit = |eta: &[f64]| {
        let mut m = basis.total.clone();
        for (c, &dc) in d.iter().enumerate() {
            let g = 1.0 + f(u(eta, c)).0;
            for &j in x(c) {
                m[j] -= dc * g;
            }
        }
        m
    };
    let mut iterations = 0;
    let mut gap = misfit(&eta);
    while !met(&gap, &basis.total) {
        iterations += 1;
        if iterations > MAX_ITERATIONS {
            return Err(basis.not_converged(&gap, iterations - 1, margins));
        }
        let mut t = Symmetric::zeros(basis.width);
        for (c, &dc) in d.iter().enumerate() {
            t.add_outer(x(c), dc * f(u(&eta, c)).1);
        }
        let Some(step_factor) = t.cholesky() else {
            return Err(basis.not_converged(&gap, iterations, margins));
        };
        let mut step = gap.clone();
        step_factor.solve(&mut step);
        // Damped Newton: the step is halved until every factor is finite (as grake does) and
        // the misfit shrinks. The Newton step always points downhill for the misfit, so a
        // short enough step does; where grake's full steps converge this changes nothing but
        // the path, and where they overshoot (a raking category far from its total, whose
        // factor then overflows) it converges to the same, unique, solution.
        let size = norm(&gap);
        let mut halvings = 0;
        let next = loop {
            let trial: Vec<f64> = eta.iter().zip(&step).map(|(e, s)| e + s).collect();
            if (0..d.len()).all(|c| finite(f(u(&trial, c)))) {
                let trial_gap = misfit(&trial);
                if norm(&trial_gap) < size || halvings >= MAX_HALVINGS {
                    break Some((trial, trial_gap));
                }
            } else if halvings >= MAX_HALVINGS {
                break None;
            }
            halvings += 1;
            step.iter_mut().for_each(|s| *s /= 2.0);
        };
        let Some((trial, trial_gap)) = next else {
            return Err(basis.not_converged(&gap, iterations, margins));
        };
        eta = trial;
        gap = trial_gap;
    }
    let g = (0..d.len()).map(|c| (1.0 + f(u(&eta, c)).0) * scale).collect();
    Ok(Fit { g, columns: basis.columns, width: basis.width, factor, iterations })
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn finite((value, slope): (f64, f64)) -> bool {
    value.is_finite() && slope.is_finite()
}

fn met(misfit: &[f64], total: &[f64]) -> bool {
    misfit.iter().zip(total).all(|(m, t)| m.abs() / (1.0 + t.abs()) < TOLERANCE)
}

/// F(u) = g − 1 and its derivative, as R's `cal.linear`, `cal.raking` and `cal.logit`.
fn inverse(distance: Distance, Bounds { lower, upper }: Bounds, u: f64) -> (f64, f64) {
    let inside = |g: f64| g > lower && g < upper;
    match distance {
        Distance::Linear => {
            let g = 1.0 + u;
            (g.clamp(lower, upper) - 1.0, if inside(g) { 1.0 } else { 0.0 })
        }
        Distance::Raking => {
            let g = u.exp();
            (g.clamp(lower, upper) - 1.0, if inside(g) { g } else { 0.0 })
        }
        Distance::Logit => {
            let (l, h) = (lower, upper);
            let a = (h - l) / ((h - 1.0) * (1.0 - l));
            let e = (a * u).exp();
            let denominator = h - 1.0 + (1.0 - l) * e;
            let numerator = l * (h - 1.0) + h * (1.0 - l) * e;
            let slope = h * (1.0 - l) * e * a / denominator
                - numerator * ((1.0 - l) * e * a) / (denominator * denominator);
            (numerator / denominator - 1.0, slope)
        }
    }
}

fn check_bounds(distance: Distance, bounds: Bounds) -> Result<(), CalibrationError> {
    let Bounds { lower, upper } = bounds;
    let ordered = lower < 1.0 && upper > 1.0 && !lower.is_nan() && !upper.is_nan();
    if !ordered || (distance == Distance::Logit && !(lower.is_finite() && upper.is_finite())) {
        return Err(CalibrationError::Bounds { lower, upper });
    }
    Ok(())
}

fn check_totals(margins: &[Margin]) -> Result<(), CalibrationError> {
    let sum = |m: &Margin| m.categories.iter().map(|(_, t)| t).sum::<f64>();
    let Some(first) = margins.first() else { return Ok(()) };
    for margin in &margins[1..] {
        let (a, b) = (sum(first), sum(margin));
        if (a - b).abs() > 1e-9 * a.abs().max(1.0) {
            return Err(CalibrationError::Totals {
                first: first.name.clone(),
                first_total: a,
                margin: margin.name.clone(),
                total: b,
            });
        }
    }
    Ok(())
}

/// The columns of the calibration: which category each stands for and its total.
struct Basis {
    width: usize,
    total: Vec<f64>,
    /// (margin, category) of each column.
    stands_for: Vec<(usize, usize)>,
    columns: Vec<Vec<usize>>,
}

impl Basis {
    fn of(problem: &Problem<'_>) -> Result<Basis, CalibrationError> {
        let Problem { weight, category, margins, .. } = *problem;
        let mut column: Vec<Vec<Option<usize>>> = Vec::with_capacity(margins.len());
        let mut basis = Basis { width: 0, total: vec![], stands_for: vec![], columns: vec![] };
        for (m, margin) in margins.iter().enumerate() {
            let mut respondents = vec![0.0; margin.categories.len()];
            for (c, w) in weight.iter().enumerate() {
                respondents[category[c][m]] += w;
            }
            let mut of_category = vec![None; margin.categories.len()];
            let mut first = m > 0;
            for (k, (name, total)) in margin.categories.iter().enumerate() {
                let named = || (margin.name.clone(), name.clone());
                match (respondents[k] > 0.0, *total > 0.0) {
                    // Nothing to calibrate: R drops such columns too.
                    (false, false) => continue,
                    (false, true) => {
                        let (margin, category) = named();
                        return Err(CalibrationError::NoRespondent {
                            margin,
                            category,
                            total: *total,
                        });
                    }
                    (true, false) => {
                        let (margin, category) = named();
                        return Err(CalibrationError::NoPopulation { margin, category });
                    }
                    (true, true) if first => first = false,
                    (true, true) => {
                        of_category[k] = Some(basis.width);
                        basis.width += 1;
                        basis.total.push(*total);
                        basis.stands_for.push((m, k));
                    }
                }
            }
            column.push(of_category);
        }
        basis.columns = category
            .iter()
            .map(|categories| {
                categories.iter().enumerate().filter_map(|(m, &k)| column[m][k]).collect()
            })
            .collect();
        Ok(basis)
    }

    fn not_converged(
        &self,
        misfit: &[f64],
        iterations: u32,
        margins: &[Margin],
    ) -> CalibrationError {
        let worst = (0..misfit.len())
            .max_by(|&a, &b| {
                let relative = |j: usize| misfit[j].abs() / (1.0 + self.total[j].abs());
                relative(a).total_cmp(&relative(b))
            })
            .unwrap_or(0);
        let (m, k) = self.stands_for.get(worst).copied().unwrap_or((0, 0));
        CalibrationError::NotConverged {
            iterations,
            margin: margins.get(m).map(|m| m.name.clone()).unwrap_or_default(),
            category: margins
                .get(m)
                .and_then(|m| m.categories.get(k))
                .map(|(n, _)| n.clone())
                .unwrap_or_default(),
            misfit: misfit.get(worst).copied().unwrap_or(0.0),
        }
    }
}

/// x_cᵀ B for class `c`.
pub fn fitted(fit: &Fit, coefficients: &[f64], c: usize) -> f64 {
    fit.columns[c].iter().map(|&j| coefficients[j]).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn margins() -> Vec<Margin> {
        vec![
            Margin {
                name: "ward".into(),
                categories: vec![("a".into(), 60.0), ("b".into(), 40.0)],
            },
            Margin {
                name: "size".into(),
                categories: vec![("s".into(), 70.0), ("l".into(), 30.0)],
            },
        ]
    }

    /// Classes (ward, size): aa-s, a-l, b-s, b-l with prior weight totals.
    fn problem<'a>(
        weight: &'a [f64],
        category: &'a [Vec<usize>],
        margins: &'a [Margin],
        distance: Distance,
    ) -> Problem<'a> {
        Problem { weight, category, margins, distance, bounds: Bounds::NONE }
    }

    fn totals(fit: &Fit, weight: &[f64], category: &[Vec<usize>], margin: usize, k: usize) -> f64 {
        (0..weight.len()).filter(|&c| category[c][margin] == k).map(|c| weight[c] * fit.g[c]).sum()
    }

    #[test]
    fn every_distance_meets_every_total() {
        let weight = [30.0, 20.0, 25.0, 15.0];
        let category = vec![vec![0, 0], vec![0, 1], vec![1, 0], vec![1, 1]];
        let margins = margins();
        for distance in [Distance::Linear, Distance::Raking] {
            let fit = calibrate(&problem(&weight, &category, &margins, distance)).unwrap();
            for (m, margin) in margins.iter().enumerate() {
                for (k, (_, total)) in margin.categories.iter().enumerate() {
                    let got = totals(&fit, &weight, &category, m, k);
                    assert!((got - total).abs() < 1e-9, "{distance:?} {m} {k}: {got}");
                }
            }
        }
        // Raking's factors are a product of a ward and a size factor: g_as·g_bl = g_al·g_bs.
        let fit = calibrate(&problem(&weight, &category, &margins, Distance::Raking)).unwrap();
        assert!((fit.g[0] * fit.g[3] - fit.g[1] * fit.g[2]).abs() < 1e-12);
        // Linear calibration's are a sum: g_as + g_bl = g_al + g_bs.
        let fit = calibrate(&problem(&weight, &category, &margins, Distance::Linear)).unwrap();
        assert!((fit.g[0] + fit.g[3] - fit.g[1] - fit.g[2]).abs() < 1e-12);
        assert_eq!(fit.iterations, 1);
    }

    #[test]
    fn bounds_hold_and_impossible_constraints_are_named() {
        let weight = [30.0, 20.0, 25.0, 15.0];
        let category = vec![vec![0, 0], vec![0, 1], vec![1, 0], vec![1, 1]];
        let margins = margins();
        let bounded = Problem {
            bounds: Bounds { lower: 0.5, upper: 2.0 },
            ..problem(&weight, &category, &margins, Distance::Logit)
        };
        let fit = calibrate(&bounded).unwrap();
        assert!(fit.g.iter().all(|g| (0.5..2.0).contains(g)), "{:?}", fit.g);
        let tight = Problem { bounds: Bounds { lower: 0.99, upper: 1.01 }, ..bounded };
        let error = calibrate(&tight).unwrap_err();
        assert!(matches!(error, CalibrationError::NotConverged { .. }), "{error}");
        let no_bounds = Problem { bounds: Bounds::NONE, ..bounded };
        assert!(matches!(calibrate(&no_bounds), Err(CalibrationError::Bounds { .. })));

        // Ward b has no respondent left.
        let weight = [30.0, 20.0, 0.0, 0.0];
        let error =
            calibrate(&problem(&weight, &category, &margins, Distance::Linear)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "ward 'b' has a register total of 40 but no respondent: pool it with a neighbour or leave that margin out"
        );
        let mut unequal = margins.clone();
        unequal[1].categories[1].1 = 31.0;
        let weight = [30.0, 20.0, 25.0, 15.0];
        let error =
            calibrate(&problem(&weight, &category, &unequal, Distance::Linear)).unwrap_err();
        assert!(matches!(error, CalibrationError::Totals { .. }), "{error}");
    }

    #[test]
    fn raking_a_category_far_from_its_total_converges_where_full_newton_steps_overflow() {
        // Section 'b' weighs 1 for a total of 60: the first full Newton step puts its factor
        // at e^59, and grake's plain iteration never recovers. Raking to one margin has the
        // closed form g = total / weight.
        let weight = [50.0, 1.0];
        let category = vec![vec![0], vec![1]];
        let margins = vec![Margin {
            name: "section".into(),
            categories: vec![("a".into(), 40.0), ("b".into(), 60.0)],
        }];
        let fit = calibrate(&problem(&weight, &category, &margins, Distance::Raking)).unwrap();
        assert!((fit.g[0] - 0.8).abs() < 1e-9 && (fit.g[1] - 60.0).abs() < 1e-7, "{:?}", fit.g);
    }
}
