//! Vessels, voyages and cargo lines: the record a source publishes.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::commodity::Commodity;
use crate::ids::{Imo, Mmsi};
use crate::tonnes::Tonnes;

/// Which way a voyage crosses the corridor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Towards a Ukrainian port, in ballast.
    Inbound,
    /// From a Ukrainian port, loaded.
    Outbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }
}

impl FromStr for Direction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "inbound" => Ok(Direction::Inbound),
            "outbound" => Ok(Direction::Outbound),
            other => Err(format!("unknown direction {other:?}")),
        }
    }
}

/// Where a voyage stands, as far as the published record tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoyageStatus {
    /// Left the Ukrainian port; not yet cleared by the outbound inspection.
    Departed,
    /// Cleared by the joint outbound inspection.
    Inspected,
}

impl VoyageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VoyageStatus::Departed => "departed",
            VoyageStatus::Inspected => "inspected",
        }
    }
}

impl FromStr for VoyageStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "departed" => Ok(VoyageStatus::Departed),
            "inspected" => Ok(VoyageStatus::Inspected),
            other => Err(format!("unknown voyage status {other:?}")),
        }
    }
}

/// What identifies a voyage across sources: the JCC numbered outbound
/// voyages in sequence, and every later table kept those numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct VoyageKey {
    pub direction: Direction,
    pub seq: u32,
}

impl fmt::Display for VoyageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} #{}", self.direction.as_str(), self.seq)
    }
}

/// A ship as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vessel {
    pub imo: Imo,
    pub name: String,
    pub mmsi: Option<Mmsi>,
    /// ISO 3166 alpha-2 of the flag state.
    pub flag: Option<String>,
    pub vessel_type: Option<String>,
    pub dwt: Option<Tonnes>,
}

/// One consignment on a voyage: a commodity to a declared destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CargoLine {
    pub commodity: Commodity,
    pub tonnes: Tonnes,
    /// Destination as declared, by name as published.
    pub destination: String,
    /// ISO 3166 alpha-3 of the destination.
    pub destination_iso3: String,
    /// The groupings the record published with this line.
    pub income_group: String,
    pub world_bank_region: String,
    pub un_region: String,
    pub development_category: String,
    /// Chartered by the World Food Programme; `None` where the source does
    /// not publish the column (the January 2023 HDX table).
    pub wfp: Option<bool>,
}

/// Everything one source says about one voyage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoyageRecord {
    pub key: VoyageKey,
    pub vessel_name: String,
    pub imo: Imo,
    /// Flag as published, and its ISO alpha-2 where the name is known.
    pub flag_name: String,
    pub flag: Option<String>,
    /// UN/LOCODE of the Ukrainian port.
    pub port: String,
    pub departure: Date,
    pub inspection_cleared: Option<Date>,
    pub cargo: Vec<CargoLine>,
}

impl VoyageRecord {
    pub fn status(&self) -> VoyageStatus {
        if self.inspection_cleared.is_some() {
            VoyageStatus::Inspected
        } else {
            VoyageStatus::Departed
        }
    }

    pub fn tonnes(&self) -> Tonnes {
        self.cargo.iter().map(|c| c.tonnes).sum()
    }

    /// The record as named fields with canonical text values, which is what
    /// the change history compares and keeps. Fields a source does not
    /// publish are absent, not empty.
    pub fn fields(&self) -> BTreeMap<String, String> {
        let mut f = BTreeMap::new();
        let mut put = |k: String, v: String| {
            f.insert(k, v);
        };
        put("vessel_name".into(), self.vessel_name.clone());
        put("imo".into(), self.imo.to_string());
        put("flag".into(), self.flag_name.clone());
        put("port".into(), self.port.clone());
        put("departure".into(), self.departure.to_string());
        put(
            "inspection_cleared".into(),
            self.inspection_cleared
                .map(|d| d.to_string())
                .unwrap_or_default(),
        );
        put("cargo_lines".into(), self.cargo.len().to_string());
        for (i, c) in self.cargo.iter().enumerate() {
            let k = |name: &str| format!("cargo[{}].{name}", i + 1);
            put(k("commodity"), c.commodity.name().to_string());
            put(k("tonnes"), c.tonnes.to_string());
            put(k("destination"), c.destination.clone());
            put(k("income_group"), c.income_group.clone());
            put(k("world_bank_region"), c.world_bank_region.clone());
            put(k("un_region"), c.un_region.clone());
            put(k("development_category"), c.development_category.clone());
            if let Some(w) = c.wfp {
                put(k("wfp"), w.to_string());
            }
        }
        f
    }
}
