//! `dxsurvey demo`: a realistic synthetic population of responses, for demonstrations and
//! benchmarks. Deterministic for a given seed (on a database without other responses).

mod answers;
mod population;
mod sample_wave;

pub use sample_wave::SampleDemo;

use std::sync::Arc;

use fastrand::Rng;

use crate::app::App;
use crate::reference::Reference;
use crate::response::new_response;
use crate::store::{self, NewWave, ResponseStatus, StoreError};
use crate::survey::{RespondentKind, Survey};
use answers::{Respondent, answer};
use population::Population;

/// What to generate.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub responses: usize,
    pub seed: u64,
    pub wave: String,
    /// Also write a business-register frame consistent with the responses.
    pub with_frame: bool,
    /// In a questionnaire with a split-ballot experiment, the chance that a respondent of an arm
    /// that asks an unscored yes/no question later than another arm does answers it "yes"
    /// instead of "no": the priming the arms are meant to measure (see [`primed`]).
    pub order_effect: f64,
    /// Run the wave as a probability sample instead: a register, a sample drawn from it, and
    /// the responses of the sampled enterprises that answer (`responses` is then unused).
    pub sample: Option<SampleDemo>,
}

/// What was generated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub enterprises: usize,
    pub agencies: usize,
    pub drafts: usize,
    /// Responses of enterprises to the wave's other enterprise questionnaires.
    pub other_questionnaires: usize,
    /// Enterprises sampled, in a sample wave.
    pub sampled: usize,
}

/// Responses written per transaction.
const BATCH: usize = 5_000;
/// One respondent in this many is a public agency.
const AGENCY_EVERY: usize = 40;
/// One enterprise in this many also answers each other enterprise questionnaire of the wave.
const OTHER_EVERY: usize = 4;
/// One response in this many is left as a draft.
const DRAFT_EVERY: usize = 10;

const NAME_WORDS: &[&str] = &[
    "Minh Phát",
    "Hưng Thịnh",
    "An Khang",
    "Sao Việt",
    "Thăng Long",
    "Hồng Hà",
    "Phú Gia",
    "Đại Nam",
    "Tân Tiến",
    "Hoàng Long",
    "Việt Á",
    "Bình An",
    "Kim Ngân",
    "Trường Sơn",
    "Ngọc Lan",
    "Đông Đô",
];
const AGENCY_KINDS: &[&str] =
    &["Trường Tiểu học", "Trường THCS", "Trạm Y tế", "Trung tâm Phục vụ hành chính công"];
const NAME_FORMS: &[&str] = &[
    "Công ty TNHH",
    "Công ty Cổ phần",
    "Công ty TNHH Thương mại và Dịch vụ",
    "Doanh nghiệp tư nhân",
];

/// Writes `options.responses` synthetic responses into the wave, creating it if needed.
pub fn generate(app: &App, options: &DemoOptions) -> Result<DemoSummary, StoreError> {
    let wave = ensure_wave(app, &options.wave)?;
    let surveys: Vec<&Arc<Survey>> =
        wave.questionnaires.iter().filter_map(|(id, v)| app.catalog.get(id, *v)).collect();
    let primary = crate::service::waves::primary_questionnaire(app, &wave);
    let enterprise = surveys
        .iter()
        .find(|s| s.kind == RespondentKind::Enterprise && Some(&s.id) == primary.as_ref())
        .map(|s| (*s).clone())
        .ok_or_else(|| {
            StoreError::Invalid(format!("wave {} has no enterprise questionnaire", wave.id))
        })?;
    // The wave's other enterprise questionnaires: some of the same enterprises answer them too.
    let others: Vec<&Arc<Survey>> = surveys
        .iter()
        .filter(|s| s.kind == RespondentKind::Enterprise && s.id != enterprise.id)
        .copied()
        .collect();
    if let Some(plan) = options.sample {
        return sample_wave::generate(app, &wave.id, &enterprise, plan, options.seed);
    }
    let agency = surveys.iter().find(|s| s.kind == RespondentKind::Agency).map(|s| (*s).clone());
    let (drafts, submitted) = app.store.read(|c| store::response_counts(c, &wave.id))?;
    let offset = usize::try_from(drafts + submitted).unwrap_or(0);

    let population = Population::new(&app.reference);
    let biases = primed(&enterprise, options.order_effect);
    let mut rng = Rng::with_seed(options.seed);
    let mut summary = DemoSummary::default();
    let mut batch = Vec::with_capacity(BATCH);
    for n in 0..options.responses {
        let firm = population.draw(&mut rng);
        let index = offset + n;
        let (survey, name): (&Survey, String) = match &agency {
            Some(agency) if index % AGENCY_EVERY == AGENCY_EVERY - 1 => {
                summary.agencies += 1;
                let kind = AGENCY_KINDS[rng.usize(..AGENCY_KINDS.len())];
                (
                    agency,
                    format!("{kind} số {index:05} – {}", app.reference.areas[firm.area].name.vi),
                )
            }
            _ => {
                summary.enterprises += 1;
                let form = NAME_FORMS[rng.usize(..NAME_FORMS.len())];
                let word = NAME_WORDS[rng.usize(..NAME_WORDS.len())];
                (&enterprise, format!("{form} {word} {index:06}"))
            }
        };
        let tax_code = format!("01{:08}", index + 1);
        let arm =
            (survey.id == enterprise.id && !biases.is_empty()).then(|| rng.usize(..biases.len()));
        let yes_bias = arm.map_or(&[][..], |a| &biases[a][..]);
        let who = Respondent { enterprise: &firm, name, tax_code, yes_bias };
        let answers = answer(survey, &who, &app.reference, &mut rng);
        // Offset from the agency cycle, so that agencies are not all drafts.
        let status = if index % DRAFT_EVERY == 3 {
            summary.drafts += 1;
            ResponseStatus::Draft
        } else {
            ResponseStatus::Submitted
        };
        let mut response = new_response(survey, &answers, &app.reference, &wave.id, status);
        response.arm =
            arm.and_then(|a| enterprise.experiment.as_ref().map(|e| e.arms[a].id.clone()));
        batch.push(response);
        if survey.id == enterprise.id && index % OTHER_EVERY == 1 {
            for other in &others {
                summary.other_questionnaires += 1;
                let answers = answer(other, &who, &app.reference, &mut rng);
                let submitted = ResponseStatus::Submitted;
                batch.push(new_response(other, &answers, &app.reference, &wave.id, submitted));
            }
        }
        if batch.len() >= BATCH || n + 1 == options.responses {
            app.store.write(|tx| {
                batch.iter().try_for_each(|r| store::insert_response(tx, r, None).map(|_| ()))
            })?;
            batch.clear();
        }
    }
    if options.with_frame {
        write_frame(app, &wave.id, &enterprise.id, &mut rng)?;
    }
    Ok(summary)
}

/// For each arm of the questionnaire's experiment (none without one), each question's chance
/// that a "no" becomes "yes": `effect` for an unscored yes/no question (the innovation items)
/// that the arm asks on a later page than the arm that asks it earliest, as respondents primed
/// by the pages before it would; 0 elsewhere.
fn primed(survey: &Survey, effect: f64) -> Vec<Vec<f64>> {
    let Some(experiment) = &survey.experiment else { return Vec::new() };
    let position = |arm: &crate::survey::Arm, q: usize| {
        arm.pages.iter().position(|&p| survey.pages[p].questions.contains(&q))
    };
    let earliest: Vec<Option<usize>> = (0..survey.questions.len())
        .map(|q| experiment.arms.iter().filter_map(|arm| position(arm, q)).min())
        .collect();
    let unscored_yes_no = |q: usize| {
        let question = &survey.questions[q];
        matches!(question.kind, crate::survey::QuestionKind::YesNo)
            && matches!(question.home, crate::survey::Home::Section(_))
    };
    experiment
        .arms
        .iter()
        .map(|arm| {
            (0..survey.questions.len())
                .map(|q| {
                    let later = position(arm, q) > earliest[q];
                    if unscored_yes_no(q) && later { effect } else { 0.0 }
                })
                .collect()
        })
        .collect()
}

/// A frame in which the respondents are a sample: each stratum holds 3 to 40 times as many
/// enterprises as responded, and some strata nobody answered in hold a few more.
fn write_frame(app: &App, wave: &str, survey: &str, rng: &mut Rng) -> Result<(), StoreError> {
    let counts = app.store.read(|c| store::stratum_counts(c, wave, survey))?;
    let mut rows = Vec::with_capacity(counts.len());
    for (area, section, size, n) in &counts {
        let (Ok(area), Ok(section), Some(size)) = (
            crate::reference::AreaCode::parse(area),
            crate::reference::VsicSection::parse(section),
            crate::reference::SizeClass::parse(size),
        ) else {
            continue;
        };
        let enterprises = u64::try_from(*n).unwrap_or(0) * rng.u64(3..=40);
        rows.push(crate::frame::FrameRow { area: area.clone(), section, size, enterprises });
        if rng.f64() < 0.1 {
            // A neighbouring size class with no respondent: collapsing must cover it.
            let other = crate::reference::SizeClass::ALL[rng.usize(..4)];
            if !counts.iter().any(|(a, s, z, _)| {
                a == area.as_str() && *s == section.to_string() && z == other.as_str()
            }) && other != size
            {
                rows.push(crate::frame::FrameRow {
                    area,
                    section,
                    size: other,
                    enterprises: rng.u64(1..=20),
                });
            }
        }
    }
    rows.sort_by(|a, b| {
        (a.area.as_str(), a.section, a.size).cmp(&(b.area.as_str(), b.section, b.size))
    });
    rows.dedup_by(|a, b| a.area == b.area && a.section == b.section && a.size == b.size);
    app.store.write(|tx| store::replace_frame(tx, wave, &rows))
}

/// `n` synthetic answer sets for `survey`, without touching the database (for benchmarks).
pub fn sample_answers(
    survey: &Survey,
    reference: &Reference,
    n: usize,
    seed: u64,
) -> Vec<crate::answers::Answers> {
    let population = Population::new(reference);
    let mut rng = Rng::with_seed(seed);
    (0..n)
        .map(|i| {
            let firm = population.draw(&mut rng);
            let who = Respondent {
                enterprise: &firm,
                name: format!("Công ty {i}"),
                tax_code: format!("01{:08}", i + 1),
                yes_bias: &[],
            };
            answer(survey, &who, reference, &mut rng)
        })
        .collect()
}

fn ensure_wave(app: &App, id: &str) -> Result<store::Wave, StoreError> {
    if let Some(wave) = app.store.read(|c| store::wave(c, id))? {
        return Ok(wave);
    }
    // A wave named after a year covers that year; any other name, the current one.
    let year = id
        .parse::<i32>()
        .ok()
        .filter(|y| (1900..=2999).contains(y))
        .unwrap_or_else(|| crate::kernel::format::today().year());
    let wave = NewWave {
        id: id.to_string(),
        title: crate::app::default_wave_title(id),
        ..app.default_wave(year)
    };

    app.store.write(|tx| store::create_wave(tx, &wave))?;
    app.store
        .read(|c| store::wave(c, id))?
        .ok_or_else(|| StoreError::NotFound(format!("wave {id}")))
}
