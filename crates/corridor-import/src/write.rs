//! Writing the record back out in the JCC's own table: one row per cargo
//! line, `Outbound` opening a voyage and `Outbound +` adding its further
//! lines, in the columns of [`CSV_HEADER`](crate::jcc::CSV_HEADER).
//!
//! Two forms: [`JccRow::csv_cells`], the text the JCC printed (thousands
//! separators, `14-Jun-2023`, `WFP` or nothing), which [`crate::jcc`] reads
//! back to the same record; and the row itself as JSON through serde, with
//! numbers and ISO dates kept typed. Both are pure: the caller streams them.

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
            self.tonnes.map(grouped).unwrap_or_default(),
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

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `2023-06-14` as the JCC printed it: `14-Jun-2023`.
fn jcc_date(d: Date) -> String {
    let month = MONTHS[usize::try_from(d.month() - 1).unwrap_or(0)];
    format!("{}-{month}-{}", d.day(), d.year())
}

/// `2436.99` as `2,436.99`: thousands grouped, the kilograms kept.
fn grouped(t: Tonnes) -> String {
    let plain = t.to_string();
    let (sign, rest) = plain
        .strip_prefix('-')
        .map_or(("", plain.as_str()), |r| ("-", r));
    let (whole, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(w, f)| (w, Some(f)));
    let mut out = String::with_capacity(plain.len() + whole.len() / 3);
    out.push_str(sign);
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
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
            assert_eq!(grouped(Tonnes::from_kg(kg)), text);
        }
        assert_eq!(jcc_date(jiff::civil::date(2023, 6, 14)), "14-Jun-2023");
        assert_eq!(jcc_date(jiff::civil::date(2022, 8, 1)), "1-Aug-2022");
    }
}
