//! k-anonymity by local suppression, and the individual risk of re-identification, over the
//! quasi-identifiers of microdata, as `sdcMicro` defines them (docs/disclosure.md, section 6).
//! Pure: records come in as tallies, published keys and risk measures go out.
//!
//! A class is the records that show the same design codes and exactly the same values, a blank
//! counting as a value of its own. That is stricter than sdcMicro's default, where a blank
//! matches any value, and it is what holds against someone who has the register: the k records
//! of a class are k organisations that all agree with every value the class shows, so matching
//! the shown values against the register leaves at least k candidates. The records whose design
//! codes are all blank (the rest of the city, in wards too small to show) are a group of their
//! own; should they be fewer than k, every value of theirs is blanked and what protects them is
//! the number of organisations the frame counts in those wards.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde::Serialize;

/// The design codes a record shows: ward, section and size class, "" where pooled.
pub type Codes = (String, String, String);

/// A record's quasi-identifiers, each the number of its category counted from 1; 0 is blank.
pub type Key = Vec<u16>;

/// A map keyed by [`Key`]s, hashed with [`KeyHasher`].
type KeyMap<V> = HashMap<Key, V, BuildHasherDefault<KeyHasher>>;

/// The FxHash multiply-rotate hash (as rustc uses): keys are a few small numbers made by this
/// program, not by a client, so no flooding defence is needed and SipHash would be the
/// slowest part of placing a million records.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl KeyHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

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

/// Every record of a file, by codes (a group, numbered as it first comes) and key.
#[derive(Debug, Default)]
pub struct Records {
    numbers: HashMap<Codes, usize>,
    groups: Vec<(Codes, KeyMap<Tally>)>,
}

impl Records {
    /// The number of the group of records that show `codes`.
    pub fn group(&mut self, codes: &Codes) -> usize {
        if let Some(g) = self.numbers.get(codes) {
            return *g;
        }
        self.groups.push((codes.clone(), KeyMap::default()));
        self.numbers.insert(codes.clone(), self.groups.len() - 1);
        self.groups.len() - 1
    }

    /// Adds a record to group `g` (from [`Records::group`]).
    pub fn add_to(&mut self, g: usize, key: &[u16], weight: f64) {
        let one = Tally { records: 1, weight };
        let group = &mut self.groups[g].1;
        match group.get_mut(key) {
            Some(tally) => tally.add(one),
            None => {
                group.insert(key.to_vec(), one);
            }
        }
    }

    pub fn add(&mut self, codes: &Codes, key: &[u16], weight: f64) {
        let g = self.group(codes);
        self.add_to(g, key, weight);
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
    numbers: HashMap<Codes, usize>,
    /// By group, as [`Records`] numbers them.
    published: Vec<KeyMap<Key>>,
    pub risk: Risk,
}

impl Protected {
    /// The key a record with these codes and this key is published with.
    pub fn published(&self, codes: &Codes, key: &[u16]) -> Option<&Key> {
        self.published_in(*self.numbers.get(codes)?, key)
    }

    /// The key a record of group `g` with this key is published with.
    pub fn published_in(&self, g: usize, key: &[u16]) -> Option<&Key> {
        self.published.get(g)?.get(key)
    }
}

/// Makes every record's published key shared by at least `k` records of its group (its design
/// codes), blanking in each record that is not the last of its quasi-identifiers not yet blank
/// (the least useful, in the order they are declared), round after round, then measures the
/// risk of what is published.
pub fn protect(records: &Records, k: u32) -> Protected {
    let published: Vec<KeyMap<Key>> =
        records.groups.iter().map(|(_, group)| suppress(group, k)).collect();
    let risk = measure(records, &published, k);
    Protected { numbers: records.numbers.clone(), published, risk }
}

/// Local suppression within one group.
fn suppress(group: &KeyMap<Tally>, k: u32) -> KeyMap<Key> {
    let mut current: Vec<(Key, Key, Tally)> =
        group.iter().map(|(key, t)| (key.clone(), key.clone(), *t)).collect();
    loop {
        let classes = classes(current.iter().map(|(_, key, t)| (key, *t)));
        let mut changed = false;
        for (_, key, _) in &mut current {
            if classes[&*key].records < k
                && let Some(last) = key.iter().rposition(|v| *v != 0)
            {
                key[last] = 0;
                changed = true;
            }
        }
        if changed {
            continue;
        }
        // Records with every value blank are a class too: while fewer than k, the smallest
        // class of the group joins them.
        let blank = classes.iter().find(|(key, _)| key.iter().all(|v| *v == 0));
        if blank.is_none_or(|(_, t)| t.records >= k) {
            break;
        }
        let smallest = current
            .iter()
            .filter(|(_, key, _)| key.iter().any(|v| *v != 0))
            .map(|(_, key, _)| (classes[key].records, key.clone()))
            .min();
        let Some((_, smallest)) = smallest else { break };
        for (_, key, _) in current.iter_mut().filter(|(_, key, _)| *key == smallest) {
            key.iter_mut().for_each(|v| *v = 0);
        }
    }
    current.into_iter().map(|(from, to, _)| (from, to)).collect()
}

/// The records of each class: tallies of equal keys added up.
fn classes<'k>(keys: impl Iterator<Item = (&'k Key, Tally)>) -> KeyMap<Tally> {
    let mut by_key: KeyMap<Tally> = KeyMap::default();
    for (key, t) in keys {
        match by_key.get_mut(key) {
            Some(tally) => tally.add(t),
            None => {
                by_key.insert(key.clone(), t);
            }
        }
    }
    by_key
}

fn measure(records: &Records, published: &[KeyMap<Key>], k: u32) -> Risk {
    let variables =
        records.groups.iter().flat_map(|(_, g)| g.keys()).map(Vec::len).max().unwrap_or(0);
    let mut risk = Risk {
        records: 0,
        below_k: 0,
        expected_reidentifications: 0.0,
        max_individual_risk: 0.0,
        blanked: vec![0; variables],
    };
    for ((codes, group), published) in records.groups.iter().zip(published) {
        let classes = classes(group.iter().map(|(key, t)| (&published[key], *t)));
        for (key, t) in group {
            let shown = &published[key];
            let class = classes[shown];
            let r = individual_risk(class.records, class.weight);
            risk.records += t.records;
            // A record that shows nothing at all stands for every organisation of the rest of
            // the city: what protects it is how many the frame counts there.
            let nothing = *codes == Codes::default() && shown.iter().all(|v| *v == 0);
            let protected = if nothing { class.weight >= f64::from(k) } else { class.records >= k };
            if !protected {
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
        let mut add = |key: Vec<u16>, n| (0..n).for_each(|_| records.add(&ward, &key, 10.0));
        add(vec![1, 1, 3], 5); // a class of five: kept
        add(vec![1, 1, 4], 2); // blanked from the end until three share [1, 0, 0]
        add(vec![1, 2, 4], 1);
        add(vec![2, 2, 4], 2); // [2, 0, 0] is two: blanked whole; then the blank class is two,
        // so the smallest class, [1, 0, 0], joins it
        let protected = protect(&records, 3);
        let shown = |key: Vec<u16>| protected.published(&ward, &key).cloned();
        assert_eq!(shown(vec![1, 1, 3]), Some(vec![1, 1, 3]));
        assert_eq!(shown(vec![1, 1, 4]), Some(vec![0, 0, 0]));
        assert_eq!(shown(vec![2, 2, 4]), Some(vec![0, 0, 0]));
        assert_eq!(protected.risk.below_k, 0, "{:?}", protected.risk);
        assert_eq!(protected.risk.records, 10);
        assert_eq!(protected.risk.blanked, [5, 5, 5]);
    }

    #[test]
    fn the_rest_of_the_city_is_a_group_and_too_few_show_nothing() {
        let mut records = Records::default();
        let ward = codes("00070", "", "");
        (0..5).for_each(|_| records.add(&ward, &[1, 2], 5.0));
        records.add(&Codes::default(), &[1, 2], 40.0); // the ward's class is not theirs
        records.add(&Codes::default(), &[3, 2], 40.0);
        let protected = protect(&records, 5);
        assert_eq!(protected.published(&ward, &[1, 2]), Some(&vec![1, 2]));
        assert_eq!(protected.published(&Codes::default(), &[1, 2]), Some(&vec![0, 0]));
        assert_eq!(protected.published(&Codes::default(), &[3, 2]), Some(&vec![0, 0]));
        assert_eq!(
            protected.risk.below_k, 0,
            "80 organisations behind the two: {:?}",
            protected.risk
        );
        let mut unweighted = Records::default();
        unweighted.add(&Codes::default(), &[1, 2], 1.0);
        assert_eq!(protect(&unweighted, 5).risk.below_k, 1, "one record standing for itself");
    }

    proptest::proptest! {
        #[test]
        fn every_class_holds_k_records_and_shows_only_true_values(
            groups in proptest::collection::vec(
                proptest::collection::vec(proptest::collection::vec(0u16..4, 3), 5..40),
                1..6,
            )
        ) {
            let k = 5;
            let mut records = Records::default();
            for (g, keys) in groups.iter().enumerate() {
                for key in keys {
                    records.add(&codes(&g.to_string(), "", ""), key, 3.0);
                }
            }
            let protected = protect(&records, k);
            let mut classes: HashMap<(usize, Key), u32> = HashMap::new();
            for (g, keys) in groups.iter().enumerate() {
                for key in keys {
                    let shown = protected.published(&codes(&g.to_string(), "", ""), key).unwrap();
                    for (before, after) in key.iter().zip(shown) {
                        proptest::prop_assert!(*after == 0 || after == before);
                    }
                    *classes.entry((g, shown.clone())).or_default() += 1;
                }
            }
            proptest::prop_assert!(classes.values().all(|n| *n >= k), "{classes:?}");
            proptest::prop_assert_eq!(protected.risk.below_k, 0);
        }
    }
}
