//! What a respondent is compared with (docs/disclosure.md, section 5): its ward's and its
//! sector's mean scores, from snapshots that hold only what was submitted before the day they
//! were taken and move by at least the threshold, so that no sequence of result pages, seen by
//! anyone, pins down one respondent's scores.

use time::Date;

use crate::app::App;
use crate::assessment::Peers;
use crate::kernel::format::day_start_utc;
use crate::policy::BenchmarkRule;
use crate::store::{self, Benchmark, PeerFilter, PeerGroup, StoreError, StoredResponse};

/// The benchmarks of a submitted response on `today`: its ward's, then its sector's.
pub fn of(app: &App, response: &StoredResponse, today: Date) -> Result<(Peers, Peers), StoreError> {
    let of = |group: Option<PeerGroup<'_>>| match group {
        Some(group) => peers(app, response, group, today),
        None => Ok(Peers::default()),
    };
    Ok((
        of(response.area_code.as_deref().map(PeerGroup::Area))?,
        of(response.vsic_section.as_deref().map(PeerGroup::Sector))?,
    ))
}

fn peers(
    app: &App,
    response: &StoredResponse,
    group: PeerGroup<'_>,
    today: Date,
) -> Result<Peers, StoreError> {
    let (wave, survey) = (&response.wave_id, &response.survey_id);
    match app.policy.benchmark_rule() {
        BenchmarkRule::Unprotected => {
            let filter = PeerFilter::AllBut(response.id);
            let means = app.store.read(|c| store::peer_means(c, wave, survey, group, filter))?;
            Ok(Peers { means, as_of: None })
        }
        BenchmarkRule::Protected => Ok(snapshot(app, wave, survey, group, today)?
            .map(|b| Peers { means: b.means, as_of: Some(b.taken_on) })
            .unwrap_or_default()),
    }
}

/// The group's snapshot, taken afresh on the first view of a day when at least the threshold
/// of responses entered the group since the last one (what was submitted before the day).
fn snapshot(
    app: &App,
    wave: &str,
    survey: &str,
    group: PeerGroup<'_>,
    today: Date,
) -> Result<Option<Benchmark>, StoreError> {
    let taken_on = today.to_string();
    let stored = app.store.read(|c| store::benchmark(c, wave, survey, group))?;
    if stored.as_ref().is_some_and(|b| b.taken_on >= taken_on) {
        return Ok(stored);
    }
    let cutoff = day_start_utc(today);
    let filter = PeerFilter::SubmittedBefore(&cutoff);
    let now = app.store.read(|c| store::peer_means(c, wave, survey, group, filter))?;
    let entered = now.count - stored.as_ref().map_or(0, |b| b.means.count);
    if entered < i64::from(app.policy.threshold()) {
        return Ok(stored);
    }
    let fresh = Benchmark { taken_on, means: now };
    app.store.write(|tx| store::save_benchmark(tx, wave, survey, group, &fresh))?;
    Ok(Some(fresh))
}
