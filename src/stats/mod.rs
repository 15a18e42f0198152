//! Statistics: weighted estimates with intervals, small-cell suppression and progress toward
//! targets. Pure: no database, no web. The methodology is written out in
//! `docs/methodology.md`.

pub mod design;
pub mod distributions;
pub mod estimate;

pub use design::{Design, Level, Stratum, StratumKey, design};
pub use estimate::{Estimate, IntervalMethod, Kind, Sums, estimate, logit_interval, wilson};

#[cfg(test)]
mod tests;
