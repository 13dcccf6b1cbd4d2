// The coordinator's screen: applications to put before the parties, approved
// vessels to schedule, tomorrow's inspection plan (adjust it, send it for
// the parties' signed approval), and the corridor's open alerts.
import { getJSON, NotAvailable, postJSON, putJSON } from '../api.js';
import { h, labelCells, mount, notice } from '../dom.js';
import { fmtDate, fmtTimestamp } from '../format.js';
import { subscribeLive } from '../live.js';
import { href } from '../route.js';
import { actionButton, forRole, statusTag } from './work.js';

const tomorrow = () => new Date(Date.now() + 86400e3).toISOString().slice(0, 10);

function section(id, title, lead, ...content) {
  return h('section', { class: 'panel', id, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title), lead ? h('p', { class: 'lead' }, lead) : null, ...content);
}

function applicationsTable(id, apps, action, { readiness = false } = {}) {
  if (!apps.length) return notice('info', 'None.');
  const heads = ['Application', 'Vessel', 'Company', 'Status', ...(readiness ? ['Ready'] : []), ''];
  return h('div', { class: 'table-scroll' }, labelCells(h('table', { class: 'cards', id },
    h('thead', null, h('tr', null, heads.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, apps.map((a) => h('tr', { 'data-id': a.id },
      h('th', { scope: 'row' }, a.id), h('td', null, a.vessel, h('span', { class: 'muted' }, ` IMO ${a.imo}`)),
      h('td', null, a.company), h('td', null, statusTag(a.status)),
      // Scheduling a vessel that is not ready is how inspections failed.
      readiness ? h('td', { 'data-ready': String(Boolean(a.ready_at)) }, a.ready_at ? `declared ${fmtTimestamp(a.ready_at)}` : h('span', { class: 'tag warn' }, 'not declared')) : null,
      h('td', null, action(a))))))));
}

/** The plan for `date`: its assignments, editable while it is a draft. */
function planPanel(date, signal) {
  const box = h('div', { id: 'plan', 'aria-live': 'polite' }, notice('info', 'Loading the plan…'));
  const status = h('div', { 'aria-live': 'polite', id: 'plan-status' });
  const load = async () => {
    let plan;
    try {
      plan = await getJSON(`/plans/${date}`, null, { signal });
    } catch (e) {
      if (e instanceof NotAvailable) return mount(box, notice('info', 'The planner is not available on this server.'));
      throw e;
    }
    const editable = plan.status === 'draft';
    const rows = plan.assignments.map((a) => ({ ...a }));
    const teams = plan.teams?.length ? plan.teams.map((t) => t.name) : [...new Set(rows.map((a) => a.team))].sort();
    const table = labelCells(h('table', { class: 'cards', id: 'plan-table' },
      h('thead', null, h('tr', null, ['Vessel', 'Application', 'Team', 'Start', 'End', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows.map((a, i) => {
        const team = h('select', { 'aria-label': `Team for ${a.vessel_name}`, disabled: !editable, onchange: (ev) => { rows[i].team = ev.target.value; } },
          teams.map((t) => h('option', { value: t, selected: t === a.team }, String(t))));
        const start = h('input', { type: 'time', value: a.start, 'aria-label': `Start for ${a.vessel_name}`, disabled: !editable, onchange: (ev) => { rows[i].start = ev.target.value; } });
        const tr = h('tr', { 'data-id': a.application_id },
          h('th', { scope: 'row' }, a.vessel_name), h('td', null, a.application_id), h('td', null, team), h('td', null, start), h('td', null, a.end),
          h('td', null, editable ? h('button', { type: 'button', class: 'secondary', onclick: () => { rows[i].removed = true; tr.hidden = true; } }, 'Remove') : ''));
        return tr;
      }))));
    const reason = h('input', { id: 'plan-reason', 'aria-label': 'Reason for the change', placeholder: 'Reason for the change (logged)' });
    // The planner's score in the coordinator's words, not the solver's.
    const score = (s) => {
      if (!s) return '—';
      const parts = [`${s.inspections} inspection${s.inspections === 1 ? '' : 's'}`];
      if (s.method !== 'fifo' && s.count_upper_bound != null) parts.push(`at most ${s.count_upper_bound} possible`);
      if (s.travel_minutes) parts.push(`${s.travel_minutes} min of travel between areas`);
      parts.push({ exact: 'the best plan, proven', fifo: 'in queue order' }[s.method] || `planned by ${s.method}`);
      return parts.join(', ');
    };
    mount(box,
      h('dl', { class: 'facts' },
        h('dt', null, 'Status'), h('dd', { id: 'plan-state', 'data-status': plan.status }, `${plan.status}, version ${plan.version}`),
        h('dt', null, 'Optimised'), h('dd', null, score(plan.score)),
        h('dt', null, 'First come, first served'), h('dd', null, score(plan.fifo_score)),
        h('dt', null, 'Deadlines'), h('dd', null, plan.deadlines ? `ports’ departure plan by ${plan.deadlines.departure_plan}, approved plan by ${plan.deadlines.approved_plan}` : '—'),
        h('dt', null, 'Approvals'), h('dd', { id: 'plan-approvals' }, (plan.required_parties || []).map((p) => {
          const a = (plan.approvals || []).find((x) => x.party === p);
          return h('span', { class: `tag ${a ? `decision-${a.decision}` : ''}`, 'data-party': p }, `${p}: ${a ? a.decision : 'pending'}`);
        }))),
      rows.length ? h('div', { class: 'table-scroll' }, table) : notice('info', 'No inspection planned for this day.'),
      editable ? h('div', { class: 'actions' }, reason,
        actionButton('Save changes', status, async () => {
          if (!reason.value.trim()) throw new Error('Say why the plan changes: the reason is logged.');
          // The server works out each end from the start and the inspection.
          const assignments = rows.filter((a) => !a.removed).map((a) => ({ application_id: a.application_id, team: a.team, start: a.start, area: a.area }));
          await putJSON(`/plans/${date}`, { assignments, reason: reason.value.trim() });
          mount(status, notice('info', 'Saved as a new version.'));
          await load();
        }, { id: 'plan-save', class: 'secondary' }),
        actionButton('Send for the parties’ approval', status, async () => {
          await postJSON(`/plans/${date}/submit`);
          mount(status, notice('info', 'Sent to the parties.'));
          await load();
        }, { id: 'plan-submit' })) : null,
      status);
  };
  load().catch((e) => {
    if (e.name !== 'AbortError') mount(box, notice('error', `The plan could not be loaded: ${e.message}`));
  });
  return box;
}

/** The queue as the public sees it, with the coordinator's logged override. */
function queuePanel(signal) {
  const box = h('div', { id: 'coord-queue', 'aria-live': 'polite' }, notice('info', 'Loading the queue…'));
  const status = h('div', { 'aria-live': 'polite', id: 'coord-queue-status' });
  const load = async () => {
    let q;
    try {
      q = await getJSON('/queue', null, { signal });
    } catch (e) {
      if (e instanceof NotAvailable) return mount(box, notice('info', 'No queue on this server.'));
      throw e;
    }
    const table = q.entries.length ? labelCells(h('table', { class: 'cards', id: 'coord-queue-table' },
      h('thead', null, h('tr', null, ['Place', 'Vessel', 'Status', 'Ready', 'Predicted', 'Move to place', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, q.entries.map((e) => {
        const place = h('input', { type: 'number', min: 1, max: q.entries.length, value: e.place, 'aria-label': `New place for ${e.vessel_name}` });
        const reason = h('input', { 'aria-label': `Reason to move ${e.vessel_name}`, placeholder: 'Reason (logged, public)' });
        return h('tr', { 'data-id': e.application_id },
          h('td', { class: 'num' }, String(e.place)),
          h('th', { scope: 'row' }, e.vessel_name, e.wfp ? h('span', { class: 'tag' }, 'WFP') : null),
          h('td', null, statusTag(e.status)),
          h('td', null, e.ready ? 'ready' : '—'),
          h('td', null, fmtDate(e.predicted)),
          h('td', null, h('span', { class: 'inline' }, place, reason)),
          h('td', null, actionButton('Move', status, async () => {
            if (!reason.value.trim()) throw new Error('A move needs a reason: it is logged and public.');
            await postJSON('/queue/overrides', { application_id: e.application_id, place: Number(place.value), reason: reason.value.trim() });
            mount(status, notice('info', `${e.vessel_name} moved to place ${place.value}.`));
            await load();
          }, { class: 'secondary' })));
      })))) : notice('info', 'No vessel is waiting.');
    mount(box, h('p', { class: 'muted' }, `Order: ${q.rule}`), q.entries.length ? h('div', { class: 'table-scroll' }, table) : table,
      q.overrides?.length ? h('details', null, h('summary', null, `${q.overrides.length} overrides logged`),
        h('ul', null, q.overrides.map((o) => h('li', null, `${o.application_id}: place ${o.from_place} → ${o.to_place} by ${o.by}: ${o.reason}`)))) : null,
      status);
  };
  load().catch((e) => {
    if (e.name !== 'AbortError') mount(box, notice('error', `The queue could not be loaded: ${e.message}`));
  });
  return box;
}

/**
 * The corridor's alerts, those still to acknowledge first. An
 * acknowledgement is logged once per alert with the coordinator's note and
 * is public; a second one is refused naming the first. The table follows
 * the live feed: a new anomaly, or an acknowledgement made on another
 * screen, shows within seconds, no refresh needed. It also re-reads every
 * minute, in case the feed missed something; a note being typed survives
 * every redraw.
 */
const ROUTINE = new Set(['corridor_entry', 'corridor_exit', 'area_arrival']);

function alertsPanel(signal) {
  const box = h('div', { id: 'coord-alerts', 'aria-live': 'polite' }, notice('info', 'Loading…'));
  const status = h('div', { 'aria-live': 'polite', id: 'alerts-status' });
  // `why` (start, connected, live, acknowledgement, poll, refresh, acknowledged; live
  // reasons that came together are named together, space-separated) is kept on the box
  // as data-loaded-by: the browser tests tell a live update from the re-read.
  const load = async (why = 'start') => {
    const [alerts, acks] = await Promise.all([
      getJSON('/alerts', { limit: 500 }, { signal }),
      getJSON('/alerts/acknowledgements', null, { signal }),
    ]);
    // Notes being typed, and where the caret is, outlive the redraw.
    const drafts = new Map([...box.querySelectorAll('tr[data-key] input')].map((i) => [i.closest('tr').dataset.key, i.value]));
    const focused = box.contains(document.activeElement) && document.activeElement.tagName === 'INPUT'
      ? document.activeElement.closest('tr')?.dataset.key : null;
    const ackOf = new Map(acks.items.map((a) => [a.key, a]));
    // Entries, exits and arrivals are stored beside the alerts but are routine: nothing to acknowledge.
    const anomalies = alerts.items.filter((a) => !ROUTINE.has(a.kind));
    box.dataset.loadedBy = why;
    if (!anomalies.length) return mount(box, notice('info', 'No alerts.'), h('p', { id: 'alerts-pending' }, h('button', { type: 'button', class: 'secondary', onclick: () => load('refresh').catch(fail) }, 'Refresh')), status);
    // Unacknowledged first (open before closed), then newest first as the server sends them.
    const rank = (a) => (ackOf.has(a.key) ? 2 : a.open ? 0 : 1);
    const items = anomalies.map((a, i) => ({ a, i })).sort((x, y) => rank(x.a) - rank(y.a) || x.i - y.i).map((x) => x.a);
    const pending = items.filter((a) => !ackOf.has(a.key)).length;
    const row = (a) => {
      const ack = ackOf.get(a.key);
      const label = `${a.kind.replace(/_/g, ' ')}, MMSI ${a.mmsi}`;
      let cell;
      if (ack) {
        cell = h('span', { class: 'ack' }, `Acknowledged by ${String(ack.by).replace(/^user:/, '')}, ${fmtTimestamp(ack.at)}`, ack.note ? h('br') : null, ack.note || null);
      } else {
        const note = h('input', { type: 'text', maxlength: 2000, 'aria-label': `Note for ${label}`, placeholder: 'Note (optional)' });
        note.value = drafts.get(a.key) ?? '';
        cell = h('span', { class: 'inline' }, note, actionButton('Acknowledge', status, async () => {
          await postJSON(`/alerts/${encodeURIComponent(a.key)}/acknowledgement`, note.value.trim() ? { note: note.value.trim() } : {});
          mount(status, notice('info', `Acknowledged: ${label}.`));
          await load('acknowledged');
        }, { 'data-action': 'acknowledge', 'aria-label': `Acknowledge ${label}` }));
      }
      return h('tr', { 'data-key': a.key, class: ack ? 'acked' : a.open ? 'open' : null },
        h('th', { scope: 'row' }, a.kind.replace(/_/g, ' ')),
        h('td', null, String(a.mmsi)),
        h('td', null, fmtTimestamp(a.start)),
        h('td', null, a.open ? 'open' : `closed ${fmtTimestamp(a.end)}`),
        h('td', null, a.detail || ''),
        h('td', null, cell));
    };
    mount(box,
      h('p', { id: 'alerts-pending' }, pending ? `${pending} to acknowledge.` : 'Every alert is acknowledged.',
        ' ', h('button', { type: 'button', class: 'secondary', onclick: () => load('refresh').catch(fail) }, 'Refresh')),
      h('div', { class: 'table-scroll' }, labelCells(h('table', { class: 'cards', id: 'alerts-table' },
        h('thead', null, h('tr', null, ['Alert', 'MMSI', 'Since', 'State', 'Detail', 'Acknowledgement'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, items.map(row))))),
      status);
    if (focused) box.querySelector(`tr[data-key="${CSS.escape(focused)}"] input`)?.focus();
  };
  const fail = (e) => {
    if (e.name === 'AbortError') return;
    mount(box, e instanceof NotAvailable ? notice('info', 'No live tracking on this server.') : notice('error', `The alerts could not be loaded: ${e.message}`));
  };
  load().catch(fail);
  // An anomaly on the live feed: read the table again once the burst is
  // over (entries, exits and arrivals are routine and do not count). Also
  // once the feed is (re)connected: an alert stored before that was never
  // pushed to this screen.
  // Reasons that come together make one re-read, which names them all.
  let soon = null;
  const reasons = new Set();
  const reload = (why) => {
    reasons.add(why);
    if (soon) return;
    soon = setTimeout(() => {
      soon = null;
      const why = [...reasons].join(' ');
      reasons.clear();
      load(why).catch(fail);
    }, 1500);
  };
  const stopLive = subscribeLive({
    onAlert: (a) => {
      if (!ROUTINE.has(a.kind)) reload('live');
    },
    // The feed dropped events for this screen: an alert may be among them.
    onLagged: () => reload('lagged'),
    // Acknowledged elsewhere (this screen's own is already shown).
    onAcknowledgement: (ack) => {
      if (!box.querySelector(`tr[data-key="${CSS.escape(ack.key)}"].acked`)) reload('acknowledgement');
    },
    onStatus: (s) => {
      if (s === 'live') reload('connected');
    },
  });
  const poll = setInterval(() => load('poll').catch(fail), 60000);
  signal.addEventListener('abort', () => {
    stopLive();
    clearInterval(poll);
    clearTimeout(soon);
  });
  return box;
}

export const coordinateScreen = forRole('coordinator', 'Coordination', (root, { params, signal }) => {
  const date = params.date || tomorrow();
  const status = h('div', { 'aria-live': 'polite', id: 'coord-status' });
  const submitted = h('div', null, notice('info', 'Loading…'));
  const approved = h('div', null, notice('info', 'Loading…'));
  const load = async () => {
    const apps = await getJSON('/applications', null, { signal });
    mount(submitted, applicationsTable('to-review', apps.filter((a) => a.status === 'submitted'), (a) =>
      actionButton('Start review', status, async () => {
        await postJSON(`/applications/${a.id}/review`);
        mount(status, notice('info', `${a.id} is before the parties.`));
        await load();
      }, { 'data-action': 'review' })));
    mount(approved, applicationsTable('to-schedule', apps.filter((a) => a.status === 'approved' || a.status === 'failed_not_ready'), (a) => {
      const at = h('input', { type: 'datetime-local', 'aria-label': `Inspection time for ${a.vessel}`, value: new Date(Date.now() + 3600e3).toISOString().slice(0, 16) });
      return h('span', { class: 'inline' }, at, actionButton('Schedule', status, async () => {
        if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(at.value)) {
          at.focus();
          throw new Error(`Choose a date and time (UTC) for ${a.vessel}'s inspection first.`);
        }
        await postJSON(`/applications/${a.id}/inspection/schedule`, { at: `${at.value.slice(0, 16)}:00Z` });
        mount(status, notice('info', `${a.id} scheduled for ${fmtTimestamp(`${at.value.slice(0, 16)}:00Z`)}.`));
        await load();
      }, { 'data-action': 'schedule' }));
    }, { readiness: true }));
  };
  load().catch((e) => {
    if (e.name !== 'AbortError') mount(status, notice('error', `Could not be loaded: ${e.message}`));
  });
  mount(root, status,
    section('coord-review', 'Submitted: to put before the parties', 'Starting the review opens each party’s decision clock.', submitted),
    section('coord-schedule', 'Approved: to inspect', 'Schedule an inspection outside the daily plan (times in UTC).', approved),
    section('coord-plan', `Inspection plan for ${fmtDate(date)}`, h('span', null, 'Optimised against the queue rule; FIFO shown for comparison. ',
      h('a', { href: href('/coordinate', { date: tomorrow() }) }, 'Tomorrow')), planPanel(date, signal)),
    section('coord-queue-panel', 'The inspection queue', 'Overrides of the written rule are logged with their reason and shown to the public.', queuePanel(signal)),
    section('coord-alerts-panel', 'Corridor alerts', 'Each acknowledgement is logged with your note and shown to the parties and the public.', alertsPanel(signal)));
});
