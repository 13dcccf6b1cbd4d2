//! Format-independent row validation and grouping of cargo lines into voyages.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;

use corridor_domain::{
    CargoLine, Commodity, Direction, Imo, Tonnes, VoyageKey, VoyageRecord, country, port,
};
use jiff::civil::Date;

/// A refused row: which file, which row (as a spreadsheet numbers it, the
/// header being row 1), which column and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    pub file: String,
    pub row: u64,
    pub column: Option<String>,
    pub reason: String,
}

impl RowError {
    /// The reason given for a row whose bytes are not UTF-8 text.
    pub const NOT_UTF8: &'static str = "not valid UTF-8 text";

    /// Whether the row was refused for its encoding.
    pub fn is_not_utf8(&self) -> bool {
        self.reason.ends_with(Self::NOT_UTF8)
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(
                f,
                "{}: row {}: column {:?}: {}",
                self.file, self.row, c, self.reason
            ),
            None => write!(f, "{}: row {}: {}", self.file, self.row, self.reason),
        }
    }
}

/// A cell as the file holds it, before validation.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) enum Cell {
    #[default]
    Empty,
    Text(String),
    Number(f64),
    /// A spreadsheet date cell, read as the calendar date it means (see
    /// [`nearest_day`]).
    Date(Date),
}

impl Cell {
    /// The cell as trimmed text (borrowed from a text cell).
    pub(crate) fn text(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(s) => Cow::Borrowed(s.trim()),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => {
                Cow::Owned(format!("{}", *n as i64))
            }
            Cell::Number(n) => Cow::Owned(n.to_string()),
            Cell::Date(d) => Cow::Owned(d.to_string()),
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// The columns of a vessel-movements row, whichever format it came from.
#[derive(Debug, Clone)]
pub(crate) struct RawRow {
    pub row: u64,
    pub status: Cell,
    pub seq: Cell,
    pub vessel: Cell,
    pub imo: Cell,
    pub port: Cell,
    pub country: Cell,
    pub commodity: Cell,
    pub tonnes: Cell,
    pub departure: Cell,
    pub inspection: Cell,
    pub income_group: Cell,
    pub flag: Cell,
    pub wb_region: Cell,
    pub un_region: Cell,
    pub development: Cell,
    /// `None`: the format has no WFP column.
    pub wfp: Option<Cell>,
    /// The latest date a voyage date may be ([`crate::ReadOptions`]).
    pub latest: Option<Date>,
}

impl RawRow {
    pub(crate) fn is_blank(&self) -> bool {
        [
            &self.status,
            &self.seq,
            &self.vessel,
            &self.imo,
            &self.commodity,
            &self.tonnes,
        ]
        .iter()
        .all(|c| c.is_empty())
    }
}

/// Column names as reported in errors (the CSV's header names).
pub(crate) mod col {
    pub const STATUS: &str = "Status";
    pub const SEQ: &str = "#";
    pub const VESSEL: &str = "Vessel name";
    pub const IMO: &str = "IMO";
    pub const PORT: &str = "Departure port";
    pub const COUNTRY: &str = "Country";
    pub const COMMODITY: &str = "Commodity";
    pub const TONNES: &str = "Metric tons";
    pub const DEPARTURE: &str = "Departure date";
    pub const INSPECTION: &str = "Inspection cleared";
    pub const WFP: &str = "WFP";
}

pub(crate) struct Line {
    seq: u32,
    vessel: String,
    imo: Imo,
    flag_name: String,
    port: String,
    departure: Date,
    inspection: Option<Date>,
    cargo: CargoLine,
}

/// What assembling rows produced.
pub(crate) struct Assembled {
    pub rows_read: u64,
    pub voyages: Vec<VoyageRecord>,
    pub errors: Vec<RowError>,
    pub warnings: Vec<RowError>,
    /// The voyage number and first row of the last block of rows, whose
    /// voyage (if any) is the last of `voyages`: a reader that stopped
    /// early cannot know it was whole.
    pub last_block: Option<(u32, u64)>,
}

impl Assembled {
    /// Reading stopped early at `row`: the last voyage may have more rows
    /// in the part of the file that could not be read, so it is refused.
    pub(crate) fn cut_short(&mut self, file: &str, row: u64) {
        let Some((seq, first)) = self.last_block else {
            return;
        };
        if self.voyages.last().is_some_and(|v| v.key.seq == seq) {
            self.voyages.pop();
            self.errors.push(RowError {
                file: file.to_string(),
                row: first,
                column: None,
                reason: format!(
                    "voyage #{seq} refused: the file could not be read past row {row}, where more of its rows may be"
                ),
            });
        }
    }
}

/// A row with what validating it gave, or `None` for a blank row (skipped,
/// not counted). Independent of every other row, so it can run on a
/// thread of its own ahead of [`assemble`].
pub(crate) fn check(raw: RawRow) -> Option<Checked> {
    if raw.is_blank() {
        return None;
    }
    let line = validate(&raw);
    let head = Head {
        row: raw.row,
        seq: raw.seq.text().into_owned(),
        extra: raw.status.text().ends_with('+'),
    };
    Some((head, line))
}

/// What grouping needs of a row once it is validated (the cells are
/// dropped on the thread that read them).
pub(crate) struct Head {
    row: u64,
    /// The voyage number as written.
    seq: String,
    /// An `Outbound +` row.
    extra: bool,
}

impl Head {
    /// The block key: the number as written, a spreadsheet's `.0` aside.
    fn key(&self) -> &str {
        self.seq.trim_end_matches(".0")
    }
}

/// Groups checked rows into voyages. Rows of one voyage are adjacent and share its
/// number: the `Outbound` row gives the first cargo line and each
/// `Outbound +` row another (the JCC's table sometimes lists a `+` row just
/// above its `Outbound` row, e.g. voyages 288 and 458). A voyage with any
/// bad row is refused whole, since importing part of it would change the
/// totals silently: that includes a refused row elsewhere in the file that
/// names the same voyage number (an `Outbound +` row out of place, a second
/// block of the voyage).
pub(crate) fn assemble(file: &str, rows: impl IntoIterator<Item = Checked>) -> Assembled {
    let mut out = Assembled {
        rows_read: 0,
        voyages: Vec::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
        last_block: None,
    };
    // Blocks of adjacent rows with the same voyage number (as written),
    // each settled as soon as the next one starts.
    let mut block: Option<Vec<Checked>> = None;
    let mut seen: HashSet<u32> = HashSet::new();
    // Voyage numbers of blocks that gave no voyage, with their first row;
    // the first row of each voyage taken.
    let mut refused: HashMap<u32, u64> = HashMap::new();
    let mut taken: HashMap<u32, u64> = HashMap::new();
    // The voyage the previous block gave, and the first row of a refused
    // block whose number cannot be read (its neighbours are refused).
    let mut previous: Option<u32> = None;
    let mut unreadable_before: Option<u64> = None;
    let mut settle_block = |members: Vec<Checked>, out: &mut Assembled| {
        let row = members[0].0.row;
        // The number a voyage has, or a refused row most likely means.
        let key = named_number(members[0].0.key().trim());
        let extra = members.iter().any(|(h, _)| h.extra);
        let before = out.voyages.len();
        out.last_block = key.map(|k| (k, row));
        settle(file, members, &mut seen, out);
        let gave = out.voyages.len() > before;
        if gave && let Some(k) = key {
            taken.insert(k, row);
            if let Some(bad) = unreadable_before.take() {
                refused.entry(k).or_insert(bad);
            }
            previous = Some(k);
            return;
        }
        unreadable_before = None;
        // A refused row names the voyage its number starts with ("288.00",
        // "288 t"); an extra cargo line whose number cannot be read at all
        // may belong to the voyage next to it, either side.
        match key {
            Some(k) => {
                refused.entry(k).or_insert(row);
            }
            None if extra => {
                if let Some(p) = previous {
                    refused.entry(p).or_insert(row);
                }
                unreadable_before = Some(row);
            }
            None => {}
        }
        previous = None;
    };
    for (head, line) in rows {
        out.rows_read += 1;
        match &mut block {
            Some(members) if members[0].0.key() == head.key() && !head.key().is_empty() => {
                members.push((head, line));
            }
            _ => {
                if let Some(members) = block.replace(vec![(head, line)]) {
                    settle_block(members, &mut out);
                }
            }
        }
    }
    if let Some(members) = block {
        settle_block(members, &mut out);
    }
    if !refused.is_empty() {
        out.voyages.retain(|v| {
            let Some(&other) = refused.get(&v.key.seq) else {
                return true;
            };
            out.errors.push(RowError {
                file: file.to_string(),
                row: taken.get(&v.key.seq).copied().unwrap_or(other),
                column: None,
                reason: format!(
                    "voyage #{} refused because row {other}, which names it too, was refused",
                    v.key.seq
                ),
            });
            false
        });
    }
    out.errors.sort_by_key(|e| e.row);
    out
}

/// The voyage number a refused row most likely means: the digits its
/// number starts with.
fn named_number(written: &str) -> Option<u32> {
    let digits = written.len()
        - written
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .len();
    written[..digits].parse().ok()
}

/// Checks one block of rows sharing a voyage number and adds its voyage,
/// or its errors, to `out`.
fn settle(file: &str, members: Vec<Checked>, seen: &mut HashSet<u32>, out: &mut Assembled) {
    let err = |row: u64, column: Option<&str>, reason: String| RowError {
        file: file.to_string(),
        row,
        column: column.map(str::to_string),
        reason,
    };
    let firsts: Vec<usize> = members
        .iter()
        .enumerate()
        .filter(|(_, (h, _))| !h.extra)
        .map(|(i, _)| i)
        .collect();
    let mut bad = false;
    for (raw, line) in &members {
        if let Err((c, reason)) = line {
            out.errors.push(err(raw.row, *c, reason.clone()));
            bad = true;
        }
    }
    let Some(&first_idx) = firsts.first() else {
        for (raw, line) in &members {
            if let Ok(l) = line {
                let reason = format!(
                    "extra cargo line for voyage #{} has no \"Outbound\" row next to it",
                    l.seq
                );
                out.errors.push(err(raw.row, Some(col::SEQ), reason));
            }
        }
        return;
    };
    let first_row = members[first_idx].0.row;
    if firsts.len() > 1 {
        for &i in &firsts[1..] {
            let reason = format!(
                "voyage #{} has a second \"Outbound\" row (first on row {first_row})",
                members[i].0.seq
            );
            out.errors
                .push(err(members[i].0.row, Some(col::STATUS), reason));
        }
        bad = true;
    }
    let Ok(first) = &members[first_idx].1 else {
        for (raw, line) in &members {
            if line.is_ok() {
                out.errors.push(err(
                    raw.row,
                    None,
                    format!("its voyage's first row (row {first_row}) was refused"),
                ));
            }
        }
        return;
    };
    if !seen.insert(first.seq) {
        out.errors.push(err(
            first_row,
            Some(col::SEQ),
            format!("voyage #{} appears twice in this file", first.seq),
        ));
        return;
    }
    for (i, (raw, line)) in members.iter().enumerate() {
        let Ok(l) = line else { continue };
        if i == first_idx {
            continue;
        }
        let mismatch = if l.imo != first.imo {
            Some((
                col::IMO,
                format!(
                    "IMO {} differs from {} on row {first_row}",
                    l.imo, first.imo
                ),
            ))
        } else if l.port != first.port {
            Some((col::PORT, format!("port differs from row {first_row}")))
        } else if l.departure != first.departure {
            Some((
                col::DEPARTURE,
                format!("departure date differs from row {first_row}"),
            ))
        } else {
            None
        };
        if let Some((c, reason)) = mismatch {
            out.errors.push(err(raw.row, Some(c), reason));
            bad = true;
            continue;
        }
        // What only describes the voyage (its vessel's name and flag, its
        // inspection) is the first row's; a row that says otherwise is
        // named, not silently dropped (the JCC's CSV names voyage 148's
        // vessel twice, differently).
        let differs = |c: &'static str, what: &str, here: &str, there: &str| {
            err(
                raw.row,
                Some(c),
                format!(
                    "{what} {here:?} differs from {there:?} on row {first_row}; the voyage keeps row {first_row}'s"
                ),
            )
        };
        if l.vessel != first.vessel {
            out.warnings.push(differs(
                col::VESSEL,
                "vessel name",
                &l.vessel,
                &first.vessel,
            ));
        }
        if l.flag_name != first.flag_name {
            out.warnings
                .push(differs("Flag", "flag", &l.flag_name, &first.flag_name));
        }
        if l.inspection != first.inspection {
            let day = |d: Option<Date>| d.map_or_else(|| "none".to_string(), |d| d.to_string());
            out.warnings.push(differs(
                col::INSPECTION,
                "inspection date",
                &day(l.inspection),
                &day(first.inspection),
            ));
        }
    }
    if bad {
        out.errors.push(err(
            first_row,
            None,
            "voyage refused because one of its rows was refused".into(),
        ));
        return;
    }
    if let Err(e) = first.imo.check() {
        let reason = format!("{e}; kept as published, it will not match a register or AIS");
        out.warnings.push(err(first_row, Some(col::IMO), reason));
    }
    // Every row checked: the voyage takes the rows' values (moved, not
    // copied), the first row's cargo line first.
    let mut first = None;
    let mut cargo = Vec::with_capacity(members.len());
    for (i, (_, line)) in members.into_iter().enumerate() {
        match line {
            Ok(l) if i == first_idx => first = Some(l),
            Ok(l) => cargo.push(l.cargo),
            Err(_) => {}
        }
    }
    let Some(first) = first else { return };
    cargo.insert(0, first.cargo);
    out.voyages.push(VoyageRecord {
        key: VoyageKey {
            direction: Direction::Outbound,
            seq: first.seq,
        },
        vessel_name: first.vessel,
        imo: first.imo,
        flag: country::lookup(&first.flag_name).map(|c| c.alpha2.to_string()),
        flag_name: first.flag_name,
        port: first.port,
        departure: first.departure,
        inspection_cleared: first.inspection,
        cargo,
    });
}

pub(crate) type Invalid = (Option<&'static str>, String);

/// A row and what validating it gave.
pub(crate) type Checked = (Head, Result<Line, Invalid>);

/// Highest voyage number: nine digits, which every store's integer column
/// holds (PostgreSQL's `INTEGER` ends at 2^31 - 1).
pub(crate) const MAX_VOYAGE_NUMBER: u32 = 999_999_999;

/// Longest text a cell may hold: the longest real value is a vessel or
/// country name of some 40 characters.
pub(crate) const MAX_CELL_CHARS: usize = 200;

/// Text cells hold printable text of a sane length: a control character or
/// a bidirectional override (which can make a name display as another) is
/// refused, as is a megabyte "name".
fn plain_text(r: &RawRow) -> Result<(), Invalid> {
    let cells = [
        (col::STATUS, &r.status),
        (col::SEQ, &r.seq),
        (col::VESSEL, &r.vessel),
        (col::IMO, &r.imo),
        (col::PORT, &r.port),
        (col::COUNTRY, &r.country),
        (col::COMMODITY, &r.commodity),
        (col::TONNES, &r.tonnes),
        (col::DEPARTURE, &r.departure),
        (col::INSPECTION, &r.inspection),
        ("Income group", &r.income_group),
        ("Flag", &r.flag),
        ("World Bank region", &r.wb_region),
        ("UN region", &r.un_region),
        ("Development category", &r.development),
    ];
    let wfp = r.wfp.as_ref().map(|c| (col::WFP, c));
    for (column, cell) in cells.into_iter().chain(wfp) {
        let Cell::Text(t) = cell else { continue };
        if let Some(p) = corridor_domain::text::plain_text_problem(t, MAX_CELL_CHARS, &['\t']) {
            return Err((Some(column), p));
        }
    }
    Ok(())
}

fn validate(r: &RawRow) -> Result<Line, Invalid> {
    plain_text(r)?;
    let status = r.status.text();
    match &*status {
        "Outbound" | "Outbound +" | "Outbound+" => {}
        "" => return Err((Some(col::STATUS), "status is empty".into())),
        other => {
            return Err((
                Some(col::STATUS),
                format!("unknown status {other:?} (expected \"Outbound\" or \"Outbound +\")"),
            ));
        }
    }
    let seq_text = r.seq.text();
    let seq: u32 = match &r.seq {
        Cell::Number(n) if *n >= 1.0 && n.fract() == 0.0 && *n <= f64::from(MAX_VOYAGE_NUMBER) => {
            *n as u32
        }
        _ => seq_text
            .parse()
            .ok()
            .filter(|n| (1..=MAX_VOYAGE_NUMBER).contains(n))
            .ok_or((
                Some(col::SEQ),
                format!(
                    "voyage number {seq_text:?} is not a whole number from 1 to {MAX_VOYAGE_NUMBER}"
                ),
            ))?,
    };
    let vessel = r.vessel.text().into_owned();
    if vessel.is_empty() {
        return Err((Some(col::VESSEL), "vessel name is empty".into()));
    }
    let imo: Imo = Imo::parse_published(&r.imo.text())
        .map_err(|e: corridor_domain::IdError| (Some(col::IMO), e.to_string()))?;
    let port_name = r.port.text();
    let port = port::lookup(&port_name)
        .ok_or_else(|| {
            (
                Some(col::PORT),
                format!("unknown departure port {port_name:?}"),
            )
        })?
        .locode
        .to_string();
    let destination = r.country.text().into_owned();
    let dest = country::lookup(&destination).ok_or_else(|| {
        (
            Some(col::COUNTRY),
            format!("unknown destination country {destination:?}"),
        )
    })?;
    let commodity: Commodity =
        r.commodity
            .text()
            .parse()
            .map_err(|e: corridor_domain::commodity::UnknownCommodity| {
                (Some(col::COMMODITY), e.to_string())
            })?;
    let tonnes = match &r.tonnes {
        Cell::Number(n) => Tonnes::from_f64(*n),
        other => Tonnes::parse(&other.text()),
    }
    .map_err(|e| (Some(col::TONNES), e.to_string()))?;
    let departure = date(&r.departure)
        .map_err(|e| (Some(col::DEPARTURE), e))?
        .ok_or((Some(col::DEPARTURE), "departure date is empty".to_string()))?;
    let inspection = date(&r.inspection).map_err(|e| (Some(col::INSPECTION), e))?;
    if let Some(latest) = r.latest {
        for (column, d) in [
            (col::DEPARTURE, Some(departure)),
            (col::INSPECTION, inspection),
        ] {
            if let Some(d) = d.filter(|d| *d > latest) {
                return Err((
                    Some(column),
                    format!("date {d} is after {latest}: a voyage date cannot be in the future"),
                ));
            }
        }
    }
    // The outbound inspection is in Istanbul, after the ship left port.
    if let Some(i) = inspection
        && i < departure
    {
        return Err((
            Some(col::INSPECTION),
            format!("inspection cleared {i} is before the departure on {departure}"),
        ));
    }
    let wfp = match &r.wfp {
        None => None,
        Some(c) => {
            let t = c.text();
            let is = |words: &[&str]| words.iter().any(|w| t.eq_ignore_ascii_case(w));
            if t.is_empty() || is(&["NO", "N"]) {
                Some(false)
            } else if is(&["WFP", "YES", "Y"]) {
                Some(true)
            } else {
                let other = t.to_uppercase();
                return Err((
                    Some(col::WFP),
                    format!("unknown WFP marker {other:?} (expected \"WFP\" or empty)"),
                ));
            }
        }
    };
    let groups = dest.groups.as_ref();
    let or_ref =
        |cell: &Cell, pick: fn(&corridor_domain::country::CountryGroups) -> &'static str| {
            let t = cell.text();
            if t.is_empty() {
                groups.map(|g| pick(g).to_string()).unwrap_or_default()
            } else {
                t.into_owned()
            }
        };
    Ok(Line {
        seq,
        vessel,
        imo,
        flag_name: r.flag.text().replace('\u{a0}', " "),
        port,
        departure,
        inspection,
        cargo: CargoLine {
            commodity,
            tonnes,
            destination,
            destination_iso3: dest.alpha3.to_string(),
            income_group: or_ref(&r.income_group, |g| g.income_group),
            world_bank_region: or_ref(&r.wb_region, |g| g.world_bank_region),
            un_region: or_ref(&r.un_region, |g| g.un_region),
            development_category: or_ref(&r.development, |g| g.development_category),
            wfp,
        },
    })
}

/// Reads a date cell: `14-Jun-2023`, `2023-06-14`, or a spreadsheet serial.
/// Years a voyage date can fall in: a typo (9999, 1900) is refused rather
/// than becoming the import's snapshot date or a month of the figures.
const YEARS: std::ops::RangeInclusive<i16> = 1990..=2100;

fn date(c: &Cell) -> Result<Option<Date>, String> {
    let d = match c {
        Cell::Empty => return Ok(None),
        Cell::Text(t) if t.trim().is_empty() => return Ok(None),
        Cell::Text(t) => parse_date(t.trim())?,
        Cell::Number(n) => serial_date(*n)?,
        Cell::Date(d) => *d,
    };
    if !YEARS.contains(&d.year()) {
        return Err(format!(
            "date {d} is not in the years {} to {}",
            YEARS.start(),
            YEARS.end()
        ));
    }
    Ok(Some(d))
}

pub(crate) fn parse_date(t: &str) -> Result<Date, String> {
    let bad = || format!("date {t:?} is not a date like 14-Jun-2023 or 2023-06-14");
    if let Ok(d) = t.parse::<Date>() {
        return Ok(d);
    }
    let mut parts = t.split(['-', ' ', '/']);
    let (Some(d), Some(m), Some(y), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    // The three-letter abbreviation, "Sept", or the whole English name
    // ("Decoy" is not December).
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let m = m.to_lowercase();
    let month = MONTHS
        .iter()
        .position(|x| m == x[..3] || m == *x || (m == "sept" && x.starts_with("sept")))
        .ok_or_else(bad)? as i8
        + 1;
    let day: i8 = d.parse().map_err(|_| bad())?;
    let year: i16 = match y.parse::<i16>().map_err(|_| bad())? {
        y @ 0..=99 => 2000 + y,
        y => y,
    };
    Date::new(year, month, day)
        .map_err(|_| format!("date {t:?} does not exist ({year}-{month:02} has no day {day})"))
}

/// A date and time of day to the calendar date it means: the nearest day,
/// for the reason [`serial_date`] gives.
pub(crate) fn nearest_day(t: jiff::civil::DateTime) -> Date {
    if t.hour() >= 12 {
        t.date().tomorrow().unwrap_or(t.date())
    } else {
        t.date()
    }
}

/// A spreadsheet date serial to the calendar date it means.
///
/// The HDX file stores midnight Kyiv/Istanbul time converted to UTC, so
/// 1 August 2022 reads as 31 July 22:00 or 23:00. Rounding to the nearest
/// day recovers the published date; a true time of day before noon would
/// keep its date.
pub(crate) fn serial_date(serial: f64) -> Result<Date, String> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return Err(format!("date serial {serial} is out of range"));
    }
    let days = serial.round() as i64;
    let epoch = jiff::civil::date(1899, 12, 30);
    epoch
        .checked_add(jiff::Span::new().days(days))
        .map_err(|e| format!("date serial {serial}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            parse_date("14-Jun-2023"),
            Ok(jiff::civil::date(2023, 6, 14))
        );
        assert_eq!(parse_date("1-Aug-22"), Ok(jiff::civil::date(2022, 8, 1)));
        assert_eq!(parse_date("2022-08-01"), Ok(jiff::civil::date(2022, 8, 1)));
        assert!(parse_date("31-Feb-2023").is_err());
        assert!(parse_date("yesterday").is_err());
        assert_eq!(parse_date("5-Sept-2022"), Ok(jiff::civil::date(2022, 9, 5)));
        assert_eq!(
            parse_date("5 September 2022"),
            Ok(jiff::civil::date(2022, 9, 5))
        );
        // Any word that began with a month's letters once read as that month.
        assert!(parse_date("14-Decoy-2023").is_err());
        assert!(parse_date("14-Marxyz-2023").is_err());
        // 44773.958333 is 2022-07-31 23:00: the HDX file's 1 August.
        assert_eq!(serial_date(44773.958333), Ok(jiff::civil::date(2022, 8, 1)));
        assert!(serial_date(f64::NAN).is_err());
        assert!(serial_date(-5.0).is_err());
    }
}
