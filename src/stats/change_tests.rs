//! The change between two waves of a probability sample, with the covariance of the
//! organisations of both, against `tests/fixtures/r-change/change.R` (R's `survey` for each
//! wave's estimate and linearisation, the covariance as docs/methodology.md §5a writes it):
//! on the recorded pair of waves, with R run now, and on a pair drawn with a random seed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::sample_tests::{
    Register, Unit, assign_groups, design_of, draw, key, margins, read_register, read_units,
    register_of, rscript, write_csv, write_register,
};
use super::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/r-change").join(name)
}

#[derive(Debug, serde::Deserialize)]
struct Reference {
    method: String,
    domain: String,
    variable: String,
    change: f64,
    se: f64,
    covariance: f64,
    df: f64,
    #[serde(deserialize_with = "csv::invalid_option")]
    ci_low: Option<f64>,
    #[serde(deserialize_with = "csv::invalid_option")]
    ci_high: Option<f64>,
    common: u32,
    counted: u32,
}

/// The second wave of `first`'s register: in each stratum about 60% of the first wave's
/// units are kept (a rotating panel), the rest drawn anew; those kept answer again more often
/// and mostly as before, and the share grows a little, as a target trajectory hopes.
fn draw_next(seed: u64, first: &[Unit], register: &Register) -> Vec<Unit> {
    let mut rng = fastrand::Rng::with_seed(seed ^ 0x5eed);
    let mut by_stratum: BTreeMap<StratumKey, Vec<&Unit>> = BTreeMap::new();
    for u in first {
        by_stratum.entry(key(u.area, u.section, u.size)).or_default().push(u);
    }
    let mut next_id = first.iter().map(|u| u.id).max().unwrap_or(0) + 1;
    let mut units = Vec::new();
    for (k, previous) in &by_stratum {
        let population = register[k];
        let answered: Vec<f64> = previous.iter().filter_map(|u| u.y).collect();
        let share = 0.05 + answered.iter().sum::<f64>() / answered.len().max(1) as f64;
        let rate =
            previous.iter().filter(|u| u.responded == 1).count() as f64 / previous.len() as f64;
        let sampled = previous.len();
        let mut kept: Vec<&Unit> = previous.clone();
        rng.shuffle(&mut kept);
        kept.truncate((sampled as f64 * 0.6).round() as usize);
        for i in 0..sampled {
            let old = kept.get(i);
            let answers_again = old.is_some_and(|u| u.responded == 1);
            let responded = rng.f64() < if answers_again { 0.9 } else { rate };
            let y = match old.and_then(|u| u.y) {
                Some(y) if rng.f64() < 0.85 => y,
                _ => f64::from(u8::from(rng.f64() < share)),
            };
            let score = match old.and_then(|u| u.score) {
                Some(s) => s + 8.0 * (rng.f64() - 0.3),
                None => 30.0 + 40.0 * share + 25.0 * rng.f64(),
            };
            let id = old.map_or_else(
                || {
                    next_id += 1;
                    next_id - 1
                },
                |u| u.id,
            );
            units.push(Unit {
                id,
                responded: u8::from(responded),
                y: responded.then_some(y),
                score: responded.then_some((score * 1000.0).round() / 1000.0),
                pi: sampled as f64 / population,
                ..(*previous[0]).clone()
            });
        }
    }
    assign_groups(&mut units, register);
    units
}

/// One wave's design under `name`'s method, with the sums of `y` and `score` per key.
struct Wave {
    design: Design,
    y: Vec<Sums>,
    score: Vec<Sums>,
    respondents: Vec<(u32, usize, f64, f64)>,
}

fn wave(units: &[Unit], register: &Register, method: Option<CalibrationMethod>) -> Wave {
    let margins = margins(register);
    let strata = register_of(units, register);
    let design = design_of(units, &strata, method.map(|m| (m, margins.as_slice()))).unwrap();
    let mut y = vec![Sums::default(); design.keys.len()];
    let mut score = vec![Sums::default(); design.keys.len()];
    let mut respondents = Vec::new();
    for u in units.iter().filter(|u| u.responded == 1) {
        let k = design.index(&key(u.area, u.section, u.size)).unwrap();
        y[k].add(u.y.unwrap());
        score[k].add(u.score.unwrap());
        respondents.push((u.id, k, u.y.unwrap(), u.score.unwrap()));
    }
    respondents.sort_by_key(|r| r.0);
    Wave { design, y, score, respondents }
}

/// The organisations that responded in both waves, for the variable `y` (or the score).
fn linked(one: &Wave, two: &Wave, share: bool) -> Vec<Linked> {
    let value = |r: &(u32, usize, f64, f64)| Some(if share { r.2 } else { r.3 });
    one.respondents
        .iter()
        .filter_map(|a| {
            let b = two.respondents.binary_search_by_key(&a.0, |r| r.0).ok()?;
            let b = &two.respondents[b];
            Some(Linked {
                first: Response { key: a.1, value: value(a) },
                second: Response { key: b.1, value: value(b) },
            })
        })
        .collect()
}

fn domain(design: &Design, domain: &str) -> Vec<usize> {
    let (field, value) = domain.split_once(':').unwrap_or(("city", ""));
    let value: u16 = value.parse().unwrap_or(0);
    (0..design.keys.len())
        .filter(|&k| match field {
            "area" => design.keys[k].area == value,
            "section" => u16::from(design.keys[k].section) == value,
            _ => true,
        })
        .collect()
}

fn method(name: &str) -> Option<CalibrationMethod> {
    let unbounded = Bounds { lower: f64::NEG_INFINITY, upper: f64::INFINITY };
    match name {
        "linear" => Some(CalibrationMethod { distance: Distance::Linear, bounds: unbounded }),
        "raking" => Some(CalibrationMethod { distance: Distance::Raking, bounds: unbounded }),
        _ => None,
    }
}

/// Our change for every row R gave: the change to 1e-9, SE, covariance and bounds to 1e-6,
/// degrees of freedom to 1e-6 of themselves, the organisations in common exactly.
fn check(first: &[Unit], second: &[Unit], register: &Register, expected: &[Reference]) {
    let mut checked = 0;
    let mut with_covariance = 0;
    for name in ["nonresponse", "linear", "raking"] {
        let (one, two) =
            (wave(first, register, method(name)), wave(second, register, method(name)));
        for reference in expected.iter().filter(|r| r.method == name) {
            let what = format!("{name} {} {}", reference.domain, reference.variable);
            let share = reference.variable == "y";
            let (s1, s2) = if share { (&one.y, &two.y) } else { (&one.score, &two.score) };
            let (d1, d2) =
                (domain(&one.design, &reference.domain), domain(&two.design, &reference.domain));
            let got = change(
                Side { design: &one.design, sums: s1, domain: &d1 },
                Side { design: &two.design, sums: s2, domain: &d2 },
                &linked(&one, &two, share),
                if share { Kind::Share } else { Kind::Mean },
            )
            .unwrap();
            let close = |ours: f64, r: f64, tolerance: f64, field: &str| {
                assert!((ours - r).abs() < tolerance, "{what}: {field} {ours} vs R {r}");
            };
            close(got.change, reference.change, 1e-9, "change");
            close(got.se, reference.se, 1e-6, "SE");
            close(got.covariance, reference.covariance, 1e-6, "covariance");
            close(got.df, reference.df, 1e-6 * reference.df, "df");
            assert_eq!((got.common, got.counted), (reference.common, reference.counted), "{what}");
            match (got.interval, reference.ci_low, reference.ci_high) {
                (Some(i), Some(low), Some(high)) => {
                    close(i.low, low, 1e-6, "lower bound");
                    close(i.high, high, 1e-6, "upper bound");
                }
                (None, None, None) => {}
                (ours, low, high) => panic!("{what}: interval {ours:?} vs R {low:?} {high:?}"),
            }
            with_covariance +=
                usize::from(reference.covariance.abs() > 1e-3 * reference.se.powi(2));
            checked += 1;
        }
    }
    assert!(checked >= 3 * 2 * 20, "rows checked: {checked}");
    assert!(
        with_covariance * 2 > checked,
        "rows with a covariance that matters: {with_covariance}"
    );
}

fn run_r(first: &Path, second: &Path, register: &Path) -> Option<Vec<Reference>> {
    let args = [first, second, register].map(|p| p.as_os_str().to_owned());
    rscript(&fixture("change.R"), &args)
}

fn recorded() -> Vec<Reference> {
    let mut reader = csv::Reader::from_path(fixture("expected.csv")).unwrap();
    reader.deserialize().map(Result::unwrap).collect()
}

fn recorded_waves() -> (Vec<Unit>, Vec<Unit>, Register) {
    (
        read_units(&fixture("units1.csv")),
        read_units(&fixture("units2.csv")),
        read_register(&fixture("register.csv")),
    )
}

#[test]
fn the_recorded_waves_share_organisations_and_strata() {
    let (first, second, _) = recorded_waves();
    let answered = |units: &[Unit]| -> std::collections::BTreeSet<u32> {
        units.iter().filter(|u| u.responded == 1).map(|u| u.id).collect()
    };
    let (one, two) = (answered(&first), answered(&second));
    let both = one.intersection(&two).count();
    assert!(one.len() >= 1000 && two.len() >= 1000, "{} and {} respondents", one.len(), two.len());
    assert!(both > 400 && both < two.len(), "{both} respondents in both waves");
}

#[test]
fn the_change_between_waves_agrees_with_the_recorded_output_of_r() {
    let (first, second, register) = recorded_waves();
    check(&first, &second, &register, &recorded());
}

#[test]
fn the_change_between_waves_agrees_with_r_run_now() {
    let paths = (fixture("units1.csv"), fixture("units2.csv"), fixture("register.csv"));
    if let Some(expected) = run_r(&paths.0, &paths.1, &paths.2) {
        let (first, second, register) = recorded_waves();
        check(&first, &second, &register, &expected);
    }
}

#[test]
fn two_waves_drawn_with_a_random_seed_agree_with_r() {
    let seed = fastrand::u64(..);
    eprintln!("seed {seed}");
    let (first, register) = draw(seed);
    let second = draw_next(seed, &first, &register);
    let dir = tempfile::TempDir::new().unwrap();
    let paths = [dir.path().join("1.csv"), dir.path().join("2.csv"), dir.path().join("r.csv")];
    write_csv(&paths[0], &first);
    write_csv(&paths[1], &second);
    write_register(&paths[2], &register);
    if let Some(expected) = run_r(&paths[0], &paths[1], &paths[2]) {
        check(&first, &second, &register, &expected);
    }
}

/// Writes the recorded pair of waves again (seed 2027) and R's output for them:
/// `cargo test --lib regenerate_the_change_fixture -- --ignored`.
#[test]
#[ignore = "writes tests/fixtures/r-change/"]
fn regenerate_the_change_fixture() {
    let (first, register) = draw(2027);
    let second = draw_next(2027, &first, &register);
    write_csv(&fixture("units1.csv"), &first);
    write_csv(&fixture("units2.csv"), &second);
    write_register(&fixture("register.csv"), &register);
    let output = std::process::Command::new("Rscript")
        .arg(fixture("change.R"))
        .args([fixture("units1.csv"), fixture("units2.csv"), fixture("register.csv")])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    std::fs::write(fixture("expected.csv"), output.stdout).unwrap();
}
