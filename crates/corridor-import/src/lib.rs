//! Readers for published voyage tables.
//!
//! A reader turns a file into [`VoyageRecord`]s and a list of [`RowError`]s;
//! it never stops at a bad row and never panics on input. It does not touch
//! a store: whether bad rows abort the import (`--strict`) is the caller's
//! choice, made before anything is written.
//!
//! Supported: the JCC's vessel-movements table as CSV (the UN website's
//! export) and as the HDX xlsx (`Data` sheet), see [`jcc`].
//! [`write`] prints the record back in the same table (CSV or typed JSON),
//! which the CSV reader reads back to the same record.

#[cfg(feature = "fuzz-checks")]
pub mod fuzz_checks;
pub mod jcc;
mod rows;
pub mod write;

use std::fmt;

use corridor_domain::VoyageRecord;
use jiff::civil::Date;

pub use rows::RowError;

/// A file that could not be read at all (as opposed to a bad row in it).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: not a spreadsheet we can read: {reason}")]
    Xlsx { file: String, reason: String },
    #[error("{file}: its sheet {sheet:?} cannot be read: {reason}")]
    DamagedSheet {
        file: String,
        sheet: String,
        reason: String,
    },
    #[error("{file}: no sheet named {sheet:?} (sheets: {found})")]
    NoSheet {
        file: String,
        sheet: String,
        found: String,
    },
    #[error("{file}: missing column {column:?}: {found}")]
    MissingColumn {
        file: String,
        column: String,
        /// What the header row holds, and why it may not match.
        found: String,
    },
    #[error("{file}: the file is empty")]
    Empty { file: String },
    #[error("{file}: {reason}")]
    Csv { file: String, reason: String },
}

/// The published format a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    JccCsv,
    HdxXlsx,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::JccCsv => "JCC vessel-movements CSV",
            Format::HdxXlsx => "HDX vessel-movements xlsx",
        })
    }
}

/// What a reader made of a file.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub file: String,
    pub format: Format,
    /// Data rows read (blank rows excluded).
    pub rows_read: u64,
    /// Voyages whose every row was valid.
    pub voyages: Vec<VoyageRecord>,
    /// Every row that was refused, in file order.
    pub errors: Vec<RowError>,
    /// Rows imported as published but worth a look (an IMO number whose
    /// check digit fails).
    pub warnings: Vec<RowError>,
}

/// How a file is read.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// A departure or inspection date after this is refused with its row
    /// (the import passes tomorrow): one mistyped year must cost its voyage,
    /// not make the file's snapshot date a day that has not come.
    pub latest: Option<Date>,
}

impl Parsed {
    /// The latest departure date in the file.
    pub fn latest_departure(&self) -> Option<Date> {
        self.voyages.iter().map(|v| v.departure).max()
    }

    /// The latest date in the file, departure or inspection: the default
    /// snapshot date (an edition that only adds inspection dates is newer
    /// than the one before it, though its departures are the same).
    pub fn latest_date(&self) -> Option<Date> {
        self.voyages
            .iter()
            .map(|v| {
                v.inspection_cleared
                    .map_or(v.departure, |i| i.max(v.departure))
            })
            .max()
    }

    pub fn cargo_lines(&self) -> usize {
        self.voyages.iter().map(|v| v.cargo.len()).sum()
    }

    /// Rows not imported: those refused, and the good rows of a voyage
    /// refused for another of its rows (each imported row is one cargo
    /// line). Not the number of errors, which may name a row twice, or
    /// none of a voyage's other rows.
    pub fn rows_rejected(&self) -> u64 {
        self.rows_read.saturating_sub(self.cargo_lines() as u64)
    }

    /// Rows refused because their bytes are not UTF-8 text: many of them
    /// mean the file was saved in another encoding, which one note says
    /// better than an error per row.
    pub fn rows_not_utf8(&self) -> usize {
        let mut rows: Vec<u64> = self
            .errors
            .iter()
            .filter(|e| e.is_not_utf8())
            .map(|e| e.row)
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows.len()
    }
}
