//! Response rates of a probability sample, unit and weighted, added up from wards.

/// A ward's sample summed up, so that the rate of any set of wards adds up from them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WardSample {
    pub area_code: String,
    pub sampled: usize,
    pub responded: usize,
    /// Sums of the inverse inclusion probabilities over the sampled and the responded units.
    pub weight_sampled: f64,
    pub weight_responded: f64,
}

impl WardSample {
    /// The unit and weighted response rates of `wards` together; `None` without a sampled unit.
    pub fn rates<'a>(wards: impl Iterator<Item = &'a WardSample>) -> Option<(f64, f64)> {
        let total = wards.fold(WardSample::default(), |t, w| WardSample {
            area_code: String::new(),
            sampled: t.sampled + w.sampled,
            responded: t.responded + w.responded,
            weight_sampled: t.weight_sampled + w.weight_sampled,
            weight_responded: t.weight_responded + w.weight_responded,
        });
        (total.sampled > 0).then(|| {
            (
                total.responded as f64 / total.sampled as f64,
                total.weight_responded / total.weight_sampled,
            )
        })
    }
}
