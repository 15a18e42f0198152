//! `dxsurvey sample --wave W --size N [--confirm]`: the sample of a wave from its register.

use std::process::ExitCode;

use super::CliError;
use crate::app::App;
use crate::config::AppConfig;
use crate::service::Actor;
use crate::service::sample::{SampleRequest, draw, propose};

/// The options of `dxsurvey sample`.
#[derive(Debug, clap::Args)]
pub struct SampleArgs {
    #[arg(long)]
    wave: String,
    /// Enterprises to sample in all.
    #[arg(long)]
    size: u32,
    /// Fewest enterprises per ward and size class (all of them where there are fewer).
    #[arg(long, default_value_t = 10)]
    min_per_ward_size: u32,
    /// The share of the target indicator expected in every stratum (Neyman allocation).
    #[arg(long, default_value_t = 0.5)]
    prior: f64,
    /// Take each section × size class's share from this earlier wave's responses (where it has
    /// at least 30; `--prior` elsewhere).
    #[arg(long)]
    prior_from_wave: Option<String>,
    /// The seed: the same register, options and seed draw the same sample.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Draw and store the sample; without it, only show what it would give.
    #[arg(long)]
    confirm: bool,
}

pub fn run(config: &AppConfig, args: SampleArgs) -> Result<ExitCode, CliError> {
    let app = App::start(config)?;
    let request = SampleRequest {
        total: args.size,
        min_per_ward_size: args.min_per_ward_size,
        prior: args.prior,
        prior_wave: args.prior_from_wave.clone(),
        seed: args.seed,
    };
    let proposal = propose(&app, &args.wave, &request).map_err(|e| CliError(e.to_string()))?;
    let mut lines = vec![format!(
        "sample of {} from the register of wave {}: {} strata, {} in take-all strata (large)",
        args.size,
        args.wave,
        proposal.strata.len(),
        proposal.take_all
    )];
    lines.push("expected standard error of each ward's share (percentage points):".into());
    for (area, se) in &proposal.wards {
        let name = app.reference.area(area).map_or("", |a| a.name.vi.as_str());
        lines.push(format!("  {area}  {:>5.1}  {name}", se * 100.0));
    }
    if args.confirm {
        let drawn = draw(&app, &args.wave, &request, &proposal, &Actor::command_line())
            .map_err(|e| CliError(e.to_string()))?;
        lines.push(format!("drew {} enterprises from {} strata", drawn.units, drawn.strata));
    } else {
        lines.push("nothing drawn: add --confirm to draw this sample".into());
    }
    super::emit(&lines.join("\n"))?;
    Ok(ExitCode::SUCCESS)
}
