//! Progress toward a target such as "at least 50% of enterprises innovation-active by 2030".

use serde::{Deserialize, Serialize};

use super::Estimate;

/// A target: an indicator's share to reach by a year.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The indicator id, e.g. `innovation_active`.
    pub indicator: String,
    /// The share to reach, 0–1.
    pub value: f64,
    pub year: i32,
    pub label: crate::kernel::Text,
    pub source: crate::kernel::Text,
}

/// Where the latest estimate stands against the straight line from the first wave's estimate
/// to the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The whole interval lies above the trajectory: on track.
    Above,
    /// The whole interval lies below: behind.
    Below,
    /// The interval straddles the trajectory: cannot tell.
    Straddles,
}

/// Progress toward a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub target: Target,
    pub latest_year: i32,
    pub latest: Estimate,
    pub first_year: i32,
    pub first: f64,
    /// Latest minus first estimate.
    pub change: f64,
    /// Where the straight line from the first estimate to the target stands in the latest year.
    pub trajectory: f64,
    pub verdict: Verdict,
    /// Whether the latest interval already lies entirely at or above the target value.
    pub reached: bool,
}

/// Compares the estimates of the waves (year, estimate), oldest first, with the target.
pub fn progress(target: &Target, waves: &[(i32, Estimate)]) -> Option<Progress> {
    let (first_year, first) = waves.first()?;
    let (latest_year, latest) = waves.last()?;
    let span = f64::from(target.year - first_year);
    let trajectory = if span <= 0.0 {
        target.value
    } else {
        first.estimate
            + (target.value - first.estimate) * f64::from(latest_year - first_year) / span
    };
    // Without an interval the data cannot tell.
    let verdict = match latest.interval {
        Some(i) if i.low > trajectory => Verdict::Above,
        Some(i) if i.high < trajectory => Verdict::Below,
        _ => Verdict::Straddles,
    };
    Some(Progress {
        target: target.clone(),
        latest_year: *latest_year,
        latest: latest.clone(),
        first_year: *first_year,
        first: first.estimate,
        change: latest.estimate - first.estimate,
        trajectory,
        verdict,
        reached: latest.interval.is_some_and(|i| i.low >= target.value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::Text;
    use crate::stats::IntervalMethod;

    fn estimate(p: f64, low: f64, high: f64) -> Estimate {
        Estimate {
            estimate: p,
            se: 0.01,
            interval: Some(crate::stats::Interval { low, high }),
            cv: None,
            n: 100,
            weighted_n: 1000.0,
            unweighted: p,
            df: 90.0,
            method: IntervalMethod::Logit,
        }
    }

    fn target() -> Target {
        Target {
            indicator: "innovation_active".into(),
            value: 0.5,
            year: 2030,
            label: Text::new("", ""),
            source: Text::new("", ""),
        }
    }

    #[test]
    fn the_trajectory_runs_from_the_first_wave_to_the_target() {
        // 2026: 30%; the line to 50% in 2030 passes 35% in 2027.
        let waves = [(2026, estimate(0.30, 0.27, 0.33)), (2027, estimate(0.38, 0.36, 0.40))];
        let p = progress(&target(), &waves).unwrap();
        assert!((p.trajectory - 0.35).abs() < 1e-12);
        assert!((p.change - 0.08).abs() < 1e-12);
        assert_eq!(p.verdict, Verdict::Above);
        assert!(!p.reached);
        let behind = [(2026, estimate(0.30, 0.27, 0.33)), (2027, estimate(0.31, 0.29, 0.34))];
        assert_eq!(progress(&target(), &behind).unwrap().verdict, Verdict::Below);
        let unclear = [(2026, estimate(0.30, 0.27, 0.33)), (2027, estimate(0.35, 0.30, 0.40))];
        assert_eq!(progress(&target(), &unclear).unwrap().verdict, Verdict::Straddles);
    }

    #[test]
    fn a_single_wave_is_compared_with_itself() {
        let p = progress(&target(), &[(2026, estimate(0.52, 0.505, 0.54))]).unwrap();
        assert_eq!(p.change, 0.0);
        assert!(p.reached);
    }
}
