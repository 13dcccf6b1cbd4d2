// The shipping agent's screens: their applications with the place in the
// queue and predicted slot, the application form with documents and the
// eligibility checks, submission, and the declaration of readiness.
import { getJSON, postJSON, putJSON, request } from '../api.js';
import { applicationForm, corridorRules, documentLabel, DOCUMENTS, MAX_FILE_BYTES } from '../appform.js';
import { h, labelCells, mount, notice, tell } from '../dom.js';
import { fmtInt, fmtWorkTime } from '../format.js';
import { go, href } from '../route.js';
import { arrivalNote, awayTag } from './queue.js';
import { actionButton, arrivalText, bookingText, forRole, runAction, partiesTable, queueByApplication, slotText, STATUS, statusTag } from './work.js';

/**
 * The rows of an application's document table: the corridor's checklist
 * (`rules.documents`, required first), then any document attached of a kind
 * the checklist no longer names, so nothing attached is hidden.
 */
export function documentRows(rules, documents) {
  const rows = [...(rules.documents || DOCUMENTS)];
  for (const d of documents || []) {
    if (!rows.some((r) => r.kind === d.kind)) rows.push({ kind: d.kind, label: documentLabel(d.kind), required: false });
  }
  return rows;
}

const EDITABLE = new Set(['draft', 'under_review', 'held']);
const READINESS = new Set(['approved', 'awaiting_inspection', 'failed_not_ready']);
// In review or waiting: a cause given still stands ahead of the vessel.
const WAITING = new Set(['submitted', 'under_review', 'held', 'approved', 'awaiting_inspection', 'failed_not_ready']);
// What the server lets an agent withdraw (decide.rs, Withdraw): anything
// not yet inspected, passed or ended.
export const WITHDRAWABLE = new Set(['draft', 'submitted', 'under_review', 'held', 'approved', 'awaiting_inspection', 'failed_not_ready']);

export const agentListScreen = forRole('agent', 'My applications', (root, { me, signal }) => {
  const body = h('div', { 'aria-live': 'polite' }, notice('info', 'Loading…'));
  mount(root, h('section', { class: 'panel', id: 'agent', 'aria-labelledby': 'agent-title' },
    h('div', { class: 'panel-head' }, h('h2', { id: 'agent-title' }, `Applications of ${me.role.company}`),
      h('a', { class: 'button', href: href('/agent/new'), id: 'new-application' }, 'New application')),
    h('p', { class: 'lead' }, 'Each voyage you registered, where it stands with the parties, and its place in the inspection queue.'),
    body));
  Promise.all([getJSON('/applications', null, { signal }), queueByApplication({ mine: true, signal })]).then(([apps, queue]) => {
    if (!apps.length) {
      mount(body, notice('info', 'No applications yet.'));
      return;
    }
    apps.sort((a, b) => b.id.localeCompare(a.id));
    mount(body, h('div', { class: 'table-scroll' }, labelCells(h('table', { class: 'cards', id: 'agent-applications' },
      h('thead', null, h('tr', null, ['Application', 'Vessel', 'IMO', 'Status', 'Queue'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, apps.map((a) => h('tr', { 'data-id': a.id },
        h('th', { scope: 'row' }, h('a', { href: href(`/agent/applications/${a.id}`) }, a.id)),
        h('td', null, a.vessel), h('td', null, a.imo), h('td', null, statusTag(a.status)),
        h('td', { class: 'queue-slot' }, queue.has(a.id) ? slotText(queue.get(a.id)) : '—'))))))));
  }).catch((e) => {
    if (e.name !== 'AbortError') mount(body, notice('error', `Could not be loaded: ${e.message}`));
  });
});

/**
 * The server's eligibility verdict on the form as it stands, asked (without
 * saving) a moment after each change once the fields pass their own checks.
 * Missing documents are listed apart: they are attached after saving.
 */
function liveEligibility(form, read, check, signal) {
  const box = h('div', { id: 'eligibility-live', 'aria-live': 'polite' },
    h('p', { class: 'muted' }, 'The corridor’s checks run as the form is filled in.'));
  let timer = null;
  let inflight = null;
  const render = (result) => {
    const rules = result.reasons.filter((r) => r.code !== 'document');
    const docs = result.reasons.filter((r) => r.code === 'document');
    mount(box,
      rules.length
        ? h('div', { 'data-eligible': 'false' }, h('p', { class: 'notice notice-error' }, 'The corridor’s rules refuse it as it stands:'),
          h('ul', { class: 'checks' }, rules.map((r) => h('li', { 'data-code': r.code }, r.message))))
        : h('p', { class: 'notice', 'data-eligible': docs.length ? 'documents' : 'true' }, 'The corridor’s rules accept it.'),
      docs.length ? h('p', { class: 'muted', 'data-documents': docs.length }, `Documents still to attach: ${docs.map((r) => r.message).join('; ')}.`) : null);
  };
  const ask = async () => {
    if (check().length) return mount(box, h('p', { class: 'muted' }, 'The corridor’s checks run once the marked fields are filled in.'));
    inflight?.abort();
    inflight = new AbortController();
    signal?.addEventListener('abort', () => inflight.abort(), { once: true });
    try {
      render(await postJSON('/eligibility', { content: read() }, { signal: inflight.signal }));
    } catch (e) {
      if (e.name !== 'AbortError') mount(box, notice('error', `The eligibility check failed: ${e.message}`));
    }
  };
  // Selects and checkboxes report `change`, text fields `input`: either asks again.
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(ask, 400);
  };
  form.addEventListener('input', later);
  form.addEventListener('change', later);
  return { box, ask };
}

export const agentNewScreen = forRole('agent', 'New application', (root, { signal }) => {
  mount(root, h('section', { class: 'panel' }, notice('info', 'Loading…')));
  // The form checks the corridor's rules as the server has them (or the usual ones, said so).
  corridorRules({ signal }).then((rules) => newApplication(root, signal, rules)).catch((e) => {
    if (e.name !== 'AbortError') mount(root, h('section', { class: 'panel' }, notice('error', `The form could not be shown: ${e.message}`)));
  });
});

function newApplication(root, signal, rules) {
  const { form, read, check } = applicationForm(null, { rules });
  const status = h('div', { 'aria-live': 'polite' });
  form.addEventListener('input', () => check());
  const live = liveEligibility(form, read, check, signal);
  form.append(h('h3', null, 'Eligibility'), live.box);
  form.append(h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save draft'), status));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (check().length) {
      mount(status, notice('error', 'Some fields need attention (marked above).'));
      return;
    }
    // One draft per click: the button waits for the server's answer.
    await runAction(status, async (done) => {
      const app = await postJSON('/applications', { content: read() });
      done(`Saved as ${app.id}.`);
      go(`/agent/applications/${app.id}`, {});
    }, { button: ev.submitter || form.querySelector('button[type=submit]') });
  });
  mount(root, h('p', { class: 'back' }, h('a', { href: href('/agent') }, '‹ My applications')),
    h('section', { class: 'panel', 'aria-labelledby': 'new-title' }, h('h2', { id: 'new-title' }, 'New application'),
      h('p', { class: 'lead' }, 'Save the draft, attach the documents on the checklist, then submit it to the parties.'),
      form));
}

function eligibilityList(result) {
  if (result.eligible) return h('p', { class: 'notice', id: 'eligibility', 'data-eligible': 'true' }, 'Eligible: every check passes.');
  return h('div', { id: 'eligibility', 'data-eligible': 'false' },
    h('p', { class: 'notice notice-error' }, 'Not eligible yet:'),
    h('ul', { class: 'checks' }, result.reasons.map((r) => h('li', { 'data-code': r.code }, r.message))));
}

const DOCUMENT_TYPES = '.pdf,.png,.jpg,.jpeg,.tif,.tiff,.docx,.xlsx,application/pdf,image/png,image/jpeg,image/tiff';

/**
 * Whether to attach `name` now. In a draft, yes; once the parties have the
 * application, a new document is an amendment that sets aside every
 * party's decision, so the agent says so first.
 */
function confirmAttach(app, name) {
  if (app.status === 'draft') return true;
  return window.confirm(`Attaching ${name} amends application ${app.id}, which is ${STATUS[app.status] || app.status}: `
    + 'every party’s decision so far is cleared and the parties decide again. Attach it?');
}

function documentsPanel(app, refresh, status, rules) {
  const have = new Map(app.content.documents.map((d) => [d.kind, d]));
  const editable = EDITABLE.has(app.status);
  return h('div', { class: 'table-scroll' }, labelCells(h('table', { class: 'cards', id: 'documents' },
    h('thead', null, h('tr', null, ['Document', 'File', 'Attach'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, documentRows(rules, app.content.documents).map(({ kind, label, required }) => {
      const doc = have.get(kind);
      // What the server accepts (it checks the content, not the name).
      const file = h('input', { type: 'file', 'aria-label': `${label}: choose a file`, 'data-kind': kind, disabled: !editable, hidden: !editable, accept: DOCUMENT_TYPES });
      file.addEventListener('change', async () => {
        const f = file.files[0];
        if (!f) return;
        // Refused here, in words, rather than after uploading it all.
        const max = rules.maxFileBytes || MAX_FILE_BYTES;
        if (f.size > max) {
          file.value = '';
          tell(status, 'error', `${f.name} is ${fmtInt(f.size)} bytes; the corridor takes files of at most ${fmtInt(max)} bytes. Nothing was attached.`);
          return;
        }
        if (!confirmAttach(app, f.name)) {
          file.value = '';
          mount(status, notice('info', `${f.name} not attached: the parties’ decisions stand.`));
          return;
        }
        mount(status, notice('info', `Uploading ${f.name}…`));
        try {
          await request('POST', `/applications/${app.id}/documents`, { params: { kind, filename: f.name }, body: f });
        } catch (e) {
          mount(status, notice('error', `${f.name}: ${e.message}`));
          return;
        }
        // Attached from here on, whatever the redraw does: never "failed".
        const cleared = app.status === 'draft' ? '' : ' The parties’ decisions so far were cleared: they decide again.';
        mount(status, notice('info', `${f.name} attached.${cleared}`));
        try {
          if (await refresh()) {
            mount(status, notice('info', `${f.name} attached.${cleared} Your unsaved changes to the form below are kept: save them when ready.`));
          }
        } catch (e) {
          if (e.name === 'AbortError') return;
          mount(status, notice('error', `${f.name} attached${cleared ? ', and the parties’ decisions so far were cleared' : ''}, but the page could not be redrawn: ${e.message.replace(/\.?$/, '.')} Reload the page to see the application as it now stands.`));
        }
      });
      return h('tr', { 'data-kind': kind },
        h('th', { scope: 'row' }, label, required ? '' : h('span', { class: 'muted' }, ' (optional)')),
        h('td', null, doc ? [h('span', { class: 'tag ok' }, 'attached'), ' ', doc.filename, ` (${fmtInt(doc.size_bytes)} bytes) `,
          h('button', { type: 'button', class: 'link', 'data-download': kind, 'aria-label': `Download ${label}: ${doc.filename}`,
            onclick: (ev) => download(app.id, doc, ev.currentTarget, status) }, 'Download')] : required ? h('span', { class: 'tag warn' }, 'missing') : '—'),
        h('td', null, file));
    })))));
}

/**
 * Saves one of the application's documents as the file it was attached as.
 * A plain link cannot carry the bearer token, so the file is fetched with
 * it and handed to the browser from memory (an object URL).
 */
async function download(id, doc, button, status) {
  button.disabled = true;
  mount(status, notice('info', `Downloading ${doc.filename}…`));
  try {
    const blob = await request('GET', `/applications/${id}/documents/${doc.sha256}`, { raw: true });
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: doc.filename, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    // Revoked once the browser has taken the file.
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    mount(status, notice('info', `${doc.filename} downloaded (${fmtInt(blob.size)} bytes).`));
  } catch (e) {
    tell(status, 'error', `${doc.filename} could not be downloaded: ${e.message}`);
  } finally {
    button.disabled = false;
  }
}

/**
 * Why the parties hold or refused it, party by party, from the status page:
 * each hold's and rejection's reason code and the party's own words (what
 * the agent must put right), as the status page gives them.
 */
function decisionReasons(page) {
  const lines = (page.parties || []).filter((p) => p.decision === 'hold' || p.decision === 'reject');
  if (!lines.length) return null;
  const title = { rejected: 'Rejected.', held: 'Held: the vessel waits until each hold is lifted.' }[page.status] || 'The parties’ holds and rejections:';
  const open = EDITABLE.has(page.status);
  return h('div', { class: `notice ${page.status === 'approved' ? '' : 'notice-error'}`, id: 'app-reasons', role: 'status' },
    h('p', null, h('strong', null, title)),
    h('ul', null, lines.map((p) => h('li', { 'data-party': p.party, 'data-decision': p.decision },
      `${p.party} ${p.decision === 'hold' ? (open ? 'holds it' : 'held it') : 'rejected it'}: reason `, h('code', null, p.reason_code || '(none given)'),
      p.reason ? [', in its words: ', h('q', { class: 'party-reason' }, p.reason)] : null,
      p.decision === 'hold' && open ? '. Amend the application (or attach what is missing) to put it right; the parties then decide again.' : '.'))));
}

/**
 * Withdrawing the application, asked first: it cannot be undone. The
 * server's answer (the status page) is shown; `done(page)` redraws.
 */
function withdrawForm(app, done, status) {
  const reason = h('input', { id: 'withdraw-reason', name: 'reason', maxlength: 2000, required: true, 'aria-describedby': 'withdraw-hint' });
  const form = h('form', { class: 'form', id: 'withdraw-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'withdraw-reason' }, 'Why it is withdrawn'), reason,
      h('span', { class: 'hint', id: 'withdraw-hint' }, 'Logged with the withdrawal, for the parties to read.')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary', id: 'withdraw' }, 'Withdraw the application')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const why = reason.value.trim();
    if (!why) {
      reason.focus();
      tell(status, 'error', 'Say why the application is withdrawn: the reason is logged.');
      return;
    }
    const decided = app.status === 'draft' ? '' : app.cleared_on_papers ? ' Its clearance ends.' : READINESS.has(app.status) ? ' It leaves the inspection queue.' : ' The parties stop considering it.';
    if (!window.confirm(`Withdraw application ${app.id} (${app.content.vessel.name})?${decided} This cannot be undone: the vessel needs a new application to sail.`)) {
      tell(status, 'info', `Not withdrawn: application ${app.id} stands as it was.`);
      return;
    }
    const button = form.querySelector('button');
    button.disabled = true;
    let page;
    try {
      page = await postJSON(`/applications/${app.id}/withdraw`, { reason: why });
    } catch (e) {
      tell(status, 'error', `Not withdrawn: ${e.message}`);
      button.disabled = false;
      return;
    }
    // Withdrawn, whatever the redraw does.
    const said = () => tell(status, 'info', `Withdrawn: application ${app.id} is now ${STATUS[page.status] || page.status}.`);
    said();
    done().then(said, (e) => {
      if (e.name !== 'AbortError') tell(status, 'error', `Withdrawn (now ${STATUS[page.status] || page.status}), but the page could not be redrawn: ${e.message.replace(/\.?$/, '.')} Reload the page to see it.`);
    });
  });
  return form;
}

/** The last inspection's result, with the finding to put right if it failed. */
function inspectionText({ outcome, recorded_at: at, not_confirmed: missing = [] }) {
  const when = fmtWorkTime(at);
  if (outcome.result === 'passed') return `passed, ${when}`;
  const what = outcome.result === 'not_ready' ? 'failed: not ready' : 'failed: non-compliant';
  return [h('strong', null, what), `, ${when}. Finding `, h('code', null, outcome.reason_code), `: ${outcome.text}`,
    missing.length ? `. Not confirmed: ${missing.join('; ')}.` : null];
}

function readinessForm(app, refresh, status) {
  const items = [
    ['holds_ventilated', 'Holds ventilated after fumigation'],
    ['gas_free', 'Gas readings within limits (gas free)'],
    ['testing_equipment_aboard', 'Gas-testing equipment aboard'],
    ['documents_complete', 'Documents complete and aboard'],
  ];
  const form = h('form', { class: 'form', id: 'readiness-form' },
    h('fieldset', null, h('legend', null, 'Declare the vessel ready for inspection'),
      items.map(([k, label]) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: k }), ' ', label)),
      h('div', { class: 'field' }, h('label', { for: 'ready-note' }, 'Note'), h('input', { id: 'ready-note', name: 'note' }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Declare ready')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = Object.fromEntries(items.map(([k]) => [k, form.elements[k].checked]));
    body.note = form.elements.note.value || null;
    try {
      await postJSON(`/applications/${app.id}/readiness`, body);
    } catch (e) {
      mount(status, notice('error', e.message));
      return;
    }
    mount(status, notice('info', 'Readiness declared.'));
    // Declared, even if the page cannot be redrawn now.
    refresh().catch((e) => {
      if (e.name !== 'AbortError') mount(status, notice('error', `Readiness declared, but the page could not be redrawn: ${e.message.replace(/\.?$/, '.')} Reload the page to see it.`));
    });
  });
  return form;
}

export const agentApplicationScreen = forRole('agent', 'Application', (root, { signal }, id) => {
  const status = h('div', { 'aria-live': 'polite', id: 'agent-status' });
  const body = h('div', null, notice('info', 'Loading…'));
  mount(root, h('p', { class: 'back' }, h('a', { href: href('/agent') }, '‹ My applications')),
    h('section', { class: 'panel', id: 'application', 'aria-labelledby': 'app-title' }, h('h2', { id: 'app-title' }, id), status, body));

  // The form on screen and whether it holds edits not saved yet: a redraw
  // (after an upload, a readiness declaration) must not throw them away.
  let shown = null;
  /** Redraws from the server; returns whether unsaved form edits were carried over. */
  const refresh = async () => {
    const [app, page, elig, queue, rules] = await Promise.all([
      getJSON(`/applications/${id}`, null, { signal }),
      getJSON(`/applications/${id}/status`, null, { signal }),
      getJSON(`/applications/${id}/eligibility`, null, { signal }),
      queueByApplication({ mine: true, signal }),
      corridorRules({ signal }),
    ]);
    const editable = EDITABLE.has(app.status);
    // The typed fields over the server's version; documents and port calls are the server's.
    const kept = editable && shown?.edited ? { ...shown.read(), documents: app.content.documents } : null;
    const { form, read, check } = applicationForm(kept || app.content, { disabled: !editable, submittedAt: app.submitted_at, currentEta: app.content.eta_inspection_area, rules });
    const mine = { read, edited: Boolean(kept) };
    shown = mine;
    if (kept) form.dataset.unsaved = 'true';
    form.addEventListener('input', () => {
      mine.edited = true;
      form.dataset.unsaved = 'true';
      check();
    });
    if (editable) {
      form.append(h('div', { class: 'actions' }, h('button', { type: 'submit' }, app.status === 'draft' ? 'Save changes' : 'Amend (the parties decide again)')));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        if (check().length) return mount(status, notice('error', 'Some fields need attention (marked below).'));
        // The server's own answer (an amendment it refuses says why), in view;
        // once saved, a failed redraw is not a failed save.
        await runAction(status, async (done) => {
          await putJSON(`/applications/${id}`, { content: read() });
          mine.edited = false;
          done('Saved.');
          await refresh();
        }, { button: ev.submitter || form.querySelector('button[type=submit]') });
      });
    }
    const slot = queue.get(id);
    document.getElementById('app-title').textContent = `${id} · ${app.content.vessel.name}`;
    mount(body,
      h('dl', { class: 'facts' },
        h('dt', null, 'Status'), h('dd', { id: 'app-status' }, statusTag(app.status)),
        h('dt', null, 'Submitted'), h('dd', null, app.submitted_at ? fmtWorkTime(app.submitted_at) : '—'),
        app.status === 'submitted' ? [h('dt', null, 'Review'), h('dd', { id: 'app-review' }, 'Waiting for the coordinator to start the parties’ review; the parties decide once it has started.')] : null,
        h('dt', null, 'Queue'), h('dd', { id: 'app-queue' }, slot ? slotText(slot) : '—'),
        bookingText(app, slot) ? [h('dt', null, 'Inspection'), h('dd', { id: 'app-booking' }, bookingText(app, slot))] : null,
        h('dt', null, 'Arrival'), h('dd', { id: 'app-arrival' }, arrivalText(app, slot), awayTag(slot), arrivalNote(slot)),
        h('dt', null, 'Ready'), h('dd', null, app.ready_at ? `declared ${fmtWorkTime(app.ready_at)}` : '—'),
        // A corridor that inspects on cause: may it sail, or why is it inspected?
        app.cleared_on_papers ? [h('dt', null, 'Inspection'), h('dd', { id: 'app-inspection-cause' }, 'None required: cleared on its papers, it may sail.')] : null,
        // When it lapses unless it moves on (the server's rule, suspensions added).
        page.lapses_at && app.status !== 'draft' ? [h('dt', null, 'Lapses'), h('dd', { id: 'app-lapses' }, `${fmtWorkTime(page.lapses_at)} unless ${READINESS.has(app.status) ? (app.cleared_on_papers ? 'it departs' : 'it is inspected') : 'the parties decide'} before`)] : null,
        app.inspection_cause ? [h('dt', null, WAITING.has(app.status) ? 'Inspection required' : 'Inspected on cause'), h('dd', { id: 'app-inspection-cause' }, app.inspection_cause)] : null,
        app.last_inspection ? [h('dt', null, 'Last inspection'), h('dd', { id: 'app-last-inspection' }, inspectionText(app.last_inspection))] : null),
      app.status !== 'draft' ? decisionReasons(page) : null,
      app.status === 'draft' ? h('div', { class: 'actions' }, actionButton('Submit to the parties', status, async (done) => {
        // The parties get the saved version: never one the agent thinks has their edits.
        if (mine.edited) throw new Error('The form below has changes not saved yet: save them (or reload the page to drop them) before submitting.');
        await postJSON(`/applications/${id}/submit`);
        done('Submitted.');
        await refresh();
      }, { id: 'submit-application', disabled: !elig.eligible })) : null,
      h('h3', null, 'Eligibility'), eligibilityList(elig),
      h('h3', null, 'Documents'), documentsPanel(app, refresh, status, rules),
      READINESS.has(app.status) && !app.cleared_on_papers && !app.ready_at ? [h('h3', null, 'Readiness'), readinessForm(app, refresh, status)] : null,
      page.parties?.length && app.status !== 'draft' ? [h('h3', null, 'The parties’ decisions'), partiesTable(page)] : null,
      h('h3', null, 'Application'), form,
      WITHDRAWABLE.has(app.status) ? [h('h3', null, 'Withdraw'), withdrawForm(app, refresh, status)] : null);
    if (kept) check();
    return Boolean(kept);
  };
  refresh().catch((e) => {
    if (e.name !== 'AbortError') mount(body, notice('error', `Could not be loaded: ${e.message}`));
  });
});
