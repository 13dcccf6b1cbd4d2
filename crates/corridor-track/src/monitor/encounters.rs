//! `encounter`: two slow vessels close together, one alert per pair.

use super::*;

#[derive(Debug, Clone)]
pub(super) struct Pair {
    pub(super) start: Timestamp,
    pub(super) last: Timestamp,
    pub(super) place: LatLon,
    pub(super) evidence: [Option<PositionReport>; 2],
    pub(super) alerts: Option<(u64, u64)>,
}

impl<R: Registry> Monitor<R> {
    pub(super) fn update_encounters(&mut self, r: &PositionReport, out: &mut Vec<Alert>) {
        let c = Arc::clone(&self.corridor);
        // Shared, not cloned: a clone would allocate its lists on every report.
        let cfg = Arc::clone(&self.config);
        let p = r.pos();
        let slow = r
            .sog_kn
            .is_some_and(|s| f64::from(s) < cfg.encounter_speed_kn);
        let eligible = slow
            && c.near_kind(p, &cfg.encounter_exempt, 0.0).is_none()
            && c.near_kind(
                p,
                &[AreaKind::Anchorage, AreaKind::PortApproach],
                cfg.encounter_anchorage_distance_m,
            )
            .is_none();
        let Some(v) = self.vessels.get_mut(&r.mmsi) else {
            return;
        };
        // Keep the R-tree holding exactly the eligible vessels' latest fixes.
        if let Some(old) = v.det.indexed.take() {
            self.slow.remove(&GeomWithData::new(old, r.mmsi));
        }
        let mut close_now: Vec<u32> = Vec::new();
        let mut near: Vec<(f64, u32)> = Vec::new();
        if eligible {
            let pt = [p.lon, p.lat];
            v.det.indexed = Some(pt);
            self.slow.insert(GeomWithData::new(pt, r.mmsi));
            let d = cfg.encounter_distance_m;
            let dlat = d / 110_500.0 * 1.02;
            let dlon = dlat / p.lat.abs().min(89.0).to_radians().cos();
            let env = rstar::AABB::from_corners(
                [p.lon - dlon, p.lat - dlat],
                [p.lon + dlon, p.lat + dlat],
            );
            let max_age = cfg.encounter_max_fix_age_s as f64;
            for n in self.slow.locate_in_envelope(&env) {
                if n.data == r.mmsi {
                    continue;
                }
                let Some(w) = self.vessels.get(&n.data) else {
                    continue;
                };
                let Some(wf) = w.fix else { continue };
                if secs(wf.time, r.time).abs() > max_age {
                    continue;
                }
                let dist = distance_m(wf.pos, p);
                if dist <= d {
                    near.push((dist, n.data));
                }
            }
            // The nearest few only (see `max_encounter_partners`).
            near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            close_now.extend(
                near.iter()
                    .take(cfg.max_encounter_partners)
                    .map(|(_, m)| *m),
            );
        }
        // Pairs with this vessel that are no longer close end here.
        let partners = self
            .vessels
            .get(&r.mmsi)
            .map(|v| v.det.partners.clone())
            .unwrap_or_default();
        // Still within the distance, though not among this vessel's nearest:
        // the pair the other one made stands, unless this vessel is in more
        // than twice as many pairs as it may make (a crowd whose nearest
        // keep changing), when only its nearest stay.
        let crowded = partners.len() > 2 * cfg.max_encounter_partners;
        for other in partners {
            let apart = !near.iter().any(|(_, m)| *m == other);
            if apart || (crowded && !close_now.contains(&other)) {
                self.end_pair(r.mmsi, other, out);
            }
        }
        let min = cfg.encounter_min_s as f64;
        for other in close_now {
            let key = (r.mmsi.min(other), r.mmsi.max(other));
            let other_fix = self
                .vessels
                .get(&other)
                .and_then(|w| w.fix)
                .map(|f| f.to_report(other));
            let pair = self.pairs.entry(key).or_insert_with(|| Pair {
                start: r.time,
                last: r.time,
                place: p,
                evidence: [Some(*r), other_fix],
                alerts: None,
            });
            pair.last = r.time;
            let (start, place, alerts) = (pair.start, pair.place, pair.alerts);
            let evidence: Vec<Evidence> = pair
                .evidence
                .iter()
                .flatten()
                .map(|e| Evidence::Position(*e))
                .collect();
            for (a, b) in [(r.mmsi, other), (other, r.mmsi)] {
                if let Some(v) = self.vessels.get_mut(&a)
                    && !v.det.partners.contains(&b)
                {
                    v.det.partners.push(b);
                }
            }
            match alerts {
                Some((x, y)) => {
                    self.extend_alert(x, r.time, None);
                    self.extend_alert(y, r.time, None);
                }
                None if secs(start, r.time) >= min => {
                    let detail = format!(
                        "within {} m at under {} kn for at least {} s, away from anchorages",
                        self.config.encounter_distance_m,
                        self.config.encounter_speed_kn,
                        self.config.encounter_min_s
                    );
                    let pl = Place {
                        lat: Some(place.lat),
                        lon: Some(place.lon),
                        area: None,
                    };
                    let mut ids = [0u64; 2];
                    for (i, (a, b)) in [(key.0, key.1), (key.1, key.0)].into_iter().enumerate() {
                        let mut ev = evidence.clone();
                        ev.push(Evidence::Position(*r));
                        let id = self.open_alert(
                            AlertKind::Encounter,
                            a,
                            start,
                            r.time,
                            pl.clone(),
                            detail.clone(),
                            ev,
                            out,
                        );
                        if let Some(al) = self.open.get_mut(&id) {
                            al.other_mmsi = Some(b);
                        }
                        if let Some(last) = out.last_mut() {
                            last.other_mmsi = Some(b);
                        }
                        ids[i] = id;
                    }
                    if let Some(pair) = self.pairs.get_mut(&key) {
                        pair.alerts = Some((ids[0], ids[1]));
                    }
                }
                None => {}
            }
        }
    }

    pub(super) fn end_pair(&mut self, a: u32, b: u32, out: &mut Vec<Alert>) {
        let key = (a.min(b), a.max(b));
        if let Some(pair) = self.pairs.remove(&key)
            && let Some((x, y)) = pair.alerts
        {
            self.close_alert(x, pair.last, None, out);
            self.close_alert(y, pair.last, None, out);
        }
        for (m, other) in [(a, b), (b, a)] {
            if let Some(v) = self.vessels.get_mut(&m) {
                v.det.partners.retain(|p| *p != other);
                if v.det.partners.is_empty() {
                    v.det.partners = Vec::new();
                }
            }
        }
    }
}
