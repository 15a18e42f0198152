//! The business register's frame of a wave: checked line by line, replaced all or nothing,
//! audited. The command line and the admin page both import through here.

use std::io::Read;

use crate::app::App;
use crate::frame::read_frame;
use crate::store::{self, StoreError};

/// Why a frame was not imported; nothing changed.
#[derive(Debug)]
pub enum FrameError {
    NoWave(String),
    /// Every problem of the file, each as `line N: …`.
    Invalid(Vec<String>),
    Store(StoreError),
}

impl From<StoreError> for FrameError {
    fn from(e: StoreError) -> Self {
        FrameError::Store(e)
    }
}

/// What was imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub strata: usize,
    pub enterprises: u64,
}

impl Imported {
    /// As the audit log and the command line say it.
    pub fn summary(&self) -> String {
        format!("{} strata, {} enterprises", self.strata, self.enterprises)
    }
}

/// Replaces the frame of `wave` with the CSV `input`, in one transaction with its audit
/// entry by `actor` (from `address`).
pub fn import_frame(
    app: &App,
    wave: &str,
    input: impl Read,
    actor: &str,
    address: Option<&str>,
) -> Result<Imported, FrameError> {
    if app.store.read(|c| store::wave(c, wave))?.is_none() {
        return Err(FrameError::NoWave(wave.to_string()));
    }
    let rows = read_frame(input, &app.reference).map_err(FrameError::Invalid)?;
    let imported =
        Imported { strata: rows.len(), enterprises: rows.iter().map(|r| r.enterprises).sum() };
    let detail = imported.summary();
    app.store.write(|tx| {
        store::replace_frame(tx, wave, &rows)?;
        store::audit(tx, Some(actor), "frame.import", Some(wave), Some(&detail), address)
    })?;
    Ok(imported)
}
