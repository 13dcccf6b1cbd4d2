//! The monitor's clock: reports admitted in time order, the scan that
//! finds silent vessels, held reports far ahead, and the end of a feed.

use super::*;

impl<R: Registry> Monitor<R> {
    /// Refuses (counts `invalid`) every report dated after `wall` plus
    /// [`MonitorConfig::max_clock_lead_s`]: a live caller passes its wall
    /// clock before each batch, so that no report from the future can move
    /// the clock (two of them would confirm each other). `None`: no bound
    /// (replays, which have no wall clock of their own).
    pub fn set_wall_clock(&mut self, wall: Option<Timestamp>) {
        let lead = jiff::SignedDuration::from_secs(
            i64::try_from(self.config.max_clock_lead_s).unwrap_or(i64::MAX),
        );
        self.latest = wall.map(|w| w.checked_add(lead).unwrap_or(Timestamp::MAX));
    }

    /// Move the clock to `t` (event time) and raise `ais_gap` for vessels in
    /// the corridor that have been silent too long. Call it on a clock tick
    /// when reports may stop altogether; reports call it themselves. The
    /// caller's clock is trusted: a held report (see
    /// [`MonitorConfig::max_clock_lead_s`]) no more than the bound after `t`
    /// is applied first.
    pub fn advance_to(&mut self, t: Timestamp, out: &mut Vec<Alert>) {
        let lead = self.config.max_clock_lead_s as f64;
        if self
            .held
            .as_ref()
            .is_some_and(|h| secs(t, h.time()) <= lead)
            && let Some(h) = self.held.take()
        {
            self.apply(&h, out);
        }
        self.advance_clock(t, out);
    }

    /// The clock's sanity bound ([`MonitorConfig::max_clock_lead_s`]):
    /// whether a report at `t` may be applied now. A held report is settled
    /// first by this one: confirmed (not more than the bound before it: the
    /// feed really is there) it is applied, before this one as it came
    /// first; otherwise it is disowned, counted `invalid`. Then a report far
    /// ahead of the clock, or the very first, is held (`report` makes the
    /// copy) rather than applied. One after the wall clock's bound
    /// ([`Monitor::set_wall_clock`]) is refused outright. Sets what
    /// [`Monitor::last_refused`] says.
    pub(super) fn admit(
        &mut self,
        t: Timestamp,
        report: impl FnOnce() -> Report,
        out: &mut Vec<Alert>,
    ) -> bool {
        // After the caller's wall clock (and the bound): never real.
        if self.latest.is_some_and(|l| t > l) {
            self.stats.invalid += 1;
            self.refused = true;
            return false;
        }
        if self.config.max_clock_lead_s == 0 {
            self.refused = false;
            return true;
        }
        let lead = self.config.max_clock_lead_s as f64;
        if let Some(h) = self.held.take() {
            if secs(h.time(), t) >= -lead {
                self.apply(&h, out);
            } else {
                self.stats.invalid += 1;
            }
        }
        // Whatever applying the held report set, this one is not refused
        // (held, or applied next, where an untracked vessel still is).
        self.refused = false;
        if self.now.is_none_or(|n| secs(n, t) > lead) {
            self.held = Some(report());
            return false;
        }
        true
    }

    /// Applies an admitted report.
    fn apply(&mut self, r: &Report, out: &mut Vec<Alert>) {
        match r {
            Report::Position(p) => self.position(p, out),
            Report::Static(s) => self.static_report(s, out),
        }
    }

    pub(super) fn advance_clock(&mut self, t: Timestamp, out: &mut Vec<Alert>) {
        if self.now.is_none_or(|n| t > n) {
            self.now = Some(t);
        }
        let now = self.now.unwrap_or(t);
        if self.next_scan.is_some_and(|n| now < n) {
            return;
        }
        self.next_scan = Some(plus(now, self.config.gap_scan_interval_s.max(1)));
        let gap = self.config.ais_gap_s as f64;
        let due: Vec<(u32, Timestamp)> = self
            .vessels
            .values()
            .filter(|v| v.in_corridor() && v.det.gap.is_none())
            .filter_map(|v| {
                v.last_heard()
                    .filter(|ls| secs(*ls, now) > gap)
                    .map(|ls| (v.mmsi, ls))
            })
            .collect();
        // Hash-map order is random per process: sort so alert ids are reproducible.
        let mut due = due;
        due.sort_unstable();
        self.end_conflicts(now, out);
        self.prune(now, out);
        for (mmsi, last) in due {
            self.open_gap(mmsi, last, now, out);
        }
    }

    /// Opens `ais_gap` for `mmsi`, silent from `last` to `now`.
    pub(super) fn open_gap(
        &mut self,
        mmsi: u32,
        last: Timestamp,
        now: Timestamp,
        out: &mut Vec<Alert>,
    ) {
        let Some(v) = self.vessels.get(&mmsi) else {
            return;
        };
        {
            let (place, evidence) = match v.fix {
                Some(f) => (
                    Place {
                        lat: Some(f.pos.lat),
                        lon: Some(f.pos.lon),
                        area: self.zone_name(v),
                    },
                    vec![Evidence::Position(f.to_report(mmsi))],
                ),
                None => (
                    Place {
                        lat: None,
                        lon: None,
                        area: None,
                    },
                    vec![],
                ),
            };
            let detail = format!(
                "no report for more than {} s while in the corridor",
                self.config.ais_gap_s
            );
            let id = self.open_alert(
                AlertKind::AisGap,
                mmsi,
                last,
                now,
                place,
                detail,
                evidence,
                out,
            );
            if let Some(v) = self.vessels.get_mut(&mmsi) {
                v.det.gap = Some(id);
            }
        }
    }

    /// Drop stale encounter candidates (closing their alerts at the last
    /// time the pair was seen together) and forget long-silent vessels.
    fn prune(&mut self, now: Timestamp, out: &mut Vec<Alert>) {
        let stale_pair = 2.0 * self.config.encounter_max_fix_age_s as f64;
        let mut old: Vec<(u32, u32)> = self
            .pairs
            .iter()
            .filter(|(_, p)| secs(p.last, now) > stale_pair)
            .map(|(k, _)| *k)
            .collect();
        old.sort_unstable();
        for (a, b) in old {
            self.end_pair(a, b, out);
        }
        let forget = self.config.forget_after_s as f64;
        if forget <= 0.0 {
            return;
        }
        let gone: Vec<u32> = self
            .vessels
            .values()
            .filter(|v| !v.in_corridor() && v.last_heard().is_some_and(|ls| secs(ls, now) > forget))
            .filter(|v| {
                let d = &v.det;
                d.loiter.is_none()
                    && d.deviation.is_none()
                    && d.gap.is_none()
                    && d.jump.is_none()
                    && d.conflict.is_none()
                    && d.identity.is_none()
                    && d.partners.is_empty()
            })
            .map(|v| v.mmsi)
            .collect();
        for m in gone {
            if let Some(v) = self.vessels.remove(&m)
                && let Some(pt) = v.det.indexed
            {
                self.slow.remove(&GeomWithData::new(pt, m));
            }
        }
    }

    /// Close every open alert at `t` (end of a replay), newest first.
    /// `wall_clock`: the time where the replay runs, if the caller knows it.
    pub fn finish(&mut self, t: Timestamp, wall_clock: Option<Timestamp>, out: &mut Vec<Alert>) {
        self.advance_to(t, out);
        // Still held: nothing after it confirmed it, and nothing will. Within
        // the gap limit of the clock it is kept (a sparse log's last report:
        // moving the clock less than that cannot by itself raise a gap).
        // Farther ahead it is kept only if it is not in the future where the
        // replay runs (a ship heard again after a long silence, the end of a
        // recorded log), and for its own vessel only: the fleet's clock does
        // not jump with it (one bad time would find every other ship
        // silent), its own silence is its gap. A report from the future is
        // refused.
        if let Some(h) = self.held.take() {
            let gap = self.config.ais_gap_s as f64;
            let skew = self.config.max_clock_lead_s as f64;
            let in_the_past = wall_clock.is_some_and(|w| secs(w, h.time()) <= skew);
            if self.now.is_none_or(|n| secs(n, h.time()) <= gap) {
                self.apply(&h, out);
            } else if in_the_past {
                self.apply_alone(&h, out);
            } else {
                self.stats.invalid += 1;
            }
        }
        let mut ids: Vec<u64> = self.open.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            let end = self.open.get(&id).map_or(t, |a| a.end);
            self.close_alert(id, end, None, out);
        }
        for v in self.vessels.values_mut() {
            let d = &mut v.det;
            d.loiter = None;
            d.deviation = None;
            d.gap = None;
            d.jump = None;
            d.conflict = None;
            d.identity = None;
        }
        for p in self.pairs.values_mut() {
            p.alerts = None;
        }
    }

    /// Applies `r`, far ahead of the clock, to its own vessel only: the
    /// vessel's silence up to it is an `ais_gap` (if it was in the
    /// corridor), and no fleet-wide scan runs at its time.
    fn apply_alone(&mut self, r: &Report, out: &mut Vec<Alert>) {
        let t = r.time();
        if let Report::Position(p) = r
            && let Some(v) = self.vessels.get(&p.mmsi)
            && v.in_corridor()
            && v.det.gap.is_none()
            && let Some(last) = v.last_heard()
            && secs(last, t) > self.config.ais_gap_s as f64
        {
            self.open_gap(p.mmsi, last, t, out);
        }
        // The scan is due after this report: none runs at its time.
        self.next_scan = Some(plus(t, self.config.gap_scan_interval_s.max(1)));
        self.apply(r, out);
    }
}
