//! The JCC's vessel-movements table, as CSV and as the HDX xlsx.
//!
//! Both formats hold one row per cargo line: `Outbound` opens voyage `#`,
//! and each following `Outbound +` row adds another cargo line to it.
//! Columns are found by header name (either format's spelling), so a
//! reordered export still reads.

use std::io::{Read, Seek};
use std::path::Path;

use calamine::{Data, Reader, Xlsx};

use crate::rows::{Cell, RawRow, RowError, assemble, col};
use crate::{FileError, Format, Parsed};

/// Header spellings, CSV's first. The xlsx renamed four columns.
const HEADERS: &[(&str, &[&str])] = &[
    ("status", &["Status"]),
    ("seq", &["#", "Outbound Sequence"]),
    ("vessel", &["Vessel name"]),
    ("imo", &["IMO"]),
    ("port", &["Departure port"]),
    ("country", &["Country"]),
    ("commodity", &["Commodity"]),
    ("tonnes", &["Metric tons", "Tonnage"]),
    ("departure", &["Departure date", "Departure"]),
    (
        "inspection",
        &[
            "Inspection cleared",
            "Inspection İstanbul",
            "Inspection Istanbul",
        ],
    ),
    ("income", &["Income group"]),
    ("flag", &["Flag"]),
    ("wb", &["World Bank region"]),
    ("un", &["UN region"]),
    ("dev", &["Development category"]),
    ("wfp", &["WFP"]),
];

/// Column positions by field (in `HEADERS` order), from a header row.
struct Columns([Option<usize>; HEADERS.len()]);

impl Columns {
    fn from_header<'a>(
        file: &str,
        header: impl Iterator<Item = &'a str>,
    ) -> Result<Columns, FileError> {
        let names: Vec<String> = header
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_lowercase())
            .collect();
        let mut map = [None; HEADERS.len()];
        for (slot, (field, spellings)) in map.iter_mut().zip(HEADERS) {
            if let Some(i) = names
                .iter()
                .position(|n| spellings.iter().any(|s| s.to_lowercase() == *n))
            {
                *slot = Some(i);
            } else if *field != "wfp" {
                return Err(FileError::MissingColumn {
                    file: file.to_string(),
                    column: spellings[0].to_string(),
                });
            }
        }
        Ok(Columns(map))
    }

    /// The row's cells by field; takes them out of `cells` (a column
    /// named twice gives its cell once, the second time empty).
    fn row(&self, row: u64, mut cells: Vec<Cell>) -> RawRow {
        let mut get = |f: usize| {
            self.0[f]
                .and_then(|i| cells.get_mut(i))
                .map(std::mem::take)
                .unwrap_or(Cell::Empty)
        };
        RawRow {
            row,
            status: get(0),
            seq: get(1),
            vessel: get(2),
            imo: get(3),
            port: get(4),
            country: get(5),
            commodity: get(6),
            tonnes: get(7),
            departure: get(8),
            inspection: get(9),
            income_group: get(10),
            flag: get(11),
            wb_region: get(12),
            un_region: get(13),
            development: get(14),
            wfp: self.0[15].is_some().then(|| get(15)),
        }
    }
}

/// Reads the CSV export. Rows that are not valid UTF-8 or not valid CSV are
/// reported like any other bad row.
pub fn read_csv(file: &str, input: impl Read) -> Result<Parsed, FileError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(input);
    let header = reader
        .byte_headers()
        .map_err(|e| FileError::Csv {
            file: file.into(),
            reason: e.to_string(),
        })?
        .clone();
    if header.is_empty() {
        return Err(FileError::Empty { file: file.into() });
    }
    let header: Vec<String> = header
        .iter()
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .collect();
    let columns = Columns::from_header(file, header.iter().map(String::as_str))?;
    let mut errors = Vec::new();
    let mut records = reader.byte_records().enumerate();
    // Rows stream into `assemble` one at a time; unreadable ones are
    // reported here and skipped.
    let rows = std::iter::from_fn(|| {
        loop {
            let (i, rec) = records.next()?;
            let row = i as u64 + 2;
            let record = match rec {
                Ok(r) => r,
                Err(e) => {
                    let fatal = matches!(e.kind(), csv::ErrorKind::Io(_));
                    errors.push(RowError {
                        file: file.into(),
                        row,
                        column: None,
                        reason: format!("unreadable CSV: {e}"),
                    });
                    if fatal {
                        return None;
                    }
                    continue;
                }
            };
            let mut cells = Vec::with_capacity(record.len());
            let mut bad = None;
            for (c, field) in record.iter().enumerate() {
                match std::str::from_utf8(field) {
                    Ok(s) if s.trim().is_empty() => cells.push(Cell::Empty),
                    Ok(s) => cells.push(Cell::Text(s.to_string())),
                    Err(_) => {
                        bad = Some(
                            header
                                .get(c)
                                .cloned()
                                .unwrap_or_else(|| format!("column {}", c + 1)),
                        );
                        break;
                    }
                }
            }
            if let Some(column) = bad {
                errors.push(RowError {
                    file: file.into(),
                    row,
                    column: Some(column),
                    reason: "not valid UTF-8 text".into(),
                });
                continue;
            }
            return Some(columns.row(row, cells));
        }
    });
    let a = assemble(file, rows);
    let rows_read = a.rows_read + errors.len() as u64;
    errors.extend(a.errors);
    errors.sort_by_key(|e| e.row);
    Ok(Parsed {
        file: file.into(),
        format: Format::JccCsv,
        rows_read,
        voyages: a.voyages,
        errors,
        warnings: a.warnings,
    })
}

/// Reads the `Data` sheet of the HDX workbook.
pub fn read_xlsx(file: &str, input: impl Read + Seek) -> Result<Parsed, FileError> {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(input).map_err(|e: calamine::XlsxError| {
            FileError::Xlsx {
                file: file.into(),
                reason: e.to_string(),
            }
        })?;
    let sheet = "Data";
    let range = match book.worksheet_range(sheet) {
        Ok(r) => r,
        Err(_) => {
            return Err(FileError::NoSheet {
                file: file.into(),
                sheet: sheet.into(),
                found: book.sheet_names().join(", "),
            });
        }
    };
    let first_row = range.start().map(|(r, _)| r as u64 + 1).unwrap_or(1);
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .ok_or(FileError::Empty { file: file.into() })?
        .iter()
        .map(|c| c.to_string())
        .collect();
    let columns = Columns::from_header(file, header.iter().map(String::as_str))?;
    let raw: Vec<RawRow> = rows
        .enumerate()
        .map(|(i, cells)| {
            let cells: Vec<Cell> = cells.iter().map(cell).collect();
            columns.row(first_row + 1 + i as u64, cells)
        })
        .collect();
    let a = assemble(file, raw);
    Ok(Parsed {
        file: file.into(),
        format: Format::HdxXlsx,
        rows_read: a.rows_read,
        voyages: a.voyages,
        errors: a.errors,
        warnings: a.warnings,
    })
}

fn cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DateTime(dt) => Cell::DateSerial(dt.as_f64()),
        Data::Error(e) => Cell::Text(format!("#ERROR {e:?}")),
    }
}

/// Reads a file in either format, told apart by content (an xlsx is a zip).
pub fn read_path(path: &Path) -> Result<Parsed, FileError> {
    let file = path.display().to_string();
    let io = |source| FileError::Io {
        file: file.clone(),
        source,
    };
    let bytes = std::fs::read(path).map_err(io)?;
    read_bytes(&file, &bytes)
}

/// Like [`read_path`], on bytes already in memory.
pub fn read_bytes(file: &str, bytes: &[u8]) -> Result<Parsed, FileError> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(file, std::io::Cursor::new(bytes))
    } else {
        read_csv(file, bytes)
    }
}

/// The header the CSV export uses, for writers of the same format.
pub const CSV_HEADER: &[&str] = &[
    col::STATUS,
    col::SEQ,
    col::VESSEL,
    col::IMO,
    col::PORT,
    col::COUNTRY,
    col::COMMODITY,
    col::TONNES,
    col::DEPARTURE,
    col::INSPECTION,
    "Income group",
    "Flag",
    "World Bank region",
    "UN region",
    "Development category",
    col::WFP,
];
