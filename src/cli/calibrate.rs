//! `dxsurvey calibrate --wave W --margins area,section_size [--distance linear] [--lower L]
//! [--upper U]`, or `--off`: how a sample wave's weights are calibrated to its register.

use std::process::ExitCode;

use super::CliError;
use crate::app::App;
use crate::config::AppConfig;
use crate::figures::Calibration;
use crate::service::Actor;
use crate::service::calibration::set_calibration;

/// The options of `dxsurvey calibrate`.
#[derive(Debug, clap::Args)]
pub struct CalibrateArgs {
    #[arg(long)]
    wave: String,
    /// Register margins to meet, comma-separated: area, section, size, section_size.
    #[arg(long, required_unless_present = "off")]
    margins: Option<String>,
    /// linear (GREG), raking, or logit (raking within --lower and --upper).
    #[arg(long, default_value = "linear")]
    distance: String,
    /// Lowest ratio of a calibrated weight to its weight before calibration (below 1).
    #[arg(long)]
    lower: Option<f64>,
    /// Highest ratio of a calibrated weight to its weight before calibration (above 1).
    #[arg(long)]
    upper: Option<f64>,
    /// No calibration: the weights stay non-response adjusted.
    #[arg(long, conflicts_with = "margins")]
    off: bool,
}

pub fn run(config: &AppConfig, args: CalibrateArgs) -> Result<ExitCode, CliError> {
    let app = App::start(config)?;
    let calibration = match &args.margins {
        Some(margins) if !args.off => Some(
            Calibration::parse(margins, &args.distance, args.lower, args.upper)
                .map_err(|e| CliError(e.to_string()))?,
        ),
        _ => None,
    };
    let tried = set_calibration(&app, &args.wave, calibration.as_ref(), &Actor::command_line())
        .map_err(|e| CliError(e.to_string()))?;
    let mut lines = vec![match &calibration {
        Some(c) => format!(
            "wave {}: weights calibrated to {} ({})",
            args.wave,
            c.margin_names(),
            c.method.distance.as_str()
        ),
        None => format!("wave {}: no calibration; weights non-response adjusted", args.wave),
    }];
    for t in &tried {
        lines.push(match &t.problem {
            None => format!("  {}: {} respondents, estimator {}", t.survey, t.respondents, t.estimator),
            Some(problem) => format!(
                "  {}: {} respondents; the calibration does not hold yet: {problem} (figures stay {})",
                t.survey, t.respondents, t.estimator
            ),
        });
    }
    super::emit(&lines.join("\n"))?;
    Ok(ExitCode::SUCCESS)
}
