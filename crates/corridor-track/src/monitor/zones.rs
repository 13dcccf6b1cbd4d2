//! Where a vessel is: corridor entry and exit, `deviation`, `area_arrival`.

use super::*;

impl<R: Registry> Monitor<R> {
    /// Places vessels where a previous run last saw them (each vessel's
    /// latest stored position), raising nothing: after a restart, a vessel
    /// still in an inspection area is not "first seen" there again, and
    /// one still in a lane or area has not "entered" the corridor. The
    /// placement is kept (corridor zone, last lane or area, areas), with
    /// the registry link and when the vessel was heard, so its silence
    /// since counts towards `ais_gap` and forgetting. The report is not a
    /// fix: it moves no clock and makes no later report stale. Vessels
    /// outside the corridor and every area, or already tracked, are left
    /// out. Returns how many were placed.
    pub fn resume<'a>(&mut self, last: impl IntoIterator<Item = &'a PositionReport>) -> usize {
        let mut discarded = Vec::new();
        let mut placed = 0;
        for raw in last {
            let Some(r) = raw.normalized() else {
                continue;
            };
            if self.vessels.contains_key(&r.mmsi) || !self.room_for(r.mmsi) {
                continue;
            }
            self.vessels
                .insert(r.mmsi, Box::new(VesselState::new(r.mmsi)));
            // From an unknown zone, placing raises only point events
            // ("first seen in"), which are what a restart must not repeat.
            self.update_zones(&r, &mut discarded);
            discarded.clear();
            let registered = self.registry.by_mmsi(r.mmsi).map(|reg| reg.key);
            match self.vessels.get_mut(&r.mmsi) {
                Some(v) if v.in_corridor() || v.areas().next().is_some() => {
                    v.det.resumed = Some(Fix::from_report(&r));
                    v.registered = registered;
                    // Where it was before the restart: it reached no port now.
                    v.det.port_unjudged = false;
                    placed += 1;
                }
                _ => {
                    self.vessels.remove(&r.mmsi);
                }
            }
        }
        placed
    }

    pub(super) fn update_zones(&mut self, r: &PositionReport, out: &mut Vec<Alert>) {
        let c = Arc::clone(&self.corridor);
        let hyst = self.config.boundary_hysteresis_m;
        let dev_m = self.config.deviation_nm * NM;
        let p = r.pos();
        let Some(v) = self.vessels.get(&r.mmsi) else {
            return;
        };
        // Safe radius: closer to the last evaluation than the nearest lane
        // threshold or area boundary, nothing can have changed. Skipping the
        // geometry here is what keeps the per-report cost low.
        if let Some((q, margin)) = v.det.zone_eval
            && approx_distance_m(p, q) < f64::from(margin) * 0.9 - 25.0
        {
            if let (Zone::Deviating, Some(id)) = (v.zone, v.det.deviation) {
                self.extend_alert(id, r.time, Some(Evidence::Position(*r)));
                if let Some(v) = self.vessels.get_mut(&r.mmsi) {
                    v.det.deviation_last = Some(r.time);
                }
            }
            return;
        }
        let first = v.zone == Zone::Unknown;
        let never_placed = !v.det.placed;
        let prev_areas: Vec<AreaId> = v.areas().collect();
        // Area membership with hysteresis: stay "in" until clearly out.
        let mut now_areas: Vec<AreaId> = c.areas_at(p).map(|a| a.id).collect();
        for a in &prev_areas {
            if !now_areas.contains(a) && c.distance_to_area_m(p, *a, hyst).is_some() {
                now_areas.push(*a);
            }
        }
        now_areas.truncate(MAX_AREAS);
        let kind_of = |a: &AreaId| c.area(*a).map(|a| a.kind);
        let widest = c
            .lanes()
            .iter()
            .map(|l| l.half_width_m())
            .fold(0.0, f64::max);
        let lane: Option<LaneHit> = c.nearest_lane(p, widest + dev_m + hyst);
        let staying = v.zone == Zone::Inside;
        let in_lane =
            lane.filter(|h| h.cross_m <= h.half_width_m + if staying { hyst } else { 0.0 });
        let c_area = now_areas.iter().copied().find(|a| {
            matches!(
                kind_of(a),
                Some(AreaKind::InspectionArea | AreaKind::WaitingArea)
            )
        });
        let port = now_areas
            .iter()
            .copied()
            .find(|a| kind_of(a) == Some(AreaKind::PortApproach));
        let anchorage = now_areas
            .iter()
            .copied()
            .find(|a| kind_of(a) == Some(AreaKind::Anchorage));
        let in_c = c_area.is_some() || in_lane.is_some();
        let name_area = |a: AreaId| c.area(a).map(|a| a.name.clone());
        let name_lane = |h: &LaneHit| c.lane(h.lane).map(|l| l.name.clone());

        // area_arrival: inspection areas (and the anchorages and waiting
        // areas where ships wait for inspection, `queue_arrival`) and ports
        // newly entered; and such an area a vessel is in when first seen
        // at all (it arrived before tracking saw it: the queue counts from
        // an arrival, a port call does not need one). Not again after a
        // re-anchored track.
        for a in &now_areas {
            let queue = c.area(*a).is_some_and(|x| x.queue_arrival);
            let arrived = if first {
                never_placed && queue
            } else {
                !prev_areas.contains(a) && (queue || kind_of(a) == Some(AreaKind::PortApproach))
            };
            if arrived {
                let area = c.area(*a);
                let detail = format!(
                    "{} {} {}",
                    if first { "first seen in" } else { "arrived at" },
                    area.map_or("", |a| a.kind.as_str()),
                    area.and_then(|a| a.locode.clone()).unwrap_or_default()
                );
                self.point_event(
                    AlertKind::AreaArrival,
                    r.mmsi,
                    r,
                    name_area(*a),
                    detail.trim().to_owned(),
                    out,
                );
            }
            // Bound in and not yet inspected: into a port, or first seen in
            // one (a dark transit shows as that).
            let reached_port = kind_of(a) == Some(AreaKind::PortApproach)
                && if first {
                    never_placed
                } else {
                    !prev_areas.contains(a)
                };
            if reached_port && let Some(what) = self.due_now(Before::Port, r.mmsi) {
                let how = if first { "first seen in" } else { "reached" };
                let detail = format!("{how} {}: {what}", port_name(&c, *a));
                self.skipped(Before::Port, r, name_area(*a), (what, detail), out);
            } else if reached_port
                && let Some(v) = self.vessels.get_mut(&r.mmsi)
                && v.imo.is_none()
            {
                v.det.port_unjudged = true;
            }
        }

        let Some(v) = self.vessels.get(&r.mmsi) else {
            return;
        };
        let (zone, last_zone, deviation) = (v.zone, v.last_zone, v.det.deviation);
        let mut new_zone = zone;
        let mut new_last = last_zone;
        if let Some(a) = c_area {
            new_last = LastZone::Area(a);
        } else if let Some(h) = &in_lane {
            new_last = LastZone::Lane(h.lane);
        }
        match zone {
            Zone::Unknown => new_zone = if in_c { Zone::Inside } else { Zone::Outside },
            Zone::Outside => {
                if in_c {
                    new_zone = Zone::Inside;
                    let place = c_area
                        .and_then(name_area)
                        .or_else(|| in_lane.as_ref().and_then(name_lane));
                    self.point_event(
                        AlertKind::CorridorEntry,
                        r.mmsi,
                        r,
                        place,
                        "entered the corridor".into(),
                        out,
                    );
                }
            }
            Zone::Inside if !in_c => {
                if let Some(pa) = port {
                    new_zone = Zone::Outside;
                    new_last = LastZone::None;
                    self.point_event(
                        AlertKind::CorridorExit,
                        r.mmsi,
                        r,
                        name_area(pa),
                        "left the corridor into a port".into(),
                        out,
                    );
                } else if let Some(an) = anchorage {
                    new_last = LastZone::Anchorage(an);
                } else if let LastZone::Area(a) = last_zone {
                    new_zone = Zone::Outside;
                    new_last = LastZone::None;
                    self.point_event(
                        AlertKind::CorridorExit,
                        r.mmsi,
                        r,
                        name_area(a),
                        "left the corridor".into(),
                        out,
                    );
                } else if lane.as_ref().is_none_or(|h| h.outside_by_m() > dev_m) {
                    new_zone = Zone::Deviating;
                    let detail = match &lane {
                        Some(h) => format!(
                            "{:.2} nm outside {} (tolerance {:.2} nm)",
                            h.outside_by_m() / NM,
                            name_lane(h).unwrap_or_default(),
                            self.config.deviation_nm
                        ),
                        None => "far from every lane".to_owned(),
                    };
                    let place = Place {
                        lat: Some(r.lat),
                        lon: Some(r.lon),
                        area: self.zone_name(v),
                    };
                    let id = self.open_alert(
                        AlertKind::Deviation,
                        r.mmsi,
                        r.time,
                        r.time,
                        place,
                        detail,
                        vec![Evidence::Position(*r)],
                        out,
                    );
                    if let Some(v) = self.vessels.get_mut(&r.mmsi) {
                        v.det.deviation = Some(id);
                        v.det.deviation_last = Some(r.time);
                    }
                }
            }
            Zone::Inside => {}
            Zone::Deviating => {
                if in_c || port.is_some() || anchorage.is_some() {
                    if let Some(id) = deviation {
                        let end = v.det.deviation_last.unwrap_or(r.time);
                        self.close_alert(id, end, Some(Evidence::Position(*r)), out);
                    }
                    if let Some(v) = self.vessels.get_mut(&r.mmsi) {
                        v.det.deviation = None;
                    }
                    new_zone = Zone::Inside;
                    if !in_c && let Some(pa) = port {
                        new_zone = Zone::Outside;
                        new_last = LastZone::None;
                        self.point_event(
                            AlertKind::CorridorExit,
                            r.mmsi,
                            r,
                            name_area(pa),
                            "left the corridor into a port".into(),
                            out,
                        );
                    } else if !in_c && let Some(an) = anchorage {
                        new_last = LastZone::Anchorage(an);
                    }
                } else if let Some(id) = deviation {
                    self.extend_alert(id, r.time, Some(Evidence::Position(*r)));
                    if let Some(v) = self.vessels.get_mut(&r.mmsi) {
                        v.det.deviation_last = Some(r.time);
                    }
                }
            }
        }
        // Bound out and not yet inspected: once seen in the corridor or a
        // port, away from all of it (not merely across open water between
        // two areas, or drifted off an anchorage).
        if !self.due.is_empty() {
            let seen = self
                .vessels
                .get(&r.mmsi)
                .is_some_and(|v| v.det.bound_out_seen);
            if in_c || !now_areas.is_empty() {
                if !seen
                    && self.due_now(Before::Exit, r.mmsi).is_some()
                    && let Some(v) = self.vessels.get_mut(&r.mmsi)
                {
                    v.det.bound_out_seen = true;
                }
            } else if seen
                && let Some(what) = self.due_now(Before::Exit, r.mmsi)
                && self.away_from_corridor(p, widest)
            {
                let detail = format!(
                    "{:.0} nm or more from the corridor, bound out: {what}",
                    self.config.skipped_exit_nm
                );
                self.skipped(Before::Exit, r, None, (what, detail), out);
            }
        }
        // How far until a threshold could be crossed: lane edge (with and
        // without hysteresis), deviation limit, search radius, area boundaries.
        let search = widest + dev_m + hyst;
        let lane_margin = match &lane {
            Some(h) => [
                h.half_width_m,
                h.half_width_m + hyst,
                h.half_width_m + dev_m,
            ]
            .iter()
            .map(|t| (h.cross_m - t).abs())
            .fold(search - h.cross_m, f64::min),
            None => dev_m,
        };
        let area_margin = c.nearest_boundary_m(p, 20_000.0) - hyst;
        let margin = lane_margin.min(area_margin).max(0.0);
        if let Some(v) = self.vessels.get_mut(&r.mmsi) {
            v.det.zone_eval = Some((p, margin as f32));
            v.det.placed = true;
            v.zone = new_zone;
            v.last_zone = new_last;
            v.areas = [u32::MAX; MAX_AREAS];
            for (slot, a) in v.areas.iter_mut().zip(&now_areas) {
                *slot = a.0;
            }
        }
    }

    /// Farther than `skipped_exit_nm` from every lane's edge and every area.
    fn away_from_corridor(&self, p: LatLon, widest_m: f64) -> bool {
        let c = &self.corridor;
        let far = self.config.skipped_exit_nm * NM;
        c.areas_at(p).next().is_none()
            && c.nearest_boundary_m(p, far) >= far
            && c.nearest_lane(p, widest_m + far)
                .is_none_or(|h| h.outside_by_m() > far)
    }

    /// A vessel bound in that reached a port before its AIS named any IMO,
    /// told once the first IMO it names there is due (an MMSI changed with
    /// the flag is matched by the IMO alone). Only then: a vessel long in
    /// port whose next voyage is applied for has not skipped anything.
    pub(super) fn skipped_port_on_static(&mut self, r: &StaticReport, out: &mut Vec<Alert>) {
        if r.imo.is_none_or(|i| i == 0) {
            return;
        }
        let c = Arc::clone(&self.corridor);
        let Some(v) = self.vessels.get_mut(&r.mmsi) else {
            return;
        };
        // Before the first look at who is due, the vessel waits to be judged.
        if self.due.is_empty() || !std::mem::take(&mut v.det.port_unjudged) {
            return;
        }
        let Some(v) = self.vessels.get(&r.mmsi) else {
            return;
        };
        let (Some(fix), Some(port)) = (
            v.fix,
            v.areas()
                .find(|a| c.area(*a).is_some_and(|x| x.kind == AreaKind::PortApproach)),
        ) else {
            return;
        };
        let Some(what) = self.due_now(Before::Port, r.mmsi) else {
            return;
        };
        let id = self.new_id();
        out.push(Alert {
            id,
            kind: AlertKind::SkippedInspection,
            mmsi: r.mmsi,
            start: r.time,
            end: r.time,
            open: false,
            place: Place {
                lat: Some(fix.pos.lat),
                lon: Some(fix.pos.lon),
                area: c.area(port).map(|a| a.name.clone()),
            },
            other_mmsi: None,
            imo: r.imo,
            detail: format!("in {}: {what}", port_name(&c, port)),
            evidence: vec![Evidence::Static(r.clone())],
        });
        self.raised.insert((r.mmsi, Before::Port), what);
    }
}

/// A port approach by name and UN/LOCODE: `Port of Odesa approach (UAODS)`.
fn port_name(c: &Corridor, a: AreaId) -> String {
    let area = c.area(a);
    let locode = area
        .and_then(|a| a.locode.as_deref())
        .map_or(String::new(), |l| format!(" ({l})"));
    format!("{}{locode}", area.map_or("", |a| a.name.as_str()))
}
