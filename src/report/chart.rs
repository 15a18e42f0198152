//! Vector charts: horizontal bars with their values printed, and estimates with their 95%
//! intervals against a target line. The palette differs in lightness as well as hue, so a
//! grayscale print keeps every series apart; the target is a dashed line, the trajectory a
//! dotted one.

use super::layout::{INK, MUTED, RULE, WIDTH};
use super::pdf::{Colour, Document, MARGIN, Page, Style, Weight, shortened};

/// First series: dark blue (about 25% lightness in grayscale).
pub const PRIMARY: Colour = Colour(22, 62, 110);
/// Second series: light blue-gray (about 70%).
pub const SECONDARY: Colour = Colour(155, 185, 215);
const BAND: Colour = Colour(190, 208, 230);
const TARGET: Colour = Colour(170, 25, 25);
const TRAJECTORY: Colour = Colour(200, 110, 0);
const GRID: Colour = Colour(225, 225, 225);

const LABEL: Style = Style::new(8.0, Weight::Regular, INK);
const VALUE: Style = Style::new(7.5, Weight::Regular, INK);
const AXIS: Style = Style::new(7.5, Weight::Regular, MUTED);

const BAR: f32 = 3.8;
const GROUP_GAP: f32 = 2.4;
const LEGEND: f32 = 6.0;
const AXIS_SPACE: f32 = 10.0;
const LABEL_COLUMN: f32 = 58.0;
/// Room right of the longest possible bar for its value.
const VALUE_ROOM: f32 = 24.0;

/// A named series of bars.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub colour: Colour,
}

/// A reference line across the plot, with its legend.
#[derive(Debug, Clone)]
pub struct Marker {
    pub at: f64,
    pub label: String,
}

/// Horizontal bars on a 0–`max` axis, one bar per series in every row; a missing value prints
/// `mark` (a suppressed figure) instead of a bar.
#[derive(Debug, Clone)]
pub struct Bars {
    pub rows: Vec<(String, Vec<Option<f64>>)>,
    pub series: Vec<Series>,
    pub max: f64,
    pub axis: String,
    pub mark: String,
    pub target: Option<Marker>,
    pub format: fn(f64) -> String,
}

impl Bars {
    /// The height the chart takes, legend and axis included.
    pub fn height(&self, doc: &Document) -> f32 {
        let per_row = BAR * self.series.len() as f32 + GROUP_GAP;
        let legend = legend_rows(&self.legend(), |t| doc.text_width(t, AXIS));
        legend as f32 * LEGEND + per_row * self.rows.len() as f32 + AXIS_SPACE
    }

    /// The legend: only needed to tell several series apart, or for the target.
    fn legend(&self) -> Vec<(Symbol, &str)> {
        if self.series.len() < 2 && self.target.is_none() {
            return vec![];
        }
        let mut legend: Vec<(Symbol, &str)> =
            self.series.iter().map(|s| (Symbol::Box(s.colour), s.name.as_str())).collect();
        if let Some(target) = &self.target {
            legend.push((Symbol::Dashed(TARGET), &target.label));
        }
        legend
    }

    pub fn draw(&self, page: &mut Page<'_>, top: f32) {
        let plot_top = top + draw_legend(page, top, &self.legend());
        let left = MARGIN + LABEL_COLUMN;
        let width = WIDTH - LABEL_COLUMN - VALUE_ROOM;
        let x_of = |v: f64| left + width * (v / self.max).clamp(0.0, 1.0) as f32;
        let per_row = BAR * self.series.len() as f32 + GROUP_GAP;
        let plot_bottom = plot_top + per_row * self.rows.len() as f32;
        draw_axis(page, x_of, self.max, plot_top, plot_bottom, &self.axis);
        let mut values_at = Vec::new();
        for (r, (label, values)) in self.rows.iter().enumerate() {
            let row_top = plot_top + r as f32 * per_row + GROUP_GAP / 2.0;
            let middle = row_top + BAR * self.series.len() as f32 / 2.0;
            let shown = shortened(label, LABEL_COLUMN - 3.0, |t| page.width(t, LABEL));
            page.text(MARGIN, middle + 1.1, LABEL, &shown);
            for (s, value) in values.iter().enumerate() {
                let bar_top = row_top + s as f32 * BAR;
                let baseline = bar_top + BAR / 2.0 + 1.0;
                match value {
                    Some(v) => {
                        let end = x_of(*v);
                        page.rect(
                            left,
                            bar_top + 0.3,
                            end - left,
                            BAR - 0.6,
                            self.series[s].colour,
                        );
                        values_at.push((end + 1.2, baseline, (self.format)(*v)));
                    }
                    None => page.text(left + 1.2, baseline, AXIS, &self.mark),
                }
            }
        }
        if let Some(target) = &self.target {
            let x = x_of(target.at);
            page.dashed_line((x, plot_top), (x, plot_bottom), 1.2, TARGET, &[4.0, 2.0]);
        }
        for (x, baseline, text) in values_at {
            on_white(page, x, baseline, &text);
        }
    }
}

/// An estimate and its interval: (estimate, low, high).
pub type Span = (f64, f64, f64);

/// Estimates with their 95% intervals, one row each, on a 0–100% axis, against a target and
/// a trajectory.
#[derive(Debug, Clone)]
pub struct Intervals {
    /// Label, and the estimate and its interval in percent, or `None` when suppressed.
    pub rows: Vec<(String, Option<Span>)>,
    pub estimate_label: String,
    pub target: Option<Marker>,
    pub trajectory: Option<Marker>,
    pub axis: String,
    pub mark: String,
    pub format: fn(f64) -> String,
}

const INTERVAL_ROW: f32 = 8.0;

impl Intervals {
    /// The height the chart takes, legend and axis included.
    pub fn height(&self, doc: &Document) -> f32 {
        let legend = legend_rows(&self.legend(), |t| doc.text_width(t, AXIS));
        legend as f32 * LEGEND + INTERVAL_ROW * self.rows.len() as f32 + AXIS_SPACE
    }

    fn legend(&self) -> Vec<(Symbol, &str)> {
        let mut legend = vec![(Symbol::Interval, self.estimate_label.as_str())];
        if let Some(target) = &self.target {
            legend.push((Symbol::Dashed(TARGET), &target.label));
        }
        if let Some(trajectory) = &self.trajectory {
            legend.push((Symbol::Dotted(TRAJECTORY), &trajectory.label));
        }
        legend
    }

    pub fn draw(&self, page: &mut Page<'_>, top: f32) {
        let plot_top = top + draw_legend(page, top, &self.legend());
        let plot_bottom = plot_top + INTERVAL_ROW * self.rows.len() as f32;
        let left = MARGIN + LABEL_COLUMN;
        let width = WIDTH - LABEL_COLUMN - VALUE_ROOM;
        let x_of = |v: f64| left + width * (v / 100.0).clamp(0.0, 1.0) as f32;
        draw_axis(page, x_of, 100.0, plot_top, plot_bottom, &self.axis);
        let mut values_at = Vec::new();
        for (r, (label, value)) in self.rows.iter().enumerate() {
            let row_top = plot_top + r as f32 * INTERVAL_ROW;
            let middle = row_top + INTERVAL_ROW / 2.0;
            page.text(
                MARGIN,
                middle + 1.1,
                LABEL,
                &shortened(label, LABEL_COLUMN - 3.0, |t| page.width(t, LABEL)),
            );
            let Some((estimate, low, high)) = *value else {
                page.text(left + 1.2, middle + 1.1, AXIS, &self.mark);
                continue;
            };
            let (x_low, x_high, x) = (x_of(low), x_of(high), x_of(estimate));
            page.rect(x_low, middle - 2.2, (x_high - x_low).max(0.4), 4.4, BAND);
            page.line((x_low, middle), (x_high, middle), 0.8, PRIMARY);
            page.rect(x - 0.7, middle - 2.6, 1.4, 5.2, PRIMARY);
            let text = format!(
                "{} ({}–{})",
                (self.format)(estimate),
                (self.format)(low),
                (self.format)(high)
            );
            values_at.push((x_high + 1.5, middle + 1.1, text));
        }
        if let Some(target) = &self.target {
            let x = x_of(target.at);
            page.dashed_line((x, plot_top), (x, plot_bottom), 1.2, TARGET, &[4.0, 2.0]);
        }
        if let Some(trajectory) = &self.trajectory {
            let x = x_of(trajectory.at);
            page.dashed_line((x, plot_top), (x, plot_bottom), 1.0, TRAJECTORY, &[1.0, 1.5]);
        }
        for (x, baseline, text) in values_at {
            on_white(page, x, baseline, &text);
        }
    }
}

/// A value printed last, on white, so that no reference line runs through its digits.
fn on_white(page: &mut Page<'_>, x: f32, baseline: f32, text: &str) {
    page.rect(x - 0.4, baseline - 3.0, page.width(text, VALUE) + 0.8, 3.8, Colour::WHITE);
    page.text(x, baseline, VALUE, text);
}

#[derive(Debug, Clone, Copy)]
enum Symbol {
    Box(Colour),
    Interval,
    Dashed(Colour),
    Dotted(Colour),
}

/// Where each legend entry goes: (x, row), wrapping at the right margin.
fn legend_layout(entries: &[(Symbol, &str)], width_of: impl Fn(&str) -> f32) -> Vec<(f32, usize)> {
    let (start, end) = (MARGIN + LABEL_COLUMN, MARGIN + WIDTH);
    let (mut x, mut row) = (start, 0);
    entries
        .iter()
        .map(|(symbol, name)| {
            let width = symbol_width(*symbol) + width_of(name);
            if x > start && x + width > end {
                (x, row) = (start, row + 1);
            }
            let at = (x, row);
            x += width + 5.0;
            at
        })
        .collect()
}

fn legend_rows(entries: &[(Symbol, &str)], width_of: impl Fn(&str) -> f32) -> usize {
    legend_layout(entries, width_of).last().map_or(0, |(_, row)| row + 1)
}

fn symbol_width(symbol: Symbol) -> f32 {
    if matches!(symbol, Symbol::Box(_)) { 4.5 } else { 7.5 }
}

/// Draws the legend above the plot and returns its height.
fn draw_legend(page: &mut Page<'_>, top: f32, entries: &[(Symbol, &str)]) -> f32 {
    let places = legend_layout(entries, |t| page.width(t, AXIS));
    for (&(symbol, name), &(x, row)) in entries.iter().zip(&places) {
        let middle = top + 2.2 + row as f32 * LEGEND;
        match symbol {
            Symbol::Box(colour) => page.rect(x, middle - 1.6, 3.2, 3.2, colour),
            Symbol::Interval => {
                page.rect(x, middle - 1.6, 6.0, 3.2, BAND);
                page.rect(x + 2.3, middle - 1.9, 1.4, 3.8, PRIMARY);
            }
            Symbol::Dashed(colour) => {
                page.dashed_line((x, middle), (x + 6.0, middle), 1.2, colour, &[4.0, 2.0]);
            }
            Symbol::Dotted(colour) => {
                page.dashed_line((x, middle), (x + 6.0, middle), 1.0, colour, &[1.0, 1.5]);
            }
        }
        page.text(x + symbol_width(symbol), middle + 1.1, AXIS, name);
    }
    places.last().map_or(0.0, |(_, row)| (row + 1) as f32 * LEGEND)
}

/// Grid lines every fifth of the axis, their values below, and the axis title.
fn draw_axis(
    page: &mut Page<'_>,
    x_of: impl Fn(f64) -> f32,
    max: f64,
    top: f32,
    bottom: f32,
    title: &str,
) {
    for step in 0..=5 {
        let value = max * f64::from(step) / 5.0;
        let x = x_of(value);
        page.line((x, top), (x, bottom), 0.4, if step == 0 { RULE } else { GRID });
        let label = format!("{value:.0}");
        page.text(x - page.width(&label, AXIS) / 2.0, bottom + 3.5, AXIS, &label);
    }
    let (left, right) = (x_of(0.0), x_of(max));
    page.line((left, bottom), (right, bottom), 0.6, RULE);
    let centre = (left + right) / 2.0 - page.width(title, AXIS) / 2.0;
    page.text(centre, bottom + 7.5, AXIS, title);
}
