//! Statistics: weighted estimates with intervals, small-cell suppression and progress toward
//! targets. Pure: no database, no web. The methodology is written out in
//! `docs/methodology.md`.

pub mod calibration;
pub mod change;
pub mod design;
pub mod distributions;
pub mod estimate;
pub mod experiment;
pub mod linalg;
pub mod response_rate;
pub mod suppress;
pub mod target;

pub use calibration::{Bounds, CalibrationError, Distance, Margin};
pub use change::{Change, Linked, Response, Side, change};
pub use design::{
    CalibrationMethod, CalibrationTarget, Design, Estimator, GroupResponse, Level, SampledStratum,
    Stratum, StratumKey, design, sample_design,
};
pub use estimate::{
    Estimate, Interval, IntervalMethod, Kind, Linearisation, Sums, estimate, linearise,
    logit_interval, wilson,
};
pub use response_rate::WardSample;
pub use suppress::{
    Cell, DEFAULT_THRESHOLD, Line, MIN_THRESHOLD, Suppressed, Suppression, Values, suppress,
    suppress_cells,
};
pub use target::{Progress, Target, Verdict, progress};

/// Submitted responses per enterprise of the frame (0–1), when the frame lists any.
pub fn coverage(submitted: i64, frame: i64) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)] // Counts far below 2^53.
    (frame > 0).then(|| submitted as f64 / frame as f64)
}

#[cfg(test)]
mod change_tests;
#[cfg(test)]
mod sample_tests;
#[cfg(test)]
mod tests;
