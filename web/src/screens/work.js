// What the working screens (agent, delegation, inspector, coordinator) share:
// the role gate, status names, the parties' decisions, the queue lookup.
import { getJSON, NotAvailable } from '../api.js';
import { h, labelCells, mount, notice, tell } from '../dom.js';
import { addDays, fmtDate, fmtWorkTime, zonedInstant } from '../format.js';
import { href } from '../route.js';
import { roleName, whoami } from '../session.js';

export const STATUS = {
  draft: 'Draft',
  submitted: 'Submitted',
  under_review: 'Under review',
  held: 'Held',
  approved: 'Approved',
  rejected: 'Rejected',
  withdrawn: 'Withdrawn',
  expired: 'Expired',
  awaiting_inspection: 'Awaiting inspection',
  inspection_passed: 'Inspection passed',
  failed_not_ready: 'Failed: not ready',
  failed_non_compliant: 'Failed: non-compliant',
  in_transit: 'In transit',
  arrived: 'Arrived',
  closed: 'Closed',
};

export const statusTag = (s) => h('span', { class: `tag status-${s}`, 'data-status': s }, STATUS[s] || s);

/**
 * Runs `render(me)` when the signed-in user has `role`; otherwise asks them
 * to sign in (or says the screen is not theirs). Returns the teardown.
 */
export function forRole(role, title, render) {
  return (root, params, ...args) => {
    // One controller per attempt: what a render that failed half-way had
    // started (requests, feeds, timers) ends before it is tried again.
    let ctl = null;
    let inner = null;
    // The gate's own messages carry data-gate: a sign-in from the page's
    // notice (main.js) redraws a screen that is showing one.
    const failed = (gateKind, text) => mount(root, h('section', { class: 'panel', 'data-gate': gateKind }, h('h2', null, title),
      notice('error', text),
      h('p', null, h('button', { type: 'button', onclick: gate }, 'Try again'))));
    const gate = () => {
      ctl?.abort();
      inner?.destroy?.();
      inner = null;
      const attempt = new AbortController();
      ctl = attempt;
      mount(root, h('section', { class: 'panel' }, notice('info', 'Loading…')));
      whoami().then((me) => {
        if (attempt.signal.aborted) return;
        if (!me) {
          const next = location.hash.replace(/^#/, '');
          mount(root, h('section', { class: 'panel', 'data-gate': 'signed-out' }, h('h2', null, title),
            notice('info', 'This screen is for signed-in users.'),
            h('p', null, h('a', { href: href('/login', { next }) }, 'Sign in'))));
          return;
        }
        if (me.role.role !== role) {
          mount(root, h('section', { class: 'panel', 'data-gate': 'role' }, h('h2', null, title),
            notice('error', `This screen is for the ${role} role; you are signed in as ${roleName(me.role)}.`)));
          return;
        }
        try {
          inner = render(root, { me, params, signal: attempt.signal }, ...args) || null;
        } catch (e) {
          // A screen that throws while it is drawn must not be left saying "Loading…".
          attempt.abort();
          failed('error', `This screen could not be shown: ${e.message}`);
        }
      }, (e) => {
        // The server could not say who is signed in (offline, a server
        // error): the tab stays signed in, and the user can try again.
        if (attempt.signal.aborted) return;
        failed('unknown', `Could not check who is signed in: ${e.message}`);
      });
    };
    gate();
    return { destroy: () => { ctl?.abort(); inner?.destroy?.(); } };
  };
}

/** Each party's decision on an application (its status page). */
/**
 * What a party decided on the version an amendment replaced (voided by it),
 * while it has not decided on the new one: a hold's reason stays in view
 * for the agent who must put it right and for the other parties.
 */
export function earlierDecisionText(p, amendedAt, fmt = fmtWorkTime) {
  const b = p?.before_amendment;
  if (!b || p.decision) return '';
  const why = [b.reason_code, b.reason].filter(Boolean).join(': ');
  return `${b.decision} on the version before the amendment${amendedAt ? ` of ${fmt(amendedAt)}` : ''}${why ? ` (${why})` : ''}`;
}

export function partiesTable(page) {
  return labelCells(h('table', { class: 'cards parties' },
    h('thead', null, h('tr', null, ['Party', 'Decision', 'Reason', 'Deadline'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, (page.parties || []).map((p) => h('tr', { 'data-party': p.party },
      h('th', { scope: 'row' }, p.party),
      h('td', null, p.decision ? h('span', { class: `tag decision-${p.decision}` }, p.decision) : h('span', { class: 'muted' }, 'pending'),
        earlierDecisionText(p, page.amended_at) ? h('div', { class: 'muted earlier-decision' }, earlierDecisionText(p, page.amended_at)) : null),
      h('td', null, p.reason_code ? h('code', null, p.reason_code) : '', p.reason_code && p.reason ? ': ' : '', p.reason ? h('span', { class: 'party-reason' }, p.reason) : null),
      h('td', null, p.deadline ? fmtWorkTime(p.deadline) : '', p.overdue ? h('span', { class: 'tag warn' }, 'overdue') : null))))));
}

/**
 * Each required party's decision on a day's plan: approved, held (with the
 * reason code, and the reason's text where the server gives it) or pending.
 */
export function planApprovals(plan) {
  return (plan.required_parties || []).map((p) => {
    const a = (plan.approvals || []).find((x) => x.party === p);
    const text = typeof a?.reason === 'string' ? a.reason : '';
    const why = [a?.reason_code, text].filter(Boolean).join(': ');
    return h('span', { class: 'approval' },
      h('span', { class: `tag ${a ? `decision-${a.decision}` : ''}`, 'data-party': p }, `${p}: ${a ? a.decision : 'pending'}`),
      why ? h('span', { class: 'approval-reason', 'data-reason-for': p }, why) : null);
  });
}

/**
 * The public queue by application id (place, predicted slot), or an empty
 * map while the server has no queue; `mine` asks for the caller's own.
 */
export async function queueByApplication({ mine = false, signal } = {}) {
  try {
    const q = await getJSON('/queue', mine ? { mine: 'true' } : null, { signal });
    return new Map((q.entries || []).map((e) => [e.application_id, e]));
  } catch (e) {
    if (e instanceof NotAvailable) return new Map();
    throw e;
  }
}

/** "3rd, inspection 12 Nov (10-15 Nov)". */
/**
 * Where the vessel's arrival at the inspection area stands, for its agent:
 * seen by AIS or recorded by the coordinator (when, where), or not yet
 * (the ETA its place counts from). `app` is the application, `entry` its
 * queue entry if it waits; `fmt` formats a time on the centre's clock.
 */
export function arrivalText(app, entry, fmt = fmtWorkTime) {
  const a = app?.area_arrival;
  if (a) {
    const how = a.by === 'system:tracking' ? 'seen by AIS' : 'recorded by the coordinator';
    return `${how}: ${a.area}, ${fmt(a.at)}`;
  }
  if (!entry) return '—';
  const eta = `ETA ${fmt(app.content.eta_inspection_area)}`;
  if (entry.arrival === 'late') return `not seen by its ${eta}: it keeps that place until its arrival is seen or recorded`;
  if (entry.arrival === 'unconfirmed') return `its ${eta} has passed and no arrival is known: it keeps that place until the coordinator records its arrival`;
  if (entry.arrival === 'inspected') return `inspected at the area (its place counts from its ${eta})`;
  return `expected (${eta})`;
}

/**
 * What the agent is told of the vessel's inspection beyond its place: the
 * time booked while a booking stands (the queue's `booked`, the
 * application's `inspection_at`), or that the plans wait for its readiness
 * declaration. Empty when there is nothing to say.
 */
export function bookingText(app, entry, fmt = fmtWorkTime) {
  if (!entry) return '';
  if (entry.booked && app?.inspection_at) return `booked for ${fmt(app.inspection_at)}`;
  if (!entry.ready && !entry.requeued_from) return 'not declared ready: the daily plans take only vessels declared ready, so its predicted day comes forward once it is declared';
  return '';
}

/**
 * Whether the day-before deadline `hhmm` (the capacity's `deadlines`, on
 * the centre's clock in `zone`) of the plan for `date` has passed at `now`.
 */
export function deadlinePassed(date, hhmm, zone, now = new Date()) {
  if (!/^\d{2}:\d{2}$/.test(hhmm || '')) return false;
  return now.getTime() >= zonedInstant(addDays(date, -1), hhmm, zone).getTime();
}

export function slotText(entry) {
  if (!entry) return '';
  const range = entry.predicted_earliest && entry.predicted_latest && entry.predicted_earliest !== entry.predicted_latest
    ? ` (likely ${fmtDate(entry.predicted_earliest)} – ${fmtDate(entry.predicted_latest)})` : '';
  // Failed not ready: the re-queue delay says from when, not only "not ready".
  const requeued = entry.requeued_from ? `; may be inspected again from ${fmtDate(entry.requeued_from)}` : '';
  return `place ${entry.place}, predicted ${fmtDate(entry.predicted)}${range}${requeued}`;
}

/**
 * Runs one action and reports it into `status`. The action calls
 * `done(text)` once the server has taken it: from then on the action stands,
 * so a redraw that fails after it is told as such ("…, but the page could
 * not be redrawn"), never as the action failing (which would invite a
 * second try, refused or, worse, taken twice). `button` stays disabled while
 * the request is out, and after the action is taken. Errors before `done`
 * are the action's own, shown after `refused` if given. Resolves to whether
 * the action was taken.
 */
export async function runAction(status, action, { button = null, refused = '' } = {}) {
  if (button) button.disabled = true;
  let said = null;
  const done = (text) => {
    said = text;
    tell(status, 'info', text);
  };
  try {
    await action(done);
  } catch (e) {
    if (e.name === 'AbortError') return said !== null;
    if (said !== null) {
      tell(status, 'error', `${said.replace(/[.\s]*$/, '')}, but the page could not be redrawn: ${e.message.replace(/\.?$/, '.')} Reload the page to see it as it now stands.`);
    } else {
      tell(status, 'error', refused ? `${refused}: ${e.message}` : e.message);
    }
  } finally {
    if (button && said === null) button.disabled = false;
  }
  return said !== null;
}

/**
 * A button that runs `action(done)` once at a time and reports into
 * `status` (see `runAction`).
 */
export function actionButton(label, status, action, attrs = {}) {
  const b = h('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', async () => {
    if (b.disabled) return;
    mount(status, notice('info', `${label}…`));
    await runAction(status, action, { button: b });
  });
  return b;
}
