//! Reference data: the province's wards and communes, VSIC sections (2018 and 2025),
//! enterprise size rules.
//! All of it is data in `surveys/reference/`, so another province is a data change.

mod codes;
mod contacts;
mod load;
mod quasi;
mod size;
mod vsic;

pub use codes::{AreaCode, CodeError, TaxCode, VsicSection};
pub use contacts::Contact;
pub use load::ReferenceError;
pub use quasi::QuasiIdentifier;
pub use size::{Amount, SizeClass, SizeLimit, SizeRules};
pub use vsic::{ConversionError, Correspondence, Vsic, VsicVersion};

use std::collections::HashMap;

use serde::Serialize;

use crate::kernel::Text;

/// A ward (phường), commune (xã) or special zone (đặc khu).
#[derive(Debug, Clone, Serialize)]
pub struct Area {
    pub code: AreaCode,
    pub name: Text,
    /// `phuong`, `xa` or `dac_khu`.
    pub kind: String,
}

/// A named group of areas, such as a former district.
#[derive(Debug, Clone, Serialize)]
pub struct AreaGroup {
    pub code: String,
    pub name: Text,
    pub areas: Vec<AreaCode>,
}

/// A VSIC section of one version, with its name.
#[derive(Debug, Clone, Serialize)]
pub struct Sector {
    pub section: VsicSection,
    pub name: Text,
}

/// All reference data, loaded once at start.
#[derive(Debug, Clone)]
pub struct Reference {
    pub areas: Vec<Area>,
    /// Targets the statistics track (`targets.toml`).
    pub targets: Vec<crate::stats::Target>,
    /// Quasi-identifiers of each questionnaire's microdata (`quasi_identifiers.toml`).
    pub quasi_identifiers: Vec<QuasiIdentifier>,
    /// The survey contact of each ward that has its own (`contacts.csv`).
    pub contacts: HashMap<AreaCode, Contact>,
    pub groups: Vec<AreaGroup>,
    /// VSIC 2018 and 2025, and how their sections correspond.
    pub vsic: Vsic,
    pub sizes: SizeRules,
    area_index: HashMap<AreaCode, usize>,
}

impl Reference {
    /// Builds the reference data from its parts.
    pub fn new(
        areas: Vec<Area>,
        groups: Vec<AreaGroup>,
        vsic: Vsic,
        sizes: SizeRules,
    ) -> Reference {
        let area_index = areas.iter().enumerate().map(|(i, a)| (a.code.clone(), i)).collect();
        Reference {
            areas,
            groups,
            vsic,
            sizes,
            area_index,
            targets: Vec::new(),
            quasi_identifiers: Vec::new(),
            contacts: HashMap::new(),
        }
    }

    /// The area with this code.
    pub fn area(&self, code: &AreaCode) -> Option<&Area> {
        self.area_index.get(code).map(|&i| &self.areas[i])
    }

    /// The place of the area with this code, given as text, in [`Reference::areas`].
    pub fn area_position(&self, code: &str) -> Option<usize> {
        self.area_index.get(code).copied()
    }

    /// The area with this code, given as text.
    pub fn area_by_str(&self, code: &str) -> Option<&Area> {
        AreaCode::parse(code).ok().and_then(|c| self.area(&c))
    }

    /// The sections of a VSIC version, in order.
    pub fn sectors(&self, version: VsicVersion) -> &[Sector] {
        self.vsic.sectors(version)
    }

    /// A section of a VSIC version, with its name.
    pub fn sector(&self, version: VsicVersion, section: VsicSection) -> Option<&Sector> {
        self.vsic.sector(version, section)
    }
}
