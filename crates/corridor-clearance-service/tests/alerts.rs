//! Issue 7: the coordinator acknowledges a tracking alert. Only the
//! coordinator may, only an alert the tracking store has, only once; the
//! acknowledgement is a log entry, public, published to live screens, and
//! survives a restart.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::StatusCode;
use common::*;
use corridor_clearance::AlertRef;
use corridor_clearance_service::{AlertLookup, Clock, FoundAlert, Service, router_for};
use serde_json::json;

const KEY: &str = "run-1:42";

/// A tracking store of one alert and one routine event (the real one is the binary's wiring over
/// `corridor_store::TrackStore`, exercised by the browser tests).
fn lookup() -> AlertLookup {
    let alerts: HashMap<String, FoundAlert> = [
        (
            KEY.to_string(),
            FoundAlert::Alert(AlertRef {
                key: KEY.into(),
                kind: "ais_gap".into(),
                mmsi: 271_000_042,
            }),
        ),
        (
            "run-1:1".to_string(),
            FoundAlert::Routine {
                kind: "corridor_entry".into(),
            },
        ),
    ]
    .into();
    let alerts = Arc::new(alerts);
    Arc::new(move |key: String| {
        let found = alerts.get(&key).cloned();
        Box::pin(async move { Ok(found) })
    })
}

#[tokio::test]
async fn issue_7_the_coordinator_acknowledges_an_alert_once_and_it_is_logged() {
    let (_dir, s, app) = served("2022-10-03T06:00:00Z").await;
    let uri = format!("/alerts/{KEY}/acknowledgement");
    let note = json!({ "note": "Called the master: AIS transponder reset, reporting again." });

    // Without tracking wired in, no alert exists.
    let coord = login(&app, "coordinator").await;
    let (st, body) = call(&app, "POST", &uri, Some(&coord), Some(&note)).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{body}");
    s.set_alert_lookup(lookup());
    // What live screens hear (the binary puts it on the live feed).
    let mut live = s.acknowledgements();

    // Nobody but the coordinator (no token is the public, asked to sign in).
    let (st, _) = call(&app, "POST", &uri, None, Some(&note)).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    for user in ["ua-delegate", "inspector", "agent-a", "admin"] {
        let token = login(&app, user).await;
        let (st, body) = call(&app, "POST", &uri, Some(&token), Some(&note)).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{user}: {body}");
        assert_eq!(
            body["error"]["message"],
            "not permitted: only the coordinator acknowledges alerts"
        );
    }
    // An unknown alert, a bad body.
    let (st, body) = call(
        &app,
        "POST",
        "/alerts/run-1:43/acknowledgement",
        Some(&coord),
        Some(&note),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["message"], "no alert \"run-1:43\"");
    let (st, body) = call(
        &app,
        "POST",
        "/alerts/run-1:1/acknowledgement",
        Some(&coord),
        Some(&note),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["error"]["message"],
        "\"run-1:1\" is a routine corridor_entry event, not an alert: there is nothing to acknowledge"
    );
    let (st, _) = call(&app, "POST", &uri, Some(&coord), Some(&json!({"note": 5}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let long = json!({ "note": "x".repeat(2001) });
    let (st, body) = call(&app, "POST", &uri, Some(&coord), Some(&long)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["error"]["message"],
        "note: 2001 characters; at most 2000"
    );

    // The acknowledgement, with the alert's kind and vessel from the store.
    let (st, ack) = call(&app, "POST", &uri, Some(&coord), Some(&note)).await;
    assert_eq!(st, StatusCode::CREATED, "{ack}");
    assert_eq!(ack["key"], KEY);
    assert_eq!(ack["kind"], "ais_gap");
    assert_eq!(ack["mmsi"], 271_000_042);
    assert_eq!(ack["note"], note["note"]);
    assert_eq!(ack["at"], "2022-10-03T06:00:00Z");
    let by = ack["by"].as_str().unwrap().to_string();
    // Published once logged, as the API answered it; the refusals above published nothing.
    let pushed = live.try_recv().expect("the acknowledgement published");
    assert_eq!(serde_json::to_value(&pushed).unwrap(), ack);

    // A second one is refused, naming the first.
    let (st, body) = call(&app, "POST", &uri, Some(&coord), Some(&json!({}))).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(
        body["error"]["message"],
        format!("alert {KEY} was already acknowledged by {by} at 2022-10-03T06:00:00Z")
    );
    assert!(live.try_recv().is_err(), "a refused one is not published");

    // Public, filtered by vessel.
    let (st, list) = call(&app, "GET", "/alerts/acknowledgements", None, None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list["count"], 1);
    assert_eq!(list["items"][0], ack);
    let (_, other) = call(&app, "GET", "/alerts/acknowledgements?mmsi=1", None, None).await;
    assert_eq!(other["count"], 0);
    let (st, _) = call(&app, "GET", "/alerts/acknowledgements?mmsi=x", None, None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);

    // In the log, by the coordinator.
    let last = s.entries().await.pop().unwrap();
    assert_eq!(last.actor, by);
    assert_eq!(last.event["type"], "alert_acknowledged");
    assert_eq!(last.event["alert"]["key"], KEY);

    // And after a restart.
    let s2 = Service::with_db(
        s.db().clone(),
        s.config().clone(),
        Clock::manual(s.clock().now()),
    )
    .await
    .unwrap();
    let (_, again) = call(
        &router_for(s2),
        "GET",
        "/alerts/acknowledgements",
        None,
        None,
    )
    .await;
    assert_eq!(again, list);
}
