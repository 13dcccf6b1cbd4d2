//! The published figures: tonnes by port, commodity, destination and month.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use serde::Serialize;

use crate::tonnes::Tonnes;

/// One cargo line with what the figures group it by; stores stream these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoFact {
    pub voyage_id: i64,
    pub port: String,
    pub departure: Date,
    pub commodity: String,
    pub tonnes: Tonnes,
    pub country: String,
    pub income_group: String,
    pub development_category: String,
    pub un_region: String,
    pub world_bank_region: String,
    pub wfp: bool,
}

/// Inclusive date range on the departure date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct DateRange {
    pub from: Option<Date>,
    pub until: Option<Date>,
}

impl DateRange {
    pub fn contains(&self, d: Date) -> bool {
        self.from.is_none_or(|f| d >= f) && self.until.is_none_or(|u| d <= u)
    }
}

/// The figures the JCC published, for any date range.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    pub from: Option<Date>,
    pub until: Option<Date>,
    pub tonnes: Tonnes,
    pub voyages: u64,
    pub cargo_lines: u64,
    pub wfp_tonnes: Tonnes,
    pub by_port: BTreeMap<String, Tonnes>,
    pub by_commodity: BTreeMap<String, Tonnes>,
    pub by_country: BTreeMap<String, Tonnes>,
    pub by_income_group: BTreeMap<String, Tonnes>,
    pub by_development_category: BTreeMap<String, Tonnes>,
    pub by_un_region: BTreeMap<String, Tonnes>,
    pub by_world_bank_region: BTreeMap<String, Tonnes>,
    /// Keyed `YYYY-MM` by departure date.
    pub by_month: BTreeMap<String, Tonnes>,
    /// Voyages departed per month.
    pub voyages_by_month: BTreeMap<String, u64>,
}

/// Accumulates [`CargoFact`]s into [`Stats`].
#[derive(Debug, Default)]
pub struct StatsBuilder {
    stats: Stats,
    voyages: BTreeSet<i64>,
}

impl StatsBuilder {
    pub fn new(range: DateRange) -> Self {
        StatsBuilder {
            stats: Stats {
                from: range.from,
                until: range.until,
                ..Stats::default()
            },
            voyages: BTreeSet::new(),
        }
    }

    pub fn add(&mut self, f: &CargoFact) {
        let s = &mut self.stats;
        let month = format!("{:04}-{:02}", f.departure.year(), f.departure.month());
        if self.voyages.insert(f.voyage_id) {
            *s.voyages_by_month.entry(month.clone()).or_default() += 1;
        }
        s.tonnes += f.tonnes;
        s.cargo_lines += 1;
        if f.wfp {
            s.wfp_tonnes += f.tonnes;
        }
        for (map, key) in [
            (&mut s.by_port, &f.port),
            (&mut s.by_commodity, &f.commodity),
            (&mut s.by_country, &f.country),
            (&mut s.by_income_group, &f.income_group),
            (&mut s.by_development_category, &f.development_category),
            (&mut s.by_un_region, &f.un_region),
            (&mut s.by_world_bank_region, &f.world_bank_region),
            (&mut s.by_month, &month),
        ] {
            *map.entry(key.clone()).or_default() += f.tonnes;
        }
    }

    pub fn finish(mut self) -> Stats {
        self.stats.voyages = self.voyages.len() as u64;
        self.stats
    }
}
