// A corridor that inspects on cause (UNVIM's rule; open finding 50): an
// approved vessel is cleared on its papers and departs without an
// inspection, and the coordinator requires one where there is cause, the
// agent seeing why. Runs against run-e2e.sh's second server (the Black
// Sea's demo under rules with `[inspection] policy = "on_cause"`).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

const url = process.env.CORRIDOR_ON_CAUSE_URL;
const skip = !url && 'no on-cause server (run-e2e.sh: CORRIDOR_ON_CAUSE_URL)';
// The helpers ask the server CORRIDOR_URL names with the keys
// CORRIDOR_E2E_KEYS names: this file's are the second server's.
if (url) {
  process.env.CORRIDOR_URL = url;
  process.env.CORRIDOR_E2E_KEYS = process.env.CORRIDOR_ON_CAUSE_KEYS;
}
const { apiAs, apiToken, applicationAt, assertAccessible, open, signIn, startBrowser, stopBrowser } = await import('./helpers.mjs');

before(startBrowser);
after(stopBrowser);

test('a vessel cleared on its papers departs; the coordinator requires an inspection of another, with its cause, and its agent sees why', { skip, timeout: 240000 }, async () => {
  const coordinator = await apiToken('coordinator');
  const status = (id) => apiAs(coordinator, 'GET', `/applications/${id}/status`);
  const cleared = await applicationAt('approved', { name: 'E2E CLEARED' });
  const doubted = await applicationAt('approved', { name: 'E2E DOUBTED' });
  for (const app of [cleared, doubted]) assert.equal((await status(app.id)).cleared_on_papers, true, app.id);

  const { page, done } = await open('desktop', '/');
  await signIn(page, 'coordinator');
  await page.goto(new URL('/#/coordinate', page.url()).href);
  const causeRow = `#to-inspect-on-cause tr[data-id="${doubted.id}"]`;
  await page.waitForSelector(`${causeRow} button[data-action=require-inspection]`);
  // Cleared vessels are not offered for booking.
  assert.equal(await page.locator(`#to-schedule tr[data-id="${doubted.id}"]`).count(), 0);

  // No cause: asked for, nothing sent.
  await page.click(`${causeRow} button[data-action=require-inspection]`);
  await page.waitForFunction(() => /Give the cause for inspecting E2E DOUBTED first/.test(document.querySelector('#cause-status').textContent));
  assert.equal((await status(doubted.id)).cleared_on_papers, true);
  const cause = 'Last port calls do not match the AIS track (e2e)';
  await page.fill(`${causeRow} input`, cause);
  await page.click(`${causeRow} button[data-action=require-inspection]`);
  await page.waitForFunction((id) => new RegExp(`${id} \\(E2E DOUBTED\\) now waits for an inspection\\.`).test(document.querySelector('#cause-status').textContent), doubted.id);
  const page2 = await status(doubted.id);
  assert.equal(page2.cleared_on_papers, false);
  assert.equal(page2.inspection_cause, cause);
  // Now it is to be booked, and no longer free to depart.
  await page.waitForSelector(`#to-schedule tr[data-id="${doubted.id}"]`);
  assert.equal(await page.locator(`#to-move tr[data-id="${doubted.id}"]`).count(), 0);

  // The other departs from approved, asked first.
  const asked = [];
  page.once('dialog', (d) => { asked.push(d.message()); d.accept(); });
  await page.click(`#to-move tr[data-id="${cleared.id}"] button[data-action=depart]`);
  await page.waitForFunction((id) => new RegExp(`${id} \\(E2E CLEARED\\) is now`).test(document.querySelector('#moves-status').textContent), cleared.id);
  assert.match(asked[0], /cleared on its papers, has departed through the corridor\?/);
  assert.equal((await status(cleared.id)).status, 'in_transit');
  await assertAccessible(page, 'inspections on cause');
  await done();

  // The agent sees the cause on the application.
  const agent = await open('phone', '/');
  await signIn(agent.page, 'agent-danube');
  await agent.page.goto(new URL(`/#/agent/applications/${doubted.id}`, agent.page.url()).href);
  await agent.page.waitForSelector('#app-inspection-cause');
  assert.equal((await agent.page.textContent('#app-inspection-cause')).trim(), cause);
  assert.match(await agent.page.textContent('#app-lapses'), /unless it is inspected before/);
  await agent.done();
});
