// The inspector's screens, made for a phone on deck: the day's inspections
// (the approved plan's assignments where there is one), the checklist, and
// the result with findings.
import { getJSON, NotAvailable, postJSON } from '../api.js';
import { h, mount, notice, tell } from '../dom.js';
import { centreZone, dayIn, fmtClock, fmtDate, fmtTimestamp, fmtTonnes, fmtWorkTime, isDay, learnZone, wallClock, zoneName } from '../format.js';
import { go, href } from '../route.js';
import { forRole, runAction, statusTag } from './work.js';

/** The corridor's inspection checklist ([{ id, label }]), as configured. */
async function checklist(signal) {
  const corridor = await getJSON('/corridor', null, { signal });
  return corridor.inspection_checklist || [];
}

/**
 * The plan's assignments for a day by application id (empty without a
 * plan), its cancelled slots (a stoppage stopped them, or the vessel was
 * booked again elsewhere), the day (without `date`, the server's today in
 * the centre's zone) and the zone the plan's HH:MM times are in.
 */
async function assignments(date, signal) {
  try {
    const day = await getJSON('/inspections', date ? { date } : null, { signal });
    return {
      byId: slotsById(day.inspections),
      cancelled: day.cancelled || [],
      date: day.date || date,
      zone: learnZone(day.time_zone),
    };
  } catch (e) {
    if (e instanceof NotAvailable) return { byId: new Map(), cancelled: [], date, zone: centreZone() };
    throw e;
  }
}

/**
 * The day's inspections by application id: the plan's slots and the
 * bookings by hand (team null), each with how it ended once inspected, so
 * an inspected booking by hand stays on its day's list (it once dropped off).
 */
export function slotsById(inspections) {
  return new Map((inspections || []).map((a) => [a.application_id, a]));
}

/**
 * Who the inspectors board on `date`, in time order: the plan's slots, and
 * vessels scheduled for the day outside it (or not yet given a time); not
 * those scheduled for another day, nor a slot the server cancelled (its
 * booking is the cancelled one; one booked again later the same day shows).
 */
export function dayList(apps, plan, date, zone) {
  const cancelled = new Map(plan.cancelled.map((c) => [c.application_id, c]));
  const onDay = (a) => !a.inspection_at || dayIn(zone, a.inspection_at) === date;
  const stopped = (a) => cancelled.get(a.id)?.start_at === a.inspection_at;
  const waiting = apps.filter((a) => plan.byId.has(a.id) || (a.status === 'awaiting_inspection' && onDay(a) && !stopped(a)));
  // A vessel the coordinator scheduled outside the plan shows its time too.
  const when = (a) => plan.byId.get(a.id)?.start_at || a.inspection_at || '9999';
  return waiting.sort((a, b) => when(a).localeCompare(when(b)) || a.id.localeCompare(b.id));
}

/** A scheduled time on the day's list: "07:00 UTC+3", with the date if it is another day's. */
function scheduledText(at, date, zone) {
  const w = wallClock(at, zone);
  return w.date === date ? `${w.time} ${w.zone}` : fmtTimestamp(at, zone);
}

export const inspectListScreen = forRole('inspector', 'Inspections', (root, { params, signal }) => {
  // A day typed into the address that is not one (2023-02-30, "tomorrow")
  // would make every clock on the screen throw: today instead, said so.
  const asked = params.date && isDay(params.date) ? params.date : null;
  // The inspectors' working day is the centre's, not UTC's (Istanbul is
  // UTC+3); without a day asked for, the server's today is taken once known.
  let date = asked || dayIn(centreZone());
  const body = h('div', { 'aria-live': 'polite' }, notice('info', 'Loading…'));
  const picker = h('input', { type: 'date', id: 'inspect-date', value: date, 'aria-label': 'Day' });
  picker.addEventListener('change', () => go('/inspect', { date: picker.value }));
  const title = h('h2', { id: 'inspect-title' });
  const zoneLine = h('p', { class: 'muted', id: 'inspect-zone' });
  const show = (zone) => {
    title.textContent = `Inspections, ${fmtDate(date)}`;
    picker.value = date;
    zoneLine.textContent = `Times are ${zoneName(zone, `${date}T12:00:00Z`)}.`;
  };
  show(centreZone());
  mount(root, h('section', { class: 'panel', id: 'inspect', 'aria-labelledby': 'inspect-title' },
    h('div', { class: 'panel-head' }, title, picker),
    params.date && !asked ? Object.assign(notice('info', `“${params.date}” is not a day (YYYY-MM-DD): showing today’s inspections.`), { id: 'inspect-date-notice' }) : null,
    zoneLine,
    body));
  Promise.all([getJSON('/applications', null, { signal }), assignments(asked, signal)]).then(([apps, plan]) => {
    date = plan.date || date;
    const { zone } = plan;
    show(zone);
    const waiting = dayList(apps, plan, date, zone);
    // Slots of the approved plan that no longer stand, and why: nobody goes out for them.
    const cancelled = plan.cancelled.length ? [h('h3', null, 'Cancelled'),
      h('ul', { id: 'inspect-cancelled' }, plan.cancelled.map((c) => h('li', { 'data-id': c.application_id },
        h('strong', null, c.vessel_name), ` · ${c.start}${c.team ? ` · team ${c.team}` : ' (outside the plan)'} — ${c.why}`)))] : [];
    if (!waiting.length) return mount(body, notice('info', 'No vessel is waiting for inspection.'), ...cancelled);
    mount(body, h('ol', { class: 'work-cards', id: 'inspect-list' }, waiting.map((a) => {
      const slot = plan.byId.get(a.id);
      return h('li', { 'data-id': a.id },
        h('a', { href: href(`/inspect/${a.id}`, { date }) }, h('strong', null, a.vessel), ` · ${a.id}`),
        // The slot's own ending if it has one (the vessel may be booked again since).
        h('span', null, statusTag(slot?.status || a.status)),
        // One clock for both: the plan's HH:MM (in the plan's zone) and a scheduled time, each with its zone.
        slot?.team != null ? h('span', { class: 'muted' }, `${slot.start}–${fmtClock(slot.end, date, zone)} · team ${slot.team}${slot.area ? ` · ${slot.area}` : ''}`)
          : slot ? h('span', { class: 'muted', 'data-scheduled': slot.start_at }, `scheduled ${scheduledText(slot.start_at, date, zone)} (outside the plan)${slot.area ? ` · ${slot.area}` : ''}`)
          : a.inspection_at ? h('span', { class: 'muted', 'data-scheduled': a.inspection_at }, `scheduled ${scheduledText(a.inspection_at, date, zone)} (outside the plan)`)
            : h('span', { class: 'muted' }, 'not in the day’s plan'));
    })), ...cancelled);
  }).catch((e) => {
    if (e.name !== 'AbortError') mount(body, notice('error', `Could not be loaded: ${e.message}`));
  });
});

/**
 * What the team has typed for an application, kept in the tab until the
 * result is recorded: a reload, or a page lost with the signal, must not
 * cost the checklist (`{checks: [ids], result, reason_code, text}`).
 */
export const drafts = {
  key: (id) => `corridor.inspection.${id}`,
  read(id, store = globalThis.sessionStorage) {
    try {
      return JSON.parse(store?.getItem(this.key(id)) || 'null');
    } catch {
      return null;
    }
  },
  write(id, draft, store = globalThis.sessionStorage) {
    try {
      store?.setItem(this.key(id), JSON.stringify(draft));
    } catch { /* private mode, full: the form still works */ }
  },
  clear(id, store = globalThis.sessionStorage) {
    try {
      store?.removeItem(this.key(id));
    } catch { /* as above */ }
  },
};

/**
 * Whether a result sent without an answer (the network dropped) was
 * recorded all the same: the application's last inspection is newer than
 * the one before the result was sent.
 */
export function recordedMeanwhile(before, now) {
  const at = now?.last_inspection?.recorded_at;
  return Boolean(at) && at !== (before?.last_inspection?.recorded_at ?? null);
}

export const inspectApplicationScreen = forRole('inspector', 'Inspection', (root, { params, signal }, id) => {
  const status = h('div', { 'aria-live': 'polite', id: 'inspect-status' });
  const body = h('div', null, notice('info', 'Loading…'));
  mount(root, h('p', { class: 'back' }, h('a', { href: href('/inspect', { date: isDay(params.date) ? params.date : undefined }) }, '‹ The day’s inspections')),
    h('section', { class: 'panel', id: 'inspection', 'aria-labelledby': 'in-title' }, h('h2', { id: 'in-title' }, id), status, body));

  const refresh = async () => {
    const day = isDay(params.date) ? params.date : null;
    const [app, items, plan] = await Promise.all([getJSON(`/applications/${id}`, null, { signal }), checklist(signal),
      assignments(day, signal).catch(() => null)]);
    const c = app.content;
    document.getElementById('in-title').textContent = `${c.vessel.name} · ${id}`;
    const form = h('form', { class: 'form', id: 'inspection-form' },
      h('fieldset', null, h('legend', null, 'Checklist'),
        items.map(({ id: k, label }) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: `check-${k}`, 'data-check': k }), ' ', label))),
      h('fieldset', null, h('legend', null, 'Result'),
        [['passed', 'Passed: cleared to sail'], ['not_ready', 'Failed: not ready (re-inspect later)'], ['non_compliant', 'Failed: non-compliant (passage denied)']]
          .map(([v, label]) => h('label', { class: 'check' }, h('input', { type: 'radio', name: 'result', value: v, required: true }), ' ', label)),
        h('div', { class: 'field' }, h('label', { for: 'finding-code' }, 'Finding code (failures)'), h('input', { id: 'finding-code', name: 'reason_code', placeholder: 'GAS_IN_HOLDS', autocapitalize: 'characters' })),
        h('div', { class: 'field' }, h('label', { for: 'finding-text' }, 'Findings'), h('textarea', { id: 'finding-text', name: 'text', rows: 3 }))),
      h('div', { class: 'actions' }, h('button', { type: 'submit', disabled: app.status !== 'awaiting_inspection' }, 'Record the result')));
    // What was typed before a reload comes back, until it is recorded.
    const kept = drafts.read(id);
    if (kept) {
      for (const k of kept.checks || []) if (form.elements[`check-${k}`]) form.elements[`check-${k}`].checked = true;
      for (const r of form.querySelectorAll('input[name=result]')) r.checked = r.value === kept.result;
      form.elements.reason_code.value = kept.reason_code || '';
      form.elements.text.value = kept.text || '';
    }
    form.addEventListener('input', () => drafts.write(id, {
      checks: items.filter(({ id: k }) => form.elements[`check-${k}`].checked).map(({ id: k }) => k),
      result: form.elements.result.value,
      reason_code: form.elements.reason_code.value,
      text: form.elements.text.value,
    }));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const result = form.elements.result.value;
      const checked = items.filter(({ id: k }) => form.elements[`check-${k}`].checked).map(({ id: k }) => k);
      const unchecked = items.filter(({ id: k }) => !checked.includes(k)).map(({ label }) => label);
      const code = form.elements.reason_code.value.trim();
      const text = form.elements.text.value.trim();
      if (!result) return tell(status, 'error', 'Choose a result.');
      if (result === 'passed' && unchecked.length) return tell(status, 'error', `A pass needs every check: not checked: ${unchecked.join('; ')}.`);
      if (result !== 'passed' && (!code || !text)) return tell(status, 'error', 'A failure needs a finding code and the findings.');
      const outcome = result === 'passed' ? { result } : { result, reason_code: code, text };
      // Once recorded, a redraw that fails (a weak signal) is not a failed
      // inspection; and the button waits, so a second tap sends nothing.
      await runAction(status, async (done) => {
        // The log keeps which checks the team confirmed, pass or fail.
        try {
          await postJSON(`/applications/${id}/inspection`, { outcome, checked });
        } catch (e) {
          // No answer: the result may have reached the server all the same.
          // Asked before "not recorded" is said (a review saw a result
          // logged, then refused as a second one, both called not recorded).
          if (e.status !== 0) throw e;
          const now = await getJSON(`/applications/${id}`, null, { signal }).catch(() => null);
          if (!recordedMeanwhile(app, now)) throw e;
          drafts.clear(id);
          done(`Recorded: ${now.last_inspection.outcome.result.replace(/_/g, ' ')} (the answer was lost on the way; the server has it).`);
          await refresh();
          return;
        }
        drafts.clear(id);
        done(`Recorded: ${result.replace(/_/g, ' ')}.`);
        await refresh();
      }, { button: ev.submitter || form.querySelector('button[type=submit]'), refused: 'Not recorded' });
    });
    const row = (k, v) => [h('dt', null, k), h('dd', null, v)];
    // Where and when the team goes: the day's slot, else the booking and
    // the place the vessel was seen or recorded arriving at.
    const slot = plan?.byId.get(id);
    const zone = plan?.zone || centreZone();
    const at = slot?.start_at || app.inspection_at;
    const where = slot?.area || app.area_arrival?.area;
    const cancelled = plan?.cancelled.find((x) => x.application_id === id && (!app.inspection_at || x.start_at === app.inspection_at));
    mount(body,
      cancelled ? h('p', { class: 'notice notice-error', id: 'in-cancelled', role: 'status' }, `Cancelled: ${cancelled.why}. Nothing is to be recorded for this slot.`) : null,
      h('dl', { class: 'facts' },
        row('Status', h('span', { id: 'in-state' }, statusTag(app.status))),
        at ? row('Booked', h('span', { id: 'in-slot' }, `${fmtTimestamp(at, zone)}${slot?.team ? ` · team ${slot.team}` : ''}`)) : null,
        where ? row('Where', h('span', { id: 'in-where' }, where)) : null,
        row('IMO', c.vessel.imo), row('Flag', c.vessel.flag),
        row('Cargo', c.cargo.map((l) => `${l.commodity.replace(/_/g, ' ')} ${fmtTonnes(l.tonnes)} t`).join('; ')),
        row('Crew', String(c.crew_count)),
        row('Ready', app.ready_at ? [`declared ${fmtWorkTime(app.ready_at)}`, app.readiness?.note ? ` (“${app.readiness.note}”)` : ''] : 'not declared')),
      app.status === 'awaiting_inspection' ? form : notice('info', `Nothing to record: the application is ${app.status.replace(/_/g, ' ')}.`));
  };
  refresh().catch((e) => {
    if (e.name !== 'AbortError') mount(body, notice('error', `Could not be loaded: ${e.message}`));
  });
});
