// The working screens end to end, each user in a browser context of their
// own: an agent applies with documents, the coordinator puts it before the
// parties, four delegates sign it with their own keys in their own
// browsers, the coordinator schedules it, an inspector records a pass, and
// a public page left open shows each change without a reload.
// Needs the clearance demo seeded (run-e2e.sh: CORRIDOR_E2E_KEYS).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { etaOnCentreClock } from '../../src/appform.js';
import { addDays, CENTRE_TIME_ZONE, dayIn, fmtDate } from '../../src/format.js';
import { api, assertAccessible, BASE, open, OUT, PASSWORD, signIn, startBrowser, stopBrowser, tokenOf, VIEWPORTS } from './helpers.mjs';

const KEYS = process.env.CORRIDOR_E2E_KEYS;
const PARTIES = ['RU', 'TR', 'UA', 'UN'];
const skip = !KEYS && 'the clearance demo is not seeded (CORRIDOR_E2E_KEYS)';

before(startBrowser);
after(stopBrowser);

// The centre's tomorrow (Istanbul), as the coordinator's and delegates' screens take it.
const centreTomorrow = () => addDays(dayIn(CENTRE_TIME_ZONE), 1);

/** A user's token from the API itself (no browser). */
async function apiToken(username, password = PASSWORD) {
  const res = await fetch(new URL('/api/v1/auth/login', BASE), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password, label: 'e2e' }),
  });
  assert.equal(res.status, 200, `login ${username}`);
  return (await res.json()).token;
}

const shot = (page, name) => page.screenshot({ path: path.join(OUT, `desktop-${name}.png`), fullPage: true });

test('an application from the agent’s form to a passed inspection, seen live by the public', { skip, timeout: 240000 }, async () => {
  const pub = await open('desktop', '/#/queue');
  await pub.page.waitForSelector('#queue [data-state=ready]');

  // The agent fills the form; the checks show as it is filled. (The
  // incomplete readiness declaration below is refused on purpose.)
  const agent = await open('desktop', '/', { allow4xx: /\/readiness$|\/documents\?/ });
  await signIn(agent.page, 'agent-navistar');
  await agent.page.goto(new URL('/#/agent/new', agent.page.url()).href);
  await agent.page.fill('#f-imo', '9321484');
  await agent.page.waitForFunction(() => /not a valid IMO/.test(document.querySelector('#f-imo-error').textContent));
  await agent.page.fill('#f-imo', '9321483');
  await agent.page.waitForFunction(() => document.querySelector('#f-imo-error').textContent === '');
  await agent.page.fill('#f-name', 'E2E PIONEER');
  await agent.page.fill('#f-flag', 'MT');
  await agent.page.fill('#f-dwt', '58000');
  await agent.page.fill('#f-from_port', 'TRIST');
  await agent.page.fill('#f-to_port', 'EGALY');
  await agent.page.fill('#f-destination_country', 'EG');
  await agent.page.fill('.cargo-line input[name=tonnes]', '52000');
  // The server's rules, asked as the form is filled (nothing saved yet):
  // ten hours' notice is too little; three days are enough, and only the
  // documents remain, to attach after saving.
  const eta = await agent.page.inputValue('#f-eta');
  await agent.page.fill('#f-eta', new Date(Date.now() + 10 * 3600e3).toISOString().slice(0, 16));
  await agent.page.waitForSelector('#eligibility-live li[data-code=notice_too_short]');
  assert.match(await agent.page.textContent('#eligibility-live'), /h are required/);
  await agent.page.fill('#f-eta', eta);
  await agent.page.waitForSelector('#eligibility-live [data-eligible=documents]');
  // The arrival is typed in UTC, and the form says so, with the same moment on the centre's clock.
  assert.match(await agent.page.textContent('label[for=f-eta]'), /in UTC/);
  assert.equal(await agent.page.textContent('#f-eta-hint'), `Date and time in UTC. At the centre: ${etaOnCentreClock(eta, CENTRE_TIME_ZONE)}.`);
  assert.match(await agent.page.textContent('#f-eta-hint'), /Istanbul time \(UTC\+3\)/);
  // A new, empty cargo line asks again at once (the box once kept saying
  // the rules accept it until the next keystroke).
  await agent.page.click('#application-form fieldset[data-field=cargo] > button');
  await agent.page.waitForFunction(() => /once the marked fields are filled in/.test(document.querySelector('#eligibility-live').textContent));
  // Web review (2026-11-30), finding 10: each line's controls say which line
  // they are, and the empty line's tonnage is the field marked invalid.
  assert.equal(await agent.page.getAttribute('.cargo-line:last-child input[name=tonnes]', 'aria-label'), 'Cargo line 2: metric tons');
  assert.equal(await agent.page.getAttribute('.cargo-line:last-child button', 'aria-label'), 'Remove cargo line 2');
  await agent.page.click('#application-form button[type=submit]');
  assert.equal(await agent.page.getAttribute('.cargo-line:last-child input[name=tonnes]', 'aria-invalid'), 'true');
  assert.equal(await agent.page.getAttribute('.cargo-line:first-child input[name=tonnes]', 'aria-invalid'), null);
  await agent.page.click('.cargo-line:last-child button');
  await agent.page.waitForSelector('#eligibility-live [data-eligible=documents]');
  await shot(agent.page, 'agent-form');
  await agent.page.click('#application-form button[type=submit]');
  await agent.page.waitForURL(/#\/agent\/applications\//);
  const id = decodeURIComponent(agent.page.url().split('/').pop());
  await agent.page.waitForSelector('#eligibility[data-eligible=false]');
  assert.match(await agent.page.textContent('#eligibility'), /missing/);
  assert.equal(await agent.page.isDisabled('#submit-application'), true, 'cannot submit without the documents');

  // Every required document, one upload each; a program named as a
  // document is refused by its content, saying what it is.
  const required = await agent.page.$$eval('#documents tr[data-kind]', (trs) => trs.filter((tr) => tr.textContent.includes('missing')).map((tr) => tr.dataset.kind));
  assert.ok(required.length >= 1);
  await agent.page.setInputFiles(`#documents input[data-kind=${required[0]}]`, { name: 'virus.exe', mimeType: 'application/pdf', buffer: Buffer.from('MZ\x90\x00\x03\x00\x00\x00') });
  await agent.page.waitForFunction(() => /virus\.exe: .*its content is a Windows program/.test(document.querySelector('#agent-status').textContent));
  assert.match(await agent.page.textContent(`#documents tr[data-kind=${required[0]}]`), /missing/);
  for (const kind of required) {
    await agent.page.setInputFiles(`#documents input[data-kind=${kind}]`, { name: `${kind}.pdf`, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4 ${kind} for ${id}\n`) });
    await agent.page.waitForSelector(`#documents tr[data-kind=${kind}] .tag.ok`);
  }
  await agent.page.waitForSelector('#eligibility[data-eligible=true]');
  await shot(agent.page, 'agent-application');
  await agent.page.click('#submit-application');
  await agent.page.waitForSelector('#app-status [data-status=submitted]');

  // The coordinator puts it before the parties.
  const coord = await open('desktop', '/');
  await signIn(coord.page, 'coordinator');
  await coord.page.goto(new URL('/#/coordinate', coord.page.url()).href);
  await coord.page.click(`#to-review tr[data-id="${id}"] button[data-action=review]`);
  await coord.page.waitForSelector(`#to-review tr[data-id="${id}"]`, { state: 'detached' });

  // Four delegates, each in their own browser with their own party's key.
  for (const party of PARTIES) {
    const d = await open('desktop', '/');
    await signIn(d.page, `${party.toLowerCase()}-delegate`);
    await d.page.goto(new URL(`/#/review`, d.page.url()).href);
    await d.page.waitForSelector(`#review-queue tr[data-id="${id}"][data-waiting=true]`);
    if (party === 'RU') await shot(d.page, 'delegation-queue');
    await d.page.click(`#review-queue tr[data-id="${id}"] a`);
    // The list has a key panel of its own (for the daily plan): wait for the
    // application's, or the key may go to the page being left.
    await d.page.waitForSelector('#review-application #key-file');
    // Another party's key is refused before anything is signed.
    const other = PARTIES[(PARTIES.indexOf(party) + 1) % PARTIES.length];
    await d.page.setInputFiles('#key-file', path.join(KEYS, `${other}.key.pem`));
    await d.page.waitForFunction(() => /Key not loaded/.test(document.querySelector('#key-status').textContent));
    await d.page.setInputFiles('#key-file', path.join(KEYS, `${party}.key.pem`));
    await d.page.waitForSelector('#key-status[data-loaded=true]');
    if (party === PARTIES[0]) {
      // A hold, then its release, each signed with the party's key.
      await d.page.check('#decision-form input[value=hold]');
      await d.page.fill('#reason-code', 'DOCS_MISSING');
      await d.page.fill('#reason-text', 'Gas-free certificate missing');
      await d.page.click('#decision-form button[type=submit]');
      await d.page.waitForSelector(`.parties tr[data-party=${party}] .decision-hold`);
      await d.page.click('#release-hold');
      await d.page.waitForFunction(() => /hold released/.test(document.querySelector('#review-status').textContent));
      await d.page.waitForSelector('#release-hold', { state: 'detached' });
    }
    await d.page.check('#decision-form input[value=approve]');
    if (party === 'RU') await shot(d.page, 'delegation-application');
    await d.page.click('#decision-form button[type=submit]');
    await d.page.waitForFunction(() => /Signed and recorded/.test(document.querySelector('#review-status').textContent));
    await d.page.waitForSelector(`.parties tr[data-party=${party}] .decision-approve`);
    // The party keeps a receipt of its decision (ledger review, 2026-11-30).
    const [receipt] = await Promise.all([d.page.waitForEvent('download'), d.page.click('#decision-receipt')]);
    const kept = JSON.parse(await (await import('node:fs/promises')).readFile(await receipt.path(), 'utf8'));
    assert.ok(kept.checkpoint.text.startsWith('corridor-checkpoint-v1\n'), JSON.stringify(kept));
    // An inclusion proof in a tree of more than one entry has a path.
    assert.ok(Array.isArray(kept.proof) && kept.proof.length > 0 && kept.seq < kept.checkpoint.size, JSON.stringify(kept));
    await d.done();
  }
  const status = await api(`/applications/${id}/status`, { headers: { authorization: `Bearer ${await coord.page.evaluate(() => sessionStorage.getItem('corridor.token'))}` } });
  assert.equal(status.status, 'approved');
  assert.deepEqual(status.parties.map((p) => p.decision), ['approve', 'approve', 'approve', 'approve']);

  // The agent declares the vessel ready, where the server takes readiness.
  await agent.page.reload();
  await agent.page.waitForSelector('#app-status [data-status=approved]');
  // Approved: it is in the public queue, shown live on the page left open.
  await pub.page.waitForSelector(`#queue-board tr[data-id="${id}"]`, { timeout: 30000 });
  // A declaration missing an item is refused with the item named.
  const boxes = await agent.page.$$('#readiness-form input[type=checkbox]');
  for (const box of boxes.slice(1)) await box.check();
  await agent.page.click('#readiness-form button[type=submit]');
  await agent.page.waitForFunction(() => /holds_ventilated/.test(document.querySelector('#agent-status').textContent));
  await boxes[0].check();
  await agent.page.click('#readiness-form button[type=submit]');
  await agent.page.waitForFunction(() => /Readiness declared/.test(document.querySelector('#agent-status').textContent));
  // The agent sees their place and predicted slot; the public board the same, marked ready.
  await agent.page.waitForFunction(() => /place \d+, predicted/.test(document.querySelector('#app-queue').textContent));
  await pub.page.waitForSelector(`#queue-board tr[data-id="${id}"] [data-readiness=ready]`, { timeout: 30000 });
  await shot(pub.page, 'queue-live');

  // Seen at anchor ahead of its ETA: recorded, since a booking before the
  // ETA needs the arrival.
  const coordToken = await coord.page.evaluate(() => sessionStorage.getItem('corridor.token'));
  await api(`/applications/${id}/arrival`, {
    method: 'POST',
    headers: { authorization: `Bearer ${coordToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ at: `${new Date(Date.now() - 60e3).toISOString().slice(0, 19)}Z`, area: 'Inspection Area Marmara', evidence: 'seen at anchor (test)' }),
  });
  // The coordinator schedules the inspection (times in UTC, within the hour).
  await coord.page.reload();
  await coord.page.waitForSelector(`#to-schedule tr[data-id="${id}"]`);
  // The coordinator sees that the agent declared the vessel ready.
  assert.equal(await coord.page.getAttribute(`#to-schedule tr[data-id="${id}"] [data-ready]`, 'data-ready'), 'true');
  await shot(coord.page, 'coordinator');
  // An emptied time is caught here, in words, before anything is sent.
  const when = `#to-schedule tr[data-id="${id}"] input[type=datetime-local]`;
  const planned = await coord.page.inputValue(when);
  await coord.page.fill(when, '');
  await coord.page.click(`#to-schedule tr[data-id="${id}"] button[data-action=schedule]`);
  await coord.page.waitForFunction(() => /Choose a date and time/.test(document.querySelector('#coord-status').textContent));
  await coord.page.fill(when, planned);
  await coord.page.click(`#to-schedule tr[data-id="${id}"] button[data-action=schedule]`);
  await coord.page.waitForSelector(`#to-schedule tr[data-id="${id}"]`, { state: 'detached' });

  // The inspector, on a phone, records a pass.
  const insp = await open('phone', '/');
  await signIn(insp.page, 'inspector');
  // The day it was scheduled for, on the centre's clock as the form took
  // it (Istanbul time): between 00:00 and 03:00 there, UTC's date differs.
  await insp.page.goto(new URL(`/#/inspect?date=${planned.slice(0, 10)}`, insp.page.url()).href);
  await insp.page.waitForSelector(`#inspect-list li[data-id="${id}"] [data-scheduled]`);
  await insp.page.screenshot({ path: path.join(OUT, 'phone-inspector-day.png'), fullPage: true });
  await insp.page.click(`#inspect-list li[data-id="${id}"] a`);
  await insp.page.waitForSelector('#inspection-form');
  // A pass with the checks not ticked is refused, and the refusal is in
  // view on the phone (it was once shown above the fold, out of sight).
  await insp.page.check('#inspection-form input[value=passed]');
  await insp.page.click('#inspection-form button[type=submit]');
  await insp.page.waitForFunction(() => {
    const box = document.querySelector('#inspect-status');
    const r = box.getBoundingClientRect();
    return /A pass needs every check/.test(box.textContent) && r.top >= -1 && r.bottom <= innerHeight + 1;
  });
  for (const box of await insp.page.$$('#inspection-form input[type=checkbox]')) await box.check();
  await insp.page.check('#inspection-form input[value=passed]');
  await insp.page.screenshot({ path: path.join(OUT, 'phone-inspector-inspection.png'), fullPage: true });
  // A weak signal: the pass is recorded, then the page cannot be drawn
  // again. Said as it is (it was once "Not recorded", inviting a second
  // try), and a double tap sends it once.
  const redraw = (url) => url.pathname === `/api/v1/applications/${id}`;
  await insp.page.route(redraw, (route) => (route.request().method() === 'GET'
    ? route.fulfill({ status: 503, json: { error: { code: 'unavailable', message: 'The server is busy (test).' } } }) : route.continue()));
  const sent = [];
  insp.page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith(`/applications/${id}/inspection`)) sent.push(r.url()); });
  await insp.page.dblclick('#inspection-form button[type=submit]');
  await insp.page.waitForFunction(() => /^Recorded: passed, but the page could not be redrawn: The server is busy \(test\)\. Reload/.test(document.querySelector('#inspect-status').textContent));
  assert.equal(sent.length, 1, 'one tap or two, one inspection sent');
  assert.equal(await insp.page.isDisabled('#inspection-form button[type=submit]'), true, 'recorded: not offered again');
  await insp.page.unroute(redraw);
  for (let i = insp.errors.length - 1; i >= 0; i--) if (/status of 503/.test(insp.errors[i])) insp.errors.splice(i, 1);
  await insp.page.reload();
  await insp.page.waitForSelector('#in-state [data-status=inspection_passed]');

  // The public page, never reloaded, no longer lists it as waiting.
  await pub.page.waitForSelector(`#queue-board tr[data-id="${id}"]`, { state: 'detached', timeout: 30000 });
  await agent.page.reload();
  await agent.page.waitForSelector('#app-status [data-status=inspection_passed]');

  for (const p of [insp, coord, agent, pub]) await p.done();
});

test('the plan: a send refused after the edits were saved shows the saved version, and sending again stores no copy', { skip, timeout: 120000 }, async () => {
  // A day of its own (two after tomorrow), left a draft drawn again.
  const date = addDays(centreTomorrow(), 2);
  const { page, done } = await open('desktop', '/', { allow4xx: /\/api\/v1\/plans\/\d{4}-\d{2}-\d{2}\/submit(\?|$)/ });
  await signIn(page, 'coordinator');
  await page.goto(new URL(`/#/coordinate?date=${date}`, page.url()).href);
  await page.waitForSelector('#plan-state[data-status=draft]');
  const token = await tokenOf(page);
  const plan = () => api(`/plans/${date}`, { headers: { authorization: `Bearer ${token}` } });
  const before = (await plan()).version;
  const rows = await page.$$eval('#plan-table tbody tr', (trs) => trs.map((tr) => tr.dataset.id));
  assert.ok(rows.length >= 1, `a plan for ${date} to edit`);
  // The send is refused (another coordinator sent it first, say), every time until let through.
  let refused = 0;
  const send = (url) => url.pathname === `/api/v1/plans/${date}/submit`;
  await page.route(send, (route) => {
    refused++;
    return route.fulfill({ status: 409, json: { error: { code: 'conflict', message: 'The plan changed meanwhile (test).' } } });
  });
  await page.click(`#plan-table tr[data-id="${rows.at(-1)}"] button`);
  await page.fill('#plan-reason', 'the vessel asked for a later day (test)');
  await page.click('#plan-submit');
  await page.waitForFunction(() => /Saved as version \d+, but not sent to the parties: The plan changed meanwhile \(test\)/.test(document.querySelector('#plan-status').textContent));
  const saved = await plan();
  assert.equal(saved.version, before + 1, 'the edits were stored once');
  assert.equal(saved.assignments.length, rows.length - 1);
  // The screen shows the version stored, not the one it was drawn from: nothing left to save.
  assert.equal(await page.textContent('#plan-state'), `draft, version ${saved.version}`);
  assert.equal(await page.locator('#plan-table tbody tr').count(), rows.length - 1);
  assert.equal(await page.inputValue('#plan-reason'), '', 'the reason went with its version');
  // Sending again sends that version: no second copy of the same edits.
  await page.click('#plan-submit');
  await page.waitForFunction(() => /Not sent: The plan changed meanwhile/.test(document.querySelector('#plan-status').textContent));
  assert.equal((await plan()).version, saved.version);
  assert.equal(refused, 2);
  await page.unroute(send);
  await page.click('#plan-submit');
  await page.waitForSelector('#plan-state[data-status=submitted]');
  assert.match(await page.textContent('#plan-status'), new RegExp(`Version ${saved.version} sent to the parties`));
  const sent = await plan();
  assert.equal(sent.version, saved.version);
  assert.equal(sent.status, 'submitted');
  // Open finding 62: the stored plan is drawn again from the queue as it
  // now stands (the vessel taken off comes back), as the next version.
  await page.click('#plan-redraft');
  await page.waitForFunction(() => /Say why the plan is drawn again/.test(document.querySelector('#plan-status').textContent));
  assert.equal((await plan()).version, sent.version, 'nothing stored without a reason');
  await page.fill('#plan-reason', 'drawn again from the queue (test)');
  // Asked first, naming the version it replaces: declined, nothing is stored.
  page.once('dialog', (d) => d.dismiss());
  await page.click('#plan-redraft');
  await page.waitForFunction(() => /Not drawn again/.test(document.querySelector('#plan-status').textContent));
  assert.equal((await plan()).version, sent.version);
  let asked = '';
  page.once('dialog', (d) => { asked = d.message(); d.accept(); });
  await page.click('#plan-redraft');
  await page.waitForFunction(() => /Drawn again from the queue as version \d+/.test(document.querySelector('#plan-status').textContent));
  assert.match(asked, new RegExp(`replaces every assignment of version ${sent.version}.*decisions on it no longer count`));
  const drawn = await plan();
  assert.equal(drawn.version, sent.version + 1);
  assert.equal(drawn.status, 'draft');
  assert.equal(drawn.reason, 'drawn again from the queue (test)');
  assert.equal(await page.textContent('#plan-state'), `draft, version ${drawn.version}`);
  assert.deepEqual(await page.$$eval('#plan-table tbody tr', (trs) => trs.map((tr) => tr.dataset.id)), drawn.assignments.map((a) => a.application_id));
  assert.ok(drawn.assignments.some((a) => a.application_id === rows.at(-1)), 'the vessel taken off is back from the queue');
  assert.equal(await page.locator('#plan-submit').count(), 1, 'a draft again: to send');
  await done();
});

test('the daily plan: adjusted by the coordinator, approved by four parties in their own browsers, the inspectors’ day', { skip, timeout: 240000 }, async () => {
  const date = centreTomorrow();
  // (The edit outside the team's window below is refused on purpose.)
  const coord = await open('desktop', '/', { allow4xx: /\/api\/v1\/plans\/\d{4}-\d{2}-\d{2}$/ });
  await signIn(coord.page, 'coordinator');
  await coord.page.goto(new URL(`/#/coordinate?date=${date}`, coord.page.url()).href);
  await coord.page.waitForSelector('#plan-state[data-status=draft]');
  const rows = await coord.page.$$eval('#plan-table tbody tr', (trs) => trs.map((tr) => tr.dataset.id));
  assert.ok(rows.length >= 2, `the seeded queue gives tomorrow a plan (${rows.length} inspections)`);
  // Too early for the team's window: refused, with the assignment named.
  const first = `#plan-table tr[data-id="${rows[0]}"]`;
  const before = await coord.page.inputValue(`${first} input[type=time]`);
  await coord.page.fill(`${first} input[type=time]`, '05:00');
  await coord.page.fill('#plan-reason', 'earlier start');
  await coord.page.click('#plan-save');
  await coord.page.waitForFunction(() => /05:00/.test(document.querySelector('#plan-status').textContent));
  await coord.page.fill(`${first} input[type=time]`, before);
  // A valid change: the last vessel comes off the plan, with the reason logged.
  // Web review (2026-11-30), finding 12: removing a row hid it, and the
  // keyboard focus with it; the row is marked, its button undoes it.
  const last = `#plan-table tr[data-id="${rows.at(-1)}"]`;
  await coord.page.focus(`${last} button[data-action=remove]`);
  await coord.page.keyboard.press('Enter');
  assert.equal(await coord.page.getAttribute(last, 'data-removed'), 'true');
  assert.equal(await coord.page.evaluate(() => document.activeElement?.textContent), 'Undo remove');
  await coord.page.keyboard.press('Enter');
  assert.equal(await coord.page.getAttribute(last, 'data-removed'), 'false');
  await coord.page.click(`${last} button`);
  await coord.page.fill('#plan-reason', 'the vessel asked for a later slot');
  await coord.page.click('#plan-save');
  await coord.page.waitForFunction(() => /version 2/.test(document.querySelector('#plan-state').textContent));
  assert.equal(await coord.page.locator('#plan-table tbody tr').count(), rows.length - 1);
  await shot(coord.page, 'coordinator-plan');
  // The times are the centre's, and say so.
  assert.match(await coord.page.textContent('#plan-table caption'), /Istanbul time \(UTC\+3\)/);
  // An edit not saved yet is not sent behind the coordinator's back: with no
  // reason for it, sending is refused, and the plan stays as it was.
  const saved = await coord.page.inputValue(`${first} input[type=time]`);
  await coord.page.fill(`${first} input[type=time]`, '05:00');
  await coord.page.click('#plan-submit');
  await coord.page.waitForFunction(() => /changes not saved yet/.test(document.querySelector('#plan-status').textContent));
  assert.equal(await coord.page.getAttribute('#plan-state', 'data-status'), 'draft');
  assert.match(await coord.page.textContent('#plan-state'), /version 2/);
  await coord.page.fill(`${first} input[type=time]`, saved);
  await coord.page.click('#plan-submit');
  await coord.page.waitForSelector('#plan-state[data-status=submitted]');

  // UA holds version 2 with a reason code of its own.
  const holder = await open('desktop', '/');
  await signIn(holder.page, 'ua-delegate');
  await holder.page.goto(new URL(`/#/review?date=${date}`, holder.page.url()).href);
  await holder.page.waitForSelector('#plan-review-state[data-status=submitted]');
  await holder.page.setInputFiles('#key-file', path.join(KEYS, 'UA.key.pem'));
  await holder.page.waitForSelector('#key-status[data-loaded=true]');
  assert.equal(await holder.page.inputValue('#plan-hold-code'), 'PLAN_HOLD');
  await holder.page.fill('#plan-hold-code', 'TEAM_SHORT');
  await holder.page.fill('#plan-hold-reason', 'One boarding team fewer on the day');
  await holder.page.click('#plan-hold');
  await holder.page.waitForFunction(() => /Signed and recorded: hold of version 2/.test(document.querySelector('#plan-review-status').textContent));
  await holder.done();

  // The coordinator sees the hold and why; the submitted plan is still
  // editable, and a new version is a draft to send again.
  await coord.page.reload();
  await coord.page.waitForSelector('#plan-state[data-status=submitted]');
  assert.match(await coord.page.textContent('#plan-approvals [data-party=UA]'), /hold/);
  assert.match(await coord.page.textContent('#plan-approvals [data-reason-for=UA]'), /TEAM_SHORT/);
  const held = (await api(`/plans/${date}`, { headers: { authorization: `Bearer ${await tokenOf(coord.page)}` } })).approvals.find((a) => a.party === 'UA');
  assert.equal(held.reason_code, 'TEAM_SHORT');
  // The reason's text, once the server sends it with the code.
  if (typeof held.reason === 'string') assert.match(await coord.page.textContent('#plan-approvals [data-reason-for=UA]'), /One boarding team fewer/);
  assert.equal(await coord.page.isDisabled(`${first} input[type=time]`), false, 'a submitted plan can still be changed');
  assert.ok(await coord.page.isVisible('#plan-resubmit-note'));
  assert.equal(await coord.page.locator('#plan-submit').count(), 0, 'nothing to send: it is with the parties');
  await coord.page.fill('#plan-reason', 'UA’s hold: the second team starts later');
  await coord.page.click('#plan-save');
  await coord.page.waitForFunction(() => /version 3/.test(document.querySelector('#plan-state').textContent));
  assert.equal(await coord.page.getAttribute('#plan-state', 'data-status'), 'draft');
  await coord.page.click('#plan-submit');
  await coord.page.waitForSelector('#plan-state[data-status=submitted]');

  for (const party of PARTIES) {
    const d = await open('desktop', '/');
    await signIn(d.page, `${party.toLowerCase()}-delegate`);
    await d.page.goto(new URL(`/#/review?date=${date}`, d.page.url()).href);
    await d.page.waitForSelector('#plan-review-state[data-status=submitted]');
    await d.page.setInputFiles('#key-file', path.join(KEYS, `${party}.key.pem`));
    await d.page.waitForSelector('#key-status[data-loaded=true]');
    await d.page.click('#plan-approve');
    await d.page.waitForFunction(() => /Signed and recorded: approve of version 3/.test(document.querySelector('#plan-review-status').textContent));
    if (party === 'UN') await d.page.waitForSelector('#plan-review-state[data-status=approved]');
    await d.done();
  }
  await coord.page.reload();
  await coord.page.waitForSelector('#plan-state[data-status=approved]');
  for (const p of PARTIES) assert.match(await coord.page.textContent(`#plan-approvals [data-party=${p}]`), /approve/);

  // The inspectors' day is the approved plan.
  const insp = await open('phone', '/');
  await signIn(insp.page, 'inspector');
  await insp.page.goto(new URL(`/#/inspect?date=${date}`, insp.page.url()).href);
  for (const id of rows.slice(0, -1)) await insp.page.waitForSelector(`#inspect-list li[data-id="${id}"]`);
  assert.match(await insp.page.textContent(`#inspect-list li[data-id="${rows[0]}"]`), /JIT-\d/);
  for (const p of [insp, coord]) await p.done();
});

test('the coordinator acknowledges a corridor alert with a note; it is logged once and public', { skip, timeout: 240000 }, async () => {
  const coord = await open('desktop', '/');
  await signIn(coord.page, 'coordinator');
  await coord.page.goto(new URL('/#/coordinate', coord.page.url()).href);
  // Loaded (a table, or "No alerts."), and past the re-read the screen
  // makes once its live feed is connected.
  await coord.page.waitForSelector('#alerts-pending');
  await coord.page.waitForTimeout(5000);
  // Every redraw from here on, with its reason and the alerts it showed:
  // the once-a-minute re-read may redraw again right after the push, so
  // the question is which redraw showed the new alert first.
  await coord.page.evaluate(() => {
    const box = document.querySelector('#coord-alerts');
    window.alertLoads = [];
    new MutationObserver(() => window.alertLoads.push({
      why: box.dataset.loadedBy,
      keys: [...box.querySelectorAll('tr[data-key]')].map((r) => r.dataset.key),
    })).observe(box, { attributes: true, attributeFilter: ['data-loaded-by'] });
  });
  // The simulated feed raises alerts as it plays. One the screen does not
  // show yet appears by itself, from the live feed, well before the
  // screen's once-a-minute re-read (nobody clicks Refresh).
  const routine = new Set(['corridor_entry', 'corridor_exit', 'area_arrival']);
  let fresh = null;
  for (let i = 0; !fresh; i++) {
    assert.ok(i < 100, 'the simulated feed raised an alert within 200 s');
    await coord.page.waitForTimeout(2000);
    const shown = new Set(await coord.page.$$eval('#alerts-table tr[data-key]', (rs) => rs.map((r) => r.dataset.key)));
    fresh = (await api('/alerts?limit=500')).items.find((a) => !routine.has(a.kind) && !shown.has(a.key))?.key;
  }
  await coord.page.waitForSelector(`#alerts-table tr[data-key="${fresh}"]`, { timeout: 10000 });
  // Pushed: the alert itself, or the feed saying it dropped events for this
  // slow page (which then reads the alerts again); not the minute's re-read.
  // (The minute's re-read may happen to land in the push's 1.5 s debounce
  // and show it first; the pushed redraw still follows.)
  const pushed = await coord.page.waitForFunction((k) => window.alertLoads.some((l) => l.keys.includes(k) && /\b(live|lagged)\b/.test(l.why)), fresh, { timeout: 10000 })
    .then(() => true, () => false);
  const alertLoads = await coord.page.evaluate(() => window.alertLoads);
  assert.ok(pushed, `shown by the live feed, not only by a re-read (${alertLoads.map((l) => l.why).join(', ')})`);
  const pending = '#alerts-table tbody tr:not(.acked)';
  assert.ok(await coord.page.locator(pending).count(), 'an alert to acknowledge');
  const row = coord.page.locator(pending).first();
  const key = await row.getAttribute('data-key');
  const sel = `#alerts-table tr[data-key="${key}"]`;
  // A second coordinator's screen, showing the same alert, records why it redraws.
  const other = await open('desktop', '/');
  await signIn(other.page, 'coordinator');
  await other.page.goto(new URL('/#/coordinate', other.page.url()).href);
  await other.page.waitForSelector(sel, { timeout: 15000 });
  await other.page.evaluate(() => {
    const box = document.querySelector('#coord-alerts');
    window.loads = [];
    new MutationObserver(() => window.loads.push(box.dataset.loadedBy)).observe(box, { attributes: true, attributeFilter: ['data-loaded-by'] });
  });
  const note = 'Called the master by VHF; the vessel is back in the lane.';
  await coord.page.fill(`${sel} input`, note);
  await coord.page.click(`${sel} button[data-action=acknowledge]`);
  await coord.page.waitForSelector(`${sel}.acked`);
  assert.match(await coord.page.textContent(sel), /Acknowledged by .*Called the master by VHF/);
  // The other screen shows it within seconds, told by the live feed (its own re-read is a minute away).
  await other.page.waitForSelector(`${sel}.acked`, { timeout: 10000 });
  assert.match(await other.page.textContent(sel), /Called the master by VHF/);
  const loads = await other.page.evaluate(() => window.loads);
  assert.ok(loads.some((l) => l.split(' ').includes('acknowledgement')), `redrawn for the pushed acknowledgement (${loads.join(', ')})`);
  await other.done();
  await shot(coord.page, 'coordinator-alerts');
  // Public, with the note, the alert's kind and vessel from the tracking store.
  const acks = await api('/alerts/acknowledgements');
  const ack = acks.items.find((a) => a.key === key);
  assert.equal(ack?.note, note);
  const alerts = await api('/alerts?limit=100');
  const alert = alerts.items.find((a) => a.key === key);
  assert.equal(ack.kind, alert.kind);
  assert.equal(ack.mmsi, alert.mmsi);
  // A second acknowledgement is refused, naming the first.
  const token = await coord.page.evaluate(() => sessionStorage.getItem('corridor.token'));
  const again = await fetch(new URL(`/api/v1/alerts/${encodeURIComponent(key)}/acknowledgement`, coord.page.url()), {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}',
  });
  assert.equal(again.status, 409);
  assert.match((await again.json()).error.message, /already acknowledged by/);
  await coord.done();
});

test('operations: the month-by-month figures on the public page are the API’s, and its CSV', { skip }, async () => {
  const { page, done } = await open('desktop', '/#/accountability');
  await page.waitForSelector('#operations [data-state=ready]');
  const ops = await api('/operations');
  assert.ok(ops.months.length > 0, 'the demo season has months');
  const shown = await page.$$eval('#operations-table tbody tr', (trs) => trs.map((tr) => ({
    month: tr.dataset.month,
    cells: [...tr.children].map((c) => ({ text: c.textContent, median: c.dataset.median })),
  })));
  assert.deepEqual(shown.map((r) => r.month), ops.months.map((m) => m.month).reverse(), 'every month, newest first');
  for (const m of ops.months) {
    const { cells } = shown.find((r) => r.month === m.month);
    const counts = [m.submitted, m.cleared, m.cleared_on_papers, m.tonnes_cleared, m.rejected, m.withdrawn, m.expired,
      m.arrived, m.inspections.passed, m.inspections.failed_not_ready, m.inspections.failed_non_compliant, m.departed];
    assert.deepEqual(cells.slice(1, 13).map((c) => Number(c.text.replace(/,/g, ''))), counts, `${m.month} counts`);
    const medians = [m.days_to_clear, m.days_waiting_for_inspection, m.days_in_inspection_area].map((d) => (d.count ? String(d.median) : ''));
    assert.deepEqual(cells.slice(13).map((c) => c.median), medians, `${m.month} medians`);
  }
  const cleared = ops.months.reduce((s, m) => s + m.cleared, 0);
  assert.ok(cleared > 0, 'the demo clears vessels');
  // The CSV the page links to: a row a month, as the API's JSON.
  const href = await page.$eval('#operations-csv', (a) => a.href);
  const csv = await (await fetch(href)).text();
  const [header, ...rows] = csv.trim().split('\n');
  assert.match(header, /^month,time_zone,submitted,cleared,/);
  assert.equal(rows.length, ops.months.length);
  const at = header.split(',').indexOf('cleared');
  assert.equal(rows.reduce((s, r) => s + Number(r.split(',')[at]), 0), cleared);
  await done();
});

test('accountability: each party’s figures on the public page are the API’s', { skip }, async () => {
  const { page, done } = await open('desktop', '/#/accountability');
  await page.waitForSelector('#accountability [data-state=ready]');
  const a = await api('/accountability');
  assert.equal(a.parties.length, 4);
  for (const p of a.parties) {
    const cells = await page.$$eval(`#accountability-table tr[data-party="${p.party}"] > *`, (cs) => cs.map((c) => ({ text: c.textContent, seconds: c.dataset.seconds })));
    assert.equal(Number(cells[1].text.replace(/,/g, '')), p.decisions, `${p.party} decisions`);
    assert.equal(Number(cells[2].text.replace(/,/g, '')), p.approvals, `${p.party} approvals`);
    assert.equal(cells[3].seconds, String(p.median_seconds_to_decide ?? ''), `${p.party} median time to decide`);
    const holds = Object.values(p.holds_by_reason).reduce((s, n) => s + n, 0);
    const shown = [...cells[4].text.matchAll(/×(\d+)/g)].reduce((s, m) => s + Number(m[1]), 0);
    assert.equal(shown, holds, `${p.party} holds`);
    // An open hold keeps counting between the page's read and this one.
    const drift = Math.abs(Number(cells[6].seconds) - p.seconds_held);
    assert.ok(p.holds_open ? drift <= 60 : drift === 0, `${p.party} time held: ${cells[6].seconds} shown, ${p.seconds_held} read`);
    // Time overdue: a decision overdue now keeps counting too.
    const late = Math.abs(Number(cells[8].seconds) - p.seconds_overdue);
    assert.ok(p.overdue.length ? late <= 60 * p.overdue.length : late === 0, `${p.party} time overdue: ${cells[8].seconds} shown, ${p.seconds_overdue} read`);
    assert.equal(/never decided/.test(cells[8].text), p.overdue_undecided > 0, `${p.party} waits ended undecided`);
    // The daily plans' table.
    const plan = await page.$$eval(`#accountability-plans tr[data-party="${p.party}"] > *`, (cs) => cs.map((c) => ({ text: c.textContent, seconds: c.dataset.seconds })));
    assert.equal(Number(plan[1].text.replace(/,/g, '')), p.plans.decisions, `${p.party} plan decisions`);
    assert.equal(Number(plan[2].text.replace(/,/g, '')), p.plans.approvals, `${p.party} plan approvals`);
    assert.equal(plan[3].seconds, String(p.plans.median_seconds_to_decide ?? ''), `${p.party} plan median`);
    const planHeld = Math.abs(Number(plan[6].seconds) - p.plans.seconds_held);
    assert.ok(p.plans.holds_open ? planHeld <= 60 : planHeld === 0, `${p.party} plan time held`);
    assert.equal(Number(plan[7].text), p.plans.late, `${p.party} late plan decisions`);
  }
  await page.waitForSelector('#chart-decide svg');
  await done();
});

test('a signed-out visitor is asked to sign in; a user of another role is told the screen is not theirs', { skip }, async () => {
  const { page, done } = await open('desktop', '/#/review');
  await page.waitForSelector('a[href^="#/login"]');
  await signIn(page, 'agent-navistar');
  await page.goto(new URL('/#/review', page.url()).href);
  await page.waitForFunction(() => /for the delegate role/.test(document.querySelector('main').textContent));
  await page.click('#sign-out');
  await page.waitForSelector('#sign-in');
  await done();
});

test('signing out forgets the party’s signing key: the next user of the tab starts without it', { skip }, async () => {
  const { page, done } = await open('desktop', '/');
  await signIn(page, 'ua-delegate');
  const id = await openReviewable(page);
  await page.waitForSelector('#review-application #key-file');
  await page.setInputFiles('#review-application #key-file', path.join(KEYS, 'UA.key.pem'));
  await page.waitForSelector('#review-application #key-status[data-loaded=true]');
  // The next user of the tab is another of UA's delegates: the same party,
  // so only forgetting the key at sign-out keeps it from them.
  const admin = await apiToken('admin');
  const created = await fetch(new URL('/api/v1/users', BASE), {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'ua-relief', password: 'relief-delegate-e2e-2023', role: { role: 'delegate', party: 'UA' }, admin_password: PASSWORD }),
  });
  assert.ok([201, 409].includes(created.status), `a second UA delegate (${created.status})`);
  await page.click('#sign-out');
  await page.waitForSelector('#sign-in');
  await signIn(page, 'ua-relief', 'relief-delegate-e2e-2023');
  await page.goto(new URL(`/#/review/${id}`, page.url()).href);
  await page.waitForSelector('#review-application #key-status');
  assert.equal(await page.getAttribute('#review-application #key-status', 'data-loaded'), 'false');
  assert.match(await page.textContent('#review-application #key-status'), /No signing key loaded: load UA/);
  await page.waitForSelector('#decision-form');
  assert.equal(await page.isDisabled('#decision-form button[type=submit]'), true);
  // The same user signing out and in again loads the key again too.
  await page.click('#sign-out');
  await page.waitForSelector('#sign-in');
  await signIn(page, 'ua-delegate');
  await page.goto(new URL(`/#/review/${id}`, page.url()).href);
  await page.waitForSelector('#review-application #key-status');
  assert.equal(await page.getAttribute('#review-application #key-status', 'data-loaded'), 'false');
  await done();
});

/** Ends this tab's token behind its back, as its expiry would. */
// Opens, as the signed-in delegate, the first application waiting for
// the parties (under review or held); its id.
async function openReviewable(page) {
  await page.goto(new URL('/#/review', page.url()).href);
  const row = '#review-queue tr[data-id]:has([data-status=under_review], [data-status=held])';
  await page.waitForSelector(row);
  const id = await page.$eval(row, (tr) => tr.dataset.id);
  await page.goto(new URL(`/#/review/${id}`, page.url()).href);
  return id;
}

async function revokeOwnToken(page) {
  await page.evaluate(async () => {
    const t = sessionStorage.getItem('corridor.token');
    const id = sessionStorage.getItem('corridor.token_id');
    await fetch(`/api/v1/auth/tokens/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${t}` } });
  });
}

test('a token that ends mid-work keeps the screen and what was typed, and signs in again in place', { skip }, async () => {
  const { page, done } = await open('desktop', '/', { allow4xx: /\/api\/v1\// });
  await signIn(page, 'coordinator');
  // A day whose plan is still a draft (tomorrow's was approved above).
  await page.goto(new URL(`/#/coordinate?date=${addDays(centreTomorrow(), 1)}`, page.url()).href);
  await page.waitForSelector('#plan-reason');
  // The coordinator is typing the reason for a plan change when the token ends.
  await page.fill('#plan-reason', 'typed before the token ended');
  await revokeOwnToken(page);
  await page.click('#plan-save');
  // Signed out, told so, with the screen as it was.
  await page.waitForSelector('#session-lapsed');
  await page.waitForSelector('#sign-in');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('corridor.token')), null);
  assert.equal(await page.inputValue('#plan-reason'), 'typed before the token ended');
  assert.ok(await page.locator('#plan-table, #plan .notice').count(), 'the plan is still shown');
  assert.match(await page.textContent('#session-lapsed'), /signed out.*what you typed are kept/s);
  assert.equal(await page.inputValue('#relogin-user'), 'coordinator');
  await assertAccessible(page, 'the sign-in notice');
  // A wrong password is said so, in place.
  await page.fill('#relogin-password', 'not-the-password');
  await page.click('#relogin-form button[type=submit]');
  await page.waitForFunction(() => /password is wrong/.test(document.querySelector('#relogin-form').textContent));
  // Signed in again: the same screen, the text still there, and it works.
  await page.fill('#relogin-password', PASSWORD);
  await page.click('#relogin-form button[type=submit]');
  await page.waitForSelector('#session-lapsed', { state: 'detached' });
  await page.waitForSelector('#signed-in');
  assert.equal(await page.inputValue('#plan-reason'), 'typed before the token ended');
  assert.match(page.url(), /#\/coordinate/);
  // Ended again, found out on another screen; after that a working screen
  // asks to sign in, as the tab is signed out.
  await revokeOwnToken(page);
  await page.goto(new URL('/#/', page.url()).href);
  await page.goto(new URL('/#/coordinate', page.url()).href);
  await page.waitForSelector('#session-lapsed');
  await page.goto(new URL('/#/', page.url()).href);
  await page.goto(new URL('/#/coordinate', page.url()).href);
  await page.waitForFunction(() => /for signed-in users/.test(document.querySelector('main').textContent));
  // Signing in from the notice draws the screen that asked.
  await page.fill('#relogin-password', PASSWORD);
  await page.click('#relogin-form button[type=submit]');
  await page.waitForSelector('#plan-state');
  await done();
});

test('a server that cannot be reached does not sign the tab out', { skip }, async () => {
  const { page, errors, done } = await open('desktop', '/');
  await signIn(page, 'inspector');
  const token = await tokenOf(page);
  // The page is reloaded while the server is unreachable, then answers 503.
  await page.route('**/api/v1/auth/me', (route) => route.abort('connectionrefused'));
  await page.goto(new URL('/#/inspect', page.url()).href);
  await page.reload();
  await page.waitForFunction(() => /Could not check who is signed in/.test(document.querySelector('main').textContent));
  assert.equal(await tokenOf(page), token, 'the token is kept');
  await page.unroute('**/api/v1/auth/me');
  await page.route('**/api/v1/auth/me', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"unavailable","message":"The server is busy."}}' }));
  await page.click('main button:has-text("Try again")');
  await page.waitForFunction(() => /The server is busy/.test(document.querySelector('main').textContent));
  assert.equal(await tokenOf(page), token, 'still kept after a 503');
  await page.unroute('**/api/v1/auth/me');
  await page.click('main button:has-text("Try again")');
  await page.waitForSelector('#inspect');
  // The header, which said it could not check, shows the user again.
  await page.waitForSelector('#signed-in');
  // The refused and failed /auth/me requests were provoked.
  for (let i = errors.length - 1; i >= 0; i--) if (/auth\/me|status of 503|ERR_CONNECTION_REFUSED/.test(errors[i])) errors.splice(i, 1);
  await done();
});

test('a wrong password is said so', { skip }, async () => {
  const { page, done } = await open('desktop', '/#/login', { allow4xx: /\/api\/v1\/auth\/login$/ });
  await page.fill('#login-user', 'inspector');
  await page.fill('#login-password', 'not-the-password');
  await page.click('#login-form button[type=submit]');
  await page.waitForFunction(() => /user name or password is wrong/.test(document.querySelector('#login-form').textContent));
  assert.equal(await page.locator('#signed-in').count(), 0);
  await done();
});

test('screenshots of the working screens at desktop and phone sizes', { skip }, async () => {
  const screens = [
    ['agent', 'agent-navistar', '/#/agent', '#agent-applications, #agent .notice:not(:has-text("Loading"))'],
    ['agent-new', 'agent-navistar', '/#/agent/new', '#application-form'],
    ['delegation', 'ua-delegate', '/#/review', '#review-queue, #review .notice:not(:has-text("Loading"))'],
    ['inspector', 'inspector', '/#/inspect', '#inspect-list, #inspect .notice:not(:has-text("Loading"))'],
    ['coordinator', 'coordinator', '/#/coordinate', '#coord-review-panel, #coord-review'],
  ];
  for (const viewport of Object.keys(VIEWPORTS)) {
    for (const [name, user, route, ready] of screens) {
      const { page, done } = await open(viewport, '/');
      await signIn(page, user);
      await page.goto(new URL(route, page.url()).href);
      await page.waitForSelector(ready);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(OUT, `${viewport}-${name}.png`), fullPage: true });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 1, `${viewport} ${name}: page is ${overflow}px too wide`);
      await done();
    }
  }
});

const auth = (token) => ({ headers: { authorization: `Bearer ${token}` } });

test('attaching a document to an application under review asks first, and keeps the form’s unsaved edits', { skip, timeout: 120000 }, async () => {
  const { page, errors, done } = await open('desktop', '/');
  await signIn(page, 'agent-navistar');
  await page.goto(new URL('/#/agent', page.url()).href);
  const row = '#agent-applications tr:has([data-status=under_review])';
  await page.waitForSelector(row);
  const id = await page.$eval(row, (tr) => tr.dataset.id);
  const token = await tokenOf(page);
  const decided = async () => (await api(`/applications/${id}/status`, auth(token))).parties.map((p) => p.decision ?? null);
  const before = await decided();
  assert.ok(before.some(Boolean), `a party has decided on ${id} already (${before})`);
  // The demo season is in 2022: the arrival has passed, and an amendment is
  // still valid (its notice counts from the submission, as the server checks).
  const app = await api(`/applications/${id}`, auth(token));
  assert.ok(Date.parse(app.content.eta_inspection_area) < Date.now());
  await page.goto(new URL(`/#/agent/applications/${id}`, page.url()).href);
  await page.waitForSelector('#application-form');
  // A field is changed, not saved yet.
  const crew = String(app.content.crew_count + 1);
  await page.fill('#f-crew', crew);
  assert.equal(await page.textContent('#f-eta-error'), '', 'the passed ETA is not refused by the form');
  const doc = { name: 'bill-of-lading.pdf', mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4 bill of lading for ${id}\n`) };
  // Dismissed: nothing attached, every decision stands.
  const asked = [];
  page.once('dialog', (d) => { asked.push(d.message()); d.dismiss(); });
  await page.setInputFiles('#documents input[data-kind=bill_of_lading]', doc);
  await page.waitForFunction(() => /not attached: the parties’ decisions stand/.test(document.querySelector('#agent-status').textContent));
  assert.match(asked[0], /every party’s decision so far is cleared and the parties decide again/);
  assert.deepEqual(await decided(), before);
  assert.match(await page.textContent('#documents tr[data-kind=bill_of_lading]'), /—/);
  // Accepted: attached, the parties decide again, the typed crew count is still there.
  page.once('dialog', (d) => { asked.push(d.message()); d.accept(); });
  await page.setInputFiles('#documents input[data-kind=bill_of_lading]', doc);
  await page.waitForSelector('#documents tr[data-kind=bill_of_lading] .tag.ok');
  assert.equal(asked.length, 2);
  assert.deepEqual((await decided()).filter(Boolean), [], 'the amendment cleared every decision');
  assert.equal(await page.inputValue('#f-crew'), crew, 'the unsaved edit survived the redraw');
  assert.equal(await page.getAttribute('#application-form', 'data-unsaved'), 'true');
  assert.match(await page.textContent('#agent-status'), /unsaved changes to the form below are kept/);
  // The kept edit is then sent as the amendment it is.
  await page.click('#application-form button[type=submit]');
  await page.waitForFunction(() => /Saved\./.test(document.querySelector('#agent-status').textContent));
  const amended = await api(`/applications/${id}`, auth(token));
  assert.equal(amended.content.crew_count, Number(crew));
  assert.ok(amended.content.documents.some((d) => d.kind === 'bill_of_lading'));
  // Attached, but the page cannot be drawn again (a server error on the
  // way): said as it is, never "failed", which would have the agent attach it twice.
  const busy = (url) => url.pathname === `/api/v1/applications/${id}/eligibility`;
  await page.route(busy, (route) => route.fulfill({ status: 503, json: { error: { code: 'unavailable', message: 'The server is busy (test).' } } }));
  page.once('dialog', (d) => d.accept());
  await page.setInputFiles('#documents input[data-kind=fumigation_certificate]', { name: 'fumigation.pdf', mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4 fumigation for ${id}\n`) });
  await page.waitForFunction(() => /fumigation\.pdf attached, and the parties’ decisions so far were cleared, but the page could not be redrawn: The server is busy \(test\)\. Reload/.test(document.querySelector('#agent-status').textContent));
  assert.ok((await api(`/applications/${id}`, auth(token))).content.documents.some((d) => d.kind === 'fumigation_certificate'), 'it is attached');
  await page.unroute(busy);
  for (let i = errors.length - 1; i >= 0; i--) if (/status of 503/.test(errors[i])) errors.splice(i, 1);
  await done();
});

test('loading the signing key keeps the decision being typed', { skip }, async () => {
  const { page, done } = await open('desktop', '/');
  await signIn(page, 'tr-delegate');
  const id = await openReviewable(page);
  await page.waitForSelector('#decision-form');
  assert.equal(await page.isDisabled('#decision-form button[type=submit]'), true, 'no key yet');
  await page.check('#decision-form input[value=hold]');
  await page.fill('#reason-code', 'DOCS_MISSING');
  await page.fill('#reason-text', 'Typed before the key was loaded');
  await page.setInputFiles('#review-application #key-file', path.join(KEYS, 'TR.key.pem'));
  await page.waitForSelector('#review-application #key-status[data-loaded=true]');
  assert.equal(await page.inputValue('#reason-code'), 'DOCS_MISSING');
  assert.equal(await page.inputValue('#reason-text'), 'Typed before the key was loaded');
  assert.equal(await page.isChecked('#decision-form input[value=hold]'), true);
  assert.equal(await page.isDisabled('#decision-form button[type=submit]'), false, 'the key enables signing');
  // A key that fails to load replaces the one held: nothing can be signed, and the button says so.
  await page.setInputFiles('#review-application #key-file', path.join(KEYS, 'UN.key.pem'));
  await page.waitForFunction(() => /Key not loaded/.test(document.querySelector('#review-application #key-status').textContent));
  assert.equal(await page.getAttribute('#review-application #key-status', 'data-loaded'), 'false');
  assert.equal(await page.isDisabled('#decision-form button[type=submit]'), true, 'no key, no signing');
  assert.equal(await page.inputValue('#reason-text'), 'Typed before the key was loaded');
  await done();
});

test('keyboard: the coordinator’s alerts keep the focus and the notes through pushes and re-reads', { skip }, async () => {
  const { page, done } = await open('desktop', '/');
  await signIn(page, 'coordinator');
  // The alerts this screen reads are the test's, so the test makes the redraws.
  const alert = (key, mmsi, minutes) => ({
    id: key, key, kind: 'deviation', mmsi, open: true, end: null, detail: 'off the lane (test)',
    start: new Date(Date.now() - minutes * 60000).toISOString(),
  });
  let alerts = [alert('e2e-a', 271000001, 5), alert('e2e-b', 271000002, 10)];
  await page.route((url) => url.pathname === '/api/v1/alerts', (route) => route.fulfill({ json: { items: alerts } }));
  await page.route((url) => url.pathname === '/api/v1/alerts/acknowledgements', (route) => route.fulfill({ json: { items: [] } }));
  await page.goto(new URL('/#/coordinate', page.url()).href);
  const b = '#alerts-table tr[data-key="e2e-b"]';
  await page.waitForSelector(b);
  await page.fill('#alerts-table tr[data-key="e2e-a"] input', 'Called the master');
  await page.focus(`${b} button[data-action=acknowledge]`);
  const focused = () => page.evaluate(() => ({ key: document.activeElement.closest('tr')?.dataset.key, action: document.activeElement.dataset.action }));
  // Re-read as a push or the minute's poll does (Refresh clicked without moving the focus).
  const reread = async (ready) => {
    await page.evaluate(() => document.querySelector('#alerts-pending button').click());
    await page.waitForSelector(ready);
  };
  // A new alert comes first: the rows move, the focus does not.
  alerts = [alert('e2e-c', 271000003, 1), ...alerts];
  await reread('#alerts-table tbody tr:first-child[data-key="e2e-c"]');
  assert.deepEqual(await focused(), { key: 'e2e-b', action: 'acknowledge' });
  // The focused alert closes: its row is drawn anew, the focus goes to its new Acknowledge.
  alerts = alerts.map((a) => (a.key === 'e2e-b' ? { ...a, open: false, end: new Date().toISOString() } : a));
  await reread(`${b}:not(.open)`);
  assert.deepEqual(await focused(), { key: 'e2e-b', action: 'acknowledge' });
  assert.equal(await page.inputValue('#alerts-table tr[data-key="e2e-a"] input'), 'Called the master');
  // And from the keyboard it acknowledges that alert.
  await page.route((url) => url.pathname === '/api/v1/alerts/e2e-b/acknowledgement', (route) => route.fulfill({ json: { key: 'e2e-b' } }));
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /Acknowledged: deviation, MMSI 271000002/.test(document.querySelector('#alerts-status').textContent));
  await done();
});

test('the inspector’s day: a day in the address that is not one shows today, said so', { skip }, async () => {
  const { page, done } = await open('phone', '/');
  await signIn(page, 'inspector');
  const list = '#inspect > div[aria-live] :is(#inspect-list, .notice:not(:has-text("Loading")))';
  for (const bad of ['2023-02-30', 'tomorrow', '2023-6-1']) {
    await page.goto(new URL(`/#/inspect?date=${bad}`, page.url()).href);
    await page.waitForSelector(list);
    assert.match(await page.textContent('#inspect-date-notice'), new RegExp(`“${bad}” is not a day \\(YYYY-MM-DD\\): showing today’s inspections`));
    assert.equal(await page.inputValue('#inspect-date'), dayIn(CENTRE_TIME_ZONE));
    assert.match(await page.textContent('#inspect-zone'), /Istanbul time \(UTC\+3\)/);
  }
  // A real day is taken as asked, without the notice.
  await page.goto(new URL('/#/inspect?date=2024-02-29', page.url()).href);
  await page.waitForSelector(list);
  assert.equal(await page.locator('#inspect-date-notice').count(), 0);
  assert.equal(await page.inputValue('#inspect-date'), '2024-02-29');
  await done();
});

test('a working screen that throws while it is drawn says so, with Try again, instead of “Loading…” for ever', { skip }, async () => {
  const { page, done } = await open('desktop', '/');
  await signIn(page, 'inspector');
  await page.goto(new URL('/#/inspect', page.url()).href);
  await page.waitForSelector('#inspect-zone');
  // Every clock in the page throws, as an unknown time zone makes Intl throw.
  await page.evaluate(() => {
    const real = Intl.DateTimeFormat.prototype.formatToParts;
    window.restoreClock = () => { Intl.DateTimeFormat.prototype.formatToParts = real; };
    Intl.DateTimeFormat.prototype.formatToParts = () => { throw new RangeError('the clock broke (test)'); };
  });
  await page.goto(new URL('/#/inspect?date=2024-02-29', page.url()).href);
  await page.waitForSelector('main [data-gate=error]');
  assert.match(await page.textContent('main [data-gate=error]'), /This screen could not be shown: the clock broke \(test\)/);
  assert.doesNotMatch(await page.textContent('main'), /Loading…/);
  await page.evaluate(() => window.restoreClock());
  await page.click('main [data-gate=error] button:has-text("Try again")');
  await page.waitForSelector('#inspect-zone');
  assert.equal(await page.inputValue('#inspect-date'), '2024-02-29');
  await done();
});

test('alerts: an older answer arriving last does not show an acknowledged alert as open again', { skip }, async () => {
  const { page, done } = await open('desktop', '/');
  await signIn(page, 'coordinator');
  const alert = {
    id: 'e2e-stale', key: 'e2e-stale', kind: 'deviation', mmsi: 271000009, open: true, end: null, detail: 'off the lane (test)',
    start: new Date(Date.now() - 5 * 60000).toISOString(),
  };
  let acked = false;
  let slow = false;
  let slowStarted;
  const started = new Promise((r) => { slowStarted = r; });
  await page.route((url) => url.pathname === '/api/v1/alerts', (route) => route.fulfill({ json: { items: [alert] } }));
  await page.route((url) => url.pathname === '/api/v1/alerts/acknowledgements', async (route) => {
    // What is true when the question is asked; a slow answer tells it late.
    const items = acked ? [{ key: alert.key, kind: alert.kind, mmsi: alert.mmsi, by: 'user:coordinator', at: new Date().toISOString(), note: 'seen (test)' }] : [];
    if (slow) {
      slow = false;
      slowStarted();
      await new Promise((r) => setTimeout(r, 2500));
    }
    await route.fulfill({ json: { items } }).catch(() => {});
  });
  await page.goto(new URL('/#/coordinate', page.url()).href);
  const sel = '#alerts-table tr[data-key="e2e-stale"]';
  await page.waitForSelector(`${sel}.open`);
  const refresh = () => page.evaluate(() => document.querySelector('#alerts-pending button').click());
  // A read is under way (its answer: open), then the alert is acknowledged and read again.
  slow = true;
  await refresh();
  await started;
  acked = true;
  await refresh();
  await page.waitForSelector(`${sel}.acked`);
  // The slow answer arrives last: the newer one stays.
  await page.waitForTimeout(3500);
  assert.equal(await page.locator(`${sel}.acked`).count(), 1, 'still shown as acknowledged');
  assert.match(await page.textContent(sel), /Acknowledged by coordinator/);
  assert.equal(await page.textContent('#alerts-count'), 'Every alert is acknowledged.');
  await done();
});

test('the server’s time zone is the one shown: the inspectors’ day and the coordinator’s plan follow `time_zone`', { skip }, async () => {
  // The same server, saying its centre keeps Tokyo time (UTC+9, no summer time).
  const zone = 'Asia/Tokyo';
  const inZone = async (route) => {
    const res = await route.fetch();
    await route.fulfill({ response: res, json: { ...(await res.json()), time_zone: zone } });
  };
  // (Routed before signing in: the sign-in lands on the role's screen.)
  const insp = await open('phone', '/');
  await insp.page.route((url) => url.pathname === '/api/v1/inspections', inZone);
  await signIn(insp.page, 'inspector');
  // Tomorrow's plan was approved above: its times are read on the plan's clock.
  await insp.page.goto(new URL(`/#/inspect?date=${centreTomorrow()}`, insp.page.url()).href);
  await insp.page.waitForFunction(() => /Tokyo time \(UTC\+9\)/.test(document.querySelector('#inspect-zone').textContent));
  await insp.page.waitForSelector('#inspect-list li');
  const slots = await insp.page.$$eval('#inspect-list li', (lis) => lis.map((li) => li.textContent));
  assert.ok(slots.some((t) => /\d\d:\d\d–\d\d:\d\d UTC\+9 · team/.test(t)), `the plan's times in its zone (${slots.join(' | ')})`);
  // Without a day asked for, the day is the server's today.
  await insp.page.goto(new URL('/#/inspect', insp.page.url()).href);
  await insp.page.waitForSelector('#inspect > div[aria-live] :is(#inspect-list, .notice:not(:has-text("Loading")))');
  assert.equal(await insp.page.inputValue('#inspect-date'), dayIn(CENTRE_TIME_ZONE), 'the server’s today (its clock is Istanbul’s)');
  await insp.done();

  const coord = await open('desktop', '/');
  await coord.page.route((url) => /^\/api\/v1\/plans\/\d{4}-\d{2}-\d{2}$/.test(url.pathname), (route) => (route.request().method() === 'GET' ? inZone(route) : route.continue()));
  await signIn(coord.page, 'coordinator');
  await coord.page.goto(new URL('/#/coordinate', coord.page.url()).href);
  await coord.page.waitForSelector('#plan-state');
  // "Tomorrow" is the plan's zone's (from 18:00 in Istanbul it is already the next day in Tokyo).
  const tomorrow = addDays(dayIn(zone), 1);
  assert.equal(await coord.page.textContent('#coord-plan-title'), `Inspection plan for ${fmtDate(tomorrow)}`);
  assert.match(await coord.page.textContent('#plan-table caption'), /Tokyo time \(UTC\+9\)/);
  await coord.page.waitForFunction(() => /Tokyo time \(UTC\+9\)/.test(document.querySelector('#coord-schedule-zone').textContent));
  const labels = await coord.page.$$eval('#to-schedule input[type=datetime-local]', (els) => els.map((e) => e.getAttribute('aria-label')));
  for (const l of labels) assert.match(l, /Tokyo time \(UTC\+9\)/);
  await coord.done();
});

test('a slow request sent before signing in again does not sign the new session out', { skip }, async () => {
  const { page, done } = await open('desktop', '/', { allow4xx: /\/api\/v1\// });
  await signIn(page, 'coordinator');
  await page.goto(new URL(`/#/coordinate?date=${addDays(centreTomorrow(), 1)}`, page.url()).href);
  await page.waitForSelector('#plan-reason');
  await page.waitForSelector('#alerts-pending');
  // Typed: signing in again keeps the screen (and its requests) as they are.
  await page.fill('#plan-reason', 'typed before the token ended (test)');
  const old = await tokenOf(page);
  let release;
  const released = new Promise((r) => { release = r; });
  let heldStarted;
  const held = new Promise((r) => { heldStarted = r; });
  let holding = false;
  // (The acknowledgements are public: the server answers them whatever the
  // token, so the held read's 401 to the ended token is the test's.)
  await page.route((url) => url.pathname === '/api/v1/alerts/acknowledgements', async (route) => {
    if (!holding && route.request().headers().authorization === `Bearer ${old}`) {
      holding = true;
      heldStarted();
      await released;
      return route.fulfill({ status: 401, json: { error: { code: 'unauthorized', message: 'The token has ended (test).' } } }).catch(() => {});
    }
    return route.continue().catch(() => {});
  });
  // A read with the old token, held on the way; then the token ends and the user signs in again.
  await page.evaluate(() => document.querySelector('#alerts-pending button').click());
  await held;
  await revokeOwnToken(page);
  await page.click('#plan-save');
  await page.waitForSelector('#session-lapsed');
  await page.fill('#relogin-password', PASSWORD);
  await page.click('#relogin-form button[type=submit]');
  await page.waitForSelector('#session-lapsed', { state: 'detached' });
  await page.waitForSelector('#signed-in');
  const fresh = await tokenOf(page);
  assert.ok(fresh && fresh !== old);
  // The held read now gets its 401, about the old token: the new session stays.
  const answered = page.waitForResponse((r) => r.url().includes('/alerts/acknowledgements') && r.status() === 401);
  const again = page.waitForResponse((r) => r.url().includes('/alerts/acknowledgements') && r.status() === 200
    && r.request().headers().authorization === `Bearer ${fresh}`);
  release();
  await answered;
  // Asked again as the new session.
  await again;
  await page.waitForTimeout(500);
  assert.equal(await tokenOf(page), fresh, 'still signed in');
  assert.equal(await page.locator('#session-lapsed').count(), 0, 'not asked to sign in again');
  assert.equal(await page.locator('#signed-in').count(), 1);
  assert.equal(await page.inputValue('#plan-reason'), 'typed before the token ended (test)');
  await done();
});

test('signed out mid-work: the notice never hides the field in use (phone: it scrolls with the page; desktop: fields scroll clear of it)', { skip }, async () => {
  for (const viewport of ['phone', 'desktop']) {
    const { page, done } = await open(viewport, '/', { allow4xx: /\/api\/v1\// });
    await signIn(page, 'coordinator');
    await page.goto(new URL(`/#/coordinate?date=${addDays(centreTomorrow(), 1)}`, page.url()).href);
    await page.waitForSelector('#plan-reason');
    await revokeOwnToken(page);
    await page.fill('#plan-reason', `typed on the ${viewport} (test)`);
    await page.click('#plan-save');
    await page.waitForSelector('#session-lapsed');
    // Said where the action was too, and announced.
    await page.waitForFunction(() => /You are signed out/.test(document.querySelector('#plan-status').textContent))
      .catch(async (e) => {
        const said = await page.$eval('#plan-status', (el) => el.textContent).catch(() => '(no #plan-status)');
        const reason = await page.$eval('#plan-reason', (el) => el.value).catch(() => '(no #plan-reason)');
        throw new Error(`${viewport}: #plan-status says ${JSON.stringify(said)}; the reason field holds ${JSON.stringify(reason)} (${e.message})`);
      });
    assert.equal(await page.getAttribute('#session-lapsed-title', 'role'), 'alert');
    const position = await page.$eval('#session-lapsed', (b) => getComputedStyle(b).position);
    assert.equal(position, viewport === 'phone' ? 'static' : 'sticky');
    // The field scrolled up to the top of the window, where a sticky notice
    // is, then focused (as Tab would): in view, and nothing on top of it.
    const clear = await page.$eval('#plan-reason', (el) => {
      document.querySelector('main').style.paddingBottom = '3000px';
      window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 10);
      el.blur();
      el.focus();
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return { top: r.top, bottom: r.bottom, height: innerHeight, covered: hit !== el, by: hit?.closest('[id]')?.id };
    });
    assert.ok(clear.top >= 0 && clear.bottom <= clear.height, `${viewport}: the focused field is in view (${JSON.stringify(clear)})`);
    assert.equal(clear.covered, false, `${viewport}: the focused field is not under the notice (${JSON.stringify(clear)})`);
    await page.screenshot({ path: path.join(OUT, `${viewport}-session-lapsed.png`) });
    await done();
  }
});

test('the coordinator records an arrival tracking did not see; the public queue counts from it', { skip, timeout: 120000 }, async () => {
  const q = await api('/queue');
  const e = q.entries.find((x) => ['expected', 'late', 'unconfirmed'].includes(x.arrival));
  assert.ok(e, `a waiting vessel with no arrival recorded: ${JSON.stringify(q.entries.map((x) => x.arrival))}`);
  const { page, done } = await open('desktop', '/');
  await signIn(page, 'coordinator');
  await page.goto(new URL('/#/coordinate', page.url()).href);
  const row = `#coord-queue-table tr[data-id="${e.application_id}"]`;
  await page.waitForSelector(row);
  await page.click(`${row} td[data-arrival] summary`);
  // Without saying how it is known: refused before anything is sent.
  await page.click(`${row} [data-action=arrival]`);
  await page.waitForFunction(() => /Say how the arrival is known/.test(document.querySelector('#coord-queue-status')?.textContent || ''));
  assert.equal((await api('/queue')).entries.find((x) => x.application_id === e.application_id).arrival, e.arrival);
  // Open finding 65: the centre's inspection areas are offered (the
  // corridor's generic name planned every vessel at the first area).
  const offered = await page.$$eval(`${row} select[data-arrival-area] option`, (os) => os.map((o) => o.value));
  assert.deepEqual(offered, q.areas.map((a) => a.name));
  assert.ok(offered.length > 1, `the demo's centre has two areas: ${offered}`);
  await page.selectOption(`${row} select[data-arrival-area]`, offered.at(-1));
  await page.fill(`${row} td[data-arrival] input[placeholder^="How it is known"]`, 'master’s notice of readiness, by e-mail');
  await page.click(`${row} [data-action=arrival]`);
  await page.waitForFunction(() => /arrival recorded/.test(document.querySelector('#coord-queue-status')?.textContent || ''));
  const now = (await api('/queue')).entries.find((x) => x.application_id === e.application_id);
  assert.equal(now.arrival, 'recorded');
  assert.equal(now.arrival_area, offered.at(-1));
  await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.arrival === 'recorded', `${row} td[data-arrival]`);
  // Open finding 22: a recorded arrival can be corrected, saying why (logged, public).
  const day = new Date(`${now.waiting_since}T12:00:00Z`);
  day.setUTCDate(day.getUTCDate() - 1);
  const before = day.toISOString().slice(0, 10);
  await page.click(`${row} td[data-arrival] summary`);
  await page.fill(`${row} td[data-arrival] input[type=datetime-local]`, `${before}T08:00`);
  await page.fill(`${row} td[data-arrival] input[placeholder^="Why it is corrected"]`, 'the deck log shows the anchor down a day earlier');
  await page.click(`${row} [data-action=arrival]`);
  await page.waitForFunction(() => /arrival corrected/.test(document.querySelector('#coord-queue-status')?.textContent || ''));
  const corrected = (await api('/queue')).entries.find((x) => x.application_id === e.application_id);
  assert.deepEqual([corrected.arrival, corrected.waiting_since, corrected.arrival_area], ['recorded', before, offered.at(-1)]);
  await done();
});

// Web review (2026-11-30), finding 2: a vessel whose booking a stoppage
// stopped, or whose time passed without a result, was in no list with a
// Schedule control, though the server books it again. It is listed to
// schedule, saying why, with "Book again".
test('the coordinator books again a vessel whose booking no longer stands', { skip }, async () => {
  const coord = await open('desktop', '/');
  const lapsed = {
    id: 'BSGI-E2E-REBOOK', company: 'e2e', status: 'awaiting_inspection', vessel: 'REBOOK TEST', imo: '9000015',
    content_hash: 'ab'.repeat(32), ready_at: null, inspection_at: '2022-10-07T05:00:00Z', rebook: 'its booking was stopped by STOP-1',
  };
  await coord.page.route((url) => url.pathname === '/api/v1/applications', async (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    const res = await route.fetch();
    route.fulfill({ response: res, json: [...await res.json(), lapsed] });
  });
  await signIn(coord.page, 'coordinator');
  await coord.page.goto(new URL('/#/coordinate', coord.page.url()).href);
  const row = `#to-schedule tr[data-id="${lapsed.id}"]`;
  await coord.page.waitForSelector(row);
  assert.equal(await coord.page.textContent(`${row} [data-rebook]`), 'its booking was stopped by STOP-1');
  assert.equal(await coord.page.textContent(`${row} button[data-action=schedule]`), 'Book again');
  await coord.done();
});

// Web review (2026-11-30), finding 9: one status page that could not be
// read emptied the delegation's whole review list. It costs its own row.
// Finding 8: the plan's deadlines were shown without their day (the day
// before the plan's own).
test('the review list outlives one unreadable status page, and the plan says when it is due', { skip }, async () => {
  const { page, errors, done } = await open('desktop', '/');
  let failed = null;
  await page.route((url) => /^\/api\/v1\/applications\/[^/]+\/status$/.test(url.pathname), (route) => {
    if (failed && !route.request().url().includes(failed)) return route.continue();
    failed = new URL(route.request().url()).pathname.split('/')[4];
    return route.fulfill({ status: 503, json: { error: { code: 'unavailable', message: 'busy (test)' } } });
  });
  await signIn(page, 'ua-delegate');
  await page.goto(new URL('/#/review', page.url()).href);
  await page.waitForSelector('#review-queue');
  await page.waitForSelector('#review-unread');
  assert.ok(failed, 'one status page refused');
  assert.equal(await page.getAttribute(`#review-queue tr[data-id="${failed}"] [data-unread]`, 'data-unread'), 'true');
  assert.ok((await page.$$('#review-queue tbody tr')).length > 1, 'the others are listed');
  const due = await page.textContent('#review-plan-due-day');
  const title = await page.textContent('#review-plan-title');
  const day = title.replace('Inspection plan for ', '');
  assert.notEqual(due, day, `due the day before (${due}) the plan's day (${day})`);
  for (let i = errors.length - 1; i >= 0; i--) if (/status of 503/.test(errors[i])) errors.splice(i, 1);
  await done();
});
