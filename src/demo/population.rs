//! A plausible synthetic population of Hanoi enterprises: where they are, what they do, how
//! big they are, and a latent digital maturity that depends on size and sector.

use fastrand::Rng;

use crate::reference::{Reference, SizeClass, VsicSection};

/// Shares of enterprises by VSIC section, roughly as in Hanoi's business register
/// (trade dominates, then manufacturing and construction).
const SECTIONS: &[(char, f64)] = &[
    ('A', 0.5),
    ('B', 0.3),
    ('C', 12.0),
    ('D', 0.4),
    ('E', 0.6),
    ('F', 12.0),
    ('G', 38.0),
    ('H', 6.0),
    ('I', 4.0),
    ('J', 5.0),
    ('K', 1.5),
    ('L', 3.0),
    ('M', 7.0),
    ('N', 4.0),
    ('P', 1.5),
    ('Q', 1.0),
    ('R', 0.8),
    ('S', 1.4),
];

/// How much more or less digitally mature a sector tends to be than average.
fn sector_effect(section: char) -> f64 {
    match section {
        'J' => 0.18,
        'K' => 0.14,
        'M' => 0.08,
        'Q' | 'P' => 0.03,
        'G' | 'I' | 'N' | 'L' => 0.0,
        'C' | 'H' | 'D' | 'E' => -0.03,
        'F' | 'S' | 'R' => -0.06,
        _ => -0.12,
    }
}

/// One synthetic enterprise.
#[derive(Debug, Clone)]
pub struct Enterprise {
    pub area: usize,
    pub section: VsicSection,
    pub size: SizeClass,
    pub employees: i64,
    /// Latent digital maturity, 0–1.
    pub maturity: f64,
    /// Whether the firm innovates at all: innovation answers cluster in few firms.
    pub innovator: bool,
}

/// Draws enterprises: urban wards hold more firms than rural communes.
pub struct Population {
    area_weights: Vec<f64>,
    section_weights: Vec<f64>,
}

impl Population {
    pub fn new(reference: &Reference) -> Population {
        let area_weights =
            reference.areas.iter().map(|a| if a.kind == "phuong" { 4.0 } else { 1.0 }).collect();
        let section_weights = SECTIONS.iter().map(|(_, w)| *w).collect();
        Population { area_weights, section_weights }
    }

    pub fn draw(&self, rng: &mut Rng) -> Enterprise {
        let area = pick(rng, &self.area_weights);
        let letter = SECTIONS[pick(rng, &self.section_weights)].0;
        let section = VsicSection::parse(&letter.to_string())
            .unwrap_or_else(|_| VsicSection::all().next().expect("A"));
        let (size, employees) = match rng.f64() {
            x if x < 0.70 => (SizeClass::Micro, rng.i64(1..=10)),
            x if x < 0.93 => (SizeClass::Small, rng.i64(11..=50)),
            x if x < 0.97 => (SizeClass::Medium, rng.i64(51..=100)),
            _ => (SizeClass::Large, rng.i64(101..=3000)),
        };
        let base = match size {
            SizeClass::Micro => 0.28,
            SizeClass::Small => 0.42,
            SizeClass::Medium => 0.55,
            SizeClass::Large => 0.68,
        };
        let maturity = (base + sector_effect(letter) + 0.16 * normal(rng)).clamp(0.0, 1.0);
        let innovator = rng.f64() < 0.05 + 0.5 * maturity;
        Enterprise { area, section, size, employees, maturity, innovator }
    }
}

/// An index drawn with probability proportional to its weight.
pub fn pick(rng: &mut Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.f64() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// A standard normal draw (Box–Muller).
pub fn normal(rng: &mut Rng) -> f64 {
    let u = rng.f64().max(f64::MIN_POSITIVE);
    let v = rng.f64();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}
