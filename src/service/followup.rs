//! Following up the sample in the field: each sampled organisation's status (never an answer),
//! contacts recorded by officials, and response rates, unit and weighted, by ward, sector and
//! size. The rules, once:
//! - a unit's status is the furthest it has gone: submitted, started, refused, unreachable,
//!   reminded, invited, not invited (a refusal after a start still shows it started);
//! - it has responded when its response, started with its code, is submitted and counts;
//! - the unit response rate is responded / sampled; the weighted rate weights each unit by the
//!   inverse of its inclusion probability (sum over respondents / sum over the sample), so that
//!   it estimates the share of the register's enterprises the respondents stand for;
//! - enterprises and agencies are never added together: agencies (a census, inclusion 1) have
//!   their own rates, for the city, by ward and by kind of agency.

use serde::Serialize;

use super::Actor;
use super::cases::{self, CaseError};
use crate::app::App;
pub use crate::stats::WardSample;
use crate::store::{self, Channel, FieldUnit, StoreError, UnitEvent, UnitEventKind, UnitKind};

/// How far a sampled unit has gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldStatus {
    NotInvited,
    Invited,
    Reminded,
    Unreachable,
    Refused,
    Started,
    Submitted,
}

impl FieldStatus {
    /// The status of `unit`.
    pub fn of(unit: &FieldUnit) -> FieldStatus {
        let happened = |kind: &str| unit.events.iter().any(|e| e == kind);
        match unit.response.as_deref() {
            Some("submitted") => FieldStatus::Submitted,
            Some(_) => FieldStatus::Started,
            None if happened("refused") => FieldStatus::Refused,
            None if happened("unreachable") => FieldStatus::Unreachable,
            None if happened("reminder") => FieldStatus::Reminded,
            None if unit.invited => FieldStatus::Invited,
            None => FieldStatus::NotInvited,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FieldStatus::NotInvited => "not_invited",
            FieldStatus::Invited => "invited",
            FieldStatus::Reminded => "reminded",
            FieldStatus::Unreachable => "unreachable",
            FieldStatus::Refused => "refused",
            FieldStatus::Started => "started",
            FieldStatus::Submitted => "submitted",
        }
    }
}

/// Whether `unit` counts as having responded.
fn responded(unit: &FieldUnit) -> bool {
    unit.response.as_deref() == Some("submitted") && unit.standing.as_deref() == Some("counted")
}

/// The sampled units of `wave` in `area`, with their status.
pub fn units_of_area(
    app: &App,
    wave: &str,
    area: &str,
) -> Result<Vec<(FieldUnit, FieldStatus)>, StoreError> {
    let areas = [area.to_string()];
    let units = app.store.read(|c| store::field_units(c, wave, Some(&areas)))?;
    Ok(units
        .into_iter()
        .map(|u| {
            let s = FieldStatus::of(&u);
            (u, s)
        })
        .collect())
}

/// What an official records about a unit of their ward.
pub struct Contact {
    pub kind: UnitEventKind,
    pub channel: Option<Channel>,
    pub note: String,
}

/// Records a contact (or a refusal, or an unreachable unit) with the sampled enterprise or
/// agency `code` of `area`; `Ok(false)` when no sampled unit of that ward has it.
pub fn record_contact(
    app: &App,
    actor: &Actor,
    wave: &str,
    area: &str,
    code: &str,
    contact: Contact,
) -> Result<bool, CaseError> {
    let unit = app.store.read(|c| store::sampled_unit(c, wave, code.trim()))?;
    if unit.is_none_or(|u| u.area_code != area) {
        return Ok(false);
    }
    let event = UnitEvent { kind: contact.kind, channel: contact.channel, note: contact.note };
    cases::record_event(app, actor, wave, code, &event)?;
    Ok(true)
}

/// Every ward of `wave`'s sample of enterprises, summed up (see [`WardSample`]).
pub fn ward_samples(app: &App, wave: &str) -> Result<Vec<WardSample>, StoreError> {
    let mut units = app.store.read(|c| store::field_units(c, wave, None))?;
    units.retain(|u| u.kind == UnitKind::Enterprise);
    Ok(units
        .chunk_by(|a, b| a.area_code == b.area_code)
        .map(|ward| {
            let mut sum =
                WardSample { area_code: ward[0].area_code.clone(), ..WardSample::default() };
            for unit in ward {
                sum.sampled += 1;
                sum.weight_sampled += 1.0 / unit.inclusion;
                if responded(unit) {
                    sum.responded += 1;
                    sum.weight_responded += 1.0 / unit.inclusion;
                }
            }
            sum
        })
        .collect())
}

/// The response rate of a group of sampled units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseRate {
    /// Enterprises: `city`, `ward`, `section` or `size`; agencies: `agencies` (the city),
    /// `agency_ward` or `agency_kind`.
    pub breakdown: &'static str,
    /// The ward code, VSIC section, size class or kind of agency; empty for the city.
    pub group: String,
    pub sampled: usize,
    pub responded: usize,
    pub unit_rate: f64,
    pub weighted_rate: f64,
}

/// Response rates of `wave`'s sample: the city, then every ward, section and size class that
/// has sampled enterprises (in code order); then the agencies of the city, of every ward and
/// of every kind, when the register lists agencies.
pub fn response_rates(app: &App, wave: &str) -> Result<Vec<ResponseRate>, StoreError> {
    let units = app.store.read(|c| store::field_units(c, wave, None))?;
    Ok(rates(&units))
}

/// Which group of a breakdown a unit is in.
type GroupKey = fn(&FieldUnit) -> &str;

/// The rates of `units` (see [`response_rates`]).
pub fn rates(units: &[FieldUnit]) -> Vec<ResponseRate> {
    let of_kind = |kind: UnitKind| units.iter().filter(move |u| u.kind == kind);
    let enterprises: [(&'static str, GroupKey); 3] = [
        ("ward", |u| &u.area_code),
        ("section", |u| u.vsic_section.as_deref().unwrap_or_default()),
        ("size", |u| u.size_class.as_deref().unwrap_or_default()),
    ];
    let agencies: [(&'static str, GroupKey); 2] = [
        ("agency_ward", |u| &u.area_code),
        ("agency_kind", |u| u.agency_kind.as_deref().unwrap_or_default()),
    ];
    let mut out = breakdowns(of_kind(UnitKind::Enterprise).collect(), "city", &enterprises);
    out.extend(breakdowns(of_kind(UnitKind::Agency).collect(), "agencies", &agencies));
    out
}

/// The rate of all of `units` as `whole`, then of each group of each breakdown.
fn breakdowns(
    units: Vec<&FieldUnit>,
    whole: &'static str,
    keys: &[(&'static str, GroupKey)],
) -> Vec<ResponseRate> {
    if units.is_empty() {
        return Vec::new();
    }
    let mut out = vec![rate(whole, String::new(), units.iter().copied())];
    for (breakdown, key) in keys {
        let mut groups: Vec<&str> = units.iter().map(|u| key(u)).collect();
        groups.sort_unstable();
        groups.dedup();
        for group in groups {
            let members = units.iter().copied().filter(|u| key(u) == group);
            out.push(rate(breakdown, group.into(), members));
        }
    }
    out
}

fn rate<'a>(
    breakdown: &'static str,
    group: String,
    units: impl Iterator<Item = &'a FieldUnit>,
) -> ResponseRate {
    let (mut sampled, mut responded, mut weight_all, mut weight_responded) = (0, 0, 0.0, 0.0);
    for unit in units {
        let weight = 1.0 / unit.inclusion;
        sampled += 1;
        weight_all += weight;
        if self::responded(unit) {
            responded += 1;
            weight_responded += weight;
        }
    }
    ResponseRate {
        breakdown,
        group,
        sampled,
        responded,
        unit_rate: responded as f64 / sampled.max(1) as f64,
        weighted_rate: if weight_all > 0.0 { weight_responded / weight_all } else { 0.0 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(area: &str, inclusion: f64, response: Option<&str>, events: &[&str]) -> FieldUnit {
        FieldUnit {
            unit_id: 1,
            kind: UnitKind::Enterprise,
            code: "0100000001".into(),
            name: "A".into(),
            area_code: area.into(),
            vsic_section: Some("G".into()),
            size_class: Some("micro".into()),
            agency_kind: None,
            address: None,
            phone: None,
            has_email: false,
            inclusion,
            invited: true,
            response: response.map(str::to_string),
            standing: response.map(|_| "counted".to_string()),
            events: events.iter().map(|e| e.to_string()).collect(),
            last_contact: None,
            mail_failed: false,
        }
    }

    #[test]
    fn a_unit_shows_the_furthest_it_has_gone() {
        assert_eq!(FieldStatus::of(&unit("1", 1.0, None, &[])), FieldStatus::Invited);
        assert_eq!(FieldStatus::of(&unit("1", 1.0, None, &["reminder"])), FieldStatus::Reminded);
        let refused = unit("1", 1.0, None, &["reminder", "refused"]);
        assert_eq!(FieldStatus::of(&refused), FieldStatus::Refused);
        let started = unit("1", 1.0, Some("draft"), &["refused"]);
        assert_eq!(FieldStatus::of(&started), FieldStatus::Started);
        assert_eq!(
            FieldStatus::of(&unit("1", 1.0, Some("submitted"), &[])),
            FieldStatus::Submitted
        );
        let mut never = unit("1", 1.0, None, &[]);
        never.invited = false;
        assert_eq!(FieldStatus::of(&never), FieldStatus::NotInvited);
    }

    #[test]
    fn the_weighted_rate_counts_each_unit_for_the_enterprises_it_stands_for() {
        // A take-all large unit that answered, and four micro units drawn one in ten, one of
        // which answered: 2 of 5 units, but (1 + 10) of (1 + 40) enterprises.
        let mut units = vec![unit("a", 1.0, Some("submitted"), &[])];
        units.push(unit("a", 0.1, Some("submitted"), &[]));
        units.extend((0..3).map(|_| unit("b", 0.1, None, &[])));
        let rates = rates(&units);
        let city = &rates[0];
        assert_eq!((city.sampled, city.responded), (5, 2));
        assert!((city.unit_rate - 0.4).abs() < 1e-12);
        assert!((city.weighted_rate - 11.0 / 41.0).abs() < 1e-12);
        let ward_b = rates.iter().find(|r| r.breakdown == "ward" && r.group == "b").unwrap();
        assert_eq!((ward_b.sampled, ward_b.responded, ward_b.weighted_rate), (3, 0, 0.0));
        let unconfirmed = FieldUnit { standing: Some("unconfirmed".into()), ..units[0].clone() };
        assert!(!responded(&unconfirmed), "only what counts has responded");
    }

    #[test]
    fn agencies_have_their_own_rates_and_never_join_the_enterprises() {
        let agency = |area: &str, kind: &str, response: Option<&str>| FieldUnit {
            kind: UnitKind::Agency,
            vsic_section: None,
            size_class: None,
            agency_kind: Some(kind.into()),
            ..unit(area, 1.0, response, &[])
        };
        let units = vec![
            unit("a", 0.5, Some("submitted"), &[]),
            unit("a", 0.5, None, &[]),
            agency("a", "commune_committee", Some("submitted")),
            agency("b", "commune_committee", None),
            agency("b", "city_department", None),
        ];
        let rates = rates(&units);
        let find = |breakdown: &str, group: &str| {
            rates.iter().find(|r| r.breakdown == breakdown && r.group == group).unwrap()
        };
        assert_eq!((find("city", "").sampled, find("city", "").responded), (2, 1));
        assert_eq!((find("ward", "a").sampled, find("ward", "a").responded), (2, 1));
        assert!(rates.iter().all(|r| r.breakdown != "ward" || r.group != "b"));
        let agencies = find("agencies", "");
        assert_eq!((agencies.sampled, agencies.responded), (3, 1));
        assert!((agencies.weighted_rate - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(find("agency_kind", "commune_committee").responded, 1);
        assert_eq!(find("agency_ward", "b").sampled, 2);
        assert!(rates.iter().all(|r| r.breakdown != "section" || !r.group.is_empty()));
    }
}
