//! Which organisations' rows may carry their pseudonym, which is the same in every wave so that
//! firms can be followed over time (docs/disclosure.md, section 6).
//!
//! Anyone holding the releases of several waves can join an organisation's rows on it, and
//! what they then know of the organisation is its history: the codes and quasi-identifiers its
//! rows show, wave by wave. A history is a class of its own, as a key is within one wave: each
//! must be shared by at least k organisations, or a value blanked by local suppression in one
//! wave could be read off another wave's row and single the organisation out. The organisations
//! of a rarer history have their pseudonym withheld from every row; every wave's release then
//! computes the same histories, so no file, earlier or later, links them.

use std::collections::{HashMap, HashSet};

use super::anonymise::{self, Codes};
use super::release::Release;
use super::write::ExportError;
use crate::app::App;
use crate::figures;
use crate::store;

/// What an organisation's rows show, wave by wave (the wave's place, its codes and key).
type History = Vec<(usize, Codes, Vec<u16>)>;

/// The organisations answering `survey_id` in several waves whose history fewer than the
/// disclosure threshold share. `key` keys the pseudonyms (as in the export).
pub fn unlinkable(
    app: &App,
    survey_id: &str,
    questions: &[String],
    key: &str,
) -> Result<HashSet<i64>, ExportError> {
    let waves = app.store.read(|c| store::waves_with_submissions(c, Some(survey_id)))?;
    if waves.len() < 2 {
        return Ok(HashSet::new());
    }
    let mut histories: HashMap<i64, History> = HashMap::new();
    for (place, wave_id) in waves.iter().enumerate() {
        let sample = figures::sample(app, wave_id, survey_id)?;
        let mut release = Release::new(app, &sample, questions, key);
        app.store.read_or(|c| {
            store::snapshot(c, |c| {
                let records = release.records(c, wave_id)?;
                let protected = anonymise::protect(&records, app.policy.threshold());
                release.write(&protected, c, wave_id, |row| {
                    if let Some(organisation) = row.organisation_id {
                        let shown = (place, row.codes.clone(), row.key.to_vec());
                        histories.entry(organisation).or_default().push(shown);
                    }
                    Ok::<(), ExportError>(())
                })
            })
        })?;
    }
    Ok(rare_histories(&histories, app.policy.threshold()))
}

/// The organisations of more than one wave whose history fewer than `k` share.
fn rare_histories(histories: &HashMap<i64, History>, k: u32) -> HashSet<i64> {
    let linked = || histories.iter().filter(|(_, h)| h.len() > 1);
    let mut classes: HashMap<&History, u32> = HashMap::new();
    for (_, history) in linked() {
        *classes.entry(history).or_default() += 1;
    }
    linked().filter(|(_, h)| classes[h] < k).map(|(o, _)| *o).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_organisation_is_unlinkable_when_fewer_than_k_share_its_history() {
        let codes = |area: &str| (area.to_string(), "C".to_string(), "small".to_string());
        let mut histories = HashMap::new();
        // Three organisations with the same two rows; a fourth differs in its second wave.
        for o in 1..=3 {
            histories
                .insert(o, vec![(0, codes("00001"), vec![1, 2]), (1, codes("00001"), vec![1, 0])]);
        }
        histories.insert(4, vec![(0, codes("00001"), vec![1, 2]), (1, codes("00001"), vec![1, 2])]);
        // Answered once: nothing to link.
        histories.insert(5, vec![(1, codes("00002"), vec![3, 3])]);
        assert_eq!(rare_histories(&histories, 3), HashSet::from([4]));
        assert_eq!(rare_histories(&histories, 4), HashSet::from([1, 2, 3, 4]));
    }
}
