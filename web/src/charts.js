// The dashboard's charts (Observable Plot). Each chart comes with its
// figures as a table, so the numbers are readable without the picture.
import * as Plot from '@observablehq/plot';
import { h } from './dom.js';
import { fmtInt, fmtMonth, fmtPct, fmtTonnes, fmtTonnesShort } from './format.js';

const INCOME_ORDER = ['low-income', 'lower-middle-income', 'upper-middle-income', 'high-income'];
// Colour-blind-safe categorical palette (Okabe-Ito), darkened where needed
// for contrast on white.
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#8c7a00', '#666666'];

// The record spells groups "lower-middle income" and "high-income" alike.
const incomeRank = (k) => {
  const i = INCOME_ORDER.indexOf(k.toLowerCase().replace(/\s+/g, '-'));
  return i < 0 ? INCOME_ORDER.length : i;
};

const entries = (obj) => Object.entries(obj || {}).map(([key, tonnes]) => ({ key, tonnes }));

function dataTable(caption, headers, rows) {
  return h('details', { class: 'figures-table' },
    h('summary', null, 'Figures as a table'),
    h('table', null,
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', null, h('tr', null, headers.map((t, i) => h('th', { scope: 'col', class: i ? 'num' : null }, t)))),
      h('tbody', null, rows.map((r) => h('tr', null, r.map((c, i) => (i ? h('td', { class: 'num' }, c) : h('th', { scope: 'row' }, c))))))));
}

/** One chart panel; `draw(width)` returns the Plot element, redrawn on resize. */
export function chartPanel({ id, title, note, draw, table }) {
  const plotBox = h('div', { class: 'plot', role: 'img', 'aria-label': title });
  const fig = h('figure', { class: 'chart', id },
    h('figcaption', null, h('h3', null, title), note ? h('p', { class: 'chart-note' }, note) : null),
    plotBox,
    table);
  let lastWidth = 0;
  const redraw = () => {
    const width = Math.floor(plotBox.clientWidth);
    if (!width || width === lastWidth) return;
    lastWidth = width;
    plotBox.replaceChildren(draw(width));
  };
  const ro = new ResizeObserver(() => requestAnimationFrame(redraw));
  ro.observe(plotBox);
  fig.disconnect = () => ro.disconnect();
  return fig;
}

/**
 * Tonnes by month, stacked by commodity. `lines` are {month, commodity,
 * tonnes} from the voyages; the month totals printed are the API's own.
 */
export function monthChart(stats, lines) {
  const months = Object.keys(stats.by_month).sort();
  const totals = entries(stats.by_month);
  const byCommodity = entries(stats.by_commodity).sort((a, b) => b.tonnes - a.tonnes);
  const top = byCommodity.slice(0, 6).map((d) => d.key);
  const group = (c) => (top.includes(c) ? c : 'Other');
  const domain = [...top, ...(byCommodity.length > top.length ? ['Other'] : [])];
  const stacked = lines ? lines.map((l) => ({ ...l, group: group(l.commodity) })) : null;
  return chartPanel({
    id: 'chart-month',
    title: 'Tonnes shipped by month and commodity',
    note: stacked ? 'Departures per month, metric tons; totals above the bars.' : 'Departures per month, metric tons.',
    draw: (width) => Plot.plot({
      width,
      height: 300,
      marginLeft: 52,
      // One tick label per ~48 px so narrow screens stay legible.
      x: { type: 'band', domain: months, ticks: months.filter((_, i) => i % Math.max(1, Math.ceil((months.length * 48) / width)) === 0), tickFormat: (m) => fmtMonth(m).replace(' 20', " '"), label: null },
      y: { grid: true, tickFormat: fmtTonnesShort, label: 'Metric tons' },
      color: stacked ? { domain, range: PALETTE, legend: true } : undefined,
      marks: [
        stacked
          ? Plot.barY(stacked, Plot.groupX({ y: 'sum' }, { x: 'month', y: 'tonnes', fill: 'group', order: domain, tip: { format: { y: (v) => `${fmtTonnes(v)} t` } } }))
          : Plot.barY(totals, { x: 'key', y: 'tonnes', fill: PALETTE[0], tip: { format: { y: (v) => `${fmtTonnes(v)} t` } } }),
        // Exact totals (the API's figures) where the bars are wide enough.
        (width - 52) / months.length >= 64 ? Plot.text(totals, { x: 'key', y: 'tonnes', text: (d) => fmtTonnes(d.tonnes), dy: -7, fontSize: 10, fill: '#222' }) : null,
        Plot.ruleY([0]),
      ],
    }),
    table: dataTable('Tonnes and voyages by month', ['Month', 'Metric tons', 'Voyages'],
      months.map((m) => [fmtMonth(m), fmtTonnes(stats.by_month[m]), fmtInt(stats.voyages_by_month?.[m] ?? 0)])),
  });
}

/** Horizontal bars of a {name: tonnes} map, biggest first, with shares. */
export function barsChart({ id, title, note, data, total, order, limit, color = PALETTE[0] }) {
  let rows = entries(data);
  if (order) rows.sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
  else rows.sort((a, b) => b.tonnes - a.tonnes);
  const shown = limit ? rows.slice(0, limit) : rows;
  const rest = rows.length - shown.length;
  return chartPanel({
    id,
    title,
    note: rest > 0 ? `${note ? `${note} ` : ''}The top ${shown.length}; all ${rows.length} in the table.` : note,
    draw: (width) => Plot.plot({
      width,
      height: 34 + shown.length * 24,
      marginLeft: Math.min(width * 0.45, 12 + 6.4 * Math.max(...shown.map((d) => Math.min(26, d.key.length)))),
      marginRight: 140,
      x: { grid: true, tickFormat: fmtTonnesShort, label: 'Metric tons', axis: width > 380 ? 'bottom' : null },
      y: { domain: shown.map((d) => d.key), label: null, tickFormat: (k) => (k.length > 26 ? `${k.slice(0, 25)}…` : k) },
      marks: [
        Plot.barX(shown, { y: 'key', x: 'tonnes', fill: color, tip: { format: { x: (v) => `${fmtTonnes(v)} t` } } }),
        Plot.text(shown, { y: 'key', x: 'tonnes', text: (d) => `${fmtTonnes(d.tonnes)} t · ${fmtPct(d.tonnes, total)} %`, dx: 4, textAnchor: 'start', fontSize: 11, fill: '#222' }),
        Plot.ruleX([0]),
      ],
    }),
    table: dataTable(title, ['Name', 'Metric tons', 'Share %'], rows.map((d) => [d.key, fmtTonnes(d.tonnes), fmtPct(d.tonnes, total)])),
  });
}

export function incomeChart(stats) {
  return barsChart({
    id: 'chart-income',
    title: 'Tonnes by destination income group',
    note: 'World Bank income group of the declared destination.',
    data: stats.by_income_group,
    total: stats.tonnes,
    order: Object.keys(stats.by_income_group).sort((a, b) => incomeRank(a) - incomeRank(b) || a.localeCompare(b)),
    color: PALETTE[2],
  });
}

export function countryChart(stats) {
  return barsChart({
    id: 'chart-country',
    title: 'Tonnes by destination country',
    note: 'Destinations as declared; they could change en route.',
    data: stats.by_country,
    total: stats.tonnes,
    limit: 15,
    color: PALETTE[0],
  });
}

export function portChart(stats) {
  return barsChart({
    id: 'chart-port',
    title: 'Tonnes by departure port',
    data: stats.by_port,
    total: stats.tonnes,
    color: PALETTE[5],
  });
}

export function commodityChart(stats) {
  return barsChart({
    id: 'chart-commodity',
    title: 'Tonnes by commodity',
    data: stats.by_commodity,
    total: stats.tonnes,
    limit: 10,
    color: '#a35f00',
  });
}

/**
 * Outbound inspections per day (the record's "Inspection cleared" dates)
 * and vessels waiting for theirs (departed from a Ukrainian port, not yet
 * inspected), from the whole record's `inspections_by_day`, on the days of
 * the period asked (`from`, `until`): every inspection that day, whatever
 * the vessel's departure. Weekly sums keep it legible.
 */
export function inspectionsChart(stats, { from, until } = {}) {
  const days = Object.entries(stats.inspections_by_day || {})
    .filter(([day]) => (!from || day >= from) && (!until || day <= until));
  if (!days.length) return null;
  const series = days.map(([day, d]) => ({ date: new Date(`${day}T00:00:00Z`), day, inspections: d.inspections, waiting: d.waiting }));
  const dated = series.reduce((n, s) => n + s.inspections, 0);
  const weeks = new Map();
  for (const s of series) {
    const monday = new Date(s.date.getTime() - ((s.date.getUTCDay() + 6) % 7) * 86400e3).toISOString().slice(0, 10);
    const w = weeks.get(monday) || { week: monday, inspections: 0, maxWaiting: 0 };
    w.inspections += s.inspections;
    w.maxWaiting = Math.max(w.maxWaiting, s.waiting);
    weeks.set(monday, w);
  }
  const peak = series.reduce((a, b) => (b.waiting > a.waiting ? b : a), series[0]);
  return chartPanel({
    id: 'chart-inspections',
    title: 'Inspections per day and vessels waiting',
    note: `${fmtInt(dated)} inspections in these days. Waiting: departed from a Ukrainian port, not yet inspected (a voyage the record gives no inspection date waits to its last day); most at once ${fmtInt(peak.waiting)} on ${peak.day}.`,
    draw: (width) => Plot.plot({
      width,
      height: 280,
      marginLeft: 44,
      x: { type: 'utc', label: null },
      y: { grid: true, label: 'Vessels' },
      color: { domain: ['Inspections per day', 'Vessels waiting'], range: [PALETTE[0], PALETTE[5]], legend: true },
      marks: [
        Plot.rectY(series, { x1: 'date', x2: (d) => new Date(d.date.getTime() + 86400e3), y: 'inspections', fill: () => 'Inspections per day', tip: true }),
        Plot.lineY(series, { x: 'date', y: 'waiting', stroke: () => 'Vessels waiting', strokeWidth: 1.8 }),
        Plot.ruleY([0]),
      ],
    }),
    table: dataTable('Inspections and vessels waiting by week', ['Week from', 'Inspections', 'Most waiting'],
      [...weeks.values()].map((w) => [w.week, fmtInt(w.inspections), fmtInt(w.maxWaiting)])),
  });
}
