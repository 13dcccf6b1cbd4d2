//! GeoJSON → typed features, with errors that name the feature and property.

use serde_json::{Map, Value};

use crate::geodesic::LatLon;
use crate::model::{AreaKind, GeoError};

/// A feature after parsing and validation, before indexing.
#[derive(Debug, Clone)]
pub(crate) enum Parsed {
    Area {
        kind: AreaKind,
        name: String,
        locode: Option<String>,
        approximate: bool,
        queue_arrival: bool,
        /// Polygons, each an outer ring followed by holes.
        polygons: Vec<Vec<Vec<LatLon>>>,
    },
    Lane {
        name: String,
        width_nm: f64,
        from: Option<String>,
        to: Option<String>,
        approximate: bool,
        waypoints: Vec<LatLon>,
    },
    Buffer {
        name: String,
        radius_nm: f64,
        approximate: bool,
        lines: Vec<Vec<LatLon>>,
    },
}

struct Ctx<'a> {
    index: usize,
    name: &'a str,
}

impl Ctx<'_> {
    fn prop(&self, property: &str, problem: impl Into<String>) -> GeoError {
        GeoError::Property {
            index: self.index,
            name: self.name.to_owned(),
            property: property.to_owned(),
            problem: problem.into(),
        }
    }
    fn geom(&self, problem: impl Into<String>) -> GeoError {
        GeoError::Geometry {
            index: self.index,
            name: self.name.to_owned(),
            problem: problem.into(),
        }
    }
}

pub(crate) fn parse_collection(root: &Value) -> Result<Vec<Parsed>, GeoError> {
    let obj = root
        .as_object()
        .ok_or_else(|| GeoError::Document("top level is not a JSON object".into()))?;
    match obj.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => {}
        other => {
            return Err(GeoError::Document(format!(
                "top-level `type` must be \"FeatureCollection\", found {other:?}"
            )));
        }
    }
    let features = obj
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| GeoError::Document("`features` must be an array".into()))?;
    let mut out = Vec::with_capacity(features.len());
    for (index, f) in features.iter().enumerate() {
        out.push(parse_feature(index, f)?);
    }
    Ok(out)
}

fn parse_feature(index: usize, f: &Value) -> Result<Parsed, GeoError> {
    let unnamed = Ctx {
        index,
        name: "<unnamed>",
    };
    let obj = f
        .as_object()
        .ok_or_else(|| unnamed.geom("feature is not a JSON object"))?;
    if obj.get("type").and_then(Value::as_str) != Some("Feature") {
        return Err(unnamed.geom("`type` must be \"Feature\""));
    }
    let empty = Map::new();
    let props = match obj.get("properties") {
        Some(Value::Object(m)) => m,
        None | Some(Value::Null) => &empty,
        Some(_) => return Err(unnamed.prop("properties", "must be an object")),
    };
    let name = match props.get("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.as_str(),
        Some(Value::String(_)) => return Err(unnamed.prop("name", "must not be empty")),
        Some(_) => return Err(unnamed.prop("name", "must be a string")),
        None => return Err(unnamed.prop("name", "missing")),
    };
    let cx = Ctx { index, name };
    let kind = match props.get("kind") {
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(cx.prop("kind", "must be a string")),
        None => return Err(cx.prop("kind", "missing")),
    };
    let approximate = match props.get("approximate") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(cx.prop("approximate", "must be a boolean")),
    };
    let geometry = obj
        .get("geometry")
        .and_then(Value::as_object)
        .ok_or_else(|| cx.geom("missing geometry"))?;
    let gtype = geometry
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| cx.geom("geometry has no `type`"))?;
    let coords = geometry
        .get("coordinates")
        .ok_or_else(|| cx.geom("geometry has no `coordinates`"))?;

    let area_kind = match kind {
        "lane" => None,
        "buffer" => None,
        "inspection_area" => Some(AreaKind::InspectionArea),
        "waiting_area" => Some(AreaKind::WaitingArea),
        "anchorage" => Some(AreaKind::Anchorage),
        "port_approach" => Some(AreaKind::PortApproach),
        other => {
            return Err(cx.prop(
                "kind",
                format!(
                    "unknown kind {other:?} (expected lane, buffer, inspection_area, waiting_area, anchorage or port_approach)"
                ),
            ));
        }
    };
    if let Some(kind) = area_kind {
        let polygons = match gtype {
            "Polygon" => vec![polygon(&cx, coords)?],
            "MultiPolygon" => {
                let arr = coords
                    .as_array()
                    .ok_or_else(|| cx.geom("MultiPolygon coordinates must be an array"))?;
                if arr.is_empty() {
                    return Err(cx.geom("MultiPolygon has no polygons"));
                }
                arr.iter()
                    .map(|p| polygon(&cx, p))
                    .collect::<Result<_, _>>()?
            }
            other => {
                return Err(cx.geom(format!(
                    "a {kind:?} must be a Polygon or MultiPolygon, found {other}"
                )));
            }
        };
        let locode = match props.get("locode") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if is_locode(s) => Some(s.clone()),
            Some(v) => {
                return Err(cx.prop("locode", format!("{v} is not a UN/LOCODE like \"UAODS\"")));
            }
        };
        if kind == AreaKind::PortApproach && locode.is_none() {
            return Err(cx.prop("locode", "missing (required for a port_approach)"));
        }
        let queue_arrival = match props.get("queue_arrival") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(cx.prop("queue_arrival", "must be a boolean")),
        };
        if queue_arrival && !matches!(kind, AreaKind::Anchorage | AreaKind::WaitingArea) {
            return Err(cx.prop(
                "queue_arrival",
                "only an anchorage or a waiting area may have it (an inspection area always counts as arrival, a port approach never)",
            ));
        }
        return Ok(Parsed::Area {
            kind,
            name: name.to_owned(),
            locode,
            approximate,
            queue_arrival,
            polygons,
        });
    }
    if kind == "lane" {
        if gtype != "LineString" {
            return Err(cx.geom(format!("a lane must be a LineString, found {gtype}")));
        }
        let waypoints = line(&cx, coords)?;
        let width_nm = positive(&cx, props, "width_nm")?;
        let from = opt_string(&cx, props, "from")?;
        let to = opt_string(&cx, props, "to")?;
        return Ok(Parsed::Lane {
            name: name.to_owned(),
            width_nm,
            from,
            to,
            approximate,
            waypoints,
        });
    }
    // buffer
    let lines = match gtype {
        "LineString" => vec![line(&cx, coords)?],
        "MultiLineString" => {
            let arr = coords
                .as_array()
                .ok_or_else(|| cx.geom("MultiLineString coordinates must be an array"))?;
            if arr.is_empty() {
                return Err(cx.geom("MultiLineString has no lines"));
            }
            arr.iter().map(|l| line(&cx, l)).collect::<Result<_, _>>()?
        }
        other => {
            return Err(cx.geom(format!(
                "a buffer must be a LineString or MultiLineString, found {other}"
            )));
        }
    };
    let radius_nm = positive(&cx, props, "radius_nm")?;
    Ok(Parsed::Buffer {
        name: name.to_owned(),
        radius_nm,
        approximate,
        lines,
    })
}

fn is_locode(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || (b'2'..=b'9').contains(c))
}

fn positive(cx: &Ctx<'_>, props: &Map<String, Value>, key: &str) -> Result<f64, GeoError> {
    match props.get(key) {
        Some(Value::Number(n)) => match n.as_f64() {
            Some(v) if v.is_finite() && v > 0.0 && v < 1000.0 => Ok(v),
            _ => Err(cx.prop(
                key,
                format!("{n} must be a positive number of nautical miles below 1000"),
            )),
        },
        Some(v) => Err(cx.prop(key, format!("{v} is not a number"))),
        None => Err(cx.prop(key, "missing")),
    }
}

fn opt_string(
    cx: &Ctx<'_>,
    props: &Map<String, Value>,
    key: &str,
) -> Result<Option<String>, GeoError> {
    match props.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.clone())),
        Some(v) => Err(cx.prop(
            key,
            format!("{v} must be a non-empty string (an area name)"),
        )),
    }
}

fn position(cx: &Ctx<'_>, v: &Value) -> Result<LatLon, GeoError> {
    let arr = v
        .as_array()
        .ok_or_else(|| cx.geom(format!("position {v} is not an array")))?;
    if arr.len() < 2 {
        return Err(cx.geom(format!("position {v} needs [lon, lat]")));
    }
    let lon = arr[0].as_f64();
    let lat = arr[1].as_f64();
    match (lat, lon) {
        (Some(lat), Some(lon)) => {
            let p = LatLon::new(lat, lon);
            if p.is_valid() {
                Ok(p)
            } else {
                Err(cx.geom(format!(
                    "position {v} is out of range (GeoJSON order is [lon, lat])"
                )))
            }
        }
        _ => Err(cx.geom(format!("position {v} must hold numbers"))),
    }
}

fn line(cx: &Ctx<'_>, v: &Value) -> Result<Vec<LatLon>, GeoError> {
    let arr = v
        .as_array()
        .ok_or_else(|| cx.geom("line coordinates must be an array"))?;
    let pts = arr
        .iter()
        .map(|p| position(cx, p))
        .collect::<Result<Vec<_>, _>>()?;
    if pts.len() < 2 {
        return Err(cx.geom("a line needs at least two waypoints"));
    }
    if pts.windows(2).any(|w| w[0] == w[1]) {
        return Err(cx.geom("a line repeats a waypoint"));
    }
    Ok(pts)
}

fn polygon(cx: &Ctx<'_>, v: &Value) -> Result<Vec<Vec<LatLon>>, GeoError> {
    let rings = v
        .as_array()
        .ok_or_else(|| cx.geom("polygon coordinates must be an array of rings"))?;
    if rings.is_empty() {
        return Err(cx.geom("polygon has no rings"));
    }
    let mut out = Vec::with_capacity(rings.len());
    for ring in rings {
        let arr = ring
            .as_array()
            .ok_or_else(|| cx.geom("a ring must be an array of positions"))?;
        let pts = arr
            .iter()
            .map(|p| position(cx, p))
            .collect::<Result<Vec<_>, _>>()?;
        if pts.len() < 4 {
            return Err(cx.geom("a ring needs at least four positions (closed)"));
        }
        if pts.first() != pts.last() {
            return Err(cx.geom("a ring must be closed (first position = last)"));
        }
        out.push(pts);
    }
    Ok(out)
}
