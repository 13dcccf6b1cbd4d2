// Vessel movements: the voyages as a table with filters and pages, and the
// filtered record as CSV or JSON in the JCC's own columns.
import { downloadTable, getJSON, getStats } from '../api.js';
import { h, mount, notice } from '../dom.js';
import { fmtDate, fmtInt, fmtTonnes } from '../format.js';
import { go, href } from '../route.js';

const PAGE_SIZES = [25, 50, 100, 250];
const FILTER_KEYS = ['port', 'commodity', 'country', 'status', 'imo'];
const STATUSES = { departed: 'Departed, not yet inspected', inspected: 'Inspected' };

function select(id, label, name, options, value) {
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('select', { id, name },
      h('option', { value: '' }, 'All'),
      options.map((o) => h('option', { value: o, selected: o === value }, o))));
}

/** A filter's value in a file name: its letters and digits, in any script. */
const slug = (s) => String(s ?? '').split(/[^\p{L}\p{N}]+/u).filter(Boolean).join('-');

/**
 * The download's name, as the server names it (`download_name` in
 * corridor-server's record.rs): `corridor-voyages-2022-10-01-to-end-port-Odesa.csv`.
 */
export function filename(params, ext) {
  const span = params.from || params.until ? `${params.from || 'start'}-to-${params.until || 'end'}` : 'all';
  let name = `corridor-voyages-${span}`;
  for (const k of ['port', 'commodity', 'country', 'imo', 'status']) {
    if (slug(params[k])) name += `-${k}-${slug(params[k])}`;
  }
  return `${name}.${ext}`;
}

function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function fmtMegabytes(bytes) {
  return bytes < 1e6 ? `${fmtInt(Math.ceil(bytes / 1e3))} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

const COLUMNS = ['#', 'Vessel', 'IMO', 'Departure port', 'Departed', 'Inspection cleared', 'Cargo → destination', 'Metric tons', 'Flag'];
const NUMERIC = new Set([0, 2, 7]);

// data-label names each cell so that on a phone, where rows are shown as
// cards, every value keeps its column's name.
function voyageRow(v) {
  const lines = v.cargo || [];
  const cell = (i, content, cls) => h('td', { class: [NUMERIC.has(i) ? 'num' : null, cls].filter(Boolean).join(' ') || null, 'data-label': COLUMNS[i] }, content);
  return h('tr', null,
    cell(0, String(v.seq), 'seq'),
    h('th', { scope: 'row', class: 'vessel' }, h('a', { href: href(`/vessels/${v.imo}`) }, v.vessel_name)),
    cell(2, String(v.imo), 'mono'),
    cell(3, v.port_name),
    cell(4, fmtDate(v.departure), 'date'),
    cell(5, v.inspection_cleared ? fmtDate(v.inspection_cleared) : h('span', { class: 'muted' }, '—'), 'date'),
    cell(6, h('ul', null, lines.map((c) => h('li', null,
      h('span', null, c.commodity), ' → ', h('span', null, c.destination),
      lines.length > 1 ? h('span', { class: 'muted' }, ` (${fmtTonnes(c.tonnes)} t)`) : null,
      c.wfp ? h('abbr', { class: 'tag', title: 'Chartered by the World Food Programme' }, 'WFP') : null))), 'cargo'),
    cell(7, fmtTonnes(v.tonnes)),
    cell(8, v.flag_name || ''));
}

export function movementsScreen(root, initial) {
  const form = h('form', { class: 'filters', 'aria-label': 'Filter the voyages' });
  const status = h('div', { class: 'table-status', role: 'status', 'aria-live': 'polite' });
  const tableBox = h('div', { class: 'table-scroll' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages of voyages' });
  const dlStatus = h('span', { class: 'dl-status', role: 'status', 'aria-live': 'polite' });
  let params = initial;
  let ctl = null;
  // A download stops with the screen: it holds one of the server's few places.
  const dlCtl = new AbortController();

  const csvBtn = h('button', { type: 'button', id: 'download-csv', onclick: () => exportAs('csv') }, 'Download CSV');
  const jsonBtn = h('button', { type: 'button', id: 'download-json', class: 'secondary', onclick: () => exportAs('json') }, 'Download JSON');

  mount(root,
    h('section', { class: 'panel', 'aria-labelledby': 'mv-title' },
      h('div', { class: 'panel-head' },
        h('h2', { id: 'mv-title' }, 'Vessel movements'),
        h('div', { class: 'downloads' }, csvBtn, jsonBtn, dlStatus)),
      h('p', { class: 'lead' }, 'Every outbound voyage in the record, newest first. Set the period above; narrow it with the filters. Downloads carry the matching voyages in the JCC’s own columns, each with all its cargo lines: a commodity or country filter picks voyages, so their other lines come too. The figures at the top are the whole period’s, whatever the filters.'),
      form, status, tableBox, pager));

  async function exportAs(kind) {
    csvBtn.disabled = jsonBtn.disabled = true;
    dlStatus.textContent = 'Preparing the download…';
    try {
      const blob = await downloadTable(filtersOf(params), kind, {
        signal: dlCtl.signal,
        onProgress: (bytes) => { dlStatus.textContent = `Received ${fmtMegabytes(bytes)}…`; },
      });
      download(filename(params, kind), blob);
      dlStatus.textContent = `Downloaded ${fmtMegabytes(blob.size)} as ${kind.toUpperCase()}.`;
    } catch (e) {
      if (e.name === 'AbortError') return;
      dlStatus.textContent = `The download failed: ${e.message}`;
    } finally {
      csvBtn.disabled = jsonBtn.disabled = false;
    }
  }

  function filtersOf(p) {
    const f = { from: p.from, until: p.until };
    for (const k of FILTER_KEYS) if (p[k]) f[k] = p[k];
    return f;
  }

  // The choices come from the whole record's figures, so a filter never
  // offers a value with nothing behind it.
  async function buildForm(p) {
    let s;
    try {
      s = await getStats();
    } catch {
      s = { by_port: {}, by_commodity: {}, by_country: {} };
    }
    const keys = (o) => Object.keys(o || {}).sort((a, b) => a.localeCompare(b));
    const size = Number(p.size) || 50;
    mount(form,
      h('fieldset', null,
        h('legend', null, 'Filters'),
        select('f-port', 'Departure port', 'port', keys(s.by_port), p.port),
        select('f-commodity', 'Commodity', 'commodity', keys(s.by_commodity), p.commodity),
        select('f-country', 'Destination country', 'country', keys(s.by_country), p.country),
        h('div', { class: 'field' },
          h('label', { for: 'f-status' }, 'Outbound inspection'),
          h('select', { id: 'f-status', name: 'status' },
            h('option', { value: '' }, 'All'),
            Object.entries(STATUSES).map(([v, t]) => h('option', { value: v, selected: v === p.status }, t)))),
        h('div', { class: 'field' },
          h('label', { for: 'f-imo' }, 'IMO number'),
          h('input', { id: 'f-imo', name: 'imo', inputmode: 'numeric', pattern: '[0-9]{7}', size: 9, value: p.imo || '', 'aria-describedby': 'f-imo-hint', autocomplete: 'off' }),
          h('small', { id: 'f-imo-hint', class: 'hint' }, '7 digits')),
        h('div', { class: 'field' },
          h('label', { for: 'f-size' }, 'Rows per page'),
          h('select', { id: 'f-size', name: 'size' }, PAGE_SIZES.map((n) => h('option', { value: n, selected: n === size }, String(n))))),
        h('div', { class: 'actions' },
          h('button', { type: 'submit' }, 'Apply filters'),
          h('button', { type: 'button', class: 'secondary', onclick: () => go('/movements', { size: p.size }) }, 'Clear'))));
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!form.reportValidity()) return;
    const data = new FormData(form);
    const next = { page: undefined, size: data.get('size') === '50' ? undefined : data.get('size') };
    for (const k of FILTER_KEYS) next[k] = String(data.get(k) || '').trim() || undefined;
    go('/movements', next);
  });

  async function load(p) {
    ctl?.abort();
    ctl = new AbortController();
    const size = PAGE_SIZES.includes(Number(p.size)) ? Number(p.size) : 50;
    const page = Math.max(1, Number.parseInt(p.page, 10) || 1);
    tableBox.setAttribute('aria-busy', 'true');
    mount(status, 'Loading voyages…');
    try {
      const res = await getJSON('/voyages', { ...filtersOf(p), limit: size, offset: (page - 1) * size }, { signal: ctl.signal });
      renderTable(p, res, page, size);
    } catch (e) {
      if (e.name === 'AbortError') return;
      mount(status, notice('error', `The voyages could not be loaded: ${e.message}`));
      tableBox.replaceChildren();
      pager.replaceChildren();
    } finally {
      tableBox.removeAttribute('aria-busy');
    }
  }

  function renderTable(p, res, page, size) {
    const pages = Math.max(1, Math.ceil(res.total / size));
    const first = res.total ? res.offset + 1 : 0;
    const last = res.offset + res.items.length;
    const filters = FILTER_KEYS.filter((k) => p[k]).map((k) => (k === 'status' ? STATUSES[p[k]] || p[k] : k === 'imo' ? `IMO ${p[k]}` : p[k]));
    mount(status,
      h('span', { 'data-total': res.total }, `${fmtInt(res.total)} voyages`),
      filters.length ? ` matching ${filters.join(', ')}` : '',
      res.items.length ? ` · showing ${fmtInt(first)}–${fmtInt(last)}` : '');
    if (!res.items.length && res.total) {
      // A page past the end (an old link, a hand-typed URL): said, with the way back.
      mount(tableBox, h('p', { class: 'notice notice-info', role: 'status', id: 'past-last-page' }, `There is no page ${fmtInt(page)}: these voyages fill ${fmtInt(pages)} page${pages === 1 ? '' : 's'}. `,
        h('a', { href: href('/movements', { ...p, page: pages === 1 ? undefined : pages }), id: 'last-page' }, 'Go to the last page')));
    } else if (!res.items.length) {
      mount(tableBox, notice('info', 'No voyage matches these filters.'));
    } else {
      mount(tableBox, h('table', { class: 'voyages', id: 'voyages', role: 'table' },
        h('caption', { class: 'visually-hidden' }, `Voyages, page ${page} of ${pages}`),
        h('thead', null, h('tr', null, COLUMNS.map((t, i) => h('th', { scope: 'col', class: NUMERIC.has(i) ? 'num' : null }, t)))),
        h('tbody', null, res.items.map(voyageRow))));
    }
    const link = (label, n, rel) => (n >= 1 && n <= pages && n !== page
      ? h('a', { href: href('/movements', { ...p, page: n === 1 ? undefined : n }), rel, 'data-page': n }, label)
      : h('span', { class: 'disabled', 'aria-disabled': 'true' }, label));
    mount(pager,
      link('« First', 1), link('‹ Previous', page - 1, 'prev'),
      h('span', { class: 'page-of', 'aria-current': 'page' }, page > pages ? `Page ${fmtInt(page)} (past the last, ${fmtInt(pages)})` : `Page ${fmtInt(page)} of ${fmtInt(pages)}`),
      link('Next ›', page + 1, 'next'), link('Last »', pages));
  }

  // The form is built once and then kept in step with the URL, so focus
  // stays where the keyboard user left it.
  function syncForm(p) {
    for (const k of FILTER_KEYS) if (form.elements[k]) form.elements[k].value = p[k] || '';
    if (form.elements.size) form.elements.size.value = String(PAGE_SIZES.includes(Number(p.size)) ? Number(p.size) : 50);
  }

  const formReady = buildForm(params);
  load(params);
  return {
    update(p) {
      params = p;
      formReady.then(() => syncForm(p));
      load(p);
    },
    destroy() {
      ctl?.abort();
      dlCtl.abort();
    },
  };
}
