//! `loitering`: slow for too long inside the corridor.

use super::*;

impl<R: Registry> Monitor<R> {
    pub(super) fn update_loitering(&mut self, r: &PositionReport, out: &mut Vec<Alert>) {
        let Some(sog) = r.sog_kn else { return };
        let c = Arc::clone(&self.corridor);
        let Some(v) = self.vessels.get(&r.mmsi) else {
            return;
        };
        let exempt = v.areas().any(|a| {
            c.area(a)
                .is_some_and(|a| self.config.loiter_exempt.contains(&a.kind))
        });
        let slow = f64::from(sog) < self.config.loiter_speed_kn && !exempt;
        let min = self.config.loiter_min_s as f64;
        let (since, open, last) = (v.det.slow_since, v.det.loiter, v.det.slow_last);
        if slow {
            let since = since.unwrap_or(r.time);
            if let Some(v) = self.vessels.get_mut(&r.mmsi) {
                v.det.slow_since = Some(since);
                v.det.slow_last = Some(r.time);
                if v.det.slow_first.is_none() {
                    v.det.slow_first = Some(*r);
                }
            }
            match open {
                Some(id) => self.extend_alert(id, r.time, Some(Evidence::Position(*r))),
                None if secs(since, r.time) > min => {
                    let first = self
                        .vessels
                        .get(&r.mmsi)
                        .and_then(|v| v.det.slow_first)
                        .unwrap_or(*r);
                    let place = Place {
                        lat: Some(first.lat),
                        lon: Some(first.lon),
                        area: None,
                    };
                    let detail = format!(
                        "below {} kn for more than {} s outside ports, anchorages and waiting areas",
                        self.config.loiter_speed_kn, self.config.loiter_min_s
                    );
                    let evidence = vec![Evidence::Position(first), Evidence::Position(*r)];
                    let id = self.open_alert(
                        AlertKind::Loitering,
                        r.mmsi,
                        since,
                        r.time,
                        place,
                        detail,
                        evidence,
                        out,
                    );
                    if let Some(v) = self.vessels.get_mut(&r.mmsi) {
                        v.det.loiter = Some(id);
                    }
                }
                None => {}
            }
        } else {
            if let Some(id) = open {
                self.close_alert(
                    id,
                    last.unwrap_or(r.time),
                    Some(Evidence::Position(*r)),
                    out,
                );
            }
            if let Some(v) = self.vessels.get_mut(&r.mmsi) {
                v.det.loiter = None;
                v.det.slow_since = None;
                v.det.slow_last = None;
                v.det.slow_first = None;
            }
        }
    }
}
