// One vessel: what is known of it, its voyages, and every value a newer
// source replaced (the record's change history).
import { getJSON, NotAvailable } from '../api.js';
import { h, mount, notice } from '../dom.js';
import { fmtDate, fmtTimestamp, fmtTonnes } from '../format.js';
import { href } from '../route.js';

const FIELD_NAMES = {
  tonnes: 'Metric tons',
  destination: 'Destination',
  commodity: 'Commodity',
  departure: 'Departure date',
  inspection_cleared: 'Inspection cleared',
  vessel_name: 'Vessel name',
  flag_name: 'Flag',
  port: 'Departure port',
};

function fieldName(f) {
  // Cargo-line fields come as e.g. "cargo[2].destination".
  const m = /^cargo\[(\d+)]\.(.+)$/.exec(f);
  if (m) return `Cargo line ${Number(m[1]) + 1}: ${(FIELD_NAMES[m[2]] || m[2]).toLowerCase()}`;
  return FIELD_NAMES[f] || f.replace(/_/g, ' ');
}

function snapshot(s) {
  if (!s) return '';
  return [s.source, s.as_of ? `as of ${fmtDate(s.as_of)}` : ''].filter(Boolean).join(', ');
}

function facts(v) {
  const row = (k, val) => [h('dt', null, k), h('dd', null, val)];
  return h('dl', { class: 'facts' },
    row('IMO', [String(v.imo), v.imo_check_ok === false ? h('span', { class: 'tag warn', title: 'The check digit does not hold; the number is kept as published.' }, 'check digit fails') : null]),
    row('Flag', v.flag_name || v.flag || '—'),
    row('MMSI', v.mmsi ? String(v.mmsi) : '—'));
}

export function vesselScreen(root, params, imo) {
  const ctl = new AbortController();
  const back = h('p', { class: 'back' }, h('a', { href: href('/movements') }, '‹ Vessel movements'));
  mount(root, back, h('section', { class: 'panel' }, notice('info', `Loading vessel ${imo}…`)));

  getJSON(`/vessels/${imo}`, null, { signal: ctl.signal }).then((d) => {
    const { vessel, voyages = [], history = [] } = d;
    const total = voyages.reduce((s, v) => s + Math.round(v.tonnes * 1000), 0) / 1000;
    document.title = `${vessel.name} — corridor`;
    mount(root, back,
      h('section', { class: 'panel vessel', 'aria-labelledby': 'vs-title' },
        h('h2', { id: 'vs-title' }, vessel.name),
        facts(vessel),
        h('h3', null, `Voyages (${voyages.length}, ${fmtTonnes(total)} t)`),
        h('div', { class: 'table-scroll' }, h('table', { id: 'vessel-voyages' },
          h('thead', null, h('tr', null, ['#', 'Departure port', 'Departed', 'Inspection cleared', 'Cargo', 'Metric tons', 'Record']
            .map((t, i) => h('th', { scope: 'col', class: [0, 5].includes(i) ? 'num' : null }, t)))),
          h('tbody', null, voyages.map((v) => h('tr', null,
            h('th', { scope: 'row', class: 'num' }, String(v.seq)),
            h('td', null, v.port_name),
            h('td', { class: 'date' }, fmtDate(v.departure)),
            h('td', { class: 'date' }, v.inspection_cleared ? fmtDate(v.inspection_cleared) : '—'),
            h('td', { class: 'cargo' }, h('ul', null, (v.cargo || []).map((c) => h('li', null,
              `${c.commodity} → ${c.destination} (${fmtTonnes(c.tonnes)} t)`,
              c.wfp ? h('abbr', { class: 'tag', title: 'Chartered by the World Food Programme' }, 'WFP') : null)))),
            h('td', { class: 'num' }, fmtTonnes(v.tonnes)),
            h('td', null, h('small', null, snapshot(v)))))))),
        h('h3', null, 'Change history'),
        history.length
          ? h('div', { class: 'table-scroll' }, h('table', { id: 'vessel-history' },
            h('caption', null, 'Values that a newer source replaced. Nothing in the record is overwritten silently.'),
            h('thead', null, h('tr', null, ['Voyage', 'Field', 'Old value', 'Old source', 'New value', 'New source', 'Recorded']
              .map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', null, history.map((r) => h('tr', null,
              h('td', null, `#${r.voyage_seq}`),
              h('td', null, fieldName(r.field)),
              h('td', { class: 'old' }, r.old_value ?? h('span', { class: 'muted' }, '(none)')),
              h('td', null, h('small', null, snapshot(r.old_snapshot))),
              h('td', { class: 'new' }, r.new_value ?? h('span', { class: 'muted' }, '(none)')),
              h('td', null, h('small', null, snapshot(r.new_snapshot))),
              h('td', null, h('small', null, fmtTimestamp(r.recorded_at))))))))
          : h('p', { class: 'muted' }, 'No value of these voyages has changed between sources.')));
  }).catch((e) => {
    if (e.name === 'AbortError') return;
    mount(root, back, h('section', { class: 'panel' },
      notice('error', e instanceof NotAvailable ? `No vessel with IMO ${imo} is in the record.` : `The vessel could not be loaded: ${e.message}`)));
  });

  return {
    destroy() {
      ctl.abort();
      document.title = 'corridor — Black Sea Grain Initiative record';
    },
  };
}
