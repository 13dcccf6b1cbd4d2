// The map screen: the corridor and live vessels, with a legend, the feed's
// status, the vessels as a list and the latest alerts beside the map.
import { getJSON } from '../api.js';
import { byAttention } from '../live.js';
import { h, mount } from '../dom.js';
import { fmtTimestamp } from '../format.js';
import { AREA_COLOURS, AREA_LABELS, STATE_COLOURS } from '../map-style.js';

const LIVE_TEXT = {
  connecting: 'Connecting to the live feed…',
  live: 'Live: positions update as they arrive.',
  reconnecting: 'Live feed interrupted; reconnecting…',
  unavailable: 'Live vessel positions are not available yet on this server.',
  error: 'The live feed failed.',
};
const CORRIDOR_TEXT = {
  api: 'Corridor geometry from the server.',
  bundled: 'Corridor geometry: the repository’s approximate copy (the server has no geometry endpoint yet).',
  error: 'The corridor geometry could not be loaded.',
};

function legend() {
  const swatch = (colour, shape) => h('span', { class: `swatch swatch-${shape}`, style: `--c:${colour}`, 'aria-hidden': 'true' });
  return h('ul', { class: 'legend' },
    h('li', null, swatch('#0b4f8a', 'line'), 'Corridor lane'),
    h('li', null, swatch('#0b5cad', 'band'), '10 nm buffer zone'),
    Object.entries(AREA_COLOURS).map(([k, c]) => h('li', null, swatch(c, 'area'), AREA_LABELS[k])),
    Object.entries(STATE_COLOURS).map(([k, c]) => h('li', null, swatch(c, 'dot'), `Vessel: ${k}`)));
}

export function mapScreen(root) {
  const mapBox = h('div', { class: 'map-box map-box-full' });
  const liveLine = h('p', { class: 'live-status', role: 'status' }, LIVE_TEXT.connecting);
  const corridorLine = h('p', { class: 'corridor-status' });
  const vesselList = h('tbody');
  const vesselCount = h('span', null, '0');
  const alertList = h('ol', { class: 'alerts', 'aria-live': 'polite' });
  const alerts = new Map();

  mount(root,
    h('section', { class: 'map-screen', 'aria-labelledby': 'map-title' },
      h('h2', { id: 'map-title', class: 'visually-hidden' }, 'Map of the corridor'),
      mapBox,
      h('aside', { class: 'map-side', 'aria-label': 'Map details' },
        liveLine,
        corridorLine,
        h('h3', null, 'Legend'),
        legend(),
        h('h3', null, 'Vessels tracked (', vesselCount, ')'),
        h('div', { class: 'table-scroll small' },
          h('table', null,
            h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Vessel'), h('th', { scope: 'col' }, 'State'), h('th', { scope: 'col', class: 'num' }, 'kn'))),
            vesselList)),
        h('h3', null, 'Latest alerts'),
        alertList)));

  const renderAlerts = () => {
    const latest = [...alerts.values()].sort((a, b) => String(b.end || b.start).localeCompare(String(a.end || a.start))).slice(0, 20);
    mount(alertList, latest.length
      ? latest.map((a) => h('li', { class: a.open ? 'open' : null },
        h('strong', null, String(a.kind).replace(/_/g, ' ')), ` · MMSI ${a.mmsi}`, a.open ? ' · open' : '',
        h('br'), h('small', null, fmtTimestamp(a.start), a.detail ? ` — ${a.detail}` : '')))
      : h('li', { class: 'empty' }, 'None so far.'));
  };
  renderAlerts();
  // The latest alerts so far, open or closed (only open ones once left the
  // list saying "None so far" beside closed alerts); then the stream keeps
  // the list current.
  const readAlerts = () => getJSON('/alerts', { limit: 20 }).then(({ items = [] }) => {
    for (const a of items) alerts.set(a.id, a);
    renderAlerts();
  }).catch(() => { /* no alert store on this server yet */ });
  readAlerts();

  let m = null;
  let gone = false;
  const options = {
    onAlert: (a) => {
      alerts.set(a.id ?? `${a.kind}-${a.mmsi}-${a.start}`, a);
      renderAlerts();
    },
    // Events were dropped on the way: read the latest alerts again.
    onLagged: () => readAlerts(),
    onStatus: (key, value) => {
      if (key === 'live') liveLine.textContent = LIVE_TEXT[value] || value;
      if (key === 'corridor') corridorLine.textContent = CORRIDOR_TEXT[value] || '';
      if (key === 'vessels') {
        vesselCount.textContent = value;
        const rows = [...(m?.vessels.values() || [])].sort(byAttention).slice(0, 200);
        mount(vesselList, rows.map((v) => h('tr', null,
          h('td', null, h('button', { type: 'button', class: 'link', onclick: () => m?.showVessel(v.mmsi) }, v.name || `MMSI ${v.mmsi}`)),
          h('td', null, v.state || '—'),
          h('td', { class: 'num' }, v.sog != null ? String(v.sog) : '—'))));
      }
    },
  };
  import('../map.js').then(({ createMap }) => {
    if (!gone) m = createMap(mapBox, options);
  });
  return {
    destroy: () => {
      gone = true;
      m?.destroy();
    },
  };
}
