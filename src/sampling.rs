//! Drawing a wave's sample from its register, as statistics offices draw the Community
//! Innovation Survey's: stratified simple random sampling without replacement, strata being
//! ward/commune × VSIC section × size class. Pure: strata and units in, sizes and units out.
//!
//! Allocation (docs/methodology.md, "Sample"):
//! 1. **take-all** strata (large enterprises by default) are sampled whole;
//! 2. every ward × size class gets at least `min_per_ward_size` units (all of them if it has
//!    fewer), spread over its sections in proportion to their populations, so that every ward
//!    can publish;
//! 3. the rest of the sample goes by **Neyman allocation** on the target indicator's share:
//!    n_h ∝ N_h · S_h with S_h = √(p_h (1 − p_h)), p_h the share from the previous wave or a
//!    stated prior, kept within [0.05, 0.95] so that no stratum's spread is taken as nil; no
//!    stratum gets fewer than step 2 gave it nor more than its population (the bounded Neyman
//!    allocation, solved by fixing the strata that hit a bound and sharing the rest again);
//! 4. whole numbers by the largest remainders.
//!
//! Each stratum's units are then drawn by a partial Fisher–Yates shuffle with fastrand's
//! generator (wyrand) seeded by the wave's seed, strata in key order: the same register, plan
//! and seed give the same sample. Every unit's inclusion probability is n_h / N_h.

use std::collections::BTreeMap;

use crate::reference::{AreaCode, SizeClass, VsicSection};

/// A stratum of the register as the allocation sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Stratum {
    pub area: AreaCode,
    pub section: VsicSection,
    pub size: SizeClass,
    /// Enterprises in the register.
    pub population: u32,
    /// The expected share of the target indicator (previous wave or prior).
    pub share: f64,
}

impl Stratum {
    /// The spread of the indicator in the stratum, √(p (1 − p)), p within [0.05, 0.95].
    fn spread(&self) -> f64 {
        let p = self.share.clamp(0.05, 0.95);
        (p * (1.0 - p)).sqrt()
    }
}

/// What the office asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Units to sample in all.
    pub total: u32,
    /// Fewest units per ward × size class (all of them when it has fewer).
    pub min_per_ward_size: u32,
    /// Size classes sampled whole.
    pub take_all: Vec<SizeClass>,
}

/// Why a plan cannot be allocated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AllocationError {
    #[error(
        "a sample of {total} is too small: the take-all strata and the minimum per ward and size \
         class need {needed}"
    )]
    TooSmall { total: u32, needed: u64 },
    #[error("a sample of {total} is larger than the register's {population} enterprises")]
    TooLarge { total: u32, population: u64 },
}

/// The sample size of each stratum, in the order given.
pub fn allocate(strata: &[Stratum], plan: &Plan) -> Result<Vec<u32>, AllocationError> {
    let population: u64 = strata.iter().map(|s| u64::from(s.population)).sum();
    if u64::from(plan.total) > population {
        return Err(AllocationError::TooLarge { total: plan.total, population });
    }
    let floor = minimums(strata, plan);
    let needed: u64 = floor.iter().map(|n| u64::from(*n)).sum();
    if needed > u64::from(plan.total) {
        return Err(AllocationError::TooSmall { total: plan.total, needed });
    }
    let shares = bounded_neyman(strata, &floor, f64::from(plan.total));
    Ok(whole_numbers(&shares, &floor, strata, plan.total))
}

/// What steps 1 and 2 give each stratum: all of a take-all stratum, and each ward × size
/// class's minimum spread over its sections by population.
fn minimums(strata: &[Stratum], plan: &Plan) -> Vec<u32> {
    let mut floor = vec![0u32; strata.len()];
    let mut groups: BTreeMap<(&AreaCode, SizeClass), Vec<usize>> = BTreeMap::new();
    for (h, s) in strata.iter().enumerate() {
        if plan.take_all.contains(&s.size) {
            floor[h] = s.population;
        } else {
            groups.entry((&s.area, s.size)).or_default().push(h);
        }
    }
    for members in groups.values() {
        let population: u32 = members.iter().map(|&h| strata[h].population).sum();
        let wanted = plan.min_per_ward_size.min(population);
        let shares: Vec<f64> = members
            .iter()
            .map(|&h| f64::from(wanted) * f64::from(strata[h].population) / f64::from(population))
            .collect();
        let caps: Vec<u32> = members.iter().map(|&h| strata[h].population).collect();
        for (i, n) in largest_remainders(&shares, &vec![0; members.len()], &caps, wanted)
            .into_iter()
            .enumerate()
        {
            floor[members[i]] = n;
        }
    }
    floor
}

/// Neyman allocation of `total` with each stratum between its floor and its population.
fn bounded_neyman(strata: &[Stratum], floor: &[u32], total: f64) -> Vec<f64> {
    let mut fixed: Vec<Option<f64>> = strata
        .iter()
        .zip(floor)
        .map(|(s, f)| (*f == s.population).then_some(f64::from(*f)))
        .collect();
    loop {
        let left = total - fixed.iter().flatten().sum::<f64>();
        let weight: f64 = strata
            .iter()
            .zip(&fixed)
            .filter(|(_, f)| f.is_none())
            .map(|(s, _)| f64::from(s.population) * s.spread())
            .sum();
        let target = |s: &Stratum| {
            if weight > 0.0 { left * f64::from(s.population) * s.spread() / weight } else { 0.0 }
        };
        let out_of_bounds: Vec<(usize, f64)> = strata
            .iter()
            .enumerate()
            .filter(|(h, _)| fixed[*h].is_none())
            .filter_map(|(h, s)| {
                let (t, low, high) = (target(s), f64::from(floor[h]), f64::from(s.population));
                (t < low || t > high).then(|| (h, t.clamp(low, high)))
            })
            .collect();
        let changed = !out_of_bounds.is_empty();
        for (h, bound) in out_of_bounds {
            fixed[h] = Some(bound);
        }
        if !changed {
            return strata
                .iter()
                .zip(&fixed)
                .map(|(s, f)| f.unwrap_or_else(|| target(s)))
                .collect();
        }
    }
}

/// Whole numbers that add up to `total`, each between its floor and its population: the
/// integer parts, then one more for the largest fractional parts.
fn whole_numbers(shares: &[f64], floor: &[u32], strata: &[Stratum], total: u32) -> Vec<u32> {
    let caps: Vec<u32> = strata.iter().map(|s| s.population).collect();
    largest_remainders(shares, floor, &caps, total)
}

fn largest_remainders(shares: &[f64], floor: &[u32], caps: &[u32], total: u32) -> Vec<u32> {
    let mut n: Vec<u32> = shares
        .iter()
        .zip(floor.iter().zip(caps))
        .map(|(x, (low, high))| (x.floor() as u32).clamp(*low, *high))
        .collect();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| {
        let fraction = |i: usize| shares[i] - shares[i].floor();
        fraction(b).total_cmp(&fraction(a)).then(a.cmp(&b))
    });
    let mut given: u32 = n.iter().sum();
    // Usually one pass; more only when caps stop some strata.
    while given < total {
        let before = given;
        for &i in &order {
            if given < total && n[i] < caps[i] {
                n[i] += 1;
                given += 1;
            }
        }
        if given == before {
            break;
        }
    }
    n
}

/// Draws `n[h]` of the units of each stratum (given as their ids, in a fixed order), seeded.
pub fn draw<T: Clone>(units: &[Vec<T>], n: &[u32], seed: u64) -> Vec<Vec<T>> {
    let mut rng = fastrand::Rng::with_seed(seed);
    units
        .iter()
        .zip(n)
        .map(|(stratum, &take)| {
            let mut pool = stratum.clone();
            let take = (take as usize).min(pool.len());
            for i in 0..take {
                let j = rng.usize(i..pool.len());
                pool.swap(i, j);
            }
            pool.truncate(take);
            pool
        })
        .collect()
}

/// The standard error a ward's share of the indicator is expected to have with sizes `n`:
/// √(Σ_h W_h² (1 − n_h/N_h) S_h² / n_h), W_h = N_h / N of the ward, over its strata with a
/// sample (a stratum without one is pooled with its neighbours when estimating, as the
/// methodology's collapsing does). Wards in key order.
pub fn ward_precision(strata: &[Stratum], n: &[u32]) -> Vec<(AreaCode, f64)> {
    let mut wards: BTreeMap<&AreaCode, (f64, f64)> = BTreeMap::new();
    for (s, &take) in strata.iter().zip(n).filter(|(_, take)| **take > 0) {
        let (population, variance) = wards.entry(&s.area).or_default();
        let big_n = f64::from(s.population);
        let small_n = f64::from(take);
        *population += big_n;
        *variance += big_n * big_n * (1.0 - small_n / big_n) * s.spread().powi(2) / small_n;
    }
    wards.into_iter().map(|(a, (pop, v))| (a.clone(), v.sqrt() / pop)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stratum(area: &str, section: char, size: SizeClass, population: u32, share: f64) -> Stratum {
        Stratum {
            area: AreaCode::parse(area).unwrap(),
            section: VsicSection::parse(&section.to_string()).unwrap(),
            size,
            population,
            share,
        }
    }

    fn plan(total: u32, min: u32) -> Plan {
        Plan { total, min_per_ward_size: min, take_all: vec![SizeClass::Large] }
    }

    #[test]
    fn without_bounds_the_allocation_is_neymans() {
        // N·S: 1000·0.5 = 500 and 1000·√(0.1·0.9) = 300: 5 to 3.
        let strata = [
            stratum("00070", 'G', SizeClass::Micro, 1000, 0.5),
            stratum("00070", 'C', SizeClass::Micro, 1000, 0.1),
        ];
        assert_eq!(allocate(&strata, &plan(80, 0)).unwrap(), [50, 30]);
    }

    #[test]
    fn take_all_minimums_and_populations_bound_the_allocation() {
        let strata = [
            stratum("00070", 'G', SizeClass::Micro, 5000, 0.5),
            stratum("00070", 'G', SizeClass::Large, 7, 0.5), // taken whole
            stratum("00082", 'G', SizeClass::Micro, 40, 0.5), // at least 10 in 00082 micro
            stratum("00082", 'C', SizeClass::Micro, 10, 0.5),
            stratum("00082", 'G', SizeClass::Small, 3, 0.5), // fewer than 10: all 3
        ];
        let n = allocate(&strata, &plan(100, 10)).unwrap();
        assert_eq!(n.iter().sum::<u32>(), 100);
        assert_eq!(n[1], 7);
        assert!(n[2] + n[3] >= 10, "{n:?}");
        assert_eq!(n[4], 3);
        assert!(n[0] > 70, "the rest goes where the population is: {n:?}");
    }

    #[test]
    fn plans_that_cannot_be_met_say_why() {
        let strata = [
            stratum("00070", 'G', SizeClass::Micro, 100, 0.5),
            stratum("00070", 'G', SizeClass::Large, 30, 0.5),
        ];
        assert_eq!(
            allocate(&strata, &plan(20, 10)),
            Err(AllocationError::TooSmall { total: 20, needed: 40 })
        );
        assert_eq!(
            allocate(&strata, &plan(500, 10)),
            Err(AllocationError::TooLarge { total: 500, population: 130 })
        );
    }

    #[test]
    fn the_same_seed_draws_the_same_units_and_another_seed_others() {
        let units: Vec<Vec<u32>> = vec![(0..100).collect(), (100..150).collect()];
        let a = draw(&units, &[10, 50], 7);
        assert_eq!(a, draw(&units, &[10, 50], 7));
        assert_ne!(a, draw(&units, &[10, 50], 8));
        assert_eq!(a[0].len(), 10);
        let mut all = a[1].clone();
        all.sort_unstable();
        assert_eq!(all, units[1], "a take-all stratum is drawn whole");
        let distinct: std::collections::BTreeSet<_> = a[0].iter().collect();
        assert_eq!(distinct.len(), 10, "without replacement");
    }

    #[test]
    fn a_bigger_sample_in_a_ward_means_a_smaller_expected_error() {
        let strata = [stratum("00070", 'G', SizeClass::Micro, 1000, 0.5)];
        let small = ward_precision(&strata, &[25])[0].1;
        let big = ward_precision(&strata, &[100])[0].1;
        assert!((small - (0.25f64 * (1.0 - 0.025) / 25.0).sqrt()).abs() < 1e-12);
        assert!(big < small);
    }

    proptest::proptest! {
        #[test]
        fn every_allocation_holds_its_bounds_and_adds_up(
            sizes in proptest::collection::vec((1u32..300, 0u8..4, 0.0f64..1.0), 1..40),
            total_share in 0.05f64..1.0,
            min in 0u32..8,
        ) {
            let strata: Vec<Stratum> = sizes
                .iter()
                .enumerate()
                .map(|(i, (n, size, p))| stratum(
                    ["00070", "00082", "00004"][i % 3],
                    (b'A' + (i / 3) as u8 % 21) as char,
                    SizeClass::ALL[usize::from(*size)],
                    *n,
                    *p,
                ))
                .collect();
            let population: u32 = strata.iter().map(|s| s.population).sum();
            let total = ((f64::from(population) * total_share) as u32).max(1);
            let plan = plan(total, min);
            match allocate(&strata, &plan) {
                Ok(n) => {
                    proptest::prop_assert_eq!(n.iter().sum::<u32>(), total);
                    let floor = minimums(&strata, &plan);
                    for ((take, low), s) in n.iter().zip(&floor).zip(&strata) {
                        proptest::prop_assert!(low <= take && *take <= s.population);
                    }
                }
                Err(AllocationError::TooSmall { needed, .. }) => {
                    proptest::prop_assert!(needed > u64::from(total));
                }
                Err(e) => proptest::prop_assert!(false, "{e}"),
            }
        }
    }
}
