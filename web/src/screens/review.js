// The delegation's screens: its party's review queue, one application with
// its documents, and the decision (approve, hold, reject) signed here in the
// browser with the party's key. The key is imported non-extractable and kept
// in this tab's memory only: it signs, it is never sent or stored.
import { getJSON, NotAvailable, postJSON, request } from '../api.js';
import { h, labelCells, mount, notice } from '../dom.js';
import { addDays, centreZone, dayIn, fmtDate, fmtInt, fmtTonnes, fmtWorkTime, isDay, learnZone, zoneName } from '../format.js';
import { contentChanges } from '../appform.js';
import { href } from '../route.js';
import { importSigningKey, planContent, planShownProblem, receiptHolds, signDecision } from '../sign.js';
import { deadlinePassed, forRole, partiesTable, planApprovals, runAction, statusTag } from './work.js';

const IN_REVIEW = new Set(['submitted', 'under_review', 'held']);
let signingKey = null; // {privateKey, keyId, party}

// A key belongs to the session that loaded it: signing out (or in as
// someone else) forgets it, so the next user of this tab never inherits it.
window.addEventListener('corridor:session', () => {
  signingKey = null;
});

/** The loaded key if it is `party`'s, else null (and it is forgotten). */
function heldKey(party) {
  if (signingKey && signingKey.party !== party) signingKey = null;
  return signingKey;
}

/** The party's current registered key, to check a loaded key against. */
async function currentKeyId(party) {
  const keys = await getJSON('/parties/keys');
  const now = Date.now();
  const cur = keys.find((k) => k.party === party && Date.parse(k.valid_from) <= now && (!k.valid_until || Date.parse(k.valid_until) > now));
  return cur?.key_id ?? null;
}

function keyPanel(party, onChange) {
  const status = h('p', { id: 'key-status', 'aria-live': 'polite' });
  heldKey(party);
  const show = () => {
    status.textContent = signingKey ? `Signing as ${party} with key ${signingKey.keyId} (held in this tab only).` : `No signing key loaded: load ${party}'s private key (PKCS#8 PEM) to sign decisions.`;
    status.dataset.loaded = String(Boolean(signingKey));
  };
  const file = h('input', { type: 'file', id: 'key-file', accept: '.pem,.key,text/plain', 'aria-describedby': 'key-status' });
  file.addEventListener('change', async () => {
    const f = file.files[0];
    if (!f) return;
    try {
      const key = await importSigningKey(await f.text());
      const registered = await currentKeyId(party);
      if (key.keyId !== registered) {
        throw new Error(`this key (${key.keyId}) is not ${party}'s current registered key (${registered ?? 'none'}); the server would refuse its signatures`);
      }
      signingKey = { ...key, party };
      show();
    } catch (e) {
      signingKey = null;
      show();
      status.textContent = `Key not loaded: ${e.message}`;
      status.dataset.loaded = 'false';
    } finally {
      file.value = '';
      // Loaded or not, the signing buttons follow: a key that failed to load
      // has replaced the one held before, and nothing can be signed now.
      onChange?.();
    }
  });
  show();
  return h('div', { class: 'key-panel' }, h('label', { for: 'key-file' }, `${party} signing key`), file, status);
}

// The centre's working day in `zone`: in Istanbul at 01:00 "tomorrow" is not UTC's.
const tomorrowIn = (zone) => addDays(dayIn(zone), 1);

/**
 * The daily inspection plan sent to the parties: the party signs its
 * approval of this exact version (its hash), like any decision.
 */
function planPanel(party, date, signal, onDeadline, onZone) {
  const box = h('div', { id: 'plan-review', 'aria-live': 'polite' }, notice('info', 'Loading the plan…'));
  const status = h('div', { 'aria-live': 'polite', id: 'plan-review-status' });
  const load = async () => {
    let plan;
    try {
      plan = await getJSON(`/plans/${date}`, null, { signal });
    } catch (e) {
      if (e instanceof NotAvailable) return mount(box, notice('info', 'No inspection plan on this server.'));
      throw e;
    }
    // The plan's times are in its zone; if the screen takes another day for it, this panel is replaced.
    if (onZone?.(learnZone(plan.time_zone))) return;
    onDeadline?.(plan.deadlines, learnZone(plan.time_zone), plan.status);
    const mine = (plan.approvals || []).find((a) => a.party === party);
    const sign = async (decision, done) => {
      if (!heldKey(party)) throw new Error('Load your party’s signing key first.');
      // Signed only over the hash of the plan shown (what the server hashes: the day, the version, the assignments).
      const wrong = planShownProblem(plan, date, learnZone(plan.time_zone));
      if (wrong) throw new Error(`${wrong}: nothing was signed. Reload and review it again.`);
      const signed = await signDecision({ party, applicationId: plan.application_id, applicationHash: plan.plan_hash, content: planContent(plan), decision }, signingKey);
      const answer = await postJSON(`/plans/${date}/decisions`, signed);
      done(`Signed and recorded: ${decision.kind} of version ${plan.version}.`);
      keepReceipt(status, answer?.receipt, `${plan.application_id}-${party}`, answer?.receipt_error, signed.signature);
      await load();
    };
    const act = (label, decision, attrs) => h('button', { type: 'button', ...attrs,
      onclick: (ev) => runAction(status, (done) => sign(decision(), done), { button: ev.currentTarget, refused: 'Not recorded' }) }, label);
    // The server takes any reason code for a plan's hold (plain text, like an
    // application's): PLAN_HOLD unless the delegation names its own.
    const code = h('input', { id: 'plan-hold-code', 'aria-label': 'Reason code for a hold', value: 'PLAN_HOLD', maxlength: 64, autocapitalize: 'characters' });
    const reason = h('input', { id: 'plan-hold-reason', 'aria-label': 'Reason for a hold', placeholder: 'Reason for a hold' });
    const zone = centreZone();
    mount(box,
      h('p', null, h('strong', { id: 'plan-review-state', 'data-status': plan.status }, `${plan.status}, version ${plan.version}`),
        ` · ${plan.assignments.length} inspections · `, mine ? h('span', { class: `tag decision-${mine.decision}` }, `${party}: ${mine.decision}`) : h('span', { class: 'muted' }, `${party}: not signed`)),
      plan.approvals?.length ? h('p', { id: 'plan-review-approvals' }, planApprovals(plan)) : null,
      plan.assignments.length ? h('div', { class: 'table-scroll' }, labelCells(h('table', { class: 'cards', id: 'plan-review-table' },
        h('caption', null, `Times are ${zoneName(zone, `${date}T12:00:00Z`)}.`),
        h('thead', null, h('tr', null, ['Start', 'End', 'Team', 'Vessel', 'Application'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, plan.assignments.map((a) => h('tr', null, h('td', null, a.start), h('td', null, a.end), h('td', null, a.team),
          h('th', { scope: 'row' }, a.vessel_name), h('td', null, a.application_id))))))) : null,
      plan.status === 'submitted' ? h('div', { class: 'actions' },
        act('Sign approval of the plan', () => ({ kind: 'approve' }), { id: 'plan-approve' }),
        code, reason,
        act('Hold the plan', () => {
          if (!code.value.trim() || !reason.value.trim()) throw new Error('Say why the plan is held: a reason code and a reason.');
          return { kind: 'hold', reason_code: code.value.trim(), text: reason.value.trim() };
        }, { class: 'secondary', id: 'plan-hold' })) : notice('info', plan.status === 'draft' ? 'The coordinator has not sent this plan for approval yet.' : `The plan is ${plan.status}.`),
      status);
  };
  load().catch((e) => {
    if (e.name !== 'AbortError') mount(box, notice('error', `The plan could not be loaded: ${e.message}`));
  });
  return box;
}

export const reviewListScreen = forRole('delegate', 'Review', (root, { me, params, signal }) => {
  const party = me.role.party;
  // A day in the address that is not one would break the plan's clocks: tomorrow instead, said so.
  const asked = isDay(params.date) ? params.date : null;
  let date = asked || tomorrowIn(centreZone());
  const body = h('div', { 'aria-live': 'polite' }, notice('info', 'Loading…'));
  const planTitle = h('h2', { id: 'review-plan-title' });
  const dueZone = h('span', null, zoneName(centreZone()));
  // The plan is due the day before its own (the JCC's timetable).
  const dueDay = h('span', { id: 'review-plan-due-day' });
  // The centre's own deadline once the plan names it (the capacity's `deadlines`).
  const dueTime = h('span', { id: 'review-plan-due-time' }, '16:00');
  const duePassed = h('strong', { id: 'review-plan-due-passed' });
  const planSlot = h('div');
  const showPlan = () => {
    planTitle.textContent = `Inspection plan for ${fmtDate(date)}`;
    dueDay.textContent = fmtDate(addDays(date, -1));
    duePassed.textContent = '';
    mount(planSlot, planPanel(party, date, signal, (deadlines, zone, status) => {
      if (!deadlines?.approved_plan) return;
      dueTime.textContent = deadlines.approved_plan;
      // An approved plan met it, or was late once: nothing left to warn of.
      duePassed.textContent = status !== 'approved' && deadlinePassed(date, deadlines.approved_plan, zone) ? ' That time has passed.' : '';
    }, (zone) => {
      dueZone.textContent = zoneName(zone);
      // Without a day asked for, "tomorrow" is the plan's zone's, which may not be the one guessed.
      if (asked || tomorrowIn(zone) === date) return false;
      date = tomorrowIn(zone);
      showPlan();
      return true;
    }));
  };
  showPlan();
  mount(root, h('section', { class: 'panel', id: 'review', 'aria-labelledby': 'review-title' },
    h('h2', { id: 'review-title' }, `${party} delegation: applications to decide`),
    h('p', { class: 'lead' }, 'Applications under review, those waiting for your party’s decision first. Each decision is signed with your party’s key in this browser.'),
    keyPanel(party), body),
  h('section', { class: 'panel', id: 'review-plan', 'aria-labelledby': 'review-plan-title' },
    planTitle,
    params.date && !asked ? notice('info', `“${params.date}” is not a day (YYYY-MM-DD): showing tomorrow’s plan.`) : null,
    h('p', { class: 'lead' }, 'The coordinator’s plan for the day, for your party’s signed approval (the approved plan is due by ', dueTime, ' on ', dueDay, ', the day before, ', dueZone, ').', duePassed),
    planSlot));
  (async () => {
    const apps = (await getJSON('/applications', null, { signal })).filter((a) => IN_REVIEW.has(a.status));
    // One status page each: one that cannot be read costs its own row,
    // not the whole list.
    const settled = await Promise.allSettled(apps.map((a) => getJSON(`/applications/${a.id}/status`, null, { signal })));
    if (signal?.aborted) return;
    const pages = settled.map((r) => (r.status === 'fulfilled' ? r.value : null));
    const unread = pages.filter((p) => !p).length;
    const rows = apps.map((a, i) => {
      const mine = pages[i]?.parties?.find((p) => p.party === party);
      return { a, page: pages[i], mine, waiting: a.status !== 'submitted' && !mine?.decision };
    }).sort((x, y) => Number(y.waiting) - Number(x.waiting) || x.a.id.localeCompare(y.a.id));
    if (!rows.length) return mount(body, notice('info', 'Nothing to review.'));
    mount(body, unread ? Object.assign(notice('error', `${unread} of ${apps.length} applications’ decisions could not be read (marked below): reload the page to try again.`), { id: 'review-unread' }) : null,
      h('div', { class: 'table-scroll' }, labelCells(h('table', { class: 'cards', id: 'review-queue' },
      h('thead', null, h('tr', null, ['Application', 'Vessel', 'Status', `${party}'s decision`, 'Deadline'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows.map(({ a, page, mine, waiting }) => h('tr', { 'data-id': a.id, 'data-waiting': String(waiting) },
        h('th', { scope: 'row' }, h('a', { href: href(`/review/${a.id}`) }, a.id)),
        h('td', null, a.vessel, h('span', { class: 'muted' }, ` IMO ${a.imo}`)),
        h('td', null, statusTag(a.status)),
        h('td', null, !page ? h('span', { class: 'tag warn', 'data-unread': 'true' }, 'could not be read')
          : mine?.decision ? h('span', { class: `tag decision-${mine.decision}` }, mine.decision) : a.status === 'submitted' ? h('span', { class: 'muted' }, 'review not started') : h('strong', null, 'yours to decide')),
        h('td', null, mine?.deadline ? fmtWorkTime(mine.deadline) : '', mine?.overdue ? h('span', { class: 'tag warn' }, 'overdue') : null))))))));
  })().catch((e) => {
    if (e.name !== 'AbortError') mount(body, notice('error', `Could not be loaded: ${e.message}`));
  });
});

/**
 * The server's receipt for a signed decision just logged: its log entry,
 * and a download of the receipt (the entry with the party's signature, a
 * signed checkpoint that covers it, and its inclusion proof), which the party keeps to show later what the
 * log holds (`corridor verify --checkpoint`).
 */
function keepReceipt(status, receipt, name, why, signature) {
  if (!receipt?.checkpoint) {
    // Logged all the same; said, so nobody waits for a receipt.
    if (why) status.append(h('p', { class: 'muted', id: 'decision-receipt-missing' }, `No receipt this time: ${why}`));
    return;
  }
  // Checked here before it is offered: a receipt that does not hold
  // together is said to be so, not kept as proof.
  const note = h('p', { class: 'muted', 'data-seq': String(receipt.seq) }, 'Checking the receipt…');
  status.append(note);
  receiptHolds(receipt, signature).then((ok) => {
    if (!ok) {
      mount(note, h('strong', null, `The server’s receipt for entry ${receipt.seq} does not hold together (its entry is not the signature just made, or its proof does not lead to its checkpoint): tell the coordinator, and check the log with corridor verify.`));
      return;
    }
    const file = new Blob([`${JSON.stringify(receipt, null, 2)}\n`], { type: 'application/json' });
    const link = h('a', { href: URL.createObjectURL(file), download: `receipt-${name}-${receipt.seq}.json`, id: 'decision-receipt' }, 'Download the receipt');
    mount(note, `Logged as entry ${receipt.seq}, covered by a checkpoint signed over ${receipt.checkpoint.size} entries. `, link,
      ' and keep it: it shows what the log held, whatever the server says later.');
  });
}

/**
 * What changed since the version the parties last decided on (every
 * decision on it was voided by the amendment that replaced it; later
 * amendments before anyone decided again are in the list too).
 */
function amendmentPanel(app) {
  const changes = contentChanges(app.amended_from.content, app.content);
  const show = (v) => (v === null ? '—' : String(v));
  return h('section', { id: 'ra-amended' },
    h('h3', null, `Changed since the version the parties last decided on (replaced ${fmtWorkTime(app.amended_from.at)})`),
    changes.length
      ? h('ul', null, changes.map((c) => h('li', { 'data-field': c.field }, h('strong', null, c.field), `: ${show(c.before)} → ${show(c.after)}`)))
      : h('p', { class: 'muted' }, 'Nothing shown differs.'));
}

function contentFacts(c) {
  const row = (k, v) => [h('dt', null, k), h('dd', null, v)];
  return h('dl', { class: 'facts' },
    row('Vessel', `${c.vessel.name} (IMO ${c.vessel.imo}, flag ${c.vessel.flag}${c.vessel.mmsi ? `, MMSI ${c.vessel.mmsi}` : ''}, ${fmtInt(c.vessel.deadweight_tonnes)} t DWT)`),
    row('Voyage', `${c.itinerary.from_port} → ${c.itinerary.port} → ${c.itinerary.to_port} (${c.itinerary.destination_country})`),
    row('Cargo', c.cargo.map((l) => `${l.commodity.replace(/_/g, ' ')} ${fmtTonnes(l.tonnes)} t`).join('; ')),
    row('Crew, passengers', `${c.crew_count}, ${c.passenger_count}`),
    row('At the inspection area', fmtWorkTime(c.eta_inspection_area)),
    row('Last port calls', c.last_port_calls.length ? c.last_port_calls.map((p) => `${p.locode} (${fmtWorkTime(p.departed)})`).join(', ') : 'none declared'));
}

async function download(appId, doc) {
  const blob = await request('GET', `/applications/${appId}/documents/${doc.sha256}`, { raw: true });
  const a = h('a', { href: URL.createObjectURL(blob), download: doc.filename });
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

export const reviewApplicationScreen = forRole('delegate', 'Application', (root, { me, signal }, id) => {
  const party = me.role.party;
  const status = h('div', { 'aria-live': 'polite', id: 'review-status' });
  const body = h('div', null, notice('info', 'Loading…'));
  mount(root, h('p', { class: 'back' }, h('a', { href: href('/review') }, '‹ Review queue')),
    h('section', { class: 'panel', id: 'review-application', 'aria-labelledby': 'ra-title' },
      h('h2', { id: 'ra-title' }, id), keyPanel(party, () => keyChanged()), status, body));

  // Loading the key only enables the signing buttons: the decision form,
  // with the code and reason already typed, is left as it is.
  const keyChanged = () => {
    for (const b of body.querySelectorAll('[data-needs-key]')) b.disabled = !heldKey(party) || b.dataset.needsKey === 'never';
  };

  const refresh = async () => {
    const [app, page] = await Promise.all([
      getJSON(`/applications/${id}`, null, { signal }),
      getJSON(`/applications/${id}/status`, null, { signal }),
    ]);
    const mine = page.parties?.find((p) => p.party === party);
    const form = h('form', { class: 'form', id: 'decision-form' },
      h('fieldset', null, h('legend', null, `${party}'s decision on this version`),
        [['approve', 'Approve'], ['hold', 'Hold (the vessel waits until the reason is resolved)'], ['reject', 'Reject']].map(([k, label]) => h('label', { class: 'check' }, h('input', { type: 'radio', name: 'kind', value: k, required: true }), ' ', label)),
        h('div', { class: 'field' }, h('label', { for: 'reason-code' }, 'Reason code (hold, reject)'), h('input', { id: 'reason-code', name: 'reason_code', placeholder: 'DOCS_MISSING' })),
        h('div', { class: 'field' }, h('label', { for: 'reason-text' }, 'Reason (the agent reads it, to put it right)'), h('textarea', { id: 'reason-text', name: 'text', rows: 2 }))),
      h('p', { class: 'muted mono' }, `Signs application ${id}, version ${app.content_hash.slice(0, 16)}…`),
      h('div', { class: 'actions' }, h('button', { type: 'submit', disabled: !heldKey(party) || app.status === 'submitted', 'data-needs-key': app.status === 'submitted' ? 'never' : 'yes' }, 'Sign and send')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const kind = form.elements.kind.value;
      const code = form.elements.reason_code.value.trim();
      const text = form.elements.text.value.trim();
      if (kind !== 'approve' && (!code || !text)) return mount(status, notice('error', 'A hold or rejection needs a reason code and a reason.'));
      if (!heldKey(party)) return mount(status, notice('error', 'Load your party’s signing key first.'));
      await runAction(status, async (done) => {
        const decision = kind === 'approve' ? { kind } : { kind, reason_code: code, text };
        const signed = await signDecision({ party, applicationId: id, applicationHash: app.content_hash, content: app.content, decision }, signingKey);
        const answer = await postJSON(`/applications/${id}/decisions`, signed);
        done(`Signed and recorded: ${kind}.`);
        keepReceipt(status, answer?.receipt, `${id}-${party}`, answer?.receipt_error, signed.signature);
        await refresh();
      }, { button: ev.submitter || form.querySelector('button[type=submit]'), refused: 'Not recorded' });
    });
    mount(body,
      h('dl', { class: 'facts' }, h('dt', null, 'Status'), h('dd', { id: 'ra-state' }, statusTag(app.status)),
        h('dt', null, 'Company'), h('dd', null, app.company),
        h('dt', null, 'Submitted'), h('dd', null, app.submitted_at ? fmtWorkTime(app.submitted_at) : '—')),
      contentFacts(app.content),
      app.amended_from ? amendmentPanel(app) : null,
      h('h3', null, 'Documents'),
      app.content.documents.length
        ? h('ul', { class: 'documents' }, app.content.documents.map((d) => h('li', null,
          h('button', { type: 'button', class: 'link', onclick: () => download(id, d).catch((e) => mount(status, notice('error', e.message))) }, d.filename),
          ` — ${d.kind.replace(/_/g, ' ')}, ${fmtInt(d.size_bytes)} bytes, SHA-256 `, h('span', { class: 'mono' }, d.sha256.slice(0, 12)), '…')))
        : notice('info', 'No documents attached.'),
      h('h3', null, 'The parties'), partiesTable(page),
      app.status === 'held' && mine?.decision === 'hold'
        ? h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', id: 'release-hold', disabled: !heldKey(party), 'data-needs-key': 'yes', onclick: async (ev) => {
          // A release is signed like a decision: only the party lifts its hold.
          if (!heldKey(party)) return mount(status, notice('error', 'Load your party’s signing key first.'));
          await runAction(status, async (done) => {
            const signed = await signDecision({ party, applicationId: id, applicationHash: app.content_hash, content: app.content, decision: { kind: 'release' } }, signingKey);
            const answer = await postJSON(`/applications/${id}/holds/${party}/release`, signed);
            done(`Signed and recorded: ${party}'s hold released.`);
            keepReceipt(status, answer?.receipt, `${id}-${party}-release`, answer?.receipt_error, signed.signature);
            await refresh();
          }, { button: ev.currentTarget, refused: 'Not recorded' });
        } }, `Sign and release ${party}'s hold`)) : null,
      page.parties && (app.status === 'under_review' || app.status === 'held') ? form : notice('info', `Decisions are taken while the application is under review (it is ${app.status.replace(/_/g, ' ')}).`));
  };
  refresh().catch((e) => {
    if (e.name !== 'AbortError') mount(body, notice('error', `Could not be loaded: ${e.message}`));
  });
});
