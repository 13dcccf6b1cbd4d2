// The public queue board: every vessel waiting for inspection, its place
// under the written rule and its predicted slot with the likely range. It
// refreshes itself, so a decision or an inspection shows without a reload.
import { getJSON, NotAvailable } from '../api.js';
import { h, labelCells, mount, notice } from '../dom.js';
import { dayIn, fmtDate, fmtTimestamp, learnZone } from '../format.js';

const REFRESH_MS = 4000;

/**
 * "Waiting since": a day on the centre's clock (`zone`), so it is compared
 * with the centre's day at `asOf`, not UTC's (between 00:00 and 03:00 in
 * Istanbul, UTC's date is still yesterday's). A day still to come reads
 * "arrives …".
 */
export function waitingText(waitingSince, asOf, zone) {
  if (!waitingSince) return '';
  const today = asOf ? dayIn(zone, asOf) : null;
  return today && waitingSince > today ? `arrives ${fmtDate(waitingSince)}` : fmtDate(waitingSince);
}

/** How the "waiting since" day is known (the queue's `arrival`), as a tag. */
export function arrivalTag(arrival) {
  switch (arrival) {
    case 'seen': return h('span', { class: 'tag', title: 'Tracking saw the vessel arrive at the inspection area' }, 'seen by AIS');
    case 'recorded': return h('span', { class: 'tag', title: 'The coordinator recorded its arrival at the inspection area' }, 'arrival recorded');
    case 'late': return h('span', { class: 'tag warn', title: 'Its declared ETA has passed and tracking has not seen it at the inspection area: it keeps its ETA’s place until its arrival is seen or recorded' }, 'not arrived by its ETA');
    case 'unconfirmed': return h('span', { class: 'tag warn', title: 'Its declared ETA has passed and no arrival is known yet (tracking cannot see this vessel): it keeps its ETA’s place until the coordinator records its arrival' }, 'arrival not confirmed');
    default: return null;
  }
}

/**
 * A vessel whose arrival counts but which tracking has heard since away
 * from every inspection area (the queue's `away`, `now_at`): it left, into a
 * port or out of the corridor, uninspected. Null otherwise.
 */
export function awayTag(e) {
  const text = awayText(e);
  return text ? h('span', { class: 'tag warn', 'data-away': '', title: 'Tracking has heard it away from the inspection area since its arrival, not inspected: the coordinator decides what follows' }, text) : null;
}

/** The words of `awayTag`, or '' when the vessel has not left. */
export function awayText(e) {
  if (!e?.away) return '';
  const place = e.now_at?.place;
  if (!place) return 'left the inspection area';
  return `left the inspection area: now ${/^(in the|outside the) corridor$/.test(place) ? '' : 'at '}${place}`;
}

/** Why an arrival tracking saw does not count (its AIS names another IMO, or none yet), if the entry says. */
export function arrivalNote(e) {
  return e?.arrival_note ? h('p', { class: 'muted', 'data-arrival-note': '' }, e.arrival_note) : null;
}

function board(q) {
  if (!q.entries?.length) return notice('info', 'No vessel is waiting for inspection.');
  return h('div', { class: 'table-scroll' }, labelCells(h('table', { class: 'cards', id: 'queue-board' },
    h('caption', null, `${q.entries.length} waiting`),
    h('thead', null, h('tr', null, ['Place', 'Vessel', 'IMO', 'Direction', 'Waiting since', 'Ready', 'Predicted inspection', 'Likely between']
      .map((t, i) => h('th', { scope: 'col', class: i === 0 ? 'num' : null }, t)))),
    h('tbody', null, q.entries.map((e) => h('tr', { 'data-id': e.application_id, class: e.mine ? 'mine' : null },
      h('td', { class: 'num' }, String(e.place)),
      h('th', { scope: 'row' }, e.vessel_name, e.wfp ? h('span', { class: 'tag' }, 'WFP') : null, e.mine ? h('span', { class: 'tag ok' }, 'yours') : null),
      h('td', null, e.imo || ''),
      h('td', null, e.direction || ''),
      h('td', { class: 'date', 'data-arrival': e.arrival || '' }, waitingText(e.waiting_since, q.as_of, learnZone(q.time_zone)), arrivalTag(e.arrival),
        awayTag(e), arrivalNote(e)),
      h('td', { 'data-readiness': readiness(e).key }, readiness(e).text),
      h('td', { class: 'date' }, fmtDate(e.predicted)),
      h('td', { class: 'date' }, likely(e))))))));
}

/** Where the vessel stands with its readiness (a failed inspection says so). */
function readiness(e) {
  if (e.status === 'failed_not_ready') {
    const times = e.not_ready_count > 1 ? ` (${e.not_ready_count}×)` : '';
    return { key: 'failed', text: h('span', { class: 'tag warn' }, `failed: not ready${times}`) };
  }
  // "Scheduled" only while the booking stands (a stopped or passed one waits again).
  if (e.ready) return { key: 'ready', text: e.booked ? `ready, booked for ${fmtDate(e.booked)}` : 'ready' };
  return { key: 'not-declared', text: h('span', { class: 'muted' }, 'not declared') };
}

const KINDS = { weather: 'weather', day_off: 'day off', party_absent: 'delegation absent', other: 'stoppage' };

/** "2 Dec 2026" or "2 Dec 2026 – 4 Dec 2026". */
export function daysText(from, to) {
  return from === to ? fmtDate(from) : `${fmtDate(from)} – ${fmtDate(to)}`;
}

/** The teams of `list` stopping, in words. */
const teamsStop = (list) => (list.length ? `${list.join(', ')} stop${list.length === 1 ? 's' : ''}` : 'no team stops');

/**
 * What a stoppage stops, in words: every team, or the teams it names (and
 * who is absent); day by day when that differs between its days.
 */
export function stoppageText(s) {
  const absent = s.absent?.length ? ` (${s.absent.join(', ')} absent)` : '';
  const stops = s.every_team ? 'no inspections'
    : s.days?.length ? s.days.map((d) => `${fmtDate(d.date)}: ${teamsStop(d.stops)}`).join('; ')
      : s.stops?.length ? teamsStop(s.stops) : 'fewer teams';
  return `${stops}${absent}: ${KINDS[s.kind] || s.kind}`;
}

/** The stoppages the predictions count, soonest first (empty when none). */
function stoppageList(q) {
  if (!q.stoppages?.length) return [];
  return [h('h3', null, 'Stoppages ahead'),
    h('ul', { id: 'queue-stoppages' }, q.stoppages.map((s) => h('li', { 'data-id': s.id },
      h('strong', null, daysText(s.from, s.to)), ` — ${stoppageText(s)} — ${s.reason}`)))];
}

/** The likely range; one day when it is certain (a scheduled inspection). */
function likely(e) {
  if (!e.predicted_earliest) return '';
  // Only a booking fixes the day; a one-day range is the queue as it stands.
  if (e.booked) return `${fmtDate(e.booked)} (booked)`;
  if (e.predicted_earliest === e.predicted_latest) return `${fmtDate(e.predicted_earliest)} (as the queue stands)`;
  return `${fmtDate(e.predicted_earliest)} – ${fmtDate(e.predicted_latest)}`;
}

export function queueScreen(root) {
  const ctl = new AbortController();
  // Not a live region: the board is redrawn whenever an entry changes, and
  // a screen reader would read out all of it each time. A short line says
  // that it changed instead.
  const body = h('div', { 'data-state': 'loading' }, notice('info', 'Loading…'));
  const changed = h('p', { class: 'visually-hidden', id: 'queue-changed', role: 'status' });
  const rule = h('p', { class: 'muted', id: 'queue-rule' });
  const stamp = h('p', { class: 'muted', id: 'queue-updated' });
  // Days off and stoppages the coordinator declared: why a prediction skips a day.
  const stops = h('div', { id: 'queue-stoppages-box', 'aria-live': 'polite' });
  mount(root, h('section', { class: 'panel', id: 'queue', 'aria-labelledby': 'queue-title' },
    h('div', { class: 'panel-head' }, h('h2', { id: 'queue-title' }, 'Inspection queue')),
    h('p', { class: 'lead' }, 'Every vessel waiting for inspection, in order, with its predicted inspection date and the range it will likely fall in.'),
    rule, stops, changed, body, stamp));
  let timer = null;
  let last = '';
  let lastStops = '';
  const load = async () => {
    try {
      const q = await getJSON('/queue', null, { signal: ctl.signal });
      const key = JSON.stringify(q.entries);
      if (key !== last) {
        if (last) changed.textContent = `Queue updated: ${q.entries.length} vessel${q.entries.length === 1 ? '' : 's'} waiting.`;
        last = key;
        mount(body, board(q));
      }
      rule.textContent = q.rule ? `Order: ${q.rule}` : '';
      const stopsKey = JSON.stringify(q.stoppages || []);
      if (stopsKey !== lastStops) {
        lastStops = stopsKey;
        mount(stops, ...stoppageList(q));
      }
      // On the centre's clock, as the board's days are.
      stamp.textContent = `As of ${fmtTimestamp(q.as_of || new Date().toISOString(), learnZone(q.time_zone))}; updates by itself.`;
      body.dataset.state = 'ready';
    } catch (e) {
      if (e.name === 'AbortError') return;
      const closed = e.status === 401 || e.status === 403;
      body.dataset.state = e instanceof NotAvailable ? 'unavailable' : closed ? 'closed' : 'error';
      mount(body, e instanceof NotAvailable ? notice('info', 'The queue board is not available yet on this server.')
        : closed ? notice('info', 'The queue board is not public on this server.') : notice('error', `Could not be loaded: ${e.message}`));
      // The notice replaced the board: the next answer is drawn even if the queue did not change.
      last = '';
      if (e instanceof NotAvailable) return;
    }
    timer = setTimeout(load, REFRESH_MS);
  };
  load();
  return { destroy: () => { ctl.abort(); clearTimeout(timer); } };
}
