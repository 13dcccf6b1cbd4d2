//! Arrivals at the inspection area, which the queue orders by.
//!
//! The agent declares an ETA; the queue's place counts from when the vessel
//! is really there. Tracking reports it (the binary hands each
//! `area_arrival` alert at an inspection area to
//! [`Service::observe_arrival`]); where tracking cannot see a vessel, the
//! coordinator records it by hand, saying how it is known
//! (`POST /applications/{id}/arrival`). Either is a logged event, so the
//! queue's order can be rebuilt from the log. The first arrival stands
//! against tracking; the coordinator may correct it (the log keeps both).
//!
//! An MMSI is the agent's word: tracking's arrival counts only once the
//! vessel's AIS names the application's IMO number (else another ship's
//! arrival would buy a place). Until then it is held ([`HeldArrivals`],
//! which the binary's forwarder keeps and retries), and the queue entry
//! says why to the coordinator and the vessel's agent.
//!
//! While nothing has arrived, the queue counts from the declared ETA; on a
//! server whose tracking reports arrivals, a vessel with an MMSI whose ETA
//! has passed unseen is flagged late but keeps its place (tracking may have
//! missed it); once seen, its real arrival is its place. So an ETA declared
//! early gains nothing once the vessel is seen. Whether it was seen by
//! tracking or recorded by the coordinator is told by who logged it.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use corridor_clearance::{Actor, ClearanceError, Command, Role};
use jiff::Timestamp;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::{
    ApiJson, ApiPath, ApiResult, Caller, Svc, app_body, ok, readable_app, visible_app,
};
use crate::error::{ErrorBody, ServiceError};
use crate::service::Service;

/// How an arrival tracking saw is marked: `ais:<alert key>`.
pub const AIS_EVIDENCE: &str = "ais:";

/// How long before an application was made an arrival still counts for it
/// (the machine holds the coordinator's arrivals to the same).
pub use corridor_clearance::machine::ARRIVAL_LOOKBACK_DAYS;

/// The actor tracking's arrivals are logged as.
pub const TRACKING_ACTOR: &str = "system:tracking";

/// Where tracking places a vessel now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Whereabouts {
    /// The corridor area it is in (an inspection area, a port approach, an
    /// anchorage), if any.
    pub area: Option<String>,
    /// In the corridor (a lane, or an area it reached from one).
    pub in_corridor: bool,
    /// When it was last heard.
    pub heard_at: Option<Timestamp>,
}

/// Every vessel tracking knows, by MMSI, where it is now.
pub type WhereaboutsLookup = Arc<
    dyn Fn() -> std::pin::Pin<
            Box<
                dyn std::future::Future<Output = std::collections::HashMap<u32, Whereabouts>>
                    + Send,
            >,
        > + Send
        + Sync,
>;

/// The arrival route (merged into the clearance router).
pub fn routes() -> Router<Arc<Service>> {
    Router::new().route("/applications/{id}/arrival", post(record_arrival))
}

impl Service {
    /// Lets the queue say where tracking places each waiting vessel now (a
    /// vessel that arrived and then left the inspection area is shown as
    /// away); the first call wins (it is wiring, done at start-up).
    pub fn set_whereabouts(&self, lookup: WhereaboutsLookup) {
        if !self.whereabouts.set(lookup) {
            tracing::warn!("whereabouts lookup set twice; the first one stays");
        }
    }

    /// Where tracking places each vessel it knows; empty without tracking.
    pub(crate) async fn whereabouts(&self) -> std::collections::HashMap<u32, Whereabouts> {
        match self.whereabouts.get() {
            Some(lookup) => lookup().await,
            None => std::collections::HashMap::new(),
        }
    }

    /// Whether tracking reports arrivals at the inspection area now (its
    /// feed is delivering): only then is a vessel whose ETA has passed
    /// unseen flagged late.
    pub fn set_arrivals_tracked(&self, on: bool) {
        self.arrivals_tracked.store(on, Ordering::Relaxed);
    }

    /// Whether tracking reports arrivals (see [`Service::set_arrivals_tracked`]).
    pub fn arrivals_tracked(&self) -> bool {
        self.arrivals_tracked.load(Ordering::Relaxed)
    }

    /// The vessels tracking may have seen arrive before it could tell the
    /// service (an alert stored by an earlier run of the server): each
    /// MMSI of an application that waits for its arrival, the IMO number
    /// it declares (if valid), and from when an arrival counts for it ([`ARRIVAL_LOOKBACK_DAYS`] before the
    /// application was made: vessels wait in the area for registration;
    /// but after the same ship's earlier voyage was seen or inspected).
    pub async fn awaiting_arrival(&self) -> Vec<(u32, Timestamp, Option<u32>)> {
        let st = self.state.lock().await;
        let apps = &st.clearance.applications;
        let back = jiff::SignedDuration::from_hours(24 * ARRIVAL_LOOKBACK_DAYS);
        apps.values()
            .filter(|a| a.area_arrival.is_none() && a.status.awaits_arrival())
            .filter_map(|a| {
                let mmsi = mmsi_of(a)?;
                let mut since = a.created_at.checked_sub(back).unwrap_or(a.created_at);
                // Not before the same ship's earlier voyage was seen or
                // inspected: its arrivals then were that voyage's.
                for o in apps.values().filter(|o| {
                    o.id != a.id
                        && (mmsi_of(o) == Some(mmsi)
                            || o.content.vessel.same_ship(&a.content.vessel))
                }) {
                    let seen = o.area_arrival.as_ref().map(|x| x.at);
                    let inspected = o.last_inspection.as_ref().map(|x| x.at);
                    if let Some(t) = seen.max(inspected) {
                        since = since.max(t + jiff::SignedDuration::from_secs(1));
                    }
                }
                Some((mmsi, since, a.content.vessel.imo_number()))
            })
            .collect()
    }

    /// The evidence of every arrival tracking logged (`ais:<alert key>`):
    /// an alert that is one application's arrival is no other's.
    pub async fn logged_arrival_evidence(&self) -> std::collections::HashSet<String> {
        let st = self.state.lock().await;
        st.clearance
            .applications
            .values()
            .filter_map(|a| a.area_arrival.as_ref())
            // A corrected arrival of tracking's was still that application's.
            .flat_map(|a| a.history())
            .filter(|a| a.by == TRACKING_ACTOR)
            .map(|a| a.evidence.clone())
            .collect()
    }

    /// Tracking saw the vessel with `seen.mmsi` arrive at an inspection
    /// area: logs the arrival of each of its applications that waits to be
    /// inspected and has none yet, if the vessel's AIS names the
    /// application's IMO number (an MMSI is the agent's word, and another
    /// ship's arrival would buy a place). Where AIS has named none yet, the
    /// arrival is held (the caller tries again); where it names another,
    /// it is refused. Either way the application's queue entry says why.
    /// None waiting is not an error: most vessels tracked have no
    /// application.
    pub async fn observe_arrival(
        &self,
        seen: &SeenArrival<'_>,
    ) -> Result<ArrivalOutcome, ServiceError> {
        let apps: Vec<(String, String, Option<u32>)> = {
            let st = self.state.lock().await;
            st.clearance
                .applications
                .values()
                .filter(|a| {
                    a.area_arrival.is_none()
                        && a.status.awaits_arrival()
                        && mmsi_of(a) == Some(seen.mmsi)
                })
                .map(|a| {
                    let v = &a.content.vessel;
                    (a.id.clone(), v.imo.trim().to_string(), v.imo_number())
                })
                .collect()
        };
        let mut outcome = ArrivalOutcome::default();
        if apps.is_empty() {
            return Ok(outcome);
        }
        // A report dated ahead of the server's clock (the feed's clock) is
        // an arrival now, not one refused and lost.
        let at = seen.at.min(self.now().await);
        let actor = Actor::new(TRACKING_ACTOR, Role::System);
        let mut failed = None;
        for (id, imo, app_imo) in apps {
            let why = match seen.ais_imo {
                Some(ais) if app_imo == Some(ais) => None,
                // Another ship, or a typing error in the MMSI: final.
                Some(ais) => Some((
                    format!(
                        "its AIS names IMO {ais}, not this application's {imo}: not counted (the coordinator records the arrival if it was this vessel)"
                    ),
                    false,
                )),
                None if seen.last_try => Some((
                    "its AIS sent no IMO number while the arrival was held: not counted (the coordinator records the arrival)".to_string(),
                    false,
                )),
                None => Some((
                    "its AIS has not sent an IMO number yet: counted once it names this application's".to_string(),
                    true,
                )),
            };
            if let Some((why, again)) = why {
                self.note_arrival(
                    &id,
                    Some(format!(
                        "tracking saw MMSI {} arrive at {} at {}, but {why}",
                        seen.mmsi,
                        seen.area,
                        corridor_ledger::time::format(at)
                    )),
                );
                if again {
                    outcome.held.push(id);
                } else {
                    outcome.refused.push(id);
                }
                continue;
            }
            let command = Command::RecordAreaArrival {
                application_id: id.clone(),
                at,
                area: seen.area.to_string(),
                evidence: format!("{AIS_EVIDENCE}{}", seen.alert_key),
            };
            match self.execute(&actor, command).await {
                Ok(_) => {
                    self.note_arrival(&id, None);
                    outcome.logged.push(id);
                }
                // Recorded meanwhile (by the coordinator), or no longer
                // waiting: nothing to do.
                Err(ServiceError::Clearance(
                    ClearanceError::Unchanged(_) | ClearanceError::IllegalTransition { .. },
                )) => self.note_arrival(&id, None),
                // The others are still tried; the first failure is reported.
                Err(e) => {
                    failed.get_or_insert(e);
                }
            }
        }
        match failed {
            Some(e) => Err(e),
            None => Ok(outcome),
        }
    }

    /// Why tracking's arrival for application `id` was not counted, if it
    /// was not (shown with its queue entry to the coordinator and its agent).
    pub fn arrival_note(&self, id: &str) -> Option<String> {
        let notes = self.arrival_notes.lock().unwrap_or_else(|e| e.into_inner());
        notes.get(id).cloned()
    }

    fn note_arrival(&self, id: &str, note: Option<String>) {
        let mut notes = self.arrival_notes.lock().unwrap_or_else(|e| e.into_inner());
        match note {
            Some(n) => {
                notes.insert(id.to_string(), n);
            }
            None => {
                notes.remove(id);
            }
        }
    }
}

/// An arrival at an inspection area as tracking saw it.
#[derive(Debug, Clone, Copy)]
pub struct SeenArrival<'a> {
    /// The vessel's MMSI.
    pub mmsi: u32,
    /// The IMO number the vessel's AIS static reports named when it
    /// arrived (or the first it named after), if one came.
    pub ais_imo: Option<u32>,
    /// No IMO number will be waited for any longer.
    pub last_try: bool,
    /// The inspection area.
    pub area: &'a str,
    /// When it arrived (or, first seen already inside, when it was first seen).
    pub at: Timestamp,
    /// The alert's key (the evidence logged with the arrival).
    pub alert_key: &'a str,
}

/// What [`Service::observe_arrival`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArrivalOutcome {
    /// Applications whose arrival it logged.
    pub logged: Vec<String>,
    /// Applications it did not log yet: AIS has named no IMO number (try
    /// again when it does).
    pub held: Vec<String>,
    /// Applications it will not log this arrival for: AIS names another
    /// IMO number (or never named one).
    pub refused: Vec<String>,
}

// Held arrivals: what the binary's forwarder keeps while the vessel's AIS
// has named no IMO yet (it alone sees tracking; the rules are here).

/// An IMO number AIS sent, if it is one (a wrong check digit, or the MMSI
/// in the IMO field, names no ship: as if none came).
pub fn valid_imo(imo: Option<u32>) -> Option<u32> {
    imo.filter(|i| corridor_domain::Imo::new(*i).is_ok())
}

/// An arrival at an inspection area tracking saw: its alert's key, the
/// vessel, the area, the time, and the IMO number the vessel's AIS named
/// then (or the first it named after).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackedArrival {
    /// The alert's key (the evidence logged with the arrival).
    pub key: String,
    /// The vessel's MMSI.
    pub mmsi: u32,
    /// The inspection area.
    pub area: String,
    /// When it arrived.
    pub at: Timestamp,
    /// The IMO number the vessel's AIS named then, if one came.
    pub imo: Option<u32>,
}

/// How often held arrivals are tried again (AIS names a vessel's IMO in
/// its static report, every six minutes).
pub const HELD_RETRY: std::time::Duration = std::time::Duration::from_secs(60);
/// How long an arrival is held for its vessel's IMO before the
/// coordinator alone can record it.
const HELD_FOR: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
/// Held arrivals kept at most (the oldest go first).
const MAX_HELD: usize = 10_000;

/// Arrivals the service held because the vessel's AIS had named no IMO
/// number yet: tried again, oldest first, as static reports come, for
/// [`HELD_FOR`]. The first IMO it names is the one checked, once: a ship
/// named another IMO is refused for good (the coordinator records it).
#[derive(Debug, Default)]
pub struct HeldArrivals {
    held: std::collections::VecDeque<(TrackedArrival, std::time::Instant)>,
}

impl HeldArrivals {
    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// Hands `a` (with the IMO its alert says AIS named then) to the
    /// service; keeps it if the service held it. Behind an older held
    /// arrival of the same vessel it waits its turn: the earlier arrival
    /// counts first.
    pub async fn forward(&mut self, service: &Service, a: TrackedArrival) {
        let behind = self.held.iter().any(|(h, _)| h.mmsi == a.mmsi);
        if behind || offer(service, &a, Try::First).await {
            if self.held.len() >= MAX_HELD
                && let Some((gone, _)) = self.held.pop_front()
            {
                offer(service, &gone, Try::Last).await;
            }
            self.held.push_back((a, std::time::Instant::now()));
        }
    }

    /// Tries every held arrival again, oldest first, with the IMO its
    /// vessel's AIS names now; the last time once [`HELD_FOR`] has passed.
    pub async fn retry(&mut self, service: &Service, imos: &std::collections::HashMap<u32, u32>) {
        for (mut a, since) in std::mem::take(&mut self.held) {
            a.imo = a.imo.or_else(|| imos.get(&a.mmsi).copied());
            let last = since.elapsed() >= HELD_FOR;
            let again = offer(service, &a, if last { Try::Last } else { Try::Again }).await;
            if again && !last {
                self.held.push_back((a, since));
            }
        }
    }
}

/// Which time an arrival is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Try {
    First,
    Again,
    Last,
}

/// Offers `a` to the service; whether to keep it (the service held it, or
/// could not log it). Logs what happened the first and the last time.
async fn offer(service: &Service, a: &TrackedArrival, t: Try) -> bool {
    let seen = SeenArrival {
        mmsi: a.mmsi,
        ais_imo: a.imo,
        area: &a.area,
        at: a.at,
        alert_key: &a.key,
        last_try: t == Try::Last,
    };
    let (mmsi, area, key, ais_imo) = (a.mmsi, a.area.as_str(), a.key.as_str(), a.imo);
    match service.observe_arrival(&seen).await {
        Ok(o) => {
            if !o.logged.is_empty() {
                tracing::info!(mmsi, area, applications = ?o.logged, key, "arrival at the inspection area logged");
            }
            if t == Try::First && !o.held.is_empty() {
                tracing::info!(mmsi, area, applications = ?o.held, key, "arrival held until the vessel's AIS names its IMO");
            }
            if !o.refused.is_empty() {
                tracing::warn!(mmsi, ?ais_imo, area, applications = ?o.refused, key, "arrival not counted: the vessel's AIS does not name the application's IMO");
            }
            !o.held.is_empty()
        }
        Err(e) => {
            if t != Try::Again {
                tracing::warn!(mmsi, area, key, error = %e, "arrival at the inspection area not logged");
            }
            true
        }
    }
}

/// The MMSI tracking knows the application's vessel by, as a number.
pub(crate) fn mmsi_of(app: &corridor_clearance::Application) -> Option<u32> {
    app.content.vessel.mmsi_digits()?.parse().ok()
}

/// The coordinator's record of an arrival tracking did not see, or a
/// correction of a recorded one (another time or area).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArrivalRequest {
    /// When the vessel arrived (RFC 3339).
    pub at: String,
    /// Which inspection area.
    pub area: String,
    /// How it is known (the master's notice of readiness, a sighting, …),
    /// or why it is corrected.
    pub evidence: String,
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/arrival", tag = "inspections", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")), request_body = ArrivalRequest,
    responses((status = 200, body = Object, description = "the application, with `area_arrival`: the queue counts its place from then"),
        (status = "4XX", body = ErrorBody, description = "409 when the same arrival is already recorded (another time or area corrects it; tracking's first arrival otherwise stands) or the vessel no longer waits for inspection")))]
pub(crate) async fn record_arrival(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ArrivalRequest>,
) -> ApiResult {
    let app = visible_app(&s, &caller, &id).await?;
    let at: Timestamp = req.at.parse().map_err(|e| {
        ServiceError::Unprocessable(format!("at: {:?} is not an RFC 3339 time: {e}", req.at))
    })?;
    // Where it waits decides which area's teams plan it: a place the
    // centre's areas do not name (a typo) would silently plan it at the
    // first (session 25's review). The rules' own name for the inspection
    // area stays accepted, saying no more than that.
    let cap = s.capacity();
    let generic = req
        .area
        .trim()
        .eq_ignore_ascii_case(s.config().inspection_area.trim());
    if cap.areas.iter().any(|a| !a.geometry.is_empty())
        && cap.area_at(&req.area).is_none()
        && !generic
    {
        let places: Vec<&str> = cap
            .areas
            .iter()
            .flat_map(|a| {
                std::iter::once(a.name.as_str()).chain(a.geometry.iter().map(String::as_str))
            })
            .collect();
        return Err(ServiceError::Unprocessable(format!(
            "area: {:?} is none of the places where vessels wait for inspection: {} \
             (or the corridor's inspection area, {:?}, planned at {})",
            req.area,
            places.join(", "),
            s.config().inspection_area.trim(),
            cap.areas
                .first()
                .map_or("the first area", |a| a.name.as_str()),
        )));
    }
    // The same time at the name of the area holding the place recorded
    // (tracking's sighting, say) says less and changes nothing a plan
    // uses: the same arrival, not a correction that would turn tracking's
    // sighting into a record. (Another place of that area is a correction
    // of the place.)
    if let Some(first) = &app.area_arrival
        && caller.actor.role == Role::Coordinator
        && app.status.awaits_arrival()
        && first.at.as_second() == at.as_second()
        && cap
            .area_at(&first.area)
            .is_some_and(|a| a.eq_ignore_ascii_case(req.area.trim()))
    {
        return Err(ServiceError::Conflict(format!(
            "{id} is already recorded at {} since {}, in area {}: a correction gives another time or area",
            first.area,
            corridor_ledger::time::format(first.at),
            cap.area_at(&first.area).unwrap_or_default()
        )));
    }
    s.execute(
        &caller.actor,
        Command::RecordAreaArrival {
            application_id: id.clone(),
            at,
            area: req.area,
            evidence: req.evidence,
        },
    )
    .await
    .map_err(|e| match e {
        ServiceError::Clearance(ClearanceError::Denied(_)) => {
            ServiceError::ForbiddenRole("the coordinator records arrivals at the inspection area")
        }
        other => other,
    })?;
    let app = readable_app(&s, &caller, &id).await?;
    ok(&app_body(&app, &s.config().inspection.checklist))
}
