// Overview: the corridor map and the charts of the record for the period.
import { getStats } from '../api.js';
import { h, mount, notice } from '../dom.js';
import { href } from '../route.js';

/** {month, commodity, tonnes} for every cargo line, if they add up to /stats. */
// The month chart's bars stacked by commodity, from the server's sums.
function monthLines(stats) {
  const lines = [];
  for (const [month, byCommodity] of Object.entries(stats.by_month_commodity || {})) {
    for (const [commodity, tonnes] of Object.entries(byCommodity)) lines.push({ month, commodity, tonnes });
  }
  return lines.length ? lines : null;
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
      // The inspections chart reads the whole record's days (cached): a
      // period's own figures hold only the voyages that departed in it.
      const [stats, whole, { commodityChart, countryChart, incomeChart, inspectionsChart, monthChart, portChart }] = await Promise.all([getStats(p.from, p.until), getStats(), charting]);
      if (signal.aborted) return;
      if (!stats.voyages) {
        mount(charts, notice('info', 'No voyages departed in this period.'));
        return;
      }
      drawn = [monthChart(stats, monthLines(stats)), commodityChart(stats), incomeChart(stats), countryChart(stats), portChart(stats)];
      const inspections = inspectionsChart(whole, p);
      if (inspections) drawn.push(inspections);
      mount(charts, drawn);
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
