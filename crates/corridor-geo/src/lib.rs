//! # corridor-geo: the corridor's geometry
//!
//! ## Purpose
//! An inspected maritime corridor (the Black Sea Grain Initiative's, say) is
//! a set of **lanes** (waypoints and a width) from port approaches to
//! inspection areas, a **buffer zone** around them, and polygon **areas**:
//! inspection areas, waiting areas, anchorages and port approaches. The real
//! waypoints were broadcast by NAVTEX and are not public, so the geometry is
//! configuration: a GeoJSON FeatureCollection (the repo ships an approximate
//! one, `config/corridor-blacksea.geojson`). This crate loads and validates
//! that file and answers the questions the tracker asks about a position.
//!
//! ## File format
//! Every feature has properties `kind` and `name` (unique). By kind:
//! - `lane`: LineString in travel order; `width_nm` (full width); optional
//!   `from` / `to` naming the areas at its ends (these build the route graph
//!   for along-route distances and ETAs).
//! - `buffer`: LineString or MultiLineString centre line; `radius_nm`.
//! - `inspection_area`, `waiting_area`, `anchorage`: Polygon or MultiPolygon;
//!   an anchorage or waiting area where ships wait for inspection has
//!   `queue_arrival: true`: entering it is arriving, for the queue, as
//!   entering an inspection area is ([`Area::queue_arrival`]).
//! - `port_approach`: Polygon or MultiPolygon; `locode` (UN/LOCODE, e.g. UAODS).
//! - optional `approximate: true` marks demo geometry.
//!
//! Errors ([`GeoError`]) name the feature (index and name) and the property.
//!
//! ## API boundary
//! - [`Corridor::from_geojson_str`] → [`Corridor`]; then queries:
//!   [`Corridor::areas_at`], [`Corridor::in_lane`], [`Corridor::lane_hits`],
//!   [`Corridor::near_kind`], [`Corridor::distance_to_area_m`],
//!   [`Corridor::remaining_to`], [`Corridor::next_area`], [`Corridor::in_buffer`],
//!   [`Corridor::nearest_boundary_m`]; and [`eta`].
//! - Geodesic primitives in [`geodesic`]: [`distance_m`], [`destination`],
//!   [`project_on_segment`] (cross-track / along-track).
//! - No I/O: the caller reads the file and passes the text.
//!
//! ## Invariants
//! - Distances are WGS 84 geodesics in metres (Karney, via
//!   `geographiclib-rs`); degrees are only used for R-tree prefilters, which
//!   are conservative (they never drop a true candidate).
//! - Lookups go through R-trees (areas, lane segments, area edges), so cost
//!   grows with the areas near a point, not with all areas.
//! - A loaded [`Corridor`] is immutable and every query is total: no query
//!   panics, whatever the position (invalid positions just match nothing).
//! - Geometries must not cross the antimeridian (the Black Sea does not).

pub mod geodesic;
mod load;
mod model;

pub use geodesic::{
    KNOT_MPS, LatLon, NM, SegmentProjection, bearing_deg, destination, destination_azi, distance_m,
    project_on_segment,
};
pub use model::{
    Area, AreaId, AreaKind, BufferZone, Corridor, GeoError, Lane, LaneHit, LaneId, RouteEstimate,
    eta,
};

/// The demo corridor shipped in the repo (approximate; see its properties).
pub const BLACK_SEA_DEMO: &str = include_str!("../../../config/corridor-blacksea.geojson");
