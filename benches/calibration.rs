//! The cost of calibration: `cargo bench --bench calibration [RESPONDENTS]`.
//!
//! A probability sample of Hanoi's shape held in memory (126 wards × 21 VSIC sections × 4 size
//! classes = 10,584 register strata; 1,000,000 respondents by default, spread over them as
//! enterprises are), its 20 variables summed per stratum as `figures::sample` sums them. In
//! the same run, three times each: the design non-response adjusted, and calibrated to the 126
//! ward and 84 section × size totals (raking); then every figure of every breakdown (city,
//! wards, sections, sizes, ward × size, ward × section) for every variable, each way. What
//! the database read adds is measured by `scripts/bench-stats`.

// A benchmark reports on standard output by design.
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::time::Instant;

use dxsurvey::stats::{
    Bounds, CalibrationMethod, CalibrationTarget, Distance, Kind, Margin, SampledStratum,
    StratumKey, Sums, estimate, sample_design,
};

const AREAS: u16 = 126;
const SECTIONS: u8 = 21;
const SIZES: u8 = 4;
const VARIABLES: usize = 20;

fn main() {
    let respondents: u32 =
        std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    let mut rng = fastrand::Rng::with_seed(1);
    let (strata, sums) = population(respondents, &mut rng);
    let register: BTreeMap<StratumKey, f64> =
        strata.iter().map(|(k, s)| (*k, s.population)).collect();
    let margins = margins(&register);
    let category = |k: &StratumKey| {
        vec![usize::from(k.area), usize::from(k.section) * usize::from(SIZES) + usize::from(k.size)]
    };
    let raking = CalibrationMethod { distance: Distance::Raking, bounds: Bounds::NONE };
    let target = CalibrationTarget { margins: &margins, category: &category, method: raking };
    println!(
        "{} respondents in {} strata; calibration to {} + {} totals",
        respondents,
        strata.len(),
        margins[0].categories.len(),
        margins[1].categories.len()
    );
    for round in 1..=3 {
        for calibrated in [false, true] {
            let started = Instant::now();
            let design = sample_design(&strata, 5, calibrated.then_some(&target)).expect("design");
            let designed = started.elapsed().as_secs_f64();
            let by_key: Vec<Vec<Sums>> = sums
                .iter()
                .map(|variable| design.keys.iter().map(|k| variable[k_index(k)]).collect())
                .collect();
            let mut figures = 0;
            for domains in breakdowns(&design.keys) {
                for members in domains.values() {
                    for (v, variable) in by_key.iter().enumerate() {
                        let kind = if v < 12 { Kind::Share } else { Kind::Mean };
                        if estimate(&design, variable, members.iter().copied(), kind).is_some() {
                            figures += 1;
                        }
                    }
                }
            }
            println!(
                "round {round}  {:<13} design {:>6.3} s  {figures} figures in {:>6.3} s",
                if calibrated { "calibrated" } else { "not calibrated" },
                designed,
                started.elapsed().as_secs_f64() - designed
            );
        }
    }
}

fn k_index(k: &StratumKey) -> usize {
    (usize::from(k.area) * usize::from(SECTIONS) + usize::from(k.section)) * usize::from(SIZES)
        + usize::from(k.size)
}

/// Register strata with their units, a sample of a fifth, and respondents; and the sums of
/// each variable per stratum (by `k_index`).
fn population(
    respondents: u32,
    rng: &mut fastrand::Rng,
) -> (BTreeMap<StratumKey, SampledStratum>, Vec<Vec<Sums>>) {
    let size_share = [0.70, 0.23, 0.04, 0.03];
    let keys = usize::from(AREAS) * usize::from(SECTIONS) * usize::from(SIZES);
    let mut strata = BTreeMap::new();
    let mut sums = vec![vec![Sums::default(); keys]; VARIABLES];
    let per_area = f64::from(respondents) / f64::from(AREAS);
    for area in 0..AREAS {
        for section in 0..SECTIONS {
            let section_share = if section < 7 { 0.1 } else { 0.3 / 14.0 };
            for size in 0..SIZES {
                let key = StratumKey { area, section, size };
                let expected = per_area * section_share * size_share[usize::from(size)];
                let responded = (expected * (0.5 + rng.f64())).round().max(1.0) as u32;
                let sampled = responded + responded / 2 + 1;
                let population = f64::from(sampled * 5);
                strata.insert(key, SampledStratum { population, sampled, responded });
                let k = k_index(&key);
                for (v, variable) in sums.iter_mut().enumerate() {
                    let p = 0.2 + 0.03 * (v % 10) as f64;
                    // Sums of 0/1 values, or of scores 0–100, without drawing each respondent.
                    let n = f64::from(responded);
                    let s = &mut variable[k];
                    s.count = n;
                    if v < 12 {
                        s.sum = (n * p).round();
                        s.sum_sq = s.sum;
                    } else {
                        s.sum = n * 50.0;
                        s.sum_sq = n * (2500.0 + 400.0);
                    }
                }
            }
        }
    }
    (strata, sums)
}

fn margins(register: &BTreeMap<StratumKey, f64>) -> Vec<Margin> {
    let mut areas = vec![0.0; usize::from(AREAS)];
    let mut classes = vec![0.0; usize::from(SECTIONS) * usize::from(SIZES)];
    for (k, n) in register {
        areas[usize::from(k.area)] += n;
        classes[usize::from(k.section) * usize::from(SIZES) + usize::from(k.size)] += n;
    }
    let named = |totals: Vec<f64>| {
        totals.into_iter().enumerate().map(|(i, t)| (i.to_string(), t)).collect()
    };
    vec![
        Margin { name: "area".into(), categories: named(areas) },
        Margin { name: "section_size".into(), categories: named(classes) },
    ]
}

/// The group of a stratum in one breakdown.
type GroupOf = fn(&StratumKey) -> (u16, u8, u8);

/// The groups of each breakdown: the positions of their strata among `keys`.
fn breakdowns(keys: &[StratumKey]) -> Vec<BTreeMap<(u16, u8, u8), Vec<usize>>> {
    let by: [GroupOf; 6] = [
        |_| (0, 0, 0),
        |k| (k.area, 0, 0),
        |k| (0, k.section, 0),
        |k| (0, 0, k.size),
        |k| (k.area, 0, k.size),
        |k| (k.area, k.section, 0),
    ];
    by.iter()
        .map(|group| {
            let mut groups: BTreeMap<(u16, u8, u8), Vec<usize>> = BTreeMap::new();
            for (i, k) in keys.iter().enumerate() {
                groups.entry(group(k)).or_default().push(i);
            }
            groups
        })
        .collect()
}
