//! Static reports (types 5 and 24): names, IMO numbers and `identity_mismatch`.

use super::*;

impl<R: Registry> Monitor<R> {
    pub(super) fn static_report(&mut self, r: &StaticReport, out: &mut Vec<Alert>) {
        if !self.room_for(r.mmsi) {
            return;
        }
        self.advance_clock(r.time, out);
        let v = self
            .vessels
            .entry(r.mmsi)
            .or_insert_with(|| Box::new(VesselState::new(r.mmsi)));
        if v.last_seen.is_some_and(|ls| r.time < ls) {
            self.stats.stale += 1;
            return;
        }
        self.stats.statics += 1;
        let gap_open = v.det.gap.take();
        // A silence in the corridor that no scan has caught yet ends here
        // all the same (the position after this report would find none).
        let gap_found_now = v.last_seen.filter(|ls| {
            gap_open.is_none()
                && v.in_corridor()
                && secs(*ls, r.time) > self.config.ais_gap_s as f64
        });
        v.last_seen = Some(r.time);
        if let Some(n) = r.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            v.name = Some(n.into());
        }
        if let Some(c) = r
            .callsign
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            v.callsign = Some(c.into());
        }
        if r.ship_type.is_some() {
            v.ship_type = r.ship_type;
        }
        let imo = r.imo.filter(|i| *i != 0);
        if imo.is_some() {
            v.imo = imo;
        }
        let conflict = v.det.conflict;
        let gap = match gap_found_now {
            Some(last) => {
                self.open_gap(r.mmsi, last, r.time, out);
                self.vessels.get_mut(&r.mmsi).and_then(|v| v.det.gap.take())
            }
            None => gap_open,
        };
        if let Some(id) = gap {
            self.close_alert(id, r.time, Some(Evidence::Static(r.clone())), out);
        }
        // A ship sharing the MMSI names itself: the conflict keeps each
        // identity claimed (the vessel's state only keeps the latest).
        let claim = identity(r.name.as_deref(), imo);
        if let Some(id) = conflict
            && let Some(claim) = claim
            && let Some(a) = self.open.get_mut(&id)
            && !a.detail.contains(&claim)
            && a.detail.len() < MAX_CONFLICT_DETAIL
        {
            let _ = write!(a.detail, "; also {claim}");
            push_evidence(
                &mut a.evidence,
                Evidence::Static(r.clone()),
                self.config.max_evidence,
            );
        }
        // Link and check identity.
        let by_mmsi = self.registry.by_mmsi(r.mmsi);
        let by_imo = imo.and_then(|i| self.registry.by_imo(i));
        let mismatch = match (imo, by_imo, by_mmsi) {
            (Some(i), Some(reg), _) if reg.mmsi.is_some_and(|m| m != r.mmsi) => Some(format!(
                "MMSI {} claims IMO {i}, registered to MMSI {}",
                r.mmsi,
                reg.mmsi.unwrap_or_default()
            )),
            (Some(i), _, Some(reg)) if reg.imo.is_some_and(|ri| ri != i) => Some(format!(
                "MMSI {} is registered with IMO {} but claims IMO {i}",
                r.mmsi,
                reg.imo.unwrap_or_default()
            )),
            _ => None,
        };
        let registered = match (&mismatch, by_mmsi, by_imo) {
            (None, Some(reg), _) | (None, None, Some(reg)) => Some(reg.key),
            (Some(_), Some(reg), _) => Some(reg.key),
            _ => None,
        };
        let unregistered = by_imo.is_none() && by_mmsi.is_none();
        let Some(v) = self.vessels.get_mut(&r.mmsi) else {
            return;
        };
        v.registered = registered.or(v.registered);
        // Where the registry knows neither the MMSI nor the IMO it claims
        // (or there is none), the MMSI's own first claim is who it is: a
        // claim of another IMO, made twice, is a change of identity from
        // the first of the two (the interface check, session 19: `corridor
        // track` without a registry raised no identity_mismatch at all).
        let mut start = r.time;
        let mismatch = match (mismatch, imo) {
            (Some(m), _) => Some(m),
            (None, Some(i)) => match v.det.first_imo {
                None => {
                    v.det.first_imo = Some(i);
                    None
                }
                Some(first) if first == i || !unregistered => {
                    v.det.other_claim_since = None;
                    None
                }
                Some(_) if conflict.is_some() => None,
                Some(first) => match v.det.other_claim_since {
                    None => {
                        v.det.other_claim_since = Some(r.time);
                        None
                    }
                    Some(since) => {
                        start = since;
                        Some(format!(
                            "MMSI {} claims IMO {i}, having first claimed IMO {first} (neither is registered)",
                            r.mmsi
                        ))
                    }
                },
            },
            (None, None) => None,
        };
        let ev = Evidence::Static(r.clone());
        match (mismatch, v.det.identity) {
            (Some(_), Some(id)) => {
                v.det.identity_last = Some(r.time);
                self.extend_alert(id, r.time, Some(ev));
            }
            (Some(detail), None) => {
                let place = v.fix.map_or(
                    Place {
                        lat: None,
                        lon: None,
                        area: None,
                    },
                    |f| Place {
                        lat: Some(f.pos.lat),
                        lon: Some(f.pos.lon),
                        area: None,
                    },
                );
                let mmsi = r.mmsi;
                let id = self.open_alert(
                    AlertKind::IdentityMismatch,
                    mmsi,
                    start,
                    r.time,
                    place,
                    detail,
                    vec![ev],
                    out,
                );
                if let Some(v) = self.vessels.get_mut(&mmsi) {
                    v.det.identity = Some(id);
                    v.det.identity_last = Some(r.time);
                }
            }
            (None, Some(id)) if imo.is_some() => {
                let end = v.det.identity_last.unwrap_or(r.time);
                v.det.identity = None;
                self.close_alert(id, end, None, out);
            }
            (None, _) => {}
        }
        self.skipped_port_on_static(r, out);
    }
}
