// Clipping of GeoJSON polygons to a lon/lat box, used at build time to cut
// the world's land down to the corridor's region.
//
// Each ring is clipped on its own against the four edges of the box
// (Sutherland-Hodgman). A concave ring that leaves and re-enters the box
// comes out as one ring with zero-width runs along the box edge; those
// render as nothing, which is all a fill layer needs.

/** Clips one closed ring ([[lon, lat], ...], first == last) to the box. */
export function clipRing(ring, [west, south, east, north]) {
  const edges = [
    (p) => p[0] >= west, (a, b) => cutX(a, b, west),
    (p) => p[0] <= east, (a, b) => cutX(a, b, east),
    (p) => p[1] >= south, (a, b) => cutY(a, b, south),
    (p) => p[1] <= north, (a, b) => cutY(a, b, north),
  ];
  let pts = ring.slice(0, ring.length - 1);
  for (let e = 0; e < edges.length && pts.length; e += 2) {
    const inside = edges[e];
    const cut = edges[e + 1];
    const out = [];
    for (let i = 0; i < pts.length; i++) {
      const cur = pts[i];
      const prev = pts[(i + pts.length - 1) % pts.length];
      if (inside(cur)) {
        if (!inside(prev)) out.push(cut(prev, cur));
        out.push(cur);
      } else if (inside(prev)) {
        out.push(cut(prev, cur));
      }
    }
    pts = out;
  }
  if (pts.length < 3) return null;
  return [...pts, pts[0]];
}

function cutX(a, b, x) {
  const t = (x - a[0]) / (b[0] - a[0]);
  return [x, a[1] + t * (b[1] - a[1])];
}

function cutY(a, b, y) {
  const t = (y - a[1]) / (b[1] - a[1]);
  return [a[0] + t * (b[0] - a[0]), y];
}

/** Signed area in square degrees (enough to drop rings with none). */
export function ringArea(ring) {
  let s = 0;
  for (let i = 1; i < ring.length; i++) {
    s += ring[i - 1][0] * ring[i][1] - ring[i][0] * ring[i - 1][1];
  }
  return s / 2;
}

/** Rounds to `digits` decimals and drops repeated points. */
function roundRing(ring, digits) {
  const k = 10 ** digits;
  const out = [];
  for (const [x, y] of ring) {
    const p = [Math.round(x * k) / k, Math.round(y * k) / k];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  return out;
}

/** Clips every Polygon/MultiPolygon of a FeatureCollection to the box. */
export function clipFeatureCollection(fc, box, digits = 4) {
  const features = [];
  for (const f of fc.features) {
    const g = f.geometry;
    if (!g) continue;
    const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
    const kept = [];
    for (const poly of polys) {
      const rings = [];
      for (const [i, ring] of poly.entries()) {
        const c = clipRing(ring, box);
        const r = c && roundRing(c, digits);
        if (r && r.length >= 4 && Math.abs(ringArea(r)) > 0) rings.push(r);
        else if (i === 0) break; // no outer ring left: its holes go too
      }
      if (rings.length) kept.push(rings);
    }
    if (kept.length) {
      features.push({
        type: 'Feature',
        properties: f.properties || {},
        geometry: kept.length === 1 ? { type: 'Polygon', coordinates: kept[0] } : { type: 'MultiPolygon', coordinates: kept },
      });
    }
  }
  return { type: 'FeatureCollection', features };
}
