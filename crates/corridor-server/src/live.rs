//! Live tracking's HTTP surface, plugged in through [`crate::Options`]:
//! [`api_router`] goes in `Options.api` (under `/api/v1`), [`metrics_router`]
//! in `Options.root`.
//!
//! - `GET /api/v1/live`: Server-Sent Events. First one `position` event per
//!   tracked vessel (the current picture), then `position` and `alert` events
//!   as they happen. `data` is JSON: positions `{mmsi, name, lat, lon, sog,
//!   cog, state, time}`, alerts as stored (`id, kind, mmsi, start, end, open,
//!   place, other_mmsi, imo, detail, evidence`). Alerts travel apart from
//!   positions, so a client too slow for every position loses positions,
//!   never an alert (up to `corridor_ingest::ALERT_BACKLOG` unread); it gets
//!   a `lagged` event with how many it missed. [`Notice`]s from outside
//!   tracking come on the same feed: `acknowledgement` events (an alert
//!   acknowledged, as `GET /alerts/acknowledgements` lists it).
//! - `GET /api/v1/geometry`: the corridor GeoJSON the monitor uses.
//! - `GET /api/v1/vessels/live`: every tracked vessel now, with its ETA.
//! - `GET /api/v1/tracks/{mmsi}?from&until`: a GeoJSON Feature with a
//!   LineString (RFC 3339 bounds; default the last 24 h of event time).
//! - `GET /api/v1/alerts?from&until&kind&mmsi&open&limit`: stored alerts, newest first,
//!   each with its stored `key` (what `POST /alerts/{key}/acknowledgement` names).
//! - `GET /metrics`: Prometheus text (all `metrics` counters of the process).

use std::convert::Infallible;
use std::sync::{Arc, OnceLock};

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use corridor_ingest::{LiveEvent, LiveHandle, LiveVessel};
use corridor_store::AlertQuery;
use futures_util::{Stream, StreamExt};
use jiff::{SignedDuration, Timestamp};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::ApiError;
use crate::error::{ApiPath, ApiQuery};

/// What the live routes share.
#[derive(Debug, Clone)]
pub struct LiveState {
    pub handle: LiveHandle,
    /// The corridor GeoJSON text, served as is.
    pub geometry: Arc<str>,
    /// News from outside tracking for the live feed (an alert acknowledged
    /// by a coordinator): none when nothing else publishes.
    pub notices: Option<broadcast::Sender<Notice>>,
}

/// One message for the live feed from outside tracking: sent as an SSE
/// event named `event` with `data` (JSON) as given.
#[derive(Debug, Clone)]
pub struct Notice {
    pub event: &'static str,
    pub data: String,
}

/// The `/api/v1` routes of live tracking.
pub fn api_router(state: LiveState) -> Router {
    Router::new()
        .route("/live", get(live))
        .route("/geometry", get(geometry))
        .route("/vessels/live", get(vessels))
        .route("/tracks/{mmsi}", get(track))
        .route("/alerts", get(alerts))
        .with_state(state)
}

/// The process-wide Prometheus recorder, installed on first use.
pub fn prometheus() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| match PrometheusBuilder::new().install_recorder() {
            Ok(h) => Some(h),
            Err(e) => {
                // Another recorder is installed (e.g. by an embedding program): export nothing rather than fail.
                tracing::warn!(error = %e, "no Prometheus recorder");
                None
            }
        })
        .clone()
}

/// `GET /metrics` (merge at the root).
pub fn metrics_router() -> Router {
    let handle = prometheus();
    Router::new().route(
        "/metrics",
        get(move || {
            let handle = handle.clone();
            async move {
                let body = handle.map(|h| h.render()).unwrap_or_default();
                (
                    [(
                        axum::http::header::CONTENT_TYPE,
                        "text/plain; version=0.0.4",
                    )],
                    body,
                )
            }
        }),
    )
}

/// A `position` event of the first picture. Serialized as is, not through
/// `json!`: that widens an `f32` speed to `f64` (12.1 kn would read
/// 12.100000381469727).
#[derive(Serialize)]
struct PositionData<'a> {
    mmsi: u32,
    name: Option<&'a str>,
    lat: f64,
    lon: f64,
    sog: Option<f32>,
    cog: Option<f32>,
    state: &'a corridor_track::Zone,
    time: Option<Timestamp>,
}

fn position_event(v: &LiveVessel) -> Option<Event> {
    Some(Event::default().event("position").data(position_data(v)?))
}

fn position_data(v: &LiveVessel) -> Option<String> {
    let data = PositionData {
        mmsi: v.mmsi,
        name: v.name.as_deref(),
        lat: v.lat?,
        lon: v.lon?,
        sog: v.sog,
        cog: v.cog,
        state: &v.state,
        time: v.last_seen,
    };
    serde_json::to_string(&data).ok()
}

/// A list answer, serialized as is (see [`PositionData`] on `json!`).
#[derive(Serialize)]
struct Items<T> {
    count: usize,
    items: Vec<T>,
}

fn live_event(e: &LiveEvent) -> Event {
    match e {
        LiveEvent::Position(p) => Event::default()
            .event("position")
            .data(serde_json::to_string(p).unwrap_or_default()),
        LiveEvent::Alert(a) => alert_event(a),
    }
}

fn alert_event(a: &impl serde::Serialize) -> Event {
    Event::default()
        .event("alert")
        .data(serde_json::to_string(a).unwrap_or_default())
}

fn keyed_alert_event(a: &corridor_track::Alert, key: String) -> Event {
    let mut v = a.to_json();
    if let Some(m) = v.as_object_mut() {
        m.insert("key".into(), Value::String(key));
    }
    Event::default().event("alert").data(v.to_string())
}

fn lagged(n: u64) -> Event {
    Event::default().event("lagged").data(n.to_string())
}

/// The next notice, or never if there is no source of them.
async fn next_notice(
    rx: &mut Option<broadcast::Receiver<Notice>>,
) -> Result<Notice, broadcast::error::RecvError> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

async fn live(State(s): State<LiveState>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // Subscribe before taking the snapshot so nothing falls between the two.
    let rx = s.handle.subscribe();
    // Taken after subscribing: a picture asked for since misses nothing.
    let subscribed = tokio::time::Instant::now();
    // Alerts on their own channel: a page too slow for every position
    // loses positions (the next report replaces them), never an alert.
    let alerts = s.handle.subscribe_alerts();
    let notices = s.notices.as_ref().map(broadcast::Sender::subscribe);
    let snapshot: Vec<Event> = s
        .handle
        .vessels_since(subscribed)
        .await
        .iter()
        .filter_map(position_event)
        .collect();
    let keys = s.handle.clone();
    let stream = futures_util::stream::unfold(
        (snapshot.into_iter(), rx, alerts, notices, keys),
        |(mut snap, mut rx, mut alerts, mut notices, keys)| async move {
            if let Some(e) = snap.next() {
                return Some((Ok(e), (snap, rx, alerts, notices, keys)));
            }
            use broadcast::error::RecvError;
            let ev = loop {
                tokio::select! {
                    // Alerts first when both are ready.
                    biased;
                    r = alerts.recv() => break match r {
                        // With the key it is stored under: the alert's own
                        // id starts again at 1 each run.
                        Ok(a) => keyed_alert_event(&a, keys.alert_key(&a)),
                        Err(RecvError::Lagged(n)) => lagged(n),
                        Err(RecvError::Closed) => return None,
                    },
                    r = rx.recv() => match r {
                        // Alerts come on their own channel (above).
                        Ok(LiveEvent::Alert(_)) => {}
                        Ok(e) => break live_event(&e),
                        // Positions dropped: the next report of each vessel
                        // replaces them; said, so a client may re-read.
                        Err(RecvError::Lagged(n)) => break lagged(n),
                        // Tracking stopped: the feed ends.
                        Err(RecvError::Closed) => return None,
                    },
                    r = next_notice(&mut notices) => match r {
                        Ok(n) => break Event::default().event(n.event).data(n.data),
                        Err(RecvError::Lagged(n)) => break lagged(n),
                        // Nothing more will be published: tracking goes on alone.
                        Err(RecvError::Closed) => notices = None,
                    },
                }
            };
            Some((Ok(ev), (snap, rx, alerts, notices, keys)))
        },
    );
    // Tracking is stopping: the feed ends, so the server can stop
    // gracefully (an open page reconnects).
    let handle = s.handle.clone();
    let stream = stream.take_until(async move { handle.stopping().await });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn geometry(State(s): State<LiveState>) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/geo+json")],
        s.geometry.to_string(),
    )
        .into_response()
}

async fn vessels(State(s): State<LiveState>) -> Json<Items<LiveVessel>> {
    let items = s.handle.vessels().await;
    Json(Items {
        count: items.len(),
        items,
    })
}

fn time(name: &str, v: Option<&str>) -> Result<Option<Timestamp>, ApiError> {
    v.filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<Timestamp>()
                .or_else(|_| {
                    s.parse::<jiff::civil::Date>()
                        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC))
                        .map(|z| z.timestamp())
                })
                .map_err(|_| {
                    ApiError::BadRequest(format!("{name}={s:?} is not an RFC 3339 time or a date"))
                })
        })
        .transpose()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrackParams {
    from: Option<String>,
    until: Option<String>,
}

/// Points in one track response at most.
const MAX_TRACK_POINTS: usize = 100_000;

async fn track(
    State(s): State<LiveState>,
    ApiPath(mmsi): ApiPath<String>,
    ApiQuery(p): ApiQuery<TrackParams>,
) -> Result<Json<Value>, ApiError> {
    let mmsi: u32 = mmsi
        .parse()
        .ok()
        .filter(|m| *m > 0 && *m < 1_000_000_000)
        .ok_or_else(|| ApiError::BadRequest(format!("{mmsi:?} is not an MMSI")))?;
    let until = match time("until", p.until.as_deref())? {
        Some(t) => t,
        None => s
            .handle
            .vessels()
            .await
            .iter()
            .filter_map(|v| v.last_seen)
            .max()
            .unwrap_or_else(Timestamp::now),
    };
    let from = time("from", p.from.as_deref())?.unwrap_or_else(|| {
        until
            .checked_sub(SignedDuration::from_hours(24))
            .unwrap_or(until)
    });
    if from > until {
        return Err(ApiError::BadRequest("from is after until".into()));
    }
    let cfg = s.handle.monitor_config();
    // What the monitor believed at `from` rests on the positions before it:
    // read them too, or a range starting inside a spoofed run would take
    // the spoof for the ship.
    let (before, mut rows) = match s.handle.store() {
        Some(st) => {
            let back = from
                .checked_sub(corridor_track::belief_lookback(cfg))
                .unwrap_or(from);
            let before_from = from
                .checked_sub(SignedDuration::from_millis(1))
                .unwrap_or(from);
            let before = if back < from {
                st.track(mmsi, back, before_from, MAX_TRACK_POINTS as u32)
                    .await?
            } else {
                Vec::new()
            };
            (
                before,
                st.track(mmsi, from, until, MAX_TRACK_POINTS as u32 + 1)
                    .await?,
            )
        }
        None => (Vec::new(), Vec::new()),
    };
    // Oldest first: a range with more points than a response carries says
    // so, and where the next page starts, instead of silently ending early.
    let truncated = rows.len() > MAX_TRACK_POINTS;
    rows.truncate(MAX_TRACK_POINTS);
    let next_from = rows
        .last()
        .filter(|_| truncated)
        .map(|r| r.time.to_string());
    // What the monitor did not believe (an impossible jump, the other ship
    // of a shared MMSI) is stored as evidence, not drawn as the track: a
    // line through it would show the ship where it was not.
    let reports: Vec<_> = before
        .iter()
        .chain(&rows)
        .map(corridor_ingest::stored_report)
        .collect();
    let believed = corridor_track::believed_positions(cfg, &reports);
    let kept: Vec<_> = rows
        .iter()
        .zip(&believed[before.len()..])
        .filter(|(_, b)| **b)
        .map(|(r, _)| r)
        .collect();
    let coords: Vec<[f64; 2]> = kept.iter().map(|r| [r.lon, r.lat]).collect();
    let times: Vec<String> = kept.iter().map(|r| r.time.to_string()).collect();
    Ok(Json(json!({
        "type": "Feature",
        "geometry": { "type": "LineString", "coordinates": coords },
        "properties": { "mmsi": mmsi, "from": from.to_string(), "until": until.to_string(), "points": kept.len(),
                        "not_believed": rows.len() - kept.len(), "times": times,
                        "truncated": truncated, "next_from": next_from },
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertParams {
    from: Option<String>,
    until: Option<String>,
    kind: Option<String>,
    mmsi: Option<String>,
    open: Option<String>,
    limit: Option<String>,
    /// `false`: anomalies only (no corridor entries, exits or area arrivals).
    events: Option<String>,
}

async fn alerts(
    State(s): State<LiveState>,
    ApiQuery(p): ApiQuery<AlertParams>,
) -> Result<Json<Value>, ApiError> {
    // Each value as what it is: a number too large is not "not a number",
    // and a limit outside 1..=10000 is refused, not quietly made 1.
    let num = |name: &str,
               v: &Option<String>,
               range: std::ops::RangeInclusive<u32>|
     -> Result<Option<u32>, ApiError> {
        v.as_deref()
            .filter(|s| !s.is_empty())
            .map(|x| match x.parse::<u64>() {
                Ok(n) if u64::from(*range.start()) <= n && n <= u64::from(*range.end()) => {
                    Ok(n as u32)
                }
                Ok(_) => Err(ApiError::BadRequest(format!(
                    "{name}={x}: not from {} to {}",
                    range.start(),
                    range.end()
                ))),
                Err(_) => Err(ApiError::BadRequest(format!(
                    "{name}={x:?} is not a whole number"
                ))),
            })
            .transpose()
    };
    let open = match p.open.as_deref() {
        None | Some("") => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(x) => return Err(ApiError::BadRequest(format!("open={x:?}: true or false"))),
    };
    let q = AlertQuery {
        key: None,
        from: time("from", p.from.as_deref())?,
        until: time("until", p.until.as_deref())?,
        // A kind that does not exist is a typo, not "no such alerts" (the
        // interface check, session 19: it was a 200 with an empty list).
        kind: match p.kind.filter(|k| !k.is_empty()) {
            Some(k) if corridor_track::AlertKind::parse(&k).is_none() => {
                return Err(ApiError::BadRequest(format!(
                    "kind={k:?} is not one of {}",
                    corridor_track::AlertKind::ALL
                        .map(corridor_track::AlertKind::as_str)
                        .join(", ")
                )));
            }
            k => k,
        },
        mmsi: num("mmsi", &p.mmsi, 0..=999_999_999)?,
        open,
        limit: num("limit", &p.limit, 1..=10_000)?,
        except_kinds: match p.events.as_deref() {
            None | Some("") | Some("true") => Vec::new(),
            Some("false") => corridor_track::AlertKind::ALL
                .into_iter()
                .filter(|k| k.is_event())
                .map(|k| k.as_str().to_string())
                .collect(),
            Some(x) => return Err(ApiError::BadRequest(format!("events={x:?}: true or false"))),
        },
    };
    let rows = match s.handle.store() {
        Some(st) => st.alerts(&q).await?,
        None => Vec::new(),
    };
    // The stored key goes with each alert: it is what an acknowledgement names.
    let items: Vec<Value> = rows
        .into_iter()
        .map(|r| match r.body {
            Value::Object(mut m) => {
                m.insert("key".into(), Value::String(r.key));
                Value::Object(m)
            }
            other => json!({ "key": r.key, "alert": other }),
        })
        .collect();
    Ok(Json(json!({ "count": items.len(), "items": items })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_picture_keeps_speeds_as_reported() {
        let v = LiveVessel {
            mmsi: 211_000_001,
            imo: None,
            name: Some("NORD".into()),
            callsign: None,
            ship_type: None,
            registered: false,
            lat: Some(43.0),
            lon: Some(34.0),
            sog: Some(12.1),
            cog: Some(359.9),
            heading: None,
            nav_status: None,
            state: corridor_track::Zone::Outside,
            area: None,
            last_seen: None,
            eta: None,
        };
        let data = position_data(&v).expect("a position");
        assert!(data.contains(r#""sog":12.1,"cog":359.9,"#), "{data}");
        // No position, no event.
        let unplaced = LiveVessel { lat: None, ..v };
        assert_eq!(position_data(&unplaced), None);
    }
}
