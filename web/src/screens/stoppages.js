// The coordinator's days off and stoppages (/stoppages): declaring one
// (days on the centre's calendar, a kind, the absent parties, a cap on the
// teams, a reason), the list of every one declared, in force or lifted,
// with what each stops, and lifting one with a reason, asked first.
import { getJSON, NotAvailable, postJSON } from '../api.js';
import { h, labelCells, mount, notice, tell } from '../dom.js';
import { addDays, centreZone, dayIn, fmtWorkTime, isDay, knownZone, zoneName } from '../format.js';
import { daysText, stoppageText } from './queue.js';
import { actionButton } from './work.js';

export const STOPPAGE_KINDS = [
  ['weather', 'Weather'],
  ['day_off', 'Day off'],
  ['party_absent', 'A party’s delegation absent'],
  ['other', 'Other'],
];

/**
 * What the form's values ask the server for (POST /stoppages): the absent
 * parties only for `party_absent` (the server refuses them otherwise), the
 * team cap only when one is typed.
 */
export function stoppageRequest({ from, to, kind, absent = [], teams = '', reason = '' }) {
  const body = { from, to: to || from, kind, absent: kind === 'party_absent' ? [...absent] : [], reason: reason.trim() };
  if (String(teams).trim() !== '') body.teams = Number(teams);
  return body;
}

/**
 * Problems the form shows before asking the server: [{field, message}].
 * Only what is wrong on its face; the rest (a party_absent naming no party,
 * an unknown party, too long a stoppage) is the server's to say, and its
 * message, which names the field, is shown.
 */
export function stoppageProblems(body) {
  const out = [];
  if (!isDay(body.from)) out.push({ field: 'from', message: 'The first day is required (a day on the centre’s calendar).' });
  if (!isDay(body.to)) out.push({ field: 'to', message: 'The last day is required (a day on the centre’s calendar).' });
  else if (isDay(body.from) && body.to < body.from) out.push({ field: 'to', message: 'The last day is before the first.' });
  if (body.teams !== undefined && !(Number.isInteger(body.teams) && body.teams >= 0)) out.push({ field: 'teams', message: 'The teams still working are a whole number (0 or more), or leave it empty.' });
  if (!body.reason) out.push({ field: 'reason', message: 'A reason is required: it is logged and public.' });
  return out;
}

/** "In force", or who lifted it, when and why. */
export function stoppageState(s) {
  if (!s.lifted) return 'In force';
  return `Lifted by ${String(s.lifted.by).replace(/^user:/, '')}, ${fmtWorkTime(s.lifted.at)}: ${s.lifted.reason}`;
}

/**
 * The panel. `onChange()` is called after a declaration or a lift (the
 * screen re-reads what depends on it: the day's plan, the queue).
 * Returns {box, setParties(codes)}: the parties (for party_absent) come
 * from the day's plan's `required_parties`, the API having no other list.
 */
export function stoppagesPanel(signal, { onChange } = {}) {
  const status = h('div', { 'aria-live': 'polite', id: 'stoppage-status' });
  const listBox = h('div', { id: 'stoppages', 'aria-live': 'polite' }, notice('info', 'Loading…'));
  const listStatus = h('div', { 'aria-live': 'polite', id: 'stoppages-list-status' });
  const field = (id, label, input, hint) => h('div', { class: 'field', 'data-field': id },
    h('label', { for: `st-${id}` }, label), input, hint ? h('span', { class: 'hint', id: `st-${id}-hint` }, hint) : null,
    h('span', { class: 'field-error', id: `st-${id}-error`, 'aria-live': 'polite' }));
  const tomorrow = addDays(dayIn(centreZone()), 1);
  const from = h('input', { id: 'st-from', name: 'from', type: 'date', value: tomorrow, required: true, 'aria-describedby': 'st-days-hint st-from-error' });
  const to = h('input', { id: 'st-to', name: 'to', type: 'date', value: tomorrow, required: true, 'aria-describedby': 'st-days-hint st-to-error' });
  const kind = h('select', { id: 'st-kind', name: 'kind' }, STOPPAGE_KINDS.map(([v, label]) => h('option', { value: v }, label)));
  const partiesBox = h('div', { id: 'st-parties' }, h('p', { class: 'muted' }, 'Loading the parties…'));
  const absent = h('fieldset', { id: 'st-absent', 'data-field': 'absent', hidden: true, 'aria-describedby': 'st-absent-error' },
    h('legend', null, 'Absent parties'), partiesBox,
    h('span', { class: 'field-error', id: 'st-absent-error', 'aria-live': 'polite' }));
  const teams = h('input', { id: 'st-teams', name: 'teams', type: 'number', min: 0, step: 1, inputmode: 'numeric', 'aria-describedby': 'st-teams-hint st-teams-error' });
  const reason = h('textarea', { id: 'st-reason', name: 'reason', rows: 2, maxlength: 2000, 'aria-describedby': 'st-reason-hint st-reason-error' });
  const daysHint = h('span', { class: 'hint', id: 'st-days-hint' });
  const showZone = (zone) => {
    daysHint.textContent = `Days on the centre’s calendar, ${zoneName(zone)}: a stoppage runs from the first day’s midnight to the end of the last day there, both included.`;
  };
  showZone(centreZone());
  const form = h('form', { class: 'form', id: 'stoppage-form', novalidate: true },
    h('fieldset', null, h('legend', null, 'Declare a day off or a stoppage'),
      field('from', 'First day', from), field('to', 'Last day', to), daysHint,
      field('kind', 'Kind', kind), absent,
      field('teams', 'Teams still working (optional)', teams, 'Leave empty to stop every team (or, for an absent party, the teams that need it); a number caps the teams still working.'),
      field('reason', 'Reason', reason, 'Required. Logged and public: the queue board shows it.')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'declare-stoppage' }, 'Declare the stoppage')), status);
  const showKind = () => { absent.hidden = kind.value !== 'party_absent'; };
  kind.addEventListener('change', showKind);
  showKind();

  let parties = null;
  /** The parties as checkboxes (kept ticked across a redraw). */
  const setParties = (codes) => {
    if (!Array.isArray(codes) || !codes.length) return;
    if (parties && parties.join() === codes.join()) return;
    parties = [...codes];
    const ticked = new Set([...partiesBox.querySelectorAll('input:checked')].map((i) => i.value));
    mount(partiesBox, parties.map((p) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'absent', value: p, checked: ticked.has(p) }), ` ${p}`)));
  };
  const partiesUnknown = (why) => {
    if (!parties) mount(partiesBox, notice('info', `The parties could not be read (${why}); reload to declare a party absent.`));
  };

  const read = () => stoppageRequest({
    from: from.value, to: to.value, kind: kind.value,
    absent: [...partiesBox.querySelectorAll('input:checked')].map((i) => i.value),
    teams: teams.value, reason: reason.value,
  });
  const mark = (problems) => {
    for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    for (const p of problems) {
      const err = form.querySelector(`#st-${p.field}-error`);
      if (err) err.textContent = p.message;
      form.querySelector(`#st-${p.field}`)?.setAttribute('aria-invalid', 'true');
    }
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = read();
    const problems = stoppageProblems(body);
    mark(problems);
    if (problems.length) {
      form.querySelector(`#st-${problems[0].field}`)?.focus();
      tell(status, 'error', `Not declared: ${problems.map((p) => p.message).join(' ')}`);
      return;
    }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    mount(status, notice('info', 'Declaring…'));
    let s;
    try {
      s = await postJSON('/stoppages', body);
    } catch (e) {
      // The server's own words: they name the field.
      const field = /^(from|to|kind|absent|teams|reason):/.exec(e.message)?.[1];
      if (field) mark([{ field, message: e.message }]);
      tell(status, 'error', `Not declared: ${e.message}`);
      button.disabled = false;
      return;
    }
    button.disabled = false;
    reason.value = '';
    teams.value = '';
    for (const i of partiesBox.querySelectorAll('input:checked')) i.checked = false;
    tell(status, 'info', `Declared ${s.id}: ${daysText(s.from, s.to)}, ${stoppageText(s)}.`);
    await refresh();
  });

  // Several reads can be under way (the first, after an action): only the latest is drawn.
  let seq = 0;
  const load = async () => {
    const mine = ++seq;
    let list;
    try {
      list = await getJSON('/stoppages', null, { signal });
    } catch (e) {
      if (mine !== seq || e.name === 'AbortError') return;
      if (e instanceof NotAvailable) return mount(listBox, notice('info', 'No stoppages on this server.'));
      mount(listBox, notice('error', `The stoppages could not be loaded: ${e.message}`));
      return;
    }
    if (mine !== seq) return;
    // The days' zone as this answer names it (the screen's clock is the plan's: not changed here).
    const zone = knownZone(list.time_zone) ? list.time_zone : centreZone();
    showZone(zone);
    mount(listBox, list.stoppages.length ? h('div', { class: 'table-scroll' }, labelCells(h('table', { class: 'cards', id: 'stoppages-table' },
      h('caption', null, `Newest first. Days are the centre’s, ${zoneName(zone)}.`),
      h('thead', null, h('tr', null, ['Stoppage', 'Days', 'What it stops', 'Reason', 'Declared', 'State', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, list.stoppages.map((s) => row(s)))))) : notice('info', 'None declared.'));
  };
  const row = (s) => {
    let lift = '';
    if (s.in_force) {
      const why = h('input', { type: 'text', maxlength: 2000, 'aria-label': `Reason to lift ${s.id}`, placeholder: 'Reason (logged, public)', 'data-lift-reason': s.id });
      lift = h('span', { class: 'inline' }, why, actionButton('Lift', listStatus, async (done) => {
        if (!why.value.trim()) {
          why.focus();
          throw new Error(`Lifting ${s.id} needs a reason: it is logged and public.`);
        }
        if (!window.confirm(`Lift ${s.id} (${daysText(s.from, s.to)}, ${stoppageText(s)})? The teams it stops work again on those days, and the queue and the plans count them again.`)) {
          tell(listStatus, 'info', `${s.id} not lifted: it stays in force.`);
          return;
        }
        const lifted = await postJSON(`/stoppages/${encodeURIComponent(s.id)}/lift`, { reason: why.value.trim() });
        done(`${lifted.id} lifted.`);
        await refresh();
      }, { 'data-action': 'lift', 'aria-label': `Lift ${s.id}` }));
    }
    const teamsCap = s.teams != null ? ` At most ${s.teams} team${s.teams === 1 ? '' : 's'} working.` : '';
    return h('tr', { 'data-id': s.id, 'data-in-force': String(s.in_force) },
      h('th', { scope: 'row' }, s.id),
      h('td', null, daysText(s.from, s.to)),
      h('td', { 'data-stops': s.every_team ? '*' : (s.stops || []).join(' ') }, `${stoppageText(s)}.${teamsCap}`),
      h('td', null, s.reason),
      h('td', null, `${String(s.by).replace(/^user:/, '')}, ${fmtWorkTime(s.at)}`),
      h('td', { class: 'stoppage-state' }, s.lifted ? stoppageState(s) : h('span', { class: 'tag warn' }, 'In force')),
      h('td', null, lift));
  };
  /** After an action: this list, then what depends on it. Never reported as the action failing. */
  const refresh = async () => {
    await load().catch(() => {});
    try {
      await onChange?.();
    } catch {
      // the screen's own panels say if they could not be read again
    }
  };
  load();
  return {
    box: h('div', null, form, h('h3', null, 'Declared'), listBox, listStatus),
    setParties,
    partiesUnknown,
  };
}
