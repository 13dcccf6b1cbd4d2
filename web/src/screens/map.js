// The map screen: the corridor and live vessels, with a legend, the feed's
// status, the vessels as a list and the latest alerts beside the map.
import { getJSON } from '../api.js';
import { byAttention, silence } from '../live.js';
import { h, mount, reconcile } from '../dom.js';
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

/** Sets a node's text only when it changed (no needless mutations for screen readers). */
const setText = (el, text) => {
  if (el.textContent !== text) el.textContent = text;
};

// Rows the vessel list holds (redrawn every 500 ms).
const LIST_MAX = 200;

/**
 * The key an alert is stored under (`<run>:<id>`): its id alone starts
 * again at 1 each run, so two runs' alerts would be taken for one.
 */
export function alertKey(a) {
  return a.key ?? (a.id != null ? `id:${a.id}` : `${a.kind}-${a.mmsi}-${a.start}`);
}

export function mapScreen(root) {
  const mapBox = h('div', { class: 'map-box map-box-full' });
  const liveLine = h('p', { class: 'live-status', role: 'status' }, LIVE_TEXT.connecting);
  const corridorLine = h('p', { class: 'corridor-status' });
  const vesselList = h('tbody');
  const vesselCount = h('span', null, '0');
  // Said when the list does not hold every vessel tracked.
  const listNote = h('p', { class: 'muted small', id: 'vessel-list-note', hidden: true });
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
        listNote,
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
    for (const a of items) alerts.set(alertKey(a), a);
    renderAlerts();
  }).catch(() => { /* no alert store on this server yet */ });
  readAlerts();

  let m = null;
  let gone = false;
  // The newest report of any vessel: the feed's clock, which silence counts against.
  let latest = null;
  // A vessel's row in the list: `tr` (keyed by MMSI, so the same vessel) updated in place, or a new one.
  const vesselRow = (v, tr) => {
    const row = tr || h('tr', null,
      h('td', null, h('button', { type: 'button', class: 'link', onclick: () => m?.showVessel(v.mmsi) })),
      h('td'), h('td', { class: 'num' }));
    const [name, state, sog] = row.children;
    setText(name.firstChild, v.name || `MMSI ${v.mmsi}`);
    // Its last state, and for how long that is old news: a vessel that
    // stopped reporting is not shown as if under way now.
    const quiet = silence(v, latest);
    setText(state, quiet ? `${v.state || '—'} (${quiet})` : v.state || '—');
    state.classList.toggle('silent', Boolean(quiet));
    setText(sog, v.sog != null ? String(v.sog) : '—');
    return row;
  };
  const options = {
    onAlert: (a) => {
      alerts.set(alertKey(a), a);
      renderAlerts();
    },
    // Events were dropped on the way: read the latest alerts again.
    onLagged: () => readAlerts(),
    onStatus: (key, value) => {
      if (key === 'live') {
        liveLine.textContent = LIVE_TEXT[value] || value;
        // Connected (again): read the stored alerts once more, so that one
        // raised between the first read and the feed's start (or while it
        // was down) is listed too; the feed has everything after this.
        if (value === 'live') readAlerts();
      }
      if (key === 'corridor') corridorLine.textContent = CORRIDOR_TEXT[value] || '';
      if (key === 'vessels') {
        vesselCount.textContent = value;
        const all = [...(m?.vessels.values() || [])];
        latest = all.reduce((t, v) => (v.time && (!t || v.time > t) ? v.time : t), null);
        const rows = all.sort(byAttention).slice(0, LIST_MAX);
        listNote.hidden = all.length <= LIST_MAX;
        setText(listNote, `Listed: the ${LIST_MAX} that most need attention, of ${all.length}. The map shows them all.`);
        // Every 500 ms: each vessel's row is updated in place (keyed by
        // MMSI), so the button a keyboard user is on stays focused.
        reconcile(vesselList, rows, (v) => v.mmsi, vesselRow);
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
