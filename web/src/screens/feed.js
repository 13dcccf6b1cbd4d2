// Screens for figures that other parts of corridor publish later (the queue
// board, each party's time to decide). Until the server has the endpoint
// they say so; once it answers, its JSON is shown as plain tables, so the
// screen works before it gets a purpose-built layout.
import { getJSON, NotAvailable } from '../api.js';
import { h, mount, notice } from '../dom.js';

const label = (k) => k.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
const isPlain = (v) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const text = (v) => (v === null || v === undefined ? '—' : typeof v === 'number' ? v.toLocaleString('en-GB', { maximumFractionDigits: 3 }) : isPlain(v) ? String(v) : JSON.stringify(v));

/** JSON as tables: arrays of objects become tables, objects lists. */
export function renderJson(value, depth = 0) {
  if (isPlain(value)) return h('p', null, text(value));
  if (Array.isArray(value)) {
    if (!value.length) return h('p', { class: 'muted' }, 'None.');
    if (value.every(isPlain)) return h('ul', null, value.map((v) => h('li', null, text(v))));
    const keys = [...new Set(value.flatMap((o) => (o && typeof o === 'object' ? Object.keys(o) : [])))].slice(0, 12);
    return h('div', { class: 'table-scroll' }, h('table', null,
      h('thead', null, h('tr', null, keys.map((k) => h('th', { scope: 'col' }, label(k))))),
      h('tbody', null, value.slice(0, 500).map((o) => h('tr', null, keys.map((k) => h('td', { class: typeof o?.[k] === 'number' ? 'num' : null }, text(o?.[k]))))))));
  }
  const plain = Object.entries(value).filter(([, v]) => isPlain(v));
  const nested = Object.entries(value).filter(([, v]) => !isPlain(v));
  return h('div', null,
    plain.length ? h('dl', { class: 'facts' }, plain.map(([k, v]) => [h('dt', null, label(k)), h('dd', null, text(v))])) : null,
    nested.map(([k, v]) => [h(depth ? 'h4' : 'h3', null, label(k)), depth < 2 ? renderJson(v, depth + 1) : h('pre', null, JSON.stringify(v, null, 1))]));
}

export function feedScreen({ id, title, path, intro, missing }) {
  return (root, params) => {
    const ctl = new AbortController();
    const body = h('div', { 'aria-live': 'polite' }, notice('info', 'Loading…'));
    mount(root, h('section', { class: 'panel', id, 'aria-labelledby': `${id}-title` },
      h('div', { class: 'panel-head' }, h('h2', { id: `${id}-title` }, title)),
      h('p', { class: 'lead' }, intro),
      body));
    getJSON(path, { from: params.from, until: params.until }, { signal: ctl.signal })
      .then((data) => mount(body, renderJson(data)))
      .catch((e) => {
        if (e.name === 'AbortError') return;
        const closed = e.status === 401 || e.status === 403;
        body.dataset.state = e instanceof NotAvailable ? 'unavailable' : closed ? 'closed' : 'error';
        mount(body, e instanceof NotAvailable ? notice('info', missing)
          : closed ? notice('info', 'This server shows these figures to signed-in users only.')
            : notice('error', `Could not be loaded: ${e.message}`));
      });
    return { destroy: () => ctl.abort() };
  };
}

export const queueScreen = feedScreen({
  id: 'queue',
  title: 'Queue',
  path: '/queue',
  intro: 'Every vessel waiting: its place in the queue and its predicted inspection slot.',
  missing: 'The queue board is not available yet on this server.',
});

export const accountabilityScreen = feedScreen({
  id: 'accountability',
  title: 'Who decided, and how fast',
  path: '/accountability',
  intro: 'Each party’s time to decide on applications and the holds it placed, with reasons.',
  missing: 'The parties’ decision record is not available yet on this server.',
});
