//! Typed corridor geometry and the queries the tracker needs.

use std::collections::HashMap;

use geo::{Contains, Coord, LineString, MultiPolygon, Polygon};
use jiff::{SignedDuration, Timestamp};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde::{Deserialize, Serialize};

use crate::geodesic::{self, KNOT_MPS, LatLon, NM, SegmentProjection, degree_margin};
use crate::load::{Parsed, parse_collection};

/// Why a corridor file was refused.
#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    /// Not JSON at all.
    #[error("corridor GeoJSON is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The document is not a FeatureCollection, or is inconsistent as a whole.
    #[error("corridor GeoJSON: {0}")]
    Document(String),
    /// A property of one feature is missing or wrong.
    #[error("feature #{index} ({name}): property `{property}`: {problem}")]
    Property {
        /// Position of the feature in `features` (0-based).
        index: usize,
        /// The feature's `name`, or `<unnamed>`.
        name: String,
        /// The property at fault.
        property: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The geometry of one feature is missing or wrong.
    #[error("feature #{index} ({name}): geometry: {problem}")]
    Geometry {
        /// Position of the feature in `features` (0-based).
        index: usize,
        /// The feature's `name`, or `<unnamed>`.
        name: String,
        /// What is wrong with it.
        problem: String,
    },
}

/// The kind of a polygon area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    /// Where joint teams inspect ships (ships anchor or drift there).
    InspectionArea,
    /// A waiting area such as the Southern Waiting Area.
    WaitingArea,
    /// A general anchorage.
    Anchorage,
    /// A port and its approach, from the berths out to where the lane starts.
    PortApproach,
}

impl AreaKind {
    /// The `kind` property value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InspectionArea => "inspection_area",
            Self::WaitingArea => "waiting_area",
            Self::Anchorage => "anchorage",
            Self::PortApproach => "port_approach",
        }
    }
}

/// Index of an area in [`Corridor::areas`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AreaId(pub u32);

/// Index of a lane in [`Corridor::lanes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LaneId(pub u32);

/// A polygon area (inspection, waiting, anchorage, port approach).
#[derive(Debug, Clone)]
pub struct Area {
    /// Its index.
    pub id: AreaId,
    /// Its kind.
    pub kind: AreaKind,
    /// Its `name` (unique within the file).
    pub name: String,
    /// UN/LOCODE of the port (always set for a port approach).
    pub locode: Option<String>,
    /// Marked `approximate` in the file.
    pub approximate: bool,
    /// Ships wait here for inspection: entering it is arriving, for the
    /// queue, as entering an inspection area is (`queue_arrival: true` on
    /// an anchorage or waiting area; always for an inspection area).
    pub queue_arrival: bool,
    /// Geometry, x = longitude, y = latitude.
    pub shape: MultiPolygon<f64>,
}

/// A lane: waypoints joined by geodesics, with a width.
#[derive(Debug, Clone)]
pub struct Lane {
    /// Its index.
    pub id: LaneId,
    /// Its `name`.
    pub name: String,
    /// Waypoints in travel order from `from` to `to`.
    pub waypoints: Vec<LatLon>,
    /// Full width in nautical miles (the lane is `width_nm / 2` either side).
    pub width_nm: f64,
    /// Name of the area where the lane starts (a port approach, say).
    pub from: Option<String>,
    /// Name of the area where the lane ends (an inspection area, say).
    pub to: Option<String>,
    /// Marked `approximate` in the file.
    pub approximate: bool,
    /// `cumulative_m[i]` = geodesic length from waypoint 0 to waypoint `i`.
    pub cumulative_m: Vec<f64>,
}

impl Lane {
    /// Half the width, metres.
    pub fn half_width_m(&self) -> f64 {
        self.width_nm * NM / 2.0
    }
    /// Total geodesic length, metres.
    pub fn length_m(&self) -> f64 {
        self.cumulative_m.last().copied().unwrap_or(0.0)
    }
    /// The position `along_m` from the start (clamped to the lane).
    pub fn point_at(&self, along_m: f64) -> LatLon {
        let along = along_m.clamp(0.0, self.length_m());
        let i = self
            .cumulative_m
            .partition_point(|&c| c <= along)
            .saturating_sub(1);
        let i = i.min(self.waypoints.len().saturating_sub(2));
        let (a, b) = (self.waypoints[i], self.waypoints[i + 1]);
        geodesic::destination(a, geodesic::bearing_deg(a, b), along - self.cumulative_m[i])
    }
}

/// A buffer zone: every point within `radius_nm` of its lines.
#[derive(Debug, Clone)]
pub struct BufferZone {
    /// Its `name`.
    pub name: String,
    /// Radius, nautical miles.
    pub radius_nm: f64,
    /// Centre lines.
    pub lines: Vec<Vec<LatLon>>,
}

/// A vessel's position relative to one lane.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LaneHit {
    /// The lane.
    pub lane: LaneId,
    /// Index of the nearest segment.
    pub segment: usize,
    /// Distance from the lane's start to the closest point, metres.
    pub along_m: f64,
    /// Geodesic distance to the lane's centre line, metres.
    pub cross_m: f64,
    /// Half the lane's width, metres.
    pub half_width_m: f64,
}

impl LaneHit {
    /// Inside the lane's width.
    pub fn inside(&self) -> bool {
        self.cross_m <= self.half_width_m
    }
    /// Metres outside the lane's edge (0 when inside).
    pub fn outside_by_m(&self) -> f64 {
        (self.cross_m - self.half_width_m).max(0.0)
    }
}

/// Remaining distance along the corridor to an area.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteEstimate {
    /// The target area.
    pub target: AreaId,
    /// Metres along the lanes (0 when already inside the target).
    pub remaining_m: f64,
    /// The lane the vessel is on now, if any.
    pub via: Option<LaneId>,
}

type Rect = GeomWithData<Rectangle<[f64; 2]>, (u32, u32)>;

/// The corridor's geometry, validated and indexed.
///
/// Built once from GeoJSON ([`Corridor::from_geojson_str`]); immutable after.
#[derive(Debug)]
pub struct Corridor {
    areas: Vec<Area>,
    lanes: Vec<Lane>,
    buffers: Vec<BufferZone>,
    by_name: HashMap<String, AreaId>,
    /// Area bounding boxes: data = (area id, 0).
    area_tree: RTree<Rect>,
    /// Lane segment bounding boxes: data = (lane id, segment index).
    segment_tree: RTree<Rect>,
    /// Polygon edges of every area: data = (area id, edge index in `edges`).
    edge_tree: RTree<Rect>,
    edges: Vec<(LatLon, LatLon)>,
    /// Shortest lane distance between named areas (lane `from`/`to` graph).
    graph: HashMap<(AreaId, AreaId), f64>,
    approximate: bool,
}

fn rect(a: LatLon, b: LatLon, data: (u32, u32)) -> Rect {
    GeomWithData::new(
        Rectangle::from_corners([a.lon, a.lat], [b.lon, b.lat]),
        data,
    )
}

fn envelope(p: LatLon, m: f64) -> AABB<[f64; 2]> {
    let (dlat, dlon) = degree_margin(p, m);
    AABB::from_corners([p.lon - dlon, p.lat - dlat], [p.lon + dlon, p.lat + dlat])
}

impl Corridor {
    /// Parse and validate a GeoJSON FeatureCollection.
    pub fn from_geojson_str(s: &str) -> Result<Self, GeoError> {
        let v: serde_json::Value = serde_json::from_str(s)?;
        Self::from_geojson_value(&v)
    }

    /// Validate an already-parsed GeoJSON FeatureCollection.
    pub fn from_geojson_value(v: &serde_json::Value) -> Result<Self, GeoError> {
        let parsed = parse_collection(v)?;
        let mut areas = Vec::new();
        let mut lanes = Vec::new();
        let mut buffers = Vec::new();
        let mut by_name = HashMap::new();
        let mut names = HashMap::new();
        let mut approximate = false;
        for (index, p) in parsed.into_iter().enumerate() {
            let name = match &p {
                Parsed::Area { name, .. }
                | Parsed::Lane { name, .. }
                | Parsed::Buffer { name, .. } => name.clone(),
            };
            if names.insert(name.clone(), index).is_some() {
                return Err(GeoError::Property {
                    index,
                    name,
                    property: "name".into(),
                    problem: "another feature has the same name".into(),
                });
            }
            match p {
                Parsed::Area {
                    kind,
                    name,
                    locode,
                    approximate: ap,
                    queue_arrival,
                    polygons,
                } => {
                    approximate |= ap;
                    let id = AreaId(areas.len() as u32);
                    let shape =
                        MultiPolygon::new(polygons.iter().map(|rings| to_polygon(rings)).collect());
                    by_name.insert(name.clone(), id);
                    areas.push(Area {
                        id,
                        kind,
                        name,
                        locode,
                        approximate: ap,
                        queue_arrival: queue_arrival || kind == AreaKind::InspectionArea,
                        shape,
                    });
                }
                Parsed::Lane {
                    name,
                    width_nm,
                    from,
                    to,
                    approximate: ap,
                    waypoints,
                } => {
                    approximate |= ap;
                    let mut cumulative_m = Vec::with_capacity(waypoints.len());
                    let mut acc = 0.0;
                    cumulative_m.push(0.0);
                    for w in waypoints.windows(2) {
                        acc += geodesic::distance_m(w[0], w[1]);
                        cumulative_m.push(acc);
                    }
                    let id = LaneId(lanes.len() as u32);
                    lanes.push(Lane {
                        id,
                        name,
                        waypoints,
                        width_nm,
                        from,
                        to,
                        approximate: ap,
                        cumulative_m,
                    });
                }
                Parsed::Buffer {
                    name,
                    radius_nm,
                    approximate: ap,
                    lines,
                } => {
                    approximate |= ap;
                    buffers.push(BufferZone {
                        name,
                        radius_nm,
                        lines,
                    });
                }
            }
        }
        // Lane ends must name areas that exist: a typo would silently break ETAs.
        for lane in &lanes {
            for (key, val) in [("from", &lane.from), ("to", &lane.to)] {
                if let Some(n) = val
                    && !by_name.contains_key(n)
                {
                    return Err(GeoError::Property {
                        index: names.get(&lane.name).copied().unwrap_or(0),
                        name: lane.name.clone(),
                        property: key.into(),
                        problem: format!("no area is named {n:?}"),
                    });
                }
            }
        }
        let mut area_rects = Vec::new();
        let mut edge_rects = Vec::new();
        let mut edges = Vec::new();
        for a in &areas {
            for poly in &a.shape.0 {
                for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                    for l in ring.lines() {
                        let (p, q) = (
                            LatLon::new(l.start.y, l.start.x),
                            LatLon::new(l.end.y, l.end.x),
                        );
                        edge_rects.push(rect(p, q, (a.id.0, edges.len() as u32)));
                        edges.push((p, q));
                    }
                }
            }
            if let Some(bb) = geo::BoundingRect::bounding_rect(&a.shape) {
                area_rects.push(rect(
                    LatLon::new(bb.min().y, bb.min().x),
                    LatLon::new(bb.max().y, bb.max().x),
                    (a.id.0, 0),
                ));
            }
        }
        let mut seg_rects = Vec::new();
        for l in &lanes {
            for (i, w) in l.waypoints.windows(2).enumerate() {
                seg_rects.push(rect(w[0], w[1], (l.id.0, i as u32)));
            }
        }
        let graph = lane_graph(&lanes, &by_name, areas.len());
        Ok(Self {
            areas,
            lanes,
            buffers,
            by_name,
            area_tree: RTree::bulk_load(area_rects),
            segment_tree: RTree::bulk_load(seg_rects),
            edge_tree: RTree::bulk_load(edge_rects),
            edges,
            graph,
            approximate,
        })
    }

    /// All areas, indexed by [`AreaId`].
    pub fn areas(&self) -> &[Area] {
        &self.areas
    }
    /// All lanes, indexed by [`LaneId`].
    pub fn lanes(&self) -> &[Lane] {
        &self.lanes
    }
    /// All buffer zones.
    pub fn buffers(&self) -> &[BufferZone] {
        &self.buffers
    }
    /// One area.
    pub fn area(&self, id: AreaId) -> Option<&Area> {
        self.areas.get(id.0 as usize)
    }
    /// One lane.
    pub fn lane(&self, id: LaneId) -> Option<&Lane> {
        self.lanes.get(id.0 as usize)
    }
    /// An area by its `name`.
    pub fn area_by_name(&self, name: &str) -> Option<&Area> {
        self.by_name.get(name).and_then(|id| self.area(*id))
    }
    /// A lane by its `name`.
    pub fn lane_by_name(&self, name: &str) -> Option<&Lane> {
        self.lanes.iter().find(|l| l.name == name)
    }
    /// A port approach by its UN/LOCODE.
    pub fn port(&self, locode: &str) -> Option<&Area> {
        self.areas
            .iter()
            .find(|a| a.kind == AreaKind::PortApproach && a.locode.as_deref() == Some(locode))
    }
    /// Whether any feature is marked `approximate`.
    pub fn is_approximate(&self) -> bool {
        self.approximate
    }

    /// Areas containing `p` (boundary excluded), via the R-tree.
    ///
    /// Point-in-polygon is evaluated in longitude/latitude; at the scale of
    /// these areas (tens of km) the difference from geodesic edges is metres.
    pub fn areas_at(&self, p: LatLon) -> impl Iterator<Item = &Area> + '_ {
        let pt = Coord { x: p.lon, y: p.lat };
        self.area_tree
            .locate_all_at_point(&[p.lon, p.lat])
            .filter_map(|r| self.areas.get(r.data.0 as usize))
            .filter(move |a| a.shape.contains(&pt))
    }

    /// Whether `p` is inside `area`.
    pub fn contains(&self, area: AreaId, p: LatLon) -> bool {
        self.area(area)
            .is_some_and(|a| a.shape.contains(&Coord { x: p.lon, y: p.lat }))
    }

    /// Geodesic distance from `p` to `area`, metres (0 inside), or `None` if
    /// the area is farther than `within_m`.
    pub fn distance_to_area_m(&self, p: LatLon, area: AreaId, within_m: f64) -> Option<f64> {
        if self.contains(area, p) {
            return Some(0.0);
        }
        self.edge_tree
            .locate_in_envelope_intersecting(&envelope(p, within_m))
            .filter(|r| r.data.0 == area.0)
            .filter_map(|r| self.edges.get(r.data.1 as usize))
            .map(|&(a, b)| geodesic::project_on_segment(p, a, b).cross_m)
            .filter(|d| *d <= within_m)
            .min_by(f64::total_cmp)
    }

    /// Distance from `p` to the nearest area boundary (any kind), metres, or
    /// `within_m` if no boundary is that close. Used for "safe radius"
    /// caching: a vessel that moves less than this cannot have entered or
    /// left any area.
    pub fn nearest_boundary_m(&self, p: LatLon, within_m: f64) -> f64 {
        let mut best = within_m;
        for r in self
            .edge_tree
            .locate_in_envelope_intersecting(&envelope(p, within_m))
        {
            let Some(&(a, b)) = self.edges.get(r.data.1 as usize) else {
                continue;
            };
            if geodesic::approx_segment_distance_m(p, a, b) > best * 1.05 + 2000.0 {
                continue;
            }
            let d = geodesic::project_on_segment(p, a, b).cross_m;
            if d < best {
                best = d;
            }
        }
        best
    }

    /// Whether `p` is inside or within `within_m` of an area of one of `kinds`.
    pub fn near_kind(&self, p: LatLon, kinds: &[AreaKind], within_m: f64) -> Option<AreaId> {
        if let Some(a) = self.areas_at(p).find(|a| kinds.contains(&a.kind)) {
            return Some(a.id);
        }
        if within_m <= 0.0 {
            return None;
        }
        let mut best: Option<(AreaId, f64)> = None;
        for r in self
            .edge_tree
            .locate_in_envelope_intersecting(&envelope(p, within_m))
        {
            let Some(area) = self.areas.get(r.data.0 as usize) else {
                continue;
            };
            if !kinds.contains(&area.kind) {
                continue;
            }
            let Some(&(a, b)) = self.edges.get(r.data.1 as usize) else {
                continue;
            };
            let d = geodesic::project_on_segment(p, a, b).cross_m;
            if d <= within_m && best.is_none_or(|(_, bd)| d < bd) {
                best = Some((area.id, d));
            }
        }
        best.map(|(id, _)| id)
    }

    /// For every lane with a segment within `within_m` of `p`, its closest
    /// approach; sorted nearest first.
    pub fn lane_hits(&self, p: LatLon, within_m: f64) -> Vec<LaneHit> {
        let mut best: Vec<LaneHit> = Vec::new();
        // Lanes often share segments (a common trunk): project each once.
        let mut seen: Vec<(LatLon, LatLon, SegmentProjection)> = Vec::new();
        for r in self
            .segment_tree
            .locate_in_envelope_intersecting(&envelope(p, within_m))
        {
            let (lane_ix, seg) = (r.data.0 as usize, r.data.1 as usize);
            let Some(lane) = self.lanes.get(lane_ix) else {
                continue;
            };
            let (Some(&a), Some(&b)) = (lane.waypoints.get(seg), lane.waypoints.get(seg + 1))
            else {
                continue;
            };
            // Cheap planar prefilter with a wide margin (5 % + 2 km) before the geodesic.
            if geodesic::approx_segment_distance_m(p, a, b) > within_m * 1.05 + 2000.0 {
                continue;
            }
            let proj = match seen.iter().find(|(x, y, _)| *x == a && *y == b) {
                Some((_, _, pr)) => *pr,
                None => {
                    let pr = geodesic::project_on_segment(p, a, b);
                    seen.push((a, b, pr));
                    pr
                }
            };
            let SegmentProjection {
                along_m, cross_m, ..
            } = proj;
            if cross_m > within_m {
                continue;
            }
            let hit = LaneHit {
                lane: lane.id,
                segment: seg,
                along_m: lane.cumulative_m[seg] + along_m,
                cross_m,
                half_width_m: lane.half_width_m(),
            };
            match best.iter_mut().find(|h| h.lane == hit.lane) {
                Some(h) if hit.cross_m < h.cross_m => *h = hit,
                Some(_) => {}
                None => best.push(hit),
            }
        }
        best.sort_by(|a, b| a.cross_m.total_cmp(&b.cross_m));
        best
    }

    /// The nearest lane within `within_m` of `p`.
    pub fn nearest_lane(&self, p: LatLon, within_m: f64) -> Option<LaneHit> {
        self.lane_hits(p, within_m).into_iter().next()
    }

    /// The lane whose width contains `p` (the nearest one if several).
    pub fn in_lane(&self, p: LatLon) -> Option<LaneHit> {
        let widest = self
            .lanes
            .iter()
            .map(Lane::half_width_m)
            .fold(0.0, f64::max);
        self.lane_hits(p, widest)
            .into_iter()
            .filter(LaneHit::inside)
            .min_by(|a, b| (a.cross_m / a.half_width_m).total_cmp(&(b.cross_m / b.half_width_m)))
    }

    /// Whether `p` is within a buffer zone (e.g. the 10 nm no-military zone).
    pub fn in_buffer(&self, p: LatLon) -> bool {
        self.buffers.iter().any(|b| {
            b.lines.iter().any(|l| {
                geodesic::project_on_polyline(p, l)
                    .is_some_and(|(_, pr)| pr.cross_m <= b.radius_nm * NM)
            })
        })
    }

    /// Remaining distance along the corridor from `p` to the area `target`:
    /// along the lane the vessel is on (nearest within `lane_search_m`) to one
    /// of its ends, then along the lane graph (`from`/`to`). `None` when no
    /// route is known.
    pub fn remaining_to(
        &self,
        p: LatLon,
        target: AreaId,
        lane_search_m: f64,
    ) -> Option<RouteEstimate> {
        if self.contains(target, p) {
            return Some(RouteEstimate {
                target,
                remaining_m: 0.0,
                via: None,
            });
        }
        let mut best: Option<RouteEstimate> = None;
        let consider = |best: &mut Option<RouteEstimate>, remaining_m: f64, via: Option<LaneId>| {
            if best.as_ref().is_none_or(|b| remaining_m < b.remaining_m) {
                *best = Some(RouteEstimate {
                    target,
                    remaining_m,
                    via,
                });
            }
        };
        for hit in self.lane_hits(p, lane_search_m) {
            let Some(lane) = self.lane(hit.lane) else {
                continue;
            };
            let ends = [
                (&lane.to, lane.length_m() - hit.along_m),
                (&lane.from, hit.along_m),
            ];
            for (end, to_end) in ends {
                let Some(end_id) = end.as_ref().and_then(|n| self.by_name.get(n)) else {
                    continue;
                };
                if let Some(rest) = self.graph_distance(*end_id, target) {
                    consider(&mut best, to_end + rest, Some(lane.id));
                }
            }
        }
        if best.is_none() {
            // Not on a lane: maybe waiting inside a named area on the graph.
            let here: Vec<AreaId> = self.areas_at(p).map(|a| a.id).collect();
            for a in here {
                if let Some(d) = self.graph_distance(a, target) {
                    consider(&mut best, d, None);
                }
            }
        }
        best
    }

    /// The next area along the lane a vessel at `p` steering `course_deg` is
    /// on: the lane's `to` area when it heads along the lane, its `from` area
    /// when it heads back; with the remaining distance along the lane.
    /// `None` off the lanes (beyond `lane_search_m`) or when that lane end
    /// names no area. Where lanes share a segment (a common trunk) the
    /// nearest lane is taken, so heading back down a trunk the answer may be
    /// another lane's port: when the destination is known, prefer
    /// [`Corridor::remaining_to`].
    pub fn next_area(
        &self,
        p: LatLon,
        course_deg: f64,
        lane_search_m: f64,
    ) -> Option<RouteEstimate> {
        if !course_deg.is_finite() {
            return None;
        }
        let hit = self.nearest_lane(p, lane_search_m)?;
        let lane = self.lane(hit.lane)?;
        let (a, b) = (
            lane.waypoints.get(hit.segment)?,
            lane.waypoints.get(hit.segment + 1)?,
        );
        let seg_course = geodesic::project_on_segment(p, *a, *b).closest;
        // Lane direction at the closest point: towards the segment's end.
        let dir = if geodesic::distance_m(seg_course, *b) > 1.0 {
            geodesic::bearing_deg(seg_course, *b)
        } else {
            geodesic::bearing_deg(*a, *b)
        };
        let diff = (course_deg - dir + 540.0).rem_euclid(360.0) - 180.0;
        let forward = diff.abs() <= 90.0;
        let (end, remaining_m) = if forward {
            (&lane.to, lane.length_m() - hit.along_m)
        } else {
            (&lane.from, hit.along_m)
        };
        let target = *self.by_name.get(end.as_ref()?)?;
        Some(RouteEstimate {
            target,
            remaining_m: remaining_m.max(0.0),
            via: Some(lane.id),
        })
    }

    fn graph_distance(&self, from: AreaId, to: AreaId) -> Option<f64> {
        if from == to {
            Some(0.0)
        } else {
            self.graph.get(&(from, to)).copied()
        }
    }
}

/// Estimated time of arrival: `now` + `remaining_m` at `speed_kn`. `None`
/// when the speed is too low (< 0.1 kn) or not finite to say anything useful.
pub fn eta(now: Timestamp, remaining_m: f64, speed_kn: f64) -> Option<Timestamp> {
    if !speed_kn.is_finite() || speed_kn < 0.1 || !remaining_m.is_finite() || remaining_m < 0.0 {
        return None;
    }
    let secs = remaining_m / (speed_kn * KNOT_MPS);
    if secs > 3.0e9 {
        return None;
    }
    now.checked_add(SignedDuration::from_secs_f64(secs)).ok()
}

fn to_polygon(rings: &[Vec<LatLon>]) -> Polygon<f64> {
    let ls =
        |r: &Vec<LatLon>| LineString::from(r.iter().map(|p| (p.lon, p.lat)).collect::<Vec<_>>());
    let mut it = rings.iter();
    let exterior = it.next().map(ls).unwrap_or_else(|| LineString::new(vec![]));
    Polygon::new(exterior, it.map(ls).collect())
}

/// All-pairs shortest lane distances between named areas (Floyd–Warshall;
/// corridor files have tens of areas, so n³ is nothing).
fn lane_graph(
    lanes: &[Lane],
    by_name: &HashMap<String, AreaId>,
    n: usize,
) -> HashMap<(AreaId, AreaId), f64> {
    let mut d = vec![vec![f64::INFINITY; n]; n];
    for (i, row) in d.iter_mut().enumerate() {
        row[i] = 0.0;
    }
    for l in lanes {
        let (Some(a), Some(b)) = (
            l.from.as_ref().and_then(|x| by_name.get(x)),
            l.to.as_ref().and_then(|x| by_name.get(x)),
        ) else {
            continue;
        };
        let (a, b) = (a.0 as usize, b.0 as usize);
        let len = l.length_m();
        // Lanes are two-way: inbound ships use them in reverse.
        d[a][b] = d[a][b].min(len);
        d[b][a] = d[b][a].min(len);
    }
    for k in 0..n {
        for i in 0..n {
            for j in 0..n {
                let via = d[i][k] + d[k][j];
                if via < d[i][j] {
                    d[i][j] = via;
                }
            }
        }
    }
    let mut out = HashMap::new();
    for (i, row) in d.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            if i != j && v.is_finite() {
                out.insert((AreaId(i as u32), AreaId(j as u32)), *v);
            }
        }
    }
    out
}
