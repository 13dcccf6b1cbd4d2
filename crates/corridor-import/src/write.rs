//! Writing the record back out in the JCC's own table: one row per cargo
//! line, `Outbound` opening a voyage and `Outbound +` adding its further
//! lines, in the columns of [`CSV_HEADER`](crate::jcc::CSV_HEADER).
//!
//! Two forms ([`Form`]): CSV, the text the JCC printed (thousands
//! separators, `14-Jun-2023`, `WFP` or nothing; [`JccRow::csv_cells`]),
//! which [`crate::jcc`] reads back to the same record; and a JSON array of
//! the rows through serde, with numbers and ISO dates kept typed.
//! [`TableWriter`] writes either into memory a voyage at a time, for a
//! caller that sends the table in pieces as it reads the record.

use std::io;

use corridor_domain::{CargoLine, Direction, Tonnes, VoyageRecord, port};
use jiff::civil::Date;
use serde::Serialize;

/// One row of the table, keyed (as JSON) by the JCC's column names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JccRow<'a> {
    #[serde(rename = "Status")]
    pub status: &'static str,
    #[serde(rename = "#")]
    pub seq: u32,
    #[serde(rename = "Vessel name")]
    pub vessel_name: &'a str,
    #[serde(rename = "IMO")]
    pub imo: u32,
    #[serde(rename = "Departure port")]
    pub port: &'a str,
    #[serde(rename = "Country")]
    pub country: &'a str,
    #[serde(rename = "Commodity")]
    pub commodity: &'a str,
    #[serde(rename = "Metric tons")]
    pub tonnes: Option<Tonnes>,
    #[serde(rename = "Departure date")]
    pub departure: Date,
    #[serde(rename = "Inspection cleared")]
    pub inspection_cleared: Option<Date>,
    #[serde(rename = "Income group")]
    pub income_group: &'a str,
    #[serde(rename = "Flag")]
    pub flag: &'a str,
    #[serde(rename = "World Bank region")]
    pub world_bank_region: &'a str,
    #[serde(rename = "UN region")]
    pub un_region: &'a str,
    #[serde(rename = "Development category")]
    pub development_category: &'a str,
    /// `None` where the source had no WFP column (the January 2023 HDX table).
    #[serde(rename = "WFP")]
    pub wfp: Option<bool>,
}

/// The rows of one voyage, its first cargo line first. A voyage without
/// cargo lines still gets its one row, with the line's columns empty.
pub fn jcc_rows<'a>(v: &'a VoyageRecord) -> Vec<JccRow<'a>> {
    let port = port::by_locode(&v.port).map_or(v.port.as_str(), |p| p.name);
    let row = |i: usize, c: Option<&'a CargoLine>| JccRow {
        status: status(v.key.direction, i == 0),
        seq: v.key.seq,
        vessel_name: &v.vessel_name,
        imo: v.imo.get(),
        port,
        country: c.map_or("", |c| &c.destination),
        commodity: c.map_or("", |c| c.commodity.name()),
        tonnes: c.map(|c| c.tonnes),
        departure: v.departure,
        inspection_cleared: v.inspection_cleared,
        income_group: c.map_or("", |c| &c.income_group),
        flag: &v.flag_name,
        world_bank_region: c.map_or("", |c| &c.world_bank_region),
        un_region: c.map_or("", |c| &c.un_region),
        development_category: c.map_or("", |c| &c.development_category),
        wfp: c.and_then(|c| c.wfp),
    };
    if v.cargo.is_empty() {
        return vec![row(0, None)];
    }
    v.cargo
        .iter()
        .enumerate()
        .map(|(i, c)| row(i, Some(c)))
        .collect()
}

fn status(direction: Direction, first: bool) -> &'static str {
    match (direction, first) {
        (Direction::Outbound, true) => "Outbound",
        (Direction::Outbound, false) => "Outbound +",
        (Direction::Inbound, true) => "Inbound",
        (Direction::Inbound, false) => "Inbound +",
    }
}

impl JccRow<'_> {
    /// The cells as the JCC printed them, in `CSV_HEADER`'s order.
    pub fn csv_cells(&self) -> [String; 16] {
        [
            self.status.to_string(),
            self.seq.to_string(),
            self.vessel_name.to_string(),
            self.imo.to_string(),
            self.port.to_string(),
            self.country.to_string(),
            self.commodity.to_string(),
            self.tonnes.map(Tonnes::grouped).unwrap_or_default(),
            jcc_date(self.departure),
            self.inspection_cleared.map(jcc_date).unwrap_or_default(),
            self.income_group.to_string(),
            self.flag.to_string(),
            self.world_bank_region.to_string(),
            self.un_region.to_string(),
            self.development_category.to_string(),
            if self.wfp == Some(true) { "WFP" } else { "" }.to_string(),
        ]
    }
}

/// The table's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// RFC 4180 with CRLF line ends, the JCC's header first.
    Csv,
    /// An array of rows keyed by the JCC's column names, one row a line.
    Json,
}

/// The table written a voyage at a time into memory: [`TableWriter::take`]
/// hands over what is written so far, [`TableWriter::finish`] the rest.
#[derive(Debug)]
pub struct TableWriter {
    form: Form,
    csv: csv::Writer<Vec<u8>>,
    json: Vec<u8>,
    opened: bool,
    rows: u64,
}

impl TableWriter {
    /// An empty table of `form`; its opening (the CSV header, the JSON
    /// array's `[`) comes with its first voyage or its end.
    pub fn new(form: Form) -> TableWriter {
        TableWriter {
            form,
            csv: csv_writer(),
            json: Vec::new(),
            opened: false,
            rows: 0,
        }
    }

    fn open(&mut self) -> io::Result<()> {
        if !std::mem::replace(&mut self.opened, true) {
            match self.form {
                Form::Csv => self.csv.write_record(crate::jcc::CSV_HEADER)?,
                Form::Json => self.json.push(b'['),
            }
        }
        Ok(())
    }

    /// Writes the rows of one voyage.
    pub fn voyage(&mut self, v: &VoyageRecord) -> io::Result<()> {
        self.open()?;
        for row in jcc_rows(v) {
            match self.form {
                Form::Csv => self.csv.write_record(row.csv_cells())?,
                Form::Json => {
                    self.json
                        .extend_from_slice(if self.rows == 0 { b"\n" } else { b",\n" });
                    serde_json::to_writer(&mut self.json, &row)?;
                }
            }
            self.rows += 1;
        }
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Bytes written and not yet taken (the CSV writer's own buffer of a
    /// few kilobytes aside).
    pub fn len(&self) -> usize {
        self.csv.get_ref().len() + self.json.len()
    }

    /// Whether nothing is waiting to be taken.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What is written so far, handed over.
    pub fn take(&mut self) -> io::Result<Vec<u8>> {
        let csv = std::mem::replace(&mut self.csv, csv_writer());
        let mut out = csv.into_inner().map_err(|e| e.into_error())?;
        out.append(&mut self.json);
        Ok(out)
    }

    /// The rest of the table, with its end (the JSON array's `]`).
    pub fn finish(mut self) -> io::Result<Vec<u8>> {
        self.open()?;
        if self.form == Form::Json {
            self.json.extend_from_slice(b"\n]\n");
        }
        self.take()
    }
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `2023-06-14` as the JCC printed it: `14-Jun-2023`.
fn jcc_date(d: Date) -> String {
    let month = MONTHS[usize::try_from(d.month() - 1).unwrap_or(0)];
    format!("{}-{month}-{}", d.day(), d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tonnes_and_dates_print_as_the_jcc_printed_them() {
        for (kg, text) in [
            (0, "0"),
            (999_000, "999"),
            (1_000_000, "1,000"),
            (2_436_990, "2,436.99"),
            (18_137_000, "18,137"),
            (31_744_756_000, "31,744,756"),
            (1_500, "1.5"),
            (-2_436_990, "-2,436.99"),
        ] {
            assert_eq!(Tonnes::from_kg(kg).grouped(), text);
        }
        assert_eq!(jcc_date(jiff::civil::date(2023, 6, 14)), "14-Jun-2023");
        assert_eq!(jcc_date(jiff::civil::date(2022, 8, 1)), "1-Aug-2022");
    }
}
