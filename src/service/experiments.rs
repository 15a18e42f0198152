//! What a split-ballot experiment shows (see [`crate::stats::experiment`]): for a wave's
//! questionnaire that declares one, each indicator's share in each arm and each arm's
//! difference from the reference arm, with 95% intervals, under the disclosure policy.

use serde::Serialize;

use super::figures::Choice;
use crate::app::App;
use crate::kernel::Text;
use crate::stats::experiment::{Tally, WithInterval, difference};
use crate::stats::{Cell, Suppression, suppress_cells};
use crate::store::{self, StoreError};
use crate::survey::{Indicator, Survey};

/// The results of a questionnaire's experiment in a wave.
#[derive(Debug, Clone, Serialize)]
pub struct ExperimentEffects {
    pub survey: String,
    pub version: u32,
    pub experiment: String,
    pub title: Text,
    pub arms: Vec<ArmCount>,
    /// Submitted responses that count but were assigned no arm (none, unless stored by hand).
    pub unassigned: u32,
    pub indicators: Vec<IndicatorEffect>,
}

/// An arm and its respondents (withheld while fewer than the threshold, as any count is).
#[derive(Debug, Clone, Serialize)]
pub struct ArmCount {
    pub id: String,
    pub label: Text,
    pub reference: bool,
    pub respondents: Option<u32>,
}

/// One indicator across the arms.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorEffect {
    pub id: String,
    pub label: Text,
    /// In the order of the arms.
    pub shares: Vec<Published>,
    /// Each arm but the reference, minus the reference.
    pub effects: Vec<Effect>,
}

/// An arm's difference from the reference arm.
#[derive(Debug, Clone, Serialize)]
pub struct Effect {
    pub arm: String,
    #[serde(flatten)]
    pub difference: Published,
}

/// A share or a difference as published: withheld when it would say too much of few
/// respondents.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Published {
    #[serde(flatten)]
    pub value: Option<WithInterval>,
    pub suppressed: bool,
}

/// The experiment of the chosen questionnaire in the chosen wave; `None` when its version
/// declares none.
pub fn effects(app: &App, choice: &Choice) -> Result<Option<ExperimentEffects>, StoreError> {
    let Some(version) =
        choice.wave.questionnaires.iter().find(|(id, _)| *id == choice.survey).map(|(_, v)| *v)
    else {
        return Ok(None);
    };
    let Some(survey) = super::waves::in_wave(app, &choice.wave, &choice.survey, version) else {
        return Ok(None);
    };
    let Some(experiment) = &survey.experiment else { return Ok(None) };
    let rows =
        app.store.read(|c| store::arm_indicators(c, &choice.wave.id, &survey.id, version))?;
    let mut tallies = vec![vec![Tally::default(); survey.indicators.len()]; experiment.arms.len()];
    let mut respondents = vec![0_u32; experiment.arms.len()];
    let mut unassigned = 0;
    for (arm, bits) in &rows {
        let Some(a) = arm.as_deref().and_then(|id| experiment.arm_idx(id)) else {
            unassigned += 1;
            continue;
        };
        respondents[a] += 1;
        for (i, tally) in tallies[a].iter_mut().enumerate() {
            tally.respondents += 1;
            tally.yes += u32::from(bits >> i.min(62) & 1 == 1);
        }
    }
    let arms = experiment
        .arms
        .iter()
        .zip(&respondents)
        .enumerate()
        .map(|(a, (arm, &n))| ArmCount {
            id: arm.id.clone(),
            label: arm.label.clone(),
            reference: a == 0,
            respondents: app.policy.shows_count(i64::from(n)).then_some(n),
        })
        .collect();
    let indicators = survey
        .indicators
        .iter()
        .enumerate()
        .map(|(i, indicator)| {
            let arm_tallies: Vec<Tally> = tallies.iter().map(|t| t[i]).collect();
            indicator_effect(app, &survey, indicator, &arm_tallies)
        })
        .collect();
    Ok(Some(ExperimentEffects {
        survey: survey.id.clone(),
        version,
        experiment: experiment.id.clone(),
        title: experiment.title.clone(),
        arms,
        unassigned,
        indicators,
    }))
}

/// One indicator's shares and differences. A share is withheld under the threshold rule for
/// shares (too few respondents, or too few with or without the attribute, 0% and 100%
/// included); a difference whenever either of its shares is, since the published one and the
/// difference would give the other back.
fn indicator_effect(
    app: &App,
    survey: &Survey,
    indicator: &Indicator,
    tallies: &[Tally],
) -> IndicatorEffect {
    let cells: Vec<Cell> = tallies
        .iter()
        .map(|t| Cell { units: t.respondents, with: Some(t.yes), values: None })
        .collect();
    let state = suppress_cells(&cells, &[], app.policy.threshold()).cells;
    let hidden = |a: usize| state[a] != Suppression::Published;
    let publish = |value: Option<WithInterval>, suppressed: bool| Published {
        value: if suppressed { None } else { value },
        suppressed,
    };
    let shares = tallies.iter().enumerate().map(|(a, t)| publish(t.share(), hidden(a))).collect();
    let arms = survey.experiment.as_ref().map_or(&[][..], |e| &e.arms);
    let effects = arms
        .iter()
        .enumerate()
        .skip(1)
        .map(|(a, arm)| Effect {
            arm: arm.id.clone(),
            difference: publish(difference(tallies[a], tallies[0]), hidden(a) || hidden(0)),
        })
        .collect();
    IndicatorEffect { id: indicator.id.clone(), label: indicator.label.clone(), shares, effects }
}
