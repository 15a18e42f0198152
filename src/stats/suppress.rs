//! Small-cell suppression.
//!
//! Primary: a cell with fewer than `k` respondents is not published (shown as suppressed, never
//! as 0). Secondary: in every line of cells whose total is published (a row or column of a
//! breakdown, such as the size classes of one area), the suppressed cells must be either none,
//! or at least two that together hold at least `k` respondents; otherwise the next smallest cell
//! is suppressed too, and so on. A line that cannot be protected that way has its total
//! suppressed. Subtracting published cells from a published total then never reveals fewer than
//! `k` respondents.

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

/// Applies primary and secondary suppression to cells with `counts` respondents, where each of
/// `lines` lists cells whose total is published. `k` is raised to the minimum if set lower.
pub fn suppress(counts: &[u32], lines: &[Vec<usize>], k: u32) -> Suppressed {
    let k = k.max(MIN_THRESHOLD);
    let mut cells: Vec<Suppression> = counts
        .iter()
        .map(|&n| if n < k { Suppression::Primary } else { Suppression::Published })
        .collect();
    let mut line_totals = vec![false; lines.len()];
    loop {
        let mut changed = false;
        for (l, line) in lines.iter().enumerate() {
            if line_totals[l] {
                continue;
            }
            let hidden: Vec<usize> =
                line.iter().copied().filter(|&c| cells[c] != Suppression::Published).collect();
            let hidden_n: u32 = hidden.iter().map(|&c| counts[c]).sum();
            if hidden.is_empty() || (hidden.len() >= 2 && hidden_n >= k) {
                continue;
            }
            let next = line
                .iter()
                .copied()
                .filter(|&c| cells[c] == Suppression::Published)
                .min_by_key(|&c| (counts[c], c));
            match next {
                Some(c) => cells[c] = Suppression::Secondary,
                None => line_totals[l] = true,
            }
            changed = true;
        }
        if !changed {
            return Suppressed { cells, line_totals };
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
}
