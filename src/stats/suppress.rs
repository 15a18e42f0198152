//! Small-cell suppression (docs/disclosure.md, sections 2 and 3).
//!
//! Primary: a cell with fewer than `k` respondents is not published (shown as suppressed, never
//! as 0), and neither is a share whose respondents with, or without, the attribute are fewer
//! than `k`. Secondary: in every line of cells whose total is published (a row or column of a
//! breakdown, such as the size classes of one area; the levels of one cell), the suppressed
//! cells must be either none, or at least two that together disclose nothing by the same rule;
//! otherwise the next smallest cell is suppressed too, and so on. A line that cannot be
//! protected that way has its total suppressed. Subtracting published cells from a published
//! total then never reveals fewer than `k` respondents, or what every one of them answered.

/// The smallest threshold allowed.
pub const MIN_THRESHOLD: u32 = 3;
/// The default threshold.
pub const DEFAULT_THRESHOLD: u32 = 5;

/// Why a cell is not published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Suppression {
    Published,
    /// Too few respondents.
    Primary,
    /// Suppressed so that a primary cell cannot be recovered by subtraction.
    Secondary,
}

/// The outcome for a table: each cell, and each line's total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    pub cells: Vec<Suppression>,
    /// Whether each line's total must be suppressed too.
    pub line_totals: Vec<bool>,
}

/// A cell of a table: its units; for a share the units with the attribute; for a mean the
/// values it is the mean of.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    pub units: u32,
    pub with: Option<u32>,
    pub values: Option<Values>,
}

/// What a mean is computed from: how many values, their sum and their sum of squares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Values {
    pub count: f64,
    pub sum: f64,
    pub sum_sq: f64,
}

impl std::iter::Sum for Values {
    fn sum<I: Iterator<Item = Values>>(iter: I) -> Values {
        iter.fold(Values { count: 0.0, sum: 0.0, sum_sq: 0.0 }, |a, b| Values {
            count: a.count + b.count,
            sum: a.sum + b.sum,
            sum_sq: a.sum_sq + b.sum_sq,
        })
    }
}

impl Values {
    /// Whether every value is the same: their mean is then each one's value.
    fn alike(self) -> bool {
        let spread = self.count * self.sum_sq - self.sum * self.sum;
        self.count > 0.0 && spread.abs() <= 1e-9 * (self.sum * self.sum).max(1.0)
    }
}

impl Cell {
    /// A cell of a count: only its units matter.
    pub fn units(units: u32) -> Cell {
        Cell { units, with: None, values: None }
    }

    /// Whether publishing this cell, or this union of cells, discloses fewer than `k` units:
    /// too few units; for a share, too few with the attribute or too few without it (0% and
    /// 100% included: they say something of every unit); for a mean, too few values, or values
    /// all alike (the mean is then every unit's own).
    fn sensitive(self, k: u32) -> bool {
        self.units < k
            || self.with.is_some_and(|x| x < k || self.units - x < k)
            || self.values.is_some_and(|v| v.count < f64::from(k) || v.alike())
    }

    /// The union of `cells`: a share's when every one of them is a share's.
    fn union(cells: impl Iterator<Item = Cell> + Clone) -> Cell {
        Cell {
            units: cells.clone().map(|c| c.units).sum(),
            with: cells.clone().map(|c| c.with).sum(),
            values: cells.map(|c| c.values).sum(),
        }
    }
}

/// Cells whose sum is published, so that subtraction could reveal a hidden one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// Cells of different groups (the wards of the city, the size classes of one ward): their
    /// units, and units with the attribute, add up to a published total.
    Groups(Vec<usize>),
    /// The categories of one group (its maturity levels): the units with each add up to the
    /// group's units.
    Categories(Vec<usize>),
}

impl Line {
    fn cells(&self) -> &[usize] {
        match self {
            Line::Groups(cells) | Line::Categories(cells) => cells,
        }
    }

    /// Whether the hidden cells of this line are safe: none, or at least two whose union
    /// discloses nothing.
    fn protects(&self, cells: &[Cell], hidden: &[usize], k: u32) -> bool {
        if hidden.is_empty() {
            return true;
        }
        if hidden.len() < 2 {
            return false;
        }
        match self {
            Line::Groups(_) => !Cell::union(hidden.iter().map(|&c| cells[c])).sensitive(k),
            Line::Categories(_) => {
                hidden.iter().map(|&c| cells[c].with.unwrap_or(cells[c].units)).sum::<u32>() >= k
            }
        }
    }
}

/// Applies primary and secondary suppression to cells with `counts` respondents, where each of
/// `lines` lists cells whose total is published. `k` is raised to the minimum if set lower.
pub fn suppress(counts: &[u32], lines: &[Vec<usize>], k: u32) -> Suppressed {
    let cells: Vec<Cell> = counts.iter().map(|&n| Cell::units(n)).collect();
    let lines: Vec<Line> = lines.iter().cloned().map(Line::Groups).collect();
    suppress_cells(&cells, &lines, k)
}

/// Applies primary suppression (the threshold rule on units, and for shares on the units with
/// and without the attribute) and secondary suppression over every line, until every line's
/// hidden cells are safe together. A line that cannot be made safe has its total suppressed.
pub fn suppress_cells(cells: &[Cell], lines: &[Line], k: u32) -> Suppressed {
    let k = k.max(MIN_THRESHOLD);
    let mut state: Vec<Suppression> = cells
        .iter()
        .map(|c| if c.sensitive(k) { Suppression::Primary } else { Suppression::Published })
        .collect();
    let mut line_totals = vec![false; lines.len()];
    loop {
        let mut changed = false;
        for (l, line) in lines.iter().enumerate() {
            if line_totals[l] {
                continue;
            }
            let hidden: Vec<usize> = line
                .cells()
                .iter()
                .copied()
                .filter(|&c| state[c] != Suppression::Published)
                .collect();
            if line.protects(cells, &hidden, k) {
                continue;
            }
            let next = line
                .cells()
                .iter()
                .copied()
                .filter(|&c| state[c] == Suppression::Published)
                .min_by_key(|&c| (cells[c].units, cells[c].with, c));
            match next {
                Some(c) => state[c] = Suppression::Secondary,
                None => line_totals[l] = true,
            }
            changed = true;
        }
        if !changed {
            return Suppressed { cells: state, line_totals };
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_lone_small_cell_takes_the_next_smallest_with_it() {
        // One row: 2 (primary), 7, 9, 30 -> 7 is suppressed too.
        let s = suppress(&[2, 7, 9, 30], &[vec![0, 1, 2, 3]], 5);
        assert_eq!(
            s.cells,
            vec![
                Suppression::Primary,
                Suppression::Secondary,
                Suppression::Published,
                Suppression::Published
            ]
        );
        assert_eq!(s.line_totals, vec![false]);
    }

    #[test]
    fn two_tiny_cells_are_not_enough_together() {
        // 1 + 1 < 5: a third cell goes too.
        let s = suppress(&[1, 1, 6, 40], &[vec![0, 1, 2, 3]], 5);
        assert_eq!(s.cells[2], Suppression::Secondary);
    }

    #[test]
    fn a_line_that_cannot_be_protected_loses_its_total() {
        let s = suppress(&[2], &[vec![0]], 5);
        assert_eq!(s.line_totals, vec![true]);
    }

    #[test]
    fn the_threshold_never_goes_below_three() {
        assert_eq!(suppress(&[2], &[], 1).cells, vec![Suppression::Primary]);
    }

    /// A random table of rows × columns with their row and column totals published.
    fn any_table() -> impl Strategy<Value = (usize, usize, Vec<u32>, u32)> {
        (1usize..7, 1usize..7, 3u32..8).prop_flat_map(|(rows, cols, k)| {
            (
                Just(rows),
                Just(cols),
                proptest::collection::vec(prop_oneof![3 => 0u32..6, 2 => 6u32..60], rows * cols),
                Just(k),
            )
        })
    }

    proptest! {
        /// Publishing a breakdown pair (rows, columns, and the cells of both) never isolates
        /// fewer than k respondents: every line with a published total hides none, or at least
        /// k respondents in at least two cells.
        #[test]
        fn no_published_total_lets_a_small_group_be_recovered((rows, cols, counts, k) in any_table()) {
            let mut lines: Vec<Vec<usize>> = (0..rows).map(|r| (0..cols).map(|c| r * cols + c).collect()).collect();
            lines.extend((0..cols).map(|c| (0..rows).map(|r| r * cols + c).collect()));
            let s = suppress(&counts, &lines, k);
            for (i, n) in counts.iter().enumerate() {
                if *n < k {
                    prop_assert_ne!(s.cells[i], Suppression::Published, "cell {} with {} respondents is published", i, n);
                }
            }
            for (l, line) in lines.iter().enumerate() {
                if s.line_totals[l] {
                    continue;
                }
                let hidden: Vec<usize> = line.iter().copied().filter(|&c| s.cells[c] != Suppression::Published).collect();
                let hidden_n: u32 = hidden.iter().map(|&c| counts[c]).sum();
                prop_assert!(hidden.is_empty() || (hidden.len() >= 2 && hidden_n >= k), "line {l}: {hidden:?} hide {hidden_n}");
            }
        }
    }

    #[test]
    fn a_share_of_none_or_of_all_is_a_disclosure_too() {
        // 20 units of which none has the attribute: "none of them" says something of each.
        let cells = [
            Cell { units: 20, with: Some(0), values: None },
            Cell { units: 30, with: Some(10), values: None },
            Cell { units: 40, with: Some(12), values: None },
        ];
        let s = suppress_cells(&cells, &[Line::Groups(vec![0, 1, 2])], 5);
        assert_eq!(s.cells[0], Suppression::Primary);
        assert_eq!(s.cells.iter().filter(|c| **c != Suppression::Published).count(), 2);
        let all = [Cell { units: 20, with: Some(18), values: None }];
        assert_eq!(suppress_cells(&all, &[], 5).cells, vec![Suppression::Primary]);
    }

    #[test]
    fn a_mean_of_values_all_alike_is_every_units_own() {
        let all_full = Values { count: 12.0, sum: 1200.0, sum_sq: 120_000.0 };
        let varied = Values { count: 12.0, sum: 900.0, sum_sq: 70_000.0 };
        let cells = [
            Cell { units: 12, with: None, values: Some(all_full) },
            Cell { units: 12, with: None, values: Some(varied) },
        ];
        let s = suppress_cells(&cells, &[], 5);
        assert_eq!(s.cells, vec![Suppression::Primary, Suppression::Published]);
    }

    #[test]
    fn one_hidden_level_of_a_group_takes_another_with_it() {
        // Levels of one group: 8, 10, 19, 18, 4, 0 of 59 units. Hiding only the 4 would let
        // 59 minus the others give it back; the 0 is hidden as well, and together they are
        // still under 5, so a third level goes too.
        let at = [8, 10, 19, 18, 4, 0];
        let cells: Vec<Cell> =
            at.iter().map(|&x| Cell { units: 59, with: Some(x), values: None }).collect();
        let s = suppress_cells(&cells, &[Line::Categories((0..6).collect())], 5);
        let hidden: u32 =
            (0..6).filter(|&i| s.cells[i] != Suppression::Published).map(|i| at[i]).sum();
        assert!(hidden >= 5, "{:?}", s.cells);
    }

    /// A random table of shares: rows × columns, each cell with its units and its units with
    /// the attribute.
    fn any_share_table() -> impl Strategy<Value = (usize, usize, Vec<(u32, u32)>, u32)> {
        (1usize..6, 1usize..6, 3u32..8).prop_flat_map(|(rows, cols, k)| {
            let cell = (0u32..40).prop_flat_map(|n| (Just(n), 0..=n));
            (Just(rows), Just(cols), proptest::collection::vec(cell, rows * cols), Just(k))
        })
    }

    proptest! {
        /// No published share, and no union of hidden shares a published total gives back,
        /// rests on fewer than k units with or without the attribute.
        #[test]
        fn no_published_total_lets_a_small_share_be_recovered((rows, cols, table, k) in any_share_table()) {
            let cells: Vec<Cell> = table.iter().map(|&(n, x)| Cell { units: n, with: Some(x), values: None }).collect();
            let mut lines: Vec<Line> = (0..rows).map(|r| Line::Groups((0..cols).map(|c| r * cols + c).collect())).collect();
            lines.extend((0..cols).map(|c| Line::Groups((0..rows).map(|r| r * cols + c).collect())));
            let s = suppress_cells(&cells, &lines, k);
            for (i, c) in cells.iter().enumerate() {
                if s.cells[i] == Suppression::Published {
                    prop_assert!(!c.sensitive(k), "cell {i} {c:?} is published");
                }
            }
            for (l, line) in lines.iter().enumerate() {
                if s.line_totals[l] {
                    continue;
                }
                let hidden: Vec<usize> = line.cells().iter().copied().filter(|&c| s.cells[c] != Suppression::Published).collect();
                prop_assert!(line.protects(&cells, &hidden, k), "line {l}: {hidden:?}");
                if !hidden.is_empty() {
                    let union = Cell::union(hidden.iter().map(|&c| cells[c]));
                    prop_assert!(hidden.len() >= 2 && !union.sensitive(k));
                }
            }
        }
    }
}
