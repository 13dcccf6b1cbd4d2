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
    /// The voyage's outbound inspection, where the record dates it.
    pub inspection_cleared: Option<Date>,
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
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
    /// Tonnes by month of departure (`YYYY-MM`), then by commodity.
    pub by_month_commodity: BTreeMap<String, BTreeMap<String, Tonnes>>,
    /// Every day (`YYYY-MM-DD`) from the first departure to the last
    /// inspection of the voyages the record gives an inspection date: the
    /// inspections that day and the vessels waiting (departed, not yet
    /// inspected; a voyage waits from its departure day to the day before
    /// its inspection). Voyages without an inspection date are left out.
    pub inspections_by_day: BTreeMap<String, InspectionDay>,
}

/// One day of [`Stats::inspections_by_day`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct InspectionDay {
    pub inspections: u64,
    pub waiting: u64,
}

/// Accumulates [`CargoFact`]s into [`Stats`].
#[derive(Debug, Default)]
pub struct StatsBuilder {
    stats: Stats,
    voyages: BTreeSet<i64>,
    /// Per day: inspections, and the change in vessels waiting.
    days: BTreeMap<Date, (u64, i64)>,
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
            days: BTreeMap::new(),
        }
    }

    pub fn add(&mut self, f: &CargoFact) {
        let s = &mut self.stats;
        let month = format!("{:04}-{:02}", f.departure.year(), f.departure.month());
        if self.voyages.insert(f.voyage_id) {
            *s.voyages_by_month.entry(month.clone()).or_default() += 1;
            if let Some(i) = f.inspection_cleared {
                self.days.entry(i).or_default().0 += 1;
                if f.departure < i {
                    self.days.entry(f.departure).or_default().1 += 1;
                    self.days.entry(i).or_default().1 -= 1;
                }
            }
        }
        *s.by_month_commodity
            .entry(month.clone())
            .or_default()
            .entry(f.commodity.clone())
            .or_default() += f.tonnes;
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
        if let (Some(first), Some(last)) = (
            self.days.keys().next().copied(),
            self.days.keys().next_back().copied(),
        ) {
            let mut waiting = 0i64;
            for day in first
                .series(jiff::Span::new().days(1))
                .take_while(|d| *d <= last)
            {
                let (inspections, change) = self.days.get(&day).copied().unwrap_or_default();
                waiting += change;
                self.stats.inspections_by_day.insert(
                    day.to_string(),
                    InspectionDay {
                        inspections,
                        waiting: u64::try_from(waiting).unwrap_or(0),
                    },
                );
            }
        }
        self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn fact(
        voyage_id: i64,
        departure: Date,
        inspected: Option<Date>,
        commodity: &str,
        kg: i64,
    ) -> CargoFact {
        CargoFact {
            voyage_id,
            port: "Odesa".into(),
            departure,
            inspection_cleared: inspected,
            commodity: commodity.into(),
            tonnes: Tonnes::from_kg(kg),
            country: "Spain".into(),
            income_group: "high-income".into(),
            development_category: "developed".into(),
            un_region: "Western Europe and Others".into(),
            world_bank_region: "Europe & Central Asia".into(),
            wfp: false,
        }
    }

    #[test]
    fn inspections_and_waiting_by_day_count_each_voyage_once() {
        let mut b = StatsBuilder::new(DateRange::default());
        // Voyage 1: two lines, departed the 1st, inspected the 3rd.
        b.add(&fact(
            1,
            date(2022, 8, 1),
            Some(date(2022, 8, 3)),
            "Corn",
            1_000,
        ));
        b.add(&fact(
            1,
            date(2022, 8, 1),
            Some(date(2022, 8, 3)),
            "Wheat",
            2_000,
        ));
        // Voyage 2: departed and inspected the 2nd (never waits overnight).
        b.add(&fact(
            2,
            date(2022, 8, 2),
            Some(date(2022, 8, 2)),
            "Corn",
            500,
        ));
        // Voyage 3: no inspection date: in the tonnes, not in the days.
        b.add(&fact(3, date(2022, 9, 9), None, "Corn", 4_000));
        let s = b.finish();
        let days: Vec<(&str, u64, u64)> = s
            .inspections_by_day
            .iter()
            .map(|(d, i)| (d.as_str(), i.inspections, i.waiting))
            .collect();
        assert_eq!(
            days,
            [
                ("2022-08-01", 0, 1),
                ("2022-08-02", 1, 1),
                ("2022-08-03", 1, 0)
            ]
        );
        assert_eq!(
            s.by_month_commodity["2022-08"]["Corn"],
            Tonnes::from_kg(1_500)
        );
        assert_eq!(
            s.by_month_commodity["2022-08"]["Wheat"],
            Tonnes::from_kg(2_000)
        );
        assert_eq!(
            s.by_month_commodity["2022-09"]["Corn"],
            Tonnes::from_kg(4_000)
        );
        assert_eq!(s.voyages, 3);
    }
}
