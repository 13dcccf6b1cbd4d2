// The agent's screens beyond the first application (roles.test.mjs): the
// last port calls, checked on the form and by the server; withdrawing;
// why the parties hold or refused it; downloading one's own documents.
// Every result is checked against the API, not only on the screen.
// Needs the clearance demo seeded (run-e2e.sh: CORRIDOR_E2E_KEYS).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { api, apiAs, applicationAt, assertAccessible, freshImo, open, OUT, partyDecides, pdf, signIn, startBrowser, stopBrowser, tokenOf } from './helpers.mjs';

const skip = !process.env.CORRIDOR_E2E_KEYS && 'the clearance demo is not seeded (CORRIDOR_E2E_KEYS)';

before(startBrowser);
after(stopBrowser);

/** Adds a port call at the end of the form's list and fills it. */
async function addPortCall(page, locode, arrived, departed) {
  await page.click('#add-port-call');
  const row = page.locator('#port-calls .port-call').last();
  await row.locator('[name=locode]').fill(locode);
  if (arrived) await row.locator('[name=arrived]').fill(arrived);
  if (departed) await row.locator('[name=departed]').fill(departed);
  return row;
}

test('the agent declares the last port calls: the form checks them as the server does, which saves and refuses them as its rules say', { skip, timeout: 180000 }, async () => {
  const { page, done } = await open('desktop', '/', { allow4xx: /\/api\/v1\/applications\/[^/]+$/ });
  await signIn(page, 'agent-danube');
  await page.goto(new URL('/#/agent/new', page.url()).href);
  await page.waitForSelector('#application-form');
  assert.equal(await page.textContent('#port-calls-none'), 'None declared.');
  await page.fill('#f-imo', freshImo());
  await page.fill('#f-name', 'E2E PORT CALLS');
  await page.fill('#f-flag', 'MT');
  await page.fill('#f-dwt', '58000');
  await page.fill('#f-from_port', 'TRIST');
  await page.fill('#f-to_port', 'EGALY');
  await page.fill('#f-destination_country', 'EG');
  await page.fill('.cargo-line input[name=tonnes]', '52000');
  await page.waitForSelector('#eligibility-live [data-eligible=documents]');

  // An ordinary call, most recent first; then one at a Crimean port.
  await addPortCall(page, 'trist', '2023-05-01T08:00', '2023-05-02T10:30');
  const banned = await addPortCall(page, 'UASVP', '2023-04-01T06:00', '2023-04-03T12:00');
  assert.equal(await banned.locator('legend').textContent(), 'Port call 2');
  // Said at once on the form, in the server's terms, at the call's port…
  await page.waitForFunction(() => /Port call 2: called at UASVP \(Crimean ports\) on 3 Apr 2023 12:00 UTC, after 1 Jan 2014 00:00 UTC/.test(document.querySelector('#f-port_calls-error').textContent));
  assert.equal(await banned.locator('[name=locode]').getAttribute('aria-invalid'), 'true');
  // …and by the server's own rules, asked as the form is filled.
  await page.waitForSelector('#eligibility-live li[data-code=banned_port_call]');
  assert.match(await page.textContent('#eligibility-live li[data-code=banned_port_call]'), /called at UASVP \(Crimean ports\) on 2023-04-03T12:00:00Z/);

  // A call the form can tell is wrong on its face stops the form being sent.
  const bad = await addPortCall(page, 'ODS', '2023-03-05T00:00', '2023-03-01T00:00');
  await page.click('#application-form button[type=submit]');
  await page.waitForFunction(() => /Some fields need attention/.test(document.querySelector('#application-form .actions').textContent));
  assert.match(await page.textContent('#f-port_calls-error'), /Port call 3: the port is a UN\/LOCODE.*Port call 3: the departure is before the arrival/);
  assert.equal(await bad.locator('[name=departed]').getAttribute('aria-invalid'), 'true');
  assert.match(page.url(), /#\/agent\/new$/, 'nothing saved');
  await assertAccessible(page, 'the form with port calls');
  await page.screenshot({ path: path.join(OUT, 'desktop-agent-port-calls.png'), fullPage: true });
  await bad.locator('button', { hasText: 'Remove' }).click();
  assert.equal(await page.locator('#port-calls .port-call').count(), 2);

  // The draft is saved with its calls as declared (the rule refuses its submission, not the draft).
  await page.click('#application-form button[type=submit]');
  await page.waitForURL(/#\/agent\/applications\//);
  const id = decodeURIComponent(page.url().split('/').pop());
  const token = await tokenOf(page);
  const saved = await apiAs(token, 'GET', `/applications/${id}`);
  assert.deepEqual(saved.content.last_port_calls, [
    { locode: 'TRIST', arrived: '2023-05-01T08:00:00Z', departed: '2023-05-02T10:30:00Z' },
    { locode: 'UASVP', arrived: '2023-04-01T06:00:00Z', departed: '2023-04-03T12:00:00Z' },
  ]);
  await page.waitForSelector('#eligibility li[data-code=banned_port_call]');
  // The saved calls are shown again, in order, for editing.
  assert.deepEqual(await page.$$eval('#port-calls [name=locode]', (els) => els.map((e) => e.value)), ['TRIST', 'UASVP']);

  // Under review, an amendment adding a banned call is refused by the
  // server, which says why; the application stays as it was.
  const review = await applicationAt('under_review', { name: 'E2E AMENDED CALLS' });
  await page.goto(new URL(`/#/agent/applications/${review.id}`, page.url()).href);
  await page.waitForSelector('#application-form');
  await addPortCall(page, 'UAKEH', '2023-06-01T00:00', '2023-06-02T00:00');
  await page.waitForFunction(() => /called at UAKEH \(Crimean ports\)/.test(document.querySelector('#f-port_calls-error').textContent));
  await page.click('#application-form button[type=submit]');
  await page.waitForFunction(() => /application is not eligible: called at UAKEH \(Crimean ports\) on 2023-06-02T00:00:00Z/.test(document.querySelector('#agent-status').textContent));
  const refused = await apiAs(review.token, 'GET', `/applications/${review.id}`);
  assert.deepEqual(refused.content.last_port_calls, []);
  assert.equal(refused.status, 'under_review');
  // RU holds it meanwhile (a review of session 27: an amendment voided the
  // hold, and its reason vanished from every screen).
  const held = await partyDecides(review.id, 'RU', { kind: 'hold', reason_code: 'SANCTIONS', text: 'owner listed' });
  assert.equal(held.status, 'held', JSON.stringify(held));
  // Put right: the call is another port, and the amendment is taken.
  await page.locator('#port-calls [name=locode]').fill('GRPIR');
  await page.waitForFunction(() => document.querySelector('#f-port_calls-error').textContent === '');
  await page.click('#application-form button[type=submit]');
  await page.waitForFunction(() => /Saved\./.test(document.querySelector('#agent-status').textContent));
  const amended = await apiAs(review.token, 'GET', `/applications/${review.id}`);
  assert.deepEqual(amended.content.last_port_calls, [{ locode: 'GRPIR', arrived: '2023-06-01T00:00:00Z', departed: '2023-06-02T00:00:00Z' }]);
  await page.waitForSelector('#port-calls [name=locode]');
  assert.equal(await page.inputValue('#port-calls [name=locode]'), 'GRPIR');
  // The agent still reads RU's reason, and a delegation sees what changed.
  await page.waitForFunction(() => /hold on the version before the amendment .*\(SANCTIONS: owner listed\)/.test(document.querySelector('tr[data-party="RU"] .earlier-decision')?.textContent || ''));
  await done();
  const un = await open('desktop', '/');
  await signIn(un.page, 'un-delegate');
  await un.page.goto(new URL(`/#/review/${review.id}`, un.page.url()).href);
  const change = '#ra-amended li[data-field="last_port_calls.0.locode"]';
  await un.page.waitForSelector(change);
  assert.equal(await un.page.textContent(change), 'last_port_calls.0.locode: — → GRPIR');
  assert.match(await un.page.textContent('tr[data-party="RU"] .earlier-decision'), /^hold on the version before the amendment of .*\(SANCTIONS: owner listed\)$/);
  await un.done();
});

test('the form checks the corridor’s rules as GET /corridor gives them, and the usual ones, said so, when it cannot be read', { skip, timeout: 120000 }, async () => {
  const { page, done } = await open('phone', '/');
  await signIn(page, 'agent-danube');
  const commodities = () => page.$$eval('.cargo-line select option', (os) => os.map((o) => o.value));
  const hint = () => page.textContent('#f-port_calls-hint');

  // As the server has them.
  const e = (await api('/corridor')).eligibility;
  await page.goto(new URL('/#/agent/new', page.url()).href);
  await page.waitForSelector('#f-port_calls-hint[data-rules=server]');
  assert.match(await hint(), new RegExp(`at most ${e.max_port_calls};`));
  for (const b of e.banned_port_calls) assert.ok((await hint()).includes(`${b.label} (${b.locodes.join(', ')})`), await hint());
  assert.deepEqual(await commodities(), Object.keys(e.commodities).filter((k) => e.allowed_categories.includes(e.commodities[k])));

  // Other rules on the server: the form follows them, not a copy of its own.
  let answer = null;
  await page.route((url) => url.pathname === '/api/v1/corridor', async (route) => {
    if (answer === 404) return route.fulfill({ status: 404, json: { error: { code: 'not_found', message: 'no clearance service' } } });
    const res = await route.fetch();
    const c = await res.json();
    return route.fulfill({ response: res, json: { ...c, eligibility: { ...c.eligibility, ...answer } } });
  });
  answer = {
    max_port_calls: 2,
    banned_port_calls: [{ label: 'E2E ports', locodes: ['GRPIR'], since: '2020-01-01T00:00:00Z' }],
    commodities: { wheat: 'grain', steel: 'metals', peas: 'foodstuffs' },
    allowed_categories: ['grain', 'foodstuffs'],
  };
  await page.goto(new URL('/#/agent', page.url()).href);
  await page.goto(new URL('/#/agent/new', page.url()).href);
  await page.waitForSelector('#f-port_calls-hint[data-rules=server]');
  assert.match(await hint(), /at most 2; .*A call at one of the E2E ports \(GRPIR\) since 1 Jan 2020 makes the application ineligible\.$/);
  assert.deepEqual(await commodities(), ['wheat', 'peas'], 'only the allowed categories’ commodities');
  await addPortCall(page, 'GRPIR', '2023-04-01T06:00', '2023-04-03T12:00');
  await page.waitForFunction(() => /Port call 1: called at GRPIR \(E2E ports\) on 3 Apr 2023 12:00 UTC, after 1 Jan 2020 00:00 UTC/.test(document.querySelector('#f-port_calls-error').textContent));
  assert.equal(await page.isDisabled('#add-port-call'), false);
  await addPortCall(page, 'TRIST', '2023-03-01T06:00', '2023-03-02T12:00');
  assert.equal(await page.isDisabled('#add-port-call'), true, 'at most 2 calls, as the server says');

  // The server cannot say: the usual rules, and the form says so.
  answer = 404;
  await page.goto(new URL('/#/agent', page.url()).href);
  await page.goto(new URL('/#/agent/new', page.url()).href);
  await page.waitForSelector('#f-port_calls-hint[data-rules=fallback]');
  assert.match(await hint(), /at most 10; .*Crimean ports.*could not be read from the server/);
  assert.ok((await commodities()).includes('wheat'));
  await assertAccessible(page, 'the form on the usual rules');
  await done();
});

test('the agent sees why a party holds or rejected an application, as the status page gives it', { skip, timeout: 120000 }, async () => {
  // Held now by UN, with its reason code.
  const held = await applicationAt('under_review', { name: 'E2E HELD' });
  await partyDecides(held.id, 'UN', { kind: 'hold', reason_code: 'CREW_LIST', text: 'The crew list does not match the registry (e2e)' });
  const { page, done } = await open('phone', '/');
  await signIn(page, 'agent-danube');
  await page.goto(new URL(`/#/agent/applications/${held.id}`, page.url()).href);
  await page.waitForSelector('#app-reasons');
  // The reason code and the party's own words, as the status page gives them.
  const lines = (p) => p.$$eval('#app-reasons li', (lis) => lis.map((li) => [li.dataset.party, li.dataset.decision, li.querySelector('code').textContent, li.querySelector('.party-reason')?.textContent ?? null]));
  const shown = () => lines(page);
  const fromApi = async (token, id) => (await apiAs(token, 'GET', `/applications/${id}/status`)).parties
    .filter((p) => p.decision === 'hold' || p.decision === 'reject').map((p) => [p.party, p.decision, p.reason_code, p.reason]);
  assert.deepEqual(await shown(), await fromApi(held.token, held.id));
  assert.deepEqual(await shown(), [['UN', 'hold', 'CREW_LIST', 'The crew list does not match the registry (e2e)']]);
  assert.match(await page.textContent('#app-reasons'), /Held: the vessel waits.*UN holds it: reason CREW_LIST, in its words: The crew list does not match the registry \(e2e\)/s);
  // The parties' table says the same.
  assert.match(await page.textContent('table.parties tr[data-party=UN]'), /CREW_LIST: The crew list does not match the registry \(e2e\)/);
  await assertAccessible(page, 'a held application');
  await page.screenshot({ path: path.join(OUT, 'phone-agent-held.png'), fullPage: true });
  await done();

  // The demo's rejected application is another company's: its agent sees RU's rejection.
  const aegean = await open('desktop', '/');
  await signIn(aegean.page, 'agent-aegean');
  await aegean.page.goto(new URL('/#/agent', aegean.page.url()).href);
  const row = '#agent-applications tr:has([data-status=rejected])';
  await aegean.page.waitForSelector(row);
  const id = await aegean.page.$eval(row, (tr) => tr.dataset.id);
  await aegean.page.goto(new URL(`/#/agent/applications/${id}`, aegean.page.url()).href);
  await aegean.page.waitForSelector('#app-reasons');
  const rejected = await lines(aegean.page);
  assert.deepEqual(rejected, await fromApi(await tokenOf(aegean.page), id));
  assert.ok(rejected.some(([, d, , words]) => d === 'reject' && words), `a rejection shown with the party's words (${JSON.stringify(rejected)})`);
  assert.match(await aegean.page.textContent('#app-reasons'), /^Rejected\./);
  // Nothing to withdraw once rejected.
  assert.equal(await aegean.page.locator('#withdraw-form').count(), 0);
  await aegean.done();
});

test('the agent downloads their own documents, byte for byte as attached', { skip, timeout: 120000 }, async () => {
  const app = await applicationAt('draft', { name: 'E2E DOWNLOADS' });
  // (The refusal below is provoked.)
  const { page, done } = await open('desktop', '/', { allow404: /\/documents\/[0-9a-f]{64}$/ });
  await signIn(page, 'agent-danube');
  await page.goto(new URL(`/#/agent/applications/${app.id}`, page.url()).href);
  await page.waitForSelector('#documents [data-download=crew_list]');
  const stored = await apiAs(app.token, 'GET', `/applications/${app.id}`);
  for (const kind of ['crew_list', 'stowage_plan']) {
    const doc = stored.content.documents.find((d) => d.kind === kind);
    const [file] = await Promise.all([page.waitForEvent('download'), page.click(`#documents [data-download=${kind}]`)]);
    assert.equal(file.suggestedFilename(), doc.filename);
    const bytes = await readFile(await file.path());
    assert.deepEqual(bytes, pdf(kind, app.id), `${kind}: the bytes attached`);
    await page.waitForFunction((name) => new RegExp(`${name} downloaded`).test(document.querySelector('#agent-status').textContent), doc.filename);
  }
  // A document the server will not give (here: answered 404) is said so, with the server's message.
  await page.route((url) => url.pathname.includes('/documents/'), (route) => route.fulfill({ status: 404, json: { error: { code: 'not_found', message: 'no such document (test)' } } }));
  await page.click('#documents [data-download=cargo_manifest]');
  await page.waitForFunction(() => /cargo_manifest\.pdf could not be downloaded: no such document \(test\)/.test(document.querySelector('#agent-status').textContent));
  await page.unroute((url) => url.pathname.includes('/documents/'));
  await done();
});

test('the agent withdraws an application, asked first; the server’s status is shown', { skip, timeout: 120000 }, async () => {
  const app = await applicationAt('under_review', { name: 'E2E WITHDRAWN' });
  const { page, done } = await open('phone', '/');
  await signIn(page, 'agent-danube');
  await page.goto(new URL(`/#/agent/applications/${app.id}`, page.url()).href);
  await page.waitForSelector('#withdraw-form');
  const status = async () => (await apiAs(app.token, 'GET', `/applications/${app.id}/status`)).status;
  // No reason: asked for, nothing sent.
  await page.click('#withdraw');
  await page.waitForFunction(() => /Say why the application is withdrawn/.test(document.querySelector('#agent-status').textContent));
  assert.equal(await status(), 'under_review');
  await page.fill('#withdraw-reason', 'Charter cancelled (e2e)');
  // Dismissed: it stands.
  const asked = [];
  page.once('dialog', (d) => { asked.push(d.message()); d.dismiss(); });
  await page.click('#withdraw');
  await page.waitForFunction(() => /Not withdrawn/.test(document.querySelector('#agent-status').textContent));
  assert.match(asked[0], new RegExp(`Withdraw application ${app.id} \\(E2E WITHDRAWN\\)\\? The parties stop considering it\\. This cannot be undone`));
  assert.equal(await status(), 'under_review');
  // Accepted: withdrawn, as the server now says.
  page.once('dialog', (d) => d.accept());
  await page.click('#withdraw');
  await page.waitForFunction(() => /Withdrawn: application .* is now Withdrawn\./.test(document.querySelector('#agent-status').textContent));
  assert.equal(await status(), 'withdrawn');
  await page.waitForSelector('#app-status [data-status=withdrawn]');
  assert.equal(await page.locator('#withdraw-form').count(), 0, 'nothing more to withdraw');
  assert.equal(await page.isDisabled('#f-name'), true, 'no longer editable');
  // The agent's list says so too.
  await page.goto(new URL('/#/agent', page.url()).href);
  await page.waitForSelector(`#agent-applications tr[data-id="${app.id}"] [data-status=withdrawn]`);
  await done();
});
