// The administrator's screen: creating users (each checked by signing in
// as them through the API) and the parties' keys, as the API lists them.
// Needs the clearance demo seeded (run-e2e.sh: CORRIDOR_E2E_KEYS).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { api, apiAs, apiToken, assertAccessible, BASE, open, OUT, PASSWORD, signIn, startBrowser, stopBrowser, VIEWPORTS } from './helpers.mjs';

const skip = !process.env.CORRIDOR_E2E_KEYS && 'the clearance demo is not seeded (CORRIDOR_E2E_KEYS)';

before(startBrowser);
after(stopBrowser);

/** Whether `username` can sign in with `password` (asked of the API). */
async function canSignIn(username, password) {
  const res = await fetch(new URL('/api/v1/auth/login', BASE), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password, label: 'e2e' }),
  });
  return res.status === 200;
}

/** The accounts listed on the screen are GET /users', in its order. */
async function sameUsers(page) {
  const users = await apiAs(await apiToken('admin'), 'GET', '/users');
  const shown = await page.$$eval('#users-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.username, tr.dataset.role, tr.children[1].textContent]));
  const text = (r) => (r.role === 'agent' ? `agent of ${r.company}` : r.role === 'delegate' ? `delegate of ${r.party}` : r.role);
  assert.deepEqual(shown, users.map((u) => [u.username, u.role.role, text(u.role)]));
}

test('the administrator creates users: the form checks them as the server does, and shows the server’s refusals', { skip, timeout: 120000 }, async () => {
  const { page, done } = await open('desktop', '/', { allow4xx: /\/api\/v1\/users$/ });
  await signIn(page, 'admin');
  // The administrator's own screen, in the header and after signing in.
  await page.waitForSelector('header.site nav [data-nav="/admin"]');
  await page.waitForURL(/#\/admin$/);
  await page.waitForSelector('#user-form');
  // Every account, as the server lists them.
  await page.waitForSelector('#users-table tr[data-username=admin]');
  await sameUsers(page);
  // The administrator's own password is asked again: without it, the server refuses.
  const stamp = Date.now().toString(36);
  await page.fill('#u-username', `e2e-nopass-${stamp}`);
  await page.fill('#u-password', 'harbour-lights-2023');
  await page.selectOption('#u-role', 'inspector');
  await page.click('#create-user');
  await page.waitForFunction(() => /Not created: admin_password/.test(document.querySelector('#user-status').textContent));
  assert.equal(await canSignIn(`e2e-nopass-${stamp}`, 'harbour-lights-2023'), false);
  await page.fill('#u-admin-password', PASSWORD);
  const name = `e2e-agent-${stamp}`;
  const password = 'harbour-lights-2023';

  // Too short: said on the form, nothing sent.
  await page.fill('#u-username', name);
  await page.fill('#u-password', 'short-pass');
  await page.selectOption('#u-role', 'agent');
  await page.fill('#u-company', 'Bosphorus Bulk (e2e)');
  await page.click('#create-user');
  await page.waitForFunction(() => /at least 12 characters/.test(document.querySelector('#u-password-error').textContent));
  assert.equal(await page.getAttribute('#u-password', 'aria-invalid'), 'true');
  assert.equal(await canSignIn(name, 'short-pass'), false);
  // A common word the server knows and the form does not: the server's refusal, in its words.
  await page.fill('#u-password', 'password-2023-!!');
  await page.click('#create-user');
  await page.waitForFunction(() => /Not created: password: too common/.test(document.querySelector('#user-status').textContent));
  assert.equal(await canSignIn(name, 'password-2023-!!'), false);

  // Created: the user signs in, with the role and company given.
  await page.fill('#u-password', password);
  await page.click('#create-user');
  await page.waitForFunction((n) => new RegExp(`Created ${n} \\(agent of Bosphorus Bulk \\(e2e\\)\\)`).test(document.querySelector('#user-status').textContent), name);
  assert.ok(await canSignIn(name, password), 'the new user signs in');
  const me = await apiAs(await apiToken(name, password), 'GET', '/auth/me');
  assert.deepEqual(me.role, { role: 'agent', company: 'Bosphorus Bulk (e2e)' });
  // The list of accounts is read again: the new one is in it, as GET /users has it.
  await page.waitForSelector(`#users-table tr[data-username="${name}"]`);
  assert.match(await page.textContent(`#users-table tr[data-username="${name}"]`), new RegExp(`^${name}agent of Bosphorus Bulk \\(e2e\\)\\d`));
  await sameUsers(page);
  assert.equal(await page.inputValue('#u-password'), '', 'the password is not left on the screen');

  // A delegate of a party; then the same name again, refused by the server.
  const delegate = `e2e-delegate-${stamp}`;
  await page.fill('#u-username', delegate);
  await page.fill('#u-password', password);
  await page.selectOption('#u-role', 'delegate');
  assert.equal(await page.isVisible('#u-company'), false, 'a delegate has no company');
  await page.selectOption('#u-party', 'TR');
  await page.click('#create-user');
  await page.waitForFunction((n) => new RegExp(`Created ${n} \\(delegate of TR\\)`).test(document.querySelector('#user-status').textContent), delegate);
  assert.deepEqual((await apiAs(await apiToken(delegate, password), 'GET', '/auth/me')).role, { role: 'delegate', party: 'TR' });
  await page.fill('#u-username', delegate);
  await page.fill('#u-password', 'another-harbour-2024');
  await page.click('#create-user');
  await page.waitForFunction(() => /Not created: .*(taken|exists)/i.test(document.querySelector('#user-status').textContent));
  assert.equal(await canSignIn(delegate, 'another-harbour-2024'), false, 'the first user is unchanged');
  await page.waitForSelector(`#users-table tr[data-username="${delegate}"][data-role=delegate]`);
  await sameUsers(page);
  await assertAccessible(page, 'the administrator’s screen');
  await page.screenshot({ path: path.join(OUT, 'desktop-admin.png'), fullPage: true });
  await done();
});

test('the administrator sees every party key, current and retired, as the API lists them', { skip }, async () => {
  for (const viewport of Object.keys(VIEWPORTS)) {
    const { page, done } = await open(viewport, '/');
    await signIn(page, 'admin');
    await page.goto(new URL('/#/admin', page.url()).href);
    await page.waitForSelector('#keys-table');
    const keys = await api('/parties/keys');
    assert.ok(keys.length >= 4, 'the four parties have keys');
    const rows = await page.$$eval('#keys-table tbody tr', (trs) => trs.map((tr) => ({
      key_id: tr.dataset.keyId, party: tr.dataset.party, state: tr.children[2].textContent, public_key: tr.children[5].textContent,
    })));
    const want = keys.map((k) => ({ key_id: k.key_id, party: k.party, state: k.valid_until ? 'retired' : 'current', public_key: k.public_key }));
    const byId = (a, b) => a.key_id.localeCompare(b.key_id);
    assert.deepEqual([...rows].sort(byId), [...want].sort(byId));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `${viewport}: page is ${overflow}px too wide`);
    if (viewport === 'phone') await page.screenshot({ path: path.join(OUT, 'phone-admin.png'), fullPage: true });
    await done();
  }
});

test('the administrator’s screen is the administrator’s only', { skip }, async () => {
  const { page, done } = await open('desktop', '/');
  await signIn(page, 'coordinator');
  await page.goto(new URL('/#/admin', page.url()).href);
  await page.waitForFunction(() => /for the admin role; you are signed in as coordinator/.test(document.querySelector('main').textContent));
  assert.equal(await page.locator('#user-form').count(), 0);
  await done();
});
