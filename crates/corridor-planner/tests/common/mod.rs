//! Shared helpers of the integration tests: the JCC record and the real season's capacity.
#![allow(dead_code)]

use corridor_planner::{CapacityConfig, Direction, Reference, Voyage};
use jiff::civil::Date;

/// Default location of the JCC record; override with `CORRIDOR_JCC_RECORD`.
pub const RECORD: &str = "/work/shared/data/jcc/bsgi_outbound_shipments_2023-06-14.csv";

pub fn record_path() -> String {
    std::env::var("CORRIDOR_JCC_RECORD").unwrap_or_else(|_| RECORD.to_owned())
}

pub fn capacity_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/capacity-bsgi.toml")
}

pub fn capacity() -> CapacityConfig {
    let text = std::fs::read_to_string(capacity_path()).expect("capacity file");
    CapacityConfig::from_toml(&text).expect("capacity parses")
}

/// `14-Jun-2023` → Date.
pub fn parse_day(s: &str) -> Option<Date> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut it = s.split('-');
    let d: i8 = it.next()?.parse().ok()?;
    let m: i8 = match it.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let y: i16 = it.next()?.parse().ok()?;
    Date::new(y, m, d).ok()
}

/// The record as outbound voyages ("Outbound" rows; "Outbound +" rows add tonnes to the voyage above).
pub fn record() -> Option<Vec<Voyage>> {
    let mut rdr = csv::Reader::from_path(record_path()).ok()?;
    let headers = rdr.headers().ok()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (st, num, imo, tons, dep, insp, wfp) = (
        col("Status")?,
        col("#")?,
        col("IMO")?,
        col("Metric tons")?,
        col("Departure date")?,
        col("Inspection cleared")?,
        col("WFP")?,
    );
    let mut out: Vec<Voyage> = Vec::new();
    for row in rdr.records() {
        let row = row.ok()?;
        let get = |i: usize| row.get(i).unwrap_or("").trim().to_owned();
        let t: u32 = get(tons).replace(',', "").parse().unwrap_or(0);
        match get(st).as_str() {
            "Outbound" => out.push(Voyage {
                id: get(num),
                direction: Direction::Outbound,
                reference: parse_day(&get(dep))?,
                reference_kind: Reference::DepartedPort,
                tonnes: t,
                wfp: get(wfp) == "WFP",
                perishable: false,
                ready: None,
                inspected: parse_day(&get(insp)),
                vessel: Some(get(imo)),
                area: None,
            }),
            "Outbound +" => {
                if let Some(last) = out.last_mut() {
                    last.tonnes = last.tonnes.saturating_add(t);
                    if get(wfp) == "WFP" {
                        last.wfp = true;
                    }
                }
            }
            _ => {}
        }
    }
    // The file lists newest first; the simulator wants a stable, oldest-first input order.
    out.sort_by_key(|v| v.id.parse::<u32>().unwrap_or(u32::MAX));
    Some(out)
}
