// The coordinator's screen: applications to put before the parties, approved
// vessels to schedule, tomorrow's inspection plan (adjust it, send it for
// the parties' signed approval), days off and stoppages, and the corridor's
// open alerts.
import { getJSON, NotAvailable, postJSON, putJSON } from '../api.js';
import { h, labelCells, mount, notice, reconcile, tell } from '../dom.js';
import { addDays, centreZone, dayIn, fmtDate, fmtTimestamp, fmtWorkTime, isDay, learnZone, wallClock, zonedInstant, zoneName } from '../format.js';
import { subscribeLive } from '../live.js';
import { href } from '../route.js';
import { arrivalNote, awayTag } from './queue.js';
import { stoppagesPanel } from './stoppages.js';
import { actionButton, deadlinePassed, forRole, planApprovals, STATUS, statusTag } from './work.js';

// The centre's next working day in `zone`: between 00:00 and 03:00 in
// Istanbul, UTC's date is still yesterday.
const tomorrowIn = (zone) => addDays(dayIn(zone), 1);

function section(id, title, lead, ...content) {
  return h('section', { class: 'panel', id, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title), lead ? h('p', { class: 'lead' }, lead) : null, ...content);
}

// Alerts the coordinator's table reads at once.
const ALERTS_READ = 500;

/**
 * The newest alerts and the open ones, once each (by key), newest first:
 * an open alert older than the newest ALERTS_READ stays in view.
 */
export function mergeAlerts(latest, open) {
  const byKey = new Map();
  for (const a of [...(latest || []), ...(open || [])]) if (!byKey.has(a.key)) byKey.set(a.key, a);
  return [...byKey.values()].sort((x, y) => String(y.start).localeCompare(String(x.start)));
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
      readiness ? h('td', { 'data-ready': String(Boolean(a.ready_at)) }, a.ready_at ? `declared ${fmtWorkTime(a.ready_at)}` : h('span', { class: 'tag warn' }, 'not declared')) : null,
      h('td', null, action(a))))))));
}

/**
 * What the coordinator records of a vessel after its inspection, by the
 * status the server allows it from (decide.rs: Depart, Arrive, Close):
 * [action, button, what the confirmation asks].
 */
export const MOVES = {
  inspection_passed: ['depart', 'Record departure', (a) => `Record that ${a.vessel} (${a.id}) has departed through the corridor? It is logged and cannot be undone.`],
  in_transit: ['arrive', 'Record arrival', (a) => `Record that ${a.vessel} (${a.id}) has arrived, out of the corridor? It is logged and cannot be undone.`],
  ...Object.fromEntries(['arrived', 'failed_non_compliant', 'rejected', 'withdrawn', 'expired'].map((s) => [s,
    ['close', 'Close', (a) => `Close application ${a.id} (${a.vessel}, ${STATUS[a.status] || a.status})? A closed application is final: nothing more can be recorded on it.`]])),
};

/**
 * What the coordinator may record of `a` now: its MOVES entry, or a
 * departure for a vessel cleared on its papers (a corridor that inspects
 * on cause), which sails without an inspection.
 */
export function moveOf(a) {
  if (a.status === 'approved' && a.cleared_on_papers) {
    return ['depart', 'Record departure', (x) => `Record that ${x.vessel} (${x.id}), cleared on its papers, has departed through the corridor? It is logged and cannot be undone.`];
  }
  return MOVES[a.status];
}

/**
 * Whether the coordinator may require an inspection of `a` (a corridor
 * that inspects on cause): in review, cleared on its papers, or passed (a
 * second inspection). The server decides (decide.rs, RequireInspection).
 */
export function mayRequireInspection(a) {
  return ['submitted', 'under_review', 'held', 'inspection_passed'].includes(a.status)
    || (a.status === 'approved' && Boolean(a.cleared_on_papers));
}

/**
 * The corridor's operating state, and suspending or resuming it (asked
 * first: a suspension stops reviews, decisions, inspections and departures
 * for everyone until it is resumed). Built once and updated in place, from
 * the answer to an action or from the page's own re-reads (main.js sends
 * `corridor:state`), so a reason being typed is never lost.
 */
function corridorPanel(signal) {
  const box = h('div', { id: 'coord-corridor-state', 'aria-live': 'polite' }, notice('info', 'Loading…'));
  const status = h('div', { 'aria-live': 'polite', id: 'corridor-status' });
  const code = h('input', { id: 'suspend-code', name: 'reason_code', maxlength: 64, autocapitalize: 'characters', placeholder: 'e.g. PARTY_WITHDREW', 'aria-describedby': 'suspend-hint' });
  const text = h('textarea', { id: 'suspend-text', name: 'text', rows: 2, maxlength: 2000, 'aria-describedby': 'suspend-hint' });
  const suspendForm = h('form', { class: 'form', id: 'suspend-form', hidden: true },
    h('fieldset', null, h('legend', null, 'Suspend the corridor'),
      h('div', { class: 'field' }, h('label', { for: 'suspend-code' }, 'Reason code'), code),
      h('div', { class: 'field' }, h('label', { for: 'suspend-text' }, 'Reason'), text),
      h('span', { class: 'hint', id: 'suspend-hint' }, 'Both are logged and public: everyone sees the suspension and its reason code.')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'suspend' }, 'Suspend the corridor')));
  const resume = h('button', { type: 'button', id: 'resume', hidden: true }, 'Resume the corridor');
  let state = null;
  const show = (c) => {
    if (!c) return;
    state = c;
    const since = c.suspended_since ? ` since ${fmtWorkTime(c.suspended_since)}` : '';
    mount(box, h('p', { id: 'corridor-state', 'data-suspended': String(Boolean(c.suspended)) },
      c.suspended ? [h('strong', null, `Suspended${since}`), c.reason_code ? ', reason ' : '', c.reason_code ? h('code', null, c.reason_code) : null, '.',
        c.reason ? [' ', h('span', { class: 'corridor-reason' }, c.reason)] : null]
        : 'Open: vessels are reviewed, inspected and sail.'));
    suspendForm.hidden = Boolean(c.suspended);
    resume.hidden = !c.suspended;
  };
  /** Tells the page (its banner) what the server now says. */
  const announce = (c) => window.dispatchEvent(new CustomEvent('corridor:state', { detail: { state: c, from: 'action' } }));
  const busy = (on) => {
    for (const b of [suspendForm.querySelector('button'), resume]) b.disabled = on;
  };
  suspendForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    // As the server checks a suspension (decide.rs, check_finding).
    if (!code.value.trim() || !text.value.trim()) {
      (code.value.trim() ? text : code).focus();
      tell(status, 'error', 'A suspension needs a reason code and a reason: both are logged.');
      return;
    }
    if (!window.confirm(`Suspend the corridor (${code.value.trim()})? Reviews, the parties’ decisions, inspections and departures stop until it is resumed, and everyone sees the suspension.`)) {
      tell(status, 'info', 'Not suspended: the corridor stays open.');
      return;
    }
    busy(true);
    try {
      const c = await postJSON('/corridor/suspend', { reason_code: code.value.trim(), text: text.value.trim() });
      code.value = '';
      text.value = '';
      show(c);
      announce(c);
      tell(status, 'info', `The corridor is suspended${c.suspended_since ? ` since ${fmtWorkTime(c.suspended_since)}` : ''}.`);
    } catch (e) {
      tell(status, 'error', `Not suspended: ${e.message}`);
    } finally {
      busy(false);
    }
  });
  resume.addEventListener('click', async () => {
    if (!window.confirm(`Resume the corridor${state?.reason_code ? `, suspended for ${state.reason_code}` : ''}? Reviews, decisions, inspections and departures start again.`)) {
      tell(status, 'info', 'Not resumed: the corridor stays suspended.');
      return;
    }
    busy(true);
    try {
      const c = await postJSON('/corridor/resume');
      show(c);
      announce(c);
      tell(status, 'info', 'The corridor is open again.');
    } catch (e) {
      tell(status, 'error', `Not resumed: ${e.message}`);
    } finally {
      busy(false);
    }
  });
  // The page's own re-reads (navigation, its poll) keep this current too.
  const heard = (ev) => {
    if (ev.detail?.from !== 'action' && ev.detail?.state) show(ev.detail.state);
  };
  window.addEventListener('corridor:state', heard);
  signal.addEventListener('abort', () => window.removeEventListener('corridor:state', heard));
  getJSON('/corridor', null, { signal }).then((c) => {
    if (c && !signal.aborted) show(c);
  }, (e) => {
    if (e.name === 'AbortError') return;
    mount(box, e instanceof NotAvailable ? notice('info', 'No clearance service on this server.') : notice('error', `The corridor’s state could not be loaded: ${e.message}`));
  });
  return h('div', null, box, suspendForm, h('div', { class: 'actions' }, resume), status);
}

/**
 * The plan for `date`: its assignments, editable until it is approved (the
 * server takes a new version of a submitted plan, which is then a draft to
 * send again). `onZone(zone)` hears the zone the plan's times are in once
 * the server names it; if it returns true, the panel was replaced and stops.
 * `onPlan(plan)` hears every plan read. Returns {box, zone, reload}:
 * reload() reads the plan again unless it has edits not saved yet (then it
 * says the plan may have changed, and keeps the edits).
 */
function planPanel(date, signal, onZone, onPlan) {
  const box = h('div', { id: 'plan', 'aria-live': 'polite' }, notice('info', 'Loading the plan…'));
  const status = h('div', { 'aria-live': 'polite', id: 'plan-status' });
  let zoneKnown;
  const zoneReady = new Promise((resolve) => { zoneKnown = resolve; });
  let unsaved = () => false;
  /** Draws `plan` as the server gave it (a GET, or the answer to a save or a send). */
  const show = (plan) => {
    const editable = plan.status !== 'approved';
    const zone = learnZone(plan.time_zone);
    const rows = plan.assignments.map((a) => ({ ...a }));
    // Edits not saved yet: sending the plan would send the saved version, not this one.
    const changed = () => rows.some((a, i) => a.removed || a.team !== plan.assignments[i].team || a.start !== plan.assignments[i].start);
    unsaved = changed;
    const teams = plan.teams?.length ? plan.teams.map((t) => t.name) : [...new Set(rows.map((a) => a.team))].sort();
    const table = labelCells(h('table', { class: 'cards', id: 'plan-table' },
      h('caption', null, `Start and end are ${zoneName(zone, `${date}T12:00:00Z`)}.`),
      h('thead', null, h('tr', null, ['Vessel', 'Application', 'Team', 'Start', 'End', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows.map((a, i) => {
        // Its own team even when a stoppage stopped it that day: shown as
        // it is, not as the first team still working (a review saw a
        // stopped slot shown on another team, like a double booking).
        const own = teams.includes(a.team) ? [] : [a.team];
        const team = h('select', { 'aria-label': `Team for ${a.vessel_name}`, disabled: !editable, onchange: (ev) => { rows[i].team = ev.target.value; } },
          [...own, ...teams].map((t) => h('option', { value: t, selected: t === a.team }, own.includes(t) ? `${t} (not working that day)` : String(t))));
        const start = h('input', { type: 'time', value: a.start, 'aria-label': `Start for ${a.vessel_name}`, disabled: !editable, onchange: (ev) => { rows[i].start = ev.target.value; } });
        const tr = h('tr', { 'data-id': a.application_id },
          h('th', { scope: 'row' }, a.vessel_name), h('td', null, a.application_id), h('td', null, team), h('td', null, start), h('td', null, a.end),
          h('td', null, editable ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove ${a.vessel_name}`, 'data-action': 'remove', onclick: (ev) => {
            // Marked, not hidden: the focus stays on this button, which
            // undoes it until the plan is saved.
            const removed = !rows[i].removed;
            rows[i].removed = removed;
            tr.classList.toggle('removed', removed);
            tr.dataset.removed = String(removed);
            team.disabled = removed;
            start.disabled = removed;
            ev.currentTarget.textContent = removed ? 'Undo remove' : 'Remove';
            // The visible words begin its name (voice control says them).
            ev.currentTarget.setAttribute('aria-label', `${removed ? 'Undo remove' : 'Remove'} ${a.vessel_name}`);
          } }, 'Remove') : ''));
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
    /** Stores the edits as a new version; the screen then shows that version. */
    // Stores the edits as a version and shows it; once stored, `done` says
    // so, whatever the redraw does (a second click must not store a copy).
    const save = async (done) => {
      if (!reason.value.trim()) throw new Error('Say why the plan changes: the reason is logged.');
      // The server works out each end from the start and the inspection.
      const assignments = rows.filter((a) => !a.removed).map((a) => ({ application_id: a.application_id, team: a.team, start: a.start, area: a.area }));
      // Made from the version shown: one stored since (another
      // coordinator's) is refused, not overwritten unseen.
      const saved = await putJSON(`/plans/${date}`, { based_on: plan.version, assignments, reason: reason.value.trim() });
      try {
        await showAnswer(saved);
      } catch (e) {
        if (e.name !== 'AbortError') done(`Saved as version ${saved.version}.`);
        throw e;
      }
      return saved;
    };
    // The optimiser's draft of the queue as it now stands, stored as the
    // next version (a withdrawal, a hold or a rejection since): it
    // replaces every assignment, so edits not saved yet are not dropped
    // behind the coordinator's back.
    const redraft = async (done) => {
      if (changed()) throw new Error('The plan has changes not saved yet: save them, or reload to drop them, before drawing it again (a new draft replaces every assignment).');
      if (!reason.value.trim()) {
        reason.focus();
        throw new Error('Say why the plan is drawn again: the reason is logged.');
      }
      // Asked first: it replaces what was put in by hand too.
      if (!window.confirm(`Draw the plan for ${fmtDate(date)} again from the queue as it now stands? It replaces every assignment of version ${plan.version}, those made by hand included${plan.status === 'submitted' ? ', and the parties’ decisions on it no longer count' : ''}.`)) {
        // Said, not done: the button stays offered.
        tell(status, 'info', 'Not drawn again: the plan stays as it is.');
        return;
      }
      const drawn = await postJSON(`/plans/${date}/redraft`, { based_on: plan.version, reason: reason.value.trim() });
      done(`Drawn again from the queue as version ${drawn.version}: check it, then send it to the parties.`);
      await showAnswer(drawn);
    };
    const submit = async (done) => {
      let saved = null;
      if (changed()) {
        // Sent as shown: the edits become a version first (their reason is logged).
        if (!reason.value.trim()) {
          reason.focus();
          throw new Error('The plan has changes not saved yet: give the reason for them, then send (they are saved as a new version first), or reload to drop them.');
        }
        // Shown at once: if the sending fails, Send again sends this
        // version, it does not store another copy of the same edits.
        saved = await save(done);
      }
      const version = saved?.version ?? plan.version;
      let answer;
      try {
        // The version shown (or just saved) goes, or none.
        answer = await postJSON(`/plans/${date}/submit?version=${version}&plan_hash=${saved?.plan_hash ?? plan.plan_hash}`);
      } catch (e) {
        if (e.name === 'AbortError') throw e;
        // Refused (changed meanwhile, 409) or failed: show the plan as it now stands.
        await load().catch(() => {});
        throw new Error(saved ? `Saved as version ${version}, but not sent to the parties: ${e.message}` : `Not sent: ${e.message}`);
      }
      // Sent, whatever the redraw does.
      done(`Version ${version} ${saved ? 'saved and ' : ''}sent to the parties.`);
      await showAnswer(answer);
    };
    mount(box,
      h('dl', { class: 'facts' },
        h('dt', null, 'Status'), h('dd', { id: 'plan-state', 'data-status': plan.status, 'data-rejected': String(Boolean(plan.rejected)) }, `${plan.status}${plan.rejected ? ', rejected' : ''}, version ${plan.version}`),
        h('dt', null, 'Optimised'), h('dd', null, score(plan.score)),
        h('dt', null, 'First come, first served'), h('dd', null, score(plan.fifo_score)),
        // The teams the day has, less those a stoppage stops.
        h('dt', null, 'Teams working'), h('dd', { id: 'plan-teams', 'data-teams': (plan.teams || []).map((t) => t.name).join(' ') },
          plan.teams?.length ? `${plan.teams.map((t) => `${t.name} ${t.start}–${t.end}${t.kept_clear?.length ? ` (kept clear: ${t.kept_clear.join('; ')})` : ''}`).join(', ')}, ${zoneName(zone, `${date}T12:00:00Z`)}` : 'none: no inspection can be planned for this day'),
        // Inspections booked by hand outside the plan: each needs a team the plan leaves free.
        plan.by_hand?.length ? [h('dt', null, 'Booked by hand'), h('dd', { id: 'plan-by-hand' }, plan.by_hand.map((b, i) => h('span', { 'data-id': b.application_id, 'data-fits': String(b.fits) },
          i ? '; ' : '', `${b.vessel_name} ${b.start}–${b.end}: `,
          b.team ? `${b.team} is free` : b.fits ? 'outside the teams’ hours' : h('span', { class: 'tag warn' }, 'no team free: revise the plan or move the booking'))))] : null,
        // Both due the day before the plan's own (the JCC's timetable).
        h('dt', null, 'Deadlines'), h('dd', { id: 'plan-deadlines' }, plan.deadlines ? `on ${fmtDate(addDays(date, -1))}: ports’ departure plan by ${plan.deadlines.departure_plan}, approved plan by ${plan.deadlines.approved_plan}, ${zoneName(zone, `${date}T12:00:00Z`)}` : '—',
          plan.deadlines && plan.status !== 'approved' && deadlinePassed(date, plan.deadlines.approved_plan, zone) ? h('span', { class: 'tag warn', id: 'plan-deadline-passed' }, 'the approved plan’s deadline has passed') : null),
        h('dt', null, 'Approvals'), h('dd', { id: 'plan-approvals' }, planApprovals(plan))),
      // With the parties but no longer bookable: said before a party is refused.
      // Rejected under the parties' rule: said, not left in the approvals list.
      plan.rejected ? h('div', { id: 'plan-rejected' }, notice('error', 'The parties rejected this version (their reasons are under Approvals). Revise it, or draw it again from the queue, and send the new version.')) : null,
      plan.cannot_be_approved ? h('div', { id: 'plan-blocked' }, notice('error', `This version can no longer be approved: ${plan.cannot_be_approved}. Revise it and send the new version.`)) : null,
      rows.length ? h('div', { class: 'table-scroll' }, table) : notice('info', 'No inspection planned for this day.'),
      plan.status === 'submitted' ? h('p', { class: 'muted', id: 'plan-resubmit-note' },
        'This version is with the parties. Saving a change makes a new version, a draft again: the parties’ decisions on this one no longer count, and it must be sent again.') : null,
      editable ? h('div', { class: 'actions' }, reason,
        actionButton('Save changes', status, async (done) => {
          const saved = await save(done);
          done(`Saved as version ${saved.version}.`);
        }, { id: 'plan-save', class: 'secondary' }),
        plan.stored ? actionButton('Draw again from the queue', status, redraft, { id: 'plan-redraft', class: 'secondary' }) : null,
        plan.status === 'draft' ? actionButton('Send for the parties’ approval', status, submit, { id: 'plan-submit' }) : null) : null,
      status);
  };
  // The server answers a save or a send with the plan; an older server may not.
  const showAnswer = (answer) => (Array.isArray(answer?.assignments) ? show(answer) : load());
  const load = async () => {
    let plan;
    try {
      plan = await getJSON(`/plans/${date}`, null, { signal });
    } catch (e) {
      zoneKnown(centreZone());
      if (e instanceof NotAvailable) return mount(box, notice('info', 'The planner is not available on this server.'));
      throw e;
    }
    const z = learnZone(plan.time_zone);
    zoneKnown(z);
    onPlan?.(plan);
    if (onZone?.(z)) return;
    show(plan);
  };
  load().catch((e) => {
    if (e.name !== 'AbortError') mount(box, notice('error', `The plan could not be loaded: ${e.message}`));
  });
  const reload = async () => {
    if (unsaved()) {
      tell(status, 'info', 'The teams working may have changed: save or drop your edits, then reload to see the plan as it now stands.');
      return;
    }
    await load();
  };
  return { box, zone: zoneReady, reload };
}

/**
 * Where a vessel's place counts from. One tracking has not seen arrive
 * (no MMSI, out of coverage, an MMSI whose AIS names another ship) can be
 * recorded here, saying how the arrival is known: logged and public. A
 * recorded or seen arrival can be corrected the same way (the log keeps
 * both). Why tracking's arrival did not count, if it did not, is shown.
 */
function arrivalCell(e, area, areas, zone, status, reload) {
  const since = `${ARRIVAL[e.arrival] || 'since'} ${fmtDate(e.waiting_since)}`;
  const known = e.arrival === 'seen' || e.arrival === 'recorded';
  // A correction starts from the arrival as recorded (its time and area).
  const from = wallClock(known && e.arrived_at ? Date.parse(e.arrived_at) : Date.now(), zone);
  const at = h('input', { type: 'datetime-local', value: `${from.date}T${from.time}`, 'aria-label': `When ${e.vessel_name} arrived (${zoneName(zone)})` });
  // Where it waits decides which area's teams inspect it: the centre's
  // areas, and the place recorded before if the areas do not list it by
  // that name (open finding 65: only the corridor's generic name was
  // offered, which planned every vessel at the first area).
  const same = (x, y) => x?.trim().toLowerCase() === y?.trim().toLowerCase();
  const areaOf = (place) => (areas || []).find((a) => same(a.name, place) || a.places.some((p) => same(p, place)));
  // A place recorded before stands for its area (its area's name again
  // would be the same arrival).
  const own = e.arrival_area && !(areas || []).some((a) => same(a.name, e.arrival_area)) ? e.arrival_area : null;
  const named = (areas || []).map((a) => a.name).filter((n) => !(own && same(n, areaOf(own)?.name)));
  const choices = (areas || []).length
    ? [...(own ? [own] : []), ...named]
    : [...new Set([e.arrival_area, area].filter(Boolean))];
  const label = (c) => (areaOf(c) && !same(areaOf(c).name, c) ? `${c} (${areaOf(c).name})` : c);
  const where = h('select', { 'aria-label': `Where ${e.vessel_name} arrived`, 'data-arrival-area': '' },
    choices.map((c) => h('option', { value: c, selected: same(c, e.arrival_area) || (!e.arrival_area && same(c, areaOf(area)?.name)) }, label(c))));
  const evidence = h('input', { placeholder: known ? 'Why it is corrected (logged, public)' : 'How it is known (logged, public)', 'aria-label': `How ${e.vessel_name}'s arrival is known` });
  return h('div', null, h('details', null, h('summary', null, since, e.arrival === 'late' ? h('span', { class: 'tag warn' }, 'not seen') : e.arrival === 'unconfirmed' ? h('span', { class: 'tag warn' }, 'not confirmed') : null),
    h('span', { class: 'inline' }, at, choices.length > 1 ? where : null, evidence, actionButton(known ? 'Correct arrival' : 'Record arrival', status, async (done) => {
      if (!evidence.value.trim()) throw new Error(known ? 'Say why the arrival is corrected (a deck log, a sighting): it is logged and public.' : 'Say how the arrival is known (a notice of readiness, a sighting): it is logged and public.');
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(at.value)) throw new Error(`Choose when ${e.vessel_name} arrived (${zoneName(zone)}).`);
      const when = zonedInstant(at.value.slice(0, 10), at.value.slice(11, 16), zone);
      await postJSON(`/applications/${e.application_id}/arrival`, { at: `${when.toISOString().slice(0, 16)}:00Z`, area: where.value || choices[0] || area, evidence: evidence.value.trim() });
      done(`${e.vessel_name}: arrival ${known ? 'corrected' : 'recorded'} for ${fmtTimestamp(when, zone)}.`);
      await reload();
    }, { class: 'secondary', 'data-action': 'arrival' }))), awayTag(e), arrivalNote(e));
}

const ARRIVAL = { seen: 'seen by AIS', recorded: 'recorded', expected: 'ETA', late: 'ETA', unconfirmed: 'ETA', inspected: 'ETA' };

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
    // The corridor's inspection area, as an arrival names it by default.
    const area = await getJSON('/corridor', null, { signal }).then((c) => c.inspection_area || '', () => '');
    const zone = centreZone();
    const table = q.entries.length ? labelCells(h('table', { class: 'cards', id: 'coord-queue-table' },
      h('thead', null, h('tr', null, ['Place', 'Vessel', 'Status', 'Ready', 'Predicted', 'Arrival', 'Move to place', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, q.entries.map((e) => {
        const place = h('input', { type: 'number', min: 1, max: q.entries.length, value: e.place, 'aria-label': `New place for ${e.vessel_name}` });
        const reason = h('input', { 'aria-label': `Reason to move ${e.vessel_name}`, placeholder: 'Reason (logged, public)' });
        return h('tr', { 'data-id': e.application_id },
          h('td', { class: 'num' }, String(e.place)),
          h('th', { scope: 'row' }, e.vessel_name, e.wfp ? h('span', { class: 'tag' }, 'WFP') : null),
          h('td', null, statusTag(e.status)),
          h('td', null, e.ready ? 'ready' : '—'),
          h('td', null, fmtDate(e.predicted)),
          h('td', { 'data-arrival': e.arrival || '' }, arrivalCell(e, area, q.areas, zone, status, load)),
          h('td', null, h('span', { class: 'inline' }, place, reason)),
          h('td', null, actionButton('Move', status, async (done) => {
            if (!reason.value.trim()) throw new Error('A move needs a reason: it is logged and public.');
            await postJSON('/queue/overrides', { application_id: e.application_id, place: Number(place.value), reason: reason.value.trim() });
            done(`${e.vessel_name} moved to place ${place.value}.`);
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
  return { box, load };
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
  // Built once and then updated in place, row by row (keyed by the alert's
  // key): a push or the minute's re-read never takes the focus off an
  // Acknowledge button, a note being typed, or Refresh.
  const count = h('span', { id: 'alerts-count' });
  const refresh = h('button', { type: 'button', class: 'secondary', onclick: () => load('refresh').catch(fail) }, 'Refresh');
  const none = notice('info', 'No alerts.');
  const tbody = h('tbody');
  const table = h('table', { class: 'cards', id: 'alerts-table' },
    h('thead', null, h('tr', null, ['Alert', 'MMSI', 'Since', 'State', 'Detail', 'Acknowledgement'].map((t) => h('th', { scope: 'col' }, t)))),
    tbody);
  const tableBox = h('div', { class: 'table-scroll' }, table);
  const pendingLine = h('p', { id: 'alerts-pending' }, count, ' ', refresh);
  const row = (a, ack) => {
    const label = `${a.kind.replace(/_/g, ' ')}, MMSI ${a.mmsi}`;
    let cell;
    if (ack) {
      cell = h('span', { class: 'ack' }, `Acknowledged by ${String(ack.by).replace(/^user:/, '')}, ${fmtWorkTime(ack.at)}`, ack.note ? h('br') : null, ack.note || null);
    } else {
      const note = h('input', { type: 'text', maxlength: 2000, 'aria-label': `Note for ${label}`, placeholder: 'Note (optional)' });
      cell = h('span', { class: 'inline' }, note, actionButton('Acknowledge', status, async (done) => {
        await postJSON(`/alerts/${encodeURIComponent(a.key)}/acknowledgement`, note.value.trim() ? { note: note.value.trim() } : {});
        done(`Acknowledged: ${label}.`);
        await load('acknowledged');
      }, { 'data-action': 'acknowledge', 'aria-label': `Acknowledge ${label}` }));
    }
    return h('tr', { 'data-key': a.key, class: ack ? 'acked' : a.open ? 'open' : null },
      h('th', { scope: 'row' }, a.kind.replace(/_/g, ' ')),
      // The IMO its AIS named, when it did: an MMSI alone may be in no application.
      h('td', null, String(a.mmsi), a.imo ? h('br') : null, a.imo ? `IMO ${a.imo}` : null),
      h('td', null, fmtWorkTime(a.start)),
      h('td', null, a.open ? 'open' : `closed ${fmtWorkTime(a.end)}`),
      h('td', null, a.detail || ''),
      h('td', null, cell));
  };
  // `why` (start, connected, live, acknowledgement, poll, refresh, acknowledged; live
  // reasons that came together are named together, space-separated) is kept on the box
  // as data-loaded-by: the browser tests tell a live update from the re-read.
  // Several reads can be under way at once (the poll, live pushes, Refresh,
  // an acknowledgement): only the latest one started is drawn, or an older
  // answer arriving last would show an acknowledged alert as open again.
  // The reasons of the reads it overtook are named with it.
  let seq = 0;
  const whys = [];
  const load = async (why = 'start') => {
    const mine = ++seq;
    whys.push(why);
    let alerts;
    let open;
    let acks;
    try {
      [alerts, open, acks] = await Promise.all([
        // Anomalies only: routine entries and arrivals would fill the 500 and push an older open one out.
        getJSON('/alerts', { limit: ALERTS_READ, events: false }, { signal }),
        // And every open one, however old: the newest 500 may not hold it.
        getJSON('/alerts', { limit: ALERTS_READ, events: false, open: true }, { signal }),
        getJSON('/alerts/acknowledgements', null, { signal }),
      ]);
    } catch (e) {
      if (mine !== seq) return; // overtaken: the newer read says how it went
      throw e;
    }
    if (mine !== seq) return;
    const ackOf = new Map(acks.items.map((a) => [a.key, a]));
    // Entries, exits and arrivals are stored beside the alerts but are routine: nothing to acknowledge.
    const anomalies = mergeAlerts(alerts.items, open.items).filter((a) => !ROUTINE.has(a.kind));
    // Older closed alerts than the newest ALERTS_READ are not read: said so.
    const partial = alerts.items.length >= ALERTS_READ || open.items.length >= ALERTS_READ;
    // Unacknowledged first (open before closed), then newest first as the server sends them.
    const rank = (a) => (ackOf.has(a.key) ? 2 : a.open ? 0 : 1);
    const items = anomalies.map((a, i) => ({ a, i })).sort((x, y) => rank(x.a) - rank(y.a) || x.i - y.i).map((x) => x.a);
    const pending = items.filter((a) => !ackOf.has(a.key)).length;
    if (!box.contains(tableBox)) mount(box, pendingLine, none, tableBox, status);
    count.textContent = (!items.length ? '' : pending ? `${pending} to acknowledge.` : 'Every alert is acknowledged.')
      + (partial ? ` (Among the latest ${ALERTS_READ} alerts and the ${ALERTS_READ} latest open ones; the others are in GET /api/v1/alerts.)` : '');
    none.hidden = items.length > 0;
    tableBox.hidden = !items.length;
    // A row is kept while what it shows is unchanged (its note and focus with it).
    reconcile(tbody, items, (a) => a.key, (a, tr) => {
      const ack = ackOf.get(a.key);
      const shows = JSON.stringify([a.open, a.end, a.detail, ack?.at ?? null]);
      if (tr?.dataset.shows === shows) return tr;
      const fresh = row(a, ack);
      fresh.dataset.shows = shows;
      // A row redrawn (the alert closed) keeps the note typed in it.
      const typed = tr?.querySelector('input')?.value;
      if (typed && fresh.querySelector('input')) fresh.querySelector('input').value = typed;
      return fresh;
    });
    labelCells(table);
    box.dataset.loadedBy = [...new Set(whys.splice(0))].join(' ');
  };
  const fail = (e) => {
    if (e.name === 'AbortError') return;
    // Signed out under the user: the page says so; the table and the notes typed stay.
    if (e.status === 401 && box.contains(tableBox)) return;
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
  // A day in the address that is not one would break every clock below: tomorrow instead, said so.
  const asked = isDay(params.date) ? params.date : null;
  let date = asked || tomorrowIn(centreZone());
  const status = h('div', { 'aria-live': 'polite', id: 'coord-status' },
    params.date && !asked ? notice('info', `“${params.date}” is not a day (YYYY-MM-DD): showing tomorrow’s plan.`) : null);
  const submitted = h('div', null, notice('info', 'Loading…'));
  const approved = h('div', null, notice('info', 'Loading…'));
  const moving = h('div', null, notice('info', 'Loading…'));
  const moveStatus = h('div', { 'aria-live': 'polite', id: 'moves-status' });
  const onCause = h('div', null, notice('info', 'Loading…'));
  const causeStatus = h('div', { 'aria-live': 'polite', id: 'cause-status' });
  const causeSection = section('coord-cause', 'Inspections on cause',
    'This corridor clears approved vessels on their papers. Where the papers or tracking give cause, require an inspection (a second one after a pass): the cause is logged and the agent is told it.',
    onCause, causeStatus);
  causeSection.hidden = true;
  // The corridor's rules, read once: whether it inspects on cause.
  const policy = getJSON('/corridor', null, { signal }).then((c) => c.inspection_policy, () => null);
  const scheduleZone = h('span', { id: 'coord-schedule-zone' }, zoneName(centreZone()));
  const tomorrowLink = h('a', { href: href('/coordinate', { date: tomorrowIn(centreZone()) }) }, 'Tomorrow');
  const planSlot = h('div');
  let zoneReady = null;
  const load = async () => {
    const apps = await getJSON('/applications', null, { signal });
    mount(submitted, applicationsTable('to-review', apps.filter((a) => a.status === 'submitted'), (a) =>
      actionButton('Start review', status, async (done) => {
        await postJSON(`/applications/${a.id}/review`);
        done(`${a.id} is before the parties.`);
        await load();
      }, { 'data-action': 'review' })));
    // Times typed here are on the plan's clock: wait (briefly) for the
    // server to name its zone; each row says, and converts in, the zone it shows.
    await Promise.race([zoneReady, new Promise((r) => setTimeout(r, 2000))]);
    const zone = centreZone();
    // Also a vessel whose booking no longer stands (stopped, or its time
    // passed without a result): the server says why (`rebook`), and it is
    // booked again from here.
    const toSchedule = apps.filter((a) => (a.status === 'approved' && !a.cleared_on_papers) || a.status === 'failed_not_ready' || (a.status === 'awaiting_inspection' && a.rebook));
    mount(approved, applicationsTable('to-schedule', toSchedule, (a) => {
      // The centre's clock, as the plan's times: in an hour, to the minute.
      const soon = wallClock(Date.now() + 3600e3, zone);
      const at = h('input', { type: 'datetime-local', 'aria-label': `Inspection time for ${a.vessel} (${zoneName(zone)})`, value: `${soon.date}T${soon.time}` });
      return h('span', { class: 'inline' }, a.rebook ? h('span', { class: 'tag warn', 'data-rebook': 'true' }, a.rebook) : null, at, actionButton(a.rebook ? 'Book again' : 'Schedule', status, async (done) => {
        if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(at.value)) {
          at.focus();
          throw new Error(`Choose a date and time (${zoneName(zone)}) for ${a.vessel}'s inspection first.`);
        }
        const when = zonedInstant(at.value.slice(0, 10), at.value.slice(11, 16), zone);
        await postJSON(`/applications/${a.id}/inspection/schedule`, { at: `${when.toISOString().slice(0, 16)}:00Z` });
        done(`${a.id} scheduled for ${fmtTimestamp(when, zone)}.`);
        await load();
      }, { 'data-action': 'schedule' }));
    }, { readiness: true }));
    scheduleZone.textContent = zoneName(zone);
    mount(moving, applicationsTable('to-move', apps.filter((a) => moveOf(a)), (a) => {
      const [action, label, question] = moveOf(a);
      return actionButton(label, moveStatus, async (done) => {
        if (!window.confirm(question(a))) {
          tell(moveStatus, 'info', `Nothing recorded for ${a.id}.`);
          return;
        }
        const page = await postJSON(`/applications/${a.id}/${action}`);
        // The server's answer, whatever the redraw does.
        done(page?.status ? `${a.id} (${a.vessel}) is now ${STATUS[page.status] || page.status}.` : `${a.id} (${a.vessel}): recorded.`);
        await load();
      }, { 'data-action': action, 'aria-label': `${label}: ${a.vessel} (${a.id})` });
    }));
    causeSection.hidden = (await policy) !== 'on_cause';
    if (causeSection.hidden) return;
    mount(onCause, applicationsTable('to-inspect-on-cause', apps.filter(mayRequireInspection), (a) => {
      const second = a.status === 'inspection_passed';
      const reason = h('input', { type: 'text', maxlength: 2000, 'aria-label': `Cause for inspecting ${a.vessel} (${a.id})`, placeholder: 'The cause (logged, told to the agent)' });
      const label = second ? 'Require a second inspection' : 'Require an inspection';
      return h('span', { class: 'inline' }, reason, actionButton(label, causeStatus, async (done) => {
        if (!reason.value.trim()) {
          reason.focus();
          throw new Error(`Give the cause for inspecting ${a.vessel} first: it is logged and the agent is told it.`);
        }
        await postJSON(`/applications/${a.id}/inspection/require`, { reason: reason.value });
        const inReview = ['submitted', 'under_review', 'held'].includes(a.status);
        done(`${a.id} (${a.vessel}) ${inReview ? 'will wait, once approved, for an' : `now waits for ${second ? 'a second' : 'an'}`} inspection.`);
        await load();
      }, { 'data-action': 'require-inspection' }));
    }));
  };
  const planSection = section('coord-plan', '', h('span', null, 'Optimised against the queue rule; FIFO shown for comparison. ', tomorrowLink), planSlot);
  const planHeading = planSection.querySelector('h2');
  let plan = null;
  const showPlan = () => {
    planHeading.textContent = `Inspection plan for ${fmtDate(date)}`;
    const panel = planPanel(date, signal, (zone) => {
      tomorrowLink.href = href('/coordinate', { date: tomorrowIn(zone) });
      // Without a day asked for, "tomorrow" is the plan's zone's, which may not be the one guessed.
      if (asked || tomorrowIn(zone) === date) return false;
      date = tomorrowIn(zone);
      showPlan();
      return true;
    }, (p) => stoppages.setParties(p.required_parties));
    plan = panel;
    mount(planSlot, panel.box);
    return panel.zone;
  };
  const queue = queuePanel(signal);
  // A stoppage declared or lifted changes the teams the plan may book and the queue's predictions.
  const stoppages = stoppagesPanel(signal, { onChange: () => Promise.all([plan?.reload(), queue.load()]) });
  zoneReady = showPlan();
  zoneReady.then(() => setTimeout(() => stoppages.partiesUnknown('the day’s plan could not be read'), 0));
  load().catch((e) => {
    if (e.name !== 'AbortError') mount(status, notice('error', `Could not be loaded: ${e.message}`));
  });
  mount(root, status,
    section('coord-corridor', 'The corridor', null, corridorPanel(signal)),
    section('coord-review', 'Submitted: to put before the parties', 'Starting the review opens each party’s decision clock.', submitted),
    section('coord-schedule', 'Approved: to inspect', h('span', null, 'Schedule an inspection outside the daily plan (times are ', scheduleZone, ').'), approved),
    section('coord-movements', 'After the inspection: departures, arrivals, closing',
      'A passed vessel (or, where the corridor inspects on cause, one cleared on its papers) departs through the corridor and arrives; an application that has ended (arrived, rejected, withdrawn, expired or failed as non-compliant) is closed. Each is logged.', moving, moveStatus),
    causeSection,
    planSection,
    section('coord-stoppages', 'Days off and stoppages', 'Days the teams do not work, or fewer of them: the plans and the queue’s predictions count them. Each declaration and lift is logged with its reason and shown to the public.', stoppages.box),
    section('coord-queue-panel', 'The inspection queue', 'Overrides of the written rule are logged with their reason and shown to the public.', queue.box),
    section('coord-alerts-panel', 'Corridor alerts', 'Each acknowledgement is logged with your note and shown to the parties and the public.', alertsPanel(signal)));
});
