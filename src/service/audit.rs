//! Reading the audit log: a filtered page of entries, newest first.

use crate::app::App;
use crate::store::{self, AuditEntry, AuditFilter, StoreError};

/// The most entries one reading gives.
pub const SHOWN: u32 = 500;

/// A page of the audit log.
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// More entries match than [`SHOWN`].
    pub capped: bool,
    /// Every action the log holds, for the filter.
    pub actions: Vec<String>,
}

/// The newest entries `filter` selects (its limit is ignored: at most [`SHOWN`]).
pub fn entries(app: &App, filter: &AuditFilter) -> Result<AuditPage, StoreError> {
    let filter = AuditFilter { limit: SHOWN + 1, ..filter.clone() };
    let (mut entries, actions) =
        app.store.read(|c| Ok((store::audit_entries(c, &filter)?, store::audit_actions(c)?)))?;
    let capped = entries.len() > SHOWN as usize;
    entries.truncate(SHOWN as usize);
    Ok(AuditPage { entries, capped, actions })
}
