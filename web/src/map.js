// The corridor map: maplibre-gl with a GeoJSON-only style (no tiles, no
// glyphs, nothing fetched from outside the server), land from world-atlas,
// the corridor from /api/v1/geometry (or the bundled copy), and vessels
// from the /api/v1/live event stream when the server has it.
import maplibregl from 'maplibre-gl';
import { getJSON, NotAvailable } from './api.js';
import { h } from './dom.js';
import { fmtTimestamp } from './format.js';
import { subscribeLive } from './live.js';
import { AREA_COLOURS, STATE_COLOURS } from './map-style.js';

const REGION_BOUNDS = [[14, 32], [50, 53]]; // = build.mjs REGION: no panning past the land we ship
const CORRIDOR_VIEW = [[27.6, 40.6], [32.2, 46.8]];

// A line as wide on the map as `nm` nautical miles at the corridor's
// latitude (43°N): metres per pixel at zoom z is 156543·cos(43°)/2^z.
function widthNm(nm, minPx) {
  const perZoom0 = (nm * 1852) / (156543 * Math.cos((43 * Math.PI) / 180));
  const zMin = Math.max(0, Math.log2(minPx / perZoom0));
  return ['interpolate', ['exponential', 2], ['zoom'], zMin, minPx, 22, perZoom0 * 2 ** 22];
}

const STYLE = {
  version: 8,
  sources: {
    land: { type: 'geojson', data: '/land.geojson', attribution: 'Natural Earth (world-atlas)' },
  },
  layers: [
    { id: 'sea', type: 'background', paint: { 'background-color': '#cfe3f1' } },
    { id: 'land', type: 'fill', source: 'land', paint: { 'fill-color': '#f3f1ea' } },
    { id: 'coast', type: 'line', source: 'land', paint: { 'line-color': '#8a9aa8', 'line-width': 0.6 } },
  ],
};

async function loadGeometry() {
  try {
    return { data: await getJSON('/geometry'), from: 'api' };
  } catch (e) {
    if (!(e instanceof NotAvailable)) throw e;
    const res = await fetch('/corridor-fallback.geojson');
    if (!res.ok) throw new Error(`no corridor geometry (${res.status})`);
    return { data: await res.json(), from: 'bundled' };
  }
}

function addCorridor(map, data) {
  map.addSource('corridor', { type: 'geojson', data });
  const kind = ['get', 'kind'];
  map.addLayer({
    id: 'corridor-buffer', type: 'line', source: 'corridor', filter: ['==', kind, 'buffer'],
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': '#0b5cad', 'line-opacity': 0.1, 'line-width': widthNm(20, 6) },
  });
  map.addLayer({
    id: 'corridor-areas', type: 'fill', source: 'corridor', filter: ['match', kind, Object.keys(AREA_COLOURS), true, false],
    paint: { 'fill-color': ['match', kind, ...Object.entries(AREA_COLOURS).flat(), '#666'], 'fill-opacity': 0.25 },
  });
  map.addLayer({
    id: 'corridor-areas-outline', type: 'line', source: 'corridor', filter: ['match', kind, Object.keys(AREA_COLOURS), true, false],
    paint: { 'line-color': ['match', kind, ...Object.entries(AREA_COLOURS).flat(), '#666'], 'line-width': 1.2 },
  });
  map.addLayer({
    id: 'corridor-lanes', type: 'line', source: 'corridor', filter: ['==', kind, 'lane'],
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': '#0b4f8a', 'line-width': widthNm(3, 1.6), 'line-opacity': 0.85 },
  });
}

// Text labels without glyphs: a few HTML markers (ports, inspection and
// waiting areas), so the style needs no font server.
const LABELLED = new Set(['port_approach', 'inspection_area', 'waiting_area']);
function addLabels(map, data) {
  const boxes = [];
  for (const f of data.features || []) {
    const { kind, name } = f.properties || {};
    if (!LABELLED.has(kind) || !name || f.geometry?.type !== 'Polygon') continue;
    const ring = f.geometry.coordinates[0];
    const lons = ring.map((p) => p[0]);
    const lats = ring.map((p) => p[1]);
    boxes.push({ kind, name, w: Math.min(...lons), e: Math.max(...lons), lat: (Math.min(...lats) + Math.max(...lats)) / 2 });
  }
  // Ports sit close together: the easternmost is labelled on its east side,
  // the others on their west; inspection areas west, waiting areas east.
  const ports = boxes.filter((b) => b.kind === 'port_approach');
  const eastmost = ports.reduce((a, b) => (b.e > (a?.e ?? -Infinity) ? b : a), null);
  return boxes.map((b) => {
    const east = b.kind === 'waiting_area' || b === eastmost;
    const text = b.name.replace(/^Port of /, '').replace(/ approach$/, '');
    const el = h('span', { class: `map-label map-label-${b.kind}`, 'aria-hidden': 'true' }, text);
    return new maplibregl.Marker({ element: el, anchor: east ? 'left' : 'right', offset: [east ? 8 : -8, 0] })
      .setLngLat([east ? b.e : b.w, b.lat])
      .addTo(map);
  });
}

const EMPTY = { type: 'FeatureCollection', features: [] };

function addVessels(map) {
  map.addSource('track', { type: 'geojson', data: EMPTY });
  map.addLayer({
    id: 'vessel-track', type: 'line', source: 'track',
    layout: { 'line-join': 'round' },
    paint: { 'line-color': '#6a1b9a', 'line-width': 2, 'line-dasharray': [2, 1.5] },
  });
  map.addSource('vessels', { type: 'geojson', data: EMPTY });
  map.addLayer({
    id: 'vessels', type: 'circle', source: 'vessels',
    paint: {
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 4, 3.5, 10, 7],
      'circle-color': ['match', ['get', 'state'], ...Object.entries(STATE_COLOURS).flat(), '#0b5cad'],
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': 1.2,
    },
  });
}

function vesselPopup(p, more) {
  const rows = [
    ['MMSI', p.mmsi],
    more?.imo ? ['IMO', more.imo] : null,
    ['State', p.state],
    more?.area ? ['Area', more.area] : null,
    ['Speed', p.sog != null ? `${p.sog} kn` : '—'],
    ['Course', p.cog != null ? `${p.cog}°` : '—'],
    ['Position', `${Number(p.lat).toFixed(4)}, ${Number(p.lon).toFixed(4)}`],
    ['Reported', fmtTimestamp(p.time)],
    more?.eta ? ['Next', `${more.eta.area}: ${Number(more.eta.remaining_nm).toFixed(1)} nm${more.eta.at ? `, ETA ${fmtTimestamp(more.eta.at)}` : ''}`] : null,
  ].filter(Boolean);
  const imo = more?.imo ?? p.imo;
  return h('div', { class: 'vessel-popup' },
    h('strong', null, p.name || more?.name || `MMSI ${p.mmsi}`),
    h('dl', null, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, String(v ?? '—'))])),
    imo ? h('a', { href: `#/vessels/${imo}` }, 'Voyages and change history') : null);
}

// What the live tracker knows beyond a position (IMO, area, ETA), fetched
// when a vessel is clicked; missing endpoints just leave the popup short.
async function liveDetails(mmsi) {
  try {
    const { items = [] } = await getJSON('/vessels/live');
    return items.find((v) => v.mmsi === mmsi) || null;
  } catch {
    return null;
  }
}

async function liveTrack(mmsi) {
  try {
    const f = await getJSON(`/tracks/${mmsi}`);
    return f?.geometry?.coordinates?.length > 1 ? f : null;
  } catch {
    return null;
  }
}

/**
 * A map in `container`. Reports its progress in data attributes on the
 * container (data-state, data-corridor, data-live) for the page's status
 * line and for tests. Returns {map, vessels, showVessel(mmsi), destroy()}.
 */
export function createMap(container, { compact = false, onAlert, onLagged, onStatus } = {}) {
  container.classList.add('map');
  container.setAttribute('role', 'region');
  container.setAttribute('aria-label', 'Map of the corridor. The same information is in the tables and the vessel-movements screen.');
  const status = (key, value) => {
    container.dataset[key] = value;
    onStatus?.(key, value);
  };
  status('state', 'loading');

  const map = new maplibregl.Map({
    container,
    style: STYLE,
    bounds: CORRIDOR_VIEW,
    fitBoundsOptions: { padding: compact ? 12 : 30 },
    maxBounds: REGION_BOUNDS,
    minZoom: 4,
    maxZoom: 14,
    attributionControl: { compact: true },
    cooperativeGestures: compact,
    dragRotate: false,
    pitchWithRotate: false,
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'nautical' }), 'bottom-left');
  container.maplibre = map; // for the browser tests and the console

  const vessels = new Map();
  let dirty = false;
  let unsubscribe = null;
  let destroyed = false;

  function flush() {
    if (!dirty || destroyed) return;
    dirty = false;
    map.getSource('vessels')?.setData({
      type: 'FeatureCollection',
      features: [...vessels.values()].map((p) => ({
        type: 'Feature', id: p.mmsi, properties: p, geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
      })),
    });
    status('vessels', String(vessels.size));
  }
  const flushTimer = setInterval(flush, 500); // batch: a busy feed must not redraw per message

  map.on('load', async () => {
    addVessels(map);
    try {
      const g = await loadGeometry();
      if (destroyed) return;
      addCorridor(map, g.data);
      if (!compact) addLabels(map, g.data);
      map.moveLayer('vessel-track');
      map.moveLayer('vessels');
      status('corridor', g.from);
    } catch (e) {
      status('corridor', 'error');
    }
    if (destroyed) return;
    unsubscribe = subscribeLive({
      onPosition: (p) => {
        if (typeof p.lat !== 'number' || typeof p.lon !== 'number') return;
        vessels.set(p.mmsi, { ...vessels.get(p.mmsi), ...p });
        dirty = true;
      },
      onAlert: (a) => onAlert?.(a),
      onLagged: (n) => onLagged?.(n),
      onStatus: (s) => status('live', s),
    });
  });
  map.on('idle', () => status('state', 'idle'));
  map.on('error', (e) => {
    // Keep going on a failed source; say so instead of failing silently.
    console.warn('map:', e.error?.message || e);
  });

  // A click shows the vessel and draws its track of the last day.
  let popup = null;
  async function openVessel(mmsi) {
    const p = vessels.get(mmsi);
    if (!p) return;
    popup?.remove();
    const mine = new maplibregl.Popup({ closeButton: true, maxWidth: '280px' })
      .setLngLat([p.lon, p.lat])
      .setDOMContent(vesselPopup(p))
      .addTo(map);
    popup = mine;
    mine.on('close', () => { if (popup === mine) map.getSource('track')?.setData(EMPTY); });
    const [more, track] = await Promise.all([liveDetails(mmsi), liveTrack(mmsi)]);
    if (destroyed || !mine.isOpen()) return;
    if (more) mine.setDOMContent(vesselPopup(vessels.get(mmsi) || p, more));
    map.getSource('track')?.setData(track || EMPTY);
  }
  map.on('click', 'vessels', (e) => {
    const f = e.features?.[0];
    if (f) openVessel(Number(f.properties.mmsi));
  });
  map.on('mouseenter', 'vessels', () => { map.getCanvas().style.cursor = 'pointer'; });
  map.on('mouseleave', 'vessels', () => { map.getCanvas().style.cursor = ''; });

  return {
    map,
    vessels,
    /** Centres the map on a vessel and opens its popup (from the list). */
    showVessel(mmsi) {
      const p = vessels.get(mmsi);
      if (!p) return;
      map.easeTo({ center: [p.lon, p.lat], zoom: Math.max(map.getZoom(), 8) });
      openVessel(mmsi);
    },
    destroy() {
      destroyed = true;
      clearInterval(flushTimer);
      unsubscribe?.();
      map.remove();
    },
  };
}
