// Who held what up, and for how long: each party's time to decide, its
// holds and rejections by reason, and the decisions overdue now. Public:
// the point of the record is that no delegation can block silently.
import { getJSON, NotAvailable } from '../api.js';
import { h, labelCells, mount, notice } from '../dom.js';
import { fmtInt, fmtMonth, fmtTimestamp } from '../format.js';

/** 93784 s -> "1 d 2 h"; under an hour in minutes. */
export function fmtDuration(seconds) {
  if (seconds == null) return '—';
  const m = Math.round(seconds / 60);
  if (m < 60) return `${m} min`;
  const hrs = Math.round(seconds / 3600);
  return hrs < 48 ? `${hrs} h` : `${Math.floor(hrs / 24)} d ${hrs % 24} h`;
}

const reasons = (obj) => {
  const list = Object.entries(obj || {}).sort((a, b) => b[1] - a[1]);
  return list.length ? list.map(([code, n]) => `${code.replace(/_/g, ' ')} ×${n}`).join(', ') : '—';
};

async function chart(parties) {
  const [{ chartPanel, PALETTE }, Plot] = await Promise.all([import('../charts.js'), import('@observablehq/plot')]);
  const data = parties.filter((p) => p.median_seconds_to_decide != null).map((p) => ({ party: p.party, hours: p.median_seconds_to_decide / 3600 }));
  if (!data.length) return null;
  return chartPanel({
    id: 'chart-decide',
    title: 'Median time to decide, by party',
    note: 'From when the party’s decision was awaited (the review’s start, a release, an amendment or its own previous decision) to its logged decision, in hours.',
    draw: (width) => Plot.plot({
      width,
      height: 40 + data.length * 30,
      marginLeft: 48,
      marginRight: 80,
      x: { grid: true, label: 'Hours' },
      y: { domain: data.map((d) => d.party), label: null },
      marks: [
        Plot.barX(data, { y: 'party', x: 'hours', fill: PALETTE[0] }),
        Plot.text(data, { y: 'party', x: 'hours', text: (d) => fmtDuration(d.hours * 3600), dx: 4, textAnchor: 'start', fontSize: 11, fill: '#222' }),
        Plot.ruleX([0]),
      ],
    }),
    table: null,
  });
}

/** Days as "2.5 d (mean 3.1)"; "—" when none ended. */
function daysCell(d) {
  if (!d?.count) return h('td', { 'data-median': '' }, '—');
  return h('td', { 'data-median': String(d.median), title: `${d.count} ended this month` },
    `${d.median.toFixed(1)} d`, h('span', { class: 'muted' }, ` (mean ${d.mean.toFixed(1)})`));
}

/** The month-by-month operations table (newest first) with its CSV. */
export function operationsTable(ops) {
  const months = [...(ops.months || [])].reverse();
  const cols = ['Month', 'Applied', 'Cleared', 'of them on papers', 'Tonnes cleared', 'Rejected', 'Withdrawn', 'Expired',
    'Arrived', 'Passed', 'Not ready', 'Non-compliant', 'Departed', 'Days to clear', 'Days waiting for inspection', 'Days in the area'];
  const counts = (m) => [m.submitted, m.cleared, m.cleared_on_papers, m.tonnes_cleared, m.rejected, m.withdrawn, m.expired,
    m.arrived, m.inspections.passed, m.inspections.failed_not_ready, m.inspections.failed_non_compliant, m.departed];
  return labelCells(h('table', { class: 'cards', id: 'operations-table' },
    h('caption', null, `Month by month (${ops.time_zone})`),
    h('thead', null, h('tr', null, cols.map((t, i) => h('th', { scope: 'col', class: i > 0 && i < 13 ? 'num' : null }, t)))),
    h('tbody', null, months.map((m) => h('tr', { 'data-month': m.month },
      h('th', { scope: 'row' }, fmtMonth(m.month)),
      counts(m).map((n) => h('td', { class: 'num' }, fmtInt(n))),
      daysCell(m.days_to_clear), daysCell(m.days_waiting_for_inspection), daysCell(m.days_in_inspection_area))))));
}

function operationsSection(signal) {
  const box = h('div', { 'aria-live': 'polite', 'data-state': 'loading' }, notice('info', 'Loading…'));
  getJSON('/operations', null, { signal }).then((ops) => {
    mount(box, ops.months?.length
      ? [h('div', { class: 'table-scroll' }, operationsTable(ops)),
        h('p', { class: 'muted' }, 'Each figure counts under the month its last step was logged (an arrival, under the month the vessel arrived): an application cleared when it left review approved (on its papers when no inspection was required), days to clear from its first submission, days waiting for inspection from its recorded arrival at the inspection area to the verdict (a vessel found not ready waits on), days in the area from that arrival to its departure. Medians, with the mean beside.',
          ' ', h('a', { href: '/api/v1/operations?format=csv', download: 'corridor-operations.csv', id: 'operations-csv' }, 'Download as CSV'))]
      : notice('info', 'Nothing has been applied for yet.'));
    box.dataset.state = 'ready';
  }).catch((e) => {
    if (e.name === 'AbortError') return;
    box.dataset.state = 'error';
    mount(box, notice('error', `Could not be loaded: ${e.message}`));
  });
  return h('section', { class: 'panel', id: 'operations', 'aria-labelledby': 'ops-title' },
    h('h2', { id: 'ops-title' }, 'Applications, inspections and waits, by month'),
    box);
}

export function accountabilityScreen(root) {
  const ctl = new AbortController();
  const body = h('div', { 'aria-live': 'polite', 'data-state': 'loading' }, notice('info', 'Loading…'));
  mount(root, h('section', { class: 'panel', id: 'accountability', 'aria-labelledby': 'acc-title' },
    h('h2', { id: 'acc-title' }, 'Who decided, and how fast'),
    h('p', { class: 'lead' }, 'Each party’s time to decide on applications and on the daily inspection plans, the holds and rejections it placed with their reasons, how long its holds kept them waiting, and how long its decisions were overdue, including waits that ended without its decision.'),
    body),
  operationsSection(ctl.signal));
  getJSON('/accountability', null, { signal: ctl.signal }).then(async (a) => {
    const parties = a.parties || [];
    const head = (cols, nums) => h('thead', null, h('tr', null, cols.map((t, i) => h('th', { scope: 'col', class: nums.includes(i) ? 'num' : null }, t))));
    // Up to now: a hold in place, and a decision overdue now, keep counting.
    const heldCell = (f) => h('td', { 'data-seconds': String(f.seconds_held ?? '') }, f.seconds_held ? fmtDuration(f.seconds_held) : '—',
      f.holds_open ? [' ', h('span', { class: 'tag warn' }, `${f.holds_open} open`)] : null);
    const table = labelCells(h('table', { class: 'cards', id: 'accountability-table' },
      h('caption', null, `Applications, as of ${fmtTimestamp(a.as_of)}`),
      head(['Party', 'Decisions', 'Approvals', 'Median time to decide', 'Holds', 'Rejections', 'Time held', 'Overdue now', 'Time overdue'], [1, 2]),
      h('tbody', null, parties.map((p) => h('tr', { 'data-party': p.party },
        h('th', { scope: 'row' }, p.party),
        h('td', { class: 'num' }, fmtInt(p.decisions)),
        h('td', { class: 'num' }, fmtInt(p.approvals)),
        h('td', { 'data-seconds': String(p.median_seconds_to_decide ?? '') }, fmtDuration(p.median_seconds_to_decide)),
        h('td', null, reasons(p.holds_by_reason)),
        h('td', null, reasons(p.rejections_by_reason)),
        heldCell(p),
        h('td', null, p.overdue?.length ? h('span', { class: 'tag warn' }, `${p.overdue.length} overdue`) : '—'),
        // Past the deadline without a decision: late decisions, waits that
        // ended undecided (amended, withdrawn, expired), and overdue now.
        h('td', { 'data-seconds': String(p.seconds_overdue ?? '') }, p.seconds_overdue ? fmtDuration(p.seconds_overdue) : '—',
          p.overdue_undecided ? [' ', h('span', { class: 'tag warn', title: 'Waits that ended past the deadline without this party’s decision' }, `${p.overdue_undecided} never decided`)] : null))))));
    const plans = labelCells(h('table', { class: 'cards', id: 'accountability-plans' },
      h('caption', null, 'Daily inspection plans'),
      head(['Party', 'Decisions', 'Approvals', 'Median time to decide', 'Holds', 'Rejections', 'Time held', 'Late', 'Overdue now'], [1, 2, 7]),
      h('tbody', null, parties.map((p) => {
        const f = p.plans || {};
        return h('tr', { 'data-party': p.party },
          h('th', { scope: 'row' }, p.party),
          h('td', { class: 'num' }, fmtInt(f.decisions ?? 0)),
          h('td', { class: 'num' }, fmtInt(f.approvals ?? 0)),
          h('td', { 'data-seconds': String(f.median_seconds_to_decide ?? '') }, fmtDuration(f.median_seconds_to_decide)),
          h('td', null, reasons(f.holds_by_reason)),
          h('td', null, reasons(f.rejections_by_reason)),
          heldCell(f),
          h('td', { class: 'num' }, fmtInt(f.late ?? 0)),
          h('td', null, f.overdue?.length ? h('span', { class: 'tag warn' }, f.overdue.join(', ')) : '—'));
      }))));
    mount(body,
      h('div', { class: 'table-scroll' }, table),
      h('p', { class: 'muted' }, 'A day’s plan is due approved by the centre’s deadline the day before (16:00 in Istanbul on the JCC’s timetable), or, for a version the coordinator sent after that, when its day begins; a decision after it is late. A hold on a plan counts until the party’s next decision on it, a new version, or the end of the plan’s day.'),
      h('div', { class: 'table-scroll' }, plans));
    body.dataset.state = 'ready';
    const fig = await chart(parties);
    if (fig && !ctl.signal.aborted) body.prepend(fig);
  }).catch((e) => {
    if (e.name === 'AbortError') return;
    body.dataset.state = e instanceof NotAvailable ? 'unavailable' : e.status === 401 || e.status === 403 ? 'closed' : 'error';
    mount(body, e instanceof NotAvailable ? notice('info', 'The parties’ decision record is not available yet on this server.') : notice('error', `Could not be loaded: ${e.message}`));
  });
  return { destroy: () => ctl.abort() };
}
