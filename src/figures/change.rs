//! The change of an indicator's share between two waves of a questionnaire, for the city or a
//! group of wards, counting the organisations that answered in both (`stats::change`,
//! docs/methodology.md §5a).

use super::sample::{Keys, Sample};
use crate::app::App;
use crate::reference::AreaCode;
use crate::response::has_indicator;
use crate::stats::{self, Change, Kind, Linked, Response, Side};

/// A counted response of an organisation, as the change links it to the other wave.
#[derive(Debug, Clone, Copy)]
pub struct Respondent {
    pub organisation: i64,
    /// Its position in the design's keys.
    pub key: u32,
    pub indicator_bits: i64,
}

/// The change of indicator `indicator` (its id, e.g. `innovation_active`) from `first` to
/// `second` over the wards `areas` (the city for `None`); `None` when either wave's
/// questionnaire lacks the indicator or has no respondent in the domain. Publishing it is
/// the caller's decision: only when both waves' estimates are published.
pub fn change(
    app: &App,
    first: &Sample,
    second: &Sample,
    indicator: &str,
    areas: Option<&[AreaCode]>,
) -> Option<Change> {
    let position = |s: &Sample| s.variables.iter().position(|v| v.is_indicator(indicator));
    let (v1, v2) = (position(first)?, position(second)?);
    let (d1, d2) = (domain(app, first, areas), domain(app, second, areas));
    let linked = linked(first, v1, second, v2);
    stats::change(
        Side { design: &first.design, sums: &first.sums[v1], domain: &d1 },
        Side { design: &second.design, sums: &second.sums[v2], domain: &d2 },
        &linked,
        Kind::Share,
    )
}

/// The change over a trend: from the first to the last of `published`, the samples of the
/// waves whose estimate of the domain is published, oldest first; `None` with fewer than two.
pub fn change_over(
    app: &App,
    published: &[&Sample],
    indicator: &str,
    areas: Option<&[AreaCode]>,
) -> Option<Change> {
    match published {
        [first, .., last] => change(app, first, last, indicator, areas),
        _ => None,
    }
}

/// The design keys of the wards `areas`, or all of them.
fn domain(app: &App, sample: &Sample, areas: Option<&[AreaCode]>) -> Vec<usize> {
    let keys = Keys { reference: &app.reference };
    let design = &sample.design;
    (0..design.keys.len())
        .filter(|&k| {
            areas.is_none_or(|areas| keys.area(&design.keys[k]).is_some_and(|a| areas.contains(&a)))
        })
        .collect()
}

/// The organisations that answered in both waves, joined on the organisation (both lists are
/// sorted by it). Indicator `v` is bit `v` of the stored bits: indicators come first among
/// the variables.
fn linked(first: &Sample, v1: usize, second: &Sample, v2: usize) -> Vec<Linked> {
    let response = |r: &Respondent, v: usize| Response {
        key: r.key as usize,
        value: Some(f64::from(u8::from(has_indicator(r.indicator_bits, v)))),
    };
    let (mut a, mut b) = (first.linked.iter().peekable(), second.linked.iter().peekable());
    let mut out = Vec::new();
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        match x.organisation.cmp(&y.organisation) {
            std::cmp::Ordering::Less => {
                a.next();
            }
            std::cmp::Ordering::Greater => {
                b.next();
            }
            std::cmp::Ordering::Equal => {
                out.push(Linked { first: response(x, v1), second: response(y, v2) });
                a.next();
                b.next();
            }
        }
    }
    out
}
