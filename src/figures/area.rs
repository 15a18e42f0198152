//! The figures of a group of areas, built from the wave's cells so that they suppress as the
//! wave's figures do.

use super::group::{Breakdown, Group};
use super::sample::{Keys, Sample};
use super::{Figure, Figures};
use crate::app::App;
use crate::reference::AreaCode;
use crate::stats::{self, Suppression};

/// The figures of a group of areas (one ward/commune, or several): its total, with group
/// `All`, and its breakdowns by section and by size class. Each is the union of cells of the
/// wave's `figures` (area, area × section, area × size) and is published only when every one of
/// those cells is: what the dashboard suppresses stays suppressed, and no difference of
/// published figures reveals a suppressed cell. For one area the total is the dashboard's area
/// figure.
pub fn area_figures(
    app: &App,
    sample: &Sample,
    figures: &Figures,
    areas: &[AreaCode],
) -> Vec<Figure> {
    let keys = Keys { reference: &app.reference };
    let mut out = Vec::new();
    for cells in [Breakdown::Area, Breakdown::AreaSection, Breakdown::AreaSizeClass] {
        // Each variable has its own suppression (a share's also rests on its units with and
        // without the attribute): the unions of each, once.
        let by_variable: Vec<Vec<(Group, u32, Suppression)>> =
            (0..sample.variables.len()).map(|v| unions(figures, cells, v, areas)).collect();
        for (group, n, _) in by_variable.first().cloned().unwrap_or_default() {
            let members: Vec<usize> = sample
                .design
                .keys
                .iter()
                .enumerate()
                .filter(|(_, key)| {
                    keys.group(key, cells).is_some_and(|g| {
                        g.area().is_some_and(|a| areas.contains(a)) && g.without_area() == group
                    })
                })
                .map(|(i, _)| i)
                .collect();
            for (v, variable) in sample.variables.iter().enumerate() {
                let suppression = by_variable[v]
                    .iter()
                    .find(|(g, _, _)| *g == group)
                    .map_or(Suppression::Secondary, |(_, _, s)| *s);
                let estimate = (suppression == Suppression::Published)
                    .then(|| {
                        stats::estimate(
                            &sample.design,
                            &sample.sums[v],
                            members.iter().copied(),
                            variable.kind(),
                        )
                    })
                    .flatten();
                out.push(Figure { group: group.clone(), variable: v, n, estimate, suppression });
            }
        }
    }
    out
}

/// The cells of `cells` in `areas` for `variable`, merged by what remains without the area: (group,
/// respondents, suppression), sections in letter order and size classes from micro to large.
/// One suppressed member suppresses the union: alone it keeps its reason, else the union is
/// secondary.
fn unions(
    figures: &Figures,
    cells: Breakdown,
    variable: usize,
    areas: &[AreaCode],
) -> Vec<(Group, u32, Suppression)> {
    let mut groups: Vec<(Group, u32, Suppression)> = Vec::new();
    let in_areas = |f: &&Figure| f.group.area().is_some_and(|a| areas.contains(a));
    for f in figures.of(cells, variable).filter(in_areas) {
        let group = f.group.without_area();
        match groups.iter_mut().find(|(g, _, _)| *g == group) {
            Some((_, n, suppression)) => {
                *n += f.n;
                if f.suppression != Suppression::Published {
                    *suppression = Suppression::Secondary;
                }
            }
            None => groups.push((group, f.n, f.suppression)),
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    groups
}
