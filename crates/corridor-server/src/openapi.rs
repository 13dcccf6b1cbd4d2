//! The OpenAPI description of the public record's routes (`/stats`,
//! `/voyages`, `/voyages/export`, `/vessels/{imo}`) and live tracking's (`/live`,
//! `/geometry`, `/vessels/live`, `/tracks/{mmsi}`, `/alerts`), merged by
//! the binary with the clearance API's into the one document served at
//! `/api/v1/openapi.json`.
//!
//! The handlers return the store's own types, which know nothing of
//! OpenAPI (the domain and store crates stay free of it); the schemas here
//! describe their JSON. Schemathesis checks responses against them
//! (`tools/schemathesis.sh`, on an imported record), and `tests/api.rs`
//! and `tests/live.rs` check that real answers, with every optional member
//! there is, have exactly the members the schemas name.

// The schema types are only ever described, never built.
#![allow(dead_code)]

use std::collections::BTreeMap;

use corridor_http::{ErrorBody, ErrorDetail};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// The record routes' document (paths include `/api/v1`).
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "corridor API",
        description = "The public voyage record, live tracking, applications and each party's signed decision, inspections, and the append-only log with signed checkpoints and proofs."
    ),
    paths(stats, voyages, export_voyages, vessel),
    components(schemas(
        Stats, InspectionDay, Voyage, CargoLine, VoyagePage, VesselDetail, Vessel, HistoryRow,
        Snapshot, JccRow, ErrorBody, ErrorDetail
    )),
    tags((name = "record", description = "The JCC's published voyages as imported: figures, voyages, vessels and the history of changed values"))
)]
pub struct RecordDoc;

/// The record routes' document.
pub fn record_document() -> utoipa::openapi::OpenApi {
    RecordDoc::openapi()
}

/// The whole server's document: `features` (the clearance API's, with its
/// security schemes) with the record's and live tracking's routes added,
/// under this crate's title and description.
pub fn whole_document(mut features: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let record = record_document();
    features.info = record.info.clone();
    features.merge(record);
    features.merge(live_document());
    features.merge(OpsDoc::openapi());
    features
}

/// What a load balancer and a metrics scraper read (plain text, at the root).
#[derive(Debug, OpenApi)]
#[openapi(
    paths(healthz, metrics),
    tags((name = "operations", description = "Readiness and Prometheus metrics, in plain text at the root"))
)]
struct OpsDoc;

#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses(
        (status = 200, content_type = "text/plain", body = String, description = "`ok`: the record's database answers"),
        (status = 503, content_type = "text/plain", body = String, description = "why the record's database does not answer (within 2 s)")))]
fn healthz() {}

#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, content_type = "text/plain", body = String,
        description = "Prometheus text format (0.0.4): every series README.md lists, at zero until counted")))]
fn metrics() {}

/// A departure-date range, both ends inclusive.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
struct RangeQuery {
    /// First departure date (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date, example = "2022-08-01")]
    from: Option<String>,
    /// Last departure date (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date, example = "2022-12-31")]
    until: Option<String>,
}

/// What picks voyages.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
struct VoyageFilters {
    /// First departure date (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date)]
    from: Option<String>,
    /// Last departure date (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date)]
    until: Option<String>,
    /// Departure port: UN/LOCODE (`UAODS`) or the published name (`Odesa`).
    port: Option<String>,
    /// Commodity as listed (`Corn`), any spelling the import maps.
    commodity: Option<String>,
    /// Declared destination country, by published name.
    country: Option<String>,
    /// IMO number (7 digits).
    #[param(example = "9086526")]
    imo: Option<String>,
    /// `departed` or `inspected`.
    #[param(value_type = Option<String>, pattern = "^(departed|inspected)$")]
    status: Option<String>,
}

/// A page of voyages.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
struct PageQuery {
    /// Voyages per page, 1 to 1000 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000, default = 50)]
    limit: Option<String>,
    /// Voyages to skip.
    #[param(value_type = Option<u32>)]
    offset: Option<String>,
}

/// The published figures over departures in the range: tonnes are metric
/// tonnes, whole or with up to three decimals, as published.
#[derive(Debug, ToSchema)]
struct Stats {
    #[schema(value_type = Option<String>, format = Date)]
    from: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    until: Option<String>,
    tonnes: f64,
    voyages: u64,
    cargo_lines: u64,
    wfp_tonnes: f64,
    /// Tonnes by departure port (published name).
    by_port: BTreeMap<String, f64>,
    by_commodity: BTreeMap<String, f64>,
    /// Tonnes by declared destination country.
    by_country: BTreeMap<String, f64>,
    by_income_group: BTreeMap<String, f64>,
    by_development_category: BTreeMap<String, f64>,
    by_un_region: BTreeMap<String, f64>,
    by_world_bank_region: BTreeMap<String, f64>,
    /// Tonnes by month of departure, `YYYY-MM`.
    by_month: BTreeMap<String, f64>,
    /// Voyages by month of departure, `YYYY-MM`.
    voyages_by_month: BTreeMap<String, u64>,
    /// Tonnes by month of departure, then by commodity.
    by_month_commodity: BTreeMap<String, BTreeMap<String, f64>>,
    /// Every day (`YYYY-MM-DD`) from the first departure to the last
    /// inspection of the voyages with an inspection date: inspections that
    /// day and vessels waiting (departed, not yet inspected).
    inspections_by_day: BTreeMap<String, InspectionDay>,
}

/// The table a download is in.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
struct FormatQuery {
    /// `csv` (the default): the JCC's own CSV, which `corridor import jcc`
    /// reads back (its WFP column has no "unknown": a line whose source
    /// had no WFP column is written as not WFP); `json`: the same rows with
    /// numbers and ISO dates typed, and `null` where WFP is unknown.
    #[param(value_type = Option<String>, pattern = "^(csv|json)$")]
    format: Option<String>,
}

/// One row of the JCC's table (one cargo line), as the JSON download has
/// it: keyed by the table's column names.
#[derive(Debug, serde::Serialize, ToSchema)]
struct JccRow {
    /// `Outbound` for a voyage's first line, `Outbound +` for the others.
    #[serde(rename = "Status")]
    status: String,
    /// The voyage's outbound number.
    #[serde(rename = "#")]
    seq: u32,
    #[serde(rename = "Vessel name")]
    vessel_name: String,
    #[serde(rename = "IMO")]
    imo: u32,
    #[serde(rename = "Departure port")]
    port: String,
    #[serde(rename = "Country")]
    country: String,
    #[serde(rename = "Commodity")]
    commodity: String,
    /// Null only for a voyage without cargo lines.
    #[serde(rename = "Metric tons")]
    tonnes: Option<f64>,
    #[serde(rename = "Departure date")]
    #[schema(value_type = String, format = Date)]
    departure: String,
    #[serde(rename = "Inspection cleared")]
    #[schema(value_type = Option<String>, format = Date)]
    inspection_cleared: Option<String>,
    #[serde(rename = "Income group")]
    income_group: String,
    #[serde(rename = "Flag")]
    flag: String,
    #[serde(rename = "World Bank region")]
    world_bank_region: String,
    #[serde(rename = "UN region")]
    un_region: String,
    #[serde(rename = "Development category")]
    development_category: String,
    /// Null where the source had no WFP column.
    #[serde(rename = "WFP")]
    wfp: Option<bool>,
}

/// Inspections on a day and the vessels waiting at its end.
#[derive(Debug, ToSchema)]
struct InspectionDay {
    inspections: u64,
    waiting: u64,
}

/// One consignment: a commodity to a declared destination.
#[derive(Debug, ToSchema)]
struct CargoLine {
    commodity: String,
    tonnes: f64,
    destination: String,
    /// ISO 3166 alpha-3.
    destination_iso3: String,
    income_group: String,
    world_bank_region: String,
    un_region: String,
    development_category: String,
    /// Chartered by the World Food Programme; null where the source does not say.
    wfp: Option<bool>,
}

/// A voyage as the record holds it now.
#[derive(Debug, ToSchema)]
struct Voyage {
    id: i64,
    /// `outbound` (the record has no inbound voyages).
    direction: String,
    /// The JCC's outbound sequence number.
    seq: u32,
    vessel_name: String,
    imo: u32,
    /// ISO 3166 alpha-2 of the flag, where the published name is known.
    flag: Option<String>,
    flag_name: String,
    /// UN/LOCODE of the departure port.
    port: String,
    port_name: String,
    #[schema(value_type = String, format = Date)]
    departure: String,
    #[schema(value_type = Option<String>, format = Date)]
    inspection_cleared: Option<String>,
    /// `departed` or `inspected`.
    status: String,
    tonnes: f64,
    cargo: Vec<CargoLine>,
    /// The snapshot the voyage's values come from: its date and source.
    #[schema(value_type = String, format = Date)]
    as_of: String,
    source: String,
}

/// A page of voyages, newest departure first.
#[derive(Debug, ToSchema)]
struct VoyagePage {
    items: Vec<Voyage>,
    /// Voyages matching the filters, on every page.
    total: u64,
    limit: u32,
    offset: u32,
}

/// A vessel as registered in the record.
#[derive(Debug, ToSchema)]
struct Vessel {
    imo: u32,
    /// Whether the IMO number's check digit holds (three published ones fail).
    imo_check_ok: bool,
    name: String,
    flag: Option<String>,
    flag_name: Option<String>,
    mmsi: Option<u32>,
    /// The flag state the MMSI's MID names (ISO 3166 alpha-2).
    mmsi_flag: Option<String>,
}

/// A source of values and the date it describes.
#[derive(Debug, ToSchema)]
struct Snapshot {
    source: String,
    #[schema(value_type = String, format = Date)]
    as_of: String,
}

/// A value that lost to another (a newer snapshot's), kept.
#[derive(Debug, ToSchema)]
struct HistoryRow {
    voyage_seq: u32,
    direction: String,
    /// The field, e.g. `cargo[1].tonnes`.
    field: String,
    /// Null: the field did not exist (a new cargo line).
    old_value: Option<String>,
    old_snapshot: Snapshot,
    new_value: Option<String>,
    new_snapshot: Snapshot,
    #[schema(value_type = String, format = DateTime)]
    recorded_at: String,
}

/// A vessel, its voyages and their history.
#[derive(Debug, ToSchema)]
struct VesselDetail {
    vessel: Vessel,
    voyages: Vec<Voyage>,
    history: Vec<HistoryRow>,
}

#[utoipa::path(get, path = "/api/v1/stats", tag = "record", params(RangeQuery),
    responses((status = 200, body = Stats, description = "tonnes, voyages and cargo lines, by port, commodity, destination and its groupings, and month"),
        (status = "4XX", body = ErrorBody)))]
fn stats() {}

#[utoipa::path(get, path = "/api/v1/voyages", tag = "record", params(VoyageFilters, PageQuery),
    responses((status = 200, body = VoyagePage, description = "the voyages matching every filter given"),
        (status = "4XX", body = ErrorBody)))]
fn voyages() {}

/// The voyages as the JCC's own table (CSV or JSON), streamed.
///
/// Every voyage the filters pick, whole with all its cargo lines (a
/// commodity or country filter picks voyages), newest departure first, in
/// the JCC's own table, streamed as it is read. A download cut short (the
/// database failed part-way) ends without the chunked body's last chunk,
/// never as a shorter file that looks whole.
///
/// It is the record written in the JCC's columns, not a copy of a
/// published file: each voyage opens with its `Outbound` row (the JCC's
/// CSV has two voyages whose `Outbound +` row comes first), every row of a
/// voyage names the voyage's one vessel (the CSV's voyage 148 names another
/// on its second row, which the import reports), and names are trimmed of
/// surrounding spaces. Tonnes, dates and destinations are as imported.
#[utoipa::path(get, path = "/api/v1/voyages/export", tag = "record", params(VoyageFilters, FormatQuery),
    responses(
        (status = 200, description = "the table, one row per cargo line, as an attachment",
            content((String = "text/csv"), (Vec<JccRow> = "application/json"))),
        (status = 503, body = ErrorBody, description = "as many downloads as the server serves at once are under way",
            headers(("Retry-After" = u32, description = "seconds to wait before asking again"))),
        (status = 505, body = ErrorBody, description = "asked over HTTP/1.0, whose body ends by closing the connection: a download cut short would look whole"),
        (status = "4XX", body = ErrorBody)))]
fn export_voyages() {}

#[utoipa::path(get, path = "/api/v1/vessels/{imo}", tag = "record",
    params(("imo" = String, Path, description = "IMO number (7 digits)", example = "9086526")),
    responses((status = 200, body = VesselDetail, description = "the vessel, its voyages and the values that changed"),
        (status = "4XX", body = ErrorBody)))]
fn vessel() {}

/// Live tracking's routes' document (paths include `/api/v1`).
#[derive(Debug, OpenApi)]
#[openapi(
    paths(live, geometry, vessels_live, track, alerts),
    components(schemas(
        LiveVessels, LiveVessel, LiveEta, Track, LineString, TrackProperties, Alerts,
        AlertItem, AlertPlace, ErrorBody, ErrorDetail
    )),
    tags((name = "tracking", description = "AIS tracking against the corridor's geometry: vessels now, their tracks, and alerts"))
)]
pub struct LiveDoc;

/// Live tracking's routes' document.
pub fn live_document() -> utoipa::openapi::OpenApi {
    LiveDoc::openapi()
}

/// Tracked vessels, as of the latest report of each.
#[derive(Debug, ToSchema)]
struct LiveVessels {
    count: u64,
    items: Vec<LiveVessel>,
}

/// One tracked vessel. Position fields are null until it is heard (a
/// vessel placed from the store after a restart has its zone and area).
#[derive(Debug, ToSchema)]
struct LiveVessel {
    mmsi: u32,
    /// IMO number from its static reports.
    imo: Option<u32>,
    name: Option<String>,
    callsign: Option<String>,
    /// AIS ship type.
    ship_type: Option<u8>,
    /// Whether the MMSI is linked to a registered vessel.
    registered: bool,
    lat: Option<f64>,
    lon: Option<f64>,
    /// Speed over ground, knots.
    sog: Option<f32>,
    /// Course over ground, degrees.
    cog: Option<f32>,
    heading: Option<u16>,
    /// AIS navigational status.
    nav_status: Option<u8>,
    /// `unknown`, `inside`, `outside` or `deviating` (the corridor).
    #[schema(pattern = "^(unknown|inside|outside|deviating)$")]
    state: String,
    /// The area it is in, if any.
    area: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    last_seen: Option<String>,
    eta: Option<LiveEta>,
}

/// Estimated arrival at the next area along the lane, in the direction
/// of travel (none for a stopped vessel).
#[derive(Debug, ToSchema)]
struct LiveEta {
    area: String,
    remaining_nm: f64,
    speed_kn: f64,
    /// Null when the vessel is too slow to say.
    #[schema(value_type = Option<String>, format = DateTime)]
    at: Option<String>,
}

/// A vessel's stored track as a GeoJSON Feature, oldest point first.
#[derive(Debug, ToSchema)]
struct Track {
    /// `Feature`.
    #[schema(rename = "type")]
    kind: String,
    geometry: LineString,
    properties: TrackProperties,
}

/// GeoJSON LineString of `[lon, lat]` points.
#[derive(Debug, ToSchema)]
struct LineString {
    /// `LineString`.
    #[schema(rename = "type")]
    kind: String,
    coordinates: Vec<[f64; 2]>,
}

/// What the track covers.
#[derive(Debug, ToSchema)]
struct TrackProperties {
    mmsi: u32,
    #[schema(value_type = String, format = DateTime)]
    from: String,
    #[schema(value_type = String, format = DateTime)]
    until: String,
    /// Points in the line: the positions the monitor's rule believes.
    points: u64,
    /// Stored positions in the range left out of the line: an impossible
    /// jump from the believed track (kept as evidence, see `/alerts`).
    not_believed: u64,
    /// Each point's time.
    times: Vec<String>,
    /// More than 100,000 points in the range: the rest from `next_from`.
    truncated: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    next_from: Option<String>,
}

/// Stored alerts, newest start first.
#[derive(Debug, ToSchema)]
struct Alerts {
    count: u64,
    items: Vec<AlertItem>,
}

/// An alert as stored (its latest version), with the key an
/// acknowledgement names. `evidence` holds the reports it rests on.
#[derive(Debug, ToSchema)]
struct AlertItem {
    key: String,
    /// The monitor's id within its run.
    id: u64,
    /// `corridor_entry`, `corridor_exit`, `deviation`, `ais_gap`,
    /// `loitering`, `encounter`, `identity_mismatch`, `impossible_jump`,
    /// `area_arrival`, `mmsi_conflict` or `skipped_inspection` (a vessel
    /// reached a port, or left the corridor, before its inspection).
    kind: String,
    mmsi: u32,
    #[schema(value_type = String, format = DateTime)]
    start: String,
    #[schema(value_type = String, format = DateTime)]
    end: String,
    /// Still going on (a deviation, a gap, loitering, an encounter).
    open: bool,
    place: AlertPlace,
    /// The other vessel of an encounter.
    #[schema(required = false)]
    other_mmsi: Option<u32>,
    #[schema(required = false)]
    imo: Option<u32>,
    detail: String,
    #[schema(value_type = Vec<Object>)]
    evidence: Vec<serde_json::Value>,
}

/// Where an alert happened.
#[derive(Debug, ToSchema)]
struct AlertPlace {
    lat: Option<f64>,
    lon: Option<f64>,
    area: Option<String>,
}

/// A time range for a track: RFC 3339 times or dates.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
struct TrackQuery {
    /// Start (default: 24 h before `until`).
    from: Option<String>,
    /// End (default: the latest report of any vessel).
    until: Option<String>,
}

/// Filters and a limit for alerts.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
struct AlertQuery {
    /// Alerts starting at or after this time (RFC 3339 or a date).
    from: Option<String>,
    /// Alerts starting at or before this time.
    until: Option<String>,
    /// One kind only.
    kind: Option<String>,
    #[param(value_type = Option<u32>, maximum = 999_999_999)]
    mmsi: Option<String>,
    /// Only open (`true`) or closed (`false`) alerts.
    #[param(value_type = Option<bool>)]
    open: Option<String>,
    /// `false`: anomalies only (no entries, exits or arrivals).
    #[param(value_type = Option<bool>)]
    events: Option<String>,
    /// At most this many, 1 to 10,000 (default 100).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 10_000)]
    limit: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/live", tag = "tracking",
    responses((status = 200, content_type = "text/event-stream", body = String,
        description = "Server-sent events: `position` (each vessel now, then as reported), `alert` (with its key), `acknowledgement`, `lagged` (events missed)")))]
fn live() {}

#[utoipa::path(get, path = "/api/v1/geometry", tag = "tracking",
    responses((status = 200, content_type = "application/geo+json", body = Object,
        description = "the corridor's lanes and areas as a GeoJSON FeatureCollection")))]
fn geometry() {}

#[utoipa::path(get, path = "/api/v1/vessels/live", tag = "tracking",
    responses((status = 200, body = LiveVessels, description = "every tracked vessel")))]
fn vessels_live() {}

#[utoipa::path(get, path = "/api/v1/tracks/{mmsi}", tag = "tracking",
    params(("mmsi" = String, Path, description = "MMSI (9 digits)", example = "271000123"), TrackQuery),
    responses((status = 200, body = Track, description = "the stored positions in the range"),
        (status = "4XX", body = ErrorBody)))]
fn track() {}

#[utoipa::path(get, path = "/api/v1/alerts", tag = "tracking", params(AlertQuery),
    responses((status = 200, body = Alerts, description = "the stored alerts matching every filter"),
        (status = "4XX", body = ErrorBody)))]
fn alerts() {}
