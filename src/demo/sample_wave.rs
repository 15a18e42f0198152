//! `dxsurvey demo --register N --sample n`: a wave run as a probability sample. A synthetic
//! register of N enterprises is imported, a sample of n drawn from it as `dxsurvey sample`
//! draws one, and the sampled enterprises answer with their access code's origin, some of
//! them: larger and more digitally mature enterprises answer more often, as in the field, so
//! that the non-response adjustment and the calibration have something to correct.

use std::fmt::Write as _;

use fastrand::Rng;

use super::answers::{Respondent, answer};
use super::population::{Enterprise, Population};
use super::{BATCH, DemoSummary};
use crate::app::App;
use crate::response::new_response;
use crate::service::Actor;
use crate::service::sample::{SampleRequest, draw, propose};
use crate::store::{self, Origin, ResponseStatus, StoreError};
use crate::survey::Survey;

/// Seeds the synthetic register, the same in every wave.
const REGISTER_SEED: u64 = 2025;

/// The register and the sample to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleDemo {
    pub register: usize,
    pub sample: u32,
}

/// Imports the register, draws the sample and writes the responses of the sampled units that
/// answer.
pub fn generate(
    app: &App,
    wave: &str,
    survey: &Survey,
    plan: SampleDemo,
    seed: u64,
) -> Result<DemoSummary, StoreError> {
    let population = Population::new(&app.reference);
    // The same register in every wave (the same enterprises, strata and maturity), so that
    // waves drawn from it share enterprises, as a business register's waves do; each wave
    // draws its own sample, and its respondents answer anew, from its seed.
    let mut register_rng = Rng::with_seed(REGISTER_SEED);
    let firms: Vec<Enterprise> =
        (0..plan.register).map(|_| population.draw(&mut register_rng)).collect();
    let mut rng = Rng::with_seed(seed);
    write_register(app, wave, &firms)?;
    let request = SampleRequest {
        total: plan.sample,
        min_per_ward_size: 2,
        prior: 0.5,
        prior_wave: None,
        seed,
    };
    let invalid = |e: &dyn std::fmt::Display| StoreError::Invalid(e.to_string());
    let proposal = propose(app, wave, &request).map_err(|e| invalid(&e))?;
    draw(app, wave, &request, &proposal, &Actor::command_line()).map_err(|e| invalid(&e))?;
    let sampled = app.store.read(|c| store::uninvited(c, wave))?;
    let mut summary = DemoSummary { sampled: sampled.len(), ..DemoSummary::default() };
    let mut batch = Vec::with_capacity(BATCH);
    for (n, unit) in sampled.iter().enumerate() {
        let Some(firm) =
            unit.code.get(2..).and_then(|i| i.parse::<usize>().ok()).and_then(|i| firms.get(i - 1))
        else {
            continue;
        };
        if rng.f64() < answers_chance(firm) {
            let who = Respondent {
                enterprise: firm,
                name: unit.name.clone(),
                tax_code: unit.code.clone(),
                yes_bias: &[],
            };
            let answers = answer(survey, &who, &app.reference, &mut rng);
            let mut response =
                new_response(survey, &answers, &app.reference, wave, ResponseStatus::Submitted);
            response.origin = Origin::verified(unit.unit_id);
            batch.push(response);
            summary.enterprises += 1;
        }
        if batch.len() >= BATCH || n + 1 == sampled.len() {
            app.store.write(|tx| {
                batch.iter().try_for_each(|r| store::insert_response(tx, r, None).map(|_| ()))
            })?;
            batch.clear();
        }
    }
    Ok(summary)
}

/// The chance that a sampled enterprise answers: 25% to 85%, higher for larger and more
/// digitally mature enterprises.
fn answers_chance(firm: &Enterprise) -> f64 {
    let size = crate::reference::SizeClass::ALL.iter().position(|s| *s == firm.size).unwrap_or(0);
    (0.25 + 0.1 * size as f64 + 0.3 * firm.maturity).min(0.85)
}

/// Imports the firms as the wave's named register, through the same path as `dxsurvey frame
/// register`.
fn write_register(app: &App, wave: &str, firms: &[Enterprise]) -> Result<(), StoreError> {
    let mut csv = String::from("tax_code,name,area_code,vsic_section,size_class\n");
    for (i, firm) in firms.iter().enumerate() {
        let area = &app.reference.areas[firm.area].code;
        let _ = writeln!(
            csv,
            "01{:08},Công ty Mẫu {:06},{area},{},{}",
            i + 1,
            i + 1,
            firm.section,
            firm.size.as_str()
        );
    }
    use crate::service::register::{FrameError, import_register};
    match import_register(app, wave, csv.as_bytes(), &Actor::command_line()) {
        Ok(_) => Ok(()),
        Err(FrameError::Store(e)) => Err(e),
        Err(FrameError::NoWave(wave)) => Err(StoreError::Invalid(format!("no wave {wave}"))),
        Err(FrameError::Invalid(problems)) => Err(StoreError::Invalid(problems.join("; "))),
    }
}
