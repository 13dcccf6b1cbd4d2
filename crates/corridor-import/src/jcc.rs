//! The JCC's vessel-movements table, as CSV and as the HDX xlsx.
//!
//! Both formats hold one row per cargo line: `Outbound` opens voyage `#`,
//! and each following `Outbound +` row adds another cargo line to it.
//! Columns are found by header name (either format's spelling), so a
//! reordered export still reads.

use std::io::{Read, Seek};
use std::path::Path;

use calamine::{Data, Reader, Xlsx};

use crate::rows::{Cell, Checked, RawRow, RowError, assemble, check, col};
use crate::{FileError, Format, Parsed, ReadOptions};

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

/// Column positions by field (in `HEADERS` order), from a header row, and
/// the latest date a row may hold.
struct Columns([Option<usize>; HEADERS.len()], Option<jiff::civil::Date>);

impl Columns {
    fn from_header<'a>(
        file: &str,
        header: impl Iterator<Item = &'a str>,
        options: &ReadOptions,
        csv: bool,
    ) -> Result<Columns, FileError> {
        let originals: Vec<&str> = header.collect();
        let names: Vec<String> = originals
            .iter()
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
                    found: header_found(&originals, csv),
                });
            }
        }
        Ok(Columns(map, options.latest))
    }

    /// The field read from column `index`, by its name in the JCC's header.
    fn field_at(&self, index: usize) -> Option<&'static str> {
        self.0
            .iter()
            .position(|c| *c == Some(index))
            .and_then(|f| HEADERS.get(f))
            .and_then(|(_, spellings)| spellings.first().copied())
    }

    /// Names each reported column as the file's own header does (the
    /// xlsx says "Tonnage" where the CSV says "Metric tons"): the rows are
    /// checked under the CSV's names.
    fn name_as_in_file(&self, header: &[String], reports: &mut [RowError]) {
        for r in reports {
            let Some(c) = r.column.as_deref() else {
                continue;
            };
            let Some(f) = HEADERS.iter().position(|(_, s)| s.first() == Some(&c)) else {
                continue;
            };
            if let Some(name) = self.0[f].and_then(|i| header.get(i)) {
                r.column = Some(name.trim_start_matches('\u{feff}').trim().to_string());
            }
        }
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
            latest: self.1,
        }
    }
}

/// Rows handed from the reading thread to the grouping one at a time, and
/// how many such hand-offs may wait: memory stays bounded whatever the
/// file's size.
const PIPE_ROWS: usize = 1024;
const PIPE_DEPTH: usize = 8;

/// What a header row without a needed column holds, and the likely
/// reason: a file separated by something else, or not UTF-8 text.
fn header_found(names: &[&str], csv: bool) -> String {
    let names: Vec<&str> = names
        .iter()
        .map(|n| n.trim_start_matches('\u{feff}'))
        .collect();
    let mut shown: String = names
        .iter()
        .take(6)
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 6 {
        shown.push_str(", …");
    }
    if shown.chars().count() > 160 {
        shown = shown.chars().take(160).collect::<String>() + "…";
    }
    let all = names.concat();
    let why = if !csv {
        ""
    } else if all.contains('\u{fffd}') || all.contains('\0') {
        "; it is not UTF-8 text (save the file as UTF-8 CSV)"
    } else if names.len() == 1 {
        match [';', '\t', '|'].into_iter().find(|c| all.contains(*c)) {
            Some('\t') => "; the columns look separated by tabs, not commas",
            Some(';') => "; the columns look separated by ';', not commas",
            Some(_) => "; the columns look separated by '|', not commas",
            None => "",
        }
    } else {
        ""
    };
    format!("the header row holds {shown}{why}")
}

/// Reads the CSV export. Rows that are not valid UTF-8 or not valid CSV are
/// reported like any other bad row.
///
/// Two stages on two threads joined by a bounded channel: one reads CSV
/// records and validates each row (rows are independent), this one groups
/// them into voyages in file order. Rows, their numbers and every error
/// come out exactly as from one thread.
pub fn read_csv(file: &str, input: impl Read + Send) -> Result<Parsed, FileError> {
    read_csv_with(file, input, &ReadOptions::default())
}

/// [`read_csv`] with `options`.
pub fn read_csv_with(
    file: &str,
    input: impl Read + Send,
    options: &ReadOptions,
) -> Result<Parsed, FileError> {
    read_csv_on(file, input, true, options)
}

/// [`read_csv`], on two threads or (`two_threads == false`, or when no
/// thread can be started) both stages on this one.
fn read_csv_on(
    file: &str,
    input: impl Read + Send,
    two_threads: bool,
    options: &ReadOptions,
) -> Result<Parsed, FileError> {
    let breaks = LineBreaks::default();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(Counting {
            inner: input,
            breaks: breaks.clone(),
        });
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
    let columns = Columns::from_header(file, header.iter().map(String::as_str), options, true)?;
    // The reader waits here until a thread takes it, so that it is still at
    // hand if no thread can be started (then both stages run here).
    let slot = std::sync::Mutex::new(Some(reader));
    let take = || slot.lock().ok().and_then(|mut r| r.take());
    // The row an I/O error stopped the reading at (0: none).
    let stopped = std::sync::atomic::AtomicU64::new(0);
    let (header, columns, breaks) = (&header, &columns, &breaks);
    let stop = &stopped;
    let mut errors = Vec::new();
    let mut a = std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Result<Checked, RowError>>>(PIPE_DEPTH);
        let spawn = std::thread::Builder::new().name("csv-rows".into());
        let stage_one = two_threads.then(|| {
            spawn.spawn_scoped(s, move || {
                let Some(reader) = take() else { return };
                let mut batch = Vec::with_capacity(PIPE_ROWS);
                for row in checked_rows(file, reader, header, columns, breaks, stop) {
                    batch.push(row);
                    if batch.len() == PIPE_ROWS
                        && tx
                            .send(std::mem::replace(&mut batch, Vec::with_capacity(PIPE_ROWS)))
                            .is_err()
                    {
                        return;
                    }
                }
                if !batch.is_empty() {
                    let _ = tx.send(batch);
                }
            })
        });
        let rows: Box<dyn Iterator<Item = Result<Checked, RowError>> + '_> = match stage_one {
            Some(Ok(_)) => Box::new(rx.into_iter().flatten()),
            // No second thread: the reader is still in its slot.
            _ => Box::new(
                take()
                    .map(|reader| checked_rows(file, reader, header, columns, breaks, stop))
                    .into_iter()
                    .flatten(),
            ),
        };
        assemble(
            file,
            rows.filter_map(|r| match r {
                Ok(row) => Some(row),
                Err(e) => {
                    errors.push(e);
                    None
                }
            }),
        )
    });
    // An I/O error ended the reading: the voyage being read may go on past it.
    let stopped_at = stopped.load(std::sync::atomic::Ordering::Acquire);
    if stopped_at > 0 {
        a.cut_short(file, stopped_at);
    }
    let rows_read = a.rows_read + errors.len() as u64;
    errors.extend(a.errors);
    errors.sort_by_key(|e| e.row);
    columns.name_as_in_file(header, &mut errors);
    columns.name_as_in_file(header, &mut a.warnings);
    Ok(Parsed {
        file: file.into(),
        format: Format::JccCsv,
        rows_read,
        voyages: a.voyages,
        errors,
        warnings: a.warnings,
    })
}

/// The CSV's rows in order, each checked, or the reason it could not be
/// read (blank rows skipped). A row is numbered by the file line it starts
/// on, as a spreadsheet numbers it (the CSV reader skips empty lines). A row
/// that is not UTF-8 is grouped with its voyage all the same (read with
/// the bad bytes replaced), so the voyage is refused whole. Stops after an
/// I/O error.
fn checked_rows<'a, R: Read + 'a>(
    file: &'a str,
    mut reader: csv::Reader<R>,
    header: &'a [String],
    columns: &'a Columns,
    breaks: &'a LineBreaks,
    stopped: &'a std::sync::atomic::AtomicU64,
) -> impl Iterator<Item = Result<Checked, RowError>> + 'a {
    let mut record = csv::ByteRecord::new();
    let mut row = 1u64;
    let mut done = false;
    std::iter::from_fn(move || {
        while !done {
            match reader.read_byte_record(&mut record) {
                Ok(false) => done = true,
                Ok(true) => {
                    row = record
                        .position()
                        .map_or(row + 1, |p| breaks.line_at(p.byte()));
                    let (cells, not_utf8) = cells(&record);
                    let width = record.len();
                    let Some((head, line)) = check(columns.row(row, cells)) else {
                        continue;
                    };
                    // A row with fewer cells than the header (a file cut
                    // short) would read its missing cells as blank and
                    // overwrite the record's values with them; one with
                    // more holds what no column names.
                    let line = if width != header.len() {
                        Err((
                            None,
                            format!(
                                "{width} cells where the header has {}: a row cut short or run together",
                                header.len()
                            ),
                        ))
                    } else {
                        line
                    };
                    let line = match not_utf8 {
                        None => line,
                        Some(c) => Err(match columns.field_at(c) {
                            Some(name) => (Some(name), RowError::NOT_UTF8.to_string()),
                            None => {
                                let name = header.get(c).map_or("?", String::as_str);
                                (None, format!("column {name:?}: {}", RowError::NOT_UTF8))
                            }
                        }),
                    };
                    return Some(Ok((head, line)));
                }
                Err(e) => {
                    row = e.position().map_or(row + 1, |p| breaks.line_at(p.byte()));
                    done = matches!(e.kind(), csv::ErrorKind::Io(_));
                    if done {
                        stopped.store(row, std::sync::atomic::Ordering::Release);
                    }
                    return Some(Err(RowError {
                        file: file.into(),
                        row,
                        column: None,
                        reason: format!("unreadable CSV: {e}"),
                    }));
                }
            }
        }
        None
    })
}

/// The line breaks the CSV reader has been given, so that a record is
/// numbered by the line it starts on: the reader's own position skips empty
/// lines uncounted, and counts a CRLF's LF with the next record. A line ends
/// at an LF, or at a CR not followed by one (old Mac files). Breaks before
/// the last record asked about are only counted.
#[derive(Clone, Default)]
struct LineBreaks(std::sync::Arc<std::sync::Mutex<Breaks>>);

#[derive(Default)]
struct Breaks {
    /// Offsets of the CR and LF bytes not yet passed, and which.
    ahead: std::collections::VecDeque<(u64, bool)>,
    /// Bytes given to the reader so far.
    read: u64,
    /// LFs passed.
    lines_passed: u64,
}

impl LineBreaks {
    /// The line (from 1) of the first byte at or after `offset` that is not
    /// a line break.
    fn line_at(&self, mut offset: u64) -> u64 {
        let mut b = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // Whether the break at `i` ends a line: an LF does; a CR unless an
        // LF comes right after it.
        let ends = |ahead: &std::collections::VecDeque<(u64, bool)>, i: usize| {
            let (at, lf) = ahead[i];
            lf || ahead.get(i + 1) != Some(&(at + 1, true))
        };
        while let Some(&(at, _)) = b.ahead.front()
            && at < offset
        {
            b.lines_passed += u64::from(ends(&b.ahead, 0));
            b.ahead.pop_front();
        }
        let mut lines = b.lines_passed;
        for i in 0..b.ahead.len() {
            if b.ahead[i].0 != offset {
                break;
            }
            lines += u64::from(ends(&b.ahead, i));
            offset += 1;
        }
        lines + 1
    }
}

/// The input, noting its line breaks in [`LineBreaks`].
struct Counting<R> {
    inner: R,
    breaks: LineBreaks,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut b = self.breaks.0.lock().unwrap_or_else(|p| p.into_inner());
        let start = b.read;
        for (i, c) in buf[..n].iter().enumerate() {
            if *c == b'\n' || *c == b'\r' {
                b.ahead.push_back((start + i as u64, *c == b'\n'));
            }
        }
        b.read += n as u64;
        Ok(n)
    }
}

/// A record's cells (bytes that are not UTF-8 replaced), and the index of
/// the first column that is not UTF-8, if any.
fn cells(record: &csv::ByteRecord) -> (Vec<Cell>, Option<usize>) {
    let mut not_utf8 = None;
    let cells = record
        .iter()
        .enumerate()
        .map(|(c, field)| {
            let text = String::from_utf8_lossy(field);
            if matches!(text, std::borrow::Cow::Owned(_)) {
                not_utf8 = not_utf8.or(Some(c));
            }
            if text.trim().is_empty() {
                Cell::Empty
            } else {
                Cell::Text(text.into_owned())
            }
        })
        .collect();
    (cells, not_utf8)
}

/// Reads the `Data` sheet of the HDX workbook.
pub fn read_xlsx(
    file: &str,
    input: impl Read + Seek,
    options: &ReadOptions,
) -> Result<Parsed, FileError> {
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
        // There, but unreadable: said so, not called missing.
        Err(e) if book.sheet_names().iter().any(|n| n == sheet) => {
            return Err(FileError::DamagedSheet {
                file: file.into(),
                sheet: sheet.into(),
                reason: e.to_string(),
            });
        }
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
    let columns = Columns::from_header(file, header.iter().map(String::as_str), options, false)?;
    let raw: Vec<RawRow> = rows
        .enumerate()
        .map(|(i, cells)| {
            let cells: Vec<Cell> = cells.iter().map(cell).collect();
            columns.row(first_row + 1 + i as u64, cells)
        })
        .collect();
    let mut a = assemble(file, raw.into_iter().filter_map(check));
    columns.name_as_in_file(&header, &mut a.errors);
    columns.name_as_in_file(&header, &mut a.warnings);
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
        // An ISO date and time (a `t="d"` cell): its nearest day, as a
        // serial's; a date alone, or text, is read as written.
        Data::DateTimeIso(s) => match s.parse::<jiff::civil::DateTime>() {
            Ok(t) if s.contains('T') => Cell::Date(crate::rows::nearest_day(t)),
            _ => Cell::Text(s.clone()),
        },
        Data::String(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Text(b.to_string()),
        // Through calamine's own calendar, which knows the workbook's date
        // system (1900 or 1904: the raw serial would be 1,462 days early in
        // a 1904 workbook).
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, h, min, s, _) = dt.to_ymd_hms_milli();
            let t = i16::try_from(y).ok().and_then(|y| {
                jiff::civil::DateTime::new(
                    y,
                    i8::try_from(m).ok()?,
                    i8::try_from(d).ok()?,
                    i8::try_from(h).ok()?,
                    i8::try_from(min).ok()?,
                    i8::try_from(s).ok()?,
                    0,
                )
                .ok()
            });
            match t {
                Some(t) => Cell::Date(crate::rows::nearest_day(t)),
                None => Cell::Number(dt.as_f64()),
            }
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::Error(e) => Cell::Text(format!("#ERROR {e:?}")),
    }
}

/// Reads a file in either format, told apart by content (an xlsx is a zip).
pub fn read_path(path: &Path) -> Result<Parsed, FileError> {
    read_path_with(path, &ReadOptions::default())
}

/// [`read_path`] with `options`.
pub fn read_path_with(path: &Path, options: &ReadOptions) -> Result<Parsed, FileError> {
    let file = path.display().to_string();
    let io = |source| FileError::Io {
        file: file.clone(),
        source,
    };
    let bytes = std::fs::read(path).map_err(io)?;
    read_bytes_with(&file, &bytes, options)
}

/// Like [`read_path`], on bytes already in memory.
pub fn read_bytes(file: &str, bytes: &[u8]) -> Result<Parsed, FileError> {
    read_bytes_with(file, bytes, &ReadOptions::default())
}

/// [`read_bytes`] with `options`.
pub fn read_bytes_with(
    file: &str,
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<Parsed, FileError> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(file, std::io::Cursor::new(bytes), options)
    } else {
        read_csv_with(file, bytes, options)
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

#[cfg(test)]
mod tests {
    use super::{ReadOptions, read_csv_on};

    /// Both stages on one thread or on two: the same result, to the last
    /// row number and message.
    fn check(text: &[u8]) {
        let o = ReadOptions::default();
        let one = format!("{:?}", read_csv_on("t.csv", text, false, &o));
        let two = format!("{:?}", read_csv_on("t.csv", text, true, &o));
        assert_eq!(one, two);
    }

    #[test]
    fn one_thread_or_two_read_alike() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/jcc/bsgi_outbound_shipments_2023-06-14.csv"
        );
        let real = std::fs::read(path).unwrap();
        check(&real);
        // Twice over (every voyage of the second copy refused), a row that
        // is not UTF-8 and one that is not CSV between them.
        let mut text = real.clone();
        text.extend_from_slice(b"\nOutbound,7001,NAVI \xff STAR,9590979\n\"open,7002\n");
        text.extend_from_slice(&real[real.iter().position(|&b| b == b'\n').unwrap() + 1..]);
        check(&text);
        check(b"");
        check(b"Status,#\n");
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_read_alike(body in proptest::collection::vec(proptest::num::u8::ANY, 0..3000)) {
            let mut text = super::CSV_HEADER.join(",").into_bytes();
            text.push(b'\n');
            text.extend_from_slice(&body);
            check(&text);
        }
    }
}
