//! What an agent registers: the application's content, its canonical content
//! hash, and the document checklist.

use crate::config::CorridorConfig;
use corridor_domain::text::plain_text_problem;
use corridor_ledger::{CanonicalError, Hash, to_canonical_bytes};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Vessel particulars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vessel {
    /// IMO number (seven digits).
    pub imo: String,
    /// Name.
    pub name: String,
    /// Flag state (ISO 3166 alpha-2).
    pub flag: String,
    /// MMSI, if any.
    #[serde(default)]
    pub mmsi: Option<String>,
    /// Deadweight in tonnes.
    pub deadweight_tonnes: u64,
}

impl Vessel {
    /// The IMO number, if the declared one is valid (seven digits, the
    /// last a check digit; "IMO 9074729" reads as 9074729).
    pub fn imo_number(&self) -> Option<u32> {
        self.imo
            .parse::<corridor_domain::Imo>()
            .ok()
            .map(corridor_domain::Imo::get)
    }

    /// Whether `other` declares the same ship: the same IMO number (as a
    /// number where both are valid: "IMO 9074729" is 9074729), else the
    /// same text.
    pub fn same_ship(&self, other: &Vessel) -> bool {
        match (self.imo_number(), other.imo_number()) {
            (Some(a), Some(b)) => a == b,
            _ => self.imo.trim() == other.imo.trim(),
        }
    }

    /// The MMSI tracking knows the vessel by: nine digits, without padding
    /// (applications stored before that was checked may hold something
    /// else: then none).
    pub fn mmsi_digits(&self) -> Option<&str> {
        self.mmsi
            .as_deref()
            .map(str::trim)
            .filter(|m| m.len() == 9 && m.bytes().all(|b| b.is_ascii_digit()))
    }
}

/// Where the voyage goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Itinerary {
    /// The corridor port (UN/LOCODE) the vessel loads or discharges at.
    pub port: String,
    /// Port of origin (UN/LOCODE).
    pub from_port: String,
    /// Declared destination port (UN/LOCODE).
    pub to_port: String,
    /// Declared destination country (ISO 3166 alpha-2).
    pub destination_country: String,
}

/// One parcel of the cargo plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CargoLine {
    /// Commodity name as in the configuration (e.g. `wheat`).
    pub commodity: String,
    /// Tonnes (integer).
    pub tonnes: u64,
}

/// A previous port call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortCall {
    /// UN/LOCODE.
    pub locode: String,
    /// Arrival.
    #[serde(with = "corridor_ledger::time::rfc3339")]
    pub arrived: Timestamp,
    /// Departure.
    #[serde(with = "corridor_ledger::time::rfc3339")]
    pub departed: Timestamp,
}

/// An uploaded document (the file itself lives in the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Checklist kind, e.g. `crew_list`.
    pub kind: String,
    /// Original file name.
    pub filename: String,
    /// SHA-256 of the file.
    pub sha256: Hash,
    /// Size in bytes.
    pub size_bytes: u64,
}

/// Everything the agent declares. Its canonical JSON is what the content
/// hash covers, and so what every party's signature is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationContent {
    /// The vessel.
    pub vessel: Vessel,
    /// The voyage.
    pub itinerary: Itinerary,
    /// Cargo plan.
    pub cargo: Vec<CargoLine>,
    /// Crew on board.
    pub crew_count: u32,
    /// Passengers on board.
    pub passenger_count: u32,
    /// The last port calls, most recent first (at most the configured number).
    pub last_port_calls: Vec<PortCall>,
    /// Estimated arrival at the inspection area.
    #[serde(with = "corridor_ledger::time::rfc3339")]
    pub eta_inspection_area: Timestamp,
    /// Documents.
    pub documents: Vec<Document>,
    /// WFP-chartered humanitarian cargo (goes first in the inspection queue
    /// when the queue rule says so). Omitted when false, so the content
    /// hashes of applications made before the field existed do not change.
    #[serde(default, skip_serializing_if = "is_false")]
    pub wfp: bool,
    /// Perishable cargo (likewise).
    #[serde(default, skip_serializing_if = "is_false")]
    pub perishable: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl ApplicationContent {
    /// SHA-256 of the canonical JSON of the content.
    pub fn content_hash(&self) -> Result<Hash, CanonicalError> {
        Ok(Hash::of(&to_canonical_bytes(self)?))
    }

    /// Total tonnes of the cargo plan (saturating).
    pub fn total_tonnes(&self) -> u64 {
        self.cargo
            .iter()
            .fold(0u64, |a, l| a.saturating_add(l.tonnes))
    }
}

/// A problem with the documents against the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum DocumentProblem {
    /// A required kind is missing.
    #[error("required document \"{}\" ({kind}) is missing", kind.replace('_', " "))]
    Missing { kind: String },
    /// A kind not on the checklist.
    #[error("document kind {kind} is not on this corridor's checklist")]
    UnknownKind { kind: String },
    /// Over the size limit.
    #[error("document {filename} is {size_bytes} bytes, the limit is {max_bytes} ({})", mib(*.max_bytes))]
    TooLarge {
        filename: String,
        size_bytes: u64,
        max_bytes: u64,
    },
    /// Empty file.
    #[error("document {filename} is empty")]
    Empty { filename: String },
    /// Content that is not a document type the parties read.
    #[error(
        "document {filename} is not a PDF, PNG, JPEG, TIFF, DOCX or XLSX file: its content is {found}"
    )]
    NotADocument { filename: String, found: String },
}

/// A size in MiB, as people read a limit.
pub fn mib(bytes: u64) -> String {
    format!("{:.0} MiB", bytes as f64 / 1_048_576.0)
}

/// The document types the parties read, told by content (a file's name
/// and the browser's MIME type are the sender's say-so).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentType {
    Pdf,
    Png,
    Jpeg,
    Tiff,
    /// A Word or Excel file (Office Open XML).
    OfficeOpenXml,
}

/// The document type of `bytes`, or what the content looks like instead.
pub fn document_type(bytes: &[u8]) -> Result<DocumentType, &'static str> {
    const OOXML_FIRST_ENTRY: &[u8] = b"[Content_Types].xml";
    let starts = |p: &[u8]| bytes.starts_with(p);
    if starts(b"%PDF-") {
        Ok(DocumentType::Pdf)
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Ok(DocumentType::Png)
    } else if starts(&[0xFF, 0xD8, 0xFF]) {
        Ok(DocumentType::Jpeg)
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        Ok(DocumentType::Tiff)
    } else if starts(b"PK\x03\x04") {
        // A zip's first entry name starts at byte 30; an OOXML file's first
        // entry is its content-types part.
        match bytes.get(30..30 + OOXML_FIRST_ENTRY.len()) {
            Some(name) if name == OOXML_FIRST_ENTRY => Ok(DocumentType::OfficeOpenXml),
            _ => Err("a zip archive"),
        }
    } else if starts(b"MZ") {
        Err("a Windows program")
    } else if starts(b"\x7fELF") {
        Err("a Linux program")
    } else if starts(b"#!") {
        Err("a script")
    } else if bytes.trim_ascii_start().starts_with(b"<") {
        Err("HTML or XML")
    } else if std::str::from_utf8(bytes).is_ok() {
        Err("plain text")
    } else {
        Err("not recognised")
    }
}

/// Checks an upload's content: one of the [`DocumentType`]s.
pub fn check_content(filename: &str, bytes: &[u8]) -> Result<DocumentType, DocumentProblem> {
    document_type(bytes).map_err(|found| DocumentProblem::NotADocument {
        filename: filename.to_string(),
        found: found.to_string(),
    })
}

/// Checks the documents of `content` against the corridor's checklist.
pub fn check_documents(
    content: &ApplicationContent,
    config: &CorridorConfig,
) -> Vec<DocumentProblem> {
    let d = &config.documents;
    let mut out = Vec::new();
    for doc in &content.documents {
        if !d.required.contains(&doc.kind) && !d.optional.contains(&doc.kind) {
            out.push(DocumentProblem::UnknownKind {
                kind: doc.kind.clone(),
            });
        }
        if doc.size_bytes > d.max_file_bytes {
            out.push(DocumentProblem::TooLarge {
                filename: doc.filename.clone(),
                size_bytes: doc.size_bytes,
                max_bytes: d.max_file_bytes,
            });
        }
        if doc.size_bytes == 0 {
            out.push(DocumentProblem::Empty {
                filename: doc.filename.clone(),
            });
        }
    }
    for kind in &d.required {
        if !content.documents.iter().any(|doc| &doc.kind == kind) {
            out.push(DocumentProblem::Missing { kind: kind.clone() });
        }
    }
    out
}

/// Checks one upload before it is stored (size only; the kind is checked at submission).
pub fn check_upload(
    filename: &str,
    size_bytes: u64,
    config: &CorridorConfig,
) -> Result<(), DocumentProblem> {
    if size_bytes == 0 {
        return Err(DocumentProblem::Empty {
            filename: filename.to_string(),
        });
    }
    if size_bytes > config.documents.max_file_bytes {
        return Err(DocumentProblem::TooLarge {
            filename: filename.to_string(),
            size_bytes,
            max_bytes: config.documents.max_file_bytes,
        });
    }
    Ok(())
}

/// Longest text in one field of an application (names, codes, file names):
/// the longest real one is a vessel or port name of some 40 characters.
pub const MAX_FIELD_CHARS: usize = 200;

/// Control characters a multi-line reason may hold.
pub const LINE_BREAKS: &[char] = &['\n', '\r', '\t'];

/// Every text field of `content` is plain text of a sane length; the first
/// that is not is named by its path (`vessel.name`, `cargo[1].commodity`).
/// An MMSI, if declared, is nine digits.
pub fn check_text(content: &ApplicationContent) -> Result<(), String> {
    // Tracking matches the vessel's reports by it (its arrival orders the queue).
    if let Some(m) = &content.vessel.mmsi
        && (content.vessel.mmsi_digits() != Some(m.as_str()))
    {
        return Err(format!(
            "vessel.mmsi: {m:?} is not an MMSI (nine digits, as the vessel's AIS sends it)"
        ));
    }
    fn walk(v: &serde_json::Value, path: &mut String) -> Result<(), String> {
        match v {
            serde_json::Value::String(s) => match plain_text_problem(s, MAX_FIELD_CHARS, &[]) {
                Some(p) => Err(format!("{path}: {p}")),
                None => Ok(()),
            },
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            serde_json::Value::Object(fields) => {
                for (k, item) in fields {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    let v = serde_json::to_value(content).map_err(|e| e.to_string())?;
    walk(&v, &mut String::new())
}
