//! Staff roles and what each may see.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::reference::AreaCode;

/// A staff role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StaffRole {
    /// Waves, accounts, the frame, reference data; the audit log.
    Administrator,
    /// Dashboards and PDFs of their own wards/communes only.
    Official,
    /// The whole city, aggregated; exports and de-identified microdata.
    Statistician,
}

impl StaffRole {
    /// All roles.
    pub const ALL: [StaffRole; 3] =
        [StaffRole::Administrator, StaffRole::Official, StaffRole::Statistician];

    /// The name used in the database and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Administrator => "administrator",
            StaffRole::Official => "official",
            StaffRole::Statistician => "statistician",
        }
    }

    /// Parses a role name.
    pub fn parse(name: &str) -> Option<StaffRole> {
        StaffRole::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// What a signed-in person may see of the areas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Every area (statisticians, administrators).
    City,
    /// Only these wards/communes (an official's own, groups expanded).
    Areas(BTreeSet<AreaCode>),
}

impl Access {
    /// Whether figures of `area` may be shown.
    pub fn covers(&self, area: &AreaCode) -> bool {
        match self {
            Access::City => true,
            Access::Areas(areas) => areas.contains(area),
        }
    }
}
