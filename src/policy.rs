//! The disclosure policy: what may be published about a group of respondents, and how precise
//! an estimate must be to be used. Built once from the configuration (`suppression_threshold`)
//! and handed to every page, API answer, PDF, export and command, so none of them can disagree.

use serde::Serialize;

use crate::stats::{DEFAULT_THRESHOLD, MIN_THRESHOLD};

/// How usable an estimate is, from its coefficient of variation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// CV at most the caution band, or no CV (an exact share of 0 or 1).
    Good,
    /// Use with caution.
    Caution,
    /// Too imprecise to use: flagged `*` in tables.
    Poor,
}

/// The one disclosure policy of an installation (docs/disclosure.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DisclosurePolicy {
    threshold: u32,
    caution_cv: f64,
    poor_cv: f64,
    benchmarks: BenchmarkRule,
    shares: ShareRule,
    microdata: MicrodataRule,
}

/// How microdata keeps its design columns from giving back what it blanks
/// (docs/disclosure.md, section 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MicrodataRule {
    /// Final strata hold at least the threshold's respondents, and each respondent shows the
    /// codes of its stratum: no stratum is finer than what its rows show.
    Protected,
    /// Strata of two respondents, codes blanked on their own until the threshold shares them:
    /// what the attack suite shows can be linked back to the frame. Never built from
    /// configuration.
    FineStrata,
}

/// Whether the threshold rule also covers what a share says of the units in it
/// (docs/disclosure.md, section 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareRule {
    /// Shares whose units with, or without, the attribute are fewer than the threshold are
    /// suppressed, and secondary suppression protects them too.
    Protected,
    /// Only the number of units counts: what the attack suite shows can be broken. Never built
    /// from configuration.
    CountsOnly,
}

/// How respondents' benchmarks are protected (docs/disclosure.md, section 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BenchmarkRule {
    /// Daily snapshots that move by at least the threshold, over groups of at least
    /// [`MIN_BENCHMARK_GROUP`] (or the threshold), shown in whole points.
    Protected,
    /// Live means of the others, at full precision, over groups of the threshold: what the
    /// attack suite shows can be broken. Never built from configuration.
    Unprotected,
}

/// The smallest group a benchmark is shown for, whatever the threshold.
pub const MIN_BENCHMARK_GROUP: u32 = 10;

impl Default for DisclosurePolicy {
    fn default() -> Self {
        DisclosurePolicy::new(DEFAULT_THRESHOLD)
    }
}

impl DisclosurePolicy {
    /// The policy with `threshold` respondents as the smallest publishable group (raised to
    /// the statistical minimum of 3 if set lower) and the usual precision bands: CV above 0.15
    /// calls for caution, above 0.3 is too imprecise to use.
    pub fn new(threshold: u32) -> DisclosurePolicy {
        DisclosurePolicy {
            threshold: threshold.max(MIN_THRESHOLD),
            caution_cv: 0.15,
            poor_cv: 0.3,
            benchmarks: BenchmarkRule::Protected,
            shares: ShareRule::Protected,
            microdata: MicrodataRule::Protected,
        }
    }

    /// This policy with strata finer than microdata's codes: only for the attack suite.
    pub fn with_fine_strata(self) -> DisclosurePolicy {
        DisclosurePolicy { microdata: MicrodataRule::FineStrata, ..self }
    }

    /// How microdata's design columns are protected.
    pub fn microdata_rule(&self) -> MicrodataRule {
        self.microdata
    }

    /// The fewest respondents a final stratum of the design holds.
    pub fn min_stratum(&self) -> u32 {
        match self.microdata {
            MicrodataRule::Protected => self.threshold,
            MicrodataRule::FineStrata => 2,
        }
    }

    /// This policy with the threshold rule on counts only: only for the attack suite.
    pub fn with_counts_only(self) -> DisclosurePolicy {
        DisclosurePolicy { shares: ShareRule::CountsOnly, ..self }
    }

    /// Whether shares are protected as counts are.
    pub fn share_rule(&self) -> ShareRule {
        self.shares
    }

    /// This policy with its benchmarks unprotected: only for the attack suite, to show that
    /// the attacks it runs succeed when the rule is missing.
    pub fn with_unprotected_benchmarks(self) -> DisclosurePolicy {
        DisclosurePolicy { benchmarks: BenchmarkRule::Unprotected, ..self }
    }

    /// How benchmarks are protected.
    pub fn benchmark_rule(&self) -> BenchmarkRule {
        self.benchmarks
    }

    /// The fewest respondents a published figure may rest on.
    pub fn threshold(&self) -> u32 {
        self.threshold
    }

    /// The fewest responses a benchmark is shown for.
    pub fn min_peers(&self) -> u32 {
        match self.benchmarks {
            BenchmarkRule::Protected => self.threshold.max(MIN_BENCHMARK_GROUP),
            BenchmarkRule::Unprotected => self.threshold,
        }
    }

    /// Whether a benchmark over `responses` responses may be shown.
    pub fn shows_peers(&self, responses: i64) -> bool {
        responses >= i64::from(self.min_peers())
    }

    /// A benchmark as shown: in whole points when protected.
    pub fn benchmark_value(&self, mean: f64) -> f64 {
        match self.benchmarks {
            BenchmarkRule::Protected => mean.round(),
            BenchmarkRule::Unprotected => mean,
        }
    }

    /// Whether a count of respondents may be shown as it is: none at all reveals nobody, and
    /// from the threshold up a count points at no one.
    pub fn shows_count(&self, n: i64) -> bool {
        n == 0 || n >= i64::from(self.threshold)
    }

    /// How usable an estimate with coefficient of variation `cv` is.
    /// The precision of a published estimate: poor also when it has no interval (a domain
    /// without degrees of freedom, docs/methodology.md §5).
    pub fn precision_of(&self, estimate: &crate::stats::Estimate) -> Precision {
        if estimate.interval.is_none() { Precision::Poor } else { self.precision(estimate.cv) }
    }

    pub fn precision(&self, cv: Option<f64>) -> Precision {
        match cv {
            Some(cv) if cv > self.poor_cv => Precision::Poor,
            Some(cv) if cv > self.caution_cv => Precision::Caution,
            _ => Precision::Good,
        }
    }

    /// The CV above which an estimate is flagged as too imprecise.
    pub fn poor_cv(&self) -> f64 {
        self.poor_cv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_never_falls_below_the_statistical_minimum() {
        assert_eq!(DisclosurePolicy::new(1).threshold(), MIN_THRESHOLD);
        assert_eq!(DisclosurePolicy::new(10).threshold(), 10);
        assert_eq!(DisclosurePolicy::default().threshold(), DEFAULT_THRESHOLD);
    }

    #[test]
    fn counts_and_peers_follow_the_threshold() {
        let policy = DisclosurePolicy::new(10);
        assert!(policy.shows_count(0) && policy.shows_count(10));
        assert!(!policy.shows_count(9) && !policy.shows_count(1));
        assert!(policy.shows_peers(10) && !policy.shows_peers(9));
    }

    #[test]
    fn precision_bands_split_at_0_15_and_0_3() {
        let policy = DisclosurePolicy::default();
        assert_eq!(policy.precision(None), Precision::Good);
        assert_eq!(policy.precision(Some(0.15)), Precision::Good);
        assert_eq!(policy.precision(Some(0.2)), Precision::Caution);
        assert_eq!(policy.precision(Some(0.31)), Precision::Poor);
    }
}
