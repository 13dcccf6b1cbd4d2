//! Position reports: the track, `impossible_jump` and `mmsi_conflict`, `ais_gap`
//! found when a vessel speaks again.

use super::*;

impl<R: Registry> Monitor<R> {
    /// Close the MMSI conflicts whose other ship has been silent for
    /// `mmsi_conflict_quiet_s`, at its last report.
    pub(super) fn end_conflicts(&mut self, now: Timestamp, out: &mut Vec<Alert>) {
        let quiet = self.config.mmsi_conflict_quiet_s as f64;
        let mut done: Vec<(u32, u64, Timestamp)> = self
            .vessels
            .values()
            .filter_map(|v| {
                let id = v.det.conflict?;
                let end = self.open.get(&id).map_or(now, |a| a.end);
                (secs(end, now) > quiet).then_some((v.mmsi, id, end))
            })
            .collect();
        done.sort_unstable_by_key(|d| d.1);
        for (mmsi, id, end) in done {
            if let Some(v) = self.vessels.get_mut(&mmsi) {
                v.det.conflict = None;
            }
            self.close_alert(id, end, None, out);
        }
    }

    /// Opens `mmsi_conflict`: `r` and the earlier jump `q` agree with each
    /// other, and the believed fix `f` came between them. Any open
    /// `impossible_jump` ends: the conflict now speaks for those reports.
    fn open_conflict(
        &mut self,
        r: &PositionReport,
        q: PositionReport,
        f: Fix,
        out: &mut Vec<Alert>,
    ) {
        let Some(v) = self.vessels.get_mut(&r.mmsi) else {
            return;
        };
        let jump = v.det.jump.take().map(|id| (id, v.det.jump_last));
        let claims = identity(v.name.as_deref(), v.imo)
            .map(|i| format!("; static data claims {i}"))
            .unwrap_or_default();
        let frozen_track = v.det.frozen;
        if let Some((id, last)) = jump {
            self.close_alert(id, last.unwrap_or(r.time), None, out);
        }
        // A place that never moves while its reports say the ship is under
        // way is not a second ship's track: a frozen or made-up fix. Either
        // place may be it: the second, or the first, which the track follows.
        let why = if q.lat == r.lat && q.lon == r.lon && moving(q.sog_kn) && moving(r.sog_kn) {
            format!(
                "the second place does not move though its reports say {:.1} kn: one transponder alternating with a frozen or false fix, or a spoofer",
                r.sog_kn.unwrap_or_default()
            )
        } else if frozen_track {
            format!(
                "the first place does not move though its reports say {:.1} kn: one transponder alternating with a frozen or false fix, which the track follows; the second place, which moves, may be the ship's real one",
                f.sog_kn.unwrap_or_default()
            )
        } else {
            "two ships share it".to_string()
        };
        let detail = format!(
            "MMSI {} reported alternately at ({:.4}, {:.4}) and ({:.4}, {:.4}), {:.1} nm apart: {why}; the track follows the first place{claims}",
            r.mmsi,
            f.pos.lat,
            f.pos.lon,
            r.lat,
            r.lon,
            distance_m(f.pos, r.pos()) / NM,
        );
        let place = Place {
            lat: Some(q.lat),
            lon: Some(q.lon),
            area: None,
        };
        let evidence = vec![
            Evidence::Position(f.to_report(r.mmsi)),
            Evidence::Position(q),
            Evidence::Position(*r),
        ];
        let id = self.open_alert(
            AlertKind::MmsiConflict,
            r.mmsi,
            q.time,
            r.time,
            place,
            detail,
            evidence,
            out,
        );
        if let Some(v) = self.vessels.get_mut(&r.mmsi) {
            v.det.conflict = Some(id);
        }
    }

    pub(super) fn position(&mut self, r: &PositionReport, out: &mut Vec<Alert>) {
        let r = *r;
        if !self.room_for(r.mmsi) {
            return;
        }
        self.advance_clock(r.time, out);
        let cfg = &self.config;
        let v = self
            .vessels
            .entry(r.mmsi)
            .or_insert_with(|| Box::new(VesselState::new(r.mmsi)));
        // Stale: not newer than the believed fix. (Statics do not count: a
        // position in the same second as a type 5 is normal.)
        if v.fix.is_some_and(|f| r.time <= f.time) {
            self.stats.stale += 1;
            return;
        }
        if v.last_seen.is_none() {
            // Link by MMSI at first sight; static reports refresh the link.
            v.registered = self.registry.by_mmsi(r.mmsi).map(|reg| reg.key);
        }
        let prev_seen = v.last_seen;
        // A position may share its second with (or trail) a static report:
        // the clock of the vessel never goes backwards.
        v.last_seen = Some(prev_seen.map_or(r.time, |ls| ls.max(r.time)));
        let in_corridor = v.in_corridor();
        let gap_open = v.det.gap.take();
        let jump = v
            .fix
            .and_then(|f| implausible(cfg, f.pos, f.time, &r).map(|(d, dt)| (f, d, dt)));
        // A run of jumps that agree with one another is a rival track; when it
        // outnumbers the believed one, the believed position was the outlier.
        let need = cfg.reanchor_fixes;
        // A jump that agrees with the previous one (`other`) is the other
        // ship's; with a believed fix between them (run 0), recently, the
        // reports alternate between two ships: an MMSI conflict.
        let mut other = None;
        let mut alternates = false;
        let reanchor = match jump {
            Some(_) => {
                let run = match v.det.rival {
                    Some((q, n)) if implausible(cfg, q.pos(), q.time, &r).is_none() => {
                        other = Some(q);
                        alternates =
                            n == 0 && secs(q.time, r.time) <= cfg.mmsi_conflict_quiet_s as f64;
                        n.saturating_add(1)
                    }
                    _ => 1,
                };
                v.det.rival = Some((r, run));
                need > 0 && run >= need.max(2) && run > v.det.support
            }
            None => false,
        };
        let conflict = v.det.conflict;
        let ev = Evidence::Position(r);

        // ais_gap: close an open one, or raise one found only now.
        if let Some(id) = gap_open {
            self.close_alert(id, r.time, Some(ev.clone()), out);
        } else if let Some(ls) = prev_seen
            && in_corridor
            && secs(ls, r.time) > self.config.ais_gap_s as f64
        {
            let Some(v) = self.vessels.get(&r.mmsi) else {
                return;
            };
            let place = v.fix.map_or(
                Place {
                    lat: Some(r.lat),
                    lon: Some(r.lon),
                    area: None,
                },
                |f| Place {
                    lat: Some(f.pos.lat),
                    lon: Some(f.pos.lon),
                    area: self.zone_name(v),
                },
            );
            let mut evidence: Vec<Evidence> = v
                .fix
                .map(|f| Evidence::Position(f.to_report(r.mmsi)))
                .into_iter()
                .collect();
            evidence.push(ev.clone());
            let detail = format!(
                "no report for {:.0} s while in the corridor",
                secs(ls, r.time)
            );
            let id = self.open_alert(
                AlertKind::AisGap,
                r.mmsi,
                ls,
                r.time,
                place,
                detail,
                evidence,
                out,
            );
            self.close_alert(id, r.time, None, out);
        }

        // mmsi_conflict: the other ship's reports are one alert, not a jump each.
        if let Some((f, ..)) = jump
            && !reanchor
            && let Some(q) = other
            && (conflict.is_some() || alternates)
        {
            self.stats.jumps += 1;
            match conflict {
                Some(id) => self.extend_alert(id, r.time, Some(ev)),
                None => self.open_conflict(&r, q, f, out),
            }
            return;
        }

        // impossible_jump: flag it, and do not believe it.
        if let Some((f, d, dt)) = jump
            && !reanchor
        {
            self.stats.jumps += 1;
            let v = self.vessels.get_mut(&r.mmsi).map(|v| {
                v.det.jump_last = Some(r.time);
                v.det.jump
            });
            match v.flatten() {
                Some(id) => self.extend_alert(id, r.time, Some(ev)),
                None => {
                    let detail = format!(
                        "{:.1} nm in {:.0} s ({:.0} kn) from the believed position; position not believed",
                        d / NM,
                        dt,
                        if dt > 0.0 {
                            d / dt / KNOT_MPS
                        } else {
                            f64::INFINITY
                        }
                    );
                    let evidence = vec![Evidence::Position(f.to_report(r.mmsi)), ev];
                    let place = Place {
                        lat: Some(r.lat),
                        lon: Some(r.lon),
                        area: None,
                    };
                    let id = self.open_alert(
                        AlertKind::ImpossibleJump,
                        r.mmsi,
                        r.time,
                        r.time,
                        place,
                        detail,
                        evidence,
                        out,
                    );
                    if let Some(v) = self.vessels.get_mut(&r.mmsi) {
                        v.det.jump = Some(id);
                    }
                }
            }
            return;
        }
        if let Some((outlier, ..)) = jump {
            self.reanchor(&r, outlier, out);
        } else if let Some(v) = self.vessels.get_mut(&r.mmsi)
            && let Some(id) = v.det.jump.take()
        {
            let end = v.det.jump_last.unwrap_or(r.time);
            self.close_alert(id, end, None, out);
        }

        self.stats.positions += 1;
        // Believe it.
        let tau = self.config.speed_time_constant_s.max(1) as f64;
        let gap = self.config.ais_gap_s as f64;
        let max_speed_kn = self.config.max_speed_kn;
        if let Some(v) = self.vessels.get_mut(&r.mmsi) {
            v.det.believed = v.det.believed.saturating_add(1);
            v.det.support = match (reanchor, v.fix) {
                (true, _) => v.det.rival.map_or(1, |(_, n)| n),
                (false, Some(f)) if secs(f.time, r.time) <= gap => v.det.support.saturating_add(1),
                (false, _) => 1,
            };
            // The latest jump is remembered (run 0: a believed fix came
            // since), to see the reports come back to it. A re-anchoring
            // disowns the old track: in a conflict it is the other ship's,
            // otherwise it was an outlier, forgotten.
            v.det.rival = match (reanchor, v.fix) {
                (true, Some(f)) if v.det.conflict.is_some() => Some((f.to_report(r.mmsi), 0)),
                (true, _) => None,
                (false, _) => v.det.rival.map(|(q, _)| (q, 0)),
            };
            // An ETA is reckoned from the average.
            if let Some(s) = r.sog_kn.filter(|s| super::believable_kn(*s, max_speed_kn)) {
                v.avg_speed_kn = Some(match (v.avg_speed_kn, v.fix) {
                    (Some(avg), Some(f)) => {
                        let a = 1.0 - (-(secs(f.time, r.time)) / tau).exp();
                        avg + (a as f32) * (s - avg)
                    }
                    _ => s,
                });
            }
            // Not the same broadcast heard twice: in the time between, the
            // speed both claim would have moved the ship measurably.
            v.det.frozen = v.fix.is_some_and(|f| {
                f.pos == r.pos()
                    && moving(f.sog_kn)
                    && moving(r.sog_kn)
                    && f64::from(r.sog_kn.unwrap_or_default()) * KNOT_MPS * secs(f.time, r.time)
                        >= FROZEN_FIX_MIN_MOVE_M
            });
            v.fix = Some(Fix::from_report(&r));
        }
        self.update_zones(&r, out);
        self.update_loitering(&r, out);
        self.update_encounters(&r, out);
    }

    /// The believed position `outlier` is disowned: `r` ends a run of
    /// consecutive, mutually consistent reports that each jumped from it.
    /// The open `impossible_jump` alert is re-aimed at the outlier (its time
    /// and place, ending at `r`) and closed; zones and speeds derived from the
    /// outlier are forgotten, so `r` counts as the vessel's first sight
    /// (nothing is "entered" on a teleport). The caller then believes `r`.
    fn reanchor(&mut self, r: &PositionReport, outlier: Fix, out: &mut Vec<Alert>) {
        let Some(v) = self.vessels.get_mut(&r.mmsi) else {
            return;
        };
        let run = v.det.rival.map_or(1, |(_, n)| n);
        let conflict = v.det.conflict;
        v.avg_speed_kn = None;
        v.det.zone_eval = None;
        // The disowned track was all the vessel had (a bad first fix): the
        // new one is its first sight.
        if v.det.believed <= u32::from(v.det.support) {
            v.det.placed = false;
        }
        if v.det.deviation.is_none() {
            v.zone = Zone::Unknown;
            v.last_zone = LastZone::None;
            v.areas = [u32::MAX; MAX_AREAS];
        }
        if v.det.loiter.is_none() {
            v.det.slow_since = None;
            v.det.slow_last = None;
            v.det.slow_first = None;
        }
        // Two ships share the MMSI: the track follows the one heard now; the
        // other was no outlier, and the conflict alert already says so.
        if let Some(id) = conflict {
            self.extend_alert(id, r.time, Some(Evidence::Position(*r)));
            return;
        }
        let open = v.det.jump.take();
        let detail = format!(
            "believed position ({:.4}, {:.4}) contradicted by the {run} consistent reports after it; track re-anchored on them",
            outlier.pos.lat, outlier.pos.lon
        );
        let place = Place {
            lat: Some(outlier.pos.lat),
            lon: Some(outlier.pos.lon),
            area: None,
        };
        let ev = Evidence::Position(*r);
        let id = match open.filter(|id| self.open.contains_key(id)) {
            Some(id) => {
                if let Some(a) = self.open.get_mut(&id) {
                    a.start = outlier.time;
                    a.place = place;
                    a.detail = detail;
                }
                id
            }
            None => self.open_alert(
                AlertKind::ImpossibleJump,
                r.mmsi,
                outlier.time,
                r.time,
                place,
                detail,
                vec![Evidence::Position(outlier.to_report(r.mmsi))],
                out,
            ),
        };
        self.close_alert(id, r.time, Some(ev), out);
    }
}
