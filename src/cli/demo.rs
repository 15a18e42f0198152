//! `dxsurvey demo --responses N --seed S [--wave W]`.

use std::process::ExitCode;
use std::time::Instant;

use super::{CliError, say};
use crate::app::App;
use crate::config::AppConfig;
use crate::demo::{DemoOptions, SampleDemo, generate};

/// The command's options.
pub struct Options {
    pub responses: usize,
    pub seed: u64,
    pub wave: Option<String>,
    pub with_frame: bool,
    pub order_effect: f64,
    pub sample: Option<SampleDemo>,
}

pub fn run(config: &AppConfig, options: Options) -> Result<ExitCode, CliError> {
    let Options { responses, seed, wave, with_frame, order_effect, sample } = options;
    if !(0.0..=1.0).contains(&order_effect) {
        return Err(CliError(format!(
            "--order-effect is a chance between 0 and 1, not {order_effect}"
        )));
    }
    let app = App::start(config)?;
    let wave = wave.unwrap_or_else(|| crate::kernel::format::today().year().to_string());
    let started = Instant::now();
    let summary = generate(
        &app,
        &DemoOptions { responses, seed, wave: wave.clone(), with_frame, order_effect, sample },
    )?;
    if let Some(plan) = sample {
        say!(
            "wave {wave}: register of {} enterprises, {} sampled, {} answered, in {} in {:.1} s",
            plan.register,
            summary.sampled,
            summary.enterprises,
            config.database.display(),
            started.elapsed().as_secs_f64()
        );
        return Ok(ExitCode::SUCCESS);
    }
    say!(
        "wrote {responses} demo responses ({} enterprises, {} agencies, {} drafts) to wave {wave} in {} in {:.1} s",
        summary.enterprises,
        summary.agencies,
        summary.drafts,
        config.database.display(),
        started.elapsed().as_secs_f64()
    );
    if summary.other_questionnaires > 0 {
        say!(
            "and {} responses of the same enterprises to the wave's other enterprise questionnaires",
            summary.other_questionnaires
        );
    }
    Ok(ExitCode::SUCCESS)
}
