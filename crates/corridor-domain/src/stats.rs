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

/// How many names a cargo line's tonnes are grouped by (port, commodity,
/// destination and its four groupings).
const GROUPINGS: usize = 7;

/// Where the commodity stands among [`CargoFact::groups`].
const COMMODITY: usize = 1;

impl CargoFact {
    /// The names this line's tonnes are grouped by, in the order of
    /// [`Stats::groupings_mut`].
    fn groups(&self) -> [&String; GROUPINGS] {
        [
            &self.port,
            &self.commodity,
            &self.country,
            &self.income_group,
            &self.development_category,
            &self.un_region,
            &self.world_bank_region,
        ]
    }
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
    /// its inspection, and one without an inspection date to the series'
    /// end). Of the voyages that departed in the range: for any day's true
    /// count, read the whole record's and take the days wanted.
    pub inspections_by_day: BTreeMap<String, InspectionDay>,
}

impl Stats {
    /// The tonnes by each grouping, in the order of [`CargoFact::groups`].
    fn groupings_mut(&mut self) -> [&mut BTreeMap<String, Tonnes>; GROUPINGS] {
        [
            &mut self.by_port,
            &mut self.by_commodity,
            &mut self.by_country,
            &mut self.by_income_group,
            &mut self.by_development_category,
            &mut self.by_un_region,
            &mut self.by_world_bank_region,
        ]
    }
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
    /// Voyages counted by [`FiguresByDay`] without their ids.
    voyage_count: u64,
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
            voyage_count: 0,
            days: BTreeMap::new(),
        }
    }

    /// `n` voyages that departed on `departure` and were inspected on
    /// `inspected`: the day's inspections, and waiting from the one day
    /// to the day before the other.
    fn inspected(&mut self, departure: Date, inspected: Date, n: u64) {
        let signed = i64::try_from(n).unwrap_or(i64::MAX);
        self.days.entry(inspected).or_default().0 += n;
        if departure < inspected {
            self.days.entry(departure).or_default().1 += signed;
            self.days.entry(inspected).or_default().1 -= signed;
        }
    }

    /// `n` voyages that departed on `departure` and have no inspection
    /// date: waiting from that day on.
    fn uninspected(&mut self, departure: Date, n: u64) {
        self.days.entry(departure).or_default().1 += i64::try_from(n).unwrap_or(i64::MAX);
    }

    pub fn add(&mut self, f: &CargoFact) {
        let month = format!("{:04}-{:02}", f.departure.year(), f.departure.month());
        if self.voyages.insert(f.voyage_id) {
            *self
                .stats
                .voyages_by_month
                .entry(month.clone())
                .or_default() += 1;
            match f.inspection_cleared {
                Some(i) => self.inspected(f.departure, i, 1),
                None => self.uninspected(f.departure, 1),
            }
        }
        let s = &mut self.stats;
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
        *s.by_month.entry(month).or_default() += f.tonnes;
        for (map, key) in s.groupings_mut().into_iter().zip(f.groups()) {
            *map.entry(key.clone()).or_default() += f.tonnes;
        }
    }

    pub fn finish(mut self) -> Stats {
        self.stats.voyages = self.voyages.len() as u64 + self.voyage_count;
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

/// What one departure day adds to the figures: the whole record summed
/// once, by day, so that the figures of any date range are a merge of its
/// days (a few hundred) instead of a read of its cargo lines (a million).
#[derive(Debug, Clone, Default, PartialEq)]
struct DayPart {
    tonnes: Tonnes,
    cargo_lines: u64,
    wfp_tonnes: Tonnes,
    voyages: u64,
    /// Tonnes by each of [`CargoFact::groups`], in its order.
    groupings: [BTreeMap<String, Tonnes>; GROUPINGS],
    /// Voyages departed this day by the day of their inspection.
    inspected: BTreeMap<Date, u64>,
    /// Voyages departed this day without an inspection date.
    uninspected: u64,
}

/// The record's figures by departure day; [`FiguresByDay::stats`] gives
/// any range's [`Stats`], equal to a [`StatsBuilder`] fed that range's
/// cargo lines.
#[derive(Debug, Clone, Default)]
pub struct FiguresByDay {
    days: BTreeMap<Date, DayPart>,
    /// Voyages seen while adding (each is counted on its first line).
    seen: BTreeSet<i64>,
}

impl FiguresByDay {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, f: &CargoFact) {
        let d = self.days.entry(f.departure).or_default();
        if self.seen.insert(f.voyage_id) {
            d.voyages += 1;
            match f.inspection_cleared {
                Some(i) => *d.inspected.entry(i).or_default() += 1,
                None => d.uninspected += 1,
            }
        }
        d.tonnes += f.tonnes;
        d.cargo_lines += 1;
        if f.wfp {
            d.wfp_tonnes += f.tonnes;
        }
        for (map, key) in d.groupings.iter_mut().zip(f.groups()) {
            *map.entry(key.clone()).or_default() += f.tonnes;
        }
    }

    /// Done adding: the voyages seen are no longer needed.
    pub fn finish(mut self) -> Self {
        self.seen = BTreeSet::new();
        self
    }

    /// The figures of the voyages that departed in `range`.
    pub fn stats(&self, range: DateRange) -> Stats {
        let mut b = StatsBuilder::new(range);
        let days = match (range.from, range.until) {
            (Some(f), Some(u)) if f > u => return b.finish(),
            (f, u) => self.days.range((
                f.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Included),
                u.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Included),
            )),
        };
        for (day, d) in days {
            let s = &mut b.stats;
            let month = format!("{:04}-{:02}", day.year(), day.month());
            s.tonnes += d.tonnes;
            s.cargo_lines += d.cargo_lines;
            s.wfp_tonnes += d.wfp_tonnes;
            if d.voyages > 0 {
                *s.voyages_by_month.entry(month.clone()).or_default() += d.voyages;
            }
            b.voyage_count += d.voyages;
            *s.by_month.entry(month.clone()).or_default() += d.tonnes;
            add_all(
                s.by_month_commodity.entry(month).or_default(),
                &d.groupings[COMMODITY],
            );
            for (into, from) in s.groupings_mut().into_iter().zip(&d.groupings) {
                add_all(into, from);
            }
            for (inspected, n) in &d.inspected {
                b.inspected(*day, *inspected, *n);
            }
            if d.uninspected > 0 {
                b.uninspected(*day, d.uninspected);
            }
        }
        b.finish()
    }
}

/// Adds every name's tonnes in `from` to `into`.
fn add_all(into: &mut BTreeMap<String, Tonnes>, from: &BTreeMap<String, Tonnes>) {
    for (k, t) in from {
        *into.entry(k.clone()).or_default() += *t;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    /// Cargo lines of up to 40 voyages over three months: a voyage's
    /// lines share its departure and inspection, as in the record.
    fn facts() -> impl Strategy<Value = Vec<CargoFact>> {
        let line = (
            0..40i64,
            0..3usize,
            0..5_000_000i64,
            0..4usize,
            any::<bool>(),
        );
        proptest::collection::vec(line, 0..120).prop_map(|lines| {
            let day = |n: i64| {
                date(2022, 8, 1)
                    .checked_add(jiff::Span::new().days(n))
                    .unwrap()
            };
            lines
                .into_iter()
                .map(|(v, c, kg, country, wfp)| CargoFact {
                    voyage_id: v,
                    port: ["Odesa", "Chornomorsk", "Yuzhny/Pivdennyi"][(v % 3) as usize].into(),
                    // Several voyages a day, several inspected on the same day.
                    departure: day(v % 12 * 8),
                    inspection_cleared: (v % 5 != 0).then(|| day(v % 12 * 8 + v % 4)),
                    commodity: ["Corn", "Wheat", "Barley"][c].into(),
                    tonnes: Tonnes::from_kg(kg),
                    country: ["Spain", "Egypt", "China", "Kenya"][country].into(),
                    income_group: ["high", "lower-middle", "upper-middle", "low"][country].into(),
                    development_category: ["developed", "developing", "developing", "LDC"][country]
                        .into(),
                    un_region: ["WEOG", "Africa", "Asia-Pacific", "Africa"][country].into(),
                    world_bank_region: ["ECA", "MENA", "EAP", "SSA"][country].into(),
                    wfp,
                })
                .collect()
        })
    }

    fn range() -> impl Strategy<Value = DateRange> {
        let day = proptest::option::of(0..100i64);
        (day.clone(), day).prop_map(|(f, u)| {
            let d = |n: i64| {
                date(2022, 7, 25)
                    .checked_add(jiff::Span::new().days(n))
                    .unwrap()
            };
            DateRange {
                from: f.map(d),
                until: u.map(d),
            }
        })
    }

    /// Each grouping sums under its own name, by day or line by line
    /// (one order of the groupings serves both).
    #[test]
    fn each_grouping_sums_under_its_own_name() {
        let f = CargoFact {
            voyage_id: 1,
            port: "port".into(),
            departure: date(2022, 8, 1),
            inspection_cleared: None,
            commodity: "commodity".into(),
            tonnes: Tonnes::from_kg(5_000),
            country: "country".into(),
            income_group: "income".into(),
            development_category: "development".into(),
            un_region: "un".into(),
            world_bank_region: "world bank".into(),
            wfp: false,
        };
        let mut b = StatsBuilder::new(DateRange::default());
        b.add(&f);
        let mut by_day = FiguresByDay::new();
        by_day.add(&f);
        for s in [b.finish(), by_day.finish().stats(DateRange::default())] {
            let named = |m: &BTreeMap<String, Tonnes>| m.keys().cloned().collect::<Vec<_>>();
            assert_eq!(named(&s.by_port), ["port"]);
            assert_eq!(named(&s.by_commodity), ["commodity"]);
            assert_eq!(named(&s.by_country), ["country"]);
            assert_eq!(named(&s.by_income_group), ["income"]);
            assert_eq!(named(&s.by_development_category), ["development"]);
            assert_eq!(named(&s.by_un_region), ["un"]);
            assert_eq!(named(&s.by_world_bank_region), ["world bank"]);
            assert_eq!(named(&s.by_month_commodity["2022-08"]), ["commodity"]);
        }
    }

    proptest! {
        /// Open finding 54: a range's figures come from the record summed
        /// by day, and must be exactly those of its cargo lines summed.
        #[test]
        fn figures_by_day_give_any_ranges_figures_exactly(facts in facts(), ranges in proptest::collection::vec(range(), 1..6)) {
            let mut by_day = FiguresByDay::new();
            for f in &facts {
                by_day.add(f);
            }
            let by_day = by_day.finish();
            for range in ranges {
                let mut b = StatsBuilder::new(range);
                for f in facts.iter().filter(|f| range.contains(f.departure)) {
                    b.add(f);
                }
                prop_assert_eq!(by_day.stats(range), b.finish(), "{:?}", range);
            }
        }
    }

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
        // Voyage 3: no inspection date: waiting from its departure to the
        // end (a review found the record's last 14 left out of "waiting").
        b.add(&fact(3, date(2022, 8, 2), None, "Corn", 4_000));
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
                ("2022-08-02", 1, 2),
                ("2022-08-03", 1, 1)
            ]
        );
        assert_eq!(
            s.by_month_commodity["2022-08"]["Corn"],
            Tonnes::from_kg(5_500)
        );
        assert_eq!(
            s.by_month_commodity["2022-08"]["Wheat"],
            Tonnes::from_kg(2_000)
        );
        assert_eq!(s.voyages, 3);
    }
}
