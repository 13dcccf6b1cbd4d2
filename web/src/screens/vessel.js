// One vessel: what is known of it, its voyages, and every value a newer
// source replaced (the record's change history).
import { getJSON, NotAvailable } from '../api.js';
import { h, labelCells, mount, notice } from '../dom.js';
import { fmtDate, fmtTimestamp, fmtTonnes } from '../format.js';
import { href } from '../route.js';

const FIELD_NAMES = {
  tonnes: 'Metric tons',
  destination: 'Destination',
  commodity: 'Commodity',
  departure: 'Departure date',
  inspection_cleared: 'Inspection cleared',
  vessel_name: 'Vessel name',
  imo: 'IMO',
  flag: 'Flag',
  port: 'Departure port',
  cargo_lines: 'Number of cargo lines',
  income_group: 'Income group',
  world_bank_region: 'World Bank region',
  un_region: 'UN region',
  development_category: 'Development category',
  wfp: 'WFP',
};

// History fields are the record's own names: "tonnes", "cargo[2].destination"
// (cargo lines counted from 1).
function parseField(f) {
  const m = /^cargo\[(\d+)]\.(.+)$/.exec(f);
  return m ? { line: Number(m[1]), name: m[2] } : { line: null, name: f };
}

function fieldName(f) {
  const { line, name } = parseField(f);
  const label = FIELD_NAMES[name] || name.replace(/_/g, ' ');
  return line ? `Cargo line ${line}: ${label.charAt(0).toLowerCase()}${label.slice(1)}` : label;
}

/** A history value shown as the rest of the page shows it. */
function fieldValue(f, v) {
  if (v === null || v === undefined) return h('span', { class: 'muted' }, '(none)');
  const { name } = parseField(f);
  if (name === 'tonnes' && v !== '' && Number.isFinite(Number(v))) return `${fmtTonnes(Number(v))} t`;
  if ((name === 'departure' || name === 'inspection_cleared') && /^\d{4}-\d{2}-\d{2}$/.test(v)) return fmtDate(v);
  if (name === 'wfp') return v === 'true' ? 'WFP' : v === 'false' ? 'not WFP' : v;
  return v === '' ? h('span', { class: 'muted' }, '(blank)') : v;
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
    // The MID's flag beside the MMSI: a ship whose transponder names another
    // flag than the published one is worth a look.
    row('MMSI', v.mmsi ? [String(v.mmsi), v.mmsi_flag ? ` (MID: ${v.mmsi_flag})` : '',
      v.mmsi_flag && v.flag && v.mmsi_flag !== v.flag ? h('span', { class: 'tag warn', title: 'The MMSI’s MID names another flag state than the published flag.' }, 'flag differs') : null] : '—'));
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
        h('div', { class: 'table-scroll' }, labelCells(h('table', { id: 'vessel-voyages', class: 'cards', role: 'table' },
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
            h('td', null, h('small', null, snapshot(v))))))))),
        h('h3', null, 'Change history'),
        history.length
          ? h('div', { class: 'table-scroll' }, labelCells(h('table', { id: 'vessel-history', class: 'cards', role: 'table' },
            h('caption', null, 'Values that a newer source replaced. Nothing in the record is overwritten silently.'),
            h('thead', null, h('tr', null, ['Voyage', 'Field', 'Old value', 'Old source', 'New value', 'New source', 'Recorded']
              .map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', null, history.map((r) => h('tr', null,
              h('td', null, `#${r.voyage_seq}`),
              h('td', null, fieldName(r.field)),
              h('td', { class: 'old' }, fieldValue(r.field, r.old_value)),
              h('td', null, h('small', null, snapshot(r.old_snapshot))),
              h('td', { class: 'new' }, fieldValue(r.field, r.new_value)),
              h('td', null, h('small', null, snapshot(r.new_snapshot))),
              h('td', null, h('small', null, fmtTimestamp(r.recorded_at)))))))))
          : h('p', { class: 'muted' }, 'No value of these voyages has changed between sources.')));
  }).catch((e) => {
    if (e.name === 'AbortError') return;
    mount(root, back, h('section', { class: 'panel' },
      notice('error', e instanceof NotAvailable ? `No vessel with IMO ${imo} is in the record.` : `The vessel could not be loaded: ${e.message}`)));
  });

  return {
    destroy() {
      ctl.abort();
      document.title = 'corridor';
    },
  };
}
