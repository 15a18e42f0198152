//! The strata of a wave's drawn sample as stored when it was drawn (the register cannot change
//! after): each stratum's register codes and sampled units. Each response carries its unit's
//! stratum number (`responses.sample_stratum`, kept by triggers), so a million responses are
//! placed without reading the sampled units or the register (BENCHMARKS.md, "A sample wave
//! end to end").

use std::collections::BTreeMap;

use super::sample::Keys;
use crate::app::App;
use crate::stats::StratumKey;
use crate::store::{self, StoreError};

/// The strata of a wave's sample.
pub struct SampledStrata {
    /// The key of stratum number `i` at position `i` (numbers run from 1).
    keys: Vec<Option<StratumKey>>,
    /// Sampled enterprises per register stratum.
    pub sampled: BTreeMap<StratumKey, u32>,
}

impl SampledStrata {
    /// Reads the strata of the sample of `wave_id`.
    pub(super) fn read(
        app: &App,
        wave_id: &str,
        keys: &Keys<'_>,
    ) -> Result<SampledStrata, StoreError> {
        let rows = app.store.read(|c| store::sample_strata(c, wave_id))?;
        let mut strata = SampledStrata { keys: Vec::new(), sampled: BTreeMap::new() };
        for (number, area, section, size, n) in rows {
            let Ok(at) = usize::try_from(number) else { continue };
            let key = keys.key(Some(&area), Some(&section), Some(&size));
            if strata.keys.len() <= at {
                strata.keys.resize(at + 1, None);
            }
            strata.keys[at] = Some(key);
            *strata.sampled.entry(key).or_default() += u32::try_from(n).unwrap_or(0);
        }
        Ok(strata)
    }

    /// The register stratum of stratum number `number`, for a response of a sampled enterprise.
    pub fn key(&self, number: Option<i64>) -> Option<StratumKey> {
        let at = usize::try_from(number?).ok()?;
        self.keys.get(at).copied().flatten()
    }
}
