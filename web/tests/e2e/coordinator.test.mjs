// The coordinator's screens beyond review and planning (roles.test.mjs):
// a vessel's departure, arrival and closing; suspending and resuming the
// corridor; and the suspension banner every page shows, which follows the
// server's state without a reload. Checked against the API each time.
// Needs the clearance demo seeded (run-e2e.sh: CORRIDOR_E2E_KEYS).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { api, apiAs, apiToken, applicationAt, assertAccessible, open, OUT, signIn, startBrowser, stopBrowser } from './helpers.mjs';

const skip = !process.env.CORRIDOR_E2E_KEYS && 'the clearance demo is not seeded (CORRIDOR_E2E_KEYS)';

before(startBrowser);
after(stopBrowser);

const statusOf = async (id) => (await apiAs(await apiToken('coordinator'), 'GET', `/applications/${id}/status`)).status;

/** Clicks `action` on the application's row, answering the confirmation with `accept`; the question asked. */
async function move(page, id, action, accept) {
  const asked = [];
  page.once('dialog', (d) => {
    asked.push(d.message());
    return accept ? d.accept() : d.dismiss();
  });
  await page.click(`#to-move tr[data-id="${id}"] button[data-action=${action}]`);
  await page.waitForFunction(() => !/…$/.test(document.querySelector('#moves-status').textContent));
  return asked[0];
}

test('the coordinator records a passed vessel’s departure and arrival, then closes its application, asked each time', { skip, timeout: 180000 }, async () => {
  const app = await applicationAt('inspection_passed', { name: 'E2E VOYAGE' });
  const { page, done } = await open('desktop', '/');
  await signIn(page, 'coordinator');
  await page.goto(new URL('/#/coordinate', page.url()).href);
  const row = `#to-move tr[data-id="${app.id}"]`;
  await page.waitForSelector(`${row} [data-status=inspection_passed]`);
  // Dismissed: nothing recorded.
  assert.match(await move(page, app.id, 'depart', false), new RegExp(`Record that E2E VOYAGE \\(${app.id}\\) has departed through the corridor\\?`));
  assert.match(await page.textContent('#moves-status'), new RegExp(`Nothing recorded for ${app.id}`));
  assert.equal(await statusOf(app.id), 'inspection_passed');
  // Departed, arrived, closed: each as the server then says.
  for (const [action, after, shown] of [['depart', 'in_transit', 'In transit'], ['arrive', 'arrived', 'Arrived'], ['close', 'closed', 'Closed']]) {
    await page.waitForSelector(`${row} button[data-action=${action}]`);
    await move(page, app.id, action, true);
    assert.match(await page.textContent('#moves-status'), new RegExp(`${app.id} \\(E2E VOYAGE\\) is now ${shown}\\.`));
    assert.equal(await statusOf(app.id), after);
    if (after !== 'closed') await page.waitForSelector(`${row} [data-status=${after}]`);
  }
  // Closed is final: nothing more to record.
  await page.waitForSelector(row, { state: 'detached' });
  await assertAccessible(page, 'the coordinator’s movements');
  await done();
});

test('the coordinator suspends the corridor with a reason and resumes it, asked first; every page’s banner follows without a reload', { skip, timeout: 240000 }, async () => {
  // A vessel that could depart, but for the suspension.
  const app = await applicationAt('inspection_passed', { name: 'E2E HELD BY SUSPENSION' });
  assert.equal((await api('/corridor')).suspended, false, 'the corridor is open to begin with');
  // A public page left open, its clock in the test's hands (for its re-read every minute).
  const pub = await open('phone', '/');
  await pub.page.clock.install();
  await pub.page.goto(new URL('/#/queue', pub.page.url()).href);
  await pub.page.reload(); // its scripts run again, on the test's clock
  await pub.page.waitForSelector('#queue [data-state]');
  assert.equal(await pub.page.locator('#corridor-banner').count(), 0);

  const { page, done } = await open('desktop', '/', { allow4xx: /\/depart$/ });
  try {
    await signIn(page, 'coordinator');
    await page.goto(new URL('/#/coordinate', page.url()).href);
    await page.waitForSelector('#corridor-state[data-suspended=false]');
    // A suspension needs a reason code and a reason, as the server says.
    await page.click('#suspend');
    await page.waitForFunction(() => /needs a reason code and a reason/.test(document.querySelector('#corridor-status').textContent));
    await page.fill('#suspend-code', 'E2E_DRILL');
    await page.fill('#suspend-text', 'A drill of the suspension (e2e)');
    await assertAccessible(page, 'the corridor panel');
    // Dismissed: still open.
    const asked = [];
    page.once('dialog', (d) => { asked.push(d.message()); d.dismiss(); });
    await page.click('#suspend');
    await page.waitForFunction(() => /Not suspended: the corridor stays open/.test(document.querySelector('#corridor-status').textContent));
    assert.match(asked[0], /Suspend the corridor \(E2E_DRILL\)\? Reviews, the parties’ decisions, inspections and departures stop/);
    assert.equal((await api('/corridor')).suspended, false);
    // Accepted: suspended, as the server says, and this page's banner says so at once.
    page.once('dialog', (d) => d.accept());
    await page.click('#suspend');
    await page.waitForSelector('#corridor-state[data-suspended=true]');
    const c = await api('/corridor');
    assert.equal(c.suspended, true);
    assert.equal(c.reason_code, 'E2E_DRILL');
    assert.equal(c.reason, 'A drill of the suspension (e2e)');
    assert.match(await page.textContent('#corridor-state'), /Suspended since .* UTC\+3, reason E2E_DRILL\. A drill of the suspension \(e2e\)$/);
    assert.equal(await page.textContent('#corridor-state .corridor-reason'), c.reason, 'the suspension’s text, as GET /corridor gives it');
    await page.waitForSelector('#corridor-banner');
    assert.equal(await page.getAttribute('#corridor-banner', 'data-since'), c.suspended_since);
    assert.match(await page.textContent('#corridor-banner'), /The corridor is suspended since .* UTC \(E2E DRILL\)\. A drill of the suspension \(e2e\)$/);
    assert.equal(await page.textContent('#corridor-banner .banner-reason'), c.reason);
    assert.equal(await page.inputValue('#suspend-code'), '', 'the reason went with the suspension');
    await page.screenshot({ path: path.join(OUT, 'desktop-coordinator-suspended.png'), fullPage: true });

    // While suspended, a departure is refused by the server, which says why.
    page.once('dialog', (d) => d.accept());
    await page.click(`#to-move tr[data-id="${app.id}"] button[data-action=depart]`);
    await page.waitForFunction(() => /suspended/.test(document.querySelector('#moves-status').textContent) && !/…$/.test(document.querySelector('#moves-status').textContent));
    assert.match(await page.textContent('#moves-status [role=alert]'), /corridor is suspended/);
    assert.equal(await statusOf(app.id), 'inspection_passed');

    // The public page, never reloaded nor navigated, shows it at its next re-read.
    assert.equal(await pub.page.locator('#corridor-banner').count(), 0, 'not read yet');
    await pub.page.clock.fastForward(61000);
    await pub.page.waitForSelector('#corridor-banner', { timeout: 10000 });
    assert.equal(await pub.page.getAttribute('#corridor-banner', 'data-since'), c.suspended_since);
    assert.equal(await pub.page.textContent('#corridor-banner .banner-reason'), c.reason, 'the public sees the suspension’s text');
    await pub.page.screenshot({ path: path.join(OUT, 'phone-suspended-banner.png') });

    // Resumed, asked first.
    page.once('dialog', (d) => d.dismiss());
    await page.click('#resume');
    await page.waitForFunction(() => /Not resumed/.test(document.querySelector('#corridor-status').textContent));
    assert.equal((await api('/corridor')).suspended, true);
    page.once('dialog', (d) => d.accept());
    await page.click('#resume');
    await page.waitForSelector('#corridor-state[data-suspended=false]');
    assert.equal((await api('/corridor')).suspended, false);
    await page.waitForSelector('#corridor-banner', { state: 'detached' });
    assert.ok(await page.isVisible('#suspend-form'), 'it can be suspended again');
    // The public page: gone as soon as it moves to another screen.
    await pub.page.goto(new URL('/#/movements', pub.page.url()).href);
    await pub.page.waitForSelector('#corridor-banner', { state: 'detached', timeout: 10000 });
  } finally {
    // Whatever happened above, the other tests find the corridor open.
    if ((await api('/corridor')).suspended) await apiAs(await apiToken('coordinator'), 'POST', '/corridor/resume');
  }
  await done();
  await pub.done();
});

test('the suspension banner: an older answer arriving last does not bring back a suspension that was lifted', { skip, timeout: 60000 }, async () => {
  const { page, done } = await open('desktop', '/#/movements');
  await page.waitForSelector('#mv-title');
  let slow = false;
  let reads = 0;
  let slowStarted;
  const started = new Promise((r) => { slowStarted = r; });
  await page.route((url) => url.pathname === '/api/v1/corridor', async (route) => {
    reads += 1;
    const res = await route.fetch();
    const body = await res.json();
    if (slow) {
      // Asked while it was suspended; told late.
      slow = false;
      slowStarted();
      await new Promise((r) => setTimeout(r, 2500));
      return route.fulfill({ response: res, json: { ...body, suspended: true, suspended_since: '2023-06-01T10:00:00Z', reason_code: 'E2E_STALE' } }).catch(() => {});
    }
    return route.fulfill({ response: res, json: body });
  });
  // A read on navigation, held on the way…
  slow = true;
  await page.evaluate(() => { location.hash = '#/queue'; });
  await started;
  // …and a newer one, on the next navigation, answered at once: open.
  await page.evaluate(() => { location.hash = '#/'; });
  await page.waitForTimeout(3500);
  assert.equal(reads, 2, 'read on each navigation');
  assert.equal(await page.locator('#corridor-banner').count(), 0, 'the stale suspension is not shown');
  await done();
});
