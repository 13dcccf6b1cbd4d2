// Overview: the corridor map and the charts of the record for the period.
import { getAllVoyages, getStats } from '../api.js';
import { h, mount, notice } from '../dom.js';
import { href } from '../route.js';

/** {month, commodity, tonnes} for every cargo line, if they add up to /stats. */
function monthLines(stats, voyages) {
  const lines = [];
  const sums = {};
  for (const v of voyages) {
    const month = v.departure.slice(0, 7);
    for (const c of v.cargo) {
      lines.push({ month, commodity: c.commodity, tonnes: c.tonnes });
      sums[month] = (sums[month] || 0) + Math.round(c.tonnes * 1000); // kg: exact
    }
  }
  // Only stack by commodity when the lines add up to the API's month
  // totals (to the kilogram); otherwise the chart shows the totals alone.
  const months = new Set([...Object.keys(sums), ...Object.keys(stats.by_month)]);
  const agree = [...months].every((m) => sums[m] === Math.round((stats.by_month[m] ?? 0) * 1000));
  return agree ? lines : null;
}

const LIVE_CAPTION = {
  unavailable: 'Live vessel positions are not available yet on this server.',
  reconnecting: 'Live feed interrupted; reconnecting…',
  live: 'Live: waiting for positions…',
};

export function overviewScreen(root, params) {
  const mapBox = h('div', { class: 'map-box map-box-overview' });
  const liveLine = h('p', { class: 'map-caption', role: 'status' });
  const charts = h('div', { class: 'charts', 'aria-live': 'polite' });
  mount(root,
    h('section', { class: 'panel panel-map', 'aria-labelledby': 'ov-map-title' },
      h('div', { class: 'panel-head' },
        h('h2', { id: 'ov-map-title' }, 'The corridor'),
        h('a', { href: href('/map') }, 'Full map')),
      mapBox,
      liveLine),
    h('section', { class: 'panel', 'aria-labelledby': 'ov-charts-title' },
      h('div', { class: 'panel-head' },
        h('h2', { id: 'ov-charts-title' }, 'What was shipped'),
        h('a', { href: href('/movements') }, 'Every voyage, as a table')),
      charts));

  let map = null;
  let gone = false;
  import('../map.js').then(({ createMap }) => {
    if (!gone) {
      map = createMap(mapBox, {
        compact: true,
        onStatus: (key, value) => {
          if (key === 'live') liveLine.textContent = LIVE_CAPTION[value] || '';
          if (key === 'vessels') liveLine.textContent = `Live: ${value} vessels tracked.`;
        },
      });
    }
  });
  const charting = import('../charts.js');
  let ctl = null;
  let drawn = [];

  async function load(p) {
    ctl?.abort();
    ctl = new AbortController();
    const signal = ctl.signal;
    for (const c of drawn) c.disconnect?.();
    mount(charts, notice('info', 'Loading the figures…'));
    charts.setAttribute('aria-busy', 'true');
    try {
      const [stats, { commodityChart, countryChart, incomeChart, inspectionsChart, monthChart, portChart }] = await Promise.all([getStats(p.from, p.until), charting]);
      if (signal.aborted) return;
      if (!stats.voyages) {
        mount(charts, notice('info', 'No voyages departed in this period.'));
        return;
      }
      const month = monthChart(stats, null);
      drawn = [month, commodityChart(stats), incomeChart(stats), countryChart(stats), portChart(stats)];
      mount(charts, drawn);
      // The stacked version and the inspections need every voyage; draw
      // them when they arrive.
      getAllVoyages({ from: p.from, until: p.until }, { signal }).then((voyages) => {
        if (signal.aborted) return;
        const lines = monthLines(stats, voyages);
        if (lines) {
          const stacked = monthChart(stats, lines);
          month.disconnect();
          month.replaceWith(stacked);
          drawn[0] = stacked;
        }
        const inspections = inspectionsChart(voyages);
        if (inspections) {
          drawn.push(inspections);
          charts.append(inspections);
        }
      }).catch(() => { /* the totals stay */ });
    } catch (e) {
      if (e.name !== 'AbortError') mount(charts, notice('error', `The figures could not be loaded: ${e.message}`));
    } finally {
      charts.removeAttribute('aria-busy');
    }
  }
  load(params);

  return {
    update: (p) => load(p),
    destroy: () => {
      ctl?.abort();
      for (const c of drawn) c.disconnect?.();
      gone = true;
      map?.destroy();
    },
  };
}
