//! The effect of a split-ballot experiment on a yes/no indicator: each arm's share with Wilson's
//! score interval, and each arm's difference from the reference arm with Newcombe's hybrid
//! score interval (Newcombe 1998, method 10), which keeps its coverage near 95% for the small
//! arms of a pilot and for shares near 0 or 1, where the Wald interval fails.
//!
//! Respondents are assigned arms at random, so the comparison among respondents is unweighted:
//! randomisation, not the sampling design, is what makes the arms comparable
//! (docs/methodology.md, "Split-ballot experiments").

use super::wilson;

/// An arm's respondents, and how many of them an indicator holds for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub respondents: u32,
    pub yes: u32,
}

/// A share or a difference of shares with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct WithInterval {
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

impl Tally {
    /// The share of the arm's respondents the indicator holds for, with Wilson's interval;
    /// `None` for an arm nobody was assigned.
    pub fn share(self) -> Option<WithInterval> {
        if self.respondents == 0 {
            return None;
        }
        let n = f64::from(self.respondents);
        let p = f64::from(self.yes) / n;
        let (ci_low, ci_high) = wilson(p, n);
        Some(WithInterval { estimate: p, ci_low, ci_high })
    }
}

/// The difference `arm − reference` of two arms' shares, with Newcombe's hybrid score interval:
/// the distances from each share to its Wilson bounds, combined in quadrature.
pub fn difference(arm: Tally, reference: Tally) -> Option<WithInterval> {
    let a = arm.share()?;
    let r = reference.share()?;
    let estimate = a.estimate - r.estimate;
    let below = ((a.estimate - a.ci_low).powi(2) + (r.ci_high - r.estimate).powi(2)).sqrt();
    let above = ((a.ci_high - a.estimate).powi(2) + (r.estimate - r.ci_low).powi(2)).sqrt();
    Some(WithInterval {
        estimate,
        ci_low: (estimate - below).max(-1.0),
        ci_high: (estimate + above).min(1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(yes: u32, respondents: u32) -> Tally {
        Tally { respondents, yes }
    }

    fn close(got: f64, want: f64) {
        assert!((got - want).abs() < 5e-5, "got {got}, want {want}");
    }

    /// Newcombe (1998), "Interval estimation for the difference between independent
    /// proportions", Statistics in Medicine 17, table II, method 10.
    #[test]
    fn newcombes_published_examples_are_reproduced() {
        let d = difference(tally(56, 70), tally(48, 80)).unwrap();
        close(d.estimate, 0.2);
        close(d.ci_low, 0.0524);
        close(d.ci_high, 0.3339);
        let d = difference(tally(9, 10), tally(3, 10)).unwrap();
        close(d.ci_low, 0.1705);
        close(d.ci_high, 0.8090);
    }

    #[test]
    fn the_interval_holds_the_difference_and_stays_within_minus_one_and_one() {
        for (a, b) in [((0, 10), (10, 10)), ((5, 10), (5, 10)), ((1, 3), (2, 40))] {
            let d = difference(tally(a.0, a.1), tally(b.0, b.1)).unwrap();
            assert!(d.ci_low <= d.estimate && d.estimate <= d.ci_high, "{d:?}");
            assert!(d.ci_low >= -1.0 && d.ci_high <= 1.0, "{d:?}");
        }
        let same = difference(tally(30, 60), tally(30, 60)).unwrap();
        assert!(same.ci_low < 0.0 && same.ci_high > 0.0);
        assert!((same.ci_low + same.ci_high).abs() < 1e-12, "symmetric for equal arms");
    }

    #[test]
    fn an_arm_nobody_was_assigned_has_no_share() {
        assert_eq!(tally(0, 0).share(), None);
        assert_eq!(difference(tally(0, 0), tally(3, 9)), None);
    }
}
