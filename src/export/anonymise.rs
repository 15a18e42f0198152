//! k-anonymity by local suppression, and the individual risk of re-identification, over the
//! quasi-identifiers of microdata, as `sdcMicro` defines them (docs/disclosure.md, section 6).
//! Pure: records come in as tallies, published keys and risk measures go out.
//!
//! A blank value matches any value (sdcMicro counts a missing key value as a possible match
//! to every category). A record's frequency `f_k` is counted among the records that show the
//! same design codes (a lower bound of sdcMicro's count, so never in the record's favour), or
//! among all records when its design codes are all blank.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

/// The design codes a record shows: ward, section and size class, "" where pooled.
pub type Codes = (String, String, String);

/// A record's quasi-identifiers, each the number of its category counted from 1; 0 is blank.
pub type Key = Vec<u16>;

/// Records that share their codes and key: how many, and their summed design weights.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    pub records: u32,
    pub weight: f64,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.records += other.records;
        self.weight += other.weight;
    }
}

/// Every record of a file, by codes and key.
#[derive(Debug, Default)]
pub struct Records {
    groups: BTreeMap<Codes, HashMap<Key, Tally>>,
}

impl Records {
    pub fn add(&mut self, codes: Codes, key: Key, weight: f64) {
        let tally = self.groups.entry(codes).or_default().entry(key).or_default();
        tally.add(Tally { records: 1, weight });
    }
}

/// The risk measures of a published file (written into `datapackage.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Risk {
    pub records: u32,
    /// Records whose published key fewer than k records share: 0 when the file is k-anonymous.
    pub below_k: u32,
    /// The sum of the individual risks: how many records an intruder holding the register
    /// would be expected to re-identify (sdcMicro's global risk).
    pub expected_reidentifications: f64,
    pub max_individual_risk: f64,
    /// Values blanked by local suppression, per quasi-identifier.
    pub blanked: Vec<u32>,
}

/// Published keys, and the risk that remains.
#[derive(Debug)]
pub struct Protected {
    published: HashMap<Codes, HashMap<Key, Key>>,
    pub risk: Risk,
}

impl Protected {
    /// The key a record with these codes and this key is published with.
    pub fn published(&self, codes: &Codes, key: &Key) -> Option<&Key> {
        self.published.get(codes)?.get(key)
    }
}

/// Makes every record's published key shared by at least `k` records, blanking in each record
/// that is not the last of its quasi-identifiers not yet blank (the least useful, in the order
/// they are declared), round after round, then measures the risk of what is published.
pub fn protect(records: &Records, k: u32) -> Protected {
    let blank_codes = Codes::default();
    let mut published: HashMap<Codes, HashMap<Key, Key>> = HashMap::new();
    for (codes, group) in records.groups.iter().filter(|(c, _)| **c != blank_codes) {
        published.insert(codes.clone(), suppress(group, k, &[]));
    }
    if let Some(group) = records.groups.get(&blank_codes) {
        // Blank codes match every record: count among all the others as published.
        let shown = &published;
        let others: Vec<(Key, Tally)> = records
            .groups
            .iter()
            .filter(|(c, _)| **c != blank_codes)
            .flat_map(|(c, g)| g.iter().map(move |(key, t)| (shown[c][key].clone(), *t)))
            .collect();
        published.insert(blank_codes.clone(), suppress(group, k, &others));
    }
    let risk = measure(records, &published, k);
    Protected { published, risk }
}

/// Local suppression within one group; `others` are records outside it that its keys match.
fn suppress(group: &HashMap<Key, Tally>, k: u32, others: &[(Key, Tally)]) -> HashMap<Key, Key> {
    let mut current: Vec<(Key, Key, Tally)> =
        group.iter().map(|(key, t)| (key.clone(), key.clone(), *t)).collect();
    loop {
        let universe = merged(
            current
                .iter()
                .map(|(_, key, t)| (key, *t))
                .chain(others.iter().map(|(key, t)| (key, *t))),
        );
        let mut changed = false;
        for (_, key, _) in &mut current {
            if frequency(key, &universe).records < k
                && let Some(last) = key.iter().rposition(|v| *v != 0)
            {
                key[last] = 0;
                changed = true;
            }
        }
        if !changed {
            return current.into_iter().map(|(from, to, _)| (from, to)).collect();
        }
    }
}

/// Tallies of equal keys added up.
fn merged<'k>(keys: impl Iterator<Item = (&'k Key, Tally)>) -> Vec<(Key, Tally)> {
    let mut by_key: HashMap<&Key, Tally> = HashMap::new();
    for (key, t) in keys {
        by_key.entry(key).or_default().add(t);
    }
    by_key.into_iter().map(|(key, t)| (key.clone(), t)).collect()
}

/// How many records, and how much weight, `key` matches among `universe`.
fn frequency(key: &Key, universe: &[(Key, Tally)]) -> Tally {
    let mut total = Tally::default();
    for (other, t) in universe {
        if key.iter().zip(other).all(|(a, b)| *a == 0 || *b == 0 || a == b) {
            total.add(*t);
        }
    }
    total
}

fn measure(records: &Records, published: &HashMap<Codes, HashMap<Key, Key>>, k: u32) -> Risk {
    let blank_codes = Codes::default();
    let variables = records.groups.values().flat_map(|g| g.keys()).map(Vec::len).max().unwrap_or(0);
    let mut risk = Risk {
        records: 0,
        below_k: 0,
        expected_reidentifications: 0.0,
        max_individual_risk: 0.0,
        blanked: vec![0; variables],
    };
    let everything = merged(
        records
            .groups
            .iter()
            .flat_map(|(c, g)| g.iter().map(move |(key, t)| (&published[c][key], *t))),
    );
    for (codes, group) in &records.groups {
        let universe = if *codes == blank_codes {
            everything.clone()
        } else {
            merged(group.iter().map(|(key, t)| (&published[codes][key], *t)))
        };
        for (key, t) in group {
            let shown = &published[codes][key];
            let f = frequency(shown, &universe);
            let r = individual_risk(f.records, f.weight);
            risk.records += t.records;
            if f.records < k {
                risk.below_k += t.records;
            }
            risk.expected_reidentifications += f64::from(t.records) * r;
            risk.max_individual_risk = risk.max_individual_risk.max(r);
            for (v, (before, after)) in key.iter().zip(shown).enumerate() {
                if *before != 0 && *after == 0 {
                    risk.blanked[v] += t.records;
                }
            }
        }
    }
    risk
}

/// The probability that a record whose key `f` sample records share, standing for an
/// estimated `weight` units of the population, is re-identified: sdcMicro's `indivRisk`
/// (Benedetti and Franconi), `method = "approx"`.
pub fn individual_risk(f: u32, weight: f64) -> f64 {
    if f == 0 {
        return 0.0;
    }
    let f_k = f64::from(f);
    let p = f_k / weight.max(f_k);
    if p >= 1.0 - 1e-12 {
        // The whole population of the key is in the file: the limit of the formulas below.
        return 1.0 / f_k;
    }
    let odds = p / (1.0 - p);
    match f {
        1 => odds * (1.0 / p).ln(),
        2 => odds - odds * odds * (1.0 / p).ln(),
        _ => p / (f_k - (1.0 - p)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(a: &str, s: &str, z: &str) -> Codes {
        (a.into(), s.into(), z.into())
    }

    #[test]
    fn the_individual_risk_is_sdcmicros_approximation() {
        // By hand from sdcMicro's indivRisk(method = "approx"): p = f / F.
        let p: f64 = 1.0 / 4.0;
        assert!((individual_risk(1, 4.0) - p / (1.0 - p) * 4f64.ln()).abs() < 1e-15);
        let p: f64 = 2.0 / 10.0;
        let odds = p / (1.0 - p);
        assert!((individual_risk(2, 10.0) - (odds - odds * odds * 5f64.ln())).abs() < 1e-15);
        assert!((individual_risk(5, 50.0) - 0.1 / (5.0 - 0.9)).abs() < 1e-15);
        assert_eq!(individual_risk(3, 3.0), 1.0 / 3.0, "the whole population in the file");
        assert!(individual_risk(1, 1000.0) < individual_risk(1, 10.0), "more units, less risk");
    }

    #[test]
    fn rare_keys_lose_their_least_useful_values_until_k_share_them() {
        let mut records = Records::default();
        let ward = codes("00070", "G", "micro");
        for _ in 0..5 {
            records.add(ward.clone(), vec![1, 1, 3], 10.0);
        }
        records.add(ward.clone(), vec![1, 1, 4], 10.0); // unique on the last: blanked
        records.add(ward.clone(), vec![2, 2, 4], 10.0); // unique on all: blanked from the end
        let protected = protect(&records, 3);
        assert_eq!(protected.published(&ward, &vec![1, 1, 3]), Some(&vec![1, 1, 3]));
        assert_eq!(protected.published(&ward, &vec![1, 1, 4]), Some(&vec![1, 1, 0]));
        // Blank on the last, still unique; then on the middle; then on the first.
        assert_eq!(protected.published(&ward, &vec![2, 2, 4]), Some(&vec![0, 0, 0]));
        assert_eq!(protected.risk.below_k, 0, "{:?}", protected.risk);
        assert_eq!(protected.risk.records, 7);
        assert_eq!(protected.risk.blanked, [1, 1, 2]);
    }

    #[test]
    fn a_record_with_blank_codes_is_matched_against_the_whole_file() {
        let mut records = Records::default();
        let ward = codes("00070", "", "");
        for _ in 0..5 {
            records.add(ward.clone(), vec![1, 2], 5.0);
        }
        records.add(Codes::default(), vec![1, 2], 7.0); // matches the ward's five: kept
        records.add(Codes::default(), vec![3, 2], 7.0); // matches nothing until all blank
        let protected = protect(&records, 5);
        assert_eq!(protected.published(&ward, &vec![1, 2]), Some(&vec![1, 2]));
        assert_eq!(protected.published(&Codes::default(), &vec![1, 2]), Some(&vec![1, 2]));
        assert_eq!(protected.published(&Codes::default(), &vec![3, 2]), Some(&vec![0, 0]));
        assert_eq!(protected.risk.below_k, 0, "{:?}", protected.risk);
    }
}
